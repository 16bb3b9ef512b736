//! 独立评分: each expert scores each valid bid on every sub-criterion of the template, alone
//! (评标委员会成员应当客观、公正地履行职务，独立评审, 条例 Art. 49); the platform checks each score
//! sheet against the template, hides the others' scores until an expert has submitted, aggregates
//! exactly as the template says and flags scores far from the others.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::template::{Aggregation, ScoringTemplate};
use super::{BidId, ExpertId, has_at_most_places, round_half_up};
use crate::Problem;
use crate::trading::fields::AwardMethod;
use crate::trading::periods::Violation;

/// One scored line of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreEntry {
    pub sub_criterion: String,
    pub points: Decimal,
    /// 评分理由; required where the sub-criterion says so.
    pub comment: String,
}

/// 评分表: one expert's scores for one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub expert: ExpertId,
    pub bid: BidId,
    pub entries: Vec<ScoreEntry>,
}

/// Every way a sheet breaks the template (empty: the sheet may be submitted): each scored
/// sub-criterion exactly once, no unknown lines, points within 0..=max with at most the
/// template's decimals, and a comment where one is required.
pub fn check_sheet(t: &ScoringTemplate, sheet: &ScoreSheet) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for e in &sheet.entries {
        let Some((_, sub)) = t.sub_criterion(&e.sub_criterion) else {
            out.push(Violation::new(
                "evaluation.sheet.unknown",
                format!("评分项“{}”不在评标办法中。", e.sub_criterion),
                format!(
                    "“{}” is not a sub-criterion of the template.",
                    e.sub_criterion
                ),
            ));
            continue;
        };
        if !seen.insert(e.sub_criterion.as_str()) {
            out.push(Violation::new(
                "evaluation.sheet.duplicate",
                format!("评分项“{}”重复评分。", sub.name),
                format!("“{}” is scored more than once.", sub.code),
            ));
        }
        if e.points < Decimal::ZERO || e.points > sub.max_points {
            out.push(Violation::new(
                "evaluation.sheet.range",
                format!("“{}”的得分应在0至{}分之间。", sub.name, sub.max_points),
                format!(
                    "The score of “{}” must be between 0 and {}.",
                    sub.code, sub.max_points
                ),
            ));
        } else if !has_at_most_places(e.points, t.score_decimals) {
            out.push(Violation::new(
                "evaluation.sheet.places",
                format!("“{}”的得分最多保留{}位小数。", sub.name, t.score_decimals),
                format!(
                    "The score of “{}” has at most {} decimals.",
                    sub.code, t.score_decimals
                ),
            ));
        }
        if sub.comment_required && e.comment.trim().is_empty() {
            out.push(Violation::new(
                "evaluation.sheet.comment",
                format!("“{}”应当填写评分理由。", sub.name),
                format!("“{}” needs a written reason.", sub.code),
            ));
        }
    }
    for c in t.scored_criteria() {
        for s in &c.sub_criteria {
            if !seen.contains(s.code.as_str()) {
                out.push(Violation::new(
                    "evaluation.sheet.missing",
                    format!("“{}”尚未评分。", s.name),
                    format!("“{}” is not scored.", s.code),
                ));
            }
        }
    }
    out
}

/// Whether `viewer` may see the other experts' scores: only once it has submitted its own sheets
/// (`submitted` holds the experts who submitted every sheet). This keeps the scoring independent:
/// nobody adjusts to the others. Supervisors and the centre see the scores through their own
/// rules, not this one.
pub fn may_see_scores(viewer: &str, submitted: &BTreeSet<ExpertId>) -> bool {
    submitted.contains(viewer)
}

/// An expert's points per criterion code (the sum of the sub-criterion points) on a sheet.
pub fn criterion_points(t: &ScoringTemplate, sheet: &ScoreSheet) -> BTreeMap<String, Decimal> {
    let mut out: BTreeMap<String, Decimal> = t
        .scored_criteria()
        .map(|c| (c.code.clone(), Decimal::ZERO))
        .collect();
    for e in &sheet.entries {
        if let Some((c, _)) = t.sub_criterion(&e.sub_criterion) {
            *out.entry(c.code.clone()).or_default() += e.points;
        }
    }
    out
}

