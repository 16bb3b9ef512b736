//! 投标人: the bidder's sections, its signing key (renewed here, shown once, kept by the bidder),
//! one section's page — documents (each download recorded), the deposit's virtual account,
//! sealing, signing and submitting a bid in the page (`/static/trading-bid.js`: the file is
//! sealed with HPKE and signed with SM2 in the browser; only ciphertext and signature leave it;
//! the bid key is offered to save and never sent before the opening), the receipts, and at the
//! opening the decryption with the bidder's own bid key.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::trading::portal::TradingParty;
use yiwang_app::trading::{bids, deposits, portal, tenders, unsealing};
use yiwang_core::Problem;
use yiwang_core::trading::parties::PartyKind;
use yiwang_core::trading::{BidStatus, SectionState};

use super::{SectionLine, bid_label, when, yuan};
use crate::AppState;
use crate::auth::ClientAddr;
use crate::download::{Cache, streamed_attachment};
use crate::i18n::I18n;
use crate::pages::cases::field;
use crate::pages::{Nav, PageError, SignedForm, SignedPage, problem_of, render, see_other};

/// The bidder party the actor acts for.
async fn bidder_party(state: &AppState, page: &SignedPage) -> Result<TradingParty, PageError> {
    portal::my_parties(&state.app, &page.viewer.actor)
        .await?
        .into_iter()
        .find(|p| PartyKind::parse(&p.kind) == Some(PartyKind::Bidder))
        .ok_or_else(|| {
            Problem::new(
                yiwang_core::ProblemKind::Forbidden,
                "trading.party.none",
                "您所在的单位尚未注册为投标人。",
                "Your organisation is not registered as a bidder.",
            )
            .into()
        })
}

pub struct MyLine {
    pub line: SectionLine,
    pub mine: String,
}

#[derive(askama::Template)]
#[template(path = "trading_bidding.html")]
struct MineTpl {
    i: I18n,
    nav: Nav,
    party: String,
    credit_code: String,
    sections: Vec<MyLine>,
}

pub async fn mine(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    let i = page.i;
    let party = bidder_party(&state, &page).await?;
    let my = bids::my_bids(&state.app, &page.viewer.actor, &party.id).await?;
    let mut sections = Vec::new();
    for (s, p) in yiwang_app::trading::published_sections(&state.app).await? {
        let mine: Vec<_> = my.iter().filter(|b| b.section_id == s.id).collect();
        let tendering = SectionState::parse(&s.state) == Some(SectionState::Tendering);
        if mine.is_empty() && !tendering {
            continue;
        }
        let latest = mine.iter().max_by_key(|b| (b.submitted_at, b.version));
        let mine = match latest.and_then(|b| BidStatus::parse(&b.status)) {
            Some(st) => bid_label(i, st),
            None => i.t("未投标", "No bid").to_string(),
        };
        sections.push(MyLine {
            line: SectionLine::of(i, &s, p.as_ref()),
            mine,
        });
    }
    Ok(render(&MineTpl {
        i,
        nav: page.nav,
        party: party.name,
        credit_code: party.credit_code,
        sections,
    })
    .into_response())
}

#[derive(askama::Template)]
#[template(path = "trading_key.html")]
struct KeyTpl {
    i: I18n,
    nav: Nav,
    party: String,
    key_text: String,
    href: String,
    filename: String,
}

/// 签名密钥更新: a new SM2 key pair; the private key is shown once to save.
pub async fn reissue_key(
    State(state): State<AppState>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    form.ok_or_else(PageError::form_expired)?;
    let party = bidder_party(&state, &page).await?;
    let r =
        yiwang_app::trading::parties::reissue_key(&state.app.store, &page.viewer.actor, &party.id)
            .await?;
    let key_text = format!(
        "yiwang-signing-key/v1\nparty={}\ncredit_code={}\npublic_key={}\nprivate_key={}\n",
        r.party.id, r.party.credit_code, r.party.public_key, r.private_key_hex
    );
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::download::percent_encode(&key_text)
    );
    let tpl = KeyTpl {
        i: page.i,
        nav: page.nav,
        party: r.party.name,
        filename: format!("signing-key-{}.txt", r.party.credit_code),
        key_text,
        href,
    };
    Ok(render(&tpl).into_response())
}

pub struct ReceiptLine {
    pub version: i64,
    pub status: String,
    pub receipt_no: String,
    pub submitted: String,
    pub digest: String,
    pub price: String,
}

