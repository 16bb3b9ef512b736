//! 留痕: hashing for the tamper-evident audit ledger, using the national algorithms SM3 and SM2.
//!
//! Every ledger entry records the digests of the rows it touched and is chained to the previous
//! entry by hash. Entry hashes are periodically gathered into an RFC 6962-style Merkle tree (with
//! SM3 instead of SHA-256) whose root is signed with the platform's SM2 key (a checkpoint), so a
//! third party can verify both that an entry is included and that history was not rewritten.

use std::fmt;

use serde::{Deserialize, Serialize};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate;
use sm2::elliptic_curve::sec1::ToSec1Point;
use sm3::{Digest, Sm3};

/// The hash that precedes the first entry of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The default SM2 distinguishing ID (用户身份标识) from GM/T 0009; verifiers must use the same ID.
pub const SM2_DEFAULT_DISTINGUISHING_ID: &str = "1234567812345678";

/// Marker [`opt`] uses for `None`; a NUL byte cannot occur in database text, so it never collides.
const NULL_MARKER: &str = "\u{0}null";

pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(sm3(data))
}

/// Maps a nullable column to a string so that `None` and `Some("")` digest differently.
pub fn opt(v: &Option<String>) -> String {
    match v {
        Some(s) => s.clone(),
        None => NULL_MARKER.to_string(),
    }
}

/// The digest of one row an entry touched.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RowDigest {
    pub table: String,
    pub id: String,
    /// SM3 hex of the row's canonical form ([`row_digest`]), or the literal `"deleted"`.
    pub digest: String,
}

fn push_len_prefixed(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u64).to_be_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// SM3 hex over an unambiguous encoding of a row: a version tag, then the table name, the number of
/// fields and each (name, value) pair in the given order, every string prefixed by its byte length
/// (u64 big-endian) so that no two different rows share an encoding.
pub fn row_digest(table: &str, fields: &[(&str, String)]) -> String {
    let mut buf = Vec::with_capacity(
        64 + fields
            .iter()
            .map(|(n, v)| n.len() + v.len() + 16)
            .sum::<usize>(),
    );
    push_len_prefixed(&mut buf, "yiwang-row/v1");
    push_len_prefixed(&mut buf, table);
    buf.extend_from_slice(&(fields.len() as u64).to_be_bytes());
    for (name, value) in fields {
        push_len_prefixed(&mut buf, name);
        push_len_prefixed(&mut buf, value);
    }
    sm3_hex(&buf)
}

/// What a ledger entry says; its hash chains it to the previous entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EntryContent {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, produced by the caller (kept as text so the hash does not
    /// depend on how a timestamp type formats itself).
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub rows: Vec<RowDigest>,
    pub detail: serde_json::Value,
}

/// Canonical JSON text: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// strings escaped as serde_json does, numbers in serde_json's shortest form.
///
/// Written by hand rather than relying on `serde_json::Map` ordering, because another crate in the
/// build enabling serde_json's `preserve_order` feature would silently change hashes.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&serde_json::to_string(s).expect("strings serialise")),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("strings serialise"));
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
    }
}

/// The hash of an entry: SM3 hex of `prev_hash` (as ASCII hex) || 0x1f || the canonical JSON
/// ([`canonical_json`]) of the whole content, so `detail` and the struct fields alike are
/// canonical.
pub fn entry_hash(prev_hash: &str, content: &EntryContent) -> String {
    let value = serde_json::to_value(content).expect("EntryContent serialises");
    let json = canonical_json(&value);
    let mut buf = Vec::with_capacity(prev_hash.len() + 1 + json.len());
    buf.extend_from_slice(prev_hash.as_bytes());
    buf.push(0x1f);
    buf.extend_from_slice(json.as_bytes());
    sm3_hex(&buf)
}

// ---------------------------------------------------------------------------------------------
// Merkle tree (RFC 6962 / RFC 9162 with SM3)
// ---------------------------------------------------------------------------------------------

/// Domain-separated leaf hash: SM3(0x00 || leaf), so a leaf can never pass for an inner node.
pub fn merkle_leaf_hash(leaf: &[u8; 32]) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update([0x00]);
    h.update(leaf);
    h.finalize().into()
}

