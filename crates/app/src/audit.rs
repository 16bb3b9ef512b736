//! The tamper-evident audit ledger (全程留痕): verification, signed checkpoints and inclusion
//! proofs.
//!
//! Every entry's hash covers the previous entry's hash (a chain), and every entry lists the
//! digests of the rows it changed. `verify` recomputes all of it: an edited, deleted or inserted
//! ledger row breaks the chain; an edited business row no longer matches its last digest.
//! Checkpoints sign the Merkle root of all entries so far with the platform's SM2 key, so a holder
//! of a receipt can prove its entry is in a published checkpoint.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::ledger::{checkpoint_message, entry_hash, verify_signature};
use yiwang_core::time::rfc3339_micros;
use yiwang_store::entry_content;
use yiwang_store::{CatalogFile, Checkpoint, LedgerRow, Store};

use crate::blobs::{BlobState, Blobs};
use crate::{App, AppResult, now_micros};

/// One thing `verify` found wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `ledger.hash_mismatch`, `row.digest_mismatch`.
    pub code: String,
    pub seq: Option<i64>,
    pub table: Option<String>,
    pub id: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    pub entries: i64,
    pub checkpoints: usize,
    pub rows_checked: usize,
    /// Blobs re-hashed by [`verify_with_blobs`] (0 when only the database was verified).
    pub blobs_checked: usize,
    /// The id (fingerprint) of the key the checkpoints were verified with.
    pub key_id: String,
    /// The ids of the signing keys registered in the ledger.
    pub registered_keys: Vec<String>,
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

fn finding(
    code: &str,
    seq: Option<i64>,
    table: Option<&str>,
    id: Option<&str>,
    msg: String,
) -> Finding {
    Finding {
        code: code.into(),
        seq,
        table: table.map(Into::into),
        id: id.map(Into::into),
        message: msg,
    }
}

fn hash_bytes(hex_hash: &str) -> Option<[u8; 32]> {
    hex::decode(hex_hash).ok()?.try_into().ok()
}

/// [`verify`], then re-hash every blob a file row refers to: a blob that is missing, or whose
/// content no longer hashes to its digest (or has another size), is a finding (`blob.missing`,
/// `blob.altered`) naming the file.
pub async fn verify_with_blobs(
    store: &Arc<dyn Store>,
    blobs: &Blobs,
    public_key_hex: &str,
    witness: Option<WitnessCheck<'_>>,
) -> AppResult<VerifyReport> {
    let mut report = verify_against(store, public_key_hex, witness).await?;
    let files = store.read().await?.list_files().await?;
    for f in files {
        report.blobs_checked += 1;
        let problem = match blobs.check(&f.digest, f.size.max(0) as u64).await? {
            BlobState::Intact => continue,
            BlobState::Missing => (
                "blob.missing",
                format!(
                    "the content of file {} ({}) is missing from the blob store {} (digest {})",
                    f.id,
                    f.filename,
                    blobs.describe(),
                    f.digest
                ),
            ),
            BlobState::Altered { actual, size } => (
                "blob.altered",
                format!(
                    "the content of file {} ({}) was altered in the blob store {}: digest {} expected, {actual} ({size} bytes) found",
                    f.id,
                    f.filename,
                    blobs.describe(),
                    f.digest
                ),
            ),
        };
        report.findings.push(finding(
            problem.0,
            None,
            Some(CatalogFile::TABLE),
            Some(&f.id),
            problem.1,
        ));
    }
    crate::cases::check_blobs(store, blobs, &mut report).await?;
    Ok(report)
}

/// Recompute the chain, every checkpoint and the digest of every covered row.
/// `public_key_hex` is the platform key checkpoints must be signed with.
pub async fn verify(store: &Arc<dyn Store>, public_key_hex: &str) -> AppResult<VerifyReport> {
    verify_against(store, public_key_hex, None).await
}

