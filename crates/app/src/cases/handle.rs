//! The officers' side: acceptance (or not), 一次性告知, 容缺受理, dispatch and parallel opinions,
//! special procedures, extensions, the decision, completion and delivery.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::cases::lifecycle::check_resume;
use yiwang_core::cases::limits::{certificate_deadline, check_commitment, notice_deadline};
use yiwang_core::cases::notice::{
    build_notice, check_deficiency_acceptance, check_further_notice, check_no_outstanding,
    check_notice_timing, missing_materials,
};
use yiwang_core::cases::{
    CaseClock, CaseEvent, CaseKind, CaseLimits, Defect, NoticeRecord, Opinion, Participant,
    ReviewPlan, SuspensionKind, Verdict, Violation,
};
use yiwang_core::time::from_micros;
use yiwang_store::prelude::*;
use yiwang_store::{CaseNoticeRow, CaseOpinionRow, CasePartyRow, CaseRow, CaseViolationRow};

use super::{
    CaseView, Written, check_event, clock_of, date_text, item_body, json_list, lock,
    notify_applicant, now_utc, organisation, rule, set_clock, staff_grant, staff_grant_in, to_json,
    write_event,
};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros};

/// 受理: the departments that take part (联办件, 并联审批) besides the implementing one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    #[serde(default)]
    pub participants: Vec<String>,
}

/// 容缺受理: the pending materials and the date the applicant commits to supply them by.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeficiencyInput {
    pub pending: Vec<String>,
    pub committed_by: NaiveDate,
    #[serde(default)]
    pub participants: Vec<String>,
}

/// 一次性告知: the defects found in submitted materials (missing ones are listed
/// automatically); a reason is needed for a further notice naming something that could have
/// been listed the first time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    #[serde(default)]
    pub defects: Vec<Defect>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// An opinion on a review task.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpinionInput {
    pub task: String,
    pub verdict: Verdict,
    #[serde(default)]
    pub comment: String,
}

/// 送达 (出件)
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum DeliveryInput {
    /// 窗口领取
    Pickup,
    /// 邮寄 with the tracking number.
    Post { tracking_number: String },
    /// 电子证照
    Electronic,
}

async fn accept_with(
    app: &App,
    actor: &Actor,
    case_id: &str,
    event: CaseEvent,
    participants: &[String],
    deficiency: Option<(&[String], NaiveDate)>,
) -> AppResult<CaseView> {
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let grant = staff_grant(&mut *tx, actor, event, &row).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, None)?;
    let body = item_body(&mut *tx, &row.item_id, row.item_version).await?;
    let handed_in = super::submitted(&mut *tx, &row.id).await?;
    let now = now_utc();
    // Participants: distinct departments other than the implementing one.
    let mut parts: Vec<Participant> = Vec::new();
    for p in participants {
        if *p == row.org_id || parts.iter().any(|q| &q.department == p) {
            continue;
        }
        let org = organisation(&mut *tx, p).await?;
        parts.push(Participant {
            department: org.id.clone(),
            name: format!("{}审查意见", org.name),
            limit_days: u32::try_from(row.promised_days).unwrap_or(0),
        });
    }
    let joint = !parts.is_empty();
    let limits = CaseLimits::for_item(&body, joint);
    let kind = CaseKind::for_item(&body, joint, false);
    let clock = CaseClock::new(now, limits.supervised_days());
    match deficiency {
        None => {
            let missing = missing_materials(&body.materials, &handed_in);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|m| m.name.as_str()).collect();
                return Err(Problem::conflict(
                    "case.materials_missing",
                    format!("材料不全（{}），请一次性告知或容缺受理。", names.join("、")),
                    format!(
                        "Materials are missing ({}); send a notice or accept with materials pending.",
                        names.join(", ")
                    ),
                )
                .into());
            }
        }
        Some((pending, committed_by)) => {
            check_deficiency_acceptance(&body.materials, &handed_in, pending).map_err(rule)?;
            let cal = app.calendar();
            check_commitment(committed_by, now, clock.deadline(&cal.calendar, now))
                .map_err(rule)?;
            row.pending = to_json(&pending);
            row.committed_by = Some(committed_by.format("%Y-%m-%d").to_string());
        }
    }
    row.kind = kind.as_str().into();
    row.legal_days = i64::from(limits.legal_days);
    row.promised_days = i64::from(limits.promised_days);
    row.participants = to_json(&parts);
    row.accepted_at = Some(now.timestamp_micros());
    set_clock(app, &mut row, Some(&clock), now);
    let detail = serde_json::json!({"participants": participants, "pending": row.pending, "committed_by": row.committed_by});
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason: None,
            detail,
            rows: vec![],
        },
        false,
    )
    .await?;
    dispatch_and_notify(app, &mut *tx, &mut row, kind, &body, &parts).await?;
    tx.commit().await?;
    CaseView::of(row)
}

