//! 我的办件: the applicant's cases, newest first.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use yiwang_app::cases::query::{self, Page as Paging};

use super::CaseLine;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedPage, render};

#[derive(askama::Template)]
#[template(path = "cases_mine.html")]
struct MineTpl {
    i: I18n,
    nav: Nav,
    cases: Vec<CaseLine>,
}

pub async fn mine(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    let i = page.i;
    let paging = Paging {
        page: 1,
        size: query::MAX_PAGE,
    };
    let cases = query::my_cases(&state.app, &page.viewer.actor, paging)
        .await?
        .iter()
        .map(|v| CaseLine::of(i, v))
        .collect();
    Ok(render(&MineTpl {
        i,
        nav: page.nav,
        cases,
    })
    .into_response())
}
