//! The service catalogue: search (查), guides (看), consultation (问), and management (items,
//! versions, claiming, bundles, files, import/export).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yiwang_app::catalog::bundles::{self, BundleView};
use yiwang_app::catalog::files::{self, FileRole};
use yiwang_app::catalog::import::{self, Format, ImportOptions, ImportReport};
use yiwang_app::catalog::items::{self, ClaimRequest, ItemView};
use yiwang_app::catalog::questions::{self, AnswerInput, MyQuestion, QueuedQuestion};
use yiwang_app::catalog::search::{self, SearchPage};
use yiwang_app::catalog::stats::{self, CatalogStats};
use yiwang_core::Problem;
use yiwang_core::catalog::{BundleBody, ItemAction, ItemBody, ItemStatus};
use yiwang_store::{BundleRowData, CatalogItem, ItemVersionRow, Question};

use super::doc::Binary;
use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::Caller;
use crate::download::{Cache, attachment};
use crate::error::{ApiError, ErrorBody};
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Everyday words, e.g. 开饭店 (at most 100 characters once trimmed; empty = browse).
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: String,
    /// Implementing organisation id.
    pub department: Option<String>,
    /// 省级, 市级, 县级, 乡镇级 or 村级.
    pub level: Option<String>,
    /// Item-type label, e.g. 行政许可, 公共服务, or 一件事 for bundles.
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    /// online, fully_online, at_most_once or immediate (comma-separated for several).
    pub flag: Option<String>,
    /// A life-event bundle code, e.g. LE001.
    pub event: Option<String>,
    /// Hits to skip; `offset` + the page size may not exceed 10000 (422
    /// `search.page_out_of_range`).
    #[serde(default)]
    #[param(maximum = 10000)]
    pub offset: usize,
    /// Page size, 20 when omitted; larger values than 50 are served as 50.
    pub limit: Option<usize>,
}

impl SearchQuery {
    pub fn filters(&self) -> yiwang_search::Filters {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        yiwang_search::Filters {
            department_id: some(&self.department),
            level: some(&self.level),
            item_type: some(&self.item_type),
            flags: self
                .flag
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            life_event: some(&self.event),
            kind: None,
        }
    }
}

/// Search the published catalogue (Chinese full text, with filters and facet counts). Public.
#[utoipa::path(get, path = "/api/v1/catalog/search", tag = "catalog", params(SearchQuery),
    responses((status = 200, body = SearchPage),
        (status = 422, description = "The query is too long or the page too deep (`search.query_too_long`, `search.page_out_of_range`)", body = ErrorBody)))]
pub async fn search_items(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    let limit = q.limit.unwrap_or(20).min(50);
    Ok(Json(
        search::search(&state.app, &q.q, &q.filters(), q.offset, limit).await?,
    ))
}

/// The published guide of an item (its current published version). Public.
#[utoipa::path(get, path = "/api/v1/catalog/items/{id}", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView)))]
pub async fn get_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(items::public_item(&state.app.store, &id).await?))
}

/// The versions of an item (numbers, publication times). Public.
#[utoipa::path(get, path = "/api/v1/catalog/items/{id}/versions", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = Vec<ItemVersionRow>)))]
pub async fn item_versions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ItemVersionRow>>, ApiError> {
    Ok(Json(items::versions(&state.app.store, &id).await?))
}

/// One version: published versions are public, drafts only for the item's managers.
#[utoipa::path(get, path = "/api/v1/catalog/items/{id}/versions/{version}", tag = "catalog",
    params(("id" = String, Path, description = "item id"), ("version" = i64, Path, description = "version number")),
    responses((status = 200, body = ItemView)),
    security((), ("bearer" = []), ("session" = [])))]
