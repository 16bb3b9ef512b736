//! 随机抽取: the verifiable, unsteerable draw (algorithm `yiwang-draw-v1`).
//!
//! The selection is a deterministic function of a seed and the recorded inputs, so anyone holding
//! them recomputes it; the seed is fixed by no single party (commit-reveal). The order of events,
//! each one a ledger entry, is:
//!
//! 1. **Commit.** Before the request exists the platform draws a 32-byte secret from the OS and
//!    records its [`DrawSecret::commitment`].
//! 2. **Request.** The operator's request is recorded; its digest is [`request_digest`]
//!    (SM3 of the canonical JSON of the request, as `ledger::canonical_json`).
//! 3. **Pool.** Avoidance is applied ([`super::avoidance::screen`]) and the eligible ids of every
//!    line's pools are recorded as a [`PoolSnapshot`] with its [`PoolSnapshot::digest`].
//! 4. **Late entropy.** Values that did not exist at commitment time are recorded: contributions
//!    typed by the supervising regulator and by the operator, and/or the hash of a ledger entry
//!    appended after step 3. Nobody knows all of them and the secret before this point.
//! 5. **Draw.** seed = [`derive_seed`]; the result ([`draw`]) is recorded sealed (see
//!    [`super::visibility`]). A failed or repeated attempt is a ledger entry too, so a re-draw
//!    cannot go unseen.
//! 6. **Reveal.** After the evaluation the secret is published; [`verify`] checks the commitment
//!    and recomputes everything from the public record.
//!
//! Framing: every byte string hashed — domain tags, the secret, the seed, digests (as their ASCII
//! hex), expert ids, contributions (UTF-8) — is written as its length (u64 big-endian) followed
//! by its bytes, so no two different input lists hash alike; counts and indices are fixed-width
//! big-endian integers written as they are. The commitment of step 1 is thus
//! SM3(frame(`"yiwang-draw-v1/commit"`) ‖ frame(secret)).
//!
//! The random stream of one pass over one pool is SM3 in counter mode: key = SM3(frame(`"yiwang-
//! draw-v1/stream"`) ‖ frame(seed) ‖ pass (1 byte: 0 members, 1 reserves) ‖ line index (u32) ‖
//! pool (1 byte: 0 own, 1 fallback)); block i = SM3(key ‖ i as u64), i = 0, 1, …; each block
//! gives four u64, read big-endian in order.
//! A number below n is drawn by rejection (a u64 x is kept when x < 2^64 − (2^64 mod n), giving
//! x mod n), which has no modulo bias. k of n are chosen by a partial Fisher–Yates shuffle over
//! the pool sorted by id bytes: for i in 0..k, j = i + below(n − i), swap positions i and j, take
//! position i. The order of taking is the reserve order.
//!
//! Lines are drawn in request order, members of every line first and reserves after, each expert
//! at most once in the whole draw (ids already taken are left out of later pools, keeping the
//! sorted order). A line takes from its own pool first and, only when that pool is too small,
//! the rest from its fallback pool.
//!
//! `reference/verify_draw.py` is an independent implementation of this page in 70 lines of
//! Python (hashlib's SM3); the pinned tests check that both agree, and the public verification
//! page can offer it for download.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

use super::avoidance::{LineScreening, ShortfallCause};
use super::request::DrawRequest;
use crate::Problem;
use crate::ledger::canonical_json;

/// The name of this algorithm, recorded with every draw.
pub const ALGORITHM: &str = "yiwang-draw-v1";

fn frame(h: &mut Sm3, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// 平台随机秘密: 32 bytes the platform draws from the OS before a request and reveals after the
/// evaluation.
#[derive(Clone, PartialEq, Eq)]
pub struct DrawSecret([u8; 32]);

impl std::fmt::Debug for DrawSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DrawSecret(…)")
    }
}

