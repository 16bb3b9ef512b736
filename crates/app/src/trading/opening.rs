//! 开标: at the bid deadline the job runner decides, exactly once however many nodes run it (a
//! unique opening row per section and round): fewer sealed bids than the method needs → 流标 (the
//! section fails and may be re-tendered); otherwise the opening session starts and each bidder
//! decrypts its own bid within the window. When the window closes, bids not decrypted are revoked
//! (the bidder's fault) unless the centre classified the failure otherwise, the count is checked
//! again, and the opening record is signed by the platform and published.
//!
//! Bids of a section with a custodian key (HPKE-sealed) are opened by the platform with the key
//! the bidder hands over at the opening, or a custodian quorum ([`super::unsealing`]). For older
//! sections without one, [`decrypt_bid`] remains: the bidder decrypts on its side and hands in the
//! plaintext's digest with the price and duration the opening record shows.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::ids::CreditCode;
use yiwang_core::trading::bids::{
    DecryptionFailure, Digest, DigestAlgorithm, OpeningLine, after_decryption, check_decryption,
    check_opening_record, classify_decryption_failure, opening_decision,
};
use yiwang_core::trading::deposits::RefundTrigger;
use yiwang_core::trading::{
    BidStatus, OpeningDecision, Performer, SectionEvent, SectionState, TradeMethod, next_state,
};
use yiwang_store::prelude::*;
use yiwang_store::{Deposit, Opening, SealedBid, TradingSection};

use super::{
    bidder_grant, centre_grant, money, notify_org, section_ctx, set_status, status_of, utc,
};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// Job kind: open the sections whose deadline has come.
pub const OPEN_JOB: &str = "trading.open";
/// Job kind: close the opening sessions whose decryption window has ended.
pub const CLOSE_JOB: &str = "trading.opening.close";
/// 解密时限: how long bidders have to decrypt after the opening (choice: one hour, as centres
/// commonly set).
pub const DECRYPTION_WINDOW_MICROS: i64 = 3_600_000_000;

fn window() -> chrono::TimeDelta {
    chrono::TimeDelta::microseconds(DECRYPTION_WINDOW_MICROS)
}

/// Queue the opening job at the section's deadline (inside the caller's transaction). A moved
/// deadline queues another; a job that finds nothing due does nothing.
pub(crate) async fn schedule_opening(tx: &mut dyn WriteTx, s: &TradingSection) -> AppResult<()> {
    if let Some(at) = s.bid_deadline {
        crate::jobs::enqueue(
            tx,
            OPEN_JOB,
            serde_json::json!({ "section": s.id }),
            at,
            Some(format!("{OPEN_JOB}@{}#{}@{at}", s.id, s.round)),
        )
        .await?;
    }
    Ok(())
}

fn method_of(s: &TradingSection) -> AppResult<TradeMethod> {
    TradeMethod::parse(&s.method)
        .ok_or_else(|| AppError::Internal(format!("section {}: bad method", s.id)))
}

fn is(b: &SealedBid, st: BidStatus) -> bool {
    BidStatus::parse(&b.status) == Some(st)
}

fn is_open(o: &Opening) -> bool {
    SectionEvent::parse(&o.outcome) == Some(SectionEvent::Open)
}

/// The opening job's handler: every tendering section whose deadline is at or before `now`.
pub async fn open_due(app: &App, tx: &mut dyn WriteTx, now: i64) -> AppResult<String> {
    let due = tx
        .sections_due(SectionState::Tendering.as_str(), now)
        .await?;
    let mut opened = 0;
    let mut failed = 0;
    for s in due {
        match open_section(app, tx, s, now).await? {
            Some(SectionEvent::Open) => opened += 1,
            Some(_) => failed += 1,
            None => {}
        }
    }
    Ok(format!("opened {opened}, failed {failed}"))
}

