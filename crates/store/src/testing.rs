//! Queries only tests run: behind the `testing` feature, never in the production traits.

use crate::{Job, ReadTx, Result};

/// A read transaction that also runs [`TestQueries`] (see `Store::probe`).
pub trait ProbeTx: ReadTx + TestQueries {}
impl<T: ReadTx + TestQueries> ProbeTx for T {}

/// Queries only tests need (counting job runs and messages, every ledger hash at once).
#[async_trait::async_trait]
pub trait TestQueries: Send {
    /// Entry hashes for seq 1..=upto, in order (the Merkle leaves).
    async fn ledger_hashes(&mut self, upto: i64) -> Result<Vec<String>>;
    async fn count_job_runs(&mut self, job_id: &str) -> Result<i64>;
    async fn get_job(&mut self, id: &str) -> Result<Option<Job>>;
    async fn count_outbox(&mut self, status: &str) -> Result<i64>;
}

macro_rules! impl_testing {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::testing::TestQueries for $crate::SqlTx<$db, M> {
            async fn ledger_hashes(&mut self, upto: i64) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT hash FROM ledger_entries WHERE seq <= $1 ORDER BY seq")
                    .bind(upto).fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rows.into_iter().map(|(h,)| h).collect())
            }

            async fn count_job_runs(&mut self, job_id: &str) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_runs WHERE job_id = $1")
                    .bind(job_id).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn get_job(&mut self, id: &str) -> $crate::Result<Option<$crate::Job>> {
                sqlx::query_as("SELECT id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at FROM jobs WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn count_outbox(&mut self, status: &str) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = $1")
                    .bind(status).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }
        }
    };
}

pub(crate) use impl_testing;
