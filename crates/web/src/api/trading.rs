//! 公共资源交易: the JSON API of the trading capability — parties, projects and sections, 进场登记,
//! tender documents, publication, downloads, clarifications, objections, deposits, sealed bids,
//! the opening and re-tendering. Every handler calls a use case of `yiwang_app::trading` on the
//! server's clock; no handler takes a client's time for a rule.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::trading::bids::{self, BidView, SealedInput, SignedReceipt};
use yiwang_app::trading::deposits::{self, PaymentChecked};
use yiwang_app::trading::objections;
use yiwang_app::trading::opening::{self, Decrypted};
use yiwang_app::trading::parties::{self, NewParty, RegisteredParty};
use yiwang_app::trading::tenders::{self, NewProject, ScheduleInput};
use yiwang_core::Problem;
use yiwang_core::trading::BidAction;
use yiwang_core::trading::bids::{BidLimits, DecryptionFailure};
use yiwang_core::trading::clauses::Justification;
use yiwang_store::{
    Clarification, Deposit, Objection, Opening, SealedBid, TenderDocument, TradingProject,
    TradingSection,
};

use super::doc::Binary;
use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::{Caller, ClientAddr};
use crate::download::{Cache, streamed_attachment};
use crate::error::{ApiError, ErrorBody};

/// Largest tender-document file accepted (招标文件 with drawings).
pub const DOCUMENT_LIMIT: u64 = 64 * 1024 * 1024;

fn bad_form(code: &str, zh: &str, en: &str) -> ApiError {
    Problem::invalid(code.to_string(), zh, en).into()
}

fn broken_form(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "request.invalid_multipart",
        "表单（multipart/form-data）无法读取",
        "The multipart/form-data body cannot be read",
        Some(e.to_string()),
    )
}

/// A multipart form read with its one file spooled to disk (at most `limit` bytes).
#[derive(Default)]
struct Form {
    fields: Vec<(String, String)>,
    file: Option<(String, crate::upload::Spooled)>,
}

impl Form {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    async fn file_bytes(&self) -> Result<(String, Vec<u8>), ApiError> {
        let Some((name, spooled)) = &self.file else {
            return Err(bad_form(
                "upload.missing",
                "请选择要上传的文件（file 字段）。",
                "Choose the file to upload (the `file` field).",
            ));
        };
        let spooled_size = spooled.size;
        if spooled_size == 0 {
            return Err(bad_form(
                "upload.empty",
                "上传的文件是空的。",
                "The uploaded file is empty.",
            ));
        }
        let bytes = tokio::fs::read(spooled.path()).await.map_err(|e| {
            tracing::error!(error = %e, "cannot read a staged upload");
            ApiError::from(Problem::busy())
        })?;
        Ok((name.clone(), bytes))
    }
}

/// Instants a client may name (micros since the epoch): 2000-01-01 to 2200-01-01 UTC. Outside,
/// a 422 `trading.instant` (the rules' date arithmetic is never asked about year 250000).
fn check_instant(field: &str, micros: i64) -> Result<(), ApiError> {
    const FROM: i64 = 946_684_800_000_000;
    const UNTIL: i64 = 7_258_118_400_000_000;
    if (FROM..UNTIL).contains(&micros) {
        return Ok(());
    }
    Err(Problem::invalid(
        "trading.instant",
        format!("时间超出范围（2000年至2200年）：{field}。"),
        format!("The instant is out of range (years 2000 to 2200): {field}."),
    )
    .into())
}

async fn read_form(
    mp: Result<Multipart, MultipartRejection>,
    file_field: &str,
    limit: u64,
) -> Result<Form, ApiError> {
    let mut mp = mp.map_err(broken_form)?;
    let mut form = Form::default();
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Problem::too_large(limit).into());
            }
            Err(e) => return Err(broken_form(e)),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let filename = field.file_name().unwrap_or("").to_string();
            let spooled = crate::upload::spool_field(&mut field, limit).await?;
            form.file = Some((filename, spooled));
        } else {
            let text = field.text().await.map_err(broken_form)?;
            if text.contains('\0') {
                return Err(ApiError::bad_request(
                    "request.nul_character",
                    "请求中的文本不能包含空字符(NUL)",
                    "Text in the request may not contain the NUL character",
                    None,
                ));
            }
            form.fields.push((name, text));
        }
    }
    Ok(form)
}

