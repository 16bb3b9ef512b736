//! 评标委员会: its composition, the time-extension rule, the report the leader compiles and the
//! members sign, and dissent (招标投标法 Art. 37; 招标投标法实施条例 Arts. 48, 53).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::qualification::Exclusion;
use super::ranking::RankedBid;
use super::scoring::BidScore;
use super::{BidId, ExpertId};
use crate::Problem;
use crate::trading::fields::AwardMethod;
use crate::trading::periods::Violation;

/// Checks a committee's make-up (招标投标法 Art. 37: 5 or more members, an odd number, experts at
/// least two thirds; 政府采购 budgets ≥ 10 million yuan use ≥ 7, so `min_members` is a parameter,
/// at least 5). `experts` counts the drawn experts; the rest are the tenderee's representatives.
pub fn check_composition(members: usize, experts: usize, min_members: usize) -> Vec<Violation> {
    let mut v = Vec::new();
    let min = min_members.max(5);
    if members < min || members.is_multiple_of(2) {
        v.push(Violation::new(
            "evaluation.committee.size",
            format!("评标委员会成员应为{min}人以上单数。"),
            format!("The committee has an odd number of members, at least {min}."),
        ));
    }
    if experts > members || experts * 3 < members * 2 {
        v.push(Violation::new(
            "evaluation.committee.experts",
            "技术、经济等方面的专家不得少于成员总数的三分之二。".into(),
            "Experts are at least two thirds of the members.".into(),
        ));
    }
    v
}

/// Whether the evaluation must be extended: more than one third of the members say the time is
/// not enough (条例 Art. 48: 超过三分之一的评标委员会成员认为评标时间不够的，招标人应当适当延长).
/// Only members' votes count. Exact: `3 × votes > members`, so 2 of 5 extends and 1 of 5 does not.
pub fn extension_required(members: &BTreeSet<ExpertId>, not_enough: &BTreeSet<ExpertId>) -> bool {
    let votes = not_enough.intersection(members).count();
    votes * 3 > members.len()
}

/// 评标报告: what the leader compiles from the records and every member signs (条例 Art. 53).
/// The leader (评标委员会负责人) is chosen by the members or named by the tenderee and has the same
/// vote as the others (评标委员会和评标方法暂行规定 Art. 9); the report is the committee's, not the
/// leader's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub transaction_code: String,
    pub method: AwardMethod,
    pub template_name: String,
    pub members: BTreeSet<ExpertId>,
    pub leader: ExpertId,
    /// Every rejected bid with its reason and facts.
    pub exclusions: Vec<Exclusion>,
    /// The aggregated scores (综合评估法; empty for the lowest evaluated price).
    pub scores: Vec<BidScore>,
    pub ranking: Vec<RankedBid>,
    /// The recommended candidates, in order (≤ 3).
    pub candidates: Vec<BidId>,
    /// Whether the time was extended under Art. 48.
    pub extended: bool,
    pub compiled_at: DateTime<Utc>,
}

fn clean(s: &str) -> String {
    s.replace(['\n', '\r', '|'], " ")
}

