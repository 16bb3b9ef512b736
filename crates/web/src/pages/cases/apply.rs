//! 网上申报: the application form of a hall item (the item version's fields, the applicant), saving
//! the draft (暂存) and handing in materials against the item's list.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::cases::apply::{self, DraftInput, MaterialInput};
use yiwang_app::catalog::items;

use super::{ApplicantForm, FieldView, applicant_of, field_errors, field_views, form_values};
use crate::AppState;
use crate::api::cases::MATERIAL_KIND;
use crate::i18n::I18n;
use crate::pages::catalog::multipart::{read_parts, upload_error};
use crate::pages::hall::not_found_page;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

#[derive(askama::Template)]
#[template(path = "cases_apply.html")]
struct ApplyTpl {
    i: I18n,
    nav: Nav,
    item_id: String,
    item_name: String,
    department: String,
    materials: Vec<String>,
    a: ApplicantForm,
    fields: Vec<FieldView>,
    error: Option<String>,
}

async fn apply_form(
    state: &AppState,
    page: SignedPage,
    item_id: &str,
    a: ApplicantForm,
    values: &std::collections::BTreeMap<String, String>,
    status: StatusCode,
    problem: Option<yiwang_core::Problem>,
) -> Result<Response, PageError> {
    let i = page.i;
    let view = items::public_item(&state.app.store, item_id)
        .await
        .map_err(|e| crate::pages::problem_page(e, |_| not_found_page()))?;
    let errs = problem
        .as_ref()
        .map(|p| field_errors(i, p))
        .unwrap_or_default();
    let message = problem.map(|p| i.t(&p.message, &p.message_en).to_string());
    let tpl = ApplyTpl {
        i,
        nav: page.nav,
        item_id: item_id.to_string(),
        item_name: view.body.name.clone(),
        department: view.organisation.name.clone(),
        materials: view.body.materials.iter().map(|m| m.name.clone()).collect(),
        fields: field_views(i, &view.body.form_fields, values, &errs),
        a,
        error: message,
    };
    Ok((status, render(&tpl)).into_response())
}

/// The application form of a published item, prefilled with the account holder.
pub async fn apply_page(
    State(state): State<AppState>,
    Path(item): Path<String>,
    page: SignedPage,
) -> Result<Response, PageError> {
    let a = ApplicantForm::of_user(&page.viewer);
    apply_form(
        &state,
        page,
        &item,
        a,
        &Default::default(),
        StatusCode::OK,
        None,
    )
    .await
}

/// 暂存: creates the draft and goes to its case page (materials next).
pub async fn start(
    State(state): State<AppState>,
    Path(item): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let legal = page.viewer.actor.kind == yiwang_core::access::AccountKind::LegalPerson;
    let input = DraftInput {
        item_id: item.clone(),
        applicant: applicant_of(&pairs, legal),
        form: form_values(&pairs),
    };
    match apply::save_draft(&state.app, &page.viewer.actor, None, input).await {
        Ok(v) => Ok(see_other(&format!(
            "/cases/{}?saved=1#materials",
            v.case.id
        ))),
        Err(e) => {
            let p = problem_of(e)?;
            let status = crate::error::status_of(p.kind);
            let a = ApplicantForm::from_pairs(&pairs, legal);
            apply_form(
                &state,
                page,
                &item,
                a,
                &form_values(&pairs),
                status,
                Some(p),
            )
            .await
        }
    }
}

/// 暂存 again from the case page.
pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let legal = page.viewer.actor.kind == yiwang_core::access::AccountKind::LegalPerson;
    let input = DraftInput {
        item_id: super::field(&pairs, "item_id").to_string(),
        applicant: applicant_of(&pairs, legal),
        form: form_values(&pairs),
    };
    match apply::save_draft(&state.app, &page.viewer.actor, Some(&id), input).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?saved=1#form"))),
        Err(e) => {
            let p = problem_of(e)?;
            super::case::case_with(&state, page, &id, Some(p), Some(pairs)).await
        }
    }
}

/// Hands in one file for one material (`material`, `file`; PDF, OFD, JPG or PNG).
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let refused = |status: StatusCode, zh: &str, en: &str| yiwang_core::Problem {
        kind: if status == StatusCode::PAYLOAD_TOO_LARGE {
            yiwang_core::ProblemKind::TooLarge
        } else {
            yiwang_core::ProblemKind::Invalid
        },
        code: "upload.form".into(),
        message: zh.into(),
        message_en: en.into(),
        details: None,
    };
    let parts = match read_parts(mp, MATERIAL_KIND.max_bytes).await {
        Ok(p) => p,
        Err(status) => {
            let msg = upload_error(i, status);
            let p = refused(status, &msg, &msg);
            return super::case::case_with(&state, page, &id, Some(p), None).await;
        }
    };
    page.viewer.check_csrf(parts.field("_csrf"))?;
    let Some(file) = parts.file("file") else {
        let p = refused(
            StatusCode::BAD_REQUEST,
            "请选择要上传的文件。",
            "Choose a file to upload.",
        );
        return super::case::case_with(&state, page, &id, Some(p), None).await;
    };
    let stored = async {
        let upload = &file.upload;
        let head = super::head_of(upload.path()).await?;
        let (filename, mime) =
            MATERIAL_KIND.check(&file.filename, file.content_type.as_deref(), &head)?;
        let blobs = state.app.blobs();
        let stored = blobs
            .put_file(upload.path(), MATERIAL_KIND.max_bytes)
            .await?;
        let row = apply::attach_material(
            &state.app,
            &page.viewer.actor,
            &id,
            MaterialInput {
                material: parts.field("material").to_string(),
                filename,
                content_type: mime.into(),
                digest: stored.digest.clone(),
            },
        )
        .await?;
        // As in the API: put the content back if a clean-up removed it before the commit.
        if blobs.exists(&stored.digest).await?.is_none() {
            blobs
                .put_file(upload.path(), MATERIAL_KIND.max_bytes)
                .await?;
        }
        Ok::<_, yiwang_app::AppError>(row)
    }
    .await;
    match stored {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?uploaded=1#materials"))),
        Err(e) => {
            let p = problem_of(e)?;
            super::case::case_with(&state, page, &id, Some(p), None).await
        }
    }
}
