//! 投标保证金: payment checks, refund due dates and the same-account screen (DOMAIN §2.2, §2.5).
//! The amount cap is in [`super::periods::check_deposit`]; the platform collects and refunds
//! deposits itself through a virtual account per section and bidder (代收代退 [004]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::bids::BidStatus;
use super::periods::{Period, Violation};
use crate::calendar::WorkingCalendar;
use crate::ids::CreditCode;

/// A deposit payment as the bank reports it into the virtual account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositPayment {
    pub bidder: CreditCode,
    /// The payer's bank account number, as reported by the bank (kept: it feeds the bid-rigging
    /// screens).
    pub payer_account: String,
    pub amount: Decimal,
    pub received_at: DateTime<Utc>,
}

fn violation(code: &'static str, zh: String, en: String) -> Violation {
    Violation {
        code,
        message: zh,
        message_en: en,
        earliest: None,
    }
}

/// Checks a payment against the section's demand; every violation.
///
/// - paid from the bidder's 基本账户 (条例 Art. 26: a domestic bidder's cash or cheque deposit comes
///   from its basic account);
/// - at least the amount asked;
/// - received before the bid deadline (a deposit is part of the bid and must be in place by the
///   deadline, 条例 Art. 26).
pub fn check_payment(
    p: &DepositPayment,
    basic_account: &str,
    required: Decimal,
    deadline: DateTime<Utc>,
) -> Vec<Violation> {
    let mut v = Vec::new();
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if norm(&p.payer_account) != norm(basic_account) {
        v.push(violation(
            "trading.deposit.not_basic_account",
            "投标保证金应当从投标人的基本账户转出。".into(),
            "The deposit must be paid from the bidder's basic account.".into(),
        ));
    }
    if p.amount < required {
        v.push(violation(
            "trading.deposit.short",
            format!("投标保证金不足：应缴{required}元，实缴{}元。", p.amount),
            format!(
                "The deposit is short: {required} yuan required, {} paid.",
                p.amount
            ),
        ));
    }
    if p.received_at >= deadline {
        v.push(violation(
            "trading.deposit.late",
            "投标保证金到账时间晚于投标截止时间。".into(),
            "The deposit arrived after the bid deadline.".into(),
        ));
    }
    v
}

/// What ends a bidder's deposit obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundTrigger {
    /// The bidder withdrew its bid before the deadline (条例 Art. 35: refund within 5 days of the
    /// written notice of withdrawal).
    Withdrawn,
    /// The contract was signed (条例 Art. 57: refund to the winner and the other bidders within 5
    /// days of signing, with the bank interest of the same period).
    ContractSigned,
    /// The section failed (流标) or was cancelled (条例 Art. 31: refund "及时" with interest).
    /// Choice: the platform applies the same 5 days, the shortest period the law sets for deposits.
    SectionEnded,
}

/// When a deposit must have been refunded (exclusive end), or `None` if the deposit may be kept:
/// a bid revoked after the deadline (视为撤销, including one not decrypted through the bidder's
/// fault) loses its deposit (条例 Art. 35).
pub fn refund_due(
    status: BidStatus,
    trigger: RefundTrigger,
    at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Option<DateTime<Utc>> {
    if !status.deposit_refundable() {
        return None;
    }
    let period = match trigger {
        RefundTrigger::Withdrawn | RefundTrigger::ContractSigned | RefundTrigger::SectionEnded => {
            Period::calendar(5)
        }
    };
    Some(period.due(at, cal))
}

/// 围标串标 screen (条例 Art. 40(5)): deposits of different bidders paid from the same account are
/// deemed collusion. Returns each shared account with the bidders that used it (two or more).
pub fn shared_payer_accounts(payments: &[DepositPayment]) -> Vec<(String, Vec<CreditCode>)> {
    let mut by_account: BTreeMap<String, Vec<CreditCode>> = BTreeMap::new();
    for p in payments {
        let key: String = p
            .payer_account
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let list = by_account.entry(key).or_default();
        if !list.contains(&p.bidder) {
            list.push(p.bidder.clone());
        }
    }
    by_account
        .into_iter()
        .filter(|(_, bidders)| bidders.len() >= 2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn pay(bidder: &str, account: &str, amount: i64) -> DepositPayment {
        DepositPayment {
            bidder: CreditCode::parse(bidder).unwrap(),
            payer_account: account.into(),
            amount: Decimal::new(amount, 0),
            received_at: t("2026-03-20T02:00:00Z"),
        }
    }

    const A: &str = "91350100M000100Y43";
    const B: &str = "123100007847653857";

    #[test]
    fn payments_come_from_the_basic_account_in_full_and_in_time() {
        let deadline = t("2026-03-23T01:30:00Z");
        let p = pay(A, "6222 0000 1111", 20_000);
        assert!(check_payment(&p, "622200001111", Decimal::new(20_000, 0), deadline).is_empty());
        let codes: Vec<_> = check_payment(
            &p,
            "6222000099",
            Decimal::new(30_000, 0),
            t("2026-03-20T02:00:00Z"),
        )
        .iter()
        .map(|v| v.code)
        .collect();
        assert_eq!(
            codes,
            [
                "trading.deposit.not_basic_account",
                "trading.deposit.short",
                "trading.deposit.late"
            ]
        );
    }

    #[test]
    fn refunds_within_five_days_unless_revoked() {
        let cal = WorkingCalendar::official();
        let at = t("2026-03-10T07:00:00Z"); // 15:00 Beijing
        let due = t("2026-03-15T16:00:00Z"); // 16 March 00:00 Beijing
        assert_eq!(
            refund_due(BidStatus::Withdrawn, RefundTrigger::Withdrawn, at, &cal),
            Some(due)
        );
        assert_eq!(
            refund_due(
                BidStatus::Decrypted,
                RefundTrigger::ContractSigned,
                at,
                &cal
            ),
            Some(due)
        );
        assert_eq!(
            refund_due(BidStatus::Sealed, RefundTrigger::SectionEnded, at, &cal),
            Some(due)
        );
        assert_eq!(
            refund_due(BidStatus::Revoked, RefundTrigger::ContractSigned, at, &cal),
            None
        );
    }

    #[test]
    fn the_same_account_links_bidders() {
        let payments = [
            pay(A, "6222 0001", 1),
            pay(B, "62220001", 1),
            pay(A, "62220001", 1),
            pay(B, "7777", 1),
        ];
        let shared = shared_payer_accounts(&payments);
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].0, "62220001");
        assert_eq!(shared[0].1.len(), 2);
        assert!(shared_payer_accounts(&payments[..1]).is_empty());
    }
}
