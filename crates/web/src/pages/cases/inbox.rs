//! 待办箱: the open cases of each organisation the officer works for (receiving centre,
//! reviewing or participating department), the nearest deadline first, with the yellow and red
//! warning marks.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::cases::query::{self, Page as Paging};

use super::CaseLine;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedPage, render};

pub struct OrgTab {
    pub id: String,
    pub name: String,
    pub role: String,
    pub current: bool,
}

#[derive(askama::Template)]
#[template(path = "cases_inbox.html")]
struct InboxTpl {
    i: I18n,
    nav: Nav,
    tabs: Vec<OrgTab>,
    cases: Vec<CaseLine>,
    page: i64,
    more: bool,
    org: String,
    /// The viewer works at a window (registers walk-ins).
    window: bool,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    org: Option<String>,
    page: Option<i64>,
}

pub async fn inbox(
    State(state): State<AppState>,
    page: SignedPage,
    q: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let (org, n) = match q {
        Ok(Query(q)) => (q.org, q.page.unwrap_or(1).max(1)),
        Err(_) => (None, 1),
    };
    let orgs = query::inbox_orgs(&state.app, &page.viewer.actor).await?;
    if orgs.is_empty() {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            ("无权查看", "待办箱仅供办件工作人员使用。"),
            ("Not allowed", "The case inbox is for case officers."),
        ));
    }
    // Another organisation (a department below a supervisor's) when the viewer may see its
    // cases: `query::inbox` checks.
    let current = org.unwrap_or_else(|| orgs[0].0.clone());
    let size = 50;
    let cases: Vec<CaseLine> = query::inbox(
        &state.app,
        &page.viewer.actor,
        &current,
        Paging { page: n, size },
    )
    .await?
    .iter()
    .map(|v| CaseLine::of(i, v))
    .collect();
    let window = orgs
        .iter()
        .any(|(_, _, r)| *r == yiwang_core::access::Role::WindowOfficer);
    let mut orgs = orgs;
    if !orgs.iter().any(|(id, _, _)| *id == current) {
        let name = query::organisation_name(&state.app, &current).await?;
        orgs.push((
            current.clone(),
            name,
            query::viewing_role(&page.viewer.actor),
        ));
    }
    let tabs = orgs
        .into_iter()
        .map(|(id, name, role)| OrgTab {
            current: id == current,
            id,
            name,
            role: i.t(role.label_zh(), role.label_en()).to_string(),
        })
        .collect();
    Ok(render(&InboxTpl {
        i,
        nav: page.nav,
        tabs,
        more: cases.len() as i64 == size,
        cases,
        page: n,
        org: current,
        window,
    })
    .into_response())
}
