//! Server-rendered pages (askama templates, auto-escaped). Chinese first, English via `/lang/en`.
//! Forms are CSRF-protected: the session's token for signed-in forms, a double-submit cookie for
//! the sign-in form.

mod admin;
mod catalog;
mod consult;
mod hall;
pub(crate) mod home;
mod public;
mod session;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::{SignedIn, Viewer, same_secret};
use crate::error::ApiError;
use crate::i18n::I18n;

/// What the page header needs to know about the viewer.
pub struct Nav {
    pub signed_in: bool,
    pub name: String,
    pub csrf: String,
}

impl Nav {
    pub fn of(viewer: &Viewer) -> Self {
        match &viewer.0 {
            Some(s) => Nav {
                signed_in: true,
                name: s.user.display_name.clone(),
                csrf: s.session.csrf_token.clone(),
            },
            None => Nav {
                signed_in: false,
                name: String::new(),
                csrf: String::new(),
            },
        }
    }
}

/// The shell's pages: the public front page, sign-in, the home page and the inbox. Each
/// capability's pages are in its own function below, registered in `crate::registry`.
pub fn shell_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::index))
        .route("/static/app.css", get(stylesheet))
        .route("/lang/{lang}", get(public::switch_language))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/home", get(home::home))
        .route("/inbox", get(home::inbox))
}

/// The organisations pages.
pub fn organisations_routes() -> Router<AppState> {
    Router::new().route("/orgs", get(home::organisations))
}

/// The audit-ledger pages.
pub fn ledger_routes() -> Router<AppState> {
    Router::new().route("/audit", get(admin::audit))
}

/// The working-day calendar pages.
pub fn calendar_routes() -> Router<AppState> {
    Router::new().route(
        "/admin/calendar",
        get(admin::calendar).post(admin::amend_calendar),
    )
}

/// The catalogue pages: the online hall (public) and the catalogue managers' screens.
pub fn catalog_routes() -> Router<AppState> {
    Router::new()
        .route("/hall", get(hall::home))
        .route("/hall/search", get(hall::search))
        .route("/hall/stats", get(hall::stats_page))
        .route("/hall/items/{id}", get(hall::item))
        .route("/hall/items/{id}/versions/{n}", get(hall::item_version))
        .route("/hall/items/{id}/ask", post(hall::ask))
        .route("/hall/my-questions", get(consult::my_questions))
        .route("/hall/bundles/{id}", get(hall::bundle))
        .route("/hall/files/{id}", get(hall::download))
        .route("/catalog", get(catalog::list))
        .route(
            "/catalog/import",
            post(catalog::import_file)
                .layer(axum::extract::DefaultBodyLimit::max(catalog::UPLOAD_LIMIT)),
        )
        .route("/catalog/export.csv", get(catalog::export_csv))
        .route("/catalog/export.xlsx", get(catalog::export_xlsx))
        .route(
            "/catalog/items/new",
            get(catalog::new_item).post(catalog::create_item),
        )
        .route(
            "/catalog/items/{id}/edit",
            get(catalog::edit_item).post(catalog::save_item),
        )
        .route("/catalog/items/{id}/status", post(catalog::change_status))
        .route(
            "/catalog/items/{id}/files",
            post(catalog::upload_file)
                .layer(axum::extract::DefaultBodyLimit::max(catalog::UPLOAD_LIMIT)),
        )
        .route("/catalog/items/{id}/claim", post(catalog::claim))
        .route(
            "/catalog/bundles",
            get(catalog::bundles_list).post(catalog::save_bundle),
        )
        .route("/catalog/bundles/{id}/status", post(catalog::bundle_status))
        .route("/catalog/questions", get(catalog::questions_list))
        .route("/catalog/questions/{id}/answer", post(catalog::answer))
}

/// Every page route: the shell's and each registered capability's.
pub fn router() -> Router<AppState> {
    crate::registry::CAPABILITIES
        .iter()
        .filter_map(|c| c.pages)
        .fold(shell_routes(), |r, pages| r.merge(pages()))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    i: I18n,
    nav: Nav,
    title: String,
    message: String,
}

/// An HTML error page with a status.
pub fn error_page(
    i: I18n,
    nav: Nav,
    status: StatusCode,
    zh: (&str, &str),
    en: (&str, &str),
) -> Response {
    let page = ErrorPage {
        i,
        nav,
        title: i.t(zh.0, en.0).into(),
        message: i.t(zh.1, en.1).into(),
    };
    (status, render(&page)).into_response()
}

/// Render a template; a template failure is an internal error, logged.
pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Unknown paths: JSON under /api, a page elsewhere.
pub async fn not_found(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        return ApiError::not_found_path().into_response();
    }
    let i = I18n::from_headers(&headers);
    error_page(
        i,
        Nav::of(&Viewer(None)),
        StatusCode::NOT_FOUND,
        ("页面不存在", "您访问的页面不存在或已移除。"),
        ("Page not found", "The page you asked for does not exist."),
    )
}

/// Pages that need a signed-in viewer send others to the sign-in page.
#[expect(
    clippy::result_large_err,
    reason = "the error is the response itself, built once"
)]
pub fn require(viewer: &Viewer) -> Result<&SignedIn, Response> {
    viewer
        .0
        .as_ref()
        .ok_or_else(|| Redirect::to("/login").into_response())
}

/// Check a signed-in form's CSRF token.
#[expect(
    clippy::result_large_err,
    reason = "the error is the response itself, built once"
)]
pub fn check_csrf(signed_in: &SignedIn, sent: &str, i: I18n, nav: Nav) -> Result<(), Response> {
    if same_secret(sent, &signed_in.session.csrf_token) {
        Ok(())
    } else {
        Err(error_page(
            i,
            nav,
            StatusCode::FORBIDDEN,
            ("表单已过期", "表单已过期或来源不明,请刷新页面后重试。"),
            (
                "Form expired",
                "The form expired or did not come from this site; reload and try again.",
            ),
        ))
    }
}

/// A use-case failure shown on a page.
pub fn app_error_page(e: yiwang_app::AppError, i: I18n, nav: Nav) -> Response {
    match e {
        yiwang_app::AppError::Problem(p) => {
            let status = crate::error::status_of(p.kind);
            let page = ErrorPage {
                i,
                nav,
                title: i.t("无法完成操作", "Could not complete the request").into(),
                message: i.t(&p.message, &p.message_en).into(),
            };
            let mut r = (status, render(&page)).into_response();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(crate::error::RETRY_AFTER_SECS),
                );
            }
            r
        }
        yiwang_app::AppError::Internal(msg) => {
            tracing::error!(error = %msg, "internal error");
            error_page(
                i,
                nav,
                StatusCode::INTERNAL_SERVER_ERROR,
                ("服务器内部错误", "请稍后重试。"),
                ("Internal error", "Please try again later."),
            )
        }
    }
}
