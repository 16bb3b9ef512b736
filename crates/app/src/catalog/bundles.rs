//! 一件事 bundles: create, save, publish/suspend, and the public view with one merged form and
//! one de-duplicated material list.
//!
//! A bundle belongs to an organisation (usually a government-service centre); its items are
//! referenced by code and resolved among the published items of organisations below the bundle
//! organisation's parent (the same city or county).

use std::sync::Arc;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::catalog::bundle::check_bundle;
use yiwang_core::catalog::lifecycle::next_bundle_status;
use yiwang_core::catalog::{
    BundleBody, ItemBody, ItemStatus, MergedField, MergedMaterial, merge_bundle,
};
use yiwang_store::prelude::*;
use yiwang_store::{BundleRowData, CatalogItem, Organisation, Store};

use super::items::{ItemView, parse_body};
use super::{invalid_fields, manage_grant};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

fn not_found() -> Problem {
    Problem::not_found("一件事", "Life-event bundle")
}

/// Resolve the bundle's item codes to published items in the bundle's region.
pub(crate) async fn resolve_items(
    tx: &mut dyn ReadTx,
    org: &Organisation,
    body: &BundleBody,
) -> AppResult<Vec<(CatalogItem, Organisation, ItemBody)>> {
    let root = yiwang_core::access::parent_path(&org.path);
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for code in &body.item_codes {
        let mut found = None;
        for item in tx.items_by_code(code).await? {
            if item.status != ItemStatus::Published.as_str() {
                continue;
            }
            let Some(item_org) = tx.get_organisation(&item.org_id).await? else {
                continue;
            };
            if !item_org.path.starts_with(&root) {
                continue;
            }
            let v = item.published_version.unwrap_or(item.latest_version);
            let Some(row) = tx.get_item_version(&item.id, v).await? else {
                continue;
            };
            found = Some((item, item_org, parse_body(&row)?));
            break;
        }
        match found {
            Some(f) => out.push(f),
            None => missing.push(code.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(Problem::invalid(
            "bundle.items_missing",
            format!(
                "以下事项在本地区没有已发布的实施事项:{}",
                missing.join("、")
            ),
            format!(
                "No published item in this region for: {}",
                missing.join(", ")
            ),
        )
        .with_details(serde_json::json!({ "missing": missing }))
        .into());
    }
    Ok(out)
}

/// Create or replace a bundle of an organisation (items must be published in its region).
pub async fn save_bundle(
    app: &App,
    actor: &Actor,
    org_id: &str,
    body: BundleBody,
    publish: bool,
) -> AppResult<BundleRowData> {
    let mut tx = app.store.write().await?;
    let (grant, org) = manage_grant(&mut *tx, actor, org_id).await?;
    let by = Acting::as_grant(actor, grant);
    let row = save_bundle_in(&mut *tx, &by, &org, body, publish).await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(row)
}

pub(crate) async fn save_bundle_in(
    tx: &mut dyn WriteTx,
    by: &Acting,
    org: &Organisation,
    body: BundleBody,
    publish: bool,
) -> AppResult<BundleRowData> {
    let errors = check_bundle(&body);
    if !errors.is_empty() {
        return Err(invalid_fields(errors).into());
    }
    resolve_items(tx, org, &body).await?;
    let now = now_micros();
    let revision = tx.next_catalog_revision().await?;
    let status = if publish {
        ItemStatus::Published
    } else {
        ItemStatus::Draft
    };
    let json = serde_json::to_string(&body).expect("bundle serialises");
    let (row, action) = match tx.find_bundle(&body.code, &org.id).await? {
        Some(existing) => {
            if existing.status == ItemStatus::Cancelled.as_str() {
                return Err(Problem::conflict(
                    "bundle.cancelled",
                    "该一件事已取消",
                    "The bundle was cancelled",
                )
                .into());
            }
            let row = BundleRowData {
                name: body.name.clone(),
                status: if publish {
                    status.as_str().into()
                } else {
                    existing.status.clone()
                },
                body: json,
                revision,
                updated_at: now,
                ..existing
            };
            tx.update_bundle(&row).await?;
            (row, "catalog.bundle.save")
        }
        None => {
            let row = BundleRowData {
                id: new_id(),
                code: body.code.clone(),
                org_id: org.id.clone(),
                name: body.name.clone(),
                status: status.as_str().into(),
                body: json,
                revision,
                created_at: now,
                updated_at: now,
            };
            tx.insert_bundle(&row).await?;
            (row, "catalog.bundle.create")
        }
    };
    record(
        tx,
        by,
        action,
        ("catalog_bundle", &row.id),
        vec![digest(BundleRowData::TABLE, &row.id, row.digest())],
        serde_json::json!({ "code": row.code, "status": row.status }),
    )
    .await?;
    Ok(row)
}

/// Publish, suspend or resume a bundle.
pub async fn set_bundle_status(
    app: &App,
    actor: &Actor,
    bundle_id: &str,
    status: ItemStatus,
) -> AppResult<BundleRowData> {
    let mut tx = app.store.write().await?;
    let mut row = tx.get_bundle(bundle_id).await?.ok_or_else(not_found)?;
    let (grant, org) = manage_grant(&mut *tx, actor, &row.org_id).await?;
    let from = crate::parse_stored(
        ItemStatus::parse,
        BundleRowData::TABLE,
        &row.id,
        "status",
        &row.status,
    )?;
    let status = next_bundle_status(from, status)?;
    if status == ItemStatus::Published {
        let body: BundleBody =
            serde_json::from_str(&row.body).map_err(|e| AppError::Internal(e.to_string()))?;
        resolve_items(&mut *tx, &org, &body).await?;
    }
    row.status = status.as_str().into();
    row.revision = tx.next_catalog_revision().await?;
    row.updated_at = now_micros();
    tx.update_bundle(&row).await?;
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        &format!("catalog.bundle.{}", status.as_str()),
        ("catalog_bundle", &row.id),
        vec![digest(BundleRowData::TABLE, &row.id, row.digest())],
        serde_json::json!({ "status": row.status }),
    )
    .await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(row)
}

/// A bundle as the hall shows it: its items, one merged form and one material list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BundleView {
    pub bundle: BundleRowData,
    pub body: BundleBody,
    pub items: Vec<ItemView>,
    pub materials: Vec<MergedMaterial>,
    pub form: Vec<MergedField>,
}

