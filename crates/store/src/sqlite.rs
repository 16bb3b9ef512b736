//! SQLite backend: the zero-set-up default. WAL journal, `synchronous = FULL` (an acknowledged
//! commit survives a crash or power loss), a busy timeout so concurrent writers wait rather than
//! fail, and `BEGIN IMMEDIATE` for write transactions.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use tokio::sync::Semaphore;

use crate::{
    Backend, OpenOptions, ReadTx, Result, SqlTx, Store, StoreError, WriteTx, impl_capabilities,
    map_err,
};

/// A transaction on SQLite.
pub type SqliteTx<M> = SqlTx<sqlx::Sqlite, M>;

impl_capabilities!(sqlx::Sqlite);

// No row locks on SQLite: the one write transaction at a time already serialises writers.
impl crate::dialect::Dialect for sqlx::Sqlite {
    const LEDGER_HEAD_FOR_UPDATE: &'static str = "SELECT seq, hash FROM ledger_head WHERE id = 1";
    const CATALOG_REVISION_FOR_UPDATE: &'static str =
        "SELECT revision FROM catalog_revision WHERE id = 1";
    const CLAIM_DUE_JOB: &'static str = "SELECT id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at FROM jobs WHERE status = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT 1";
    const CLAIM_DUE_OUTBOX: &'static str = "SELECT id, channel, recipient, template, payload, status, attempts, next_try_at, created_at, delivered_at, last_error FROM outbox WHERE status = 'pending' AND next_try_at <= $1 ORDER BY next_try_at LIMIT $2";
    const LOCK_CASE: &'static str = concat!(
        "SELECT ",
        crate::cases::case_cols!(),
        " FROM cases WHERE id = $1"
    );
}

pub struct SqliteStore {
    pool: SqlitePool,
    /// One writer at a time, queued here in arrival order rather than in SQLite's busy handler
    /// (which sleeps and retries, unfairly, and fails after its timeout with "database is
    /// locked"). A write that cannot get its turn within `write_wait` is [`StoreError::Busy`].
    writers: Arc<Semaphore>,
    write_wait: Duration,
}

impl SqliteStore {
    pub async fn connect(url: &str, opts: OpenOptions) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(map_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(15))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(map_err)?;
        Ok(SqliteStore {
            pool,
            writers: Arc::new(Semaphore::new(1)),
            write_wait: opts.write_wait,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn write(&self) -> Result<Box<dyn WriteTx>> {
        let turn = tokio::time::timeout(self.write_wait, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| {
                StoreError::Busy(format!(
                    "no turn at the write lock within {} ms",
                    self.write_wait.as_millis()
                ))
            })?
            .map_err(|_| StoreError::Other("the store is closed".into()))?;
        let inner = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)?;
        Ok(Box::new(SqliteTx::<crate::Write>::new(inner, Some(turn))))
    }

    async fn read(&self) -> Result<Box<dyn ReadTx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx::<crate::Read>::new(inner, None)))
    }

    #[cfg(feature = "testing")]
    async fn probe(&self) -> Result<Box<dyn crate::testing::ProbeTx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx::<crate::Read>::new(inner, None)))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn has_legacy_contents(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'catalog_file_contents'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(n > 0)
    }

    async fn backup(&self, out: &Path) -> Result<()> {
        if out.exists() {
            return Err(StoreError::Other(format!(
                "{} already exists; choose a new file",
                out.display()
            )));
        }
        // VACUUM INTO writes a consistent snapshot while other connections keep working.
        sqlx::query("VACUUM INTO $1")
            .bind(out.to_string_lossy().to_string())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn wipe(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        for (name,) in tables {
            // Table names come from the database's own catalogue, quoted as identifiers.
            let sql = format!("DROP TABLE \"{}\"", name.replace('"', "\"\""));
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
        }
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
