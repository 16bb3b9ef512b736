//! The list of managed items with their lifecycle buttons (`/catalog`).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::catalog::items;
use yiwang_core::catalog::lifecycle::next_status;
use yiwang_core::catalog::{ItemAction, ItemStatus};

use super::transfer::ReportView;
use super::{ManagerPage, RowErrorLine, detail_rows, managed_orgs, message_of, status_label};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

pub struct ActionButton {
    pub action: &'static str,
    pub label: String,
    pub danger: bool,
}

pub struct ItemLine {
    pub id: String,
    pub code: String,
    pub name: String,
    pub department: String,
    pub status: String,
    pub status_key: String,
    pub published: Option<i64>,
    /// e.g. "v2 · 发布 v1": the newest version and, when different, the one in force.
    pub versions: String,
    pub actions: Vec<ActionButton>,
}

#[derive(askama::Template)]
#[template(path = "catalog_list.html")]
struct ListTpl {
    i: I18n,
    nav: Nav,
    q: String,
    items: Vec<ItemLine>,
    total: usize,
    message: Option<String>,
    error: Option<String>,
    import_errors: Vec<RowErrorLine>,
    report: Option<ReportView>,
}

#[derive(Default)]
pub(super) struct ListNotice {
    pub message: Option<String>,
    pub error: Option<String>,
    pub import_errors: Vec<RowErrorLine>,
    pub report: Option<ReportView>,
}

pub(super) fn action_label(i: I18n, a: ItemAction) -> (&'static str, String, bool) {
    match a {
        ItemAction::Publish => ("publish", i.t("发布", "Publish").into(), false),
        ItemAction::Suspend => ("suspend", i.t("暂停", "Suspend").into(), false),
        ItemAction::Resume => ("resume", i.t("恢复", "Resume").into(), false),
        ItemAction::Cancel => ("cancel", i.t("取消", "Cancel").into(), true),
        ItemAction::Edit => ("edit", i.t("编辑", "Edit").into(), false),
    }
}

/// The list, filtered by `q`, with a notice on top.
pub(super) async fn list_page(
    state: &AppState,
    page: &SignedPage,
    q: &str,
    status: StatusCode,
    notice: ListNotice,
) -> Result<Response, PageError> {
    let (i, signed) = (page.i, &page.viewer);
    let rows = items::managed_items(&state.app.store, &signed.actor).await?;
    let orgs: HashMap<String, String> = managed_orgs(state, signed)
        .await
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let total = rows.len();
    let q = q.trim();
    let items = rows
        .into_iter()
        .filter(|it| q.is_empty() || it.name.contains(q) || it.code.contains(q))
        .map(|it| {
            let st = ItemStatus::parse(&it.status).unwrap_or(ItemStatus::Draft);
            let has_draft = it.published_version != Some(it.latest_version);
            let actions = [
                ItemAction::Publish,
                ItemAction::Suspend,
                ItemAction::Resume,
                ItemAction::Cancel,
            ]
            .into_iter()
            .filter(|a| next_status(st, *a, has_draft).is_ok())
            .map(|a| {
                let (action, label, danger) = action_label(i, a);
                ActionButton {
                    action,
                    label,
                    danger,
                }
            })
            .collect();
            ItemLine {
                department: orgs.get(&it.org_id).cloned().unwrap_or_default(),
                status: status_label(i, &it.status),
                status_key: it.status.clone(),
                id: it.id,
                code: it.code,
                name: it.name,
                versions: match it.published_version {
                    Some(p) if p == it.latest_version => format!("v{p}"),
                    Some(p) => format!("v{} · {} v{p}", it.latest_version, i.t("现行", "in force")),
                    None => format!("v{} · {}", it.latest_version, i.t("未发布", "unpublished")),
                },
                published: it.published_version,
                actions,
            }
        })
        .collect();
    let tpl = ListTpl {
        i,
        nav: page.nav.clone(),
        q: q.to_string(),
        items,
        total,
        message: notice.message,
        error: notice.error,
        import_errors: notice.import_errors,
        report: notice.report,
    };
    Ok((status, render(&tpl)).into_response())
}

impl ListNotice {
    pub(super) fn error(message: String) -> Self {
        ListNotice {
            error: Some(message),
            ..Default::default()
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    ManagerPage { page, q }: ManagerPage,
) -> Result<Response, PageError> {
    let notice = ListNotice {
        message: message_of(page.i, q.msg.as_deref()),
        ..Default::default()
    };
    let filter: String = q.q.unwrap_or_default().chars().take(50).collect();
    list_page(&state, &page, &filter, StatusCode::OK, notice).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<StatusForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    let bad = |zh, en| ListNotice::error(i.t(zh, en).into());
    let Some(form) = form else {
        let notice = bad("表单不完整", "The form is incomplete");
        return list_page(&state, &page, "", StatusCode::BAD_REQUEST, notice).await;
    };
    let Some(action) = [
        ItemAction::Publish,
        ItemAction::Suspend,
        ItemAction::Resume,
        ItemAction::Cancel,
    ]
    .into_iter()
    .find(|a| a.as_str() == form.action) else {
        let notice = bad("未知的操作", "Unknown action");
        return list_page(&state, &page, "", StatusCode::BAD_REQUEST, notice).await;
    };
    match items::change_status(&state.app, &page.viewer.actor, &id, action).await {
        Ok(_) => Ok(see_other(&format!(
            "/catalog?msg={}#item-{id}",
            action.as_str()
        ))),
        Err(e) => {
            let p = problem_of(e)?;
            let status = crate::error::status_of(p.kind);
            let notice = ListNotice {
                error: Some(i.t(&p.message, &p.message_en).to_string()),
                import_errors: detail_rows(i, &p, "fields"),
                ..Default::default()
            };
            list_page(&state, &page, "", status, notice).await
        }
    }
}
