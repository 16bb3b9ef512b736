//! 办理时限: legal (法定) and promised (承诺) limits in working days, the clock that stops during
//! 补正 and special procedures, extensions, and the yellow/red warnings of electronic supervision
//! (电子监察).
//!
//! Sources (DOMAIN.md §1.3): limits are in working days excluding statutory holidays
//! (行政许可法 第八十二条); the default legal limit is 20 working days, +10 with the head's
//! approval; joint handling 45, +15 (第四十二条); hearings, testing, expert review … are not
//! counted (第四十五条); the certificate is issued within 10 days of the decision (第四十四条); an
//! incomplete application is answered on the spot or within 5 days (第三十二条).
//!
//! Counting follows [`WorkingCalendar`]: the start day is not counted, a limit of `n` days ends
//! at the end of its `n`-th counted working day (Beijing time), and a pause stops the clock from the
//! day after it starts through the day it ends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use super::lifecycle::SuspensionKind;
use crate::calendar::{WorkingCalendar, local_date, local_midnight_utc};
use crate::catalog::ItemBody;
use crate::enums::string_enum;

/// 法定办结时限 by default when a law sets none (行政许可法 第四十二条).
pub const DEFAULT_LEGAL_DAYS: u32 = 20;
/// The extension the head may approve (第四十二条).
pub const EXTENSION_DAYS: u32 = 10;
/// 联合办理/统一办理 limit (第四十二条第二款).
pub const JOINT_LEGAL_DAYS: u32 = 45;
/// Its extension.
pub const JOINT_EXTENSION_DAYS: u32 = 15;
/// 一次性告知 must be given within this many working days of receipt (第三十二条).
pub const NOTICE_WINDOW_DAYS: u32 = 5;
/// The certificate is issued within this many working days of the decision (第四十四条).
pub const CERTIFICATE_DAYS: u32 = 10;

string_enum! {
    /// 时限种类
    LimitKind {
        /// 法定时限
        Legal = "legal", "法定时限", "Legal limit";
        /// 承诺时限: shorter; what supervision watches.
        Promised = "promised", "承诺时限", "Promised limit";
    }
}

string_enum! {
    /// 预警级别 (电子监察): yellow when a deadline is near, red when it has passed. Ordered, so
    /// `Red > Yellow > Normal`.
    WarningLevel {
        /// 正常
        Normal = "normal", "正常", "On time";
        /// 黄牌预警: few working days left.
        Yellow = "yellow", "黄牌预警", "Yellow warning";
        /// 红牌超期: the deadline has passed.
        Red = "red", "红牌超期", "Red warning (overdue)";
    }
}

/// When a yellow warning starts (configurable, DOMAIN.md §1.3: "e.g. ≤ 1 working day left").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningThresholds {
    /// Yellow once at most this many working days are left after today.
    pub yellow_at_remaining_days: u32,
}

impl Default for WarningThresholds {
    fn default() -> Self {
        WarningThresholds {
            yellow_at_remaining_days: 1,
        }
    }
}

impl WarningThresholds {
    pub fn check(&self) -> Result<(), CaseRuleError> {
        if self.yellow_at_remaining_days > 30 {
            return Err(CaseRuleError::invalid(
                "case.warning_threshold",
                "黄牌预警阈值为0至30个工作日。",
                "The yellow-warning threshold is 0 to 30 working days.",
            ));
        }
        Ok(())
    }
}

/// The two limits of a case, from the item version it was filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLimits {
    pub legal_days: u32,
    pub promised_days: u32,
    /// 联合办理: decides the default legal limit and the extension.
    pub joint: bool,
}

