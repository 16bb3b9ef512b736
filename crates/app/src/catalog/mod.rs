//! 事项目录 use cases: service items and their versions, claiming, bundles, downloadable files,
//! import/export, consultation (问), statistics, and the search index that follows the catalogue.

pub mod bundles;
pub mod files;
pub mod import;
pub mod items;
pub mod questions;
pub mod search;
pub mod stats;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::catalog::item::FieldError;
use yiwang_store::prelude::*;

use crate::AppResult;

/// Rule violations of a version, as one 422 problem listing every field.
pub fn invalid_fields(errors: Vec<FieldError>) -> Problem {
    let first = errors.first().cloned();
    let (zh, en) = match &first {
        Some(e) => (e.message.clone(), e.message_en.clone()),
        None => (String::new(), String::new()),
    };
    Problem::invalid(
        "catalog.invalid",
        format!("事项信息不完整或有误:{zh}(共{}处)", errors.len()),
        format!(
            "The item is incomplete or wrong: {en} ({} problems)",
            errors.len()
        ),
    )
    .with_details(serde_json::json!({ "fields": errors }))
}

/// The actor's catalogue-management grant over an organisation.
pub(crate) async fn manage_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    org_id: &str,
) -> AppResult<(&'a Grant, yiwang_store::Organisation)> {
    let org = tx
        .get_organisation(org_id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
    let grant = access::authorize(actor, Permission::ManageCatalog, Scope::Org(&org.path))?;
    Ok((grant, org))
}

/// A short public view of an organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
    pub region_code: String,
}

impl From<&yiwang_store::Organisation> for OrgRef {
    fn from(o: &yiwang_store::Organisation) -> Self {
        OrgRef {
            id: o.id.clone(),
            name: o.name.clone(),
            region_code: o.region_code.clone(),
        }
    }
}

/// The service catalogue in the capability registry.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "catalog",
    covered: yiwang_store::catalog::CATALOG_TABLES,
    covered_rows: Some(covered_rows),
    templates: &[crate::registry::TemplateSpec {
        key: "question.answered",
        render: |p| crate::notify::Message {
            title: "咨询已答复".into(),
            body: format!(
                "您关于“{}”的咨询已有答复，请在“我的咨询”中查看：/hall/my-questions",
                p.text("item")
            ),
        },
    }],
    ..crate::registry::Capability::EMPTY
};

fn covered_rows<'a>(
    tx: &'a mut dyn ReadTx,
    out: &'a mut Vec<crate::registry::CoveredRow>,
) -> crate::registry::BoxFuture<'a, AppResult<()>> {
    use yiwang_store::{BundleRowData, CatalogFile, CatalogItem, ItemVersionRow, Question};
    Box::pin(async move {
        for i in tx.list_items("").await? {
            out.push((CatalogItem::TABLE, i.id.clone(), i.digest()));
        }
        let mut after = (String::new(), 0i64);
        loop {
            let page = tx.all_item_versions((&after.0, after.1), 2000).await?;
            let Some(last) = page.last() else { break };
            after = (last.item_id.clone(), last.version);
            for v in page {
                out.push((ItemVersionRow::TABLE, v.key(), v.digest()));
            }
        }
        for b in tx.list_bundles().await? {
            out.push((BundleRowData::TABLE, b.id.clone(), b.digest()));
        }
        for f in tx.list_files().await? {
            // The row's digest column names its blob; `verify_with_blobs` re-hashes the blobs.
            out.push((CatalogFile::TABLE, f.id.clone(), f.row_digest()));
        }
        for q in tx.list_questions().await? {
            out.push((Question::TABLE, q.id.clone(), q.digest()));
        }
        Ok(())
    })
}
