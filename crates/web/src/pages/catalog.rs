//! Catalogue management pages (事项管理): the managed items with their lifecycle buttons, import
//! and export, the item editor (one form whose inputs are the columns of docs/catalog-csv.md,
//! parsed by the importer's own parser), files of materials, claiming, bundles, and the staff
//! queue of consultations. The use cases check every permission; pages hide what they'd refuse.

use std::collections::HashMap;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yiwang_app::catalog::files::FileRole;
use yiwang_app::catalog::import::{Format, Grid, ImportOptions, ImportReport};
use yiwang_app::catalog::items::ClaimRequest;
use yiwang_app::catalog::{bundles, files, import, items, questions};
use yiwang_core::Problem;
use yiwang_core::access::{self, Permission, Scope};
use yiwang_core::catalog::lifecycle::next_status;
use yiwang_core::catalog::table::{COLUMNS, format_item, parse_items};
use yiwang_core::catalog::{
    BundleBody, HandlingKind, ItemAction, ItemStatus, ItemType, Level, ResultType,
};
use yiwang_core::time::display_local;
use yiwang_store::Organisation;

use super::hall::{not_found_page, problem_of};
use super::{Nav, app_error_page, check_csrf, error_page, render, require};
use crate::AppState;
use crate::auth::{SignedIn, Viewer};
use crate::download::{Cache, attachment};
use crate::i18n::I18n;

/// Largest import file or material file accepted through the pages (the use cases check their
/// own, smaller limits where they have one).
pub const UPLOAD_LIMIT: usize = 12 * 1024 * 1024;

fn forbidden(i: I18n, nav: Nav) -> Response {
    error_page(
        i,
        nav,
        StatusCode::FORBIDDEN,
        ("无权访问", "此页面仅限事项管理员访问。"),
        ("Not allowed", "This page is for catalogue managers."),
    )
}

fn see_other(to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}

fn may_manage(signed: &SignedIn) -> bool {
    access::grants_allowing(&signed.actor, Permission::ManageCatalog)
        .next()
        .is_some()
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

// ---------------------------------------------------------------------------------------------
// Multipart forms

struct FilePart {
    name: String,
    filename: String,
    /// The part's declared `Content-Type`, if any.
    content_type: Option<String>,
    upload: crate::upload::Spooled,
}

#[derive(Default)]
struct Parts {
    fields: HashMap<String, String>,
    files: Vec<FilePart>,
}

impl Parts {
    fn field(&self, k: &str) -> &str {
        self.fields.get(k).map(String::as_str).unwrap_or("")
    }
    fn file(&self, k: &str) -> Option<&FilePart> {
        self.files
            .iter()
            .find(|f| f.name == k && !(f.filename.is_empty() && f.upload.size == 0))
    }
}

/// Read a multipart form, its files spooled to disk (each at most `file_limit` bytes); a broken
/// or too large body is an error with its status.
async fn read_parts(
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    file_limit: u64,
) -> Result<Parts, StatusCode> {
    let mut mp = mp.map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut parts = Parts::default();
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(e.status()),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(filename) => {
                let content_type = field.content_type().map(str::to_string);
                let upload = crate::upload::spool_field(&mut field, file_limit)
                    .await
                    .map_err(|p| crate::error::status_of(p.kind))?;
                parts.files.push(FilePart {
                    name,
                    filename,
                    content_type,
                    upload,
                });
            }
            None => {
                let text = field.text().await.map_err(|e| e.status())?;
                parts.fields.insert(name, text);
            }
        }
    }
    Ok(parts)
}

fn upload_error(i: I18n, status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        i.t("文件过大", "The file is too large").into()
    } else {
        i.t(
            "上传的表单无法读取,请重新选择文件后提交",
            "The upload could not be read; choose the file again and resubmit",
        )
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// The list of managed items, with import and export

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

pub struct ReportView {
    pub rows: usize,
    pub items_created: usize,
    pub versions_created: usize,
    pub published: usize,
    pub bundles: usize,
}

impl From<ImportReport> for ReportView {
    fn from(r: ImportReport) -> Self {
        ReportView {
            rows: r.rows,
            items_created: r.items_created,
            versions_created: r.versions_created,
            published: r.published,
            bundles: r.bundles,
        }
    }
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
struct ListNotice {
    message: Option<String>,
    error: Option<String>,
    import_errors: Vec<RowErrorLine>,
    report: Option<ReportView>,
}

fn action_label(i: I18n, a: ItemAction) -> (&'static str, String, bool) {
    match a {
        ItemAction::Publish => ("publish", i.t("发布", "Publish").into(), false),
        ItemAction::Suspend => ("suspend", i.t("暂停", "Suspend").into(), false),
        ItemAction::Resume => ("resume", i.t("恢复", "Resume").into(), false),
        ItemAction::Cancel => ("cancel", i.t("取消", "Cancel").into(), true),
        ItemAction::Edit => ("edit", i.t("编辑", "Edit").into(), false),
    }
}

async fn list_page(
    state: &AppState,
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    q: &str,
    status: StatusCode,
    notice: ListNotice,
) -> Response {
    let rows = match items::managed_items(&state.app.store, &signed.actor).await {
        Ok(r) => r,
        Err(e) => return app_error_page(e, i, Nav::of(viewer)),
    };
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
        nav: Nav::of(viewer),
        q: q.to_string(),
        items,
        total,
        message: notice.message,
        error: notice.error,
        import_errors: notice.import_errors,
        report: notice.report,
    };
    (status, render(&tpl)).into_response()
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

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if !may_manage(signed) {
        return forbidden(i, Nav::of(&viewer));
    }
    let Query(q) = query.unwrap_or_default();
    let notice = ListNotice {
        message: message_of(i, q.msg.as_deref()),
        ..Default::default()
    };
    let filter: String = q.q.unwrap_or_default().chars().take(50).collect();
    list_page(&state, i, &viewer, signed, &filter, StatusCode::OK, notice).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    action: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let Ok(Form(form)) = form else {
        let notice = ListNotice {
            error: Some(i.t("表单不完整", "The form is incomplete").into()),
            ..Default::default()
        };
        return list_page(
            &state,
            i,
            &viewer,
            signed,
            "",
            StatusCode::BAD_REQUEST,
            notice,
        )
        .await;
    };
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let action = match form.action.as_str() {
        "publish" => ItemAction::Publish,
        "suspend" => ItemAction::Suspend,
        "resume" => ItemAction::Resume,
        "cancel" => ItemAction::Cancel,
        _ => {
            let notice = ListNotice {
                error: Some(i.t("未知的操作", "Unknown action").into()),
                ..Default::default()
            };
            return list_page(
                &state,
                i,
                &viewer,
                signed,
                "",
                StatusCode::BAD_REQUEST,
                notice,
            )
            .await;
        }
    };
    match items::change_status(&state.app, &signed.actor, &id, action).await {
        Ok(_) => see_other(&format!("/catalog?msg={}#item-{id}", action.as_str())),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let status = crate::error::status_of(p.kind);
            let notice = ListNotice {
                error: Some(i.t(&p.message, &p.message_en).to_string()),
                import_errors: detail_rows(i, &p, "fields"),
                ..Default::default()
            };
            list_page(&state, i, &viewer, signed, "", status, notice).await
        }
    }
}

