//! 办件 (DOMAIN.md §1.3): applying online or at one window, acceptance, 一次性告知, 容缺受理,
//! parallel opinions, special procedures, extensions, the decision, completion and delivery;
//! the public progress query and case list; "my cases" and the officers' inbox; the deadline
//! warnings of electronic supervision.
//!
//! Every transition goes through `yiwang_core::cases::transition`, is authorized by
//! `yiwang_core::access` (the event's performer role in the organisation its scope names, or the
//! applicant's own case), and writes the case row, its history row and the ledger entry (and any
//! outbox message) in one transaction.

pub mod apply;
pub mod handle;
pub mod query;
pub mod supervision;
pub mod warnings;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::cases::lifecycle::{OrgScope, check_reason};
use yiwang_core::cases::{
    CaseClock, CaseEvent, CaseKind, CaseRuleError, CaseState, ReviewPlan, SubmittedMaterial,
    WarningLevel, WarningSchedule, WarningThresholds, transition,
};
use yiwang_core::catalog::ItemBody;
use yiwang_core::ledger::RowDigest;
use yiwang_core::time::from_micros;
use yiwang_store::prelude::*;
use yiwang_store::{CaseEventRow, CaseRow, CaseWarningRow, Organisation};

use crate::notify::Message;
use crate::{Acting, App, AppError, AppResult, digest, new_id, record};

/// The warning step of the case's own (promised) deadline.
pub const STEP_CASE: &str = "case";

/// A case rule's refusal as the use cases' error.
pub(crate) fn rule(e: CaseRuleError) -> AppError {
    AppError::Problem(e.into())
}

pub(crate) fn not_found() -> Problem {
    Problem::not_found("办件", "case")
}

fn corrupt(what: &str, id: &str) -> AppError {
    AppError::Internal(format!("case {id}: unreadable {what}"))
}

/// When a yellow warning starts: `YIWANG_CASE_YELLOW_DAYS` working days left (default 1).
pub fn thresholds() -> WarningThresholds {
    let t = WarningThresholds {
        yellow_at_remaining_days: std::env::var("YIWANG_CASE_YELLOW_DAYS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
    };
    if t.check().is_ok() {
        t
    } else {
        WarningThresholds::default()
    }
}

pub(crate) fn state_of(row: &CaseRow) -> AppResult<CaseState> {
    CaseState::parse(&row.status).ok_or_else(|| corrupt("status", &row.id))
}

pub(crate) fn kind_of(row: &CaseRow) -> AppResult<CaseKind> {
    CaseKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.id))
}

pub(crate) fn clock_of(row: &CaseRow) -> AppResult<Option<CaseClock>> {
    match &row.clock {
        None => Ok(None),
        Some(s) => serde_json::from_str(s)
            .map(Some)
            .map_err(|_| corrupt("clock", &row.id)),
    }
}

