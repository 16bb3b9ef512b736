//! Background jobs (timers, deadlines, outbox delivery) that run exactly once however many
//! `yiwang serve` nodes share the database.
//!
//! A node claims a due job inside a write transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
//! SQLite: the single writer lock), runs the handler in that same transaction, records the run and
//! marks the job done, then commits. If the node dies half-way, the transaction rolls back and the
//! job is due again; no other node can hold it at the same time. Periodic work is queued with a
//! dedupe key per time slot, so several nodes scheduling the same slot create one job.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use yiwang_store::Job;
use yiwang_store::prelude::*;

use crate::registry::JobSpec;
use crate::{App, AppError, AppResult, new_id, now_micros};

pub const CHECKPOINT: &str = "ledger.checkpoint";
pub const CLEANUP: &str = "jobs.cleanup";
/// Remove blobs that no file refers to (written by a use case that then failed).
pub const BLOB_GC: &str = "blobs.gc";
/// A job that does nothing but leave its run record: used to check the runner end to end.
pub const PROBE: &str = "diag.probe";
const MAX_ATTEMPTS: i64 = 5;

/// How often the runner looks for work and how often periodic jobs fall due.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub node_id: String,
    pub poll: Duration,
    pub checkpoint_every: Duration,
}

impl RunnerConfig {
    pub fn from_env(node_id: String) -> Self {
        let secs = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        RunnerConfig {
            node_id,
            poll: Duration::from_millis(secs("YIWANG_JOB_POLL_MS", 1000)),
            checkpoint_every: Duration::from_secs(secs("YIWANG_CHECKPOINT_SECS", 10).max(1)),
        }
    }
}

/// Queue a job (inside the caller's transaction, like any other write).
pub async fn enqueue(
    tx: &mut dyn WriteTx,
    kind: &str,
    payload: serde_json::Value,
    run_at: i64,
    dedupe_key: Option<String>,
) -> AppResult<bool> {
    let job = Job {
        id: new_id(),
        kind: kind.into(),
        payload: payload.to_string(),
        dedupe_key,
        run_at,
        status: "pending".into(),
        attempts: 0,
        last_error: None,
        created_at: now_micros(),
        finished_at: None,
    };
    Ok(tx.enqueue_job(&job).await?)
}

/// What one pass of the runner did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    pub jobs: usize,
    pub messages: usize,
}

pub struct Runner {
    app: Arc<App>,
    cfg: RunnerConfig,
}

impl Runner {
    pub fn new(app: Arc<App>, cfg: RunnerConfig) -> Self {
        Runner { app, cfg }
    }

    /// Run until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.pass().await {
                tracing::warn!(error = %e, node = %self.cfg.node_id, "job runner pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.cfg.poll) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }

    /// Schedule periodic jobs, run every due job, deliver due messages.
    pub async fn pass(&self) -> AppResult<Pass> {
        self.schedule_periodic().await?;
        let mut pass = Pass::default();
        while self.run_one().await? {
            pass.jobs += 1;
        }
        loop {
            let n = self.deliver_batch(50).await?;
            pass.messages += n;
            if n == 0 {
                break;
            }
        }
        Ok(pass)
    }

    /// Queue the current slot of every periodic job of the registry (one job per slot however
    /// many nodes schedule it: the dedupe key names the slot).
    async fn schedule_periodic(&self) -> AppResult<()> {
        let now = now_micros();
        let mut tx = self.app.store.write().await?;
        for spec in self.app.registry().periodic_jobs() {
            let Some(every) = spec.every else { continue };
            let every = (every(&self.cfg).as_micros() as i64).max(1);
            let slot = now / every;
            enqueue(
                &mut *tx,
                spec.kind,
                serde_json::json!({}),
                slot * every,
                Some(format!("{}@{slot}", spec.kind)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Claim and run one due job; false when none is due.
    pub async fn run_one(&self) -> AppResult<bool> {
        let started = now_micros();
        let mut tx = self.app.store.write().await?;
        let Some(mut job) = tx.claim_due_job(started).await? else {
            return Ok(false);
        };
        match self.handle(&mut *tx, &job).await {
            Ok(outcome) => {
                job.status = "done".into();
                job.attempts += 1;
                job.finished_at = Some(now_micros());
                tx.finish_job(&job).await?;
                tx.record_job_run(&job.id, &self.cfg.node_id, started, now_micros(), &outcome)
                    .await?;
                tx.commit().await?;
                metrics::counter!("yiwang_jobs_total", "kind" => job.kind.clone(), "outcome" => "done")
                    .increment(1);
            }
            Err(e) => {
                // Undo the handler's writes, then record the failure on its own.
                drop(tx);
                tracing::warn!(job = %job.id, kind = %job.kind, error = %e, "job failed");
                let mut tx = self.app.store.write().await?;
                job.attempts += 1;
                job.last_error = Some(e.to_string());
                if job.attempts >= MAX_ATTEMPTS {
                    job.status = "failed".into();
                    job.finished_at = Some(now_micros());
                } else {
                    job.run_at = now_micros() + 1_000_000 * (1 << job.attempts);
                }
                tx.finish_job(&job).await?;
                tx.record_job_run(&job.id, &self.cfg.node_id, started, now_micros(), "error")
                    .await?;
                tx.commit().await?;
                metrics::counter!("yiwang_jobs_total", "kind" => job.kind.clone(), "outcome" => "error")
                    .increment(1);
            }
        }
        Ok(true)
    }

    async fn handle(&self, tx: &mut dyn WriteTx, job: &Job) -> AppResult<String> {
        match self.app.registry().job(&job.kind) {
            Some(spec) => (spec.run)(&self.app, tx, job).await,
            None => Err(AppError::Internal(format!("unknown job kind {}", job.kind))),
        }
    }

    /// Deliver up to `limit` due outbox messages; returns how many were handled.
    pub async fn deliver_batch(&self, limit: i64) -> AppResult<usize> {
        crate::notify::deliver_due(&self.app, now_micros(), limit).await
    }
}

/// The job runner's own housekeeping in the capability registry.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "jobs",
    jobs: &[JobSpec {
        kind: CLEANUP,
        run: |_app, tx, _job| {
            Box::pin(async move {
                let now = now_micros();
                let n = tx
                    .delete_finished_jobs(now - 7 * DAY.as_micros() as i64)
                    .await?;
                let f = crate::identity::forget_old_sign_in_failures(tx, now).await?;
                Ok(format!(
                    "removed {n} finished jobs and {f} old failed sign-ins"
                ))
            })
        },
        every: Some(|_| DAY),
    }],
    ..crate::registry::Capability::EMPTY
};

const DAY: Duration = Duration::from_secs(86_400);

/// Diagnostics, registered only on a node started with them (`AppOptions::diagnostics`,
/// `YIWANG_DIAGNOSTICS=1`): a probe job that does nothing but leave its run record, so that
/// tests can check the runner end to end with several nodes.
pub const DIAGNOSTICS: crate::registry::Capability = crate::registry::Capability {
    name: "diagnostics",
    jobs: &[JobSpec {
        kind: PROBE,
        run: |_app, _tx, job| {
            Box::pin(async move {
                // Optional work time, so that tests can see several nodes interleave.
                let ms = serde_json::from_str::<serde_json::Value>(&job.payload)
                    .ok()
                    .and_then(|v| v.get("sleep_ms").and_then(|m| m.as_u64()))
                    .unwrap_or(0)
                    .min(1000);
                if ms > 0 {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                Ok("ok".into())
            })
        },
        every: None,
    }],
    ..crate::registry::Capability::EMPTY
};
