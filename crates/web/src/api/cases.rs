//! 办件 (case processing): applying online (draft, materials, submission), registering at a
//! window (一窗受理), the officers' transitions from acceptance to delivery, "my cases", the
//! inbox, a case's details; and, without a token, the public progress query and case list.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::blobs::{Kind, Magic, MediaType};
use yiwang_app::cases::CaseView;
use yiwang_app::cases::apply::{self, DraftInput, MaterialInput, Submitted, WindowInput};
use yiwang_app::cases::handle::{
    self, AcceptInput, DeficiencyInput, DeliveryInput, NoticeInput, OpinionInput,
};
use yiwang_app::cases::query::{self, CaseDetail, Page, Progress, PublicCase};
use yiwang_core::Problem;
use yiwang_core::cases::SuspensionKind;
use yiwang_store::{CaseMaterialRow, CaseNoticeRow, CaseOpinionRow};

use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

/// Case materials: at most 20 MB a file, PDF, OFD, JPEG or PNG (by extension, declared type and
/// content signature); the case's own limits (files per material, bytes per case) are checked
/// by the use case.
pub const MATERIAL_KIND: Kind = Kind {
    name: "case_material",
    max_bytes: 20 * 1024 * 1024,
    types: &[
        MediaType {
            ext: "pdf",
            mime: "application/pdf",
            magic: Magic::Pdf,
        },
        MediaType {
            ext: "ofd",
            mime: "application/ofd",
            magic: Magic::Zip,
        },
        MediaType {
            ext: "jpg",
            mime: "image/jpeg",
            magic: Magic::Jpeg,
        },
        MediaType {
            ext: "jpeg",
            mime: "image/jpeg",
            magic: Magic::Jpeg,
        },
        MediaType {
            ext: "png",
            mime: "image/png",
            magic: Magic::Png,
        },
    ],
};

/// Room for the multipart framing and the `material` field around the file.
const FRAMING_BYTES: u64 = 64 * 1024;

/// Text fields of the upload form are at most this long.
const MAX_TEXT_FIELD: usize = 1000;

#[derive(Deserialize, IntoParams)]
pub struct Paging {
    /// 1-based page number (1 when omitted).
    pub page: Option<i64>,
    /// Page size, 20 when omitted, at most 100.
    pub size: Option<i64>,
}

impl Paging {
    fn page(&self) -> Page {
        let d = Page::default();
        Page {
            page: self.page.unwrap_or(d.page),
            size: self.size.unwrap_or(d.size),
        }
    }
}

/// 暂存: start an application (a draft) for a published item; the applicant must be the
/// caller (their ID number, or their enterprise's credit code).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = DraftInput,
    responses((status = 201, body = CaseView),
        (status = 403, description = "The applicant is not the caller (`case.applicant_not_caller`)", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is not published or is cancelled (`case.item_not_published`, `case.item_cancelled`)", body = ErrorBody),
        (status = 422, description = "A bad applicant or form (`case.form_invalid`, …)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_draft(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<DraftInput>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    let view = apply::save_draft(&state.app, &caller.actor, None, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Save the caller's draft again (the form is checked fully only at submission).
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases", request_body = DraftInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not the caller's case, or the applicant is not the caller", body = ErrorBody),
        (status = 409, description = "The case is no longer a draft (`case.transition`)", body = ErrorBody),
        (status = 422, description = "A bad applicant or form, or another item (`case.item_changed`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn save_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DraftInput>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        apply::save_draft(&state.app, &caller.actor, Some(&id), req).await?,
    ))
}

/// The upload form: `material` (the material's name, exactly as in the item version) and
/// `file` (PDF, OFD, JPG or PNG, at most 20 MB).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MaterialUpload {
    pub material: String,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn upload_rejected(status: StatusCode, reason: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::too_large(MATERIAL_KIND.max_bytes).into();
    }
    ApiError::bad_request(
        "upload.form",
        "上传表单无法读取（须为 multipart/form-data，含 material 与 file 字段）",
        "The upload form cannot be read (multipart/form-data with the fields material and file)",
        Some(reason),
    )
}

async fn bounded_text(field: &mut axum::extract::multipart::Field<'_>) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_TEXT_FIELD {
                    return Err(upload_rejected(
                        StatusCode::BAD_REQUEST,
                        "a text field is too long".into(),
                    ));
                }
            }
            Ok(None) => break,
            Err(e) => return Err(upload_rejected(e.status(), e.body_text())),
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| upload_rejected(StatusCode::BAD_REQUEST, "a text field is not UTF-8".into()))
}

async fn head_of(path: &std::path::Path) -> Result<Vec<u8>, ApiError> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::with_capacity(16);
    let file = tokio::fs::File::open(path).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read a spooled upload");
        ApiError::from(Problem::busy())
    })?;
    file.take(16).read_to_end(&mut head).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read a spooled upload");
        ApiError::from(Problem::busy())
    })?;
    Ok(head)
}