/// A published bundle by id or code (the first published one with that code).
pub async fn public_bundle(store: &Arc<dyn Store>, id_or_code: &str) -> AppResult<BundleView> {
    let mut tx = store.read().await?;
    let row = match tx.get_bundle(id_or_code).await? {
        Some(r) => Some(r),
        None => tx
            .list_bundles()
            .await?
            .into_iter()
            .find(|b| b.code == id_or_code && b.status == ItemStatus::Published.as_str()),
    }
    .filter(|b| b.status == ItemStatus::Published.as_str())
    .ok_or_else(not_found)?;
    let org = tx
        .get_organisation(&row.org_id)
        .await?
        .ok_or_else(|| AppError::Internal("bundle organisation missing".into()))?;
    let body: BundleBody =
        serde_json::from_str(&row.body).map_err(|e| AppError::Internal(e.to_string()))?;
    // A published bundle whose item has since been suspended or cancelled is not on offer: the
    // reader's request is fine, the bundle's state is not (409, not the 422 of a bad save).
    let resolved = resolve_items(&mut *tx, &org, &body)
        .await
        .map_err(|e| match e {
            AppError::Problem(p) if p.code == "bundle.items_missing" => {
                let mut c = Problem::conflict(
                    "bundle.items_unavailable",
                    "该一件事包含的事项暂不可办理",
                    "An item of this life event is not available at the moment",
                );
                c.details = p.details;
                AppError::Problem(c)
            }
            other => other,
        })?;
    let bodies: Vec<&ItemBody> = resolved.iter().map(|(_, _, b)| b).collect();
    let (materials, form) = merge_bundle(&bodies);
    let items = resolved
        .iter()
        .map(|(item, org, b)| ItemView {
            item: item.clone(),
            organisation: org.into(),
            version: item.published_version.unwrap_or(item.latest_version),
            frozen: true,
            body: b.clone(),
        })
        .collect();
    Ok(BundleView {
        bundle: row,
        body,
        items,
        materials,
        form,
    })
}

/// Every published bundle (the hall's life events).
pub async fn published_bundles(
    store: &Arc<dyn Store>,
) -> AppResult<Vec<(BundleRowData, BundleBody)>> {
    let mut tx = store.read().await?;
    let mut out = Vec::new();
    for row in tx.list_bundles().await? {
        if row.status != ItemStatus::Published.as_str() {
            continue;
        }
        if let Ok(body) = serde_json::from_str::<BundleBody>(&row.body) {
            out.push((row, body));
        }
    }
    Ok(out)
}

/// Every bundle (any status) of the organisations the actor manages.
pub async fn managed_bundles(
    store: &Arc<dyn Store>,
    actor: &Actor,
) -> AppResult<Vec<(BundleRowData, BundleBody)>> {
    let mut tx = store.read().await?;
    let mut out = Vec::new();
    for row in tx.list_bundles().await? {
        let Some(org) = tx.get_organisation(&row.org_id).await? else {
            continue;
        };
        let allowed = yiwang_core::access::authorize(
            actor,
            yiwang_core::access::Permission::ManageCatalog,
            yiwang_core::access::Scope::Org(&org.path),
        )
        .is_ok();
        if allowed && let Ok(body) = serde_json::from_str::<BundleBody>(&row.body) {
            out.push((row, body));
        }
    }
    Ok(out)
}
