//! 定标: candidates, their publicity, objections to the result, the choice of the winner and the
//! award notice (招标投标法 Arts. 40, 45–46; 招标投标法实施条例 Arts. 53–55).
//!
//! Periods are counted as [`crate::trading::periods`] does ("日" = calendar days, the day of the act
//! not counted, in time until 24:00 Beijing time of the last day). Choice: the platform publishes
//! the candidates of every tender section (十统一: one result publication [002]), not only of the
//! tenders that Art. 54 makes mandatory. Government procurement has no candidate publicity; its
//! result is challenged (质疑) under [`crate::trading::schedule::challenge_in_time`].

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ranking::RankedBid;
use super::{BidId, has_at_most_places};
use crate::Problem;
use crate::calendar::WorkingCalendar;
use crate::enums::string_enum;
use crate::ids::CreditCode;
use crate::trading::periods::{Period, Violation};
use crate::trading::publicity::check_candidate_publicity;

/// 中标候选人 at most (条例 Art. 53: 不超过3个，并标明排序).
pub const MAX_CANDIDATES: usize = 3;

/// 中标候选人: a ranked bid recommended by the committee.
pub type Candidate = RankedBid;

/// The first `count` (1–3) lines of the ranking as the candidates. Refused while a candidate is
/// in an unresolved tie (its order decides who wins) — see [`super::ranking::apply_lot`].
pub fn select_candidates(ranking: &[RankedBid], count: usize) -> Result<Vec<Candidate>, Problem> {
    if count == 0 || count > MAX_CANDIDATES {
        return Err(Problem::invalid(
            "evaluation.candidates.count",
            "中标候选人应为1至3名（招标投标法实施条例第五十三条）。",
            "There are 1 to 3 candidates (条例 Art. 53).",
        ));
    }
    let take = count.min(ranking.len());
    // A tie that reaches the candidates, including one across the cut, must be resolved first.
    let cut_tied = ranking.get(take).is_some_and(|next| {
        next.tie_group.is_some() && next.tie_group == ranking[take - 1].tie_group
    });
    if ranking[..take].iter().any(|l| l.tie_group.is_some()) || cut_tied {
        return Err(Problem::conflict(
            "evaluation.candidates.tie",
            "中标候选人存在并列排名，应当先按招标文件规定的方法确定顺序。",
            "Candidates are tied; resolve their order as the tender documents say first.",
        ));
    }
    Ok(ranking[..take].to_vec())
}

/// The end (exclusive) of the publicity of candidates published at `published_at`: 3 days,
/// the day of publication not counted (条例 Art. 54: 公示期不得少于3日).
pub fn publicity_ends(published_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::calendar(3).due(published_at, cal)
}

