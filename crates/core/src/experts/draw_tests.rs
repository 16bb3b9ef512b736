use std::collections::HashSet;

use proptest::prelude::*;

use super::*;
use crate::experts::avoidance::tests::{BIDDER, candidate, cc, parties};
use crate::experts::avoidance::{AvoidanceConfig, AvoidanceRule, screen};
use crate::experts::expert::tests::d;
use crate::experts::expert::{Employment, TieKind};
use crate::experts::request::PoolScope;
use crate::experts::request::tests::{line, region, request};

fn seed(n: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&n.to_be_bytes());
    s
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    let mut v: Vec<String> = (0..n).map(|i| format!("{prefix}{i:05}")).collect();
    v.sort();
    v
}

fn snapshot(lines: Vec<(Vec<String>, Vec<String>)>) -> PoolSnapshot {
    PoolSnapshot {
        lines: lines
            .into_iter()
            .map(|(own, fallback)| LinePool { own, fallback })
            .collect(),
    }
}

#[test]
fn the_stream_is_pinned() {
    // A change to the algorithm must be a new ALGORITHM name: these values are part of it.
    let mut s = DrawStream::new(&seed(1), 0, 0, 0);
    let first = s.next_u64();
    let mut again = DrawStream::new(&seed(1), 0, 0, 0);
    assert_eq!(again.next_u64(), first);
    assert_ne!(DrawStream::new(&seed(1), 1, 0, 0).next_u64(), first);
    assert_ne!(DrawStream::new(&seed(1), 0, 1, 0).next_u64(), first);
    assert_ne!(DrawStream::new(&seed(1), 0, 0, 1).next_u64(), first);
    assert_ne!(DrawStream::new(&seed(2), 0, 0, 0).next_u64(), first);
    let secret = DrawSecret::from_bytes([7; 32]);
    assert_eq!(secret.commitment(), PINNED_COMMITMENT);
    assert_eq!(format!("{first:016x}"), PINNED_FIRST_U64);
    let mut s = DrawStream::new(&seed(1), 0, 0, 0);
    assert_eq!(s.choose(100, 5), PINNED_CHOICE);
}

const PINNED_COMMITMENT: &str = "fe8fec4510159b05bc30bd37b704c056acd18244790969c5420e0e268b1d8b9c";
// Recomputed independently with Python's hashlib SM3 from the module documentation.
const PINNED_FIRST_U64: &str = "447fbec572566540";
const PINNED_CHOICE: [usize; 5] = [52, 78, 61, 53, 20];

#[test]
fn below_stays_below_and_choose_is_distinct() {
    let mut s = DrawStream::new(&seed(3), 0, 0, 0);
    for n in [1u64, 2, 3, 7, 10, 1 << 40, u64::MAX] {
        for _ in 0..50 {
            assert!(s.below(n) < n);
        }
    }
    let c = s.choose(10, 20);
    assert_eq!(c.len(), 10);
    assert_eq!(c.iter().collect::<HashSet<_>>().len(), 10);
    assert!(s.choose(0, 3).is_empty());
}

/// Pearson's chi-square against the uniform expectation.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let e = total as f64 / counts.len() as f64;
    counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum()
}

#[test]
fn selection_is_uniform_over_many_seeds() {
    // 10 experts, 3 drawn, 20,000 seeds: each expert's count, and who comes first, must pass a
    // chi-square test with 9 degrees of freedom at p = 0.001 (critical value 27.88).
    let pool = snapshot(vec![(ids("E", 10), vec![])]);
    let req = request(vec![line("A01", PoolScope::Local, 3, 0)], 0);
    let mut chosen = [0u64; 10];
    let mut first = [0u64; 10];
    let mut pairs = std::collections::HashMap::new();
    for n in 0..20_000 {
        let r = draw(&req, &pool, &seed(n));
        let m = &r.lines[0].members;
        for (k, p) in m.iter().enumerate() {
            let i: usize = p.expert_id[1..].parse().unwrap();
            chosen[i] += 1;
            if k == 0 {
                first[i] += 1;
            }
        }
        let mut set: Vec<&str> = m.iter().map(|p| p.expert_id.as_str()).collect();
        set.sort();
        *pairs.entry(set.join(",")).or_insert(0u64) += 1;
    }
    assert!(chi_square(&chosen) < 27.88, "{chosen:?}");
    assert!(chi_square(&first) < 27.88, "{first:?}");
    // all C(10,3) = 120 committees occur, none far from 20,000/120 ≈ 167
    assert_eq!(pairs.len(), 120);
    let counts: Vec<u64> = pairs.values().copied().collect();
    // 119 degrees of freedom, p = 0.001: 173.6
    assert!(chi_square(&counts) < 173.6);
}

