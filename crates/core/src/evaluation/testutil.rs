//! Helpers shared by the evaluation tests.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;

use crate::calendar::WorkingCalendar;
use crate::trading::Violation;

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn cal() -> WorkingCalendar {
    WorkingCalendar::official()
}

/// An instant given in Beijing time.
pub fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, day)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        .and_utc()
        - TimeDelta::hours(8)
}

pub fn codes(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|x| x.code).collect()
}
