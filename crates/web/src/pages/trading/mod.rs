//! 公共资源交易 pages. So far the bidder's sealing assets: the vendored `@hpke/core` module and
//! `trading-seal.js`, which seals a bid file in the browser exactly as `yiwang bid seal` does (the
//! bidder pages that use them come next, one file per screen).

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

fn javascript(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn hpke_core() -> Response {
    javascript(include_str!("../../../static/vendor/hpke-core-1.9.0.js"))
}

async fn trading_seal() -> Response {
    javascript(include_str!("../../../static/trading-seal.js"))
}

/// The trading pages' routes: the one place that lists them.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/vendor/hpke-core-1.9.0.js", get(hpke_core))
        .route("/static/trading-seal.js", get(trading_seal))
}