// ---------------------------------------------------------------------------------------------
// Parties, projects, 进场登记

/// Register the caller's enterprise as a trading party (招标人, 招标代理机构 or 投标人) and issue its
/// SM2 signing key pair. The private key is in this answer only; the platform does not keep it.
#[utoipa::path(post, path = "/api/v1/tenders/parties", tag = "tenders", request_body = NewParty,
    responses((status = 201, body = RegisteredParty),
        (status = 404, description = "No such organisation or section", body = ErrorBody),
        (status = 409, description = "The organisation is already registered as this kind (`duplicate`)", body = ErrorBody),
        (status = 422, description = "A bad kind, name, credit code or qualification (`trading.party.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn register_party(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewParty>,
) -> Result<(StatusCode, Json<RegisteredParty>), ApiError> {
    let r = parties::register_party(&state.app.store, &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A created project and its sections.
#[derive(Serialize, ToSchema)]
pub struct ProjectCreated {
    pub project: TradingProject,
    pub sections: Vec<TradingSection>,
}

/// Create a project with its sections (the tenderee's or agency's people); the sections wait for
/// the centre's 进场登记.
#[utoipa::path(post, path = "/api/v1/tenders/projects", tag = "tenders", request_body = NewProject,
    responses((status = 201, body = ProjectCreated),
        (status = 404, description = "No such party or centre", body = ErrorBody),
        (status = 409, description = "The project code is taken (`duplicate`)", body = ErrorBody),
        (status = 422, description = "Bad sections, amounts or deposit (`trading.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_project(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewProject>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let (project, sections) = tenders::create_project(&state.app, &caller.actor, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectCreated { project, sections }),
    ))
}

/// 进场登记: the trading centre's staff accept a section; its 统一交易标识码 is issued.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/accept", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = TradingSection),
        (status = 409, description = "The section's state does not allow it (`trading.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn accept_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TradingSection>, ApiError> {
    Ok(Json(
        tenders::accept_entry(&state.app, &caller.actor, &id).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Tender documents and publication

/// The multipart form of a tender-document upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentForm {
    /// The document file (at most 64 MB).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// One clause of the documents per `clause` field, for the 量体裁衣 check.
    pub clause: Vec<String>,
}

/// Upload a version of the tender documents with its clauses (multipart, streamed to disk); the
/// 量体裁衣 checker flags clauses that restrict bidders (see `findings`).
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/documents", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    request_body(content = DocumentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = TenderDocument),
        (status = 409, description = "The section's state does not allow it", body = ErrorBody),
        (status = 413, description = "Larger than 64 MB (`request.too_large`)", body = ErrorBody),
        (status = 422, description = "No file, an empty file or bad clauses", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<TenderDocument>), ApiError> {
    crate::upload::check_declared_length(&headers, DOCUMENT_LIMIT + 1024 * 1024)?;
    let form = read_form(mp, "file", DOCUMENT_LIMIT).await?;
    let (filename, content) = form.file_bytes().await?;
    let doc = tenders::upload_documents(
        &state.app,
        &caller.actor,
        &id,
        &filename,
        content,
        form.all("clause"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

#[derive(Deserialize, ToSchema)]
pub struct JustifyRequest {
    /// `{clause, restriction, reason}` for each flagged clause (reason at least 10 characters);
    /// replaces earlier justifications.
    #[schema(value_type = Vec<Object>)]
    pub justifications: Vec<Justification>,
}

/// Record the justifications of flagged clauses before publication.
#[utoipa::path(post, path = "/api/v1/tenders/documents/{id}/justifications", tag = "tenders",
    request_body = JustifyRequest,
    params(("id" = String, Path, description = "document id")),
    responses((status = 200, body = TenderDocument),
        (status = 409, description = "The documents are published already", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn justify_clauses(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<JustifyRequest>,
) -> Result<Json<TenderDocument>, ApiError> {
    Ok(Json(
        tenders::justify_clauses(&state.app, &caller.actor, &id, req.justifications).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PublishRequest {
    /// The version of the documents to issue.
    pub document_id: String,
    pub schedule: ScheduleInput,
}

/// Publish the tender: the schedule is checked against the legal minimums on the server's clock;
/// a 422 `trading.schedule` lists every violation in `details.violations`, and unjustified
/// flagged clauses in `details.unjustified`.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/publish", tag = "tenders",
    request_body = PublishRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = TradingSection),
        (status = 409, description = "The section's state does not allow it", body = ErrorBody),
        (status = 422, description = "An unlawful schedule (`trading.schedule`, every violation listed), unjustified clauses, or an instant outside 2000–2200 (`trading.instant`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish_tender(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<PublishRequest>,
) -> Result<Json<TradingSection>, ApiError> {
    let sc = &req.schedule;
    check_instant("notice_at", sc.notice_at)?;
    check_instant("documents_from", sc.documents_from)?;
    check_instant("documents_until", sc.documents_until)?;
    check_instant("bid_deadline", sc.bid_deadline)?;
    Ok(Json(
        tenders::publish_tender(
            &state.app,
            &caller.actor,
            &id,
            &req.document_id,
            req.schedule,
        )
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct PartyParam {
    /// The bidder party acting.
    pub party_id: String,
}

/// Download the issued tender documents as a bidder (recorded: who, when, from which address).
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}/documents", tag = "tenders",
    params(("id" = String, Path, description = "section id"), PartyParam),
    responses((status = 200, description = "The documents, as an attachment",
            content((Binary = "application/octet-stream")),
            headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))),
        (status = 403, body = ErrorBody),
        (status = 409, description = "Documents are not on issue now", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn download_documents(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    Query(p): Query<PartyParam>,
) -> Result<Response, ApiError> {
    let doc =
        tenders::download_documents(&state.app, &caller.actor, &p.party_id, &id, &addr).await?;
    let read = state
        .app
        .blobs()
        .get(&doc.blob_digest, None)
        .await?
        .ok_or_else(|| {
            ApiError::from(yiwang_app::AppError::Internal(format!(
                "blob of document {} missing",
                doc.id
            )))
        })?;
    Ok(streamed_attachment(
        &doc.filename,
        "application/octet-stream",
        read,
        false,
        Cache::NoStore,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ClarifyRequest {
    pub body: String,
    /// A substantive change: less than 15 days before the deadline moves the deadline.
    #[serde(default)]
    pub substantive: bool,
}

/// 澄清或修改 of the documents (the tenderee or agency).
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/clarifications", tag = "tenders",
    request_body = ClarifyRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 201, body = Clarification),
        (status = 409, description = "The section is not tendering", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn clarify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ClarifyRequest>,
) -> Result<(StatusCode, Json<Clarification>), ApiError> {
    let c = tenders::clarify(&state.app, &caller.actor, &id, &req.body, req.substantive).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

// ---------------------------------------------------------------------------------------------
// Objections and the pause

#[derive(Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// The bidder party raising it.
    pub party_id: String,
    pub body: String,
}

/// 异议: a bidder objects to the documents, in time.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/objections", tag = "tenders",
    request_body = ObjectionRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 201, body = Objection),
        (status = 409, description = "Too late, or the section is not tendering (`trading.objection.*`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn raise_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ObjectionRequest>,
) -> Result<(StatusCode, Json<Objection>), ApiError> {
    let o = objections::raise_objection(&state.app, &caller.actor, &req.party_id, &id, &req.body)
        .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub answer: String,
}

/// An objection with its section after the answer.
#[derive(Serialize, ToSchema)]
pub struct Answered {
    pub objection: Objection,
    pub section: TradingSection,
}

/// The tenderee answers an objection; a paused section resumes, its deadline moved by the pause.
#[utoipa::path(post, path = "/api/v1/tenders/objections/{id}/answer", tag = "tenders",
    request_body = AnswerRequest,
    params(("id" = String, Path, description = "objection id")),
    responses((status = 200, body = Answered),
        (status = 409, description = "Answered already", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn answer_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AnswerRequest>,
) -> Result<Json<Answered>, ApiError> {
    let (objection, section) =
        objections::answer_objection(&state.app, &caller.actor, &id, &req.answer).await?;
    Ok(Json(Answered { objection, section }))
}

/// 暂停: the tenderee pauses the tender (e.g. until it answers an objection).
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/suspend", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = TradingSection),
        (status = 409, description = "The section's state does not allow it", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TradingSection>, ApiError> {
    Ok(Json(
        objections::suspend(&state.app, &caller.actor, &id).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Deposits

#[derive(Deserialize, ToSchema)]
pub struct OpenAccountRequest {
    /// The bidder party.
    pub party_id: String,
}

/// Open (or return) the bidder's virtual deposit account for a section.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/deposits", tag = "tenders",
    request_body = OpenAccountRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = Deposit),
        (status = 409, description = "The section is not tendering or asks no deposit", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn open_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<OpenAccountRequest>,
) -> Result<Json<Deposit>, ApiError> {
    Ok(Json(
        deposits::open_account(&state.app, &caller.actor, &req.party_id, &id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentRequest {
    pub virtual_account: String,
    /// The account the money came from (must be the bidder's 基本账户).
    pub payer_account: String,
    /// Yuan, decimal text.
    pub amount: String,
    /// When the bank received it (micros since the epoch), as the bank reported it.
    pub received_at: i64,
}

/// The centre records a payment as the bank reported it; the checks of 条例 Art. 26 are returned
/// in `violations`, the payment kept either way.
#[utoipa::path(post, path = "/api/v1/tenders/deposits/payments", tag = "tenders",
    request_body = PaymentRequest,
    responses((status = 200, body = PaymentChecked),
        (status = 404, description = "No such virtual account", body = ErrorBody),
        (status = 409, description = "Paid already", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_payment(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<PaymentRequest>,
) -> Result<Json<PaymentChecked>, ApiError> {
    check_instant("received_at", req.received_at)?;
    Ok(Json(
        deposits::record_payment(
            &state.app,
            &caller.actor,
            &req.virtual_account,
            &req.payer_account,
            &req.amount,
            req.received_at,
        )
        .await?,
    ))
}

/// The centre marks a due refund as paid.
#[utoipa::path(post, path = "/api/v1/tenders/deposits/{id}/refund-paid", tag = "tenders",
    params(("id" = String, Path, description = "deposit id")),
    responses((status = 200, body = Deposit),
        (status = 409, description = "No refund is due", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mark_refund_paid(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Deposit>, ApiError> {
    Ok(Json(
        deposits::mark_refund_paid(&state.app, &caller.actor, &id).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Sealed bids

/// The multipart form of a sealed bid.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BidForm {
    /// The bidder party.
    pub party_id: String,
    /// `submit` (default) or `replace`.
    pub action: Option<String>,
    /// The bidder's SM2 signature (hex) of the submission text with the file's SM3 digest.
    pub signature: String,
    /// The sealed (encrypted) bid file, at most 200 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Submit or replace a sealed bid before the deadline (multipart: the ciphertext `file`, the
/// `signature`, `party_id` and `action`); answers the platform-signed receipt.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/bids", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    request_body(content = BidForm, content_type = "multipart/form-data"),
    responses((status = 201, body = SignedReceipt),
        (status = 403, description = "The caller does not act for this bidder (`forbidden`)", body = ErrorBody),
        (status = 409, description = "After the deadline, or the section is not tendering (`trading.bid.*`)", body = ErrorBody),
        (status = 413, description = "Larger than 200 MB (`request.too_large`)", body = ErrorBody),
        (status = 422, description = "No file, a bad action or a signature that does not verify (`trading.bid.signature`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn submit_bid(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<SignedReceipt>), ApiError> {
    let limit = BidLimits::default().max_size;
    crate::upload::check_declared_length(&headers, limit + 1024 * 1024)?;
    let form = read_form(mp, "file", limit).await?;
    let action = match form.field("action").map(str::trim) {
        None | Some("") | Some("submit") => BidAction::Submit,
        Some("replace") => BidAction::Replace,
        Some(_) => {
            return Err(bad_form(
                "trading.bid.action",
                "action 应为 submit 或 replace。",
                "action must be submit or replace.",
            ));
        }
    };
    let party_id = form.field("party_id").unwrap_or("").trim().to_string();
    let signature = form.field("signature").unwrap_or("").trim().to_string();
    if party_id.is_empty() || signature.is_empty() {
        return Err(bad_form(
            "trading.bid.form",
            "请填写 party_id 和 signature。",
            "party_id and signature are required.",
        ));
    }
    let (_, ciphertext) = form.file_bytes().await?;
    let receipt = bids::submit_bid(
        &state.app,
        &caller.actor,
        SealedInput {
            party_id: &party_id,
            section_id: &id,
            action,
            ciphertext,
            signature: &signature,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawRequest {
    pub party_id: String,
    /// The bidder's signature of the withdrawal text (the withdrawn bid's digest and size).
    pub signature: String,
}

/// Withdraw the bidder's sealed bid before the deadline; the deposit's refund falls due.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/bids/withdraw", tag = "tenders",
    request_body = WithdrawRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = SignedReceipt),
        (status = 409, description = "After the deadline, or no bid to withdraw", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn withdraw_bid(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<WithdrawRequest>,
) -> Result<Json<SignedReceipt>, ApiError> {
    Ok(Json(
        bids::withdraw_bid(
            &state.app,
            &caller.actor,
            &req.party_id,
            &id,
            &req.signature,
        )
        .await?,
    ))
}

/// The bidder's own bids (every version), without content.
#[utoipa::path(get, path = "/api/v1/tenders/parties/{id}/bids", tag = "tenders",
    params(("id" = String, Path, description = "bidder party id")),
    responses((status = 200, body = Vec<BidView>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_bids(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<BidView>>, ApiError> {
    Ok(Json(bids::my_bids(&state.app, &caller.actor, &id).await?))
}

/// The bids of a section for the tenderee, agency or centre: refused to everyone before the
/// opening (even who bid is secret until then).
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}/bids", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = Vec<BidView>),
        (status = 403, description = "Not permitted, or before the opening (`access.time_gated`, `trading.bid.sealed`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn section_bids(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<BidView>>, ApiError> {
    Ok(Json(
        bids::section_bids(&state.app, &caller.actor, &id).await?,
    ))
}

/// The sealed file of a bid, for its bidder (to decrypt it at the opening) or the centre; refused
/// before the opening (`access.time_gated`, `trading.bid.sealed`).
#[utoipa::path(get, path = "/api/v1/tenders/bids/{id}/file", tag = "tenders",
    params(("id" = String, Path, description = "bid id")),
    responses((status = 200, description = "The sealed file", content((Binary = "application/octet-stream"))),
        (status = 403, description = "Not permitted, or before the opening (`access.time_gated`, `trading.bid.sealed`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn bid_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = bids::bid_ciphertext(&state.app, &caller.actor, &id).await?;
    Ok(crate::download::attachment(
        &format!("{id}.sealed"),
        "application/octet-stream",
        bytes,
        Cache::NoStore,
    ))
}

// ---------------------------------------------------------------------------------------------
// Opening

#[derive(Deserialize, ToSchema)]
pub struct DecryptRequest {
    pub party_id: String,
    #[serde(flatten)]
    pub decrypted: Decrypted,
}

/// The bidder hands in its own bid decrypted at the opening, within the decryption window.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/decryption", tag = "tenders",
    request_body = DecryptRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = SealedBid),
        (status = 409, description = "Not opened, or the window has closed", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn decrypt_bid(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DecryptRequest>,
) -> Result<Json<SealedBid>, ApiError> {
    Ok(Json(
        opening::decrypt_bid(&state.app, &caller.actor, &req.party_id, &id, req.decrypted).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct FailureRequest {
    /// `bidder_fault` (视为撤销) or `other_cause` (视为撤回, deposit refunded).
    #[schema(value_type = String, pattern = "^(bidder_fault|other_cause)$")]
    pub cause: DecryptionFailure,
}

/// The centre records that a bid could not be decrypted (电子招标投标办法 Art. 31).
#[utoipa::path(post, path = "/api/v1/tenders/bids/{id}/decryption-failure", tag = "tenders",
    request_body = FailureRequest,
    params(("id" = String, Path, description = "bid id")),
    responses((status = 200, body = SealedBid),
        (status = 409, description = "Not opened, or the bid is decrypted already", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_decryption_failure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<FailureRequest>,
) -> Result<Json<SealedBid>, ApiError> {
    Ok(Json(
        opening::record_decryption_failure(&state.app, &caller.actor, &id, req.cause).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct RoundParam {
    /// The round (1, +1 per re-tender); the section's current round when omitted.
    pub round: Option<i64>,
}

/// The published, platform-signed opening record of a section's round. Public.
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}/opening", tag = "tenders",
    params(("id" = String, Path, description = "section id"), RoundParam),
    responses((status = 200, body = Opening)))]
pub async fn opening_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<RoundParam>,
) -> Result<Json<Opening>, ApiError> {
    let round = match p.round {
        Some(r) => r,
        None => yiwang_app::trading::current_round(&state.app, &id).await?,
    };
    let o = opening::opening_of(&state.app, &id, round)
        .await?
        .ok_or_else(|| Problem::not_found("开标记录", "Opening record"))?;
    Ok(Json(o))
}

/// 重新招标: a failed section starts again from registration, in a new round.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/retender", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = TradingSection),
        (status = 409, description = "The section has not failed", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn retender(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TradingSection>, ApiError> {
    Ok(Json(
        tenders::retender(&state.app, &caller.actor, &id).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Public view

/// What anyone may see of a section: its notice and schedule, never a bid or who bid.
#[derive(Serialize, ToSchema)]
pub struct PublicSection {
    pub id: String,
    pub project_code: String,
    pub project_name: String,
    pub number: i64,
    pub name: String,
    /// 统一交易标识码
    pub transaction_code: Option<String>,
    pub field: String,
    pub method: String,
    pub estimated_price: String,
    pub deposit: Option<String>,
    pub state: String,
    pub round: i64,
    pub notice_at: Option<i64>,
    pub documents_from: Option<i64>,
    pub documents_until: Option<i64>,
    pub bid_deadline: Option<i64>,
    pub opening_at: Option<i64>,
    /// 托管公钥: hex of the custodian public key bids are sealed to (`yiwang bid seal
    /// --custodian-key`); none for sections without HPKE sealing.
    pub custodian_key: Option<String>,
}

fn public(s: TradingSection, p: Option<&TradingProject>) -> PublicSection {
    PublicSection {
        id: s.id,
        project_code: p.map(|p| p.code.clone()).unwrap_or_default(),
        project_name: p.map(|p| p.name.clone()).unwrap_or_default(),
        number: s.number,
        name: s.name,
        transaction_code: s.transaction_code,
        field: s.field,
        method: s.method,
        estimated_price: s.estimated_price,
        deposit: s.deposit,
        state: s.state,
        round: s.round,
        notice_at: s.notice_at,
        documents_from: s.documents_from,
        documents_until: s.documents_until,
        bid_deadline: s.bid_deadline,
        opening_at: s.opening_at,
        custodian_key: s.custodian_key,
    }
}

/// Published sections (with a 统一交易标识码 and a notice), newest first. Public.
#[utoipa::path(get, path = "/api/v1/tenders/sections", tag = "tenders",
    responses((status = 200, body = Vec<PublicSection>)))]
pub async fn public_sections(
    State(state): State<AppState>,
) -> Result<Json<Vec<PublicSection>>, ApiError> {
    let sections = yiwang_app::trading::published_sections(&state.app).await?;
    Ok(Json(
        sections
            .into_iter()
            .map(|(s, p)| public(s, p.as_ref()))
            .collect(),
    ))
}

/// One published section. Public; a section not yet published is not found.
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = PublicSection)))]
pub async fn public_section(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PublicSection>, ApiError> {
    let (s, p) = yiwang_app::trading::published_section(&state.app, &id).await?;
    Ok(Json(public(s, p.as_ref())))
}

/// The trading API (公共资源交易): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_party))
        .routes(routes!(create_project))
        .routes(routes!(public_sections))
        .routes(routes!(public_section))
        .routes(routes!(accept_entry))
        .routes({
            // Streamed to disk by the handler, which enforces its own limit.
            let (schemas, paths, router) = routes!(upload_documents, download_documents);
            (schemas, paths, router.layer(DefaultBodyLimit::disable()))
        })
        .routes(routes!(justify_clauses))
        .routes(routes!(publish_tender))
        .routes(routes!(clarify))
        .routes(routes!(raise_objection))
        .routes(routes!(answer_objection))
        .routes(routes!(suspend))
        .routes(routes!(open_account))
        .routes(routes!(record_payment))
        .routes(routes!(mark_refund_paid))
        .routes({
            let (schemas, paths, router) = routes!(submit_bid, section_bids);
            (schemas, paths, router.layer(DefaultBodyLimit::disable()))
        })
        .routes(routes!(withdraw_bid))
        .routes(routes!(my_bids))
        .routes(routes!(bid_file))
        .routes(routes!(decrypt_bid))
        .routes(routes!(record_decryption_failure))
        .routes(routes!(opening_record))
        .routes(routes!(retender))
        .merge(super::trading_sealing::routes())
        .merge(super::trading_archive::routes())
}