/// A witness's history to check the database against, and optionally the witness key to trust.
pub struct WitnessCheck<'a> {
    pub history: &'a [crate::witness::Witnessed],
    pub pinned_key: Option<&'a str>,
}

/// [`verify`], and, with a witness's history, that every checkpoint the witness cosigned still
/// matches the database: a ledger shortened, rewritten and re-chained, or re-signed after its
/// checkpoints were deleted, no longer hashes to what the witness saw.
pub async fn verify_against(
    store: &Arc<dyn Store>,
    public_key_hex: &str,
    witness: Option<WitnessCheck<'_>>,
) -> AppResult<VerifyReport> {
    let mut report = VerifyReport::default();
    let mut tx = store.read().await?;
    let mut leaves: Vec<[u8; 32]> = Vec::new();
    let mut last_digest: HashMap<(String, String), (String, i64)> = HashMap::new();
    let mut prev_hash = yiwang_core::ledger::GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    let mut registered: Vec<String> = Vec::new();
    'chain: loop {
        let page = tx.ledger_entries(expected_seq - 1, 5000).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            if let Some(f) = check_entry(&row, expected_seq, &prev_hash) {
                report.findings.push(f);
                break 'chain;
            }
            if row.action == crate::platform_key::REGISTER_ACTION {
                registered.push(row.subject_id.clone());
            }
            let rows: Vec<yiwang_core::ledger::RowDigest> =
                serde_json::from_str(&row.rows_json).unwrap_or_default();
            for r in rows {
                last_digest.insert((r.table, r.id), (r.digest, row.seq));
            }
            leaves.push(hash_bytes(&row.hash).unwrap_or_default());
            prev_hash = row.hash.clone();
            expected_seq += 1;
        }
    }
    report.entries = expected_seq - 1;
    if !report.findings.is_empty() {
        return Ok(report);
    }
    report.key_id = crate::platform_key::key_id(public_key_hex);
    if !registered.is_empty() && !registered.contains(&report.key_id) {
        // Checked only once the chain is whole: a registration entry is then genuine.
        report.findings.push(finding(
            "key.not_registered",
            None,
            None,
            None,
            format!(
                "checkpoints are checked against key {} but the ledger registered only {}: the key was swapped",
                report.key_id,
                registered.join(", ")
            ),
        ));
    }
    registered.sort();
    registered.dedup();
    report.registered_keys = registered;
    let (head_seq, head_hash) = tx.ledger_head().await?;
    if head_seq != report.entries || (head_seq > 0 && head_hash != prev_hash) {
        report.findings.push(finding(
            "ledger.head_mismatch",
            Some(report.entries + 1),
            None,
            None,
            format!(
                "ledger head says {head_seq} entries but {} are chained: entries were removed or added after the last one",
                report.entries
            ),
        ));
    }
    let checkpoints = tx.list_checkpoints().await?;
    report.checkpoints = checkpoints.len();
    // Every checkpoint's root, from one pass over the leaves (O(log n) memory per root).
    let mut by_size: Vec<&Checkpoint> = checkpoints.iter().collect();
    by_size.sort_by_key(|c| c.tree_size);
    let mut frontier = yiwang_core::merkle::Frontier::default();
    for c in by_size {
        while (frontier.size() as i64) < c.tree_size && (frontier.size() as usize) < leaves.len() {
            frontier.push(&leaves[frontier.size() as usize]);
        }
        if let Some(f) = check_checkpoint(c, &frontier, public_key_hex) {
            report.findings.push(f);
        }
    }
    if let Some(w) = witness {
        check_witnessed(&w, &leaves, public_key_hex, &mut report);
    }
    for (code, msg) in crate::ledger_tree::check(&mut *tx, &leaves).await? {
        report
            .findings
            .push(finding(&code, None, Some("ledger_merkle"), None, msg));
    }
    check_rows(&mut *tx, &last_digest, &mut report).await?;
    Ok(report)
}

