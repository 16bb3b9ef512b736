//! 开放合同数据: the OCDS 1.1 publication of the trading capability (DOMAIN §2.5). Public, no
//! credentials: recent releases of every section, the release package and the compiled record of
//! one contracting process (ocid). The releases are built by `yiwang_app::trading::ocds`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::trading::ocds::{self, RecentReleases};

use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};

#[derive(Deserialize, IntoParams)]
pub struct RecentQuery {
    /// Releases per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The id of the last release of the previous page (`next_before` of its answer).
    pub before: Option<String>,
}

/// The most recent OCDS releases of every published section, newest first, a page at a time.
/// Public.
#[utoipa::path(get, path = "/api/v1/ocds/releases", tag = "ocds",
    params(RecentQuery),
    responses((status = 200, body = RecentReleases),
        (status = 404, description = "`before` names no release (`not_found`)", body = ErrorBody),
        (status = 422, description = "`limit` is not 1 to 200 (`ocds.limit`)", body = ErrorBody)))]
pub async fn recent_releases(
    State(state): State<AppState>,
    Query(q): Query<RecentQuery>,
) -> Result<Json<RecentReleases>, ApiError> {
    let limit = q.limit.unwrap_or(50) as usize;
    Ok(Json(
        ocds::recent(&state.app, limit, q.before.as_deref()).await?,
    ))
}

/// The OCDS release package of one contracting process (a section): every release, oldest
/// first. Public.
#[utoipa::path(get, path = "/api/v1/ocds/packages/{ocid}", tag = "ocds",
    params(("ocid" = String, Path, description = "open contracting id: `<prefix>-<统一交易标识码>`")),
    responses((status = 200, description = "OCDS 1.1 release package", body = Object),
        (status = 404, description = "No published section has this ocid", body = ErrorBody)))]
pub async fn release_package(
    State(state): State<AppState>,
    Path(ocid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r = ocds::releases_of(&state.app, &ocid).await?;
    Ok(Json(ocds::package(&state.app, &r)))
}

/// The OCDS record of one contracting process: a record package holding its releases and the
/// compiled release (the latest value of every field). Public.
#[utoipa::path(get, path = "/api/v1/ocds/records/{ocid}", tag = "ocds",
    params(("ocid" = String, Path, description = "open contracting id: `<prefix>-<统一交易标识码>`")),
    responses((status = 200, description = "OCDS 1.1 record package", body = Object),
        (status = 404, description = "No published section has this ocid", body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    Path(ocid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r = ocds::releases_of(&state.app, &ocid).await?;
    Ok(Json(ocds::record(&state.app, &r)))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(recent_releases))
        .routes(routes!(release_package))
        .routes(routes!(record))
}
