//! 专家 pages: the expert's own page (profile, invitations to confirm or decline, history) and
//! the managing department's list and decisions. One file per screen; their routes are listed
//! in [`routes`].

mod manage;
mod me;

use axum::Router;
use axum::routing::{get, post};
use yiwang_core::experts::specialty::SpecialtyCode;

use crate::AppState;

/// The expert pages, listed once (registered as the `experts` web capability).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/experts/me", get(me::me))
        .route("/experts/me/invitations/{draw}", post(me::answer))
        .route("/experts/manage", get(manage::list))
        .route(
            "/experts/manage/{id}",
            get(manage::one).post(manage::decide),
        )
}

/// A specialty as a page shows it: the code and its name under its parent's
/// (e.g. `A0402 设计·市政公用工程`), or the bare code when the classification lacks it.
pub fn specialty_label(code: &str) -> String {
    let tree = yiwang_app::experts::tree();
    let Some(c) = SpecialtyCode::parse(code) else {
        return code.to_string();
    };
    let name = tree.name(&c).unwrap_or_default();
    match c
        .parent()
        .filter(|p| p.level() >= 2)
        .and_then(|p| tree.name(&p))
    {
        Some(parent) => format!("{code} {parent}·{name}"),
        None => format!("{code} {name}"),
    }
}