/// After acceptance: 并联审批 — dispatched to every department the same day, by the platform
/// (a 即办件 is decided on acceptance instead); the applicant is told.
async fn dispatch_and_notify(
    app: &App,
    tx: &mut dyn WriteTx,
    row: &mut CaseRow,
    kind: CaseKind,
    body: &yiwang_core::catalog::ItemBody,
    parts: &[Participant],
) -> AppResult<()> {
    let joint = !parts.is_empty();
    if kind != CaseKind::Immediate {
        let plan = if joint {
            ReviewPlan::joint(body, parts).map_err(rule)?
        } else {
            ReviewPlan::serial(body)
        };
        let (from, to) = check_event(row, CaseEvent::StartReview, None)?;
        row.plan = Some(to_json(&plan));
        let mut rows = Vec::new();
        for p in parts {
            let party = CasePartyRow {
                case_id: row.id.clone(),
                org_id: p.department.clone(),
            };
            tx.insert_case_party(&party).await?;
            rows.push(digest(CasePartyRow::TABLE, &party.key(), party.digest()));
        }
        write_event(
            app,
            tx,
            &Acting::system(),
            row,
            Written {
                event: CaseEvent::StartReview,
                from: Some(from),
                to,
                reason: None,
                detail: serde_json::json!({"tasks": plan.tasks().map(|t| &t.key).collect::<Vec<_>>()}),
                rows,
            },
            false,
        )
        .await?;
    }
    let due = row.due_at.map(date_text).unwrap_or_default();
    notify_applicant(
        app,
        tx,
        row,
        "case.accepted",
        serde_json::json!({"due": due}),
    )
    .await
}

/// The last receipt of materials: the submission, or the applicant's latest correction. The
/// 5-day notice period (一次性告知) runs from it.
pub(crate) fn last_receipt(row: &CaseRow, notices: &[CaseNoticeRow]) -> Option<i64> {
    notices
        .iter()
        .filter_map(|n| n.answered_at)
        .max()
        .or(row.received_at)
}

