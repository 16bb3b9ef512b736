//! 评标 → 定标 → 合同: the use cases of the evaluation capability (DOMAIN §2.2, §2.5; issue #14),
//! over the pure rules of `yiwang_core::evaluation`. Every state change authorizes with
//! `yiwang_core::access`, applies the rule and writes its rows, its ledger entry and its
//! notifications in one transaction.
//!
//! The flow, one evaluation per section and round:
//! 1. [`start`] — the trading centre starts the evaluation of an **opened** section (the section
//!    moves to `evaluating`) with a scoring template (checked by `validate_template` under the
//!    platform's price-weight cap, `YIWANG_MAX_PRICE_WEIGHT`, default 40) and the draw's
//!    **checked-in** committee as members (plus, optionally, one tenderee representative with an
//!    account, as long as the committee keeps the make-up of 招标投标法 Art. 37). The leader
//!    records the pass/fail review of every decrypted bid ([`start::review`]): a rejection
//!    carries its reason and the facts found; rejecting every bid fails the section.
//! 2. [`scoring`] — every member submits its score sheets for all valid bids at once, alone: the
//!    others' scores stay hidden (403 `evaluation.scores.hidden`) until the member has submitted.
//!    Once everyone has, scores far from the median are flagged and need a written reason from
//!    their author; when every flag is explained the platform aggregates and ranks exactly as the
//!    template says (`aggregate`, `rank_comprehensive`; the lowest evaluated price ranks at the
//!    end of the review) and the evaluation moves to `reporting`. Any member may say the time is
//!    not enough: more than a third of the members extends it (条例 Art. 48).
//! 3. [`report`] — the leader compiles the report (its canonical text is stored); each member
//!    signs it, dissents with reasons or refuses; once every member has a position the report is
//!    signed (`report_signed`). Experts hold no keys of their own in the experts capability, so
//!    each member signs with an SM2 key the platform derives for that member and evaluation from
//!    its own key ([`report::member_key`]): the signature proves which seat agreed to which text,
//!    the public key is published with it, and the derivation is reproducible by the platform only.
//! 4. [`award`] — the tenderee publishes the (≤ 3) candidates for 3 days; a bidder objects during
//!    the publicity only (after it: 409 `evaluation.objection.late`); an objection suspends the
//!    section and pauses the award until the tenderee answers it (dismissed, or upheld and back to
//!    scoring); after the publicity the tenderee awards rank 1 unless passed over with the
//!    reasons of 条例 Art. 55 (every section is treated as state-funded for now).
//!
//! Not yet: the signed award notice and its PDF, contract filing, deposit refunds after signing
//! and performance milestones (issue #14 points 4–5), pages and a demo at every step.
//!
//! Functions ending in `_at` take the server's clock as an argument (tests, jobs).

pub mod award;
pub mod report;
pub mod scoring;
pub mod start;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor};
use yiwang_core::evaluation::{
    BidScore, EvaluationState, EvaluationStatus, Exclusion, ExclusionReason, RankedBid,
    ScoringTemplate,
};
use yiwang_core::trading::periods::Violation;
use yiwang_store::prelude::*;
/// The rows of the capability, for the layers above (the web layer does not use the store).
pub use yiwang_store::{EvaluationAct, EvaluationReview, EvaluationRow, EvaluationSheet};

use crate::notify::{self, Channel, Message};
use crate::{Acting, App, AppError, AppResult};

/// An act's kind (`evaluation_acts.kind`).
pub(crate) const OUTLIER_REASON: &str = "outlier_reason";
pub(crate) const TIME_VOTE: &str = "time_vote";
pub(crate) const SIGNATURE: &str = "signature";
pub(crate) const OBJECTION: &str = "objection";
pub(crate) const OBJECTION_ANSWER: &str = "objection_answer";

