//! 法定期限: the legal minimum periods and caps of a trade, a checker that returns every violation
//! of a proposed schedule, and the earliest lawful bid deadline.
//!
//! Counting (民法典 Arts. 200–203, as [`crate::calendar`] does): the day an act happens is not
//! counted (开始的当日不计入); "at least N days from A to B" holds when B's local date is at least
//! N days (calendar or working, as the rule says) after A's local date. A period that ends on a day
//! is in time until the end of that day (24:00 Asia/Shanghai).
//!
//! "日" in a law is a calendar day; "工作日" is a working day of the [`WorkingCalendar`]. Every rule
//! below names which one its source uses.
//!
//! Choice: a bid deadline (= opening time) must fall on a working day. The laws count minimums in
//! calendar days, but 民法典 Art. 203 moves the end of a period that falls on a statutory day off to
//! the next day, and openings need the centre's staff, witnesses and bidders on line; every trading
//! centre schedules openings on working days. [`earliest_deadline`] therefore rolls forward to a
//! working day and [`check_schedule`] flags a deadline on a day off.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::fields::{TradeField, TradeMethod};
use crate::Problem;
use crate::calendar::{WorkingCalendar, local_date, local_midnight_utc};

/// Calendar days (日) or working days (工作日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    Calendar,
    Working,
}

/// A legal period: a number of days and how they are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub days: u32,
    pub count: DayCount,
}

impl Period {
    pub const fn calendar(days: u32) -> Self {
        Period {
            days,
            count: DayCount::Calendar,
        }
    }

    pub const fn working(days: u32) -> Self {
        Period {
            days,
            count: DayCount::Working,
        }
    }

    /// The last day of the period starting on `start` (which is not counted).
    pub fn end_date(self, start: NaiveDate, cal: &WorkingCalendar) -> NaiveDate {
        match self.count {
            DayCount::Calendar => start + TimeDelta::days(i64::from(self.days)),
            DayCount::Working => cal.add_working_days(start, self.days),
        }
    }

    /// Whether `to` is at least this period after `from` (local dates, the start day not counted).
    pub fn spans(self, from: DateTime<Utc>, to: DateTime<Utc>, cal: &WorkingCalendar) -> bool {
        local_date(to) >= self.end_date(local_date(from), cal)
    }

    /// The exclusive end of a period that starts at `from`: local midnight after its last day. An
    /// act is in time if it happens strictly before this instant.
    pub fn due(self, from: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
        let last = self.end_date(local_date(from), cal);
        local_midnight_utc(last + TimeDelta::days(1))
    }

    fn zh(self) -> String {
        match self.count {
            DayCount::Calendar => format!("{}日", self.days),
            DayCount::Working => format!("{}个工作日", self.days),
        }
    }

    fn en(self) -> String {
        match self.count {
            DayCount::Calendar => format!("{} days", self.days),
            DayCount::Working => format!("{} working days", self.days),
        }
    }
}

/// The minimum periods and caps that apply to one (field, method). `None` means the rule does not
/// apply to that kind of trade. Each field's doc names its source for the tender-law case; the
/// table in [`PeriodRules::for_trade`] names the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodRules {
    /// The law the rules come from, for messages and audit.
    pub source: &'static str,
    /// From the documents first being issued to the bid (response) deadline, at least
    /// (招标投标法 Art. 24: 20 days).
    pub bid_period: Option<Period>,
    /// From the notice being published to the deadline or the start of bidding, at least
    /// (land, mining, assets: 公告期; 单一来源: 公示期).
    pub notice_period: Option<Period>,
    /// Documents on sale or download for at least (条例 Art. 16: 5 days).
    pub document_availability: Option<Period>,
    /// A substantive clarification or amendment at least this long before the deadline, else the
    /// deadline moves (条例 Art. 21: 15 days).
    pub clarification_before_deadline: Option<Period>,
    /// Objections to the documents at least this long before the deadline (条例 Art. 22: 10 days).
    pub objection_before_deadline: Option<Period>,
    /// Objections answered within (条例 Art. 22: 3 days; 政府采购法 Art. 53: 7 working days).
    pub objection_answer: Option<Period>,
    /// A 挂牌 listing stays open for at least.
    pub listing_period: Option<Period>,
    /// Bid deposit at most this share of the estimated price or budget (条例 Art. 26: 2%).
    pub deposit_rate: Option<Decimal>,
    /// Bid deposit at most this many yuan, whatever the price.
    pub deposit_cap: Option<Decimal>,
}

