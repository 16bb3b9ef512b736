//! 招标日程: the checks of a section's schedule up to the bid deadline — every violation of a
//! proposed schedule, the earliest lawful deadline, and how clarifications, objections and pauses
//! move it. Periods and counting as in [`super::periods`].
//!
//! Choice: a bid deadline (= opening time) must fall on a working day. The laws count minimums in
//! calendar days, but 民法典 Art. 203 moves the end of a period that falls on a statutory day off to
//! the next day, and openings need the centre's staff, witnesses and bidders on line; every trading
//! centre schedules openings on working days. [`earliest_deadline`] therefore rolls forward to a
//! working day and [`check_schedule`] flags a deadline on a day off.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::periods::{Period, PeriodRules, Violation, check_deposit, local_time, on_working_day};
use crate::calendar::{WorkingCalendar, local_date};

/// A proposed schedule for a section, as the tenderee enters it before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedSchedule {
    /// 公告发布时间
    pub notice_at: DateTime<Utc>,
    /// 招标文件开始发出 (sale or download opens).
    pub documents_from: DateTime<Utc>,
    /// 招标文件发售截止
    pub documents_until: DateTime<Utc>,
    /// 投标截止时间 = 开标时间 (招标投标法 Art. 34); for 挂牌 the end of the listing.
    pub bid_deadline: DateTime<Utc>,
    /// For 挂牌: when the listing opens for bids.
    pub listing_from: Option<DateTime<Utc>>,
    /// 估算价 or 预算金额, yuan.
    pub estimated_price: Decimal,
    /// 投标保证金, yuan; `None` if none is asked.
    pub deposit: Option<Decimal>,
}

fn fmt_local(t: DateTime<Utc>) -> String {
    crate::time::display_local(t.timestamp_micros())
}

