//! Multipart forms of the catalogue pages (import files, material files), their files spooled to
//! disk.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::i18n::I18n;

pub(crate) struct FilePart {
    name: String,
    pub filename: String,
    /// The part's declared `Content-Type`, if any.
    pub content_type: Option<String>,
    pub upload: crate::upload::Spooled,
}

#[derive(Default)]
pub(crate) struct Parts {
    fields: HashMap<String, String>,
    files: Vec<FilePart>,
}

impl Parts {
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map(String::as_str).unwrap_or("")
    }
    /// Every text field, as a form's pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    pub fn file(&self, k: &str) -> Option<&FilePart> {
        self.files
            .iter()
            .find(|f| f.name == k && !(f.filename.is_empty() && f.upload.size == 0))
    }
}

/// Read a multipart form, its files spooled to disk (each at most `file_limit` bytes); a broken
/// or too large body is an error with its status.
pub(crate) async fn read_parts(
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    file_limit: u64,
) -> Result<Parts, StatusCode> {
    let mut mp = mp.map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut parts = Parts::default();
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(e.status()),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(filename) => {
                let content_type = field.content_type().map(str::to_string);
                let upload = crate::upload::spool_field(&mut field, file_limit)
                    .await
                    .map_err(|p| crate::error::status_of(p.kind))?;
                parts.files.push(FilePart {
                    name,
                    filename,
                    content_type,
                    upload,
                });
            }
            None => {
                let text = field.text().await.map_err(|e| e.status())?;
                parts.fields.insert(name, text);
            }
        }
    }
    Ok(parts)
}

pub(crate) fn upload_error(i: I18n, status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        i.t("文件过大", "The file is too large").into()
    } else {
        i.t(
            "上传的表单无法读取,请重新选择文件后提交",
            "The upload could not be read; choose the file again and resubmit",
        )
        .into()
    }
}
