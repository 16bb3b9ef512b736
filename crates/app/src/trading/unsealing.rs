//! 开标解密: the custodian key of a section and the opening of HPKE-sealed bids (DOMAIN §2.2–2.3,
//! design in [`yiwang_core::trading::sealing`]).
//!
//! - [`register_custodian_key`]: the trading centre registers the section's custodian *public*
//!   key before any bid; its private half was split k-of-n among custodians at a key ceremony
//!   (`yiwang bid custodian-keygen`, [`super::sealing::generate_custodian_key`]) and is never
//!   stored. From then on only sealed files addressed to that key are accepted
//!   ([`check_sealed_submission`]).
//! - [`open_with_bid_key`]: at the opening the bidder decrypts online by handing over its bid
//!   private key; the platform opens the stored ciphertext, checks the plaintext's manifest and
//!   digest, and records price and duration from it.
//! - [`open_with_custodians`]: the fallback — a quorum of custodian shares rebuilds the custodian
//!   key for the moment of the call, which unwraps and opens every bid still sealed.
//!
//! Failures are classified as 电子招标投标办法 Art. 31 wants: a stored file that no longer matches
//! its signed digest (or is gone) is the platform's fault → 视为撤回 (withdrawn, deposit refunded);
//! the right key on an intact file that still does not open, or opens to a plaintext that breaks
//! the format, is the bidder's fault → 视为撤销 (revoked). A wrong key changes nothing: the bidder
//! may try again within the window, after which the close job revokes what is still sealed.
//!
//! Before the deadline nothing here works: [`check_decryption`] refuses every call before the
//! opening instant, and the platform holds no key that could open a bid anyway.

use serde::Serialize;
use sm3::{Digest as _, Sm3};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::trading::bids::{
    DecryptionFailure, check_decryption, classify_decryption_failure,
};
use yiwang_core::trading::deposits::RefundTrigger;
use yiwang_core::trading::sealing::{
    BidKeyFile, OpenedBid, check_addressed, parse_plaintext, parse_sealed,
};
use yiwang_core::trading::{BidStatus, SectionState};
use yiwang_store::prelude::*;
use yiwang_store::{Deposit, SealedBid, TradingSection};

use super::opening::DECRYPTION_WINDOW_MICROS;
use super::sealing::{self, OpenError};
use super::{bidder_grant, centre_grant, section_ctx, status_of, utc};
use crate::{Acting, App, AppError, AppResult, digest, now_micros, record};

/// The result of opening one bid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenOutcome {
    pub bid_id: String,
    pub party_id: String,
    /// `decrypted`, `revoked` (视为撤销) or `withdrawn` (视为撤回).
    pub status: String,
    pub price: Option<String>,
    pub duration_days: Option<i64>,
    pub plaintext_digest: Option<String>,
    /// Why it failed, when it did: a stable code.
    pub failure: Option<String>,
}

impl OpenOutcome {
    fn of(b: &SealedBid, failure: Option<String>) -> Self {
        OpenOutcome {
            bid_id: b.id.clone(),
            party_id: b.party_id.clone(),
            status: b.status.clone(),
            price: b.price.clone(),
            duration_days: b.duration_days,
            plaintext_digest: b.plaintext_digest.clone(),
            failure,
        }
    }
}

fn window() -> chrono::TimeDelta {
    chrono::TimeDelta::microseconds(DECRYPTION_WINDOW_MICROS)
}

fn is_sealed(b: &SealedBid) -> bool {
    BidStatus::parse(&b.status) == Some(BidStatus::Sealed)
}

/// The centre registers the section's custodian public key (hex P-256 point), before any bid of
/// the current round and before the deadline. A key already registered cannot be replaced once a
/// bid has been sealed to it.
pub async fn register_custodian_key(
    app: &App,
    actor: &Actor,
    section_id: &str,
    public_key: &str,
) -> AppResult<TradingSection> {
    register_custodian_key_at(app, actor, section_id, public_key, now_micros()).await
}

