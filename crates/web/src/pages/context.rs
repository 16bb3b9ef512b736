//! What every page handler starts from, taken from the request once: the [`Page`] context
//! (language, header, viewer), a signed-in page ([`SignedPage`], or the sign-in page), a
//! signed-in form ([`SignedForm`]: session, CSRF token and fields) and the [`PageError`] a
//! handler returns with `?` to show the error page.

use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use yiwang_app::{AppError, identity};
use yiwang_core::Problem;

use super::render;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn, cookie, same_secret};
use crate::i18n::I18n;

/// What the page header needs to know about the viewer.
#[derive(Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub name: String,
    pub csrf: String,
}

impl Nav {
    pub fn of(viewer: Option<&SignedIn>) -> Self {
        match viewer {
            Some(s) => Nav {
                signed_in: true,
                name: s.user.display_name.clone(),
                csrf: s.session.csrf_token.clone(),
            },
            None => Nav::default(),
        }
    }
}

/// The context of a page: the viewer's language, the header, and who is viewing — `V` is
/// `Option<SignedIn>` for public pages and [`SignedIn`] for pages that need a session.
pub struct Page<V = Option<SignedIn>> {
    pub i: I18n,
    pub nav: Nav,
    pub viewer: V,
}

/// A page for signed-in people only: extracting it sends others to the sign-in page.
pub type SignedPage = Page<SignedIn>;

impl Page {
    /// The viewer's actor, if signed in.
    pub fn actor(&self) -> Option<&yiwang_core::access::Actor> {
        self.viewer.as_ref().map(|s| &s.actor)
    }
}

/// Read the language and the session of a page request (once per request: the header of an error
/// page shown later is filled from here).
async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Page, PageError> {
    let i = I18n::from_headers(&parts.headers);
    let viewer = match cookie(&parts.headers, SESSION_COOKIE) {
        None => None,
        Some(token) => identity::session_actor(&state.app.store, &token)
            .await?
            .map(|(actor, user, session)| SignedIn {
                actor,
                user,
                session,
            }),
    };
    let nav = Nav::of(viewer.as_ref());
    if let Some(slot) = parts.extensions.get::<NavSlot>() {
        let _ = slot.0.set(nav.clone());
    }
    Ok(Page { i, nav, viewer })
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        resolve(parts, state).await
    }
}

impl FromRequestParts<AppState> for SignedPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Page { i, nav, viewer } = resolve(parts, state).await?;
        let viewer = viewer.ok_or(PageError::SignIn)?;
        Ok(Page { i, nav, viewer })
    }
}

impl SignedPage {
    /// The same page seen as a public one (for screens that both kinds of viewer reach).
    pub fn into_public(self) -> Page {
        Page {
            i: self.i,
            nav: self.nav,
            viewer: Some(self.viewer),
        }
    }
}

impl SignedIn {
    /// Check the CSRF token a signed-in form sent (for forms read by hand, e.g. multipart).
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same_secret(sent, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(PageError::form_expired())
        }
    }
}

/// A form posted by a signed-in person: the session (others go to the sign-in page), the CSRF
/// token (the `_csrf` field; a wrong one is the 403 "form expired" page) and the fields.
///
/// `form` is `None` when the body is not a readable form of `T` (wrong content type, a field of
/// the wrong shape): the handler answers that as it sees fit (its page with "the form is
/// incomplete", or the expired-form page), without changing anything. A readable form is only
/// handed over once its token is checked.
pub struct SignedForm<T> {
    pub page: SignedPage,
    pub form: Option<T>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignedForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let page = SignedPage::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Ok(RawForm(bytes)) = RawForm::from_request(req, state).await else {
            return Ok(SignedForm { page, form: None });
        };
        let Ok(form) = serde_urlencoded::from_bytes::<T>(&bytes) else {
            return Ok(SignedForm { page, form: None });
        };
        let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf"))
            .map(|(_, v)| v)
            .unwrap_or_default();
        page.viewer.check_csrf(&sent)?;
        Ok(SignedForm {
            page,
            form: Some(form),
        })
    }
}

/// Text in both languages.
#[derive(Debug, Clone)]
pub struct Both {
    pub zh: String,
    pub en: String,
}

impl Both {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Both {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, i: I18n) -> &str {
        i.t(&self.zh, &self.en)
    }
}

