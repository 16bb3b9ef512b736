//! 一窗受理: a window officer registers a walk-in application for any department's item — the
//! applicant, the item version's form and the materials brought along (scanned files); what is
//! missing goes into a 一次性告知 on the case page.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::cases::apply::{self, MaterialInput, WindowInput};
use yiwang_app::catalog::items;

use super::actions::SubmittedTpl;
use super::{ApplicantForm, FieldView, applicant_of, field_errors, field_views, form_values};
use crate::AppState;
use crate::api::cases::MATERIAL_KIND;
use crate::i18n::I18n;
use crate::pages::catalog::multipart::{read_parts, upload_error};
use crate::pages::hall::not_found_page;
use crate::pages::{Nav, PageError, SignedPage, problem_of, render};

pub struct MaterialInputView {
    pub index: usize,
    pub name: String,
    pub required: bool,
}

#[derive(askama::Template)]
#[template(path = "cases_window.html")]
struct WindowTpl {
    i: I18n,
    nav: Nav,
    item_id: String,
    item_name: String,
    department: String,
    a: ApplicantForm,
    fields: Vec<FieldView>,
    materials: Vec<MaterialInputView>,
    error: Option<String>,
    error_list: Vec<String>,
}

fn may_register(page: &SignedPage) -> Result<(), PageError> {
    use yiwang_core::access::{Permission, Scope, authorize};
    let actor = &page.viewer.actor;
    if actor
        .grants
        .iter()
        .any(|g| authorize(actor, Permission::RegisterCase, Scope::Org(&g.org_path)).is_ok())
    {
        Ok(())
    } else {
        Err(yiwang_core::Problem::forbidden().into())
    }
}

async fn window_form(
    state: &AppState,
    page: SignedPage,
    item_id: &str,
    a: ApplicantForm,
    pairs: &[(String, String)],
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
    let error_list = errs
        .iter()
        .filter(|(k, _)| !view.body.form_fields.iter().any(|f| &f.key == k))
        .map(|(_, m)| m.clone())
        .collect();
    let tpl = WindowTpl {
        i,
        nav: page.nav,
        item_id: item_id.to_string(),
        item_name: view.body.name.clone(),
        department: view.organisation.name.clone(),
        a,
        fields: field_views(i, &view.body.form_fields, &form_values(pairs), &errs),
        materials: view
            .body
            .materials
            .iter()
            .enumerate()
            .map(|(index, m)| MaterialInputView {
                index,
                name: m.name.clone(),
                required: m.required,
            })
            .collect(),
        error: problem.map(|p| i.t(&p.message, &p.message_en).to_string()),
        error_list,
    };
    Ok((status, render(&tpl)).into_response())
}

pub async fn register_page(
    State(state): State<AppState>,
    Path(item): Path<String>,
    page: SignedPage,
) -> Result<Response, PageError> {
    may_register(&page)?;
    window_form(
        &state,
        page,
        &item,
        ApplicantForm::default(),
        &[],
        StatusCode::OK,
        None,
    )
    .await
}

pub async fn register(
    State(state): State<AppState>,
    Path(item): Path<String>,
    page: SignedPage,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let parts = match read_parts(mp, MATERIAL_KIND.max_bytes).await {
        Ok(p) => p,
        Err(status) => {
            let msg = upload_error(i, status);
            return Err(PageError::new(
                status,
                ("无法登记", msg.as_str()),
                ("Could not register", msg.as_str()),
            ));
        }
    };
    page.viewer.check_csrf(parts.field("_csrf"))?;
    may_register(&page)?;
    let pairs = parts.pairs();
    let legal = parts.field("a_kind") == "legal";
    let view = items::public_item(&state.app.store, &item)
        .await
        .map_err(|e| crate::pages::problem_page(e, |_| not_found_page()))?;
    let result = async {
        let mut materials = Vec::new();
        for (index, m) in view.body.materials.iter().enumerate() {
            let Some(file) = parts.file(&format!("file_{index}")) else {
                continue;
            };
            let head = super::head_of(file.upload.path()).await?;
            let (filename, mime) =
                MATERIAL_KIND.check(&file.filename, file.content_type.as_deref(), &head)?;
            let stored = state
                .app
                .blobs()
                .put_file(file.upload.path(), MATERIAL_KIND.max_bytes)
                .await?;
            materials.push(MaterialInput {
                material: m.name.clone(),
                filename,
                content_type: mime.into(),
                digest: stored.digest,
            });
        }
        apply::register_at_window(
            &state.app,
            &page.viewer.actor,
            WindowInput {
                item_id: item.clone(),
                applicant: applicant_of(&pairs, legal),
                applicant_user_id: None,
                form: form_values(&pairs),
                materials,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(s) => {
            let tpl = SubmittedTpl {
                i,
                nav: page.nav,
                id: s.case.case.id.clone(),
                number: s.case.case.number.clone(),
                query_code: s.query_code,
                item: s.case.case.item_name.clone(),
                window: true,
            };
            Ok(render(&tpl).into_response())
        }
        Err(e) => {
            let p = problem_of(e)?;
            let status = crate::error::status_of(p.kind);
            let a = ApplicantForm::from_pairs(&pairs, legal);
            window_form(&state, page, &item, a, &pairs, status, Some(p)).await
        }
    }
}
