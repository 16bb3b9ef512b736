//! The platform's signing key (SM2 by default) that signs ledger checkpoints.
//!
//! In production the key lives **outside the database**: a key file made by `yiwang keys init`
//! (`YIWANG_SIGNING_KEY_FILE`) or a hex secret in `YIWANG_SIGNING_KEY`, the same on every node —
//! so that someone who can write the database cannot sign a rewritten history with it. A demo (and
//! the tests) may keep a generated key in `platform_keys`; `yiwang serve` refuses that unless told
//! it is a demo (`YIWANG_DEMO_KEY=1`).

use std::sync::Arc;

use yiwang_core::ledger::{PlatformKey, sm3_hex};
use yiwang_store::{PlatformKeyRow, Store};

use crate::{AppError, AppResult, now_micros};

/// Algorithms of the ledger: SM3 hashes, SM2 signatures (GM/T 0003, 0004).
pub const ALGORITHM: &str = "SM2-with-SM3";
const KEY_ROW_ID: &str = "platform";

pub fn key_id(public_hex: &str) -> String {
    sm3_hex(public_hex.as_bytes())[..16].to_string()
}

/// Where a node's signing key comes from.
#[derive(Debug, Clone, Default)]
pub enum SigningKey {
    /// Generated once and kept in the database (demo and tests only).
    #[default]
    Database,
    /// From outside the database (key file or environment).
    External(PlatformKey),
    /// A throw-away key for commands that never sign (imports, index rebuilds); nothing stored.
    Unused,
}

/// The signing key configured outside the database, if any: `YIWANG_SIGNING_KEY` (hex) or the
/// file named by `YIWANG_SIGNING_KEY_FILE`.
pub fn external_key() -> AppResult<Option<PlatformKey>> {
    let (what, hex) = if let Ok(secret) = std::env::var("YIWANG_SIGNING_KEY") {
        ("YIWANG_SIGNING_KEY".to_string(), secret)
    } else if let Ok(path) = std::env::var("YIWANG_SIGNING_KEY_FILE") {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| AppError::Internal(format!("cannot read the key file {path}: {e}")))?;
        (format!("the key file {path}"), text)
    } else {
        return Ok(None);
    };
    PlatformKey::from_secret_hex(hex.trim())
        .map(Some)
        .map_err(|e| AppError::Internal(format!("{what} is not a valid SM2 secret key: {e}")))
}

/// Create a key file (mode 0600, never overwritten); returns the key.
pub fn init_key_file(path: &std::path::Path) -> std::io::Result<PlatformKey> {
    use std::io::Write;
    let key = PlatformKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    writeln!(f, "{}", key.secret_hex())?;
    f.sync_all()?;
    Ok(key)
}

/// The node's key from its source.
pub async fn resolve(
    store: &Arc<dyn Store>,
    source: SigningKey,
) -> AppResult<(PlatformKey, String)> {
    match source {
        SigningKey::External(key) => {
            let id = key_id(&key.public_key_hex());
            Ok((key, id))
        }
        SigningKey::Unused => {
            let key = PlatformKey::generate();
            let id = key_id(&key.public_key_hex());
            Ok((key, id))
        }
        SigningKey::Database => match external_key()? {
            Some(key) => {
                let id = key_id(&key.public_key_hex());
                Ok((key, id))
            }
            None => load_or_create(store).await,
        },
    }
}

/// The ledger action that registers a signing key: its detail names the algorithm, the public
/// key and its id. `yiwang audit verify` trusts only keys registered in the (chained, signed,
/// witnessed) ledger, so a key swapped in the database afterwards is found.
pub const REGISTER_ACTION: &str = "platform_key.register";
/// The ledger subject type of a key registration (the subject id is the key id).
pub const SUBJECT: &str = "platform_key";

/// Record the node's signing key in the ledger unless it is there already (first start with a
/// new key). Two nodes starting at once may both record it; the entries say the same.
pub async fn register(store: &Arc<dyn Store>, key: &PlatformKey) -> AppResult<()> {
    let public = key.public_key_hex();
    let id = key_id(&public);
    let mut tx = store.write().await?;
    if !tx.ledger_entries_about(SUBJECT, &id).await?.is_empty() {
        return Ok(());
    }
    crate::record(
        &mut *tx,
        &crate::Acting::system(),
        REGISTER_ACTION,
        (SUBJECT, &id),
        Vec::new(),
        serde_json::json!({ "algorithm": ALGORITHM, "public_key": public, "key_id": id }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(key_id = %id, "platform signing key registered in the ledger");
    Ok(())
}

/// The key kept in the database, generated on first use (demo and tests).
pub async fn load_or_create(store: &Arc<dyn Store>) -> AppResult<(PlatformKey, String)> {
    let mut tx = store.write().await?;
    if tx.get_platform_key().await?.is_none() {
        let key = PlatformKey::generate();
        tx.insert_platform_key(&PlatformKeyRow {
            id: KEY_ROW_ID.into(),
            algorithm: ALGORITHM.into(),
            public_key: key.public_key_hex(),
            secret_key: key.secret_hex(),
            created_at: now_micros(),
        })
        .await?;
    }
    let row = tx
        .get_platform_key()
        .await?
        .ok_or_else(|| AppError::Internal("platform key missing".into()))?;
    tx.commit().await?;
    let key = PlatformKey::from_secret_hex(&row.secret_key)
        .map_err(|_| AppError::Internal("stored platform key is invalid".into()))?;
    let id = key_id(&row.public_key);
    Ok((key, id))
}
