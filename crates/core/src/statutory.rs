//! 法定节假日 by rule: the statutory days off of a year for which the State Council has not (yet)
//! published its arrangement (国务院办公厅关于某年部分节假日安排的通知).
//!
//! The days follow 全国年节及纪念日放假办法 as revised in 2024 (in force from 2025-01-01), article 2:
//! 元旦 1 day (1 January); 春节 4 days (除夕 to 正月初三); 清明节 1 day (the day of the 清明 solar
//! term); 劳动节 2 days (1–2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五); 国庆节
//! 3 days (1–3 October).
//!
//! Without a notice only what the law itself fixes is computed, plus one substitute rule (补假):
//! **every statutory day that falls on a Saturday or Sunday, and every second statutory day on one
//! date (e.g. 中秋 on 3 October), gives a substitute day off on the first Monday–Friday after that
//! holiday's own last day that is not already a statutory or substitute day off.** Holidays are
//! taken in date order. No 调休 (weekend days turned into working days to bridge a holiday) is
//! computed: the State Council decides those each year and they cannot be known in advance. Results
//! over such days are therefore *provisional* (预计) until the year's notice is loaded.
//!
//! Lunar dates and the 清明 solar term come from `tyme4rs` (the 寿星天文历 algorithms of 许剑伟);
//! the tests check them against the dates of the State Council's notices of 2024–2026 and against
//! the published lunar calendar for 2027–2028.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

use crate::calendar::{CalendarEntry, DayKind};

/// The first year the 2024 revision of the holiday rules governs.
pub const RULES_FROM: i32 = 2025;
/// The last year for which statutory days are computed; later dates follow Monday–Friday only.
pub const RULES_UNTIL: i32 = 2200;

/// The Gregorian dates of the lunar and solar-term holidays of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovableDates {
    /// 春节: 正月初一.
    pub spring_festival: NaiveDate,
    /// 清明: the day of the 清明 solar term.
    pub qingming: NaiveDate,
    /// 端午: 五月初五.
    pub dragon_boat: NaiveDate,
    /// 中秋: 八月十五.
    pub mid_autumn: NaiveDate,
}

fn solar(year: i32, d: SolarDay) -> NaiveDate {
    // Every one of these holidays falls in the Gregorian year of the same number.
    NaiveDate::from_ymd_opt(year, d.get_month() as u32, d.get_day() as u32)
        .expect("the calendar library gives valid dates")
}

fn compute_movable(year: i32) -> MovableDates {
    let y = year as isize;
    MovableDates {
        spring_festival: solar(year, LunarDay::from_ymd(y, 1, 1).get_solar_day()),
        qingming: solar(
            year,
            SolarTerm::from_name(y, "清明")
                .get_julian_day()
                .get_solar_day(),
        ),
        dragon_boat: solar(year, LunarDay::from_ymd(y, 5, 5).get_solar_day()),
        mid_autumn: solar(year, LunarDay::from_ymd(y, 8, 15).get_solar_day()),
    }
}

/// Computed once per process: the astronomical computation is not cheap.
static MOVABLE: LazyLock<Vec<MovableDates>> =
    LazyLock::new(|| (RULES_FROM..=RULES_UNTIL).map(compute_movable).collect());

