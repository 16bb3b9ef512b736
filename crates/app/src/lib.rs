//! yiwang-app: the use cases. Each state change is one function that
//! 1. checks the caller's permission with `yiwang_core::access::authorize`,
//! 2. applies the domain rule from `yiwang_core`,
//! 3. writes the data, its audit-ledger entry and any outbox notification in ONE transaction.
//!
//! Handlers (web, CLI) call these functions and nothing below them.

pub mod audit;
pub mod blobs;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod demo;
pub mod error;
pub mod evaluation;
pub mod experts;
mod forms;
pub mod identity;
pub mod jobs;
pub mod ledger_tree;
pub mod notify;
pub mod organisations;
pub mod password;
pub mod pdf;
pub mod platform_key;
pub mod proof_check;
pub mod registry;
pub mod sheet;
pub mod trading;
pub mod witness;

use std::sync::{Arc, RwLock};

use yiwang_core::access::Actor;
use yiwang_core::calendar::WorkingCalendar;
use yiwang_core::ledger::{PlatformKey, RowDigest};
use yiwang_store::prelude::*;
use yiwang_store::{LedgerDraft, LedgerRow, Store};

pub use error::{AppError, AppResult};

/// The running application: the store plus what is cached from it.
pub struct App {
    pub store: Arc<dyn Store>,
    calendar: RwLock<Arc<CachedCalendar>>,
    key: PlatformKey,
    key_id: String,
    search: catalog::search::CatalogSearch,
    sheets: sheet::SheetReader,
    tokens: identity::TokenPolicy,
    form_key: [u8; 32],
    blobs: Arc<blobs::Blobs>,
    registry: registry::Registry,
    gateways: notify::Gateways,
    ocds: trading::ocds::OcdsOptions,
}

/// How to start the application.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Where this node keeps its search index; in memory when `None`.
    pub index_dir: Option<std::path::PathBuf>,
    /// Read uploaded XLSX files in a child process started from this executable (`yiwang
    /// serve` passes itself), limited to `sheet_child_memory_mb`; in this process when `None`.
    pub sheet_child: Option<std::path::PathBuf>,
    /// Address-space limit of a spreadsheet-reader child, in MiB (0: the default, 1024).
    pub sheet_child_memory_mb: u64,
    /// Lifetimes of API tokens.
    pub tokens: identity::TokenPolicy,
    /// Where the checkpoint-signing key comes from.
    pub signing_key: platform_key::SigningKey,
    /// The blob store of file contents (every node of a deployment must share it); in memory
    /// when `None`.
    pub blobs: Option<Arc<blobs::Blobs>>,
    /// Register the diagnostic capability (the probe job) as well; tests and
    /// `YIWANG_DIAGNOSTICS=1` only.
    pub diagnostics: bool,
    /// The SMS, voice and e-mail gateways (none: those messages are not sent).
    pub gateways: notify::Gateways,
    /// OCDS publication: the ocid prefix, public address and publisher (defaults:
    /// `trading::ocds::DEFAULT_*`).
    pub ocds: trading::ocds::OcdsOptions,
}

/// The working-day calendar of the newest version, as the rules use it.
pub struct CachedCalendar {
    pub version: i64,
    pub calendar: WorkingCalendar,
}

/// Who did something, for the ledger: a person acting through a role, or the platform itself.
#[derive(Debug, Clone)]
pub struct Acting {
    pub actor_id: Option<String>,
    pub role: Option<String>,
    pub org_id: Option<String>,
}

impl Acting {
    /// The platform acting on its own (bootstrap, timers).
    pub fn system() -> Self {
        Acting {
            actor_id: None,
            role: Some("system".into()),
            org_id: None,
        }
    }

    pub fn as_grant(actor: &Actor, grant: &yiwang_core::access::Grant) -> Self {
        Acting {
            actor_id: Some(actor.user_id.clone()),
            role: Some(grant.role.as_str().into()),
            org_id: Some(grant.org_id.clone()),
        }
    }

    pub fn as_self(actor: &Actor) -> Self {
        Acting {
            actor_id: Some(actor.user_id.clone()),
            role: Some(actor.kind.as_str().into()),
            org_id: None,
        }
    }
}

pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Append the ledger entry for a change inside the change's own transaction.
pub async fn record(
    tx: &mut dyn WriteTx,
    by: &Acting,
    action: &str,
    subject: (&str, &str),
    rows: Vec<RowDigest>,
    detail: serde_json::Value,
) -> AppResult<LedgerRow> {
    let row = tx
        .append_ledger(LedgerDraft {
            at: now_micros(),
            actor_id: by.actor_id.clone(),
            actor_role: by.role.clone(),
            org_id: by.org_id.clone(),
            action: action.into(),
            subject_type: subject.0.into(),
            subject_id: subject.1.into(),
            rows,
            detail,
        })
        .await?;
    Ok(row)
}