impl CaseLimits {
    /// The item's limits; a legal limit of 0 on an item that is not on-the-spot means "the law
    /// sets none", so the statutory default (20, or 45 when joint) applies. The promised limit
    /// never exceeds the legal one.
    pub fn for_item(item: &ItemBody, joint: bool) -> Self {
        let promised = item.promised_limit_days;
        let legal = if item.legal_limit_days == 0 && promised > 0 {
            if joint {
                JOINT_LEGAL_DAYS
            } else {
                DEFAULT_LEGAL_DAYS
            }
        } else {
            item.legal_limit_days
        };
        CaseLimits {
            legal_days: legal,
            promised_days: promised.min(legal),
            joint,
        }
    }

    /// The limit supervision watches: the promised one (DOMAIN.md §1.3).
    pub fn supervised_days(&self) -> u32 {
        self.promised_days
    }

    pub fn days(&self, kind: LimitKind) -> u32 {
        match kind {
            LimitKind::Legal => self.legal_days,
            LimitKind::Promised => self.promised_days,
        }
    }

    /// The most the head may extend by: 10, or 15 for joint handling.
    pub fn max_extension(&self) -> u32 {
        if self.joint {
            JOINT_EXTENSION_DAYS
        } else {
            EXTENSION_DAYS
        }
    }

    /// Checks a requested extension: once per case (第四十二条 allows one), 1 to the maximum days.
    pub fn check_extension(&self, already_extended: bool, days: u32) -> Result<(), CaseRuleError> {
        if already_extended {
            return Err(CaseRuleError::conflict(
                "case.extension_repeated",
                "办理期限只能延长一次。",
                "The limit can be extended only once.",
            ));
        }
        let max = self.max_extension();
        if days == 0 || days > max {
            return Err(CaseRuleError::invalid(
                "case.extension_days",
                format!("延长期限为1至{max}个工作日。"),
                format!("An extension is 1 to {max} working days."),
            ));
        }
        Ok(())
    }
}

/// A stretch during which the clock is stopped; `until` is `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: SuspensionKind,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// 计时器: the clock of a case (from acceptance) or of one step (from its start), with the limit,
/// the pauses and any approved extension. Extensions move the supervised deadline too: a real
/// centre's 延期办理 pushes both limits by the approved days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClock {
    pub started_at: DateTime<Utc>,
    pub limit_days: u32,
    #[serde(default)]
    pub extension_days: u32,
    #[serde(default)]
    pub pauses: Vec<Pause>,
}

/// When the warning level changes next, for the job runner to index: a pass only touches cases
/// with `yellow_at <= now` or `red_at <= now` not yet raised. `None` while the clock is stopped
/// (recompute at resumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSchedule {
    pub yellow_at: Option<DateTime<Utc>>,
    pub red_at: Option<DateTime<Utc>>,
}

impl CaseClock {
    pub fn new(started_at: DateTime<Utc>, limit_days: u32) -> Self {
        CaseClock {
            started_at,
            limit_days,
            extension_days: 0,
            pauses: Vec::new(),
        }
    }

    /// Limit plus extension.
    pub fn total_days(&self) -> u32 {
        self.limit_days.saturating_add(self.extension_days)
    }

