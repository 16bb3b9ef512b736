//! 电子投标: sealed bids. The bidder seals (encrypts) its bid on its own side; the platform
//! receives only ciphertext, keeps it in the blob store, checks its digest and the bidder's SM2
//! signature, and answers with a receipt the platform signs, carrying the ledger entry's seq.
//! A section with a custodian key accepts only files sealed in the platform's HPKE format for it
//! ([`super::unsealing::check_sealed_submission`]).
//! Submit, replace and withdraw until the deadline on the server's clock. No read path returns a
//! bid's content (or who bid) before the opening: [`yiwang_core::access::time_gate`].

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor};
use yiwang_core::ids::CreditCode;
use yiwang_core::ledger::verify_signature;
use yiwang_core::trading::bids::{
    BidLimits, Digest, DigestAlgorithm, check_bid_action, check_envelope,
};
use yiwang_core::trading::deposits::RefundTrigger;
use yiwang_core::trading::{BidAction, BidEnvelope, BidReceipt, BidStatus};
use yiwang_store::SealedBid;
use yiwang_store::prelude::*;

use super::{bidder_grant, centre_grant, notify_org, section_ctx, status_of, tender_grant, utc};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// The text a bidder signs for a submission, replacement or withdrawal (UTF-8; see
/// [`super::parties`] for the signature format). For a withdrawal the digest and size are those
/// of the bid withdrawn.
pub fn submission_text(
    action: BidAction,
    transaction_code: &str,
    bidder: &str,
    ciphertext_digest: &str,
    size: u64,
) -> String {
    format!(
        "yiwang-bid/v1\naction={}\ntransaction_code={transaction_code}\nbidder={bidder}\nciphertext_digest={ciphertext_digest}\nsize={size}\n",
        action.as_str()
    )
}

/// A receipt as the platform signed it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignedReceipt {
    #[schema(value_type = Object)]
    pub receipt: BidReceipt,
    /// The ledger entry of the action.
    pub ledger_seq: i64,
    /// What the signature covers: the receipt's canonical text and `ledger_seq=N\n`.
    pub text: String,
    /// The platform's SM2 signature of `text`, hex.
    pub signature: String,
    pub key_id: String,
}

/// What a caller may see of a bid: never its content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BidView {
    pub id: String,
    pub section_id: String,
    pub party_id: String,
    pub version: i64,
    pub ciphertext_digest: String,
    pub size: i64,
    pub status: String,
    pub receipt_no: String,
    pub submitted_at: i64,
    pub price: Option<String>,
    pub duration_days: Option<i64>,
}

impl From<&SealedBid> for BidView {
    fn from(b: &SealedBid) -> Self {
        BidView {
            id: b.id.clone(),
            section_id: b.section_id.clone(),
            party_id: b.party_id.clone(),
            version: b.version,
            ciphertext_digest: b.ciphertext_digest.clone(),
            size: b.size,
            status: b.status.clone(),
            receipt_no: b.receipt_no.clone(),
            submitted_at: b.submitted_at,
            price: b.price.clone(),
            duration_days: b.duration_days,
        }
    }
}

/// Input of [`submit_bid`]: the sealed file and the bidder's signature of
/// [`submission_text`] with the file's SM3 digest (`sm3:…`).
pub struct SealedInput<'a> {
    pub party_id: &'a str,
    pub section_id: &'a str,
    /// Submit or replace.
    pub action: BidAction,
    pub ciphertext: Vec<u8>,
    pub signature: &'a str,
}

fn bid_status(b: &SealedBid) -> AppResult<BidStatus> {
    BidStatus::parse(&b.status)
        .ok_or_else(|| AppError::Internal(format!("bid {}: bad status", b.id)))
}

/// The bidder's current (latest submitted) bid in the section's current round.
async fn current_bid(
    tx: &mut dyn ReadTx,
    section_id: &str,
    round: i64,
    party_id: &str,
) -> AppResult<Option<SealedBid>> {
    Ok(tx
        .list_bids(Some(section_id))
        .await?
        .into_iter()
        .filter(|b| b.round == round && b.party_id == party_id)
        .max_by_key(|b| (b.submitted_at, b.version)))
}

