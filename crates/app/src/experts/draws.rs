//! 随机抽取: draw requests by the trading centre and their one verifiable attempt.
//!
//! The ledger holds, in this order (`yiwang_core::experts::draw` documents why):
//! 1. `experts.draw.commit` — the commitment SM3(secret) of a secret derived from the platform
//!    key and the draw's id (HMAC-SM3, so no secret is stored before the reveal);
//! 2. `experts.draw.request` — the request and its digest (the row is written here);
//! 3. `experts.draw.pool` — the eligible pool after avoidance and its digest, with the funnel;
//! 4. `experts.draw.entropy` — the late entropy: the hash of entry 3 (which did not exist when
//!    the secret was committed) and the operator's typed contribution, if any;
//! 5. `experts.draw.attempt` — the result, filled or failed with the rule that emptied the pool;
//!    a request has exactly one attempt, so a draw cannot be repeated until it pleases;
//! 6. `experts.draw.reveal` — after the evaluation, the secret: anyone recomputes the draw from
//!    [`public_record`] (`yiwang draw verify`, `POST /api/v1/draws/verify`).

use std::collections::{HashMap, HashSet};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sm3::Sm3;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::experts::avoidance::{
    AvoidanceConfig, Engagement, SectionParties, ShortfallCause,
};
use yiwang_core::experts::draw::{Shortfall, request_digest};
use yiwang_core::experts::request::{
    CommitteeKind, CommitteeRules, DrawLine, DrawRequest, validate_request, violations_problem,
};
use yiwang_core::experts::roster::Roster;
use yiwang_core::experts::{
    DrawRecord, DrawSecret, DrawStatus, LedgerPositions, PoolSnapshot, check_positions, screen,
};
use yiwang_core::ids::{CreditCode, RegionCode};
use yiwang_store::prelude::*;
use yiwang_store::{DrawInvitation, DrawRequestRow, TradingProject};

use super::{children, expert_of, json, local_date, not_found_draw, parse_json, tree};
use crate::notify::{self, Channel};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};
use yiwang_core::ledger::RowDigest;

/// The stored status of a draw, parsed.
pub(crate) fn draw_status(d: &DrawRequestRow) -> AppResult<DrawStatus> {
    DrawStatus::parse(&d.status)
        .ok_or_else(|| AppError::Internal(format!("draw {} has an unknown status", d.id)))
}

/// The default time an expert has to answer an invitation.
pub const DEFAULT_ANSWER_MINUTES: u32 = 30;

/// 抽取申请 as the operator enters it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DrawInput {
    pub section_id: String,
    /// `tender_evaluation`, `procurement_evaluation`, `negotiation_group`, …
    pub committee: String,
    /// 招标人代表 sitting on the committee.
    #[serde(default)]
    pub representatives: u32,
    /// Budget (yuan, decimal text) for the ≥ 7 rule of large procurements.
    pub budget: Option<String>,
    #[serde(default)]
    pub complex_or_high_impact: bool,
    /// When the evaluation starts (micros); its Beijing date is the evaluation date.
    pub starts_at: i64,
    /// 评标地点
    pub place: String,
    /// Specialty lines: counts, local or remote pools, reserves, fallback pools.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<DrawLine>,
    /// Minutes an invited expert has to answer (default 30).
    pub answer_minutes: Option<u32>,
}

/// Why a draw was not filled, line by line, in words.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShortfallView {
    #[schema(value_type = Object)]
    pub shortfall: Shortfall,
    pub message: String,
    pub message_en: String,
}

type HmacSm3 = Hmac<Sm3>;

/// The secret of a draw: HMAC-SM3 under the platform key of the draw's id. Nothing secret is
/// stored; the platform can reproduce it for the reveal and nobody without the key can.
pub(crate) fn secret_of(app: &App, draw_id: &str) -> DrawSecret {
    let mut mac = HmacSm3::new_from_slice(app.platform_key().secret_hex().as_bytes())
        .expect("any key length");
    mac.update(b"yiwang-draw-v1/secret\x1f");
    mac.update(draw_id.as_bytes());
    DrawSecret::from_bytes(mac.finalize().into_bytes().into())
}

