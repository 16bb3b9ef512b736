//! API errors as JSON: `{"code", "message" (Chinese), "message_en", "details"}` with the right
//! status. Internal failures are logged with detail and answered with a generic 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yiwang_app::AppError;
use yiwang_core::{Problem, ProblemKind};

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `id_number.checksum`.
    pub code: String,
    /// Chinese message.
    pub message: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
}

/// An error answered by the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

pub fn status_of(kind: ProblemKind) -> StatusCode {
    match kind {
        ProblemKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ProblemKind::Forbidden => StatusCode::FORBIDDEN,
        ProblemKind::NotFound => StatusCode::NOT_FOUND,
        ProblemKind::Conflict => StatusCode::CONFLICT,
        ProblemKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, zh: &str, en: &str) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message: zh.into(),
                message_en: en.into(),
                details: None,
            },
        }
    }

    pub fn bad_request(code: &str, zh: &str, en: &str, details: Option<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, code, zh, en);
        e.body.details = details.map(|d| serde_json::json!({ "reason": d }));
        e
    }

    pub fn not_found_path() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "请求的接口不存在",
            "No such API endpoint",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误,请稍后重试",
            "Internal server error; please try again later",
        )
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError {
            status: status_of(p.kind),
            body: ErrorBody {
                code: p.code,
                message: p.message,
                message_en: p.message_en,
                details: p.details,
            },
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Problem(p) => p.into(),
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                ApiError::internal()
            }
        }
    }
}

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECS: u32 = 2;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(RETRY_AFTER_SECS),
            );
        }
        r
    }
}

/// A panic becomes a JSON 500 (and is logged), never a dropped connection.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::internal().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_503_with_retry_after() {
        let r = ApiError::from(Problem::busy()).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.headers().get(axum::http::header::RETRY_AFTER).unwrap(),
            &RETRY_AFTER_SECS.to_string()
        );
        let r = ApiError::from(Problem::forbidden()).into_response();
        assert!(r.headers().get(axum::http::header::RETRY_AFTER).is_none());
    }

    #[test]
    fn a_busy_store_is_a_busy_problem() {
        let e = AppError::from(yiwang_store::StoreError::Busy("test".into()));
        assert_eq!(e.kind(), Some(ProblemKind::Unavailable));
    }
}
