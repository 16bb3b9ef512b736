//! 组建评标委员会与初步评审: the trading centre starts the evaluation of an opened section with a
//! scoring template and the draw's checked-in committee; the leader records the pass/fail review.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::evaluation::committee::check_composition;
use yiwang_core::evaluation::qualification::{check_exclusions, may_reject_all, qualified_bids};
use yiwang_core::evaluation::ranking::rank_lowest_price;
use yiwang_core::evaluation::template::validate_template;
use yiwang_core::evaluation::{
    EvaluatedPrice, EvaluationEvent, EvaluationStatus, Exclusion, ExclusionReason, ScoringTemplate,
    TemplatePolicy, lifecycle,
};
use yiwang_core::experts::roster::Roster;
use yiwang_core::experts::{DrawStatus, SeatState};
use yiwang_core::trading::{AwardMethod, SectionEvent, SectionState};
use yiwang_store::prelude::*;
use yiwang_store::{EvaluationReview, EvaluationRow, TradingProject, TradingSection};

use super::{
    Ctx, Member, Results, as_member, bid_prices, json, load, notify_members, parse_json, violations,
};
use crate::trading::{performs, section_ctx, set_status, status_of};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

const HOUR: i64 = 3_600_000_000;

/// The grant by which `actor` runs evaluations for the project's trading centre.
pub(crate) async fn centre<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    project: &TradingProject,
) -> AppResult<&'a Grant> {
    let path = crate::trading::org_path(tx, &project.centre_org_id).await?;
    Ok(access::authorize(
        actor,
        Permission::RunEvaluation,
        Scope::Org(&path),
    )?)
}

/// 开始评标: what the centre gives.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartInput {
    pub section_id: String,
    /// The draw whose checked-in committee evaluates.
    pub draw_id: String,
    /// 评标办法模板 (`yiwang_core::evaluation::ScoringTemplate`).
    #[schema(value_type = Object)]
    pub template: ScoringTemplate,
    /// The expert id of the committee leader (评标委员会负责人), one of the members.
    pub leader: String,
    /// The tenderee's representative (招标人代表), by account, if the tenderee sends one.
    pub representative_user_id: Option<String>,
    /// Planned length in hours (default 8).
    pub hours: Option<i64>,
}

/// [`start_at`] on the server's clock.
pub async fn start(app: &App, actor: &Actor, input: StartInput) -> AppResult<EvaluationRow> {
    start_at(app, actor, input, now_micros()).await
}

fn conflict(code: &str, zh: &str, en: &str) -> AppError {
    Problem::conflict(code, zh, en).into()
}

