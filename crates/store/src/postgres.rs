//! PostgreSQL backend: the scale-out deployment, many stateless `yiwang serve` nodes on one
//! database. Row locks (`FOR UPDATE`, `FOR UPDATE SKIP LOCKED`) keep the ledger chain linear and
//! let exactly one node claim each job.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::{
    Backend, OpenOptions, ReadTx, Result, SqlTx, Store, StoreError, WriteTx, impl_capabilities,
    map_err,
};

/// A transaction on PostgreSQL.
pub type PgTx<M> = SqlTx<sqlx::Postgres, M>;

impl_capabilities!(sqlx::Postgres);

// The ledger head and the catalogue revision are locked by the writer that reads them, so the
// chain stays linear across nodes; claimed work rows are skipped by the other nodes.
impl crate::dialect::Dialect for sqlx::Postgres {
    const LEDGER_HEAD_FOR_UPDATE: &'static str =
        "SELECT seq, hash FROM ledger_head WHERE id = 1 FOR UPDATE";
    const CATALOG_REVISION_FOR_UPDATE: &'static str =
        "SELECT revision FROM catalog_revision WHERE id = 1 FOR UPDATE";
    const CLAIM_DUE_JOB: &'static str = "SELECT id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at FROM jobs WHERE status = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED";
    const CLAIM_DUE_OUTBOX: &'static str = "SELECT id, channel, recipient, template, payload, status, attempts, next_try_at, created_at, delivered_at, last_error FROM outbox WHERE status = 'pending' AND next_try_at <= $1 ORDER BY next_try_at LIMIT $2 FOR UPDATE SKIP LOCKED";
    const LOCK_CASE: &'static str = concat!(
        "SELECT ",
        crate::cases::case_cols!(),
        " FROM cases WHERE id = $1 FOR UPDATE"
    );
}

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str, opts: OpenOptions) -> Result<Self> {
        // A statement waiting longer than `write_wait` for a lock fails with 55P03, which is
        // `StoreError::Busy` (503 with Retry-After), rather than holding the request open.
        let lock_timeout = format!("{}ms", opts.write_wait.as_millis().max(1));
        let connect = PgConnectOptions::from_str(url)
            .map_err(map_err)?
            .options([("lock_timeout", lock_timeout.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(opts.write_wait.max(Duration::from_secs(1)))
            .connect_with(connect)
            .await
            .map_err(map_err)?;
        Ok(PgStore { pool })
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn write(&self) -> Result<Box<dyn WriteTx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PgTx::<crate::Write>::new(inner, None)))
    }

    async fn read(&self) -> Result<Box<dyn ReadTx>> {
        let inner = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(map_err)?;
        Ok(Box::new(PgTx::<crate::Read>::new(inner, None)))
    }

    #[cfg(feature = "testing")]
    async fn probe(&self) -> Result<Box<dyn crate::testing::ProbeTx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PgTx::<crate::Read>::new(inner, None)))
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
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'catalog_file_contents'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(n > 0)
    }

    async fn backup(&self, _out: &Path) -> Result<()> {
        Err(StoreError::Other(
            "PostgreSQL backups are taken with pg_dump, e.g. `pg_dump --format=custom --file=yiwang.dump \"$YIWANG_DB\"` (restore with pg_restore); yiwang backup copies SQLite databases only".into(),
        ))
    }

    async fn wipe(&self) -> Result<()> {
        sqlx::query("DROP SCHEMA public CASCADE")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        sqlx::query("CREATE SCHEMA public")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