/// The platform's cap on the price weight (points of 100): `YIWANG_MAX_PRICE_WEIGHT`, default 40
/// (DOMAIN §2.2).
pub fn max_price_weight() -> Decimal {
    static CAP: OnceLock<Decimal> = OnceLock::new();
    *CAP.get_or_init(|| {
        std::env::var("YIWANG_MAX_PRICE_WEIGHT")
            .ok()
            .and_then(|v| v.trim().parse::<Decimal>().ok())
            .filter(|d| *d > Decimal::ZERO && *d <= Decimal::ONE_HUNDRED)
            .unwrap_or(Decimal::new(40, 0))
    })
}

/// A committee member: a drawn expert (id = the expert's id) or the tenderee's representative
/// (id = `rep-` and the account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    pub id: String,
    /// The account the member acts with online (`None`: the member cannot act online).
    pub user_id: Option<String>,
    pub name: String,
    /// `expert` or `representative`.
    pub kind: String,
}

/// What the scoring produced (stored as the evaluation's `results`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    /// The price base of the template's formula (综合评估法).
    pub price_base: Option<Decimal>,
    pub scores: Vec<BidScore>,
    pub ranking: Vec<RankedBid>,
    /// The publicity and the award, once the candidates are published.
    #[serde(default)]
    pub award: Option<award::Award>,
}

pub(crate) fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("stored {what}: {e}")))
}

pub(crate) fn not_found() -> AppError {
    Problem::not_found("评标", "Evaluation").into()
}

/// Every violation as one 422 problem (`details.violations`).
pub(crate) fn violations(code: &str, zh: &str, en: &str, v: &[Violation]) -> AppError {
    Problem::invalid(
        code,
        format!("{zh}，共{}处问题。", v.len()),
        format!("{en} ({} problem(s)).", v.len()),
    )
    .with_details(serde_json::json!({ "violations": v }))
    .into()
}

/// An evaluation row with its parsed parts.
pub(crate) struct Ctx {
    pub row: EvaluationRow,
    pub template: ScoringTemplate,
    pub members: Vec<Member>,
    pub status: EvaluationStatus,
}

impl Ctx {
    pub fn member_ids(&self) -> BTreeSet<String> {
        self.members.iter().map(|m| m.id.clone()).collect()
    }

    /// The member `actor` is in this committee, or 403.
    pub fn member_of(&self, actor: &Actor) -> AppResult<&Member> {
        let m = self
            .members
            .iter()
            .find(|m| m.user_id.as_deref() == Some(actor.user_id.as_str()))
            .ok_or_else(Problem::forbidden)?;
        access::authorize_committee_member(actor, m.user_id.as_deref())?;
        Ok(m)
    }

    /// The leader, or 403 for anyone else.
    pub fn leader_of(&self, actor: &Actor) -> AppResult<&Member> {
        let m = self.member_of(actor)?;
        if m.id != self.row.leader {
            return Err(Problem::forbidden().into());
        }
        Ok(m)
    }

    pub fn set_status(&mut self, st: EvaluationStatus, now: i64) {
        self.status = st;
        self.row.state = st.state.as_str().into();
        self.row.pending_objections = i64::from(st.pending_objections);
        self.row.updated_at = now;
    }
}

pub(crate) async fn load(tx: &mut dyn ReadTx, id: &str) -> AppResult<Ctx> {
    let row = tx.get_evaluation(id).await?.ok_or_else(not_found)?;
    let template = parse_json(&row.template, "template")?;
    let members = parse_json(&row.members, "members")?;
    let state = crate::parse_stored(
        EvaluationState::parse,
        EvaluationRow::TABLE,
        &row.id,
        "state",
        &row.state,
    )?;
    let status = EvaluationStatus::from_parts(
        state,
        u32::try_from(row.pending_objections).unwrap_or(u32::MAX),
    )?;
    Ok(Ctx {
        row,
        template,
        members,
        status,
    })
}

/// Who acts as a committee member, for the ledger.
pub(crate) fn as_member(actor: &Actor) -> Acting {
    Acting {
        actor_id: Some(actor.user_id.clone()),
        role: Some("committee_member".into()),
        org_id: None,
    }
}

