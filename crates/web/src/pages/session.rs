//! Sign-in and sign-out.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yiwang_app::{AppError, identity};

use super::{Nav, Page, PageError, render};
use crate::AppState;
use crate::auth::{ClientAddr, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, same_secret, set_cookie};
use crate::i18n::I18n;

#[derive(askama::Template)]
#[template(path = "login.html")]
struct Login {
    i: I18n,
    nav: Nav,
    csrf: String,
    username: String,
    error: Option<String>,
}

fn login_response(
    state: &AppState,
    i: I18n,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = state.app.issue_form_token();
    let page = Login {
        i,
        nav: Nav::default(),
        csrf: csrf.clone(),
        username,
        error,
    };
    (
        status,
        [(
            header::SET_COOKIE,
            set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies),
        )],
        render(&page),
    )
        .into_response()
}

pub async fn login_page(State(state): State<AppState>, page: Page) -> Response {
    if page.viewer.is_some() {
        return Redirect::to("/home").into_response();
    }
    login_response(&state, page.i, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(address): ClientAddr,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let i = I18n::from_headers(&headers);
    let Ok(Form(form)) = form else {
        let msg = i
            .t("请填写用户名和密码", "Enter your username and password")
            .to_string();
        return login_response(&state, i, StatusCode::BAD_REQUEST, String::new(), Some(msg));
    };
    // The pair must match, and the value must be one the platform issued (not one the sender
    // chose and planted in both places).
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty()
        || !same_secret(&form.csrf, &expected)
        || !state.app.check_form_token(&form.csrf)
    {
        let msg = i
            .t(
                "登录表单已过期,请重新提交",
                "The sign-in form expired; please submit again",
            )
            .to_string();
        return login_response(&state, i, StatusCode::FORBIDDEN, form.username, Some(msg));
    }
    match identity::sign_in(&state.app.store, &form.username, &form.password, &address).await {
        Ok(signed) => {
            let max_age = identity::SESSION_HOURS * 3600;
            let mut resp = Redirect::to("/home").into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &signed.token, max_age, state.secure_cookies)
                    .parse()
                    .expect("cookie header"),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies)
                    .parse()
                    .expect("cookie header"),
            );
            *resp.status_mut() = StatusCode::SEE_OTHER;
            resp
        }
        Err(AppError::Problem(p)) => {
            let status = crate::error::status_of(p.kind);
            let msg = i.t(&p.message, &p.message_en).to_string();
            login_response(&state, i, status, form.username, Some(msg))
        }
        Err(e) => PageError::from(e).render(i, Nav::default()),
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Sign out (a signed-out viewer is just sent to the front page).
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, PageError> {
    if let Some(signed) = &page.viewer {
        signed.check_csrf(&form.map(|Form(f)| f.csrf).unwrap_or_default())?;
        if let Some(token) = cookie(&headers, SESSION_COOKIE) {
            identity::sign_out(&state.app.store, &token).await?;
        }
    }
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies)
            .parse()
            .expect("cookie header"),
    );
    *resp.status_mut() = StatusCode::SEE_OTHER;
    Ok(resp)
}
