//! 电子监察 deadline warnings (and 视为受理 when no notice came within 5 working days of
//! receipt): a job pass raises the yellow warning when few working days are
//! left (`YIWANG_CASE_YELLOW_DAYS`, default 1) and the red one when the deadline has passed,
//! exactly once per case, step and level however many nodes run it (a unique row per case, step
//! and level, inserted in the job's transaction), notifying the department's approving officers
//! and head.

use yiwang_core::access::Role;
use yiwang_core::cases::Violation;
use yiwang_core::cases::limits::warning_to_raise;
use yiwang_core::cases::{CaseState, WarningLevel};
use yiwang_core::time::from_micros;
use yiwang_store::prelude::*;
use yiwang_store::{CaseRow, CaseViolationRow, CaseWarningRow};

use super::{
    STEP_CASE, STEP_COMMITMENT, commitment_due, date_text, raised, reschedule, state_of,
    thresholds, watched_clocks,
};
use crate::{Acting, App, AppResult, digest, new_id, record};

/// The job kind (run every minute).
pub const JOB: &str = "cases.warnings";
/// Cases handled per pass at most (the rest wait for the next pass).
pub const BATCH: i64 = 500;

/// One pass at `now`: reads only the cases whose next warning has fallen due.
pub async fn run_warnings(app: &App, tx: &mut dyn WriteTx, now: i64) -> AppResult<String> {
    let due = tx.list_cases_due_warning(now, BATCH).await?;
    let mut raised = 0usize;
    for row in due {
        raised += warn_case(app, tx, &row.id, now).await?;
    }
    Ok(format!("raised {raised} case warnings"))
}

/// Raises what is due for one case and its open steps, each level once per step.
async fn warn_case(app: &App, tx: &mut dyn WriteTx, case_id: &str, now: i64) -> AppResult<usize> {
    // Locked and re-read: another node's pass on the same case waits and then sees its work.
    let Some(mut row) = tx.lock_case(case_id).await? else {
        return Ok(0);
    };
    if row.next_warn_at.is_none_or(|t| t > now) {
        return Ok(0);
    }
    let at = from_micros(now);
    let state = state_of(&row)?;
    if matches!(state, CaseState::Submitted | CaseState::PreReview)
        && super::handle::deem_accept(app, tx, &mut row, now).await?
    {
        return Ok(0);
    }
    let watched = watched_clocks(tx, &row, state).await?;
    let existing = tx.list_case_warnings(&row.id).await?;
    let cal = app.calendar();
    let t = thresholds();
    let mut rows = Vec::new();
    let mut fired = Vec::new();
    for (step, org, clock) in watched {
        let current = clock.warning(&cal.calendar, at, t);
        let Some(level) = warning_to_raise(raised(&existing, &step), current) else {
            continue;
        };
        let deadline = clock.deadline(&cal.calendar, at).timestamp_micros();
        let w = CaseWarningRow {
            id: new_id(),
            case_id: row.id.clone(),
            step: step.clone(),
            level: level.as_str().into(),
            org_id: org.clone(),
            deadline,
            fired_at: now,
        };
        if tx.insert_case_warning(&w).await? {
            rows.push(digest(CaseWarningRow::TABLE, &w.id, w.digest()));
            if step == STEP_CASE {
                row.warning_level = level.as_str().into();
            }
            fired.push((step, org, level, deadline));
        }
    }
    // 容缺受理: the pending materials were not in by the committed date.
    let commitment = commitment_due(tx, &row, state, &existing).await?;
    if let Some(due) = commitment.filter(|d| *d <= at) {
        let deadline = due.timestamp_micros();
        let w = CaseWarningRow {
            id: new_id(),
            case_id: row.id.clone(),
            step: STEP_COMMITMENT.into(),
            level: WarningLevel::Red.as_str().into(),
            org_id: row.org_id.clone(),
            deadline,
            fired_at: now,
        };
        if tx.insert_case_warning(&w).await? {
            rows.push(digest(CaseWarningRow::TABLE, &w.id, w.digest()));
            let v = CaseViolationRow {
                id: new_id(),
                case_id: row.id.clone(),
                violation: Violation::CommitmentOverdue.as_str().into(),
                org_id: row.org_id.clone(),
                officer_id: None,
                detail: serde_json::json!({"committed_by": row.committed_by}).to_string(),
                at: now,
            };
            tx.insert_case_violation(&v).await?;
            rows.push(digest(CaseViolationRow::TABLE, &v.id, v.digest()));
            fired.push((
                STEP_COMMITMENT.to_string(),
                row.org_id.clone(),
                WarningLevel::Red,
                deadline,
            ));
        }
    }
    reschedule(app, tx, &mut row, state, at).await?;
    if row.next_warn_at.is_some_and(|t| t <= now) {
        // Scheduled but not due by the rule (e.g. the calendar changed): look again later.
        row.next_warn_at = Some(now + 3_600_000_000);
    }
    row.updated_at = now;
    tx.update_case(&row).await?;
    rows.insert(0, digest(CaseRow::TABLE, &row.id, row.digest()));
    let detail: Vec<serde_json::Value> = fired
        .iter()
        .map(|(step, org, level, deadline)| serde_json::json!({"step": step, "org_id": org, "level": level.as_str(), "deadline": deadline}))
        .collect();
    record(
        tx,
        &Acting::system(),
        if fired.is_empty() {
            "case.warning_schedule"
        } else {
            "case.warning"
        },
        ("case", &row.id),
        rows,
        serde_json::json!({"number": row.number, "warnings": detail, "next_warn_at": row.next_warn_at}),
    )
    .await?;
    for (step, org, level, deadline) in &fired {
        notify_officers(tx, &row, org, step, *level, *deadline).await?;
    }
    Ok(fired.len())
}

/// The approving officers and heads of the reviewing department.
async fn notify_officers(
    tx: &mut dyn WriteTx,
    row: &CaseRow,
    org_id: &str,
    step: &str,
    level: WarningLevel,
    deadline: i64,
) -> AppResult<()> {
    let mut recipients: Vec<String> = tx
        .list_grants_in_org(org_id)
        .await?
        .into_iter()
        .filter(|g| {
            matches!(
                Role::parse(&g.role),
                Some(Role::ApprovingOfficer | Role::DepartmentHead)
            )
        })
        .map(|g| g.user_id)
        .collect();
    recipients.sort();
    recipients.dedup();
    for r in recipients {
        crate::notify::queue(
            tx,
            crate::notify::Channel::InApp,
            &r,
            "case.warning",
            serde_json::json!({
                "number": row.number,
                "item": row.item_name,
                "step": step,
                "level": level.label_zh(),
                "due": date_text(deadline),
            }),
        )
        .await?;
    }
    Ok(())
}