fn bad(code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    Problem::invalid(format!("draw.{code}"), zh, en).into()
}

/// The grant by which `actor` draws for the project's trading centre.
pub(crate) async fn draw_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    centre_org_id: &str,
) -> AppResult<&'a Grant> {
    let path = crate::trading::org_path(tx, centre_org_id).await?;
    Ok(access::authorize(
        actor,
        Permission::DrawExperts,
        Scope::Org(&path),
    )?)
}

/// The draw's own operator (need-to-know: one person runs a draw).
pub(crate) async fn operator_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    d: &DrawRequestRow,
) -> AppResult<&'a Grant> {
    let g = draw_grant(tx, actor, &d.centre_org_id).await?;
    if actor.user_id != d.operator_id {
        return Err(Problem::forbidden().into());
    }
    Ok(g)
}

async fn next_seq(tx: &mut dyn WriteTx) -> AppResult<i64> {
    Ok(tx.ledger_head().await?.0 + 1)
}

fn check_seq(expected: i64, got: i64) -> AppResult<()> {
    if expected == got {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "ledger sequence moved: expected {expected}, got {got}"
        )))
    }
}

/// 抽取申请: the platform commits to its secret, then the request is recorded. Nothing is drawn
/// yet ([`run_draw`]).
pub async fn request_draw(app: &App, actor: &Actor, input: DrawInput) -> AppResult<DrawRequestRow> {
    request_draw_at(app, actor, input, now_micros()).await
}

