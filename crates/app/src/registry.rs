//! The capability registry: what each capability brings to the running platform, declared next
//! to its code and listed once, in [`CAPABILITIES`].
//!
//! A capability declares the tables the audit ledger covers (with the function that lists their
//! rows' digests for `yiwang audit verify`), its background jobs (and how often the periodic
//! ones fall due) and its message templates. `App::start` checks the registry (no kind, key or
//! table declared twice; no queued job or message the registry cannot handle) and the job
//! runner, the outbox and the audit read from it; nothing else lists them. The web layer keeps
//! its own registry of routes and home-page links (`yiwang_web::registry`), by the same names.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use yiwang_store::{CoveredTable, Job, ReadTx, WriteTx};

use crate::jobs::RunnerConfig;
use crate::notify::Message;
use crate::{App, AppError, AppResult};

/// A boxed future borrowing from its arguments (async functions in a `const` table).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One covered row as the audit recomputes it: (table, id as the ledger names it, digest).
pub type CoveredRow = (&'static str, String, String);

/// Lists the current digest of every row of a capability's covered tables.
pub type CoveredRowsFn =
    for<'a> fn(&'a mut dyn ReadTx, &'a mut Vec<CoveredRow>) -> BoxFuture<'a, AppResult<()>>;

/// Runs one job inside the runner's write transaction and says what it did.
pub type JobFn =
    for<'a> fn(&'a App, &'a mut dyn WriteTx, &'a Job) -> BoxFuture<'a, AppResult<String>>;

/// A background job kind and its handler.
#[derive(Clone, Copy)]
pub struct JobSpec {
    pub kind: &'static str,
    pub run: JobFn,
    /// For a periodic job: how often it falls due (one job per time slot, whatever the number
    /// of nodes). `None` for jobs queued by use cases.
    pub every: Option<fn(&RunnerConfig) -> Duration>,
}

/// A notification template: a stable key and how it renders (Chinese first).
#[derive(Clone, Copy)]
pub struct TemplateSpec {
    pub key: &'static str,
    pub render: fn(&Params<'_>) -> Message,
}

/// The parameters a template fills in.
pub struct Params<'a>(pub &'a serde_json::Value);

impl Params<'_> {
    /// A text parameter; empty when absent.
    pub fn text(&self, key: &str) -> String {
        match self.0.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }
}

/// What one capability brings to the platform.
#[derive(Clone, Copy)]
pub struct Capability {
    /// The capability's name, the same in every layer (`catalog`, `cases`, …).
    pub name: &'static str,
    /// The tables the audit ledger covers, declared by the store next to their SQL.
    pub covered: &'static [CoveredTable],
    /// Lists the digests of every row of `covered`.
    pub covered_rows: Option<CoveredRowsFn>,
    pub jobs: &'static [JobSpec],
    pub templates: &'static [TemplateSpec],
}

impl Capability {
    /// A capability with nothing registered yet (for `..Capability::EMPTY`).
    pub const EMPTY: Capability = Capability {
        name: "",
        covered: &[],
        covered_rows: None,
        jobs: &[],
        templates: &[],
    };
}

/// Every capability of the platform: adding one is adding its line here.
pub const CAPABILITIES: &[&Capability] = &[
    &crate::organisations::CAPABILITY,
    &crate::identity::CAPABILITY,
    &crate::calendar::CAPABILITY,
    &crate::audit::CAPABILITY,
    &crate::jobs::CAPABILITY,
    &crate::blobs::CAPABILITY,
    &crate::catalog::CAPABILITY,
    &crate::trading::CAPABILITY,
    &crate::trading::ocds::CAPABILITY,
    &crate::cases::CAPABILITY,
    &crate::experts::CAPABILITY,
    &crate::evaluation::CAPABILITY,
];

/// The capabilities one node runs: the platform's, plus the diagnostic ones it was started with.
#[derive(Clone)]
pub struct Registry {
    capabilities: Vec<&'static Capability>,
}