const TWO_PERCENT: Decimal = Decimal::from_parts(2, 0, 0, false, 2);

impl PeriodRules {
    /// 招标投标法 tenders (工程建设, and the tenders of 药品器械 and 其他交易):
    /// 20 days to the deadline (招标投标法 Art. 24), documents on sale 5 days (条例 Art. 16),
    /// clarifications 15 days before (Art. 21), objections 10 days before and answered within 3
    /// days (Art. 22), deposit ≤ 2% (Art. 26).
    ///
    /// The deposit cap of 80万元 is not in DOMAIN: it is the absolute cap of 工程建设项目施工招标
    /// 投标办法 (七部委30号令) Art. 37 and 工程建设项目货物招标投标办法 Art. 27, applied to 工程建设
    /// only. Set `deposit_cap` to `None` where a province rules otherwise.
    pub fn tender_law(field: TradeField) -> Self {
        PeriodRules {
            source: "招标投标法、招标投标法实施条例",
            bid_period: Some(Period::calendar(20)),
            notice_period: None,
            document_availability: Some(Period::calendar(5)),
            clarification_before_deadline: Some(Period::calendar(15)),
            objection_before_deadline: Some(Period::calendar(10)),
            objection_answer: Some(Period::calendar(3)),
            listing_period: None,
            deposit_rate: Some(TWO_PERCENT),
            deposit_cap: (field == TradeField::Construction).then(|| Decimal::new(800_000, 0)),
        }
    }

    /// The rules for a section traded in `field` by `method`, or `None` for a pair the field does
    /// not allow.
    ///
    /// | trade | source | rules |
    /// |---|---|---|
    /// | tenders under 招标投标法 | see [`PeriodRules::tender_law`] | |
    /// | 政府采购 公开/邀请招标 | 政府采购法 Art. 35; 财政部令第87号 | 20 days; documents ≥ 5 working days; clarification 15 days before; 质疑 answered within 7 working days (政府采购法 Art. 53); deposit ≤ 2% of the budget (实施条例 Art. 33) |
    /// | 竞争性谈判, 询价 | 财政部令第74号 | ≥ 3 working days to the first response; clarification 3 working days before; deposit ≤ 2% |
    /// | 竞争性磋商 | 财库〔2014〕214号 | ≥ 10 days; documents ≥ 5 working days; clarification 5 days before; deposit ≤ 2% |
    /// | 单一来源 | 政府采购法实施条例 Art. 38 | 公示 ≥ 5 working days |
    /// | 土地 招标/拍卖/挂牌 | 国土资源部令第39号 | notice ≥ 20 days before bidding starts; 挂牌 ≥ 10 days |
    /// | 矿业权 招标/拍卖/挂牌 | 矿业权交易规则 | notice ≥ 20 days; 挂牌 ≥ 10 working days |
    /// | 国有产权 挂牌/拍卖 | 国资委 财政部令第32号 | 信息披露 ≥ 20 working days |
    ///
    /// The sources outside 招标投标法 are not in DOMAIN; they are what a real platform applies and
    /// are kept as data so a province can adjust them.
    pub fn for_trade(field: TradeField, method: TradeMethod) -> Option<Self> {
        use TradeField as F;
        use TradeMethod as M;
        if !field.allows(method) {
            return None;
        }
        let none = PeriodRules {
            source: "",
            bid_period: None,
            notice_period: None,
            document_availability: None,
            clarification_before_deadline: None,
            objection_before_deadline: None,
            objection_answer: None,
            listing_period: None,
            deposit_rate: None,
            deposit_cap: None,
        };
        let rules = match (field, method) {
            (F::GovernmentProcurement, M::OpenTender | M::InvitedTender) => PeriodRules {
                source: "政府采购法、政府采购货物和服务招标投标管理办法（财政部令第87号）",
                bid_period: Some(Period::calendar(20)),
                document_availability: Some(Period::working(5)),
                clarification_before_deadline: Some(Period::calendar(15)),
                objection_answer: Some(Period::working(7)),
                deposit_rate: Some(TWO_PERCENT),
                ..none
            },
            (F::GovernmentProcurement, M::CompetitiveNegotiation | M::RequestForQuotation) => {
                PeriodRules {
                    source: "政府采购非招标采购方式管理办法（财政部令第74号）",
                    bid_period: Some(Period::working(3)),
                    clarification_before_deadline: Some(Period::working(3)),
                    objection_answer: Some(Period::working(7)),
                    deposit_rate: Some(TWO_PERCENT),
                    ..none
                }
            }
            (F::GovernmentProcurement, M::CompetitiveConsultation) => PeriodRules {
                source: "政府采购竞争性磋商采购方式管理暂行办法（财库〔2014〕214号）",
                bid_period: Some(Period::calendar(10)),
                document_availability: Some(Period::working(5)),
                clarification_before_deadline: Some(Period::calendar(5)),
                objection_answer: Some(Period::working(7)),
                deposit_rate: Some(TWO_PERCENT),
                ..none
            },
            (F::GovernmentProcurement, M::SingleSource) => PeriodRules {
                source: "政府采购法实施条例",
                notice_period: Some(Period::working(5)),
                ..none
            },
            (F::LandUseRight, _) => PeriodRules {
                source: "招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）",
                notice_period: Some(Period::calendar(20)),
                listing_period: (method == M::Listing).then_some(Period::calendar(10)),
                ..none
            },
            (F::MiningRight, _) => PeriodRules {
                source: "矿业权交易规则",
                notice_period: Some(Period::calendar(20)),
                listing_period: (method == M::Listing).then_some(Period::working(10)),
                ..none
            },
            (F::StateAsset, _) => PeriodRules {
                source: "企业国有资产交易监督管理办法（国资委 财政部令第32号）",
                notice_period: Some(Period::working(20)),
                ..none
            },
            (_, M::OpenTender | M::InvitedTender) => PeriodRules::tender_law(field),
            // 药品器械 negotiation and listing, and the non-tender methods of 其他交易: no national
            // minimum; the platform still requires a deadline after the documents.
            _ => PeriodRules {
                source: "交易规则",
                ..none
            },
        };
        Some(rules)
    }

