//! The whole evaluation on one section, and the rounding bound of the ranking.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::award::{AwardDecision, decide_award, select_candidates};
use super::committee::EvaluationReport;
use super::price::{PriceFormula, price_scores};
use super::qualification::{Exclusion, ExclusionReason, check_exclusions, qualified_bids};
use super::ranking::rank_comprehensive;
use super::scoring::tests::sheet;
use super::scoring::{aggregate, criterion_points, kept_scores};
use super::template::tests::sample;
use super::template::{TemplatePolicy, validate_template};
use super::testutil::*;
use super::{BidId, ExpertId};

fn experts() -> BTreeSet<ExpertId> {
    (1..=5).map(|i| format!("e{i}")).collect()
}

#[test]
fn from_review_to_award() {
    let t = sample();
    assert!(validate_template(&t, &TemplatePolicy::default()).is_empty());
    let opened: BTreeMap<BidId, Decimal> = [
        ("a", "9800000"),
        ("b", "9500000"),
        ("c", "10200000"),
        ("d", "9900000"),
        ("x", "7000000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), d(v)))
    .collect();
    let reviewed: BTreeSet<BidId> = opened.keys().cloned().collect();
    let exclusions = vec![Exclusion {
        bid: "x".into(),
        reason: ExclusionReason::BelowCost,
        note: "经澄清不能说明报价合理性".into(),
    }];
    check_exclusions(&reviewed, &exclusions).unwrap();
    let valid = qualified_bids(&reviewed, &exclusions);
    let valid_prices: Vec<(BidId, Decimal)> =
        valid.iter().map(|b| (b.clone(), opened[b])).collect();
    // The rejected low price does not set the base: b (9.5m) does.
    let (base, ps) = price_scores(&PriceFormula::LowestBid, d("40"), 2, &valid_prices).unwrap();
    assert_eq!(base.unwrap().base, d("9500000"));
    let ps: BTreeMap<BidId, Decimal> = ps.into_iter().collect();
    assert_eq!(ps["b"], d("40"));
    assert_eq!(ps["a"], d("38.78")); // 40 × 9.5 / 9.8 = 38.7755…
    let mut sheets = vec![];
    for e in experts() {
        sheets.push(sheet(&e, "a", ["24", "14", "9", "5", "5"]));
        sheets.push(sheet(&e, "b", ["18", "12", "8", "5", "4"]));
        sheets.push(sheet(&e, "c", ["25", "15", "10", "5", "5"]));
        sheets.push(sheet(&e, "d", ["20", "12", "8", "4", "4"]));
    }
    let scores = aggregate(&t, &experts(), &ps, &sheets).unwrap();
    let ranking = rank_comprehensive(&t, &scores, &opened, &exclusions).unwrap();
    let order: Vec<&str> = ranking.iter().map(|r| r.bid.as_str()).collect();
    // a 38.78+57 = 95.78; c 37.25+60 = 97.25; b 40+47 = 87; d 38.38+48 = 86.38.
    assert_eq!(order, ["c", "a", "b", "d"]);
    assert_eq!(ranking[0].total, Some(d("97.25")));
    let candidates = select_candidates(&ranking, 3).unwrap();
    let report = EvaluationReport {
        transaction_code: "A3501002026000001001".into(),
        method: t.method,
        template_name: t.name.clone(),
        members: experts(),
        leader: "e1".into(),
        exclusions: exclusions.clone(),
        scores,
        ranking: ranking.clone(),
        candidates: candidates.iter().map(|c| c.bid.clone()).collect(),
        extended: false,
        compiled_at: at(2026, 3, 11, 17, 0),
    };
    report.check().unwrap();
    assert!(
        report
            .canonical_text()
            .contains("score=c|biz:10,credit:5,perf:5,tech:40|37.25|97.25\n")
    );
    let winner = "c".to_string();
    assert_eq!(
        decide_award(true, &candidates, &[], Some(&winner)).unwrap(),
        AwardDecision::Award { winner, rank: 1 }
    );
}

fn sheet_points() -> impl Strategy<Value = [i64; 5]> {
    (
        0i64..=2500,
        0i64..=1500,
        0i64..=1000,
        0i64..=500,
        0i64..=500,
    )
        .prop_map(|(a, b, c, d, e)| [a, b, c, d, e])
}

proptest! {
    /// Each of the k = 5 rounded parts (4 scored criteria and price) is within ½·10⁻ᵈ of its exact
    /// value, so bids whose exact totals differ by more than k·10⁻ᵈ keep their exact order.
    #[test]
    fn rounding_keeps_the_exact_order_beyond_the_documented_bound(
        bids in proptest::collection::vec((proptest::collection::vec(sheet_points(), 5), 100_000i64..10_000_000), 2..7),
        decimals in 0u32..=2,
        drop in any::<bool>(),
    ) {
        let mut t = sample();
        t.score_decimals = decimals;
        t.aggregation.drop_extremes = drop;
        // Entered points keep at most 2 places; with fewer template places, round them to fit.
        let names: Vec<ExpertId> = experts().into_iter().collect();
        let mut sheets = vec![];
        let mut prices = vec![];
        for (i, (pts, price)) in bids.iter().enumerate() {
            let bid = format!("b{i}");
            prices.push((bid.clone(), Decimal::new(*price, 2)));
            for (j, p) in pts.iter().enumerate() {
                let s: Vec<String> = p.iter().map(|c| super::round_half_up(Decimal::new(*c, 2), decimals).to_string()).collect();
                sheets.push(sheet(&names[j], &bid, [&s[0], &s[1], &s[2], &s[3], &s[4]]));
            }
        }
        let (base, ps) = price_scores(&PriceFormula::LowestBid, d("40"), decimals, &prices).unwrap();
        let base = base.unwrap().base;
        let ps: BTreeMap<BidId, Decimal> = ps.into_iter().collect();
        let scores = aggregate(&t, &experts(), &ps, &sheets).unwrap();
        let price_map: BTreeMap<BidId, Decimal> = prices.iter().cloned().collect();
        let ranking = rank_comprehensive(&t, &scores, &price_map, &[]).unwrap();
        // Exact totals, computed without rounding.
        let mut exact: BTreeMap<BidId, Decimal> = BTreeMap::new();
        for (bid, price) in &prices {
            let mut total = d("40") * base / *price;
            let mine: Vec<_> = sheets.iter().filter(|s| &s.bid == bid).map(|s| criterion_points(&t, s)).collect();
            for c in t.scored_criteria() {
                let kept = kept_scores(&t.aggregation, &mine.iter().map(|p| p[&c.code]).collect::<Vec<_>>());
                total += kept.iter().copied().sum::<Decimal>() / Decimal::from(kept.len());
            }
            exact.insert(bid.clone(), total);
        }
        let bound = Decimal::new(5, decimals);
        let pos: BTreeMap<&BidId, u32> = ranking.iter().map(|r| (&r.bid, r.rank)).collect();
        for (a, ea) in &exact {
            for (b, eb) in &exact {
                if *ea - *eb > bound {
                    prop_assert!(pos[a] < pos[b], "{} ({}) vs {} ({}), bound {}", a, ea, b, eb, bound);
                }
            }
        }
    }
}
