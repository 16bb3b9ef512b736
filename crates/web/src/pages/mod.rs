//! Server-rendered pages (askama templates, auto-escaped). Chinese first, English via `/lang/en`.
//! Forms are CSRF-protected: the session's token for signed-in forms, a double-submit cookie for
//! the sign-in form. A handler starts from the page context ([`Page`], [`SignedPage`] or
//! [`SignedForm`]) and returns `Result<Response, PageError>`; a capability's screens live in its
//! own folder (`catalog/`, `hall/`), one file per screen, their routes listed in one function.

mod admin;
pub(crate) mod cases;
mod catalog;
mod context;
pub(crate) mod experts;
pub(crate) mod hall;
pub(crate) mod home;
mod public;
mod session;
pub(crate) mod trading;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub use context::{
    Nav, Page, PageError, SignedForm, SignedPage, localise_errors, problem_of, problem_page,
};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::I18n;

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

/// The catalogue pages: the online hall (public) and the catalogue managers' screens. The one
/// place that lists them.
pub fn catalog_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use catalog::{bundles, claim, editor, files, list, questions, transfer};
    let uploads = || DefaultBodyLimit::max(catalog::UPLOAD_LIMIT);
    Router::new()
        .route("/hall", get(hall::home))
        .route("/hall/search", get(hall::search))
        .route("/hall/stats", get(hall::stats_page))
        .route("/hall/items/{id}", get(hall::item))
        .route("/hall/items/{id}/versions/{n}", get(hall::item_version))
        .route("/hall/items/{id}/ask", post(hall::ask))
        .route("/hall/my-questions", get(hall::my_questions))
        .route("/hall/bundles/{id}", get(hall::bundle))
        .route("/hall/files/{id}", get(hall::download))
        .route("/catalog", get(list::list))
        .route(
            "/catalog/import",
            post(transfer::import_file).layer(uploads()),
        )
        .route("/catalog/export.csv", get(transfer::export_csv))
        .route("/catalog/export.xlsx", get(transfer::export_xlsx))
        .route(
            "/catalog/items/new",
            get(editor::new_item).post(editor::create_item),
        )
        .route(
            "/catalog/items/{id}/edit",
            get(editor::edit_item).post(editor::save_item),
        )
        .route("/catalog/items/{id}/status", post(list::change_status))
        .route(
            "/catalog/items/{id}/files",
            post(files::upload_file).layer(uploads()),
        )
        .route("/catalog/items/{id}/claim", post(claim::claim))
        .route(
            "/catalog/bundles",
            get(bundles::bundles_list).post(bundles::save_bundle),
        )
        .route("/catalog/bundles/{id}/status", post(bundles::bundle_status))
        .route("/catalog/questions", get(questions::questions_list))
        .route("/catalog/questions/{id}/answer", post(questions::answer))
}

/// Every page route: the shell's and each registered capability's.
pub fn router() -> Router<AppState> {
    crate::registry::CAPABILITIES
        .iter()
        .filter_map(|c| c.pages)
        .fold(shell_routes(), |r, pages| r.merge(pages()))
        .layer(axum::middleware::from_fn(localise_errors))
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
    PageError::page_not_found().render(I18n::from_headers(&headers), Nav::default())
}

/// A redirect after a successful form (303 See Other).
pub fn see_other(to: &str) -> Response {
    let mut r = axum::response::Redirect::to(to).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}
