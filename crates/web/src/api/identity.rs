//! Identity endpoints: who am I, API tokens, accounts, session revocation, inbox.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yiwang_app::identity::{self, NewUser};
use yiwang_store::{ApiToken, InboxItem, User};

use super::extract::{Json, Path};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

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
    Json(req): Json<TokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let (token, info) = identity::create_api_token_with_password(
        &state.app.store,
        &req.username,
        &req.password,
        &req.name,
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

#[derive(Serialize, ToSchema)]
pub struct Revoked {
    pub sessions: u64,
}

/// End every session of a user (administrators covering the user; anyone for themselves).
#[utoipa::path(post, path = "/api/v1/users/{id}/revoke-sessions", tag = "identity",
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = Revoked), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    let sessions = identity::revoke_sessions(&state.app.store, &caller.actor, &id).await?;
    Ok(Json(Revoked { sessions }))
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