/// 视为受理 (行政许可法 第三十二条): no 一次性告知 within 5 working days of the last receipt,
/// so the platform records the acceptance, dated at that receipt (the clock starts there), a
/// `late_notice` violation against the receiving centre, and dispatches the case. Called by the
/// warning pass on a locked case; `false` when it is not (yet) due.
pub(crate) async fn deem_accept(
    app: &App,
    tx: &mut dyn WriteTx,
    row: &mut CaseRow,
    now: i64,
) -> AppResult<bool> {
    let event = CaseEvent::DeemAccepted;
    let notices = tx.list_case_notices(&row.id).await?;
    let Some(receipt) = last_receipt(row, &notices) else {
        return Ok(false);
    };
    let cal = app.calendar();
    if now < notice_deadline(&cal.calendar, from_micros(receipt)).timestamp_micros() {
        return Ok(false);
    }
    let Ok((from, to)) = check_event(row, event, None) else {
        return Ok(false);
    };
    let body = item_body(tx, &row.item_id, row.item_version).await?;
    let limits = CaseLimits::for_item(&body, false);
    let kind = CaseKind::for_item(&body, false, false);
    let clock = CaseClock::new(from_micros(receipt), limits.supervised_days());
    row.kind = kind.as_str().into();
    row.legal_days = i64::from(limits.legal_days);
    row.promised_days = i64::from(limits.promised_days);
    row.accepted_at = Some(receipt);
    set_clock(app, row, Some(&clock), from_micros(now));
    let v = CaseViolationRow {
        id: new_id(),
        case_id: row.id.clone(),
        violation: Violation::LateNotice.as_str().into(),
        org_id: row.centre_id.clone(),
        officer_id: None,
        detail: serde_json::json!({"received_at": receipt}).to_string(),
        at: now,
    };
    tx.insert_case_violation(&v).await?;
    write_event(
        app,
        tx,
        &Acting::system(),
        row,
        Written {
            event,
            from: Some(from),
            to,
            reason: None,
            detail: serde_json::json!({"accepted_from": receipt}),
            rows: vec![digest(CaseViolationRow::TABLE, &v.id, v.digest())],
        },
        false,
    )
    .await?;
    dispatch_and_notify(app, tx, row, kind, &body, &[]).await?;
    Ok(true)
}

/// 受理: the materials are complete; the clock starts and the case is dispatched for review.
pub async fn accept(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: AcceptInput,
) -> AppResult<CaseView> {
    accept_with(
        app,
        actor,
        case_id,
        CaseEvent::Accept,
        &input.participants,
        None,
    )
    .await
}

/// 容缺受理: accepted with the missing required materials pending against a dated commitment.
pub async fn accept_with_deficiency(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: DeficiencyInput,
) -> AppResult<CaseView> {
    accept_with(
        app,
        actor,
        case_id,
        CaseEvent::AcceptWithDeficiency,
        &input.participants,
        Some((&input.pending, input.committed_by)),
    )
    .await
}

/// A simple officer transition: authorize, check, write, optionally notify.
async fn simple(
    app: &App,
    actor: &Actor,
    case_id: &str,
    event: CaseEvent,
    reason: Option<&str>,
    change: impl FnOnce(&App, &mut CaseRow) -> AppResult<serde_json::Value>,
    notify: Option<&str>,
) -> AppResult<CaseView> {
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let grant = staff_grant(&mut *tx, actor, event, &row).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, reason)?;
    let detail = change(app, &mut row)?;
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason,
            detail: detail.clone(),
            rows: vec![],
        },
        false,
    )
    .await?;
    if let Some(t) = notify {
        notify_applicant(
            app,
            &mut *tx,
            &row,
            t,
            serde_json::json!({"reason": reason.unwrap_or("")}),
        )
        .await?;
    }
    tx.commit().await?;
    CaseView::of(row)
}

/// 不予受理, with the written reason.
pub async fn not_accept(
    app: &App,
    actor: &Actor,
    case_id: &str,
    reason: &str,
) -> AppResult<CaseView> {
    simple(
        app,
        actor,
        case_id,
        CaseEvent::NotAccept,
        Some(reason),
        |_, row| {
            row.next_warn_at = None;
            Ok(serde_json::json!({}))
        },
        Some("case.not_accepted"),
    )
    .await
}

