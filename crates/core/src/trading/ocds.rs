//! OCDS 1.1.5 (Open Contracting Data Standard) releases for the tender, award and contract stages,
//! built from plain inputs (DOMAIN §2.5 "Publication"). Pure: the caller passes every instant and
//! value; the result is a `serde_json::Value` the web layer serves and packages.
//!
//! Mapping choices (documented because OCDS is written for procurement):
//! - `ocid` = `<prefix>-<统一交易标识码>`: one contracting process per section, the section being
//!   what is traded on its own (DOMAIN §2.1). The prefix is configuration ([`OcdsConfig`]).
//! - Organisations are identified by their 统一社会信用代码 under the scheme [`CREDIT_CODE_SCHEME`].
//! - **No personal data**: a natural person (e.g. the buyer of a land plot) appears only as
//!   "自然人" with an opaque id the platform chose; no name, ID number, contact point or address is
//!   ever written. Legal persons carry name and credit code only — no contact point either, since
//!   a contact person is personal data too.
//! - `procurementMethod`: 公开招标, 拍卖, 挂牌 → `open` (any qualified party may bid); 邀请招标,
//!   竞争性谈判, 竞争性磋商, 询价 → `limited` (the buyer chooses or short-lists whom to ask);
//!   单一来源 → `direct`. The Chinese method is kept in `procurementMethodDetails`.
//! - For 土地, 矿业权 and 国有产权 the tenderee is the seller, so it is the `procuringEntity` but not
//!   the `buyer`, and there is no `mainProcurementCategory` unless one is given.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::code::TransactionCode;
use super::fields::{AwardMethod, ProcurementCategory, TradeField, TradeMethod};
use super::lifecycle::{SectionEvent, SectionState};
use crate::Problem;
use crate::enums::string_enum;
use crate::ids::CreditCode;

/// The OCDS version the releases declare (`version` of a package; the release schema is 1.1.5).
pub const OCDS_VERSION: &str = "1.1";

/// Identifier scheme for the 统一社会信用代码 (GB 32100), as org-id.guide lists it.
pub const CREDIT_CODE_SCHEME: &str = "CN-USCC";

/// Publication settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcdsConfig {
    /// The registered ocid prefix, e.g. `ocds-abc123`.
    ocid_prefix: String,
}

impl OcdsConfig {
    /// A prefix is `ocds-` followed by 6 lower-case letters or digits, as the OCDS registry issues
    /// them; anything else would make ocids collide with other publishers'.
    pub fn new(ocid_prefix: &str) -> Result<Self, Problem> {
        let p = ocid_prefix.trim();
        let ok = p.len() == 11
            && p.starts_with("ocds-")
            && p[5..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !ok {
            return Err(Problem::invalid(
                "trading.ocds.prefix",
                format!("OCID前缀“{p}”无效，应为ocds-加6位小写字母或数字。"),
                format!(
                    "Invalid ocid prefix {p:?}: expected ocds- followed by 6 lower-case letters or digits."
                ),
            ));
        }
        Ok(OcdsConfig {
            ocid_prefix: p.to_string(),
        })
    }

    pub fn ocid_prefix(&self) -> &str {
        &self.ocid_prefix
    }

    pub fn ocid(&self, code: &TransactionCode) -> String {
        format!("{}-{}", self.ocid_prefix, code.as_str())
    }
}

/// A party as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartyRef {
    /// 法人或其他组织: name and credit code are public.
    Legal {
        name: String,
        credit_code: CreditCode,
    },
    /// 自然人: only an opaque id the platform chose (never derived from the ID number).
    Natural { opaque_id: String },
}

impl PartyRef {
    fn id(&self) -> String {
        match self {
            PartyRef::Legal { credit_code, .. } => {
                format!("{CREDIT_CODE_SCHEME}-{}", credit_code.as_str())
            }
            PartyRef::Natural { opaque_id } => format!("person-{opaque_id}"),
        }
    }

    fn name(&self) -> &str {
        match self {
            PartyRef::Legal { name, .. } => name,
            PartyRef::Natural { .. } => "自然人",
        }
    }

    fn reference(&self) -> Value {
        json!({ "id": self.id(), "name": self.name() })
    }
}

impl TradeMethod {
    /// OCDS `procurementMethod` (closed codelist `method`).
    pub fn ocds_method(self) -> &'static str {
        use TradeMethod as M;
        match self {
            M::OpenTender | M::Auction | M::Listing => "open",
            M::InvitedTender
            | M::CompetitiveNegotiation
            | M::CompetitiveConsultation
            | M::RequestForQuotation => "limited",
            M::SingleSource => "direct",
        }
    }
}

