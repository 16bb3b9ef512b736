//! 排序: the order of the valid bids, from which at most 3 candidates are taken.
//!
//! Tie-breaks (documented because the law leaves them to the tender documents):
//! - 综合评估法: higher total; then the lower bid price (政府采购货物和服务招标投标管理办法
//!   Art. 65: 得分相同的，按照投标报价由低到高顺序排列); then (choice, where that rule stops at
//!   并列) the higher technical score (sum of the technical criteria), as construction documents
//!   commonly order; bids still equal are given a `tie_group` and listed by bid id — the
//!   tenderee resolves them by the method the tender documents name (often 抽签), recorded outside
//!   this rule.
//! - 经评审的最低投标价法: lower evaluated price; then the lower bid price (choice: the law ranks by
//!   price alone — 政府采购货物和服务招标投标管理办法 Art. 56 lists equal prices as tied — and the
//!   lower actual price is what the tenderee pays); bids still equal share a `tie_group` as above.
//!
//! Rejected bids never rank: both functions drop every bid that has an [`Exclusion`].
//!
//! Rounding: a total is the sum of k rounded parts (k = scored criteria + price), each within
//! ½·10⁻ᵈ of its exact value, so a total is within k·½·10⁻ᵈ of the exact total and two bids whose
//! exact totals differ by more than k·10⁻ᵈ keep their exact order (checked by a property test).
//! Closer bids may tie or swap after rounding; the published (rounded) scores are what rank,
//! because those are what bidders can check.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::BidId;
use super::qualification::Exclusion;
use super::scoring::BidScore;
use super::template::{CriterionCategory, ScoringTemplate};
use crate::Problem;

/// One line of the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedBid {
    /// 1, 2, 3, … — distinct, in order.
    pub rank: u32,
    pub bid: BidId,
    /// The bid price as read at the opening.
    pub price: Decimal,
    /// 综合得分 (综合评估法).
    pub total: Option<Decimal>,
    /// 评标价 (经评审的最低投标价法).
    pub evaluated_price: Option<Decimal>,
    /// Equal to a neighbour on every tie-break: the rank of the first line of its tie group. The
    /// order within a group is decided outside this rule (see [`apply_lot`]).
    pub tie_group: Option<u32>,
}

fn missing_price(bid: &str) -> Problem {
    Problem::invalid(
        "evaluation.rank.price",
        format!("投标{bid}缺少投标报价。"),
        format!("Bid {bid} has no price."),
    )
}

fn number(
    mut lines: Vec<RankedBid>,
    same: impl Fn(&RankedBid, &RankedBid) -> bool,
) -> Vec<RankedBid> {
    for i in 0..lines.len() {
        lines[i].rank = i as u32 + 1;
        if i > 0 && same(&lines[i - 1], &lines[i]) {
            let group = lines[i - 1].tie_group.unwrap_or(lines[i - 1].rank);
            lines[i - 1].tie_group = Some(group);
            lines[i].tie_group = Some(group);
        }
    }
    lines
}

/// Ranks the aggregated scores of 综合评估法 (see the module doc for the tie-breaks).
pub fn rank_comprehensive(
    t: &ScoringTemplate,
    scores: &[BidScore],
    prices: &BTreeMap<BidId, Decimal>,
    exclusions: &[Exclusion],
) -> Result<Vec<RankedBid>, Problem> {
    let out: BTreeSet<&BidId> = exclusions.iter().map(|e| &e.bid).collect();
    let technical: BTreeSet<&str> = t
        .criteria
        .iter()
        .filter(|c| c.category == CriterionCategory::Technical)
        .map(|c| c.code.as_str())
        .collect();
    let mut rows = Vec::new();
    for s in scores.iter().filter(|s| !out.contains(&s.bid)) {
        let price = *prices.get(&s.bid).ok_or_else(|| missing_price(&s.bid))?;
        let tech: Decimal = s
            .criteria
            .iter()
            .filter(|(k, _)| technical.contains(k.as_str()))
            .map(|(_, v)| *v)
            .sum();
        rows.push((s.total, price, tech, s.bid.clone()));
    }
    rows.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
    });
    let techs: BTreeMap<BidId, Decimal> = rows.iter().map(|r| (r.3.clone(), r.2)).collect();
    let lines = rows
        .into_iter()
        .map(|(total, price, _, bid)| RankedBid {
            rank: 0,
            bid,
            price,
            total: Some(total),
            evaluated_price: None,
            tie_group: None,
        })
        .collect();
    Ok(number(lines, |a, b| {
        a.total == b.total && a.price == b.price && techs[&a.bid] == techs[&b.bid]
    }))
}

