//! 应答、补抽与签到: the expert confirms or declines; a decline or no answer in time seats the
//! next reserve automatically (exactly once, whatever the number of nodes: the answer-timeout
//! job is queued once per seat and claimed by one node); the operator checks members in at the
//! evaluation site. The committee list is need-to-know ([`committee`]): before check-in only the
//! draw's operator sees it, and every view is a ledger entry.

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor};
use yiwang_core::experts::roster::{Roster, SeatChange};
use yiwang_core::experts::visibility::{DrawField, DrawTimeline, may_see};
use yiwang_core::experts::{DrawStatus, DrawViewer, SeatEvent, SeatState};
use yiwang_store::prelude::*;
use yiwang_store::{DrawRequestRow, Job};

use super::draws::{draw_grant, draw_status, invite, operator_grant, save_roster};
use super::{not_found_draw, parse_json};
use crate::{Acting, App, AppError, AppResult, digest, now_micros, record};

/// The job that treats an unanswered invitation as declined.
pub const TIMEOUT_JOB: &str = "experts.answer_timeout";

fn roster_of(d: &DrawRequestRow) -> AppResult<Roster> {
    match (&d.roster, draw_status(d)?) {
        (Some(r), DrawStatus::Drawn) => parse_json(r, "roster"),
        _ => Err(Problem::conflict(
            "draw.no_committee",
            "该抽取没有可应答的评标专家名单。",
            "This draw has no committee to answer for.",
        )
        .into()),
    }
}

/// Applies a seat event, saves the roster and invitations, invites the replacement (if the
/// reserve had one) and records the change. Returns the change.
async fn change_seat(
    tx: &mut dyn WriteTx,
    by: &Acting,
    d: &mut DrawRequestRow,
    expert_id: &str,
    event: SeatEvent,
    site: Option<&str>,
    now: i64,
) -> AppResult<SeatChange> {
    let mut roster = roster_of(d)?;
    let change = match site {
        Some(site) => roster.check_in(expert_id, site, now)?,
        None => roster.apply(expert_id, event, "", now)?,
    };
    if event == SeatEvent::CheckIn && d.checked_in_at.is_none() {
        d.checked_in_at = Some(now);
    }
    let mut rows = save_roster(&mut *tx, d, &roster, now).await?;
    rows.insert(0, digest(DrawRequestRow::TABLE, &d.id, d.digest()));
    let replacement = change.vacancy.as_ref().and_then(|v| v.replacement.clone());
    if let Some(r) = &replacement {
        invite(&mut *tx, d, r, now).await?;
    }
    record(
        &mut *tx,
        by,
        &format!("experts.draw.{}", event.as_str()),
        ("draw_request", &d.id),
        rows,
        serde_json::json!({
            "line": change.line,
            "state": change.state.as_str(),
            "replacement_drawn": replacement.is_some(),
        }),
    )
    .await?;
    Ok(change)
}

/// 确认参加 / 拒绝参加: the invited expert answers on their page (or through the gateway's
/// callback, which acts as the expert). A decline seats the next reserve at once.
pub async fn respond(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    confirm: bool,
) -> AppResult<SeatChange> {
    respond_at(app, actor, draw_id, confirm, now_micros()).await
}

