//! 专家管理 (the managing industry department, 管用分离's “管”): the experts of the departments
//! the officer manages, by status and name, and one expert's record with the decisions only
//! this department may take — admit or reject an application, suspend, reinstate, renew,
//! dismiss, confirm an exit — each with its reason.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::experts::register::{self, Decision};
use yiwang_core::Problem;
use yiwang_core::experts::{ExpertEvent, ExpertStatus};

use super::me::{Profile, profile};
use super::specialty_label;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

/// Rows shown per page of the list.
const PAGE_SIZE: usize = 50;

pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

pub struct ExpertLine {
    pub id: String,
    pub name: String,
    pub region: String,
    pub specialties: String,
    pub status: String,
    pub term_end: String,
}

#[derive(askama::Template)]
#[template(path = "experts_manage.html")]
struct ListTpl {
    i: I18n,
    nav: Nav,
    tabs: Vec<Tab>,
    q: String,
    status: String,
    experts: Vec<ExpertLine>,
    total: usize,
    page: usize,
    pages: usize,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<usize>,
}

fn status_label(i: I18n, s: &str) -> String {
    ExpertStatus::parse(s)
        .map(|s| i.t(s.label_zh(), s.label_en()).to_string())
        .unwrap_or_else(|| s.to_string())
}

pub async fn list(
    State(state): State<AppState>,
    page: SignedPage,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let (status, text, n) = match q {
        Ok(Query(q)) => (
            q.status.filter(|s| ExpertStatus::parse(s).is_some()),
            q.q.unwrap_or_default().trim().to_string(),
            q.page.unwrap_or(1).max(1),
        ),
        Err(_) => (None, String::new(), 1),
    };
    let all = register::list(&state.app, &page.viewer.actor, status.as_deref()).await?;
    let matching: Vec<_> = all
        .iter()
        .filter(|e| text.is_empty() || e.name.contains(&text) || e.specialties.contains(&text))
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let n = n.min(pages);
    let experts = matching
        .into_iter()
        .skip((n - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|e| {
            let codes: Vec<String> = serde_json::from_str(&e.specialties).unwrap_or_default();
            ExpertLine {
                id: e.id.clone(),
                name: e.name.clone(),
                region: e.region.clone(),
                specialties: codes
                    .iter()
                    .map(|c| specialty_label(c))
                    .collect::<Vec<_>>()
                    .join("；"),
                status: status_label(i, &e.status),
                term_end: e.term_end.clone().unwrap_or_default(),
            }
        })
        .collect();
    let mut tabs = vec![Tab {
        href: "/experts/manage".into(),
        label: i.t("全部", "All").into(),
        current: status.is_none(),
    }];
    for s in [
        ExpertStatus::Applied,
        ExpertStatus::Admitted,
        ExpertStatus::Suspended,
        ExpertStatus::ExitRequested,
        ExpertStatus::Dismissed,
    ] {
        tabs.push(Tab {
            href: format!("/experts/manage?status={}", s.as_str()),
            label: i.t(s.label_zh(), s.label_en()).into(),
            current: status.as_deref() == Some(s.as_str()),
        });
    }
    Ok(render(&ListTpl {
        i,
        nav: page.nav,
        tabs,
        q: text,
        status: status.unwrap_or_default(),
        experts,
        total,
        page: n,
        pages,
    })
    .into_response())
}

pub struct EventOption {
    pub value: &'static str,
    pub label: String,
}

#[derive(askama::Template)]
#[template(path = "experts_manage_one.html")]
struct OneTpl {
    i: I18n,
    nav: Nav,
    id: String,
    profile: Profile,
    events: Vec<EventOption>,
    message: String,
    error: String,
}

/// The decisions a managing department takes (the expert's own requests are not offered).
const DECISIONS: &[ExpertEvent] = &[
    ExpertEvent::Admit,
    ExpertEvent::Reject,
    ExpertEvent::Suspend,
    ExpertEvent::Reinstate,
    ExpertEvent::Renew,
    ExpertEvent::Dismiss,
    ExpertEvent::ConfirmExit,
];

async fn one_with(
    state: &AppState,
    page: SignedPage,
    id: &str,
    message: String,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let i = page.i;
    let detail = register::get(&state.app, &page.viewer.actor, id).await?;
    let status = problem
        .as_ref()
        .map(|p| crate::error::status_of(p.kind))
        .unwrap_or(StatusCode::OK);
    let tpl = OneTpl {
        i,
        nav: page.nav,
        id: id.to_string(),
        profile: profile(i, &detail),
        events: DECISIONS
            .iter()
            .map(|e| EventOption {
                value: e.as_str(),
                label: i.t(e.label_zh(), e.label_en()).into(),
            })
            .collect(),
        message,
        error: problem
            .map(|p| i.t(&p.message, &p.message_en).to_string())
            .unwrap_or_default(),
    };
    Ok((status, render(&tpl)).into_response())
}

#[derive(Deserialize)]
pub struct OneQuery {
    done: Option<String>,
}

pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    q: Result<Query<OneQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let message = match q.ok().and_then(|Query(q)| q.done) {
        Some(_) => i.t("已记录决定。", "The decision is recorded.").to_string(),
        None => String::new(),
    };
    one_with(&state, page, &id, message, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    event: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    term_start: String,
    #[serde(default)]
    term_end: String,
}

/// One decision per submission; a refusal (a missing reason, a transition the status does not
/// allow, another department's expert) shows the page again with the reason.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<DecisionForm>,
) -> Result<Response, PageError> {
    let form = form.ok_or_else(PageError::form_expired)?;
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let decision = Decision {
        event: form.event,
        reason: form.reason,
        term_start: some(form.term_start),
        term_end: some(form.term_end),
    };
    match register::decide(&state.app, &page.viewer.actor, &id, decision).await {
        Ok(_) => Ok(see_other(&format!("/experts/manage/{id}?done=1"))),
        Err(e) => {
            let p = problem_of(e)?;
            one_with(&state, page, &id, String::new(), Some(p)).await
        }
    }
}