async fn read_upload(state: &AppState, f: &FilePart) -> Result<(Grid, Option<Grid>), Problem> {
    let format = Format::detect_file(&f.filename, f.upload.path());
    import::read_upload(&state.app, format, f.upload.path()).await
}

pub async fn import_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if import::authorize_import(&signed.actor).is_err() {
        return forbidden(i, Nav::of(&viewer));
    }
    let parts = match read_parts(mp, UPLOAD_LIMIT as u64).await {
        Ok(p) => p,
        Err(status) => {
            let notice = ListNotice {
                error: Some(upload_error(i, status)),
                ..Default::default()
            };
            return list_page(&state, i, &viewer, signed, "", status, notice).await;
        }
    };
    if let Err(r) = check_csrf(signed, parts.field("_csrf"), i, Nav::of(&viewer)) {
        return r;
    }
    let bad = |msg: String| ListNotice {
        error: Some(msg),
        ..Default::default()
    };
    let Some(file) = parts.file("file") else {
        let notice = bad(i
            .t(
                "请选择要导入的 CSV 或 XLSX 文件",
                "Choose a CSV or XLSX file to import",
            )
            .into());
        return list_page(
            &state,
            i,
            &viewer,
            signed,
            "",
            StatusCode::BAD_REQUEST,
            notice,
        )
        .await;
    };
    let problem_notice = |p: Problem| -> (StatusCode, ListNotice) {
        let status = crate::error::status_of(p.kind);
        let rows = detail_rows(i, &p, "errors");
        (
            status,
            ListNotice {
                error: Some(i.t(&p.message, &p.message_en).to_string()),
                import_errors: rows,
                ..Default::default()
            },
        )
    };
    let (items_grid, xlsx_bundles) = match read_upload(&state, file).await {
        Ok(g) => g,
        Err(p) => {
            let (status, notice) = problem_notice(p);
            return list_page(&state, i, &viewer, signed, "", status, notice).await;
        }
    };
    let bundles_grid = match parts.file("bundles") {
        Some(b) => match read_upload(&state, b).await {
            Ok((g, _)) => Some(g),
            Err(p) => {
                let (status, notice) = problem_notice(p);
                return list_page(&state, i, &viewer, signed, "", status, notice).await;
            }
        },
        None => xlsx_bundles,
    };
    match import::import(
        &state.app,
        Some(&signed.actor),
        &items_grid,
        bundles_grid.as_ref(),
        ImportOptions::default(),
    )
    .await
    {
        Ok(report) => {
            let notice = ListNotice {
                message: Some(i.t("导入成功。", "The file was imported.").to_string()),
                report: Some(report.into()),
                ..Default::default()
            };
            list_page(&state, i, &viewer, signed, "", StatusCode::OK, notice).await
        }
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let (status, notice) = problem_notice(p);
            list_page(&state, i, &viewer, signed, "", status, notice).await
        }
    }
}