/// The recorded rejections of the review.
pub(crate) fn exclusions(reviews: &[EvaluationReview]) -> AppResult<Vec<Exclusion>> {
    reviews
        .iter()
        .filter(|r| r.passed == 0)
        .map(|r| {
            let reason = crate::parse_stored(
                ExclusionReason::parse,
                EvaluationReview::TABLE,
                &r.id,
                "reason",
                r.reason.as_deref().unwrap_or(""),
            )?;
            Ok(Exclusion {
                bid: r.bid_id.clone(),
                reason,
                note: r.note.clone(),
            })
        })
        .collect()
}

/// The bids that passed the review, by id.
pub(crate) fn qualified(reviews: &[EvaluationReview]) -> BTreeSet<String> {
    reviews
        .iter()
        .filter(|r| r.passed != 0)
        .map(|r| r.bid_id.clone())
        .collect()
}

/// The decrypted bids of the section's round with their prices.
pub(crate) async fn bid_prices(
    tx: &mut dyn ReadTx,
    section_id: &str,
    round: i64,
) -> AppResult<BTreeMap<String, Decimal>> {
    let mut out = BTreeMap::new();
    for b in tx.list_bids(Some(section_id)).await? {
        let status = crate::parse_stored(
            yiwang_core::trading::BidStatus::parse,
            yiwang_store::SealedBid::TABLE,
            &b.id,
            "status",
            &b.status,
        )?;
        if b.round != round || status != yiwang_core::trading::BidStatus::Decrypted {
            continue;
        }
        if let Some(p) = b.price.as_deref().and_then(|p| p.parse::<Decimal>().ok()) {
            out.insert(b.id.clone(), p);
        }
    }
    Ok(out)
}

/// Queue an in-app message to every member with an account.
pub(crate) async fn notify_members(
    tx: &mut dyn WriteTx,
    members: &[Member],
    template: &str,
    params: serde_json::Value,
) -> AppResult<()> {
    for m in members {
        if let Some(u) = &m.user_id {
            notify::queue(tx, Channel::InApp, u, template, params.clone()).await?;
        }
    }
    Ok(())
}

/// Notification texts of the evaluation capability (`None` for other templates).
pub fn render(template: &str, params: &serde_json::Value) -> Option<Message> {
    let p = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (title, body) = match template {
        "evaluation.started" => (
            "评标已开始",
            format!("标段“{}”的评标已开始，请登录平台进行评审。", p("section")),
        ),
        "evaluation.extended" => (
            "评标时间已延长",
            format!(
                "超过三分之一的评标委员会成员认为评标时间不够，标段“{}”的评标时间已延长至{}。",
                p("section"),
                p("ends")
            ),
        ),
        "evaluation.outlier" => (
            "评分需说明理由",
            format!(
                "您在标段“{}”中的评分明显偏离其他成员的评分，请书面说明理由。",
                p("section")
            ),
        ),
        "evaluation.report.ready" => (
            "请签署评标报告",
            format!("标段“{}”的评标报告已编制完成，请审阅并签署。", p("section")),
        ),
        "evaluation.report.signed" => (
            "评标报告已签署",
            format!(
                "标段“{}”的评标报告已由全体评标委员会成员签署，请公示中标候选人。",
                p("section")
            ),
        ),
        _ => return None,
    };
    Some(Message {
        title: title.into(),
        body,
    })
}

macro_rules! templates {
    ($($key:literal),* $(,)?) => {
        &[$(crate::registry::TemplateSpec {
            key: $key,
            render: |p| render($key, p.0).expect("every registered evaluation template renders"),
        }),*]
    };
}

/// Evaluation in the capability registry: covered tables and the messages.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "evaluation",
    covered: yiwang_store::evaluation::EVALUATION_TABLES,
    covered_rows: Some(|tx, out| Box::pin(covered_rows(tx, out))),
    jobs: &[],
    templates: templates!(
        "evaluation.started",
        "evaluation.extended",
        "evaluation.outlier",
        "evaluation.report.ready",
        "evaluation.report.signed",
    ),
};

