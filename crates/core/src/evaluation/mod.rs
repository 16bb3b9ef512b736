//! 评标、定标与合同: the pure rules from the qualification review to a performed contract
//! (DOMAIN §2.2 "Award methods", candidates and award; §2.5 "Contract and performance"; issue #14).
//! No I/O and no clock: every instant is passed in. The trading core ([`crate::trading`]) owns the
//! section lifecycle, the legal periods and the deposits; this module adds what happens inside
//! `evaluating` … `contracted` and after.
//!
//! | module | rules |
//! |---|---|
//! | [`template`] | 评标办法模板: criteria, weights, sub-criteria, price formula, aggregation and outlier rules, validation (every violation) |
//! | [`price`] | price scores (lowest valid bid, trimmed average with a downward float), exact arithmetic and rounding |
//! | [`qualification`] | 初步评审 pass/fail review; 否决投标 reasons (条例 Art. 51) |
//! | [`scoring`] | expert score sheets, the visibility rule, aggregation, outlier flags |
//! | [`ranking`] | ranking with documented tie-breaks, for both award methods |
//! | [`committee`] | time extension (条例 Art. 48), the report, its canonical text, signatures and dissent (Art. 53) |
//! | [`award`] | candidates (≤ 3), publicity, objections, the winner (Art. 55), the award notice |
//! | [`contract`] | signing within 30 days, substantive deviations, performance bond, filing, milestones, acceptance |
//! | [`clarification`] | the committee's written questions, unsolicited answers refused, words-over-figures and unit-price corrections |
//! | [`words`] | 大写金额: amounts in capital numerals, written and read back |
//! | [`lifecycle`] | the evaluation's states, events, performers, `next_state` |
//!
//! Numbers: every score and amount is a [`rust_decimal::Decimal`]; intermediate results are exact
//! where Decimal can hold them (sums, products) and carried at Decimal's 28 significant digits
//! where they cannot (quotients); only the published results are rounded, always half away from
//! zero (四舍五入), to the places the template says ([`round_half_up`]).

pub mod award;
pub mod clarification;
pub mod committee;
pub mod contract;
pub mod lifecycle;
pub mod price;
pub mod qualification;
pub mod ranking;
pub mod scoring;
pub mod template;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
pub mod words;

use rust_decimal::{Decimal, RoundingStrategy};

/// A bid within one section: the store's bid id or the bidder's 统一社会信用代码 as text. One
/// bidder has at most one live bid per section, so either identifies the bid.
pub type BidId = String;

/// An evaluation expert (评标专家) or other committee member: the store's member id.
pub type ExpertId = String;

/// 四舍五入: rounds half away from zero to `decimals` places, the rounding every published
/// score, base price and amount of this module uses.
pub fn round_half_up(value: Decimal, decimals: u32) -> Decimal {
    value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether `value` has at most `decimals` places (trailing zeros ignored).
pub(crate) fn has_at_most_places(value: Decimal, decimals: u32) -> bool {
    value.normalize().scale() <= decimals
}

pub use award::{
    AwardDecision, AwardNotice, Candidate, Disqualification, DisqualificationReason,
    ObjectionStatus,
};
pub use committee::{EvaluationReport, MemberPosition, SigningOutcome};
pub use contract::{ContractFiling, ContractTerms, Deviation, DeviationKind, Milestone};
pub use lifecycle::{Actor, EvaluationEvent, EvaluationState, EvaluationStatus, next_state};
pub use price::{PriceBase, PriceFormula};
pub use qualification::{Exclusion, ExclusionReason};
pub use ranking::{EvaluatedPrice, RankedBid};
pub use scoring::{BidScore, OutlierFlag, OutlierReason, ScoreEntry, ScoreSheet};
pub use template::{
    Aggregation, Criterion, CriterionCategory, OutlierRule, ScoringTemplate, SubCriterion,
    TemplatePolicy,
};