async fn open_section(
    app: &App,
    tx: &mut dyn WriteTx,
    mut s: TradingSection,
    now: i64,
) -> AppResult<Option<SectionEvent>> {
    let sealed = tx
        .list_bids(Some(&s.id))
        .await?
        .into_iter()
        .filter(|b| b.round == s.round && is(b, BidStatus::Sealed))
        .count();
    let decision = opening_decision(method_of(&s)?, sealed);
    let (event, needed) = match decision {
        OpeningDecision::Open => (SectionEvent::Open, method_of(&s)?.minimum_bids()),
        OpeningDecision::Fail { needed, .. } => (SectionEvent::Fail, needed),
    };
    if !event.may_be_performed_by(Performer::System) {
        return Err(AppError::Internal(format!("{event} is not automatic")));
    }
    let opening_at = s.opening_at.unwrap_or(now);
    let opening = Opening {
        id: new_id(),
        section_id: s.id.clone(),
        round: s.round,
        decided_at: now,
        outcome: event.as_str().into(),
        sealed_bids: sealed as i64,
        needed: needed as i64,
        window_until: opening_at + DECRYPTION_WINDOW_MICROS,
        record: None,
        record_signature: None,
        closed_at: None,
    };
    // The unique (section, round) key: a second node (or a second job) stops here.
    if !tx.insert_opening(&opening).await? {
        return Ok(None);
    }
    let st = next_state(status_of(&s)?, event)?;
    set_status(&mut s, st);
    s.updated_at = now;
    tx.update_section(&s).await?;
    let mut rows = vec![
        digest(Opening::TABLE, &opening.id, opening.digest()),
        digest(TradingSection::TABLE, &s.id, s.digest()),
    ];
    if event == SectionEvent::Fail {
        rows.extend(refunds_on_failure(app, tx, &s, now).await?);
    } else {
        crate::jobs::enqueue(
            tx,
            CLOSE_JOB,
            serde_json::json!({ "section": s.id }),
            opening.window_until,
            Some(format!("{CLOSE_JOB}@{}#{}", s.id, s.round)),
        )
        .await?;
    }
    record(
        tx,
        &Acting::system(),
        &format!("trading.section.{}", event.as_str()),
        ("trading_section", &s.id),
        rows,
        serde_json::json!({ "round": s.round, "sealed_bids": sealed, "needed": needed }),
    )
    .await?;
    let (template, params) = if event == SectionEvent::Open {
        (
            "trading.section.opened",
            serde_json::json!({ "section": s.name, "until": yiwang_core::time::display_local(opening.window_until) }),
        )
    } else {
        (
            "trading.section.failed",
            serde_json::json!({ "section": s.name, "found": sealed.to_string(), "needed": needed.to_string() }),
        )
    };
    notify_parties(tx, &s, template, params).await?;
    Ok(Some(event))
}

/// Notify the tenderee (and agency) and every bidder of the round.
async fn notify_parties(
    tx: &mut dyn WriteTx,
    s: &TradingSection,
    template: &str,
    params: serde_json::Value,
) -> AppResult<()> {
    let mut parties = Vec::new();
    if let Some(p) = tx.get_project(&s.project_id).await? {
        parties.push(p.tenderee_id.clone());
        parties.extend(p.agency_id.clone());
    }
    for b in tx.list_bids(Some(&s.id)).await? {
        if b.round == s.round && !parties.contains(&b.party_id) {
            parties.push(b.party_id);
        }
    }
    let mut orgs = Vec::new();
    for id in parties {
        if let Some(p) = tx.get_party(&id).await?
            && !orgs.contains(&p.org_id)
        {
            orgs.push(p.org_id);
        }
    }
    for org in orgs {
        notify_org(tx, &org, template, params.clone()).await?;
    }
    Ok(())
}

/// A failed section's deposits fall due for refund (revoked bids excepted).
async fn refunds_on_failure(
    app: &App,
    tx: &mut dyn WriteTx,
    s: &TradingSection,
    now: i64,
) -> AppResult<Vec<yiwang_core::ledger::RowDigest>> {
    let bids = tx.list_bids(Some(&s.id)).await?;
    let mut rows = Vec::new();
    for d in tx.list_deposits(Some(&s.id)).await? {
        let status = bids
            .iter()
            .filter(|b| b.round == s.round && b.party_id == d.party_id)
            .max_by_key(|b| (b.submitted_at, b.version))
            .and_then(|b| BidStatus::parse(&b.status))
            .unwrap_or(BidStatus::Withdrawn);
        if let Some(d) = super::deposits::refund_becomes_due(
            app,
            tx,
            &s.id,
            &d.party_id,
            status,
            RefundTrigger::SectionEnded,
            now,
        )
        .await?
        {
            rows.push(digest(Deposit::TABLE, &d.id, d.digest()));
        }
    }
    Ok(rows)
}

/// What a bidder hands in after decrypting its own bid at the opening.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Decrypted {
    /// Digest of the plaintext bid file, `sm3:…` or `sha256:…`.
    pub plaintext_digest: String,
    /// 投标报价, yuan, decimal text.
    pub price: String,
    /// 工期/交货期, days.
    pub duration_days: Option<u32>,
}

