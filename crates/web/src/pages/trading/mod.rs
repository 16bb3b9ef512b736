//! 公共资源交易 pages, one file per screen: the public portal (`portal`: announcements with
//! search, a section's page; `eid`: the project e-ID 招投标电子身份证 with its QR code), the
//! trading-centre staff's desk (`centre`), the tenderee's or agency's sections (`tender`), and the
//! bidder's sections with sealing and submitting a bid in the page and decrypting it at the
//! opening (`bidder`). The bidder's sealing assets are served here too: the vendored `@hpke/core`
//! module, `trading-seal.js` (seals a bid exactly as `yiwang bid seal` does) and
//! `trading-sign.js` (the SM2 signature the platform verifies); keys never leave the browser
//! before the opening.

mod bidder;
mod centre;
mod eid;
mod portal;
mod tender;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use yiwang_core::time::display_local;
use yiwang_core::trading::{BidStatus, SectionState, TradeField, TradeMethod};

use crate::AppState;
use crate::i18n::I18n;

/// Multipart bodies of the tender documents form (one file and the clauses).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

fn javascript(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn hpke_core() -> Response {
    javascript(include_str!("../../../static/vendor/hpke-core-1.9.0.js"))
}

async fn trading_seal() -> Response {
    javascript(include_str!("../../../static/trading-seal.js"))
}

async fn trading_sign() -> Response {
    javascript(include_str!("../../../static/trading-sign.js"))
}

async fn trading_bid() -> Response {
    javascript(include_str!("../../../static/trading-bid.js"))
}

/// The trading pages' routes: the one place that lists them.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/vendor/hpke-core-1.9.0.js", get(hpke_core))
        .route("/static/trading-seal.js", get(trading_seal))
        .route("/static/trading-sign.js", get(trading_sign))
        .route("/static/trading-bid.js", get(trading_bid))
        .route("/trading", get(portal::list))
        .route("/trading/sections/{id}", get(portal::section))
        .route("/trading/eid/{id}", get(eid::eid))
        .route("/trading/eid/{id}/qr.svg", get(eid::qr))
        .route("/trading/centre", get(centre::desk))
        .route("/trading/centre/{id}/accept", post(centre::accept))
        .route(
            "/trading/centre/{id}/custodian-key",
            post(centre::custodian_key),
        )
        .route("/trading/tenders", get(tender::mine).post(tender::create))
        .route("/trading/tenders/{id}", get(tender::section))
        .route(
            "/trading/tenders/{id}/documents",
            post(tender::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/trading/tenders/{id}/publish", post(tender::publish))
        .route("/trading/bidding", get(bidder::mine))
        .route("/trading/bidding/key", post(bidder::reissue_key))
        .route("/trading/bidding/{id}", get(bidder::section))
        .route("/trading/bidding/{id}/documents", get(bidder::download))
        .route("/trading/bidding/{id}/deposit", post(bidder::deposit))
        .route("/trading/bidding/{id}/decrypt", post(bidder::decrypt))
}

/// A label with its CSS class.
pub struct Tag {
    pub label: String,
    pub class: &'static str,
}

pub fn state_tag(i: I18n, state: &str) -> Tag {
    let Some(s) = SectionState::parse(state) else {
        return Tag {
            label: state.to_string(),
            class: "st-draft",
        };
    };
    use SectionState as S;
    let class = match s {
        S::Registered => "st-draft",
        S::Announced | S::Tendering => "st-waiting",
        S::Opened | S::Evaluating | S::CandidatesPublished => "st-review",
        S::Awarded | S::Contracted | S::Archived => "st-done",
        S::Suspended => "st-applicant",
        S::Failed | S::Cancelled => "st-closed",
    };
    Tag {
        label: i.t(s.label_zh(), s.label_en()).to_string(),
        class,
    }
}

/// A section state that is still before 进场登记 (the centre has not accepted it).
pub fn is_pending_entry(state: &str) -> bool {
    SectionState::parse(state) == Some(SectionState::Registered)
}

pub fn bid_label(i: I18n, status: BidStatus) -> String {
    i.t(status.label_zh(), status.label_en()).to_string()
}

pub fn field_label(i: I18n, field: &str) -> String {
    TradeField::parse(field)
        .map(|f| i.t(f.label_zh(), f.label_en()).to_string())
        .unwrap_or_else(|| field.to_string())
}

pub fn method_label(i: I18n, method: &str) -> String {
    TradeMethod::parse(method)
        .map(|m| i.t(m.label_zh(), m.label_en()).to_string())
        .unwrap_or_else(|| method.to_string())
}

/// A time (Beijing) or a dash.
pub fn when(us: Option<i64>) -> String {
    us.map(display_local).unwrap_or_else(|| "—".into())
}

/// An amount of yuan with thousands separators (as stored: exact decimal text).
pub fn yuan(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (n, c) in digits.iter().enumerate() {
        if n > 0 && (digits.len() - n).is_multiple_of(3) && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(*c);
    }
    if frac.is_empty() {
        out
    } else {
        format!("{out}.{frac}")
    }
}

/// One line of a list of sections.
pub struct SectionLine {
    pub id: String,
    pub name: String,
    pub project: String,
    pub code: String,
    pub field: String,
    pub method: String,
    pub state: Tag,
    pub notice: String,
    pub deadline: String,
    pub estimated: String,
}

impl SectionLine {
    pub fn of(
        i: I18n,
        s: &yiwang_app::trading::portal::TradingSection,
        p: Option<&yiwang_app::trading::portal::TradingProject>,
    ) -> Self {
        SectionLine {
            id: s.id.clone(),
            name: s.name.clone(),
            project: p.map(|p| p.name.clone()).unwrap_or_default(),
            code: s.transaction_code.clone().unwrap_or_else(|| "—".into()),
            field: field_label(i, &s.field),
            method: method_label(i, &s.method),
            state: if is_pending_entry(&s.state) && s.transaction_code.is_none() {
                Tag {
                    label: i.t("待受理进场登记", "Awaiting entry").to_string(),
                    class: "st-draft",
                }
            } else {
                state_tag(i, &s.state)
            },
            notice: when(s.notice_at),
            deadline: when(s.bid_deadline),
            estimated: yuan(&s.estimated_price),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::yuan;

    #[test]
    fn amounts_get_thousands_separators() {
        assert_eq!(yuan("48000000.00"), "48,000,000.00");
        assert_eq!(yuan("950"), "950");
        assert_eq!(yuan("1000"), "1,000");
    }
}
