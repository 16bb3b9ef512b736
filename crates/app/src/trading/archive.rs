//! 一项目一档案 (DOMAIN §2.5): the downloadable archive of one section — every record of it (the
//! project and section, the parties, tender documents, downloads, clarifications, objections and
//! replies, deposits, bid receipts, openings) as JSON, every file (tender documents, sealed bid
//! ciphertexts) as stored, and `manifest.json`: each entry's size and SHA-256, for a record its
//! row digest and the ledger entry that recorded that digest, for a file the record whose SM3
//! digest it has; every such ledger entry with its inclusion proof against one signed
//! checkpoint, the checkpoint, and the platform's public key. `manifest.sig` is the platform's
//! SM2 signature over `manifest.json`.
//!
//! [`verify`] checks an archive with no database (`yiwang archive verify FILE`): any changed,
//! missing or added byte fails, naming the entry.
//!
//! Finding the ledger entry of each record reads the ledger once, in pages; the archive is built
//! in a temporary file and streamed from it.

mod verify;

use std::collections::BTreeMap;
use std::io::{Seek, Write};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission};
use yiwang_core::ledger::{EntryContent, RowDigest};
use yiwang_core::trading::archive::ArchiveDocument;
use yiwang_store::prelude::*;
use yiwang_store::{
    Clarification, Deposit, DocumentDownload, Objection, Opening, SealedBid, TenderDocument,
    TradingParty, TradingProject, TradingSection,
};

pub use verify::{Verified, verify};

use super::{centre_grant, org_path, section_ctx, tender_grant};
use crate::blobs::BlobRead;
use crate::{App, AppError, AppResult};

/// The archive format, named in the manifest.
pub const FORMAT: &str = "yiwang-archive/v1";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";

/// A record in the archive: the row's table, id and digest, and the ledger entry recording it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRef {
    pub table: String,
    pub id: String,
    /// SM3 row digest (`yiwang-row/v1`), as in the ledger entry.
    pub digest: String,
    pub seq: i64,
}

/// A file in the archive: the record that names it and its SM3 digest (the blob store's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub table: String,
    pub id: String,
    pub sm3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    /// The archive document (`ArchiveDocument` text), or `party` for a party's record.
    pub document: String,
    pub size: u64,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
}

/// A ledger entry the archive relies on, with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerProof {
    pub prev_hash: String,
    pub hash: String,
    pub content: EntryContent,
    /// Audit path against the checkpoint, leaf side first, hex.
    pub proof: Vec<String>,
}

/// The signed checkpoint the proofs lead to (`yiwang-ledger-checkpoint/v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCheckpoint {
    pub tree_size: u64,
    pub root: String,
    pub at: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub section_id: String,
    pub transaction_code: Option<String>,
    pub project_code: String,
    pub title: String,
    pub generated_at: String,
    pub key_id: String,
    /// The platform's SM2 public key (hex), as published at `/api/v1/ledger/checkpoints/latest`.
    pub public_key: String,
    pub entries: Vec<Entry>,
    pub ledger: Vec<LedgerProof>,
    pub checkpoint: ArchiveCheckpoint,
}

/// A built archive: a temporary file (already unlinked) and its name.
pub struct ArchiveFile {
    pub filename: String,
    pub size: u64,
    file: tempfile::NamedTempFile,
}

impl ArchiveFile {
    /// The archive as a stream (the temporary file goes when the stream ends).
    pub async fn read(self) -> AppResult<BlobRead> {
        let path = self.file.path().to_path_buf();
        let read = crate::blobs::read_path(&path, None)
            .await?
            .ok_or_else(|| AppError::Internal("the archive file vanished".into()))?;
        // The open handle keeps the content; the name can go now.
        drop(self.file);
        Ok(read)
    }

    /// The archive's bytes (tests and tools).
    pub fn bytes(&self) -> AppResult<Vec<u8>> {
        std::fs::read(self.file.path()).map_err(|e| AppError::Internal(format!("archive: {e}")))
    }
}

