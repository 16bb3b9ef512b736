//! The platform's signing key (SM2 by default) that signs ledger checkpoints.
//!
//! Taken from `YIWANG_SIGNING_KEY` (hex secret) when set — the way to keep it out of the database
//! in production — otherwise generated once and kept in `platform_keys`, so every node of a
//! PostgreSQL deployment signs with the same key.

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

pub async fn load_or_create(store: &Arc<dyn Store>) -> AppResult<(PlatformKey, String)> {
    if let Ok(secret) = std::env::var("YIWANG_SIGNING_KEY") {
        let key = PlatformKey::from_secret_hex(secret.trim()).map_err(|_| {
            AppError::Internal("YIWANG_SIGNING_KEY is not a valid SM2 secret key".into())
        })?;
        let id = key_id(&key.public_key_hex());
        return Ok((key, id));
    }
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