    /// Whether a pause is open at `now`.
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.pauses
            .iter()
            .any(|p| p.from <= now && p.until.is_none_or(|u| u > now))
    }

    /// Stops the clock; refused while it is already stopped.
    pub fn pause(&mut self, kind: SuspensionKind, at: DateTime<Utc>) -> Result<(), CaseRuleError> {
        if self.pauses.iter().any(|p| p.until.is_none()) {
            return Err(CaseRuleError::conflict(
                "case.already_paused",
                "计时已暂停。",
                "The clock is already stopped.",
            ));
        }
        self.pauses.push(Pause {
            kind,
            from: at,
            until: None,
        });
        Ok(())
    }

    /// Restarts the clock; returns the kind of the pause that ended.
    pub fn resume(&mut self, at: DateTime<Utc>) -> Result<SuspensionKind, CaseRuleError> {
        match self.pauses.iter_mut().find(|p| p.until.is_none()) {
            Some(p) if at >= p.from => {
                p.until = Some(at);
                Ok(p.kind)
            }
            Some(_) => Err(CaseRuleError::invalid(
                "case.resume_before_pause",
                "恢复计时的时间早于暂停时间。",
                "The clock cannot resume before it stopped.",
            )),
            None => Err(CaseRuleError::conflict(
                "case.not_paused",
                "计时未暂停。",
                "The clock is not stopped.",
            )),
        }
    }

    /// The pauses as closed intervals, an open one taken as ending at `now` (the earliest it can).
    fn intervals(&self, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.pauses
            .iter()
            .filter(|p| p.from <= now)
            .map(|p| (p.from, p.until.unwrap_or(now).min(now).max(p.from)))
            .collect()
    }

    /// Working days counted so far (today included if it is a counted day).
    pub fn elapsed(&self, cal: &WorkingCalendar, now: DateTime<Utc>) -> u32 {
        cal.working_days_between(self.started_at, now, &self.intervals(now))
    }

    /// Working days left after today; negative once overdue by that many.
    pub fn remaining(&self, cal: &WorkingCalendar, now: DateTime<Utc>) -> i64 {
        i64::from(self.total_days()) - i64::from(self.elapsed(cal, now))
    }

    /// The `n`-th counted working day after the start (the start date itself for `n = 0`),
    /// skipping paused days.
    fn nth_counted_date(&self, cal: &WorkingCalendar, n: u32, now: DateTime<Utc>) -> NaiveDate {
        let s = local_date(self.started_at);
        if n == 0 {
            return s;
        }
        let pauses = self.intervals(now);
        let from = local_midnight_utc(s);
        let mut cand = cal.add_working_days(s, n);
        loop {
            // Invariant: `cand` is a working day and at most `n` days in (s, cand] are counted;
            // when exactly `n` are, `cand` itself is counted, so it is the n-th.
            let counted = cal.working_days_between(from, local_midnight_utc(cand), &pauses);
            if counted >= n {
                return cand;
            }
            cand = cal.add_working_days(cand, n - counted);
        }
    }

    /// 到期日: the last working day of the limit. With the clock stopped, as if it restarted now.
    pub fn due_date(&self, cal: &WorkingCalendar, now: DateTime<Utc>) -> NaiveDate {
        self.nth_counted_date(cal, self.total_days(), now)
    }

    /// The exclusive end of the limit: midnight (Beijing time) after the due date. An act is in
    /// time strictly before it.
    pub fn deadline(&self, cal: &WorkingCalendar, now: DateTime<Utc>) -> DateTime<Utc> {
        end_of(self.due_date(cal, now))
    }

    pub fn is_overdue(&self, cal: &WorkingCalendar, now: DateTime<Utc>) -> bool {
        now >= self.deadline(cal, now)
    }

    /// The warning level at `now`.
    pub fn warning(
        &self,
        cal: &WorkingCalendar,
        now: DateTime<Utc>,
        t: WarningThresholds,
    ) -> WarningLevel {
        if self.is_overdue(cal, now) {
            WarningLevel::Red
        } else if self.remaining(cal, now) <= i64::from(t.yellow_at_remaining_days) {
            WarningLevel::Yellow
        } else {
            WarningLevel::Normal
        }
    }

    /// When the yellow and red warnings fall due, given the pauses so far.
    pub fn schedule(
        &self,
        cal: &WorkingCalendar,
        now: DateTime<Utc>,
        t: WarningThresholds,
    ) -> WarningSchedule {
        if self.is_paused(now) && !self.is_overdue(cal, now) {
            return WarningSchedule {
                yellow_at: None,
                red_at: None,
            };
        }
        let n = self.total_days();
        let yellow_at = match n.checked_sub(t.yellow_at_remaining_days) {
            Some(m) if m > 0 => local_midnight_utc(self.nth_counted_date(cal, m, now)),
            _ => self.started_at,
        };
        WarningSchedule {
            yellow_at: Some(yellow_at),
            red_at: Some(self.deadline(cal, now)),
        }
    }
}

