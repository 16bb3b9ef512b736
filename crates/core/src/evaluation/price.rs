//! 价格分: the price score of 综合评估法, by the formula the template chose.
//!
//! Arithmetic, exactly:
//! - [`PriceFormula::LowestBid`] (低价优先法, 政府采购货物和服务招标投标管理办法 (财政部令第87号)
//!   Art. 55): base = the lowest valid bid price; score = weight × base ÷ price. `weight × base` is
//!   exact; the quotient carries Decimal's 28 significant digits; the score is rounded half up to
//!   the template's decimals. The lowest bid scores the full weight.
//! - [`PriceFormula::AverageBase`] (平均值基准价法, common in construction): the valid prices are
//!   sorted; when there are at least `trim_from` of them, the `drop_lowest` lowest and the
//!   `drop_highest` highest are set aside; base = mean of the rest × (1 − `downward_float`)
//!   (下浮系数), rounded half up to the fen. The deviation in percent is
//!   (price − base) × 100 ÷ base (28 significant digits); the score is weight − deviation ×
//!   `deduct_above` for a price above the base, weight − |deviation| × `deduct_below` for one below,
//!   never below 0, rounded half up to the template's decimals.
//!
//! Only valid bids (those that passed the qualification review) take part: an excluded bid never
//! sets the base.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{BidId, round_half_up};
use crate::Problem;
use crate::trading::periods::Violation;

/// The formula of the price score, fixed in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PriceFormula {
    /// 低价优先法: base = the lowest valid bid.
    LowestBid,
    /// 平均值基准价法: base = the trimmed mean of the valid bids, floated down.
    AverageBase {
        /// Trim only with at least this many valid bids (must exceed the number dropped).
        trim_from: u32,
        /// How many of the highest prices are set aside.
        drop_highest: u32,
        /// How many of the lowest prices are set aside.
        drop_lowest: u32,
        /// 下浮系数 K, a fraction in [0, 0.2] (e.g. 0.03 for 3%): base = mean × (1 − K).
        downward_float: Decimal,
        /// Points deducted per percentage point above the base.
        deduct_above: Decimal,
        /// Points deducted per percentage point below the base.
        deduct_below: Decimal,
    },
}

impl PriceFormula {
    /// The parameter violations (for [`super::template::validate_template`]).
    ///
    /// Choice: the float is capped at 20%; real documents use 0–10%, and a larger float would
    /// make the base a price nobody could bid at cost.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        if let PriceFormula::AverageBase {
            trim_from,
            drop_highest,
            drop_lowest,
            downward_float,
            deduct_above,
            deduct_below,
        } = *self
        {
            if trim_from <= drop_highest + drop_lowest {
                out.push(Violation::new(
                    "evaluation.template.price_trim",
                    "去掉最高、最低报价后应至少保留一个报价。".into(),
                    "At least one price must remain after setting aside the extremes.".into(),
                ));
            }
            if downward_float < Decimal::ZERO || downward_float > Decimal::new(2, 1) {
                out.push(Violation::new(
                    "evaluation.template.price_float",
                    "下浮系数应在0至20%之间。".into(),
                    "The downward float must be between 0 and 20%.".into(),
                ));
            }
            if deduct_above < Decimal::ZERO || deduct_below < Decimal::ZERO {
                out.push(Violation::new(
                    "evaluation.template.price_deduction",
                    "偏离扣分不得为负数。".into(),
                    "Deductions for deviation may not be negative.".into(),
                ));
            }
        }
        out
    }
}

/// The base price (评标基准价) and which bids set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBase {
    /// Rounded half up to the fen.
    pub base: Decimal,
    /// The bids whose prices entered the base.
    pub used: Vec<BidId>,
    /// The bids set aside as extremes.
    pub set_aside: Vec<BidId>,
}

fn bad_price() -> Problem {
    Problem::invalid(
        "evaluation.price.invalid",
        "参与价格评分的报价应大于0。",
        "Every price entering the price score must be positive.",
    )
}

