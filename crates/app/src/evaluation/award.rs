//! 中标候选人公示、异议与定标: the tenderee publishes the (≤ 3) candidates of the signed report
//! for 3 days; a bidder objects during the publicity only (an objection after it is refused);
//! every objection pauses the award until the tenderee answers it (within 3 days; dismissed, or
//! upheld and re-evaluated); after the publicity the tenderee awards rank 1.
//!
//! Choice: the projects carry no funding flag yet, so every section is treated as state-funded
//! (条例 Art. 55, the stricter rule): rank 1 wins unless passed over with recorded reasons.

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::evaluation::award::{
    DisqualificationReason, ObjectionStatus, decide_award, may_award, objection_answer_due,
    objection_in_time, publicity_ends, select_candidates,
};
use yiwang_core::evaluation::{
    AwardDecision, Disqualification, EvaluationEvent, EvaluationState, lifecycle,
};
use yiwang_store::{EvaluationAct, EvaluationRow, TradingSection};

use super::{OBJECTION, OBJECTION_ANSWER, Results, json, load, parse_json};
use crate::trading::{bidder_grant, section_ctx, set_status, status_of, tender_grant};
use crate::{Acting, App, AppResult, digest, new_id, now_micros, record};

/// The publicity and the award, kept in the evaluation's `results` beside the ranking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Award {
    pub published_at: Option<i64>,
    pub publicity_until: Option<i64>,
    /// The candidates' bid ids, in rank order.
    pub candidates: Vec<String>,
    pub winner: Option<String>,
    pub awarded_at: Option<i64>,
}

/// A stored objection.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectionBody {
    pub party_id: String,
    pub text: String,
    pub answer_due: i64,
}

fn utc(us: i64) -> chrono::DateTime<chrono::Utc> {
    yiwang_core::time::from_micros(us)
}

async fn apply_section(
    tx: &mut dyn yiwang_store::WriteTx,
    section_id: &str,
    from: yiwang_core::evaluation::EvaluationStatus,
    event: EvaluationEvent,
    now: i64,
) -> AppResult<Option<TradingSection>> {
    let events = lifecycle::section_events(from, event);
    if events.is_empty() {
        return Ok(None);
    }
    let (mut s, _) = section_ctx(&mut *tx, section_id).await?;
    for e in events {
        let st = yiwang_core::trading::next_state(status_of(&s)?, *e)?;
        set_status(&mut s, st);
    }
    if event == EvaluationEvent::RaiseObjection {
        s.suspended_at = Some(now);
    } else {
        s.suspended_at = None;
    }
    s.updated_at = now;
    tx.update_section(&s).await?;
    Ok(Some(s))
}

fn award_of(row: &EvaluationRow) -> AppResult<(Results, Award)> {
    let results: Results = parse_json(row.results.as_deref().unwrap_or("null"), "results")?;
    let award = results.award.clone().unwrap_or_default();
    Ok((results, award))
}

/// [`publish_candidates_at`] on the server's clock.
pub async fn publish_candidates(app: &App, actor: &Actor, id: &str) -> AppResult<EvaluationRow> {
    publish_candidates_at(app, actor, id, now_micros()).await
}

/// 公示中标候选人: the tenderee publishes the report's candidates (≤ 3, in rank order) for 3 days.
pub async fn publish_candidates_at(
    app: &App,
    actor: &Actor,
    id: &str,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let mut c = load(&mut *tx, id).await?;
    let (_, project) = section_ctx(&mut *tx, &c.row.section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let from = c.status;
    let st = lifecycle::next_state(from, EvaluationEvent::PublishCandidates)?;
    let (mut results, mut award) = award_of(&c.row)?;
    let count = results
        .ranking
        .len()
        .min(yiwang_core::evaluation::award::MAX_CANDIDATES);
    let candidates = select_candidates(&results.ranking, count)?;
    award.candidates = candidates.iter().map(|x| x.bid.clone()).collect();
    award.published_at = Some(now);
    award.publicity_until =
        Some(publicity_ends(utc(now), &app.calendar().calendar).timestamp_micros());
    results.award = Some(award);
    c.row.results = Some(json(&results)?);
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    let mut rows = vec![digest(EvaluationRow::TABLE, &c.row.id, c.row.digest())];
    if let Some(s) = apply_section(
        &mut *tx,
        &c.row.section_id,
        from,
        EvaluationEvent::PublishCandidates,
        now,
    )
    .await?
    {
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "evaluation.candidates.publish",
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "candidates": count }),
    )
    .await?;
    tx.commit().await?;
    Ok(c.row)
}

