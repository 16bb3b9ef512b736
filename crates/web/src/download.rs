//! File downloads: one place that sets the headers every attachment needs — the type, a UTF-8
//! file name (RFC 6266 `filename*`), `nosniff` so that browsers never render it as a page, and a
//! caching rule.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Percent-encode everything but RFC 3986 unreserved characters (query values, file names).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How long a download may be cached.
#[derive(Debug, Clone, Copy)]
pub enum Cache {
    /// Published files: the same id always has the same content.
    Public,
    /// Exports and anything personal.
    NoStore,
}

/// An attachment response.
pub fn attachment(filename: &str, content_type: &str, content: Vec<u8>, cache: Cache) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        content_type
            .parse()
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = format!("attachment; filename*=UTF-8''{}", percent_encode(filename)).parse() {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match cache {
            Cache::Public => "public, max-age=300",
            Cache::NoStore => "no-store",
        }),
    );
    (headers, content).into_response()
}