/// Who may download a section's archive: the trading centre's staff, the regulators of its
/// region, and the tenderee's (or agency's) people.
async fn authorize_archive(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    project: &TradingProject,
) -> AppResult<()> {
    if centre_grant(tx, actor, project).await.is_ok()
        || tender_grant(tx, actor, project).await.is_ok()
    {
        return Ok(());
    }
    let centre = org_path(tx, &project.centre_org_id).await?;
    access::authorize_in_region(actor, Permission::SuperviseTrading, &centre)?;
    Ok(())
}

/// One record to archive.
struct Rec {
    table: &'static str,
    id: String,
    digest: String,
    document: String,
    path: String,
    json: Vec<u8>,
}

fn rec<T: Serialize>(
    table: &'static str,
    id: &str,
    digest: String,
    document: ArchiveDocument,
    row: &T,
) -> AppResult<Rec> {
    Ok(Rec {
        table,
        id: id.to_string(),
        digest,
        document: document.as_str().into(),
        path: format!("records/{table}/{id}.json"),
        json: serde_json::to_vec_pretty(row)
            .map_err(|e| AppError::Internal(format!("archive record: {e}")))?,
    })
}

/// The records of the section, in procedure order, and the files to fetch from the blob store.
async fn collect(
    tx: &mut dyn ReadTx,
    s: &TradingSection,
    p: &TradingProject,
) -> AppResult<(Vec<Rec>, Vec<(FileRef, String, String)>)> {
    use ArchiveDocument as D;
    let mut out = vec![
        rec(
            TradingProject::TABLE,
            &p.id,
            p.digest(),
            D::RegistrationForm,
            p,
        )?,
        rec(
            TradingSection::TABLE,
            &s.id,
            s.digest(),
            D::RegistrationForm,
            s,
        )?,
    ];
    let mut files = Vec::new();
    let mut party_ids: Vec<String> = std::iter::once(p.tenderee_id.clone())
        .chain(p.agency_id.clone())
        .collect();
    let docs: Vec<TenderDocument> = tx.list_documents(Some(&s.id)).await?;
    for d in &docs {
        out.push(rec(
            TenderDocument::TABLE,
            &d.id,
            d.digest(),
            D::TenderDocuments,
            d,
        )?);
        let name = crate::blobs::sanitize_filename(&d.filename).unwrap_or_else(|| "file".into());
        files.push((
            FileRef {
                table: TenderDocument::TABLE.into(),
                id: d.id.clone(),
                sm3: d.blob_digest.clone(),
            },
            format!("files/tender_documents/{}/{name}", d.id),
            D::TenderDocuments.as_str().to_string(),
        ));
    }
    let downloads: Vec<DocumentDownload> = tx.list_downloads(Some(&s.id)).await?;
    for d in &downloads {
        party_ids.push(d.party_id.clone());
        out.push(rec(
            DocumentDownload::TABLE,
            &d.id,
            d.digest(),
            D::DownloadLog,
            d,
        )?);
    }
    let clarifications: Vec<Clarification> = tx.list_clarifications(Some(&s.id)).await?;
    for c in &clarifications {
        out.push(rec(
            Clarification::TABLE,
            &c.id,
            c.digest(),
            D::Clarifications,
            c,
        )?);
    }
    let objections: Vec<Objection> = tx.list_objections(Some(&s.id)).await?;
    for o in &objections {
        party_ids.push(o.party_id.clone());
        out.push(rec(
            Objection::TABLE,
            &o.id,
            o.digest(),
            D::ObjectionReplies,
            o,
        )?);
    }
    let deposits: Vec<Deposit> = tx.list_deposits(Some(&s.id)).await?;
    for d in &deposits {
        party_ids.push(d.party_id.clone());
        out.push(rec(
            Deposit::TABLE,
            &d.id,
            d.digest(),
            D::DepositRecords,
            d,
        )?);
    }
    let bids: Vec<SealedBid> = tx.list_bids(Some(&s.id)).await?;
    for b in &bids {
        party_ids.push(b.party_id.clone());
        out.push(rec(SealedBid::TABLE, &b.id, b.digest(), D::BidReceipts, b)?);
        files.push((
            FileRef {
                table: SealedBid::TABLE.into(),
                id: b.id.clone(),
                sm3: b.blob_digest.clone(),
            },
            format!("files/bids/{}.sealed", b.id),
            D::BidFiles.as_str().to_string(),
        ));
    }
    let openings: Vec<Opening> = tx.list_openings(Some(&s.id)).await?;
    for o in &openings {
        let failed = yiwang_core::trading::SectionEvent::parse(&o.outcome)
            == Some(yiwang_core::trading::SectionEvent::Fail);
        let doc = if failed {
            D::FailureNotice
        } else {
            D::OpeningRecord
        };
        out.push(rec(Opening::TABLE, &o.id, o.digest(), doc, o)?);
    }
    party_ids.sort();
    party_ids.dedup();
    for id in &party_ids {
        if let Some(party) = tx.get_party(id).await? {
            let mut r = rec(
                TradingParty::TABLE,
                &party.id,
                party.digest(),
                D::RegistrationForm,
                &party,
            )?;
            r.document = "party".into();
            out.push(r);
        }
    }
    Ok((out, files))
}

