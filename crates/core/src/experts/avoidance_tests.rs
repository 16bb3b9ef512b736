use super::*;
use crate::experts::expert::tests::{d, sample_expert};
use crate::experts::expert::{PenaltyKind, Relation, TieKind};
use crate::experts::request::tests::{line, request};

pub const TENDEREE: &str = "91350100M000100Y43";
pub const AGENCY: &str = "91110000600037341L";
pub const BIDDER: &str = "91110108551385082Q";
pub const OTHER: &str = "91440300708461136T";
pub const DEPT: &str = "91110000802100433B";

pub fn cc(s: &str) -> CreditCode {
    CreditCode::parse(s).unwrap()
}

pub fn parties() -> SectionParties {
    SectionParties {
        tenderee: cc(TENDEREE),
        agency: Some(cc(AGENCY)),
        bidders: vec![cc(BIDDER)],
        supervisors: vec![cc(DEPT)],
        principals: vec![IdNumber::parse("11010519491231002X").unwrap()],
    }
}

pub fn candidate(id: &str) -> Candidate {
    sample_expert(id).candidate(vec![])
}

fn job(org: &str, start: &str, end: Option<&str>) -> Employment {
    Employment {
        org: cc(org),
        org_name: "某公司".into(),
        kind: TieKind::Employee,
        start: d(start),
        end: end.map(d),
    }
}

const DAY: &str = "2026-12-10";

fn why(c: &Candidate, cfg: &AvoidanceConfig) -> Option<AvoidanceRule> {
    first_avoidance(c, &parties(), cfg, d(DAY))
}

#[test]
fn a_clean_candidate_is_eligible() {
    assert_eq!(why(&candidate("E1"), &AvoidanceConfig::default()), None);
}

#[test]
fn ties_look_back_three_years() {
    let cfg = AvoidanceConfig::default();
    let mut c = candidate("E1");
    c.employments = vec![job(BIDDER, "2010-01-01", Some("2023-12-10"))];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::BidderTie));
    c.employments = vec![job(BIDDER, "2010-01-01", Some("2023-12-09"))];
    assert_eq!(why(&c, &cfg), None);
    c.employments = vec![job(TENDEREE, "2020-01-01", None)];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::TendereeTie));
    c.employments = vec![job(AGENCY, "2020-01-01", Some("2025-01-01"))];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::AgencyTie));
    c.employments = vec![job(OTHER, "2020-01-01", None)];
    assert_eq!(why(&c, &cfg), None);
    // supervising officials: current staff only
    c.employments = vec![job(DEPT, "2020-01-01", None)];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::SupervisingOfficial));
    c.employments = vec![job(DEPT, "2020-01-01", Some("2026-01-01"))];
    assert_eq!(why(&c, &cfg), None);
}

#[test]
fn declared_relations_and_interests() {
    let cfg = AvoidanceConfig::default();
    let mut c = candidate("E1");
    c.conflicts = vec![DeclaredConflict::Relative {
        relation: Relation::Spouse,
        person: IdNumber::parse("11010519491231002X").unwrap(),
    }];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Relative));
    c.conflicts = vec![DeclaredConflict::Interest {
        org: cc(BIDDER),
        note: "持股".into(),
    }];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Interest));
    c.conflicts = vec![DeclaredConflict::Interest {
        org: cc(OTHER),
        note: "持股".into(),
    }];
    assert_eq!(why(&c, &cfg), None);
}

#[test]
fn status_term_penalty_age_and_availability() {
    let mut cfg = AvoidanceConfig::default();
    let mut c = candidate("E1");
    c.status = ExpertStatus::Suspended;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Suspended));
    c.status = ExpertStatus::ExitRequested;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::NotInService));
    c.status = ExpertStatus::Dismissed;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Dismissed));
    c.status = ExpertStatus::Admitted;
    c.term = Some(Term {
        start: d("2022-01-01"),
        end: d("2026-12-09"),
    });
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::TermExpired));
    c.term = None;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::TermExpired));
    c = candidate("E1");
    let period = DateRange {
        start: d("2026-01-01"),
        end: Some(d(DAY)),
    };
    c.penalties = vec![Penalty {
        kind: PenaltyKind::Talk,
        period,
        reason: "迟到".into(),
    }];
    assert_eq!(why(&c, &cfg), None);
    c.penalties[0].kind = PenaltyKind::Misconduct;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Penalised));
    c = candidate("E1"); // born 1990-03-07
    cfg.max_age = Some(35);
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::AgeLimit));
    cfg.max_age = Some(36);
    assert_eq!(why(&c, &cfg), None);
    c.unavailable = vec![DateRange {
        start: d(DAY),
        end: Some(d(DAY)),
    }];
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::Unavailable));
}

#[test]
fn engagement_limits() {
    let mut cfg = AvoidanceConfig::default();
    let mut c = candidate("E1");
    c.engagements = vec![Engagement {
        tenderee: cc(TENDEREE),
        evaluation_date: d("2026-11-20"),
    }];
    assert_eq!(why(&c, &cfg), None, "limits are off by default");
    cfg.same_tenderee_days = 21;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::SameTenderee));
    cfg.same_tenderee_days = 20;
    assert_eq!(why(&c, &cfg), None, "20 days apart is not within 20 days");
    c.engagements[0].tenderee = cc(OTHER);
    cfg.same_tenderee_days = 90;
    assert_eq!(why(&c, &cfg), None);
    cfg.min_gap_days = 21;
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::MinimumGap));
    cfg.min_gap_days = 0;
    c.assessed_min_gap_days = Some(30);
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::MinimumGap));
    c.engagements[0].evaluation_date = d(DAY);
    assert_eq!(why(&c, &cfg), Some(AvoidanceRule::EngagedThatDay));
}

