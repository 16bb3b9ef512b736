//! 法定期限: legal periods (calendar or working days), the table of minimum periods and caps per
//! field and method, and the deposit cap. The checks that use them are in [`super::schedule`]
//! (publication up to the bid deadline) and [`super::publicity`] (after the evaluation).
//!
//! Counting (民法典 Arts. 200–203, as [`crate::calendar`] does): the day an act happens is not
//! counted (开始的当日不计入); "at least N days from A to B" holds when B's local date is at least
//! N days (calendar or working, as the rule says) after A's local date. A period that ends on a day
//! is in time until the end of that day (24:00 Asia/Shanghai).
//!
//! "日" in a law is a calendar day; "工作日" is a working day of the [`WorkingCalendar`]. Every rule
//! names which one its source uses.

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

    pub(crate) fn zh(self) -> String {
        match self.count {
            DayCount::Calendar => format!("{}日", self.days),
            DayCount::Working => format!("{}个工作日", self.days),
        }
    }

    pub(crate) fn en(self) -> String {
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
    /// 质疑 (government procurement): a supplier challenges within this period of knowing, or of
    /// receiving the documents (政府采购法 Art. 52: 7 working days).
    pub challenge_window: Option<Period>,
    /// A 挂牌 listing stays open for at least.
    pub listing_period: Option<Period>,
    /// Bid deposit at most this share of the estimated price or budget (条例 Art. 26: 2%).
    pub deposit_rate: Option<Decimal>,
    /// Bid deposit at most this many yuan, whatever the price.
    pub deposit_cap: Option<Decimal>,
}

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
            challenge_window: None,
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
            challenge_window: None,
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
                challenge_window: Some(Period::working(7)),
                deposit_rate: Some(TWO_PERCENT),
                ..none
            },
            (F::GovernmentProcurement, M::CompetitiveNegotiation | M::RequestForQuotation) => {
                PeriodRules {
                    source: "政府采购非招标采购方式管理办法（财政部令第74号）",
                    bid_period: Some(Period::working(3)),
                    clarification_before_deadline: Some(Period::working(3)),
                    objection_answer: Some(Period::working(7)),
                    challenge_window: Some(Period::working(7)),
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
                challenge_window: Some(Period::working(7)),
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

const TWO_PERCENT: Decimal = Decimal::from_parts(2, 0, 0, false, 2);

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
    pub(crate) fn new(code: &'static str, zh: String, en: String) -> Self {
        Violation {
            code,
            message: zh,
            message_en: en,
            earliest: None,
        }
    }

    pub(crate) fn earliest(mut self, t: DateTime<Utc>) -> Self {
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

/// The earliest instant on `date` or later, at `time` local, that falls on a working day.
pub(crate) fn on_working_day(
    date: NaiveDate,
    time: NaiveTime,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    let mut d = date;
    while !cal.is_working_day(d) {
        d += TimeDelta::days(1);
    }
    d.and_time(time).and_utc() - TimeDelta::hours(8)
}

pub(crate) fn local_time(t: DateTime<Utc>) -> NaiveTime {
    (t + TimeDelta::hours(8)).time()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::testutil::*;

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
}
