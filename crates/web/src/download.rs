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

/// A byte range asked for with `Range: bytes=…`, resolved against the size of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ranged {
    /// No (usable) `Range` header: the whole file.
    Whole,
    /// One satisfiable range, `start..end` (end exclusive).
    Part(std::ops::Range<u64>),
    /// A range outside the file: 416.
    Unsatisfiable,
}

/// Read a single-range `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`). Several ranges or
/// another unit are answered with the whole file, as RFC 9110 allows.
pub fn requested_range(headers: &HeaderMap, size: u64) -> Ranged {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ranged::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(start), None) if b.is_empty() => start..size,
        (Some(start), Some(last)) if last >= start => start..(last + 1).min(size),
        (None, Some(n)) if a.is_empty() => size.saturating_sub(n)..size,
        _ => return Ranged::Whole,
    };
    if range.start >= size || range.is_empty() {
        Ranged::Unsatisfiable
    } else {
        Ranged::Part(range)
    }
}

/// A streamed attachment (a file from the blob store): the headers of [`attachment`], plus
/// `Accept-Ranges`, `Content-Length`, and for a range request 206 with `Content-Range`.
pub fn streamed_attachment(
    filename: &str,
    content_type: &str,
    read: yiwang_app::blobs::BlobRead,
    partial: bool,
    cache: Cache,
) -> Response {
    let mut response = attachment(filename, content_type, Vec::new(), cache);
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(read.range.end - read.range.start),
    );
    if partial {
        if let Ok(v) = format!(
            "bytes {}-{}/{}",
            read.range.start,
            read.range.end.saturating_sub(1),
            read.size
        )
        .parse()
        {
            headers.insert(header::CONTENT_RANGE, v);
        }
        *response.status_mut() = axum::http::StatusCode::PARTIAL_CONTENT;
    }
    *response.body_mut() = axum::body::Body::from_stream(read.stream);
    response
}

/// 416 for a range outside a file of `size` bytes (a JSON error with `Content-Range`).
pub fn unsatisfiable(size: u64) -> Response {
    let mut response = crate::error::ApiError::new(
        axum::http::StatusCode::RANGE_NOT_SATISFIABLE,
        "range.unsatisfiable",
        "请求的范围超出文件大小。",
        "The requested range is outside the file.",
    )
    .into_response();
    if let Ok(v) = format!("bytes */{size}").parse() {
        response.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    response
}

/// Serve a catalogue file with range support (the API and the hall share this).
pub async fn serve_file(
    app: &yiwang_app::App,
    id: &str,
    headers: &HeaderMap,
) -> yiwang_app::AppResult<Response> {
    use yiwang_app::catalog::files;
    let file = files::file_info(&app.store, id).await?;
    let size = file.size.max(0) as u64;
    let (range, partial) = match requested_range(headers, size) {
        Ranged::Whole => (None, false),
        Ranged::Part(r) => (Some(r), true),
        Ranged::Unsatisfiable => return Ok(unsatisfiable(size)),
    };
    let (file, read) = files::open_blob(app.blobs(), file, range).await?;
    Ok(streamed_attachment(
        &file.filename,
        &file.content_type,
        read,
        partial,
        Cache::Public,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str, size: u64) -> Ranged {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, v.parse().unwrap());
        requested_range(&h, size)
    }

    #[test]
    fn ranges() {
        assert_eq!(requested_range(&HeaderMap::new(), 10), Ranged::Whole);
        assert_eq!(range("bytes=0-3", 10), Ranged::Part(0..4));
        assert_eq!(range("bytes=5-", 10), Ranged::Part(5..10));
        assert_eq!(range("bytes=-3", 10), Ranged::Part(7..10));
        assert_eq!(range("bytes=8-100", 10), Ranged::Part(8..10));
        assert_eq!(range("bytes=10-", 10), Ranged::Unsatisfiable);
        assert_eq!(range("bytes=-0", 10), Ranged::Unsatisfiable);
        assert_eq!(range("bytes=0-1,4-5", 10), Ranged::Whole);
        assert_eq!(range("items=0-1", 10), Ranged::Whole);
        assert_eq!(range("bytes=5-2", 10), Ranged::Whole);
    }
}
