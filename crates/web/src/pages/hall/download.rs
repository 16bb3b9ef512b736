//! Downloads of the files of materials (blank forms, samples).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::AppState;
use crate::pages::{Page, PageError, problem_page};

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    _header: Page,
) -> Result<Response, PageError> {
    crate::download::serve_file(&state.app, &id, &headers)
        .await
        .map_err(|e| {
            problem_page(e, |_| {
                PageError::new(
                    StatusCode::NOT_FOUND,
                    ("文件不存在", "未找到该文件。"),
                    ("File not found", "No such file."),
                )
            })
        })
}