/// Hand in a file for one material (multipart, streamed to disk): while a draft, while a
/// 补正 is requested, or for a 容缺 material still pending. The content must match its
/// extension and declared type; it goes into the blob store by digest.
#[utoipa::path(post, path = "/api/v1/cases/{id}/materials", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    request_body(content = MaterialUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = CaseMaterialRow),
        (status = 403, description = "Not the caller's case", body = ErrorBody),
        (status = 409, description = "The case takes no materials now (`case.materials_closed`)", body = ErrorBody),
        (status = 413, description = "Larger than 20 MB (`request.too_large`)", body = ErrorBody),
        (status = 422, description = "Unknown material, wrong type or content, empty, too many files (`upload.*`, `file.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload_material(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<CaseMaterialRow>), ApiError> {
    let limit = MATERIAL_KIND.max_bytes;
    crate::upload::check_declared_length(&headers, limit + FRAMING_BYTES)?;
    let mut mp = mp.map_err(|e| upload_rejected(e.status(), e.body_text()))?;
    let mut material = None;
    let mut file = None;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(upload_rejected(e.status(), e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "material" => material = Some(bounded_text(&mut field).await?),
            "file" if file.is_none() => {
                let filename = field.file_name().unwrap_or("").to_string();
                let declared = field.content_type().map(str::to_string);
                let upload = crate::upload::spool_field(&mut field, limit).await?;
                file = Some((filename, declared, upload));
            }
            _ => {
                return Err(upload_rejected(
                    StatusCode::BAD_REQUEST,
                    format!("unexpected field {name:?}"),
                ));
            }
        }
    }
    let (Some(material), Some((filename, declared, upload))) = (material, file) else {
        return Err(upload_rejected(
            StatusCode::BAD_REQUEST,
            "the fields material and file are required".into(),
        ));
    };
    let upload = upload.non_empty()?;
    let head = head_of(upload.path()).await?;
    let (filename, mime) = MATERIAL_KIND.check(&filename, declared.as_deref(), &head)?;
    let blobs = state.app.blobs();
    let stored = blobs.put_file(upload.path(), limit).await?;
    let row = apply::attach_material(
        &state.app,
        &caller.actor,
        &id,
        MaterialInput {
            material,
            filename,
            content_type: mime.into(),
            digest: stored.digest.clone(),
        },
    )
    .await?;
    // Clean-up may have removed an identical, then unreferenced, blob between the write and the
    // commit: put it back from the spooled upload.
    if blobs.exists(&stored.digest).await?.is_none() {
        blobs.put_file(upload.path(), limit).await?;
    }
    Ok((StatusCode::CREATED, Json(row)))
}

/// 提交申报: the form is checked in full and every required material must be in. The answer
/// carries the query code (查询码) once; only its hash is kept.
#[utoipa::path(post, path = "/api/v1/cases/{id}/submit", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = Submitted),
        (status = 403, description = "Not the caller's case", body = ErrorBody),
        (status = 409, description = "Not a draft (`case.transition`)", body = ErrorBody),
        (status = 422, description = "The form or the materials are incomplete (`case.form_invalid`, with `details.fields`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Submitted>, ApiError> {
    Ok(Json(apply::submit(&state.app, &caller.actor, &id).await?))
}

