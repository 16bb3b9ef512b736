//! Publication in OCDS 1.1 (DOMAIN §2.5): a release for each lifecycle event of every published
//! section, built by the pure `yiwang_core::trading::ocds` builder from the recorded rows, release
//! packages per ocid and compiled records. Nothing here writes: the releases are derived from what
//! the use cases recorded, so the same data always gives the same release ids and dates.
//!
//! | event (row) | release |
//! |---|---|
//! | the notice (`notice_at` of the section) | `tender` (deadline as first published) |
//! | each clarification (`issued_at`) | `tenderAmendment` with the amendment and the deadline after it |
//! | the opening decision of a round (`decided_at`) | `tenderUpdate`: `active`, or `unsuccessful` (流标) |
//! | the signed opening record (`closed_at`) | `tenderUpdate` naming the tenderers |
//! | a cancellation | `tenderCancellation` |
//!
//! Award and contract releases (`ReleaseKind::Award`, `Contract`) come with the evaluation's data
//! (issue #13): [`section_releases`] is where they join.
//!
//! The ocid prefix, the public address the URIs start with and the publisher's name are
//! [`OcdsOptions`] (`YIWANG_OCDS_PREFIX`, `YIWANG_PUBLIC_URL`, `YIWANG_OCDS_PUBLISHER`).

use serde::Serialize;
use serde_json::{Value, json};
use yiwang_core::Problem;
use yiwang_core::ids::CreditCode;
use yiwang_core::trading::bids::OpeningLine;
use yiwang_core::trading::ocds::{
    self as rules, OcdsConfig, OcdsDocument, OcdsTender, PartyRef, ReleaseKind,
};
use yiwang_core::trading::{SectionEvent, SectionState, TradeField, TradeMethod, TransactionCode};
use yiwang_store::prelude::*;
use yiwang_store::{Opening, TradingProject, TradingSection};

use super::utc;
use crate::{App, AppError, AppResult, now_micros};

/// The ocid prefix used when none is configured: `ocds-` and six letters, as the OCDS registry
/// issues them. A deployment registers its own and sets `YIWANG_OCDS_PREFIX`.
pub const DEFAULT_PREFIX: &str = "ocds-yiwang";
/// The public address used when `YIWANG_PUBLIC_URL` is not set.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
/// The publisher named in packages when `YIWANG_OCDS_PUBLISHER` is not set.
pub const DEFAULT_PUBLISHER: &str = "公共资源交易平台";

/// Publication settings of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcdsOptions {
    pub config: OcdsConfig,
    /// Scheme and host (and path prefix) of the platform, without a trailing slash.
    pub public_url: String,
    pub publisher: String,
}

impl Default for OcdsOptions {
    fn default() -> Self {
        OcdsOptions {
            config: OcdsConfig::new(DEFAULT_PREFIX).expect("the default prefix is valid"),
            public_url: DEFAULT_PUBLIC_URL.into(),
            publisher: DEFAULT_PUBLISHER.into(),
        }
    }
}

impl OcdsOptions {
    /// Settings from optional texts (the environment); a text that is set must be valid.
    pub fn from_settings(
        prefix: Option<&str>,
        public_url: Option<&str>,
        publisher: Option<&str>,
    ) -> Result<Self, Problem> {
        let mut o = OcdsOptions::default();
        if let Some(p) = prefix {
            o.config = OcdsConfig::new(p)?;
        }
        if let Some(u) = public_url {
            let u = u.trim().trim_end_matches('/');
            let host = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"))
                .unwrap_or("");
            if host.is_empty() || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Problem::invalid(
                    "config.public_url",
                    format!("平台公开地址“{u}”无效，应以http://或https://开头。"),
                    format!(
                        "Invalid public address {u:?}: expected http:// or https:// and a host."
                    ),
                ));
            }
            o.public_url = u.to_string();
        }
        if let Some(n) = publisher.map(str::trim).filter(|n| !n.is_empty()) {
            o.publisher = n.to_string();
        }
        Ok(o)
    }
}

/// One published section's releases, oldest first.
#[derive(Debug, Clone)]
pub struct SectionReleases {
    pub ocid: String,
    pub section_id: String,
    pub releases: Vec<Value>,
}

fn not_found() -> AppError {
    Problem::not_found("开放合同数据", "OCDS data").into()
}

async fn party_ref(tx: &mut dyn ReadTx, id: &str) -> AppResult<Option<PartyRef>> {
    let Some(p) = tx.get_party(id).await? else {
        return Ok(None);
    };
    let credit_code = CreditCode::parse(&p.credit_code)
        .map_err(|e| AppError::Internal(format!("party {id}: {}", e.message_en())))?;
    Ok(Some(PartyRef::Legal {
        name: p.name,
        credit_code,
    }))
}

