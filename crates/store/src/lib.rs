//! yiwang-store: the only crate that writes SQL.
//!
//! [`Store`] opens transactions: [`Store::read`] a [`ReadTx`], [`Store::write`] a [`WriteTx`].
//! Each capability keeps its rows, its queries and their SQL in its own file
//! (`organisations.rs`, `identity.rs`, `calendar.rs`, `ledger.rs`, `jobs.rs`, `outbox.rs`,
//! `catalog.rs`, …) as two traits: `…Read` (queries any transaction may run) and `…Write`
//! (changes, implemented only for a write transaction, so a read transaction calling a write
//! method does not compile). The SQL is written once as a macro instantiated per backend —
//! SQLite accepts PostgreSQL's `$1` parameters — and a statement that differs between the
//! backends is written out whole in the backend's [`dialect::Dialect`]. Migrations live per
//! backend under `migrations/`.
//!
//! A new capability adds its file here, one line to [`impl_capabilities!`] and its two traits
//! to [`ReadTx`] / [`WriteTx`].

pub mod calendar;
pub mod cases;
pub mod catalog;
pub(crate) mod dialect;
pub mod evaluation;
pub mod experts;
pub mod identity;
pub mod jobs;
pub mod ledger;
pub mod organisations;
pub mod outbox;
pub mod postgres;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trading;

use std::path::Path;
use std::sync::Arc;

use std::marker::PhantomData;

use async_trait::async_trait;

pub use calendar::*;
pub use cases::*;
pub use catalog::*;
pub use evaluation::*;
pub use experts::*;
pub use identity::*;
pub use jobs::*;
pub use ledger::*;
pub use organisations::*;
pub use outbox::*;
pub use trading::*;

/// Every capability trait, for `use yiwang_store::prelude::*` where transactions are used.
pub mod prelude {
    pub use crate::calendar::{CalendarRead, CalendarWrite};
    pub use crate::cases::{CasesRead, CasesWrite};
    pub use crate::catalog::{CatalogRead, CatalogWrite};
    pub use crate::evaluation::{EvaluationRead, EvaluationWrite};
    pub use crate::experts::{ExpertsRead, ExpertsWrite};
    pub use crate::identity::{IdentityRead, IdentityWrite};
    pub use crate::jobs::{JobsRead, JobsWrite};
    pub use crate::ledger::{LedgerRead, LedgerWrite};
    pub use crate::organisations::{OrganisationsRead, OrganisationsWrite};
    pub use crate::outbox::{OutboxRead, OutboxWrite};
    #[cfg(feature = "testing")]
    pub use crate::testing::TestQueries;
    pub use crate::trading::{TradingRead, TradingWrite};
    pub use crate::{ReadTx, Store, WriteTx};
}

/// A table whose every row the audit ledger covers: `yiwang audit verify` recomputes each row's
/// digest and compares it with the last ledger entry that wrote the row. The capability that
/// owns the table declares it next to its SQL (`COVERED` in each capability file); the app's
/// capability registry collects them, and the tamper tests are generated from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoveredTable {
    pub table: &'static str,
    /// An SQL expression (valid on both backends) giving a row's id as its ledger entry names it.
    pub id_sql: &'static str,
    /// A `SET` clause that changes a covered column of a row: how a tamper test edits it.
    /// `None` when every column is part of the row's id (an edit is then a deletion plus an
    /// insertion, which the tamper tests make anyway).
    pub edit_sql: Option<&'static str>,
    /// A `SET` clause that turns a copy of a row into a new row the table's unique constraints
    /// accept: how a tamper test inserts one behind the platform's back.
    pub forge_sql: &'static str,
}

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

