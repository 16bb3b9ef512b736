//! 评标办法模板: the scoring template a section's tender documents fix before the bids are known
//! (招标文件模板化 [001]; award methods of 招标投标法 Art. 41). A template names the award method,
//! the weighted criteria with their sub-criteria, the price formula, how expert scores are
//! aggregated and when a score is an outlier. [`validate_template`] returns every violation, so a
//! page can show them all at once.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::has_at_most_places;
use super::price::PriceFormula;
use crate::enums::string_enum;
use crate::trading::fields::{AwardMethod, ProcurementCategory, TradeField};
use crate::trading::periods::Violation;

string_enum! {
    /// 评分因素类别 of 综合评估法 (DOMAIN §2.2: price, technical, business, credit, performance,
    /// honours).
    CriterionCategory {
        /// 价格分: computed by the template's price formula, never scored by experts.
        Price = "price", "价格", "Price";
        /// 技术分
        Technical = "technical", "技术", "Technical";
        /// 商务分
        Business = "business", "商务", "Business";
        /// 信用分: from the credit report ([003]); scored like the others, usually objective.
        Credit = "credit", "信用", "Credit";
        /// 业绩分: past performance of similar contracts.
        Performance = "performance", "业绩", "Past performance";
        /// 荣誉分
        Honours = "honours", "荣誉", "Honours";
    }
}

/// 评分细则: one line an expert scores, from 0 to `max_points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubCriterion {
    /// Stable code, unique within the template (e.g. `tech.plan`).
    pub code: String,
    pub name: String,
    pub max_points: Decimal,
    /// Whether an expert must write a comment (评分理由) for this line whatever the score.
    pub comment_required: bool,
}

/// 评分因素: a weighted criterion. The weight is its share of the 100-point total, so it is also
/// its maximum points; the sub-criteria's maxima add up to it. The price criterion has no
/// sub-criteria: its points come from [`PriceFormula`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub name: String,
    pub category: CriterionCategory,
    pub weight: Decimal,
    pub sub_criteria: Vec<SubCriterion>,
}

/// How the experts' scores of one criterion for one bid become the bid's score.
///
/// The arithmetic mean of the experts' criterion scores (each the sum of the expert's
/// sub-criterion points), after dropping the single highest and the single lowest score when
/// `drop_extremes` is set and at least `drop_from` experts scored (去掉一个最高分和一个最低分;
/// equal scores at an extreme: one copy is dropped, which gives the same mean whichever copy it
/// is). The mean is then rounded half up to the template's `score_decimals`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregation {
    pub drop_extremes: bool,
    /// At least this many experts for the extremes to be dropped; at least 3, so that one score
    /// remains. Default 5, the least committee (招标投标法 Art. 37).
    pub drop_from: usize,
}

impl Default for Aggregation {
    fn default() -> Self {
        Aggregation {
            drop_extremes: false,
            drop_from: 5,
        }
    }
}

/// When an expert's score on a criterion is far from the others' and needs a written reason
/// (评分畸高畸低须书面说明理由): when it differs from the median of all the experts' scores on that
/// criterion for that bid by more than `percent_of_max` percent of the criterion's maximum
/// (strictly more). The median of an even count is the mean of the two middle scores. Choice: the
/// law says only that the committee explains unusual scores; 20% of the maximum is what many
/// provincial platforms use and is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlierRule {
    pub percent_of_max: Decimal,
}

impl Default for OutlierRule {
    fn default() -> Self {
        OutlierRule {
            percent_of_max: Decimal::new(20, 0),
        }
    }
}

/// 评标办法模板
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringTemplate {
    pub name: String,
    /// [`AwardMethod::Comprehensive`] or [`AwardMethod::LowestEvaluatedPrice`];
    /// [`AwardMethod::HighestPrice`] is for auctions and is refused here.
    pub method: AwardMethod,
    /// Weighted criteria (综合评估法); empty for the lowest evaluated price.
    pub criteria: Vec<Criterion>,
    /// The price formula (综合评估法); ignored by the lowest evaluated price.
    pub price_formula: PriceFormula,
    pub aggregation: Aggregation,
    pub outlier: OutlierRule,
    /// Decimal places of every published score (0–4; default 2).
    pub score_decimals: u32,
}

impl ScoringTemplate {
    /// The price criterion, if the template has one.
    pub fn price_criterion(&self) -> Option<&Criterion> {
        self.criteria
            .iter()
            .find(|c| c.category == CriterionCategory::Price)
    }