impl ProcurementCategory {
    /// OCDS `mainProcurementCategory` (closed codelist `procurementCategory`).
    pub fn ocds_category(self) -> &'static str {
        match self {
            ProcurementCategory::Works => "works",
            ProcurementCategory::Goods => "goods",
            ProcurementCategory::Services => "services",
        }
    }
}

impl AwardMethod {
    /// OCDS `awardCriteria` (codelist `awardCriteria`): 综合评估法 → `ratedCriteria`; 经评审的最低投标价法
    /// (price adjusted by evaluated factors) → `lowestCost`; 价高者得 → `priceOnly`.
    pub fn ocds_award_criteria(self) -> &'static str {
        match self {
            AwardMethod::Comprehensive => "ratedCriteria",
            AwardMethod::LowestEvaluatedPrice => "lowestCost",
            AwardMethod::HighestPrice => "priceOnly",
        }
    }
}

impl SectionState {
    /// OCDS `tender.status` (closed codelist `tenderStatus`). A suspension is not a code of its
    /// own in OCDS 1.1: the process is still `active`.
    pub fn ocds_tender_status(self) -> &'static str {
        use SectionState as S;
        match self {
            S::Registered => "planned",
            S::Announced
            | S::Tendering
            | S::Opened
            | S::Evaluating
            | S::CandidatesPublished
            | S::Suspended => "active",
            S::Awarded | S::Contracted | S::Archived => "complete",
            S::Failed => "unsuccessful",
            S::Cancelled => "cancelled",
        }
    }
}

string_enum! {
    /// The kind of release; its stored text is the OCDS release tag.
    ReleaseKind {
        Tender = "tender", "招标公告", "Tender";
        TenderAmendment = "tenderAmendment", "澄清或修改", "Tender amendment";
        TenderUpdate = "tenderUpdate", "招标信息更新", "Tender update";
        TenderCancellation = "tenderCancellation", "终止公告", "Tender cancellation";
        Award = "award", "中标结果", "Award";
        AwardCancellation = "awardCancellation", "中标结果撤销", "Award cancellation";
        Contract = "contract", "合同", "Contract";
    }
}

impl ReleaseKind {
    /// The release a lifecycle event publishes, if any: the notice → `tender`; the opening (the
    /// bidders become public) and a failure (`unsuccessful`) → `tenderUpdate`; a cancellation →
    /// `tenderCancellation`; the candidates (a `pending` award) and the award → `award`; the
    /// contract filing → `contract`. A clarification is not a lifecycle event; it publishes a
    /// `tenderAmendment`. Suspension and resumption publish nothing (OCDS 1.1 has no status for
    /// them), nor do internal steps (documents issued, evaluation started, archiving).
    pub fn for_event(event: SectionEvent) -> Option<ReleaseKind> {
        use SectionEvent as E;
        match event {
            E::Announce => Some(ReleaseKind::Tender),
            E::Open | E::Fail | E::Retender => Some(ReleaseKind::TenderUpdate),
            E::Cancel => Some(ReleaseKind::TenderCancellation),
            E::PublishCandidates | E::Award => Some(ReleaseKind::Award),
            E::Reevaluate => Some(ReleaseKind::AwardCancellation),
            E::FileContract => Some(ReleaseKind::Contract),
            E::IssueDocuments | E::StartEvaluation | E::Archive | E::Suspend | E::Resume => None,
        }
    }
}

string_enum! {
    /// OCDS award status (closed codelist `awardStatus`).
    AwardStatus {
        /// 中标候选人公示中: proposed, not yet in force.
        Pending = "pending", "公示中", "Pending";
        /// 已中标
        Active = "active", "已中标", "Active";
        Cancelled = "cancelled", "已撤销", "Cancelled";
        Unsuccessful = "unsuccessful", "未成交", "Unsuccessful";
    }
}

string_enum! {
    /// OCDS contract status (closed codelist `contractStatus`).
    ContractStatus {
        Pending = "pending", "待签订", "Pending";
        /// 已签订并备案
        Active = "active", "履行中", "Active";
        Cancelled = "cancelled", "签订前取消", "Cancelled";
        Terminated = "terminated", "已终止", "Terminated";
    }
}

