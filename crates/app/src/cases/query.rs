//! Reading cases: the public progress query (number + query code) and case list (办件公示,
//! personal data masked), "my cases", the officers' inbox and a case's details.

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::cases::{Applicant, CaseEvent, CaseNumber, CaseState};
use yiwang_core::privacy;
use yiwang_store::{CaseEventRow, CaseMaterialRow, CaseNoticeRow, CaseOpinionRow, CaseRow};

use super::{CaseView, not_found, organisation, state_of};
use crate::{App, AppError, AppResult};

/// Pages are at most this long.
pub const MAX_PAGE: i64 = 100;

/// A page request: 1-based page number and size.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page {
    pub page: i64,
    pub size: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page { page: 1, size: 20 }
    }
}

impl Page {
    fn limit_offset(self) -> (i64, i64) {
        let size = self.size.clamp(1, MAX_PAGE);
        let page = self.page.max(1);
        (size, (page - 1).saturating_mul(size))
    }
}

/// One step of the public progress.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgressStep {
    pub event: CaseEvent,
    pub label: String,
    pub to: CaseState,
    pub at: i64,
}

/// 办件进度: what the public sees with the number and the query code; no personal data.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Progress {
    pub number: String,
    pub item_name: String,
    pub state: CaseState,
    pub state_label: String,
    pub received_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub steps: Vec<ProgressStep>,
}

fn progress_not_found() -> AppError {
    AppError::Problem(Problem::not_found(
        "办件（编号或查询码不正确）",
        "case (wrong number or query code)",
    ))
}

/// 办件进度查询, without sign-in: a wrong number and a wrong code answer the same.
pub async fn progress(app: &App, number: &str, query_code: &str) -> AppResult<Progress> {
    let number = CaseNumber::parse(number).map_err(super::rule)?;
    let mut tx = app.store.read().await?;
    let Some(row) = tx.get_case_by_number(number.as_str()).await? else {
        return Err(progress_not_found());
    };
    let expected = row.query_hash.clone().unwrap_or_default();
    let typed = super::apply::query_hash(query_code);
    let same = expected.len() == typed.len()
        && expected
            .bytes()
            .zip(typed.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same || expected.is_empty() {
        return Err(progress_not_found());
    }
    let state = state_of(&row)?;
    let steps = tx
        .list_case_events(&row.id)
        .await?
        .into_iter()
        .filter_map(|e| {
            let event = CaseEvent::parse(&e.event)?;
            let to = CaseState::parse(&e.to_status)?;
            (event != CaseEvent::SaveDraft).then(|| ProgressStep {
                event,
                label: event.label_zh().into(),
                to,
                at: e.at,
            })
        })
        .collect();
    Ok(Progress {
        number: number.grouped(),
        item_name: row.item_name,
        state,
        state_label: state.label_zh().into(),
        received_at: row.received_at,
        accepted_at: row.accepted_at,
        decided_at: row.decided_at,
        completed_at: row.completed_at,
        due_at: row.due_at,
        steps,
    })
}

/// 办件公示: one line of the public list; names masked (张*), no identity or phone numbers.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicCase {
    pub number: String,
    pub item_name: String,
    pub applicant: String,
    pub state: CaseState,
    pub state_label: String,
    pub received_at: Option<i64>,
    pub decided_at: Option<i64>,
}

/// The public name of the applicant, with anything that still looks like personal data masked.
fn public_name(row: &CaseRow) -> String {
    let name = match serde_json::from_str::<Applicant>(&row.applicant) {
        Ok(a) => a.public_name(),
        Err(_) => yiwang_core::cases::applicant::mask_person_name(&row.applicant_name),
    };
    let found = privacy::detect(&name);
    if found.is_empty() {
        name
    } else {
        privacy::mask(&name, &found)
    }
}

/// 办件公示, without sign-in: submitted cases, newest first.
pub async fn public_list(app: &App, page: Page) -> AppResult<Vec<PublicCase>> {
    let (limit, offset) = page.limit_offset();
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for row in tx.list_public_cases(limit, offset).await? {
        let state = state_of(&row)?;
        out.push(PublicCase {
            number: row.number.clone(),
            item_name: row.item_name.clone(),
            applicant: public_name(&row),
            state,
            state_label: state.label_zh().into(),
            received_at: row.received_at,
            decided_at: row.decided_at,
        });
    }
    Ok(out)
}

/// 我的办件: the caller's cases, newest first.
pub async fn my_cases(app: &App, actor: &Actor, page: Page) -> AppResult<Vec<CaseView>> {
    let (limit, offset) = page.limit_offset();
    let mut tx = app.store.read().await?;
    tx.list_cases_of_user(&actor.user_id, limit, offset)
        .await?
        .into_iter()
        .map(CaseView::of)
        .collect()
}