/// 评标价: a bid's price plus the adjustments the tender documents price in (价格折算 of
/// deviations, e.g. a longer period at so much per day; 评标委员会和评标方法暂行规定 Art. 31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluatedPrice {
    pub bid: BidId,
    pub price: Decimal,
    /// Sum of the priced adjustments (may be negative for a priced advantage).
    pub adjustments: Decimal,
}

/// Ranks the bids of 经评审的最低投标价法 (see the module doc for the tie-breaks). A bid judged
/// below cost is rejected in the review ([`super::qualification::ExclusionReason::BelowCost`]) and
/// so never ranks.
pub fn rank_lowest_price(bids: &[EvaluatedPrice], exclusions: &[Exclusion]) -> Vec<RankedBid> {
    let out: BTreeSet<&BidId> = exclusions.iter().map(|e| &e.bid).collect();
    let mut rows: Vec<&EvaluatedPrice> = bids.iter().filter(|b| !out.contains(&b.bid)).collect();
    rows.sort_by(|a, b| {
        (a.price + a.adjustments)
            .cmp(&(b.price + b.adjustments))
            .then(a.price.cmp(&b.price))
            .then(a.bid.cmp(&b.bid))
    });
    let lines = rows
        .into_iter()
        .map(|b| RankedBid {
            rank: 0,
            bid: b.bid.clone(),
            price: b.price,
            total: None,
            evaluated_price: Some(b.price + b.adjustments),
            tie_group: None,
        })
        .collect();
    number(lines, |a, b| {
        a.evaluated_price == b.evaluated_price && a.price == b.price
    })
}