/// The trading centre starts the evaluation at `now`: the section must be opened, the draw its
/// own with the committee checked in, the template valid under the platform's policy.
pub async fn start_at(
    app: &App,
    actor: &Actor,
    input: StartInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, &input.section_id).await?;
    let grant = centre(&mut *tx, actor, &project).await?;
    performs(grant, SectionEvent::StartEvaluation)?;
    let policy = TemplatePolicy {
        max_price_weight: Some(super::max_price_weight()),
        ..TemplatePolicy::default()
    };
    let v = validate_template(&input.template, &policy);
    if !v.is_empty() {
        return Err(violations(
            "evaluation.template",
            "评标办法模板不符合规定",
            "The scoring template breaks the rules",
            &v,
        ));
    }
    let hours = input.hours.unwrap_or(8);
    if !(1..=72).contains(&hours) {
        return Err(Problem::invalid(
            "evaluation.hours",
            "评标时长应为1至72小时。",
            "The evaluation lasts 1 to 72 hours.",
        )
        .into());
    }
    let d = tx
        .get_draw(&input.draw_id)
        .await?
        .filter(|d| d.section_id == s.id)
        .ok_or_else(|| AppError::from(Problem::not_found("抽取申请", "Draw")))?;
    let st = crate::experts::draws::draw_status(&d)?;
    let roster: Option<Roster> = match &d.roster {
        Some(r) => Some(parse_json(r, "roster")?),
        None => None,
    };
    let roster = match roster {
        Some(r)
            if matches!(st, DrawStatus::Drawn | DrawStatus::Revealed)
                && d.checked_in_at.is_some()
                && r.is_complete() =>
        {
            r
        }
        _ => {
            return Err(conflict(
                "evaluation.committee.not_checked_in",
                "评标委员会成员尚未全部签到，不能开始评标。",
                "The committee is not fully checked in; the evaluation cannot start.",
            ));
        }
    };
    let mut members = Vec::new();
    for seat in roster
        .lines
        .iter()
        .flat_map(|l| l.seats.iter())
        .filter(|x| x.state == SeatState::CheckedIn)
    {
        let e = tx.get_expert(&seat.expert_id).await?.ok_or_else(|| {
            AppError::Internal(format!("seat of unknown expert {}", seat.expert_id))
        })?;
        members.push(Member {
            id: e.id.clone(),
            user_id: e.user_id.clone(),
            name: e.name.clone(),
            kind: "expert".into(),
        });
    }
    let experts = members.len();
    if let Some(u) = &input.representative_user_id {
        let user = tx
            .get_user(u)
            .await?
            .ok_or_else(|| AppError::from(Problem::not_found("招标人代表", "Representative")))?;
        members.push(Member {
            id: format!("rep-{}", user.id),
            user_id: Some(user.id.clone()),
            name: user.display_name.clone(),
            kind: "representative".into(),
        });
    }
    let v = check_composition(members.len(), experts, 5);
    if !v.is_empty() {
        return Err(violations(
            "evaluation.committee",
            "评标委员会的组成不符合规定",
            "The committee's make-up breaks the rules",
            &v,
        ));
    }
    if !members
        .iter()
        .any(|m| m.id == input.leader && m.kind == "expert")
    {
        return Err(Problem::invalid(
            "evaluation.leader",
            "评标委员会负责人应当是评标委员会的专家成员。",
            "The leader must be one of the committee's experts.",
        )
        .into());
    }
    if tx
        .list_evaluations(Some(&s.id))
        .await?
        .iter()
        .any(|e| e.round == s.round)
    {
        return Err(conflict(
            "evaluation.exists",
            "本轮评标已经开始。",
            "This round's evaluation has already started.",
        ));
    }
    if status_of(&s)?.state != SectionState::Opened {
        return Err(conflict(
            "evaluation.section_not_opened",
            "标段尚未开标，不能开始评标。",
            "The section has not been opened; the evaluation cannot start.",
        ));
    }
    if bid_prices(&mut *tx, &s.id, s.round).await?.is_empty() {
        return Err(conflict(
            "evaluation.no_bids",
            "没有已解密的投标，不能开始评标。",
            "There is no decrypted bid to evaluate.",
        ));
    }
    let sst = yiwang_core::trading::next_state(status_of(&s)?, SectionEvent::StartEvaluation)?;
    set_status(&mut s, sst);
    s.updated_at = now;
    tx.update_section(&s).await?;
    let row = EvaluationRow {
        id: new_id(),
        section_id: s.id.clone(),
        round: s.round,
        draw_id: d.id.clone(),
        template: json(&input.template)?,
        members: json(&members)?,
        leader: input.leader.clone(),
        state: EvaluationStatus::CONVENED.state.as_str().into(),
        pending_objections: 0,
        extensions: 0,
        ends_at: now + hours * HOUR,
        results: None,
        report: None,
        created_by: actor.user_id.clone(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_evaluation(&row).await?;
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "evaluation.start",
        ("evaluation", &row.id),
        vec![
            digest(EvaluationRow::TABLE, &row.id, row.digest()),
            digest(TradingSection::TABLE, &s.id, s.digest()),
        ],
        serde_json::json!({
            "section_id": s.id, "draw_id": d.id, "template": input.template.name,
            "members": members.len(), "leader": row.leader,
        }),
    )
    .await?;
    notify_members(
        &mut *tx,
        &members,
        "evaluation.started",
        serde_json::json!({ "section": s.name, "evaluation_id": row.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// One bid's pass/fail result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewLine {
    pub bid_id: String,
    pub passed: bool,
    /// `yiwang_core::evaluation::ExclusionReason` of a rejection (`not_signed`, `below_cost`, …).
    pub reason: Option<String>,
    /// The facts found (required for a rejection).
    #[serde(default)]
    pub note: String,
}

/// 初步评审结果: one line per decrypted bid; `reject_all` when the committee rejects every bid
/// (评标委员会和评标方法暂行规定 Art. 27: allowed with fewer than 3 valid bids).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub lines: Vec<ReviewLine>,
    #[serde(default)]
    pub reject_all: bool,
}

/// [`review_at`] on the server's clock.
pub async fn review(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: ReviewInput,
) -> AppResult<EvaluationRow> {
    review_at(app, actor, evaluation_id, input, now_micros()).await
}

/// The leader records the review of every decrypted bid: the evaluation moves to scoring (or,
/// for the lowest evaluated price, straight to reporting with the ranking), or fails when no
/// bid passes or the committee rejects them all.
pub async fn review_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: ReviewInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let mut c = load(&mut *tx, evaluation_id).await?;
    c.leader_of(actor)?;
    let reviewing = lifecycle::next_state(c.status, EvaluationEvent::StartReview)?;
    let prices = bid_prices(&mut *tx, &c.row.section_id, c.row.round).await?;
    let reviewed: BTreeSet<String> = prices.keys().cloned().collect();
    let given: BTreeSet<String> = input.lines.iter().map(|l| l.bid_id.clone()).collect();
    if given != reviewed || given.len() != input.lines.len() {
        return Err(Problem::invalid(
            "evaluation.review.bids",
            "初步评审应当对每一份已解密的投标各作出一项结论。",
            "The review must give exactly one result for every decrypted bid.",
        )
        .into());
    }
    let mut exclusions = Vec::new();
    for l in input.lines.iter().filter(|l| !l.passed) {
        let reason = l
            .reason
            .as_deref()
            .and_then(ExclusionReason::parse)
            .ok_or_else(|| {
                Problem::invalid(
                    "evaluation.review.reason",
                    "否决投标应当写明否决的情形。",
                    "A rejection must name its reason.",
                )
            })?;
        exclusions.push(Exclusion {
            bid: l.bid_id.clone(),
            reason,
            note: l.note.trim().to_string(),
        });
    }
    check_exclusions(&reviewed, &exclusions)?;
    let passed = qualified_bids(&reviewed, &exclusions);
    if input.reject_all && !passed.is_empty() && !may_reject_all(passed.len()) {
        return Err(conflict(
            "evaluation.review.reject_all",
            "有效投标不少于3个，不能否决全部投标。",
            "With 3 or more valid bids the committee may not reject them all.",
        ));
    }
    let (s0, _) = section_ctx(&mut *tx, &c.row.section_id).await?;
    let mut s = s0;
    let mut rows = Vec::new();
    for l in &input.lines {
        let r = EvaluationReview {
            id: new_id(),
            evaluation_id: c.row.id.clone(),
            bid_id: l.bid_id.clone(),
            passed: i64::from(l.passed),
            reason: if l.passed { None } else { l.reason.clone() },
            note: l.note.trim().to_string(),
            created_at: now,
        };
        tx.insert_review(&r).await?;
        rows.push(digest(EvaluationReview::TABLE, &r.id, r.digest()));
    }
    let fail = input.reject_all || passed.is_empty();
    let event = if fail {
        EvaluationEvent::RejectAll
    } else {
        EvaluationEvent::FinishReview
    };
    let mut st = lifecycle::next_state(reviewing, event)?;
    for e in lifecycle::section_events(reviewing, event) {
        let sst = yiwang_core::trading::next_state(status_of(&s)?, *e)?;
        set_status(&mut s, sst);
    }
    if !fail && c.template.method == AwardMethod::LowestEvaluatedPrice {
        // 经评审的最低投标价法: no expert scores; the review's result ranks by price.
        let bids: Vec<EvaluatedPrice> = prices
            .iter()
            .filter(|(b, _)| passed.contains(*b))
            .map(|(b, p)| EvaluatedPrice {
                bid: b.clone(),
                price: *p,
                adjustments: Decimal::ZERO,
            })
            .collect();
        let ranking = rank_lowest_price(&bids, &exclusions);
        c.row.results = Some(json(&Results {
            price_base: None,
            scores: vec![],
            ranking,
            award: None,
        })?);
        st = lifecycle::next_state(st, EvaluationEvent::CloseScoring)?;
    }
    c.set_status(st, now);
    tx.update_evaluation(&c.row).await?;
    rows.insert(0, digest(EvaluationRow::TABLE, &c.row.id, c.row.digest()));
    if fail {
        s.updated_at = now;
        tx.update_section(&s).await?;
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &as_member(actor),
        if fail {
            "evaluation.reject_all"
        } else {
            "evaluation.review"
        },
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({ "passed": passed.len(), "rejected": exclusions.len(), "state": c.row.state }),
    )
    .await?;
    tx.commit().await?;
    Ok(c.row)
}

/// The evaluation a caller may act on, for the scoring and report use cases.
pub(crate) async fn member_ctx(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    id: &str,
) -> AppResult<(Ctx, Member)> {
    let c = load(tx, id).await?;
    let m = c.member_of(actor)?.clone();
    Ok((c, m))
}