impl Registry {
    /// The platform's capabilities and `extra` (diagnostics), checked: no job kind, template
    /// key or covered table may be declared twice.
    pub fn new(extra: &[&'static Capability]) -> AppResult<Registry> {
        let capabilities: Vec<&'static Capability> = CAPABILITIES
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        let mut seen = std::collections::HashSet::new();
        for c in &capabilities {
            let names = c
                .jobs
                .iter()
                .map(|j| ("job kind", j.kind))
                .chain(c.templates.iter().map(|t| ("template", t.key)))
                .chain(c.covered.iter().map(|t| ("covered table", t.table)))
                .chain(std::iter::once(("capability", c.name)));
            for (what, name) in names {
                if !seen.insert((what, name)) {
                    return Err(AppError::Internal(format!(
                        "{what} {name} is declared twice (capability {})",
                        c.name
                    )));
                }
            }
        }
        Ok(Registry { capabilities })
    }

    pub fn capabilities(&self) -> &[&'static Capability] {
        &self.capabilities
    }

    pub fn job(&self, kind: &str) -> Option<&'static JobSpec> {
        self.capabilities
            .iter()
            .flat_map(|c| c.jobs.iter())
            .find(|j| j.kind == kind)
    }

    pub fn periodic_jobs(&self) -> impl Iterator<Item = &'static JobSpec> + '_ {
        self.capabilities
            .iter()
            .flat_map(|c| c.jobs.iter())
            .filter(|j| j.every.is_some())
    }

    /// Every covered table, in registration order.
    pub fn covered_tables(&self) -> impl Iterator<Item = &'static CoveredTable> + '_ {
        self.capabilities.iter().flat_map(|c| c.covered.iter())
    }
}

/// The template registered under `key` (templates are the platform's own, never diagnostic).
pub fn template(key: &str) -> Option<&'static TemplateSpec> {
    CAPABILITIES
        .iter()
        .flat_map(|c| c.templates.iter())
        .find(|t| t.key == key)
}

/// Every covered table of the platform.
pub fn covered_tables() -> impl Iterator<Item = &'static CoveredTable> {
    CAPABILITIES.iter().flat_map(|c| c.covered.iter())
}

/// The current digest of every covered row of every capability.
pub async fn covered_rows(tx: &mut dyn ReadTx) -> AppResult<Vec<CoveredRow>> {
    let mut out = Vec::new();
    for c in CAPABILITIES {
        if let Some(list) = c.covered_rows {
            list(&mut *tx, &mut out).await?;
        }
    }
    Ok(out)
}

/// Start-up check: every queued job and every undelivered message must be one this node can
/// handle, so that a kind or template removed from the code stops the node at start rather
/// than failing (or worse, rendering a fallback) later.
pub async fn check_queued(registry: &Registry, tx: &mut dyn ReadTx) -> AppResult<()> {
    let mut unknown = Vec::new();
    for kind in tx.pending_job_kinds().await? {
        if registry.job(&kind).is_none() {
            unknown.push(format!("job kind {kind}"));
        }
    }
    for key in tx.pending_outbox_templates().await? {
        if template(&key).is_none() {
            unknown.push(format!("template {key}"));
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "queued work this node cannot handle: {}",
            unknown.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_registry_declares_nothing_twice() {
        let r = Registry::new(&[]).expect("registry");
        assert!(r.job(crate::jobs::CHECKPOINT).is_some());
        assert!(r.periodic_jobs().count() >= 3);
        assert!(template("question.answered").is_some());
        assert!(covered_tables().any(|t| t.table == "users"));
    }

    #[test]
    fn a_capability_registered_twice_is_refused() {
        let err = Registry::new(&[&crate::catalog::CAPABILITY]);
        assert!(err.is_err());
    }

    #[test]
    fn every_template_renders_a_title_and_a_body() {
        let empty = serde_json::json!({});
        for t in CAPABILITIES.iter().flat_map(|c| c.templates.iter()) {
            let m = (t.render)(&Params(&empty));
            assert!(!m.title.is_empty(), "{} has a title", t.key);
            assert!(!m.body.is_empty(), "{} has a body", t.key);
        }
    }
}
