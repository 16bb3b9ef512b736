//! 工作日 working-day calendar for legal time limits (办理时限).
//!
//! Working days are Monday to Friday, minus statutory days off, plus the adjusted working days
//! (调休) the State Council announces each year. All dates are local to Asia/Shanghai, which has been
//! a fixed UTC+8 since 1991, so a fixed offset is exact for every date the platform handles and we
//! avoid pulling in a time-zone database.
//!
//! Period counting follows the rule that the start day is not counted (期间开始的日不计算在内):
//! a 3-working-day limit starting on Monday ends at the end of Thursday.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::statutory;

/// The official arrangement of days off and adjusted working days, as shipped with the platform.
pub const OFFICIAL_HOLIDAYS_CSV: &str = include_str!("../data/cn-holidays.csv");

const CSV_HEADER: &str = "date,kind,name";

/// Whether a listed date is a day off or a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// 放假: statutory day off (also used for the weekend days of a holiday block).
    Off,
    /// 调休上班: a weekend day that is a working day.
    Work,
}

impl DayKind {
    fn as_str(self) -> &'static str {
        match self {
            DayKind::Off => "off",
            DayKind::Work => "work",
        }
    }
}

/// One line of the holiday arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday this day belongs to, e.g. "春节".
    pub name: String,
}

/// Why a holiday file was rejected. Line numbers are 1-based and count the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("line {line}: expected header \"date,kind,name\", found {found:?}")]
    Header { line: usize, found: String },
    #[error("line {line}: expected 3 comma-separated fields, found {found}")]
    FieldCount { line: usize, found: usize },
    #[error("line {line}: invalid date {found:?} (expected YYYY-MM-DD)")]
    Date { line: usize, found: String },
    #[error("line {line}: invalid kind {found:?} (expected \"off\" or \"work\")")]
    Kind { line: usize, found: String },
    #[error("line {line}: the holiday name is empty")]
    EmptyName { line: usize },
    #[error("line {line}: date {date} is already listed on line {first_line}")]
    DuplicateDate {
        line: usize,
        date: NaiveDate,
        first_line: usize,
    },
}

impl CalendarError {
    /// Stable machine-readable code; part of the API contract, never reword these.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::Header { .. } => "calendar.header",
            CalendarError::FieldCount { .. } => "calendar.field_count",
            CalendarError::Date { .. } => "calendar.date",
            CalendarError::Kind { .. } => "calendar.kind",
            CalendarError::EmptyName { .. } => "calendar.name",
            CalendarError::DuplicateDate { .. } => "calendar.duplicate_date",
        }
    }

    /// The 1-based line the error refers to.
    pub fn line(&self) -> usize {
        match self {
            CalendarError::Header { line, .. }
            | CalendarError::FieldCount { line, .. }
            | CalendarError::Date { line, .. }
            | CalendarError::Kind { line, .. }
            | CalendarError::EmptyName { line }
            | CalendarError::DuplicateDate { line, .. } => *line,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            CalendarError::Header { line, found } => {
                format!("第{line}行：表头应为“date,kind,name”，实际为“{found}”。")
            }
            CalendarError::FieldCount { line, found } => {
                format!("第{line}行：应有3个以逗号分隔的字段，实际为{found}个。")
            }
            CalendarError::Date { line, found } => {
                format!("第{line}行：日期“{found}”无效，应为YYYY-MM-DD格式。")
            }
            CalendarError::Kind { line, found } => {
                format!("第{line}行：类型“{found}”无效，应为off（放假）或work（上班）。")
            }
            CalendarError::EmptyName { line } => format!("第{line}行：节日名称不能为空。"),
            CalendarError::DuplicateDate {
                line,
                date,
                first_line,
            } => format!("第{line}行：日期{date}与第{first_line}行重复。"),
        }
    }

    pub fn message_en(&self) -> String {
        let mut s = self.to_string();
        if let Some(first) = s.get(..1) {
            let upper = first.to_uppercase();
            s.replace_range(..1, &upper);
        }
        s.push('.');
        s
    }
}

