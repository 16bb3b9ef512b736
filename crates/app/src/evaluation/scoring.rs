//! 独立评分: members submit their sheets alone, see the others' only after submitting, explain
//! flagged scores, and vote on the time; the platform closes the scoring and ranks when
//! everything is in.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::evaluation::committee::extension_required;
use yiwang_core::evaluation::price::price_scores;
use yiwang_core::evaluation::ranking::rank_comprehensive;
use yiwang_core::evaluation::scoring::{
    aggregate, check_outlier_reasons, check_sheet, may_see_scores, outliers,
};
use yiwang_core::evaluation::{
    EvaluationEvent, EvaluationState, OutlierFlag, OutlierReason, ScoreEntry, ScoreSheet, lifecycle,
};
use yiwang_store::prelude::*;
use yiwang_store::{EvaluationAct, EvaluationRow, EvaluationSheet};

use super::start::member_ctx;
use super::{
    Ctx, OUTLIER_REASON, Results, TIME_VOTE, as_member, bid_prices, exclusions, json,
    notify_members, parse_json, qualified, submitted, violations,
};
use crate::{App, AppError, AppResult, digest, new_id, now_micros, record};

/// How long one extension adds (half a working day).
pub const EXTENSION_MICROS: i64 = 4 * 3_600_000_000;

/// One sheet of a submission.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SheetInput {
    pub bid_id: String,
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<ScoreEntry>,
}

/// 提交评分: the member's sheets for every valid bid, at once.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmitInput {
    pub sheets: Vec<SheetInput>,
}

fn sheet_of(s: &EvaluationSheet) -> AppResult<ScoreSheet> {
    Ok(ScoreSheet {
        expert: s.member_id.clone(),
        bid: s.bid_id.clone(),
        entries: parse_json(&s.entries, "score entries")?,
    })
}

fn not_scoring(c: &Ctx) -> AppError {
    Problem::conflict(
        "evaluation.not_scoring",
        format!("评标处于“{}”阶段，不能评分。", c.status.state.label_zh()),
        format!(
            "The evaluation is at “{}”, not scoring.",
            c.status.state.label_en().to_lowercase()
        ),
    )
    .into()
}

/// [`submit_at`] on the server's clock.
pub async fn submit(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: SubmitInput,
) -> AppResult<EvaluationRow> {
    submit_at(app, actor, evaluation_id, input, now_micros()).await
}

/// A member submits its sheets for every valid bid (each checked against the template; every
/// violation listed). Sheets are final once submitted. When the last member submits, the
/// platform flags outliers and, with none left unexplained, closes the scoring.
pub async fn submit_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: SubmitInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let (mut c, me) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    if c.status.state != EvaluationState::Scoring {
        return Err(not_scoring(&c));
    }
    let reviews = tx.list_reviews(Some(evaluation_id)).await?;
    let valid = qualified(&reviews);
    let existing = tx.list_sheets(Some(evaluation_id)).await?;
    if existing.iter().any(|s| s.member_id == me.id) {
        return Err(Problem::conflict(
            "evaluation.sheets.submitted",
            "您已提交评分，评分提交后不能修改。",
            "You have already submitted your scores; they cannot be changed.",
        )
        .into());
    }
    let given: BTreeSet<String> = input.sheets.iter().map(|s| s.bid_id.clone()).collect();
    if given != valid || given.len() != input.sheets.len() {
        return Err(Problem::invalid(
            "evaluation.sheets.bids",
            "应当对每一份通过初步评审的投标各提交一份评分表。",
            "Submit exactly one sheet for every bid that passed the review.",
        )
        .into());
    }
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for s in &input.sheets {
        let sheet = ScoreSheet {
            expert: me.id.clone(),
            bid: s.bid_id.clone(),
            entries: s.entries.clone(),
        };
        problems.extend(check_sheet(&c.template, &sheet));
        let row = EvaluationSheet {
            id: new_id(),
            evaluation_id: c.row.id.clone(),
            member_id: me.id.clone(),
            bid_id: s.bid_id.clone(),
            entries: json(&s.entries)?,
            submitted_at: now,
        };
        rows.push(row);
    }
    if !problems.is_empty() {
        return Err(violations(
            "evaluation.sheet",
            "评分表不符合评标办法",
            "The score sheets do not agree with the template",
            &problems,
        ));
    }
    let mut digests = Vec::new();
    for r in &rows {
        tx.insert_sheet(r).await?;
        digests.push(digest(EvaluationSheet::TABLE, &r.id, r.digest()));
    }
    record(
        &mut *tx,
        &as_member(actor),
        "evaluation.sheets.submit",
        ("evaluation", &c.row.id),
        digests,
        serde_json::json!({ "member": me.id, "sheets": rows.len() }),
    )
    .await?;
    let mut all = existing;
    all.extend(rows);
    let flags = flags_of(&c, &valid, &all)?;
    if !flags.is_empty() && submitted(&c.member_ids(), &valid, &all).len() == c.members.len() {
        let (s, _) = crate::trading::section_ctx(&mut *tx, &c.row.section_id).await?;
        let flagged: BTreeSet<&str> = flags.iter().map(|f| f.expert.as_str()).collect();
        let who: Vec<super::Member> = c
            .members
            .iter()
            .filter(|m| flagged.contains(m.id.as_str()))
            .cloned()
            .collect();
        notify_members(
            &mut *tx,
            &who,
            "evaluation.outlier",
            serde_json::json!({ "section": s.name, "evaluation_id": c.row.id }),
        )
        .await?;
    }
    try_close(&mut *tx, &mut c, &all, now).await?;
    tx.commit().await?;
    Ok(c.row)
}