/// A published document of the section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcdsDocument {
    pub id: String,
    /// A code of the OCDS `documentType` codelist, e.g. `tenderNotice`, `biddingDocuments`.
    pub document_type: String,
    pub title: String,
    pub url: String,
    pub date_published: DateTime<Utc>,
}

/// What the tender stage publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcdsTender {
    pub transaction_code: TransactionCode,
    pub title: String,
    pub description: Option<String>,
    pub field: TradeField,
    pub method: TradeMethod,
    pub category: Option<ProcurementCategory>,
    pub award_method: Option<AwardMethod>,
    pub state: SectionState,
    pub tenderee: PartyRef,
    pub agency: Option<PartyRef>,
    /// 估算价/预算/最高限价, yuan.
    pub value: Option<Decimal>,
    /// 招标文件发出 → 投标截止.
    pub documents_from: DateTime<Utc>,
    pub bid_deadline: DateTime<Utc>,
    /// Bidders whose bids were opened; published only once the section is opened.
    pub tenderers: Vec<PartyRef>,
    pub documents: Vec<OcdsDocument>,
}

/// What the award stage publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcdsAward {
    pub id: String,
    pub title: String,
    pub status: AwardStatus,
    pub date: DateTime<Utc>,
    /// 中标价, yuan.
    pub value: Decimal,
    pub suppliers: Vec<PartyRef>,
}

/// What the contract stage publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcdsContract {
    pub id: String,
    pub title: String,
    pub status: ContractStatus,
    pub date_signed: Option<DateTime<Utc>>,
    pub value: Decimal,
    pub period: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Yuan as a JSON number (OCDS `amount` is a number). Yuan with two decimals have at most 15
/// significant digits below a trillion yuan, so the shortest f64 representation prints the exact
/// decimal.
fn amount(v: Decimal) -> Value {
    json!({
        "amount": v.to_string().parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        "currency": "CNY",
    })
}

fn is_procurement(field: TradeField) -> bool {
    matches!(
        field,
        TradeField::Construction
            | TradeField::GovernmentProcurement
            | TradeField::MedicalSupplies
            | TradeField::Other
    )
}

/// Collects parties with their roles, merging the roles of a party named twice.
#[derive(Default)]
struct Parties {
    order: Vec<String>,
    by_id: BTreeMap<String, (PartyRef, Vec<&'static str>)>,
}

impl Parties {
    fn add(&mut self, p: &PartyRef, role: &'static str) {
        let id = p.id();
        let entry = self.by_id.entry(id.clone()).or_insert_with(|| {
            self.order.push(id);
            (p.clone(), Vec::new())
        });
        if !entry.1.contains(&role) {
            entry.1.push(role);
        }
    }

    fn to_json(&self) -> Value {
        let list = self
            .order
            .iter()
            .map(|id| {
                let (p, roles) = &self.by_id[id];
                let mut o = Map::new();
                o.insert("id".into(), json!(id));
                o.insert("name".into(), json!(p.name()));
                if let PartyRef::Legal { name, credit_code } = p {
                    o.insert(
                        "identifier".into(),
                        json!({
                            "scheme": CREDIT_CODE_SCHEME,
                            "id": credit_code.as_str(),
                            "legalName": name,
                        }),
                    );
                }
                o.insert("roles".into(), json!(roles));
                Value::Object(o)
            })
            .collect();
        Value::Array(list)
    }
}

fn tender_json(t: &OcdsTender, parties: &mut Parties, kind: ReleaseKind) -> Value {
    let procurement = is_procurement(t.field);
    if procurement {
        parties.add(&t.tenderee, "buyer");
    }
    let procuring = t.agency.as_ref().unwrap_or(&t.tenderee);
    parties.add(procuring, "procuringEntity");
    let mut o = Map::new();
    o.insert("id".into(), json!(t.transaction_code.as_str()));
    o.insert("title".into(), json!(t.title));
    if let Some(d) = &t.description {
        o.insert("description".into(), json!(d));
    }
    let status = if kind == ReleaseKind::TenderCancellation {
        "cancelled"
    } else {
        t.state.ocds_tender_status()
    };
    o.insert("status".into(), json!(status));
    o.insert("procuringEntity".into(), procuring.reference());
    if let Some(v) = t.value {
        o.insert("value".into(), amount(v));
    }
    o.insert("procurementMethod".into(), json!(t.method.ocds_method()));
    o.insert(
        "procurementMethodDetails".into(),
        json!(format!("{}（{}）", t.method.label_zh(), t.field.label_zh())),
    );
    if let Some(c) = t.category {
        o.insert("mainProcurementCategory".into(), json!(c.ocds_category()));
    }
    if let Some(a) = t.award_method {
        o.insert("awardCriteria".into(), json!(a.ocds_award_criteria()));
        o.insert("awardCriteriaDetails".into(), json!(a.label_zh()));
    }
    o.insert("submissionMethod".into(), json!(["electronicSubmission"]));
    o.insert(
        "tenderPeriod".into(),
        json!({ "startDate": rfc3339(t.documents_from), "endDate": rfc3339(t.bid_deadline) }),
    );
    // Who bid is secret until the opening (DOMAIN §2.3).
    let opened = !matches!(
        t.state,
        SectionState::Registered | SectionState::Announced | SectionState::Tendering
    );
    if opened && !t.tenderers.is_empty() {
        for b in &t.tenderers {
            parties.add(b, "tenderer");
        }
        o.insert("numberOfTenderers".into(), json!(t.tenderers.len()));
        o.insert(
            "tenderers".into(),
            Value::Array(t.tenderers.iter().map(PartyRef::reference).collect()),
        );
    }
    if !t.documents.is_empty() {
        let docs = t
            .documents
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "documentType": d.document_type,
                    "title": d.title,
                    "url": d.url,
                    "datePublished": rfc3339(d.date_published),
                    "language": "zh",
                })
            })
            .collect();
        o.insert("documents".into(), Value::Array(docs));
    }
    Value::Object(o)
}