/// The officers' inbox of an organisation: its open cases (as the reviewing department, the
/// receiving centre or a participating department), the nearest deadline first.
pub async fn inbox(app: &App, actor: &Actor, org_id: &str, page: Page) -> AppResult<Vec<CaseView>> {
    let (limit, offset) = page.limit_offset();
    let mut tx = app.store.read().await?;
    let org = organisation(&mut *tx, org_id).await?;
    access::authorize(actor, Permission::ViewCases, Scope::Org(&org.path))?;
    tx.list_case_inbox(org_id, limit, offset)
        .await?
        .into_iter()
        .map(CaseView::of)
        .collect()
}

/// A case with its materials, history, notices and opinions.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub case: CaseView,
    pub materials: Vec<CaseMaterialRow>,
    pub events: Vec<CaseEventRow>,
    pub notices: Vec<CaseNoticeRow>,
    pub opinions: Vec<CaseOpinionRow>,
}

/// A case for its applicant, or for staff who may see the cases of an organisation involved.
pub async fn case_detail(app: &App, actor: &Actor, case_id: &str) -> AppResult<CaseDetail> {
    let mut tx = app.store.read().await?;
    let row = tx.get_case(case_id).await?.ok_or_else(not_found)?;
    if access::authorize_own_case(actor, &row.applicant_user_id).is_err() {
        let mut orgs = vec![row.org_id.clone(), row.centre_id.clone()];
        orgs.extend(
            tx.list_case_parties(&row.id)
                .await?
                .into_iter()
                .map(|p| p.org_id),
        );
        let mut allowed = false;
        for o in orgs {
            let org = organisation(&mut *tx, &o).await?;
            if access::authorize(actor, Permission::ViewCases, Scope::Org(&org.path)).is_ok() {
                allowed = true;
                break;
            }
        }
        if !allowed {
            // Not yours and not your organisation's: as if it did not exist.
            return Err(not_found().into());
        }
    }
    Ok(CaseDetail {
        materials: tx.list_case_materials(&row.id).await?,
        events: tx.list_case_events(&row.id).await?,
        notices: tx.list_case_notices(&row.id).await?,
        opinions: tx.list_case_opinions(&row.id).await?,
        case: CaseView::of(row)?,
    })
}

/// One line of a 一次性告知 as a page shows it.
#[derive(Debug, Clone)]
pub struct NoticeLine {
    pub material: String,
    /// 缺少材料 or 材料不符合要求.
    pub missing: bool,
    pub reason: String,
}

/// A 一次性告知 as issued: its round, lines, the reason of a further notice, and when it was
/// answered.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub round: i64,
    pub lines: Vec<NoticeLine>,
    pub reason: Option<String>,
    pub issued_at: i64,
    pub answered_at: Option<i64>,
}

/// A review task (审查环节) of the case's plan and its opinion, if recorded.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub key: String,
    pub name: String,
    pub role: yiwang_core::access::Role,
    /// The department's name (the implementing department for the item's own steps).
    pub department: String,
    pub limit_days: u32,
    /// The verdict recorded (`agree`, …) and its comment; `None` while open.
    pub verdict: Option<yiwang_core::cases::Verdict>,
    pub comment: String,
    /// Whether the viewer may record its opinion now.
    pub mine: bool,
}

/// What a case page needs: the detail, the item version's form and materials, the notices, the
/// review tasks, the required materials still missing, the open special procedure, and the
/// events the viewer may perform now (by state, case kind and the roles held in the right
/// organisation; the use cases check again).
#[derive(Debug, Clone)]
pub struct CaseScreen {
    pub detail: CaseDetail,
    pub own: bool,
    pub form_fields: Vec<yiwang_core::catalog::FormField>,
    pub materials: Vec<yiwang_core::catalog::Material>,
    pub form: std::collections::BTreeMap<String, String>,
    pub notices: Vec<NoticeView>,
    pub tasks: Vec<TaskView>,
    pub missing: Vec<String>,
    pub pending: Vec<String>,
    pub suspension: Option<yiwang_core::cases::SuspensionKind>,
    pub events: Vec<CaseEvent>,
    pub centre_name: String,
    pub department_name: String,
}

