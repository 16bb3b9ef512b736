//! The offline check of a section archive (`yiwang archive verify FILE`): no database, only the
//! archive and the platform's public key. It fails, naming the entry, when
//! - an entry is added, missing, or its bytes differ from the manifest's size and SHA-256;
//! - the manifest is not signed by the key, or names another key than the one given;
//! - the checkpoint is not signed by the key;
//! - a ledger entry's hash does not follow from its content, or its inclusion proof does not
//!   lead to the checkpoint's root;
//! - a record's digest is not the one its ledger entry recorded, or a file's SM3 is not the one
//!   its record names.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

use sha2::{Digest, Sha256};
use yiwang_core::ledger::{checkpoint_message, entry_hash, verify_inclusion, verify_signature};
use yiwang_store::{
    Clarification, Deposit, DocumentDownload, Objection, Opening, SealedBid, TenderDocument,
    TradingParty, TradingProject, TradingSection,
};

use super::{MANIFEST, Manifest, SIGNATURE};

/// What a verified archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub section_id: String,
    pub transaction_code: Option<String>,
    pub entries: usize,
    pub ledger_entries: usize,
    pub tree_size: u64,
    /// The key the archive was checked with (given, or the manifest's own).
    pub public_key: String,
}

/// Largest manifest read (a section has thousands of entries at most).
const MANIFEST_LIMIT: u64 = 64 * 1024 * 1024;

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let f = zip
        .by_name(name)
        .map_err(|e| format!("{name}: missing from the archive ({e})"))?;
    let mut out = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: cannot be read ({e})"))?;
    if out.len() as u64 > limit {
        return Err(format!("{name}: larger than {limit} bytes"));
    }
    Ok(out)
}

/// Hash an entry as it is read, SHA-256 and SM3, without holding it.
fn hash_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<(u64, String, String), String> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| format!("entry {name} is missing from the archive ({e})"))?;
    let mut sha = Sha256::new();
    let mut sm3 = <sm3::Sm3 as sm3::Digest>::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("entry {name} is damaged ({e})"))?;
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        sm3::Digest::update(&mut sm3, &buf[..n]);
        size += n as u64;
    }
    Ok((
        size,
        hex::encode(sha.finalize()),
        hex::encode(sm3::Digest::finalize(sm3)),
    ))
}

/// The row digest of a record's JSON, by its table (the store's own `digest()`).
fn row_digest(table: &str, json: &[u8]) -> Result<String, String> {
    fn d<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, String> {
        serde_json::from_slice(json).map_err(|e| format!("not a record of its table ({e})"))
    }
    Ok(match table {
        TradingProject::TABLE => d::<TradingProject>(json)?.digest(),
        TradingSection::TABLE => d::<TradingSection>(json)?.digest(),
        TradingParty::TABLE => d::<TradingParty>(json)?.digest(),
        TenderDocument::TABLE => d::<TenderDocument>(json)?.digest(),
        DocumentDownload::TABLE => d::<DocumentDownload>(json)?.digest(),
        Clarification::TABLE => d::<Clarification>(json)?.digest(),
        Objection::TABLE => d::<Objection>(json)?.digest(),
        Deposit::TABLE => d::<Deposit>(json)?.digest(),
        SealedBid::TABLE => d::<SealedBid>(json)?.digest(),
        Opening::TABLE => d::<Opening>(json)?.digest(),
        other => return Err(format!("table {other} is not archived")),
    })
}

fn h32(what: &str, s: &str) -> Result<[u8; 32], String> {
    hex::decode(s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| format!("{what} is not a 32-byte hex hash"))
}

