//! 认领: where a base item may be claimed into. An item is claimed by an organisation that
//! implements it **below** the level of the organisation that published the base item (a city or
//! county department claims a province's item; a department of the same level does not), within
//! that organisation's region, and only by organisations that implement services at all
//! (governments, departments, service centres, local stations) — never a regulator's office, a
//! trading centre, an expert authority or an enterprise.

use crate::Problem;
use crate::access::{OrgKind, parent_path, path_within};
use crate::ids::{RegionCode, RegionLevel};

/// What the rule needs to know of an organisation.
#[derive(Debug, Clone, Copy)]
pub struct OrgFacts<'a> {
    pub id: &'a str,
    /// Materialised tree path (`/root/…/self/`).
    pub path: &'a str,
    pub kind: OrgKind,
    /// GB/T 2260 code of its region.
    pub region_code: &'a str,
}

/// How far from the top an organisation works: 0 province, 1 prefecture, 2 county, 3 township
/// (local stations sit in a county's region but serve below it).
pub fn administrative_rank(kind: OrgKind, region_code: &str) -> Option<u8> {
    if kind == OrgKind::Station {
        return Some(3);
    }
    Some(match RegionCode::parse(region_code).ok()?.level() {
        RegionLevel::Province => 0,
        RegionLevel::Prefecture => 1,
        RegionLevel::County => 2,
    })
}

/// Whether organisations of this kind implement service items.
pub fn implements_items(kind: OrgKind) -> bool {
    matches!(
        kind,
        OrgKind::Government | OrgKind::Department | OrgKind::ServiceCentre | OrgKind::Station
    )
}

fn scope_error() -> Problem {
    Problem::invalid(
        "catalog.claim_scope",
        "只能由基本目录所在地区内、层级更低的实施机构认领",
        "Only an implementing organisation below the base item's level, within its region, may claim it",
    )
}

/// May `target` claim the item published by `base`?
pub fn check_claim_target(base: OrgFacts<'_>, target: OrgFacts<'_>) -> Result<(), Problem> {
    if !implements_items(target.kind) {
        return Err(Problem::invalid(
            "catalog.claim_org_kind",
            "该机构不实施政务服务事项,不能认领",
            "This organisation does not implement service items and cannot claim one",
        ));
    }
    let region = parent_path(base.path);
    if target.id == base.id || target.path == region || !path_within(target.path, &region) {
        return Err(scope_error());
    }
    match (
        administrative_rank(base.kind, base.region_code),
        administrative_rank(target.kind, target.region_code),
    ) {
        (Some(b), Some(t)) if t > b => Ok(()),
        _ => Err(scope_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org<'a>(id: &'a str, path: &'a str, kind: OrgKind, region: &'a str) -> OrgFacts<'a> {
        OrgFacts {
            id,
            path,
            kind,
            region_code: region,
        }
    }

    const PROV_DEPT: OrgFacts<'static> = OrgFacts {
        id: "psc",
        path: "/js/psc/",
        kind: OrgKind::Department,
        region_code: "320000",
    };

    #[test]
    fn lower_implementers_in_the_region_may_claim() {
        for t in [
            org("sq-sc", "/js/sq/sq-sc/", OrgKind::Department, "321300"),
            org("sy-sc", "/js/sq/sy/sy-sc/", OrgKind::Department, "321322"),
            org(
                "sq-c",
                "/js/sq/sq-centre/",
                OrgKind::ServiceCentre,
                "321300",
            ),
            org("st", "/js/sq/sy/st/", OrgKind::Station, "321322"),
            org("sy", "/js/sq/sy/", OrgKind::Government, "321322"),
        ] {
            assert!(check_claim_target(PROV_DEPT, t).is_ok(), "{t:?}");
        }
    }

    #[test]
    fn same_level_other_kinds_and_outsiders_may_not() {
        let cases = [
            // A sibling department of the same level.
            (
                org("pfood", "/js/pfood/", OrgKind::Department, "320000"),
                "catalog.claim_scope",
            ),
            // The base organisation itself and the region's government.
            (PROV_DEPT, "catalog.claim_scope"),
            (
                org("js", "/js/", OrgKind::Government, "320000"),
                "catalog.claim_scope",
            ),
            // A regulator's office, a trading centre, an enterprise — even below.
            (
                org("gg", "/js/sq/gg/", OrgKind::Regulator, "321300"),
                "catalog.claim_org_kind",
            ),
            (
                org("tc", "/js/sq/tc/", OrgKind::TradingCentre, "321300"),
                "catalog.claim_org_kind",
            ),
            (
                org("e", "/js/sq/e/", OrgKind::Enterprise, "321300"),
                "catalog.claim_org_kind",
            ),
            // Another province's department.
            (
                org("zj", "/zj/zj-sc/", OrgKind::Department, "330100"),
                "catalog.claim_scope",
            ),
        ];
        for (t, code) in cases {
            let e = check_claim_target(PROV_DEPT, t).unwrap_err();
            assert_eq!(e.code, code, "{t:?}");
        }
        // A county department may not claim a city item of another city's county level either:
        // equal county rank is refused.
        let city_county = org("a", "/js/sq/sy/a/", OrgKind::Department, "321322");
        let sibling = org("b", "/js/sq/sy/b/", OrgKind::Department, "321322");
        assert!(check_claim_target(city_county, sibling).is_err());
        let station = org("s", "/js/sq/sy/s/", OrgKind::Station, "321322");
        assert!(check_claim_target(city_county, station).is_ok());
    }
}
