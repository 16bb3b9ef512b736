//! 我的专家页: the signed-in expert's profile, the invitations to confirm or decline, and the
//! history of past draws. An invitation says when and where, never the tenderee or the bidders
//! (DOMAIN §2.4: confidentiality until check-in).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::experts::{answers, register};
use yiwang_core::Problem;
use yiwang_core::experts::ExpertStatus;
use yiwang_core::experts::expert::Title;
use yiwang_core::experts::roster::SeatState;
use yiwang_core::time::display_local;

use super::specialty_label;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

pub struct Profile {
    pub name: String,
    pub status: String,
    pub status_reason: String,
    pub region: String,
    pub term: String,
    pub titles: Vec<String>,
    pub specialties: Vec<String>,
    pub employments: Vec<String>,
    pub conflicts: Vec<String>,
    pub unavailable: Vec<String>,
    pub penalties: Vec<String>,
}

pub struct InvitationLine {
    pub draw_id: String,
    pub starts: String,
    pub place: String,
    pub answer_by: String,
    pub state: String,
    pub state_class: &'static str,
    /// Still waiting for the expert's answer: the confirm and decline buttons are shown.
    pub open: bool,
    /// Confirmed and not yet started: the expert may still withdraw (a replacement is drawn).
    pub can_decline: bool,
}

#[derive(askama::Template)]
#[template(path = "experts_me.html")]
struct MeTpl {
    i: I18n,
    nav: Nav,
    profile: Option<Profile>,
    open: Vec<InvitationLine>,
    history: Vec<InvitationLine>,
    notice: String,
    error: String,
}

#[derive(Deserialize)]
pub struct MeQuery {
    answered: Option<String>,
}

pub(super) fn profile(i: I18n, d: &register::ExpertDetail) -> Profile {
    let e = &d.expert;
    let status = ExpertStatus::parse(&e.status)
        .map(|s| i.t(s.label_zh(), s.label_en()).to_string())
        .unwrap_or_else(|| e.status.clone());
    let titles: Vec<Title> = serde_json::from_str(&e.titles).unwrap_or_default();
    let specialties: Vec<String> = serde_json::from_str(&e.specialties).unwrap_or_default();
    let span = |start: &str, end: Option<&str>| match end {
        Some(end) => format!("{start} — {end}"),
        None => format!("{start} — {}", i.t("至今", "now")),
    };
    Profile {
        name: e.name.clone(),
        status,
        status_reason: e.status_reason.clone().unwrap_or_default(),
        region: e.region.clone(),
        term: match (&e.term_start, &e.term_end) {
            (Some(s), Some(t)) => format!("{s} — {t}"),
            _ => i.t("未定", "not set").into(),
        },
        titles: titles
            .iter()
            .map(|t| format!("{}（{}）", t.name, t.awarded_on))
            .collect(),
        specialties: specialties.iter().map(|c| specialty_label(c)).collect(),
        employments: d
            .employments
            .iter()
            .map(|j| {
                format!(
                    "{}　{}",
                    j.org_name,
                    span(&j.start_date, j.end_date.as_deref())
                )
            })
            .collect(),
        conflicts: d.conflicts.iter().map(|c| c.body.clone()).collect(),
        unavailable: d
            .unavailable
            .iter()
            .map(|u| format!("{}　{}", span(&u.start_date, u.end_date.as_deref()), u.note))
            .collect(),
        penalties: d
            .penalties
            .iter()
            .map(|p| {
                format!(
                    "{}　{}",
                    span(&p.start_date, p.end_date.as_deref()),
                    p.reason
                )
            })
            .collect(),
    }
}

fn line(i: I18n, v: &answers::MyInvitation) -> InvitationLine {
    let state = SeatState::parse(&v.state);
    let state_class = match state {
        Some(SeatState::Invited) => "st-waiting",
        Some(SeatState::Confirmed | SeatState::CheckedIn) => "st-done",
        _ => "st-closed",
    };
    InvitationLine {
        draw_id: v.draw_id.clone(),
        starts: display_local(v.starts_at),
        place: v.place.clone(),
        answer_by: display_local(v.answer_by),
        state: state
            .map(|s| i.t(s.label_zh(), s.label_en()).to_string())
            .unwrap_or_else(|| v.state.clone()),
        state_class,
        open: state == Some(SeatState::Invited),
        can_decline: state == Some(SeatState::Confirmed) && v.starts_at > yiwang_app::now_micros(),
    }
}

async fn me_with(
    state: &AppState,
    page: SignedPage,
    notice: String,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let i = page.i;
    let (app, actor) = (&state.app, &page.viewer.actor);
    let detail = match register::mine(app, actor).await {
        Ok(d) => Some(d),
        Err(e) => {
            // Not an expert (yet): the page says so instead of failing.
            let p = problem_of(e)?;
            if matches!(p.kind, yiwang_core::ProblemKind::NotFound) {
                None
            } else {
                return Err(PageError::from(yiwang_app::AppError::Problem(p)));
            }
        }
    };
    let invitations = answers::my_invitations(app, actor).await?;
    let (open, history): (Vec<_>, Vec<_>) =
        invitations.iter().map(|v| line(i, v)).partition(|l| l.open);
    let status = problem
        .as_ref()
        .map(|p| crate::error::status_of(p.kind))
        .unwrap_or(StatusCode::OK);
    let error = problem
        .map(|p| i.t(&p.message, &p.message_en).to_string())
        .unwrap_or_default();
    let tpl = MeTpl {
        i,
        nav: page.nav,
        profile: detail.as_ref().map(|d| profile(i, d)),
        open,
        history,
        notice,
        error,
    };
    Ok((status, render(&tpl)).into_response())
}

pub async fn me(
    State(state): State<AppState>,
    page: SignedPage,
    q: Result<Query<MeQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let notice = match q.ok().and_then(|Query(q)| q.answered).as_deref() {
        Some("confirm") => i
            .t(
                "已确认参加。请按时到达评标地点并携带身份证件签到。",
                "Confirmed. Please arrive on time and bring your identity card to check in.",
            )
            .to_string(),
        Some("decline") => i
            .t(
                "已拒绝参加，系统将自动补抽。",
                "Declined; a replacement will be drawn automatically.",
            )
            .to_string(),
        _ => String::new(),
    };
    me_with(&state, page, notice, None).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    answer: String,
}

/// 确认参加 / 拒绝参加: one click, one use case; a refusal (too late, not invited) shows the page
/// again with the reason and changes nothing.
pub async fn answer(
    State(state): State<AppState>,
    Path(draw): Path<String>,
    SignedForm { page, form }: SignedForm<AnswerForm>,
) -> Result<Response, PageError> {
    let form = form.ok_or_else(PageError::form_expired)?;
    let confirm = match form.answer.as_str() {
        "confirm" => true,
        "decline" => false,
        _ => {
            let p = Problem::invalid(
                "experts.answer",
                "请选择确认参加或拒绝参加。",
                "Choose to confirm or to decline.",
            );
            return me_with(&state, page, String::new(), Some(p)).await;
        }
    };
    match answers::respond(&state.app, &page.viewer.actor, &draw, confirm).await {
        Ok(_) => Ok(see_other(&format!("/experts/me?answered={}", form.answer))),
        Err(e) => {
            let p = problem_of(e)?;
            me_with(&state, page, String::new(), Some(p)).await
        }
    }
}
