//! Service items: create, save (a new draft version once published), publish, suspend, resume,
//! cancel, claim into a lower organisation's implementation list, and read.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::access::OrgKind;
use yiwang_core::catalog::claim::{OrgFacts, check_claim_target};
use yiwang_core::catalog::item::check_claim;
use yiwang_core::catalog::lifecycle::next_status;
use yiwang_core::catalog::{ItemAction, ItemBody, ItemStatus};
use yiwang_store::prelude::*;
use yiwang_store::{CatalogItem, ItemVersionRow, Organisation, Store};

use super::{OrgRef, invalid_fields, manage_grant};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// An item with one of its versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub item: CatalogItem,
    pub organisation: OrgRef,
    pub version: i64,
    /// Published (frozen) or draft.
    pub frozen: bool,
    pub body: ItemBody,
}

pub(crate) fn parse_body(v: &ItemVersionRow) -> AppResult<ItemBody> {
    serde_json::from_str(&v.body)
        .map_err(|e| AppError::Internal(format!("item version {} is unreadable: {e}", v.key())))
}

fn body_json(b: &ItemBody) -> String {
    serde_json::to_string(b).expect("item body serialises")
}

fn not_found() -> Problem {
    Problem::not_found("事项", "Service item")
}

pub(crate) async fn write_version(
    tx: &mut dyn WriteTx,
    by: &Acting,
    action: &str,
    item: &CatalogItem,
    version: &ItemVersionRow,
    new_version: bool,
    detail: serde_json::Value,
) -> AppResult<()> {
    if new_version {
        tx.insert_item_version(version).await?;
    } else {
        tx.update_item_version(version).await?;
    }
    record(
        tx,
        by,
        action,
        ("catalog_item", &item.id),
        vec![
            digest(CatalogItem::TABLE, &item.id, item.digest()),
            digest(ItemVersionRow::TABLE, &version.key(), version.digest()),
        ],
        detail,
    )
    .await?;
    Ok(())
}

/// Create an item in an organisation's implementation list (version 1, a draft).
pub async fn create_item(
    app: &App,
    actor: &Actor,
    org_id: &str,
    body: ItemBody,
) -> AppResult<ItemView> {
    let mut tx = app.store.write().await?;
    let (grant, org) = manage_grant(&mut *tx, actor, org_id).await?;
    let by = Acting::as_grant(actor, grant);
    let view = insert_new_item(&mut *tx, &by, &org, body, None).await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(view)
}

/// Write a new item and its first (draft) version.
pub(crate) async fn insert_new_item(
    tx: &mut dyn WriteTx,
    by: &Acting,
    org: &Organisation,
    body: ItemBody,
    base_item_id: Option<String>,
) -> AppResult<ItemView> {
    let errors = body.check();
    if !errors.is_empty() {
        return Err(invalid_fields(errors).into());
    }
    if tx.find_item(body.code.as_str(), &org.id).await?.is_some() {
        return Err(Problem::conflict(
            "catalog.duplicate_code",
            format!("{}已有编码为{}的事项", org.name, body.code),
            format!("{} already has an item with code {}", org.name, body.code),
        )
        .into());
    }
    let now = now_micros();
    let item = CatalogItem {
        id: new_id(),
        code: body.code.to_string(),
        org_id: org.id.clone(),
        base_item_id,
        name: body.name.clone(),
        item_type: body.item_type.as_str().into(),
        status: ItemStatus::Draft.as_str().into(),
        latest_version: 1,
        published_version: None,
        revision: tx.next_catalog_revision().await?,
        created_at: now,
        updated_at: now,
    };
    tx.insert_item(&item).await?;
    let version = ItemVersionRow {
        item_id: item.id.clone(),
        version: 1,
        body: body_json(&body),
        frozen: 0,
        created_at: now,
        created_by: by.actor_id.clone(),
        published_at: None,
    };
    write_version(
        tx,
        by,
        if item.base_item_id.is_some() {
            "catalog.item.claim"
        } else {
            "catalog.item.create"
        },
        &item,
        &version,
        true,
        serde_json::json!({ "code": item.code, "name": item.name, "org": org.id }),
    )
    .await?;
    Ok(ItemView {
        item,
        organisation: org.into(),
        version: 1,
        frozen: false,
        body,
    })
}

/// Load an item the actor manages.
async fn managed_item(
    tx: &mut dyn WriteTx,
    actor: &Actor,
    item_id: &str,
) -> AppResult<(CatalogItem, Organisation, Acting)> {
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    let (grant, org) = manage_grant(tx, actor, &item.org_id).await?;
    Ok((item, org, Acting::as_grant(actor, grant)))
}