impl EvaluationReport {
    /// The signed text: one `name=value` line per fact, lists as repeated keys in their report
    /// order with `|`-separated columns, decimals as stored, instants RFC 3339 UTC with
    /// microseconds; line breaks and `|` in free text become spaces. Every member signs exactly
    /// these bytes, so the signatures verify against one text.
    pub fn canonical_text(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
            out.push('\n');
        };
        line("transaction_code", clean(&self.transaction_code));
        line("method", self.method.as_str().into());
        line("template", clean(&self.template_name));
        for m in &self.members {
            line("member", clean(m));
        }
        line("leader", clean(&self.leader));
        for e in &self.exclusions {
            line(
                "exclusion",
                format!("{}|{}|{}", clean(&e.bid), e.reason.as_str(), clean(&e.note)),
            );
        }
        for s in &self.scores {
            let parts: Vec<String> = s
                .criteria
                .iter()
                .map(|(k, v)| format!("{}:{v}", clean(k)))
                .collect();
            line(
                "score",
                format!(
                    "{}|{}|{}|{}",
                    clean(&s.bid),
                    parts.join(","),
                    s.price,
                    s.total
                ),
            );
        }
        for r in &self.ranking {
            let opt =
                |d: Option<rust_decimal::Decimal>| d.map(|x| x.to_string()).unwrap_or_default();
            line(
                "rank",
                format!(
                    "{}|{}|{}|{}|{}",
                    r.rank,
                    clean(&r.bid),
                    r.price,
                    opt(r.total),
                    opt(r.evaluated_price)
                ),
            );
        }
        for c in &self.candidates {
            line("candidate", clean(c));
        }
        line("extended", self.extended.to_string());
        line(
            "compiled_at",
            crate::time::rfc3339_micros(self.compiled_at.timestamp_micros()),
        );
        out
    }

    /// Checks the report is coherent before it goes out for signature: the leader is a member,
    /// candidates are the first lines of the ranking (≤ 3), and no rejected bid is scored or ranked.
    pub fn check(&self) -> Result<(), Problem> {
        let bad = |zh: &str, en: &str| Err(Problem::invalid("evaluation.report", zh, en));
        if !self.members.contains(&self.leader) {
            return bad(
                "评标委员会负责人应当是评标委员会成员。",
                "The leader must be a member of the committee.",
            );
        }
        let firsts: Vec<&BidId> = self
            .ranking
            .iter()
            .map(|r| &r.bid)
            .take(self.candidates.len())
            .collect();
        if self.candidates.len() > super::award::MAX_CANDIDATES
            || firsts != self.candidates.iter().collect::<Vec<_>>()
        {
            return bad(
                "推荐的中标候选人应当是排序前列的投标，且不超过3名。",
                "The candidates must be the first (at most 3) lines of the ranking.",
            );
        }
        let out: BTreeSet<&BidId> = self.exclusions.iter().map(|e| &e.bid).collect();
        if self.ranking.iter().any(|r| out.contains(&r.bid))
            || self.scores.iter().any(|s| out.contains(&s.bid))
        {
            return bad(
                "被否决的投标不得参与评分和排序。",
                "A rejected bid may be neither scored nor ranked.",
            );
        }
        Ok(())
    }
}

/// A member's position on the report (条例 Art. 53).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MemberPosition {
    /// Signed the report.
    Signed,
    /// Signed, with a written dissent and its reasons, which the report notes (注明该不同意见).
    SignedWithDissent { reason: String },
    /// Refused to sign and gave written reasons: recorded as dissent.
    RefusedWithReason { reason: String },
    /// Refused to sign without written reasons: deemed to agree (视为同意评标结果).
    RefusedWithoutReason,
}

/// The signing outcome: the report is final once every member has a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningOutcome {
    /// Members with written dissent, and their reasons (noted in the report).
    pub dissents: BTreeMap<ExpertId, String>,
    /// Members who refused without reasons and are deemed to agree.
    pub deemed_agreed: BTreeSet<ExpertId>,
}