pub async fn respond_at(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    confirm: bool,
    now: i64,
) -> AppResult<SeatChange> {
    let mut tx = app.store.write().await?;
    let expert = tx
        .find_expert_by_user(&actor.user_id)
        .await?
        .ok_or_else(|| AppError::from(Problem::forbidden()))?;
    let mut d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let invited = tx
        .invitations_of_expert(&expert.id)
        .await?
        .into_iter()
        .any(|i| i.draw_id == d.id);
    if !invited {
        return Err(Problem::forbidden().into());
    }
    let event = if confirm {
        SeatEvent::Confirm
    } else {
        SeatEvent::Decline
    };
    let change = change_seat(
        &mut *tx,
        &Acting::as_self(actor),
        &mut d,
        &expert.id,
        event,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(change)
}

#[derive(Deserialize)]
struct TimeoutPayload {
    draw_id: String,
    expert_id: String,
}

/// The answer-timeout job: the seat, if still unanswered after the draw's answer time, is
/// vacated (`no_answer`) and the next reserve invited. Runs in the runner's transaction.
pub async fn answer_timeout(
    _app: &App,
    tx: &mut dyn WriteTx,
    job: &Job,
    now: i64,
) -> AppResult<String> {
    let p: TimeoutPayload = parse_json(&job.payload, "timeout payload")?;
    let Some(mut d) = tx.get_draw(&p.draw_id).await? else {
        return Ok("draw gone".into());
    };
    if draw_status(&d)? != DrawStatus::Drawn {
        return Ok("draw closed".into());
    }
    let roster = roster_of(&d)?;
    let due = roster.overdue(now, d.answer_secs * 1_000_000);
    if !due.contains(&p.expert_id) {
        return Ok("answered in time".into());
    }
    let change = change_seat(
        &mut *tx,
        &Acting::system(),
        &mut d,
        &p.expert_id,
        SeatEvent::AnswerTimeout,
        None,
        now,
    )
    .await?;
    Ok(format!(
        "no answer; replacement {}",
        if change.vacancy.and_then(|v| v.replacement).is_some() {
            "invited"
        } else {
            "none left"
        }
    ))
}

/// 签到: the operator checks a member in at the evaluation site (identity checked there). The
/// first check-in starts the evaluation: from then the list opens to the centre and regulator.
pub async fn check_in(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    expert_id: &str,
    site: &str,
) -> AppResult<SeatChange> {
    check_in_at(app, actor, draw_id, expert_id, site, now_micros()).await
}

pub async fn check_in_at(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    expert_id: &str,
    site: &str,
    now: i64,
) -> AppResult<SeatChange> {
    let mut tx = app.store.write().await?;
    let mut d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let grant = operator_grant(&mut *tx, actor, &d).await?;
    let by = Acting::as_grant(actor, grant);
    let change = change_seat(
        &mut *tx,
        &by,
        &mut d,
        expert_id,
        SeatEvent::CheckIn,
        Some(site),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(change)
}

/// One seat as a viewer may see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatView {
    pub line: usize,
    /// The expert's number (only for who may see numbers).
    pub expert_id: Option<String>,
    /// The name (once the evaluation has started, for who may see names).
    pub name: Option<String>,
    pub state: String,
    pub site: Option<String>,
    pub replaces: Option<String>,
}

/// 评标委员会名单 as the viewer may see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitteeView {
    pub draw_id: String,
    /// `operator`, `centre_staff`, `regulator`, …
    pub viewer: String,
    /// `sealed`, `evaluating`, `evaluated`, `published`.
    pub phase: String,
    pub seats: Vec<SeatView>,
    /// 备选专家 numbers (operator only; regulator after the evaluation).
    pub reserves: Option<Vec<String>>,
}

fn timeline(d: &DrawRequestRow) -> DrawTimeline {
    DrawTimeline {
        evaluation_starts_at: d.checked_in_at.unwrap_or(i64::MAX),
        evaluation_ended_at: d.ended_at,
        result_published_at: None,
    }
}

/// Who the actor is for this draw: the operator, or the viewer its grants make it, the one
/// seeing most. Centre, regulator and managing department only in the draw's region.
async fn viewer_of(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    d: &DrawRequestRow,
) -> AppResult<Option<DrawViewer>> {
    if actor.user_id == d.operator_id && draw_grant(tx, actor, &d.centre_org_id).await.is_ok() {
        return Ok(Some(DrawViewer::Operator));
    }
    let centre_path = crate::trading::org_path(tx, &d.centre_org_id).await?;
    let region = access::parent_path(&centre_path);
    let mut best: Option<(usize, DrawViewer)> = None;
    for g in &actor.grants {
        let Some(v) = access::draw_viewer(g.role) else {
            continue;
        };
        let regional = matches!(
            v,
            DrawViewer::CentreStaff | DrawViewer::Regulator | DrawViewer::ManagingDepartment
        );
        if regional && !access::path_within(&g.org_path, &region) {
            continue;
        }
        let seen = DrawField::ALL
            .iter()
            .filter(|&&f| may_see(v, f, timeline(d).phase(i64::MAX)))
            .count();
        if best.is_none_or(|(n, _)| seen > n) {
            best = Some((seen, v));
        }
    }
    Ok(best.map(|(_, v)| v))
}

