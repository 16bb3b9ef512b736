//! Regions and organisations.

use axum::extract::State;
use axum::http::StatusCode;
use yiwang_app::organisations::{self, NewOrganisation};
use yiwang_store::{Organisation, Region};

use super::extract::{Json, Path};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The administrative regions (GB/T 2260) the platform serves. Public.
#[utoipa::path(get, path = "/api/v1/regions", tag = "organisations",
    responses((status = 200, body = Vec<Region>)))]
pub async fn list_regions(State(state): State<AppState>) -> Result<Json<Vec<Region>>, ApiError> {
    Ok(Json(organisations::list_regions(&state.app.store).await?))
}

/// Organisations visible to the caller: their own, and all below for supervising roles.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<Organisation>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(
        organisations::visible_organisations(&state.app.store, &caller.actor).await?,
    ))
}

/// One organisation (404 when it does not exist or is not visible to the caller).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = Organisation)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Organisation>, ApiError> {
    Ok(Json(
        organisations::get_organisation(&state.app.store, &caller.actor, &id).await?,
    ))
}

/// Create an organisation below one the caller administers.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = NewOrganisation,
    responses((status = 201, body = Organisation),
        (status = 404, description = "No such parent organisation", body = ErrorBody),
        (status = 409, description = "The credit code is taken (`duplicate`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<NewOrganisation>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    let org = organisations::create_organisation(&state.app.store, &caller.actor, input).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// The organisations API (区划与机构): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions))
        .routes(routes!(list, create))
        .routes(routes!(get_one))
}