/// The movable holidays of `year`, for `RULES_FROM..=RULES_UNTIL`.
pub fn movable_dates(year: i32) -> Option<MovableDates> {
    if !(RULES_FROM..=RULES_UNTIL).contains(&year) {
        return None;
    }
    MOVABLE.get((year - RULES_FROM) as usize).copied()
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory days off of `year` by rule (with their substitutes), sorted by date; empty outside
/// `RULES_FROM..=RULES_UNTIL`. Every entry is `off`; see the module documentation for the rule.
pub fn statutory_days(year: i32) -> Vec<CalendarEntry> {
    let Some(m) = movable_dates(year) else {
        return Vec::new();
    };
    let ymd = |mo, d| NaiveDate::from_ymd_opt(year, mo, d).expect("valid date");
    let eve = m.spring_festival - TimeDelta::days(1);
    let mut holidays: Vec<(&str, Vec<NaiveDate>)> = vec![
        ("元旦", vec![ymd(1, 1)]),
        (
            "春节",
            (0..4).map(|k| eve + TimeDelta::days(k)).collect::<Vec<_>>(),
        ),
        ("清明节", vec![m.qingming]),
        ("劳动节", vec![ymd(5, 1), ymd(5, 2)]),
        ("端午节", vec![m.dragon_boat]),
        ("中秋节", vec![m.mid_autumn]),
        ("国庆节", vec![ymd(10, 1), ymd(10, 2), ymd(10, 3)]),
    ];
    holidays.sort_by_key(|(_, days)| days[0]);
    let mut out: Vec<CalendarEntry> = Vec::new();
    let taken = |out: &[CalendarEntry], d: NaiveDate| out.iter().any(|e| e.date == d);
    // First every statutory day itself, so substitutes never land on a later holiday's day.
    let mut owed: Vec<(&str, NaiveDate, usize)> = Vec::new();
    for (name, days) in &holidays {
        let mut debt = 0;
        for &d in days {
            if let Some(e) = out.iter_mut().find(|e| e.date == d) {
                // Two statutory days on one date: the second one is owed.
                e.name = format!("{}、{name}", e.name);
                debt += 1;
            } else {
                out.push(CalendarEntry {
                    date: d,
                    kind: DayKind::Off,
                    name: (*name).to_string(),
                });
                if is_weekend(d) {
                    debt += 1;
                }
            }
        }
        owed.push((name, *days.last().expect("non-empty"), debt));
    }
    for (name, last, debt) in owed {
        let mut d = last;
        for _ in 0..debt {
            loop {
                d += TimeDelta::days(1);
                if !is_weekend(d) && !taken(&out, d) {
                    break;
                }
            }
            out.push(CalendarEntry {
                date: d,
                kind: DayKind::Off,
                name: format!("{name}(补假)"),
            });
        }
    }
    out.sort_by_key(|e| e.date);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn movable_dates_match_the_official_notices_and_the_lunar_calendar() {
        // 2025 and 2026 from the State Council's notices (the days named 春节/清明/端午/中秋 there);
        // 2027 and 2028 from the published lunar calendar (农历).
        let known = [
            (
                2025,
                d(2025, 1, 29),
                d(2025, 4, 4),
                d(2025, 5, 31),
                d(2025, 10, 6),
            ),
            (
                2026,
                d(2026, 2, 17),
                d(2026, 4, 5),
                d(2026, 6, 19),
                d(2026, 9, 25),
            ),
            (
                2027,
                d(2027, 2, 6),
                d(2027, 4, 5),
                d(2027, 6, 9),
                d(2027, 9, 15),
            ),
            (
                2028,
                d(2028, 1, 26),
                d(2028, 4, 4),
                d(2028, 5, 28),
                d(2028, 10, 3),
            ),
        ];
        for (y, sf, qm, db, ma) in known {
            let m = movable_dates(y).unwrap();
            assert_eq!(m.spring_festival, sf, "{y} 春节");
            assert_eq!(m.qingming, qm, "{y} 清明");
            assert_eq!(m.dragon_boat, db, "{y} 端午");
            assert_eq!(m.mid_autumn, ma, "{y} 中秋");
        }
        assert_eq!(movable_dates(2024), None);
        assert_eq!(movable_dates(RULES_UNTIL + 1), None);
    }

    #[test]
    fn every_year_has_eleven_statutory_days_plus_substitutes() {
        for y in RULES_FROM..=RULES_UNTIL {
            let days = statutory_days(y);
            let statutory = days.iter().filter(|e| !e.name.contains("补假")).count();
            let m = movable_dates(y).unwrap();
            // 中秋 on one of 1–3 October shares a date with 国庆.
            let shared = usize::from((d(y, 10, 1)..=d(y, 10, 3)).contains(&m.mid_autumn));
            assert_eq!(statutory + shared, 13, "{y}");
            for w in days.windows(2) {
                assert!(w[0].date < w[1].date, "{y}: sorted, no duplicates");
            }
            for e in days.iter().filter(|e| e.name.contains("补假")) {
                assert!(!is_weekend(e.date), "{y}: substitute {e:?} on a weekday");
            }
            // 13 statutory days in all (春节 4, 劳动节 2, 国庆 3, four of 1 day): the days off
            // that fall on weekdays always add up to 13.
            let weekday_offs = days.iter().filter(|e| !is_weekend(e.date)).count();
            assert_eq!(weekday_offs, 13, "{y}");
        }
    }

    #[test]
    fn spring_festival_2027_and_its_substitutes() {
        // 除夕 Fri 02-05, 初一 Sat 02-06, 初二 Sun 02-07, 初三 Mon 02-08: two substitutes, Tue and Wed.
        let days = statutory_days(2027);
        let of = |name: &str| -> Vec<NaiveDate> {
            days.iter()
                .filter(|e| e.name.starts_with(name))
                .map(|e| e.date)
                .collect()
        };
        assert_eq!(
            of("春节"),
            vec![
                d(2027, 2, 5),
                d(2027, 2, 6),
                d(2027, 2, 7),
                d(2027, 2, 8),
                d(2027, 2, 9),
                d(2027, 2, 10)
            ]
        );
        // 元旦 2027 is a Friday; 国庆 2027: Fri, Sat, Sun -> substitutes Mon 10-04 and Tue 10-05.
        assert_eq!(of("元旦"), vec![d(2027, 1, 1)]);
        assert_eq!(
            of("国庆节"),
            vec![
                d(2027, 10, 1),
                d(2027, 10, 2),
                d(2027, 10, 3),
                d(2027, 10, 4),
                d(2027, 10, 5)
            ]
        );
    }

    #[test]
    fn mid_autumn_on_national_day_gives_an_extra_day() {
        // 2028: 中秋 is Tue 10-03, a 国庆 day, and 10-01 is a Sunday: one substitute for 国庆 (Wed
        // 10-04) and one for the shared date (Thu 10-05).
        let days = statutory_days(2028);
        let oct: Vec<_> = days.iter().filter(|e| e.date.month() == 10).collect();
        assert!(
            oct.iter()
                .any(|e| e.date == d(2028, 10, 3) && e.name.contains("中秋"))
        );
        let weekday_offs = oct.iter().filter(|e| !is_weekend(e.date)).count();
        // 国庆 3 days + 中秋 1 day = 4 weekday days off.
        assert_eq!(weekday_offs, 4);
    }
}