#[test]
fn a_biased_chooser_would_fail_the_test() {
    // The test above can fail: a chooser that favours low positions is caught.
    let mut counts = [0u64; 10];
    for n in 0..20_000u64 {
        let mut s = DrawStream::new(&seed(n), 0, 0, 0);
        let x = s.next_u64() % 16; // biased: 0..5 twice as likely
        counts[(x % 10) as usize] += 1;
    }
    assert!(chi_square(&counts) > 27.88);
}

#[test]
fn members_then_reserves_without_duplicates_across_lines() {
    let shared = ids("E", 6);
    let pool = snapshot(vec![(shared.clone(), vec![]), (shared, vec![])]);
    let req = request(
        vec![
            line("A01", PoolScope::Local, 2, 2),
            line("A0101", PoolScope::Local, 2, 2),
        ],
        1,
    );
    let r = draw(&req, &pool, &seed(9));
    let all: Vec<&str> = r
        .lines
        .iter()
        .flat_map(|l| l.members.iter().chain(&l.reserves))
        .map(|p| p.expert_id.as_str())
        .collect();
    assert_eq!(all.len(), 6);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 6);
    // members are served before reserves: both lines have full committees
    assert!(r.is_filled(&req));
    assert_eq!(
        r.lines[1].reserves.len(),
        0,
        "the pool ran out for line 2's reserve"
    );
    assert_eq!(r.lines[0].reserves.len(), 2);
}

#[test]
fn fallback_only_completes_a_short_line() {
    let req = {
        let mut l = line("A01", PoolScope::Local, 3, 1);
        l.fallback = Some(PoolScope::Remote { regions: vec![] });
        request(vec![l], 0)
    };
    let r = draw(&req, &snapshot(vec![(ids("L", 5), ids("R", 5))]), &seed(1));
    assert!(r.lines[0].members.iter().all(|p| !p.from_fallback));
    let r = draw(&req, &snapshot(vec![(ids("L", 2), ids("R", 5))]), &seed(1));
    let from_fb = r.lines[0]
        .members
        .iter()
        .filter(|p| p.from_fallback)
        .count();
    assert_eq!((r.lines[0].members.len(), from_fb), (3, 1));
    assert!(r.lines[0].reserves[0].from_fallback);
    assert!(r.is_filled(&req));
}

#[test]
fn a_short_draw_names_the_rule() {
    let mut pool: Vec<_> = (0..4).map(|i| candidate(&format!("E{i}"))).collect();
    for c in &mut pool[..2] {
        c.employments = vec![Employment {
            org: cc(BIDDER),
            org_name: "投标人".into(),
            kind: TieKind::Employee,
            start: d("2020-01-01"),
            end: None,
        }];
    }
    let mut l = line("A01", PoolScope::Local, 3, 0);
    l.fallback = Some(PoolScope::Remote { regions: vec![] });
    let req = request(vec![l], 0);
    let s = screen(&req, &pool, &parties(), &AvoidanceConfig::default());
    let r = draw(&req, &PoolSnapshot::from_screening(&s), &seed(5));
    assert!(!r.is_filled(&req));
    let short = r.shortfalls(&req, &s);
    assert_eq!(short.len(), 1);
    assert_eq!((short[0].needed, short[0].drawn), (3, 2));
    assert_eq!(
        short[0].cause,
        ShortfallCause::Avoidance(AvoidanceRule::BidderTie)
    );
    assert_eq!(short[0].fallback_cause, Some(ShortfallCause::PoolTooSmall));
}