/// [`raise_objection_at`] on the server's clock.
pub async fn raise_objection(
    app: &App,
    actor: &Actor,
    id: &str,
    party_id: &str,
    text: &str,
) -> AppResult<EvaluationAct> {
    raise_objection_at(app, actor, id, party_id, text, now_micros()).await
}

/// 对评标结果提出异议: a bidder, during the publicity only (after it: 409
/// `evaluation.objection.late`); the award pauses and the section is suspended until answered.
pub async fn raise_objection_at(
    app: &App,
    actor: &Actor,
    id: &str,
    party_id: &str,
    text: &str,
    now: i64,
) -> AppResult<EvaluationAct> {
    let mut tx = app.store.write().await?;
    let mut c = load(&mut *tx, id).await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    if text.trim().is_empty() {
        return Err(Problem::invalid(
            "evaluation.objection.text",
            "异议应当写明事实和理由。",
            "An objection states its facts and reasons.",
        )
        .into());
    }
    let (_, award) = award_of(&c.row)?;
    let (Some(from_at), Some(until)) = (award.published_at, award.publicity_until) else {
        return Err(Problem::conflict(
            "evaluation.objection.early",
            "中标候选人尚未公示，不能对评标结果提出异议。",
            "The candidates are not published yet; there is no result to object to.",
        )
        .into());
    };
    if let Err(v) = objection_in_time(utc(from_at), utc(until), utc(now)) {
        return Err(Problem::conflict(v.code, v.message, v.message_en).into());
    }
    let from = c.status;
    let st = lifecycle::next_state(from, EvaluationEvent::RaiseObjection)?;
    let body = ObjectionBody {
        party_id: party.id.clone(),
        text: text.trim().to_string(),
        answer_due: objection_answer_due(utc(now), &app.calendar().calendar).timestamp_micros(),
    };
    let act = EvaluationAct {
        id: new_id(),
        evaluation_id: c.row.id.clone(),
        member_id: party.id.clone(),
        kind: OBJECTION.into(),
        subject: new_id(),
        body: json(&body)?,
        created_at: now,
    };
    tx.insert_act(&act).await?;
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    let mut rows = vec![
        digest(EvaluationAct::TABLE, &act.id, act.digest()),
        digest(EvaluationRow::TABLE, &c.row.id, c.row.digest()),
    ];
    if let Some(s) = apply_section(
        &mut *tx,
        &c.row.section_id,
        from,
        EvaluationEvent::RaiseObjection,
        now,
    )
    .await?
    {
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "evaluation.objection.raise",
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "objection": act.id, "answer_due": body.answer_due }),
    )
    .await?;
    tx.commit().await?;
    Ok(act)
}

/// The objections of an evaluation and their states.
pub(crate) fn objections(acts: &[EvaluationAct]) -> Vec<(EvaluationAct, ObjectionStatus)> {
    acts.iter()
        .filter(|a| a.kind == OBJECTION)
        .map(|o| {
            let st = acts
                .iter()
                .find(|a| a.kind == OBJECTION_ANSWER && a.subject == o.id)
                .map(|a| {
                    if a.body.starts_with("upheld") {
                        ObjectionStatus::Upheld
                    } else {
                        ObjectionStatus::Dismissed
                    }
                })
                .unwrap_or(ObjectionStatus::Pending);
            (o.clone(), st)
        })
        .collect()
}

/// 答复异议
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub objection_id: String,
    /// The objection is founded: the committee re-evaluates.
    pub upheld: bool,
    pub answer: String,
}

/// [`answer_objection_at`] on the server's clock.
pub async fn answer_objection(
    app: &App,
    actor: &Actor,
    id: &str,
    input: AnswerInput,
) -> AppResult<EvaluationRow> {
    answer_objection_at(app, actor, id, input, now_micros()).await
}