pub(crate) fn json_list<T: serde::de::DeserializeOwned>(
    s: &str,
    what: &str,
    id: &str,
) -> AppResult<Vec<T>> {
    serde_json::from_str(s).map_err(|_| corrupt(what, id))
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Stores the clock with the deadline.
pub(crate) fn set_clock(
    app: &App,
    row: &mut CaseRow,
    clock: Option<&CaseClock>,
    now: DateTime<Utc>,
) {
    let Some(clock) = clock else {
        row.clock = None;
        row.due_at = None;
        row.next_warn_at = None;
        return;
    };
    let cal = app.calendar();
    row.clock = Some(to_json(clock));
    row.due_at = Some(clock.deadline(&cal.calendar, now).timestamp_micros());
    // `next_warn_at` is set by `reschedule` when the change is written.
}

pub(crate) fn plan_of(row: &CaseRow) -> AppResult<Option<ReviewPlan>> {
    match &row.plan {
        None => Ok(None),
        Some(s) => serde_json::from_str(s)
            .map(Some)
            .map_err(|_| corrupt("plan", &row.id)),
    }
}

/// The next warning time of a schedule, given the highest level already raised.
fn next_of(raised: Option<WarningLevel>, s: WarningSchedule) -> Option<DateTime<Utc>> {
    match raised {
        None | Some(WarningLevel::Normal) => s.yellow_at.or(s.red_at),
        Some(WarningLevel::Yellow) => s.red_at,
        Some(WarningLevel::Red) => None,
    }
}

/// The highest warning raised for one step.
pub(crate) fn raised(warnings: &[CaseWarningRow], step: &str) -> Option<WarningLevel> {
    warnings
        .iter()
        .filter(|w| w.step == step)
        .filter_map(|w| WarningLevel::parse(&w.level))
        .max()
}

/// The clocks supervised now: the case's own, and each open review task's (per-step limits);
/// `(step, department, clock)`. Empty unless the clock runs or is stopped by a suspension.
pub(crate) async fn watched_clocks(
    tx: &mut dyn ReadTx,
    row: &CaseRow,
    state: CaseState,
) -> AppResult<Vec<(String, String, CaseClock)>> {
    if !(state.clock_running() || state == CaseState::Suspended) {
        return Ok(Vec::new());
    }
    let Some(clock) = clock_of(row)? else {
        return Ok(Vec::new());
    };
    let mut out = vec![(STEP_CASE.to_string(), row.org_id.clone(), clock.clone())];
    if let Some(plan) = plan_of(row)? {
        let opinions = handle::opinions_of(tx, &row.id).await?;
        let dispatched = from_micros(row.accepted_at.unwrap_or(row.created_at));
        for task in plan.open_tasks(&opinions) {
            if let Some(tc) = plan.task_clock(&task.key, dispatched, &opinions, &clock.pauses) {
                let dept = task
                    .department
                    .clone()
                    .unwrap_or_else(|| row.org_id.clone());
                out.push((task.key.clone(), dept, tc));
            }
        }
    }
    Ok(out)
}

/// Sets `next_warn_at` to the earliest warning not yet raised of the case and its open steps,
/// or, before acceptance, to when it counts as accepted without a notice (`None` when nothing
/// is watched), so the warning pass reads only the cases that fall due.
pub(crate) async fn reschedule(
    app: &App,
    tx: &mut dyn ReadTx,
    row: &mut CaseRow,
    state: CaseState,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let watched = watched_clocks(tx, row, state).await?;
    let warnings = if watched.is_empty() && row.committed_by.is_none() {
        Vec::new()
    } else {
        tx.list_case_warnings(&row.id).await?
    };
    let cal = app.calendar();
    let t = thresholds();
    let mut next = watched
        .iter()
        .filter_map(|(step, _, c)| {
            next_of(raised(&warnings, step), c.schedule(&cal.calendar, now, t))
        })
        .min();
    // Before acceptance: 视为受理 falls due 5 working days after the last receipt.
    if matches!(state, CaseState::Submitted | CaseState::PreReview) {
        let notices = tx.list_case_notices(&row.id).await?;
        if let Some(r) = handle::last_receipt(row, &notices) {
            let due = yiwang_core::cases::limits::notice_deadline(&cal.calendar, from_micros(r));
            next = Some(next.map_or(due, |n| n.min(due)));
        }
    }
    // 容缺受理: the committed date for the pending materials.
    if let Some(due) = commitment_due(tx, row, state, &warnings).await? {
        next = Some(next.map_or(due, |n| n.min(due)));
    }
    row.next_warn_at = next.map(|t| t.timestamp_micros());
    Ok(())
}

/// The warning step of a 容缺 commitment.
pub const STEP_COMMITMENT: &str = "commitment";

/// When a 容缺 commitment falls overdue (the end of the committed day), while pending materials
/// are still outstanding, the case is open and no warning was raised for it.
pub(crate) async fn commitment_due(
    tx: &mut dyn ReadTx,
    row: &CaseRow,
    state: CaseState,
    warnings: &[CaseWarningRow],
) -> AppResult<Option<DateTime<Utc>>> {
    let Some(date) = row
        .committed_by
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return Ok(None);
    };
    if !state.is_after_acceptance()
        || matches!(state, CaseState::Delivered)
        || raised(warnings, STEP_COMMITMENT).is_some()
    {
        return Ok(None);
    }
    let pending: Vec<String> = json_list(&row.pending, "pending", &row.id)?;
    let handed_in = submitted(tx, &row.id).await?;
    if yiwang_core::cases::notice::outstanding(&pending, &handed_in).is_empty() {
        return Ok(None);
    }
    Ok(date
        .succ_opt()
        .map(yiwang_core::calendar::local_midnight_utc))
}

