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
use yiwang_store::prelude::*;
use yiwang_store::{InboxItem, Job};

use crate::notify::render;
use crate::{App, AppError, AppResult, new_id, now_micros};

pub const CHECKPOINT: &str = "ledger.checkpoint";
pub const CLEANUP: &str = "jobs.cleanup";
/// Remove blobs that no file refers to (written by a use case that then failed).
pub const BLOB_GC: &str = "blobs.gc";
/// A job that does nothing but leave its run record: used to check the runner end to end.
pub const PROBE: &str = "diag.probe";
/// 电子监察: raise due case deadline warnings (every minute).
pub const CASE_WARNINGS: &str = crate::cases::warnings::JOB;
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

    async fn schedule_periodic(&self) -> AppResult<()> {
        let now = now_micros();
        let every = self.cfg.checkpoint_every.as_micros() as i64;
        let slot = now / every;
        let day = 86_400_000_000;
        let mut tx = self.app.store.write().await?;
        enqueue(
            &mut *tx,
            CHECKPOINT,
            serde_json::json!({}),
            slot * every,
            Some(format!("{CHECKPOINT}@{slot}")),
        )
        .await?;
        enqueue(
            &mut *tx,
            CLEANUP,
            serde_json::json!({}),
            (now / day) * day,
            Some(format!("{CLEANUP}@{}", now / day)),
        )
        .await?;
        let hour = 3_600_000_000;
        enqueue(
            &mut *tx,
            BLOB_GC,
            serde_json::json!({}),
            (now / hour) * hour,
            Some(format!("{BLOB_GC}@{}", now / hour)),
        )
        .await?;
        // 办件 deadline warnings, every minute.
        let minute = 60_000_000;
        enqueue(
            &mut *tx,
            CASE_WARNINGS,
            serde_json::json!({}),
            (now / minute) * minute,
            Some(format!("{CASE_WARNINGS}@{}", now / minute)),
        )
        .await?;
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
        match job.kind.as_str() {
            CHECKPOINT => Ok(match crate::audit::checkpoint_in(tx, &self.app).await? {
                Some(c) => format!("checkpoint {}", c.tree_size),
                None => "no new entries".into(),
            }),
            CLEANUP => {
                let week_ago = now_micros() - 7 * 86_400_000_000;
                let n = tx.delete_finished_jobs(week_ago).await?;
                let f = crate::identity::forget_old_sign_in_failures(tx, now_micros()).await?;
                Ok(format!(
                    "removed {n} finished jobs and {f} old failed sign-ins"
                ))
            }
            BLOB_GC => {
                let done = self
                    .app
                    .blobs()
                    .collect_garbage(&self.app.store, crate::blobs::grace_from_env())
                    .await?;
                Ok(format!(
                    "scanned {} blobs, removed {} unreferenced",
                    done.scanned, done.deleted
                ))
            }
            PROBE => {
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
            }
            CASE_WARNINGS => {
                crate::cases::warnings::run_warnings(&self.app, tx, now_micros()).await
            }
            other => Err(AppError::Internal(format!("unknown job kind {other}"))),
        }
    }

    /// Deliver up to `limit` due outbox messages; returns how many were handled.
    pub async fn deliver_batch(&self, limit: i64) -> AppResult<usize> {
        let now = now_micros();
        let mut tx = self.app.store.write().await?;
        let batch = tx.claim_due_outbox(now, limit).await?;
        let n = batch.len();
        for mut m in batch {
            let params: serde_json::Value =
                serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null);
            let msg = render(&m.template, &params);
            m.attempts += 1;
            match m.channel.as_str() {
                "in_app" => {
                    tx.insert_inbox(&InboxItem {
                        id: new_id(),
                        user_id: m.recipient.clone(),
                        title: msg.title,
                        body: msg.body,
                        outbox_id: m.id.clone(),
                        created_at: now,
                        read_at: None,
                    })
                    .await?;
                    m.status = "delivered".into();
                    m.delivered_at = Some(now);
                }
                other => {
                    // No SMS, voice or mail gateway is configured in this deployment: keep the
                    // message, retry later, give up after MAX_ATTEMPTS so an operator sees it.
                    m.last_error = Some(format!("no gateway configured for channel {other}"));
                    if m.attempts >= MAX_ATTEMPTS {
                        m.status = "failed".into();
                    } else {
                        m.next_try_at = now + 60_000_000 * m.attempts;
                    }
                }
            }
            tx.update_outbox(&m).await?;
            metrics::counter!("yiwang_notifications_total", "channel" => m.channel.clone(), "status" => m.status.clone())
                .increment(1);
        }
        tx.commit().await?;
        Ok(n)
    }
}