/// [`register_custodian_key`] at the server instant `now`.
pub async fn register_custodian_key_at(
    app: &App,
    actor: &Actor,
    section_id: &str,
    public_key: &str,
    now: i64,
) -> AppResult<TradingSection> {
    let key = sealing::check_public_key(public_key)?;
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    let state = status_of(&s)?.state;
    let late = s.bid_deadline.is_some_and(|d| now >= d);
    let open_state = matches!(
        state,
        SectionState::Registered | SectionState::Announced | SectionState::Tendering
    );
    let has_bids = tx
        .list_bids(Some(&s.id))
        .await?
        .iter()
        .any(|b| b.round == s.round);
    if late || !open_state || has_bids {
        return Err(Problem::conflict(
            "trading.custody.locked",
            "已有投标或已过投标截止时间，托管公钥不能再设置或更换。",
            "Bids have been sealed or the deadline has passed; the custodian key can no longer be set.",
        )
        .into());
    }
    s.custodian_key = Some(key.clone());
    s.updated_at = now;
    tx.update_section(&s).await?;
    record(
        &mut *tx,
        &by,
        "trading.section.custodian_key",
        ("trading_section", &s.id),
        vec![digest(TradingSection::TABLE, &s.id, s.digest())],
        serde_json::json!({ "custodian_key": key }),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// At submission: a section with a custodian key accepts only a sealed file in the platform's
/// format, sealed for this section and to that key (招标投标法实施条例 Art. 36: unsealed bids are
/// refused). A section without one accepts opaque ciphertext (sections from before sealing).
pub fn check_sealed_submission(s: &TradingSection, file: &[u8]) -> Result<(), Problem> {
    let Some(key) = &s.custodian_key else {
        return Ok(());
    };
    let parts = parse_sealed(file)?;
    check_addressed(
        &parts,
        s.transaction_code.as_deref().unwrap_or_default(),
        key,
    )
}

/// What came of trying to open one stored file.
enum Attempt {
    Opened(OpenedBid),
    Failed(DecryptionFailure, String),
}

/// Reads a bid's stored file and checks it is the file the bidder signed; `None` when it is gone
/// or changed (the platform's fault).
async fn stored_file(app: &App, b: &SealedBid) -> AppResult<Option<Vec<u8>>> {
    use futures_util::TryStreamExt;
    let Some(read) = app.blobs().get(&b.blob_digest, None).await? else {
        return Ok(None);
    };
    let chunks: Vec<bytes::Bytes> = match read.stream.try_collect().await {
        Ok(c) => c,
        Err(_) => return Ok(None),
    };
    let bytes = chunks.concat();
    let actual = format!("sm3:{}", hex::encode(Sm3::digest(&bytes)));
    Ok((actual == b.ciphertext_digest).then_some(bytes))
}

/// Opens the stored file of `b` with `key` (a function from the parsed file to the bid private
/// key). `Err` only for what changes nothing (a wrong bid key).
async fn attempt(
    app: &App,
    b: &SealedBid,
    key: impl Fn(&yiwang_core::trading::sealing::SealedParts<'_>) -> Result<Vec<u8>, OpenError>,
) -> AppResult<Attempt> {
    let Some(file) = stored_file(app, b).await? else {
        return Ok(Attempt::Failed(
            DecryptionFailure::OtherCause,
            "trading.bid.storage".into(),
        ));
    };
    let parts = match parse_sealed(&file) {
        Ok(p) => p,
        Err(e) => return Ok(Attempt::Failed(DecryptionFailure::BidderFault, e.code)),
    };
    let bid_key = match key(&parts) {
        Ok(k) => k,
        Err(OpenError::WrongKey) => return Err(wrong_key()),
        Err(OpenError::Undecryptable) => {
            return Ok(Attempt::Failed(
                DecryptionFailure::BidderFault,
                "trading.bid.undecryptable".into(),
            ));
        }
    };
    let plaintext = match sealing::open_with_bid_key(&parts, &bid_key) {
        Ok(p) => p,
        Err(OpenError::WrongKey) => return Err(wrong_key()),
        Err(OpenError::Undecryptable) => {
            return Ok(Attempt::Failed(
                DecryptionFailure::BidderFault,
                "trading.bid.undecryptable".into(),
            ));
        }
    };
    Ok(match parse_plaintext(&plaintext) {
        Ok(opened) => Attempt::Opened(opened),
        Err(e) => Attempt::Failed(DecryptionFailure::BidderFault, e.code),
    })
}

fn wrong_key() -> AppError {
    Problem::invalid(
        "trading.bid.wrong_key",
        "投标密钥与投标文件不匹配，请检查后重新提交。",
        "The bid key does not belong to this bid; check it and try again.",
    )
    .into()
}

fn not_sealed() -> AppError {
    Problem::conflict(
        "trading.bid.none",
        "没有待解密的投标文件。",
        "There is no sealed bid to decrypt.",
    )
    .into()
}

/// Applies an attempt to the bid (re-read in the write transaction, still sealed, in the
/// window): decrypted with the manifest's price and duration, or classified.
async fn apply(
    app: &App,
    tx: &mut dyn WriteTx,
    by: &Acting,
    s: &TradingSection,
    bid_id: &str,
    result: Attempt,
    now: i64,
) -> AppResult<OpenOutcome> {
    let mut bid = tx
        .get_bid(bid_id)
        .await?
        .filter(|b| is_sealed(b) && b.round == s.round)
        .ok_or_else(not_sealed)?;
    bid.updated_at = now;
    let mut rows = Vec::new();
    let (action, failure) = match result {
        Attempt::Opened(o) => {
            bid.status = BidStatus::Decrypted.as_str().into();
            bid.plaintext_digest = Some(o.plaintext_digest);
            bid.price = Some(o.price.to_string());
            bid.duration_days = o.manifest.duration_days.map(i64::from);
            ("trading.bid.decrypt", None)
        }
        Attempt::Failed(cause, code) => {
            let status = classify_decryption_failure(cause);
            bid.status = status.as_str().into();
            if let Some(d) = super::deposits::refund_becomes_due(
                app,
                tx,
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
            ("trading.bid.decryption_failed", Some((cause, code)))
        }
    };
    tx.update_bid(&bid).await?;
    rows.insert(0, digest(SealedBid::TABLE, &bid.id, bid.digest()));
    record(
        tx,
        by,
        action,
        ("trading_section", &s.id),
        rows,
        serde_json::json!({
            "bid": bid.id,
            "price": bid.price,
            "plaintext_digest": bid.plaintext_digest,
            "cause": failure.as_ref().map(|f| f.0),
            "failure": failure.as_ref().map(|f| f.1.clone()),
        }),
    )
    .await?;
    Ok(OpenOutcome::of(&bid, failure.map(|f| f.1)))
}

/// The bidder decrypts its bid at the opening by handing over its bid key (the key file's text
/// or the bare hex private key), within the window (server clock).
pub async fn open_with_bid_key(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    key: &str,
) -> AppResult<OpenOutcome> {
    open_with_bid_key_at(app, actor, party_id, section_id, key, now_micros()).await
}

/// [`open_with_bid_key`] at the server instant `now`.
pub async fn open_with_bid_key_at(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    key: &str,
    now: i64,
) -> AppResult<OpenOutcome> {
    let key = BidKeyFile::parse(key)?;
    let bid = {
        let mut tx = app.store.read().await?;
        let (party, _) = bidder_grant(&mut *tx, actor, party_id).await?;
        let (s, _) = section_ctx(&mut *tx, section_id).await?;
        check_decryption(
            status_of(&s)?.state,
            utc(s.opening_at.unwrap_or(i64::MAX)),
            window(),
            utc(now),
        )?;
        tx.list_bids(Some(&s.id))
            .await?
            .into_iter()
            .filter(|b| b.round == s.round && b.party_id == party.id && is_sealed(b))
            .max_by_key(|b| (b.submitted_at, b.version))
            .ok_or_else(not_sealed)?
    };
    let secret = key.private_key_bytes();
    let result = attempt(app, &bid, |_| Ok(secret.clone())).await?;
    let mut tx = app.store.write().await?;
    let (_, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, section_id).await?;
    check_decryption(
        status_of(&s)?.state,
        utc(s.opening_at.unwrap_or(i64::MAX)),
        window(),
        utc(now),
    )?;
    let out = apply(app, &mut *tx, &by, &s, &bid.id, result, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// The custodians' fallback: the centre hands in at least the quorum of shares; the custodian
/// key is rebuilt for this call only and opens every bid of the round still sealed.
pub async fn open_with_custodians(
    app: &App,
    actor: &Actor,
    section_id: &str,
    shares: &[String],
) -> AppResult<Vec<OpenOutcome>> {
    open_with_custodians_at(app, actor, section_id, shares, now_micros()).await
}

/// [`open_with_custodians`] at the server instant `now`.
pub async fn open_with_custodians_at(
    app: &App,
    actor: &Actor,
    section_id: &str,
    shares: &[String],
    now: i64,
) -> AppResult<Vec<OpenOutcome>> {
    let (s, sealed) = {
        let mut tx = app.store.read().await?;
        let (s, project) = section_ctx(&mut *tx, section_id).await?;
        centre_grant(&mut *tx, actor, &project).await?;
        check_decryption(
            status_of(&s)?.state,
            utc(s.opening_at.unwrap_or(i64::MAX)),
            window(),
            utc(now),
        )?;
        let sealed: Vec<SealedBid> = tx
            .list_bids(Some(&s.id))
            .await?
            .into_iter()
            .filter(|b| b.round == s.round && is_sealed(b))
            .collect();
        (s, sealed)
    };
    let public_key = s.custodian_key.clone().ok_or_else(|| {
        AppError::from(Problem::conflict(
            "trading.custody.none",
            "本标段没有登记托管公钥。",
            "The section has no custodian key.",
        ))
    })?;
    let mut custodian = sealing::custodian_secret(shares, &public_key)?;
    let mut attempts = Vec::new();
    for b in &sealed {
        let result = attempt(app, b, |parts| sealing::unwrap_bid_key(parts, &custodian)).await;
        attempts.push((b.id.clone(), result));
    }
    custodian.fill(0);
    let mut tx = app.store.write().await?;
    let (s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    check_decryption(
        status_of(&s)?.state,
        utc(s.opening_at.unwrap_or(i64::MAX)),
        window(),
        utc(now),
    )?;
    let mut out = Vec::new();
    for (bid_id, result) in attempts {
        // A file whose wrapped key is not for this custodian key was refused at submission; if
        // one got through it is the bidder's sealing that failed.
        let result = match result {
            Ok(r) => r,
            Err(_) => Attempt::Failed(
                DecryptionFailure::BidderFault,
                "trading.bid.undecryptable".into(),
            ),
        };
        out.push(apply(app, &mut *tx, &by, &s, &bid_id, result, now).await?);
    }
    tx.commit().await?;
    Ok(out)
}