fn parse_digest_text(text: &str) -> Result<Digest, Problem> {
    let bad = || {
        Problem::invalid(
            "trading.bid.digest",
            "摘要格式应为“sm3:”或“sha256:”加64位十六进制字符。",
            "A digest is `sm3:` or `sha256:` and 64 hexadecimal characters.",
        )
    };
    let (alg, hex) = text.trim().split_once(':').ok_or_else(bad)?;
    let alg = DigestAlgorithm::parse(alg).ok_or_else(bad)?;
    Digest::parse(alg, hex)
}

/// The bidder's decryption at the opening, within the window (server clock).
pub async fn decrypt_bid(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    input: Decrypted,
) -> AppResult<SealedBid> {
    decrypt_bid_at(app, actor, party_id, section_id, input, now_micros()).await
}

/// [`decrypt_bid`] at the server instant `now`.
pub async fn decrypt_bid_at(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    input: Decrypted,
    now: i64,
) -> AppResult<SealedBid> {
    let plaintext = parse_digest_text(&input.plaintext_digest)?;
    let price: Decimal = money(&input.price, "投标报价")?;
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, section_id).await?;
    check_decryption(
        status_of(&s)?.state,
        utc(s.opening_at.unwrap_or(i64::MAX)),
        window(),
        utc(now),
    )?;
    if s.custodian_key.is_some() {
        // A sealed bid is read by the platform from its ciphertext, never taken on trust.
        return Err(Problem::conflict(
            "trading.bid.needs_key",
            "本标段投标文件已按平台格式加密，请提交投标密钥由平台解密。",
            "Bids of this section are sealed in the platform's format; hand over the bid key to decrypt.",
        )
        .into());
    }
    let mut bid = tx
        .list_bids(Some(&s.id))
        .await?
        .into_iter()
        .filter(|b| b.round == s.round && b.party_id == party.id && is(b, BidStatus::Sealed))
        .max_by_key(|b| (b.submitted_at, b.version))
        .ok_or_else(|| {
            AppError::from(Problem::conflict(
                "trading.bid.none",
                "没有待解密的投标文件。",
                "There is no sealed bid to decrypt.",
            ))
        })?;
    bid.status = BidStatus::Decrypted.as_str().into();
    bid.plaintext_digest = Some(plaintext.to_text());
    bid.price = Some(price.to_string());
    bid.duration_days = input.duration_days.map(i64::from);
    bid.updated_at = now;
    tx.update_bid(&bid).await?;
    record(
        &mut *tx,
        &by,
        "trading.bid.decrypt",
        ("trading_section", &s.id),
        vec![digest(SealedBid::TABLE, &bid.id, bid.digest())],
        serde_json::json!({ "bid": bid.id, "price": bid.price }),
    )
    .await?;
    tx.commit().await?;
    Ok(bid)
}

/// [`record_decryption_failure_at`] on the server clock.
pub async fn record_decryption_failure(
    app: &App,
    actor: &Actor,
    bid_id: &str,
    cause: DecryptionFailure,
) -> AppResult<SealedBid> {
    record_decryption_failure_at(app, actor, bid_id, cause, crate::now_micros()).await
}

