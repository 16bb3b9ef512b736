//! Public pages: the home page with its time-limit calculator, and the language switch.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yiwang_app::audit::{self, SignedCheckpoint};

use super::{Nav, Page, PageError, render};
use crate::AppState;
use crate::i18n::I18n;

pub struct Stats {
    pub regions: usize,
    pub organisations: usize,
    pub entries: i64,
    pub calendar_version: i64,
}

#[derive(Default)]
pub struct Calc {
    pub start: String,
    pub days: String,
    pub result: Option<String>,
    /// The result passes over a year without an official arrangement (预计).
    pub provisional: bool,
    pub error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "index.html")]
struct Index {
    i: I18n,
    nav: Nav,
    stats: Stats,
    calc: Calc,
    checkpoint: Option<SignedCheckpoint>,
}

#[derive(Deserialize)]
pub struct CalcQuery {
    start: Option<String>,
    days: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    page: Page,
    query: Result<Query<CalcQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let app = &state.app;
    let (regions, organisations, entries) =
        yiwang_app::organisations::public_stats(&app.store).await?;
    let stats = Stats {
        regions,
        organisations,
        entries,
        calendar_version: app.calendar().version,
    };
    let mut calc = Calc::default();
    if let Ok(Query(CalcQuery {
        start: Some(start),
        days: Some(days),
    })) = query
    {
        calc.start = start.chars().take(10).collect();
        calc.days = days.chars().take(5).collect();
        match (
            chrono::NaiveDate::parse_from_str(&calc.start, "%Y-%m-%d"),
            calc.days.parse::<u32>(),
        ) {
            (Ok(d), Ok(n)) if n <= 3650 => {
                let cal = app.calendar();
                let last = cal.calendar.add_working_days(d, n);
                calc.result = Some(last.format("%Y-%m-%d").to_string());
                calc.provisional = cal.calendar.is_provisional(d, last);
            }
            _ => {
                calc.error = Some(
                    i.t(
                        "请输入有效日期和0至3650之间的工作日数",
                        "Enter a valid date and 0 to 3650 working days",
                    )
                    .into(),
                )
            }
        }
    }
    let checkpoint = audit::latest_checkpoint(app).await.ok().flatten();
    Ok(render(&Index {
        i,
        nav: page.nav,
        stats,
        calc,
        checkpoint,
    }))
}

/// Remember the language in a cookie and go back.
pub async fn switch_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    // Only same-site paths are followed back, never an arbitrary Referer URL.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            let rest = r.split_once("://")?.1.strip_prefix(host)?;
            rest.starts_with('/').then(|| rest.to_string())
        })
        // Browsers read `\` as `/` and drop tabs and newlines, so `/\evil.example` or
        // `/<TAB>/evil.example` would leave the site.
        .filter(|p| {
            !p.starts_with("/lang/")
                && !p.starts_with("//")
                && !p.chars().any(|c| c == '\\' || c.is_control())
        })
        .unwrap_or_else(|| "/".into());
    (
        [(
            header::SET_COOKIE,
            format!("lang={value}; Path=/; SameSite=Lax; Max-Age=31536000"),
        )],
        Redirect::to(&back),
    )
        .into_response()
}