/// Checks a proposed schedule against `rules` at `now` and returns every violation (empty if the
/// schedule is lawful). Order: ordering of the instants, then each minimum period, then the deposit.
pub fn check_schedule(
    rules: &PeriodRules,
    s: &ProposedSchedule,
    now: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Vec<Violation> {
    let mut v = Vec::new();
    if s.bid_deadline <= now {
        v.push(Violation::new(
            "trading.period.deadline_past",
            "投标截止时间已过。".into(),
            "The bid deadline is in the past.".into(),
        ));
    }
    if s.documents_from < s.notice_at {
        v.push(
            Violation::new(
                "trading.period.documents_before_notice",
                "招标文件不能早于公告发出。".into(),
                "Documents cannot be issued before the notice is published.".into(),
            )
            .earliest(s.notice_at),
        );
    }
    if s.documents_until < s.documents_from {
        v.push(Violation::new(
            "trading.period.documents_order",
            "招标文件发售截止时间早于开始时间。".into(),
            "The document sale ends before it starts.".into(),
        ));
    }
    if s.documents_until > s.bid_deadline {
        v.push(Violation::new(
            "trading.period.documents_after_deadline",
            "招标文件发售截止时间晚于投标截止时间。".into(),
            "The document sale ends after the bid deadline.".into(),
        ));
    }
    if s.bid_deadline <= s.documents_from {
        v.push(Violation::new(
            "trading.period.deadline_order",
            "投标截止时间必须晚于招标文件发出时间。".into(),
            "The bid deadline must be after the documents are issued.".into(),
        ));
    }
    if !cal.is_working_day(local_date(s.bid_deadline)) {
        v.push(
            Violation::new(
                "trading.period.deadline_day_off",
                format!(
                    "投标截止（开标）时间{}不是工作日。",
                    fmt_local(s.bid_deadline)
                ),
                format!(
                    "The bid deadline (opening) {} is not a working day.",
                    fmt_local(s.bid_deadline)
                ),
            )
            .earliest(on_working_day(
                local_date(s.bid_deadline),
                local_time(s.bid_deadline),
                cal,
            )),
        );
    }
    if let Some(p) = rules.bid_period
        && !p.spans(s.documents_from, s.bid_deadline, cal)
    {
        v.push(
            Violation::new(
                "trading.period.bid_period",
                format!(
                    "自招标文件发出之日起至投标截止之日止不得少于{}（{}）。",
                    p.zh(),
                    rules.source
                ),
                format!(
                    "At least {} must pass from the documents being issued to the bid deadline.",
                    p.en()
                ),
            )
            .earliest(on_working_day(
                p.end_date(local_date(s.documents_from), cal),
                local_time(s.bid_deadline),
                cal,
            )),
        );
    }
    if let Some(p) = rules.notice_period {
        let start = s.listing_from.unwrap_or(s.bid_deadline);
        if !p.spans(s.notice_at, start, cal) {
            v.push(
                Violation::new(
                    "trading.period.notice_period",
                    format!("公告（公示）期不得少于{}（{}）。", p.zh(), rules.source),
                    format!("The notice must be public for at least {}.", p.en()),
                )
                .earliest(on_working_day(
                    p.end_date(local_date(s.notice_at), cal),
                    local_time(start),
                    cal,
                )),
            );
        }
    }
    if let Some(p) = rules.document_availability
        && !p.spans(s.documents_from, s.documents_until, cal)
    {
        v.push(
            Violation::new(
                "trading.period.document_availability",
                format!(
                    "招标文件发售（提供）期不得少于{}（{}）。",
                    p.zh(),
                    rules.source
                ),
                format!("The documents must be available for at least {}.", p.en()),
            )
            .earliest(
                p.end_date(local_date(s.documents_from), cal)
                    .and_time(local_time(s.documents_until))
                    .and_utc()
                    - TimeDelta::hours(8),
            ),
        );
    }
    if let Some(p) = rules.listing_period {
        match s.listing_from {
            Some(from) if p.spans(from, s.bid_deadline, cal) => {}
            Some(from) => v.push(
                Violation::new(
                    "trading.period.listing_period",
                    format!("挂牌期不得少于{}（{}）。", p.zh(), rules.source),
                    format!("The listing must stay open for at least {}.", p.en()),
                )
                .earliest(on_working_day(
                    p.end_date(local_date(from), cal),
                    local_time(s.bid_deadline),
                    cal,
                )),
            ),
            None => v.push(Violation::new(
                "trading.period.listing_missing",
                "挂牌交易须填写挂牌起始时间。".into(),
                "A listing needs its start time.".into(),
            )),
        }
    }
    if let Some(d) = s.deposit {
        v.extend(check_deposit(rules, s.estimated_price, d));
    }
    v
}

/// The earliest lawful bid deadline for documents issued at `documents_from` (and a notice
/// published at `notice_at`), at local time `time_of_day` (e.g. 09:30), on a working day. For a
/// 挂牌 listing it assumes the listing opens on the first day the notice period allows.
pub fn earliest_deadline(
    rules: &PeriodRules,
    notice_at: DateTime<Utc>,
    documents_from: DateTime<Utc>,
    time_of_day: NaiveTime,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    let mut date = local_date(documents_from);
    for (p, from) in [
        (rules.bid_period, documents_from),
        (rules.notice_period, notice_at),
        (rules.document_availability, documents_from),
    ] {
        if let Some(p) = p {
            date = date.max(p.end_date(local_date(from), cal));
        }
    }
    if let Some(lp) = rules.listing_period {
        // The listing opens on the first day the notice period allows and must then run its own
        // minimum before it closes.
        let opens = rules
            .notice_period
            .map_or(local_date(documents_from), |p| {
                p.end_date(local_date(notice_at), cal)
            })
            .max(local_date(documents_from));
        date = date.max(lp.end_date(opens, cal));
    }
    let mut t = on_working_day(date, time_of_day, cal);
    // With no minimum period the deadline must still come after the documents.
    while t <= documents_from {
        t = on_working_day(local_date(t) + TimeDelta::days(1), time_of_day, cal);
    }
    t
}

/// The deadline after a substantive clarification or amendment issued at `clarified_at`
/// (招标投标法实施条例 Art. 21): unchanged if at least the rule's period remains, otherwise moved to
/// the earliest working day that leaves it, at the same local time of day.
pub fn deadline_after_clarification(
    rules: &PeriodRules,
    deadline: DateTime<Utc>,
    clarified_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    match rules.clarification_before_deadline {
        Some(p) if !p.spans(clarified_at, deadline, cal) => on_working_day(
            p.end_date(local_date(clarified_at), cal),
            local_time(deadline),
            cal,
        ),
        _ => deadline,
    }
}

/// Whether an objection to the documents raised at `raised_at` is in time (条例 Art. 22: at least
/// 10 days before the deadline). Trades without the rule accept objections until the deadline.
pub fn objection_in_time(
    rules: &PeriodRules,
    deadline: DateTime<Utc>,
    raised_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Result<(), Violation> {
    let ok = match rules.objection_before_deadline {
        Some(p) => p.spans(raised_at, deadline, cal),
        None => raised_at < deadline,
    };
    if ok {
        Ok(())
    } else {
        let p = rules
            .objection_before_deadline
            .unwrap_or(Period::calendar(0));
        Err(Violation::new(
            "trading.objection.late",
            format!("对招标文件的异议应当在投标截止时间{}前提出。", p.zh()),
            format!(
                "Objections to the documents must be raised at least {} before the deadline.",
                p.en()
            ),
        ))
    }
}

/// When the answer to an objection received at `received_at` is due (exclusive end).
pub fn objection_answer_due(
    rules: &PeriodRules,
    received_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Option<DateTime<Utc>> {
    rules.objection_answer.map(|p| p.due(received_at, cal))
}

/// Whether a 质疑 (challenge) raised at `raised_at` about something the supplier knew (or the
/// documents it received) at `known_at` is in time: within 7 working days (政府采购法 Art. 52), as
/// the exclusive end of the period. Trades without a challenge window accept it (their objections
/// follow [`objection_in_time`]).
pub fn challenge_in_time(
    rules: &PeriodRules,
    known_at: DateTime<Utc>,
    raised_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Result<(), Violation> {
    match rules.challenge_window {
        Some(p) if raised_at >= p.due(known_at, cal) => Err(Violation::new(
            "trading.challenge.late",
            format!(
                "质疑应当在知道或者应当知道其权益受到损害之日起{}内提出。",
                p.zh()
            ),
            format!(
                "A challenge must be raised within {} of knowing of the harm.",
                p.en()
            ),
        )),
        _ => Ok(()),
    }
}

/// The deadline after the process was paused from `paused_at` to `resumed_at` (条例 Art. 22: the
/// tenderee pauses the process until it answers an objection).
///
/// Choice: the law says only "pause"; the platform gives the bidders back every calendar day the
/// pause took (the local dates after the pause began through the day it ended, as
/// [`WorkingCalendar::working_days_between`] counts pauses), then rolls to a working day. A pause
/// within one day moves nothing.
pub fn deadline_after_pause(
    deadline: DateTime<Utc>,
    paused_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    let days = (local_date(resumed_at) - local_date(paused_at)).num_days();
    if days <= 0 {
        return deadline;
    }
    on_working_day(
        local_date(deadline) + TimeDelta::days(days),
        local_time(deadline),
        cal,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::fields::{TradeField, TradeMethod};
    use crate::trading::periods::violations_problem;
    use crate::trading::testutil::*;
    use proptest::prelude::*;

    fn lawful_construction() -> ProposedSchedule {
        ProposedSchedule {
            notice_at: at(2026, 3, 2, 9, 0),
            documents_from: at(2026, 3, 2, 9, 0),
            documents_until: at(2026, 3, 7, 17, 0),
            bid_deadline: at(2026, 3, 23, 9, 30),
            listing_from: None,
            estimated_price: wan(1000),
            deposit: Some(wan(20)),
        }
    }

    #[test]
    fn a_lawful_tender_schedule_has_no_violation() {
        let v = check_schedule(
            &construction(),
            &lawful_construction(),
            at(2026, 3, 1, 0, 0),
            &cal(),
        );
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn twenty_calendar_days_from_documents_to_deadline() {
        // Issued Monday 2 March: day 20 is Sunday 22 March, so the earliest opening is Monday 23rd.
        let r = construction();
        let e = earliest_deadline(
            &r,
            at(2026, 3, 2, 9, 0),
            at(2026, 3, 2, 9, 0),
            hm(9, 30),
            &cal(),
        );
        assert_eq!(e, at(2026, 3, 23, 9, 30));
        let mut s = lawful_construction();
        s.bid_deadline = at(2026, 3, 20, 9, 30);
        let v = check_schedule(&r, &s, at(2026, 3, 1, 0, 0), &cal());
        assert_eq!(codes(&v), ["trading.period.bid_period"]);
        assert_eq!(v[0].earliest, Some(at(2026, 3, 23, 9, 30)));
        assert!(v[0].message.contains("20日"));
        assert!(v[0].message_en.contains("20 days"));
        // Issued late on 2 March, counted from 3 March: 22 March would be day 20 on any weekday.
        let e = earliest_deadline(
            &r,
            at(2026, 3, 2, 23, 59),
            at(2026, 3, 2, 23, 59),
            hm(9, 30),
            &cal(),
        );
        assert_eq!(e, at(2026, 3, 23, 9, 30));
    }

    #[test]
    fn the_deadline_is_on_a_working_day() {
        let mut s = lawful_construction();
        s.bid_deadline = at(2026, 10, 2, 9, 30);
        let v = check_schedule(&construction(), &s, at(2026, 3, 1, 0, 0), &cal());
        assert_eq!(codes(&v), ["trading.period.deadline_day_off"]);
        assert_eq!(v[0].earliest, Some(at(2026, 10, 8, 9, 30)));
        // Documents issued 12 September: day 20 is 2 October (holiday) → 8 October.
        let e = earliest_deadline(
            &construction(),
            at(2026, 9, 12, 9, 0),
            at(2026, 9, 12, 9, 0),
            hm(9, 0),
            &cal(),
        );
        assert_eq!(e, at(2026, 10, 8, 9, 0));
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let s = ProposedSchedule {
            notice_at: at(2026, 3, 3, 9, 0),
            documents_from: at(2026, 3, 2, 9, 0),
            documents_until: at(2026, 3, 21, 17, 0),
            bid_deadline: at(2026, 3, 20, 9, 30),
            listing_from: None,
            estimated_price: wan(10_000),
            deposit: Some(wan(250)),
        };
        let v = check_schedule(&construction(), &s, at(2026, 3, 1, 0, 0), &cal());
        assert_eq!(
            codes(&v),
            [
                "trading.period.documents_before_notice",
                "trading.period.documents_after_deadline",
                "trading.period.bid_period",
                "trading.deposit.rate",
                "trading.deposit.cap",
            ]
        );
        let p = violations_problem(&v);
        assert_eq!(p.code, "trading.schedule");
        assert_eq!(
            p.details.unwrap()["violations"].as_array().unwrap().len(),
            5
        );
    }

    #[test]
    fn past_deadlines_and_reversed_instants_are_caught() {
        let mut s = lawful_construction();
        s.documents_until = at(2026, 3, 1, 9, 0);
        let v = check_schedule(&construction(), &s, at(2026, 3, 24, 0, 0), &cal());
        assert!(codes(&v).contains(&"trading.period.deadline_past"));
        assert!(codes(&v).contains(&"trading.period.documents_order"));
        assert!(codes(&v).contains(&"trading.period.document_availability"));
        let mut s = lawful_construction();
        s.bid_deadline = s.documents_from;
        let v = check_schedule(
            &PeriodRules::for_trade(TradeField::MedicalSupplies, TradeMethod::Listing).unwrap(),
            &s,
            at(2026, 3, 1, 0, 0),
            &cal(),
        );
        assert!(codes(&v).contains(&"trading.period.deadline_order"));
    }

    #[test]
    fn documents_on_sale_five_calendar_days_under_tender_law() {
        let mut s = lawful_construction();
        s.documents_until = at(2026, 3, 6, 17, 0);
        let v = check_schedule(&construction(), &s, at(2026, 3, 1, 0, 0), &cal());
        assert_eq!(codes(&v), ["trading.period.document_availability"]);
        assert_eq!(v[0].earliest, Some(at(2026, 3, 7, 17, 0)));
    }

    #[test]
    fn procurement_counts_document_availability_in_working_days() {
        let r = PeriodRules::for_trade(TradeField::GovernmentProcurement, TradeMethod::OpenTender)
            .unwrap();
        // From Friday 18 Sept 2026: Sun 20th is a working day (调休), so the 5th is Thursday 24th.
        let mut s = ProposedSchedule {
            notice_at: at(2026, 9, 18, 9, 0),
            documents_from: at(2026, 9, 18, 9, 0),
            documents_until: at(2026, 9, 23, 17, 0),
            bid_deadline: at(2026, 10, 9, 9, 30),
            listing_from: None,
            estimated_price: wan(500),
            deposit: None,
        };
        let v = check_schedule(&r, &s, at(2026, 9, 1, 0, 0), &cal());
        assert_eq!(codes(&v), ["trading.period.document_availability"]);
        s.documents_until = at(2026, 9, 24, 17, 0);
        assert!(check_schedule(&r, &s, at(2026, 9, 1, 0, 0), &cal()).is_empty());
        // No absolute cap in procurement.
        assert_eq!(r.max_deposit(wan(100_000)), Some(wan(2000)));
    }

    #[test]
    fn negotiation_needs_three_working_days_across_the_national_day() {
        let r = PeriodRules::for_trade(
            TradeField::GovernmentProcurement,
            TradeMethod::CompetitiveNegotiation,
        )
        .unwrap();
        // Issued Wed 30 Sept: 1–7 Oct off, Thu 8th, Fri 9th, Sat 10th (调休 working day).
        let e = earliest_deadline(
            &r,
            at(2026, 9, 30, 9, 0),
            at(2026, 9, 30, 9, 0),
            hm(9, 0),
            &cal(),
        );
        assert_eq!(e, at(2026, 10, 10, 9, 0));
        let consult = PeriodRules::for_trade(
            TradeField::GovernmentProcurement,
            TradeMethod::CompetitiveConsultation,
        )
        .unwrap();
        assert_eq!(consult.bid_period, Some(Period::calendar(10)));
        let single =
            PeriodRules::for_trade(TradeField::GovernmentProcurement, TradeMethod::SingleSource)
                .unwrap();
        assert_eq!(single.notice_period, Some(Period::working(5)));
        assert!(single.bid_period.is_none());
    }

    #[test]
    fn a_late_clarification_moves_the_deadline() {
        let r = construction();
        let deadline = at(2026, 3, 23, 9, 30);
        // 8 March + 15 = 23 March: still in time.
        assert_eq!(
            deadline_after_clarification(&r, deadline, at(2026, 3, 8, 16, 0), &cal()),
            deadline
        );
        // 10 March + 15 = 25 March (Wednesday), same time of day.
        assert_eq!(
            deadline_after_clarification(&r, deadline, at(2026, 3, 10, 16, 0), &cal()),
            at(2026, 3, 25, 9, 30)
        );
        // 14 March + 15 = 29 March (Sunday) → Monday 30th.
        assert_eq!(
            deadline_after_clarification(&r, deadline, at(2026, 3, 14, 8, 0), &cal()),
            at(2026, 3, 30, 9, 30)
        );
        let neg = PeriodRules::for_trade(
            TradeField::GovernmentProcurement,
            TradeMethod::RequestForQuotation,
        )
        .unwrap();
        // Quotation: 3 working days. Clarified Thu 5 March → Tue 10 March.
        assert_eq!(
            deadline_after_clarification(&neg, at(2026, 3, 9, 9, 0), at(2026, 3, 5, 9, 0), &cal()),
            at(2026, 3, 10, 9, 0)
        );
    }

    #[test]
    fn objections_ten_days_before_answered_within_three() {
        let r = construction();
        let deadline = at(2026, 3, 23, 9, 30);
        assert!(objection_in_time(&r, deadline, at(2026, 3, 13, 23, 0), &cal()).is_ok());
        let late = objection_in_time(&r, deadline, at(2026, 3, 14, 0, 1), &cal()).unwrap_err();
        assert_eq!(late.code, "trading.objection.late");
        assert!(late.message.contains("10日"));
        assert_eq!(
            objection_answer_due(&r, at(2026, 3, 10, 15, 0), &cal()),
            Some(at(2026, 3, 14, 0, 0))
        );
        let gp = PeriodRules::for_trade(TradeField::GovernmentProcurement, TradeMethod::OpenTender)
            .unwrap();
        assert!(objection_in_time(&gp, deadline, at(2026, 3, 22, 0, 0), &cal()).is_ok());
        assert!(objection_in_time(&gp, deadline, at(2026, 3, 23, 9, 30), &cal()).is_err());
        // 7 working days from Friday 25 Sept 2026 (a day off): Sun 27th is off too? No: 25–27 are
        // 中秋 days off; working: 28, 29, 30 Sept, 8, 9, 10 (调休), 12 Oct → due 13 Oct 00:00.
        assert_eq!(
            objection_answer_due(&gp, at(2026, 9, 25, 10, 0), &cal()),
            Some(at(2026, 10, 13, 0, 0))
        );
    }

    #[test]
    fn procurement_challenges_within_seven_working_days() {
        let gp = PeriodRules::for_trade(TradeField::GovernmentProcurement, TradeMethod::OpenTender)
            .unwrap();
        // Known Friday 18 Sept 2026: Sun 20th (调休), 21, 22, 23, 24, 25 is off (中秋), 28, 29 →
        // the 7th working day is Tuesday 29th.
        let known = at(2026, 9, 18, 10, 0);
        assert!(challenge_in_time(&gp, known, at(2026, 9, 29, 23, 59), &cal()).is_ok());
        let late = challenge_in_time(&gp, known, at(2026, 9, 30, 0, 0), &cal()).unwrap_err();
        assert_eq!(late.code, "trading.challenge.late");
        assert!(late.message.contains("7个工作日"));
        assert!(challenge_in_time(&construction(), known, at(2027, 1, 1, 0, 0), &cal()).is_ok());
    }

    #[test]
    fn a_pause_gives_back_its_days() {
        let deadline = at(2026, 3, 23, 9, 30);
        assert_eq!(
            deadline_after_pause(
                deadline,
                at(2026, 3, 10, 10, 0),
                at(2026, 3, 12, 16, 0),
                &cal()
            ),
            at(2026, 3, 25, 9, 30)
        );
        assert_eq!(
            deadline_after_pause(
                deadline,
                at(2026, 3, 10, 10, 0),
                at(2026, 3, 10, 16, 0),
                &cal()
            ),
            deadline
        );
        // 23 + 5 = 28 March (Saturday) → Monday 30th.
        assert_eq!(
            deadline_after_pause(
                deadline,
                at(2026, 3, 10, 10, 0),
                at(2026, 3, 15, 9, 0),
                &cal()
            ),
            at(2026, 3, 30, 9, 30)
        );
    }

    #[test]
    fn land_listing_needs_notice_and_listing_periods() {
        let r = PeriodRules::for_trade(TradeField::LandUseRight, TradeMethod::Listing).unwrap();
        let mut s = ProposedSchedule {
            notice_at: at(2026, 3, 2, 9, 0),
            documents_from: at(2026, 3, 2, 9, 0),
            documents_until: at(2026, 3, 30, 9, 0),
            bid_deadline: at(2026, 3, 30, 15, 0),
            listing_from: Some(at(2026, 3, 21, 9, 0)),
            estimated_price: wan(5000),
            deposit: Some(wan(1000)),
        };
        let v = check_schedule(&r, &s, at(2026, 3, 1, 0, 0), &cal());
        assert_eq!(
            codes(&v),
            [
                "trading.period.notice_period",
                "trading.period.listing_period"
            ]
        );
        s.listing_from = Some(at(2026, 3, 22, 9, 0));
        s.bid_deadline = at(2026, 4, 1, 15, 0);
        assert!(check_schedule(&r, &s, at(2026, 3, 1, 0, 0), &cal()).is_empty());
        assert_eq!(
            earliest_deadline(&r, s.notice_at, s.documents_from, hm(15, 0), &cal()),
            at(2026, 4, 1, 15, 0)
        );
        s.listing_from = None;
        assert!(
            codes(&check_schedule(&r, &s, at(2026, 3, 1, 0, 0), &cal()))
                .contains(&"trading.period.listing_missing")
        );
    }

    fn tender_pairs() -> Vec<(TradeField, TradeMethod)> {
        let mut v = Vec::new();
        for f in TradeField::ALL {
            for m in f.allowed_methods() {
                let r = PeriodRules::for_trade(*f, *m).unwrap();
                if r.listing_period.is_none() {
                    v.push((*f, *m));
                }
            }
        }
        v
    }

    proptest! {
        #[test]
        fn the_earliest_deadline_is_lawful_and_minimal(
            pair in 0usize..100, minutes in 0i64..(366 * 24 * 60), h in 8u32..18, m in 0u32..60
        ) {
            let pairs = tender_pairs();
            let (f, meth) = pairs[pair % pairs.len()];
            let r = PeriodRules::for_trade(f, meth).unwrap();
            let cal = cal();
            let from = at(2026, 1, 1, 0, 0) + TimeDelta::minutes(minutes);
            let e = earliest_deadline(&r, from, from, hm(h, m), &cal);
            prop_assert!(e > from);
            let s = ProposedSchedule {
                notice_at: from,
                documents_from: from,
                documents_until: e,
                bid_deadline: e,
                listing_from: None,
                estimated_price: wan(100),
                deposit: None,
            };
            let v = check_schedule(&r, &s, from, &cal);
            prop_assert!(v.is_empty(), "{f} {meth}: {v:?}");
            // One day earlier, at the same time, is never lawful (or not after the documents).
            let earlier = ProposedSchedule { bid_deadline: e - TimeDelta::days(1), documents_until: e - TimeDelta::days(1), ..s.clone() };
            if earlier.bid_deadline > from {
                prop_assert!(!check_schedule(&r, &earlier, from, &cal).is_empty());
            }
        }

        #[test]
        fn a_moved_deadline_is_never_earlier_and_always_leaves_the_period(
            start in 0i64..300, len in 0i64..60, clar in 0i64..80
        ) {
            let r = construction();
            let cal = cal();
            let deadline = at(2026, 1, 5, 9, 30) + TimeDelta::days(start + len);
            let clarified = at(2026, 1, 5, 14, 0) + TimeDelta::days(start + clar.min(len + 5));
            let moved = deadline_after_clarification(&r, deadline, clarified, &cal);
            prop_assert!(moved >= deadline);
            prop_assert!(Period::calendar(15).spans(clarified, moved, &cal));
            prop_assert_eq!(local_time(moved), local_time(deadline));
        }
    }
}
