//! yiwang-store: the only crate that writes SQL.
//!
//! [`Store`] opens transactions; [`Tx`] holds every query. One implementation per backend
//! ([`sqlite::SqliteStore`], [`postgres::PgStore`]) is generated from the same SQL text by
//! `impl_sql_tx!` — SQLite accepts PostgreSQL's `$1` parameters — with the few dialect
//! differences (row locks) passed in. Migrations live per backend under `migrations/`.

pub mod catalog;
pub mod model;
pub mod postgres;
mod sql_catalog;
pub mod sql_impl;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use yiwang_core::calendar::CalendarEntry;
use yiwang_core::time::Micros;

pub use catalog::{BundleRowData, CatalogFile, CatalogItem, CatalogTx, ItemVersionRow, Question};
pub use model::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A UNIQUE constraint refused the write (duplicate username, code, …).
    #[error("duplicate value: {0}")]
    Duplicate(String),
    /// The database is momentarily too busy: the write lock could not be had within the wait
    /// limit, a lock or statement timed out, or a serialization conflict. Retrying may succeed.
    #[error("database busy: {0}")]
    Busy(String),
    /// Text the database cannot hold: PostgreSQL refuses the NUL character in `TEXT`
    /// (SQLSTATE 22021).
    #[error("text the database cannot store: {0}")]
    UnstorableText(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(db.message().to_string())
        }
        sqlx::Error::Database(db) if db.code().as_deref().is_some_and(is_busy_code) => {
            StoreError::Busy(db.message().to_string())
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
            StoreError::UnstorableText(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut => StoreError::Busy("no free database connection".into()),
        _ => StoreError::Db(e),
    }
}

/// Error codes that mean "busy, retry": SQLite `SQLITE_BUSY` (5) and `SQLITE_LOCKED` (6) with
/// their extended codes; PostgreSQL serialization failure, deadlock, lock not available and a
/// cancelled (timed-out) statement.
fn is_busy_code(code: &str) -> bool {
    if code.len() == 5 {
        // A PostgreSQL SQLSTATE (always five characters; SQLite's codes have at most four digits).
        return matches!(code, "40001" | "40P01" | "55P03" | "57014");
    }
    code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

/// What a use case hands the ledger; the store assigns the sequence number and the hash chain.
#[derive(Debug, Clone)]
pub struct LedgerDraft {
    pub at: Micros,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub rows: Vec<yiwang_core::ledger::RowDigest>,
    pub detail: serde_json::Value,
}

/// A database: opens transactions.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Apply this backend's migrations.
    async fn migrate(&self) -> Result<()>;
    /// A write transaction. On SQLite it takes the write lock at BEGIN (`BEGIN IMMEDIATE`), so a
    /// read-then-write use case never fails half-way on a lock upgrade.
    async fn write(&self) -> Result<Box<dyn Tx>>;
    /// A read transaction: a consistent snapshot; dropped (rolled back) when done.
    async fn read(&self) -> Result<Box<dyn Tx>>;
    async fn ping(&self) -> Result<()>;
    /// Does the table of file contents from before the blob store (`catalog_file_contents`,
    /// made by migration 0004 and dropped once its rows are in the blob store) still exist?
    async fn has_legacy_contents(&self) -> Result<bool>;
    /// An online, consistent copy of the database (SQLite only).
    async fn backup(&self, out: &Path) -> Result<()>;
    /// Drop every table (used by `yiwang demo` to start from nothing).
    async fn wipe(&self) -> Result<()>;
    async fn close(&self);
}

/// How a store behaves under contention.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// How long a write waits for its turn (SQLite: the single write lock, queued in-process in
    /// arrival order; PostgreSQL: any row lock) before it gives up with [`StoreError::Busy`],
    /// which the API answers with 503 and `Retry-After`.
    pub write_wait: std::time::Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            write_wait: std::time::Duration::from_secs(10),
        }
    }
}

impl OpenOptions {
    /// The defaults, with `YIWANG_WRITE_WAIT_MS` when set.
    pub fn from_env() -> Self {
        let mut o = OpenOptions::default();
        if let Some(ms) = std::env::var("YIWANG_WRITE_WAIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            o.write_wait = std::time::Duration::from_millis(ms.max(1));
        }
        o
    }
}

