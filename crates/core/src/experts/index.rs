//! 抽取索引: the expert database held in memory for draws at scale. [`screen`](super::screen)
//! reads every candidate; a [`PoolIndex`] gives the same answer while touching only the experts
//! of the requested specialties plus those tied to the section's parties, so a draw over a
//! database of a million experts costs what its specialty costs.
//!
//! Built once from the candidates (by the app, rebuilt or replaced when an expert's record
//! changes); pure and read-only afterwards, so it can be shared between requests.
//!
//! Why it is exact: the party rules (supervising official, ties, relatives, interests) can only
//! apply to an expert who has a tie or interest with one of the section's organisations or who
//! declared a relative among its principals — exactly the experts the inverted indexes list. All
//! other rules are checked on each candidate of the line as [`Screener::first`] does, in the
//! same order, so every candidate is attributed to the same first rule.

use std::collections::{BTreeMap, HashMap};

use super::avoidance::{
    AvoidanceConfig, AvoidanceRule, Candidate, Funnel, LineScreening, RuleCount, Screener,
    SectionParties,
};
use super::expert::DeclaredConflict;
use super::request::{DrawRequest, PoolScope};
use super::specialty::SpecialtyCode;
use crate::ids::{CreditCode, IdNumber};

/// The rules that need a tie to the section's parties, in rule order (they are contiguous).
fn is_party_rule(r: AvoidanceRule) -> bool {
    use AvoidanceRule as R;
    matches!(
        r,
        R::SupervisingOfficial
            | R::TendereeTie
            | R::AgencyTie
            | R::BidderTie
            | R::Relative
            | R::Interest
    )
}

/// Candidates sorted by id with inverted indexes by specialty, organisation and person.
#[derive(Debug, Clone, Default)]
pub struct PoolIndex {
    candidates: Vec<Candidate>,
    by_specialty: BTreeMap<SpecialtyCode, Vec<u32>>,
    by_org: HashMap<CreditCode, Vec<u32>>,
    by_person: HashMap<IdNumber, Vec<u32>>,
}

