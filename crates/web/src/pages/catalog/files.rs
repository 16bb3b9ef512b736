//! Files of an item's materials (空白表格, 示例样表), uploaded from the editor.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use yiwang_app::catalog::files::{self, FileRole};

use super::editor::editor_with;
use super::multipart::{read_parts, upload_error};
use crate::AppState;
use crate::pages::{PageError, SignedPage, problem_of, see_other};

pub async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let (i, signed) = (page.i, &page.viewer);
    files::authorize_attach(&state.app.store, &signed.actor, &id).await?;
    let refused =
        |status, msg: String| editor_with(&state, &page, &id, status, |s| s.error = Some(msg));
    let parts = match read_parts(mp, files::MAX_FILE_BYTES as u64).await {
        Ok(p) => p,
        Err(status) => return refused(status, upload_error(i, status)).await,
    };
    signed.check_csrf(parts.field("_csrf"))?;
    let role = match parts.field("role") {
        "blank" => FileRole::BlankForm,
        "sample" => FileRole::Sample,
        _ => {
            let msg = i.t("请选择空白表格或示例样表", "Choose blank form or sample");
            return refused(StatusCode::BAD_REQUEST, msg.into()).await;
        }
    };
    let Some(file) = parts.file("file") else {
        let msg = i.t("请选择要上传的文件", "Choose a file to upload");
        return refused(StatusCode::BAD_REQUEST, msg.into()).await;
    };
    let upload = files::Upload {
        filename: &file.filename,
        declared_type: file.content_type.as_deref(),
        path: file.upload.path(),
    };
    let material = parts.field("material");
    match files::attach_file(&state.app, &signed.actor, &id, material, role, upload).await {
        Ok(_) => Ok(see_other(&format!(
            "/catalog/items/{id}/edit?msg=file#files"
        ))),
        Err(e) => {
            let p = problem_of(e)?;
            let msg = i.t(&p.message, &p.message_en).to_string();
            refused(crate::error::status_of(p.kind), msg).await
        }
    }
}