/// The scores kept by the aggregation rule (sorted ascending): all of them, or without one
/// highest and one lowest when the rule says so.
pub fn kept_scores(agg: &Aggregation, scores: &[Decimal]) -> Vec<Decimal> {
    let mut s = scores.to_vec();
    s.sort();
    if agg.drop_extremes && s.len() >= agg.drop_from.max(3) {
        s.pop();
        s.remove(0);
    }
    s
}

/// The aggregated score of one criterion: the mean of the kept scores (exact sum, quotient at
/// 28 significant digits), rounded half up to `decimals`. `None` without scores.
pub fn aggregate_scores(agg: &Aggregation, scores: &[Decimal], decimals: u32) -> Option<Decimal> {
    let kept = kept_scores(agg, scores);
    if kept.is_empty() {
        return None;
    }
    let sum: Decimal = kept.iter().copied().sum();
    Some(round_half_up(sum / Decimal::from(kept.len()), decimals))
}

/// A valid bid's aggregated result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidScore {
    pub bid: BidId,
    /// Aggregated points per scored criterion code, each rounded.
    pub criteria: BTreeMap<String, Decimal>,
    /// The price score (already rounded by its formula).
    pub price: Decimal,
    /// The sum of the rounded parts: exact, so the published parts add up to the published total.
    pub total: Decimal,
}

fn incomplete(zh: String, en: String) -> Problem {
    Problem::conflict("evaluation.aggregate.incomplete", zh, en)
}

/// Aggregates the sheets of `experts` for the valid bids (`price_scores` holds every valid bid
/// and its price score). Every expert must have submitted exactly one valid sheet per valid bid;
/// sheets for other bids (rejected ones) are ignored. Each criterion is aggregated by
/// [`aggregate_scores`]; the total is the sum of the rounded criterion scores and the price score.
/// Results are in bid order.
pub fn aggregate(
    t: &ScoringTemplate,
    experts: &BTreeSet<ExpertId>,
    price_scores: &BTreeMap<BidId, Decimal>,
    sheets: &[ScoreSheet],
) -> Result<Vec<BidScore>, Problem> {
    if t.method != AwardMethod::Comprehensive {
        return Err(Problem::invalid(
            "evaluation.aggregate.method",
            "只有综合评估法需要汇总评分。",
            "Only comprehensive scoring aggregates scores.",
        ));
    }
    let mut by_bid: BTreeMap<&BidId, BTreeMap<&ExpertId, &ScoreSheet>> = BTreeMap::new();
    for s in sheets {
        if !price_scores.contains_key(&s.bid) {
            continue;
        }
        if !experts.contains(&s.expert) {
            return Err(Problem::invalid(
                "evaluation.aggregate.not_member",
                "评分表来自评标委员会以外的人员。",
                "A score sheet comes from someone outside the committee.",
            ));
        }
        if !check_sheet(t, s).is_empty() {
            return Err(Problem::invalid(
                "evaluation.aggregate.invalid_sheet",
                "存在不符合评标办法的评分表。",
                "A score sheet does not agree with the template.",
            ));
        }
        if by_bid
            .entry(&s.bid)
            .or_default()
            .insert(&s.expert, s)
            .is_some()
        {
            return Err(Problem::invalid(
                "evaluation.aggregate.duplicate",
                "同一专家对同一投标提交了多份评分表。",
                "An expert submitted more than one sheet for a bid.",
            ));
        }
    }
    let mut out = Vec::new();
    for (bid, price) in price_scores {
        let got = by_bid.get(bid).map_or(0, BTreeMap::len);
        if got != experts.len() {
            return Err(incomplete(
                format!("投标{bid}尚有专家未提交评分（{got}/{}）。", experts.len()),
                format!(
                    "Not every expert has scored bid {bid} ({got}/{}).",
                    experts.len()
                ),
            ));
        }
        let points: Vec<BTreeMap<String, Decimal>> = by_bid[bid]
            .values()
            .map(|s| criterion_points(t, s))
            .collect();
        let mut criteria = BTreeMap::new();
        for c in t.scored_criteria() {
            let scores: Vec<Decimal> = points.iter().map(|p| p[&c.code]).collect();
            let agg = aggregate_scores(&t.aggregation, &scores, t.score_decimals)
                .unwrap_or(Decimal::ZERO);
            criteria.insert(c.code.clone(), agg);
        }
        let total = criteria.values().copied().sum::<Decimal>() + price;
        out.push(BidScore {
            bid: bid.clone(),
            criteria,
            price: *price,
            total,
        });
    }
    Ok(out)
}

