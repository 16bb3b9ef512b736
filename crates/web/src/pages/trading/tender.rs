//! 招标人/代理机构: their sections (every state), a new project with its first section (sent to
//! the trading centre for 进场登记), the tender documents of a section (uploaded with their
//! clauses; the 量体裁衣 checker's findings shown) and publication with a lawful schedule
//! proposed by the platform.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use yiwang_app::trading::portal;
use yiwang_app::trading::tenders::{self, NewProject, NewSection, ScheduleInput};
use yiwang_core::Problem;
use yiwang_core::trading::parties::PartyKind;
use yiwang_core::trading::{SectionState, TradeField, TradeMethod};

use super::portal::Choice;
use super::{SectionLine, is_pending_entry, when};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::cases::field;
use crate::pages::catalog::multipart::{read_parts, upload_error};
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

#[derive(askama::Template)]
#[template(path = "trading_tenders.html")]
struct MineTpl {
    i: I18n,
    nav: Nav,
    party: Option<String>,
    sections: Vec<SectionLine>,
    centres: Vec<(String, String)>,
    fields: Vec<Choice>,
    methods: Vec<Choice>,
    error: Option<String>,
    form: Vec<(String, String)>,
}

impl MineTpl {
    fn value(&self, k: &str) -> &str {
        field(&self.form, k)
    }
}

/// The actor's tenderee party (its id and name), if its organisation registered as one.
async fn tenderee_party(
    state: &AppState,
    page: &SignedPage,
) -> Result<Option<portal::TradingParty>, PageError> {
    Ok(portal::my_parties(&state.app, &page.viewer.actor)
        .await?
        .into_iter()
        .find(|p| PartyKind::parse(&p.kind) == Some(PartyKind::Tenderee)))
}

async fn mine_page(
    state: &AppState,
    page: SignedPage,
    error: Option<String>,
    form: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let i = page.i;
    let party = tenderee_party(state, &page).await?.map(|p| p.name);
    let sections = portal::tender_sections(&state.app, &page.viewer.actor)
        .await?
        .iter()
        .map(|(s, p)| SectionLine::of(i, s, Some(p)))
        .collect();
    let centres = portal::trading_centres(&state.app)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let sel = |k: &str| field(&form, k).to_string();
    let (f, m) = (sel("field"), sel("method"));
    let fields = TradeField::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str(),
            label: i.t(x.label_zh(), x.label_en()).to_string(),
            selected: x.as_str() == f,
        })
        .collect();
    let methods = TradeMethod::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str(),
            label: i.t(x.label_zh(), x.label_en()).to_string(),
            selected: x.as_str() == m,
        })
        .collect();
    let tpl = MineTpl {
        i,
        nav: page.nav,
        party,
        sections,
        centres,
        fields,
        methods,
        error,
        form,
    };
    Ok((status, render(&tpl)).into_response())
}

pub async fn mine(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    mine_page(&state, page, None, Vec::new(), StatusCode::OK).await
}

/// 新建项目: a project with one section, registered with the chosen trading centre.
pub async fn create(
    State(state): State<AppState>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let Some(party) = tenderee_party(&state, &page).await? else {
        return Err(Problem::forbidden().into());
    };
    let f = |k: &str| field(&pairs, k).to_string();
    let deposit = Some(f("deposit")).filter(|d| !d.is_empty());
    let input = NewProject {
        code: f("code"),
        name: f("name"),
        tenderee_party_id: party.id,
        agency_party_id: None,
        centre_org_id: f("centre"),
        sections: vec![NewSection {
            name: f("section"),
            field: f("field"),
            sub_category: 1,
            method: f("method"),
            estimated_price: f("estimated"),
            deposit,
        }],
    };
    match tenders::create_project(&state.app, &page.viewer.actor, input).await {
        Ok((_, sections)) => {
            let to = sections
                .first()
                .map(|s| format!("/trading/tenders/{}", s.id))
                .unwrap_or_else(|| "/trading/tenders".into());
            Ok(see_other(&to))
        }
        Err(e) => {
            let p = problem_of(e)?;
            let status = crate::error::status_of(p.kind);
            let msg = page.i.t(&p.message, &p.message_en).to_string();
            mine_page(&state, page, Some(msg), pairs, status).await
        }
    }
}

pub struct DocView {
    pub id: String,
    pub filename: String,
    pub created: String,
    pub published: String,
    pub findings: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "trading_tender.html")]
struct SectionTpl {
    i: I18n,
    nav: Nav,
    line: SectionLine,
    pending: bool,
    publishable: bool,
    published: bool,
    documents: Vec<DocView>,
    documents_until: String,
    deadline: String,
    error: Option<String>,
    message: Option<String>,
}