fn check_entry(row: &LedgerRow, expected_seq: i64, prev_hash: &str) -> Option<Finding> {
    if row.seq != expected_seq {
        return Some(finding(
            "ledger.sequence_gap",
            Some(expected_seq),
            None,
            None,
            format!(
                "expected entry {expected_seq}, found {}: an entry was deleted or inserted",
                row.seq
            ),
        ));
    }
    if row.prev_hash != prev_hash {
        return Some(finding(
            "ledger.chain_broken",
            Some(row.seq),
            None,
            None,
            format!(
                "entry {} does not link to the hash of entry {}",
                row.seq,
                row.seq - 1
            ),
        ));
    }
    let recomputed = match entry_content(row) {
        Ok(content) => entry_hash(prev_hash, &content),
        Err(e) => {
            return Some(finding(
                "ledger.unreadable",
                Some(row.seq),
                None,
                None,
                format!("entry {} cannot be read: {e}", row.seq),
            ));
        }
    };
    if recomputed != row.hash {
        return Some(finding(
            "ledger.hash_mismatch",
            Some(row.seq),
            None,
            None,
            format!(
                "entry {} was altered: its content no longer matches its hash",
                row.seq
            ),
        ));
    }
    None
}

fn check_witnessed(
    w: &WitnessCheck<'_>,
    leaves: &[[u8; 32]],
    public_key_hex: &str,
    report: &mut VerifyReport,
) {
    let mut history: Vec<&crate::witness::Witnessed> = w.history.iter().collect();
    history.sort_by_key(|h| h.tree_size);
    let mut frontier = yiwang_core::merkle::Frontier::default();
    for h in history {
        let size = h.tree_size as i64;
        if !crate::witness::genuine(h, public_key_hex, w.pinned_key) {
            report.findings.push(finding(
                "witness.not_genuine",
                Some(size),
                None,
                None,
                format!(
                    "the witnessed checkpoint of {size} entries is not signed by the platform key and cosigned by the witness"
                ),
            ));
            continue;
        }
        while frontier.size() < h.tree_size && (frontier.size() as usize) < leaves.len() {
            frontier.push(&leaves[frontier.size() as usize]);
        }
        if frontier.size() < h.tree_size {
            report.findings.push(finding(
                "witness.beyond_ledger",
                Some(size),
                None,
                None,
                format!(
                    "the witness saw {size} entries but the ledger has {}: entries were removed",
                    leaves.len()
                ),
            ));
        } else if hex::encode(frontier.root()) != h.root {
            report.findings.push(finding(
                "witness.root_mismatch",
                Some(size),
                None,
                None,
                format!(
                    "the first {size} entries no longer hash to the root the witness cosigned: history was rewritten"
                ),
            ));
        }
    }
}

fn check_checkpoint(
    c: &Checkpoint,
    tree: &yiwang_core::merkle::Frontier,
    public_key_hex: &str,
) -> Option<Finding> {
    if c.tree_size < 1 || c.tree_size as u64 > tree.size() {
        return Some(finding(
            "checkpoint.beyond_ledger",
            Some(c.tree_size),
            None,
            None,
            format!(
                "checkpoint covers {} entries but only {} exist",
                c.tree_size,
                tree.size()
            ),
        ));
    }
    let root = hex::encode(tree.root());
    if root != c.root {
        return Some(finding(
            "checkpoint.root_mismatch",
            Some(c.tree_size),
            None,
            None,
            format!(
                "the entries up to {} no longer hash to the signed root",
                c.tree_size
            ),
        ));
    }
    let msg = checkpoint_message(c.tree_size as u64, &c.root, &rfc3339_micros(c.at));
    if !verify_signature(public_key_hex, &msg, &c.signature) {
        return Some(finding(
            "checkpoint.bad_signature",
            Some(c.tree_size),
            None,
            None,
            format!(
                "the signature of checkpoint {} does not verify",
                c.tree_size
            ),
        ));
    }
    None
}