/// A database: opens transactions.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Apply this backend's migrations.
    async fn migrate(&self) -> Result<()>;
    /// A write transaction. On SQLite it takes the write lock at BEGIN (`BEGIN IMMEDIATE`), so a
    /// read-then-write use case never fails half-way on a lock upgrade.
    async fn write(&self) -> Result<Box<dyn WriteTx>>;
    /// A read transaction: a consistent snapshot; dropped (rolled back) when done.
    async fn read(&self) -> Result<Box<dyn ReadTx>>;
    /// A read transaction that also runs the test-only queries.
    #[cfg(feature = "testing")]
    async fn probe(&self) -> Result<Box<dyn testing::ProbeTx>>;
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

/// The mode of a transaction, as a type: [`Read`] or [`Write`].
pub trait Mode: Send + Sync + 'static {}
/// A read-only transaction (a consistent snapshot).
pub enum Read {}
/// A write transaction.
pub enum Write {}
impl Mode for Read {}
impl Mode for Write {}

/// A transaction on one backend (`DB`), in one [`Mode`]. The capability files implement their
/// `…Read` traits for every mode and their `…Write` traits for [`Write`] only.
pub struct SqlTx<DB: sqlx::Database, M> {
    pub(crate) inner: sqlx::Transaction<'static, DB>,
    /// The writer's turn (SQLite's in-process write queue); released after the transaction ends,
    /// so the next writer finds the lock free.
    pub(crate) _turn: Option<tokio::sync::OwnedSemaphorePermit>,
    _mode: PhantomData<fn() -> M>,
}

impl<DB: sqlx::Database, M> SqlTx<DB, M> {
    pub(crate) fn new(
        inner: sqlx::Transaction<'static, DB>,
        turn: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Self {
        SqlTx {
            inner,
            _turn: turn,
            _mode: PhantomData,
        }
    }
}

/// Every query of yiwang: what a read transaction offers. Dropping it ends it.
pub trait ReadTx:
    OrganisationsRead
    + IdentityRead
    + CalendarRead
    + LedgerRead
    + JobsRead
    + OutboxRead
    + CatalogRead
    + TradingRead
    + CasesRead
    + ExpertsRead
    + EvaluationRead
    + Send
{
}

impl<T> ReadTx for T where
    T: OrganisationsRead
        + IdentityRead
        + CalendarRead
        + LedgerRead
        + JobsRead
        + OutboxRead
        + CatalogRead
        + TradingRead
        + CasesRead
        + ExpertsRead
        + EvaluationRead
        + Send
{
}

/// Every query and change of yiwang, inside one write transaction; nothing is kept unless it is
/// committed. A `&mut dyn WriteTx` is also a `&mut dyn ReadTx`.
#[async_trait]
pub trait WriteTx:
    ReadTx
    + OrganisationsWrite
    + IdentityWrite
    + CalendarWrite
    + LedgerWrite
    + JobsWrite
    + OutboxWrite
    + CatalogWrite
    + TradingWrite
    + CasesWrite
    + ExpertsWrite
    + EvaluationWrite
{
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// Instantiate every capability's SQL for one backend.
macro_rules! impl_capabilities {
    ($db:ty) => {
        $crate::organisations::impl_organisations!($db);
        $crate::identity::impl_identity!($db);
        $crate::calendar::impl_calendar!($db);
        $crate::ledger::impl_ledger!($db);
        $crate::jobs::impl_jobs!($db);
        $crate::outbox::impl_outbox!($db);
        $crate::catalog::impl_catalog!($db);
        $crate::trading::impl_trading!($db);
        $crate::cases::impl_cases!($db);
        $crate::experts::impl_experts!($db);
        $crate::evaluation::impl_evaluation!($db);
        #[cfg(feature = "testing")]
        $crate::testing::impl_testing!($db);

        #[async_trait::async_trait]
        impl $crate::WriteTx for $crate::SqlTx<$db, $crate::Write> {
            async fn commit(self: Box<Self>) -> $crate::Result<()> {
                self.inner.commit().await.map_err($crate::map_err)
            }
        }
    };
}
pub(crate) use impl_capabilities;

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
