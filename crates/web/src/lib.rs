//! yiwang-web: the HTTP layer. Handlers are thin: they parse the request, resolve the caller, call
//! one use case of `yiwang-app`, and render JSON or a page. No SQL and no rules live here.

pub mod api;
pub mod auth;
pub mod download;
pub mod error;
pub mod i18n;
pub mod observe;
pub mod pages;
pub mod registry;
pub mod upload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use yiwang_app::App;

/// Largest request body accepted (forms and JSON).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Set the `Secure` flag on cookies (behind HTTPS).
    pub secure_cookies: bool,
}

/// The whole application: API, pages, static files, health and metrics.
pub fn router(state: AppState) -> Router {
    let metrics = observe::metrics_handle();
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(observe::router(metrics))
        .route_layer(axum::middleware::from_fn(observe::track))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Serve until `shutdown` resolves. Returns the bound address through `bound` first, so callers
/// (tests) can bind port 0.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (begun, begun_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = begun.send(());
    });
    // In-flight requests get SHUTDOWN_GRACE to finish once shutdown begins; then they are dropped
    // (their transactions roll back) so that a stuck client cannot hold the node up.
    let grace = async {
        if begun_rx.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        r = server.into_future() => r,
        _ = grace => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "shutdown grace period over: dropping in-flight requests");
            Ok(())
        }
    }
}

/// How long a graceful shutdown may take before in-flight requests are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
