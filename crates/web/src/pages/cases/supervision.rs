//! 电子监察 overview: yellow and red warnings and violations (多次告知, 逾期未告知, …) by
//! department, for supervisors, heads and centre managers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::cases::query;
use yiwang_core::cases::Violation;

use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedPage, render};

pub struct DeptLine {
    pub name: String,
    pub org_id: String,
    pub yellow: usize,
    pub red: usize,
    pub violations: Vec<usize>,
}

#[derive(askama::Template)]
#[template(path = "cases_supervision.html")]
struct SupervisionTpl {
    i: I18n,
    nav: Nav,
    heads: Vec<String>,
    depts: Vec<DeptLine>,
}

pub async fn supervision(
    State(state): State<AppState>,
    page: SignedPage,
) -> Result<Response, PageError> {
    let i = page.i;
    if query::inbox_orgs(&state.app, &page.viewer.actor)
        .await?
        .is_empty()
    {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            ("无权查看", "电子监察仅供监察和办件工作人员使用。"),
            (
                "Not allowed",
                "Supervision is for supervisors and case staff.",
            ),
        ));
    }
    let depts = query::supervision_overview(&state.app, &page.viewer.actor)
        .await?
        .into_iter()
        .map(|d| DeptLine {
            name: d.org_name,
            org_id: d.org_id,
            yellow: d.yellow,
            red: d.red,
            violations: d.violations.iter().map(|(_, n)| *n).collect(),
        })
        .collect();
    let heads = Violation::ALL
        .iter()
        .map(|v| i.t(v.label_zh(), v.label_en()).to_string())
        .collect();
    Ok(render(&SupervisionTpl {
        i,
        nav: page.nav,
        heads,
        depts,
    })
    .into_response())
}
