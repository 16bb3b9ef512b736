//! The JSON API under `/api/v1`, described by an OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`) with an interactive page at `/api/docs` that works offline.

pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod doc;
pub mod evaluation;
pub mod experts;
pub mod extract;
pub mod identity;
pub mod ledger;
pub mod ocds;
pub mod organisations;
pub mod supervision;
pub mod trading;
pub mod trading_archive;
pub mod trading_sealing;

use axum::Router;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::ApiError;
use doc::CommonResponses;

/// The document's header; the paths, schemas and tags come from the capability registry
/// (`crate::registry`), the common responses and security schemes from [`openapi`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "yiwang 一网 API",
        description = "政务服务与公共资源交易一网平台 — government services and public-resource trading on one network. Errors are JSON {code, message (中文), message_en, details}; every operation lists the statuses it can answer, and 503 `db.busy` (with Retry-After) can answer any of them.",
        version = "1"
    ),
    components(schemas(crate::error::ErrorBody))
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

/// Every registered capability's API routes with their OpenAPI operations.
fn registered() -> OpenApiRouter<AppState> {
    crate::registry::CAPABILITIES
        .iter()
        .filter_map(|c| c.api)
        .fold(OpenApiRouter::with_openapi(ApiDoc::openapi()), |r, api| {
            r.merge(api())
        })
}

/// The finished OpenAPI document: the registered operations, each capability's tag, the
/// responses every operation can give and the security schemes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    finish(registered().into_openapi())
}

fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.tags = Some(
        crate::registry::CAPABILITIES
            .iter()
            .filter_map(|c| c.tag)
            .map(|(name, description)| {
                utoipa::openapi::tag::TagBuilder::new()
                    .name(name)
                    .description(Some(description))
                    .build()
            })
            .collect(),
    );
    Security.modify(&mut doc);
    CommonResponses.modify(&mut doc);
    doc
}

pub fn router() -> Router<AppState> {
    let (routes, doc) = registered().split_for_parts();
    let api = routes
        .route("/api/v1", any(api_not_found))
        .route("/api/v1/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(errors_as_json));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", finish(doc)))
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