/// The item version a case was filed under.
pub(crate) async fn item_body(
    tx: &mut dyn ReadTx,
    item_id: &str,
    version: i64,
) -> AppResult<ItemBody> {
    let row = tx
        .get_item_version(item_id, version)
        .await?
        .ok_or_else(|| AppError::Problem(Problem::not_found("事项版本", "item version")))?;
    crate::catalog::items::parse_body(&row)
}

pub(crate) async fn organisation(tx: &mut dyn ReadTx, id: &str) -> AppResult<Organisation> {
    tx.get_organisation(id)
        .await?
        .ok_or_else(|| AppError::Problem(Problem::not_found("机构", "organisation")))
}

/// Reads and locks a case for a change.
pub(crate) async fn lock(tx: &mut dyn WriteTx, id: &str) -> AppResult<CaseRow> {
    tx.lock_case(id).await?.ok_or_else(|| not_found().into())
}

/// The grant with which `actor` performs a staff `event` on `row`: the event's performer role,
/// held in the organisation its scope names (the receiving centre or the reviewing department).
pub(crate) async fn staff_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    event: CaseEvent,
    row: &CaseRow,
) -> AppResult<&'a Grant> {
    let org_id = match event.org_scope() {
        OrgScope::ReceivingCentre => &row.centre_id,
        OrgScope::ReviewingDepartment => &row.org_id,
        OrgScope::OwnCase | OrgScope::Platform => return Err(Problem::forbidden().into()),
    };
    staff_grant_in(tx, actor, event, org_id).await
}

pub(crate) async fn staff_grant_in<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    event: CaseEvent,
    org_id: &str,
) -> AppResult<&'a Grant> {
    let org = organisation(tx, org_id).await?;
    Ok(access::authorize(
        actor,
        Permission::CaseEvent(event),
        Scope::Org(&org.path),
    )?)
}

/// The applicant (the account that applied) acting on their own case.
pub(crate) fn own_case(actor: &Actor, row: &CaseRow) -> AppResult<Acting> {
    access::authorize_own_case(actor, &row.applicant_user_id)?;
    Ok(Acting::as_self(actor))
}

/// Checks that `event` may happen now; returns the current and the next state.
pub(crate) fn check_event(
    row: &CaseRow,
    event: CaseEvent,
    reason: Option<&str>,
) -> AppResult<(CaseState, CaseState)> {
    let from = state_of(row)?;
    let to = transition(kind_of(row)?, from, event).map_err(rule)?;
    check_reason(event, reason).map_err(rule)?;
    Ok((from, to))
}

/// A transition to write: the event, the states, and what to record with it.
pub(crate) struct Written<'a> {
    pub event: CaseEvent,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub reason: Option<&'a str>,
    pub detail: serde_json::Value,
    /// Digests of the other rows written in the same change (material, notice, opinion, …).
    pub rows: Vec<RowDigest>,
}