/// The base price of `formula` over the valid bids, or `None` without bids.
pub fn price_base(
    formula: &PriceFormula,
    bids: &[(BidId, Decimal)],
) -> Result<Option<PriceBase>, Problem> {
    if bids.iter().any(|(_, p)| *p <= Decimal::ZERO) {
        return Err(bad_price());
    }
    if bids.is_empty() {
        return Ok(None);
    }
    // Sorted by price, then id, so the result does not depend on the input order.
    let mut sorted: Vec<&(BidId, Decimal)> = bids.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let base = match *formula {
        PriceFormula::LowestBid => PriceBase {
            base: sorted[0].1,
            used: vec![sorted[0].0.clone()],
            set_aside: vec![],
        },
        PriceFormula::AverageBase {
            trim_from,
            drop_highest,
            drop_lowest,
            downward_float,
            ..
        } => {
            let n = sorted.len();
            let (lo, hi) = if n >= trim_from as usize && n > (drop_highest + drop_lowest) as usize {
                (drop_lowest as usize, n - drop_highest as usize)
            } else {
                (0, n)
            };
            let kept = &sorted[lo..hi];
            let sum: Decimal = kept.iter().map(|b| b.1).sum();
            let mean = sum / Decimal::from(kept.len());
            PriceBase {
                base: round_half_up(mean * (Decimal::ONE - downward_float), 2),
                used: kept.iter().map(|b| b.0.clone()).collect(),
                set_aside: sorted[..lo]
                    .iter()
                    .chain(&sorted[hi..])
                    .map(|b| b.0.clone())
                    .collect(),
            }
        }
    };
    Ok(Some(base))
}

/// The price score of one price against a base, exactly as the module doc says.
pub fn price_score(
    formula: &PriceFormula,
    weight: Decimal,
    base: Decimal,
    price: Decimal,
    decimals: u32,
) -> Decimal {
    let raw = match *formula {
        PriceFormula::LowestBid => weight * base / price,
        PriceFormula::AverageBase {
            deduct_above,
            deduct_below,
            ..
        } => {
            let deviation = (price - base) * Decimal::ONE_HUNDRED / base;
            let deduction = if deviation >= Decimal::ZERO {
                deviation * deduct_above
            } else {
                -deviation * deduct_below
            };
            (weight - deduction).max(Decimal::ZERO)
        }
    };
    round_half_up(raw, decimals)
}

/// The base used (`None` without bids) and each bid's price score, in input order.
pub type PriceScores = (Option<PriceBase>, Vec<(BidId, Decimal)>);

