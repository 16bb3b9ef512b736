//! 交易公告 (public, no sign-in): the announcements list with search by a Chinese keyword, field
//! of trade and state, and a section's page — announcement, schedule, documents, clarifications,
//! and once opened the bids and the opening record. No personal data: firms only, never people.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use yiwang_app::trading::portal::{self, PortalQuery};
use yiwang_core::trading::{SectionState, TradeField};

use super::{SectionLine, Tag, bid_label, field_label, method_label, state_tag, when, yuan};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, render};

/// An option of a filter select.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(askama::Template)]
#[template(path = "trading_list.html")]
struct ListTpl {
    i: I18n,
    nav: Nav,
    q: String,
    fields: Vec<Choice>,
    states: Vec<Choice>,
    sections: Vec<SectionLine>,
    filtered: bool,
}

/// Which states the filter offers (those a published section can be in).
const LISTED_STATES: &[SectionState] = &[
    SectionState::Tendering,
    SectionState::Opened,
    SectionState::Evaluating,
    SectionState::CandidatesPublished,
    SectionState::Awarded,
    SectionState::Contracted,
    SectionState::Failed,
    SectionState::Suspended,
    SectionState::Cancelled,
];

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let pairs = q.map(|Query(q)| q).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().chars().take(100).collect::<String>())
            .unwrap_or_default()
    };
    let (keyword, field, st) = (get("q"), get("field"), get("state"));
    let field = TradeField::parse(&field);
    let st = SectionState::parse(&st);
    let query = PortalQuery {
        keyword: keyword.clone(),
        field: field.map(|f| f.as_str().to_string()),
        state: st,
    };
    let sections = portal::search(&state.app, &query)
        .await?
        .iter()
        .map(|(s, p)| SectionLine::of(i, s, p.as_ref()))
        .collect();
    let fields = TradeField::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str(),
            label: i.t(f.label_zh(), f.label_en()).to_string(),
            selected: Some(*f) == field,
        })
        .collect();
    let states = LISTED_STATES
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: i.t(s.label_zh(), s.label_en()).to_string(),
            selected: Some(*s) == st,
        })
        .collect();
    Ok(render(&ListTpl {
        i,
        nav: page.nav,
        filtered: !keyword.is_empty() || field.is_some() || st.is_some(),
        q: keyword,
        fields,
        states,
        sections,
    })
    .into_response())
}

pub struct DocLine {
    pub filename: String,
    pub size: String,
    pub published: String,
}

pub struct ClarLine {
    pub body: String,
    pub issued: String,
    pub substantive: bool,
}

pub struct BidLine {
    pub bidder: String,
    pub status: String,
    pub price: String,
    pub duration: String,
    pub digest: String,
}

pub struct OpeningShown {
    pub decided: String,
    pub failed: bool,
    pub sealed_bids: i64,
    pub needed: i64,
    pub window_until: String,
    pub closed: Option<String>,
    pub signature: Option<String>,
}

pub struct Milestone {
    pub label: String,
    pub done: bool,
}

#[derive(askama::Template)]
#[template(path = "trading_section.html")]
struct SectionTpl {
    i: I18n,
    nav: Nav,
    id: String,
    name: String,
    project: String,
    project_code: String,
    code: String,
    field: String,
    method: String,
    state: Tag,
    estimated: String,
    deposit: String,
    notice: String,
    documents_from: String,
    documents_until: String,
    deadline: String,
    documents: Vec<DocLine>,
    clarifications: Vec<ClarLine>,
    opening: Option<OpeningShown>,
    bids: Vec<BidLine>,
    milestones: Vec<Milestone>,
    /// The signed-in bidder's own page of this section, if the viewer bids.
    bidder_link: bool,
    tendering: bool,
}

fn size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

pub async fn section(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: Page,
) -> Result<Response, PageError> {
    let i = page.i;
    let v = portal::public_section(&state.app, &id).await?;
    let s = &v.section;
    let opening = v.opening.as_ref().map(|o| OpeningShown {
        decided: when(Some(o.decided_at)),
        failed: yiwang_core::trading::SectionEvent::parse(&o.outcome)
            == Some(yiwang_core::trading::SectionEvent::Fail),
        sealed_bids: o.sealed_bids,
        needed: o.needed,
        window_until: when(Some(o.window_until)),
        closed: o.closed_at.map(|c| when(Some(c))),
        signature: o.record_signature.clone(),
    });
    let bidder_link = page
        .actor()
        .is_some_and(|a| a.has_role(yiwang_core::access::Role::Bidder));
    Ok(render(&SectionTpl {
        i,
        nav: page.nav,
        id: s.id.clone(),
        name: s.name.clone(),
        project: v
            .project
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        project_code: v
            .project
            .as_ref()
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        code: s.transaction_code.clone().unwrap_or_default(),
        field: field_label(i, &s.field),
        method: method_label(i, &s.method),
        state: state_tag(i, &s.state),
        estimated: yuan(&s.estimated_price),
        deposit: s.deposit.as_deref().map(yuan).unwrap_or_else(|| "—".into()),
        notice: when(s.notice_at),
        documents_from: when(s.documents_from),
        documents_until: when(s.documents_until),
        deadline: when(s.bid_deadline),
        documents: v
            .documents
            .iter()
            .map(|d| DocLine {
                filename: d.filename.clone(),
                size: size(d.size),
                published: when(d.published_at),
            })
            .collect(),
        clarifications: v
            .clarifications
            .iter()
            .map(|c| ClarLine {
                body: c.body.clone(),
                issued: when(Some(c.issued_at)),
                substantive: c.substantive,
            })
            .collect(),
        opening,
        bids: v
            .bids
            .iter()
            .map(|b| BidLine {
                bidder: b.bidder.clone(),
                // In the opening session a bid still sealed waits for its bidder's key.
                status: if b.status == yiwang_core::trading::BidStatus::Sealed {
                    i.t("待解密", "Awaiting decryption").to_string()
                } else {
                    bid_label(i, b.status)
                },
                price: b.price.as_deref().map(yuan).unwrap_or_else(|| "—".into()),
                duration: b
                    .duration_days
                    .map(|d| format!("{d}{}", i.t("日历天", " days")))
                    .unwrap_or_else(|| "—".into()),
                digest: b.ciphertext_digest.chars().take(20).collect(),
            })
            .collect(),
        milestones: v
            .milestones
            .iter()
            .map(|(m, done)| Milestone {
                label: i.t(m.label_zh(), m.label_en()).to_string(),
                done: *done,
            })
            .collect(),
        bidder_link,
        tendering: SectionState::parse(&s.state) == Some(SectionState::Tendering),
    })
    .into_response())
}
