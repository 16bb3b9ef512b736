//! The item editor (`/catalog/items/new`, `/catalog/items/{id}/edit`): one form whose inputs are
//! the columns of docs/catalog-csv.md, parsed by the importer's own parser; on an existing item
//! also its versions, the files of its materials and claiming.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::catalog::items;
use yiwang_core::Problem;
use yiwang_core::catalog::table::{COLUMNS, parse_items};
use yiwang_core::catalog::{ItemStatus, Level};
use yiwang_core::time::display_local;

use super::columns::{
    ChoiceOption, EditorField, bare, editor_fields, form_values, new_item_defaults, to_grid,
    values_of,
};
use super::{
    ManagerPage, MsgQuery, OrgOption, detail_rows, managed_orgs, message_of, org_options,
    status_label,
};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::hall::not_found_page;
use crate::pages::{
    Nav, PageError, SignedForm, SignedPage, problem_of, problem_page, render, see_other,
};

pub struct VersionLine {
    pub n: i64,
    pub state: String,
    pub created: String,
    pub published: String,
    pub href: String,
}

pub struct MaterialFiles {
    pub name: String,
    pub blank: Option<String>,
    pub sample: Option<String>,
}

pub struct EditExtra {
    pub id: String,
    pub department: String,
    pub status: String,
    pub published: bool,
    pub versions: Vec<VersionLine>,
    pub materials: Vec<MaterialFiles>,
    pub claim_orgs: Vec<OrgOption>,
    pub levels: Vec<ChoiceOption>,
}

#[derive(askama::Template)]
#[template(path = "catalog_editor.html")]
struct EditorTpl {
    i: I18n,
    nav: Nav,
    action: String,
    title: String,
    orgs: Vec<OrgOption>,
    dept_error: Option<String>,
    fields: Vec<EditorField>,
    message: Option<String>,
    error: Option<String>,
    extra: Option<EditExtra>,
}

pub(super) struct EditorState {
    pub(super) values: HashMap<String, String>,
    pub(super) errors: HashMap<String, Vec<String>>,
    pub(super) message: Option<String>,
    pub(super) error: Option<String>,
    pub(super) org: String,
    pub(super) dept_error: Option<String>,
}

impl EditorState {
    pub(super) fn new(values: HashMap<String, String>) -> Self {
        EditorState {
            values,
            errors: HashMap::new(),
            message: None,
            error: None,
            org: String::new(),
            dept_error: None,
        }
    }

    /// Show a problem: field errors beside their inputs, the summary on top.
    pub(super) fn problem(&mut self, i: I18n, p: &Problem) {
        self.error = Some(i.t(&p.message, &p.message_en).to_string());
        for key in ["fields", "errors"] {
            for r in detail_rows(i, p, key) {
                let col = if COLUMNS.contains(&r.column.as_str()) {
                    r.column
                } else {
                    "code".into()
                };
                self.errors.entry(col).or_default().push(bare(&r.message));
            }
        }
    }
}

async fn new_editor(
    state: &AppState,
    page: &SignedPage,
    status: StatusCode,
    es: EditorState,
) -> Result<Response, PageError> {
    let i = page.i;
    let orgs = managed_orgs(state, &page.viewer).await;
    let tpl = EditorTpl {
        i,
        nav: page.nav.clone(),
        action: "/catalog/items/new".into(),
        title: i.t("新建事项", "New service item").into(),
        orgs: org_options(&orgs, &es.org),
        dept_error: es.dept_error,
        fields: editor_fields(i, &es.values, &es.errors, false),
        message: es.message,
        error: es.error,
        extra: None,
    };
    Ok((status, render(&tpl)).into_response())
}

/// The editor of item `id` (its newest version, or what `es` carries) with `status`.
pub(super) async fn edit_editor(
    state: &AppState,
    page: &SignedPage,
    id: &str,
    status: StatusCode,
    es: Option<EditorState>,
) -> Result<Response, PageError> {
    let (i, signed) = (page.i, &page.viewer);
    let store = &state.app.store;
    let view = items::managed_view(store, &signed.actor, id)
        .await
        .map_err(|e| problem_page(e, |_| not_found_page()))?;
    let es = es.unwrap_or_else(|| EditorState::new(values_of(&view.body, &view.organisation.name)));
    let versions = items::versions(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|v| VersionLine {
            n: v.version,
            state: if v.frozen == 1 {
                let published = ItemStatus::Published;
                let label = i.t(published.label_zh(), published.label_en());
                format!("{label}{}", i.t("(冻结)", " (frozen)"))
            } else {
                status_label(i, ItemStatus::Draft.as_str())
            },
            created: display_local(v.created_at),
            published: v.published_at.map(display_local).unwrap_or_default(),
            href: format!("/hall/items/{id}/versions/{}", v.version),
        })
        .collect();
    // Only the organisations the item may be claimed into (the use case refuses the others).
    let orgs = items::claim_targets(store, id, managed_orgs(state, signed).await)
        .await
        .unwrap_or_default();
    let level_now = view.body.level;
    let extra = EditExtra {
        id: id.to_string(),
        department: view.organisation.name.clone(),
        status: status_label(i, &view.item.status),
        published: ItemStatus::parse(&view.item.status) == Some(ItemStatus::Published),
        versions,
        materials: view
            .body
            .materials
            .iter()
            .map(|m| MaterialFiles {
                name: m.name.clone(),
                blank: m.blank_form.clone(),
                sample: m.sample.clone(),
            })
            .collect(),
        claim_orgs: orgs
            .iter()
            .map(|o| OrgOption {
                id: o.id.clone(),
                name: o.name.clone(),
                selected: false,
            })
            .collect(),
        levels: Level::ALL
            .iter()
            .map(|l| ChoiceOption {
                value: l.label_zh().into(),
                label: i.t(l.label_zh(), l.label_en()).into(),
                selected: *l == level_now,
            })
            .collect(),
    };
    let tpl = EditorTpl {
        i,
        nav: page.nav.clone(),
        action: format!("/catalog/items/{id}/edit"),
        title: format!(
            "{} · {} v{}",
            i.t("编辑事项", "Edit item"),
            view.body.name,
            view.version
        ),
        orgs: Vec::new(),
        dept_error: None,
        fields: editor_fields(i, &es.values, &es.errors, true),
        message: es.message,
        error: es.error,
        extra: Some(extra),
    };
    Ok((status, render(&tpl)).into_response())
}