/// Inner node hash: SM3(0x01 || left || right).
pub fn merkle_node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The RFC 6962 Merkle tree hash of `leaves` (raw 32-byte entry hashes). The empty tree's root is
/// SM3 of the empty string.
///
/// Computed bottom-up, promoting an unpaired last node unchanged to the next level; this yields the
/// same tree as RFC 6962's "split at the largest power of two smaller than n" and needs one buffer of
/// n hashes, reused in place.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.is_empty() {
        return sm3(b"");
    }
    let mut level: Vec<[u8; 32]> = leaves.iter().map(merkle_leaf_hash).collect();
    let mut len = level.len();
    while len > 1 {
        let mut next = 0;
        let mut i = 0;
        while i < len {
            level[next] = if i + 1 < len {
                merkle_node_hash(&level[i], &level[i + 1])
            } else {
                level[i]
            };
            next += 1;
            i += 2;
        }
        len = next;
    }
    level[0]
}

/// The audit path for leaf `index` (RFC 6962 §2.1.1), leaf side first.
///
/// # Panics
/// If `index >= leaves.len()`.
pub fn inclusion_proof(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    assert!(
        index < leaves.len(),
        "leaf index {index} out of range for tree of {}",
        leaves.len()
    );
    let mut level: Vec<[u8; 32]> = leaves.iter().map(merkle_leaf_hash).collect();
    let mut len = level.len();
    let mut idx = index;
    let mut proof = Vec::new();
    while len > 1 {
        let sibling = idx ^ 1;
        // An unpaired last node has no sibling at this level; it is promoted and the path skips it.
        if sibling < len {
            proof.push(level[sibling]);
        }
        let mut next = 0;
        let mut i = 0;
        while i < len {
            level[next] = if i + 1 < len {
                merkle_node_hash(&level[i], &level[i + 1])
            } else {
                level[i]
            };
            next += 1;
            i += 2;
        }
        len = next;
        idx /= 2;
    }
    proof
}

/// Verifies an inclusion proof per RFC 9162 §2.1.3.2. `leaf` is the raw 32-byte entry hash (it is
/// leaf-hashed here).
pub fn verify_inclusion(
    leaf: &[u8; 32],
    index: u64,
    tree_size: u64,
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> bool {
    if index >= tree_size {
        return false;
    }
    let mut f_n = index;
    let mut s_n = tree_size - 1;
    let mut r = merkle_leaf_hash(leaf);
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = merkle_node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = merkle_node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

// ---------------------------------------------------------------------------------------------
// SM2 checkpoint signatures
// ---------------------------------------------------------------------------------------------

/// Why a platform key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("secret key is not valid hex")]
    Hex,
    #[error("secret key must be 32 bytes, found {found}")]
    Length { found: usize },
    #[error("secret key is not a valid SM2 scalar (zero or not below the group order)")]
    Scalar,
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Hex => "platform_key.hex",
            KeyError::Length { .. } => "platform_key.length",
            KeyError::Scalar => "platform_key.scalar",
        }
    }
}

/// The platform's SM2 signing key for ledger checkpoints.
#[derive(Clone)]
pub struct PlatformKey {
    signing: SigningKey,
}

// Never print key material, even in debug logs.
impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlatformKey(..)")
    }
}

impl PlatformKey {
    /// A fresh key from the operating system's CSPRNG (via the `getrandom` support built into the
    /// sm2 crate, which uses rand_core 0.10 and so cannot take a rand 0.9 RNG).
    pub fn generate() -> Self {
        let secret = sm2::SecretKey::generate();
        let signing = SigningKey::new(SM2_DEFAULT_DISTINGUISHING_ID, &secret)
            .expect("the default distinguishing ID is short enough");
        PlatformKey { signing }
    }