fn bad_signature() -> AppError {
    Problem::invalid(
        "trading.bid.signature",
        "投标人签名验证失败。",
        "The bidder's signature does not verify.",
    )
    .into()
}

/// Submit or replace a sealed bid (server clock).
pub async fn submit_bid(
    app: &App,
    actor: &Actor,
    input: SealedInput<'_>,
) -> AppResult<SignedReceipt> {
    submit_bid_at(app, actor, input, now_micros()).await
}

/// [`submit_bid`] at the server instant `now`.
pub async fn submit_bid_at(
    app: &App,
    actor: &Actor,
    input: SealedInput<'_>,
    now: i64,
) -> AppResult<SignedReceipt> {
    if input.action == BidAction::Withdraw {
        return Err(Problem::invalid(
            "trading.bid.action",
            "撤回请使用撤回操作。",
            "Use the withdrawal to withdraw.",
        )
        .into());
    }
    let limits = BidLimits::default();
    if input.ciphertext.len() as u64 > limits.max_size {
        return Err(Problem::too_large(limits.max_size).into());
    }
    // Refuse early (before writing the blob) what would be refused anyway.
    {
        let mut tx = app.store.read().await?;
        bidder_grant(&mut *tx, actor, input.party_id).await?;
        let (s, _) = section_ctx(&mut *tx, input.section_id).await?;
        check_bid_action(
            input.action,
            status_of(&s)?.state,
            utc(s.bid_deadline.unwrap_or(0)),
            utc(now),
            (input.action == BidAction::Replace).then_some(BidStatus::Sealed),
        )?;
        super::unsealing::check_sealed_submission(&s, &input.ciphertext)?;
    }
    let stored = app.blobs().put_bytes(input.ciphertext).await?;
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, input.party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, input.section_id).await?;
    let deadline = s.bid_deadline.unwrap_or(0);
    let current = current_bid(&mut *tx, &s.id, s.round, &party.id).await?;
    let current_status = current.as_ref().map(bid_status).transpose()?;
    check_bid_action(
        input.action,
        status_of(&s)?.state,
        utc(deadline),
        utc(now),
        current_status,
    )?;
    let code = s
        .transaction_code
        .clone()
        .ok_or_else(|| AppError::Internal("tendering section without code".into()))?;
    let cdigest = Digest::parse(DigestAlgorithm::Sm3, &stored.digest)?;
    let text = submission_text(
        input.action,
        &code,
        &party.credit_code,
        &cdigest.to_text(),
        stored.size,
    );
    if !verify_signature(&party.public_key, text.as_bytes(), input.signature) {
        return Err(bad_signature());
    }
    // A replacement is the next version; a submission (first, or again after a withdrawal) is
    // version 1 of a new series, as the receipt rule wants.
    let version = match (&current, input.action) {
        (Some(b), BidAction::Replace) => b.version + 1,
        _ => 1,
    };
    let envelope = BidEnvelope {
        section: s.id.clone(),
        bidder: CreditCode::parse(&party.credit_code)?,
        ciphertext_digest: cdigest.clone(),
        size: stored.size,
        submitted_at: utc(now),
        version: version as u32,
    };
    check_envelope(&envelope, &BidLimits::default(), utc(now))?;
    let mut rows = Vec::new();
    let mut replaces = None;
    if input.action == BidAction::Replace
        && let Some(mut old) = current
    {
        replaces = Some(parse_digest(&old.ciphertext_digest)?);
        old.status = BidStatus::Superseded.as_str().into();
        old.updated_at = now;
        tx.update_bid(&old).await?;
        rows.push(digest(SealedBid::TABLE, &old.id, old.digest()));
    }
    let receipt_no = format!("{}-{}-{}", code, &party.credit_code, new_id());
    let mut bid = SealedBid {
        id: new_id(),
        section_id: s.id.clone(),
        round: s.round,
        party_id: party.id.clone(),
        version,
        blob_digest: stored.digest.clone(),
        ciphertext_digest: cdigest.to_text(),
        size: stored.size as i64,
        signature: input.signature.trim().to_ascii_lowercase(),
        status: BidStatus::Sealed.as_str().into(),
        receipt_no: receipt_no.clone(),
        submitted_at: now,
        updated_at: now,
        plaintext_digest: None,
        price: None,
        duration_days: None,
        ledger_seq: None,
        receipt_signature: None,
    };
    tx.insert_bid(&bid).await?;
    rows.push(digest(SealedBid::TABLE, &bid.id, bid.digest()));
    let receipt = BidReceipt {
        receipt_no,
        action: input.action,
        transaction_code: code,
        bidder: envelope.bidder.clone(),
        version: version as u32,
        ciphertext_digest: cdigest,
        size: stored.size,
        replaces,
        accepted_at: utc(now),
        deadline: utc(deadline),
    };
    receipt.check()?;
    let signed = sign_receipt(
        app,
        &mut *tx,
        &by,
        &s.id,
        &s.name,
        &party.org_id,
        receipt,
        rows,
    )
    .await?;
    bid.ledger_seq = Some(signed.ledger_seq);
    bid.receipt_signature = Some(signed.signature.clone());
    tx.update_bid(&bid).await?;
    tx.commit().await?;
    Ok(signed)
}

