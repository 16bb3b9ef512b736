//! Regions (行政区划) and organisations (机构) on them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, OrgKind, Permission, Scope};
use yiwang_core::ids::{CreditCode, RegionCode};
use yiwang_store::prelude::*;
use yiwang_store::{Organisation, Region, Store};

use crate::{Acting, AppResult, digest, new_id, now_micros, record};

/// GB/T 2260 codes of the regions the platform serves (from the national code list).
pub const REGIONS_CSV: &str = include_str!("../data/regions.csv");

/// Parse `code,name,parent_code,level` rows.
pub fn parse_regions(text: &str) -> Result<Vec<Region>, Problem> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = || {
            Problem::invalid(
                "region.row",
                format!("第{}行区划数据格式错误", i + 1),
                format!("Region row {} is malformed", i + 1),
            )
        };
        if cols.len() != 4 {
            return Err(bad());
        }
        let code = RegionCode::parse(cols[0])?;
        let parent = if cols[2].is_empty() {
            None
        } else {
            Some(RegionCode::parse(cols[2])?.as_str().to_string())
        };
        if !["province", "prefecture", "county", "township", "village"].contains(&cols[3]) {
            return Err(bad());
        }
        out.push(Region {
            code: code.as_str().into(),
            name: cols[1].into(),
            parent_code: parent,
            level: cols[3].into(),
        });
    }
    Ok(out)
}

/// Load the region tree on first start (a no-op once regions exist).
pub async fn seed_regions(store: &Arc<dyn Store>) -> AppResult<()> {
    let mut tx = store.write().await?;
    if !tx.list_regions().await?.is_empty() {
        return Ok(());
    }
    let regions = parse_regions(REGIONS_CSV)?;
    let mut rows = Vec::new();
    for r in &regions {
        tx.insert_region(r).await?;
        rows.push(digest(Region::TABLE, &r.code, r.digest()));
    }
    record(
        &mut *tx,
        &Acting::system(),
        "region.seed",
        ("region", "*"),
        rows,
        serde_json::json!({ "count": regions.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Input of [`create_organisation`].
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewOrganisation {
    /// 1 to 100 characters once trimmed.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// One of the `OrgKind` texts, e.g. `department`, `service_centre`.
    pub kind: String,
    pub region_code: String,
    pub parent_id: Option<String>,
    /// Required for enterprises (统一社会信用代码).
    pub credit_code: Option<String>,
}

fn invalid_name() -> Problem {
    Problem::invalid(
        "organisation.name",
        "机构名称不能为空且不超过100个字符",
        "An organisation name must be 1 to 100 characters",
    )
}

/// Create an organisation below `parent_id` (administrators of an ancestor only; a root
/// organisation needs a platform administrator).
pub async fn create_organisation(
    store: &Arc<dyn Store>,
    actor: &Actor,
    input: NewOrganisation,
) -> AppResult<Organisation> {
    let mut tx = store.write().await?;
    let parent = match &input.parent_id {
        Some(pid) => Some(
            tx.get_organisation(pid)
                .await?
                .ok_or_else(|| Problem::not_found("上级机构", "Parent organisation"))?,
        ),
        None => None,
    };
    let grant = match &parent {
        Some(p) => access::authorize(actor, Permission::ManageOrganisations, Scope::Org(&p.path))?,
        None => access::authorize(actor, Permission::ManageOrganisations, Scope::Platform)?,
    };
    let by = Acting::as_grant(actor, grant);
    let org = insert_organisation(&mut *tx, &by, input, parent.as_ref()).await?;
    tx.commit().await?;
    Ok(org)
}

/// Validate and write an organisation plus its ledger entry (shared by the use case and the demo).
pub async fn insert_organisation(
    tx: &mut dyn WriteTx,
    by: &Acting,
    input: NewOrganisation,
    parent: Option<&Organisation>,
) -> AppResult<Organisation> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid_name().into());
    }
    let kind = OrgKind::parse(&input.kind).ok_or_else(|| {
        Problem::invalid(
            "organisation.kind",
            format!("未知的机构类型:{}", input.kind),
            format!("Unknown organisation kind: {}", input.kind),
        )
    })?;
    let region = RegionCode::parse(&input.region_code)?;
    if tx.get_region(region.as_str()).await?.is_none() {
        return Err(Problem::invalid(
            "organisation.region",
            format!("行政区划代码{}不在区划表中", region.as_str()),
            format!("Region code {} is not in the region table", region.as_str()),
        )
        .into());
    }
    let credit_code = match input.credit_code.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(CreditCode::parse(c)?.as_str().to_string()),
        _ => None,
    };
    if kind == OrgKind::Enterprise && credit_code.is_none() {
        return Err(Problem::invalid(
            "organisation.credit_code_required",
            "企业法人须填写统一社会信用代码",
            "An enterprise needs its unified social credit code",
        )
        .into());
    }
    let id = new_id();
    let now = now_micros();
    let org = Organisation {
        path: format!("{}{id}/", parent.map(|p| p.path.as_str()).unwrap_or("/")),
        id,
        name,
        name_en: input.name_en.trim().to_string(),
        kind: kind.as_str().into(),
        region_code: region.as_str().into(),
        parent_id: parent.map(|p| p.id.clone()),
        credit_code,
        created_at: now,
        updated_at: now,
    };
    tx.insert_organisation(&org).await?;
    record(
        tx,
        by,
        "organisation.create",
        ("organisation", &org.id),
        vec![digest(Organisation::TABLE, &org.id, org.digest())],
        serde_json::json!({ "name": org.name, "kind": org.kind, "region": org.region_code }),
    )
    .await?;
    Ok(org)
}