/// Save changes: the draft version is updated, or — when the newest version is published — a new
/// draft version is made; the published version stays in force until the draft is published.
pub async fn save_item(
    app: &App,
    actor: &Actor,
    item_id: &str,
    body: ItemBody,
) -> AppResult<ItemView> {
    let mut tx = app.store.write().await?;
    let (item, org, by) = managed_item(&mut *tx, actor, item_id).await?;
    let view = save_in(&mut *tx, &by, item, &org, body).await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(view)
}

pub(crate) async fn save_in(
    tx: &mut dyn WriteTx,
    by: &Acting,
    mut item: CatalogItem,
    org: &Organisation,
    body: ItemBody,
) -> AppResult<ItemView> {
    let status = ItemStatus::parse(&item.status).unwrap_or(ItemStatus::Draft);
    next_status(status, ItemAction::Edit, false)?;
    if body.code.as_str() != item.code {
        return Err(Problem::invalid(
            "catalog.code_changed",
            "事项编码不能修改;请新建事项",
            "An item's code cannot change; create a new item instead",
        )
        .into());
    }
    let errors = match &item.base_item_id {
        Some(base_id) => {
            let base = published_body(tx, base_id).await?;
            check_claim(&base, &body)
        }
        None => body.check(),
    };
    if !errors.is_empty() {
        return Err(invalid_fields(errors).into());
    }
    let latest = tx
        .get_item_version(&item.id, item.latest_version)
        .await?
        .ok_or_else(|| AppError::Internal(format!("item {} lost its latest version", item.id)))?;
    // Editors and import files carry no file columns: a material keeps the blank form and sample
    // it had under the same name unless new ones are given.
    let mut body = body;
    let previous = parse_body(&latest)?;
    for m in body.materials.iter_mut() {
        if let Some(old) = previous.materials.iter().find(|o| o.name == m.name) {
            m.blank_form = m.blank_form.take().or_else(|| old.blank_form.clone());
            m.sample = m.sample.take().or_else(|| old.sample.clone());
        }
    }
    let now = now_micros();
    let new_version = latest.frozen == 1;
    let version = if new_version {
        item.latest_version += 1;
        ItemVersionRow {
            item_id: item.id.clone(),
            version: item.latest_version,
            body: body_json(&body),
            frozen: 0,
            created_at: now,
            created_by: by.actor_id.clone(),
            published_at: None,
        }
    } else {
        ItemVersionRow {
            body: body_json(&body),
            ..latest
        }
    };
    item.name = if item.published_version.is_some() {
        item.name
    } else {
        body.name.clone()
    };
    item.updated_at = now;
    item.revision = tx.next_catalog_revision().await?;
    tx.update_item(&item).await?;
    write_version(
        tx,
        by,
        "catalog.item.save",
        &item,
        &version,
        new_version,
        serde_json::json!({ "version": version.version }),
    )
    .await?;
    Ok(ItemView {
        version: version.version,
        item,
        organisation: org.into(),
        frozen: false,
        body,
    })
}

/// The body of an item's published version.
/// The rules an import row meets when it is written that need the database, checked beforehand
/// in a read transaction so that a file is refused whole rather than half-written (the row's own
/// element rules are checked by the parser): an existing item must be editable, and publishable
/// when the row asks for it, and a claimed item must keep its base's elements. Only a concurrent
/// change between this check and the write can still stop an import half-way.
pub(crate) async fn precheck_import_row(
    tx: &mut dyn ReadTx,
    org: &Organisation,
    body: &ItemBody,
    publish: bool,
) -> AppResult<()> {
    let Some(item) = tx.find_item(body.code.as_str(), &org.id).await? else {
        return Ok(());
    };
    let status = ItemStatus::parse(&item.status).unwrap_or(ItemStatus::Draft);
    let after_edit = next_status(status, ItemAction::Edit, false)?;
    if let Some(base_id) = &item.base_item_id {
        let errors = check_claim(&published_body(tx, base_id).await?, body);
        if !errors.is_empty() {
            return Err(invalid_fields(errors).into());
        }
    }
    if publish && after_edit != ItemStatus::Suspended {
        next_status(after_edit, ItemAction::Publish, true)?;
    }
    Ok(())
}

pub(crate) async fn published_body(tx: &mut dyn ReadTx, item_id: &str) -> AppResult<ItemBody> {
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    let v = item.published_version.ok_or_else(|| {
        Problem::conflict(
            "catalog.not_published",
            "该事项尚未发布",
            "The item has not been published",
        )
    })?;
    let row = tx
        .get_item_version(item_id, v)
        .await?
        .ok_or_else(|| AppError::Internal(format!("item {item_id} lost version {v}")))?;
    parse_body(&row)
}

/// Publish, suspend, resume or cancel an item.
pub async fn change_status(
    app: &App,
    actor: &Actor,
    item_id: &str,
    action: ItemAction,
) -> AppResult<ItemView> {
    let mut tx = app.store.write().await?;
    let (item, org, by) = managed_item(&mut *tx, actor, item_id).await?;
    let view = change_status_in(&mut *tx, &by, item, &org, action).await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(view)
}