#[test]
fn all_avoidances_lists_every_rule() {
    let mut c = candidate("E1");
    c.status = ExpertStatus::Suspended;
    c.employments = vec![job(BIDDER, "2020-01-01", None)];
    assert_eq!(
        all_avoidances(&c, &parties(), &AvoidanceConfig::default(), d(DAY)),
        [AvoidanceRule::Suspended, AvoidanceRule::BidderTie]
    );
}

#[test]
fn the_funnel_names_the_rule_that_emptied_the_pool() {
    let mut pool: Vec<Candidate> = (0..6).map(|i| candidate(&format!("E{i}"))).collect();
    pool[0].status = ExpertStatus::Suspended;
    for c in &mut pool[1..4] {
        c.employments = vec![job(BIDDER, "2020-01-01", None)];
    }
    let mut other = candidate("X");
    other.specialties = vec![SpecialtyCode::parse("B01").unwrap()];
    pool.push(other);
    pool.push(candidate("E5")); // duplicate id, ignored
    let req = request(vec![line("A01", PoolScope::Local, 3, 0)], 0);
    let s = screen(&req, &pool, &parties(), &AvoidanceConfig::default());
    let f = &s[0].primary;
    assert_eq!(f.matching, 6);
    assert_eq!(
        f.removed,
        [
            RuleCount {
                rule: AvoidanceRule::Suspended,
                removed: 1
            },
            RuleCount {
                rule: AvoidanceRule::BidderTie,
                removed: 3
            }
        ]
    );
    assert_eq!(f.eligible, ["E4", "E5"]);
    assert_eq!(
        f.binding_rule(3),
        Some(ShortfallCause::Avoidance(AvoidanceRule::BidderTie))
    );
    assert_eq!(
        f.binding_rule(6),
        Some(ShortfallCause::Avoidance(AvoidanceRule::Suspended))
    );
    assert_eq!(f.binding_rule(7), Some(ShortfallCause::PoolTooSmall));
    assert_eq!(f.binding_rule(2), None);
    assert!(s[0].fallback.is_none());
}

pub(crate) fn arb_candidate() -> impl Strategy<Value = Candidate> {
    let orgs = [TENDEREE, AGENCY, BIDDER, OTHER, DEPT];
    (
        0..ExpertStatus::ALL.len(),
        proptest::option::of((0..orgs.len(), 0u64..3000)),
        proptest::option::of(0..orgs.len()),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(0u64..60),
        0..3usize,
        any::<bool>(),
    )
        .prop_map(
            move |(status, tie, interest, relative, penalised, engaged, spec, remote)| {
                let mut c = candidate("X");
                c.status = ExpertStatus::ALL[status];
                if let Some((o, days)) = tie {
                    c.employments = vec![Employment {
                        end: Some(d(DAY) - chrono::Days::new(days)),
                        ..job(orgs[o], "2000-01-01", None)
                    }];
                }
                if let Some(o) = interest {
                    c.conflicts.push(DeclaredConflict::Interest {
                        org: cc(orgs[o]),
                        note: String::new(),
                    });
                }
                if relative {
                    c.conflicts.push(DeclaredConflict::Relative {
                        relation: Relation::InLaw,
                        person: IdNumber::parse("11010519491231002X").unwrap(),
                    });
                }
                if penalised {
                    c.penalties.push(Penalty {
                        kind: PenaltyKind::Debarment,
                        period: DateRange {
                            start: d("2026-01-01"),
                            end: None,
                        },
                        reason: String::new(),
                    });
                }
                if let Some(days) = engaged {
                    c.engagements.push(Engagement {
                        tenderee: cc(TENDEREE),
                        evaluation_date: d(DAY) - chrono::Days::new(days),
                    });
                }
                c.specialties = vec![SpecialtyCode::parse(["A0101", "A02", "B01"][spec]).unwrap()];
                if remote {
                    c.region = RegionCode::parse("320000").unwrap();
                }
                c
            },
        )
}

use proptest::prelude::*;

proptest! {
    /// The funnel accounts for every candidate, and only candidates that no rule touches and
    /// that fit the line are eligible.
    #[test]
    fn screening_is_exact(pool in proptest::collection::vec(arb_candidate(), 0..40)) {
        let pool: Vec<Candidate> = pool
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| { c.expert_id = format!("E{i:03}"); c })
            .collect();
        let cfg = AvoidanceConfig { same_tenderee_days: 30, min_gap_days: 7, ..Default::default() };
        let mut l = line("A", PoolScope::Local, 1, 0);
        l.fallback = Some(PoolScope::Remote { regions: vec![] });
        let req = request(vec![l], 0);
        let s = &screen(&req, &pool, &parties(), &cfg)[0];
        for f in [&s.primary, s.fallback.as_ref().unwrap()] {
            let removed: usize = f.removed.iter().map(|r| r.removed).sum();
            prop_assert_eq!(f.matching, removed + f.eligible.len());
        }
        prop_assert_eq!(
            s.primary.matching + s.fallback.as_ref().unwrap().matching,
            pool.iter().filter(|c| c.specialties[0].as_str().starts_with('A')).count()
        );
        for c in &pool {
            let eligible = s.primary.eligible.contains(&c.expert_id)
                || s.fallback.as_ref().unwrap().eligible.contains(&c.expert_id);
            let clean = all_avoidances(c, &parties(), &cfg, d(DAY)).is_empty()
                && c.specialties[0].as_str().starts_with('A');
            prop_assert_eq!(eligible, clean, "{:?}", c);
            if c.employments.iter().any(|e| e.org == cc(BIDDER) && e.end.unwrap() >= d("2023-12-10")) {
                prop_assert!(!eligible);
            }
        }
    }
}
