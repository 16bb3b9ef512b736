//! The guide page of an item (its version in force or an older one) and 问: asking a question.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::catalog::{items, questions};
use yiwang_core::time::display_local;

use super::guide::{Guide, guide_of};
use super::not_found_page;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, SignedForm, problem_of, problem_page, render, see_other};

pub struct VersionLink {
    pub n: i64,
    pub href: String,
    pub at: String,
    pub current: bool,
}

pub struct Faq {
    pub question: String,
    pub answer: String,
}

#[derive(askama::Template)]
#[template(path = "hall_item.html")]
struct ItemTpl {
    i: I18n,
    nav: Nav,
    g: Guide,
    /// This page shows an older (or newer) version than the one in force.
    other_version: bool,
    current_href: String,
    versions: Vec<VersionLink>,
    faqs: Vec<Faq>,
    message: Option<String>,
    error: Option<String>,
    question: String,
    /// The viewer may register walk-in applications (一窗受理).
    window: bool,
}

#[derive(Deserialize)]
pub struct ItemQuery {
    #[serde(default)]
    asked: Option<String>,
}

/// Which version a guide page shows.
enum Shown {
    Published,
    Version(i64),
}

struct Notice {
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
    question: String,
}

async fn guide_page(
    state: &AppState,
    page: Page,
    id: &str,
    shown: Shown,
    notice: Notice,
) -> Result<Response, PageError> {
    let (i, store) = (page.i, &state.app.store);
    let view = match shown {
        Shown::Published => items::public_item(store, id).await,
        Shown::Version(n) => items::item_version(store, page.actor(), id, n).await,
    }
    .map_err(|e| problem_page(e, |_| not_found_page()))?;
    let published = view.item.published_version;
    let other_version = published != Some(view.version);
    let versions = items::versions(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.frozen == 1)
        .map(|v| VersionLink {
            n: v.version,
            href: format!("/hall/items/{id}/versions/{}", v.version),
            at: v.published_at.map(display_local).unwrap_or_default(),
            current: v.version == view.version,
        })
        .collect();
    let faqs = questions::faqs(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|q| Faq {
            question: q.question,
            answer: q.answer.unwrap_or_default(),
        })
        .collect();
    let window = page.actor().is_some_and(may_register);
    let tpl = ItemTpl {
        i,
        nav: page.nav,
        current_href: format!("/hall/items/{id}"),
        g: guide_of(i, view),
        other_version,
        versions,
        faqs,
        message: notice.message,
        error: notice.error,
        question: notice.question,
        window,
    };
    Ok((notice.status, render(&tpl)).into_response())
}

/// Whether the viewer holds a window officer's grant (to register walk-in applications).
fn may_register(actor: &yiwang_core::access::Actor) -> bool {
    use yiwang_core::access::{Permission, Scope, authorize};
    actor
        .grants
        .iter()
        .any(|g| authorize(actor, Permission::RegisterCase, Scope::Org(&g.org_path)).is_ok())
}

pub async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: Page,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let asked = matches!(query, Ok(Query(ItemQuery { asked: Some(_) })));
    let notice = Notice {
        status: StatusCode::OK,
        message: asked.then(|| {
            i.t(
                "感谢您的咨询!部门工作人员答复后,您将在站内消息中收到通知。",
                "Thank you for your question. You will be notified in your inbox when staff answer.",
            )
            .to_string()
        }),
        error: None,
        question: String::new(),
    };
    guide_page(&state, page, &id, Shown::Published, notice).await
}

pub async fn item_version(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    page: Page,
) -> Result<Response, PageError> {
    let n = n.parse::<i64>().map_err(|_| not_found_page())?;
    let notice = Notice {
        status: StatusCode::OK,
        message: None,
        error: None,
        question: String::new(),
    };
    guide_page(&state, page, &id, Shown::Version(n), notice).await
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    question: String,
}

pub async fn ask(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<AskForm>,
) -> Result<Response, PageError> {
    // A body that is not a form carries no token.
    let form = form.ok_or_else(PageError::form_expired)?;
    let i = page.i;
    let Err(e) = questions::ask(&state.app.store, &page.viewer.actor, &id, &form.question).await
    else {
        return Ok(see_other(&format!("/hall/items/{id}?asked=1#ask")));
    };
    let p = problem_of(e)?;
    let status = crate::error::status_of(p.kind);
    if status == StatusCode::NOT_FOUND {
        return Err(not_found_page());
    }
    let notice = Notice {
        status,
        message: None,
        error: Some(i.t(&p.message, &p.message_en).to_string()),
        question: form.question.chars().take(2000).collect(),
    };
    guide_page(&state, page.into_public(), &id, Shown::Published, notice).await
}