pub async fn request_draw_at(
    app: &App,
    actor: &Actor,
    input: DrawInput,
    now: i64,
) -> AppResult<DrawRequestRow> {
    let committee = CommitteeKind::parse(&input.committee).ok_or_else(|| {
        bad(
            "committee",
            "未知的评审组织形式。",
            "Unknown committee kind.",
        )
    })?;
    let place = input.place.trim().to_string();
    if place.is_empty() || place.chars().count() > 200 {
        return Err(bad(
            "place",
            "评标地点不能为空且不超过200个字符。",
            "The place must be 1 to 200 characters.",
        ));
    }
    if input.starts_at <= now {
        return Err(bad(
            "starts_past",
            "评标开始时间应晚于现在。",
            "The evaluation must start in the future.",
        ));
    }
    let budget = match &input.budget {
        Some(b) => Some(crate::trading::money(b, "budget")?),
        None => None,
    };
    let answer_minutes = input.answer_minutes.unwrap_or(DEFAULT_ANSWER_MINUTES);
    if !(1..=24 * 60).contains(&answer_minutes) {
        return Err(bad(
            "answer_minutes",
            "应答时限应为1至1440分钟。",
            "The answer time must be 1 to 1440 minutes.",
        ));
    }
    let mut tx = app.store.write().await?;
    let (section, project) = crate::trading::section_ctx(&mut *tx, &input.section_id).await?;
    let grant = draw_grant(&mut *tx, actor, &project.centre_org_id).await?;
    let by = Acting::as_grant(actor, grant);
    let centre = tx
        .get_organisation(&project.centre_org_id)
        .await?
        .ok_or_else(|| AppError::Internal("centre without organisation".into()))?;
    let local_area = RegionCode::parse(&centre.region_code).map_err(Problem::from)?;
    let req = DrawRequest {
        section_id: section.id.clone(),
        committee,
        local_area,
        representatives: input.representatives,
        budget,
        complex_or_high_impact: input.complex_or_high_impact,
        evaluation_date: local_date(input.starts_at),
        lines: input.lines,
    };
    let problems = validate_request(&req, tree(), &CommitteeRules::default(), local_date(now));
    if let Some(p) = violations_problem(&problems) {
        return Err(p.into());
    }
    let id = new_id();
    let secret = secret_of(app, &id);
    let commitment = secret.commitment();
    let commit = record(
        &mut *tx,
        &by,
        "experts.draw.commit",
        ("draw_request", &id),
        vec![],
        serde_json::json!({ "commitment": commitment, "algorithm": yiwang_core::experts::draw::ALGORITHM }),
    )
    .await?;
    let request_seq = next_seq(&mut *tx).await?;
    let row = DrawRequestRow {
        id: id.clone(),
        section_id: section.id.clone(),
        centre_org_id: project.centre_org_id.clone(),
        operator_id: actor.user_id.clone(),
        status: DrawStatus::Requested.as_str().into(),
        request: json(&req)?,
        request_digest: request_digest(&req),
        commitment,
        commit_seq: commit.seq,
        request_seq,
        place,
        starts_at: input.starts_at,
        answer_secs: i64::from(answer_minutes) * 60,
        screening: None,
        pool: None,
        pool_digest: None,
        pool_seq: None,
        contributions: None,
        contribution_seq: None,
        result: None,
        result_seq: None,
        shortfalls: None,
        roster: None,
        checked_in_at: None,
        ended_at: None,
        secret: None,
        reveal_seq: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_draw(&row).await?;
    let entry = record(
        &mut *tx,
        &by,
        "experts.draw.request",
        ("draw_request", &id),
        vec![digest(DrawRequestRow::TABLE, &id, row.digest())],
        serde_json::json!({ "request_digest": row.request_digest, "section_id": row.section_id }),
    )
    .await?;
    check_seq(request_seq, entry.seq)?;
    tx.commit().await?;
    Ok(row)
}

/// The parties avoidance looks at: tenderee, agency and every bidder of the section (those who
/// downloaded the documents, opened a deposit account or submitted a bid).
async fn section_parties(
    tx: &mut dyn ReadTx,
    section_id: &str,
    project: &TradingProject,
) -> AppResult<SectionParties> {
    let code_of = |c: &str| CreditCode::parse(c).map_err(|e| AppError::from(Problem::from(e)));
    let tenderee = tx
        .get_party(&project.tenderee_id)
        .await?
        .ok_or_else(|| AppError::Internal("project without tenderee".into()))?;
    let agency = match &project.agency_id {
        Some(a) => match tx.get_party(a).await? {
            Some(p) => Some(code_of(&p.credit_code)?),
            None => None,
        },
        None => None,
    };
    let mut ids: Vec<String> = tx
        .list_downloads(Some(section_id))
        .await?
        .into_iter()
        .map(|d| d.party_id)
        .collect();
    ids.extend(
        tx.list_deposits(Some(section_id))
            .await?
            .into_iter()
            .map(|d| d.party_id),
    );
    ids.extend(
        tx.list_bids(Some(section_id))
            .await?
            .into_iter()
            .map(|b| b.party_id),
    );
    ids.sort();
    ids.dedup();
    let mut bidders = Vec::new();
    for id in ids {
        if let Some(p) = tx.get_party(&id).await? {
            bidders.push(code_of(&p.credit_code)?);
        }
    }
    Ok(SectionParties {
        tenderee: code_of(&tenderee.credit_code)?,
        agency,
        bidders,
        supervisors: vec![],
        principals: vec![],
    })
}

/// Engagements of every expert on other draws (seats not vacated): the same-day, same-tenderee
/// and minimum-gap rules look at them.
async fn engagements(
    tx: &mut dyn ReadTx,
    except: &str,
) -> AppResult<HashMap<String, Vec<Engagement>>> {
    let mut out: HashMap<String, Vec<Engagement>> = HashMap::new();
    let mut tenderee_of: HashMap<String, Option<CreditCode>> = HashMap::new();
    let draws: HashMap<String, DrawRequestRow> = tx
        .list_draws(None)
        .await?
        .into_iter()
        .filter(|d| d.id != except && d.result.is_some())
        .map(|d| (d.id.clone(), d))
        .collect();
    for inv in tx.list_invitations(None).await? {
        let Some(d) = draws.get(&inv.draw_id) else {
            continue;
        };
        let vacated =
            yiwang_core::experts::SeatState::parse(&inv.state).is_none_or(|s| s.is_vacated());
        if vacated {
            continue;
        }
        if !tenderee_of.contains_key(&d.section_id) {
            let (_, project) = crate::trading::section_ctx(&mut *tx, &d.section_id).await?;
            let code = match tx.get_party(&project.tenderee_id).await? {
                Some(p) => CreditCode::parse(&p.credit_code).ok(),
                None => None,
            };
            tenderee_of.insert(d.section_id.clone(), code);
        }
        let Some(Some(tenderee)) = tenderee_of.get(&d.section_id).cloned() else {
            continue;
        };
        out.entry(inv.expert_id.clone())
            .or_default()
            .push(Engagement {
                tenderee,
                evaluation_date: local_date(d.starts_at),
            });
    }
    Ok(out)
}

fn cause_words(c: &ShortfallCause) -> (String, String) {
    match c {
        ShortfallCause::PoolTooSmall => (
            "符合专业和地区的专家人数不足".into(),
            "too few experts of the specialty in the pool".into(),
        ),
        ShortfallCause::Avoidance(rule) => (
            format!("回避规则“{}”排除后人数不足", rule.label_zh()),
            format!("the avoidance rule “{}” emptied the pool", rule.label_en()),
        ),
        ShortfallCause::TakenByOtherLines => (
            "已被其他专业抽中".into(),
            "taken by other lines of the request".into(),
        ),
    }
}

fn shortfall_view(s: Shortfall) -> ShortfallView {
    let (zh, en) = cause_words(&s.cause);
    let fallback = match &s.fallback_cause {
        Some(f) => {
            let (fz, fe) = cause_words(f);
            (
                format!("；补充（异地）专家库：{fz}"),
                format!("; fallback (remote) pool: {fe}"),
            )
        }
        None => (
            "；可改用异地专家库作为补充后重新申请".into(),
            "; a new request may add a remote fallback pool".into(),
        ),
    };
    ShortfallView {
        message: format!(
            "第{}个专业需要{}人，仅抽到{}人：{zh}{}。",
            s.line + 1,
            s.needed,
            s.drawn,
            fallback.0
        ),
        message_en: format!(
            "Line {} needs {} but drew {}: {en}{}.",
            s.line + 1,
            s.needed,
            s.drawn,
            fallback.1
        ),
        shortfall: s,
    }
}

/// The outcome of [`run_draw`].
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawOutcome {
    pub draw: DrawRequestRow,
    /// Empty when the draw was filled.
    pub shortfalls: Vec<ShortfallView>,
}

/// 抽取: the draw's operator runs its one attempt — avoidance from the data, the pool and the
/// late entropy recorded, the deterministic selection, invitations by SMS and voice call. A
/// draw that cannot be filled is recorded as failed (naming the rule that emptied the pool) and
/// answered `409 draw.unfilled`.
pub async fn run_draw(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    contribution: Option<String>,
) -> AppResult<DrawOutcome> {
    run_draw_at(app, actor, draw_id, contribution, now_micros()).await
}

pub async fn run_draw_at(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    contribution: Option<String>,
    now: i64,
) -> AppResult<DrawOutcome> {
    let contribution = contribution
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if contribution
        .as_ref()
        .is_some_and(|c| c.chars().count() > 200)
    {
        return Err(bad(
            "contribution",
            "随机贡献值不超过200个字符。",
            "A contribution is at most 200 characters.",
        ));
    }
    let mut tx = app.store.write().await?;
    let mut d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let grant = operator_grant(&mut *tx, actor, &d).await?;
    let by = Acting::as_grant(actor, grant);
    if draw_status(&d)? != DrawStatus::Requested {
        return Err(Problem::conflict(
            "draw.already_run",
            "该抽取申请已经抽取过，不能重复抽取；如需补抽请重新申请。",
            "This request has had its one draw; make a new request.",
        )
        .into());
    }
    let req: DrawRequest = parse_json(&d.request, "request")?;
    let (_, project) = crate::trading::section_ctx(&mut *tx, &d.section_id).await?;
    let parties = section_parties(&mut *tx, &d.section_id, &project).await?;
    let mut engaged = engagements(&mut *tx, &d.id).await?;
    let mut kids = children(&mut *tx, None).await?;
    let mut candidates = Vec::new();
    for row in tx.list_experts(None).await? {
        let expert = expert_of(&row, kids.get(&row.id))?;
        kids.remove(&row.id);
        candidates.push(expert.candidate(engaged.remove(&row.id).unwrap_or_default()));
    }
    let screening = screen(&req, &candidates, &parties, &AvoidanceConfig::default());
    let pool = PoolSnapshot::from_screening(&screening);
    let pool_digest = pool.digest();
    let funnels: Vec<serde_json::Value> = screening
        .iter()
        .map(|s| {
            serde_json::json!({
                "matching": s.primary.matching,
                "removed": s.primary.removed,
                "eligible": s.primary.eligible.len(),
                "fallback": s.fallback.as_ref().map(|f| serde_json::json!({
                    "matching": f.matching, "removed": f.removed, "eligible": f.eligible.len()
                })),
            })
        })
        .collect();
    let pool_entry = record(
        &mut *tx,
        &by,
        "experts.draw.pool",
        ("draw_request", &d.id),
        vec![],
        serde_json::json!({ "pool_digest": pool_digest, "funnel": funnels }),
    )
    .await?;
    let mut contributions = vec![pool_entry.hash.clone()];
    contributions.extend(contribution);
    let entropy = record(
        &mut *tx,
        &by,
        "experts.draw.entropy",
        ("draw_request", &d.id),
        vec![],
        serde_json::json!({ "contributions": contributions }),
    )
    .await?;
    let secret = secret_of(app, &d.id);
    let drawn = DrawRecord::make(req.clone(), &secret, pool.clone(), contributions.clone())?;
    let filled = drawn.result.is_filled(&req);
    let shortfalls: Vec<Shortfall> = if filled {
        vec![]
    } else {
        drawn.result.shortfalls(&req, &screening)
    };
    d.screening = Some(json(&screening)?);
    d.pool = Some(json(&pool)?);
    d.pool_digest = Some(pool_digest);
    d.pool_seq = Some(pool_entry.seq);
    d.contributions = Some(json(&contributions)?);
    d.contribution_seq = Some(entropy.seq);
    d.result = Some(json(&drawn.result)?);
    d.result_seq = Some(next_seq(&mut *tx).await?);
    d.updated_at = now;
    let mut rows: Vec<RowDigest> = Vec::new();
    if filled {
        let counts: Vec<u32> = req.lines.iter().map(|l| l.count).collect();
        let roster = Roster::new(&drawn.result, &counts, now);
        d.status = DrawStatus::Drawn.as_str().into();
        rows.extend(save_roster(&mut *tx, &mut d, &roster, now).await?);
        let seats: Vec<(String, i64)> = roster
            .lines
            .iter()
            .flat_map(|l| &l.seats)
            .map(|s| (s.expert_id.clone(), s.invited_at))
            .collect();
        for (expert_id, at) in seats {
            invite(&mut *tx, &d, &expert_id, at).await?;
        }
    } else {
        d.status = DrawStatus::Failed.as_str().into();
        d.shortfalls = Some(json(&shortfalls)?);
        tx.update_draw(&d).await?;
    }
    rows.insert(0, digest(DrawRequestRow::TABLE, &d.id, d.digest()));
    let entry = record(
        &mut *tx,
        &by,
        "experts.draw.attempt",
        ("draw_request", &d.id),
        rows,
        serde_json::json!({
            "filled": filled,
            "seed": drawn.result.seed,
            "shortfalls": shortfalls,
        }),
    )
    .await?;
    check_seq(d.result_seq.unwrap_or_default(), entry.seq)?;
    tx.commit().await?;
    let views: Vec<ShortfallView> = shortfalls.into_iter().map(shortfall_view).collect();
    if let Some(first) = views.first() {
        return Err(Problem::conflict(
            "draw.unfilled",
            format!("抽取未能满足申请（已记录）：{}", first.message),
            format!(
                "The draw could not be filled (recorded): {}",
                first.message_en
            ),
        )
        .with_details(serde_json::json!({ "draw_id": d.id, "shortfalls": views }))
        .into());
    }
    Ok(DrawOutcome {
        draw: d,
        shortfalls: views,
    })
}

/// Writes the roster into the draw row and its seats into the invitations; the digests of the
/// draw row (last) and of every invitation that changed.
pub(crate) async fn save_roster(
    tx: &mut dyn WriteTx,
    d: &mut DrawRequestRow,
    roster: &Roster,
    now: i64,
) -> AppResult<Vec<RowDigest>> {
    d.roster = Some(json(roster)?);
    d.updated_at = now;
    tx.update_draw(d).await?;
    let existing: HashMap<String, DrawInvitation> = tx
        .list_invitations(Some(&d.id))
        .await?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (li, line) in roster.lines.iter().enumerate() {
        for s in &line.seats {
            let id = format!("{}:{}", d.id, s.expert_id);
            if !seen.insert(id.clone()) {
                continue;
            }
            let mut inv = DrawInvitation {
                id: id.clone(),
                draw_id: d.id.clone(),
                expert_id: s.expert_id.clone(),
                line: li as i64,
                state: s.state.as_str().into(),
                invited_at: s.invited_at,
                replaces: s.replaces.clone(),
                site: s.site.clone(),
                updated_at: now,
            };
            if let Some(old) = existing.get(&id) {
                if old.state == inv.state && old.site == inv.site {
                    continue;
                }
                inv.invited_at = old.invited_at;
                inv.replaces = old.replaces.clone();
            }
            tx.upsert_invitation(&inv).await?;
            rows.push(digest(DrawInvitation::TABLE, &inv.id, inv.digest()));
        }
    }
    Ok(rows)
}

/// Queue the invitation of one seat: SMS and voice call saying time and place only, and the
/// answer-timeout job (one per seat, whatever the number of nodes).
pub(crate) async fn invite(
    tx: &mut dyn WriteTx,
    d: &DrawRequestRow,
    expert_id: &str,
    invited_at: i64,
) -> AppResult<()> {
    let expert = tx
        .get_expert(expert_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("drawn expert {expert_id} missing")))?;
    let answer_by = invited_at + d.answer_secs * 1_000_000;
    let params = serde_json::json!({
        "starts": yiwang_core::time::display_local(d.starts_at),
        "place": d.place,
        "answer_by": yiwang_core::time::display_local(answer_by),
    });
    for channel in [Channel::Sms, Channel::Voice] {
        notify::queue(
            &mut *tx,
            channel,
            &expert.mobile,
            "experts.invitation",
            params.clone(),
        )
        .await?;
    }
    if let Some(user) = &expert.user_id {
        notify::queue(&mut *tx, Channel::InApp, user, "experts.invitation", params).await?;
    }
    crate::jobs::enqueue(
        &mut *tx,
        super::answers::TIMEOUT_JOB,
        serde_json::json!({ "draw_id": d.id, "expert_id": expert_id }),
        answer_by,
        Some(format!(
            "{}@{}:{}",
            super::answers::TIMEOUT_JOB,
            d.id,
            expert_id
        )),
    )
    .await?;
    Ok(())
}