fn record() -> (DrawRecord, DrawSecret) {
    let secret = DrawSecret::from_bytes([42; 32]);
    let req = request(
        vec![
            line("A01", PoolScope::Local, 3, 2),
            line("B", PoolScope::Remote { regions: vec![] }, 2, 1),
        ],
        0,
    );
    let pool = snapshot(vec![(ids("A", 40), vec![]), (ids("B", 30), vec![])]);
    let rec = DrawRecord::make(
        req,
        &secret,
        pool,
        vec!["regulator:83920".into(), "ledger:9f2c".into()],
    )
    .unwrap();
    (rec, secret)
}

#[test]
fn a_revealed_secret_recomputes_the_draw() {
    let (rec, secret) = record();
    assert!(verify(&rec, &secret).is_ok());
    // the record survives a JSON round trip (what the public page serves)
    let back: DrawRecord = serde_json::from_str(&serde_json::to_string(&rec).unwrap()).unwrap();
    assert!(verify(&back, &secret).is_ok());
    assert_eq!(
        DrawSecret::from_hex(&secret.to_hex()).unwrap(),
        secret,
        "hex round trip"
    );
}

#[test]
fn a_changed_input_does_not_verify() {
    let (rec, secret) = record();
    let code = |r: &DrawRecord, s: &DrawSecret| verify(r, s).unwrap_err().code;
    assert_eq!(
        code(&rec, &DrawSecret::from_bytes([43; 32])),
        "draw.verify.commitment"
    );
    let mut r = rec.clone();
    r.contributions[0] = "regulator:83921".into();
    assert_eq!(code(&r, &secret), "draw.verify.result");
    let mut r = rec.clone();
    r.request.lines[0].reserve = 3;
    assert_eq!(code(&r, &secret), "draw.verify.result");
    let mut r = rec.clone();
    r.pool.lines[0].own.pop();
    assert_eq!(code(&r, &secret), "draw.verify.pool");
    let mut r = rec.clone();
    r.pool.lines[0].own.swap(0, 1);
    r.pool_digest = r.pool.digest();
    assert_eq!(code(&r, &secret), "draw.verify.pool", "unsorted pool");
    let mut r = rec.clone();
    r.result.lines[0].members.swap(0, 1);
    assert_eq!(code(&r, &secret), "draw.verify.result", "reordered members");
    // and a different secret with its own commitment gives a different draw
    let other = DrawRecord::make(
        rec.request.clone(),
        &DrawSecret::from_bytes([1; 32]),
        rec.pool.clone(),
        rec.contributions.clone(),
    )
    .unwrap();
    assert_ne!(other.result.lines, rec.result.lines);
    let mut r = rec.clone();
    r.contributions.clear();
    assert_eq!(code(&r, &secret), "draw.verify.entropy");
}

#[test]
fn a_draw_needs_late_entropy_and_a_matching_pool() {
    let (rec, secret) = record();
    let make = |pool: PoolSnapshot, c: Vec<String>| {
        DrawRecord::make(rec.request.clone(), &secret, pool, c).map(|_| ())
    };
    assert_eq!(
        make(rec.pool.clone(), vec![]).unwrap_err().code,
        "draw.no_entropy"
    );
    assert_eq!(
        make(rec.pool.clone(), vec![" ".into()]).unwrap_err().code,
        "draw.no_entropy"
    );
    let mut short = rec.pool.clone();
    short.lines.pop();
    assert_eq!(
        make(short, vec!["x".into()]).unwrap_err().code,
        "draw.pool_shape"
    );
}

