//! 交易中心工作台: the trading-centre staff's sections — awaiting 进场登记 (accept with one
//! click), accepted and waiting for publication, tendering (with the custodian key of the sealed
//! bids: generated here at a key ceremony, its shares shown once), and opened, with the opening
//! record on the public section page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use yiwang_app::trading::{portal, sealing, tenders, unsealing};
use yiwang_core::access::Role;
use yiwang_core::trading::SectionState;

use super::{SectionLine, is_pending_entry, when};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, render, see_other};

pub struct DeskLine {
    pub line: SectionLine,
    pub has_key: bool,
    pub accepted: String,
}

/// One list of the desk: `key` is `pending`, `accepted`, `tendering` or `opened`.
pub struct Group {
    pub key: &'static str,
    pub title: String,
    pub rows: Vec<DeskLine>,
}

#[derive(askama::Template)]
#[template(path = "trading_centre.html")]
struct DeskTpl {
    i: I18n,
    nav: Nav,
    groups: Vec<Group>,
}

#[derive(askama::Template)]
#[template(path = "trading_custodian.html")]
struct CustodianTpl {
    i: I18n,
    nav: Nav,
    id: String,
    name: String,
    public_key: String,
    shares: Vec<String>,
}

fn staff_only(page: &SignedPage) -> Result<(), PageError> {
    if page.viewer.actor.has_role(Role::TradingStaff) {
        Ok(())
    } else {
        Err(yiwang_core::Problem::forbidden().into())
    }
}

pub async fn desk(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    staff_only(&page)?;
    let i = page.i;
    let rows = portal::centre_sections(&state.app, &page.viewer.actor).await?;
    let (mut pending, mut accepted, mut tendering, mut opened) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (s, p) in &rows {
        let l = DeskLine {
            line: SectionLine::of(i, s, Some(p)),
            has_key: s.custodian_key.is_some(),
            accepted: when(s.accepted_at),
        };
        match SectionState::parse(&s.state) {
            _ if is_pending_entry(&s.state) && s.transaction_code.is_none() => pending.push(l),
            Some(SectionState::Registered) => accepted.push(l),
            Some(SectionState::Announced | SectionState::Tendering) => tendering.push(l),
            _ => opened.push(l),
        }
    }
    let group = |key: &'static str, zh: &'static str, en: &'static str, rows| Group {
        key,
        title: i.t(zh, en).to_string(),
        rows,
    };
    let groups = vec![
        group("pending", "待受理进场登记", "Awaiting entry", pending),
        group(
            "accepted",
            "已登记，待发布公告",
            "Accepted, to be published",
            accepted,
        ),
        group(
            "tendering",
            "招标中（待开标）",
            "Tendering (to be opened)",
            tendering,
        ),
        group("opened", "已开标及以后", "Opened and later", opened),
    ];
    Ok(render(&DeskTpl {
        i,
        nav: page.nav,
        groups,
    })
    .into_response())
}

/// 进场登记: accept the section (its transaction code is issued).
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    form.ok_or_else(PageError::form_expired)?;
    tenders::accept_entry(&state.app, &page.viewer.actor, &id).await?;
    Ok(see_other("/trading/centre"))
}

/// The custodian key of a section's sealed bids: 3 of 5 shares, shown once, never stored.
pub async fn custodian_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    form.ok_or_else(PageError::form_expired)?;
    let key = sealing::generate_custodian_key(3, 5)?;
    let s = unsealing::register_custodian_key(&state.app, &page.viewer.actor, &id, &key.public_key)
        .await?;
    Ok(render(&CustodianTpl {
        i: page.i,
        nav: page.nav,
        id: s.id,
        name: s.name,
        public_key: key.public_key,
        shares: key.shares,
    })
    .into_response())
}