/// 一次性告知: one notice listing every missing and defective material. A further notice naming
/// a material that could have been listed the first time needs a reason and is recorded as a
/// supervision violation (多次告知).
pub async fn request_correction(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: NoticeInput,
) -> AppResult<CaseNoticeRow> {
    let event = CaseEvent::RequestCorrection;
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let grant = staff_grant(&mut *tx, actor, event, &row).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, input.reason.as_deref())?;
    let body = item_body(&mut *tx, &row.item_id, row.item_version).await?;
    let handed_in = super::submitted(&mut *tx, &row.id).await?;
    let notice = build_notice(&body.materials, &handed_in, &input.defects).map_err(rule)?;
    let earlier_rows = tx.list_case_notices(&row.id).await?;
    // The notice period runs from the last receipt: submission, or the latest correction.
    let last_receipt = last_receipt(&row, &earlier_rows).unwrap_or(row.created_at);
    let cal = app.calendar();
    check_notice_timing(&cal.calendar, from_micros(last_receipt), now_utc()).map_err(rule)?;
    let mut earlier = Vec::new();
    for n in &earlier_rows {
        earlier.push(NoticeRecord {
            notice: serde_json::from_str(&n.notice)
                .map_err(|_| AppError::Internal(format!("notice {} unreadable", n.id)))?,
            materials_at_issue: serde_json::from_str(&n.materials)
                .map_err(|_| AppError::Internal(format!("notice {} unreadable", n.id)))?,
        });
    }
    let repeated = check_further_notice(&earlier, &handed_in, &notice, input.reason.as_deref())
        .map_err(rule)?;
    let now = now_micros();
    let n = CaseNoticeRow {
        id: new_id(),
        case_id: row.id.clone(),
        round: earlier_rows.len() as i64 + 1,
        notice: to_json(&notice),
        materials: to_json(&handed_in),
        reason: input.reason.as_deref().map(|r| r.trim().to_string()),
        issued_by: actor.user_id.clone(),
        issued_at: now,
        answered_at: None,
    };
    tx.insert_case_notice(&n).await?;
    let mut rows = vec![digest(CaseNoticeRow::TABLE, &n.id, n.digest())];
    if !repeated.is_empty() {
        let v = CaseViolationRow {
            id: new_id(),
            case_id: row.id.clone(),
            violation: Violation::RepeatedNotice.as_str().into(),
            org_id: grant.org_id.clone(),
            officer_id: Some(actor.user_id.clone()),
            detail:
                serde_json::json!({"materials": repeated, "round": n.round, "reason": n.reason})
                    .to_string(),
            at: now,
        };
        tx.insert_case_violation(&v).await?;
        rows.push(digest(CaseViolationRow::TABLE, &v.id, v.digest()));
    }
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason: input.reason.as_deref(),
            detail: serde_json::json!({"round": n.round, "notice": notice, "repeated": repeated}),
            rows,
        },
        false,
    )
    .await?;
    notify_applicant(
        app,
        &mut *tx,
        &row,
        "case.correction_requested",
        serde_json::json!({"notice": notice.text_zh()}),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// 提出审查意见: the officer of the task's department (the implementing department for the
/// item's own steps, a participating department for its opinion) records it; the case may be
/// decided once every task has one.
pub async fn record_opinion(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: OpinionInput,
) -> AppResult<CaseOpinionRow> {
    let event = CaseEvent::RecordOpinion;
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let plan: ReviewPlan = match &row.plan {
        Some(p) => serde_json::from_str(p)
            .map_err(|_| AppError::Internal(format!("case {case_id}: unreadable plan")))?,
        None => {
            return Err(Problem::conflict(
                "case.not_in_review",
                "办件尚未分送审查。",
                "The case has not been dispatched for review.",
            )
            .into());
        }
    };
    let dept = plan
        .task(&input.task)
        .map(|t| t.department.clone().unwrap_or_else(|| row.org_id.clone()))
        .ok_or_else(|| {
            AppError::Problem(Problem::invalid(
                "case.task_unknown",
                format!("本办件没有审查环节“{}”。", input.task),
                format!("The case has no review task \"{}\".", input.task),
            ))
        })?;
    let grant = staff_grant_in(&mut *tx, actor, event, &dept).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, None)?;
    let opinions = opinions_of(&mut *tx, &row.id).await?;
    plan.check_opinion(
        &opinions,
        &input.task,
        grant.role,
        &grant.org_id,
        &row.org_id,
    )
    .map_err(rule)?;
    let o = CaseOpinionRow {
        id: new_id(),
        case_id: row.id.clone(),
        task: input.task.clone(),
        department_id: dept,
        verdict: input.verdict.as_str().into(),
        comment: input.comment.trim().to_string(),
        officer_id: actor.user_id.clone(),
        at: now_micros(),
    };
    tx.insert_case_opinion(&o).await?;
    let mut all = opinions;
    all.push(Opinion {
        task: o.task.clone(),
        verdict: input.verdict,
        comment: o.comment.clone(),
        at: from_micros(o.at),
    });
    let open: Vec<&str> = plan
        .open_tasks(&all)
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason: None,
            detail: serde_json::json!({"task": o.task, "verdict": o.verdict, "open_tasks": open, "all_answered": plan.may_decide(&all).is_ok()}),
            rows: vec![digest(CaseOpinionRow::TABLE, &o.id, o.digest())],
        },
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(o)
}

