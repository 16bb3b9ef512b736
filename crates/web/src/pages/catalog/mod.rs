//! Catalogue management pages (事项管理): the managed items with their lifecycle buttons, import
//! and export, the item editor (one form whose inputs are the columns of docs/catalog-csv.md,
//! parsed by the importer's own parser), files of materials, claiming, bundles, and the staff
//! queue of consultations. The use cases check every permission; pages hide what they'd refuse.
//! One file per screen; their routes are listed in `pages::catalog_routes`.

pub mod bundles;
pub mod claim;
mod columns;
pub mod editor;
pub mod files;
pub mod list;
pub(crate) mod multipart;
pub mod questions;
pub mod transfer;

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Permission, Scope};
use yiwang_core::catalog::ItemStatus;
use yiwang_store::Organisation;

use super::{PageError, SignedPage};
use crate::AppState;
use crate::auth::SignedIn;
use crate::i18n::I18n;

/// Largest import file or material file accepted through the pages (the use cases check their
/// own, smaller limits where they have one).
pub const UPLOAD_LIMIT: usize = 12 * 1024 * 1024;

fn forbidden() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        ("无权访问", "此页面仅限事项管理员访问。"),
        ("Not allowed", "This page is for catalogue managers."),
    )
}

/// Catalogue managers only: others get the 403 page.
fn must_manage(signed: &SignedIn) -> Result<(), PageError> {
    access::grants_allowing(&signed.actor, Permission::ManageCatalog)
        .next()
        .map(|_| ())
        .ok_or_else(forbidden)
}

/// A catalogue manager's page with its query (`?msg=…`; a malformed query reads as empty):
/// signed-out viewers go to the sign-in page, others get the 403 page.
pub struct ManagerPage {
    pub page: SignedPage,
    pub q: MsgQuery,
}

impl FromRequestParts<AppState> for ManagerPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let page = SignedPage::from_request_parts(parts, state).await?;
        must_manage(&page.viewer)?;
        let q = Query::<MsgQuery>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| q)
            .unwrap_or_default();
        Ok(ManagerPage { page, q })
    }
}

/// The organisations whose catalogue the viewer manages.
async fn managed_orgs(state: &AppState, signed: &SignedIn) -> Vec<Organisation> {
    let a = &signed.actor;
    yiwang_app::organisations::visible_organisations(&state.app.store, a)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| access::authorize(a, Permission::ManageCatalog, Scope::Org(&o.path)).is_ok())
        .collect()
}

pub struct OrgOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

fn org_options(orgs: &[Organisation], selected: &str) -> Vec<OrgOption> {
    orgs.iter()
        .map(|o| OrgOption {
            id: o.id.clone(),
            name: o.name.clone(),
            selected: o.id == selected,
        })
        .collect()
}

/// A status label for the viewer's language.
fn status_label(i: I18n, status: &str) -> String {
    ItemStatus::parse(status)
        .map(|s| i.t(s.label_zh(), s.label_en()).to_string())
        .unwrap_or_else(|| status.to_string())
}

/// Row and field errors of a problem's details (`errors` of an import, `fields` of a version).
pub struct RowErrorLine {
    pub line: String,
    pub column: String,
    pub message: String,
}

fn detail_rows(i: I18n, p: &Problem, key: &str) -> Vec<RowErrorLine> {
    p.details
        .as_ref()
        .and_then(|d| d.get(key))
        .and_then(|v| v.as_array())
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    RowErrorLine {
                        line: r.get("line").map(|v| v.to_string()).unwrap_or_default(),
                        column: if key == "fields" {
                            s("field")
                        } else {
                            s("column")
                        },
                        message: i.t(&s("message"), &s("message_en")).to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct MsgQuery {
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    edit: Option<String>,
    #[serde(default)]
    org: Option<String>,
}

/// Fixed confirmation texts (never echo text from the URL).
fn message_of(i: I18n, key: Option<&str>) -> Option<String> {
    let (zh, en) = match key? {
        "publish" => ("事项已发布。", "The item was published."),
        "suspend" => ("事项已暂停办理。", "The item was suspended."),
        "resume" => ("事项已恢复办理。", "The item was resumed."),
        "cancel" => ("事项已取消。", "The item was cancelled."),
        "created" => (
            "事项已创建(草稿 v1)。发布后公众可见。",
            "The item was created (draft v1). Publish it to show it in the hall.",
        ),
        "saved" => (
            "已保存为草稿版本;已发布的版本在新版本发布前继续有效。",
            "Saved as a draft version; the published version stays in force until you publish.",
        ),
        "file" => (
            "文件已上传,已生成草稿版本。",
            "The file was uploaded into a draft version.",
        ),
        "claimed" => (
            "已认领到实施清单(草稿)。",
            "Claimed into the implementation list (draft).",
        ),
        "bundle" => ("一件事已保存。", "The life event was saved."),
        "answered" => ("已答复。", "The answer was sent."),
        _ => return None,
    };
    Some(i.t(zh, en).to_string())
}