/// Checks a planned publicity (see [`check_candidate_publicity`]; re-exported here so the award
/// rules are in one place).
pub fn check_publicity(
    report_received_at: DateTime<Utc>,
    published_at: DateTime<Utc>,
    publicity_until: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Vec<Violation> {
    check_candidate_publicity(report_received_at, published_at, publicity_until, cal)
}

/// Whether an objection (异议) to the result raised at `raised_at` is accepted: only during the
/// publicity (条例 Art. 54: 应当在中标候选人公示期间提出), i.e. from publication up to (not
/// including) `publicity_until`. An objection after the period is refused; the objector may still
/// complain to the regulator (Art. 60), but only after objecting in time (Art. 60 ¶2).
pub fn objection_in_time(
    published_at: DateTime<Utc>,
    publicity_until: DateTime<Utc>,
    raised_at: DateTime<Utc>,
) -> Result<(), Violation> {
    if raised_at < published_at {
        Err(Violation::new(
            "evaluation.objection.early",
            "中标候选人尚未公示，不能对评标结果提出异议。".into(),
            "The candidates are not published yet; there is no result to object to.".into(),
        ))
    } else if raised_at >= publicity_until {
        Err(Violation::new(
            "evaluation.objection.late",
            "对评标结果的异议应当在中标候选人公示期间提出，公示期已结束，不予受理。".into(),
            "Objections to the result must be raised during the publicity; it has ended.".into(),
        ))
    } else {
        Ok(())
    }
}

/// When the answer to an objection received at `received_at` is due (exclusive): 3 days (条例
/// Art. 54: 自收到异议之日起3日内作出答复).
pub fn objection_answer_due(received_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::calendar(3).due(received_at, cal)
}

string_enum! {
    /// The state of an objection to the result.
    ObjectionStatus {
        /// 待答复: the award is paused (条例 Art. 54: 作出答复前，应当暂停招标投标活动).
        Pending = "pending", "待答复", "Pending";
        /// 异议不成立: the publicity result stands.
        Dismissed = "dismissed", "异议不成立", "Dismissed";
        /// 异议成立: the committee re-evaluates (or the tenderee re-tenders).
        Upheld = "upheld", "异议成立", "Upheld";
    }
}

/// Whether the tenderee may award now: the publicity is over and no objection is pending; an
/// upheld objection sends the section back to evaluation instead.
pub fn may_award(
    now: DateTime<Utc>,
    publicity_until: DateTime<Utc>,
    objections: &[ObjectionStatus],
) -> Result<(), Problem> {
    if now < publicity_until {
        return Err(Problem::conflict(
            "evaluation.award.publicity_running",
            "中标候选人公示期尚未结束，不能定标。",
            "The publicity of the candidates has not ended; no award yet.",
        ));
    }
    if objections.contains(&ObjectionStatus::Pending) {
        return Err(Problem::conflict(
            "evaluation.award.objection_pending",
            "对评标结果的异议尚未答复，定标暂停。",
            "An objection to the result is unanswered; the award is paused.",
        ));
    }
    if objections.contains(&ObjectionStatus::Upheld) {
        return Err(Problem::conflict(
            "evaluation.award.objection_upheld",
            "异议成立，应当重新评审或者重新招标。",
            "An objection was upheld; re-evaluate or re-tender.",
        ));
    }
    Ok(())
}

string_enum! {
    /// Why a candidate is passed over (条例 Art. 55).
    DisqualificationReason {
        /// 放弃中标
        Abandoned = "abandoned", "放弃中标", "Gave up the award";
        /// 因不可抗力不能履行合同
        ForceMajeure = "force_majeure", "因不可抗力不能履行合同", "Cannot perform by force majeure";
        /// 不按照招标文件要求提交履约保证金
        NoPerformanceBond = "no_performance_bond", "未按要求提交履约保证金", "No performance bond as required";
        /// 被查实存在影响中标结果的违法行为
        Misconduct = "misconduct", "存在影响中标结果的违法行为", "Misconduct affecting the result";
    }
}

/// A candidate passed over, with the recorded facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disqualification {
    pub bid: BidId,
    pub reason: DisqualificationReason,
    pub note: String,
}

/// The award decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AwardDecision {
    /// 确定中标人
    Award { winner: BidId, rank: u32 },
    /// 重新招标
    Retender,
}