pub(crate) async fn change_status_in(
    tx: &mut dyn WriteTx,
    by: &Acting,
    mut item: CatalogItem,
    org: &Organisation,
    action: ItemAction,
) -> AppResult<ItemView> {
    let status = ItemStatus::parse(&item.status).unwrap_or(ItemStatus::Draft);
    let mut latest = tx
        .get_item_version(&item.id, item.latest_version)
        .await?
        .ok_or_else(|| AppError::Internal(format!("item {} lost its latest version", item.id)))?;
    let has_draft = latest.frozen == 0;
    let next = next_status(status, action, has_draft)?;
    let now = now_micros();
    item.status = next.as_str().into();
    item.updated_at = now;
    item.revision = tx.next_catalog_revision().await?;
    let body = parse_body(&latest)?;
    if action == ItemAction::Publish {
        // The draft must still satisfy every rule (a claimed item also its base's).
        let errors = match &item.base_item_id {
            Some(base_id) => check_claim(&published_body(tx, base_id).await?, &body),
            None => body.check(),
        };
        if !errors.is_empty() {
            return Err(invalid_fields(errors).into());
        }
        latest.frozen = 1;
        latest.published_at = Some(now);
        item.published_version = Some(latest.version);
        item.name = body.name.clone();
        tx.update_item(&item).await?;
        write_version(
            tx,
            by,
            "catalog.item.publish",
            &item,
            &latest,
            false,
            serde_json::json!({ "version": latest.version }),
        )
        .await?;
    } else {
        tx.update_item(&item).await?;
        record(
            tx,
            by,
            &format!("catalog.item.{}", action.as_str()),
            ("catalog_item", &item.id),
            vec![digest(CatalogItem::TABLE, &item.id, item.digest())],
            serde_json::json!({ "status": item.status }),
        )
        .await?;
    }
    Ok(ItemView {
        version: latest.version,
        frozen: latest.frozen == 1,
        item,
        organisation: org.into(),
        body,
    })
}

/// What a lower organisation sets when it claims a base item.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ClaimRequest {
    /// The organisation whose implementation list receives the item.
    pub org_id: String,
    /// Its own promised limit (≤ the legal limit).
    pub promised_limit_days: u32,
    /// Its own level (e.g. 县级), as the Chinese label or key; the base's when omitted.
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub consult_phone: Option<String>,
}

/// 认领: copy a published base item into a lower organisation's implementation list, keeping
/// name, code, type and legal basis identical; the claimer sets its own limits within the legal one.
pub async fn claim_item(
    app: &App,
    actor: &Actor,
    base_item_id: &str,
    req: ClaimRequest,
) -> AppResult<ItemView> {
    let mut tx = app.store.write().await?;
    let base_item = tx.get_item(base_item_id).await?.ok_or_else(not_found)?;
    if base_item.status != ItemStatus::Published.as_str() {
        return Err(Problem::conflict(
            "catalog.claim_unpublished",
            "只能认领已发布的事项",
            "Only published items can be claimed",
        )
        .into());
    }
    let base_org = tx
        .get_organisation(&base_item.org_id)
        .await?
        .ok_or_else(not_found)?;
    let (grant, org) = manage_grant(&mut *tx, actor, &req.org_id).await?;
    check_claim_target(org_facts(&base_org)?, org_facts(&org)?)?;
    let base = published_body(&mut *tx, base_item_id).await?;
    let mut body = base.clone();
    body.promised_limit_days = req.promised_limit_days;
    if let Some(level) = req.level.as_deref().filter(|l| !l.is_empty()) {
        body.level = yiwang_core::catalog::Level::from_label(level)
            .or_else(|| yiwang_core::catalog::Level::parse(level))
            .ok_or_else(|| {
                Problem::invalid(
                    "catalog.level",
                    format!("未知层级:{level}"),
                    format!("Unknown level: {level}"),
                )
            })?;
    }
    if let Some(phone) = req.consult_phone.filter(|p| !p.trim().is_empty()) {
        body.consult_phone = phone;
    }
    // Step limits are the base's; a shorter promise may need shorter steps, which the claimer
    // edits afterwards. Keep them consistent by capping here.
    for s in &mut body.steps {
        s.limit_days = s.limit_days.min(body.promised_limit_days);
    }
    let errors = check_claim(&base, &body);
    if !errors.is_empty() {
        return Err(invalid_fields(errors).into());
    }
    let by = Acting::as_grant(actor, grant);
    let view = insert_new_item(&mut *tx, &by, &org, body, Some(base_item.id.clone())).await?;
    tx.commit().await?;
    app.search_sync().await;
    Ok(view)
}