/// Parses the holiday file: a `date,kind,name` header, then one `YYYY-MM-DD,off|work,name` line per
/// date. Blank lines, a UTF-8 BOM and CRLF line endings are tolerated because the file is edited by
/// hand; everything else is strict. The name is everything after the second comma.
pub fn parse_holiday_csv(text: &str) -> Result<Vec<CalendarEntry>, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.trim()));

    let header = lines.by_ref().find(|(_, l)| !l.is_empty());
    match header {
        Some((_, h)) if h == CSV_HEADER => {}
        Some((line, h)) => {
            return Err(CalendarError::Header {
                line,
                found: h.to_string(),
            });
        }
        None => {
            return Err(CalendarError::Header {
                line: 1,
                found: String::new(),
            });
        }
    }

    let mut entries = Vec::new();
    let mut first_seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (line, text) in lines {
        if text.is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.splitn(3, ',').map(str::trim).collect();
        let [date_s, kind_s, name] = fields[..] else {
            return Err(CalendarError::FieldCount {
                line,
                found: fields.len(),
            });
        };
        let date = parse_iso_date(date_s).ok_or_else(|| CalendarError::Date {
            line,
            found: date_s.to_string(),
        })?;
        let kind = match kind_s {
            "off" => DayKind::Off,
            "work" => DayKind::Work,
            other => {
                return Err(CalendarError::Kind {
                    line,
                    found: other.to_string(),
                });
            }
        };
        if name.is_empty() {
            return Err(CalendarError::EmptyName { line });
        }
        if let Some(&first_line) = first_seen.get(&date) {
            return Err(CalendarError::DuplicateDate {
                line,
                date,
                first_line,
            });
        }
        first_seen.insert(date, line);
        entries.push(CalendarEntry {
            date,
            kind,
            name: name.to_string(),
        });
    }
    Ok(entries)
}

// Strict YYYY-MM-DD: chrono's %Y would also accept signs and more digits.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let y = digits(0..4)?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, digits(5..7)?, digits(8..10)?)
}

/// Writes entries in the format [`parse_holiday_csv`] reads, in the given order. Line breaks inside
/// a name are replaced by spaces, since the format is one entry per line.
pub fn to_holiday_csv(entries: &[CalendarEntry]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for e in entries {
        let name: String = e
            .name
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        out.push_str(&format!(
            "{},{},{}\n",
            e.date.format("%Y-%m-%d"),
            e.kind.as_str(),
            name
        ));
    }
    out
}

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in Asia/Shanghai (UTC+8) at instant `t`.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// The instant at which date `d` begins (00:00) in Asia/Shanghai.
pub fn local_midnight_utc(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc() - TimeDelta::hours(8)
}

/// Number of Monday–Friday dates up to and including `d`, counted from an arbitrary fixed origin.
/// Only differences of this function are meaningful; it makes weekday counting O(1).
fn weekday_index(d: NaiveDate) -> i64 {
    // 0001-01-01 (day 1 from CE) was a Monday in the proleptic Gregorian calendar.
    let t = i64::from(d.num_days_from_ce()) - 1;
    let weeks = t.div_euclid(7);
    let r = t.rem_euclid(7);
    weeks * 5 + (r + 1).min(5)
}

/// Plain Monday–Friday dates in `(a, b]`; 0 if `b <= a`.
fn weekdays_between(a: NaiveDate, b: NaiveDate) -> u64 {
    if b <= a {
        0
    } else {
        (weekday_index(b) - weekday_index(a)) as u64
    }
}

/// The `k`-th Monday–Friday date strictly after `d` (k >= 1), ignoring holidays.
fn nth_weekday_after(d: NaiveDate, k: u64) -> NaiveDate {
    // The weekdays after a Saturday or Sunday are the same as after the Friday before it.
    let w = i64::from(d.weekday().num_days_from_monday());
    let (base, w) = if w >= 5 {
        (d - TimeDelta::days(w - 4), 4)
    } else {
        (d, w)
    };
    let monday = base - TimeDelta::days(w);
    let total = w as u64 + k;
    let days = (total / 5) * 7 + total % 5;
    monday + TimeDelta::days(days as i64)
}

fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().num_days_from_monday() < 5
}

/// The working-day calendar: Monday–Friday, except dates listed as `off`, plus dates listed as
/// `work`. Dates not listed follow the Monday–Friday rule.
///
/// A year with at least one listed date is **official**: its arrangement has been loaded. For every
/// later year without one (from [`statutory::RULES_FROM`] to [`statutory::RULES_UNTIL`]) the
/// statutory days off are computed by rule ([`statutory::statutory_days`]); results that pass over a
/// date of a year that is not official are **provisional** ([`WorkingCalendar::is_provisional`]).
///
/// Computations jump over unlisted stretches arithmetically, so their cost grows with the number of
/// listed dates in the range (a few dozen per year), not with the length of the range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    listed: BTreeMap<NaiveDate, DayKind>,
    official_years: BTreeSet<i32>,
}

impl WorkingCalendar {
    /// Builds the calendar; if a date is listed more than once, the last entry wins. Years after
    /// the last official one get their statutory days by rule.
    pub fn new(entries: &[CalendarEntry]) -> Self {
        let mut listed: BTreeMap<NaiveDate, DayKind> =
            entries.iter().map(|e| (e.date, e.kind)).collect();
        let official_years: BTreeSet<i32> = entries.iter().map(|e| e.date.year()).collect();
        let first_rule_year = official_years.last().map_or(statutory::RULES_FROM, |y| {
            (y + 1).max(statutory::RULES_FROM)
        });
        for year in first_rule_year..=statutory::RULES_UNTIL {
            for e in statutory::statutory_days(year) {
                listed.entry(e.date).or_insert(e.kind);
            }
        }
        WorkingCalendar {
            listed,
            official_years,
        }
    }

    /// Whether the official arrangement of `year` is loaded.
    pub fn is_official_year(&self, year: i32) -> bool {
        self.official_years.contains(&year)
    }

    /// The years whose official arrangement is loaded, ascending.
    pub fn official_years(&self) -> Vec<i32> {
        self.official_years.iter().copied().collect()
    }

    /// Whether a computation over the dates `(a, b]` is provisional (预计): some date in it lies in
    /// a year whose official arrangement is not loaded. `false` if `b <= a`.
    pub fn is_provisional(&self, a: NaiveDate, b: NaiveDate) -> bool {
        if b <= a {
            return false;
        }
        let first = a.succ_opt().map_or(b.year(), |d| d.year());
        (first..=b.year()).any(|y| !self.is_official_year(y))
    }

    /// The calendar from [`OFFICIAL_HOLIDAYS_CSV`].
    pub fn official() -> Self {
        let entries =
            parse_holiday_csv(OFFICIAL_HOLIDAYS_CSV).expect("the bundled holiday file is valid");
        Self::new(&entries)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.listed.get(&d) {
            Some(kind) => *kind == DayKind::Work,
            None => is_weekday(d),
        }
    }

