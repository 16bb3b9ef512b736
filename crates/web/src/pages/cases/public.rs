//! Without sign-in: 办件进度查询 (case number + query code, every step) and 办件公示 (the public
//! case list, names masked, no identity or phone numbers).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::cases::query::{self, Page as Paging};

use super::{StateTag, state_tag, when};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, problem_of, render};

pub struct StepLine {
    pub label: String,
    pub to: String,
    pub at: String,
}

pub struct ProgressShown {
    pub number: String,
    pub item: String,
    pub state: StateTag,
    pub received: String,
    pub accepted: String,
    pub due: String,
    pub decided: String,
    pub completed: String,
    pub steps: Vec<StepLine>,
}

#[derive(askama::Template)]
#[template(path = "cases_progress.html")]
struct ProgressTpl {
    i: I18n,
    nav: Nav,
    number: String,
    code: String,
    result: Option<ProgressShown>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ProgressQuery {
    number: Option<String>,
    code: Option<String>,
}

pub async fn progress(
    State(state): State<AppState>,
    page: Page,
    q: Result<Query<ProgressQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let (number, code) = match q {
        Ok(Query(q)) => (
            q.number.unwrap_or_default().trim().to_string(),
            q.code.unwrap_or_default().trim().to_string(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let mut status = StatusCode::OK;
    let (mut result, mut error) = (None, None);
    if !number.is_empty() || !code.is_empty() {
        match query::progress(&state.app, &number, &code).await {
            Ok(p) => {
                result = Some(ProgressShown {
                    number: p.number,
                    item: p.item_name,
                    state: state_tag(i, p.state),
                    received: when(p.received_at),
                    accepted: when(p.accepted_at),
                    due: when(p.due_at),
                    decided: when(p.decided_at),
                    completed: when(p.completed_at),
                    steps: p
                        .steps
                        .iter()
                        .map(|s| StepLine {
                            label: i.t(s.event.label_zh(), s.event.label_en()).to_string(),
                            to: i.t(s.to.label_zh(), s.to.label_en()).to_string(),
                            at: when(Some(s.at)),
                        })
                        .collect(),
                })
            }
            Err(e) => {
                let p = problem_of(e)?;
                status = crate::error::status_of(p.kind);
                error = Some(
                    i.t(
                        "未查到该办件，请核对办件编号和查询码。",
                        "No case found: check the case number and the query code.",
                    )
                    .to_string(),
                );
            }
        }
    }
    let tpl = ProgressTpl {
        i,
        nav: page.nav,
        number,
        code: String::new(),
        result,
        error,
    };
    Ok((status, render(&tpl)).into_response())
}

pub struct PublicLine {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub state: StateTag,
    pub received: String,
    pub decided: String,
}

#[derive(askama::Template)]
#[template(path = "cases_public.html")]
struct PublicTpl {
    i: I18n,
    nav: Nav,
    cases: Vec<PublicLine>,
    page: i64,
    more: bool,
}

#[derive(Deserialize)]
pub struct PublicQuery {
    page: Option<i64>,
}

pub async fn public_list(
    State(state): State<AppState>,
    page: Page,
    q: Result<Query<PublicQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let n = q
        .ok()
        .and_then(|Query(q)| q.page)
        .unwrap_or(1)
        .clamp(1, 10_000);
    let size = 30;
    let cases: Vec<PublicLine> = query::public_list(&state.app, Paging { page: n, size })
        .await?
        .into_iter()
        .map(|c| PublicLine {
            number: c.number,
            item: c.item_name,
            applicant: c.applicant,
            state: state_tag(i, c.state),
            received: when(c.received_at),
            decided: when(c.decided_at),
        })
        .collect();
    Ok(render(&PublicTpl {
        i,
        nav: page.nav,
        more: cases.len() as i64 == size,
        cases,
        page: n,
    })
    .into_response())
}