/// A score far from the others (see [`super::template::OutlierRule`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlierFlag {
    pub bid: BidId,
    pub expert: ExpertId,
    pub criterion: String,
    pub points: Decimal,
    pub median: Decimal,
}

/// The written reason an expert gives for a flagged score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlierReason {
    pub bid: BidId,
    pub expert: ExpertId,
    pub criterion: String,
    pub reason: String,
}

fn median(sorted: &[Decimal]) -> Decimal {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO
    }
}

/// Every score that differs from the median of its (bid, criterion) by more than the template's
/// share of the criterion's maximum. Only groups of at least 3 scores are screened: with two,
/// each is as far from the other, and no one of them is the odd one out. Sorted by bid, criterion,
/// expert. Pass the sheets of the valid bids (a rejected bid's scores need no reasons).
pub fn outliers(t: &ScoringTemplate, sheets: &[ScoreSheet]) -> Vec<OutlierFlag> {
    let mut groups: BTreeMap<(&BidId, &str), Vec<(&ExpertId, Decimal)>> = BTreeMap::new();
    for s in sheets {
        let pts = criterion_points(t, s);
        for c in t.scored_criteria() {
            groups
                .entry((&s.bid, c.code.as_str()))
                .or_default()
                .push((&s.expert, pts[&c.code]));
        }
    }
    let mut out = Vec::new();
    for ((bid, code), scores) in groups {
        if scores.len() < 3 {
            continue;
        }
        let Some(c) = t.criteria.iter().find(|c| c.code == code) else {
            continue;
        };
        let mut sorted: Vec<Decimal> = scores.iter().map(|s| s.1).collect();
        sorted.sort();
        let m = median(&sorted);
        // |x − m| > p% × max  ⇔  |x − m| × 100 > p × max: exact, no division.
        let limit = t.outlier.percent_of_max * c.weight;
        let mut flagged: Vec<OutlierFlag> = scores
            .iter()
            .filter(|(_, x)| (*x - m).abs() * Decimal::ONE_HUNDRED > limit)
            .map(|(e, x)| OutlierFlag {
                bid: bid.clone(),
                expert: (*e).clone(),
                criterion: code.to_string(),
                points: *x,
                median: m,
            })
            .collect();
        flagged.sort_by(|a, b| a.expert.cmp(&b.expert));
        out.extend(flagged);
    }
    out
}

