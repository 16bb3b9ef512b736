//! The releases validated against the OCDS 1.1.5 release schema by the validator shared with the
//! app and web tests (`crates/testkit/src/ocds.rs`, included here by path so that `core` needs no
//! dependency on the test kit).

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;

use super::*;

#[path = "../../../../testkit/src/ocds.rs"]
#[allow(dead_code)]
mod schema;

use schema::{PACKAGE_SCHEMA, RELEASE_SCHEMA};

struct Validator(schema::Validator);

impl Validator {
    fn new(_release_schema: &str) -> Self {
        Validator(schema::Validator::new())
    }

    fn check(&self, inst: &Value) -> Vec<String> {
        self.0.release(inst)
    }

    fn has_code(&self, list: &str, code: &str) -> bool {
        self.0.has_code(list, code)
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn cfg() -> OcdsConfig {
    OcdsConfig::new("ocds-yw0001").unwrap()
}

fn org(name: &str, code: &str) -> PartyRef {
    PartyRef::Legal {
        name: name.into(),
        credit_code: CreditCode::parse(code).unwrap(),
    }
}

fn code() -> TransactionCode {
    TransactionCode::new(
        TradeField::Construction,
        1,
        &CreditCode::parse("123100007847653857").unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        7,
    )
    .unwrap()
}

fn tender(state: SectionState) -> OcdsTender {
    OcdsTender {
        transaction_code: code(),
        title: "某市第一中学教学楼新建工程施工".into(),
        description: Some("教学楼一栋，建筑面积12000平方米".into()),
        field: TradeField::Construction,
        method: TradeMethod::OpenTender,
        category: Some(ProcurementCategory::Works),
        award_method: Some(AwardMethod::Comprehensive),
        state,
        tenderee: org("某市教育局", "123100007847653857"),
        agency: Some(org("某招标代理有限公司", "91350100M000100Y43")),
        value: Some(Decimal::new(123_456_789, 2)),
        documents_from: t("2026-03-02T01:00:00Z"),
        bid_deadline: t("2026-03-23T01:30:00Z"),
        tenderers: vec![
            org("甲建设有限公司", "91350100M000100Y43"),
            PartyRef::Natural {
                opaque_id: "p-7f3a".into(),
            },
        ],
        documents: vec![OcdsDocument {
            id: "doc-1".into(),
            document_type: "tenderNotice".into(),
            title: "招标公告".into(),
            url: "https://yiwang.example.cn/trading/notices/1".into(),
            date_published: t("2026-03-02T01:00:00Z"),
        }],
    }
}

fn award() -> OcdsAward {
    OcdsAward {
        id: "award-1".into(),
        title: "中标结果".into(),
        status: AwardStatus::Active,
        date: t("2026-04-10T02:00:00Z"),
        value: Decimal::new(118_000_000, 2),
        suppliers: vec![org("甲建设有限公司", "91350100M000100Y43")],
    }
}

fn contract() -> OcdsContract {
    OcdsContract {
        id: "contract-1".into(),
        title: "施工合同".into(),
        status: ContractStatus::Active,
        date_signed: Some(t("2026-04-20T02:00:00Z")),
        value: Decimal::new(118_000_000, 2),
        period: Some((t("2026-05-01T00:00:00Z"), t("2027-05-01T00:00:00Z"))),
    }
}

fn assert_valid(v: &Value) {
    let errs = Validator::new(RELEASE_SCHEMA).check(v);
    assert!(errs.is_empty(), "{errs:#?}\n{v:#}");
}

#[test]
fn the_validator_catches_errors() {
    let val = Validator::new(RELEASE_SCHEMA);
    let mut r = build_release(
        &cfg(),
        ReleaseKind::Tender,
        t("2026-03-02T01:00:00Z"),
        &tender(SectionState::Tendering),
        None,
        None,
    )
    .unwrap();
    r["tender"]["procurementMethod"] = json!("auction");
    r["tag"] = json!(["bidding"]);
    r["date"] = json!("yesterday");
    r["tender"]["surprise"] = json!(1);
    r.as_object_mut().unwrap().remove("initiationType");
    let errs = val.check(&r);
    assert_eq!(errs.len(), 7, "{errs:#?}");
    let errs = errs.join("\n");
    assert!(errs.contains("missing required \"initiationType\""));
    assert!(errs.contains("undeclared property surprise"));
    assert!(errs.contains("not a date-time"));
}

#[test]
fn a_tender_release_validates_and_keeps_bidders_secret() {
    let r = build_release(
        &cfg(),
        ReleaseKind::Tender,
        t("2026-03-02T01:00:00Z"),
        &tender(SectionState::Tendering),
        None,
        None,
    )
    .unwrap();
    assert_valid(&r);
    assert_eq!(r["ocid"], json!(format!("ocds-yw0001-{}", code())));
    assert_eq!(r["tag"], json!(["tender"]));
    assert_eq!(r["tender"]["status"], json!("active"));
    assert_eq!(r["tender"]["procurementMethod"], json!("open"));
    assert_eq!(r["tender"]["mainProcurementCategory"], json!("works"));
    assert_eq!(r["tender"]["awardCriteria"], json!("ratedCriteria"));
    assert_eq!(
        r["tender"]["value"],
        json!({"amount": 1234567.89, "currency": "CNY"})
    );
    assert_eq!(
        r["tender"]["procuringEntity"]["name"],
        json!("某招标代理有限公司")
    );
    assert_eq!(r["buyer"]["id"], json!("CN-USCC-123100007847653857"));
    // Before the opening nobody learns who bid.
    assert!(r["tender"].get("tenderers").is_none());
    assert!(!r.to_string().contains("甲建设有限公司"));
}

#[test]
fn award_and_contract_releases_validate() {
    let tn = tender(SectionState::Contracted);
    for (kind, a, c) in [
        (ReleaseKind::Award, Some(award()), None),
        (ReleaseKind::AwardCancellation, Some(award()), None),
        (ReleaseKind::Contract, Some(award()), Some(contract())),
    ] {
        let r = build_release(
            &cfg(),
            kind,
            t("2026-04-20T02:00:00Z"),
            &tn,
            a.as_ref(),
            c.as_ref(),
        )
        .unwrap();
        assert_valid(&r);
        assert_eq!(r["tag"], json!([kind.as_str()]));
        assert_eq!(
            r["awards"][0]["suppliers"][0]["id"],
            json!("CN-USCC-91350100M000100Y43")
        );
    }
    let r = build_release(
        &cfg(),
        ReleaseKind::Contract,
        t("2026-04-20T02:00:00Z"),
        &tn,
        Some(&award()),
        Some(&contract()),
    )
    .unwrap();
    assert_eq!(r["contracts"][0]["awardID"], json!("award-1"));
    assert_eq!(r["tender"]["status"], json!("complete"));
    assert_eq!(r["tender"]["numberOfTenderers"], json!(2));
    // One party per organisation, roles merged.
    let parties = r["parties"].as_array().unwrap();
    let winner = parties
        .iter()
        .find(|p| p["id"] == json!("CN-USCC-91350100M000100Y43"))
        .unwrap();
    assert_eq!(
        winner["roles"],
        json!(["procuringEntity", "tenderer", "supplier"])
    );
    let cancelled = build_release(
        &cfg(),
        ReleaseKind::AwardCancellation,
        t("2026-04-20T02:00:00Z"),
        &tn,
        Some(&award()),
        None,
    )
    .unwrap();
    assert_eq!(cancelled["awards"][0]["status"], json!("cancelled"));
    assert_eq!(
        build_release(
            &cfg(),
            ReleaseKind::Contract,
            t("2026-04-20T02:00:00Z"),
            &tn,
            Some(&award()),
            None
        )
        .unwrap_err()
        .code,
        "trading.ocds.missing"
    );
    assert!(
        build_release(
            &cfg(),
            ReleaseKind::Award,
            t("2026-04-20T02:00:00Z"),
            &tn,
            None,
            None
        )
        .is_err()
    );
}

#[test]
fn a_cancellation_says_cancelled_and_land_has_no_buyer() {
    let r = build_release(
        &cfg(),
        ReleaseKind::TenderCancellation,
        t("2026-03-05T01:00:00Z"),
        &tender(SectionState::Tendering),
        None,
        None,
    )
    .unwrap();
    assert_valid(&r);
    assert_eq!(r["tender"]["status"], json!("cancelled"));
    let mut land = tender(SectionState::Awarded);
    land.field = TradeField::LandUseRight;
    land.method = TradeMethod::Listing;
    land.category = None;
    land.award_method = Some(AwardMethod::HighestPrice);
    let r = build_release(
        &cfg(),
        ReleaseKind::Award,
        t("2026-04-20T02:00:00Z"),
        &land,
        Some(&award()),
        None,
    )
    .unwrap();
    assert_valid(&r);
    assert!(r.get("buyer").is_none());
    assert!(r["tender"].get("mainProcurementCategory").is_none());
    assert_eq!(r["tender"]["awardCriteria"], json!("priceOnly"));
}

#[test]
fn natural_persons_appear_without_personal_data() {
    let r = build_release(
        &cfg(),
        ReleaseKind::Tender,
        t("2026-03-24T01:00:00Z"),
        &tender(SectionState::Opened),
        None,
        None,
    )
    .unwrap();
    assert_valid(&r);
    let person = r["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!("person-p-7f3a"))
        .unwrap();
    assert_eq!(person["name"], json!("自然人"));
    assert!(person.get("identifier").is_none());
    let text = r.to_string();
    assert!(!text.contains("contactPoint"));
    assert!(!text.contains("address"));
}

#[test]
fn every_enum_maps_into_its_codelist() {
    let v = Validator::new(RELEASE_SCHEMA);
    let has = |list: &str, code: &str| v.has_code(list, code);
    for m in TradeMethod::ALL {
        assert!(has("method.csv", m.ocds_method()), "{m}");
    }
    for c in ProcurementCategory::ALL {
        assert!(has("procurementCategory.csv", c.ocds_category()), "{c}");
    }
    for s in SectionState::ALL {
        assert!(has("tenderStatus.csv", s.ocds_tender_status()), "{s}");
    }
    for a in AwardMethod::ALL {
        assert!(has("awardCriteria.csv", a.ocds_award_criteria()), "{a}");
    }
    for k in ReleaseKind::ALL {
        assert!(has("releaseTag.csv", k.as_str()), "{k}");
    }
    for s in AwardStatus::ALL {
        assert!(has("awardStatus.csv", s.as_str()), "{s}");
    }
    for s in ContractStatus::ALL {
        assert!(has("contractStatus.csv", s.as_str()), "{s}");
    }
    assert!(has("currency.csv", "CNY"));
}

#[test]
fn lifecycle_events_map_to_release_kinds() {
    use crate::trading::lifecycle::SectionEvent as E;
    assert_eq!(
        ReleaseKind::for_event(E::Announce),
        Some(ReleaseKind::Tender)
    );
    assert_eq!(
        ReleaseKind::for_event(E::Cancel),
        Some(ReleaseKind::TenderCancellation)
    );
    assert_eq!(
        ReleaseKind::for_event(E::FileContract),
        Some(ReleaseKind::Contract)
    );
    assert_eq!(ReleaseKind::for_event(E::Suspend), None);
    // Every event that publishes an award-stage release happens once there is something to award.
    for e in crate::trading::lifecycle::SectionEvent::ALL {
        if let Some(k) = ReleaseKind::for_event(*e) {
            let tn = tender(SectionState::Awarded);
            assert!(
                build_release(
                    &cfg(),
                    k,
                    t("2026-04-20T02:00:00Z"),
                    &tn,
                    Some(&award()),
                    Some(&contract())
                )
                .is_ok(),
                "{e}"
            );
        }
    }
}

#[test]
fn ocid_prefixes_are_checked() {
    assert!(OcdsConfig::new("ocds-abc123").is_ok());
    for bad in [
        "",
        "ocds-",
        "ocds-ABC123",
        "abcd-abc123",
        "ocds-abc1234",
        "ocds-abc12",
    ] {
        assert_eq!(
            OcdsConfig::new(bad).unwrap_err().code,
            "trading.ocds.prefix",
            "{bad}"
        );
    }
}

#[test]
fn a_package_has_the_required_fields() {
    let r = build_release(
        &cfg(),
        ReleaseKind::Tender,
        t("2026-03-02T01:00:00Z"),
        &tender(SectionState::Tendering),
        None,
        None,
    )
    .unwrap();
    let p = release_package(
        "https://yiwang.example.cn/api/v1/ocds/releases/1",
        t("2026-03-02T01:00:00Z"),
        "某市公共资源交易中心",
        vec![r],
    );
    let schema: Value = serde_json::from_str(PACKAGE_SCHEMA).unwrap();
    for req in schema["required"].as_array().unwrap() {
        assert!(p.get(req.as_str().unwrap()).is_some(), "{req}");
    }
    for k in p.as_object().unwrap().keys() {
        assert!(schema["properties"].get(k).is_some(), "{k}");
    }
    assert_eq!(p["version"], json!("1.1"));
    assert_valid(&p["releases"][0]);
}

fn any_tender() -> impl Strategy<Value = (OcdsTender, ReleaseKind)> {
    (
        0..TradeField::ALL.len(),
        0..8usize,
        0..SectionState::ALL.len(),
        0..4usize,
        0..ReleaseKind::ALL.len(),
        any::<bool>(),
        0i64..10_000_000_000,
    )
        .prop_map(|(f, m, s, c, k, agency, cents)| {
            let field = TradeField::ALL[f];
            let methods = field.allowed_methods();
            let mut tn = tender(SectionState::ALL[s]);
            tn.field = field;
            tn.method = methods[m % methods.len()];
            tn.category = ProcurementCategory::ALL.get(c).copied();
            if !agency {
                tn.agency = None;
            }
            tn.value = Some(Decimal::new(cents, 2));
            (tn, ReleaseKind::ALL[k])
        })
}

proptest! {
    #[test]
    fn every_release_the_builder_makes_validates((tn, kind) in any_tender(), secs in 0i64..100_000_000) {
        let date = t("2026-01-01T00:00:00Z") + TimeDelta::seconds(secs);
        let r = build_release(&cfg(), kind, date, &tn, Some(&award()), Some(&contract())).unwrap();
        let errs = Validator::new(RELEASE_SCHEMA).check(&r);
        prop_assert!(errs.is_empty(), "{:?}", errs);
        // Amounts survive the trip through a JSON number exactly.
        let amount = r["tender"]["value"]["amount"].as_f64().unwrap();
        prop_assert_eq!(format!("{:.2}", amount).parse::<Decimal>().unwrap(), tn.value.unwrap());
    }
}

#[test]
fn a_record_compiles_the_latest_value_of_every_field_and_validates() {
    let early = build_release(
        &cfg(),
        ReleaseKind::Tender,
        t("2026-03-02T01:00:00Z"),
        &tender(SectionState::Tendering),
        None,
        None,
    )
    .unwrap();
    let late = build_release(
        &cfg(),
        ReleaseKind::TenderUpdate,
        t("2026-03-23T01:30:00Z"),
        &tender(SectionState::Opened),
        None,
        None,
    )
    .unwrap();
    // Given out of order: the merge sorts by date.
    let record = build_record(&cfg().ocid(&code()), vec![late.clone(), early.clone()]);
    let c = &record["compiledRelease"];
    assert_eq!(c["tag"], json!(["compiled"]));
    assert_eq!(c["date"], late["date"]);
    assert_eq!(c["tender"]["status"], json!("active"));
    assert_eq!(c["tender"]["numberOfTenderers"], json!(2));
    // Parties merge by id: the procuring entity of both and the tenderers of the later one.
    let ids: BTreeSet<&str> = c["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), late["parties"].as_array().unwrap().len());
    assert_valid(c);
    let pkg = record_package(
        "https://yiwang.example.cn/api/v1/ocds/records/x",
        t("2026-03-23T01:30:00Z"),
        "某市公共资源交易中心",
        vec![record],
    );
    let errs = schema::Validator::new().record_package(&pkg);
    assert!(errs.is_empty(), "{errs:#?}");
    // A null in a later release removes the field.
    let mut clear = late.clone();
    clear["tender"]["description"] = Value::Null;
    let c = compile_release(&[early, clear]).unwrap();
    assert!(c["tender"].get("description").is_none());
    assert!(compile_release(&[]).is_none());
}