#[test]
fn ledger_order_is_checked() {
    let ok = LedgerPositions {
        commitment: 10,
        request: 11,
        pool: 12,
        contributions: vec![13, 14],
        result: 15,
    };
    assert!(check_positions(&ok).is_ok());
    for bad in [
        LedgerPositions {
            commitment: 11,
            request: 10,
            ..ok.clone()
        },
        LedgerPositions {
            contributions: vec![12],
            ..ok.clone()
        },
        LedgerPositions {
            contributions: vec![],
            ..ok.clone()
        },
        LedgerPositions {
            result: 14,
            ..ok.clone()
        },
    ] {
        assert_eq!(check_positions(&bad).unwrap_err().code, "draw.verify.order");
    }
}

#[test]
fn secrets_come_from_the_given_source() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let a = DrawSecret::generate(&mut rng);
    let b = DrawSecret::generate(&mut rng);
    assert_ne!(a, b);
    assert_eq!(format!("{a:?}"), "DrawSecret(…)", "never logged");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Quotas are respected, nobody is drawn twice, only eligible ids are drawn, and the draw is
    /// a function of its inputs.
    #[test]
    fn draws_respect_quotas(
        sizes in proptest::collection::vec((0usize..12, 0usize..6, 1u32..4, 0u32..3), 1..4),
        s in any::<u64>(),
    ) {
        let lines: Vec<_> = sizes
            .iter()
            .enumerate()
            .map(|(i, &(_, fb, count, reserve))| {
                let mut l = line(["A01", "A0101", "B"][i % 3], PoolScope::Local, count, reserve);
                if fb > 0 {
                    l.fallback = Some(PoolScope::Remote { regions: vec![] });
                }
                l
            })
            .collect();
        let req = request(lines, 0);
        // overlapping pools: line i draws from E0..E{own}
        let pool = snapshot(
            sizes.iter().map(|&(own, fb, _, _)| (ids("E", own), ids("R", fb))).collect(),
        );
        let r = draw(&req, &pool, &seed(s));
        prop_assert_eq!(&r, &draw(&req, &pool, &seed(s)));
        let mut seen = HashSet::new();
        for ((res, l), lp) in r.lines.iter().zip(&req.lines).zip(&pool.lines) {
            prop_assert!(res.members.len() <= l.count as usize);
            prop_assert!(res.reserves.len() <= l.reserve as usize);
            for p in res.members.iter().chain(&res.reserves) {
                prop_assert!(seen.insert(p.expert_id.clone()), "drawn twice");
                let from = if p.from_fallback { &lp.fallback } else { &lp.own };
                prop_assert!(from.contains(&p.expert_id));
            }
            // the own pool is used up before the fallback is touched
            if res.members.iter().any(|p| p.from_fallback) {
                prop_assert!(lp.own.iter().all(|id| seen.contains(id)));
            }
        }
    }

    /// An employee (now or within 3 years) of a bidder is never drawn for that section.
    #[test]
    fn a_bidder_employee_is_never_drawn(
        ties in proptest::collection::vec(proptest::option::of(0i64..2000), 5..40),
        s in any::<u64>(),
    ) {
        let eval = d("2026-12-10");
        let pool: Vec<_> = ties
            .iter()
            .enumerate()
            .map(|(i, tie)| {
                let mut c = candidate(&format!("E{i:03}"));
                if let Some(days_ago) = tie {
                    c.employments = vec![Employment {
                        org: cc(BIDDER),
                        org_name: "投标人".into(),
                        kind: TieKind::Employee,
                        start: d("2000-01-01"),
                        end: Some(eval - chrono::Days::new(*days_ago as u64)),
                    }];
                }
                if i % 3 == 0 {
                    c.region = region("320000");
                }
                c
            })
            .collect();
        let mut l = line("A01", PoolScope::Local, 3, 2);
        l.fallback = Some(PoolScope::Remote { regions: vec![] });
        let req = request(vec![l], 0);
        let cutoff = d("2023-12-10");
        let screening = screen(&req, &pool, &parties(), &AvoidanceConfig::default());
        let r = draw(&req, &PoolSnapshot::from_screening(&screening), &seed(s));
        for p in r.lines[0].members.iter().chain(&r.lines[0].reserves) {
            let c = pool.iter().find(|c| c.expert_id == p.expert_id).unwrap();
            prop_assert!(c.employments.iter().all(|e| e.end.unwrap() < cutoff));
        }
    }
}