/// Every evaluation row with its digest, for `yiwang audit verify`.
pub async fn covered_rows(
    tx: &mut dyn ReadTx,
    out: &mut Vec<crate::registry::CoveredRow>,
) -> AppResult<()> {
    for r in tx.list_evaluations(None).await? {
        out.push((EvaluationRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_reviews(None).await? {
        out.push((EvaluationReview::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_sheets(None).await? {
        out.push((EvaluationSheet::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_acts(None).await? {
        out.push((EvaluationAct::TABLE, r.id.clone(), r.digest()));
    }
    Ok(())
}

/// One evaluation as a member or the centre sees it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub id: String,
    pub section_id: String,
    pub round: i64,
    pub draw_id: String,
    /// `convened`, `reviewing`, `scoring`, `reporting`, `report_signed`, …
    pub state: String,
    pub leader: String,
    pub members: Vec<Member>,
    #[schema(value_type = Object)]
    pub template: ScoringTemplate,
    pub extensions: i64,
    pub ends_at: i64,
    pub reviews: Vec<EvaluationReview>,
    /// The members who have submitted all their sheets.
    pub submitted: Vec<String>,
    /// The aggregated scores and ranking, once the scoring is closed.
    #[schema(value_type = Option<Object>)]
    pub results: Option<Results>,
    /// The report's canonical text, once compiled.
    pub report: Option<String>,
    pub signatures: Vec<report::SignatureView>,
}

/// The members who have a sheet for every valid bid.
pub(crate) fn submitted(
    members: &BTreeSet<String>,
    valid: &BTreeSet<String>,
    sheets: &[EvaluationSheet],
) -> BTreeSet<String> {
    members
        .iter()
        .filter(|m| {
            !valid.is_empty()
                && valid
                    .iter()
                    .all(|b| sheets.iter().any(|s| &s.member_id == *m && &s.bid_id == b))
        })
        .cloned()
        .collect()
}

/// 评标详情: for the committee's members and the section's trading centre; 403 for anyone else.
pub async fn view(app: &App, actor: &Actor, id: &str) -> AppResult<EvaluationView> {
    let mut tx = app.store.read().await?;
    let c = load(&mut *tx, id).await?;
    if c.member_of(actor).is_err() {
        let (_, project) = crate::trading::section_ctx(&mut *tx, &c.row.section_id).await?;
        start::centre(&mut *tx, actor, &project).await?;
    }
    let reviews = tx.list_reviews(Some(id)).await?;
    let sheets = tx.list_sheets(Some(id)).await?;
    let acts = tx.list_acts(Some(id)).await?;
    let done = submitted(&c.member_ids(), &qualified(&reviews), &sheets);
    let results = match &c.row.results {
        Some(r) => Some(parse_json(r, "results")?),
        None => None,
    };
    Ok(EvaluationView {
        id: c.row.id.clone(),
        section_id: c.row.section_id.clone(),
        round: c.row.round,
        draw_id: c.row.draw_id.clone(),
        state: c.row.state.clone(),
        leader: c.row.leader.clone(),
        members: c.members.clone(),
        template: c.template.clone(),
        extensions: c.row.extensions,
        ends_at: c.row.ends_at,
        reviews,
        submitted: done.into_iter().collect(),
        results,
        report: c.row.report.clone(),
        signatures: report::signatures(&c, &acts)?,
    })
}

/// The evaluations of a section the caller may see (members and the centre), by round.
pub async fn of_section(app: &App, actor: &Actor, section_id: &str) -> AppResult<Vec<String>> {
    let mut tx = app.store.read().await?;
    let (_, project) = crate::trading::section_ctx(&mut *tx, section_id).await?;
    let centre = start::centre(&mut *tx, actor, &project).await.is_ok();
    let mut out = Vec::new();
    for e in tx.list_evaluations(Some(section_id)).await? {
        let members: Vec<Member> = parse_json(&e.members, "members")?;
        if centre
            || members
                .iter()
                .any(|m| m.user_id.as_deref() == Some(actor.user_id.as_str()))
        {
            out.push(e.id);
        }
    }
    Ok(out)
}