fn bad_row(what: &str, id: &str) -> AppError {
    AppError::Internal(format!("section {id}: stored {what} is not valid"))
}

/// The releases of one section, oldest first; none for a section not yet published.
pub async fn section_releases(
    tx: &mut dyn ReadTx,
    opts: &OcdsOptions,
    s: &TradingSection,
    project: &TradingProject,
) -> AppResult<Option<SectionReleases>> {
    let (Some(code), Some(notice_at)) = (&s.transaction_code, s.notice_at) else {
        return Ok(None);
    };
    let code = TransactionCode::parse_foreign(code).map_err(|_| bad_row("code", &s.id))?;
    let field = TradeField::parse(&s.field).ok_or_else(|| bad_row("field", &s.id))?;
    let method = TradeMethod::parse(&s.method).ok_or_else(|| bad_row("method", &s.id))?;
    let state = SectionState::parse(&s.state).ok_or_else(|| bad_row("state", &s.id))?;
    let tenderee = party_ref(tx, &project.tenderee_id)
        .await?
        .ok_or_else(|| bad_row("tenderee", &s.id))?;
    let agency = match &project.agency_id {
        Some(a) => party_ref(tx, a).await?,
        None => None,
    };
    let mut clarifications = tx.list_clarifications(Some(&s.id)).await?;
    clarifications.sort_by_key(|c| (c.issued_at, c.id.clone()));
    let mut openings: Vec<Opening> = tx.list_openings(Some(&s.id)).await?;
    openings.sort_by_key(|o| (o.decided_at, o.round));
    let documents: Vec<OcdsDocument> = tx
        .list_documents(Some(&s.id))
        .await?
        .into_iter()
        .filter_map(|d| {
            Some(OcdsDocument {
                date_published: utc(d.published_at?),
                id: d.id,
                document_type: "biddingDocuments".into(),
                title: format!("招标文件（第{}版）", d.version),
                url: format!(
                    "{}/api/v1/tenders/sections/{}/documents",
                    opts.public_url, s.id
                ),
            })
        })
        .collect();
    let deadline = s.bid_deadline.unwrap_or(notice_at);
    let first_deadline = clarifications
        .first()
        .map(|c| c.deadline_before)
        .unwrap_or(deadline);
    let tender = |state: SectionState, until: i64, at: i64, tenderers: Vec<PartyRef>| OcdsTender {
        transaction_code: code.clone(),
        title: format!("{} {}", project.name, s.name),
        description: None,
        field,
        method,
        category: None,
        award_method: None,
        state,
        tenderee: tenderee.clone(),
        agency: agency.clone(),
        value: super::money(&s.estimated_price, "estimated_price").ok(),
        documents_from: utc(s.documents_from.unwrap_or(notice_at)),
        bid_deadline: utc(until),
        tenderers,
        documents: documents
            .iter()
            .filter(|d| d.date_published <= utc(at))
            .cloned()
            .collect(),
    };
    let cfg = &opts.config;
    let mut releases = Vec::new();
    let build = |kind: ReleaseKind, at: i64, t: &OcdsTender| -> AppResult<Value> {
        let r = rules::build_release(cfg, kind, utc(at), t, None, None)?;
        Ok(r)
    };
    releases.push(build(
        ReleaseKind::Tender,
        notice_at,
        &tender(SectionState::Tendering, first_deadline, notice_at, vec![]),
    )?);
    let mut amendments = Vec::new();
    for c in &clarifications {
        let mut r = build(
            ReleaseKind::TenderAmendment,
            c.issued_at,
            &tender(
                SectionState::Tendering,
                c.deadline_after,
                c.issued_at,
                vec![],
            ),
        )?;
        amendments.push(json!({
            "id": c.id,
            "date": r["date"],
            "rationale": if c.substantive { "实质性澄清或修改" } else { "澄清" },
            "description": c.body,
        }));
        r["tender"]["amendments"] = Value::Array(amendments.clone());
        releases.push(r);
    }
    for o in &openings {
        let failed = SectionEvent::parse(&o.outcome) == Some(SectionEvent::Fail);
        let st = if failed {
            SectionState::Failed
        } else {
            SectionState::Opened
        };
        releases.push(build(
            ReleaseKind::TenderUpdate,
            o.decided_at,
            &tender(st, deadline, o.decided_at, vec![]),
        )?);
        if let (Some(record), Some(closed)) = (&o.record, o.closed_at) {
            let lines: Vec<OpeningLine> =
                serde_json::from_str(record).map_err(|_| bad_row("opening record", &s.id))?;
            let tenderers = lines
                .into_iter()
                .map(|l| PartyRef::Legal {
                    name: l.bidder_name,
                    credit_code: l.bidder,
                })
                .collect();
            releases.push(build(
                ReleaseKind::TenderUpdate,
                closed,
                &tender(SectionState::Opened, deadline, closed, tenderers),
            )?);
        }
    }
    if state == SectionState::Cancelled {
        releases.push(build(
            ReleaseKind::TenderCancellation,
            s.updated_at,
            &tender(state, deadline, s.updated_at, vec![]),
        )?);
    }
    sort_releases(&mut releases);
    Ok(Some(SectionReleases {
        ocid: cfg.ocid(&code),
        section_id: s.id.clone(),
        releases,
    }))
}