/// The record of `record()`, recomputed independently by `reference/verify_draw.py` (Python's
/// hashlib SM3): a change here is a change of the algorithm.
#[test]
fn the_reference_record_is_pinned() {
    let (rec, _) = record();
    assert_eq!(
        rec.pool_digest,
        "1599671eb8c553460f931ecd96d92197faca5870b366751eb85b865ffc28708e"
    );
    assert_eq!(
        rec.result.seed,
        "d9ca08b2c4ed273f6fa78718c0bb82c8d4ca30d2fbb30d4c1fce81419f15b589"
    );
    let ids = |v: &[Pick]| v.iter().map(|p| p.expert_id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&rec.result.lines[0].members),
        ["A00006", "A00038", "A00030"]
    );
    assert_eq!(ids(&rec.result.lines[0].reserves), ["A00021", "A00002"]);
    assert_eq!(ids(&rec.result.lines[1].members), ["B00001", "B00008"]);
    assert_eq!(ids(&rec.result.lines[1].reserves), ["B00019"]);
}

/// Rough timing for the wiring notes (not a benchmark): `cargo test -p yiwang-core --release
/// experts::draw::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing() {
    use std::time::Instant;
    let n = 1_000_000;
    // spread over the 313 level-3 specialties, as a real database is
    let specs: Vec<String> = crate::experts::SpecialtyTree::national()
        .iter()
        .filter(|s| s.code.level() == 3)
        .map(|s| s.code.as_str().to_string())
        .collect();
    let pool: Vec<_> = (0..n)
        .map(|i| {
            let mut c = candidate(&format!("E{i:07}"));
            c.specialties =
                vec![crate::experts::SpecialtyCode::parse(&specs[i % specs.len()]).unwrap()];
            if i % 7 == 0 {
                c.employments = vec![Employment {
                    org: cc(BIDDER),
                    org_name: String::new(),
                    kind: TieKind::Employee,
                    start: d("2020-01-01"),
                    end: None,
                }];
            }
            if i % 3 == 0 {
                c.region = region("320000");
            }
            c
        })
        .collect();
    let mut l = line("A01", PoolScope::Local, 5, 3);
    l.fallback = Some(PoolScope::Remote { regions: vec![] });
    let req = request(vec![l, line("B", PoolScope::Local, 2, 1)], 0);
    let t = Instant::now();
    let s = screen(&req, &pool, &parties(), &AvoidanceConfig::default());
    let screened = t.elapsed();
    let t = Instant::now();
    let ix = crate::experts::PoolIndex::new(pool.clone());
    let built = t.elapsed();
    // a narrow line, as most real requests are: one level-3 specialty
    let narrow = request(vec![line("A0401", PoolScope::Local, 5, 3)], 0);
    let t = Instant::now();
    let s2 = ix.screen(&req, &parties(), &AvoidanceConfig::default());
    let indexed = t.elapsed();
    let t = Instant::now();
    let s3 = ix.screen(&narrow, &parties(), &AvoidanceConfig::default());
    let indexed_narrow = t.elapsed();
    assert_eq!(s, s2);
    println!(
        "index built in {built:?}; indexed screen {indexed:?}, one level-3 line ({} eligible) {indexed_narrow:?}",
        s3[0].primary.eligible.len()
    );
    let snap = PoolSnapshot::from_screening(&s);
    let t = Instant::now();
    let digest = snap.digest();
    let digested = t.elapsed();
    let t = Instant::now();
    let r = draw(&req, &snap, &seed(1));
    let drawn = t.elapsed();
    println!(
        "1M candidates: screen {screened:?}, pool digest {digested:?} ({} + {} ids), draw {drawn:?}; {} {}",
        snap.lines[0].own.len(),
        snap.lines[1].own.len(),
        &digest[..8],
        r.is_filled(&req)
    );
}
