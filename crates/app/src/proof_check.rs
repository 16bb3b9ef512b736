//! Checking a published record with no database: a saved checkpoint, an entry's inclusion proof
//! or a consistency proof between two tree sizes (the JSON the ledger API answers), against the
//! platform's published public key. `yiwang audit verify-proof` runs this, so that anyone — a
//! journalist, a losing bidder — can check what the platform published.

use serde::Deserialize;
use yiwang_core::ledger::{checkpoint_message, verify_inclusion, verify_signature};
use yiwang_core::merkle::verify_consistency;

/// What a document proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// A checkpoint signed by the key.
    Checkpoint { tree_size: u64, root: String },
    /// An entry is in a signed checkpoint.
    Inclusion { seq: u64, tree_size: u64 },
    /// The tree of `from` entries is a prefix of a signed checkpoint of `to` entries.
    Consistency { from: u64, to: u64 },
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verified::Checkpoint { tree_size, root } => write!(
                f,
                "checkpoint of {tree_size} entries (root {root}) is signed by the given key"
            ),
            Verified::Inclusion { seq, tree_size } => write!(
                f,
                "entry {seq} is included in the signed checkpoint of {tree_size} entries"
            ),
            Verified::Consistency { from, to } => write!(
                f,
                "the ledger of {from} entries is a prefix of the signed checkpoint of {to} entries: nothing before it was rewritten"
            ),
        }
    }
}

#[derive(Deserialize)]
struct Checkpoint {
    tree_size: u64,
    root: String,
    at: String,
    signature: String,
    #[serde(default)]
    public_key: Option<String>,
}

#[derive(Deserialize)]
struct Inclusion {
    seq: u64,
    entry_hash: String,
    proof: Vec<String>,
    checkpoint: Checkpoint,
}

#[derive(Deserialize)]
struct Consistency {
    from_size: u64,
    from_root: String,
    #[serde(default)]
    from_checkpoint: Option<Checkpoint>,
    proof: Vec<String>,
    to: Checkpoint,
}

fn h32(what: &str, s: &str) -> Result<[u8; 32], String> {
    hex::decode(s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| format!("{what} is not a 32-byte hex hash"))
}

fn hashes(proof: &[String]) -> Result<Vec<[u8; 32]>, String> {
    proof
        .iter()
        .enumerate()
        .map(|(i, h)| h32(&format!("proof node {i}"), h))
        .collect()
}

fn check_checkpoint(c: &Checkpoint, public_key_hex: &str) -> Result<[u8; 32], String> {
    if let Some(embedded) = &c.public_key
        && !embedded.eq_ignore_ascii_case(public_key_hex)
    {
        return Err(format!(
            "the checkpoint of {} entries names another public key than the published one",
            c.tree_size
        ));
    }
    let msg = checkpoint_message(c.tree_size, &c.root, &c.at);
    if !verify_signature(public_key_hex, &msg, &c.signature) {
        return Err(format!(
            "the signature of the checkpoint of {} entries does not verify with the published key",
            c.tree_size
        ));
    }
    h32("the checkpoint root", &c.root)
}

/// Check a saved document (a checkpoint, an inclusion proof or a consistency proof, as the API
/// answers them) against the platform's published public key (hex, SEC1).
pub fn check(document: &str, public_key_hex: &str) -> Result<Verified, String> {
    let v: serde_json::Value =
        serde_json::from_str(document).map_err(|e| format!("not a JSON document: {e}"))?;
    if v.get("entry_hash").is_some() {
        let d: Inclusion = serde_json::from_value(v)
            .map_err(|e| format!("not an inclusion proof document: {e}"))?;
        let root = check_checkpoint(&d.checkpoint, public_key_hex)?;
        let leaf = h32("entry_hash", &d.entry_hash)?;
        if d.seq == 0
            || !verify_inclusion(
                &leaf,
                d.seq - 1,
                d.checkpoint.tree_size,
                &hashes(&d.proof)?,
                &root,
            )
        {
            return Err(format!(
                "entry {} is NOT proven to be in the checkpoint of {} entries",
                d.seq, d.checkpoint.tree_size
            ));
        }
        return Ok(Verified::Inclusion {
            seq: d.seq,
            tree_size: d.checkpoint.tree_size,
        });
    }
    if v.get("from_size").is_some() {
        let d: Consistency = serde_json::from_value(v)
            .map_err(|e| format!("not a consistency proof document: {e}"))?;
        let new_root = check_checkpoint(&d.to, public_key_hex)?;
        let old_root = h32("from_root", &d.from_root)?;
        if let Some(c) = &d.from_checkpoint {
            let signed_old = check_checkpoint(c, public_key_hex)?;
            if c.tree_size != d.from_size || signed_old != old_root {
                return Err("the earlier checkpoint does not match from_size/from_root".into());
            }
        }
        if !verify_consistency(
            d.from_size,
            d.to.tree_size,
            &hashes(&d.proof)?,
            &old_root,
            &new_root,
        ) {
            return Err(format!(
                "the ledger of {} entries is NOT proven to be a prefix of the checkpoint of {} entries",
                d.from_size, d.to.tree_size
            ));
        }
        return Ok(Verified::Consistency {
            from: d.from_size,
            to: d.to.tree_size,
        });
    }
    let c: Checkpoint = serde_json::from_value(v).map_err(|e| {
        format!("not a checkpoint, inclusion proof or consistency proof document: {e}")
    })?;
    check_checkpoint(&c, public_key_hex)?;
    Ok(Verified::Checkpoint {
        tree_size: c.tree_size,
        root: c.root,
    })
}