    /// Loads a key from 64 hex characters (the big-endian secret scalar).
    pub fn from_secret_hex(secret_hex: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(secret_hex.trim()).map_err(|_| KeyError::Hex)?;
        if bytes.len() != 32 {
            return Err(KeyError::Length { found: bytes.len() });
        }
        let signing = SigningKey::from_slice(SM2_DEFAULT_DISTINGUISHING_ID, &bytes)
            .map_err(|_| KeyError::Scalar)?;
        Ok(PlatformKey { signing })
    }

    pub fn secret_hex(&self) -> String {
        hex::encode(self.signing.to_bytes())
    }

    /// SEC1 uncompressed public key (`04 || x || y`), hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_sec1_point(false).as_bytes())
    }

    /// SM2 signature (with [`SM2_DEFAULT_DISTINGUISHING_ID`]) as hex of the 64-byte `r || s`.
    /// Nonces are derived deterministically (RFC 6979 style), so no RNG is needed when signing.
    pub fn sign(&self, msg: &[u8]) -> String {
        let sig: Signature = self.signing.sign(msg);
        hex::encode(sig.to_bytes())
    }
}

/// Checks an SM2 signature made by [`PlatformKey::sign`]; any malformed input gives `false`.
pub fn verify_signature(public_key_hex: &str, msg: &[u8], signature_hex: &str) -> bool {
    let Ok(pk) = hex::decode(public_key_hex.trim()) else {
        return false;
    };
    let Ok(sig) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let Ok(vk) = VerifyingKey::from_sec1_bytes(SM2_DEFAULT_DISTINGUISHING_ID, &pk) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig) else {
        return false;
    };
    vk.verify(msg, &sig).is_ok()
}

