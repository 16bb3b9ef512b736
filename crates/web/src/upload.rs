//! Uploads spooled to a temporary file as they arrive, the size limit enforced while reading: a
//! body is never held whole in memory, and one over its limit is refused after `limit + 1`
//! bytes (at once, when it declares a larger `Content-Length`). The file is removed when the
//! [`Spooled`] value is dropped.

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::http::HeaderMap;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use yiwang_core::Problem;

/// An upload on disk.
pub struct Spooled {
    file: tempfile::NamedTempFile,
    pub size: u64,
}

impl Spooled {
    pub fn path(&self) -> &std::path::Path {
        self.file.path()
    }

    /// An empty upload is a 422 (not a 413).
    pub fn non_empty(self) -> Result<Self, Problem> {
        if self.size == 0 {
            return Err(Problem::invalid(
                "upload.empty",
                "上传的文件是空的。",
                "The uploaded file is empty.",
            ));
        }
        Ok(self)
    }
}

fn staging_failed(e: std::io::Error) -> Problem {
    tracing::error!(error = %e, "cannot stage an upload");
    Problem::busy()
}

fn broken(e: impl std::fmt::Display) -> Problem {
    Problem::invalid(
        "upload.broken",
        "上传中断或内容无法读取，请重新上传。",
        format!("The upload was interrupted or cannot be read: {e}"),
    )
}

/// Refuse at once a body that declares more than `limit` bytes.
pub fn check_declared_length(headers: &HeaderMap, limit: u64) -> Result<(), Problem> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit => Err(Problem::too_large(limit)),
        _ => Ok(()),
    }
}

struct Sink {
    file: tempfile::NamedTempFile,
    out: tokio::fs::File,
    size: u64,
    limit: u64,
}

impl Sink {
    fn new(limit: u64) -> Result<Self, Problem> {
        let file = tempfile::Builder::new()
            .prefix("yiwang-upload-")
            .tempfile()
            .map_err(staging_failed)?;
        let out = tokio::fs::File::from_std(file.as_file().try_clone().map_err(staging_failed)?);
        Ok(Sink {
            file,
            out,
            size: 0,
            limit,
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<(), Problem> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(Problem::too_large(self.limit));
        }
        self.out.write_all(chunk).await.map_err(staging_failed)
    }

    async fn finish(mut self) -> Result<Spooled, Problem> {
        self.out.flush().await.map_err(staging_failed)?;
        Ok(Spooled {
            file: self.file,
            size: self.size,
        })
    }
}

/// Spool a whole request body.
pub async fn spool_body(body: Body, limit: u64) -> Result<Spooled, Problem> {
    let mut sink = Sink::new(limit)?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(broken)?;
        sink.write(&chunk).await?;
    }
    sink.finish().await
}

/// Spool one file field of a multipart form.
pub async fn spool_field(field: &mut Field<'_>, limit: u64) -> Result<Spooled, Problem> {
    let mut sink = Sink::new(limit)?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => sink.write(&chunk).await?,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Problem::too_large(limit));
            }
            Err(e) => return Err(broken(e)),
        }
    }
    sink.finish().await
}
