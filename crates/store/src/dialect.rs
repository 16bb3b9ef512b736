//! Statements that differ between the backends, each written out whole by its backend.
//!
//! SQLite has no row locks: its write transaction (`BEGIN IMMEDIATE`, one writer at a time)
//! already serialises writers. PostgreSQL locks the rows a writer reads (`FOR UPDATE`) and lets
//! other nodes skip rows one node has claimed (`FOR UPDATE SKIP LOCKED`).

/// One backend's versions of the statements that differ.
pub(crate) trait Dialect {
    /// Read the ledger head `(seq, hash)`, locked until the transaction ends.
    const LEDGER_HEAD_FOR_UPDATE: &'static str;
    /// Read the catalogue revision, locked until the transaction ends.
    const CATALOG_REVISION_FOR_UPDATE: &'static str;
    /// Claim one due job (`$1` = now); other nodes skip it until this transaction ends.
    const CLAIM_DUE_JOB: &'static str;
    /// Claim up to `$2` due messages (`$1` = now); other nodes skip them.
    const CLAIM_DUE_OUTBOX: &'static str;
    /// Read one case (`$1` = id), locked until the transaction ends.
    const LOCK_CASE: &'static str;
}