/// The editor of an item (its newest version) with a message or an error on top.
pub(super) async fn editor_with(
    state: &AppState,
    page: &SignedPage,
    id: &str,
    status: StatusCode,
    notice: impl FnOnce(&mut EditorState),
) -> Result<Response, PageError> {
    let mut es = None;
    if let Ok(v) = items::managed_view(&state.app.store, &page.viewer.actor, id).await {
        let mut s = EditorState::new(values_of(&v.body, &v.organisation.name));
        notice(&mut s);
        es = Some(s);
    }
    edit_editor(state, page, id, status, es).await
}

pub async fn new_item(
    State(state): State<AppState>,
    ManagerPage { page, q }: ManagerPage,
) -> Result<Response, PageError> {
    let mut es = EditorState::new(new_item_defaults());
    es.org = q.org.unwrap_or_default();
    new_editor(&state, &page, StatusCode::OK, es).await
}

pub async fn edit_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.unwrap_or_default();
    match message_of(page.i, q.msg.as_deref()) {
        // Filled from the newest version; only the message is carried.
        Some(m) => editor_with(&state, &page, &id, StatusCode::OK, |s| s.message = Some(m)).await,
        None => edit_editor(&state, &page, &id, StatusCode::OK, None).await,
    }
}

/// Parse the editor's form with the importer's parser.
fn parse_form(
    i: I18n,
    values: &HashMap<String, String>,
    department: &str,
    es: &mut EditorState,
) -> Option<yiwang_core::catalog::ItemBody> {
    match parse_items(&to_grid(values, department)) {
        Ok(mut rows) if rows.len() == 1 => Some(rows.remove(0).body),
        Ok(_) => {
            es.error = Some(i.t("表单为空", "The form is empty").into());
            None
        }
        Err(errors) => {
            es.error = Some(
                i.t(
                    "事项信息不完整或有误,请按提示修改后重新提交。",
                    "The item is incomplete or wrong; correct the marked fields and submit again.",
                )
                .into(),
            );
            for e in errors {
                let col = e
                    .column
                    .filter(|c| COLUMNS.contains(&c.as_str()))
                    .unwrap_or_else(|| "code".into());
                let msg = bare(i.t(&e.message, &e.message_en));
                es.errors.entry(col).or_default().push(msg);
            }
            None
        }
    }
}

/// The fields of an editor form (a body that is not a form carries no token).
fn pairs_of(form: Option<Vec<(String, String)>>) -> Result<HashMap<String, String>, PageError> {
    form.map(|pairs| form_values(&pairs))
        .ok_or_else(PageError::form_expired)
}

pub async fn create_item(
    State(state): State<AppState>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = page.i;
    let values = pairs_of(form)?;
    let mut es = EditorState::new(values.clone());
    es.org = values.get("department").cloned().unwrap_or_default();
    let orgs = managed_orgs(&state, &page.viewer).await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(org) = orgs.iter().find(|o| o.id == es.org) else {
        es.dept_error = Some(
            i.t(
                "请选择您管理的实施部门",
                "Choose a department whose catalogue you manage",
            )
            .into(),
        );
        es.error = es.dept_error.clone();
        return new_editor(&state, &page, unprocessable, es).await;
    };
    let Some(body) = parse_form(i, &values, &org.name, &mut es) else {
        return new_editor(&state, &page, unprocessable, es).await;
    };
    match items::create_item(&state.app, &page.viewer.actor, &org.id, body).await {
        Ok(view) => Ok(see_other(&format!(
            "/catalog/items/{}/edit?msg=created",
            view.item.id
        ))),
        Err(e) => {
            let p = problem_of(e)?;
            es.problem(i, &p);
            new_editor(&state, &page, crate::error::status_of(p.kind), es).await
        }
    }
}

pub async fn save_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = page.i;
    let values = pairs_of(form)?;
    let current = items::managed_view(&state.app.store, &page.viewer.actor, &id)
        .await
        .map_err(|e| problem_page(e, |_| not_found_page()))?;
    let mut es = EditorState::new(values.clone());
    let Some(body) = parse_form(i, &values, &current.organisation.name, &mut es) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return edit_editor(&state, &page, &id, status, Some(es)).await;
    };
    match items::save_item(&state.app, &page.viewer.actor, &id, body).await {
        Ok(_) => Ok(see_other(&format!("/catalog/items/{id}/edit?msg=saved"))),
        Err(e) => {
            let p = problem_of(e)?;
            es.problem(i, &p);
            let status = crate::error::status_of(p.kind);
            edit_editor(&state, &page, &id, status, Some(es)).await
        }
    }
}