async fn check_rows(
    tx: &mut dyn yiwang_store::ReadTx,
    last: &HashMap<(String, String), (String, i64)>,
    report: &mut VerifyReport,
) -> AppResult<()> {
    let current = crate::registry::covered_rows(&mut *tx).await?;
    report.rows_checked = current.len();
    let mut seen = std::collections::HashSet::new();
    for (table, id, digest) in current {
        let key = (table.to_string(), id.clone());
        match last.get(&key) {
            None => report.findings.push(finding(
                "row.not_in_ledger",
                None,
                Some(table),
                Some(&id),
                format!("{table} row {id} was written outside the platform (no ledger entry)"),
            )),
            Some((expected, seq)) if *expected != digest => report.findings.push(finding(
                "row.digest_mismatch",
                Some(*seq),
                Some(table),
                Some(&id),
                format!(
                    "{table} row {id} was changed outside the platform (last ledger entry {seq})"
                ),
            )),
            Some(_) => {}
        }
        seen.insert(key);
    }
    for ((table, id), (digest, seq)) in last {
        if digest != "deleted" && !seen.contains(&(table.clone(), id.clone())) {
            report.findings.push(finding(
                "row.missing",
                Some(*seq),
                Some(table),
                Some(id),
                format!(
                    "{table} row {id} was deleted outside the platform (last ledger entry {seq})"
                ),
            ));
        }
    }
    report.findings.sort_by_key(|f| f.seq.unwrap_or(i64::MAX));
    Ok(())
}

/// The public key checkpoints must verify against: from `YIWANG_SIGNING_KEY` when set, else the
/// key kept in the database. Read-only (used by `yiwang audit verify`).
pub async fn platform_public_key(store: &Arc<dyn Store>) -> AppResult<Option<String>> {
    if let Some(key) = crate::platform_key::external_key()? {
        return Ok(Some(key.public_key_hex()));
    }
    Ok(store
        .read()
        .await?
        .get_platform_key()
        .await?
        .map(|k| k.public_key))
}

/// Extend the stored Merkle tree towards the ledger head and sign a checkpoint over what it
/// covers, unless the newest checkpoint already covers as much. Runs inside the caller's (job's)
/// write transaction; a long backlog (a ledger that predates the stored tree) is covered over
/// several runs, [`crate::ledger_tree::MAX_EXTEND`] entries at a time.
pub async fn checkpoint_in(
    tx: &mut dyn yiwang_store::WriteTx,
    app: &App,
) -> AppResult<Option<Checkpoint>> {
    let (head, _) = tx.ledger_head().await?;
    let size = crate::ledger_tree::extend(tx, head).await?;
    if size == 0 {
        return Ok(None);
    }
    if let Some(latest) = tx.latest_checkpoint().await?
        && latest.tree_size >= size
    {
        return Ok(None);
    }
    let root = hex::encode(crate::ledger_tree::root(tx, size).await?);
    let at = now_micros();
    let signature =
        app.platform_key()
            .sign(&checkpoint_message(size as u64, &root, &rfc3339_micros(at)));
    let c = Checkpoint {
        tree_size: size,
        root,
        at,
        key_id: app.platform_key_id().into(),
        signature,
    };
    tx.insert_checkpoint(&c).await?;
    Ok(Some(c))
}

/// Bring the stored Merkle tree up to the newest checkpoint (start-up of a ledger that predates
/// the stored tree), in transactions of [`crate::ledger_tree::MAX_EXTEND`] entries.
pub async fn catch_up_tree(store: &Arc<dyn Store>) -> AppResult<()> {
    loop {
        let mut tx = store.write().await?;
        let Some(latest) = tx.latest_checkpoint().await? else {
            return Ok(());
        };
        let before = tx.merkle_size().await?;
        if before >= latest.tree_size {
            return Ok(());
        }
        let after = crate::ledger_tree::extend(&mut *tx, latest.tree_size).await?;
        tx.commit().await?;
        if after == before {
            // The entries are not there to cover (a tampered ledger): `audit verify` says so.
            return Ok(());
        }
    }
}

