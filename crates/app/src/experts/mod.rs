//! 专家库与随机抽取: the use cases of the experts capability (DOMAIN §2.4, issue #13). Every state
//! change authorizes with `yiwang_core::access`, applies the rules of `yiwang_core::experts` and
//! writes its rows, its ledger entry and its notifications in one transaction.
//!
//! | module | use cases |
//! |---|---|
//! | [`register`] | self-application, admission review, suspension, reinstatement, renewal, dismissal and exit by the managing department only (管用分离), employment, conflicts, unavailability, penalties, bulk import |
//! | [`draws`] | draw requests by the trading centre: commitment, request, pool after avoidance, late entropy, the `yiwang-draw-v1` selection, every attempt in the ledger; the reveal and the public record |
//! | [`answers`] | confirm / decline, the answer-timeout job, automatic replacement from the reserve, check-in, the committee list with its need-to-know scope |
//!
//! Functions ending in `_at` take the server's clock as an argument (jobs, tests, the demo).

pub mod answers;
pub mod draws;
pub mod register;

use std::sync::OnceLock;

use chrono::NaiveDate;
use yiwang_core::Problem;
use yiwang_core::experts::expert::{
    DateRange, DeclaredConflict, Employment, Penalty, PenaltyKind, Term, TieKind, Title,
};
use yiwang_core::experts::{Expert, ExpertStatus, Profile, SpecialtyCode, SpecialtyTree};
use yiwang_core::ids::{CreditCode, IdNumber, RegionCode};
use yiwang_store::prelude::*;
/// The rows of the capability, for the layers above (the web layer does not use the store).
pub use yiwang_store::{
    DrawInvitation, DrawRequestRow, ExpertConflict, ExpertEmployment, ExpertPenalty, ExpertRow,
    ExpertUnavailability,
};

use crate::notify::Message;
use crate::{AppError, AppResult};

/// The national specialty classification, parsed once.
pub fn tree() -> &'static SpecialtyTree {
    static TREE: OnceLock<SpecialtyTree> = OnceLock::new();
    TREE.get_or_init(SpecialtyTree::national)
}

/// The date in Beijing of an instant.
pub fn local_date(micros: i64) -> NaiveDate {
    yiwang_core::time::from_micros(micros)
        .with_timezone(&yiwang_core::time::shanghai())
        .date_naive()
}

pub(crate) fn date(text: &str, field: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Problem::invalid(
            "experts.date",
            format!("日期格式应为YYYY-MM-DD：{field}。"),
            format!("A date must be YYYY-MM-DD: {field}."),
        )
    })
}

fn opt_date(text: &Option<String>, field: &str) -> Result<Option<NaiveDate>, Problem> {
    text.as_deref().map(|t| date(t, field)).transpose()
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("stored {what}: {e}")))
}

fn inconsistent(what: &str) -> AppError {
    AppError::Internal(format!("stored expert data is inconsistent: {what}"))
}

pub(crate) fn status_of(e: &ExpertRow) -> AppResult<ExpertStatus> {
    ExpertStatus::parse(&e.status).ok_or_else(|| inconsistent("status"))
}

pub(crate) fn not_found_expert() -> AppError {
    Problem::not_found("专家", "Expert").into()
}

pub(crate) fn not_found_draw() -> AppError {
    Problem::not_found("抽取申请", "Draw").into()
}

/// Everything stored about the experts, grouped per expert (for a draw's screening).
#[derive(Default)]
pub(crate) struct Children {
    pub employments: Vec<ExpertEmployment>,
    pub conflicts: Vec<ExpertConflict>,
    pub unavailable: Vec<ExpertUnavailability>,
    pub penalties: Vec<ExpertPenalty>,
}

pub(crate) async fn children(
    tx: &mut dyn ReadTx,
    expert_id: Option<&str>,
) -> AppResult<std::collections::HashMap<String, Children>> {
    let mut by: std::collections::HashMap<String, Children> = Default::default();
    for r in tx.list_employments(expert_id).await? {
        by.entry(r.expert_id.clone())
            .or_default()
            .employments
            .push(r);
    }
    for r in tx.list_conflicts(expert_id).await? {
        by.entry(r.expert_id.clone()).or_default().conflicts.push(r);
    }
    for r in tx.list_unavailability(expert_id).await? {
        by.entry(r.expert_id.clone())
            .or_default()
            .unavailable
            .push(r);
    }
    for r in tx.list_penalties(expert_id).await? {
        by.entry(r.expert_id.clone()).or_default().penalties.push(r);
    }
    Ok(by)
}