/// The published version of an item, for everyone (the hall). Suspended items stay readable.
pub async fn public_item(store: &Arc<dyn Store>, item_id: &str) -> AppResult<ItemView> {
    let mut tx = store.read().await?;
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    let Some(v) = item.published_version else {
        return Err(not_found().into());
    };
    if item.status == ItemStatus::Cancelled.as_str() {
        return Err(not_found().into());
    }
    version_view(&mut *tx, item, v).await
}

/// One version of an item: published versions are public; drafts only to their managers.
pub async fn item_version(
    store: &Arc<dyn Store>,
    actor: Option<&Actor>,
    item_id: &str,
    version: i64,
) -> AppResult<ItemView> {
    let mut tx = store.read().await?;
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    let row = tx
        .get_item_version(item_id, version)
        .await?
        .ok_or_else(not_found)?;
    if row.frozen == 0 {
        let Some(actor) = actor else {
            return Err(not_found().into());
        };
        manage_grant(&mut *tx, actor, &item.org_id)
            .await
            .map_err(|_| AppError::Problem(not_found()))?;
    }
    version_view(&mut *tx, item, version).await
}

async fn version_view(tx: &mut dyn ReadTx, item: CatalogItem, version: i64) -> AppResult<ItemView> {
    let row = tx
        .get_item_version(&item.id, version)
        .await?
        .ok_or_else(not_found)?;
    let org = tx
        .get_organisation(&item.org_id)
        .await?
        .ok_or_else(|| AppError::Internal("item organisation missing".into()))?;
    Ok(ItemView {
        body: parse_body(&row)?,
        version,
        frozen: row.frozen == 1,
        organisation: (&org).into(),
        item,
    })
}

/// The rule's view of an organisation row.
pub(crate) fn org_facts(o: &yiwang_store::Organisation) -> AppResult<OrgFacts<'_>> {
    let kind = OrgKind::parse(&o.kind).ok_or_else(|| {
        AppError::Internal(format!(
            "organisation {} has an unknown kind {:?}",
            o.id, o.kind
        ))
    })?;
    Ok(OrgFacts {
        id: &o.id,
        path: &o.path,
        kind,
        region_code: &o.region_code,
    })
}

/// The organisations, of those given, into which `base_item` may be claimed (the claim form
/// offers only these).
pub async fn claim_targets(
    store: &Arc<dyn Store>,
    base_item_id: &str,
    candidates: Vec<yiwang_store::Organisation>,
) -> AppResult<Vec<yiwang_store::Organisation>> {
    let mut tx = store.read().await?;
    let item = tx.get_item(base_item_id).await?.ok_or_else(not_found)?;
    let base_org = tx
        .get_organisation(&item.org_id)
        .await?
        .ok_or_else(not_found)?;
    let base = org_facts(&base_org)?;
    Ok(candidates
        .into_iter()
        .filter(|o| org_facts(o).is_ok_and(|t| check_claim_target(base, t).is_ok()))
        .collect())
}

/// The published (frozen) versions of an item: numbers and times, for everyone. An item that
/// was never published (or is cancelled) is not found, as the item itself is not.
pub async fn versions(store: &Arc<dyn Store>, item_id: &str) -> AppResult<Vec<ItemVersionRow>> {
    let mut tx = store.read().await?;
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    if item.published_version.is_none() || item.status == ItemStatus::Cancelled.as_str() {
        return Err(not_found().into());
    }
    Ok(tx
        .list_item_versions(item_id)
        .await?
        .into_iter()
        .filter(|v| v.frozen == 1)
        .map(|mut v| {
            v.body = String::new();
            v
        })
        .collect())
}

/// The newest version (draft or not) of an item, for its managers.
pub async fn managed_view(
    store: &Arc<dyn Store>,
    actor: &Actor,
    item_id: &str,
) -> AppResult<ItemView> {
    let mut tx = store.read().await?;
    let item = tx.get_item(item_id).await?.ok_or_else(not_found)?;
    manage_grant(&mut *tx, actor, &item.org_id)
        .await
        .map_err(|_| AppError::Problem(not_found()))?;
    let v = item.latest_version;
    version_view(&mut *tx, item, v).await
}

/// Items the actor manages (their organisations' subtrees).
pub async fn managed_items(store: &Arc<dyn Store>, actor: &Actor) -> AppResult<Vec<CatalogItem>> {
    let mut tx = store.read().await?;
    let mut out: Vec<CatalogItem> = Vec::new();
    for g in
        yiwang_core::access::grants_allowing(actor, yiwang_core::access::Permission::ManageCatalog)
    {
        out.extend(tx.list_items(&g.org_path).await?);
    }
    out.sort_by(|a, b| a.code.cmp(&b.code).then(a.org_id.cmp(&b.org_id)));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}
