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
