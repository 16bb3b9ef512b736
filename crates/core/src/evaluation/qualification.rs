//! 初步评审 (符合性、资格性审查): the pass/fail review that comes before any scoring. A bid that
//! fails is 否决 (rejected) with a recorded reason and takes no further part: it is not scored, it
//! does not set the price base and it never ranks.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::BidId;
use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 否决投标的情形: why the committee rejects a bid (招标投标法实施条例 Art. 51, plus the rules
    /// each variant names).
    ExclusionReason {
        /// 投标文件未经投标单位盖章和单位负责人签字 (Art. 51(1)); electronically: not signed with
        /// the bidder's CA key.
        NotSigned = "not_signed", "投标文件未经投标单位盖章和单位负责人签字", "Not sealed and signed by the bidder";
        /// 投标联合体没有提交共同投标协议 (Art. 51(2)).
        NoJointBidAgreement = "no_joint_bid_agreement", "投标联合体没有提交共同投标协议", "Consortium without a joint bid agreement";
        /// 投标人不符合国家或者招标文件规定的资格条件 (Art. 51(3)).
        QualificationNotMet = "qualification_not_met", "投标人不符合规定的资格条件", "Bidder does not meet the qualification requirements";
        /// 同一投标人提交两个以上不同的投标文件或者投标报价，但招标文件要求提交备选投标的除外 (Art. 51(4)).
        MultipleBids = "multiple_bids", "同一投标人提交两个以上不同的投标文件或者投标报价", "More than one bid or price from one bidder";
        /// 投标报价低于成本 (Art. 51(5); 招标投标法 Art. 33), after the bidder was asked to explain
        /// and could not show otherwise (评标委员会和评标方法暂行规定 Art. 21).
        BelowCost = "below_cost", "投标报价低于成本", "Price below cost";
        /// 投标报价高于招标文件设定的最高投标限价 (Art. 51(5)).
        AboveCeiling = "above_ceiling", "投标报价高于最高投标限价", "Price above the ceiling price";
        /// 投标文件没有对招标文件的实质性要求和条件作出响应 (Art. 51(6)).
        NotResponsive = "not_responsive", "未对招标文件的实质性要求和条件作出响应", "Not responsive to the substantive requirements";
        /// 串通投标 (Art. 51(7); the Art. 40 indicators, e.g. deposits from one account).
        Collusion = "collusion", "串通投标", "Collusive bidding";
        /// 弄虚作假 (Art. 51(7); Art. 42).
        Falsification = "falsification", "弄虚作假", "Falsification";
        /// 行贿 (Art. 51(7)).
        Bribery = "bribery", "行贿", "Bribery";
        /// 与其他投标人存在控股、管理关系或负责人为同一人 (Art. 34): the bids concerned are void.
        LinkedBidder = "linked_bidder", "与其他投标人存在控股、管理关系或单位负责人为同一人", "Linked to another bidder (Art. 34)";
        /// 失信被执行人等联合惩戒对象 ("一处失信、处处受限" [003]): debarred from bidding.
        Debarred = "debarred", "属于失信联合惩戒对象", "Debarred (joint credit sanctions)";
    }
}

/// 否决投标记录: one recorded rejection. The note says what the committee found (which page,
/// which requirement), because the reason alone is not an explanation a bidder can answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub bid: BidId,
    pub reason: ExclusionReason,
    pub note: String,
}

/// Checks the review's records: every exclusion names a bid that was reviewed and has a note.
pub fn check_exclusions(
    reviewed: &BTreeSet<BidId>,
    exclusions: &[Exclusion],
) -> Result<(), Problem> {
    for e in exclusions {
        if !reviewed.contains(&e.bid) {
            return Err(Problem::invalid(
                "evaluation.exclusion.unknown_bid",
                "否决的投标不在本次评审的投标之中。",
                "The rejected bid is not one of the bids under review.",
            ));
        }
        if e.note.trim().is_empty() {
            return Err(Problem::invalid(
                "evaluation.exclusion.note",
                format!("否决投标（{}）应当写明具体事实。", e.reason.label_zh()),
                format!(
                    "A rejection ({}) must state the facts found.",
                    e.reason.label_en()
                ),
            ));
        }
    }
    Ok(())
}