#[derive(askama::Template)]
#[template(path = "trading_bid.html")]
struct SectionTpl {
    i: I18n,
    nav: Nav,
    line: SectionLine,
    party_id: String,
    credit_code: String,
    public_key: String,
    custodian_key: String,
    documents: bool,
    downloaded: bool,
    deposit: Option<(String, String, String)>,
    deposit_required: bool,
    can_bid: bool,
    has_bid: bool,
    can_decrypt: bool,
    window_until: String,
    receipts: Vec<ReceiptLine>,
    error: Option<String>,
    message: Option<String>,
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
    let party = bidder_party(state, &page).await?;
    let v = portal::bidder_section(&state.app, &page.viewer.actor, &party.id, id).await?;
    let s = &v.section;
    let now = yiwang_app::now_micros();
    let st = SectionState::parse(&s.state);
    let before_deadline = s.bid_deadline.is_some_and(|d| now < d);
    let opening = yiwang_app::trading::opening::opening_of(&state.app, &s.id, s.round).await?;
    let window = opening
        .as_ref()
        .filter(|o| o.closed_at.is_none())
        .map(|o| o.window_until);
    let sealed_current = v
        .bids
        .iter()
        .any(|b| b.round == s.round && BidStatus::parse(&b.status) == Some(BidStatus::Sealed));
    let receipts = v
        .bids
        .iter()
        .map(|b| ReceiptLine {
            version: b.version,
            status: BidStatus::parse(&b.status)
                .map(|x| bid_label(i, x))
                .unwrap_or_else(|| b.status.clone()),
            receipt_no: b.receipt_no.clone(),
            submitted: when(Some(b.submitted_at)),
            digest: b.ciphertext_digest.clone(),
            price: b.price.as_deref().map(yuan).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let tpl = SectionTpl {
        i,
        nav: page.nav,
        line: SectionLine::of(i, s, v.project.as_ref()),
        party_id: party.id.clone(),
        credit_code: party.credit_code.clone(),
        public_key: party.public_key.clone(),
        custodian_key: s.custodian_key.clone().unwrap_or_default(),
        documents: st == Some(SectionState::Tendering)
            && s.documents_until.is_some_and(|u| now <= u),
        downloaded: v.downloaded,
        deposit: v.deposit.as_ref().map(|d| {
            (
                d.virtual_account.clone(),
                yuan(&d.required),
                d.received_at
                    .map(|t| format!("{} {}", i.t("已到账", "received"), when(Some(t))))
                    .unwrap_or_else(|| i.t("未到账", "not received").to_string()),
            )
        }),
        deposit_required: s.deposit.is_some(),
        can_bid: st == Some(SectionState::Tendering) && before_deadline,
        has_bid: v
            .bids
            .iter()
            .any(|b| b.round == s.round && BidStatus::parse(&b.status) == Some(BidStatus::Sealed)),
        can_decrypt: st == Some(SectionState::Opened) && window.is_some() && sealed_current,
        window_until: when(window),
        receipts,
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

/// 下载招标文件 (recorded: who, when, from which address).
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    page: SignedPage,
) -> Result<Response, PageError> {
    let party = bidder_party(&state, &page).await?;
    let doc =
        tenders::download_documents(&state.app, &page.viewer.actor, &party.id, &id, &addr).await?;
    let read = state
        .app
        .blobs()
        .get(&doc.blob_digest, None)
        .await?
        .ok_or_else(|| {
            yiwang_app::AppError::Internal(format!("blob of document {} missing", doc.id))
        })?;
    Ok(streamed_attachment(
        &doc.filename,
        "application/octet-stream",
        read,
        false,
        Cache::NoStore,
    ))
}

/// 保证金虚拟账户: open the bidder's virtual account for the section.
pub async fn deposit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    form.ok_or_else(PageError::form_expired)?;
    let party = bidder_party(&state, &page).await?;
    match deposits::open_account(&state.app, &page.viewer.actor, &party.id, &id).await {
        Ok(_) => Ok(see_other(&format!("/trading/bidding/{id}"))),
        Err(e) => {
            let p = problem_of(e)?;
            let msg = page.i.t(&p.message, &p.message_en).to_string();
            let status = crate::error::status_of(p.kind);
            section_page(&state, page, &id, Some(msg), None, status).await
        }
    }
}

/// 在线解密: the bidder hands over its bid key at the opening; the platform opens the stored
/// ciphertext with it.
pub async fn decrypt(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let pairs = form.ok_or_else(PageError::form_expired)?;
    let i = page.i;
    let party = bidder_party(&state, &page).await?;
    let key = field(&pairs, "key");
    if key.is_empty() {
        let msg = i.t("请选择或粘贴投标密钥。", "Choose or paste the bid key.");
        return section_page(
            &state,
            page,
            &id,
            Some(msg.into()),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    match unsealing::open_with_bid_key(&state.app, &page.viewer.actor, &party.id, &id, key).await {
        Ok(o) => {
            let msg = match (&o.price, &o.failure) {
                (Some(p), _) => format!(
                    "{}{}{}",
                    i.t("解密成功，投标报价：", "Decrypted; the bid price: "),
                    yuan(p),
                    i.t("元。", " yuan.")
                ),
                (None, Some(f)) => format!("{}{f}", i.t("解密失败：", "Decryption failed: ")),
                (None, None) => i.t("已提交。", "Handed in.").to_string(),
            };
            section_page(&state, page, &id, None, Some(msg), StatusCode::OK).await
        }
        Err(e) => {
            let p = problem_of(e)?;
            let msg = i.t(&p.message, &p.message_en).to_string();
            let status = crate::error::status_of(p.kind);
            section_page(&state, page, &id, Some(msg), None, status).await
        }
    }
}
