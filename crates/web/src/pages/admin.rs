//! Administration pages: the working-day calendar and the audit ledger.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::calendar::{self, Amendment};
use yiwang_core::access::{self, Permission, Scope};
use yiwang_core::calendar::{CalendarEntry, DayKind};
use yiwang_core::time::display_local;

use super::{Nav, app_error_page, check_csrf, error_page, render, require};
use crate::AppState;
use crate::auth::Viewer;
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

fn forbidden(i: I18n, nav: Nav) -> Response {
    error_page(
        i,
        nav,
        StatusCode::FORBIDDEN,
        ("无权访问", "此页面仅限有权限的人员访问。"),
        ("Not allowed", "This page is for authorised staff only."),
    )
}

async fn calendar_page(
    state: &AppState,
    i: I18n,
    nav: Nav,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let view = match calendar::current(&state.app.store).await {
        Ok(v) => v,
        Err(e) => return app_error_page(e, i, nav),
    };
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
    let page = CalendarPage {
        i,
        nav,
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
        message,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if access::authorize(&signed.actor, Permission::ManageCalendar, Scope::Platform).is_err() {
        return forbidden(i, Nav::of(&viewer));
    }
    calendar_page(&state, i, Nav::of(&viewer), StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct AmendForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    date: String,
    kind: String,
    #[serde(default)]
    name: String,
    note: String,
}

pub async fn amend_calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    form: Result<Form<AmendForm>, FormRejection>,
) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    let bad = |msg: &str| Some(msg.to_string());
    let Ok(Form(form)) = form else {
        let e = bad(i.t("表单不完整", "The form is incomplete"));
        return calendar_page(
            &state,
            i,
            Nav::of(&viewer),
            StatusCode::BAD_REQUEST,
            None,
            e,
        )
        .await;
    };
    if let Err(r) = check_csrf(signed, &form.csrf, i, Nav::of(&viewer)) {
        return r;
    }
    let Ok(date) = chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        let e = bad(i.t("日期格式应为 YYYY-MM-DD", "Dates are YYYY-MM-DD"));
        return calendar_page(
            &state,
            i,
            Nav::of(&viewer),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            e,
        )
        .await;
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
            let e = bad(i.t("未知的日期类型", "Unknown day kind"));
            return calendar_page(
                &state,
                i,
                Nav::of(&viewer),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                e,
            )
            .await;
        }
    }
    match calendar::amend(&state.app, &signed.actor, amendment).await {
        Ok(v) => {
            let msg = format!("{} v{}", i.t("已生成新版本", "Saved as version"), v.version);
            calendar_page(&state, i, Nav::of(&viewer), StatusCode::OK, Some(msg), None).await
        }
        Err(yiwang_app::AppError::Problem(p)) => {
            let status = crate::error::status_of(p.kind);
            let e = Some(i.t(&p.message, &p.message_en).to_string());
            calendar_page(&state, i, Nav::of(&viewer), status, None, e).await
        }
        Err(e) => app_error_page(e, i, Nav::of(&viewer)),
    }
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

pub async fn audit(State(state): State<AppState>, headers: HeaderMap, viewer: Viewer) -> Response {
    let signed = match require(&viewer) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let i = I18n::from_headers(&headers);
    if !signed.actor.grants.iter().any(|g| {
        access::authorize(
            &signed.actor,
            Permission::ViewAudit,
            Scope::Org(&g.org_path),
        )
        .is_ok()
    }) {
        return forbidden(i, Nav::of(&viewer));
    }
    match yiwang_app::audit::recent_for(&state.app.store, &signed.actor, 100).await {
        Ok(rows) => render(&AuditPage {
            i,
            nav: Nav::of(&viewer),
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
        }),
        Err(e) => app_error_page(e, i, Nav::of(&viewer)),
    }
}