/// Whether the report is final: every member has a position, dissent carries reasons, nobody
/// else signed. The positions are recorded per member as each signs with its key.
pub fn finalize_signing(
    members: &BTreeSet<ExpertId>,
    positions: &BTreeMap<ExpertId, MemberPosition>,
) -> Result<SigningOutcome, Problem> {
    if let Some(x) = positions.keys().find(|k| !members.contains(*k)) {
        return Err(Problem::invalid(
            "evaluation.signing.not_member",
            format!("{x}不是评标委员会成员。"),
            format!("{x} is not a member of the committee."),
        ));
    }
    let missing: Vec<&ExpertId> = members
        .iter()
        .filter(|m| !positions.contains_key(*m))
        .collect();
    if !missing.is_empty() {
        return Err(Problem::conflict(
            "evaluation.signing.incomplete",
            format!("尚有{}名评标委员会成员未签署评标报告。", missing.len()),
            format!(
                "{} member(s) have not signed the report yet.",
                missing.len()
            ),
        ));
    }
    let mut out = SigningOutcome {
        dissents: BTreeMap::new(),
        deemed_agreed: BTreeSet::new(),
    };
    for (m, p) in positions {
        match p {
            MemberPosition::Signed => {}
            MemberPosition::SignedWithDissent { reason }
            | MemberPosition::RefusedWithReason { reason } => {
                if reason.trim().is_empty() {
                    return Err(Problem::invalid(
                        "evaluation.signing.reason",
                        "不同意见应当以书面形式说明理由。",
                        "A dissent must give its reasons in writing.",
                    ));
                }
                out.dissents.insert(m.clone(), reason.clone());
            }
            MemberPosition::RefusedWithoutReason => {
                out.deemed_agreed.insert(m.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::qualification::ExclusionReason;
    use crate::evaluation::testutil::*;

    fn members(n: usize) -> BTreeSet<ExpertId> {
        (1..=n).map(|i| format!("e{i}")).collect()
    }

    #[test]
    fn composition() {
        assert!(check_composition(5, 4, 5).is_empty());
        assert!(check_composition(7, 5, 7).is_empty());
        assert_eq!(
            codes(&check_composition(6, 6, 5)),
            ["evaluation.committee.size"]
        );
        assert_eq!(
            codes(&check_composition(5, 7, 5)),
            ["evaluation.committee.experts"]
        );
        assert_eq!(
            codes(&check_composition(5, 3, 7)),
            ["evaluation.committee.size", "evaluation.committee.experts"]
        );
        // 9 members: 6 experts is exactly two thirds.
        assert!(check_composition(9, 6, 5).is_empty());
    }

    #[test]
    fn more_than_a_third_extends() {
        let m = members(5);
        let votes = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert!(!extension_required(&m, &votes(&["e1"])));
        assert!(extension_required(&m, &votes(&["e1", "e2"])));
        // Outsiders do not count.
        assert!(!extension_required(&m, &votes(&["e1", "x"])));
        let nine = members(9);
        assert!(!extension_required(&nine, &votes(&["e1", "e2", "e3"])));
        assert!(extension_required(&nine, &votes(&["e1", "e2", "e3", "e4"])));
    }

    fn report() -> EvaluationReport {
        EvaluationReport {
            transaction_code: "A3501002026000001001".into(),
            method: AwardMethod::LowestEvaluatedPrice,
            template_name: "经评审的最低投标价法".into(),
            members: members(5),
            leader: "e3".into(),
            exclusions: vec![Exclusion {
                bid: "x".into(),
                reason: ExclusionReason::BelowCost,
                note: "不能说明报价合理性\n见澄清记录|2".into(),
            }],
            scores: vec![],
            ranking: vec![RankedBid {
                rank: 1,
                bid: "a".into(),
                price: d("100.00"),
                total: None,
                evaluated_price: Some(d("103.00")),
                tie_group: None,
            }],
            candidates: vec!["a".into()],
            extended: false,
            compiled_at: at(2026, 3, 11, 17, 0),
        }
    }

    #[test]
    fn report_text_and_checks() {
        let r = report();
        assert!(r.check().is_ok());
        let text = r.canonical_text();
        assert!(text.contains("exclusion=x|below_cost|不能说明报价合理性 见澄清记录 2\n"));
        assert!(text.contains("rank=1|a|100.00||103.00\n"));
        assert_eq!(text.matches("member=").count(), 5);
        assert!(text.ends_with("compiled_at=2026-03-11T09:00:00.000000Z\n"));
        let mut bad = r.clone();
        bad.leader = "zz".into();
        assert!(bad.check().is_err());
        let mut bad = r.clone();
        bad.ranking[0].bid = "x".into();
        bad.candidates = vec!["x".into()];
        assert!(bad.check().is_err());
        let mut bad = r.clone();
        bad.candidates = vec!["b".into()];
        assert!(bad.check().is_err());
    }

    #[test]
    fn signing_with_dissent() {
        let m = members(5);
        let mut p: BTreeMap<ExpertId, MemberPosition> = BTreeMap::new();
        for e in ["e1", "e2", "e3"] {
            p.insert(e.into(), MemberPosition::Signed);
        }
        assert_eq!(
            finalize_signing(&m, &p).unwrap_err().code,
            "evaluation.signing.incomplete"
        );
        p.insert(
            "e4".into(),
            MemberPosition::SignedWithDissent {
                reason: "技术分评分过宽".into(),
            },
        );
        p.insert("e5".into(), MemberPosition::RefusedWithoutReason);
        let out = finalize_signing(&m, &p).unwrap();
        assert_eq!(out.dissents.len(), 1);
        assert!(out.deemed_agreed.contains("e5"));
        p.insert(
            "e5".into(),
            MemberPosition::RefusedWithReason { reason: " ".into() },
        );
        assert_eq!(
            finalize_signing(&m, &p).unwrap_err().code,
            "evaluation.signing.reason"
        );
        p.insert("x".into(), MemberPosition::Signed);
        assert_eq!(
            finalize_signing(&m, &p).unwrap_err().code,
            "evaluation.signing.not_member"
        );
    }
}