/// Checks the tenderee's choice (`chosen`: the bid it names as winner, `None` to re-tender).
///
/// State-funded (国有资金占控股或者主导地位的依法必须进行招标的项目, 条例 Art. 55): rank 1 wins.
/// Only when rank 1 is passed over for a reason of Art. 55 (recorded with facts) may the tenderee
/// name the next candidate in order (依次) — or re-tender. Other projects: the tenderee names any
/// candidate not passed over (招标投标法 Art. 40), or re-tenders when none is left or it so
/// decides; choice: re-tendering with an eligible candidate left is refused for state-funded
/// projects only, as Art. 55 binds only them.
pub fn decide_award(
    state_funded: bool,
    candidates: &[Candidate],
    disqualified: &[Disqualification],
    chosen: Option<&BidId>,
) -> Result<AwardDecision, Problem> {
    for x in disqualified {
        if !candidates.iter().any(|c| c.bid == x.bid) || x.note.trim().is_empty() {
            return Err(Problem::invalid(
                "evaluation.award.disqualification",
                "不确定中标的候选人应当是中标候选人，并记录具体事实。",
                "A candidate passed over must be a candidate, with the facts recorded.",
            ));
        }
    }
    let out = |b: &BidId| disqualified.iter().any(|x| &x.bid == b);
    let eligible: Vec<&Candidate> = candidates.iter().filter(|c| !out(&c.bid)).collect();
    match chosen {
        None => {
            if state_funded && !eligible.is_empty() && !out(&candidates[0].bid) {
                Err(Problem::conflict(
                    "evaluation.award.rank_one",
                    "国有资金占控股或者主导地位的项目，应当确定排名第一的中标候选人为中标人。",
                    "A state-funded project must award rank 1.",
                ))
            } else {
                Ok(AwardDecision::Retender)
            }
        }
        Some(bid) => {
            let Some(c) = eligible.iter().find(|c| &c.bid == bid) else {
                return Err(Problem::invalid(
                    "evaluation.award.not_candidate",
                    "中标人应当从未被取消资格的中标候选人中确定。",
                    "The winner must be a candidate that was not passed over.",
                ));
            };
            if state_funded && c.bid != eligible[0].bid {
                return Err(Problem::conflict(
                    "evaluation.award.rank_one",
                    "国有资金占控股或者主导地位的项目，应当按排序依次确定中标人。",
                    "A state-funded project awards the candidates in their order.",
                ));
            }
            Ok(AwardDecision::Award {
                winner: c.bid.clone(),
                rank: c.rank,
            })
        }
    }
}

/// When the contract must be signed, for an award notice issued at `issued_at` (exclusive): 30
/// days (招标投标法 Art. 46; 政府采购法 Art. 46).
pub fn contract_due(issued_at: DateTime<Utc>, cal: &WorkingCalendar) -> DateTime<Utc> {
    Period::calendar(30).due(issued_at, cal)
}

/// 中标通知书: what the signed award notice says (招标投标法 Art. 45: sent to the winner, with
/// the result told to every other bidder). Its canonical text is what the tenderee signs and the
/// ledger records; the PDF and its QR code render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardNotice {
    /// 通知书编号
    pub notice_no: String,
    /// 统一交易标识码
    pub transaction_code: String,
    pub section_name: String,
    pub tenderee: CreditCode,
    pub tenderee_name: String,
    pub winner: CreditCode,
    pub winner_name: String,
    /// 中标价, yuan with 2 decimals.
    pub price: Decimal,
    /// 工期/交货期/服务期, days, as bid.
    pub duration_days: Option<u32>,
    /// 质量标准, as bid.
    pub quality: String,
    /// 项目负责人 (项目经理/总监), as bid.
    pub project_manager: Option<String>,
    pub issued_at: DateTime<Utc>,
    /// The contract signing deadline ([`contract_due`] of `issued_at`).
    pub sign_by: DateTime<Utc>,
}