    /// The criteria experts score (all but price).
    pub fn scored_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .filter(|c| c.category != CriterionCategory::Price)
    }

    /// The criterion and sub-criterion of a sub-criterion code.
    pub fn sub_criterion(&self, code: &str) -> Option<(&Criterion, &SubCriterion)> {
        self.scored_criteria()
            .flat_map(|c| c.sub_criteria.iter().map(move |s| (c, s)))
            .find(|(_, s)| s.code == code)
    }
}

/// The platform's limits on templates (configuration, not part of a template).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePolicy {
    /// The price weight at most (points of 100). Default 40: Wuhai caps the price score at 40%
    /// of the total [002] (DOMAIN §2.2).
    pub max_price_weight: Option<Decimal>,
    /// The price weight at least (points of 100).
    pub min_price_weight: Option<Decimal>,
}

impl Default for TemplatePolicy {
    fn default() -> Self {
        TemplatePolicy {
            max_price_weight: Some(Decimal::new(40, 0)),
            min_price_weight: None,
        }
    }
}

impl TemplatePolicy {
    /// The policy for a section: the default cap, plus for 政府采购 the floors of 政府采购货物和
    /// 服务招标投标管理办法 (财政部令第87号) Art. 55 — price at least 30% for goods and 10% for
    /// services. (Not in DOMAIN; what a real platform enforces for procurement. Where a floor is
    /// above the cap, the cap is raised to the floor, since the national rule wins.)
    pub fn for_section(field: TradeField, category: ProcurementCategory) -> Self {
        let mut p = TemplatePolicy::default();
        if field == TradeField::GovernmentProcurement {
            p.min_price_weight = match category {
                ProcurementCategory::Goods => Some(Decimal::new(30, 0)),
                ProcurementCategory::Services => Some(Decimal::new(10, 0)),
                ProcurementCategory::Works => None,
            };
        }
        p
    }
}

fn v(code: &'static str, zh: String, en: String) -> Violation {
    Violation::new(code, zh, en)
}

/// Every way the template breaks the rules, in a stable order (empty: valid).
///
/// 综合评估法: at least one criterion; every weight positive with at most 2 decimals; weights add
/// up to exactly 100; exactly one price criterion, within the policy's cap and floor, without
/// sub-criteria; every other criterion has sub-criteria whose positive maxima add up to its
/// weight; codes unique; a valid price formula. 经评审的最低投标价法: no weighted criteria (bids
/// are ranked by evaluated price after the pass/fail review). Both: 0–4 score decimals, a valid
/// aggregation and outlier rule.
pub fn validate_template(t: &ScoringTemplate, policy: &TemplatePolicy) -> Vec<Violation> {
    let mut out = Vec::new();
    if t.score_decimals > 4 {
        out.push(v(
            "evaluation.template.decimals",
            "分值保留的小数位数应为0至4位。".into(),
            "Scores keep 0 to 4 decimal places.".into(),
        ));
    }
    if t.aggregation.drop_extremes && t.aggregation.drop_from < 3 {
        out.push(v(
            "evaluation.template.drop_from",
            "去掉最高分和最低分时，评分专家不得少于3人。".into(),
            "Dropping the highest and lowest score needs at least 3 experts.".into(),
        ));
    }
    let p = t.outlier.percent_of_max;
    if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
        out.push(v(
            "evaluation.template.outlier",
            "评分偏离阈值应大于0且不超过100%。".into(),
            "The outlier threshold must be above 0 and at most 100%.".into(),
        ));
    }
    match t.method {
        AwardMethod::HighestPrice => out.push(v(
            "evaluation.template.method",
            "价高者得用于拍卖、挂牌，不是评标办法。".into(),
            "Highest price is for auctions and listings, not an evaluation method.".into(),
        )),
        AwardMethod::LowestEvaluatedPrice => {
            if !t.criteria.is_empty() {
                out.push(v(
                    "evaluation.template.lowest_price_criteria",
                    "经评审的最低投标价法不设评分因素。".into(),
                    "The lowest evaluated price method has no weighted criteria.".into(),
                ));
            }
        }
        AwardMethod::Comprehensive => comprehensive(t, policy, &mut out),
    }
    out
}

