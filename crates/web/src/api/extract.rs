//! Extractors whose rejections are JSON errors with stable codes (axum's defaults answer in plain
//! text).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

use crate::error::ApiError;

/// A JSON body.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// Query parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let reason = r.body_text();
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request.too_large",
                "请求内容过大",
                "The request body is too large",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.content_type",
                "请求须为 JSON(Content-Type: application/json)",
                "The request must be JSON (Content-Type: application/json)",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::bad_request(
                "request.invalid_fields",
                "请求字段缺失或类型错误",
                "Missing or mistyped fields in the request",
                Some(reason),
            ),
            _ => ApiError::bad_request(
                "request.invalid_json",
                "请求不是有效的 JSON",
                "The request body is not valid JSON",
                Some(reason),
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request(
            "request.invalid_query",
            "查询参数缺失或格式错误",
            "Missing or malformed query parameters",
            Some(r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request(
            "request.invalid_path",
            "路径参数格式错误",
            "Malformed path parameter",
            Some(r.body_text()),
        )
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}
