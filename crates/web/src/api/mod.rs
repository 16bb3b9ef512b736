//! The JSON API under `/api/v1`, described by an OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`) with an interactive page at `/api/docs` that works offline.

pub mod calendar;
pub mod catalog;
pub mod doc;
pub mod extract;
pub mod identity;
pub mod ledger;
pub mod organisations;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::ApiError;
use doc::CommonResponses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yiwang 一网 API",
        description = "政务服务与公共资源交易一网平台 — government services and public-resource trading on one network. Errors are JSON {code, message (中文), message_en, details}; every operation lists the statuses it can answer, and 503 `db.busy` (with Retry-After) can answer any of them.",
        version = "1"
    ),
    paths(
        identity::me,
        identity::create_token,
        identity::revoke_token,
        identity::create_user,
        identity::revoke_sessions,
        identity::sign_in_failures,
        identity::inbox,
        organisations::list_regions,
        organisations::list,
        organisations::get_one,
        organisations::create,
        calendar::current,
        calendar::versions,
        calendar::amend,
        calendar::deadline,
        calendar::elapsed,
        ledger::latest_checkpoint,
        ledger::entry,
        ledger::proof,
        ledger::consistency,
        catalog::search_items,
        catalog::get_item,
        catalog::item_versions,
        catalog::item_version,
        catalog::create_item,
        catalog::save_item,
        catalog::publish_item,
        catalog::suspend_item,
        catalog::resume_item,
        catalog::cancel_item,
        catalog::claim_item,
        catalog::attach_file,
        catalog::download_file,
        catalog::faqs,
        catalog::ask,
        catalog::question_queue,
        catalog::answer,
        catalog::my_questions,
        catalog::list_bundles,
        catalog::get_bundle,
        catalog::save_bundle,
        catalog::bundle_status,
        catalog::catalog_stats,
        catalog::import_file,
        catalog::export_file,
        catalog::managed,
        catalog::reindex,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Security, &CommonResponses),
    tags(
        (name = "identity", description = "身份与权限 Identity and access"),
        (name = "organisations", description = "区划与机构 Regions and organisations"),
        (name = "calendar", description = "工作日历 Working-day calendar"),
        (name = "ledger", description = "留痕审计 Tamper-evident audit ledger"),
        (name = "catalog", description = "事项目录与网上办事大厅 Service catalogue and online hall"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("yw_session"))),
        );
    }
}

pub fn router() -> Router<AppState> {
    let api = Router::new()
        .route("/me", get(identity::me))
        .route("/me/inbox", get(identity::inbox))
        .route("/auth/tokens", post(identity::create_token))
        .route("/auth/tokens/{id}/revoke", post(identity::revoke_token))
        .route("/auth/sign-in-failures", get(identity::sign_in_failures))
        .route("/users", post(identity::create_user))
        .route(
            "/users/{id}/revoke-sessions",
            post(identity::revoke_sessions),
        )
        .route("/regions", get(organisations::list_regions))
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route("/organisations/{id}", get(organisations::get_one))
        .route("/calendar", get(calendar::current))
        .route("/calendar/versions", get(calendar::versions))
        .route("/calendar/amendments", post(calendar::amend))
        .route("/calendar/deadline", get(calendar::deadline))
        .route("/calendar/elapsed", post(calendar::elapsed))
        .route("/ledger/checkpoints/latest", get(ledger::latest_checkpoint))
        .route("/ledger/entries/{seq}", get(ledger::entry))
        .route("/ledger/entries/{seq}/proof", get(ledger::proof))
        .route("/ledger/consistency", get(ledger::consistency))
        .route("/catalog/search", get(catalog::search_items))
        .route("/catalog/search/reindex", post(catalog::reindex))
        .route("/catalog/items", post(catalog::create_item))
        .route(
            "/catalog/items/{id}",
            get(catalog::get_item).put(catalog::save_item),
        )
        .route("/catalog/items/{id}/versions", get(catalog::item_versions))
        .route(
            "/catalog/items/{id}/versions/{version}",
            get(catalog::item_version),
        )
        .route("/catalog/items/{id}/publish", post(catalog::publish_item))
        .route("/catalog/items/{id}/suspend", post(catalog::suspend_item))
        .route("/catalog/items/{id}/resume", post(catalog::resume_item))
        .route("/catalog/items/{id}/cancel", post(catalog::cancel_item))
        .route("/catalog/items/{id}/claim", post(catalog::claim_item))
        .route(
            "/catalog/items/{id}/files",
            // Streamed to disk by the handler, which enforces its own limit.
            post(catalog::attach_file).layer(DefaultBodyLimit::disable()),
        )
        .route("/catalog/items/{id}/faqs", get(catalog::faqs))
        .route("/catalog/items/{id}/questions", post(catalog::ask))
        .route("/catalog/files/{id}", get(catalog::download_file))
        .route("/catalog/questions", get(catalog::question_queue))
        .route("/catalog/questions/mine", get(catalog::my_questions))
        .route("/catalog/questions/{id}/answer", post(catalog::answer))
        .route(
            "/catalog/bundles",
            get(catalog::list_bundles).post(catalog::save_bundle),
        )
        .route("/catalog/bundles/{id}", get(catalog::get_bundle))
        .route("/catalog/bundles/{id}/status", post(catalog::bundle_status))
        .route("/catalog/stats", get(catalog::catalog_stats))
        .route(
            "/catalog/import",
            // Streamed to disk by the handler, which enforces its own limit.
            post(catalog::import_file).layer(DefaultBodyLimit::disable()),
        )
        .route("/catalog/export", get(catalog::export_file))
        .route("/catalog/managed", get(catalog::managed))
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(errors_as_json));
    Router::new()
        .nest("/api/v1", api)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
}

/// Every API error is JSON: an error answered in plain text below the handlers (a body-limit or
/// extractor rejection of axum's) is rewritten with a stable code. Attachments (the CSV error
/// report of an import) pass unchanged.
async fn errors_as_json(r: Response) -> Response {
    use axum::http::{StatusCode, header};
    let status = r.status();
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error())
        || is_json
        || r.headers().contains_key(header::CONTENT_DISPOSITION)
    {
        return r;
    }
    let e = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "request.too_large",
            "请求内容过大",
            "The request body is too large",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "request.content_type",
            "请求的内容类型不受支持",
            "The request's content type is not supported",
        ),
        s if s.is_server_error() => ApiError::internal(),
        _ => ApiError::new(
            status,
            "request.rejected",
            "请求无法处理",
            "The request cannot be processed",
        ),
    };
    let mut out = e.into_response();
    for (k, v) in r.headers() {
        if k == header::RETRY_AFTER || k == header::ALLOW {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

async fn api_not_found() -> ApiError {
    ApiError::not_found_path()
}

async fn method_not_allowed(method: Method) -> Response {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持此请求方法",
        &format!("Method {method} is not allowed on this endpoint"),
    )
    .into_response()
}