/// The pure expert of `yiwang_core::experts` from its rows.
pub(crate) fn expert_of(row: &ExpertRow, c: Option<&Children>) -> AppResult<Expert> {
    let bad = |w: &str| inconsistent(w);
    let specialties: Vec<String> = parse_json(&row.specialties, "specialties")?;
    let titles: Vec<Title> = parse_json(&row.titles, "titles")?;
    let term = match (&row.term_start, &row.term_end) {
        (Some(s), Some(e)) => Some(Term {
            start: date(s, "term_start")?,
            end: date(e, "term_end")?,
        }),
        _ => None,
    };
    let empty = Children::default();
    let c = c.unwrap_or(&empty);
    let mut employments = Vec::with_capacity(c.employments.len());
    for e in &c.employments {
        employments.push(Employment {
            org: CreditCode::parse(&e.org_code).map_err(|_| bad("employer code"))?,
            org_name: e.org_name.clone(),
            kind: TieKind::parse(&e.kind).ok_or_else(|| bad("employment kind"))?,
            start: date(&e.start_date, "start")?,
            end: opt_date(&e.end_date, "end")?,
        });
    }
    let mut conflicts = Vec::with_capacity(c.conflicts.len());
    for k in &c.conflicts {
        conflicts.push(parse_json::<DeclaredConflict>(&k.body, "conflict")?);
    }
    let mut unavailable = Vec::with_capacity(c.unavailable.len());
    for u in &c.unavailable {
        unavailable.push(DateRange {
            start: date(&u.start_date, "start")?,
            end: opt_date(&u.end_date, "end")?,
        });
    }
    let mut penalties = Vec::with_capacity(c.penalties.len());
    for p in &c.penalties {
        penalties.push(Penalty {
            kind: PenaltyKind::parse(&p.kind).ok_or_else(|| bad("penalty kind"))?,
            period: DateRange {
                start: date(&p.start_date, "start")?,
                end: opt_date(&p.end_date, "end")?,
            },
            reason: p.reason.clone(),
        });
    }
    Ok(Expert {
        id: row.id.clone(),
        profile: Profile {
            name: row.name.clone(),
            id_number: IdNumber::parse(&row.id_number).map_err(|_| bad("identity number"))?,
            mobile: row.mobile.clone(),
            field_since: date(&row.field_since, "field_since")?,
            titles,
            can_evaluate_electronically: row.electronic != 0,
            fit_for_duty: row.fit_for_duty != 0,
        },
        status: status_of(row)?,
        managing_org: row.managing_org_id.clone(),
        region: RegionCode::parse(&row.region).map_err(|_| bad("region"))?,
        specialties: specialties
            .iter()
            .map(|s| SpecialtyCode::parse(s).ok_or_else(|| bad("specialty")))
            .collect::<AppResult<_>>()?,
        employments,
        conflicts,
        unavailable,
        term,
        penalties,
        assessed_min_gap_days: row.min_gap_days.map(|d| d.max(0) as u32),
    })
}

/// Notification texts of the experts capability (`None` for other templates). An invitation
/// says the time and the place, never the tenderee or the bidders.
pub fn render(template: &str, params: &serde_json::Value) -> Option<Message> {
    let p = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (title, body) = match template {
        "experts.invitation" => (
            "评标邀请",
            yiwang_core::experts::visibility::invitation_text(
                &p("starts"),
                &p("place"),
                &p("answer_by"),
            ),
        ),
        "experts.invitation.cancelled" => (
            "评标邀请已取消",
            format!("您{}的评标邀请已取消，无需前往。", p("starts")),
        ),
        "experts.status" => (
            "专家库状态变更",
            format!(
                "您在评标专家库中的状态已变更为“{}”：{}。",
                p("status"),
                p("reason")
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
            render: |p| render($key, p.0).expect("every registered experts template renders"),
        }),*]
    };
}

/// Experts in the capability registry: covered tables, the answer-timeout job, the messages.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "experts",
    covered: yiwang_store::experts::EXPERTS_TABLES,
    covered_rows: Some(|tx, out| Box::pin(covered_rows(tx, out))),
    jobs: &[crate::registry::JobSpec {
        kind: answers::TIMEOUT_JOB,
        run: |app, tx, job| Box::pin(answers::answer_timeout(app, tx, job, crate::now_micros())),
        every: None,
    }],
    templates: templates!(
        "experts.invitation",
        "experts.invitation.cancelled",
        "experts.status",
    ),
};

/// Every expert row with its digest, for `yiwang audit verify`.
pub async fn covered_rows(
    tx: &mut dyn ReadTx,
    out: &mut Vec<crate::registry::CoveredRow>,
) -> AppResult<()> {
    for r in tx.list_experts(None).await? {
        out.push((ExpertRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_employments(None).await? {
        out.push((ExpertEmployment::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_conflicts(None).await? {
        out.push((ExpertConflict::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_unavailability(None).await? {
        out.push((ExpertUnavailability::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_penalties(None).await? {
        out.push((ExpertPenalty::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_draws(None).await? {
        out.push((DrawRequestRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_invitations(None).await? {
        out.push((DrawInvitation::TABLE, r.id.clone(), r.digest()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn an_invitation_says_time_and_place_only() {
        let m = render(
            "experts.invitation",
            &serde_json::json!({"starts": "12月10日09:00", "place": "评标室3", "answer_by": "12月9日12:00",
                "tenderee": "宿迁市城投", "section": "第一标段"}),
        )
        .expect("an experts template");
        assert!(m.body.contains("12月10日09:00") && m.body.contains("评标室3"));
        assert!(!m.body.contains("城投") && !m.body.contains("标段"));
        assert!(render("trading.bid.receipt", &serde_json::json!({})).is_none());
    }
}