/// 一窗受理: a window officer registers a walk-in application for any department's item (the
/// officer's centre receives it). `materials` name files already in the blob store by digest;
/// missing materials are left for a 一次性告知. The answer carries the query code once.
#[utoipa::path(post, path = "/api/v1/cases/window", tag = "cases", request_body = WindowInput,
    responses((status = 201, body = Submitted),
        (status = 403, description = "The caller may not register cases", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is not published or is cancelled", body = ErrorBody),
        (status = 422, description = "A bad applicant, form or material (`case.form_invalid`, `upload.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn register_at_window(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<WindowInput>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let s = apply::register_at_window(&state.app, &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// 受理: the materials are complete; the clock starts and the case is dispatched (to the
/// `participants` too, in parallel).
#[utoipa::path(post, path = "/api/v1/cases/{id}/accept", tag = "cases", request_body = AcceptInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not a window officer of the receiving centre", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state, or materials missing (`case.transition`, `case.materials_missing`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AcceptInput>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::accept(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 容缺受理: accepted with required materials pending against a dated commitment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/accept-with-deficiency", tag = "cases", request_body = DeficiencyInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not a window officer of the receiving centre", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state (`case.transition`)", body = ErrorBody),
        (status = 422, description = "The pending materials or the commitment date are not acceptable", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn accept_with_deficiency(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DeficiencyInput>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::accept_with_deficiency(&state.app, &caller.actor, &id, req).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Reason {
    /// The written reason.
    pub reason: String,
}

/// 不予受理, with the written reason.
#[utoipa::path(post, path = "/api/v1/cases/{id}/not-accept", tag = "cases", request_body = Reason,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not a window officer of the receiving centre", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state (`case.transition`)", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn not_accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Reason>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::not_accept(&state.app, &caller.actor, &id, &req.reason).await?,
    ))
}

/// 一次性告知: one notice listing every missing material (found automatically) and the
/// `defects` found; the clock stops until the applicant supplies them. A further notice naming
/// something that was there at the first needs a `reason` and is recorded for supervision.
#[utoipa::path(post, path = "/api/v1/cases/{id}/correction-requests", tag = "cases", request_body = NoticeInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = CaseNoticeRow),
        (status = 403, description = "Not an officer of the case's centre or department", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state, or nothing to notify", body = ErrorBody),
        (status = 422, description = "A defect names an unknown material, or a reason is needed", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn request_correction(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<NoticeInput>,
) -> Result<(StatusCode, Json<CaseNoticeRow>), ApiError> {
    let n = handle::request_correction(&state.app, &caller.actor, &id, req).await?;
    Ok((StatusCode::CREATED, Json(n)))
}

/// 提交补正材料: the applicant answers the notice (upload the files first).
#[utoipa::path(post, path = "/api/v1/cases/{id}/correction", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not the caller's case", body = ErrorBody),
        (status = 409, description = "No correction is requested (`case.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn supply_correction(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        apply::supply_correction(&state.app, &caller.actor, &id).await?,
    ))
}

/// 审查意见: the officer of the task's department records the opinion on one review task
/// (`step1`…, or `dept:<id>` for a participating department).
#[utoipa::path(post, path = "/api/v1/cases/{id}/opinions", tag = "cases", request_body = OpinionInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = CaseOpinionRow),
        (status = 403, description = "Not an officer of the task's department", body = ErrorBody),
        (status = 409, description = "Not in review, or the task already has an opinion", body = ErrorBody),
        (status = 422, description = "Unknown task, or a comment is needed", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_opinion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<OpinionInput>,
) -> Result<(StatusCode, Json<CaseOpinionRow>), ApiError> {
    let o = handle::record_opinion(&state.app, &caller.actor, &id, req).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

#[derive(Deserialize, ToSchema)]
pub struct SuspendRequest {
    /// The special procedure (hearing, expert review, site inspection, testing, other; started
    /// by the department head) or `supplement` (审查中补正, by the approving officer).
    pub kind: SuspensionKind,
    pub reason: String,
}

/// 特别程序 or 审查中补正: the clock stops.
#[utoipa::path(post, path = "/api/v1/cases/{id}/suspend", tag = "cases", request_body = SuspendRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not the role that starts this procedure in the department", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state (`case.transition`)", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<SuspendRequest>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::suspend(&state.app, &caller.actor, &id, req.kind, &req.reason).await?,
    ))
}

/// 特别程序结束: the clock restarts (a supplement ends with the applicant's correction).
#[utoipa::path(post, path = "/api/v1/cases/{id}/resume", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not an officer of the department", body = ErrorBody),
        (status = 409, description = "Not suspended, or suspended for a supplement (`case.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(handle::resume(&state.app, &caller.actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ExtendRequest {
    /// Working days; the law's maximum when omitted (+10, +15 for joint handling).
    pub days: Option<u32>,
    pub reason: String,
}

/// 延期: approved by the department head, once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/extend", tag = "cases", request_body = ExtendRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not the department head", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state, or already extended", body = ErrorBody),
        (status = 422, description = "Too many days, or no reason given", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn extend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ExtendRequest>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::extend(&state.app, &caller.actor, &id, req.days, &req.reason).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// 准予 (true) or 不予许可 (false).
    pub approve: bool,
    /// The decision's wording (the reason, for a refusal).
    pub note: String,
}

/// 决定: approve or refuse once every review task has an opinion (an approval needs all to
/// agree).
#[utoipa::path(post, path = "/api/v1/cases/{id}/decision", tag = "cases", request_body = DecisionRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not an approving officer of the department", body = ErrorBody),
        (status = 409, description = "Not allowed in the case's state, or opinions pending (`case.transition`, `case.opinions_pending`)", body = ErrorBody),
        (status = 422, description = "A refusal without a reason", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::decide(&state.app, &caller.actor, &id, req.approve, &req.note).await?,
    ))
}

/// 办结: the result is ready; every 容缺 material must be in.
#[utoipa::path(post, path = "/api/v1/cases/{id}/complete", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not an officer of the department", body = ErrorBody),
        (status = 409, description = "Not decided, or 容缺 materials outstanding", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::complete(&state.app, &caller.actor, &id).await?,
    ))
}