/// The outlier flags once every member has submitted (none before: a flag compares with the
/// others' scores).
fn flags_of(
    c: &Ctx,
    valid: &BTreeSet<String>,
    sheets: &[EvaluationSheet],
) -> AppResult<Vec<OutlierFlag>> {
    if submitted(&c.member_ids(), valid, sheets).len() != c.members.len() {
        return Ok(vec![]);
    }
    let parsed: Vec<ScoreSheet> = sheets
        .iter()
        .filter(|s| valid.contains(&s.bid_id))
        .map(sheet_of)
        .collect::<AppResult<_>>()?;
    Ok(outliers(&c.template, &parsed))
}

fn reasons_of(acts: &[EvaluationAct]) -> Vec<OutlierReason> {
    acts.iter()
        .filter(|a| a.kind == OUTLIER_REASON)
        .filter_map(|a| {
            let (bid, criterion) = a.subject.split_once('|')?;
            Some(OutlierReason {
                bid: bid.into(),
                expert: a.member_id.clone(),
                criterion: criterion.into(),
                reason: a.body.clone(),
            })
        })
        .collect()
}

/// 结束评分: when every member has submitted and every flagged score is explained, aggregates
/// and ranks exactly as the template says and moves the evaluation to reporting.
async fn try_close(
    tx: &mut dyn WriteTx,
    c: &mut Ctx,
    sheets: &[EvaluationSheet],
    now: i64,
) -> AppResult<bool> {
    let reviews = tx.list_reviews(Some(&c.row.id)).await?;
    let valid = qualified(&reviews);
    if submitted(&c.member_ids(), &valid, sheets).len() != c.members.len() {
        return Ok(false);
    }
    let acts = tx.list_acts(Some(&c.row.id)).await?;
    let flags = flags_of(c, &valid, sheets)?;
    if !check_outlier_reasons(&flags, &reasons_of(&acts)).is_empty() {
        return Ok(false);
    }
    let st = lifecycle::next_state(c.status, EvaluationEvent::CloseScoring)?;
    let prices: BTreeMap<String, Decimal> = bid_prices(&mut *tx, &c.row.section_id, c.row.round)
        .await?
        .into_iter()
        .filter(|(b, _)| valid.contains(b))
        .collect();
    let weight = c
        .template
        .price_criterion()
        .map(|p| p.weight)
        .unwrap_or(Decimal::ZERO);
    let list: Vec<(String, Decimal)> = prices.iter().map(|(b, p)| (b.clone(), *p)).collect();
    let (base, scores) = price_scores(
        &c.template.price_formula,
        weight,
        c.template.score_decimals,
        &list,
    )?;
    let price_map: BTreeMap<String, Decimal> = scores.into_iter().collect();
    let parsed: Vec<ScoreSheet> = sheets.iter().map(sheet_of).collect::<AppResult<_>>()?;
    let bid_scores = aggregate(&c.template, &c.member_ids(), &price_map, &parsed)?;
    let excl = exclusions(&reviews)?;
    let ranking = rank_comprehensive(&c.template, &bid_scores, &prices, &excl)?;
    c.row.results = Some(json(&Results {
        price_base: base.map(|b| b.base),
        scores: bid_scores,
        ranking,
        award: None,
    })?);
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    crate::record(
        &mut *tx,
        &crate::Acting::system(),
        "evaluation.scoring.close",
        ("evaluation", &c.row.id),
        vec![digest(EvaluationRow::TABLE, &c.row.id, c.row.digest())],
        serde_json::json!({ "flags": flags.len() }),
    )
    .await?;
    Ok(true)
}