pub async fn item_version(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path((id, version)): Path<(String, i64)>,
) -> Result<Json<ItemView>, ApiError> {
    let actor = caller.as_ref().map(|c| &c.actor);
    Ok(Json(
        items::item_version(&state.app.store, actor, &id, version).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewItem {
    /// The implementing organisation.
    pub org_id: String,
    pub body: ItemBody,
}

/// Create an item (version 1, a draft) in an organisation's implementation list.
#[utoipa::path(post, path = "/api/v1/catalog/items", tag = "catalog", request_body = NewItem,
    responses((status = 201, body = ItemView),
        (status = 404, description = "No such organisation", body = ErrorBody),
        (status = 409, description = "The organisation already has an item with this code (`duplicate`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_item(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewItem>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let view = items::create_item(&state.app, &caller.actor, &req.org_id, req.body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, ToSchema)]
pub struct SaveItem {
    pub body: ItemBody,
}

/// Save an item: updates the draft, or makes a new draft version when the newest is published.
#[utoipa::path(put, path = "/api/v1/catalog/items/{id}", tag = "catalog", request_body = SaveItem,
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView),
        (status = 409, description = "The item is cancelled, or its code or type would change", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn save_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<SaveItem>,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(
        items::save_item(&state.app, &caller.actor, &id, req.body).await?,
    ))
}

async fn transition(
    state: AppState,
    caller: Caller,
    id: String,
    action: ItemAction,
) -> Result<Json<ItemView>, ApiError> {
    Ok(Json(
        items::change_status(&state.app, &caller.actor, &id, action).await?,
    ))
}

/// Publish the newest draft version (it is then frozen).
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/publish", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView),
        (status = 409, description = "The item's status does not allow it (`item.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ItemView>, ApiError> {
    transition(state, caller, id, ItemAction::Publish).await
}

/// Suspend a published item (it stays readable but is not offered).
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/suspend", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView),
        (status = 409, description = "The item's status does not allow it (`item.transition`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn suspend_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ItemView>, ApiError> {
    transition(state, caller, id, ItemAction::Suspend).await
}

/// Resume a suspended item.
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/resume", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView),
        (status = 409, description = "The item's status does not allow it (`item.transition`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn resume_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ItemView>, ApiError> {
    transition(state, caller, id, ItemAction::Resume).await
}

/// Cancel an item for good.
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/cancel", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = ItemView),
        (status = 409, description = "The item's status does not allow it (`item.transition`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cancel_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ItemView>, ApiError> {
    transition(state, caller, id, ItemAction::Cancel).await
}

/// 认领: claim a published base item into a lower organisation's implementation list.
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/claim", tag = "catalog", request_body = ClaimRequest,
    params(("id" = String, Path, description = "base item id")),
    responses((status = 201, body = ItemView),
        (status = 409, description = "Already claimed by the organisation, or the base is not published", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn claim_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ClaimRequest>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let view = items::claim_item(&state.app, &caller.actor, &id, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
pub struct FileParams {
    /// The material's name, exactly as in the item.
    pub material: String,
    /// `blank` (空白表格) or `sample` (示例样表).
    pub role: String,
    /// File name with extension (.pdf, .doc, .docx, .xls, .xlsx, .jpg, .png).
    pub filename: String,
}

/// Attach a blank form or sample to a material (the request body is the file, at most 5 MB).
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/files", tag = "catalog", params(("id" = String, Path, description = "item id"), FileParams),
    request_body(content = Binary, content_type = "application/octet-stream", description = "The file, 1 byte to 5 MB"),
    responses((status = 201, body = ItemView),
        (status = 413, description = "Larger than 5 MB (`request.too_large`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn attach_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<FileParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let role = match p.role.as_str() {
        "blank" => FileRole::BlankForm,
        "sample" => FileRole::Sample,
        _ => {
            return Err(Problem::invalid(
                "file.role",
                "role 应为 blank 或 sample",
                "role must be blank or sample",
            )
            .into());
        }
    };
    files::authorize_attach(&state.app.store, &caller.actor, &id).await?;
    let limit = files::MAX_FILE_BYTES as u64;
    crate::upload::check_declared_length(&headers, limit)?;
    let upload = crate::upload::spool_body(body, limit).await?.non_empty()?;
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let view = files::attach_file(
        &state.app,
        &caller.actor,
        &id,
        &p.material,
        role,
        files::Upload {
            filename: &p.filename,
            declared_type: declared,
            path: upload.path(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Download a catalogue file (blank form or sample), streamed; a single `Range: bytes=…` is
/// answered 206. Public.
#[utoipa::path(get, path = "/api/v1/catalog/files/{id}", tag = "catalog",
    params(("id" = String, Path, description = "file id")),
    responses((status = 200, description = "The file, as an attachment in its own type",
        content(
            (Binary = "application/pdf"),
            (Binary = "application/msword"),
            (Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Binary = "application/vnd.ms-excel"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Binary = "image/jpeg"),
            (Binary = "image/png"),
        ),
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))),
        (status = 206, description = "The requested byte range of the file (a `Range` request)",
        content(
            (Binary = "application/pdf"),
            (Binary = "application/msword"),
            (Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Binary = "application/vnd.ms-excel"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Binary = "image/jpeg"),
            (Binary = "image/png"),
        ),
        headers(("Content-Range" = String, description = "bytes START-END/SIZE"))),
        (status = 416, description = "The range lies outside the file", body = ErrorBody,
        headers(("Content-Range" = String, description = "bytes */SIZE")))))]
pub async fn download_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    Ok(crate::download::serve_file(&state.app, &id, &headers).await?)
}

/// Published FAQs of an item. Public.
#[utoipa::path(get, path = "/api/v1/catalog/items/{id}/faqs", tag = "catalog",
    params(("id" = String, Path, description = "item id")),
    responses((status = 200, body = Vec<Question>)))]
pub async fn faqs(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Question>>, ApiError> {
    Ok(Json(questions::faqs(&state.app.store, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Ask {
    /// 1 to 500 characters once trimmed.
    #[schema(min_length = 1, max_length = 500)]
    pub question: String,
}

/// 问: ask a question about an item (signed in).
#[utoipa::path(post, path = "/api/v1/catalog/items/{id}/questions", tag = "catalog", request_body = Ask,
    params(("id" = String, Path, description = "item id")),
    responses((status = 201, body = Question), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Ask>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
    let q = questions::ask(&state.app.store, &caller.actor, &id, &req.question).await?;
    Ok((StatusCode::CREATED, Json(q)))
}

/// The staff queue: open questions on items the caller may answer, oldest first.
#[utoipa::path(get, path = "/api/v1/catalog/questions", tag = "catalog",
    responses((status = 200, body = Vec<QueuedQuestion>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn question_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<QueuedQuestion>>, ApiError> {
    Ok(Json(
        questions::queue(&state.app.store, &caller.actor).await?,
    ))
}

/// Answer a question (staff of the item's organisation). The answer goes privately to the asker;
/// with `publish_faq`, the public wording (`public_question`, `public_answer`, by default the
/// original texts) is published as an FAQ and must contain no personal data: otherwise 422
/// `question.personal_data` with `details.kinds` and `details.findings`.
#[utoipa::path(post, path = "/api/v1/catalog/questions/{id}/answer", tag = "catalog", request_body = AnswerInput,
    params(("id" = String, Path, description = "question id")),
    responses((status = 200, body = Question),
        (status = 409, description = "The question was already answered (`question.already_answered`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AnswerInput>,
) -> Result<Json<Question>, ApiError> {
    Ok(Json(
        questions::answer(&state.app.store, &caller.actor, &id, &req).await?,
    ))
}

/// 我的咨询: the caller's own questions with the private answers, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/questions/mine", tag = "catalog",
    responses((status = 200, body = Vec<MyQuestion>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_questions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MyQuestion>>, ApiError> {
    Ok(Json(
        questions::mine(&state.app.store, &caller.actor).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct BundleSummary {
    pub id: String,
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub description: String,
    pub promised_limit_days: u32,
}

/// Published life-event bundles (一件事). Public.
#[utoipa::path(get, path = "/api/v1/catalog/bundles", tag = "catalog",
    responses((status = 200, body = Vec<BundleSummary>)))]
pub async fn list_bundles(
    State(state): State<AppState>,
) -> Result<Json<Vec<BundleSummary>>, ApiError> {
    let list = bundles::published_bundles(&state.app.store).await?;
    Ok(Json(
        list.into_iter()
            .map(|(row, body)| BundleSummary {
                id: row.id,
                code: row.code,
                name: body.name,
                aliases: body.aliases,
                description: body.description,
                promised_limit_days: body.promised_limit_days,
            })
            .collect(),
    ))
}

/// A published bundle with its items, one merged form and one de-duplicated material list. Public.
#[utoipa::path(get, path = "/api/v1/catalog/bundles/{id}", tag = "catalog",
    params(("id" = String, Path, description = "bundle id or code")),
    responses((status = 200, body = BundleView),
        (status = 409, description = "Published, but an item it holds is no longer offered in its region (`bundle.items_unavailable`)", body = ErrorBody)))]
pub async fn get_bundle(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BundleView>, ApiError> {
    Ok(Json(bundles::public_bundle(&state.app.store, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SaveBundle {
    /// The owning organisation (usually a government-service centre).
    pub org_id: String,
    pub body: BundleBody,
    #[serde(default)]
    pub publish: bool,
}

/// Create or replace a bundle; its items must be published in the organisation's region.
#[utoipa::path(post, path = "/api/v1/catalog/bundles", tag = "catalog", request_body = SaveBundle,
    responses((status = 200, body = BundleRowData),
        (status = 404, description = "No such organisation", body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn save_bundle(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SaveBundle>,
) -> Result<Json<BundleRowData>, ApiError> {
    Ok(Json(
        bundles::save_bundle(
            &state.app,
            &caller.actor,
            &req.org_id,
            req.body,
            req.publish,
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BundleStatusRequest {
    /// published or suspended
    #[schema(pattern = "^(published|suspended)$")]
    pub status: String,
}

/// Publish or suspend a bundle.
#[utoipa::path(post, path = "/api/v1/catalog/bundles/{id}/status", tag = "catalog", request_body = BundleStatusRequest,
    params(("id" = String, Path, description = "bundle id")),
    responses((status = 200, body = BundleRowData), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn bundle_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<BundleStatusRequest>,
) -> Result<Json<BundleRowData>, ApiError> {
    let status = match req.status.as_str() {
        "published" => ItemStatus::Published,
        "suspended" => ItemStatus::Suspended,
        _ => {
            return Err(Problem::invalid(
                "bundle.status",
                "status 应为 published 或 suspended",
                "status must be published or suspended",
            )
            .into());
        }
    };
    Ok(Json(
        bundles::set_bundle_status(&state.app, &caller.actor, &id, status).await?,
    ))
}

/// Catalogue statistics: items by type, shares online / fully online / at most one visit. Public.
#[utoipa::path(get, path = "/api/v1/catalog/stats", tag = "catalog",
    responses((status = 200, body = CatalogStats)))]
pub async fn catalog_stats(State(state): State<AppState>) -> Result<Json<CatalogStats>, ApiError> {
    Ok(Json(stats::stats(&state.app).await?))
}

/// Largest import file accepted through the API.
pub const IMPORT_LIMIT: u64 = 64 * 1024 * 1024;

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// `csv` or `xlsx`; detected from the content when omitted.
    pub format: Option<String>,
    /// `csv`: when the file has bad rows, answer 422 with the whole error list as a CSV file
    /// instead of the JSON summary.
    pub error_report: Option<String>,
}

/// Import items (and, in an XLSX `bundles` sheet, bundles) in the documented layout. All or
/// nothing: a file with any bad row imports nothing, and the answer summarises the bad rows (per
/// column and reason, with counts and the first lines of each; `error_report=csv` for the whole
/// list). The caller's permission is checked before the body is read; the body (at most 64 MB)
/// is spooled to disk and read with every dimension bounded.
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", params(ImportParams),
    request_body(description = "The file (at most 64 MB), CSV or XLSX",
        content((Binary = "text/csv"), (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportReport),
        (status = 409, description = "A concurrent change stopped a large import part-way (`import.interrupted`); `details` says which rows were written", body = ErrorBody),
        (status = 413, description = "Larger than 64 MB (`request.too_large`)", body = ErrorBody),
        (status = 422, description = "Bad rows or an unreadable file: nothing was imported. JSON, or with `error_report=csv` the whole error list as a CSV attachment",
            content((ErrorBody = "application/json"), (Binary = "text/csv")))),
    security(("bearer" = []), ("session" = [])))]
pub async fn import_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    use axum::response::IntoResponse;
    import::authorize_import(&caller.actor)?;
    crate::upload::check_declared_length(&headers, IMPORT_LIMIT)?;
    let upload = crate::upload::spool_body(body, IMPORT_LIMIT)
        .await?
        .non_empty()?;
    let format = match p.format.as_deref() {
        Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        _ => Format::detect_file("", upload.path()),
    };
    let (items_grid, bundles_grid) = import::read_upload(&state.app, format, upload.path()).await?;
    let full = p.error_report.as_deref() == Some("csv");
    let result = import::import(
        &state.app,
        Some(&caller.actor),
        &items_grid,
        bundles_grid.as_ref(),
        ImportOptions {
            full_error_list: full,
            ..Default::default()
        },
    )
    .await;
    match result {
        Ok(report) => Ok(Json(report).into_response()),
        Err(yiwang_app::AppError::Problem(problem)) if full => match import::all_errors(&problem) {
            Some(errors) => {
                let mut r = attachment(
                    "import-errors.csv",
                    Format::Csv.content_type(),
                    import::errors_csv(&errors),
                    Cache::NoStore,
                );
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(r)
            }
            None => Err(problem.into()),
        },
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// Export the items (and bundles) the caller manages in the documented layout.
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(ExportParams),
    responses((status = 200, description = "The export, as an attachment",
        content((Binary = "text/csv"), (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn export_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let (items_grid, bundles_grid) =
        import::export_managed(&state.app.store, &caller.actor).await?;
    let format = if p.format.as_deref() == Some("xlsx") {
        Format::Xlsx
    } else {
        Format::Csv
    };
    Ok(attachment(
        format.export_filename(),
        format.content_type(),
        import::write_grid(format, &items_grid, &bundles_grid),
        Cache::NoStore,
    ))
}

/// Items the caller manages (all statuses).
#[utoipa::path(get, path = "/api/v1/catalog/managed", tag = "catalog",
    responses((status = 200, body = Vec<CatalogItem>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn managed(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CatalogItem>>, ApiError> {
    Ok(Json(
        items::managed_items(&state.app.store, &caller.actor).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Reindexed {
    pub documents: u64,
}

/// Rebuild this node's search index from the database (administrators).
#[utoipa::path(post, path = "/api/v1/catalog/search/reindex", tag = "catalog",
    responses((status = 200, body = Reindexed), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reindex(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Reindexed>, ApiError> {
    let documents = search::reindex(&state.app, &caller.actor).await?;
    Ok(Json(Reindexed { documents }))
}

/// The catalog API (事项目录与网上办事大厅): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_items))
        .routes(routes!(reindex))
        .routes(routes!(create_item))
        .routes(routes!(get_item, save_item))
        .routes(routes!(item_versions))
        .routes(routes!(item_version))
        .routes(routes!(publish_item))
        .routes(routes!(suspend_item))
        .routes(routes!(resume_item))
        .routes(routes!(cancel_item))
        .routes(routes!(claim_item))
        .routes({
            // Streamed to disk by the handler, which enforces its own limit.
            let (schemas, paths, router) = routes!(attach_file);
            (schemas, paths, router.layer(DefaultBodyLimit::disable()))
        })
        .routes(routes!(faqs))
        .routes(routes!(ask))
        .routes(routes!(download_file))
        .routes(routes!(question_queue))
        .routes(routes!(my_questions))
        .routes(routes!(answer))
        .routes(routes!(list_bundles, save_bundle))
        .routes(routes!(get_bundle))
        .routes(routes!(bundle_status))
        .routes(routes!(catalog_stats))
        .routes({
            // Streamed to disk by the handler, which enforces its own limit.
            let (schemas, paths, router) = routes!(import_file);
            (schemas, paths, router.layer(DefaultBodyLimit::disable()))
        })
        .routes(routes!(export_file))
        .routes(routes!(managed))
}