/// 评标结束，公开随机秘密: the operator closes the evaluation and the secret is revealed, so that
/// anyone can recompute the draw.
pub async fn finish_evaluation(
    app: &App,
    actor: &Actor,
    draw_id: &str,
) -> AppResult<DrawRequestRow> {
    finish_evaluation_at(app, actor, draw_id, now_micros()).await
}

pub async fn finish_evaluation_at(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    now: i64,
) -> AppResult<DrawRequestRow> {
    let mut tx = app.store.write().await?;
    let mut d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let grant = operator_grant(&mut *tx, actor, &d).await?;
    let st = draw_status(&d)?;
    let revealable =
        st == DrawStatus::Failed || (st == DrawStatus::Drawn && d.checked_in_at.is_some());
    if !revealable {
        return Err(Problem::conflict(
            "draw.not_evaluated",
            "评标尚未开始（无专家签到），不能结束评标或公开随机秘密。",
            "The evaluation has not started (no check-in); the secret cannot be revealed yet.",
        )
        .into());
    }
    let secret = secret_of(app, &d.id);
    d.status = DrawStatus::Revealed.as_str().into();
    d.ended_at = Some(now);
    d.secret = Some(secret.to_hex());
    d.reveal_seq = Some(next_seq(&mut *tx).await?);
    d.updated_at = now;
    tx.update_draw(&d).await?;
    let entry = record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "experts.draw.reveal",
        ("draw_request", &d.id),
        vec![digest(DrawRequestRow::TABLE, &d.id, d.digest())],
        serde_json::json!({ "secret": d.secret }),
    )
    .await?;
    check_seq(d.reveal_seq.unwrap_or_default(), entry.seq)?;
    tx.commit().await?;
    Ok(d)
}

