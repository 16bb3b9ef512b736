//! PostgreSQL backend: the scale-out deployment, many stateless `yiwang serve` nodes on one
//! database. Row locks (`FOR UPDATE`, `FOR UPDATE SKIP LOCKED`) keep the ledger chain linear and
//! let exactly one node claim each job.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::sql_catalog::impl_catalog_tx;
use crate::sql_impl::impl_sql_tx;
use crate::{Backend, Result, Store, StoreError, Tx, map_err};

impl_sql_tx!(
    PgTx,
    sqlx::Postgres,
    lock = " FOR UPDATE",
    skip = " FOR UPDATE SKIP LOCKED"
);
impl_catalog_tx!(PgTx, lock = " FOR UPDATE");

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(15))
            .connect(url)
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

    async fn write(&self) -> Result<Box<dyn Tx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PgTx { inner }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let inner = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(map_err)?;
        Ok(Box::new(PgTx { inner }))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
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
