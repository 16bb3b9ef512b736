//! The working-day calendar: read it, amend it, compute deadlines.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use yiwang_app::calendar::{self, Amendment, CalendarView, Deadline, Elapsed, ElapsedQuery};
use yiwang_core::Problem;
use yiwang_store::CalendarVersion;

use super::extract::{Json, Query};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The current calendar version with its listed holidays and adjusted working days. Public.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 200, body = CalendarView), (status = 404, body = ErrorBody)))]
pub async fn current(State(state): State<AppState>) -> Result<Json<CalendarView>, ApiError> {
    calendar::current(&state.app.store)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("工作日历", "Calendar").into())
}

/// Every version of the calendar, oldest first. Public.
#[utoipa::path(get, path = "/api/v1/calendar/versions", tag = "calendar",
    responses((status = 200, body = Vec<CalendarVersion>)))]
pub async fn versions(
    State(state): State<AppState>,
) -> Result<Json<Vec<CalendarVersion>>, ApiError> {
    Ok(Json(calendar::versions(&state.app.store).await?))
}

/// Amend the calendar (platform administrators): a new version with the changes applied.
#[utoipa::path(post, path = "/api/v1/calendar/amendments", tag = "calendar", request_body = Amendment,
    responses((status = 201, body = CalendarVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn amend(
    State(state): State<AppState>,
    caller: Caller,
    Json(a): Json<Amendment>,
) -> Result<(StatusCode, Json<CalendarVersion>), ApiError> {
    let v = calendar::amend(&state.app, &caller.actor, a).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Deserialize, IntoParams)]
pub struct DeadlineQuery {
    /// Start instant, RFC 3339 (e.g. 2025-09-30T10:00:00+08:00).
    pub start: DateTime<Utc>,
    /// Working days to add (0–3650).
    #[param(maximum = 3650)]
    pub days: u32,
}

/// When a period of N working days that starts at `start` ends (the start day is not counted).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = Deadline),
        (status = 422, description = "Too many days, or a start outside 1970–2200", body = ErrorBody)))]
pub async fn deadline(
    State(state): State<AppState>,
    Query(q): Query<DeadlineQuery>,
) -> Result<Json<Deadline>, ApiError> {
    Ok(Json(calendar::deadline(&state.app, q.start, q.days)?))
}

/// Working days elapsed between two instants, with paused intervals (补正, special procedures)
/// excluded. A computation: nothing is stored.
#[utoipa::path(post, path = "/api/v1/calendar/elapsed", tag = "calendar", request_body = ElapsedQuery,
    responses((status = 200, body = Elapsed),
        (status = 422, description = "Too many pauses, a pause that ends before it starts, an instant outside 1970–2200, or a span over 20 years", body = ErrorBody)))]
pub async fn elapsed(
    State(state): State<AppState>,
    Json(q): Json<ElapsedQuery>,
) -> Result<Json<Elapsed>, ApiError> {
    Ok(Json(calendar::elapsed(&state.app, &q)?))
}

/// The calendar API (工作日历): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(current))
        .routes(routes!(versions))
        .routes(routes!(amend))
        .routes(routes!(deadline))
        .routes(routes!(elapsed))
}
