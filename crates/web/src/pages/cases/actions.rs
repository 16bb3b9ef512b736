//! One action per click on the case page: `POST /cases/{id}/do/{action}`. Each action is one
//! use case; a refusal shows the case page again with the reason (403 for the wrong role or
//! organisation, and nothing changes).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::cases::apply;
use yiwang_app::cases::handle::{
    self, AcceptInput, DeficiencyInput, DeliveryInput, NoticeInput, OpinionInput,
};
use yiwang_core::Problem;
use yiwang_core::cases::{CaseEvent, Defect, SuspensionKind, Verdict};

use super::{field, fields};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, problem_of, render, see_other};

const ACTIONS: &[(&str, CaseEvent)] = &[
    ("submit", CaseEvent::Submit),
    ("supply", CaseEvent::SupplyCorrection),
    ("withdraw", CaseEvent::Withdraw),
    ("accept", CaseEvent::Accept),
    ("deficiency", CaseEvent::AcceptWithDeficiency),
    ("not-accept", CaseEvent::NotAccept),
    ("notice", CaseEvent::RequestCorrection),
    ("opinion", CaseEvent::RecordOpinion),
    ("supplement", CaseEvent::RequestSupplement),
    ("suspend", CaseEvent::StartSpecialProcedure),
    ("resume", CaseEvent::Resume),
    ("extend", CaseEvent::ExtendLimit),
    ("approve", CaseEvent::Approve),
    ("refuse", CaseEvent::Refuse),
    ("complete", CaseEvent::Complete),
    ("deliver", CaseEvent::Deliver),
];

/// The path name of an event offered on the case page.
pub fn slug_of(e: CaseEvent) -> Option<&'static str> {
    ACTIONS.iter().find(|(_, v)| *v == e).map(|(s, _)| *s)
}

fn bad(code: &str, zh: &str, en: &str) -> yiwang_app::AppError {
    Problem::invalid(code, zh, en).into()
}

fn reason(pairs: &[(String, String)]) -> Option<&str> {
    Some(field(pairs, "reason")).filter(|r| !r.is_empty())
}

/// 提交成功: the case number and the query code, shown once.
#[derive(askama::Template)]
#[template(path = "cases_submitted.html")]
pub struct SubmittedTpl {
    pub i: I18n,
    pub nav: Nav,
    pub id: String,
    pub number: String,
    pub query_code: String,
    pub item: String,
    pub window: bool,
}

pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let Some(&(_, event)) = ACTIONS.iter().find(|(s, _)| *s == action) else {
        return Err(PageError::page_not_found());
    };
    let (app, actor) = (&state.app, &page.viewer.actor);
    let r: Result<(), yiwang_app::AppError> = match event {
        CaseEvent::Submit => match apply::submit(app, actor, &id).await {
            Ok(s) => {
                let tpl = SubmittedTpl {
                    i: page.i,
                    nav: page.nav,
                    id: s.case.case.id.clone(),
                    number: s.case.case.number.clone(),
                    query_code: s.query_code,
                    item: s.case.case.item_name.clone(),
                    window: false,
                };
                return Ok((StatusCode::OK, render(&tpl)).into_response());
            }
            Err(e) => Err(e),
        },
        CaseEvent::SupplyCorrection => apply::supply_correction(app, actor, &id).await.map(drop),
        CaseEvent::Withdraw => apply::withdraw(app, actor, &id, reason(&pairs))
            .await
            .map(drop),
        CaseEvent::Accept => handle::accept(
            app,
            actor,
            &id,
            AcceptInput {
                participants: fields(&pairs, "participant")
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            },
        )
        .await
        .map(drop),
        CaseEvent::AcceptWithDeficiency => {
            match chrono::NaiveDate::parse_from_str(field(&pairs, "committed_by"), "%Y-%m-%d") {
                Ok(date) => handle::accept_with_deficiency(
                    app,
                    actor,
                    &id,
                    DeficiencyInput {
                        pending: fields(&pairs, "pending")
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                        committed_by: date,
                        participants: Vec::new(),
                    },
                )
                .await
                .map(drop),
                Err(_) => Err(bad(
                    "case.committed_by",
                    "请填写承诺补齐材料的日期。",
                    "Enter the date by which the applicant commits to supply the materials.",
                )),
            }
        }
        CaseEvent::NotAccept => handle::not_accept(app, actor, &id, field(&pairs, "reason"))
            .await
            .map(drop),
        CaseEvent::RequestCorrection => {
            let note = field(&pairs, "note");
            let defects = fields(&pairs, "defect")
                .into_iter()
                .map(|m| Defect {
                    material: m.to_string(),
                    reason: note.to_string(),
                })
                .collect();
            handle::request_correction(
                app,
                actor,
                &id,
                NoticeInput {
                    defects,
                    reason: reason(&pairs).map(str::to_string),
                },
            )
            .await
            .map(drop)
        }
        CaseEvent::RecordOpinion => match Verdict::parse(field(&pairs, "verdict")) {
            Some(verdict) => handle::record_opinion(
                app,
                actor,
                &id,
                OpinionInput {
                    task: field(&pairs, "task").to_string(),
                    verdict,
                    comment: field(&pairs, "comment").to_string(),
                },
            )
            .await
            .map(drop),
            None => Err(bad(
                "case.verdict",
                "请选择同意或不同意。",
                "Choose agree or disagree.",
            )),
        },
        CaseEvent::RequestSupplement => handle::suspend(
            app,
            actor,
            &id,
            SuspensionKind::Supplement,
            field(&pairs, "reason"),
        )
        .await
        .map(drop),
        CaseEvent::StartSpecialProcedure => match SuspensionKind::parse(field(&pairs, "kind"))
            .filter(|k| *k != SuspensionKind::Supplement)
        {
            Some(kind) => handle::suspend(app, actor, &id, kind, field(&pairs, "reason"))
                .await
                .map(drop),
            None => Err(bad(
                "case.suspension_kind",
                "请选择特别程序种类。",
                "Choose the kind of special procedure.",
            )),
        },
        CaseEvent::Resume => handle::resume(app, actor, &id).await.map(drop),
        CaseEvent::ExtendLimit => {
            let days = field(&pairs, "days");
            match (days.is_empty(), days.parse::<u32>()) {
                (true, _) => handle::extend(app, actor, &id, None, field(&pairs, "reason"))
                    .await
                    .map(drop),
                (false, Ok(d)) => handle::extend(app, actor, &id, Some(d), field(&pairs, "reason"))
                    .await
                    .map(drop),
                (false, Err(_)) => Err(bad(
                    "case.extension_days",
                    "延长天数须为正整数。",
                    "The extension must be a whole number of days.",
                )),
            }
        }
        CaseEvent::Approve => handle::decide(app, actor, &id, true, field(&pairs, "note"))
            .await
            .map(drop),
        CaseEvent::Refuse => handle::decide(app, actor, &id, false, field(&pairs, "reason"))
            .await
            .map(drop),
        CaseEvent::Complete => handle::complete(app, actor, &id).await.map(drop),
        CaseEvent::Deliver => {
            let input = match field(&pairs, "mode") {
                "pickup" => Some(DeliveryInput::Pickup),
                "post" => Some(DeliveryInput::Post {
                    tracking_number: field(&pairs, "tracking_number").to_string(),
                }),
                "electronic" => Some(DeliveryInput::Electronic),
                _ => None,
            };
            match input {
                Some(input) => handle::deliver(app, actor, &id, input).await.map(drop),
                None => Err(bad(
                    "case.delivery_mode",
                    "请选择送达方式。",
                    "Choose how the result is delivered.",
                )),
            }
        }
        _ => return Err(PageError::page_not_found()),
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/cases/{id}?done=1"))),
        Err(e) => {
            let p = problem_of(e)?;
            super::case::case_with(&state, page, &id, Some(p), None).await
        }
    }
}