pub(crate) async fn opinions_of(tx: &mut dyn ReadTx, case_id: &str) -> AppResult<Vec<Opinion>> {
    let mut out = Vec::new();
    for o in tx.list_case_opinions(case_id).await? {
        out.push(Opinion {
            verdict: Verdict::parse(&o.verdict)
                .ok_or_else(|| AppError::Internal(format!("opinion {} unreadable", o.id)))?,
            task: o.task,
            comment: o.comment,
            at: from_micros(o.at),
        });
    }
    Ok(out)
}

/// 特别程序 (hearing, expert review, site inspection, testing; started by the department head)
/// or 审查中补正 (`SuspensionKind::Supplement`, by the approving officer): the clock stops.
pub async fn suspend(
    app: &App,
    actor: &Actor,
    case_id: &str,
    kind: SuspensionKind,
    reason: &str,
) -> AppResult<CaseView> {
    let event = kind.started_by();
    simple(
        app,
        actor,
        case_id,
        event,
        Some(reason),
        move |app, row| {
            let now = now_utc();
            let mut clock = clock_of(row)?
                .ok_or_else(|| AppError::Internal(format!("case {}: no clock", row.id)))?;
            clock.pause(kind, now).map_err(rule)?;
            set_clock(app, row, Some(&clock), now);
            Ok(serde_json::json!({"suspension": kind.as_str()}))
        },
        (kind == SuspensionKind::Supplement).then_some("case.correction_requested"),
    )
    .await
}

/// 特别程序结束: the reviewing officer records the end; the clock restarts. (A supplement ends
/// with the applicant's `supply_correction`.)
pub async fn resume(app: &App, actor: &Actor, case_id: &str) -> AppResult<CaseView> {
    simple(
        app,
        actor,
        case_id,
        CaseEvent::Resume,
        None,
        |app, row| {
            let now = now_utc();
            let mut clock = clock_of(row)?
                .ok_or_else(|| AppError::Internal(format!("case {}: no clock", row.id)))?;
            let open = clock
                .pauses
                .iter()
                .find(|p| p.until.is_none())
                .map(|p| p.kind)
                .unwrap_or(SuspensionKind::Other);
            check_resume(open, CaseEvent::Resume).map_err(rule)?;
            clock.resume(now).map_err(rule)?;
            set_clock(app, row, Some(&clock), now);
            Ok(serde_json::json!({"suspension": open.as_str()}))
        },
        None,
    )
    .await
}

/// 延期: approved by the department head, once; `days` defaults to the law's (+10, +15 joint).
pub async fn extend(
    app: &App,
    actor: &Actor,
    case_id: &str,
    days: Option<u32>,
    reason: &str,
) -> AppResult<CaseView> {
    simple(
        app,
        actor,
        case_id,
        CaseEvent::ExtendLimit,
        Some(reason),
        move |app, row| {
            let now = now_utc();
            let limits = CaseLimits {
                legal_days: u32::try_from(row.legal_days).unwrap_or(0),
                promised_days: u32::try_from(row.promised_days).unwrap_or(0),
                joint: CaseKind::parse(&row.kind) == Some(CaseKind::Joint),
            };
            let days = days.unwrap_or_else(|| limits.max_extension());
            limits
                .check_extension(row.extended == 1, days)
                .map_err(rule)?;
            let mut clock = clock_of(row)?
                .ok_or_else(|| AppError::Internal(format!("case {}: no clock", row.id)))?;
            clock.extension_days = clock.extension_days.saturating_add(days);
            row.extended = 1;
            set_clock(app, row, Some(&clock), now);
            Ok(serde_json::json!({"days": days}))
        },
        None,
    )
    .await
}