/// Open a store from a URL: `sqlite://file.db` (created when missing) or `postgres://…`, with
/// [`OpenOptions::from_env`].
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_with(url, OpenOptions::from_env()).await
}

/// Open a store with explicit options.
pub async fn open_with(url: &str, opts: OpenOptions) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url, opts).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url, opts).await?))
    } else {
        Err(StoreError::Other(format!(
            "unsupported database URL (use sqlite://FILE or postgres://…): {}",
            redact_url(url)
        )))
    }
}

/// A URL safe to print: any password is replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Every query of yiwang, inside one transaction.
#[async_trait]
pub trait Tx: CatalogTx + Send {
    async fn commit(self: Box<Self>) -> Result<()>;

    // Regions
    async fn insert_region(&mut self, r: &Region) -> Result<()>;
    async fn get_region(&mut self, code: &str) -> Result<Option<Region>>;
    async fn list_regions(&mut self) -> Result<Vec<Region>>;

    // Organisations
    async fn insert_organisation(&mut self, o: &Organisation) -> Result<()>;
    async fn update_organisation(&mut self, o: &Organisation) -> Result<()>;
    async fn get_organisation(&mut self, id: &str) -> Result<Option<Organisation>>;
    /// Organisations whose path starts with `path_prefix` ("" for all), ordered by path.
    async fn list_organisations(&mut self, path_prefix: &str) -> Result<Vec<Organisation>>;

    // Users and grants
    async fn insert_user(&mut self, u: &User) -> Result<()>;
    async fn update_user(&mut self, u: &User) -> Result<()>;
    async fn get_user(&mut self, id: &str) -> Result<Option<User>>;
    async fn find_user_by_username(&mut self, username: &str) -> Result<Option<User>>;
    async fn list_users(&mut self) -> Result<Vec<User>>;
    async fn insert_grant(&mut self, g: &RoleGrant) -> Result<()>;
    async fn list_grants(&mut self) -> Result<Vec<RoleGrant>>;
    async fn grants_of_user(&mut self, user_id: &str) -> Result<Vec<GrantView>>;

    // Sessions and API tokens
    async fn insert_session(&mut self, s: &Session) -> Result<()>;
    async fn get_session(&mut self, token_hash: &str) -> Result<Option<Session>>;
    async fn revoke_session(&mut self, token_hash: &str, at: Micros) -> Result<()>;
    async fn revoke_user_sessions(&mut self, user_id: &str, at: Micros) -> Result<u64>;
    async fn insert_api_token(&mut self, t: &ApiToken) -> Result<()>;
    async fn update_api_token(&mut self, t: &ApiToken) -> Result<()>;
    async fn get_api_token(&mut self, id: &str) -> Result<Option<ApiToken>>;
    async fn find_api_token(&mut self, token_hash: &str) -> Result<Option<ApiToken>>;
    async fn list_api_tokens(&mut self) -> Result<Vec<ApiToken>>;
    /// A user's tokens that are not revoked (expired ones included), ordered by id.
    async fn unrevoked_api_tokens_of_user(&mut self, user_id: &str) -> Result<Vec<ApiToken>>;

    // Failed sign-ins
    async fn insert_sign_in_failure(&mut self, f: &SignInFailure) -> Result<()>;
    /// The newest failures at or after `since`, newest first, at most `limit`.
    async fn recent_sign_in_failures(
        &mut self,
        since: Micros,
        limit: i64,
    ) -> Result<Vec<SignInFailure>>;
    /// How many failures for this username (lower-cased) since an instant.
    async fn count_sign_in_failures_of_username(
        &mut self,
        username: &str,
        since: Micros,
    ) -> Result<i64>;
    async fn delete_sign_in_failures(&mut self, before: Micros) -> Result<u64>;

    // Working-day calendar
    async fn insert_calendar_version(
        &mut self,
        v: &CalendarVersion,
        days: &[CalendarEntry],
    ) -> Result<()>;
    async fn list_calendar_versions(&mut self) -> Result<Vec<CalendarVersion>>;
    async fn calendar_days(&mut self, version: i64) -> Result<Vec<CalendarEntry>>;