/// Check an archive (a ZIP file) against the platform's public key (hex); `None` trusts the key
/// the manifest names — print it and compare it with the published one.
pub fn verify<R: Read + Seek>(archive: R, public_key: Option<&str>) -> Result<Verified, String> {
    let mut zip = zip::ZipArchive::new(archive).map_err(|e| format!("not a ZIP archive ({e})"))?;
    let text = read_entry(&mut zip, MANIFEST, MANIFEST_LIMIT)?;
    let sig = read_entry(&mut zip, SIGNATURE, 1024)?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| format!("{MANIFEST}: not an archive manifest ({e})"))?;
    if m.format != super::FORMAT {
        return Err(format!("{MANIFEST}: unknown format {:?}", m.format));
    }
    let key = match public_key {
        Some(k) if !k.trim().eq_ignore_ascii_case(&m.public_key) => {
            return Err(format!(
                "{MANIFEST}: names the key {}, not the published key given",
                m.public_key
            ));
        }
        Some(k) => k.trim().to_string(),
        None => m.public_key.clone(),
    };
    let sig = String::from_utf8(sig).map_err(|_| format!("{SIGNATURE}: not text"))?;
    if !verify_signature(&key, &text, sig.trim()) {
        return Err(format!(
            "{MANIFEST}: the platform's signature ({SIGNATURE}) does not verify — the manifest was changed"
        ));
    }

    // Every entry in the ZIP is listed, and every listed entry is there with its bytes.
    let listed: BTreeMap<&str, &super::Entry> =
        m.entries.iter().map(|e| (e.path.as_str(), e)).collect();
    if listed.len() != m.entries.len() {
        return Err(format!("{MANIFEST}: an entry is listed twice"));
    }
    let names: Vec<String> = zip
        .file_names()
        .map(|n| {
            n.map(|c| c.into_owned())
                .map_err(|e| format!("the archive's directory is damaged ({e})"))
        })
        .collect::<Result<_, _>>()?;
    let mut present = BTreeSet::new();
    for n in &names {
        if n == MANIFEST || n == SIGNATURE {
            continue;
        }
        if !listed.contains_key(n.as_str()) {
            return Err(format!(
                "entry {n} was added: the manifest does not list it"
            ));
        }
        if !present.insert(n.clone()) {
            return Err(format!("entry {n} appears twice in the archive"));
        }
    }
    let mut sm3s = BTreeMap::new();
    let mut jsons = BTreeMap::new();
    for e in &m.entries {
        if !present.contains(&e.path) {
            return Err(format!("entry {} is missing from the archive", e.path));
        }
        let (size, sha, sm3) = hash_entry(&mut zip, &e.path)?;
        if size != e.size || sha != e.sha256 {
            return Err(format!(
                "entry {} was changed: {size} bytes with SHA-256 {sha}, the manifest says {} bytes with {}",
                e.path, e.size, e.sha256
            ));
        }
        sm3s.insert(e.path.clone(), sm3);
        if e.row.is_some() {
            jsons.insert(e.path.clone(), read_entry(&mut zip, &e.path, e.size)?);
        }
    }

    // The checkpoint and the ledger entries in it.
    let c = &m.checkpoint;
    if !verify_signature(
        &key,
        &checkpoint_message(c.tree_size, &c.root, &c.at),
        &c.signature,
    ) {
        return Err(format!(
            "checkpoint of {} entries: the signature does not verify with the key",
            c.tree_size
        ));
    }
    let root = h32("the checkpoint root", &c.root)?;
    let mut recorded: BTreeMap<i64, &yiwang_core::ledger::EntryContent> = BTreeMap::new();
    for l in &m.ledger {
        let seq = l.content.seq;
        if entry_hash(&l.prev_hash, &l.content) != l.hash {
            return Err(format!(
                "ledger entry {seq}: its hash does not follow from its content"
            ));
        }
        let proof = l
            .proof
            .iter()
            .map(|p| h32(&format!("ledger entry {seq}: a proof node"), p))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = h32(&format!("ledger entry {seq}: the hash"), &l.hash)?;
        if seq < 1 || !verify_inclusion(&leaf, (seq - 1) as u64, c.tree_size, &proof, &root) {
            return Err(format!(
                "ledger entry {seq} is NOT proven to be in the checkpoint of {} entries",
                c.tree_size
            ));
        }
        recorded.insert(seq, &l.content);
    }

    // Each record is what its ledger entry recorded; each file is what its record names.
    let mut rows = BTreeMap::new();
    for e in &m.entries {
        let Some(r) = &e.row else { continue };
        let digest = row_digest(&r.table, &jsons[&e.path])
            .map_err(|err| format!("entry {}: {err}", e.path))?;
        if digest != r.digest {
            return Err(format!(
                "entry {}: the record's digest is not the one listed",
                e.path
            ));
        }
        let content = recorded.get(&r.seq).ok_or_else(|| {
            format!(
                "entry {}: ledger entry {} is not in the archive",
                e.path, r.seq
            )
        })?;
        if !content
            .rows
            .iter()
            .any(|x| x.table == r.table && x.id == r.id && x.digest == r.digest)
        {
            return Err(format!(
                "entry {}: ledger entry {} did not record this record",
                e.path, r.seq
            ));
        }
        rows.insert((r.table.clone(), r.id.clone()), e.path.clone());
    }
    for e in &m.entries {
        let Some(f) = &e.file else { continue };
        let owner = rows.get(&(f.table.clone(), f.id.clone())).ok_or_else(|| {
            format!(
                "entry {}: its record {}/{} is not archived",
                e.path, f.table, f.id
            )
        })?;
        let named: serde_json::Value =
            serde_json::from_slice(&jsons[owner]).map_err(|err| format!("entry {owner}: {err}"))?;
        if named.get("blob_digest").and_then(|v| v.as_str()) != Some(f.sm3.as_str())
            || sm3s[&e.path] != f.sm3
        {
            return Err(format!(
                "entry {}: the file is not the one its record {owner} names",
                e.path
            ));
        }
    }
    Ok(Verified {
        section_id: m.section_id,
        transaction_code: m.transaction_code,
        entries: m.entries.len(),
        ledger_entries: m.ledger.len(),
        tree_size: c.tree_size,
        public_key: key,
    })
}
