//! 电子监察 over HTTP: the monthly bulletin (一月一通报) of an organisation and below, as JSON,
//! XLSX and PDF. Part of the cases API (`cases::routes` merges these).

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::AppError;
use yiwang_app::cases::supervision::{self, Bulletin};

use super::doc::Binary;
use super::extract::{Json, Path};
use crate::AppState;
use crate::auth::Caller;
use crate::download::{Cache, attachment};
use crate::error::{ApiError, ErrorBody};

/// The bulletin of an organisation for a month (`YYYY-MM`, Beijing time): per department the
/// cases decided, on-time rate, working days used against promised, warnings, violations; per
/// officer the violations. Supervisors, department heads and centre managers of that
/// organisation or above.
#[utoipa::path(get, path = "/api/v1/cases/supervision/{org}/{month}", tag = "cases",
    params(("org" = String, Path, description = "organisation id"),
        ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = Bulletin),
        (status = 403, description = "Not a supervisor of this organisation", body = ErrorBody),
        (status = 422, description = "Not a month", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn bulletin(
    State(state): State<AppState>,
    caller: Caller,
    Path((org, month)): Path<(String, String)>,
) -> Result<Json<Bulletin>, ApiError> {
    Ok(Json(
        supervision::bulletin(&state.app, &caller.actor, &org, &month).await?,
    ))
}

/// The bulletin as an XLSX workbook (departments with a bar chart, officers).
#[utoipa::path(get, path = "/api/v1/cases/supervision/{org}/{month}/bulletin.xlsx", tag = "cases",
    params(("org" = String, Path, description = "organisation id"),
        ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "The workbook",
        content((Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))),
        (status = 403, description = "Not a supervisor of this organisation", body = ErrorBody),
        (status = 422, description = "Not a month", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn bulletin_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path((org, month)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let b = supervision::bulletin(&state.app, &caller.actor, &org, &month).await?;
    let bytes = supervision::bulletin_xlsx(&b)?;
    Ok(attachment(
        &filename(&b, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
        Cache::NoStore,
    ))
}

/// The bulletin as a PDF (Chinese fonts embedded, a bar chart of on-time rates).
#[utoipa::path(get, path = "/api/v1/cases/supervision/{org}/{month}/bulletin.pdf", tag = "cases",
    params(("org" = String, Path, description = "organisation id"),
        ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "The PDF",
        content((Binary = "application/pdf")),
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))),
        (status = 403, description = "Not a supervisor of this organisation", body = ErrorBody),
        (status = 422, description = "Not a month", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn bulletin_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path((org, month)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let b = supervision::bulletin(&state.app, &caller.actor, &org, &month).await?;
    let name = filename(&b, "pdf");
    // Typesetting is CPU work: off the request threads.
    let bytes = tokio::task::spawn_blocking(move || supervision::bulletin_pdf(&b))
        .await
        .map_err(|e| AppError::Internal(format!("bulletin PDF task: {e}")))??;
    Ok(attachment(&name, "application/pdf", bytes, Cache::NoStore))
}

fn filename(b: &Bulletin, ext: &str) -> String {
    format!("{}-电子监察通报-{}.{ext}", b.org_name, b.month)
}

/// The bulletin routes, merged into the cases API.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bulletin))
        .routes(routes!(bulletin_xlsx))
        .routes(routes!(bulletin_pdf))
}
