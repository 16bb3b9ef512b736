//! 电子监察 deadline warnings: a job pass raises the yellow warning when few working days are
//! left (`YIWANG_CASE_YELLOW_DAYS`, default 1) and the red one when the deadline has passed,
//! exactly once per case, step and level however many nodes run it (a unique row per case, step
//! and level, inserted in the job's transaction), notifying the department's approving officers
//! and head.

use yiwang_core::access::Role;
use yiwang_core::cases::limits::warning_to_raise;
use yiwang_core::cases::{CaseState, WarningLevel};
use yiwang_core::time::from_micros;
use yiwang_store::prelude::*;
use yiwang_store::{CaseRow, CaseWarningRow};

use super::{STEP_CASE, clock_of, date_text, set_clock, state_of, thresholds};
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
        raised += warn_case(app, tx, row, now).await?;
    }
    Ok(format!("raised {raised} case warnings"))
}

async fn warn_case(
    app: &App,
    tx: &mut dyn WriteTx,
    mut row: CaseRow,
    now: i64,
) -> AppResult<usize> {
    let at = from_micros(now);
    let state = state_of(&row)?;
    let clock = match clock_of(&row)? {
        Some(c) if state.clock_running() || state == CaseState::Suspended => c,
        _ => {
            // Nothing to watch any more (decided, withdrawn, …): stop looking at it.
            row.next_warn_at = None;
            return write_quiet(tx, &row).await.map(|_| 0);
        }
    };
    let cal = app.calendar();
    let current = clock.warning(&cal.calendar, at, thresholds());
    let already = WarningLevel::parse(&row.warning_level).filter(|l| *l != WarningLevel::Normal);
    let mut count = 0;
    if let Some(level) = warning_to_raise(already, current) {
        let deadline = clock.deadline(&cal.calendar, at).timestamp_micros();
        let w = CaseWarningRow {
            id: new_id(),
            case_id: row.id.clone(),
            step: STEP_CASE.into(),
            level: level.as_str().into(),
            org_id: row.org_id.clone(),
            deadline,
            fired_at: now,
        };
        row.warning_level = level.as_str().into();
        set_clock(app, &mut row, Some(&clock), at);
        row.updated_at = now;
        if tx.insert_case_warning(&w).await? {
            tx.update_case(&row).await?;
            record(
                tx,
                &Acting::system(),
                "case.warning",
                ("case", &row.id),
                vec![
                    digest(CaseRow::TABLE, &row.id, row.digest()),
                    digest(CaseWarningRow::TABLE, &w.id, w.digest()),
                ],
                serde_json::json!({"number": row.number, "step": STEP_CASE, "level": level.as_str(), "deadline": deadline}),
            )
            .await?;
            notify_officers(tx, &row, level, deadline).await?;
            count = 1;
        } else {
            // Raised already (another node): just bring the row up to date.
            write_quiet(tx, &row).await?;
        }
    } else {
        set_clock(app, &mut row, Some(&clock), at);
        if row.next_warn_at.is_some_and(|t| t <= now) {
            // Not due by the rule yet although scheduled (calendar changed): look again later.
            row.next_warn_at = Some(now + 3_600_000_000);
        }
        write_quiet(tx, &row).await?;
    }
    Ok(count)
}

/// An update of the warning bookkeeping, recorded in the ledger like every change to a case.
async fn write_quiet(tx: &mut dyn WriteTx, row: &CaseRow) -> AppResult<()> {
    tx.update_case(row).await?;
    record(
        tx,
        &Acting::system(),
        "case.warning_schedule",
        ("case", &row.id),
        vec![digest(CaseRow::TABLE, &row.id, row.digest())],
        serde_json::json!({"number": row.number, "next_warn_at": row.next_warn_at}),
    )
    .await?;
    Ok(())
}

/// The approving officers and heads of the reviewing department.
async fn notify_officers(
    tx: &mut dyn WriteTx,
    row: &CaseRow,
    level: WarningLevel,
    deadline: i64,
) -> AppResult<()> {
    let mut recipients: Vec<String> = tx
        .list_grants_in_org(&row.org_id)
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
                "level": level.label_zh(),
                "due": date_text(deadline),
            }),
        )
        .await?;
    }
    Ok(())
}