/// The exact bytes a checkpoint signature covers.
pub fn checkpoint_message(tree_size: u64, root_hex: &str, at: &str) -> Vec<u8> {
    format!("yiwang-ledger-checkpoint/v1\n{tree_size}\n{root_hex}\n{at}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn sm3_standard_vectors() {
        // GM/T 0004-2012 Appendix A.
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            sm3_hex(&b"abcd".repeat(16)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(GENESIS_HASH.len(), 64);
        assert!(GENESIS_HASH.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn row_digest_is_unambiguous() {
        let a = row_digest("t", &[("ab", "c".into())]);
        let b = row_digest("t", &[("a", "bc".into())]);
        assert_ne!(a, b);
        assert_ne!(
            row_digest("t", &[("x", opt(&None))]),
            row_digest("t", &[("x", opt(&Some(String::new())))])
        );
        assert_ne!(
            row_digest("ta", &[]),
            row_digest("t", &[("a", String::new())])
        );
        assert_ne!(
            row_digest("t", &[("a", "1".into()), ("b", "2".into())]),
            row_digest("t", &[("b", "2".into()), ("a", "1".into())])
        );
        assert_eq!(row_digest("t", &[("a", "1".into())]).len(), 64);
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let a = json!({"b": 1, "a": [true, null, {"z": "x\"y", "y": 1.5}], "c": "中"});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":[true,null,{"y":1.5,"z":"x\"y"}],"b":1,"c":"中"}"#
        );
    }

    fn sample() -> EntryContent {
        EntryContent {
            seq: 7,
            at: "2025-10-09T02:03:04.123456Z".into(),
            actor_id: Some("u1".into()),
            actor_role: Some("clerk".into()),
            org_id: None,
            action: "case.accept".into(),
            subject_type: "case".into(),
            subject_id: "c1".into(),
            rows: vec![RowDigest {
                table: "cases".into(),
                id: "c1".into(),
                digest: row_digest("cases", &[("status", "accepted".into())]),
            }],
            detail: json!({"b": 2, "a": 1}),
        }
    }

    #[test]
    fn entry_hash_covers_every_field() {
        let base = sample();
        let h = entry_hash(GENESIS_HASH, &base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, entry_hash(GENESIS_HASH, &base.clone()));
        // Key order in detail does not matter.
        let mut reordered = base.clone();
        reordered.detail = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        assert_eq!(h, entry_hash(GENESIS_HASH, &reordered));

        let mutations: Vec<fn(&mut EntryContent)> = vec![
            |e| e.seq += 1,
            |e| e.at.push('x'),
            |e| e.actor_id = None,
            |e| e.actor_role = Some(String::new()),
            |e| e.org_id = Some(String::new()),
            |e| e.action.push('x'),
            |e| e.subject_type.push('x'),
            |e| e.subject_id.push('x'),
            |e| e.rows[0].digest = "deleted".into(),
            |e| e.rows[0].table.push('x'),
            |e| e.rows[0].id.push('x'),
            |e| e.rows.clear(),
            |e| e.detail = json!({"a": 1, "b": 3}),
            |e| e.detail = json!(null),
        ];
        for (i, m) in mutations.iter().enumerate() {
            let mut e = base.clone();
            m(&mut e);
            assert_ne!(h, entry_hash(GENESIS_HASH, &e), "mutation {i}");
        }
        assert_ne!(h, entry_hash(&sm3_hex(b"x"), &base));
    }

    #[test]
    fn merkle_small_trees() {
        assert_eq!(merkle_root(&[]), sm3(b""));
        let l: Vec<[u8; 32]> = (0u8..3).map(|i| sm3(&[i])).collect();
        assert_eq!(merkle_root(&l[..1]), merkle_leaf_hash(&l[0]));
        let h = |x: &[u8; 32]| merkle_leaf_hash(x);
        let ab = merkle_node_hash(&h(&l[0]), &h(&l[1]));
        assert_eq!(merkle_root(&l[..2]), ab);
        assert_eq!(merkle_root(&l), merkle_node_hash(&ab, &h(&l[2])));
        assert_eq!(inclusion_proof(&l, 2), vec![ab]);
        assert_eq!(inclusion_proof(&l, 0), vec![h(&l[1]), h(&l[2])]);
        assert!(inclusion_proof(&l[..1], 0).is_empty());
        assert!(verify_inclusion(&l[0], 0, 1, &[], &merkle_root(&l[..1])));
        assert!(!verify_inclusion(&l[0], 1, 1, &[], &merkle_root(&l[..1])));
    }

    /// RFC 6962 §2.1 taken literally, to check the bottom-up implementation against.
    fn reference_root(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            0 => sm3(b""),
            1 => merkle_leaf_hash(&leaves[0]),
            n => {
                let k = split(n);
                merkle_node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn reference_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        let n = leaves.len();
        if n == 1 {
            return vec![];
        }
        let k = split(n);
        if m < k {
            let mut p = reference_path(m, &leaves[..k]);
            p.push(reference_root(&leaves[k..]));
            p
        } else {
            let mut p = reference_path(m - k, &leaves[k..]);
            p.push(reference_root(&leaves[..k]));
            p
        }
    }

    fn split(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn leaves(n: usize, seed: u64) -> Vec<[u8; 32]> {
        (0..n as u64)
            .map(|i| sm3(&(seed ^ i.wrapping_mul(0x9e37_79b9)).to_be_bytes()))
            .collect()
    }

    #[test]
    fn merkle_matches_reference_for_all_small_sizes() {
        for n in 1..=40 {
            let l = leaves(n, n as u64);
            let root = merkle_root(&l);
            assert_eq!(root, reference_root(&l), "size {n}");
            for i in 0..n {
                let proof = inclusion_proof(&l, i);
                assert_eq!(proof, reference_path(i, &l), "size {n} index {i}");
                assert!(verify_inclusion(&l[i], i as u64, n as u64, &proof, &root));
            }
        }
    }

    #[test]
    fn merkle_root_large_tree() {
        let l = leaves(100_000, 1);
        let root = merkle_root(&l);
        let proof = inclusion_proof(&l, 77_777);
        assert!(verify_inclusion(&l[77_777], 77_777, 100_000, &proof, &root));
    }

    #[test]
    fn sign_and_verify() {
        let key = PlatformKey::generate();
        let pk = key.public_key_hex();
        assert_eq!(pk.len(), 130);
        assert!(pk.starts_with("04"));
        let msg = checkpoint_message(42, &sm3_hex(b"root"), "2025-10-09T02:03:04.123456Z");
        assert!(msg.starts_with(b"yiwang-ledger-checkpoint/v1\n42\n"));
        let sig = key.sign(&msg);
        assert_eq!(sig.len(), 128);
        assert!(verify_signature(&pk, &msg, &sig));

        let mut other = msg.clone();
        other[msg.len() - 1] ^= 1;
        assert!(!verify_signature(&pk, &other, &sig));

        let mut bad_sig = hex::decode(&sig).unwrap();
        bad_sig[10] ^= 1;
        assert!(!verify_signature(&pk, &msg, &hex::encode(bad_sig)));
        assert!(!verify_signature(&pk, &msg, "zz"));
        assert!(!verify_signature("04", &msg, &sig));
        let other_key = PlatformKey::generate();
        assert!(!verify_signature(&other_key.public_key_hex(), &msg, &sig));
    }

    #[test]
    fn key_hex_round_trip() {
        let key = PlatformKey::generate();
        let secret = key.secret_hex();
        assert_eq!(secret.len(), 64);
        let back = PlatformKey::from_secret_hex(&secret).unwrap();
        assert_eq!(back.public_key_hex(), key.public_key_hex());
        assert_eq!(back.secret_hex(), secret);
        assert_eq!(format!("{key:?}"), "PlatformKey(..)");
        assert!(verify_signature(
            &key.public_key_hex(),
            b"m",
            &back.sign(b"m")
        ));

        assert_eq!(
            PlatformKey::from_secret_hex("xy").unwrap_err(),
            KeyError::Hex
        );
        assert_eq!(
            PlatformKey::from_secret_hex("00ff").unwrap_err(),
            KeyError::Length { found: 2 }
        );
        assert_eq!(
            PlatformKey::from_secret_hex(&"00".repeat(32)).unwrap_err(),
            KeyError::Scalar
        );
        assert_eq!(
            PlatformKey::from_secret_hex(&"ff".repeat(32))
                .unwrap_err()
                .code(),
            "platform_key.scalar"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn proofs_verify_and_tampering_fails(
            n in 1usize..300,
            index_seed in any::<usize>(),
            seed in any::<u64>(),
            tamper in any::<usize>(),
        ) {
            let l = leaves(n, seed);
            let i = index_seed % n;
            let root = merkle_root(&l);
            let proof = inclusion_proof(&l, i);
            let (iu, nu) = (i as u64, n as u64);
            prop_assert!(verify_inclusion(&l[i], iu, nu, &proof, &root));

            let mut changed_leaf = l[i];
            changed_leaf[0] ^= 1;
            prop_assert!(!verify_inclusion(&changed_leaf, iu, nu, &proof, &root));

            if n > 1 {
                let other = (i + 1 + tamper % (n - 1)) % n;
                prop_assert!(!verify_inclusion(&l[i], other as u64, nu, &proof, &root));
            }
            prop_assert!(!verify_inclusion(&l[i], nu, nu, &proof, &root));
            // A different size is checked against that size's root (the checkpoint binds root and
            // size together); the old proof must not fit it.
            let mut bigger = l.clone();
            bigger.push(sm3(b"extra"));
            let bigger_root = merkle_root(&bigger);
            prop_assert!(!verify_inclusion(&l[i], iu, nu + 1, &proof, &bigger_root));
            if i + 1 < n {
                let smaller_root = merkle_root(&l[..n - 1]);
                prop_assert!(!verify_inclusion(&l[i], iu, nu - 1, &proof, &smaller_root));
            }
            if !proof.is_empty() {
                let mut p = proof.clone();
                let k = tamper % p.len();
                p[k][31] ^= 0x80;
                prop_assert!(!verify_inclusion(&l[i], iu, nu, &p, &root));
                let mut shorter = proof.clone();
                shorter.pop();
                prop_assert!(!verify_inclusion(&l[i], iu, nu, &shorter, &root));
            }
            let mut longer = proof.clone();
            longer.push([0u8; 32]);
            prop_assert!(!verify_inclusion(&l[i], iu, nu, &longer, &root));
            let mut bad_root = root;
            bad_root[0] ^= 1;
            prop_assert!(!verify_inclusion(&l[i], iu, nu, &proof, &bad_root));
        }
    }
}