fn end_of(d: NaiveDate) -> DateTime<Utc> {
    local_midnight_utc(d.succ_opt().expect("date in range"))
}

/// Which warning the job runner raises now, given the highest one already raised for this case
/// or step: each level is raised once; a case that jumps straight to red raises only red.
pub fn warning_to_raise(
    already_raised: Option<WarningLevel>,
    current: WarningLevel,
) -> Option<WarningLevel> {
    let done = already_raised.unwrap_or(WarningLevel::Normal);
    (current > done).then_some(current)
}

/// 一次性告知 deadline: the end of the 5th working day after receipt. Without a notice by then
/// the application counts as accepted from the day it was received (第三十二条).
pub fn notice_deadline(cal: &WorkingCalendar, received_at: DateTime<Utc>) -> DateTime<Utc> {
    cal.deadline_after(received_at, NOTICE_WINDOW_DAYS)
}

/// Whether the platform must now record a deemed acceptance (`CaseEvent::DeemAccepted`), dated
/// at receipt.
pub fn deemed_accepted(
    cal: &WorkingCalendar,
    received_at: DateTime<Utc>,
    notice_given: bool,
    decided_on_acceptance: bool,
    now: DateTime<Utc>,
) -> bool {
    !notice_given && !decided_on_acceptance && now >= notice_deadline(cal, received_at)
}

/// The certificate deadline after a decision (第四十四条: within 10 days).
pub fn certificate_deadline(cal: &WorkingCalendar, decided_at: DateTime<Utc>) -> DateTime<Utc> {
    cal.deadline_after(decided_at, CERTIFICATE_DAYS)
}

/// The end of a special procedure's own limit (`SpecialProcedure::limit_days`).
pub fn procedure_deadline(
    cal: &WorkingCalendar,
    started_at: DateTime<Utc>,
    limit_days: u32,
) -> DateTime<Utc> {
    cal.deadline_after(started_at, limit_days)
}

/// 容缺受理: whether the committed date for the missing materials has passed (a warning, not a
/// state change). The commitment holds through the whole committed day.
pub fn commitment_overdue(committed_by: NaiveDate, now: DateTime<Utc>) -> bool {
    now >= end_of(committed_by)
}