/// A flagged score as its author sees it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlagView {
    pub bid_id: String,
    pub criterion: String,
    pub points: String,
    pub median: String,
    pub explained: bool,
}

/// Every sheet of the evaluation, for a member who has submitted its own.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoresView {
    pub sheets: Vec<EvaluationSheet>,
    /// The caller's own flagged scores (they need a written reason).
    pub my_flags: Vec<FlagView>,
}

/// 查看评分: a member sees the others' sheets only after submitting its own (403
/// `evaluation.scores.hidden` before). The centre does not see sheets here.
pub async fn scores(app: &App, actor: &Actor, evaluation_id: &str) -> AppResult<ScoresView> {
    let mut tx = app.store.read().await?;
    let (c, me) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    let reviews = tx.list_reviews(Some(evaluation_id)).await?;
    let valid = qualified(&reviews);
    let sheets = tx.list_sheets(Some(evaluation_id)).await?;
    let done = submitted(&c.member_ids(), &valid, &sheets);
    if !may_see_scores(&me.id, &done) {
        return Err(Problem::new(
            yiwang_core::ProblemKind::Forbidden,
            "evaluation.scores.hidden",
            "提交本人评分之前，不能查看其他成员的评分。",
            "The others' scores stay hidden until you have submitted yours.",
        )
        .into());
    }
    let acts = tx.list_acts(Some(evaluation_id)).await?;
    let reasons = reasons_of(&acts);
    let my_flags = flags_of(&c, &valid, &sheets)?
        .into_iter()
        .filter(|f| f.expert == me.id)
        .map(|f| FlagView {
            explained: reasons
                .iter()
                .any(|r| r.bid == f.bid && r.expert == f.expert && r.criterion == f.criterion),
            bid_id: f.bid,
            criterion: f.criterion,
            points: f.points.to_string(),
            median: f.median.to_string(),
        })
        .collect();
    Ok(ScoresView { sheets, my_flags })
}

/// 偏离说明: the written reason for one of the member's flagged scores.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExplainInput {
    pub bid_id: String,
    pub criterion: String,
    pub reason: String,
}

/// [`explain_at`] on the server's clock.
pub async fn explain(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: ExplainInput,
) -> AppResult<EvaluationRow> {
    explain_at(app, actor, evaluation_id, input, now_micros()).await
}