impl PoolIndex {
    /// Indexes `candidates`; of several with one id the first is kept, as [`super::screen`] does.
    pub fn new(mut candidates: Vec<Candidate>) -> Self {
        // A stable sort keeps the first of equal ids first; dedup keeps it.
        candidates.sort_by(|a, b| a.expert_id.cmp(&b.expert_id));
        candidates.dedup_by(|later, first| later.expert_id == first.expert_id);
        assert!(
            candidates.len() <= u32::MAX as usize,
            "at most 2^32 experts"
        );
        let mut ix = PoolIndex::default();
        for (i, c) in candidates.iter().enumerate() {
            let i = i as u32;
            let push = |v: &mut Vec<u32>| {
                if v.last() != Some(&i) {
                    v.push(i);
                }
            };
            for s in &c.specialties {
                push(ix.by_specialty.entry(s.clone()).or_default());
            }
            for e in &c.employments {
                push(ix.by_org.entry(e.org.clone()).or_default());
            }
            for k in &c.conflicts {
                match k {
                    DeclaredConflict::Interest { org, .. } => {
                        push(ix.by_org.entry(org.clone()).or_default())
                    }
                    DeclaredConflict::Relative { person, .. } => {
                        push(ix.by_person.entry(person.clone()).or_default())
                    }
                }
            }
        }
        ix.candidates = candidates;
        ix
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The indexed candidates, sorted by id.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The candidate with this id.
    pub fn get(&self, expert_id: &str) -> Option<&Candidate> {
        self.candidates
            .binary_search_by(|c| c.expert_id.as_str().cmp(expert_id))
            .ok()
            .map(|i| &self.candidates[i])
    }

    /// Positions of the candidates registered under `specialty` or below it, ascending.
    fn bucket(&self, specialty: &SpecialtyCode) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .by_specialty
            .range(specialty.clone()..)
            .take_while(|(code, _)| code.is_within(specialty))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The same screening as [`super::screen`] over the indexed candidates.
    pub fn screen(
        &self,
        req: &DrawRequest,
        parties: &SectionParties,
        cfg: &AvoidanceConfig,
    ) -> Vec<LineScreening> {
        let screener = Screener::new(parties, cfg, req.evaluation_date);
        let orgs = std::iter::once(&parties.tenderee)
            .chain(&parties.agency)
            .chain(&parties.bidders)
            .chain(&parties.supervisors);
        let mut touched: Vec<u32> = orgs
            .filter_map(|o| self.by_org.get(o))
            .chain(
                parties
                    .principals
                    .iter()
                    .filter_map(|p| self.by_person.get(p)),
            )
            .flatten()
            .copied()
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let verdict = |i: u32| {
            let c = &self.candidates[i as usize];
            if touched.binary_search(&i).is_ok() {
                screener.first(c)
            } else {
                AvoidanceRule::ALL
                    .iter()
                    .copied()
                    .filter(|&r| !is_party_rule(r))
                    .find(|&r| screener.applies(r, c))
            }
        };
        let funnel = |bucket: &[u32], scope: &PoolScope| {
            let mut matching = 0;
            let mut removed: BTreeMap<AvoidanceRule, usize> = BTreeMap::new();
            let mut eligible = Vec::new();
            for &i in bucket {
                let c = &self.candidates[i as usize];
                if !scope.admits(&c.region, &req.local_area) {
                    continue;
                }
                matching += 1;
                match verdict(i) {
                    Some(rule) => *removed.entry(rule).or_default() += 1,
                    None => eligible.push(c.expert_id.clone()),
                }
            }
            Funnel {
                matching,
                removed: removed
                    .into_iter()
                    .map(|(rule, removed)| RuleCount { rule, removed })
                    .collect(),
                eligible,
            }
        };
        req.lines
            .iter()
            .map(|line| {
                let bucket = self.bucket(&line.specialty);
                LineScreening {
                    primary: funnel(&bucket, &line.scope),
                    fallback: line.fallback.as_ref().map(|f| funnel(&bucket, f)),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experts::avoidance::screen;
    use crate::experts::avoidance::tests::{arb_candidate, candidate, parties};
    use crate::experts::request::DrawLine;
    use crate::experts::request::tests::request;
    use proptest::prelude::*;

    #[test]
    fn lookup_and_first_of_repeated_ids() {
        let mut a = candidate("E2");
        a.specialties = vec![SpecialtyCode::parse("B01").unwrap()];
        let ix = PoolIndex::new(vec![a, candidate("E1"), candidate("E2")]);
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.get("E2").unwrap().specialties[0].as_str(), "B01");
        assert!(ix.get("E3").is_none());
        assert_eq!(ix.bucket(&SpecialtyCode::parse("A").unwrap()), [0]);
    }

    fn arb_line() -> impl Strategy<Value = DrawLine> {
        let specs = ["A", "A01", "A0101", "A02", "B"];
        (0..specs.len(), any::<bool>(), 0..3usize).prop_map(move |(s, remote, fb)| DrawLine {
            specialty: SpecialtyCode::parse(specs[s]).unwrap(),
            scope: if remote {
                PoolScope::Remote { regions: vec![] }
            } else {
                PoolScope::Local
            },
            count: 1,
            reserve: 0,
            fallback: match (fb, remote) {
                (0, _) => None,
                (_, true) => Some(PoolScope::Local),
                (_, false) => Some(PoolScope::Remote { regions: vec![] }),
            },
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The index screens exactly as the full scan does.
        #[test]
        fn the_index_agrees_with_the_scan(
            pool in proptest::collection::vec((arb_candidate(), 0..4usize, proptest::option::of(0..5usize)), 0..50),
            lines in proptest::collection::vec(arb_line(), 1..4),
            gaps in (0u32..40, 0u32..10),
        ) {
            let specs = ["A0101", "A0102", "A02", "B01", "C"];
            let pool: Vec<Candidate> = pool
                .into_iter()
                .map(|(mut c, id, extra)| {
                    c.expert_id = format!("E{id}{}", c.specialties[0]);
                    if let Some(s) = extra {
                        c.specialties.push(SpecialtyCode::parse(specs[s]).unwrap());
                    }
                    c
                })
                .collect();
            let cfg = AvoidanceConfig { same_tenderee_days: gaps.0, min_gap_days: gaps.1, ..Default::default() };
            let req = request(lines, 0);
            let ix = PoolIndex::new(pool.clone());
            prop_assert_eq!(ix.screen(&req, &parties(), &cfg), screen(&req, &pool, &parties(), &cfg));
        }
    }
}
