//! The JSON API under `/api/v1`, described by an OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`) with an interactive page at `/api/docs` that works offline.

pub mod calendar;
pub mod extract;
pub mod identity;
pub mod ledger;
pub mod organisations;

use axum::Router;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yiwang 一网 API",
        description = "政务服务与公共资源交易一网平台 — government services and public-resource trading on one network. Errors are JSON {code, message (中文), message_en, details}.",
        version = "1"
    ),
    paths(
        identity::me,
        identity::create_token,
        identity::revoke_token,
        identity::create_user,
        identity::revoke_sessions,
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
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "identity", description = "身份与权限 Identity and access"),
        (name = "organisations", description = "区划与机构 Regions and organisations"),
        (name = "calendar", description = "工作日历 Working-day calendar"),
        (name = "ledger", description = "留痕审计 Tamper-evident audit ledger"),
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
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
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