/// 名单查看: the committee list, if the viewer may see it now (numbers or names); otherwise
/// 403. Every view is a ledger entry (who, as what, in which phase).
pub async fn committee(app: &App, actor: &Actor, draw_id: &str) -> AppResult<CommitteeView> {
    committee_at(app, actor, draw_id, now_micros()).await
}

pub async fn committee_at(
    app: &App,
    actor: &Actor,
    draw_id: &str,
    now: i64,
) -> AppResult<CommitteeView> {
    let mut tx = app.store.write().await?;
    let d = tx.get_draw(draw_id).await?.ok_or_else(not_found_draw)?;
    let viewer = viewer_of(&mut *tx, actor, &d)
        .await?
        .ok_or_else(Problem::forbidden)?;
    let phase = timeline(&d).phase(now);
    let numbers = may_see(viewer, DrawField::MemberNumbers, phase);
    let names = may_see(viewer, DrawField::MemberNames, phase);
    if !numbers && !names {
        return Err(Problem::forbidden().into());
    }
    let roster: Roster = match &d.roster {
        Some(r) => parse_json(r, "roster")?,
        None => Roster {
            lines: vec![],
            vacancies: vec![],
        },
    };
    let mut seats = Vec::new();
    for (li, line) in roster.lines.iter().enumerate() {
        for s in &line.seats {
            let name = if names {
                tx.get_expert(&s.expert_id).await?.map(|e| e.name)
            } else {
                None
            };
            seats.push(SeatView {
                line: li,
                expert_id: numbers.then(|| s.expert_id.clone()),
                name,
                state: s.state.as_str().into(),
                site: s.site.clone(),
                replaces: if numbers { s.replaces.clone() } else { None },
            });
        }
    }
    let reserves = may_see(viewer, DrawField::Reserves, phase).then(|| {
        roster
            .lines
            .iter()
            .flat_map(|l| l.reserves.iter().skip(l.reserves_used))
            .map(|p| p.expert_id.clone())
            .collect()
    });
    let by = match access::grants_allowing(actor, access::Permission::ViewOrganisation).next() {
        Some(g) => Acting::as_grant(actor, g),
        None => Acting::as_self(actor),
    };
    record(
        &mut *tx,
        &by,
        "experts.draw.view",
        ("draw_request", &d.id),
        vec![],
        serde_json::json!({ "viewer": viewer.as_str(), "phase": phase.as_str(), "names": names }),
    )
    .await?;
    tx.commit().await?;
    Ok(CommitteeView {
        draw_id: d.id,
        viewer: viewer.as_str().into(),
        phase: phase.as_str().into(),
        seats,
        reserves,
    })
}

/// One of the expert's own invitations: time, place and state — never the tenderee, the
/// section or the bidders.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MyInvitation {
    pub draw_id: String,
    pub state: String,
    pub starts_at: i64,
    pub place: String,
    pub answer_by: i64,
}

/// 我的邀请: the signed-in expert's invitations, newest first.
pub async fn my_invitations(app: &App, actor: &Actor) -> AppResult<Vec<MyInvitation>> {
    let mut tx = app.store.read().await?;
    let Some(expert) = tx.find_expert_by_user(&actor.user_id).await? else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for i in tx.invitations_of_expert(&expert.id).await? {
        let Some(d) = tx.get_draw(&i.draw_id).await? else {
            continue;
        };
        let state = SeatState::parse(&i.state)
            .ok_or_else(|| AppError::Internal("unknown seat state".into()))?;
        out.push(MyInvitation {
            draw_id: d.id.clone(),
            state: state.as_str().into(),
            starts_at: d.starts_at,
            place: d.place.clone(),
            answer_by: i.invited_at + d.answer_secs * 1_000_000,
        });
    }
    Ok(out)
}
