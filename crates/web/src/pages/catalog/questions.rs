//! The staff queue of consultations (问, `/catalog/questions`): answer privately, and publish a
//! question with its answer as a FAQ once personal data is taken out.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::catalog::questions;
use yiwang_core::access::{self, Permission, Scope};
use yiwang_core::time::display_local;

use super::{MsgQuery, message_of};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

pub struct QuestionLine {
    pub id: String,
    pub item_id: String,
    pub item_name: String,
    pub item_code: String,
    pub question: String,
    pub asked: String,
    /// The private answer typed so far (after a refused submission).
    pub answer: String,
    /// The public wording of the question, prefilled with the original.
    pub public_question: String,
    pub public_answer: String,
    /// Personal data found in the public question and answer: (kind label, text).
    pub question_findings: Vec<(String, String)>,
    pub answer_findings: Vec<(String, String)>,
    pub publish_checked: bool,
}

#[derive(askama::Template)]
#[template(path = "catalog_questions.html")]
struct QuestionsTpl {
    i: I18n,
    nav: Nav,
    questions: Vec<QuestionLine>,
    message: Option<String>,
    error: Option<String>,
}

/// A refused answer, shown again with what was typed.
struct Failed {
    message: String,
    id: String,
    form: AnswerForm,
}

fn findings_of(i: I18n, field: &str, text: &str) -> Vec<(String, String)> {
    questions::privacy_findings(field, text)
        .into_iter()
        .map(|f| (i.t(&f.label, &f.label_en).to_string(), f.text))
        .collect()
}

async fn questions_page(
    state: &AppState,
    page: &SignedPage,
    status: StatusCode,
    message: Option<String>,
    failed: Option<Failed>,
) -> Result<Response, PageError> {
    let i = page.i;
    let queue = questions::queue(&state.app.store, &page.viewer.actor).await?;
    let error = failed.as_ref().map(|f| f.message.clone());
    let tpl = QuestionsTpl {
        i,
        nav: page.nav.clone(),
        questions: queue
            .into_iter()
            .map(|q| {
                let again = failed
                    .as_ref()
                    .filter(|f| f.id == q.question.id)
                    .map(|f| &f.form);
                let answer = again.map(|f| f.answer.clone()).unwrap_or_default();
                let public_question = again
                    .map(|f| f.public_question.clone())
                    .unwrap_or_else(|| q.question.question.clone());
                let public_answer = again.map(|f| f.public_answer.clone()).unwrap_or_default();
                let shown_answer = if public_answer.trim().is_empty() {
                    answer.clone()
                } else {
                    public_answer.clone()
                };
                QuestionLine {
                    question_findings: findings_of(i, "public_question", &public_question),
                    answer_findings: findings_of(i, "public_answer", &shown_answer),
                    publish_checked: again.is_some_and(|f| f.publish_faq.is_some()),
                    id: q.question.id,
                    item_id: q.item.id,
                    item_name: q.item.name,
                    item_code: q.item.code,
                    question: q.question.question,
                    asked: display_local(q.question.created_at),
                    answer,
                    public_question,
                    public_answer,
                }
            })
            .collect(),
        message,
        error,
    };
    Ok((status, render(&tpl)).into_response())
}

pub async fn questions_list(
    State(state): State<AppState>,
    page: SignedPage,
    query: Result<Query<MsgQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let a = &page.viewer.actor;
    if !a
        .grants
        .iter()
        .any(|g| access::authorize(a, Permission::AnswerQuestions, Scope::Org(&g.org_path)).is_ok())
    {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            ("无权访问", "此页面仅限负责答复咨询的工作人员访问。"),
            (
                "Not allowed",
                "This page is for staff who answer questions.",
            ),
        ));
    }
    let Query(q) = query.unwrap_or_default();
    let message = message_of(page.i, q.msg.as_deref());
    questions_page(&state, &page, StatusCode::OK, message, None).await
}

#[derive(Deserialize, Default, Clone)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    publish_faq: Option<String>,
    /// The public wording (edited by staff); empty public answer: the private answer.
    #[serde(default)]
    public_question: String,
    #[serde(default)]
    public_answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<AnswerForm>,
) -> Result<Response, PageError> {
    let i = page.i;
    let Some(form) = form else {
        let failed = Failed {
            message: i.t("表单不完整", "The form is incomplete").to_string(),
            id: id.clone(),
            form: AnswerForm::default(),
        };
        return questions_page(&state, &page, StatusCode::BAD_REQUEST, None, Some(failed)).await;
    };
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let input = questions::AnswerInput {
        answer: form.answer.clone(),
        publish_faq: form.publish_faq.is_some(),
        public_question: nonempty(&form.public_question),
        public_answer: nonempty(&form.public_answer),
    };
    match questions::answer(&state.app.store, &page.viewer.actor, &id, &input).await {
        Ok(_) => Ok(see_other("/catalog/questions?msg=answered")),
        Err(e) => {
            let p = problem_of(e)?;
            let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            let failed = Failed {
                message: i.t(&p.message, &p.message_en).to_string(),
                id,
                form: AnswerForm {
                    answer: cut(&form.answer, 2000),
                    publish_faq: form.publish_faq,
                    public_question: cut(&form.public_question, 500),
                    public_answer: cut(&form.public_answer, 2000),
                },
            };
            let status = crate::error::status_of(p.kind);
            questions_page(&state, &page, status, None, Some(failed)).await
        }
    }
}
