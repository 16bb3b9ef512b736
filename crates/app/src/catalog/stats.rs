//! Catalogue statistics for the hall: items by type, and the shares online, fully online and
//! at-most-one-visit (the figures the source documents report, e.g. Qianjiang's 94.39% online).

use std::sync::Arc;

use serde::Serialize;
use yiwang_core::catalog::{ItemStatus, ItemType};
use yiwang_store::Store;

use super::items::parse_body;
use crate::AppResult;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TypeCount {
    pub item_type: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogStats {
    pub published_items: u64,
    pub by_type: Vec<TypeCount>,
    pub online: u64,
    pub fully_online: u64,
    pub at_most_once: u64,
    pub immediate: u64,
    pub departments: u64,
    pub bundles: u64,
    /// Percentages with two decimals.
    pub online_share: f64,
    pub fully_online_share: f64,
    pub at_most_once_share: f64,
}

fn share(n: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (n as f64 * 10000.0 / total as f64).round() / 100.0
    }
}

pub async fn stats(store: &Arc<dyn Store>) -> AppResult<CatalogStats> {
    let mut tx = store.read().await?;
    let items = tx.list_items("").await?;
    let mut by_type: Vec<TypeCount> = ItemType::ALL
        .iter()
        .map(|t| TypeCount {
            item_type: t.as_str().into(),
            label: t.label_zh().into(),
            count: 0,
        })
        .collect();
    let (mut total, mut online, mut fully, mut once, mut immediate) = (0, 0, 0, 0, 0);
    let mut departments = std::collections::HashSet::new();
    for item in items
        .iter()
        .filter(|i| i.status == ItemStatus::Published.as_str())
    {
        let Some(v) = item.published_version else {
            continue;
        };
        let Some(row) = tx.get_item_version(&item.id, v).await? else {
            continue;
        };
        let body = parse_body(&row)?;
        total += 1;
        departments.insert(item.org_id.clone());
        if let Some(t) = by_type
            .iter_mut()
            .find(|t| t.item_type == body.item_type.as_str())
        {
            t.count += 1;
        }
        online += u64::from(body.online);
        fully += u64::from(body.fully_online);
        once += u64::from(body.at_most_once);
        immediate += u64::from(body.handling_kind == yiwang_core::catalog::HandlingKind::Immediate);
    }
    let bundles = tx
        .list_bundles()
        .await?
        .iter()
        .filter(|b| b.status == ItemStatus::Published.as_str())
        .count() as u64;
    Ok(CatalogStats {
        published_items: total,
        by_type,
        online,
        fully_online: fully,
        at_most_once: once,
        immediate,
        departments: departments.len() as u64,
        bundles,
        online_share: share(online, total),
        fully_online_share: share(fully, total),
        at_most_once_share: share(once, total),
    })
}