/// The centre classifies a bid that could not be decrypted (电子招标投标办法 Art. 31): the
/// bidder's fault → 视为撤销, any other cause → 视为撤回 (deposit refunded).
pub async fn record_decryption_failure_at(
    app: &App,
    actor: &Actor,
    bid_id: &str,
    cause: DecryptionFailure,
    now: i64,
) -> AppResult<SealedBid> {
    let mut tx = app.store.write().await?;
    let mut bid = tx
        .get_bid(bid_id)
        .await?
        .ok_or_else(|| Problem::not_found("投标文件", "Bid"))?;
    let (s, project) = section_ctx(&mut *tx, &bid.section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    check_decryption(
        status_of(&s)?.state,
        utc(s.opening_at.unwrap_or(i64::MAX)),
        window(),
        utc(now),
    )?;
    if !is(&bid, BidStatus::Sealed) || bid.round != s.round {
        return Err(Problem::conflict(
            "trading.bid.not_sealed",
            "该投标文件不在待解密状态。",
            "The bid is not waiting for decryption.",
        )
        .into());
    }
    let status = classify_decryption_failure(cause);
    bid.status = status.as_str().into();
    bid.updated_at = now;
    tx.update_bid(&bid).await?;
    let mut rows = vec![digest(SealedBid::TABLE, &bid.id, bid.digest())];
    if let Some(d) = super::deposits::refund_becomes_due(
        app,
        &mut *tx,
        &s.id,
        &bid.party_id,
        status,
        RefundTrigger::SectionEnded,
        now,
    )
    .await?
    {
        rows.push(digest(Deposit::TABLE, &d.id, d.digest()));
    }
    record(
        &mut *tx,
        &by,
        "trading.bid.decryption_failed",
        ("trading_section", &s.id),
        rows,
        serde_json::json!({ "bid": bid.id, "cause": cause, "status": status.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(bid)
}

/// The text the platform signs for an opening record.
pub fn opening_record_text(transaction_code: &str, round: i64, record: &str) -> String {
    format!("yiwang-opening-record/v1\n{transaction_code}\n{round}\n{record}")
}

/// The close job's handler: every opening session whose window ended at or before `now`.
pub async fn close_due(app: &App, tx: &mut dyn WriteTx, now: i64) -> AppResult<String> {
    let mut closed = 0;
    for o in tx.list_openings(None).await? {
        if is_open(&o) && o.closed_at.is_none() && o.window_until <= now {
            close_session(app, tx, o, now).await?;
            closed += 1;
        }
    }
    Ok(format!("closed {closed} opening sessions"))
}

async fn close_session(
    app: &App,
    tx: &mut dyn WriteTx,
    mut opening: Opening,
    now: i64,
) -> AppResult<()> {
    let mut s = tx
        .get_section(&opening.section_id)
        .await?
        .ok_or_else(super::not_found_section)?;
    let opening_at = s.opening_at.unwrap_or(0);
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut decrypted = 0;
    for mut b in tx.list_bids(Some(&s.id)).await? {
        if b.round != opening.round {
            continue;
        }
        if is(&b, BidStatus::Sealed) {
            b.status = classify_decryption_failure(DecryptionFailure::BidderFault)
                .as_str()
                .into();
            b.updated_at = now;
            tx.update_bid(&b).await?;
            rows.push(digest(SealedBid::TABLE, &b.id, b.digest()));
        }
        let status = BidStatus::parse(&b.status)
            .ok_or_else(|| AppError::Internal(format!("bid {}: bad status", b.id)))?;
        let in_session = match status {
            BidStatus::Decrypted | BidStatus::Revoked => true,
            BidStatus::Withdrawn => b.updated_at >= opening_at,
            BidStatus::Sealed | BidStatus::Superseded => false,
        };
        if !in_session {
            continue;
        }
        if status == BidStatus::Decrypted {
            decrypted += 1;
        }
        let party = tx
            .get_party(&b.party_id)
            .await?
            .ok_or_else(|| AppError::Internal("bid without party".into()))?;
        lines.push(OpeningLine {
            bidder: CreditCode::parse(&party.credit_code)?,
            bidder_name: party.name.clone(),
            status,
            price: b
                .price
                .as_deref()
                .map(|p| money(p, "投标报价"))
                .transpose()?,
            duration_days: b.duration_days.map(|d| d as u32),
            ciphertext_digest: parse_digest_text(&b.ciphertext_digest)?,
        });
    }
    check_opening_record(&lines)?;
    let record_json =
        serde_json::to_string(&lines).map_err(|e| AppError::Internal(e.to_string()))?;
    let code = s.transaction_code.clone().unwrap_or_default();
    let signature = app
        .platform_key()
        .sign(opening_record_text(&code, opening.round, &record_json).as_bytes());
    let failed = matches!(
        after_decryption(method_of(&s)?, decrypted),
        OpeningDecision::Fail { .. }
    );
    if failed {
        let st = next_state(status_of(&s)?, SectionEvent::Fail)?;
        set_status(&mut s, st);
        s.updated_at = now;
        tx.update_section(&s).await?;
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
        opening.outcome = SectionEvent::Fail.as_str().into();
        rows.extend(refunds_on_failure(app, tx, &s, now).await?);
    }
    opening.record = Some(record_json);
    opening.record_signature = Some(signature);
    opening.closed_at = Some(now);
    tx.update_opening(&opening).await?;
    rows.push(digest(Opening::TABLE, &opening.id, opening.digest()));
    record(
        tx,
        &Acting::system(),
        "trading.opening.close",
        ("trading_section", &s.id),
        rows,
        serde_json::json!({ "round": opening.round, "decrypted": decrypted, "failed": failed }),
    )
    .await?;
    notify_parties(
        tx,
        &s,
        "trading.opening.record",
        serde_json::json!({ "section": s.name }),
    )
    .await?;
    Ok(())
}

/// The published opening record of a section's round, once the session has closed (anyone may
/// read it; before that there is none).
pub async fn opening_of(app: &App, section_id: &str, round: i64) -> AppResult<Option<Opening>> {
    let mut tx = app.store.read().await?;
    Ok(tx.get_opening(section_id, round).await?)
}

/// Whether `state` is the opened state (for callers that need the rule without the enum).
pub fn is_opened(s: &TradingSection) -> bool {
    SectionState::parse(&s.state) == Some(SectionState::Opened)
}
