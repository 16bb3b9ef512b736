//! Who is calling: a server-side session (cookie `yw_session`) for people using pages, or a bearer
//! API token for machine clients. CSRF: forms carry the session's token in `_csrf`; API calls made
//! with the session cookie carry it in `X-CSRF-Token`; bearer-token calls need neither.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use yiwang_app::identity;
use yiwang_core::access::Actor;
use yiwang_store::{Session, User};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "yw_session";
/// The CSRF cookie of the sign-in form (before a session exists): a platform-issued token
/// (`App::issue_form_token`) that the form must send back unchanged.
pub const LOGIN_CSRF_COOKIE: &str = "yw_login_csrf";

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with safe defaults.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Compare secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The client's address, for the record of failed sign-ins: the peer address, or — when
/// `YIWANG_TRUST_FORWARDED=1` says the node sits behind a proxy that sets it — the last entry of
/// `X-Forwarded-For` (the one the proxy itself appended).
pub struct ClientAddr(pub String);

fn trust_forwarded() -> bool {
    static TRUST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRUST.get_or_init(|| std::env::var("YIWANG_TRUST_FORWARDED").is_ok_and(|v| v == "1"))
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if trust_forwarded()
            && let Some(last) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return Ok(ClientAddr(last.chars().take(64).collect()));
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(peer))
    }
}

/// A signed-in caller of the API.
pub struct Caller {
    pub actor: Actor,
    pub user: User,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let store = &state.app.store;
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
                .unwrap_or("");
            return match identity::token_actor(store, token).await? {
                Some((actor, user)) => Ok(Caller { actor, user }),
                None => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "auth.invalid_token",
                    "API令牌无效或已吊销",
                    "The API token is invalid or revoked",
                )),
            };
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(yiwang_core::Problem::unauthenticated().into());
        };
        let Some((actor, user, session)) = identity::session_actor(store, &token).await? else {
            return Err(yiwang_core::Problem::unauthenticated().into());
        };
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, &session.csrf_token) {
                return Err(csrf_error());
            }
        }
        Ok(Caller { actor, user })
    }
}

/// An optional caller: `None` without credentials; bad credentials are still an error.
impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        let has_credentials = parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
            || cookie(&parts.headers, SESSION_COOKIE).is_some();
        if !has_credentials {
            return Ok(None);
        }
        <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

pub fn csrf_error() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf.invalid",
        "表单已过期或来源不明,请刷新页面后重试",
        "The form expired or did not come from this site; reload the page and try again",
    )
}

/// The person signed in to the pages (read by `pages::Page`).
#[derive(Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub user: User,
    pub session: Session,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; yw_session=abc; lang=en".parse().unwrap());
        assert_eq!(cookie(&h, "yw_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "lang").as_deref(), Some("en"));
        assert_eq!(cookie(&h, "x"), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
