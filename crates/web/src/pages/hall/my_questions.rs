//! 我的咨询: the signed-in asker's own questions with the private answers from staff.

use axum::extract::State;
use axum::response::Response;
use yiwang_app::catalog::questions;
use yiwang_core::time::display_local;

use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedPage, render};

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
    page: SignedPage,
) -> Result<Response, PageError> {
    let list = questions::mine(&state.app.store, &page.viewer.actor).await?;
    Ok(render(&MyQuestionsTpl {
        i: page.i,
        nav: page.nav,
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
    }))
}