async fn export(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    format: Format,
) -> Response {
    let signed = match require(viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(headers);
    match import::export_managed(&state.app.store, &signed.actor).await {
        Ok((items, bundles)) => attachment(
            format.export_filename(),
            format.content_type(),
            import::write_grid(format, &items, &bundles),
            Cache::NoStore,
        ),
        Err(e) => app_error_page(e, i, Nav::of(viewer)),
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Response {
    export(&state, &headers, &viewer, Format::Csv).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Response {
    export(&state, &headers, &viewer, Format::Xlsx).await
}

// ---------------------------------------------------------------------------------------------
// The item editor

/// How a column is edited.
#[derive(Clone, Copy)]
enum Input {
    Text,
    Number,
    Area,
    /// One entry per line; the help explains the `a|b|c` format.
    List(&'static str, &'static str),
    YesNo,
    Choice(&'static [(&'static str, &'static str)]),
}

const fn labels<const N: usize>(
    v: [(&'static str, &'static str); N],
) -> [(&'static str, &'static str); N] {
    v
}

// Chinese labels (the values the table format uses) with English names.
static TYPES: [(&str, &str); 12] = labels([
    ("行政许可", "Administrative licence"),
    ("行政处罚", "Administrative penalty"),
    ("行政强制措施", "Administrative coercive measure"),
    ("行政强制执行", "Administrative enforcement"),
    ("行政征收", "Administrative levy"),
    ("行政给付", "Administrative benefit"),
    ("行政检查", "Administrative inspection"),
    ("行政确认", "Administrative confirmation"),
    ("行政奖励", "Administrative reward"),
    ("行政裁决", "Administrative adjudication"),
    ("其他行政权力", "Other administrative power"),
    ("公共服务", "Public service"),
]);
static LEVELS: [(&str, &str); 5] = labels([
    ("省级", "Province"),
    ("市级", "City"),
    ("县级", "County"),
    ("乡镇级", "Township"),
    ("村级", "Village"),
]);
static HANDLING: [(&str, &str); 2] = labels([
    ("承诺件", "Decided within the promised limit"),
    ("即办件", "Decided on the spot"),
]);
static RESULTS: [(&str, &str); 4] = labels([
    ("证照", "Licence or certificate"),
    ("批准文书", "Approval document"),
    ("备案回执", "Filing receipt"),
    ("其他", "Other"),
]);

/// The label, input and help of every editable column (docs/catalog-csv.md).
fn column(key: &str) -> Option<(&'static str, &'static str, Input)> {
    use Input::*;
    Some(match key {
        "code" => ("事项编码", "Item code", Text),
        "name" => ("事项名称", "Name", Text),
        "aliases" => (
            "俗称/关键词",
            "Aliases",
            List(
                "每行一个群众常用的说法,例如:开饭店",
                "One everyday word per line, e.g. 开饭店",
            ),
        ),
        "item_type" => ("事项类型", "Item type", Choice(&TYPES)),
        "level" => ("行使层级", "Level", Choice(&LEVELS)),
        "legal_basis" => (
            "设定/实施依据",
            "Legal basis",
            List(
                "每行一条:法规名称|条款,例如:《中华人民共和国食品安全法》|第三十五条",
                "One per line: title|article, e.g. 《中华人民共和国食品安全法》|第三十五条",
            ),
        ),
        "legal_limit_days" => ("法定办结时限(工作日)", "Legal limit (working days)", Number),
        "promised_limit_days" => (
            "承诺办结时限(工作日)",
            "Promised limit (working days)",
            Number,
        ),
        "special_procedures" => (
            "特别程序",
            "Special procedures",
            List(
                "每行一条:名称|时限(工作日),例如:现场勘查|10",
                "One per line: name|limit in working days, e.g. 现场勘查|10",
            ),
        ),
        "materials" => (
            "申请材料",
            "Materials",
            List(
                "每行一项:名称|形式|份数|必要性|免提交。形式:原件、复印件、原件和复印件、电子证照;必要性:必要或非必要;免提交:是或否。例如:营业执照|电子证照|1|必要|是",
                "One per line: name|form|copies|必要 or 非必要|免提交 是 or 否; forms 原件, 复印件, 原件和复印件, 电子证照. E.g. 营业执照|电子证照|1|必要|是",
            ),
        ),
        "fees" => (
            "收费",
            "Fees",
            List(
                "每行一项:收费项目|金额(元,最多两位小数)|收费依据;不收费请留空",
                "One per line: fee|amount in yuan (2 decimals)|basis; leave empty when free",
            ),
        ),
        "online" => ("网上可办", "Available online", YesNo),
        "fully_online" => ("全程网办", "Fully online", YesNo),
        "at_most_once" => ("最多跑一次", "At most one visit", YesNo),
        "handling_kind" => ("办件类型", "Handling", Choice(&HANDLING)),
        "tongban" => (
            "通办范围",
            "Handled elsewhere (通办)",
            List(
                "每行一条:范围|方式。范围:同城通办、省内通办、跨省通办;方式:全程网办、异地代收代办、多地联办",
                "One per line: scope|mode; scopes 同城通办, 省内通办, 跨省通办; modes 全程网办, 异地代收代办, 多地联办",
            ),
        ),
        "steps" => (
            "办理流程",
            "Steps",
            List(
                "每行一个环节:环节名称|角色|时限(工作日)。角色:window_officer(窗口)、approving_officer(审批)、department_head(负责人)、centre_manager(中心)。例如:受理|window_officer|1",
                "One step per line: name|role|limit; roles window_officer, approving_officer, department_head, centre_manager. E.g. 受理|window_officer|1",
            ),
        ),
        "result_type" => ("结果类型", "Result type", Choice(&RESULTS)),
        "result_name" => ("结果名称", "Result name", Text),
        "delivery_modes" => (
            "送达方式",
            "Delivery",
            List(
                "每行一种:窗口领取、邮政寄递、电子证照、自助打印",
                "One per line: 窗口领取, 邮政寄递, 电子证照, 自助打印",
            ),
        ),
        "conditions" => ("受理条件", "Conditions", Area),
        "description" => ("事项说明", "Description", Area),
        "consult_phone" => ("咨询电话", "Consultation phone", Text),
        "complaint_phone" => ("投诉电话", "Complaint phone", Text),
        "form_fields" => (
            "申请表字段",
            "Application form fields",
            List(
                "每行一个字段:key|标签|类型|必填。类型:text、date、number、id_number、credit_code、phone、address;必填:是或否。例如:applicant_name|申请人姓名|text|是",
                "One per line: key|label|kind|required (是/否); kinds text, date, number, id_number, credit_code, phone, address",
            ),
        ),
        _ => return None,
    })
}

const REQUIRED_INPUTS: &[&str] = &[
    "code",
    "name",
    "legal_basis",
    "legal_limit_days",
    "promised_limit_days",
    "steps",
    "result_name",
    "delivery_modes",
    "conditions",
    "consult_phone",
    "complaint_phone",
];

fn is_list(key: &str) -> bool {
    matches!(column(key), Some((_, _, Input::List(..))))
}

pub struct ChoiceOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct EditorField {
    pub key: &'static str,
    pub label: String,
    /// text, number, area, list, choice
    pub input: &'static str,
    pub help: String,
    pub options: Vec<ChoiceOption>,
    pub value: String,
    pub rows: usize,
    pub required: bool,
    pub readonly: bool,
    pub errors: Vec<String>,
}

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

/// Build the inputs from values (`key` → text) and errors (`key` → messages).
fn editor_fields(
    i: I18n,
    values: &HashMap<String, String>,
    errors: &HashMap<String, Vec<String>>,
    code_readonly: bool,
) -> Vec<EditorField> {
    COLUMNS
        .iter()
        .filter_map(|key| {
            let (zh, en, input) = column(key)?;
            let value = values.get(*key).cloned().unwrap_or_default();
            let (kind, help, options) = match input {
                Input::Text => ("text", String::new(), Vec::new()),
                Input::Number => ("number", String::new(), Vec::new()),
                Input::Area => ("area", String::new(), Vec::new()),
                Input::List(hz, he) => ("list", i.t(hz, he).to_string(), Vec::new()),
                Input::YesNo => (
                    "choice",
                    String::new(),
                    [("是", "Yes"), ("否", "No")]
                        .iter()
                        .map(|(v, e)| ChoiceOption {
                            value: (*v).into(),
                            label: i.t(v, e).into(),
                            selected: value == *v,
                        })
                        .collect(),
                ),
                Input::Choice(opts) => (
                    "choice",
                    String::new(),
                    opts.iter()
                        .map(|(v, e)| ChoiceOption {
                            value: (*v).into(),
                            label: if i.en {
                                format!("{v} {e}")
                            } else {
                                (*v).to_string()
                            },
                            selected: value == *v,
                        })
                        .collect(),
                ),
            };
            let rows = (value.lines().count() + 1).clamp(3, 12);
            Some(EditorField {
                key,
                label: i.t(zh, en).into(),
                input: kind,
                help,
                options,
                rows,
                required: REQUIRED_INPUTS.contains(key),
                readonly: code_readonly && *key == "code",
                errors: errors.get(*key).cloned().unwrap_or_default(),
                value,
            })
        })
        .collect()
}

/// A row error's message without its "第2行“x”列:" / "line 2, column x: " prefix.
fn bare(msg: &str) -> String {
    if let Some((_, rest)) = msg.split_once("列:") {
        return rest.to_string();
    }
    if msg.starts_with("line ")
        && let Some((_, rest)) = msg.split_once(": ")
    {
        return rest.to_string();
    }
    msg.to_string()
}

/// Values of the form turned into one row of the table (list inputs: one entry per line → `;`).
fn form_values(pairs: &[(String, String)]) -> HashMap<String, String> {
    let mut v: HashMap<String, String> = HashMap::new();
    for (k, val) in pairs {
        if COLUMNS.contains(&k.as_str()) || k == "_csrf" {
            v.insert(k.clone(), val.replace("\r\n", "\n"));
        }
    }
    v
}

fn to_grid(values: &HashMap<String, String>, department: &str) -> Vec<Vec<String>> {
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let row = COLUMNS
        .iter()
        .map(|key| match *key {
            "department" => department.to_string(),
            "status" => String::new(),
            k if is_list(k) => values
                .get(k)
                .map(|v| {
                    v.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            k => values.get(k).cloned().unwrap_or_default(),
        })
        .collect();
    vec![header, row]
}

/// The editor's values from a version (list cells `;` → one entry per line).
fn values_of(body: &yiwang_core::catalog::ItemBody, dept: &str) -> HashMap<String, String> {
    COLUMNS
        .iter()
        .zip(format_item(body, dept, false))
        .map(|(k, v)| {
            let v = if is_list(k) { v.replace(';', "\n") } else { v };
            (k.to_string(), v)
        })
        .collect()
}

fn new_item_defaults() -> HashMap<String, String> {
    [
        ("item_type", ItemType::Licence.label_zh()),
        ("level", Level::City.label_zh()),
        ("handling_kind", HandlingKind::Promised.label_zh()),
        ("result_type", ResultType::Licence.label_zh()),
        ("online", "是"),
        ("fully_online", "否"),
        ("at_most_once", "是"),
        ("legal_limit_days", "20"),
        ("promised_limit_days", "10"),
        ("delivery_modes", "窗口领取\n电子证照"),
        (
            "steps",
            "受理|window_officer|1\n审查|approving_officer|5\n决定|department_head|2",
        ),
        ("consult_phone", "12345"),
        ("complaint_phone", "12345"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

struct EditorState {
    values: HashMap<String, String>,
    errors: HashMap<String, Vec<String>>,
    message: Option<String>,
    error: Option<String>,
    org: String,
    dept_error: Option<String>,
}

impl EditorState {
    fn new(values: HashMap<String, String>) -> Self {
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
    fn problem(&mut self, i: I18n, p: &Problem) {
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
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    status: StatusCode,
    es: EditorState,
) -> Response {
    let orgs = managed_orgs(state, signed).await;
    let tpl = EditorTpl {
        i,
        nav: Nav::of(viewer),
        action: "/catalog/items/new".into(),
        title: i.t("新建事项", "New service item").into(),
        orgs: org_options(&orgs, &es.org),
        dept_error: es.dept_error,
        fields: editor_fields(i, &es.values, &es.errors, false),
        message: es.message,
        error: es.error,
        extra: None,
    };
    (status, render(&tpl)).into_response()
}

async fn edit_editor(
    state: &AppState,
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    id: &str,
    status: StatusCode,
    es: Option<EditorState>,
) -> Response {
    let store = &state.app.store;
    let view = match items::managed_view(store, &signed.actor, id).await {
        Ok(v) => v,
        Err(e) => {
            return match problem_of(e, i, Nav::of(viewer)) {
                Ok(_) => not_found_page(i, Nav::of(viewer)),
                Err(r) => r,
            };
        }
    };
    let es = es.unwrap_or_else(|| EditorState::new(values_of(&view.body, &view.organisation.name)));
    let versions = items::versions(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|v| VersionLine {
            n: v.version,
            state: if v.frozen == 1 {
                i.t("已发布(冻结)", "Published (frozen)")
            } else {
                i.t("草稿", "Draft")
            }
            .into(),
            created: display_local(v.created_at),
            published: v.published_at.map(display_local).unwrap_or_default(),
            href: format!("/hall/items/{id}/versions/{}", v.version),
        })
        .collect();
    // Only the organisations the item may be claimed into (the use case refuses the others).
    let orgs = items::claim_targets(store, id, managed_orgs(state, signed).await)
        .await
        .unwrap_or_default();
    let level_now = view.body.level.label_zh();
    let extra = EditExtra {
        id: id.to_string(),
        department: view.organisation.name.clone(),
        status: status_label(i, &view.item.status),
        published: view.item.status == ItemStatus::Published.as_str(),
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
        levels: LEVELS
            .iter()
            .map(|(v, e)| ChoiceOption {
                value: (*v).into(),
                label: i.t(v, e).into(),
                selected: *v == level_now,
            })
            .collect(),
    };
    let tpl = EditorTpl {
        i,
        nav: Nav::of(viewer),
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
    (status, render(&tpl)).into_response()
}

pub async fn new_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if !may_manage(signed) {
        return forbidden(i, Nav::of(&viewer));
    }
    let Query(q) = query.unwrap_or_default();
    let mut es = EditorState::new(new_item_defaults());
    es.org = q.org.unwrap_or_default();
    new_editor(&state, i, &viewer, signed, StatusCode::OK, es).await
}

pub async fn edit_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let Query(q) = query.unwrap_or_default();
    let mut es: Option<EditorState> = None;
    if let Some(m) = message_of(i, q.msg.as_deref()) {
        // Filled from the newest version below; only the message is carried.
        let view = items::managed_view(&state.app.store, &signed.actor, &id).await;
        if let Ok(v) = view {
            let mut s = EditorState::new(values_of(&v.body, &v.organisation.name));
            s.message = Some(m);
            es = Some(s);
        }
    }
    edit_editor(&state, i, &viewer, signed, &id, StatusCode::OK, es).await
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

pub async fn create_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let pairs = form.map(|Form(p)| p).unwrap_or_default();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Err(r) = check_csrf(signed, csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let values = form_values(&pairs);
    let mut es = EditorState::new(values.clone());
    es.org = values.get("department").cloned().unwrap_or_default();
    let orgs = managed_orgs(&state, signed).await;
    let Some(org) = orgs.iter().find(|o| o.id == es.org) else {
        es.dept_error = Some(
            i.t(
                "请选择您管理的实施部门",
                "Choose a department whose catalogue you manage",
            )
            .into(),
        );
        es.error = es.dept_error.clone();
        return new_editor(
            &state,
            i,
            &viewer,
            signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            es,
        )
        .await;
    };
    let Some(body) = parse_form(i, &values, &org.name, &mut es) else {
        return new_editor(
            &state,
            i,
            &viewer,
            signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            es,
        )
        .await;
    };
    match items::create_item(&state.app, &signed.actor, &org.id, body).await {
        Ok(view) => see_other(&format!("/catalog/items/{}/edit?msg=created", view.item.id)),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            es.problem(i, &p);
            new_editor(
                &state,
                i,
                &viewer,
                signed,
                crate::error::status_of(p.kind),
                es,
            )
            .await
        }
    }
}

pub async fn save_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let pairs = form.map(|Form(p)| p).unwrap_or_default();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Err(r) = check_csrf(signed, csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let current = match items::managed_view(&state.app.store, &signed.actor, &id).await {
        Ok(v) => v,
        Err(e) => {
            return match problem_of(e, i, Nav::of(&viewer)) {
                Ok(_) => not_found_page(i, Nav::of(&viewer)),
                Err(r) => r,
            };
        }
    };
    let values = form_values(&pairs);
    let mut es = EditorState::new(values.clone());
    let Some(body) = parse_form(i, &values, &current.organisation.name, &mut es) else {
        return edit_editor(
            &state,
            i,
            &viewer,
            signed,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(es),
        )
        .await;
    };
    match items::save_item(&state.app, &signed.actor, &id, body).await {
        Ok(_) => see_other(&format!("/catalog/items/{id}/edit?msg=saved")),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            es.problem(i, &p);
            edit_editor(
                &state,
                i,
                &viewer,
                signed,
                &id,
                crate::error::status_of(p.kind),
                Some(es),
            )
            .await
        }
    }
}

/// The editor of an item (its newest version) with an error on top.
async fn editor_with_error(
    state: &AppState,
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    id: &str,
    status: StatusCode,
    msg: String,
) -> Response {
    let mut es = None;
    if let Ok(v) = items::managed_view(&state.app.store, &signed.actor, id).await {
        let mut s = EditorState::new(values_of(&v.body, &v.organisation.name));
        s.error = Some(msg);
        es = Some(s);
    }
    edit_editor(state, i, viewer, signed, id, status, es).await
}

pub async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if let Err(e) = files::authorize_attach(&state.app.store, &signed.actor, &id).await {
        return app_error_page(e, i, Nav::of(&viewer));
    }
    let parts = match read_parts(mp, files::MAX_FILE_BYTES as u64).await {
        Ok(p) => p,
        Err(status) => {
            let msg = upload_error(i, status);
            return editor_with_error(&state, i, &viewer, signed, &id, status, msg).await;
        }
    };
    if let Err(r) = check_csrf(signed, parts.field("_csrf"), i, Nav::of(&viewer)) {
        return r;
    }
    let role = match parts.field("role") {
        "blank" => FileRole::BlankForm,
        "sample" => FileRole::Sample,
        _ => {
            let msg = i
                .t("请选择空白表格或示例样表", "Choose blank form or sample")
                .into();
            return editor_with_error(
                &state,
                i,
                &viewer,
                signed,
                &id,
                StatusCode::BAD_REQUEST,
                msg,
            )
            .await;
        }
    };
    let Some(file) = parts.file("file") else {
        let msg = i.t("请选择要上传的文件", "Choose a file to upload").into();
        return editor_with_error(
            &state,
            i,
            &viewer,
            signed,
            &id,
            StatusCode::BAD_REQUEST,
            msg,
        )
        .await;
    };
    match files::attach_file(
        &state.app,
        &signed.actor,
        &id,
        parts.field("material"),
        role,
        files::Upload {
            filename: &file.filename,
            declared_type: file.content_type.as_deref(),
            path: file.upload.path(),
        },
    )
    .await
    {
        Ok(_) => see_other(&format!("/catalog/items/{id}/edit?msg=file#files")),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let msg = i.t(&p.message, &p.message_en).to_string();
            let status = crate::error::status_of(p.kind);
            editor_with_error(&state, i, &viewer, signed, &id, status, msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
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
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let Ok(Form(form)) = form else {
        return error_page(
            i,
            Nav::of(&viewer),
            StatusCode::BAD_REQUEST,
            ("表单不完整", "请返回重新填写。"),
            ("Incomplete form", "Go back and fill in the form again."),
        );
    };
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let Ok(days) = form.promised_limit_days.trim().parse::<u32>() else {
        let msg = i
            .t(
                "承诺时限应为非负整数(工作日)",
                "The promised limit is a whole number of working days",
            )
            .into();
        return editor_with_error(
            &state,
            i,
            &viewer,
            signed,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            msg,
        )
        .await;
    };
    let req = ClaimRequest {
        org_id: form.org_id.clone(),
        promised_limit_days: days,
        level: Some(form.level.clone()).filter(|l| !l.is_empty()),
        consult_phone: Some(form.consult_phone.clone()).filter(|p| !p.trim().is_empty()),
    };
    match items::claim_item(&state.app, &signed.actor, &id, req).await {
        Ok(view) => see_other(&format!("/catalog/items/{}/edit?msg=claimed", view.item.id)),
        Err(yiwang_app::AppError::Problem(p)) => {
            let mut msg = i.t(&p.message, &p.message_en).to_string();
            for r in detail_rows(i, &p, "fields") {
                msg.push_str(" · ");
                msg.push_str(&r.message);
            }
            let status = crate::error::status_of(p.kind);
            editor_with_error(&state, i, &viewer, signed, &id, status, msg).await
        }
        Err(e) => app_error_page(e, i, Nav::of(&viewer)),
    }
}

// ---------------------------------------------------------------------------------------------
// Bundles (一件事)

pub struct BundleLine {
    pub id: String,
    pub code: String,
    pub name: String,
    pub items: usize,
    pub days: u32,
    pub department: String,
    pub status: String,
    pub published: bool,
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

#[allow(clippy::too_many_arguments)]
async fn bundles_page(
    state: &AppState,
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    status: StatusCode,
    org: String,
    f: BundleFormValues,
    message: Option<String>,
    error: Option<String>,
    field_errors: Vec<RowErrorLine>,
) -> Response {
    let list = match bundles::managed_bundles(&state.app.store, &signed.actor).await {
        Ok(l) => l,
        Err(e) => return app_error_page(e, i, Nav::of(viewer)),
    };
    let orgs = managed_orgs(state, signed).await;
    let names: HashMap<&str, &str> = orgs
        .iter()
        .map(|o| (o.id.as_str(), o.name.as_str()))
        .collect();
    let bundles = list
        .iter()
        .filter(|(row, _)| names.contains_key(row.org_id.as_str()))
        .map(|(row, body)| BundleLine {
            id: row.id.clone(),
            code: body.code.clone(),
            name: body.name.clone(),
            items: body.item_codes.len(),
            days: body.promised_limit_days,
            department: names.get(row.org_id.as_str()).copied().unwrap_or("").into(),
            status: ItemStatus::parse(&row.status)
                .map(|st| i.t(st.label_zh(), st.label_en()).to_string())
                .unwrap_or_else(|| row.status.clone()),
            published: row.status == ItemStatus::Published.as_str(),
        })
        .collect();
    let selected = if org.is_empty() {
        orgs.iter()
            .find(|o| o.kind == "service_centre")
            .map(|o| o.id.clone())
            .unwrap_or_default()
    } else {
        org
    };
    let tpl = BundlesTpl {
        i,
        nav: Nav::of(viewer),
        bundles,
        orgs: org_options(&orgs, &selected),
        f,
        message,
        error,
        field_errors,
    };
    (status, render(&tpl)).into_response()
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
    headers: HeaderMap,
    viewer: Viewer,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if !may_manage(signed) {
        return forbidden(i, Nav::of(&viewer));
    }
    let Query(q) = query.unwrap_or_default();
    let mut f = empty_bundle_form();
    let mut org = String::new();
    if let Some(edit) = q.edit.as_deref() {
        // Fill the form from a published bundle (the form replaces it by code).
        if let Ok(list) = bundles::managed_bundles(&state.app.store, &signed.actor).await
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
    let message = message_of(i, q.msg.as_deref());
    bundles_page(
        &state,
        i,
        &viewer,
        signed,
        StatusCode::OK,
        org,
        f,
        message,
        None,
        Vec::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct BundleForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
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
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<BundleForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let Ok(Form(form)) = form else {
        return bundles_page(
            &state,
            i,
            &viewer,
            signed,
            StatusCode::BAD_REQUEST,
            String::new(),
            empty_bundle_form(),
            None,
            Some(i.t("表单不完整", "The form is incomplete").into()),
            Vec::new(),
        )
        .await;
    };
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let f = BundleFormValues {
        code: form.code.trim().to_string(),
        name: form.name.trim().to_string(),
        aliases: form.aliases.clone(),
        description: form.description.trim().to_string(),
        items: form.items.clone(),
        days: form.promised_limit_days.trim().to_string(),
        publish: form.publish.is_some(),
    };
    let Ok(days) = f.days.parse::<u32>() else {
        let e = i
            .t(
                "承诺时限应为非负整数(工作日)",
                "The promised limit is a whole number of working days",
            )
            .into();
        return bundles_page(
            &state,
            i,
            &viewer,
            signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.org,
            f,
            None,
            Some(e),
            Vec::new(),
        )
        .await;
    };
    let body = BundleBody {
        code: f.code.clone(),
        name: f.name.clone(),
        aliases: lines(&f.aliases),
        description: f.description.clone(),
        item_codes: lines(&f.items),
        promised_limit_days: days,
    };
    match bundles::save_bundle(&state.app, &signed.actor, &form.org, body, f.publish).await {
        Ok(_) => see_other("/catalog/bundles?msg=bundle"),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let rows = detail_rows(i, &p, "fields");
            bundles_page(
                &state,
                i,
                &viewer,
                signed,
                crate::error::status_of(p.kind),
                form.org,
                f,
                None,
                Some(i.t(&p.message, &p.message_en).to_string()),
                rows,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The staff queue of consultations (问)

pub struct QuestionLine {
    pub id: String,
    pub item_id: String,
    pub item_name: String,
    pub item_code: String,
    pub question: String,
    pub asked: String,
    /// The private answer typed so far (after a refused submission).
    pub answer: String,
    /// The public wording of the question, prefilled with the original.
    pub public_question: String,
    pub public_answer: String,
    /// Personal data found in the public question and answer: (kind label, text).
    pub question_findings: Vec<(String, String)>,
    pub answer_findings: Vec<(String, String)>,
    pub publish_checked: bool,
}

#[derive(askama::Template)]
#[template(path = "catalog_questions.html")]
struct QuestionsTpl {
    i: I18n,
    nav: Nav,
    questions: Vec<QuestionLine>,
    message: Option<String>,
    error: Option<String>,
}

/// A refused answer, shown again with what was typed.
struct Failed {
    message: String,
    id: String,
    form: AnswerForm,
}

fn findings_of(i: I18n, field: &str, text: &str) -> Vec<(String, String)> {
    questions::privacy_findings(field, text)
        .into_iter()
        .map(|f| (i.t(&f.label, &f.label_en).to_string(), f.text))
        .collect()
}

async fn questions_page(
    state: &AppState,
    i: I18n,
    viewer: &Viewer,
    signed: &SignedIn,
    status: StatusCode,
    message: Option<String>,
    failed: Option<Failed>,
) -> Response {
    let queue = match questions::queue(&state.app.store, &signed.actor).await {
        Ok(q) => q,
        Err(e) => return app_error_page(e, i, Nav::of(viewer)),
    };
    let error = failed.as_ref().map(|f| f.message.clone());
    let tpl = QuestionsTpl {
        i,
        nav: Nav::of(viewer),
        questions: queue
            .into_iter()
            .map(|q| {
                let again = failed
                    .as_ref()
                    .filter(|f| f.id == q.question.id)
                    .map(|f| &f.form);
                let answer = again.map(|f| f.answer.clone()).unwrap_or_default();
                let public_question = again
                    .map(|f| f.public_question.clone())
                    .unwrap_or_else(|| q.question.question.clone());
                let public_answer = again.map(|f| f.public_answer.clone()).unwrap_or_default();
                let shown_answer = if public_answer.trim().is_empty() {
                    answer.clone()
                } else {
                    public_answer.clone()
                };
                QuestionLine {
                    question_findings: findings_of(i, "public_question", &public_question),
                    answer_findings: findings_of(i, "public_answer", &shown_answer),
                    publish_checked: again.is_some_and(|f| f.publish_faq.is_some()),
                    id: q.question.id,
                    item_id: q.item.id,
                    item_name: q.item.name,
                    item_code: q.item.code,
                    question: q.question.question,
                    asked: display_local(q.question.created_at),
                    answer,
                    public_question,
                    public_answer,
                }
            })
            .collect(),
        message,
        error,
    };
    (status, render(&tpl)).into_response()
}

pub async fn questions_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let a = &signed.actor;
    if !a
        .grants
        .iter()
        .any(|g| access::authorize(a, Permission::AnswerQuestions, Scope::Org(&g.org_path)).is_ok())
    {
        return error_page(
            i,
            Nav::of(&viewer),
            StatusCode::FORBIDDEN,
            ("无权访问", "此页面仅限负责答复咨询的工作人员访问。"),
            (
                "Not allowed",
                "This page is for staff who answer questions.",
            ),
        );
    }
    let Query(q) = query.unwrap_or_default();
    let message = message_of(i, q.msg.as_deref());
    questions_page(&state, i, &viewer, signed, StatusCode::OK, message, None).await
}

#[derive(Deserialize, Default, Clone)]
pub struct AnswerForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    publish_faq: Option<String>,
    /// The public wording (edited by staff); empty public answer: the private answer.
    #[serde(default)]
    public_question: String,
    #[serde(default)]
    public_answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let Ok(Form(form)) = form else {
        let failed = Failed {
            message: i.t("表单不完整", "The form is incomplete").to_string(),
            id: id.clone(),
            form: AnswerForm::default(),
        };
        return questions_page(
            &state,
            i,
            &viewer,
            signed,
            StatusCode::BAD_REQUEST,
            None,
            Some(failed),
        )
        .await;
    };
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let input = questions::AnswerInput {
        answer: form.answer.clone(),
        publish_faq: form.publish_faq.is_some(),
        public_question: nonempty(&form.public_question),
        public_answer: nonempty(&form.public_answer),
    };
    match questions::answer(&state.app.store, &signed.actor, &id, &input).await {
        Ok(_) => see_other("/catalog/questions?msg=answered"),
        Err(e) => {
            let p = match problem_of(e, i, Nav::of(&viewer)) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            let failed = Failed {
                message: i.t(&p.message, &p.message_en).to_string(),
                id,
                form: AnswerForm {
                    csrf: String::new(),
                    answer: cut(&form.answer, 2000),
                    publish_faq: form.publish_faq,
                    public_question: cut(&form.public_question, 500),
                    public_answer: cut(&form.public_answer, 2000),
                },
            };
            questions_page(
                &state,
                i,
                &viewer,
                signed,
                crate::error::status_of(p.kind),
                None,
                Some(failed),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_but_department_and_status_has_an_input() {
        for c in COLUMNS {
            assert_eq!(
                column(c).is_some(),
                !matches!(*c, "department" | "status"),
                "{c}"
            );
        }
    }

    #[test]
    fn list_inputs_become_cells() {
        let mut v = HashMap::new();
        v.insert("aliases".to_string(), "开饭店\n\n 开餐馆 \n".to_string());
        v.insert("conditions".to_string(), "a\nb".to_string());
        let g = to_grid(&v, "部门");
        let at = |k: &str| COLUMNS.iter().position(|c| *c == k).unwrap();
        assert_eq!(g[1][at("aliases")], "开饭店;开餐馆");
        assert_eq!(g[1][at("conditions")], "a\nb");
        assert_eq!(g[1][at("department")], "部门");
    }

    #[test]
    fn row_prefixes_are_dropped() {
        assert_eq!(
            bare("第2行“code”列:事项编码应为12位数字"),
            "事项编码应为12位数字"
        );
        assert_eq!(bare("line 2, column code: bad"), "bad");
        assert_eq!(bare("plain"), "plain");
    }
}

#[derive(Deserialize)]
pub struct BundleStatusForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

/// Publish or suspend a bundle from the list.
pub async fn bundle_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<BundleStatusForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let form = form.map(|Form(f)| f).unwrap_or(BundleStatusForm {
        csrf: String::new(),
        status: String::new(),
    });
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let status = match form.status.as_str() {
        "published" => ItemStatus::Published,
        "suspended" => ItemStatus::Suspended,
        _ => {
            return bundles_page(
                &state,
                i,
                &viewer,
                signed,
                StatusCode::BAD_REQUEST,
                String::new(),
                empty_bundle_form(),
                None,
                Some(i.t("未知的状态", "Unknown status").into()),
                Vec::new(),
            )
            .await;
        }
    };
    match bundles::set_bundle_status(&state.app, &signed.actor, &id, status).await {
        Ok(_) => see_other("/catalog/bundles"),
        Err(yiwang_app::AppError::Problem(p)) => {
            let st = crate::error::status_of(p.kind);
            bundles_page(
                &state,
                i,
                &viewer,
                signed,
                st,
                String::new(),
                empty_bundle_form(),
                None,
                Some(i.t(&p.message, &p.message_en).to_string()),
                Vec::new(),
            )
            .await
        }
        Err(e) => app_error_page(e, i, Nav::of(&viewer)),
    }
}
