//! Life-event bundles (一件事): the list with its publish and suspend buttons and the form that
//! saves one (`/catalog/bundles`).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::catalog::bundles;
use yiwang_core::access::OrgKind;
use yiwang_core::catalog::{BundleBody, ItemAction, ItemStatus};

use super::list::action_label;
use super::{
    ManagerPage, OrgOption, RowErrorLine, detail_rows, managed_orgs, message_of, org_options,
    status_label,
};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

pub struct BundleLine {
    pub id: String,
    pub code: String,
    pub name: String,
    pub items: usize,
    pub days: u32,
    pub department: String,
    pub status: String,
    pub published: bool,
    /// The label of the button: suspend a published bundle, publish the others.
    pub toggle: String,
}

pub struct BundleFormValues {
    pub code: String,
    pub name: String,
    pub aliases: String,
    pub description: String,
    pub items: String,
    pub days: String,
    pub publish: bool,
}

#[derive(askama::Template)]
#[template(path = "catalog_bundles.html")]
struct BundlesTpl {
    i: I18n,
    nav: Nav,
    bundles: Vec<BundleLine>,
    orgs: Vec<OrgOption>,
    f: BundleFormValues,
    message: Option<String>,
    error: Option<String>,
    field_errors: Vec<RowErrorLine>,
}

/// What the bundles page shows besides the list: the form and what it says above it.
struct BundlesView {
    status: StatusCode,
    /// The organisation chosen in the form (empty: the service centre).
    org: String,
    f: BundleFormValues,
    message: Option<String>,
    error: Option<String>,
    field_errors: Vec<RowErrorLine>,
}

impl BundlesView {
    /// An empty form with an error on top.
    fn refused(status: StatusCode, error: String) -> Self {
        BundlesView {
            status,
            org: String::new(),
            f: empty_bundle_form(),
            message: None,
            error: Some(error),
            field_errors: Vec::new(),
        }
    }
}

async fn bundles_page(
    state: &AppState,
    page: &SignedPage,
    view: BundlesView,
) -> Result<Response, PageError> {
    let (i, signed) = (page.i, &page.viewer);
    let list = bundles::managed_bundles(&state.app.store, &signed.actor).await?;
    let orgs = managed_orgs(state, signed).await;
    let names: HashMap<&str, &str> = orgs
        .iter()
        .map(|o| (o.id.as_str(), o.name.as_str()))
        .collect();
    let bundles = list
        .iter()
        .filter(|(row, _)| names.contains_key(row.org_id.as_str()))
        .map(|(row, body)| {
            let published = ItemStatus::parse(&row.status) == Some(ItemStatus::Published);
            let toggle = if published {
                ItemAction::Suspend
            } else {
                ItemAction::Publish
            };
            BundleLine {
                id: row.id.clone(),
                code: body.code.clone(),
                name: body.name.clone(),
                items: body.item_codes.len(),
                days: body.promised_limit_days,
                department: names.get(row.org_id.as_str()).copied().unwrap_or("").into(),
                status: status_label(i, &row.status),
                published,
                toggle: action_label(i, toggle).1,
            }
        })
        .collect();
    let selected = if view.org.is_empty() {
        orgs.iter()
            .find(|o| OrgKind::parse(&o.kind) == Some(OrgKind::ServiceCentre))
            .map(|o| o.id.clone())
            .unwrap_or_default()
    } else {
        view.org
    };
    let tpl = BundlesTpl {
        i,
        nav: page.nav.clone(),
        bundles,
        orgs: org_options(&orgs, &selected),
        f: view.f,
        message: view.message,
        error: view.error,
        field_errors: view.field_errors,
    };
    Ok((view.status, render(&tpl)).into_response())
}

fn empty_bundle_form() -> BundleFormValues {
    BundleFormValues {
        code: String::new(),
        name: String::new(),
        aliases: String::new(),
        description: String::new(),
        items: String::new(),
        days: String::new(),
        publish: true,
    }
}