impl DrawSecret {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DrawSecret(bytes)
    }

    /// A fresh secret from the random source the caller passes (the OS generator in production).
    pub fn generate(rng: &mut impl rand::RngCore) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        DrawSecret(b)
    }

    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s).ok()?;
        Some(DrawSecret(v.try_into().ok()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// SM3(`"yiwang-draw-v1/commit"` ‖ secret), hex: recorded before the request.
    pub fn commitment(&self) -> String {
        let mut h = Sm3::new();
        frame(&mut h, b"yiwang-draw-v1/commit");
        frame(&mut h, &self.0);
        hex::encode(h.finalize())
    }
}

/// SM3 hex of the canonical JSON of the request.
pub fn request_digest(req: &DrawRequest) -> String {
    let v = serde_json::to_value(req).expect("a request serialises");
    crate::ledger::sm3_hex(canonical_json(&v).as_bytes())
}

/// The eligible ids of every line after avoidance: `own` from the line's pool, `fallback` from its
/// fallback pool (empty without one), each sorted by id bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolSnapshot {
    pub lines: Vec<LinePool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinePool {
    pub own: Vec<String>,
    pub fallback: Vec<String>,
}

impl PoolSnapshot {
    pub fn from_screening(screening: &[LineScreening]) -> Self {
        PoolSnapshot {
            lines: screening
                .iter()
                .map(|s| LinePool {
                    own: s.primary.eligible.clone(),
                    fallback: s
                        .fallback
                        .as_ref()
                        .map(|f| f.eligible.clone())
                        .unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// SM3(`"yiwang-draw-v1/pool"` ‖ line count ‖ for each line: own count ‖ own ids ‖ fallback
    /// count ‖ fallback ids), every count a u64 BE and every id framed, hex. The ids are hashed
    /// in the order given; [`PoolSnapshot::is_sorted`] says whether that is the canonical order.
    pub fn digest(&self) -> String {
        let mut h = Sm3::new();
        frame(&mut h, b"yiwang-draw-v1/pool");
        h.update((self.lines.len() as u64).to_be_bytes());
        for line in &self.lines {
            for ids in [&line.own, &line.fallback] {
                h.update((ids.len() as u64).to_be_bytes());
                for id in ids {
                    frame(&mut h, id.as_bytes());
                }
            }
        }
        hex::encode(h.finalize())
    }

    /// Every list strictly increasing (sorted, no duplicates).
    pub fn is_sorted(&self) -> bool {
        self.lines.iter().all(|l| {
            [&l.own, &l.fallback]
                .iter()
                .all(|ids| ids.windows(2).all(|w| w[0] < w[1]))
        })
    }
}

/// seed = SM3(`"yiwang-draw-v1/seed"` ‖ secret ‖ request digest ‖ pool digest ‖ number of
/// contributions (u64 BE) ‖ each contribution), every part framed.
pub fn derive_seed(
    secret: &DrawSecret,
    request_digest: &str,
    pool_digest: &str,
    contributions: &[String],
) -> [u8; 32] {
    let mut h = Sm3::new();
    frame(&mut h, b"yiwang-draw-v1/seed");
    frame(&mut h, &secret.0);
    frame(&mut h, request_digest.as_bytes());
    frame(&mut h, pool_digest.as_bytes());
    h.update((contributions.len() as u64).to_be_bytes());
    for c in contributions {
        frame(&mut h, c.as_bytes());
    }
    h.finalize().into()
}

/// The SM3 counter-mode stream described in the module documentation.
pub struct DrawStream {
    key: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl DrawStream {
    pub fn new(seed: &[u8; 32], pass: u8, line: u32, pool: u8) -> Self {
        let mut h = Sm3::new();
        frame(&mut h, b"yiwang-draw-v1/stream");
        frame(&mut h, seed);
        h.update([pass]);
        h.update(line.to_be_bytes());
        h.update([pool]);
        DrawStream {
            key: h.finalize().into(),
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        if self.used == 32 {
            let mut h = Sm3::new();
            h.update(self.key);
            h.update(self.counter.to_be_bytes());
            self.block = h.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        let v = u64::from_be_bytes(self.block[self.used..self.used + 8].try_into().expect("8"));
        self.used += 8;
        v
    }

    /// Uniform in `0..n` (n > 0), by rejection.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let rem = (u64::MAX % n + 1) % n; // 2^64 mod n
        loop {
            let x = self.next_u64();
            if x <= u64::MAX - rem {
                return x % n;
            }
        }
    }

    /// Positions of `k` distinct items of `0..n` (all when k ≥ n), by partial Fisher–Yates, in
    /// the order chosen. Memory is O(k), so a pool of a million costs nothing to copy.
    pub fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        let mut moved: HashMap<usize, usize> = HashMap::with_capacity(k);
        let mut out = Vec::with_capacity(k);
        for i in 0..k {
            let j = i + self.below((n - i) as u64) as usize;
            let at_i = *moved.get(&i).unwrap_or(&i);
            let at_j = *moved.get(&j).unwrap_or(&j);
            moved.insert(j, at_i);
            out.push(at_j);
        }
        out
    }
}

/// One drawn expert and whether the fallback pool gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pick {
    pub expert_id: String,
    pub from_fallback: bool,
}

/// The outcome of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineResult {
    pub members: Vec<Pick>,
    /// 备选专家, in the order they replace members.
    pub reserves: Vec<Pick>,
}

/// 抽取结果. Filled when every line has its count of members; a short reserve list does not fail
/// the draw (a supplementary draw, 补抽, covers later needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawResult {
    pub algorithm: String,
    pub seed: String,
    pub lines: Vec<LineResult>,
}

/// Why a line was not filled, for the operator and the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortfall {
    pub line: usize,
    pub needed: u32,
    pub drawn: u32,
    pub cause: ShortfallCause,
    /// The fallback pool's cause, when the line has one.
    pub fallback_cause: Option<ShortfallCause>,
}

impl DrawResult {
    pub fn is_filled(&self, req: &DrawRequest) -> bool {
        self.lines
            .iter()
            .zip(&req.lines)
            .all(|(r, l)| r.members.len() == l.count as usize)
    }

    /// The lines not filled and the rule that emptied each pool. The cause of the own pool is
    /// judged against the whole count, the fallback's against what the own pool left missing.
    pub fn shortfalls(&self, req: &DrawRequest, screening: &[LineScreening]) -> Vec<Shortfall> {
        let mut out = Vec::new();
        for (i, ((r, l), s)) in self.lines.iter().zip(&req.lines).zip(screening).enumerate() {
            let needed = l.count as usize;
            if r.members.len() >= needed {
                continue;
            }
            let cause = s
                .primary
                .binding_rule(needed)
                .unwrap_or(ShortfallCause::TakenByOtherLines);
            let from_own = r.members.iter().filter(|p| !p.from_fallback).count();
            let fallback_cause = s.fallback.as_ref().map(|f| {
                f.binding_rule(needed - from_own)
                    .unwrap_or(ShortfallCause::TakenByOtherLines)
            });
            out.push(Shortfall {
                line: i,
                needed: l.count,
                drawn: r.members.len() as u32,
                cause,
                fallback_cause,
            });
        }
        out
    }
}

/// Draws with `seed` from `pool` as the module documentation specifies. The pool must have one
/// entry per request line and be in canonical order ([`PoolSnapshot::is_sorted`]), as
/// [`DrawRecord::make`] and [`verify`] check. Cost: O(k·t + k log n) for k drawn, t already taken.
pub fn draw(req: &DrawRequest, pool: &PoolSnapshot, seed: &[u8; 32]) -> DrawResult {
    assert_eq!(req.lines.len(), pool.lines.len(), "one pool per line");
    debug_assert!(pool.is_sorted(), "the pool is in canonical order");
    let mut taken: HashSet<&str> = HashSet::new();
    let mut lines: Vec<LineResult> = req
        .lines
        .iter()
        .map(|_| LineResult {
            members: Vec::new(),
            reserves: Vec::new(),
        })
        .collect();
    for pass in [0u8, 1] {
        for (i, (line, lp)) in req.lines.iter().zip(&pool.lines).enumerate() {
            let want = if pass == 0 { line.count } else { line.reserve } as usize;
            let mut got: Vec<Pick> = Vec::new();
            for (which, ids) in [(0u8, &lp.own), (1u8, &lp.fallback)] {
                if got.len() >= want {
                    break;
                }
                // The pool without the ids already taken, in sorted order, addressed through the
                // (few) taken positions instead of being copied: O(k·t) rather than O(n).
                let mut gaps: Vec<usize> = taken
                    .iter()
                    .filter_map(|id| ids.binary_search_by(|x| x.as_str().cmp(id)).ok())
                    .collect();
                gaps.sort_unstable();
                let free_at = |f: usize| {
                    let mut o = f;
                    for &g in &gaps {
                        if g <= o {
                            o += 1;
                        } else {
                            break;
                        }
                    }
                    o
                };
                let mut stream = DrawStream::new(seed, pass, i as u32, which);
                let chosen: Vec<&str> = stream
                    .choose(ids.len() - gaps.len(), want - got.len())
                    .into_iter()
                    .map(|f| ids[free_at(f)].as_str())
                    .collect();
                for id in chosen {
                    taken.insert(id);
                    got.push(Pick {
                        expert_id: id.to_string(),
                        from_fallback: which == 1,
                    });
                }
            }
            let slot = &mut lines[i];
            if pass == 0 {
                slot.members = got;
            } else {
                slot.reserves = got;
            }
        }
    }
    DrawResult {
        algorithm: ALGORITHM.to_string(),
        seed: hex::encode(seed),
        lines,
    }
}

/// 抽取记录: what is published after the reveal so that anyone can recompute the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawRecord {
    pub request: DrawRequest,
    /// Recorded in step 1.
    pub commitment: String,
    /// Recorded in step 3.
    pub pool_digest: String,
    pub pool: PoolSnapshot,
    /// Recorded in step 4.
    pub contributions: Vec<String>,
    pub result: DrawResult,
}

impl DrawRecord {
    /// Runs step 5 for a request whose commitment, pool and late entropy are recorded. Refused
    /// without late entropy: the platform alone would then fix the seed.
    pub fn make(
        request: DrawRequest,
        secret: &DrawSecret,
        pool: PoolSnapshot,
        contributions: Vec<String>,
    ) -> Result<Self, Problem> {
        check_entropy(&contributions)?;
        if pool.lines.len() != request.lines.len() || !pool.is_sorted() {
            return Err(Problem::invalid(
                "draw.pool_shape",
                "候选专家名单与抽取申请不对应或未排序。",
                "The pool does not match the request's lines or is not sorted.",
            ));
        }
        let pool_digest = pool.digest();
        let seed = derive_seed(
            secret,
            &request_digest(&request),
            &pool_digest,
            &contributions,
        );
        let result = draw(&request, &pool, &seed);
        Ok(DrawRecord {
            request,
            commitment: secret.commitment(),
            pool_digest,
            pool,
            contributions,
            result,
        })
    }
}

fn check_entropy(contributions: &[String]) -> Result<(), Problem> {
    if contributions.is_empty() || contributions.iter().any(|c| c.trim().is_empty()) {
        return Err(Problem::invalid(
            "draw.no_entropy",
            "抽取须加入承诺之后产生的随机贡献值（监管人员、经办人输入或其后的账本哈希）。",
            "A draw needs contributions that did not exist at commitment time (regulator, operator or a later ledger hash).",
        ));
    }
    Ok(())
}

/// Ledger sequence numbers of one draw attempt's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerPositions {
    pub commitment: u64,
    pub request: u64,
    pub pool: u64,
    pub contributions: Vec<u64>,
    pub result: u64,
}

