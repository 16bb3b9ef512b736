//! 招投标电子身份证 (project e-ID, DOMAIN §2.5): a public page per section showing approval,
//! announcement, opening and, as they come, evaluation, award, contract and performance, with a
//! QR code that leads back to this page (an SVG drawn on the server; no script, no network).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use yiwang_app::trading::portal;

use super::{Tag, field_label, method_label, state_tag, when, yuan};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, render};

pub struct Step {
    pub label: String,
    pub done: bool,
    pub at: String,
}

#[derive(askama::Template)]
#[template(path = "trading_eid.html")]
struct EidTpl {
    i: I18n,
    nav: Nav,
    id: String,
    name: String,
    project: String,
    code: String,
    field: String,
    method: String,
    estimated: String,
    state: Tag,
    steps: Vec<Step>,
    url: String,
    qr: String,
}

/// The page's own absolute address, from the request's Host (what the QR code encodes).
fn self_url(headers: &HeaderMap, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}/trading/eid/{id}")
}

/// The QR code of `url` as an SVG document.
pub fn qr_svg(url: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| PageError::page_not_found())?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build())
}

pub async fn eid(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    page: Page,
) -> Result<Response, PageError> {
    let i = page.i;
    let v = portal::public_section(&state.app, &id).await?;
    let s = &v.section;
    let url = self_url(&headers, &s.id);
    let qr = qr_svg(&url)?;
    // The instant of each reached milestone, where the section knows it.
    let at = |m: yiwang_core::trading::archive::EidMilestone| {
        use yiwang_core::trading::archive::EidMilestone as M;
        match m {
            M::Approval => s.accepted_at,
            M::Announcement => s.notice_at,
            M::Opening => v.opening.as_ref().map(|o| o.decided_at),
            _ => None,
        }
    };
    let steps = v
        .milestones
        .iter()
        .map(|(m, done)| Step {
            label: i.t(m.label_zh(), m.label_en()).to_string(),
            done: *done,
            at: if *done { when(at(*m)) } else { String::new() },
        })
        .collect();
    Ok(render(&EidTpl {
        i,
        nav: page.nav,
        id: s.id.clone(),
        name: s.name.clone(),
        project: v
            .project
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        code: s.transaction_code.clone().unwrap_or_default(),
        field: field_label(i, &s.field),
        method: method_label(i, &s.method),
        estimated: yuan(&s.estimated_price),
        state: state_tag(i, &s.state),
        steps,
        url,
        qr,
    })
    .into_response())
}

/// The QR code alone, as `image/svg+xml` (to print or embed).
pub async fn qr(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let v = portal::public_section(&state.app, &id).await?;
    let svg = qr_svg(&self_url(&headers, &v.section.id))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        svg,
    )
        .into_response())
}