/// 准予 / 不予许可: every review task must have an opinion, and an approval needs all to agree.
/// The clock stops; the certificate is due within 10 working days.
pub async fn decide(
    app: &App,
    actor: &Actor,
    case_id: &str,
    approve: bool,
    note: &str,
) -> AppResult<CaseView> {
    let event = if approve {
        CaseEvent::Approve
    } else {
        CaseEvent::Refuse
    };
    let reason = (!approve).then_some(note);
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let grant = staff_grant(&mut *tx, actor, event, &row).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, reason)?;
    if let Some(p) = &row.plan {
        let plan: ReviewPlan = serde_json::from_str(p)
            .map_err(|_| AppError::Internal(format!("case {case_id}: unreadable plan")))?;
        let opinions = opinions_of(&mut *tx, &row.id).await?;
        if let Some(outcome) = event.outcome() {
            plan.check_decision(&opinions, outcome).map_err(rule)?;
        }
    }
    let now = now_utc();
    let cal = app.calendar();
    row.decided_at = Some(now.timestamp_micros());
    row.outcome = Some(event.as_str().into());
    row.decision_note = Some(note.trim().to_string());
    row.due_at = Some(certificate_deadline(&cal.calendar, now).timestamp_micros());
    row.next_warn_at = None;
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason,
            detail: serde_json::json!({"note": note.trim()}),
            rows: vec![],
        },
        false,
    )
    .await?;
    notify_applicant(
        app,
        &mut *tx,
        &row,
        "case.decided",
        serde_json::json!({"outcome": event.label_zh()}),
    )
    .await?;
    tx.commit().await?;
    CaseView::of(row)
}

/// 办结: the result is ready; every 容缺 material must be in.
pub async fn complete(app: &App, actor: &Actor, case_id: &str) -> AppResult<CaseView> {
    let event = CaseEvent::Complete;
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let grant = staff_grant(&mut *tx, actor, event, &row).await?;
    let by = Acting::as_grant(actor, grant);
    let (from, to) = check_event(&row, event, None)?;
    let pending: Vec<String> = json_list(&row.pending, "pending", &row.id)?;
    let handed_in = super::submitted(&mut *tx, &row.id).await?;
    check_no_outstanding(&pending, &handed_in).map_err(rule)?;
    row.completed_at = Some(now_micros());
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event,
            from: Some(from),
            to,
            reason: None,
            detail: serde_json::json!({}),
            rows: vec![],
        },
        false,
    )
    .await?;
    notify_applicant(app, &mut *tx, &row, "case.completed", serde_json::json!({})).await?;
    tx.commit().await?;
    CaseView::of(row)
}

/// 送达 (统一窗口出件): picked up, posted with a tracking number, or issued electronically.
pub async fn deliver(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: DeliveryInput,
) -> AppResult<CaseView> {
    if let DeliveryInput::Post { tracking_number } = &input {
        let t = tracking_number.trim();
        if t.len() < 6 || t.len() > 40 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Problem::invalid(
                "case.tracking_number",
                "邮寄送达须填写6至40位字母或数字的运单号。",
                "Delivery by post needs a tracking number of 6 to 40 letters or digits.",
            )
            .into());
        }
    }
    simple(
        app,
        actor,
        case_id,
        CaseEvent::Deliver,
        None,
        move |_, row| {
            row.delivered_at = Some(now_micros());
            row.delivery = Some(to_json(&input));
            row.due_at = None;
            Ok(serde_json::json!({"delivery": input}))
        },
        None,
    )
    .await
}