/// `2026-12-24T09:30` in Beijing time, as a datetime-local input shows it.
fn local_input(us: i64) -> String {
    yiwang_core::time::from_micros(us)
        .with_timezone(&yiwang_core::time::shanghai())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn parse_local(text: &str) -> Option<i64> {
    let t = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Some(
        t.and_local_timezone(yiwang_core::time::shanghai())
            .single()?
            .timestamp_micros(),
    )
}

async fn section_page(
    state: &AppState,
    page: SignedPage,
    id: &str,
    error: Option<String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let i = page.i;
    let ((s, p), docs) = portal::managed_section(&state.app, &page.viewer.actor, id).await?;
    let now = yiwang_app::now_micros();
    let proposed = portal::proposed_schedule(&state.app, &s, now)?;
    let mut documents = Vec::new();
    for d in docs.iter().rev() {
        let findings = tenders::findings_of(d)?
            .iter()
            .map(|f| {
                format!(
                    "{}{}{}：{}",
                    i.t("第", "Clause "),
                    f.clause + 1,
                    i.t("条", ""),
                    i.t(f.restriction.label_zh(), f.restriction.label_en())
                ) + &format!("（{}）", f.matched)
            })
            .collect();
        documents.push(DocView {
            id: d.id.clone(),
            filename: d.filename.clone(),
            created: when(Some(d.created_at)),
            published: when(d.published_at),
            findings,
        });
    }
    let registered = SectionState::parse(&s.state) == Some(SectionState::Registered);
    let tpl = SectionTpl {
        i,
        nav: page.nav,
        line: SectionLine::of(i, &s, Some(&p)),
        pending: is_pending_entry(&s.state) && s.transaction_code.is_none(),
        publishable: registered && s.transaction_code.is_some() && !documents.is_empty(),
        published: s.notice_at.is_some(),
        documents,
        documents_until: local_input(proposed.documents_until),
        deadline: local_input(proposed.bid_deadline),
        error,
        message,
    };
    Ok((status, render(&tpl)).into_response())
}

pub async fn section(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
) -> Result<Response, PageError> {
    section_page(&state, page, &id, None, None, StatusCode::OK).await
}

/// 上传招标文件: the file and its clauses (one per line), checked for 量体裁衣.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    // Authorize before reading the body.
    portal::managed_section(&state.app, &page.viewer.actor, &id).await?;
    let parts = match read_parts(mp, super::UPLOAD_LIMIT as u64).await {
        Ok(p) => p,
        Err(status) => {
            let msg = upload_error(i, status);
            return section_page(&state, page, &id, Some(msg), None, status).await;
        }
    };
    page.viewer.check_csrf(parts.field("_csrf"))?;
    let Some(file) = parts.file("file") else {
        let msg = i
            .t("请选择招标文件。", "Choose the tender documents file.")
            .to_string();
        return section_page(&state, page, &id, Some(msg), None, StatusCode::BAD_REQUEST).await;
    };
    let content = tokio::fs::read(file.upload.path())
        .await
        .map_err(|e| yiwang_app::AppError::Internal(format!("spooled upload: {e}")))?;
    let clauses: Vec<String> = parts
        .field("clauses")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let r = tenders::upload_documents(
        &state.app,
        &page.viewer.actor,
        &id,
        &file.filename,
        content,
        clauses,
    )
    .await;
    match r {
        Ok(_) => {
            let msg = i.t("招标文件已上传。", "The tender documents are uploaded.");
            section_page(&state, page, &id, None, Some(msg.into()), StatusCode::OK).await
        }
        Err(e) => {
            let p = problem_of(e)?;
            let msg = i.t(&p.message, &p.message_en).to_string();
            let status = crate::error::status_of(p.kind);
            section_page(&state, page, &id, Some(msg), None, status).await
        }
    }
}

/// 发布招标公告: the latest document version with the schedule entered (Beijing time).
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let i = page.i;
    let now = yiwang_app::now_micros();
    let (until, deadline) = (
        parse_local(field(&pairs, "documents_until")),
        parse_local(field(&pairs, "bid_deadline")),
    );
    let (Some(until), Some(deadline)) = (until, deadline) else {
        let msg = i.t(
            "请填写文件获取截止时间和投标截止时间。",
            "Enter both dates.",
        );
        return section_page(
            &state,
            page,
            &id,
            Some(msg.into()),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let schedule = ScheduleInput {
        notice_at: now,
        documents_from: now,
        documents_until: until,
        bid_deadline: deadline,
    };
    let doc = field(&pairs, "document");
    match tenders::publish_tender(&state.app, &page.viewer.actor, &id, doc, schedule).await {
        Ok(s) => Ok(see_other(&format!("/trading/sections/{}", s.id))),
        Err(e) => {
            let p = problem_of(e)?;
            let mut msg = i.t(&p.message, &p.message_en).to_string();
            if let Some(v) = p.details.as_ref().and_then(|d| d.get("violations")) {
                for x in v.as_array().into_iter().flatten() {
                    let k = if i.en { "message_en" } else { "message" };
                    if let Some(t) = x.get(k).and_then(|t| t.as_str()) {
                        msg.push(' ');
                        msg.push_str(t);
                    }
                }
            }
            let status = crate::error::status_of(p.kind);
            section_page(&state, page, &id, Some(msg), None, status).await
        }
    }
}