/// 抽取验证数据: everything anyone needs to recompute a revealed draw — the record, the revealed
/// secret, the ledger positions and the hashes of the entries involved.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicRecord {
    pub draw_id: String,
    #[schema(value_type = Object)]
    pub record: DrawRecord,
    pub secret: String,
    #[schema(value_type = Object)]
    pub positions: LedgerPositions,
    /// `hash` of the `experts.draw.pool` entry: the first contribution must equal it.
    pub pool_entry_hash: String,
}

/// The public record of a revealed draw; before the reveal `409 draw.not_revealed`.
pub async fn public_record(app: &App, draw_id: &str) -> AppResult<PublicRecord> {
    let mut tx = app.store.read().await?;
    let d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let (Some(secret), Some(result), Some(pool), Some(contribs)) =
        (&d.secret, &d.result, &d.pool, &d.contributions)
    else {
        return Err(Problem::conflict(
            "draw.not_revealed",
            "评标结束并公开随机秘密后方可验证。",
            "The draw can be verified once the evaluation is over and the secret revealed.",
        )
        .into());
    };
    let missing = || AppError::Internal(format!("draw {} lacks a ledger position", d.id));
    let pool_seq = d.pool_seq.ok_or_else(missing)?;
    let pool_entry_hash = tx.ledger_entry(pool_seq).await?.ok_or_else(missing)?.hash;
    Ok(PublicRecord {
        draw_id: d.id.clone(),
        record: DrawRecord {
            request: parse_json(&d.request, "request")?,
            commitment: d.commitment.clone(),
            pool_digest: d.pool_digest.clone().ok_or_else(missing)?,
            pool: parse_json(pool, "pool")?,
            contributions: parse_json(contribs, "contributions")?,
            result: parse_json(result, "result")?,
        },
        secret: secret.clone(),
        positions: LedgerPositions {
            commitment: d.commit_seq as u64,
            request: d.request_seq as u64,
            pool: pool_seq as u64,
            contributions: vec![d.contribution_seq.ok_or_else(missing)? as u64],
            result: d.result_seq.ok_or_else(missing)? as u64,
        },
        pool_entry_hash,
    })
}