/// A commitment date must lie after the acceptance day and within the promised limit's deadline
/// (the materials have to be in before the result goes out).
pub fn check_commitment(
    committed_by: NaiveDate,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<(), CaseRuleError> {
    if committed_by <= local_date(now) || end_of(committed_by) > deadline {
        return Err(CaseRuleError::invalid(
            "case.commitment_date",
            "容缺补齐日期须晚于今天且不晚于承诺办结期限。",
            "The commitment date must be after today and no later than the promised deadline.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::item::tests::sample;
    use chrono::TimeDelta;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn cal() -> &'static WorkingCalendar {
        static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
        CAL.get_or_init(WorkingCalendar::official)
    }

    /// Beijing wall-clock time.
    fn bj(s: &str) -> DateTime<Utc> {
        format!("{s}+08:00")
            .parse::<DateTime<chrono::FixedOffset>>()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_five_day_limit_skips_the_weekend() {
        // Accepted Wednesday 2025-06-04; counted: Thu 5, Fri 6, Mon 9, Tue 10, Wed 11.
        let c = CaseClock::new(bj("2025-06-04T10:00:00"), 5);
        assert_eq!(
            c.due_date(cal(), bj("2025-06-04T10:00:00")),
            d("2025-06-11")
        );
        assert_eq!(
            c.deadline(cal(), bj("2025-06-04T10:00:00")),
            bj("2025-06-12T00:00:00")
        );
        assert!(!c.is_overdue(cal(), bj("2025-06-11T23:59:59")));
        assert!(c.is_overdue(cal(), bj("2025-06-12T00:00:00")));
    }

    #[test]
    fn national_day_does_not_count() {
        // 2025: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked (调休).
        let c = CaseClock::new(bj("2025-09-30T09:00:00"), 3);
        // Counted: Thu 10-09, Fri 10-10, Sat 10-11 (adjusted working day).
        assert_eq!(
            c.due_date(cal(), bj("2025-09-30T09:00:00")),
            d("2025-10-11")
        );
    }

    #[test]
    fn a_correction_pause_moves_the_deadline() {
        let now0 = bj("2025-06-04T10:00:00");
        let mut c = CaseClock::new(now0, 5);
        // Paused Thu 5 (Thu counts), resumed Tue 10: Fri 6, Mon 9, Tue 10 are not counted.
        c.pause(SuspensionKind::Supplement, bj("2025-06-05T15:00:00"))
            .unwrap();
        assert!(c.is_paused(bj("2025-06-06T09:00:00")));
        assert_eq!(
            c.pause(SuspensionKind::Hearing, bj("2025-06-06T09:00:00"))
                .unwrap_err()
                .code,
            "case.already_paused"
        );
        assert_eq!(
            c.resume(bj("2025-06-10T11:00:00")),
            Ok(SuspensionKind::Supplement)
        );
        assert_eq!(
            c.resume(bj("2025-06-10T11:00:00")).unwrap_err().code,
            "case.not_paused"
        );
        let later = bj("2025-06-12T09:00:00");
        // Counted: Thu 5, Wed 11, Thu 12, Fri 13, Mon 16.
        assert_eq!(c.due_date(cal(), later), d("2025-06-16"));
        assert_eq!(c.elapsed(cal(), later), 3);
        assert_eq!(c.remaining(cal(), later), 2);
    }

    #[test]
    fn while_paused_the_deadline_is_as_if_resumed_now_and_no_warning_is_scheduled() {
        let mut c = CaseClock::new(bj("2025-06-04T10:00:00"), 2);
        c.pause(SuspensionKind::ExpertReview, bj("2025-06-04T11:00:00"))
            .unwrap();
        let now = bj("2025-06-20T10:00:00");
        assert_eq!(c.elapsed(cal(), now), 0);
        assert_eq!(c.due_date(cal(), now), d("2025-06-24"));
        let s = c.schedule(cal(), now, WarningThresholds::default());
        assert_eq!(
            s,
            WarningSchedule {
                yellow_at: None,
                red_at: None
            }
        );
    }

    #[test]
    fn warnings_yellow_then_red() {
        let t = WarningThresholds::default();
        let c = CaseClock::new(bj("2025-06-04T10:00:00"), 5); // due Wed 2025-06-11
        assert_eq!(
            c.warning(cal(), bj("2025-06-06T12:00:00"), t),
            WarningLevel::Normal
        );
        // Tue 10: one working day left after today.
        assert_eq!(
            c.warning(cal(), bj("2025-06-10T00:00:00"), t),
            WarningLevel::Yellow
        );
        assert_eq!(
            c.warning(cal(), bj("2025-06-09T23:59:59"), t),
            WarningLevel::Normal
        );
        assert_eq!(
            c.warning(cal(), bj("2025-06-11T23:59:59"), t),
            WarningLevel::Yellow
        );
        assert_eq!(
            c.warning(cal(), bj("2025-06-12T00:00:00"), t),
            WarningLevel::Red
        );
        let s = c.schedule(cal(), bj("2025-06-04T10:00:00"), t);
        assert_eq!(s.yellow_at, Some(bj("2025-06-10T00:00:00")));
        assert_eq!(s.red_at, Some(bj("2025-06-12T00:00:00")));
        // A wider threshold starts earlier.
        let t3 = WarningThresholds {
            yellow_at_remaining_days: 3,
        };
        assert_eq!(
            c.schedule(cal(), bj("2025-06-04T10:00:00"), t3).yellow_at,
            Some(bj("2025-06-06T00:00:00"))
        );
        assert!(
            WarningThresholds {
                yellow_at_remaining_days: 31
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn an_on_the_spot_case_is_due_the_same_day() {
        let c = CaseClock::new(bj("2025-06-07T10:00:00"), 0); // a Saturday
        assert_eq!(
            c.deadline(cal(), bj("2025-06-07T10:00:00")),
            bj("2025-06-08T00:00:00")
        );
        assert_eq!(
            c.warning(
                cal(),
                bj("2025-06-07T10:00:00"),
                WarningThresholds::default()
            ),
            WarningLevel::Yellow
        );
    }

    #[test]
    fn each_level_is_raised_once() {
        use WarningLevel as W;
        assert_eq!(warning_to_raise(None, W::Normal), None);
        assert_eq!(warning_to_raise(None, W::Yellow), Some(W::Yellow));
        assert_eq!(warning_to_raise(Some(W::Yellow), W::Yellow), None);
        assert_eq!(warning_to_raise(Some(W::Yellow), W::Red), Some(W::Red));
        assert_eq!(warning_to_raise(None, W::Red), Some(W::Red));
        assert_eq!(warning_to_raise(Some(W::Red), W::Yellow), None);
    }

    #[test]
    fn limits_from_the_item_and_extensions() {
        let mut item = sample();
        let l = CaseLimits::for_item(&item, false);
        assert_eq!(
            (l.legal_days, l.promised_days, l.supervised_days()),
            (10, 5, 5)
        );
        item.legal_limit_days = 0;
        assert_eq!(
            CaseLimits::for_item(&item, false).legal_days,
            DEFAULT_LEGAL_DAYS
        );
        assert_eq!(
            CaseLimits::for_item(&item, true).legal_days,
            JOINT_LEGAL_DAYS
        );
        assert!(l.check_extension(false, 10).is_ok());
        assert_eq!(
            l.check_extension(false, 11).unwrap_err().code,
            "case.extension_days"
        );
        assert_eq!(
            l.check_extension(true, 5).unwrap_err().code,
            "case.extension_repeated"
        );
        let j = CaseLimits { joint: true, ..l };
        assert!(j.check_extension(false, 15).is_ok());
        assert_eq!(l.days(LimitKind::Legal), 10);
    }

    #[test]
    fn the_five_day_notice_window_and_deemed_acceptance() {
        let received = bj("2025-06-04T16:00:00"); // Wed; 5th working day after: Wed 11
        assert_eq!(notice_deadline(cal(), received), bj("2025-06-12T00:00:00"));
        assert!(!deemed_accepted(
            cal(),
            received,
            false,
            false,
            bj("2025-06-11T23:00:00")
        ));
        assert!(deemed_accepted(
            cal(),
            received,
            false,
            false,
            bj("2025-06-12T00:00:00")
        ));
        assert!(!deemed_accepted(
            cal(),
            received,
            true,
            false,
            bj("2025-06-30T00:00:00")
        ));
        assert_eq!(
            certificate_deadline(cal(), received),
            bj("2025-06-19T00:00:00")
        );
        assert_eq!(
            procedure_deadline(cal(), received, 1),
            bj("2025-06-06T00:00:00")
        );
    }

    #[test]
    fn commitments() {
        let now = bj("2025-06-04T10:00:00");
        let deadline = bj("2025-06-12T00:00:00");
        assert!(check_commitment(d("2025-06-10"), now, deadline).is_ok());
        assert!(check_commitment(d("2025-06-04"), now, deadline).is_err());
        assert!(check_commitment(d("2025-06-12"), now, deadline).is_err());
        assert!(!commitment_overdue(
            d("2025-06-10"),
            bj("2025-06-10T23:59:59")
        ));
        assert!(commitment_overdue(
            d("2025-06-10"),
            bj("2025-06-11T00:00:00")
        ));
    }

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (0i64..(2 * 366 * 24 * 60)).prop_map(|m| bj("2025-01-01T00:00:00") + TimeDelta::minutes(m))
    }

    /// Up to three closed pauses at offsets (in hours) after the start.
    fn pauses() -> impl Strategy<Value = Vec<(i64, i64)>> {
        proptest::collection::vec((0i64..2000, 0i64..1500), 0..3)
    }

    fn clock(start: DateTime<Utc>, n: u32, ps: &[(i64, i64)]) -> CaseClock {
        let mut c = CaseClock::new(start, n);
        for (off, len) in ps {
            let from = start + TimeDelta::hours(*off);
            c.pauses.push(Pause {
                kind: SuspensionKind::Hearing,
                from,
                until: Some(from + TimeDelta::hours(*len)),
            });
        }
        c
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn the_deadline_is_never_before_the_start(start in instant(), n in 0u32..60, ps in pauses()) {
            let c = clock(start, n, &ps);
            let now = start + TimeDelta::days(400);
            prop_assert!(c.deadline(cal(), now) > start);
            prop_assert!(c.due_date(cal(), now) >= local_date(start));
        }

        #[test]
        fn pausing_never_shortens_the_deadline(start in instant(), n in 0u32..60, ps in pauses(), extra in pauses()) {
            let now = start + TimeDelta::days(400);
            let a = clock(start, n, &ps);
            let mut all = ps.clone();
            all.extend(extra);
            let b = clock(start, n, &all);
            prop_assert!(b.deadline(cal(), now) >= a.deadline(cal(), now));
        }

        #[test]
        fn extending_never_shortens_the_deadline(start in instant(), n in 0u32..60, ext in 0u32..16, ps in pauses()) {
            let now = start + TimeDelta::days(400);
            let a = clock(start, n, &ps);
            let mut b = a.clone();
            b.extension_days = ext;
            prop_assert!(b.deadline(cal(), now) >= a.deadline(cal(), now));
        }

        #[test]
        fn the_due_date_is_the_nth_counted_working_day(start in instant(), n in 1u32..60, ps in pauses()) {
            let now = start + TimeDelta::days(400);
            let c = clock(start, n, &ps);
            let due = c.due_date(cal(), now);
            prop_assert!(cal().is_working_day(due));
            // Exactly n days are counted by the end of the due date, n-1 by the end of the day before.
            prop_assert_eq!(c.elapsed(cal(), local_midnight_utc(due)), n);
            prop_assert_eq!(c.elapsed(cal(), local_midnight_utc(due.pred_opt().unwrap())), n - 1);
            // Weekends and holidays are skipped: the limit spans at least n working days.
            let plain = cal().working_days_between(start, local_midnight_utc(due), &[]);
            prop_assert!(plain >= n);
        }

        #[test]
        fn remaining_and_warning_only_get_worse(start in instant(), n in 0u32..30, ps in pauses(), a in 0i64..3000, b in 0i64..3000) {
            let c = clock(start, n, &ps);
            let (t1, t2) = (start + TimeDelta::hours(a.min(b)), start + TimeDelta::hours(a.max(b)));
            // Compare only after every pause has ended, where the pause set is fixed.
            let settled = c.pauses.iter().filter_map(|p| p.until).max().unwrap_or(start);
            prop_assume!(t1 >= settled);
            let th = WarningThresholds::default();
            prop_assert!(c.remaining(cal(), t2) <= c.remaining(cal(), t1));
            prop_assert!(c.warning(cal(), t2, th) >= c.warning(cal(), t1, th));
        }

        #[test]
        fn the_schedule_agrees_with_the_warning(start in instant(), n in 0u32..30, k in 0u32..4, h in 0i64..2000) {
            let c = clock(start, n, &[]);
            let th = WarningThresholds { yellow_at_remaining_days: k };
            let now = start + TimeDelta::hours(h);
            let s = c.schedule(cal(), start, th);
            let level = c.warning(cal(), now, th);
            prop_assert_eq!(level == WarningLevel::Red, now >= s.red_at.unwrap());
            prop_assert_eq!(level >= WarningLevel::Yellow, now >= s.yellow_at.unwrap());
        }
    }
}