/// A member explains one of its flagged scores in writing; the last explanation closes the
/// scoring.
pub async fn explain_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: ExplainInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let (mut c, me) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    if c.status.state != EvaluationState::Scoring {
        return Err(not_scoring(&c));
    }
    if input.reason.trim().is_empty() {
        return Err(Problem::invalid(
            "evaluation.outlier.reason",
            "偏离说明不能为空。",
            "The written reason must not be empty.",
        )
        .into());
    }
    let reviews = tx.list_reviews(Some(evaluation_id)).await?;
    let valid = qualified(&reviews);
    let sheets = tx.list_sheets(Some(evaluation_id)).await?;
    let flagged = flags_of(&c, &valid, &sheets)?
        .into_iter()
        .any(|f| f.expert == me.id && f.bid == input.bid_id && f.criterion == input.criterion);
    if !flagged {
        return Err(Problem::conflict(
            "evaluation.outlier.not_flagged",
            "该评分未被标记为明显偏离，无需说明。",
            "That score is not flagged; no reason is needed.",
        )
        .into());
    }
    let subject = format!("{}|{}", input.bid_id, input.criterion);
    let acts = tx.list_acts(Some(evaluation_id)).await?;
    if acts
        .iter()
        .any(|a| a.kind == OUTLIER_REASON && a.member_id == me.id && a.subject == subject)
    {
        return Err(Problem::conflict(
            "evaluation.outlier.explained",
            "该评分已作出说明。",
            "That score is already explained.",
        )
        .into());
    }
    let act = EvaluationAct {
        id: new_id(),
        evaluation_id: c.row.id.clone(),
        member_id: me.id.clone(),
        kind: OUTLIER_REASON.into(),
        subject,
        body: input.reason.trim().to_string(),
        created_at: now,
    };
    tx.insert_act(&act).await?;
    record(
        &mut *tx,
        &as_member(actor),
        "evaluation.outlier.explain",
        ("evaluation", &c.row.id),
        vec![digest(EvaluationAct::TABLE, &act.id, act.digest())],
        serde_json::json!({ "member": me.id, "bid": input.bid_id, "criterion": input.criterion }),
    )
    .await?;
    try_close(&mut *tx, &mut c, &sheets, now).await?;
    tx.commit().await?;
    Ok(c.row)
}

/// [`vote_time_at`] on the server's clock.
pub async fn vote_time(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    not_enough: bool,
) -> AppResult<EvaluationRow> {
    vote_time_at(app, actor, evaluation_id, not_enough, now_micros()).await
}

/// 评标时间是否足够: a member's vote for the current period. When more than a third of the members
/// say the time is not enough, the evaluation is extended by [`EXTENSION_MICROS`] (条例 Art. 48
/// makes it the tenderee's duty; the platform applies it as soon as the votes carry) and a new
/// period of votes begins.
pub async fn vote_time_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    not_enough: bool,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let (mut c, me) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    let extended = lifecycle::next_state(c.status, EvaluationEvent::ExtendTime)?;
    let subject = format!("period-{}", c.row.extensions);
    let acts = tx.list_acts(Some(evaluation_id)).await?;
    if acts
        .iter()
        .any(|a| a.kind == TIME_VOTE && a.member_id == me.id && a.subject == subject)
    {
        return Err(Problem::conflict(
            "evaluation.time_vote.cast",
            "您已就本时段的评标时间表态。",
            "You have already voted on the time of this period.",
        )
        .into());
    }
    let act = EvaluationAct {
        id: new_id(),
        evaluation_id: c.row.id.clone(),
        member_id: me.id.clone(),
        kind: TIME_VOTE.into(),
        subject: subject.clone(),
        body: if not_enough { "not_enough" } else { "enough" }.into(),
        created_at: now,
    };
    tx.insert_act(&act).await?;
    let mut rows = vec![digest(EvaluationAct::TABLE, &act.id, act.digest())];
    let votes: BTreeSet<String> = acts
        .iter()
        .chain(std::iter::once(&act))
        .filter(|a| a.kind == TIME_VOTE && a.subject == subject && a.body == "not_enough")
        .map(|a| a.member_id.clone())
        .collect();
    let extend = extension_required(&c.member_ids(), &votes);
    if extend {
        c.row.extensions += 1;
        c.row.ends_at = c.row.ends_at.max(now) + EXTENSION_MICROS;
        c.set_status(extended, now);
        tx.update_evaluation(&c.row).await?;
        rows.push(digest(EvaluationRow::TABLE, &c.row.id, c.row.digest()));
    }
    record(
        &mut *tx,
        &as_member(actor),
        if extend {
            "evaluation.time.extend"
        } else {
            "evaluation.time.vote"
        },
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "member": me.id, "not_enough": not_enough, "votes": votes.len() }),
    )
    .await?;
    if extend {
        let (s, _) = crate::trading::section_ctx(&mut *tx, &c.row.section_id).await?;
        let ends = yiwang_core::time::from_micros(c.row.ends_at)
            .with_timezone(&yiwang_core::time::shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        notify_members(
            &mut *tx,
            &c.members,
            "evaluation.extended",
            serde_json::json!({ "section": s.name, "ends": ends, "evaluation_id": c.row.id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(c.row)
}