fn date_id(r: &Value) -> (String, String) {
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    (text("date"), text("id"))
}

fn sort_releases(releases: &mut [Value]) {
    releases.sort_by_key(date_id);
}

/// Every published section's releases.
pub async fn all_releases(app: &App) -> AppResult<Vec<SectionReleases>> {
    let mut tx = app.store.read().await?;
    let projects = tx.list_projects().await?;
    let mut out = Vec::new();
    for s in tx.list_sections(None).await? {
        let Some(p) = projects.iter().find(|p| p.id == s.project_id) else {
            continue;
        };
        if let Some(r) = section_releases(&mut *tx, app.ocds(), &s, p).await? {
            out.push(r);
        }
    }
    out.sort_by(|a, b| a.ocid.cmp(&b.ocid));
    Ok(out)
}

/// The releases of one ocid.
pub async fn releases_of(app: &App, ocid: &str) -> AppResult<SectionReleases> {
    let prefix = format!("{}-", app.ocds().config.ocid_prefix());
    let code = ocid.strip_prefix(&prefix).ok_or_else(not_found)?;
    let code = TransactionCode::parse_foreign(code).map_err(|_| not_found())?;
    let mut tx = app.store.read().await?;
    // Sections are few per project; the code is unique among them.
    for s in tx.list_sections(None).await? {
        if s.transaction_code.as_deref() != Some(code.as_str()) {
            continue;
        }
        let p = tx
            .get_project(&s.project_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("section {} has no project", s.id)))?;
        return section_releases(&mut *tx, app.ocds(), &s, &p)
            .await?
            .ok_or_else(not_found);
    }
    Err(not_found())
}

fn url(app: &App, path: &str) -> String {
    format!("{}/api/v1/ocds/{path}", app.ocds().public_url)
}

/// The release package of one ocid's releases (published date: the latest release's).
pub fn package(app: &App, r: &SectionReleases) -> Value {
    let published = r
        .releases
        .last()
        .and_then(|v| v.get("date"))
        .and_then(Value::as_str)
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| utc(now_micros()));
    rules::release_package(
        &url(app, &format!("packages/{}", r.ocid)),
        published,
        &app.ocds().publisher,
        r.releases.clone(),
    )
}

/// The record package of one ocid: the releases embedded and the compiled release.
pub fn record(app: &App, r: &SectionReleases) -> Value {
    let pkg = package(app, r);
    let published = pkg["publishedDate"]
        .as_str()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| utc(now_micros()));
    rules::record_package(
        &url(app, &format!("records/{}", r.ocid)),
        published,
        &app.ocds().publisher,
        vec![rules::build_record(&r.ocid, r.releases.clone())],
    )
}

/// A page of the most recent releases of every section, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecentReleases {
    /// OCDS 1.1 releases, newest first.
    #[schema(value_type = Vec<Object>)]
    pub releases: Vec<Value>,
    /// The id of the last release of this page, to pass as `before` for the next page; `null`
    /// on the last page.
    pub next_before: Option<String>,
}

/// Largest page of [`recent`].
pub const MAX_PAGE: usize = 200;

/// The releases before the release `before` (all when `None`), newest first, at most `limit`.
pub async fn recent(app: &App, limit: usize, before: Option<&str>) -> AppResult<RecentReleases> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Problem::invalid(
            "ocds.limit",
            format!("每页条数应为1至{MAX_PAGE}。"),
            format!("The page size must be 1 to {MAX_PAGE}."),
        )
        .into());
    }
    let mut all: Vec<Value> = all_releases(app)
        .await?
        .into_iter()
        .flat_map(|r| r.releases)
        .collect();
    sort_releases(&mut all);
    all.reverse();
    let start = match before {
        None => 0,
        Some(id) => {
            all.iter()
                .position(|r| r.get("id").and_then(Value::as_str) == Some(id))
                .ok_or_else(|| {
                    Problem::not_found("发布（before所指）", "Release named by `before`")
                })?
                + 1
        }
    };
    let page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let next_before = if start + page.len() < all.len() {
        page.last()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
    } else {
        None
    };
    Ok(RecentReleases {
        releases: page,
        next_before,
    })
}

/// OCDS publication as a capability of its own: it reads the trading records and writes nothing,
/// so it declares no tables, jobs or templates; the web layer registers its public API under
/// the same name.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "ocds",
    ..crate::registry::Capability::EMPTY
};
