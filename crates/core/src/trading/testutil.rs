//! Helpers shared by the trading tests.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::fields::{TradeField, TradeMethod};
use super::periods::{PeriodRules, Violation};
use crate::calendar::WorkingCalendar;

pub fn cal() -> WorkingCalendar {
    WorkingCalendar::official()
}

/// An instant given in Beijing time.
pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        .and_utc()
        - TimeDelta::hours(8)
}

pub fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub fn wan(n: i64) -> Decimal {
    Decimal::new(n * 10_000, 0)
}

pub fn construction() -> PeriodRules {
    PeriodRules::for_trade(TradeField::Construction, TradeMethod::OpenTender).unwrap()
}

pub fn codes(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|x| x.code).collect()
}
