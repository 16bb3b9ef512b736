//! 投标保证金: a virtual account per section and bidder (the centre collects and refunds, 代收代退),
//! payments as the bank reports them (payer account kept), refund due dates, refunds paid.
//! The cap (≤ 2% of the estimated price) is enforced when the section is created and published.

use rust_decimal::Decimal;
use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::ids::CreditCode;
use yiwang_core::ledger::sm3_hex;
use yiwang_core::trading::deposits::{DepositPayment, RefundTrigger, check_payment, refund_due};
use yiwang_core::trading::periods::Violation;
use yiwang_core::trading::{BidStatus, SectionState};
use yiwang_store::Deposit;
use yiwang_store::prelude::*;

use super::{bidder_grant, centre_grant, money, section_ctx, status_of, utc};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// Open (or return) the bidder's virtual account for a section that asks a deposit.
pub async fn open_account(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
) -> AppResult<Deposit> {
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, section_id).await?;
    if let Some(d) = tx.get_deposit(&s.id, &party.id).await? {
        return Ok(d);
    }
    let required = s.deposit.clone().ok_or_else(|| {
        AppError::from(Problem::conflict(
            "trading.deposit.none",
            "该标段不收取投标保证金。",
            "The section asks no deposit.",
        ))
    })?;
    if status_of(&s)?.state != SectionState::Tendering {
        return Err(Problem::conflict(
            "trading.deposit.closed",
            "标段不在招标期内。",
            "The section is not tendering.",
        )
        .into());
    }
    let now = now_micros();
    let account = format!(
        "YW{}",
        sm3_hex(format!("{}|{}", s.id, party.id).as_bytes())[..18].to_ascii_uppercase()
    );
    let d = Deposit {
        id: new_id(),
        section_id: s.id.clone(),
        party_id: party.id.clone(),
        virtual_account: account,
        required,
        payer_account: None,
        amount: None,
        received_at: None,
        refund_trigger: None,
        refund_due_at: None,
        refunded_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_deposit(&d).await?;
    record(
        &mut *tx,
        &by,
        "trading.deposit.open",
        ("trading_section", &s.id),
        vec![digest(Deposit::TABLE, &d.id, d.digest())],
        serde_json::json!({ "party": party.id, "account": d.virtual_account }),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// What recording a payment found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentChecked {
    pub deposit: Deposit,
    /// Empty when the deposit is in order (basic account, amount, in time).
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<Violation>,
}

/// The centre records a payment into a virtual account as the bank reported it (payer account,
/// amount, time received); the checks of 条例 Art. 26 are returned, the payment kept either way.
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    virtual_account: &str,
    payer_account: &str,
    amount: &str,
    received_at: i64,
) -> AppResult<PaymentChecked> {
    let amount = money(amount, "到账金额")?;
    let payer = payer_account.trim();
    if payer.is_empty() || payer.chars().count() > 64 {
        return Err(Problem::invalid(
            "trading.deposit.payer",
            "付款账号不能为空且不超过64个字符。",
            "The payer account must be 1 to 64 characters.",
        )
        .into());
    }
    let mut tx = app.store.write().await?;
    let mut d = tx
        .list_deposits(None)
        .await?
        .into_iter()
        .find(|d| d.virtual_account == virtual_account)
        .ok_or_else(|| Problem::not_found("虚拟账户", "Virtual account"))?;
    let (s, project) = section_ctx(&mut *tx, &d.section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    let party = tx
        .get_party(&d.party_id)
        .await?
        .ok_or_else(|| AppError::Internal("deposit without party".into()))?;
    let payment = DepositPayment {
        bidder: CreditCode::parse(&party.credit_code)?,
        payer_account: payer.into(),
        amount,
        received_at: utc(received_at),
    };
    let violations = check_payment(
        &payment,
        party.basic_account.as_deref().unwrap_or(""),
        money(&d.required, "保证金")?,
        utc(s.bid_deadline.unwrap_or(0)),
    );
    let total = d
        .amount
        .as_deref()
        .map(|a| money(a, "已到账金额"))
        .transpose()?
        .unwrap_or(Decimal::ZERO)
        + amount;
    d.payer_account = Some(payer.into());
    d.amount = Some(total.to_string());
    d.received_at = Some(received_at);
    d.updated_at = now_micros();
    tx.update_deposit(&d).await?;
    record(
        &mut *tx,
        &by,
        "trading.deposit.payment",
        ("trading_section", &s.id),
        vec![digest(Deposit::TABLE, &d.id, d.digest())],
        serde_json::json!({ "account": d.virtual_account, "amount": amount.to_string(), "violations": violations }),
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentChecked {
        deposit: d,
        violations,
    })
}

/// Set the refund due date of a bidder's deposit (inside the caller's transaction); returns the
/// changed row, or `None` if there is no paid deposit or it may be kept (视为撤销).
pub(crate) async fn refund_becomes_due(
    app: &App,
    tx: &mut dyn WriteTx,
    section_id: &str,
    party_id: &str,
    bid_status: BidStatus,
    trigger: RefundTrigger,
    at: i64,
) -> AppResult<Option<Deposit>> {
    let Some(mut d) = tx.get_deposit(section_id, party_id).await? else {
        return Ok(None);
    };
    if d.amount.is_none() || d.refund_due_at.is_some() {
        return Ok(None);
    }
    let Some(due) = refund_due(bid_status, trigger, utc(at), &app.calendar().calendar) else {
        return Ok(None);
    };
    d.refund_trigger = Some(
        match trigger {
            RefundTrigger::Withdrawn => "withdrawn",
            RefundTrigger::ContractSigned => "contract_signed",
            RefundTrigger::SectionEnded => "section_ended",
        }
        .into(),
    );
    d.refund_due_at = Some(due.timestamp_micros());
    d.updated_at = now_micros();
    tx.update_deposit(&d).await?;
    Ok(Some(d))
}

/// The centre marks a due refund as paid.
pub async fn mark_refund_paid(app: &App, actor: &Actor, deposit_id: &str) -> AppResult<Deposit> {
    let mut tx = app.store.write().await?;
    let mut d = tx
        .list_deposits(None)
        .await?
        .into_iter()
        .find(|d| d.id == deposit_id)
        .ok_or_else(|| Problem::not_found("保证金", "Deposit"))?;
    let (s, project) = section_ctx(&mut *tx, &d.section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    if d.refund_due_at.is_none() || d.refunded_at.is_some() {
        return Err(Problem::conflict(
            "trading.deposit.refund_not_due",
            "该保证金无待退还款项。",
            "No refund of this deposit is due.",
        )
        .into());
    }
    let now = now_micros();
    d.refunded_at = Some(now);
    d.updated_at = now;
    tx.update_deposit(&d).await?;
    record(
        &mut *tx,
        &by,
        "trading.deposit.refund",
        ("trading_section", &s.id),
        vec![digest(Deposit::TABLE, &d.id, d.digest())],
        serde_json::json!({ "account": d.virtual_account }),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}
