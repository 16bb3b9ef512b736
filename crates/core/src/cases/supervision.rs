//! 电子监察 figures: per department, the on-time rate, working days used against promised,
//! warnings and violations — the numbers of the monthly bulletin (一月一通报 [004]). The bulletin's
//! files (XLSX, PDF) are made by the app from these figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::limits::{CaseClock, WarningLevel};
use super::notice::Violation;
use crate::calendar::{WorkingCalendar, local_date};

/// One decided case as supervision counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedCase {
    pub department: String,
    /// Working days counted from acceptance to decision (pauses excluded).
    pub used_days: u32,
    /// The promised limit plus any extension.
    pub promised_days: u32,
    /// Decided before the promised deadline.
    pub on_time: bool,
    /// The highest warning raised on it.
    pub warning: WarningLevel,
    pub violations: Vec<Violation>,
}

impl DecidedCase {
    /// The figures of a case decided at `decided_at` on the supervised (promised) clock.
    pub fn from_clock(
        cal: &WorkingCalendar,
        department: &str,
        clock: &CaseClock,
        decided_at: DateTime<Utc>,
        warning: WarningLevel,
        violations: Vec<Violation>,
    ) -> Self {
        DecidedCase {
            department: department.to_string(),
            used_days: clock.elapsed(cal, decided_at),
            promised_days: clock.total_days(),
            on_time: !clock.is_overdue(cal, decided_at),
            warning,
            violations,
        }
    }
}

/// A department's figures for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFigures {
    pub decided: u32,
    pub on_time: u32,
    /// Percent with two decimals (按时办结率); 100.00 when nothing was decided.
    pub on_time_rate: Decimal,
    pub days_used: u64,
    pub days_promised: u64,
    pub yellow: u32,
    pub red: u32,
    pub violations: BTreeMap<String, u32>,
}

/// Figures per department (keyed by department id, sorted).
pub fn summarize(cases: &[DecidedCase]) -> BTreeMap<String, DepartmentFigures> {
    let mut out: BTreeMap<String, DepartmentFigures> = BTreeMap::new();
    for c in cases {
        let f = out.entry(c.department.clone()).or_default();
        f.decided += 1;
        f.on_time += u32::from(c.on_time);
        f.days_used += u64::from(c.used_days);
        f.days_promised += u64::from(c.promised_days);
        match c.warning {
            WarningLevel::Yellow => f.yellow += 1,
            WarningLevel::Red => f.red += 1,
            WarningLevel::Normal => {}
        }
        for v in &c.violations {
            *f.violations.entry(v.as_str().to_string()).or_default() += 1;
        }
    }
    for f in out.values_mut() {
        f.on_time_rate = rate(f.on_time, f.decided);
    }
    out
}

/// `part / whole` in percent, rounded half-up to two decimals; 100.00 for an empty whole.
pub fn rate(part: u32, whole: u32) -> Decimal {
    if whole == 0 {
        return Decimal::new(10000, 2);
    }
    let mut r = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals, so the bulletin prints "100.00", not "100".
    r.rescale(2);
    r
}

/// The bulletin month (`YYYY-MM`, Beijing time) a decision belongs to.
pub fn bulletin_month(decided_at: DateTime<Utc>) -> String {
    let d = local_date(decided_at);
    format!("{:04}-{:02}", d.year(), d.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use proptest::prelude::*;

    fn case(dept: &str, on_time: bool, warning: WarningLevel) -> DecidedCase {
        DecidedCase {
            department: dept.into(),
            used_days: 3,
            promised_days: 5,
            on_time,
            warning,
            violations: if on_time {
                vec![]
            } else {
                vec![Violation::Overdue]
            },
        }
    }

    #[test]
    fn figures_per_department() {
        let s = summarize(&[
            case("a", true, WarningLevel::Normal),
            case("a", true, WarningLevel::Yellow),
            case("a", false, WarningLevel::Red),
            case("b", true, WarningLevel::Normal),
        ]);
        let a = &s["a"];
        assert_eq!((a.decided, a.on_time, a.yellow, a.red), (3, 2, 1, 1));
        assert_eq!(a.on_time_rate.to_string(), "66.67");
        assert_eq!(a.days_used, 9);
        assert_eq!(a.violations["overdue"], 1);
        assert_eq!(s["b"].on_time_rate.to_string(), "100.00");
        assert_eq!(rate(0, 0).to_string(), "100.00");
        assert_eq!(rate(1, 8).to_string(), "12.50");
    }

    #[test]
    fn from_the_clock_and_the_month() {
        let cal = WorkingCalendar::official();
        let start: DateTime<Utc> = "2025-06-04T02:00:00Z".parse().unwrap(); // Wed 10:00 Beijing
        let c = CaseClock::new(start, 5); // due Wed 06-11
        let late = DecidedCase::from_clock(
            &cal,
            "a",
            &c,
            start + TimeDelta::days(8),
            WarningLevel::Red,
            vec![],
        );
        assert!(!late.on_time);
        assert_eq!(late.used_days, 6);
        let ok = DecidedCase::from_clock(
            &cal,
            "a",
            &c,
            start + TimeDelta::days(2),
            WarningLevel::Normal,
            vec![],
        );
        assert!(ok.on_time);
        assert_eq!(ok.promised_days, 5);
        // 2025-06-30 23:30 Beijing is still June; 16:30 UTC the same day is July 1st in Beijing.
        assert_eq!(
            bulletin_month("2025-06-30T15:30:00Z".parse().unwrap()),
            "2025-06"
        );
        assert_eq!(
            bulletin_month("2025-06-30T16:30:00Z".parse().unwrap()),
            "2025-07"
        );
    }

    proptest! {
        #[test]
        fn the_rate_is_a_percentage(part in 0u32..1000, extra in 0u32..1000) {
            let r = rate(part, part + extra);
            prop_assert!(r >= Decimal::ZERO && r <= Decimal::from(100));
            prop_assert_eq!(r.scale(), 2);
        }
    }
}