/// The events a page offers as buttons (others happen by the platform or through the API).
const PAGE_EVENTS: &[CaseEvent] = &[
    CaseEvent::Submit,
    CaseEvent::SupplyCorrection,
    CaseEvent::Withdraw,
    CaseEvent::Accept,
    CaseEvent::AcceptWithDeficiency,
    CaseEvent::NotAccept,
    CaseEvent::RequestCorrection,
    CaseEvent::RecordOpinion,
    CaseEvent::RequestSupplement,
    CaseEvent::StartSpecialProcedure,
    CaseEvent::Resume,
    CaseEvent::ExtendLimit,
    CaseEvent::Approve,
    CaseEvent::Refuse,
    CaseEvent::Complete,
    CaseEvent::Deliver,
];

/// A case page's reading for its applicant or the staff who may see it (else not found).
pub async fn case_screen(app: &App, actor: &Actor, case_id: &str) -> AppResult<CaseScreen> {
    use yiwang_core::cases::lifecycle::{OrgScope, Performer};
    let detail = case_detail(app, actor, case_id).await?;
    let row = &detail.case.case;
    let state = detail.case.state;
    let own = access::authorize_own_case(actor, &row.applicant_user_id).is_ok();
    let mut tx = app.store.read().await?;
    let body = super::item_body(&mut *tx, &row.item_id, row.item_version).await?;
    let form = serde_json::from_str(&row.form).unwrap_or_default();
    let handed_in = super::submitted(&mut *tx, &row.id).await?;
    let missing = yiwang_core::cases::notice::missing_materials(&body.materials, &handed_in)
        .into_iter()
        .map(|m| m.name.clone())
        .collect();
    let pending: Vec<String> = super::json_list(&row.pending, "pending", &row.id)?;
    let pending = yiwang_core::cases::notice::outstanding(&pending, &handed_in)
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut notices = Vec::new();
    for n in &detail.notices {
        let notice: yiwang_core::cases::CorrectionNotice = serde_json::from_str(&n.notice)
            .map_err(|_| AppError::Internal(format!("notice {} unreadable", n.id)))?;
        notices.push(NoticeView {
            round: n.round,
            lines: notice
                .items
                .into_iter()
                .map(|i| NoticeLine {
                    material: i.material,
                    missing: i.problem == yiwang_core::cases::NoticeProblem::Missing,
                    reason: i.reason,
                })
                .collect(),
            reason: n.reason.clone(),
            issued_at: n.issued_at,
            answered_at: n.answered_at,
        });
    }
    let suspension = super::clock_of(row)?
        .and_then(|c| c.pauses.iter().find(|p| p.until.is_none()).map(|p| p.kind))
        .filter(|_| state == CaseState::Suspended);
    let centre = organisation(&mut *tx, &row.centre_id).await?;
    let dept = organisation(&mut *tx, &row.org_id).await?;
    // Review tasks, and whether the viewer holds the task's role in its department.
    let mut tasks = Vec::new();
    // The decision is offered once every review task has its opinion.
    let mut decidable = true;
    if let Some(plan) = super::plan_of(row)? {
        let opinions = super::handle::opinions_of(&mut *tx, &row.id).await?;
        decidable = plan.may_decide(&opinions).is_ok();
        let open: Vec<String> = plan
            .open_tasks(&opinions)
            .iter()
            .map(|t| t.key.clone())
            .collect();
        for t in plan.tasks() {
            let dept_id = t.department.clone().unwrap_or_else(|| row.org_id.clone());
            let org = organisation(&mut *tx, &dept_id).await?;
            let opinion = detail.opinions.iter().find(|o| o.task == t.key);
            // As `ReviewPlan::check_opinion`: the task's role (or the head for an officer's
            // task) in the task's department.
            let holds = actor.grants.iter().any(|g| {
                g.org_id == dept_id
                    && (g.role == t.role
                        || (g.role == yiwang_core::access::Role::DepartmentHead
                            && t.role == yiwang_core::access::Role::ApprovingOfficer))
            });
            tasks.push(TaskView {
                key: t.key.clone(),
                name: t.name.clone(),
                role: t.role,
                department: org.name.clone(),
                limit_days: t.limit_days,
                verdict: opinion.and_then(|o| yiwang_core::cases::Verdict::parse(&o.verdict)),
                comment: opinion.map(|o| o.comment.clone()).unwrap_or_default(),
                mine: holds
                    && opinion.is_none()
                    && open.contains(&t.key)
                    && state == CaseState::InReview,
            });
        }
    }
    let kind = super::kind_of(row)?;
    let mut events = Vec::new();
    for &event in PAGE_EVENTS {
        if yiwang_core::cases::transition(kind, state, event).is_err() {
            continue;
        }
        let allowed = match event.org_scope() {
            OrgScope::OwnCase => own && event.performed_by(Performer::Applicant),
            OrgScope::ReceivingCentre => access::authorize(
                actor,
                Permission::CaseEvent(event),
                Scope::Org(&centre.path),
            )
            .is_ok(),
            OrgScope::ReviewingDepartment if event == CaseEvent::RecordOpinion => {
                tasks.iter().any(|t| t.mine)
            }
            OrgScope::ReviewingDepartment => {
                access::authorize(actor, Permission::CaseEvent(event), Scope::Org(&dept.path))
                    .is_ok()
            }
            OrgScope::Platform => false,
        };
        // A supplement in review ends with the applicant's correction, not a resumption.
        let resumable = event != CaseEvent::Resume
            || suspension.is_some_and(|k| k != yiwang_core::cases::SuspensionKind::Supplement);
        let supplement_answer = event != CaseEvent::SupplyCorrection
            || state != CaseState::Suspended
            || suspension == Some(yiwang_core::cases::SuspensionKind::Supplement);
        let ready = decidable || !matches!(event, CaseEvent::Approve | CaseEvent::Refuse);
        if allowed && resumable && supplement_answer && ready {
            events.push(event);
        }
    }
    Ok(CaseScreen {
        own,
        form_fields: body.form_fields,
        materials: body.materials,
        form,
        notices,
        tasks,
        missing,
        pending,
        suspension,
        events,
        centre_name: centre.name,
        department_name: dept.name,
        detail,
    })
}

