//! Administration pages: the working-day calendar and the audit ledger.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::calendar::{self, Amendment};
use yiwang_core::access::{self, Permission, Scope};
use yiwang_core::calendar::{CalendarEntry, DayKind};
use yiwang_core::time::display_local;

use super::{Nav, PageError, SignedForm, SignedPage, problem_of, render};
use crate::AppState;
use crate::i18n::I18n;

pub struct DayLine {
    pub date: String,
    pub kind: String,
    pub name: String,
}

pub struct VersionLine {
    pub version: i64,
    pub at: String,
    pub note: String,
}

#[derive(askama::Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    i: I18n,
    nav: Nav,
    version: i64,
    days: Vec<DayLine>,
    versions: Vec<VersionLine>,
    /// Years whose official arrangement is loaded.
    official_years: String,
    /// A year whose arrangement is missing and should be loaded now.
    missing_year: Option<i32>,
    message: Option<String>,
    error: Option<String>,
}

fn forbidden() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        ("无权访问", "此页面仅限有权限的人员访问。"),
        ("Not allowed", "This page is for authorised staff only."),
    )
}

/// What the calendar page says above the calendar.
#[derive(Default)]
struct Notice {
    status: Option<StatusCode>,
    message: Option<String>,
    error: Option<String>,
}

impl Notice {
    fn error(status: StatusCode, error: &str) -> Self {
        Notice {
            status: Some(status),
            error: Some(error.to_string()),
            message: None,
        }
    }
}

async fn calendar_page(
    state: &AppState,
    page: &SignedPage,
    notice: Notice,
) -> Result<Response, PageError> {
    let i = page.i;
    let view = calendar::current(&state.app.store).await?;
    let versions = calendar::versions(&state.app.store)
        .await
        .unwrap_or_default();
    let (version, days, official_years) = match view {
        Some(v) => (v.version.version, v.days, v.official_years),
        None => (0, Vec::new(), Vec::new()),
    };
    let official_years = official_years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let tpl = CalendarPage {
        i,
        nav: page.nav.clone(),
        version,
        days: days
            .into_iter()
            .rev()
            .map(|d| DayLine {
                date: d.date.format("%Y-%m-%d").to_string(),
                kind: match d.kind {
                    DayKind::Off => i.t("放假", "Day off"),
                    DayKind::Work => i.t("调休上班", "Working day"),
                }
                .into(),
                name: d.name,
            })
            .collect(),
        versions: versions
            .into_iter()
            .rev()
            .map(|v| VersionLine {
                version: v.version,
                at: display_local(v.created_at),
                note: v.note,
            })
            .collect(),
        official_years,
        missing_year: calendar::missing_year(&state.app, chrono::Utc::now()),
        message: notice.message,
        error: notice.error,
    };
    Ok((notice.status.unwrap_or(StatusCode::OK), render(&tpl)).into_response())
}

fn may_manage_calendar(page: &SignedPage) -> Result<(), PageError> {
    access::authorize(
        &page.viewer.actor,
        Permission::ManageCalendar,
        Scope::Platform,
    )
    .map(|_| ())
    .map_err(|_| forbidden())
}

pub async fn calendar(
    State(state): State<AppState>,
    page: SignedPage,
) -> Result<Response, PageError> {
    may_manage_calendar(&page)?;
    calendar_page(&state, &page, Notice::default()).await
}

#[derive(Deserialize)]
pub struct AmendForm {
    date: String,
    kind: String,
    #[serde(default)]
    name: String,
    note: String,
}

pub async fn amend_calendar(
    State(state): State<AppState>,
    SignedForm { page, form }: SignedForm<AmendForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    let Some(form) = form else {
        let e = i.t("表单不完整", "The form is incomplete");
        return calendar_page(&state, &page, Notice::error(StatusCode::BAD_REQUEST, e)).await;
    };
    let unprocessable = |e: &str| Notice::error(StatusCode::UNPROCESSABLE_ENTITY, e);
    let Ok(date) = chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        let e = i.t("日期格式应为 YYYY-MM-DD", "Dates are YYYY-MM-DD");
        return calendar_page(&state, &page, unprocessable(e)).await;
    };
    let mut amendment = Amendment {
        note: form.note,
        ..Default::default()
    };
    match form.kind.as_str() {
        "off" | "work" => amendment.set.push(CalendarEntry {
            date,
            kind: if form.kind == "off" {
                DayKind::Off
            } else {
                DayKind::Work
            },
            name: form.name.trim().to_string(),
        }),
        "remove" => amendment.remove.push(date),
        _ => {
            let e = i.t("未知的日期类型", "Unknown day kind");
            return calendar_page(&state, &page, unprocessable(e)).await;
        }
    }
    let notice = match calendar::amend(&state.app, &page.viewer.actor, amendment).await {
        Ok(v) => Notice {
            message: Some(format!(
                "{} v{}",
                i.t("已生成新版本", "Saved as version"),
                v.version
            )),
            ..Default::default()
        },
        Err(e) => {
            let p = problem_of(e)?;
            Notice::error(
                crate::error::status_of(p.kind),
                i.t(&p.message, &p.message_en),
            )
        }
    };
    calendar_page(&state, &page, notice).await
}

pub struct EntryLine {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub role: String,
    pub subject: String,
    pub hash: String,
}

#[derive(askama::Template)]
#[template(path = "audit.html")]
struct AuditPage {
    i: I18n,
    nav: Nav,
    entries: Vec<EntryLine>,
}

pub async fn audit(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    let actor = &page.viewer.actor;
    if !actor
        .grants
        .iter()
        .any(|g| access::authorize(actor, Permission::ViewAudit, Scope::Org(&g.org_path)).is_ok())
    {
        return Err(forbidden());
    }
    let rows = yiwang_app::audit::recent_for(&state.app.store, actor, 100).await?;
    Ok(render(&AuditPage {
        i: page.i,
        nav: page.nav,
        entries: rows
            .into_iter()
            .map(|r| EntryLine {
                seq: r.seq,
                at: display_local(r.at),
                action: r.action,
                role: r.actor_role.unwrap_or_default(),
                subject: format!("{} {}", r.subject_type, r.subject_id),
                hash: r.hash[..16].to_string(),
            })
            .collect(),
    }))
}
