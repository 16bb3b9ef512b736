//! 公示与投诉: the periods after the evaluation — candidate publicity (招标投标法实施条例 Art. 54),
//! complaints (Arts. 60–61) and the performance-bond cap (Art. 58). Counting as in
//! [`super::periods`].

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::periods::{Period, Violation, local_time};
use crate::calendar::{WorkingCalendar, local_date};

/// 履约保证金 at most 10% of the contract price (条例 Art. 58), rounded down to the fen.
pub fn max_performance_bond(contract_price: Decimal) -> Decimal {
    (contract_price * Decimal::new(10, 2)).round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// Checks the 中标候选人公示 (条例 Art. 54): published within 3 days of receiving the evaluation
/// report, and public for at least 3 days. Every violation.
pub fn check_candidate_publicity(
    report_received_at: DateTime<Utc>,
    published_at: DateTime<Utc>,
    publicity_until: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Vec<Violation> {
    let mut v = Vec::new();
    let three = Period::calendar(3);
    if published_at >= three.due(report_received_at, cal) {
        v.push(Violation::new(
            "trading.publicity.late",
            "应当自收到评标报告之日起3日内公示中标候选人。".into(),
            "Candidates must be published within 3 days of receiving the evaluation report.".into(),
        ));
    }
    if !three.spans(published_at, publicity_until, cal) {
        v.push(
            Violation::new(
                "trading.publicity.too_short",
                "中标候选人公示期不得少于3日。".into(),
                "The candidates must be public for at least 3 days.".into(),
            )
            .earliest(
                three
                    .end_date(local_date(published_at), cal)
                    .and_time(local_time(publicity_until))
                    .and_utc()
                    - TimeDelta::hours(8),
            ),
        );
    }
    v
}

/// The last moment (exclusive) to file a complaint about something known at `known_at`: 投诉
/// within 10 days of knowing (条例 Art. 60).
pub fn complaint_file_by(known_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::calendar(10).due(known_at, cal)
}

/// When the regulator must have decided whether to accept a complaint received at `received_at`:
/// 3 working days (条例 Art. 61).
pub fn complaint_acceptance_due(
    received_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    Period::working(3).due(received_at, cal)
}

/// When the regulator must have decided an accepted complaint (accepted at `accepted_at`): 30
/// working days (条例 Art. 61).
pub fn complaint_decision_due(accepted_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::working(30).due(accepted_at, cal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::testutil::*;

    #[test]
    fn bonds_publicity_and_complaints() {
        assert_eq!(
            max_performance_bond(Decimal::new(1_000_005, 2)),
            Decimal::new(100_000, 2)
        );
        let report = at(2026, 3, 10, 11, 0);
        assert!(
            check_candidate_publicity(
                report,
                at(2026, 3, 13, 14, 0),
                at(2026, 3, 16, 14, 0),
                &cal()
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check_candidate_publicity(
                report,
                at(2026, 3, 14, 9, 0),
                at(2026, 3, 16, 9, 0),
                &cal()
            )),
            ["trading.publicity.late", "trading.publicity.too_short"]
        );
        assert_eq!(
            complaint_file_by(at(2026, 3, 10, 15, 0), &cal()),
            at(2026, 3, 21, 0, 0)
        );
        assert_eq!(
            complaint_acceptance_due(at(2026, 9, 30, 15, 0), &cal()),
            at(2026, 10, 11, 0, 0)
        );
        assert!(complaint_decision_due(at(2026, 3, 2, 9, 0), &cal()) > at(2026, 4, 10, 0, 0));
    }
}