/// The organisations whose case inbox the viewer may open (each grant allowing it), with their
/// names: `(org id, org name, role)`.
pub async fn inbox_orgs(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<(String, String, yiwang_core::access::Role)>> {
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for g in &actor.grants {
        if access::authorize(actor, Permission::ViewCases, Scope::Org(&g.org_path)).is_ok()
            && !out.iter().any(|(id, _, _)| id == &g.org_id)
        {
            let org = organisation(&mut *tx, &g.org_id).await?;
            out.push((org.id, org.name, g.role));
        }
    }
    Ok(out)
}

/// 电子监察 at a glance: one department's (or centre's) warnings and violations.
#[derive(Debug, Clone, Default)]
pub struct DeptSupervision {
    pub org_id: String,
    pub org_name: String,
    pub yellow: usize,
    pub red: usize,
    /// `(violation, count)` in the order of `Violation::ALL`.
    pub violations: Vec<(yiwang_core::cases::Violation, usize)>,
}

/// The warnings and violations of every organisation the viewer may supervise (holds a role
/// that sees cases at or above it), the most red warnings first. A simple overview: it reads
/// every warning and violation row, so it is for the pages, not for the monthly bulletin.
pub async fn supervision_overview(app: &App, actor: &Actor) -> AppResult<Vec<DeptSupervision>> {
    use yiwang_core::cases::{Violation, WarningLevel};
    let mut tx = app.store.read().await?;
    let warnings = tx.all_case_warnings().await?;
    let violations = tx.all_case_violations().await?;
    let mut ids: Vec<&str> = warnings
        .iter()
        .map(|w| w.org_id.as_str())
        .chain(violations.iter().map(|v| v.org_id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let org = organisation(&mut *tx, id).await?;
        if access::authorize(actor, Permission::ViewCases, Scope::Org(&org.path)).is_err() {
            continue;
        }
        let level = |l: WarningLevel| {
            warnings
                .iter()
                .filter(|w| w.org_id == id && WarningLevel::parse(&w.level) == Some(l))
                .count()
        };
        out.push(DeptSupervision {
            yellow: level(WarningLevel::Yellow),
            red: level(WarningLevel::Red),
            violations: Violation::ALL
                .iter()
                .map(|v| {
                    let n = violations
                        .iter()
                        .filter(|r| r.org_id == id && Violation::parse(&r.violation) == Some(*v))
                        .count();
                    (*v, n)
                })
                .collect(),
            org_id: org.id,
            org_name: org.name,
        });
    }
    out.sort_by(|a, b| b.red.cmp(&a.red).then(b.yellow.cmp(&a.yellow)));
    Ok(out)
}

/// An organisation's name (organisations are public), for a page's heading.
pub async fn organisation_name(app: &App, org_id: &str) -> AppResult<String> {
    let mut tx = app.store.read().await?;
    Ok(organisation(&mut *tx, org_id).await?.name)
}

/// The role under which the viewer looks at cases: the first grant that may see them.
pub fn viewing_role(actor: &Actor) -> yiwang_core::access::Role {
    actor
        .grants
        .iter()
        .find(|g| access::authorize(actor, Permission::ViewCases, Scope::Org(&g.org_path)).is_ok())
        .map(|g| g.role)
        .unwrap_or(yiwang_core::access::Role::Supervisor)
}