/// Applies the outcome of the tie-break the tender documents name (e.g. a recorded 抽签) to the
/// tie group starting at rank `group`: `order` lists exactly that group's bids in their new order.
/// The lines keep their ranks; the group's flag is cleared.
pub fn apply_lot(
    ranking: &[RankedBid],
    group: u32,
    order: &[BidId],
) -> Result<Vec<RankedBid>, Problem> {
    let members: Vec<usize> = (0..ranking.len())
        .filter(|i| ranking[*i].tie_group == Some(group))
        .collect();
    let mut wanted: Vec<&BidId> = order.iter().collect();
    wanted.sort();
    let mut have: Vec<&BidId> = members.iter().map(|i| &ranking[*i].bid).collect();
    have.sort();
    if members.is_empty() || wanted != have {
        return Err(Problem::invalid(
            "evaluation.rank.lot",
            "抽签结果应当恰好列出并列的全部投标。",
            "The tie-break result must list exactly the tied bids.",
        ));
    }
    let mut out = ranking.to_vec();
    for (slot, bid) in members.iter().zip(order) {
        let src = &ranking[members[members
            .iter()
            .position(|i| &ranking[*i].bid == bid)
            .unwrap_or(0)]];
        out[*slot] = RankedBid {
            rank: ranking[*slot].rank,
            tie_group: None,
            ..src.clone()
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::qualification::ExclusionReason;
    use crate::evaluation::template::tests::sample;
    use crate::evaluation::testutil::*;
    use proptest::prelude::*;

    fn score(bid: &str, tech: &str, total: &str) -> BidScore {
        BidScore {
            bid: bid.into(),
            criteria: [("tech".to_string(), d(tech))].into(),
            price: Decimal::ZERO,
            total: d(total),
        }
    }

    fn ex(bid: &str) -> Exclusion {
        Exclusion {
            bid: bid.into(),
            reason: ExclusionReason::NotResponsive,
            note: "工期不满足".into(),
        }
    }

    #[test]
    fn comprehensive_tie_breaks() {
        let t = sample();
        let scores = vec![
            score("a", "30", "88.5"),
            score("b", "31", "90"),
            score("c", "32", "88.5"), // same total as a, higher price than d
            score("d", "28", "88.5"),
            score("e", "29", "88.5"), // same total and price as d, higher technical
            score("f", "29", "88.5"), // equal to e on everything
            score("x", "40", "99"),   // rejected
        ];
        let prices: BTreeMap<BidId, Decimal> = [
            ("a", "100"),
            ("b", "100"),
            ("c", "105"),
            ("d", "95"),
            ("e", "95"),
            ("f", "95"),
            ("x", "90"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), d(v)))
        .collect();
        let r = rank_comprehensive(&t, &scores, &prices, &[ex("x")]).unwrap();
        let order: Vec<&str> = r.iter().map(|l| l.bid.as_str()).collect();
        assert_eq!(order, ["b", "e", "f", "d", "a", "c"]);
        assert_eq!(
            r.iter().map(|l| l.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        let ties: Vec<Option<u32>> = r.iter().map(|l| l.tie_group).collect();
        assert_eq!(ties, [None, Some(2), Some(2), None, None, None]);
        // The lot puts f before e.
        let lot = apply_lot(&r, 2, &["f".to_string(), "e".to_string()]).unwrap();
        let order: Vec<&str> = lot.iter().map(|l| l.bid.as_str()).collect();
        assert_eq!(order, ["b", "f", "e", "d", "a", "c"]);
        assert!(lot.iter().all(|l| l.tie_group.is_none()));
        assert_eq!(lot[1].rank, 2);
        assert_eq!(
            apply_lot(&r, 2, &["f".to_string()]).unwrap_err().code,
            "evaluation.rank.lot"
        );
        assert_eq!(
            apply_lot(&r, 4, &["d".to_string()]).unwrap_err().code,
            "evaluation.rank.lot"
        );
        let mut no_price = prices.clone();
        no_price.remove("a");
        assert_eq!(
            rank_comprehensive(&t, &scores, &no_price, &[])
                .unwrap_err()
                .code,
            "evaluation.rank.price"
        );
    }

    #[test]
    fn lowest_evaluated_price() {
        let bids = vec![
            EvaluatedPrice {
                bid: "a".into(),
                price: d("100"),
                adjustments: d("5"),
            },
            EvaluatedPrice {
                bid: "b".into(),
                price: d("103"),
                adjustments: d("0"),
            },
            EvaluatedPrice {
                bid: "c".into(),
                price: d("101"),
                adjustments: d("2"),
            },
            EvaluatedPrice {
                bid: "d".into(),
                price: d("90"),
                adjustments: d("0"),
            },
        ];
        let r = rank_lowest_price(&bids, &[ex("d")]);
        let order: Vec<&str> = r.iter().map(|l| l.bid.as_str()).collect();
        // c and b both 103; c's price is lower. a 105.
        assert_eq!(order, ["c", "b", "a"]);
        assert_eq!(r[0].evaluated_price, Some(d("103")));
        assert!(r.iter().all(|l| l.tie_group.is_none()));
    }

    proptest! {
        #[test]
        fn rejected_bids_never_rank_and_ranks_are_dense(
            totals in proptest::collection::vec((0i64..10_000, 1i64..1000, 0i64..4000), 1..12),
            rejected in proptest::collection::btree_set(0usize..12, 0..6),
        ) {
            let t = sample();
            let scores: Vec<BidScore> = totals.iter().enumerate().map(|(i, (tot, _, tech))| BidScore {
                bid: format!("b{i:02}"),
                criteria: [("tech".to_string(), Decimal::new(*tech, 2))].into(),
                price: Decimal::ZERO,
                total: Decimal::new(*tot, 2),
            }).collect();
            let prices: BTreeMap<BidId, Decimal> = totals.iter().enumerate()
                .map(|(i, (_, p, _))| (format!("b{i:02}"), Decimal::new(*p, 0))).collect();
            let exclusions: Vec<Exclusion> = rejected.iter().map(|i| ex(&format!("b{i:02}"))).collect();
            let r = rank_comprehensive(&t, &scores, &prices, &exclusions).unwrap();
            let ep: Vec<EvaluatedPrice> = totals.iter().enumerate().map(|(i, (tot, p, _))| EvaluatedPrice {
                bid: format!("b{i:02}"), price: Decimal::new(*p, 0), adjustments: Decimal::new(*tot, 2),
            }).collect();
            let r2 = rank_lowest_price(&ep, &exclusions);
            for ranking in [&r, &r2] {
                for (i, l) in ranking.iter().enumerate() {
                    prop_assert_eq!(l.rank as usize, i + 1);
                    prop_assert!(!exclusions.iter().any(|e| e.bid == l.bid));
                }
                let valid = scores.iter().filter(|s| !exclusions.iter().any(|e| e.bid == s.bid)).count();
                prop_assert_eq!(ranking.len(), valid);
            }
            for w in r.windows(2) {
                prop_assert!(w[0].total >= w[1].total);
            }
            // Reordering the input changes nothing.
            let mut rev = scores.clone();
            rev.reverse();
            prop_assert_eq!(&r, &rank_comprehensive(&t, &rev, &prices, &exclusions).unwrap());
        }
    }
}
