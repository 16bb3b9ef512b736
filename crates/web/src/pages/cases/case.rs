//! The case page (办件详情): status, deadlines, the 一次性告知 with what is missing and where to
//! supply it, the form and materials, the review tasks and opinions, the history; and the
//! actions the viewer may take now, one button each.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::cases::query::{self, CaseScreen};
use yiwang_core::cases::{CaseEvent, CaseKind, CaseState, Channel, SuspensionKind};

use super::{
    ApplicantForm, FieldView, StateTag, WarnTag, field_errors, field_views, form_values, state_tag,
    warn_tag, when,
};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedPage, render};

/// The actions offered, by their path names (see `actions::event_of`).
pub struct Acts(Vec<&'static str>);

impl Acts {
    pub fn has(&self, slug: &str) -> bool {
        self.0.contains(&slug)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

pub struct MaterialLine {
    pub name: String,
    pub required: bool,
    pub files: Vec<String>,
    pub missing: bool,
}

pub struct NoticeLineView {
    pub material: String,
    pub problem: String,
    pub reason: String,
    /// Files handed in for it since the notice.
    pub since: Vec<String>,
}

pub struct NoticeShown {
    pub round: i64,
    pub lines: Vec<NoticeLineView>,
    pub reason: String,
    pub issued: String,
    pub answered: Option<String>,
}

pub struct TaskLine {
    pub key: String,
    pub name: String,
    pub department: String,
    pub role: String,
    pub verdict: Option<String>,
    pub comment: String,
    pub mine: bool,
}

pub struct EventLine {
    pub label: String,
    pub to: String,
    pub at: String,
    pub reason: String,
}

#[derive(askama::Template)]
#[template(path = "cases_case.html")]
struct CaseTpl {
    i: I18n,
    nav: Nav,
    id: String,
    item_id: String,
    number: String,
    item: String,
    state: StateTag,
    warn: Option<WarnTag>,
    kind: String,
    channel: String,
    department: String,
    centre: String,
    own: bool,
    a: ApplicantForm,
    received: String,
    accepted: String,
    due: String,
    decided: String,
    completed: String,
    delivered: String,
    promised_days: i64,
    legal_days: i64,
    extended: bool,
    suspension: Option<String>,
    outcome: Option<String>,
    decision_note: String,
    delivery: String,
    /// The notice waiting for the applicant now (the last one, not yet answered).
    open_notice: Option<NoticeShown>,
    notices: Vec<NoticeShown>,
    missing: Vec<String>,
    pending: Vec<String>,
    committed_by: String,
    editable: bool,
    fields: Vec<FieldView>,
    values: Vec<(String, String)>,
    materials: Vec<MaterialLine>,
    /// The materials the applicant may hand in now.
    uploadable: Vec<String>,
    handed_in: Vec<String>,
    tasks: Vec<TaskLine>,
    events: Vec<EventLine>,
    acts: Acts,
    message: Option<String>,
    error: Option<String>,
    error_list: Vec<String>,
    today: String,
}

#[derive(Deserialize)]
pub struct Flags {
    saved: Option<String>,
    uploaded: Option<String>,
    done: Option<String>,
}

pub async fn case_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: SignedPage,
    q: Result<Query<Flags>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let msg = match q {
        Ok(Query(f)) if f.saved.is_some() => Some(i.t("已保存。", "Saved.")),
        Ok(Query(f)) if f.uploaded.is_some() => Some(i.t("材料已上传。", "The file was uploaded.")),
        Ok(Query(f)) if f.done.is_some() => Some(i.t("已办理。", "Done.")),
        _ => None,
    };
    let screen = query::case_screen(&state.app, &page.viewer.actor, &id).await?;
    Ok(render(&build(
        i,
        page.nav,
        screen,
        msg.map(str::to_string),
        None,
        None,
    ))
    .into_response())
}

/// The case page again after a refused change: the problem shown on it, with its status (the
/// error page when the viewer may not see the case at all).
pub async fn case_with(
    state: &AppState,
    page: SignedPage,
    id: &str,
    problem: Option<yiwang_core::Problem>,
    pairs: Option<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = page.i;
    let screen = match query::case_screen(&state.app, &page.viewer.actor, id).await {
        Ok(s) => s,
        Err(e) => {
            return Err(match problem {
                Some(p) => p.into(),
                None => e.into(),
            });
        }
    };
    let status = problem
        .as_ref()
        .map(|p| crate::error::status_of(p.kind))
        .unwrap_or(StatusCode::OK);
    let tpl = build(i, page.nav, screen, None, problem, pairs);
    Ok((status, render(&tpl)).into_response())
}

fn build(
    i: I18n,
    nav: Nav,
    s: CaseScreen,
    message: Option<String>,
    problem: Option<yiwang_core::Problem>,
    pairs: Option<Vec<(String, String)>>,
) -> CaseTpl {
    let c = &s.detail.case.case;
    let st = s.detail.case.state;
    let errs = problem
        .as_ref()
        .map(|p| field_errors(i, p))
        .unwrap_or_default();
    let values = match &pairs {
        Some(p) => form_values(p),
        None => s.form.clone(),
    };
    let fields = field_views(i, &s.form_fields, &values, &errs);
    let shown_values = s
        .form_fields
        .iter()
        .map(|f| {
            (
                f.label.clone(),
                s.form.get(&f.key).cloned().unwrap_or_else(|| "—".into()),
            )
        })
        .collect();
    let files_of = |name: &str| -> Vec<String> {
        s.detail
            .materials
            .iter()
            .filter(|m| m.material == name)
            .map(|m| format!("{}（{} KB）", m.filename, (m.size + 1023) / 1024))
            .collect()
    };
    let materials = s
        .materials
        .iter()
        .map(|m| MaterialLine {
            name: m.name.clone(),
            required: m.required,
            files: files_of(&m.name),
            missing: s.missing.contains(&m.name),
        })
        .collect();
    let supplement = st == CaseState::Suspended && s.suspension == Some(SuspensionKind::Supplement);
    let uploadable: Vec<String> = if !s.own {
        Vec::new()
    } else if st == CaseState::Draft || st == CaseState::CorrectionRequested || supplement {
        s.materials.iter().map(|m| m.name.clone()).collect()
    } else if st.is_after_acceptance() && st != CaseState::Delivered {
        s.pending.clone()
    } else {
        Vec::new()
    };
    let notice_of = |n: &query::NoticeView| NoticeShown {
        round: n.round,
        lines: n
            .lines
            .iter()
            .map(|l| NoticeLineView {
                material: l.material.clone(),
                problem: if l.missing {
                    i.t("缺少材料", "Missing")
                } else {
                    i.t("材料不符合要求", "Defective")
                }
                .to_string(),
                reason: l.reason.clone(),
                since: s
                    .detail
                    .materials
                    .iter()
                    .filter(|m| m.material == l.material && m.uploaded_at >= n.issued_at)
                    .map(|m| m.filename.clone())
                    .collect(),
            })
            .collect(),
        reason: n.reason.clone().unwrap_or_default(),
        issued: when(Some(n.issued_at)),
        answered: n.answered_at.map(|a| when(Some(a))),
    };
    let open_notice = s
        .notices
        .last()
        .filter(|n| n.answered_at.is_none() && (st == CaseState::CorrectionRequested || supplement))
        .map(notice_of);
    let tasks = s
        .tasks
        .iter()
        .map(|t| TaskLine {
            key: t.key.clone(),
            name: t.name.clone(),
            department: t.department.clone(),
            role: i.t(t.role.label_zh(), t.role.label_en()).to_string(),
            verdict: t
                .verdict
                .map(|v| i.t(v.label_zh(), v.label_en()).to_string()),
            comment: t.comment.clone(),
            mine: t.mine,
        })
        .collect();
    let events = s
        .detail
        .events
        .iter()
        .map(|e| {
            let ev = CaseEvent::parse(&e.event);
            let to = CaseState::parse(&e.to_status);
            EventLine {
                label: ev
                    .map(|v| i.t(v.label_zh(), v.label_en()).to_string())
                    .unwrap_or_else(|| e.event.clone()),
                to: to
                    .map(|v| i.t(v.label_zh(), v.label_en()).to_string())
                    .unwrap_or_default(),
                at: when(Some(e.at)),
                reason: e.reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    let delivery = c
        .delivery
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .map(|v| {
            let mode = v.get("mode").and_then(|m| m.as_str()).unwrap_or("");
            match mode {
                "pickup" => i.t("窗口领取", "Collected at the window").to_string(),
                "post" => format!(
                    "{}{}",
                    i.t("邮寄，运单号：", "By post, tracking number "),
                    v.get("tracking_number")
                        .and_then(|t| t.as_str())
                        .unwrap_or("")
                ),
                "electronic" => i.t("电子证照", "Electronic licence").to_string(),
                other => other.to_string(),
            }
        })
        .unwrap_or_default();
    let outcome = c
        .outcome
        .as_deref()
        .and_then(CaseEvent::parse)
        .map(|o| match o {
            CaseEvent::Refuse => i.t("不予许可", "Refused").to_string(),
            _ => i.t("准予许可", "Approved").to_string(),
        });
    let acts = Acts(
        s.events
            .iter()
            .filter_map(|e| super::actions::slug_of(*e))
            .collect(),
    );
    let applicant = match &pairs {
        Some(p) => ApplicantForm::from_pairs(p, ApplicantForm::from_json(&c.applicant).legal),
        None => ApplicantForm::from_json(&c.applicant),
    };
    let (error, error_list) = match &problem {
        Some(p) => (
            Some(i.t(&p.message, &p.message_en).to_string()),
            errs.iter()
                .filter(|(k, _)| !s.form_fields.iter().any(|f| &f.key == k))
                .map(|(_, m)| m.clone())
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let today = yiwang_core::time::display_local(yiwang_app::now_micros())
        .chars()
        .take(10)
        .collect();
    CaseTpl {
        i,
        nav,
        id: c.id.clone(),
        item_id: c.item_id.clone(),
        number: c.number.clone(),
        item: c.item_name.clone(),
        state: state_tag(i, st),
        warn: warn_tag(i, &c.warning_level),
        kind: CaseKind::parse(&c.kind)
            .map(|k| i.t(k.label_zh(), k.label_en()).to_string())
            .unwrap_or_default(),
        channel: Channel::parse(&c.channel)
            .map(|k| i.t(k.label_zh(), k.label_en()).to_string())
            .unwrap_or_default(),
        department: s.department_name.clone(),
        centre: s.centre_name.clone(),
        own: s.own,
        a: applicant,
        received: when(c.received_at),
        accepted: when(c.accepted_at),
        due: when(c.due_at),
        decided: when(c.decided_at),
        completed: when(c.completed_at),
        delivered: when(c.delivered_at),
        promised_days: c.promised_days,
        legal_days: c.legal_days,
        extended: c.extended == 1,
        suspension: s
            .suspension
            .map(|k| i.t(k.label_zh(), k.label_en()).to_string()),
        outcome,
        decision_note: c.decision_note.clone().unwrap_or_default(),
        delivery,
        open_notice,
        notices: s.notices.iter().map(notice_of).collect(),
        missing: s.missing.clone(),
        pending: s.pending.clone(),
        committed_by: c.committed_by.clone().unwrap_or_default(),
        editable: s.own && st == CaseState::Draft,
        fields,
        values: shown_values,
        materials,
        uploadable,
        // In the order of the item's list.
        handed_in: s
            .materials
            .iter()
            .filter(|m| s.detail.materials.iter().any(|f| f.material == m.name))
            .map(|m| m.name.clone())
            .collect(),
        tasks,
        events,
        acts,
        message,
        error,
        error_list,
        today,
    }
}
