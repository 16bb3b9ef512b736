//! 见证: an independent party's copy of the platform's history. A witness (`yiwang witness`, run
//! by a regulator or the audit office on its own machine with its own key) fetches each new
//! signed checkpoint, checks the platform's signature with the platform's published key and a
//! consistency proof from the last checkpoint it saw, then cosigns it and keeps it. A checkpoint
//! that does not extend what the witness saw is an alarm. `yiwang audit verify --witness` checks
//! the database against the witnessed history, so a history rewritten inside the database —
//! even re-signed with a key taken from it — no longer matches.
//!
//! Everything here is pure (no I/O): the binary fetches and stores.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{PlatformKey, checkpoint_message, verify_signature};
use yiwang_core::merkle::verify_consistency;

/// A checkpoint as the platform publishes it (the fields a witness needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCheckpoint {
    pub tree_size: u64,
    pub root: String,
    pub at: String,
    pub signature: String,
}

/// One witnessed checkpoint: the platform's signed statement and the witness's cosignature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witnessed {
    pub tree_size: u64,
    pub root: String,
    /// The platform's time of the checkpoint (RFC 3339), part of what it signed.
    pub at: String,
    /// The platform's SM2 signature.
    pub signature: String,
    /// The witness's public key and its SM2 signature over [`cosign_message`].
    pub witness_key: String,
    pub witness_signature: String,
    /// When the witness saw it (RFC 3339).
    pub witnessed_at: String,
}

/// Why a new checkpoint was not cosigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alarm {
    /// The platform's signature does not verify with its published key.
    BadSignature { tree_size: u64 },
    /// The ledger shrank below what was witnessed.
    Shrunk { witnessed: u64, now: u64 },
    /// Same size, another root: the history was rewritten.
    Forked { tree_size: u64 },
    /// The consistency proof from the last witnessed checkpoint does not hold.
    Inconsistent { from: u64, to: u64 },
}

impl std::fmt::Display for Alarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Alarm::BadSignature { tree_size } => write!(
                f,
                "the checkpoint of {tree_size} entries is not signed by the platform's published key"
            ),
            Alarm::Shrunk { witnessed, now } => write!(
                f,
                "the ledger shrank: {witnessed} entries were witnessed, the platform now shows {now}"
            ),
            Alarm::Forked { tree_size } => write!(
                f,
                "the checkpoint of {tree_size} entries has another root than the witnessed one: history was rewritten"
            ),
            Alarm::Inconsistent { from, to } => write!(
                f,
                "the checkpoint of {to} entries does not extend the witnessed one of {from}: history was rewritten"
            ),
        }
    }
}

/// What the witness signs: a domain-separated statement of size, root and the platform's time.
pub fn cosign_message(tree_size: u64, root: &str, at: &str) -> Vec<u8> {
    format!("yiwang-witness-cosignature/v1\n{tree_size}\n{root}\n{at}").into_bytes()
}

fn h32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

/// Decide whether `new` may be cosigned after `last` (the newest witnessed checkpoint), given
/// the consistency proof from `last` to `new` (hex nodes; ignored when the sizes are equal).
/// `Ok(false)`: nothing new to cosign.
pub fn check_next(
    last: Option<&Witnessed>,
    new: &PublishedCheckpoint,
    proof: &[String],
    platform_key: &str,
) -> Result<bool, Alarm> {
    let msg = checkpoint_message(new.tree_size, &new.root, &new.at);
    if !verify_signature(platform_key, &msg, &new.signature) {
        return Err(Alarm::BadSignature {
            tree_size: new.tree_size,
        });
    }
    let Some(last) = last else {
        return Ok(true);
    };
    if new.tree_size < last.tree_size {
        return Err(Alarm::Shrunk {
            witnessed: last.tree_size,
            now: new.tree_size,
        });
    }
    if new.tree_size == last.tree_size {
        return if new.root == last.root {
            Ok(false)
        } else {
            Err(Alarm::Forked {
                tree_size: new.tree_size,
            })
        };
    }
    let inconsistent = Alarm::Inconsistent {
        from: last.tree_size,
        to: new.tree_size,
    };
    let nodes: Option<Vec<[u8; 32]>> = proof.iter().map(|h| h32(h)).collect();
    match (nodes, h32(&last.root), h32(&new.root)) {
        (Some(nodes), Some(old_root), Some(new_root))
            if verify_consistency(last.tree_size, new.tree_size, &nodes, &old_root, &new_root) =>
        {
            Ok(true)
        }
        _ => Err(inconsistent),
    }
}

/// Cosign a checked checkpoint with the witness's key.
pub fn cosign(key: &PlatformKey, c: &PublishedCheckpoint, witnessed_at: &str) -> Witnessed {
    Witnessed {
        tree_size: c.tree_size,
        root: c.root.clone(),
        at: c.at.clone(),
        signature: c.signature.clone(),
        witness_key: key.public_key_hex(),
        witness_signature: key.sign(&cosign_message(c.tree_size, &c.root, &c.at)),
        witnessed_at: witnessed_at.into(),
    }
}