fn comprehensive(t: &ScoringTemplate, policy: &TemplatePolicy, out: &mut Vec<Violation>) {
    if t.criteria.is_empty() {
        out.push(v(
            "evaluation.template.no_criteria",
            "综合评估法至少应有一项评分因素。".into(),
            "Comprehensive scoring needs at least one criterion.".into(),
        ));
        return;
    }
    let mut codes = BTreeSet::new();
    let mut dup = BTreeSet::new();
    for c in &t.criteria {
        for code in std::iter::once(&c.code).chain(c.sub_criteria.iter().map(|s| &s.code)) {
            if code.trim().is_empty() || !codes.insert(code.as_str()) {
                dup.insert(code.clone());
            }
        }
    }
    if !dup.is_empty() {
        let list = dup.into_iter().collect::<Vec<_>>().join("、");
        out.push(v(
            "evaluation.template.code",
            format!("评分因素编号不得为空或重复：{list}。"),
            format!("Criterion codes must be non-empty and unique: {list}."),
        ));
    }
    for c in &t.criteria {
        if c.weight <= Decimal::ZERO || !has_at_most_places(c.weight, 2) {
            out.push(v(
                "evaluation.template.weight",
                format!("“{}”的权重应大于0且最多两位小数。", c.name),
                format!(
                    "The weight of “{}” must be positive with at most 2 decimals.",
                    c.code
                ),
            ));
        }
    }
    let sum: Decimal = t.criteria.iter().map(|c| c.weight).sum();
    if sum != Decimal::ONE_HUNDRED {
        out.push(v(
            "evaluation.template.weights_sum",
            format!("各评分因素权重之和应为100，现为{sum}。"),
            format!("The weights must add up to 100; they add up to {sum}."),
        ));
    }
    let prices: Vec<&Criterion> = t
        .criteria
        .iter()
        .filter(|c| c.category == CriterionCategory::Price)
        .collect();
    if prices.len() != 1 {
        out.push(v(
            "evaluation.template.price_criterion",
            "综合评估法应当有且只有一项价格评分因素。".into(),
            "Comprehensive scoring has exactly one price criterion.".into(),
        ));
    }
    for pc in &prices {
        if let Some(max) = policy.max_price_weight
            && pc.weight > max
            && policy.min_price_weight.is_none_or(|min| min <= max)
        {
            out.push(v(
                "evaluation.template.price_weight_cap",
                format!("价格分权重不得超过{max}%（现为{}%）。", pc.weight),
                format!(
                    "The price weight may not exceed {max}% (it is {}%).",
                    pc.weight
                ),
            ));
        }
        if let Some(min) = policy.min_price_weight
            && pc.weight < min
        {
            out.push(v(
                "evaluation.template.price_weight_floor",
                format!(
                    "价格分权重不得低于{min}%（现为{}%；政府采购货物和服务招标投标管理办法第五十五条）。",
                    pc.weight
                ),
                format!(
                    "The price weight may not be below {min}% (it is {}%).",
                    pc.weight
                ),
            ));
        }
        if !pc.sub_criteria.is_empty() {
            out.push(v(
                "evaluation.template.price_subcriteria",
                "价格分按公式计算，不设专家评分细则。".into(),
                "The price criterion is computed by formula and has no sub-criteria.".into(),
            ));
        }
    }
    for c in t.scored_criteria() {
        if c.sub_criteria.is_empty() {
            out.push(v(
                "evaluation.template.no_subcriteria",
                format!("“{}”应当列明评分细则。", c.name),
                format!("The criterion “{}” needs sub-criteria.", c.code),
            ));
            continue;
        }
        if c.sub_criteria
            .iter()
            .any(|s| s.max_points <= Decimal::ZERO || !has_at_most_places(s.max_points, 2))
        {
            out.push(v(
                "evaluation.template.sub_max",
                format!("“{}”的评分细则分值应大于0且最多两位小数。", c.name),
                format!(
                    "The sub-criteria of “{}” need positive maxima with at most 2 decimals.",
                    c.code
                ),
            ));
        }
        let s: Decimal = c.sub_criteria.iter().map(|s| s.max_points).sum();
        if s != c.weight {
            out.push(v(
                "evaluation.template.sub_sum",
                format!(
                    "“{}”的评分细则分值之和{s}与其权重{}不一致。",
                    c.name, c.weight
                ),
                format!(
                    "The sub-criteria of “{}” add up to {s}, not its weight {}.",
                    c.code, c.weight
                ),
            ));
        }
    }
    out.extend(t.price_formula.violations());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::evaluation::testutil::*;

    fn sub(code: &str, max: &str, comment: bool) -> SubCriterion {
        SubCriterion {
            code: code.into(),
            name: code.into(),
            max_points: d(max),
            comment_required: comment,
        }
    }

    /// Price 40, technical 40 (25 + 15), business 10, credit 5, performance 5.
    pub(crate) fn sample() -> ScoringTemplate {
        let crit = |code: &str, cat, w: &str, subs| Criterion {
            code: code.into(),
            name: code.into(),
            category: cat,
            weight: d(w),
            sub_criteria: subs,
        };
        ScoringTemplate {
            name: "施工综合评估法".into(),
            method: AwardMethod::Comprehensive,
            criteria: vec![
                crit("price", CriterionCategory::Price, "40", vec![]),
                crit(
                    "tech",
                    CriterionCategory::Technical,
                    "40",
                    vec![
                        sub("tech.plan", "25", true),
                        sub("tech.safety", "15", false),
                    ],
                ),
                crit(
                    "biz",
                    CriterionCategory::Business,
                    "10",
                    vec![sub("biz.terms", "10", false)],
                ),
                crit(
                    "credit",
                    CriterionCategory::Credit,
                    "5",
                    vec![sub("credit.report", "5", false)],
                ),
                crit(
                    "perf",
                    CriterionCategory::Performance,
                    "5",
                    vec![sub("perf.similar", "5", false)],
                ),
            ],
            price_formula: PriceFormula::LowestBid,
            aggregation: Aggregation {
                drop_extremes: true,
                drop_from: 5,
            },
            outlier: OutlierRule::default(),
            score_decimals: 2,
        }
    }

    #[test]
    fn the_sample_is_valid() {
        assert!(validate_template(&sample(), &TemplatePolicy::default()).is_empty());
        let t = sample();
        assert_eq!(t.price_criterion().unwrap().code, "price");
        assert_eq!(t.scored_criteria().count(), 4);
        assert_eq!(t.sub_criterion("tech.safety").unwrap().0.code, "tech");
        assert!(t.sub_criterion("price").is_none());
    }

    #[test]
    fn every_violation_is_reported() {
        let mut t = sample();
        t.criteria[0].weight = d("45"); // over the cap, sum 105
        t.criteria[1].sub_criteria[1].max_points = d("10.005"); // 3 decimals, sum 35.005
        t.criteria[2].sub_criteria[0].code = "tech.plan".into(); // duplicate
        t.criteria[3].sub_criteria.clear();
        t.score_decimals = 6;
        t.aggregation.drop_from = 2;
        t.outlier.percent_of_max = Decimal::ZERO;
        let got = codes(&validate_template(&t, &TemplatePolicy::default()));
        assert_eq!(
            got,
            [
                "evaluation.template.decimals",
                "evaluation.template.drop_from",
                "evaluation.template.outlier",
                "evaluation.template.code",
                "evaluation.template.weights_sum",
                "evaluation.template.price_weight_cap",
                "evaluation.template.sub_max",
                "evaluation.template.sub_sum",
                "evaluation.template.no_subcriteria",
            ]
        );
        for x in validate_template(&t, &TemplatePolicy::default()) {
            assert!(x.message.ends_with('。'), "{}", x.message);
            assert!(!x.message_en.is_empty());
        }
    }

    #[test]
    fn price_weight_cap_and_floor_are_policy() {
        let mut t = sample();
        t.criteria[0].weight = d("50");
        t.criteria[1].weight = d("30");
        t.criteria[1].sub_criteria[0].max_points = d("15");
        assert_eq!(
            codes(&validate_template(&t, &TemplatePolicy::default())),
            ["evaluation.template.price_weight_cap"]
        );
        let open = TemplatePolicy {
            max_price_weight: None,
            min_price_weight: None,
        };
        assert!(validate_template(&t, &open).is_empty());
        // Procurement of goods: at least 30%.
        let goods = TemplatePolicy::for_section(
            TradeField::GovernmentProcurement,
            ProcurementCategory::Goods,
        );
        let mut low = sample();
        low.criteria[0].weight = d("20");
        low.criteria[1].weight = d("60");
        low.criteria[1].sub_criteria[0].max_points = d("45");
        assert_eq!(
            codes(&validate_template(&low, &goods)),
            ["evaluation.template.price_weight_floor"]
        );
        let works =
            TemplatePolicy::for_section(TradeField::Construction, ProcurementCategory::Works);
        assert!(validate_template(&low, &works).is_empty());
    }

    #[test]
    fn methods_other_than_comprehensive() {
        let mut t = sample();
        t.method = AwardMethod::LowestEvaluatedPrice;
        assert_eq!(
            codes(&validate_template(&t, &TemplatePolicy::default())),
            ["evaluation.template.lowest_price_criteria"]
        );
        t.criteria.clear();
        assert!(validate_template(&t, &TemplatePolicy::default()).is_empty());
        t.method = AwardMethod::HighestPrice;
        assert_eq!(
            codes(&validate_template(&t, &TemplatePolicy::default())),
            ["evaluation.template.method"]
        );
        let mut none = sample();
        none.criteria.clear();
        assert_eq!(
            codes(&validate_template(&none, &TemplatePolicy::default())),
            ["evaluation.template.no_criteria"]
        );
        let mut two = sample();
        two.criteria[4].category = CriterionCategory::Price;
        two.criteria[4].sub_criteria.clear();
        two.criteria[0].weight = d("40");
        assert!(
            codes(&validate_template(&two, &TemplatePolicy::default()))
                .contains(&"evaluation.template.price_criterion")
        );
    }
}