/// The order that makes the seed unsteerable: commitment before the request, the pool before
/// any contribution (so nobody can shape the pool after seeing the entropy), every contribution
/// before the result.
pub fn check_positions(p: &LedgerPositions) -> Result<(), Problem> {
    let ordered = p.commitment < p.request
        && p.request < p.pool
        && !p.contributions.is_empty()
        && p.contributions.iter().all(|&c| p.pool < c && c < p.result);
    if ordered {
        Ok(())
    } else {
        Err(verify_failed(
            "order",
            "抽取记录在账本中的先后顺序不符合规定。",
            "The draw's ledger entries are not in the required order.",
        ))
    }
}

fn verify_failed(code: &str, zh: &str, en: &str) -> Problem {
    Problem::conflict(format!("draw.verify.{code}"), zh, en)
}

/// `yiwang draw verify`: checks a published record against the revealed secret — the commitment,
/// the pool digest and canonical order, the algorithm, and the result recomputed exactly.
pub fn verify(record: &DrawRecord, secret: &DrawSecret) -> Result<(), Problem> {
    if secret.commitment() != record.commitment {
        return Err(verify_failed(
            "commitment",
            "公开的随机秘密与抽取前的承诺不符。",
            "The revealed secret does not match the commitment made before the draw.",
        ));
    }
    if check_entropy(&record.contributions).is_err() {
        return Err(verify_failed(
            "entropy",
            "抽取记录缺少承诺之后产生的随机贡献值。",
            "The record has no contribution made after the commitment.",
        ));
    }
    if record.pool.digest() != record.pool_digest
        || !record.pool.is_sorted()
        || record.pool.lines.len() != record.request.lines.len()
    {
        return Err(verify_failed(
            "pool",
            "候选专家名单与记录的摘要不符或未按规定排序。",
            "The candidate pool does not match its recorded digest or is not in canonical order.",
        ));
    }
    if record.result.algorithm != ALGORITHM {
        return Err(verify_failed(
            "algorithm",
            "抽取算法版本不受支持。",
            "The draw algorithm is not supported.",
        ));
    }
    let seed = derive_seed(
        secret,
        &request_digest(&record.request),
        &record.pool_digest,
        &record.contributions,
    );
    if draw(&record.request, &record.pool, &seed) != record.result {
        return Err(verify_failed(
            "result",
            "按公开数据重新计算的抽取结果与记录不符。",
            "Recomputing the draw from the public data gives a different result.",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "draw_tests.rs"]
mod tests;
