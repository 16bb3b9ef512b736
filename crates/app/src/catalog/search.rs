//! 查: the catalogue's search index follows the catalogue.
//!
//! Each `yiwang serve` node keeps its own index (in memory, or in `--index-dir`). Every catalogue
//! change takes a new catalogue revision; the node that made the change syncs at once, and every
//! node pulls changes newer than its index's revision every few seconds. `yiwang search reindex`
//! (or the admin API) rebuilds an index from the database.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::catalog::{BundleBody, ItemBody, ItemStatus};
use yiwang_search::{CatalogIndex, DocKind, Filters, SearchDoc, SearchError};
use yiwang_store::prelude::*;
use yiwang_store::{CatalogItem, Store};

use super::items::parse_body;
use crate::{AppError, AppResult};

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e.code() {
            code @ ("search.query_too_long" | "search.page_out_of_range") => {
                AppError::Problem(Problem::invalid(code, e.message_zh(), e.message_en()))
            }
            _ => AppError::Internal(e.to_string()),
        }
    }
}

/// A node's search index and the lock that keeps syncs in order.
pub struct CatalogSearch {
    pub index: CatalogIndex,
    sync_lock: tokio::sync::Mutex<()>,
}

impl CatalogSearch {
    pub fn new(dir: Option<&Path>) -> Result<Self, SearchError> {
        let index = match dir {
            Some(d) => CatalogIndex::open_dir(d)?,
            None => CatalogIndex::in_ram()?,
        };
        Ok(CatalogSearch {
            index,
            sync_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Apply every catalogue change newer than the index; returns the documents touched.
    pub async fn sync(&self, store: &Arc<dyn Store>) -> AppResult<usize> {
        let _guard = self.sync_lock.lock().await;
        let from = self.index.revision();
        let mut tx = store.read().await?;
        let target = tx.catalog_revision().await?;
        if target <= from {
            return Ok(0);
        }
        let bundles = published_bundles(&mut *tx).await?;
        let mut touched = 0;
        let mut changed_codes: Vec<String> = Vec::new();
        for b in tx.bundles_changed_since(from).await? {
            if b.status == ItemStatus::Published.as_str()
                && let Some((_, body)) = bundles.iter().find(|(id, _)| *id == b.id)
            {
                self.index.upsert(&[bundle_doc(&b.id, &b.org_id, body)])?;
            } else {
                self.index.remove(std::slice::from_ref(&b.id))?;
            }
            if let Ok(body) = serde_json::from_str::<BundleBody>(&b.body) {
                changed_codes.extend(body.item_codes);
            }
            touched += 1;
        }
        let mut after = from;
        loop {
            let batch = tx.items_changed_since(after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.revision;
            touched += self.apply_items(&mut *tx, batch, &bundles).await?;
        }
        // Items whose bundles changed get their life events refreshed.
        for code in changed_codes {
            let items = tx.items_by_code(&code).await?;
            touched += self.apply_items(&mut *tx, items, &bundles).await?;
        }
        self.index.set_revision(target)?;
        Ok(touched)
    }

    async fn apply_items(
        &self,
        tx: &mut dyn ReadTx,
        items: Vec<CatalogItem>,
        bundles: &[(String, BundleBody)],
    ) -> AppResult<usize> {
        let mut docs = Vec::new();
        let mut gone = Vec::new();
        let mut org_names: HashMap<String, String> = HashMap::new();
        for item in items {
            match (
                item.status == ItemStatus::Published.as_str(),
                item.published_version,
            ) {
                (true, Some(v)) => {
                    let Some(row) = tx.get_item_version(&item.id, v).await? else {
                        continue;
                    };
                    let body = parse_body(&row)?;
                    if !org_names.contains_key(&item.org_id) {
                        let name = tx
                            .get_organisation(&item.org_id)
                            .await?
                            .map(|o| o.name)
                            .unwrap_or_default();
                        org_names.insert(item.org_id.clone(), name);
                    }
                    docs.push(item_doc(&item, &org_names[&item.org_id], &body, bundles));
                }
                _ => gone.push(item.id.clone()),
            }
        }
        let n = docs.len() + gone.len();
        if !docs.is_empty() {
            self.index.upsert(&docs)?;
        }
        if !gone.is_empty() {
            self.index.remove(&gone)?;
        }
        Ok(n)
    }

    /// Rebuild the index from the database.
    pub async fn rebuild(&self, store: &Arc<dyn Store>) -> AppResult<u64> {
        {
            let _guard = self.sync_lock.lock().await;
            self.index.replace_all(Vec::new(), 0)?;
        }
        self.sync(store).await?;
        Ok(self.index.doc_count())
    }
}

async fn published_bundles(tx: &mut dyn ReadTx) -> AppResult<Vec<(String, BundleBody)>> {
    Ok(tx
        .list_bundles()
        .await?
        .into_iter()
        .filter(|b| b.status == ItemStatus::Published.as_str())
        .filter_map(|b| {
            Some((
                b.id.clone(),
                serde_json::from_str::<BundleBody>(&b.body).ok()?,
            ))
        })
        .collect())
}

fn item_doc(
    item: &CatalogItem,
    org_name: &str,
    body: &ItemBody,
    bundles: &[(String, BundleBody)],
) -> SearchDoc {
    SearchDoc {
        id: item.id.clone(),
        kind: DocKind::Item,
        name: body.name.clone(),
        aliases: body.aliases.clone(),
        materials: body.materials.iter().map(|m| m.name.clone()).collect(),
        description: format!("{} {}", body.conditions, body.description),
        department_id: item.org_id.clone(),
        department_name: org_name.into(),
        level: body.level.label_zh().into(),
        item_type: body.item_type.label_zh().into(),
        flags: body.flag_keys().into_iter().map(String::from).collect(),
        life_events: bundles
            .iter()
            .filter(|(_, b)| b.item_codes.iter().any(|c| c == body.code.as_str()))
            .map(|(_, b)| b.code.clone())
            .collect(),
    }
}

fn bundle_doc(id: &str, org_id: &str, body: &BundleBody) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        kind: DocKind::Bundle,
        name: body.name.clone(),
        aliases: body.aliases.clone(),
        materials: Vec::new(),
        description: body.description.clone(),
        department_id: org_id.into(),
        department_name: String::new(),
        level: String::new(),
        item_type: "一件事".into(),
        flags: Vec::new(),
        life_events: vec![body.code.clone()],
    }
}

/// What the hall needs to show a hit without another query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HitView {
    /// `item` or `bundle`.
    pub kind: String,
    pub id: String,
    pub code: String,
    pub name: String,
    pub department: String,
    pub item_type: String,
    pub flags: Vec<String>,
    pub promised_limit_days: u32,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Facet {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub total: usize,
    pub offset: usize,
    pub hits: Vec<HitView>,
    pub item_types: Vec<Facet>,
    pub levels: Vec<Facet>,
}

/// Search the hall: the index ranks, the database supplies what each hit shows.
pub async fn search(
    app: &crate::App,
    query: &str,
    filters: &Filters,
    offset: usize,
    limit: usize,
) -> AppResult<SearchPage> {
    let result = app
        .search()
        .index
        .search(query, filters, offset, limit.min(50))?;
    let mut tx = app.store.read().await?;
    let mut hits = Vec::new();
    for h in result.hits {
        match h.kind {
            DocKind::Item => {
                let Some(item) = tx.get_item(&h.id).await? else {
                    continue;
                };
                let Some(v) = item.published_version else {
                    continue;
                };
                let Some(row) = tx.get_item_version(&item.id, v).await? else {
                    continue;
                };
                let body = parse_body(&row)?;
                let dept = tx
                    .get_organisation(&item.org_id)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default();
                hits.push(HitView {
                    kind: "item".into(),
                    id: item.id,
                    code: item.code,
                    name: body.name.clone(),
                    department: dept,
                    item_type: body.item_type.label_zh().into(),
                    flags: body.flag_keys().into_iter().map(String::from).collect(),
                    promised_limit_days: body.promised_limit_days,
                    score: h.score,
                });
            }
            DocKind::Bundle => {
                let Some(b) = tx.get_bundle(&h.id).await? else {
                    continue;
                };
                let Ok(body) = serde_json::from_str::<BundleBody>(&b.body) else {
                    continue;
                };
                let dept = tx
                    .get_organisation(&b.org_id)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default();
                hits.push(HitView {
                    kind: "bundle".into(),
                    id: b.id,
                    code: b.code,
                    name: body.name,
                    department: dept,
                    item_type: "一件事".into(),
                    flags: Vec::new(),
                    promised_limit_days: body.promised_limit_days,
                    score: h.score,
                });
            }
        }
    }
    let facet = |v: Vec<(String, u64)>| {
        v.into_iter()
            .map(|(value, count)| Facet { value, count })
            .collect()
    };
    Ok(SearchPage {
        total: result.total,
        offset,
        hits,
        item_types: facet(result.facets.item_type),
        levels: facet(result.facets.level),
    })
}

/// Rebuild this node's index from the database (platform administrators).
pub async fn reindex(app: &crate::App, actor: &yiwang_core::access::Actor) -> AppResult<u64> {
    use yiwang_core::access::{Permission, Scope, authorize};
    authorize(actor, Permission::ManagePlatform, Scope::Platform)?;
    app.search().rebuild(&app.store).await
}