/// The organisations the actor may see: its own, and everything below for supervising roles.
pub async fn visible_organisations(
    store: &Arc<dyn Store>,
    actor: &Actor,
) -> AppResult<Vec<Organisation>> {
    let mut tx = store.read().await?;
    let mut out: Vec<Organisation> = Vec::new();
    for (path, subtree) in access::visible_roots(actor) {
        if subtree {
            out.extend(tx.list_organisations(&path).await?);
        } else if let Some(g) = actor.grants.iter().find(|g| g.org_path == path) {
            out.extend(tx.get_organisation(&g.org_id).await?);
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// One organisation, if the actor may see it.
pub async fn get_organisation(
    store: &Arc<dyn Store>,
    actor: &Actor,
    id: &str,
) -> AppResult<Organisation> {
    let mut tx = store.read().await?;
    let org = tx
        .get_organisation(id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
    access::authorize(actor, Permission::ViewOrganisation, Scope::Org(&org.path))
        .map_err(|_| Problem::not_found("机构", "Organisation"))?;
    Ok(org)
}

/// Public figures for the home page: regions, organisations, ledger entries.
pub async fn public_stats(store: &Arc<dyn Store>) -> AppResult<(usize, usize, i64)> {
    let mut tx = store.read().await?;
    let regions = tx.list_regions().await?.len();
    let orgs = tx.list_organisations("").await?.len();
    let (entries, _) = tx.ledger_head().await?;
    Ok((regions, orgs, entries))
}

pub async fn list_regions(store: &Arc<dyn Store>) -> AppResult<Vec<Region>> {
    Ok(store.read().await?.list_regions().await?)
}

/// Regions and organisations in the capability registry.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "organisations",
    covered: yiwang_store::organisations::ORGANISATION_TABLES,
    covered_rows: Some(covered_rows),
    ..crate::registry::Capability::EMPTY
};

fn covered_rows<'a>(
    tx: &'a mut dyn ReadTx,
    out: &'a mut Vec<crate::registry::CoveredRow>,
) -> crate::registry::BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        for r in tx.list_regions().await? {
            out.push((Region::TABLE, r.code.clone(), r.digest()));
        }
        for o in tx.list_organisations("").await? {
            out.push((Organisation::TABLE, o.id.clone(), o.digest()));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_region_table_parses() {
        let regions = parse_regions(REGIONS_CSV).unwrap();
        assert!(regions.iter().any(|r| r.name == "宿迁市"));
        assert!(regions.len() >= 29);
    }

    #[test]
    fn malformed_region_rows_are_rejected_with_their_line() {
        let e = parse_regions("code,name,parent_code,level\n15010,x,,county\n").unwrap_err();
        assert_eq!(e.code, "region_code.format");
        let e = parse_regions("code,name,parent_code,level\n150100,x,,planet\n").unwrap_err();
        assert!(e.message.contains("第2行"));
    }
}