/// For every (table, id, digest), the newest ledger entry that recorded exactly that digest.
async fn ledger_seqs(
    tx: &mut dyn ReadTx,
    wanted: &BTreeMap<(String, String), String>,
) -> AppResult<BTreeMap<(String, String), i64>> {
    let mut found = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = tx.ledger_entries(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            // Cheap test before parsing: only entries naming one of our tables.
            if !wanted.keys().any(|(t, _)| e.rows_json.contains(t.as_str())) {
                continue;
            }
            let rows: Vec<RowDigest> = serde_json::from_str(&e.rows_json)
                .map_err(|err| AppError::Internal(format!("ledger entry {}: {err}", e.seq)))?;
            for r in rows {
                let key = (r.table, r.id);
                if wanted.get(&key) == Some(&r.digest) {
                    found.insert(key, e.seq);
                }
            }
        }
    }
    Ok(found)
}

fn zip_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("archive zip: {e}"))
}

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

/// Build the archive of section `section_id` for `actor` (centre staff, a regulator of the
/// region, or the tenderee's people).
pub async fn build(app: &App, actor: &Actor, section_id: &str) -> AppResult<ArchiveFile> {
    let (s, p, recs, files) = {
        let mut tx = app.store.read().await?;
        let (s, p) = section_ctx(&mut *tx, section_id).await?;
        authorize_archive(&mut *tx, actor, &p).await?;
        let (recs, files) = collect(&mut *tx, &s, &p).await?;
        (s, p, recs, files)
    };
    build_for(app, &s, &p, recs, files).await
}

