//! Import (CSV or XLSX, onto the list page) and export of the managed catalogue.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use yiwang_app::catalog::import::{self, Format, Grid, ImportOptions, ImportReport};
use yiwang_core::Problem;

use super::list::{ListNotice, list_page};
use super::multipart::{FilePart, read_parts, upload_error};
use super::{UPLOAD_LIMIT, detail_rows, forbidden};
use crate::AppState;
use crate::download::{Cache, attachment};
use crate::pages::{PageError, SignedPage, problem_of};

pub struct ReportView {
    pub rows: usize,
    pub items_created: usize,
    pub versions_created: usize,
    pub published: usize,
    pub bundles: usize,
}

impl From<ImportReport> for ReportView {
    fn from(r: ImportReport) -> Self {
        ReportView {
            rows: r.rows,
            items_created: r.items_created,
            versions_created: r.versions_created,
            published: r.published,
            bundles: r.bundles,
        }
    }
}

async fn read_upload(state: &AppState, f: &FilePart) -> Result<(Grid, Option<Grid>), Problem> {
    let format = Format::detect_file(&f.filename, f.upload.path());
    import::read_upload(&state.app, format, f.upload.path()).await
}

pub async fn import_file(
    State(state): State<AppState>,
    page: SignedPage,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let (i, signed) = (page.i, &page.viewer);
    import::authorize_import(&signed.actor).map_err(|_| forbidden())?;
    let parts = match read_parts(mp, UPLOAD_LIMIT as u64).await {
        Ok(p) => p,
        Err(status) => {
            let notice = ListNotice::error(upload_error(i, status));
            return list_page(&state, &page, "", status, notice).await;
        }
    };
    signed.check_csrf(parts.field("_csrf"))?;
    let Some(file) = parts.file("file") else {
        let notice = ListNotice::error(
            i.t(
                "请选择要导入的 CSV 或 XLSX 文件",
                "Choose a CSV or XLSX file to import",
            )
            .into(),
        );
        return list_page(&state, &page, "", StatusCode::BAD_REQUEST, notice).await;
    };
    let problem_notice = |p: Problem| -> (StatusCode, ListNotice) {
        let status = crate::error::status_of(p.kind);
        let rows = detail_rows(i, &p, "errors");
        (
            status,
            ListNotice {
                error: Some(i.t(&p.message, &p.message_en).to_string()),
                import_errors: rows,
                ..Default::default()
            },
        )
    };
    let (items_grid, xlsx_bundles) = match read_upload(&state, file).await {
        Ok(g) => g,
        Err(p) => {
            let (status, notice) = problem_notice(p);
            return list_page(&state, &page, "", status, notice).await;
        }
    };
    let bundles_grid = match parts.file("bundles") {
        Some(b) => match read_upload(&state, b).await {
            Ok((g, _)) => Some(g),
            Err(p) => {
                let (status, notice) = problem_notice(p);
                return list_page(&state, &page, "", status, notice).await;
            }
        },
        None => xlsx_bundles,
    };
    match import::import(
        &state.app,
        Some(&signed.actor),
        &items_grid,
        bundles_grid.as_ref(),
        ImportOptions::default(),
    )
    .await
    {
        Ok(report) => {
            let notice = ListNotice {
                message: Some(i.t("导入成功。", "The file was imported.").to_string()),
                report: Some(report.into()),
                ..Default::default()
            };
            list_page(&state, &page, "", StatusCode::OK, notice).await
        }
        Err(e) => {
            let (status, notice) = problem_notice(problem_of(e)?);
            list_page(&state, &page, "", status, notice).await
        }
    }
}

async fn export(
    state: &AppState,
    page: &SignedPage,
    format: Format,
) -> Result<Response, PageError> {
    let (items, bundles) = import::export_managed(&state.app.store, &page.viewer.actor).await?;
    Ok(attachment(
        format.export_filename(),
        format.content_type(),
        import::write_grid(format, &items, &bundles),
        Cache::NoStore,
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    page: SignedPage,
) -> Result<Response, PageError> {
    export(&state, &page, Format::Csv).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    page: SignedPage,
) -> Result<Response, PageError> {
    export(&state, &page, Format::Xlsx).await
}