fn award_json(a: &OcdsAward, parties: &mut Parties) -> Value {
    for s in &a.suppliers {
        parties.add(s, "supplier");
    }
    json!({
        "id": a.id,
        "title": a.title,
        "status": a.status.as_str(),
        "date": rfc3339(a.date),
        "value": amount(a.value),
        "suppliers": a.suppliers.iter().map(PartyRef::reference).collect::<Vec<_>>(),
    })
}

fn contract_json(c: &OcdsContract, award_id: &str) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(c.id));
    o.insert("awardID".into(), json!(award_id));
    o.insert("title".into(), json!(c.title));
    o.insert("status".into(), json!(c.status.as_str()));
    o.insert("value".into(), amount(c.value));
    if let Some(d) = c.date_signed {
        o.insert("dateSigned".into(), json!(rfc3339(d)));
    }
    if let Some((s, e)) = c.period {
        o.insert(
            "period".into(),
            json!({ "startDate": rfc3339(s), "endDate": rfc3339(e) }),
        );
    }
    Value::Object(o)
}

/// Builds one release. `award` is required for award and contract releases, `contract` for
/// contract releases; the tender section is always included so each release reads on its own.
pub fn build_release(
    cfg: &OcdsConfig,
    kind: ReleaseKind,
    date: DateTime<Utc>,
    tender: &OcdsTender,
    award: Option<&OcdsAward>,
    contract: Option<&OcdsContract>,
) -> Result<Value, Problem> {
    let missing = |what_zh: &str, what_en: &str| {
        Problem::invalid(
            "trading.ocds.missing",
            format!("生成{}发布需要{what_zh}。", kind.label_zh()),
            format!("A {} release needs {what_en}.", kind.as_str()),
        )
    };
    let needs_award = matches!(
        kind,
        ReleaseKind::Award | ReleaseKind::AwardCancellation | ReleaseKind::Contract
    );
    if needs_award && award.is_none() {
        return Err(missing("中标信息", "the award"));
    }
    if kind == ReleaseKind::Contract && contract.is_none() {
        return Err(missing("合同信息", "the contract"));
    }
    let ocid = cfg.ocid(&tender.transaction_code);
    let mut parties = Parties::default();
    let mut r = Map::new();
    r.insert("ocid".into(), json!(ocid));
    r.insert(
        "id".into(),
        json!(format!(
            "{ocid}-{}-{}",
            kind.as_str(),
            date.format("%Y%m%dT%H%M%S%6fZ")
        )),
    );
    r.insert("date".into(), json!(rfc3339(date)));
    r.insert("tag".into(), json!([kind.as_str()]));
    r.insert("initiationType".into(), json!("tender"));
    r.insert("language".into(), json!("zh"));
    let tender_v = tender_json(tender, &mut parties, kind);
    if is_procurement(tender.field) {
        r.insert("buyer".into(), tender.tenderee.reference());
    }
    r.insert("tender".into(), tender_v);
    if let Some(a) = award.filter(|_| needs_award) {
        let mut a = a.clone();
        if kind == ReleaseKind::AwardCancellation {
            a.status = AwardStatus::Cancelled;
        }
        r.insert("awards".into(), json!([award_json(&a, &mut parties)]));
        if let Some(c) = contract.filter(|_| kind == ReleaseKind::Contract) {
            r.insert("contracts".into(), json!([contract_json(c, &a.id)]));
        }
    }
    r.insert("parties".into(), parties.to_json());
    Ok(Value::Object(r))
}