fn parse_digest(text: &str) -> AppResult<Digest> {
    let (alg, hex) = text
        .split_once(':')
        .ok_or_else(|| AppError::Internal(format!("bad digest {text}")))?;
    let alg = DigestAlgorithm::parse(alg)
        .ok_or_else(|| AppError::Internal(format!("bad digest {text}")))?;
    Ok(Digest::parse(alg, hex)?)
}

#[allow(clippy::too_many_arguments)]
async fn sign_receipt(
    app: &App,
    tx: &mut dyn WriteTx,
    by: &Acting,
    section_id: &str,
    section_name: &str,
    bidder_org: &str,
    receipt: BidReceipt,
    rows: Vec<yiwang_core::ledger::RowDigest>,
) -> AppResult<SignedReceipt> {
    let entry = record(
        tx,
        by,
        &format!("trading.bid.{}", receipt.action.as_str()),
        ("trading_section", section_id),
        rows,
        serde_json::json!({ "receipt": receipt.canonical_text() }),
    )
    .await?;
    let text = format!("{}ledger_seq={}\n", receipt.canonical_text(), entry.seq);
    let signature = app.platform_key().sign(text.as_bytes());
    notify_org(
        tx,
        bidder_org,
        "trading.bid.receipt",
        serde_json::json!({
            "section": section_name,
            "action": receipt.action.label_zh(),
            "receipt_no": receipt.receipt_no,
        }),
    )
    .await?;
    Ok(SignedReceipt {
        receipt,
        ledger_seq: entry.seq,
        text,
        signature,
        key_id: app.platform_key_id().into(),
    })
}

/// Withdraw the bidder's sealed bid before the deadline; `signature` signs [`submission_text`]
/// with action `withdraw` and the withdrawn bid's digest and size. The deposit's refund falls due.
pub async fn withdraw_bid(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    signature: &str,
) -> AppResult<SignedReceipt> {
    withdraw_bid_at(app, actor, party_id, section_id, signature, now_micros()).await
}

