//! The releases validated against the OCDS 1.1.5 release schema by a small validator written for
//! the JSON Schema (draft 4) keywords that schema uses, plus codelist membership read from the
//! codelist CSVs. No JSON Schema crate is in the workspace; this covers `$ref`, `type`, `required`,
//! `properties`, `items`, `enum`, `minItems`, `minLength`, `uniqueItems`, `format` (date-time, uri)
//! and OCDS's `codelist`. It is stricter than the schema in three ways: a property the schema does
//! not declare is an error (the schema would let it through), a deprecated property is an error,
//! and open codelists are checked as if closed (we only use standard codes).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;

use super::*;

const RELEASE_SCHEMA: &str = include_str!("../../../data/ocds/release-schema.json");
const PACKAGE_SCHEMA: &str = include_str!("../../../data/ocds/release-package-schema.json");
const CODELISTS: &[(&str, &str)] = &[
    (
        "method.csv",
        include_str!("../../../data/ocds/codelists/method.csv"),
    ),
    (
        "procurementCategory.csv",
        include_str!("../../../data/ocds/codelists/procurementCategory.csv"),
    ),
    (
        "releaseTag.csv",
        include_str!("../../../data/ocds/codelists/releaseTag.csv"),
    ),
    (
        "tenderStatus.csv",
        include_str!("../../../data/ocds/codelists/tenderStatus.csv"),
    ),
    (
        "awardStatus.csv",
        include_str!("../../../data/ocds/codelists/awardStatus.csv"),
    ),
    (
        "contractStatus.csv",
        include_str!("../../../data/ocds/codelists/contractStatus.csv"),
    ),
    (
        "partyRole.csv",
        include_str!("../../../data/ocds/codelists/partyRole.csv"),
    ),
    (
        "currency.csv",
        include_str!("../../../data/ocds/codelists/currency.csv"),
    ),
    (
        "initiationType.csv",
        include_str!("../../../data/ocds/codelists/initiationType.csv"),
    ),
    (
        "documentType.csv",
        include_str!("../../../data/ocds/codelists/documentType.csv"),
    ),
    (
        "awardCriteria.csv",
        include_str!("../../../data/ocds/codelists/awardCriteria.csv"),
    ),
    (
        "submissionMethod.csv",
        include_str!("../../../data/ocds/codelists/submissionMethod.csv"),
    ),
];

fn codes(csv_text: &str) -> BTreeSet<String> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "Code")
        .expect("a Code column");
    r.records()
        .map(|rec| rec.unwrap()[col].to_string())
        .collect()
}

struct Validator {
    root: Value,
    codelists: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Validator {
    fn new(schema: &str) -> Self {
        Validator {
            root: serde_json::from_str(schema).unwrap(),
            codelists: CODELISTS.iter().map(|(n, t)| (*n, codes(t))).collect(),
        }
    }

    fn check(&self, inst: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.validate(&self.root, inst, "$", &mut errs);
        errs
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/definitions/").expect("local $ref");
                &self.root["definitions"][name]
            }
            None => schema,
        }
    }

    fn type_ok(t: &str, v: &Value) -> bool {
        match t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            other => panic!("unknown type {other}"),
        }
    }

    fn codelist_check(&self, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
        let Some(list) = schema.get("codelist").and_then(Value::as_str) else {
            return;
        };
        let Some(known) = self.codelists.get(list) else {
            errs.push(format!(
                "{path}: codelist {list} is not shipped with the tests"
            ));
            return;
        };
        let values: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for x in values {
            if let Some(s) = x.as_str()
                && !known.contains(s)
            {
                errs.push(format!("{path}: {s:?} is not in codelist {list}"));
            }
        }
    }

    fn validate(&self, schema: &Value, inst: &Value, path: &str, errs: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if schema.get("deprecated").is_some() {
            errs.push(format!("{path}: deprecated property used"));
        }
        match schema.get("type") {
            Some(Value::String(t)) if !Self::type_ok(t, inst) => {
                errs.push(format!("{path}: expected {t}, found {inst}"));
                return;
            }
            Some(Value::Array(ts))
                if !ts.iter().any(|t| Self::type_ok(t.as_str().unwrap(), inst)) =>
            {
                errs.push(format!("{path}: expected one of {ts:?}, found {inst}"));
                return;
            }
            _ => {}
        }
        if let Some(Value::Array(allowed)) = schema.get("enum")
            && !allowed.contains(inst)
        {
            errs.push(format!("{path}: {inst} not in enum"));
        }
        self.codelist_check(schema, inst, path, errs);
        match inst {
            Value::Object(o) => {
                if let Some(Value::Array(req)) = schema.get("required") {
                    for r in req {
                        if !o.contains_key(r.as_str().unwrap()) {
                            errs.push(format!("{path}: missing required {r}"));
                        }
                    }
                }
                let props = schema.get("properties").and_then(Value::as_object);
                for (k, v) in o {
                    match props.and_then(|p| p.get(k)) {
                        Some(s) => self.validate(s, v, &format!("{path}.{k}"), errs),
                        None => errs.push(format!("{path}: undeclared property {k}")),
                    }
                }
            }
            Value::Array(a) => {
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                    && (a.len() as u64) < min
                {
                    errs.push(format!("{path}: fewer than {min} items"));
                }
                if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                    let set: BTreeSet<String> = a.iter().map(Value::to_string).collect();
                    if set.len() != a.len() {
                        errs.push(format!("{path}: items are not unique"));
                    }
                }
                if let Some(items) = schema.get("items") {
                    for (i, v) in a.iter().enumerate() {
                        self.validate(items, v, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            Value::String(s) => {
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                    && (s.chars().count() as u64) < min
                {
                    errs.push(format!("{path}: shorter than {min}"));
                }
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") if DateTime::parse_from_rfc3339(s).is_err() => {
                        errs.push(format!("{path}: {s:?} is not a date-time"));
                    }
                    Some("uri") if !(s.starts_with("https://") || s.starts_with("http://")) => {
                        errs.push(format!("{path}: {s:?} is not an absolute URI"));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
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
    let has = |list: &str, code: &str| v.codelists[list].contains(code);
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