/// Why a page cannot be shown: the sign-in page for signed-out viewers, or the error page with
/// its status, title and message. Handlers return `Result<Response, PageError>` and use `?` on
/// use-case results ([`AppError`]) and problems.
#[derive(Debug, Clone)]
pub enum PageError {
    /// Not signed in: go to the sign-in page.
    SignIn,
    /// The error page.
    Shown {
        status: StatusCode,
        title: Both,
        message: Both,
    },
}

impl PageError {
    /// An error page with `(title, message)` in Chinese and in English.
    pub fn new(status: StatusCode, zh: (&str, &str), en: (&str, &str)) -> Self {
        PageError::Shown {
            status,
            title: Both::new(zh.0, en.0),
            message: Both::new(zh.1, en.1),
        }
    }

    /// 403: a signed-in form whose CSRF token is missing or wrong.
    pub fn form_expired() -> Self {
        PageError::new(
            StatusCode::FORBIDDEN,
            ("表单已过期", "表单已过期或来源不明,请刷新页面后重试。"),
            (
                "Form expired",
                "The form expired or did not come from this site; reload and try again.",
            ),
        )
    }

    /// 404: no such page.
    pub fn page_not_found() -> Self {
        PageError::new(
            StatusCode::NOT_FOUND,
            ("页面不存在", "您访问的页面不存在或已移除。"),
            ("Page not found", "The page you asked for does not exist."),
        )
    }

    /// The response in the viewer's language with the viewer's header.
    pub fn render(self, i: I18n, nav: Nav) -> Response {
        match self {
            PageError::SignIn => Redirect::to("/login").into_response(),
            PageError::Shown {
                status,
                title,
                message,
            } => {
                let page = ErrorPage {
                    i,
                    nav,
                    title: title.get(i).to_string(),
                    message: message.get(i).to_string(),
                };
                let mut r = (status, render(&page)).into_response();
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    r.headers_mut().insert(
                        header::RETRY_AFTER,
                        HeaderValue::from(crate::error::RETRY_AFTER_SECS),
                    );
                }
                r
            }
        }
    }
}

impl From<Problem> for PageError {
    fn from(p: Problem) -> Self {
        PageError::Shown {
            status: crate::error::status_of(p.kind),
            title: Both::new("无法完成操作", "Could not complete the request"),
            message: Both::new(p.message, p.message_en),
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Problem(p) => p.into(),
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                PageError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ("服务器内部错误", "请稍后重试。"),
                    ("Internal error", "Please try again later."),
                )
            }
        }
    }
}

/// A use-case failure to show on the page itself (a [`Problem`]: bad input, a refusal), or the
/// error page for internal failures.
pub fn problem_of(e: AppError) -> Result<Problem, PageError> {
    match e {
        AppError::Problem(p) => Ok(p),
        other => Err(other.into()),
    }
}

/// The error page for a use-case failure: `page_for(problem)` for a problem, the internal-error
/// page otherwise.
pub fn problem_page(e: AppError, page_for: impl FnOnce(Problem) -> PageError) -> PageError {
    match problem_of(e) {
        Ok(p) => page_for(p),
        Err(internal) => internal,
    }
}

/// Chinese first: without a request to read (outside the page router), the error page is in
/// Chinese with a signed-out header. Inside it, [`localise_errors`] shows it again in the
/// viewer's language with the viewer's header.
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let shown = match &self {
            PageError::Shown { .. } => Some(ShownError(Arc::new(self.clone()))),
            PageError::SignIn => None,
        };
        let mut r = self.render(I18n { en: false }, Nav::default());
        if let Some(s) = shown {
            r.extensions_mut().insert(s);
        }
        r
    }
}

/// An error page on its way out, to be shown in the viewer's language.
#[derive(Clone)]
struct ShownError(Arc<PageError>);

/// The header of the request's page, once the page context has read the session.
#[derive(Clone, Default)]
struct NavSlot(Arc<OnceLock<Nav>>);

/// Middleware of the page router: an error page leaving a handler is shown in the viewer's
/// language with the viewer's header (as read by the page context).
pub async fn localise_errors(mut req: Request, next: Next) -> Response {
    let i = I18n::from_headers(req.headers());
    let slot = NavSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut resp = next.run(req).await;
    match resp.extensions_mut().remove::<ShownError>() {
        Some(ShownError(e)) if i.en || slot.0.get().is_some_and(|n| n.signed_in) => {
            let nav = slot.0.get().cloned().unwrap_or_default();
            (*e).clone().render(i, nav)
        }
        _ => resp,
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    i: I18n,
    nav: Nav,
    title: String,
    message: String,
}