/// Writes the case row (new or updated), its history row and the ledger entry.
pub(crate) async fn write_event(
    app: &App,
    tx: &mut dyn WriteTx,
    by: &Acting,
    row: &mut CaseRow,
    w: Written<'_>,
    insert: bool,
) -> AppResult<CaseEventRow> {
    let now = crate::now_micros();
    row.status = w.to.as_str().into();
    row.updated_at = now;
    reschedule(app, tx, row, w.to, from_micros(now)).await?;
    if insert {
        tx.insert_case(row).await?;
    } else {
        tx.update_case(row).await?;
    }
    // The inboxes that show it: open cases only, in deadline order.
    let open = !(w.to == CaseState::Draft || w.to.is_terminal());
    let mut orgs = Vec::new();
    if open {
        orgs.push(row.org_id.clone());
        orgs.push(row.centre_id.clone());
        orgs.extend(
            tx.list_case_parties(&row.id)
                .await?
                .into_iter()
                .map(|p| p.org_id),
        );
        orgs.sort();
        orgs.dedup();
    }
    tx.set_case_inbox(&row.id, &orgs, row.due_at.unwrap_or(i64::MAX))
        .await?;
    let seq = tx.list_case_events(&row.id).await?.len() as i64 + 1;
    let ev = CaseEventRow {
        id: new_id(),
        case_id: row.id.clone(),
        seq,
        event: w.event.as_str().into(),
        from_status: w.from.map(|s| s.as_str().into()),
        to_status: w.to.as_str().into(),
        actor_id: by.actor_id.clone(),
        role: by.role.clone(),
        org_id: by.org_id.clone(),
        reason: w.reason.map(|r| r.trim().to_string()),
        detail: w.detail.to_string(),
        at: now,
    };
    tx.insert_case_event(&ev).await?;
    let mut rows = vec![
        digest(CaseRow::TABLE, &row.id, row.digest()),
        digest(CaseEventRow::TABLE, &ev.id, ev.digest()),
    ];
    rows.extend(w.rows);
    record(
        tx,
        by,
        &format!("case.{}", w.event.as_str()),
        ("case", &row.id),
        rows,
        serde_json::json!({"number": row.number, "event": w.event.as_str(), "from": w.from.map(|s| s.as_str()), "to": w.to.as_str(), "reason": w.reason, "detail": w.detail}),
    )
    .await?;
    Ok(ev)
}

/// The materials handed in so far, as the notice rules see them.
pub(crate) async fn submitted(
    tx: &mut dyn ReadTx,
    case_id: &str,
) -> AppResult<Vec<SubmittedMaterial>> {
    let mut out: Vec<SubmittedMaterial> = Vec::new();
    for m in tx.list_case_materials(case_id).await? {
        match out.iter_mut().find(|s| s.name == m.material) {
            Some(s) => s.files.push(m.digest),
            None => out.push(SubmittedMaterial {
                name: m.material,
                files: vec![m.digest],
                verified_online: false,
            }),
        }
    }
    Ok(out)
}

/// Queues an in-app notification to the applicant (when the case has an account).
pub(crate) async fn notify_applicant(
    app: &App,
    tx: &mut dyn WriteTx,
    row: &CaseRow,
    template: &str,
    extra: serde_json::Value,
) -> AppResult<()> {
    if row.applicant_user_id.is_empty() {
        return Ok(());
    }
    let mut params = serde_json::json!({
        "number": row.number,
        "item": row.item_name,
        "status": state_of(row)?.label_zh(),
    });
    if let (Some(p), serde_json::Value::Object(e)) = (params.as_object_mut(), extra) {
        p.extend(e);
    }
    crate::notify::queue_person(tx, app.gateways(), &row.applicant_user_id, template, params).await
}

/// The notification templates of cases (`case.*`), Chinese with full-width punctuation;
/// `None` for another capability's key.
pub fn render(template: &str, params: &serde_json::Value) -> Option<Message> {
    let p = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (title, body) = match template {
        "case.accepted" => (
            "办件已受理",
            format!(
                "您申请的“{}”（办件编号{}）已受理，承诺办结期限：{}。",
                p("item"),
                p("number"),
                p("due")
            ),
        ),
        "case.not_accepted" => (
            "办件不予受理",
            format!(
                "您申请的“{}”（办件编号{}）不予受理，理由：{}。",
                p("item"),
                p("number"),
                p("reason")
            ),
        ),
        "case.correction_requested" => (
            "一次性告知补正材料",
            format!(
                "您申请的“{}”（办件编号{}）需补正以下材料：{}",
                p("item"),
                p("number"),
                p("notice")
            ),
        ),
        "case.decided" => (
            "办件已作出决定",
            format!(
                "您申请的“{}”（办件编号{}）已作出决定：{}。",
                p("item"),
                p("number"),
                p("outcome")
            ),
        ),
        "case.completed" => (
            "办件已办结",
            format!(
                "您申请的“{}”（办件编号{}）已办结，请按选择的方式领取结果。",
                p("item"),
                p("number")
            ),
        ),
        "case.warning" => (
            "办件时限预警",
            format!(
                "办件“{}”（编号{}）{}：期限至{}，请及时办理。",
                p("item"),
                p("number"),
                p("level"),
                p("due")
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
            render: |p| render($key, p.0).expect("every registered case template renders"),
        }),*]
    };
}