impl AwardNotice {
    /// The fields, in canonical order.
    pub const FIELDS: &'static [&'static str] = &[
        "notice_no",
        "transaction_code",
        "section_name",
        "tenderee",
        "tenderee_name",
        "winner",
        "winner_name",
        "price",
        "duration_days",
        "quality",
        "project_manager",
        "issued_at",
        "sign_by",
    ];

    /// One `name=value` line per field, instants RFC 3339 UTC with microseconds, the price with
    /// exactly 2 decimals, line breaks in free text replaced by spaces. What is signed.
    pub fn canonical_text(&self) -> String {
        let t = |d: DateTime<Utc>| crate::time::rfc3339_micros(d.timestamp_micros());
        let clean = |s: &str| s.replace(['\n', '\r'], " ");
        let values = [
            clean(&self.notice_no),
            self.transaction_code.clone(),
            clean(&self.section_name),
            self.tenderee.as_str().to_string(),
            clean(&self.tenderee_name),
            self.winner.as_str().to_string(),
            clean(&self.winner_name),
            format!("{:.2}", self.price),
            self.duration_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            clean(&self.quality),
            self.project_manager
                .as_deref()
                .map(clean)
                .unwrap_or_default(),
            t(self.issued_at),
            t(self.sign_by),
        ];
        let mut out = String::new();
        for (k, v) in Self::FIELDS.iter().zip(values) {
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
            out.push('\n');
        }
        out
    }

    /// Checks the notice before it is signed: a number, a positive price in fen, the signing
    /// deadline exactly 30 days on.
    pub fn check(&self, cal: &WorkingCalendar) -> Vec<Violation> {
        let mut v = Vec::new();
        if self.notice_no.trim().is_empty() || self.winner_name.trim().is_empty() {
            v.push(Violation::new(
                "evaluation.notice.fields",
                "中标通知书应当载明编号和中标人名称。".into(),
                "The award notice names its number and the winner.".into(),
            ));
        }
        if self.price <= Decimal::ZERO || !has_at_most_places(self.price, 2) {
            v.push(Violation::new(
                "evaluation.notice.price",
                "中标价应为大于0、最多两位小数的金额。".into(),
                "The award price is positive with at most two decimals.".into(),
            ));
        }
        if self.sign_by != contract_due(self.issued_at, cal) {
            v.push(Violation::new(
                "evaluation.notice.sign_by",
                "合同签订期限应为中标通知书发出之日起30日。".into(),
                "The signing deadline is 30 days from the notice.".into(),
            ));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;

    fn line(rank: u32, bid: &str, tie: Option<u32>) -> RankedBid {
        RankedBid {
            rank,
            bid: bid.into(),
            price: d("100"),
            total: Some(d("90")),
            evaluated_price: None,
            tie_group: tie,
        }
    }

    #[test]
    fn candidates_are_at_most_three_without_open_ties() {
        let r = vec![
            line(1, "a", None),
            line(2, "b", None),
            line(3, "c", Some(3)),
            line(4, "d", Some(3)),
        ];
        assert_eq!(select_candidates(&r, 2).unwrap().len(), 2);
        assert_eq!(
            select_candidates(&r, 3).unwrap_err().code,
            "evaluation.candidates.tie"
        );
        assert_eq!(
            select_candidates(&r, 4).unwrap_err().code,
            "evaluation.candidates.count"
        );
        assert_eq!(select_candidates(&r[..1], 3).unwrap().len(), 1);
        let across = vec![
            line(1, "a", None),
            line(2, "b", Some(2)),
            line(3, "c", Some(2)),
        ];
        assert!(select_candidates(&across, 1).is_ok());
        assert_eq!(
            select_candidates(&across, 2).unwrap_err().code,
            "evaluation.candidates.tie"
        );
    }

    #[test]
    fn publicity_and_objections() {
        let published = at(2026, 3, 13, 14, 0);
        let until = publicity_ends(published, &cal());
        assert_eq!(until, at(2026, 3, 17, 0, 0));
        assert!(check_publicity(at(2026, 3, 11, 9, 0), published, until, &cal()).is_empty());
        assert!(objection_in_time(published, until, at(2026, 3, 16, 23, 59)).is_ok());
        assert_eq!(
            objection_in_time(published, until, until).unwrap_err().code,
            "evaluation.objection.late"
        );
        assert_eq!(
            objection_in_time(published, until, at(2026, 3, 13, 13, 0))
                .unwrap_err()
                .code,
            "evaluation.objection.early"
        );
        assert_eq!(
            objection_answer_due(at(2026, 3, 15, 10, 0), &cal()),
            at(2026, 3, 19, 0, 0)
        );
        use ObjectionStatus as O;
        assert_eq!(
            may_award(at(2026, 3, 16, 9, 0), until, &[])
                .unwrap_err()
                .code,
            "evaluation.award.publicity_running"
        );
        assert_eq!(
            may_award(until, until, &[O::Dismissed, O::Pending])
                .unwrap_err()
                .code,
            "evaluation.award.objection_pending"
        );
        assert_eq!(
            may_award(until, until, &[O::Upheld]).unwrap_err().code,
            "evaluation.award.objection_upheld"
        );
        assert!(may_award(until, until, &[O::Dismissed]).is_ok());
    }

    fn dq(bid: &str) -> Disqualification {
        Disqualification {
            bid: bid.into(),
            reason: DisqualificationReason::NoPerformanceBond,
            note: "逾期未提交履约保证金".into(),
        }
    }

    #[test]
    fn state_funded_projects_award_rank_one() {
        let c = vec![line(1, "a", None), line(2, "b", None), line(3, "c", None)];
        let a = "a".to_string();
        let b = "b".to_string();
        let c3 = "c".to_string();
        assert_eq!(
            decide_award(true, &c, &[], Some(&a)).unwrap(),
            AwardDecision::Award {
                winner: a.clone(),
                rank: 1
            }
        );
        assert_eq!(
            decide_award(true, &c, &[], Some(&b)).unwrap_err().code,
            "evaluation.award.rank_one"
        );
        assert_eq!(
            decide_award(true, &c, &[], None).unwrap_err().code,
            "evaluation.award.rank_one"
        );
        // Rank 1 passed over: next in order, or re-tender; never rank 3 before rank 2.
        assert_eq!(
            decide_award(true, &c, &[dq("a")], Some(&b)).unwrap(),
            AwardDecision::Award {
                winner: b.clone(),
                rank: 2
            }
        );
        assert_eq!(
            decide_award(true, &c, &[dq("a")], Some(&c3))
                .unwrap_err()
                .code,
            "evaluation.award.rank_one"
        );
        assert_eq!(
            decide_award(true, &c, &[dq("a")], None).unwrap(),
            AwardDecision::Retender
        );
        assert_eq!(
            decide_award(true, &c, &[dq("a")], Some(&a))
                .unwrap_err()
                .code,
            "evaluation.award.not_candidate"
        );
        // Other projects: any eligible candidate.
        assert!(decide_award(false, &c, &[], Some(&c3)).is_ok());
        assert_eq!(
            decide_award(false, &c, &[], None).unwrap(),
            AwardDecision::Retender
        );
        let mut no_note = dq("a");
        no_note.note.clear();
        assert_eq!(
            decide_award(true, &c, &[no_note], Some(&b))
                .unwrap_err()
                .code,
            "evaluation.award.disqualification"
        );
        assert_eq!(
            decide_award(true, &c, &[dq("z")], Some(&a))
                .unwrap_err()
                .code,
            "evaluation.award.disqualification"
        );
    }

    pub(crate) fn notice() -> AwardNotice {
        let issued = at(2026, 3, 20, 10, 0);
        AwardNotice {
            notice_no: "ZB-2026-0001".into(),
            transaction_code: "A3501002026000001001".into(),
            section_name: "某路改造工程施工\n一标段".into(),
            tenderee: CreditCode::parse("123100007847653857").unwrap(),
            tenderee_name: "某市城市建设投资有限公司".into(),
            winner: CreditCode::parse("91350100M000100Y43").unwrap(),
            winner_name: "某建设集团有限公司".into(),
            price: d("9876543.2"),
            duration_days: Some(365),
            quality: "合格".into(),
            project_manager: Some("张三".into()),
            issued_at: issued,
            sign_by: contract_due(issued, &cal()),
        }
    }

    #[test]
    fn award_notice_text_and_checks() {
        let n = notice();
        assert_eq!(n.sign_by, at(2026, 4, 20, 0, 0));
        assert!(n.check(&cal()).is_empty());
        let text = n.canonical_text();
        assert_eq!(text.lines().count(), AwardNotice::FIELDS.len());
        assert!(text.contains("price=9876543.20\n"));
        assert!(text.contains("section_name=某路改造工程施工 一标段\n"));
        assert!(text.contains("issued_at=2026-03-20T02:00:00.000000Z\n"));
        let mut bad = n.clone();
        bad.price = d("1.001");
        bad.sign_by = at(2026, 5, 1, 0, 0);
        bad.notice_no = " ".into();
        assert_eq!(
            codes(&bad.check(&cal())),
            [
                "evaluation.notice.fields",
                "evaluation.notice.price",
                "evaluation.notice.sign_by"
            ]
        );
        let mut other = n.clone();
        other.price = d("9876543.21");
        assert_ne!(other.canonical_text(), text);
    }
}