/// Every flagged score without a written reason (empty: the scoring may be closed).
pub fn check_outlier_reasons(flags: &[OutlierFlag], reasons: &[OutlierReason]) -> Vec<Violation> {
    flags
        .iter()
        .filter(|f| {
            !reasons.iter().any(|r| {
                r.bid == f.bid
                    && r.expert == f.expert
                    && r.criterion == f.criterion
                    && !r.reason.trim().is_empty()
            })
        })
        .map(|f| {
            Violation::new(
                "evaluation.outlier.reason",
                format!(
                    "专家{}对投标{}的“{}”评分{}分明显偏离中位数{}分，应当书面说明理由。",
                    f.expert, f.bid, f.criterion, f.points, f.median
                ),
                format!(
                    "Expert {} scored {} on “{}” of bid {}, far from the median {}; a written reason is required.",
                    f.expert, f.points, f.criterion, f.bid, f.median
                ),
            )
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::evaluation::template::tests::sample;
    use crate::evaluation::testutil::*;
    use proptest::prelude::*;

    /// A sheet scoring tech.plan, tech.safety, biz.terms, credit.report, perf.similar.
    pub(crate) fn sheet(expert: &str, bid: &str, pts: [&str; 5]) -> ScoreSheet {
        let codes = [
            "tech.plan",
            "tech.safety",
            "biz.terms",
            "credit.report",
            "perf.similar",
        ];
        ScoreSheet {
            expert: expert.into(),
            bid: bid.into(),
            entries: codes
                .iter()
                .zip(pts)
                .map(|(c, p)| ScoreEntry {
                    sub_criterion: c.to_string(),
                    points: d(p),
                    comment: "方案完整".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn sheets_are_checked_against_the_template() {
        let t = sample();
        let ok = sheet("e1", "a", ["20", "12.5", "8", "5", "4"]);
        assert!(check_sheet(&t, &ok).is_empty());
        let mut bad = ok.clone();
        bad.entries[0].points = d("25.5");
        bad.entries[0].comment = String::new();
        bad.entries[1].points = d("12.345");
        bad.entries[2].sub_criterion = "tech.safety".into();
        bad.entries[3].sub_criterion = "price".into();
        bad.entries.pop();
        assert_eq!(
            codes(&check_sheet(&t, &bad)),
            [
                "evaluation.sheet.range",
                "evaluation.sheet.comment",
                "evaluation.sheet.places",
                "evaluation.sheet.duplicate",
                "evaluation.sheet.unknown",
                "evaluation.sheet.missing",
                "evaluation.sheet.missing",
                "evaluation.sheet.missing",
            ]
        );
        // No comment needed where the template does not ask for one.
        let mut quiet = ok.clone();
        quiet.entries[1].comment.clear();
        assert!(check_sheet(&t, &quiet).is_empty());
    }

    #[test]
    fn nobody_sees_scores_before_submitting() {
        let submitted: BTreeSet<ExpertId> = ["e1".to_string()].into();
        assert!(may_see_scores("e1", &submitted));
        assert!(!may_see_scores("e2", &submitted));
        assert!(!may_see_scores("e1", &BTreeSet::new()));
    }

    #[test]
    fn aggregation_drops_extremes_and_rounds_half_up() {
        let agg = Aggregation {
            drop_extremes: true,
            drop_from: 5,
        };
        let s: Vec<Decimal> = ["30", "31", "32", "33", "10"]
            .iter()
            .map(|x| d(x))
            .collect();
        // Drop 10 and 33: (30 + 31 + 32) / 3 = 31.
        assert_eq!(aggregate_scores(&agg, &s, 2), Some(d("31")));
        // Four experts: no trimming; 106 / 4 = 26.5.
        assert_eq!(aggregate_scores(&agg, &s[..4], 0), Some(d("32")));
        assert_eq!(aggregate_scores(&agg, &s[1..], 2), Some(d("26.5")));
        // 1/3 → 0.33; 2/3 → 0.67; 0.125 → 0.13 (half up, not banker's).
        let plain = Aggregation::default();
        assert_eq!(
            aggregate_scores(&plain, &[d("1"), d("0"), d("0")], 2),
            Some(d("0.33"))
        );
        assert_eq!(
            aggregate_scores(&plain, &[d("1"), d("1"), d("0")], 2),
            Some(d("0.67"))
        );
        assert_eq!(
            aggregate_scores(&plain, &[d("0.25"), d("0")], 2),
            Some(d("0.13"))
        );
        assert_eq!(aggregate_scores(&plain, &[], 2), None);
    }

    fn five_experts() -> BTreeSet<ExpertId> {
        (1..=5).map(|i| format!("e{i}")).collect()
    }

    #[test]
    fn aggregate_whole_bids() {
        let t = sample();
        let experts = five_experts();
        let prices: BTreeMap<BidId, Decimal> =
            [("a".to_string(), d("40")), ("b".to_string(), d("36"))].into();
        let mut sheets = vec![];
        for (i, e) in experts.iter().enumerate() {
            let tech = (20 + i).to_string();
            sheets.push(sheet(e, "a", [tech.as_str(), "10", "8", "5", "5"]));
            sheets.push(sheet(e, "b", ["25", "15", "10", "5", "5"]));
            // A rejected bid's sheets are ignored.
            sheets.push(sheet(e, "x", ["0", "0", "0", "0", "0"]));
        }
        let r = aggregate(&t, &experts, &prices, &sheets).unwrap();
        assert_eq!(r.len(), 2);
        // a: tech = 30..34, trimmed → 31,32,33 → 32; total 32 + 8 + 5 + 5 + 40 = 90.
        assert_eq!(r[0].criteria["tech"], d("32"));
        assert_eq!(r[0].total, d("90"));
        assert_eq!(r[1].total, d("96"));
        // Missing sheet.
        let short = &sheets[..sheets.len() - 3];
        assert_eq!(
            aggregate(&t, &experts, &prices, short).unwrap_err().code,
            "evaluation.aggregate.incomplete"
        );
        let mut stranger = sheets.clone();
        stranger.push(sheet("zz", "a", ["0", "0", "0", "0", "0"]));
        assert_eq!(
            aggregate(&t, &experts, &prices, &stranger)
                .unwrap_err()
                .code,
            "evaluation.aggregate.not_member"
        );
        let mut twice = sheets.clone();
        twice.push(sheets[0].clone());
        assert_eq!(
            aggregate(&t, &experts, &prices, &twice).unwrap_err().code,
            "evaluation.aggregate.duplicate"
        );
    }

    #[test]
    fn far_scores_are_flagged_and_need_reasons() {
        let t = sample(); // 20% of max: tech 40 → 8 points.
        let sheets = vec![
            sheet("e1", "a", ["20", "10", "8", "5", "5"]),
            sheet("e2", "a", ["21", "10", "8", "5", "5"]),
            sheet("e3", "a", ["22", "10", "8", "5", "5"]),
            sheet("e4", "a", ["13", "8.99", "8", "5", "5"]), // 21.99 vs median 31: 9.01 > 8
            sheet("e5", "a", ["25", "14", "8", "5", "5"]),   // 39 vs 31: exactly 8, not flagged
        ];
        let flags = outliers(&t, &sheets);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].expert, "e4");
        assert_eq!(flags[0].criterion, "tech");
        assert_eq!(flags[0].median, d("31"));
        assert_eq!(
            codes(&check_outlier_reasons(&flags, &[])),
            ["evaluation.outlier.reason"]
        );
        let reason = OutlierReason {
            bid: "a".into(),
            expert: "e4".into(),
            criterion: "tech".into(),
            reason: "施工方案缺少深基坑专项措施".into(),
        };
        assert!(check_outlier_reasons(&flags, &[reason]).is_empty());
        assert!(outliers(&t, &sheets[..2]).is_empty());
    }

    /// An independent reference: integer hundredths, trimmed by index, mean rounded half up by
    /// integer arithmetic.
    fn reference_total(points: &[[i64; 5]], price_cents: i64, drop: bool) -> i64 {
        // Criteria: tech = sub 0 + 1; biz, credit, perf = subs 2, 3, 4.
        let groups: [&[usize]; 4] = [&[0, 1], &[2], &[3], &[4]];
        let mut total = price_cents;
        for g in groups {
            let mut v: Vec<i64> = points
                .iter()
                .map(|p| g.iter().map(|i| p[*i]).sum())
                .collect();
            v.sort();
            let v = if drop && v.len() >= 5 {
                &v[1..v.len() - 1]
            } else {
                &v[..]
            };
            let (s, m) = (v.iter().sum::<i64>(), v.len() as i64);
            total += (2 * s + m) / (2 * m);
        }
        total
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

    fn to_sheet(expert: &str, bid: &str, p: &[i64; 5]) -> ScoreSheet {
        let s: Vec<String> = p.iter().map(|c| Decimal::new(*c, 2).to_string()).collect();
        sheet(expert, bid, [&s[0], &s[1], &s[2], &s[3], &s[4]])
    }

    proptest! {
        #[test]
        fn aggregation_matches_the_reference_and_ignores_expert_order(
            bids in proptest::collection::vec((proptest::collection::vec(sheet_points(), 5), 0i64..=4000), 1..5),
            drop in any::<bool>(),
            rotate in 0usize..5,
        ) {
            let mut t = sample();
            t.aggregation.drop_extremes = drop;
            let experts = five_experts();
            let names: Vec<&ExpertId> = experts.iter().collect();
            let mut prices = BTreeMap::new();
            let mut sheets = vec![];
            let mut permuted = vec![];
            for (i, (pts, price)) in bids.iter().enumerate() {
                let bid = format!("b{i}");
                prices.insert(bid.clone(), Decimal::new(*price, 2));
                for (j, p) in pts.iter().enumerate() {
                    sheets.push(to_sheet(names[j], &bid, p));
                    // The same sheets under rotated expert names, in reverse order.
                    permuted.push(to_sheet(names[(j + rotate) % 5], &bid, p));
                }
            }
            permuted.reverse();
            let a = aggregate(&t, &experts, &prices, &sheets).unwrap();
            let b = aggregate(&t, &experts, &prices, &permuted).unwrap();
            prop_assert_eq!(&a, &b);
            for (i, (pts, price)) in bids.iter().enumerate() {
                let want = Decimal::new(reference_total(pts, *price, drop), 2);
                prop_assert_eq!(a[i].total, want);
                let parts: Decimal = a[i].criteria.values().copied().sum::<Decimal>() + a[i].price;
                prop_assert_eq!(parts, a[i].total);
            }
        }
    }
}
