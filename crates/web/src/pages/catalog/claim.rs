//! Claiming a published item into an organisation's implementation list (认领), from the editor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use yiwang_app::catalog::items::{self, ClaimRequest};

use super::detail_rows;
use super::editor::editor_with;
use crate::AppState;
use crate::pages::{PageError, SignedForm, problem_of, see_other};

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    promised_limit_days: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    consult_phone: String,
}

pub async fn claim(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<ClaimForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    let Some(form) = form else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            ("表单不完整", "请返回重新填写。"),
            ("Incomplete form", "Go back and fill in the form again."),
        ));
    };
    let refused =
        |status, msg: String| editor_with(&state, &page, &id, status, |s| s.error = Some(msg));
    let Ok(days) = form.promised_limit_days.trim().parse::<u32>() else {
        let msg = i.t(
            "承诺时限应为非负整数(工作日)",
            "The promised limit is a whole number of working days",
        );
        return refused(StatusCode::UNPROCESSABLE_ENTITY, msg.into()).await;
    };
    let req = ClaimRequest {
        org_id: form.org_id.clone(),
        promised_limit_days: days,
        level: Some(form.level.clone()).filter(|l| !l.is_empty()),
        consult_phone: Some(form.consult_phone.clone()).filter(|p| !p.trim().is_empty()),
    };
    match items::claim_item(&state.app, &page.viewer.actor, &id, req).await {
        Ok(view) => Ok(see_other(&format!(
            "/catalog/items/{}/edit?msg=claimed",
            view.item.id
        ))),
        Err(e) => {
            let p = problem_of(e)?;
            let mut msg = i.t(&p.message, &p.message_en).to_string();
            for r in detail_rows(i, &p, "fields") {
                msg.push_str(" · ");
                msg.push_str(&r.message);
            }
            refused(crate::error::status_of(p.kind), msg).await
        }
    }
}