/// Sign a checkpoint now (CLI, demo, tests); the job runner does the same on its timer.
pub async fn checkpoint(app: &App) -> AppResult<Option<Checkpoint>> {
    let mut tx = app.store.write().await?;
    let c = checkpoint_in(&mut *tx, app).await?;
    tx.commit().await?;
    Ok(c)
}

/// A published checkpoint with what a verifier needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignedCheckpoint {
    pub tree_size: i64,
    /// Merkle root (RFC 6962 tree over entry hashes, SM3), hex.
    pub root: String,
    /// RFC 3339 UTC; part of the signed message.
    pub at: String,
    pub key_id: String,
    pub algorithm: String,
    pub public_key: String,
    /// SM2 signature (r || s, hex) over `yiwang-ledger-checkpoint/v1\n{tree_size}\n{root}\n{at}`.
    pub signature: String,
}

pub fn signed(app: &App, c: Checkpoint) -> SignedCheckpoint {
    SignedCheckpoint {
        tree_size: c.tree_size,
        root: c.root,
        at: rfc3339_micros(c.at),
        key_id: c.key_id,
        algorithm: crate::platform_key::ALGORITHM.into(),
        public_key: app.platform_key().public_key_hex(),
        signature: c.signature,
    }
}

pub async fn latest_checkpoint(app: &App) -> AppResult<Option<SignedCheckpoint>> {
    let c = app.store.read().await?.latest_checkpoint().await?;
    Ok(c.map(|c| signed(app, c)))
}

/// An entry's receipt and its inclusion proof against a checkpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InclusionProof {
    pub seq: i64,
    pub leaf_index: i64,
    /// The entry's hash (the Merkle leaf before leaf-hashing).
    pub entry_hash: String,
    /// Audit path, leaf side first, hex.
    pub proof: Vec<String>,
    pub checkpoint: SignedCheckpoint,
}

/// Prove entry `seq` is in the checkpoint of `tree_size` (default: the newest checkpoint).
pub async fn prove(app: &App, seq: i64, tree_size: Option<i64>) -> AppResult<InclusionProof> {
    let mut tx = app.store.read().await?;
    let c = match tree_size {
        Some(n) => tx.get_checkpoint(n).await?,
        None => tx.latest_checkpoint().await?,
    }
    .ok_or_else(|| Problem::not_found("检查点", "Checkpoint"))?;
    if seq < 1 || seq > c.tree_size {
        return Err(Problem::invalid(
            "ledger.not_in_checkpoint",
            format!(
                "第{seq}条不在该检查点(共{}条)内,请稍后使用更新的检查点",
                c.tree_size
            ),
            format!(
                "Entry {seq} is not covered by this checkpoint of {} entries; try a newer one",
                c.tree_size
            ),
        )
        .into());
    }
    let entry = tx
        .ledger_entry(seq)
        .await?
        .ok_or_else(|| Problem::not_found("留痕记录", "Ledger entry"))?;
    let proof = crate::ledger_tree::inclusion(&mut *tx, seq, c.tree_size)
        .await?
        .iter()
        .map(hex::encode)
        .collect();
    Ok(InclusionProof {
        seq,
        leaf_index: seq - 1,
        entry_hash: entry.hash,
        proof,
        checkpoint: signed(app, c),
    })
}

/// A consistency proof (RFC 6962 §2.1.2) that the tree of `from` entries is a prefix of the
/// signed checkpoint of `to` entries: nothing in the first `from` entries was rewritten.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyProof {
    pub from_size: i64,
    /// Merkle root of the first `from_size` entries, hex.
    pub from_root: String,
    /// The signed checkpoint of `from_size` entries, when one was published.
    pub from_checkpoint: Option<SignedCheckpoint>,
    /// Proof nodes in RFC 6962 order, hex.
    pub proof: Vec<String>,
    pub to: SignedCheckpoint,
}

