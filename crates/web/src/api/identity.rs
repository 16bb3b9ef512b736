//! Identity endpoints: who am I, API tokens, accounts, session revocation, inbox.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yiwang_app::identity::{self, NewUser, Revoked};
use yiwang_store::{ApiToken, InboxItem, SignInFailure, User};

use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::{Caller, ClientAddr};
use crate::error::{ApiError, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Serialize, ToSchema)]
pub struct RoleView {
    pub role: String,
    pub role_zh: String,
    pub org_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub roles: Vec<RoleView>,
}

/// The signed-in caller and their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = Me)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(caller: Caller) -> Json<Me> {
    let roles = caller
        .actor
        .grants
        .iter()
        .map(|g| RoleView {
            role: g.role.as_str().into(),
            role_zh: g.role.label_zh().into(),
            org_id: g.org_id.clone(),
        })
        .collect();
    Json(Me {
        user: caller.user,
        roles,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// What the token is for, e.g. "数据交换接口" (1 to 100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Lifetime in days (default 90 unless the node is configured otherwise; at most the node's
    /// maximum, 365 by default).
    #[schema(minimum = 1)]
    pub expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    /// The secret: shown once, send it as `Authorization: Bearer …`.
    pub token: String,
    pub info: ApiToken,
}

/// Issue an API token for a machine client (password grant).
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "identity", request_body = TokenRequest,
    responses((status = 201, body = IssuedToken),
        (status = 401, description = "用户名或密码错误 `auth.invalid_credentials`", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Json(req): Json<TokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let (token, info) = identity::create_api_token_with_password(
        &state.app,
        &req.username,
        &req.password,
        identity::TokenRequest {
            name: &req.name,
            expires_in_days: req.expires_in_days,
        },
        &address,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { token, info })))
}

/// Revoke one of your API tokens.
#[utoipa::path(post, path = "/api/v1/auth/tokens/{id}/revoke", tag = "identity",
    params(("id" = String, Path, description = "token id")),
    responses((status = 204, description = "Revoked (or already revoked)")),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    identity::revoke_api_token(&state.app.store, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create an account with roles (administrators of the organisations granted).
#[utoipa::path(post, path = "/api/v1/users", tag = "identity", request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = ErrorBody),
        (status = 404, description = "A granted organisation does not exist", body = ErrorBody),
        (status = 409, description = "The username is taken (`duplicate`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = identity::create_user(&state.app.store, &caller.actor, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// End every session of a user and revoke all their API tokens (administrators covering the
/// user; anyone for themselves). Recorded in the ledger.
#[utoipa::path(post, path = "/api/v1/users/{id}/revoke-sessions", tag = "identity",
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = Revoked), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    Ok(Json(
        identity::revoke_sessions(&state.app.store, &caller.actor, &id).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FailureQuery {
    /// Only failures in the last this many hours (default 24, at most 2,160 = 90 days).
    #[param(minimum = 1, maximum = 2160)]
    pub hours: Option<u32>,
    /// At most this many, newest first (default 100, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Recent failed sign-ins (page and token grant), newest first: platform administrators,
/// supervisors and regulators.
#[utoipa::path(get, path = "/api/v1/auth/sign-in-failures", tag = "identity",
    params(FailureQuery),
    responses((status = 200, body = Vec<SignInFailure>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn sign_in_failures(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FailureQuery>,
) -> Result<Json<Vec<SignInFailure>>, ApiError> {
    let hours = q.hours.unwrap_or(24);
    let limit = q.limit.unwrap_or(100);
    if !(1..=2160).contains(&hours) || !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "query.range",
            "hours 须为1至2160,limit 须为1至500",
            "hours must be 1 to 2160 and limit 1 to 500",
        ));
    }
    let since = yiwang_app::now_micros() - i64::from(hours) * 3_600_000_000;
    Ok(Json(
        identity::sign_in_failures(&state.app.store, &caller.actor, since, i64::from(limit))
            .await?,
    ))
}

/// Your in-app notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "identity",
    responses((status = 200, body = Vec<InboxItem>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<InboxItem>>, ApiError> {
    Ok(Json(
        identity::inbox(&state.app.store, &caller.actor).await?,
    ))
}

/// The identity API (身份与权限): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(inbox))
        .routes(routes!(create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(sign_in_failures))
        .routes(routes!(create_user))
        .routes(routes!(revoke_sessions))
}