/// The bids that passed: every reviewed bid without an exclusion, sorted.
pub fn qualified_bids(reviewed: &BTreeSet<BidId>, exclusions: &[Exclusion]) -> BTreeSet<BidId> {
    let out: BTreeSet<&BidId> = exclusions.iter().map(|e| &e.bid).collect();
    reviewed
        .iter()
        .filter(|b| !out.contains(b))
        .cloned()
        .collect()
}

/// Whether too few valid bids remain for real competition: fewer than 3 after the review lets the
/// committee reject every bid (评标委员会和评标方法暂行规定 Art. 27), and the tenderee then
/// re-tenders (招标投标法 Art. 42). The committee decides; this only tells it that it may.
pub fn may_reject_all(valid_bids: usize) -> bool {
    valid_bids < 3
}

/// 异常低价 screen: whether a price is so far below the others that the committee must ask the
/// bidder to show it is not below cost (评标委员会和评标方法暂行规定 Art. 21) before
/// [`ExclusionReason::BelowCost`] may be recorded. Flagged when the price is below
/// `(100 − percent_below)`% of the mean of the other valid prices. Choice: the law sets no number;
/// the threshold is configuration (often 15–20%).
pub fn abnormally_low(
    price: rust_decimal::Decimal,
    others: &[rust_decimal::Decimal],
    percent_below: rust_decimal::Decimal,
) -> bool {
    use rust_decimal::Decimal;
    if others.is_empty() {
        return false;
    }
    let mean = others.iter().copied().sum::<Decimal>() / Decimal::from(others.len());
    price * Decimal::ONE_HUNDRED < mean * (Decimal::ONE_HUNDRED - percent_below)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;

    fn set(ids: &[&str]) -> BTreeSet<BidId> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn excluded_bids_do_not_pass() {
        let reviewed = set(&["a", "b", "c", "d"]);
        let ex = vec![Exclusion {
            bid: "b".into(),
            reason: ExclusionReason::AboveCeiling,
            note: "报价1,250,000元高于最高投标限价1,200,000元".into(),
        }];
        assert!(check_exclusions(&reviewed, &ex).is_ok());
        assert_eq!(qualified_bids(&reviewed, &ex), set(&["a", "c", "d"]));
        assert!(!may_reject_all(3));
        assert!(may_reject_all(2));
        let no_note = vec![Exclusion {
            note: " ".into(),
            ..ex[0].clone()
        }];
        assert_eq!(
            check_exclusions(&reviewed, &no_note).unwrap_err().code,
            "evaluation.exclusion.note"
        );
        let unknown = vec![Exclusion {
            bid: "z".into(),
            ..ex[0].clone()
        }];
        assert_eq!(
            check_exclusions(&reviewed, &unknown).unwrap_err().code,
            "evaluation.exclusion.unknown_bid"
        );
    }

    #[test]
    fn reasons_have_labels_and_parse_back() {
        for r in ExclusionReason::ALL {
            assert_eq!(ExclusionReason::parse(r.as_str()), Some(*r));
            assert_eq!(ExclusionReason::from_label(r.label_zh()), Some(*r));
        }
        assert_eq!(ExclusionReason::ALL.len(), 12);
    }

    #[test]
    fn abnormally_low_prices_are_flagged() {
        let others = [d("100"), d("110"), d("90")];
        assert!(abnormally_low(d("79.99"), &others, d("20")));
        assert!(!abnormally_low(d("80"), &others, d("20")));
        assert!(!abnormally_low(d("1"), &[], d("20")));
    }
}