/// Prove the ledger of `from` entries is a prefix of the checkpoint of `to` entries (default:
/// the newest checkpoint). Reads O(log n) stored nodes.
pub async fn prove_consistency(
    app: &App,
    from: i64,
    to: Option<i64>,
) -> AppResult<ConsistencyProof> {
    let mut tx = app.store.read().await?;
    let c = match to {
        Some(n) => tx.get_checkpoint(n).await?,
        None => tx.latest_checkpoint().await?,
    }
    .ok_or_else(|| Problem::not_found("检查点", "Checkpoint"))?;
    if from < 1 || from > c.tree_size {
        return Err(Problem::invalid(
            "ledger.consistency_range",
            format!("起始规模须为1至{}", c.tree_size),
            format!("The earlier tree size must be 1 to {}", c.tree_size),
        )
        .into());
    }
    let (old_root, proof) = crate::ledger_tree::consistency(&mut *tx, from, c.tree_size).await?;
    let from_checkpoint = tx.get_checkpoint(from).await?.map(|c| signed(app, c));
    Ok(ConsistencyProof {
        from_size: from,
        from_root: hex::encode(old_root),
        from_checkpoint,
        proof: proof.iter().map(hex::encode).collect(),
        to: signed(app, c),
    })
}

/// Whether the actor may read a ledger entry: its own actions, or audit rights over the acting
/// organisation (platform-level auditors for the platform's own entries).
async fn may_read(
    tx: &mut dyn yiwang_store::ReadTx,
    actor: &Actor,
    row: &LedgerRow,
) -> AppResult<bool> {
    if row.actor_id.as_deref() == Some(actor.user_id.as_str()) {
        return Ok(true);
    }
    let path = match &row.org_id {
        Some(org) => tx.get_organisation(org).await?.map(|o| o.path),
        None => None,
    };
    Ok(match path {
        Some(p) => access::authorize(actor, Permission::ViewAudit, Scope::Org(&p)).is_ok(),
        None => access::authorize(actor, Permission::ViewAudit, Scope::Platform).is_ok(),
    })
}

/// A ledger entry as a receipt (its content and hash), for those who may read it.
pub async fn entry_for(store: &Arc<dyn Store>, actor: &Actor, seq: i64) -> AppResult<LedgerRow> {
    let mut tx = store.read().await?;
    let row = tx
        .ledger_entry(seq)
        .await?
        .ok_or_else(|| Problem::not_found("留痕记录", "Ledger entry"))?;
    if !may_read(&mut *tx, actor, &row).await? {
        return Err(Problem::not_found("留痕记录", "Ledger entry").into());
    }
    Ok(row)
}

/// The newest entries the actor may read (scans at most `scan` recent entries).
pub async fn recent_for(
    store: &Arc<dyn Store>,
    actor: &Actor,
    limit: usize,
) -> AppResult<Vec<LedgerRow>> {
    let mut tx = store.read().await?;
    let mut out = Vec::new();
    for row in tx.ledger_recent(500).await? {
        if out.len() >= limit {
            break;
        }
        if may_read(&mut *tx, actor, &row).await? {
            out.push(row);
        }
    }
    Ok(out)
}

/// The audit ledger in the capability registry: its checkpoint job. (The ledger's own tables are
/// covered by the hash chain, not by row digests.)
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "ledger",
    jobs: &[crate::registry::JobSpec {
        kind: crate::jobs::CHECKPOINT,
        run: |app, tx, _job| {
            Box::pin(async move {
                Ok(match checkpoint_in(tx, app).await? {
                    Some(c) => format!("checkpoint {}", c.tree_size),
                    None => "no new entries".into(),
                })
            })
        },
        every: Some(|cfg| cfg.checkpoint_every),
    }],
    ..crate::registry::Capability::EMPTY
};