/// 送达 (统一窗口出件): picked up, posted with a tracking number, or issued electronically.
#[utoipa::path(post, path = "/api/v1/cases/{id}/deliver", tag = "cases", request_body = DeliveryInput,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not a window officer of the receiving centre", body = ErrorBody),
        (status = 409, description = "Not completed (`case.transition`)", body = ErrorBody),
        (status = 422, description = "A bad tracking number (`case.tracking_number`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DeliveryInput>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        handle::deliver(&state.app, &caller.actor, &id, req).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawRequest {
    pub reason: Option<String>,
}

/// 撤回: by the applicant, before the decision.
#[utoipa::path(post, path = "/api/v1/cases/{id}/withdraw", tag = "cases", request_body = WithdrawRequest,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView),
        (status = 403, description = "Not the caller's case", body = ErrorBody),
        (status = 409, description = "Already decided or closed (`case.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<WithdrawRequest>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        apply::withdraw(&state.app, &caller.actor, &id, req.reason.as_deref()).await?,
    ))
}

/// 我的办件: the caller's cases, newest first.
#[utoipa::path(get, path = "/api/v1/cases/mine", tag = "cases", params(Paging),
    responses((status = 200, body = Vec<CaseView>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_cases(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Paging>,
) -> Result<Json<Vec<CaseView>>, ApiError> {
    Ok(Json(
        query::my_cases(&state.app, &caller.actor, p.page()).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct InboxParams {
    /// The organisation whose open cases to list.
    pub org_id: String,
    /// 1-based page number (1 when omitted).
    pub page: Option<i64>,
    /// Page size, 20 when omitted, at most 100.
    pub size: Option<i64>,
}

/// The officers' inbox of an organisation: its open cases, the nearest deadline first.
#[utoipa::path(get, path = "/api/v1/cases/inbox", tag = "cases", params(InboxParams),
    responses((status = 200, body = Vec<CaseView>),
        (status = 403, description = "The caller may not see the organisation's cases", body = ErrorBody),
        (status = 404, description = "No such organisation", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<InboxParams>,
) -> Result<Json<Vec<CaseView>>, ApiError> {
    let page = Paging {
        page: p.page,
        size: p.size,
    }
    .page();
    Ok(Json(
        query::inbox(&state.app, &caller.actor, &p.org_id, page).await?,
    ))
}

/// A case with its materials, history, notices and opinions: for its applicant, or for staff
/// who may see the cases of an organisation involved (others get 404).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseDetail)),
    security(("bearer" = []), ("session" = [])))]
pub async fn case_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(
        query::case_detail(&state.app, &caller.actor, &id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ProgressParams {
    /// 办件编号 (spaces or dashes as printed are accepted).
    pub number: String,
    /// 查询码, as given at submission.
    pub code: String,
}

/// 办件进度查询, without sign-in: a wrong number and a wrong code answer the same 404. No
/// personal data.
#[utoipa::path(get, path = "/api/v1/cases/progress", tag = "cases", params(ProgressParams),
    responses((status = 200, body = Progress),
        (status = 404, description = "Wrong number or query code", body = ErrorBody),
        (status = 422, description = "Not a case number", body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    Query(p): Query<ProgressParams>,
) -> Result<Json<Progress>, ApiError> {
    Ok(Json(query::progress(&state.app, &p.number, &p.code).await?))
}

/// 办件公示, without sign-in: submitted cases, newest first; names masked (张*), no identity or
/// phone numbers.
#[utoipa::path(get, path = "/api/v1/cases/public", tag = "cases", params(Paging),
    responses((status = 200, body = Vec<PublicCase>)))]
pub async fn public_list(
    State(state): State<AppState>,
    Query(p): Query<Paging>,
) -> Result<Json<Vec<PublicCase>>, ApiError> {
    Ok(Json(query::public_list(&state.app, p.page()).await?))
}

/// The cases API (办件): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_draft))
        .routes(routes!(case_detail, save_draft))
        .routes({
            // Streamed to disk by the handler, which enforces its own limit.
            let (schemas, paths, router) = routes!(upload_material);
            (schemas, paths, router.layer(DefaultBodyLimit::disable()))
        })
        .routes(routes!(submit))
        .routes(routes!(register_at_window))
        .routes(routes!(accept))
        .routes(routes!(accept_with_deficiency))
        .routes(routes!(not_accept))
        .routes(routes!(request_correction))
        .routes(routes!(supply_correction))
        .routes(routes!(record_opinion))
        .routes(routes!(suspend))
        .routes(routes!(resume))
        .routes(routes!(extend))
        .routes(routes!(decide))
        .routes(routes!(complete))
        .routes(routes!(deliver))
        .routes(routes!(withdraw))
        .routes(routes!(my_cases))
        .routes(routes!(inbox))
        .routes(routes!(progress))
        .routes(routes!(public_list))
        .merge(super::supervision::routes())
}