/// The tenderee answers an objection: dismissed (the last answer resumes the publicity's
/// outcome) or upheld (back to scoring for re-evaluation).
pub async fn answer_objection_at(
    app: &App,
    actor: &Actor,
    id: &str,
    input: AnswerInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let mut c = load(&mut *tx, id).await?;
    let (_, project) = section_ctx(&mut *tx, &c.row.section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    if input.answer.trim().is_empty() {
        return Err(Problem::invalid(
            "evaluation.objection.answer",
            "答复应当写明理由。",
            "An answer states its reasons.",
        )
        .into());
    }
    let acts = tx.list_acts(Some(id)).await?;
    match objections(&acts)
        .into_iter()
        .find(|(o, _)| o.id == input.objection_id)
    {
        None => return Err(Problem::not_found("异议", "Objection").into()),
        Some((_, st)) if st != ObjectionStatus::Pending => {
            return Err(Problem::conflict(
                "evaluation.objection.answered",
                "该异议已答复。",
                "The objection is already answered.",
            )
            .into());
        }
        Some(_) => {}
    }
    let event = if input.upheld {
        EvaluationEvent::UpholdObjection
    } else {
        EvaluationEvent::DismissObjection
    };
    let from = c.status;
    let st = lifecycle::next_state(from, event)?;
    let act = EvaluationAct {
        id: new_id(),
        evaluation_id: c.row.id.clone(),
        member_id: actor.user_id.clone(),
        kind: OBJECTION_ANSWER.into(),
        subject: input.objection_id.clone(),
        body: format!(
            "{}|{}",
            if input.upheld { "upheld" } else { "dismissed" },
            input.answer.trim()
        ),
        created_at: now,
    };
    tx.insert_act(&act).await?;
    if input.upheld {
        // Re-evaluation: the sheets stay on record; the results are recomputed on closing.
        c.row.results = None;
        c.row.report = None;
    }
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    let mut rows = vec![
        digest(EvaluationAct::TABLE, &act.id, act.digest()),
        digest(EvaluationRow::TABLE, &c.row.id, c.row.digest()),
    ];
    if let Some(s) = apply_section(&mut *tx, &c.row.section_id, from, event, now).await? {
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "evaluation.objection.answer",
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "objection": input.objection_id, "upheld": input.upheld }),
    )
    .await?;
    tx.commit().await?;
    Ok(c.row)
}

/// A candidate passed over (条例 Art. 55).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PassedOver {
    pub bid_id: String,
    /// `abandoned`, `force_majeure`, `no_performance_bond` or `misconduct`.
    pub reason: String,
    pub note: String,
}

/// 定标
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AwardInput {
    /// The winner's bid id (rank 1 unless passed over).
    pub winner: String,
    #[serde(default)]
    pub passed_over: Vec<PassedOver>,
}

/// [`award_at`] on the server's clock.
pub async fn award(
    app: &App,
    actor: &Actor,
    id: &str,
    input: AwardInput,
) -> AppResult<EvaluationRow> {
    award_at(app, actor, id, input, now_micros()).await
}

/// 定标: after the publicity with no objection pending, the tenderee names the winner — rank 1
/// unless passed over with recorded reasons.
pub async fn award_at(
    app: &App,
    actor: &Actor,
    id: &str,
    input: AwardInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let mut c = load(&mut *tx, id).await?;
    let (_, project) = section_ctx(&mut *tx, &c.row.section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let (mut results, mut award) = award_of(&c.row)?;
    let Some(until) = award.publicity_until.filter(|_| {
        matches!(
            c.status.state,
            EvaluationState::CandidatesPublished | EvaluationState::ObjectionPending
        )
    }) else {
        return Err(Problem::conflict(
            "evaluation.award.not_published",
            "中标候选人尚未公示，不能定标。",
            "The candidates are not published; no award yet.",
        )
        .into());
    };
    let acts = tx.list_acts(Some(id)).await?;
    let states: Vec<ObjectionStatus> = objections(&acts).into_iter().map(|(_, s)| s).collect();
    may_award(utc(now), utc(until), &states)?;
    let candidates: Vec<_> = results
        .ranking
        .iter()
        .filter(|r| award.candidates.contains(&r.bid))
        .cloned()
        .collect();
    let mut passed = Vec::new();
    for p in &input.passed_over {
        passed.push(Disqualification {
            bid: p.bid_id.clone(),
            reason: DisqualificationReason::parse(&p.reason).ok_or_else(|| {
                Problem::invalid(
                    "evaluation.award.reason",
                    "不确定为中标人的理由应为条例第五十五条所列情形。",
                    "A candidate is passed over only for a reason of 条例 Art. 55.",
                )
            })?,
            note: p.note.clone(),
        });
    }
    let decision = decide_award(true, &candidates, &passed, Some(&input.winner))?;
    let AwardDecision::Award { winner, .. } = decision else {
        return Err(Problem::invalid(
            "evaluation.award.winner",
            "应当确定中标人。",
            "Name the winner.",
        )
        .into());
    };
    let from = c.status;
    let st = lifecycle::next_state(from, EvaluationEvent::Award)?;
    award.winner = Some(winner.clone());
    award.awarded_at = Some(now);
    results.award = Some(award);
    c.row.results = Some(json(&results)?);
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    let mut rows = vec![digest(EvaluationRow::TABLE, &c.row.id, c.row.digest())];
    if let Some(s) = apply_section(
        &mut *tx,
        &c.row.section_id,
        from,
        EvaluationEvent::Award,
        now,
    )
    .await?
    {
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "evaluation.award",
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "winner": winner, "passed_over": passed.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(c.row)
}
