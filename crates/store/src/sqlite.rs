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

use crate::sql_catalog::impl_catalog_tx;
use crate::sql_impl::impl_sql_tx;
use tokio::sync::Semaphore;

use crate::{Backend, OpenOptions, Result, Store, StoreError, Tx, map_err};

impl_sql_tx!(SqliteTx, sqlx::Sqlite, lock = "", skip = "");
impl_catalog_tx!(SqliteTx, lock = "");

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

    async fn write(&self) -> Result<Box<dyn Tx>> {
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
        Ok(Box::new(SqliteTx {
            inner,
            _turn: Some(turn),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let inner = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx { inner, _turn: None }))
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