    // Audit ledger
    async fn append_ledger(&mut self, draft: LedgerDraft) -> Result<LedgerRow>;
    async fn ledger_head(&mut self) -> Result<(i64, String)>;
    async fn ledger_entry(&mut self, seq: i64) -> Result<Option<LedgerRow>>;
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn ledger_entries(&mut self, after: i64, limit: i64) -> Result<Vec<LedgerRow>>;
    /// Entry hashes for seq 1..=upto, in order (the Merkle leaves).
    async fn ledger_hashes(&mut self, upto: i64) -> Result<Vec<String>>;
    /// The newest entries, newest first.
    async fn ledger_recent(&mut self, limit: i64) -> Result<Vec<LedgerRow>>;
    async fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()>;
    async fn latest_checkpoint(&mut self) -> Result<Option<Checkpoint>>;
    async fn get_checkpoint(&mut self, tree_size: i64) -> Result<Option<Checkpoint>>;
    async fn list_checkpoints(&mut self) -> Result<Vec<Checkpoint>>;
    /// How many entries the stored Merkle tree covers (its level-0 nodes).
    async fn merkle_size(&mut self) -> Result<i64>;
    /// One stored node's hash (hex), if stored.
    async fn merkle_node(&mut self, level: i64, index: i64) -> Result<Option<String>>;
    /// Store complete nodes `(level, index, hash hex)`.
    async fn insert_merkle_nodes(&mut self, nodes: &[(i64, i64, String)]) -> Result<()>;
    /// Stored nodes in (level, index) order after `(level, index)`, at most `limit` (paging).
    async fn merkle_nodes_after(
        &mut self,
        level: i64,
        index: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, String)>>;
    async fn get_platform_key(&mut self) -> Result<Option<PlatformKeyRow>>;
    async fn insert_platform_key(&mut self, k: &PlatformKeyRow) -> Result<bool>;

    // Background jobs
    /// Queue a job; a job whose `dedupe_key` is already queued is not added (returns false).
    async fn enqueue_job(&mut self, j: &Job) -> Result<bool>;
    /// Lock and return one due job. On PostgreSQL the row stays locked (SKIP LOCKED for other
    /// nodes) until this transaction ends, so exactly one node runs it.
    async fn claim_due_job(&mut self, now: Micros) -> Result<Option<Job>>;
    async fn finish_job(&mut self, j: &Job) -> Result<()>;
    async fn record_job_run(
        &mut self,
        job_id: &str,
        node_id: &str,
        started: Micros,
        finished: Micros,
        outcome: &str,
    ) -> Result<()>;
    async fn count_job_runs(&mut self, job_id: &str) -> Result<i64>;
    async fn get_job(&mut self, id: &str) -> Result<Option<Job>>;
    async fn delete_finished_jobs(&mut self, before: Micros) -> Result<u64>;

    // Notification outbox
    async fn enqueue_outbox(&mut self, m: &OutboxMessage) -> Result<()>;
    async fn claim_due_outbox(&mut self, now: Micros, limit: i64) -> Result<Vec<OutboxMessage>>;
    async fn update_outbox(&mut self, m: &OutboxMessage) -> Result<()>;
    async fn insert_inbox(&mut self, i: &InboxItem) -> Result<()>;
    async fn inbox_of_user(&mut self, user_id: &str, limit: i64) -> Result<Vec<InboxItem>>;
    async fn count_outbox(&mut self, status: &str) -> Result<i64>;
}

#[cfg(test)]
mod tests {
    use super::is_busy_code;

    #[test]
    fn busy_codes_of_both_backends() {
        // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes (BUSY_SNAPSHOT = 517).
        for c in ["5", "6", "517", "262"] {
            assert!(is_busy_code(c), "{c}");
        }
        // PostgreSQL: serialization failure, deadlock, lock not available, statement cancelled.
        for c in ["40001", "40P01", "55P03", "57014"] {
            assert!(is_busy_code(c), "{c}");
        }
        // A constraint violation is not busy, on either backend.
        for c in ["19", "2067", "23505", "23503", "42P01"] {
            assert!(!is_busy_code(c), "{c}");
        }
    }
}