    /// The largest lawful bid deposit for an estimated price (or budget), rounded down to the fen;
    /// `None` if no cap applies.
    pub fn max_deposit(&self, estimated: Decimal) -> Option<Decimal> {
        let by_rate = self
            .deposit_rate
            .map(|r| (estimated * r).round_dp_with_strategy(2, RoundingStrategy::ToZero));
        match (by_rate, self.deposit_cap) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// One broken rule of a proposed schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Stable machine code, e.g. `trading.period.bid_period`.
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
    /// The earliest instant that would satisfy this rule, where one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest: Option<DateTime<Utc>>,
}

impl Violation {
    fn new(code: &'static str, zh: String, en: String) -> Self {
        Violation {
            code,
            message: zh,
            message_en: en,
            earliest: None,
        }
    }

    fn earliest(mut self, t: DateTime<Utc>) -> Self {
        self.earliest = Some(t);
        self
    }
}

/// All violations as one 422 problem (`details.violations`), for the API.
pub fn violations_problem(violations: &[Violation]) -> Problem {
    Problem::invalid(
        "trading.schedule",
        format!("日程不符合法定期限，共{}处问题。", violations.len()),
        format!(
            "The schedule breaks {} legal time rule(s).",
            violations.len()
        ),
    )
    .with_details(serde_json::json!({ "violations": violations }))
}

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

/// The earliest instant on `date` or later, at `time` local, that falls on a working day.
fn on_working_day(date: NaiveDate, time: NaiveTime, cal: &WorkingCalendar) -> DateTime<Utc> {
    let mut d = date;
    while !cal.is_working_day(d) {
        d += TimeDelta::days(1);
    }
    d.and_time(time).and_utc() - TimeDelta::hours(8)
}

fn local_time(t: DateTime<Utc>) -> NaiveTime {
    (t + TimeDelta::hours(8)).time()
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

/// Checks a bid deposit (投标保证金) against the rate and the absolute cap; every violation.
pub fn check_deposit(rules: &PeriodRules, estimated: Decimal, deposit: Decimal) -> Vec<Violation> {
    let mut v = Vec::new();
    if deposit < Decimal::ZERO || deposit.normalize().scale() > 2 {
        v.push(Violation::new(
            "trading.deposit.amount",
            "保证金金额应为不小于0、最多两位小数的金额。".into(),
            "The deposit must be zero or more with at most two decimals.".into(),
        ));
        return v;
    }
    if let Some(rate) = rules.deposit_rate {
        let max = (estimated * rate).round_dp_with_strategy(2, RoundingStrategy::ToZero);
        if deposit > max {
            v.push(Violation::new(
                "trading.deposit.rate",
                format!(
                    "投标保证金不得超过估算价的{}%，即{}元（招标投标法实施条例第二十六条）。",
                    rate * Decimal::ONE_HUNDRED,
                    max
                ),
                format!(
                    "The bid deposit may not exceed {}% of the estimated price, i.e. {} yuan.",
                    rate * Decimal::ONE_HUNDRED,
                    max
                ),
            ));
        }
    }
    if let Some(cap) = rules.deposit_cap
        && deposit > cap
    {
        v.push(Violation::new(
            "trading.deposit.cap",
            format!("投标保证金最高不得超过{cap}元。"),
            format!("The bid deposit may not exceed {cap} yuan."),
        ));
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

/// 投标保证金退还: due within 5 days of a withdrawal (条例 Art. 35) or of the contract being signed
/// (Art. 57); the exclusive end instant.
pub fn deposit_refund_due(event_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::calendar(5).due(event_at, cal)
}

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
    use proptest::prelude::*;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::official()
    }

    /// An instant given in Beijing time.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
            .and_utc()
            - TimeDelta::hours(8)
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn wan(n: i64) -> Decimal {
        Decimal::new(n * 10_000, 0)
    }

    fn construction() -> PeriodRules {
        PeriodRules::for_trade(TradeField::Construction, TradeMethod::OpenTender).unwrap()
    }

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

    fn codes(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(|x| x.code).collect()
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
    fn rules_exist_exactly_for_the_allowed_pairs() {
        for f in TradeField::ALL {
            for m in TradeMethod::ALL {
                assert_eq!(
                    PeriodRules::for_trade(*f, *m).is_some(),
                    f.allows(*m),
                    "{f} {m}"
                );
            }
        }
        let med =
            PeriodRules::for_trade(TradeField::MedicalSupplies, TradeMethod::OpenTender).unwrap();
        assert_eq!(med.bid_period, Some(Period::calendar(20)));
        assert_eq!(med.deposit_cap, None);
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
    fn deposits_are_capped_by_rate_and_amount() {
        let r = construction();
        let est = Decimal::new(123_456_789, 2); // 1,234,567.89
        assert_eq!(r.max_deposit(est), Some(Decimal::new(2_469_135, 2)));
        assert!(check_deposit(&r, est, Decimal::new(2_469_135, 2)).is_empty());
        assert_eq!(
            codes(&check_deposit(&r, est, Decimal::new(2_469_136, 2))),
            ["trading.deposit.rate"]
        );
        assert_eq!(r.max_deposit(wan(10_000)), Some(wan(80)));
        assert_eq!(
            codes(&check_deposit(&r, wan(10_000), wan(90))),
            ["trading.deposit.cap"]
        );
        assert_eq!(
            codes(&check_deposit(&r, est, Decimal::new(-1, 0))),
            ["trading.deposit.amount"]
        );
        assert_eq!(
            codes(&check_deposit(&r, est, Decimal::new(1001, 3))),
            ["trading.deposit.amount"]
        );
        assert!(check_deposit(&r, est, Decimal::new(1000, 3)).is_empty());
        let land = PeriodRules::for_trade(TradeField::LandUseRight, TradeMethod::Auction).unwrap();
        assert_eq!(land.max_deposit(wan(1)), None);
        assert!(check_deposit(&land, wan(1), wan(100)).is_empty());
    }

    #[test]
    fn refunds_bonds_publicity_and_complaints() {
        assert_eq!(
            deposit_refund_due(at(2026, 3, 10, 15, 0), &cal()),
            at(2026, 3, 16, 0, 0)
        );
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