/// `yiwang draw verify` and the public verification: the commitment, the pool digest, the
/// recomputed result, the order of the ledger entries and the late entropy.
pub fn verify_record(p: &PublicRecord) -> Result<(), Problem> {
    let secret = DrawSecret::from_hex(&p.secret).ok_or_else(|| {
        Problem::invalid(
            "draw.verify.secret",
            "随机秘密应为64位十六进制。",
            "The secret must be 64 hex characters.",
        )
    })?;
    yiwang_core::experts::verify(&p.record, &secret)?;
    check_positions(&p.positions)?;
    if p.record.contributions.first() != Some(&p.pool_entry_hash) {
        return Err(Problem::conflict(
            "draw.verify.entropy",
            "第一个随机贡献值不是候选名单账本记录的哈希。",
            "The first contribution is not the hash of the pool's ledger entry.",
        ));
    }
    Ok(())
}

/// The draws of a section, for the trading centre (terms and status; the lists are behind
/// [`super::answers::committee`]).
pub async fn list_for_section(
    app: &App,
    actor: &Actor,
    section_id: &str,
) -> AppResult<Vec<DrawSummary>> {
    let mut tx = app.store.read().await?;
    let (_, project) = crate::trading::section_ctx(&mut *tx, section_id).await?;
    draw_grant(&mut *tx, actor, &project.centre_org_id).await?;
    Ok(tx
        .list_draws(Some(section_id))
        .await?
        .into_iter()
        .map(|d| DrawSummary {
            id: d.id,
            section_id: d.section_id,
            status: d.status,
            commitment: d.commitment,
            starts_at: d.starts_at,
            place: d.place,
            created_at: d.created_at,
        })
        .collect())
}

/// A draw without its lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawSummary {
    pub id: String,
    pub section_id: String,
    pub status: String,
    pub commitment: String,
    pub starts_at: i64,
    pub place: String,
    pub created_at: i64,
}