/// Whether a witnessed record is genuine: cosigned by the witness key (`witness_key`, or the
/// pinned one when given) and signed by the platform key.
pub fn genuine(w: &Witnessed, platform_key: &str, pinned_witness: Option<&str>) -> bool {
    if let Some(pinned) = pinned_witness
        && !pinned.eq_ignore_ascii_case(&w.witness_key)
    {
        return false;
    }
    verify_signature(
        &w.witness_key,
        &cosign_message(w.tree_size, &w.root, &w.at),
        &w.witness_signature,
    ) && verify_signature(
        platform_key,
        &checkpoint_message(w.tree_size, &w.root, &w.at),
        &w.signature,
    )
}

/// Read a witness's history: JSON lines (its file) or a JSON array (its HTTP answer).
pub fn parse_history(text: &str) -> Result<Vec<Witnessed>, String> {
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str(t).map_err(|e| format!("witness history: {e}"));
    }
    t.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("witness history line {}: {e}", i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yiwang_core::ledger::{merkle_root, sm3};
    use yiwang_core::merkle::consistency_ranges;

    fn leaves(n: u64) -> Vec<[u8; 32]> {
        (0..n).map(|i| sm3(&i.to_be_bytes())).collect()
    }

    fn publish(key: &PlatformKey, leaves: &[[u8; 32]], at: &str) -> PublishedCheckpoint {
        let root = hex::encode(merkle_root(leaves));
        PublishedCheckpoint {
            tree_size: leaves.len() as u64,
            signature: key.sign(&checkpoint_message(leaves.len() as u64, &root, at)),
            root,
            at: at.into(),
        }
    }

    fn proof(all: &[[u8; 32]], old: u64, new: u64) -> Vec<String> {
        consistency_ranges(old, new)
            .into_iter()
            .map(|(a, b)| {
                // The tree hash of a range is the root of its leaves.
                hex::encode(merkle_root(&all[a as usize..b as usize]))
            })
            .collect()
    }

    #[test]
    fn a_growing_history_is_cosigned_and_a_rewrite_is_an_alarm() {
        let platform = PlatformKey::generate();
        let pk = platform.public_key_hex();
        let witness = PlatformKey::generate();
        let all = leaves(20);
        let c1 = publish(&platform, &all[..7], "2026-12-03T08:00:00Z");
        assert_eq!(check_next(None, &c1, &[], &pk), Ok(true));
        let w1 = cosign(&witness, &c1, "2026-12-03T08:00:01Z");
        assert!(genuine(&w1, &pk, None));
        assert!(genuine(&w1, &pk, Some(&witness.public_key_hex())));
        assert!(!genuine(
            &w1,
            &pk,
            Some(&PlatformKey::generate().public_key_hex())
        ));

        let c2 = publish(&platform, &all[..20], "2026-12-03T08:00:10Z");
        assert_eq!(
            check_next(Some(&w1), &c2, &proof(&all, 7, 20), &pk),
            Ok(true)
        );
        assert_eq!(check_next(Some(&w1), &c1, &[], &pk), Ok(false), "seen");

        // A rewritten entry 3, re-signed with the platform key (taken from its database).
        let mut forged = all.clone();
        forged[3][0] ^= 1;
        let c2f = publish(&platform, &forged[..20], "2026-12-03T08:00:10Z");
        assert_eq!(
            check_next(Some(&w1), &c2f, &proof(&forged, 7, 20), &pk),
            Err(Alarm::Inconsistent { from: 7, to: 20 })
        );
        let c1f = publish(&platform, &forged[..7], "2026-12-03T08:00:20Z");
        assert_eq!(
            check_next(Some(&w1), &c1f, &[], &pk),
            Err(Alarm::Forked { tree_size: 7 })
        );
        let c0 = publish(&platform, &all[..5], "2026-12-03T08:00:30Z");
        assert_eq!(
            check_next(Some(&w1), &c0, &[], &pk),
            Err(Alarm::Shrunk {
                witnessed: 7,
                now: 5
            })
        );
        let other = PlatformKey::generate();
        let c3 = publish(&other, &all[..20], "2026-12-03T08:00:40Z");
        assert_eq!(
            check_next(Some(&w1), &c3, &proof(&all, 7, 20), &pk),
            Err(Alarm::BadSignature { tree_size: 20 })
        );
    }

    #[test]
    fn histories_parse_as_lines_or_arrays() {
        let platform = PlatformKey::generate();
        let witness = PlatformKey::generate();
        let all = leaves(3);
        let w = cosign(&witness, &publish(&platform, &all, "t"), "u");
        let line = serde_json::to_string(&w).unwrap();
        assert_eq!(
            parse_history(&format!("{line}\n\n{line}\n")).unwrap().len(),
            2
        );
        assert_eq!(parse_history(&format!("[{line}]")).unwrap(), vec![w]);
        assert!(parse_history("{nope").is_err());
    }
}