/// A release package around `releases` (OCDS release package schema).
pub fn release_package(
    uri: &str,
    published: DateTime<Utc>,
    publisher_name: &str,
    releases: Vec<Value>,
) -> Value {
    json!({
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": rfc3339(published),
        "publisher": { "name": publisher_name },
        "releases": releases,
    })
}

/// The OCDS merge (1.1 "merging" rules) of one key's releases into its compiled release: the
/// releases are applied in date order (then id); objects merge field by field, an array of
/// objects that all carry an `id` merges item by item on that id, any other value (and a
/// `wholeListMerge` list, which we never publish) is replaced by the later one, and a `null`
/// removes the field. The release's own `id`, `date` and `tag` are not merged: the compiled
/// release has `tag: ["compiled"]`, the date of the latest release and the id `<ocid>-<date>`.
pub fn compile_release(releases: &[Value]) -> Option<Value> {
    let mut sorted: Vec<&Value> = releases.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |v: &Value| {
            (
                v.get("date")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                v.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    let last = sorted.last()?;
    let mut out = Value::Object(Map::new());
    for r in &sorted {
        let Value::Object(o) = r else { continue };
        let mut body = o.clone();
        for omitted in ["id", "date", "tag"] {
            body.remove(omitted);
        }
        merge_into(&mut out, &Value::Object(body));
    }
    let ocid = last.get("ocid").and_then(Value::as_str).unwrap_or("");
    let date = last.get("date").and_then(Value::as_str).unwrap_or("");
    if let Value::Object(o) = &mut out {
        o.insert("id".into(), json!(format!("{ocid}-{date}")));
        o.insert("date".into(), json!(date));
        o.insert("tag".into(), json!(["compiled"]));
    }
    Some(out)
}

fn identified(items: &[Value]) -> bool {
    !items.is_empty()
        && items.iter().all(|i| {
            i.get("id")
                .is_some_and(|id| id.is_string() || id.is_number())
        })
}

fn merge_into(target: &mut Value, new: &Value) {
    match (target, new) {
        (Value::Object(t), Value::Object(n)) => {
            for (k, v) in n {
                if v.is_null() {
                    t.remove(k);
                    continue;
                }
                match t.get_mut(k) {
                    Some(existing) => merge_into(existing, v),
                    None => {
                        let mut fresh = if v.is_object() {
                            Value::Object(Map::new())
                        } else {
                            Value::Null
                        };
                        merge_into(&mut fresh, v);
                        t.insert(k.clone(), fresh);
                    }
                }
            }
        }
        (t @ Value::Array(_), Value::Array(n)) if identified(n) => {
            let Value::Array(existing) = t else { return };
            if !identified(existing) {
                *existing = Vec::new();
            }
            for item in n {
                match existing.iter_mut().find(|e| e.get("id") == item.get("id")) {
                    Some(e) => merge_into(e, item),
                    None => existing.push(item.clone()),
                }
            }
        }
        (t, n) => *t = strip_nulls(n),
    }
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// A record (record package schema): the ocid, every release embedded, and the compiled release.
pub fn build_record(ocid: &str, releases: Vec<Value>) -> Value {
    let compiled = compile_release(&releases);
    let mut o = Map::new();
    o.insert("ocid".into(), json!(ocid));
    o.insert("releases".into(), Value::Array(releases));
    if let Some(c) = compiled {
        o.insert("compiledRelease".into(), c);
    }
    Value::Object(o)
}

/// A record package around `records` (OCDS record package schema).
pub fn record_package(
    uri: &str,
    published: DateTime<Utc>,
    publisher_name: &str,
    records: Vec<Value>,
) -> Value {
    json!({
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": rfc3339(published),
        "publisher": { "name": publisher_name },
        "records": records,
    })
}

#[cfg(test)]
mod tests;