pub async fn bundles_list(
    State(state): State<AppState>,
    ManagerPage { page, q }: ManagerPage,
) -> Result<Response, PageError> {
    let mut f = empty_bundle_form();
    let mut org = String::new();
    if let Some(edit) = q.edit.as_deref() {
        // Fill the form from a published bundle (the form replaces it by code).
        if let Ok(list) = bundles::managed_bundles(&state.app.store, &page.viewer.actor).await
            && let Some((row, body)) = list.into_iter().find(|(r, _)| r.id == edit)
        {
            org = row.org_id;
            f = BundleFormValues {
                code: body.code,
                name: body.name,
                aliases: body.aliases.join("\n"),
                description: body.description,
                items: body.item_codes.join("\n"),
                days: body.promised_limit_days.to_string(),
                publish: true,
            };
        }
    }
    let view = BundlesView {
        status: StatusCode::OK,
        org,
        f,
        message: message_of(page.i, q.msg.as_deref()),
        error: None,
        field_errors: Vec::new(),
    };
    bundles_page(&state, &page, view).await
}

#[derive(Deserialize)]
pub struct BundleForm {
    #[serde(default)]
    org: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    promised_limit_days: String,
    #[serde(default)]
    publish: Option<String>,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .flat_map(|l| l.split(';'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

pub async fn save_bundle(
    State(state): State<AppState>,
    SignedForm { page, form }: SignedForm<BundleForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    let Some(form) = form else {
        let e = i.t("表单不完整", "The form is incomplete").into();
        let view = BundlesView::refused(StatusCode::BAD_REQUEST, e);
        return bundles_page(&state, &page, view).await;
    };
    let f = BundleFormValues {
        code: form.code.trim().to_string(),
        name: form.name.trim().to_string(),
        aliases: form.aliases.clone(),
        description: form.description.trim().to_string(),
        items: form.items.clone(),
        days: form.promised_limit_days.trim().to_string(),
        publish: form.publish.is_some(),
    };
    let mut view = BundlesView {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        org: form.org.clone(),
        f,
        message: None,
        error: None,
        field_errors: Vec::new(),
    };
    let Ok(days) = view.f.days.parse::<u32>() else {
        view.error = Some(
            i.t(
                "承诺时限应为非负整数(工作日)",
                "The promised limit is a whole number of working days",
            )
            .into(),
        );
        return bundles_page(&state, &page, view).await;
    };
    let f = &view.f;
    let body = BundleBody {
        code: f.code.clone(),
        name: f.name.clone(),
        aliases: lines(&f.aliases),
        description: f.description.clone(),
        item_codes: lines(&f.items),
        promised_limit_days: days,
    };
    let saved =
        bundles::save_bundle(&state.app, &page.viewer.actor, &form.org, body, f.publish).await;
    match saved {
        Ok(_) => Ok(see_other("/catalog/bundles?msg=bundle")),
        Err(e) => {
            let p = problem_of(e)?;
            view.status = crate::error::status_of(p.kind);
            view.error = Some(i.t(&p.message, &p.message_en).to_string());
            view.field_errors = detail_rows(i, &p, "fields");
            bundles_page(&state, &page, view).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BundleStatusForm {
    #[serde(default)]
    status: String,
}

/// Publish or suspend a bundle from the list.
pub async fn bundle_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<BundleStatusForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    // A body that is not a form carries no token.
    let form = form.ok_or_else(PageError::form_expired)?;
    // From the list: publish (or resume) and suspend.
    let Some(status) = ItemStatus::parse(&form.status)
        .filter(|s| matches!(s, ItemStatus::Published | ItemStatus::Suspended))
    else {
        let e = i.t("未知的状态", "Unknown status").into();
        let view = BundlesView::refused(StatusCode::BAD_REQUEST, e);
        return bundles_page(&state, &page, view).await;
    };
    match bundles::set_bundle_status(&state.app, &page.viewer.actor, &id, status).await {
        Ok(_) => Ok(see_other("/catalog/bundles")),
        Err(e) => {
            let p = problem_of(e)?;
            let e = i.t(&p.message, &p.message_en).to_string();
            let view = BundlesView::refused(crate::error::status_of(p.kind), e);
            bundles_page(&state, &page, view).await
        }
    }
}
