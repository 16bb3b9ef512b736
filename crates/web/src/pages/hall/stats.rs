//! Catalogue statistics of the hall.

use axum::extract::State;
use axum::response::Response;
use yiwang_app::catalog::stats;

use super::{enc, type_label};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, render};

pub struct TypeBar {
    pub label: String,
    pub count: u64,
    pub href: String,
    /// Width of the bar, 0–100 (% of the largest type).
    pub width: u64,
}

#[derive(askama::Template)]
#[template(path = "hall_stats.html")]
struct StatsTpl {
    i: I18n,
    nav: Nav,
    s: stats::CatalogStats,
    bars: Vec<TypeBar>,
}

pub async fn stats_page(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let i = page.i;
    let s = stats::stats(&state.app).await?;
    let max = s.by_type.iter().map(|t| t.count).max().unwrap_or(0).max(1);
    let bars = s
        .by_type
        .iter()
        .map(|t| TypeBar {
            label: type_label(i, &t.label),
            count: t.count,
            href: format!("/hall/search?type={}", enc(&t.label)),
            width: t.count * 100 / max,
        })
        .collect();
    Ok(render(&StatsTpl {
        i,
        nav: page.nav,
        s,
        bars,
    }))
}
