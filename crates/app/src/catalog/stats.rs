//! Catalogue statistics for the hall: items by type, and the shares online, fully online and
//! at-most-one-visit (the figures the source documents report, e.g. Qianjiang's 94.39% online).

use crate::{App, AppResult};
use serde::Serialize;
use yiwang_core::catalog::{ItemStatus, ItemType};

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

/// The figures, read from the node's search index (which holds exactly the published items and
/// bundles), so that the hall's statistics cost a few index counts rather than a catalogue scan.
pub async fn stats(app: &App) -> AppResult<CatalogStats> {
    use yiwang_search::{DocKind, Filters};
    let index = &app.search().index;
    let count = |flags: &[&str]| -> AppResult<u64> {
        let f = Filters {
            kind: Some(DocKind::Item),
            flags: flags.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        Ok(index.search("", &f, 0, 0)?.total as u64)
    };
    let items = index.search(
        "",
        &Filters {
            kind: Some(DocKind::Item),
            ..Default::default()
        },
        0,
        0,
    )?;
    let total = items.total as u64;
    let by_type = ItemType::ALL
        .iter()
        .map(|t| TypeCount {
            item_type: t.as_str().into(),
            label: t.label_zh().into(),
            count: items
                .facets
                .item_type
                .iter()
                .find(|(label, _)| label == t.label_zh())
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    let (online, fully, once, immediate) = (
        count(&["online"])?,
        count(&["fully_online"])?,
        count(&["at_most_once"])?,
        count(&["immediate"])?,
    );
    let bundles = index
        .search(
            "",
            &Filters {
                kind: Some(DocKind::Bundle),
                ..Default::default()
            },
            0,
            0,
        )?
        .total as u64;
    let mut tx = app.store.read().await?;
    let departments = tx
        .list_items("")
        .await?
        .iter()
        .filter(|i| i.status == ItemStatus::Published.as_str())
        .map(|i| i.org_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    Ok(CatalogStats {
        published_items: total,
        by_type,
        online,
        fully_online: fully,
        at_most_once: once,
        immediate,
        departments,
        bundles,
        online_share: share(online, total),
        fully_online_share: share(fully, total),
        at_most_once_share: share(once, total),
    })
}
