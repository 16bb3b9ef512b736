//! 我的咨询: the signed-in asker's own questions with the private answers from staff.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use yiwang_app::catalog::questions;
use yiwang_core::time::display_local;

use super::{Nav, app_error_page, render, require};
use crate::AppState;
use crate::auth::Viewer;
use crate::i18n::I18n;

pub struct MyLine {
    pub id: String,
    pub item_href: String,
    pub item_name: String,
    pub question: String,
    pub answer: Option<String>,
    pub asked: String,
    pub answered: String,
    pub faq: bool,
}

#[derive(askama::Template)]
#[template(path = "hall_my_questions.html")]
struct MyQuestionsTpl {
    i: I18n,
    nav: Nav,
    questions: Vec<MyLine>,
}

pub async fn my_questions(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    match questions::mine(&state.app.store, &signed.actor).await {
        Ok(list) => render(&MyQuestionsTpl {
            i,
            nav: Nav::of(&viewer),
            questions: list
                .into_iter()
                .map(|q| MyLine {
                    item_href: format!("/hall/items/{}", q.item_id),
                    id: q.id,
                    item_name: q.item_name,
                    question: q.question,
                    answer: q.answer,
                    asked: display_local(q.created_at),
                    answered: q.answered_at.map(display_local).unwrap_or_default(),
                    faq: q.published_as_faq,
                })
                .collect(),
        }),
        Err(e) => app_error_page(e, i, Nav::of(&viewer)),
    }
}