async fn build_for(
    app: &App,
    s: &TradingSection,
    p: &TradingProject,
    recs: Vec<Rec>,
    files: Vec<(FileRef, String, String)>,
) -> AppResult<ArchiveFile> {
    let wanted: BTreeMap<(String, String), String> = recs
        .iter()
        .map(|r| ((r.table.to_string(), r.id.clone()), r.digest.clone()))
        .collect();
    let seqs = ledger_seqs(&mut *app.store.read().await?, &wanted).await?;
    if let Some(r) = recs
        .iter()
        .find(|r| !seqs.contains_key(&(r.table.to_string(), r.id.clone())))
    {
        return Err(Problem::conflict(
            "archive.unrecorded",
            format!("记录{}/{}与审计留痕不符，无法归档。", r.table, r.id),
            format!(
                "The record {}/{} does not match the audit ledger; it cannot be archived.",
                r.table, r.id
            ),
        )
        .into());
    }
    let newest = seqs.values().copied().max().unwrap_or(0);
    let covered =
        |c: &Option<yiwang_store::Checkpoint>| c.as_ref().is_some_and(|c| c.tree_size >= newest);
    let mut checkpoint = app.store.read().await?.latest_checkpoint().await?;
    if !covered(&checkpoint) {
        crate::audit::checkpoint(app).await?;
        checkpoint = app.store.read().await?.latest_checkpoint().await?;
    }
    let checkpoint = checkpoint
        .filter(|c| c.tree_size >= newest)
        .ok_or_else(|| AppError::Internal("no checkpoint covers the archive".into()))?;
    let mut ledger = Vec::new();
    {
        let mut tx = app.store.read().await?;
        let mut needed: Vec<i64> = seqs.values().copied().collect();
        needed.sort_unstable();
        needed.dedup();
        for seq in needed {
            let e = tx
                .ledger_entry(seq)
                .await?
                .ok_or_else(|| AppError::Internal(format!("ledger entry {seq} missing")))?;
            let content = yiwang_store::entry_content(&e)
                .map_err(|err| AppError::Internal(format!("ledger entry {seq}: {err}")))?;
            let proof = crate::ledger_tree::inclusion(&mut *tx, seq, checkpoint.tree_size)
                .await?
                .iter()
                .map(hex::encode)
                .collect();
            ledger.push(LedgerProof {
                prev_hash: e.prev_hash,
                hash: e.hash,
                content,
                proof,
            });
        }
    }

    let file = tempfile::NamedTempFile::new().map_err(zip_err)?;
    let mut zip = zip::ZipWriter::new(file.reopen().map_err(zip_err)?);
    let mut entries = Vec::new();
    for r in &recs {
        zip.start_file(r.path.as_str(), options())
            .map_err(zip_err)?;
        zip.write_all(&r.json).map_err(zip_err)?;
        let key = (r.table.to_string(), r.id.clone());
        entries.push(Entry {
            path: r.path.clone(),
            document: r.document.clone(),
            size: r.json.len() as u64,
            sha256: hex::encode(Sha256::digest(&r.json)),
            row: Some(RowRef {
                table: r.table.into(),
                id: r.id.clone(),
                digest: r.digest.clone(),
                seq: seqs[&key],
            }),
            file: None,
        });
    }
    for (f, path, document) in files {
        let Some(mut read) = app.blobs().get(&f.sm3, None).await? else {
            return Err(Problem::conflict(
                "archive.blob_missing",
                format!("文件{path}在文件存储中缺失，无法归档。"),
                format!("The file {path} is missing from the blob store; it cannot be archived."),
            )
            .into());
        };
        zip.start_file(path.as_str(), options()).map_err(zip_err)?;
        let mut sha = Sha256::new();
        let mut sm3 = <sm3::Sm3 as sm3::Digest>::new();
        let mut size = 0u64;
        while let Some(chunk) = read.stream.next().await {
            let chunk = chunk.map_err(zip_err)?;
            sha.update(&chunk);
            sm3::Digest::update(&mut sm3, &chunk);
            size += chunk.len() as u64;
            zip.write_all(&chunk).map_err(zip_err)?;
        }
        if hex::encode(sm3::Digest::finalize(sm3)) != f.sm3 {
            return Err(Problem::conflict(
                "archive.blob_altered",
                format!("文件{path}与其记录的摘要不符，无法归档。"),
                format!(
                    "The file {path} does not match its recorded digest; it cannot be archived."
                ),
            )
            .into());
        }
        entries.push(Entry {
            path,
            document,
            size,
            sha256: hex::encode(sha.finalize()),
            row: None,
            file: Some(f),
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        section_id: s.id.clone(),
        transaction_code: s.transaction_code.clone(),
        project_code: p.code.clone(),
        title: format!("{} {}", p.name, s.name),
        generated_at: yiwang_core::time::rfc3339_micros(crate::now_micros()),
        key_id: app.platform_key_id().to_string(),
        public_key: app.platform_key().public_key_hex(),
        entries,
        ledger,
        checkpoint: ArchiveCheckpoint {
            tree_size: checkpoint.tree_size as u64,
            root: checkpoint.root,
            at: yiwang_core::time::rfc3339_micros(checkpoint.at),
            signature: checkpoint.signature,
        },
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(zip_err)?;
    zip.start_file(MANIFEST, options()).map_err(zip_err)?;
    zip.write_all(&text).map_err(zip_err)?;
    zip.start_file(SIGNATURE, options()).map_err(zip_err)?;
    zip.write_all(app.platform_key().sign(&text).as_bytes())
        .map_err(zip_err)?;
    let mut out = zip.finish().map_err(zip_err)?;
    out.flush().map_err(zip_err)?;
    let size = out.stream_position().map_err(zip_err)?;
    let code = s.transaction_code.as_deref().unwrap_or(&s.id);
    Ok(ArchiveFile {
        filename: format!("档案-{code}.zip"),
        size,
        file,
    })
}