/// Cases in the capability registry: covered tables, the deadline-warning job, the messages.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "cases",
    covered: yiwang_store::cases::CASES_TABLES,
    covered_rows: Some(|tx, out| Box::pin(covered_rows(tx, out))),
    jobs: &[crate::registry::JobSpec {
        kind: warnings::JOB,
        run: |app, tx, _job| Box::pin(warnings::run_warnings(app, tx, crate::now_micros())),
        every: Some(|_| std::time::Duration::from_secs(60)),
    }],
    templates: templates!(
        "case.accepted",
        "case.not_accepted",
        "case.correction_requested",
        "case.decided",
        "case.completed",
        "case.warning",
    ),
};

/// Micros as a Beijing date for messages.
pub(crate) fn date_text(us: i64) -> String {
    yiwang_core::time::display_local(us)
}

pub(crate) fn now_utc() -> DateTime<Utc> {
    from_micros(crate::now_micros())
}

/// Every row of the case tables, for `yiwang audit verify`.
pub async fn covered_rows(
    tx: &mut dyn ReadTx,
    out: &mut Vec<crate::registry::CoveredRow>,
) -> AppResult<()> {
    use yiwang_store::{
        CaseMaterialRow, CaseNoticeRow, CaseOpinionRow, CasePartyRow, CaseViolationRow,
        CaseWarningRow,
    };
    for r in tx.all_cases().await? {
        out.push((CaseRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_materials().await? {
        out.push((CaseMaterialRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_events().await? {
        out.push((CaseEventRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_notices().await? {
        out.push((CaseNoticeRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_opinions().await? {
        out.push((CaseOpinionRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_parties().await? {
        out.push((CasePartyRow::TABLE, r.key(), r.digest()));
    }
    for r in tx.all_case_warnings().await? {
        out.push((CaseWarningRow::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.all_case_violations().await? {
        out.push((CaseViolationRow::TABLE, r.id.clone(), r.digest()));
    }
    Ok(())
}

/// `yiwang audit verify` with the blob store: re-hashes every case material's blob
/// (`blob.missing`, `blob.altered`).
pub async fn check_blobs(
    store: &std::sync::Arc<dyn yiwang_store::Store>,
    blobs: &crate::blobs::Blobs,
    report: &mut crate::audit::VerifyReport,
) -> AppResult<()> {
    use crate::blobs::BlobState;
    let materials = store.read().await?.all_case_materials().await?;
    for m in materials {
        report.blobs_checked += 1;
        let (code, message) = match blobs.check(&m.digest, m.size.max(0) as u64).await? {
            BlobState::Intact => continue,
            BlobState::Missing => (
                "blob.missing",
                format!(
                    "the content of case material {} ({}) is missing from the blob store {} (digest {})",
                    m.id,
                    m.filename,
                    blobs.describe(),
                    m.digest
                ),
            ),
            BlobState::Altered { actual, size } => (
                "blob.altered",
                format!(
                    "the content of case material {} ({}) was altered in the blob store {}: digest {} expected, {actual} ({size} bytes) found",
                    m.id,
                    m.filename,
                    blobs.describe(),
                    m.digest
                ),
            ),
        };
        report.findings.push(crate::audit::Finding {
            code: code.into(),
            seq: None,
            table: Some(yiwang_store::CaseMaterialRow::TABLE.into()),
            id: Some(m.id.clone()),
            message,
        });
    }
    Ok(())
}

/// A case as its applicant and the officers see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case: CaseRow,
    pub state: CaseState,
}

impl CaseView {
    pub(crate) fn of(case: CaseRow) -> AppResult<Self> {
        let state = state_of(&case)?;
        Ok(CaseView { case, state })
    }
}