/// [`withdraw_bid`] at the server instant `now`.
pub async fn withdraw_bid_at(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    signature: &str,
    now: i64,
) -> AppResult<SignedReceipt> {
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, section_id).await?;
    let deadline = s.bid_deadline.unwrap_or(0);
    let current = current_bid(&mut *tx, &s.id, s.round, &party.id).await?;
    let current_status = current.as_ref().map(bid_status).transpose()?;
    check_bid_action(
        BidAction::Withdraw,
        status_of(&s)?.state,
        utc(deadline),
        utc(now),
        current_status,
    )?;
    let Some(mut bid) = current else {
        return Err(AppError::Internal("no current bid".into()));
    };
    let code = s.transaction_code.clone().unwrap_or_default();
    let text = submission_text(
        BidAction::Withdraw,
        &code,
        &party.credit_code,
        &bid.ciphertext_digest,
        bid.size as u64,
    );
    if !verify_signature(&party.public_key, text.as_bytes(), signature) {
        return Err(bad_signature());
    }
    bid.status = BidStatus::Withdrawn.as_str().into();
    bid.updated_at = now;
    tx.update_bid(&bid).await?;
    let mut rows = vec![digest(SealedBid::TABLE, &bid.id, bid.digest())];
    if let Some(d) = super::deposits::refund_becomes_due(
        app,
        &mut *tx,
        &s.id,
        &party.id,
        BidStatus::Withdrawn,
        RefundTrigger::Withdrawn,
        now,
    )
    .await?
    {
        rows.push(digest(yiwang_store::Deposit::TABLE, &d.id, d.digest()));
    }
    let receipt = BidReceipt {
        receipt_no: format!("{}-{}-{}", code, &party.credit_code, new_id()),
        action: BidAction::Withdraw,
        transaction_code: code,
        bidder: CreditCode::parse(&party.credit_code)?,
        version: bid.version as u32,
        ciphertext_digest: parse_digest(&bid.ciphertext_digest)?,
        size: bid.size as u64,
        replaces: None,
        accepted_at: utc(now),
        deadline: utc(deadline),
    };
    receipt.check()?;
    let signed = sign_receipt(
        app,
        &mut *tx,
        &by,
        &s.id,
        &s.name,
        &party.org_id,
        receipt,
        rows,
    )
    .await?;
    tx.commit().await?;
    Ok(signed)
}

/// The bidder's own bids (every version), without content.
pub async fn my_bids(app: &App, actor: &Actor, party_id: &str) -> AppResult<Vec<BidView>> {
    let mut tx = app.store.read().await?;
    let (party, _) = bidder_grant(&mut *tx, actor, party_id).await?;
    let mut out = Vec::new();
    for s in tx.list_sections(None).await? {
        for b in tx.list_bids(Some(&s.id)).await? {
            if b.party_id == party.id {
                out.push(BidView::from(&b));
            }
        }
    }
    Ok(out)
}

/// The bids of a section, for the tenderee, agency or centre: time-gated — refused to everyone
/// before the opening instant (even who bid is secret until then).
pub async fn section_bids(app: &App, actor: &Actor, section_id: &str) -> AppResult<Vec<BidView>> {
    let mut tx = app.store.read().await?;
    let (s, project) = section_ctx(&mut *tx, section_id).await?;
    if tender_grant(&mut *tx, actor, &project).await.is_err() {
        centre_grant(&mut *tx, actor, &project).await?;
    }
    access::time_gate(s.opening_at, now_micros())?;
    Ok(tx
        .list_bids(Some(section_id))
        .await?
        .iter()
        .map(BidView::from)
        .collect())
}

/// The sealed file of a bid, for its own bidder (to decrypt it at the opening) or the centre:
/// time-gated, and only once the section has been opened.
pub async fn bid_ciphertext(app: &App, actor: &Actor, bid_id: &str) -> AppResult<Vec<u8>> {
    let mut tx = app.store.read().await?;
    let bid = tx
        .get_bid(bid_id)
        .await?
        .ok_or_else(|| Problem::not_found("投标文件", "Bid"))?;
    let (s, project) = section_ctx(&mut *tx, &bid.section_id).await?;
    if bidder_grant(&mut *tx, actor, &bid.party_id).await.is_err() {
        centre_grant(&mut *tx, actor, &project).await?;
    }
    access::time_gate(s.opening_at, now_micros())?;
    if status_of(&s)?.state == yiwang_core::trading::SectionState::Tendering {
        return Err(Problem::new(
            yiwang_core::ProblemKind::Forbidden,
            "trading.bid.sealed",
            "开标前任何人不得解密或读取投标文件。",
            "Nobody may decrypt or read a bid before the opening.",
        )
        .into());
    }
    drop(tx);
    let read = app
        .blobs()
        .get(&bid.blob_digest, None)
        .await?
        .ok_or_else(|| AppError::Internal(format!("blob of bid {} missing", bid.id)))?;
    use futures_util::TryStreamExt;
    let chunks: Vec<bytes::Bytes> = read
        .stream
        .try_collect()
        .await
        .map_err(|e| AppError::Internal(format!("blob read: {e}")))?;
    Ok(chunks.concat())
}
