//! Background jobs: claimed by exactly one node.

use serde::{Deserialize, Serialize};
use yiwang_core::time::Micros;

use crate::Result;

/// A background job; claimed by exactly one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub run_at: Micros,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Micros,
    pub finished_at: Option<Micros>,
}

/// Jobs queries any transaction may run.
#[async_trait::async_trait]
#[async_trait::async_trait]
pub trait JobsRead: Send {
    /// The kinds of the jobs still to run (pending), each once.
    async fn pending_job_kinds(&mut self) -> Result<Vec<String>>;
}

/// Jobs changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait JobsWrite: JobsRead {
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
    async fn delete_finished_jobs(&mut self, before: Micros) -> Result<u64>;
}

/// The SQL of [`JobsRead`] and [`JobsWrite`] for one backend (`$db`).
macro_rules! impl_jobs {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::jobs::JobsRead for $crate::SqlTx<$db, M> {
            async fn pending_job_kinds(&mut self) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT kind FROM jobs WHERE status = 'pending'")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }

        #[async_trait::async_trait]
        impl $crate::jobs::JobsWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn enqueue_job(&mut self, j: &$crate::Job) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO jobs (id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING")
                    .bind(&j.id).bind(&j.kind).bind(&j.payload).bind(&j.dedupe_key).bind(j.run_at).bind(&j.status)
                    .bind(j.attempts).bind(&j.last_error).bind(j.created_at).bind(j.finished_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn claim_due_job(&mut self, now: i64) -> $crate::Result<Option<$crate::Job>> {
                sqlx::query_as(<$db as $crate::dialect::Dialect>::CLAIM_DUE_JOB)
                    .bind(now).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn finish_job(&mut self, j: &$crate::Job) -> $crate::Result<()> {
                sqlx::query("UPDATE jobs SET status = $2, attempts = $3, last_error = $4, run_at = $5, finished_at = $6 WHERE id = $1")
                    .bind(&j.id).bind(&j.status).bind(j.attempts).bind(&j.last_error).bind(j.run_at).bind(j.finished_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn record_job_run(&mut self, job_id: &str, node_id: &str, started: i64, finished: i64, outcome: &str) -> $crate::Result<()> {
                sqlx::query("INSERT INTO job_runs (id, job_id, node_id, started_at, finished_at, outcome) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uuid::Uuid::now_v7().to_string()).bind(job_id).bind(node_id).bind(started).bind(finished).bind(outcome)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn delete_finished_jobs(&mut self, before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM jobs WHERE status <> 'pending' AND finished_at < $1")
                    .bind(before).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }
        }
    };
}

pub(crate) use impl_jobs;