    /// Working days in `(a, b]`; 0 if `b <= a`.
    fn count_working(&self, a: NaiveDate, b: NaiveDate) -> u64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        let mut cur = a;
        for (&d, &kind) in self.listed.range(a.succ_opt().expect("a < b")..=b) {
            // Unlisted dates strictly between the previous listed date and this one.
            total += weekdays_between(cur, d.pred_opt().expect("d > a"));
            if kind == DayKind::Work {
                total += 1;
            }
            cur = d;
        }
        total + weekdays_between(cur, b)
    }

    /// The `n`-th working day strictly after `from`: the start day itself is not counted
    /// (期间开始的日不计算在内). `n = 0` returns `from`.
    ///
    /// # Panics
    /// If the result lies beyond the range of [`NaiveDate`] (hundreds of thousands of years).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut remaining = u64::from(n);
        if remaining == 0 {
            return from;
        }
        let mut cur = from;
        let after = from.succ_opt().expect("date out of range");
        for (&d, &kind) in self.listed.range(after..) {
            let plain = weekdays_between(cur, d.pred_opt().expect("d > from"));
            if plain >= remaining {
                return nth_weekday_after(cur, remaining);
            }
            remaining -= plain;
            if kind == DayKind::Work {
                remaining -= 1;
                if remaining == 0 {
                    return d;
                }
            }
            cur = d;
        }
        nth_weekday_after(cur, remaining)
    }

    /// The exclusive end of a legal period of `n` working days starting at `start`: the local
    /// (UTC+8) midnight at the end of `add_working_days(local_date(start), n)`. An act is in time if
    /// it happens strictly before this instant.
    pub fn deadline_after(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let last_day = self.add_working_days(local_date(start), n);
        local_midnight_utc(last_day.succ_opt().expect("date out of range"))
    }

    /// Elapsed working days between two instants, with the clock stopped during pauses
    /// (e.g. 补正 waiting for the applicant, or 听证/鉴定 periods that do not count).
    ///
    /// Precisely: let `s = local_date(start)` and `e = local_date(end)` (UTC+8). The result is the
    /// number of local dates `d` with `s < d <= e` such that `d` is a working day and `d` is not
    /// paused. A date `d` is paused if for some pause `(ps, pe)`, `local_date(ps) < d <=
    /// local_date(pe)`: a pause stops the clock from the day after it starts through the day it ends,
    /// mirroring how the start day of a period is never counted.
    ///
    /// Consequences: overlapping pauses count once; the parts of a pause outside `(s, e]` have no
    /// effect; a pause that starts and ends on the same local date, or ends before it starts, has no
    /// effect; `end < start` gives 0. The result never exceeds the count without pauses.
    pub fn working_days_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> u32 {
        let s = local_date(start);
        let e = local_date(end);
        if e <= s {
            return 0;
        }
        // Clip each pause to (s, e] as a half-open-on-the-left date interval, then merge.
        let mut windows: Vec<(NaiveDate, NaiveDate)> = paused
            .iter()
            .filter_map(|&(ps, pe)| {
                let a = local_date(ps).max(s);
                let b = local_date(pe).min(e);
                (b > a).then_some((a, b))
            })
            .collect();
        windows.sort_unstable();
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(windows.len());
        for (a, b) in windows {
            match merged.last_mut() {
                // (a1, b1] and (a2, b2] with a2 <= b1 overlap or touch: their union is (a1, max b].
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let total = self.count_working(s, e);
        let paused_days: u64 = merged.iter().map(|&(a, b)| self.count_working(a, b)).sum();
        u32::try_from(total - paused_days).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // Excerpt of the 2025 arrangement (国务院办公厅通知), kept inline so these tests read on their own.
    const TABLE_2025: &str = "date,kind,name
2025-01-01,off,元旦
2025-01-26,work,春节
2025-01-28,off,春节
2025-01-29,off,春节
2025-01-30,off,春节
2025-01-31,off,春节
2025-02-01,off,春节
2025-02-02,off,春节
2025-02-03,off,春节
2025-02-04,off,春节
2025-02-08,work,春节
2025-09-28,work,国庆节、中秋节
2025-10-01,off,国庆节、中秋节
2025-10-02,off,国庆节、中秋节
2025-10-03,off,国庆节、中秋节
2025-10-04,off,国庆节、中秋节
2025-10-05,off,国庆节、中秋节
2025-10-06,off,国庆节、中秋节
2025-10-07,off,国庆节、中秋节
2025-10-08,off,国庆节、中秋节
2025-10-11,work,国庆节、中秋节
";

    fn cal2025() -> WorkingCalendar {
        WorkingCalendar::new(&parse_holiday_csv(TABLE_2025).unwrap())
    }

    /// Day-by-day reference implementations to check the arithmetic shortcuts against.
    fn naive_add(cal: &WorkingCalendar, from: NaiveDate, n: u32) -> NaiveDate {
        let mut cur = from;
        let mut left = n;
        while left > 0 {
            cur = cur.succ_opt().unwrap();
            if cal.is_working_day(cur) {
                left -= 1;
            }
        }
        cur
    }

    fn naive_between(
        cal: &WorkingCalendar,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> u32 {
        let s = local_date(start);
        let e = local_date(end);
        let mut count = 0;
        let mut cur = s;
        while cur < e {
            cur = cur.succ_opt().unwrap();
            let is_paused = paused
                .iter()
                .any(|&(ps, pe)| local_date(ps) < cur && cur <= local_date(pe));
            if cal.is_working_day(cur) && !is_paused {
                count += 1;
            }
        }
        count
    }

    #[test]
    fn official_file_parses_and_matches_known_days() {
        let entries = parse_holiday_csv(OFFICIAL_HOLIDAYS_CSV).unwrap();
        assert!(entries.len() > 100);
        let cal = WorkingCalendar::official();
        assert!(!cal.is_working_day(d(2025, 10, 1)));
        assert!(cal.is_working_day(d(2025, 9, 28)));
        assert!(cal.is_working_day(d(2026, 1, 4)));
        assert!(!cal.is_working_day(d(2026, 2, 16)));
        assert!(cal.is_working_day(d(2026, 2, 14)));
        // The inline table agrees with the official file.
        for e in parse_holiday_csv(TABLE_2025).unwrap() {
            assert!(entries.contains(&e), "{e:?}");
        }
    }

    #[test]
    fn weekday_index_origin_is_monday() {
        // 2024-01-01 was a Monday.
        let mon = d(2024, 1, 1);
        assert_eq!(weekdays_between(mon - TimeDelta::days(1), mon), 1);
        assert_eq!(weekdays_between(mon, mon + TimeDelta::days(7)), 5);
        assert_eq!(weekdays_between(d(2024, 1, 5), d(2024, 1, 7)), 0);
        assert_eq!(weekdays_between(d(1, 1, 1), d(1, 1, 8)), 5);
    }

    #[test]
    fn national_day_2025() {
        let cal = cal2025();
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 0), d(2025, 9, 30));
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 1), d(2025, 10, 9));
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 2), d(2025, 10, 10));
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 3), d(2025, 10, 11));
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 4), d(2025, 10, 13));
        // Friday 09-26 + 1 is the adjusted working Sunday 09-28.
        assert_eq!(cal.add_working_days(d(2025, 9, 26), 1), d(2025, 9, 28));
        // Start day inside the holiday is not counted either.
        assert_eq!(cal.add_working_days(d(2025, 10, 3), 1), d(2025, 10, 9));
    }

    #[test]
    fn spring_festival_2025() {
        let cal = cal2025();
        // Fri 01-24 -> Sun 01-26 (adjusted), Mon 01-27, then off until Wed 02-05.
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 1), d(2025, 1, 26));
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 2), d(2025, 1, 27));
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 3), d(2025, 2, 5));
        assert_eq!(cal.add_working_days(d(2025, 2, 7), 1), d(2025, 2, 8));
        // 20 working days from 2024-12-31 across 元旦 and 春节.
        assert_eq!(
            cal.add_working_days(d(2024, 12, 31), 20),
            naive_add(&cal, d(2024, 12, 31), 20)
        );
    }

    #[test]
    fn deadline_and_elapsed() {
        let cal = cal2025();
        // 2025-09-30 10:00 Shanghai = 02:00 UTC.
        let start = "2025-09-30T02:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let deadline = cal.deadline_after(start, 1);
        // End of 2025-10-09 in Shanghai = 2025-10-09T16:00:00Z.
        assert_eq!(deadline.to_rfc3339(), "2025-10-09T16:00:00+00:00");
        assert_eq!(
            cal.working_days_between(start, deadline - TimeDelta::nanoseconds(1), &[]),
            1
        );
        // At the deadline instant it is already 10-10 in Shanghai, a working day.
        assert_eq!(cal.working_days_between(start, deadline, &[]), 2);
        assert_eq!(cal.working_days_between(deadline, start, &[]), 0);
    }

    #[test]
    fn local_time_conversions() {
        let t = "2025-09-30T16:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_date(t), d(2025, 10, 1));
        let t = "2025-09-30T15:59:59Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_date(t), d(2025, 9, 30));
        assert_eq!(
            local_midnight_utc(d(2025, 10, 1)).to_rfc3339(),
            "2025-09-30T16:00:00+00:00"
        );
    }

    #[test]
    fn pauses() {
        let cal = WorkingCalendar::default();
        let at = |s: &str| local_midnight_utc(s.parse().unwrap()) + TimeDelta::hours(9);
        // Mon 2024-03-04 .. Fri 2024-03-15: 9 working days after the start day.
        let (s, e) = (at("2024-03-04"), at("2024-03-15"));
        assert_eq!(cal.working_days_between(s, e, &[]), 9);
        // Pause Tue 03-05 .. Thu 03-07 stops Wed and Thu.
        let p1 = (at("2024-03-05"), at("2024-03-07"));
        assert_eq!(cal.working_days_between(s, e, &[p1]), 7);
        // Overlapping pause counts once.
        let p2 = (at("2024-03-06"), at("2024-03-08"));
        assert_eq!(cal.working_days_between(s, e, &[p1, p2]), 6);
        assert_eq!(cal.working_days_between(s, e, &[p2, p1, p1]), 6);
        // Pause entirely before the start or after the end has no effect.
        let before = (at("2024-02-01"), at("2024-03-04"));
        let after = (at("2024-03-15"), at("2024-04-01"));
        assert_eq!(cal.working_days_between(s, e, &[before, after]), 9);
        // Same-day and reversed pauses have no effect.
        let same = (at("2024-03-06"), at("2024-03-06") + TimeDelta::hours(3));
        let reversed = (at("2024-03-08"), at("2024-03-05"));
        assert_eq!(cal.working_days_between(s, e, &[same, reversed]), 9);
    }

    #[test]
    fn csv_round_trip_and_errors() {
        let entries = parse_holiday_csv(TABLE_2025).unwrap();
        assert_eq!(entries[1].kind, DayKind::Work);
        assert_eq!(entries[1].name, "春节");
        let text = to_holiday_csv(&entries);
        assert_eq!(text, TABLE_2025);
        assert_eq!(parse_holiday_csv(&text).unwrap(), entries);
        // BOM, CRLF and blank lines are tolerated.
        let crlf = "\u{feff}date,kind,name\r\n\r\n2024-01-01,off,元旦\r\n";
        assert_eq!(parse_holiday_csv(crlf).unwrap().len(), 1);
        assert_eq!(parse_holiday_csv("date,kind,name\n").unwrap(), vec![]);

        let cases = [
            ("", "calendar.header", 1),
            ("day,kind,name\n", "calendar.header", 1),
            (
                "date,kind,name\n2024-01-01,off\n",
                "calendar.field_count",
                2,
            ),
            ("date,kind,name\n2024-02-30,off,x\n", "calendar.date", 2),
            ("date,kind,name\n2024-1-01,off,x\n", "calendar.date", 2),
            ("date,kind,name\n+2024-01-1,off,x\n", "calendar.date", 2),
            ("date,kind,name\n2024-01-01,holiday,x\n", "calendar.kind", 2),
            ("date,kind,name\n2024-01-01,off, \n", "calendar.name", 2),
            (
                "date,kind,name\n2024-01-01,off,a\n\n2024-01-01,work,b\n",
                "calendar.duplicate_date",
                4,
            ),
        ];
        for (text, code, line) in cases {
            let err = parse_holiday_csv(text).unwrap_err();
            assert_eq!(err.code(), code, "{text:?}");
            assert_eq!(err.line(), line, "{text:?}");
            assert!(err.message_zh().contains(&format!("第{line}行")));
            assert!(err.message_en().starts_with("Line "));
        }
    }

    #[test]
    fn listed_work_on_weekday_and_off_on_weekend_are_harmless() {
        let entries = vec![
            CalendarEntry {
                date: d(2024, 3, 6),
                kind: DayKind::Work,
                name: "x".into(),
            },
            CalendarEntry {
                date: d(2024, 3, 9),
                kind: DayKind::Off,
                name: "x".into(),
            },
        ];
        let cal = WorkingCalendar::new(&entries);
        let plain = WorkingCalendar::default();
        for n in 0..30 {
            assert_eq!(
                cal.add_working_days(d(2024, 3, 1), n),
                plain.add_working_days(d(2024, 3, 1), n)
            );
        }
    }

    #[test]
    fn large_n_is_fast_and_correct() {
        let cal = WorkingCalendar::official();
        let from = d(2024, 1, 1);
        assert_eq!(
            cal.add_working_days(from, 2000),
            naive_add(&cal, from, 2000)
        );
        // Far beyond the listed years this is pure arithmetic.
        let far = cal.add_working_days(from, 1_000_000);
        assert!(cal.is_working_day(far));
    }

    #[test]
    fn new_year_2027_is_not_a_working_day_by_rule() {
        let cal = WorkingCalendar::official();
        // Mon 2026-12-28 + 5 working days: 29, 30, 31 December, then 2027-01-01 (元旦, Friday) is
        // off by rule, so Mon 01-04 and Tue 01-05.
        let from = d(2026, 12, 28);
        let last = cal.add_working_days(from, 5);
        assert_eq!(last, d(2027, 1, 5));
        assert!(!cal.is_working_day(d(2027, 1, 1)));
        assert!(cal.is_provisional(from, last));
        // Inside the official data the result is not provisional.
        assert!(!cal.is_provisional(from, cal.add_working_days(from, 3)));
        assert_eq!(cal.add_working_days(from, 3), d(2026, 12, 31));
    }

    #[test]
    fn spring_festival_week_of_2027_is_not_counted() {
        let cal = WorkingCalendar::official();
        // 除夕 Fri 02-05 to 初三 Mon 02-08, substitutes Tue 02-09 and Wed 02-10 (初一 and 初二 fall
        // on the weekend).
        for day in 5..=10 {
            assert!(!cal.is_working_day(d(2027, 2, day)), "2027-02-{day:02}");
        }
        assert_eq!(cal.add_working_days(d(2027, 2, 4), 1), d(2027, 2, 11));
        assert_eq!(
            cal.working_days_between(
                local_midnight_utc(d(2027, 2, 1)),
                local_midnight_utc(d(2027, 2, 14)),
                &[]
            ),
            // 02-02, 03, 04, 11, 12.
            5
        );
    }

    #[test]
    fn provisional_only_beyond_the_official_years() {
        let cal = WorkingCalendar::official();
        assert_eq!(cal.official_years(), vec![2024, 2025, 2026]);
        assert!(!cal.is_provisional(d(2024, 1, 1), d(2026, 12, 31)));
        assert!(cal.is_provisional(d(2026, 12, 31), d(2027, 1, 1)));
        assert!(!cal.is_provisional(d(2026, 12, 31), d(2026, 12, 31)));
        // The start day is not counted: from the last day of 2023 only 2024 is passed over.
        assert!(!cal.is_provisional(d(2023, 12, 31), d(2024, 1, 2)));
        assert!(cal.is_provisional(d(2023, 12, 30), d(2024, 1, 2)));
        // Loading 2027 makes 2027 official, and the rules move on to 2028.
        let mut entries = parse_holiday_csv(OFFICIAL_HOLIDAYS_CSV).unwrap();
        entries.push(CalendarEntry {
            date: d(2027, 1, 1),
            kind: DayKind::Off,
            name: "元旦".into(),
        });
        let cal = WorkingCalendar::new(&entries);
        assert!(!cal.is_provisional(d(2026, 12, 28), d(2027, 12, 31)));
        assert!(cal.is_provisional(d(2026, 12, 28), d(2028, 1, 3)));
        // An official year is taken as loaded: no rule days are added to it (02-05 is a Friday).
        assert!(cal.is_working_day(d(2027, 2, 5)));
        assert!(!cal.is_working_day(d(2028, 1, 1)));
    }

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        (0i64..(4 * 366)).prop_map(|o| d(2024, 1, 1) + TimeDelta::days(o))
    }

    fn instant_strategy() -> impl Strategy<Value = DateTime<Utc>> {
        (0i64..(4 * 366 * 24 * 60)).prop_map(|m| {
            "2024-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(m)
        })
    }

    proptest! {
        #[test]
        fn provisional_iff_a_year_passed_over_is_not_official(from in date_strategy(), n in 0u32..400) {
            let cal = WorkingCalendar::official();
            let r = cal.add_working_days(from, n);
            let expected = r > from && r.year() > 2026;
            prop_assert_eq!(cal.is_provisional(from, r), expected);
        }

        #[test]
        fn add_lands_on_working_day(from in date_strategy(), n in 1u32..400) {
            let cal = WorkingCalendar::official();
            let r = cal.add_working_days(from, n);
            prop_assert!(cal.is_working_day(r));
            prop_assert_eq!(r, naive_add(&cal, from, n));
        }

        #[test]
        fn add_is_strictly_increasing(from in date_strategy(), n in 0u32..400) {
            let cal = WorkingCalendar::official();
            prop_assert!(cal.add_working_days(from, n) < cal.add_working_days(from, n + 1));
        }

        #[test]
        fn add_is_additive(from in date_strategy(), a in 0u32..200, b in 0u32..200) {
            let cal = WorkingCalendar::official();
            prop_assert_eq!(
                cal.add_working_days(cal.add_working_days(from, a), b),
                cal.add_working_days(from, a + b)
            );
        }

        #[test]
        fn deadline_round_trips(from in date_strategy(), n in 0u32..400) {
            let cal = WorkingCalendar::official();
            let start = local_midnight_utc(from) + TimeDelta::hours(1);
            let deadline = cal.deadline_after(start, n);
            prop_assert_eq!(
                cal.working_days_between(start, deadline - TimeDelta::nanoseconds(1), &[]),
                n
            );
        }

        #[test]
        fn between_matches_reference(
            start in instant_strategy(),
            end in instant_strategy(),
            pauses in proptest::collection::vec((instant_strategy(), 0i64..(60 * 24 * 60)), 0..4),
        ) {
            let cal = WorkingCalendar::official();
            let pauses: Vec<_> = pauses
                .into_iter()
                .map(|(ps, len)| (ps, ps + TimeDelta::minutes(len)))
                .collect();
            let unpaused = cal.working_days_between(start, end, &[]);
            let with = cal.working_days_between(start, end, &pauses);
            prop_assert!(with <= unpaused);
            prop_assert_eq!(unpaused, naive_between(&cal, start, end, &[]));
            prop_assert_eq!(with, naive_between(&cal, start, end, &pauses));
        }

        #[test]
        fn one_pause_subtracts_its_working_days(
            start in instant_strategy(),
            end in instant_strategy(),
            ps in instant_strategy(),
            pe in instant_strategy(),
        ) {
            let cal = WorkingCalendar::official();
            let unpaused = cal.working_days_between(start, end, &[]);
            let with = cal.working_days_between(start, end, &[(ps, pe)]);
            // Working days inside the pause window, clipped to (s, e], counted directly.
            let (s, e) = (local_date(start), local_date(end));
            let (a, b) = (local_date(ps).max(s), local_date(pe).min(e));
            let mut inside = 0;
            let mut cur = a;
            while cur < b {
                cur = cur.succ_opt().unwrap();
                if cal.is_working_day(cur) {
                    inside += 1;
                }
            }
            prop_assert!(with <= unpaused);
            prop_assert_eq!(with, unpaused - inside);
        }
    }
}