/// A closed-set value read from the database, parsed into its `core` enum; an unknown value is an
/// error naming the row (never a silent default).
pub fn parse_stored<T>(
    parse: fn(&str) -> Option<T>,
    table: &str,
    id: &str,
    column: &str,
    value: &str,
) -> AppResult<T> {
    parse(value).ok_or_else(|| {
        AppError::Internal(format!(
            "{table} row {id}: unknown {column} {value:?} in the database"
        ))
    })
}

/// A row digest for the ledger.
pub fn digest(table: &str, id: &str, digest: String) -> RowDigest {
    RowDigest {
        table: table.into(),
        id: id.into(),
        digest,
    }
}

impl App {
    /// Start the application on a migrated store: seed master data on first start, load the
    /// calendar and the platform signing key.
    pub async fn start(store: Arc<dyn Store>) -> AppResult<Arc<App>> {
        Self::start_with(store, AppOptions::default()).await
    }

    pub async fn start_with(store: Arc<dyn Store>, opts: AppOptions) -> AppResult<Arc<App>> {
        let blobs = opts
            .blobs
            .clone()
            .unwrap_or_else(|| Arc::new(blobs::Blobs::memory()));
        let registry = registry::Registry::new(if opts.diagnostics {
            &[&jobs::DIAGNOSTICS]
        } else {
            &[]
        })?;
        registry::check_queued(&registry, &mut *store.read().await?).await?;
        blobs::move_legacy_contents(&store, &blobs).await?;
        organisations::seed_regions(&store).await?;
        calendar::seed_official(&store).await?;
        let signs = !matches!(opts.signing_key, platform_key::SigningKey::Unused);
        let (key, key_id) = platform_key::resolve(&store, opts.signing_key.clone()).await?;
        if signs {
            platform_key::register(&store, &key).await?;
        }
        audit::catch_up_tree(&store).await?;
        let cal = calendar::load_current(&store).await?;
        let search = catalog::search::CatalogSearch::new(opts.index_dir.as_deref())
            .map_err(|e| AppError::Internal(format!("search index: {}", e.message_en())))?;
        let limits = sheet::SheetLimits::default();
        let sheets = match opts.sheet_child {
            Some(exe) => {
                let mb = match opts.sheet_child_memory_mb {
                    0 => 1024,
                    mb => mb,
                };
                sheet::SheetReader::isolated(limits, exe, mb)
            }
            None => sheet::SheetReader::in_process(limits),
        };
        let form_key = forms::derive_key(&key);
        let app = Arc::new(App {
            store,
            calendar: RwLock::new(Arc::new(cal)),
            key,
            key_id,
            search,
            sheets,
            tokens: opts.tokens,
            form_key,
            blobs,
            registry,
            gateways: opts.gateways,
            ocds: opts.ocds,
        });
        app.search.sync(&app.store).await?;
        Ok(app)
    }

    /// The node's reader of uploaded spreadsheets.
    pub fn sheets(&self) -> &sheet::SheetReader {
        &self.sheets
    }

    /// The capabilities this node runs.
    pub fn registry(&self) -> &registry::Registry {
        &self.registry
    }

    /// The gateways that carry messages off the platform.
    pub fn gateways(&self) -> &notify::Gateways {
        &self.gateways
    }

    /// OCDS publication settings.
    pub fn ocds(&self) -> &trading::ocds::OcdsOptions {
        &self.ocds
    }

    /// The blob store of file contents.
    pub fn blobs(&self) -> &blobs::Blobs {
        &self.blobs
    }

    pub fn search(&self) -> &catalog::search::CatalogSearch {
        &self.search
    }

    /// Bring this node's search index up to the catalogue. A failure is logged, not returned:
    /// the change it follows is committed, and the periodic sync retries.
    pub async fn search_sync(&self) {
        if let Err(e) = self.search.sync(&self.store).await {
            tracing::warn!(error = %e, "search index sync failed");
        }
    }

    pub fn calendar(&self) -> Arc<CachedCalendar> {
        self.calendar.read().expect("calendar lock").clone()
    }

    /// Reload the calendar after an amendment (or when another node amended it).
    pub async fn refresh_calendar(&self) -> AppResult<()> {
        let cal = calendar::load_current(&self.store).await?;
        *self.calendar.write().expect("calendar lock") = Arc::new(cal);
        Ok(())
    }

    pub fn platform_key(&self) -> &PlatformKey {
        &self.key
    }

    pub fn platform_key_id(&self) -> &str {
        &self.key_id
    }

    /// Lifetimes of the API tokens this node issues.
    pub fn token_policy(&self) -> identity::TokenPolicy {
        self.tokens
    }

    /// A fresh token for a form shown before any session exists (the sign-in form).
    pub fn issue_form_token(&self) -> String {
        forms::issue(&self.form_key, now_micros())
    }

    /// Whether a pre-session form token was issued by this platform (any node) and is unexpired.
    pub fn check_form_token(&self, token: &str) -> bool {
        forms::check(&self.form_key, token, now_micros())
    }
}
