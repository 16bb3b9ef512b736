//! Extractors whose rejections are JSON errors with stable codes (axum's defaults answer in plain
//! text).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

use crate::error::ApiError;

/// A JSON body. Text holding a NUL character (`\u0000`) is refused: no database column stores
/// it (PostgreSQL's text cannot), so it is a malformed request on every backend.
pub struct Json<T>(pub T);

/// Query parameters (NUL characters, `%00`, refused as for [`Json`]).
pub struct Query<T>(pub T);

/// Path parameters (NUL characters, `%00`, refused as for [`Json`]).
pub struct Path<T>(pub T);

fn nul_character() -> ApiError {
    ApiError::bad_request(
        "request.nul_character",
        "请求中的文本不能包含空字符(NUL)",
        "Text in the request may not contain the NUL character",
        None,
    )
}

/// Whether JSON text has a string holding NUL: the only way to write it is the escape `\u0000`
/// (a raw control character is invalid JSON), and an escaped backslash is skipped as a pair.
fn json_has_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// A percent-encoded NUL in a URI part (a raw one cannot occur in a URI).
fn uri_has_nul(part: &str) -> bool {
    part.contains("%00")
}

/// `application/json` or `application/…+json`, as axum's own JSON extractor requires.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((ty, sub)) = essence.split_once('/') else {
        return false;
    };
    ty == "application" && (sub == "json" || sub.ends_with("+json"))
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(JsonRejection::from(
                axum::extract::rejection::MissingJsonContentType::default(),
            )
            .into());
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request.too_large",
                    "请求内容过大",
                    "The request body is too large",
                ),
                _ => ApiError::bad_request(
                    "request.invalid_json",
                    "请求不是有效的 JSON",
                    "The request body is not valid JSON",
                    Some(e.body_text()),
                ),
            })?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        if json_has_nul(&bytes) {
            return Err(nul_character());
        }
        Ok(Json(value))
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        if parts.uri.query().is_some_and(uri_has_nul) {
            return Err(nul_character());
        }
        Ok(Query(value))
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        if uri_has_nul(parts.uri.path()) {
            return Err(nul_character());
        }
        Ok(Path(value))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_only_where_json_holds_it() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(br#"["\\\u0000"]"#));
        assert!(
            !json_has_nul(br#"{"a":"x\\u0000y"}"#),
            "an escaped backslash, then text"
        );
        assert!(!json_has_nul(br#"{"a":"\u0001"}"#));
        assert!(!json_has_nul(b"\\"));
    }
}
