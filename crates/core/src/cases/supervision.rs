//! 电子监察 figures: per department, the on-time rate, working days used against promised,
//! warnings and violations — the numbers of the monthly bulletin (一月一通报 [004]). The bulletin's
//! files (XLSX, PDF) are made by the app from these figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::limits::{CaseClock, WarningLevel};
use super::notice::Violation;
use crate::Problem;
use crate::calendar::{WorkingCalendar, local_date, local_midnight_utc};

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

/// A bulletin month `YYYY-MM` and the instants it spans, `[start, end)` (Beijing time).
pub fn month_span(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), Problem> {
    let bad = || {
        Problem::invalid(
            "cases.bulletin.month",
            "通报月份的格式应为“年-月”，例如“2026-11”。",
            "A bulletin month is written YYYY-MM, e.g. 2026-11.",
        )
    };
    let (y, m) = month.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    if !(2000..=2200).contains(&y) {
        return Err(bad());
    }
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((local_midnight_utc(first), local_midnight_utc(next)))
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
    fn a_month_spans_beijing_midnights() {
        let (a, b) = month_span("2026-12").expect("valid");
        assert_eq!(a.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(bulletin_month(a), "2026-12");
        assert_eq!(bulletin_month(b - TimeDelta::microseconds(1)), "2026-12");
        assert_eq!(bulletin_month(b), "2027-01");
        for bad in [
            "2026-13", "2026-1", "26-01", "2026/01", "", "abcd-ef", "1900-01",
        ] {
            assert_eq!(
                month_span(bad).expect_err(bad).code,
                "cases.bulletin.month",
                "{bad}"
            );
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