/// The price score of every valid bid, in input order, with the base used.
pub fn price_scores(
    formula: &PriceFormula,
    weight: Decimal,
    decimals: u32,
    bids: &[(BidId, Decimal)],
) -> Result<PriceScores, Problem> {
    let Some(base) = price_base(formula, bids)? else {
        return Ok((None, vec![]));
    };
    let scores = bids
        .iter()
        .map(|(id, p)| {
            (
                id.clone(),
                price_score(formula, weight, base.base, *p, decimals),
            )
        })
        .collect();
    Ok((Some(base), scores))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;
    use proptest::prelude::*;

    fn bids(prices: &[&str]) -> Vec<(BidId, Decimal)> {
        prices
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("b{i}"), d(p)))
            .collect()
    }

    fn average(float: &str) -> PriceFormula {
        PriceFormula::AverageBase {
            trim_from: 5,
            drop_highest: 1,
            drop_lowest: 1,
            downward_float: d(float),
            deduct_above: d("1"),
            deduct_below: d("0.5"),
        }
    }

    #[test]
    fn lowest_bid_formula_worked_example() {
        let (base, s) = price_scores(
            &PriceFormula::LowestBid,
            d("40"),
            2,
            &bids(&["900000", "1000000", "1200000.00"]),
        )
        .unwrap();
        assert_eq!(base.unwrap().base, d("900000"));
        // 40 × 900000 / 1000000 = 36; 40 × 0.75 = 30.
        assert_eq!(s[0].1, d("40"));
        assert_eq!(s[1].1, d("36.00"));
        assert_eq!(s[2].1, d("30"));
        // 40 × 900000 / 1100000 = 32.7272… → 32.73; 3 places: 32.727.
        assert_eq!(
            price_score(
                &PriceFormula::LowestBid,
                d("40"),
                d("900000"),
                d("1100000"),
                2
            ),
            d("32.73")
        );
        assert_eq!(
            price_score(
                &PriceFormula::LowestBid,
                d("40"),
                d("900000"),
                d("1100000"),
                3
            ),
            d("32.727")
        );
        // Half up: 30 × 1 / 1.6 = 18.75 → 18.8 at one place.
        assert_eq!(
            price_score(&PriceFormula::LowestBid, d("30"), d("1"), d("1.6"), 1),
            d("18.8")
        );
    }

    #[test]
    fn average_formula_trims_floats_and_deducts() {
        // Five bids: 80, 90, 100, 110, 150 (万元) → drop 80 and 150 → mean 100 → × 0.97 = 97.
        let b = bids(&["800000", "900000", "1000000", "1100000", "1500000"]);
        let (base, s) = price_scores(&average("0.03"), d("40"), 2, &b).unwrap();
        let base = base.unwrap();
        assert_eq!(base.base, d("970000.00"));
        assert_eq!(base.set_aside, ["b0", "b4"]);
        assert_eq!(base.used, ["b1", "b2", "b3"]);
        // 1000000: +3.0927835…% → 40 − 3.09… = 36.907… → 36.91.
        assert_eq!(s[2].1, d("36.91"));
        // 900000: −7.216494…% → 40 − 3.608… = 36.39.
        assert_eq!(s[1].1, d("36.39"));
        // 1500000: +54.6…% → below zero → 0.
        assert_eq!(s[4].1, d("0.00"));
        // Four bids: no trimming.
        let (base4, _) = price_scores(&average("0"), d("40"), 2, &b[..4]).unwrap();
        assert_eq!(base4.unwrap().base, d("950000.00"));
        // A bid exactly at the base scores the full weight.
        assert_eq!(
            price_score(&average("0"), d("40"), d("950000"), d("950000"), 2),
            d("40")
        );
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(
            price_scores(&PriceFormula::LowestBid, d("40"), 2, &bids(&["0"]))
                .unwrap_err()
                .code,
            "evaluation.price.invalid"
        );
        assert_eq!(
            price_scores(&PriceFormula::LowestBid, d("40"), 2, &[]).unwrap(),
            (None, vec![])
        );
        let bad = PriceFormula::AverageBase {
            trim_from: 2,
            drop_highest: 1,
            drop_lowest: 1,
            downward_float: d("0.5"),
            deduct_above: d("-1"),
            deduct_below: d("0"),
        };
        assert_eq!(
            codes(&bad.violations()),
            [
                "evaluation.template.price_trim",
                "evaluation.template.price_float",
                "evaluation.template.price_deduction"
            ]
        );
        assert!(average("0.1").violations().is_empty());
    }

    fn price() -> impl Strategy<Value = Decimal> {
        (1i64..100_000_000_000).prop_map(|c| Decimal::new(c, 2))
    }

    proptest! {
        #[test]
        fn a_lower_bid_never_raises_another_score(prices in proptest::collection::vec(price(), 1..12), extra in price()) {
            let b: Vec<(BidId, Decimal)> = prices.iter().enumerate().map(|(i, p)| (format!("b{i}"), *p)).collect();
            let (_, before) = price_scores(&PriceFormula::LowestBid, d("40"), 2, &b).unwrap();
            let mut more = b.clone();
            more.push(("new".into(), extra));
            let (_, after) = price_scores(&PriceFormula::LowestBid, d("40"), 2, &more).unwrap();
            for (x, y) in before.iter().zip(&after) {
                prop_assert!(y.1 <= x.1);
                prop_assert!(y.1 >= Decimal::ZERO && y.1 <= d("40"));
            }
        }

        #[test]
        fn scores_are_order_independent_and_bounded(prices in proptest::collection::vec(price(), 1..12), k in 0u32..20) {
            let f = PriceFormula::AverageBase {
                trim_from: 5, drop_highest: 1, drop_lowest: 1,
                downward_float: Decimal::new(i64::from(k), 2),
                deduct_above: d("1"), deduct_below: d("0.5"),
            };
            let b: Vec<(BidId, Decimal)> = prices.iter().enumerate().map(|(i, p)| (format!("b{i}"), *p)).collect();
            let mut rev = b.clone();
            rev.reverse();
            for formula in [PriceFormula::LowestBid, f] {
                let (base1, s1) = price_scores(&formula, d("40"), 2, &b).unwrap();
                let (base2, mut s2) = price_scores(&formula, d("40"), 2, &rev).unwrap();
                prop_assert_eq!(base1.unwrap().base, base2.unwrap().base);
                s2.reverse();
                prop_assert_eq!(&s1, &s2);
                for (_, s) in &s1 {
                    prop_assert!(*s >= Decimal::ZERO && *s <= d("40"));
                }
            }
        }
    }
}
