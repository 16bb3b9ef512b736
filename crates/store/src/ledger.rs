//! The audit ledger: entries, checkpoints, the stored Merkle tree and the platform key.

use serde::{Deserialize, Serialize};
use yiwang_core::time::Micros;

use crate::Result;
use yiwang_core::ledger::{EntryContent, canonical_json, entry_hash};
use yiwang_core::time::rfc3339_micros;

/// What a use case hands the ledger; the store assigns the sequence number and the hash chain.
#[derive(Debug, Clone)]
pub struct LedgerDraft {
    pub at: Micros,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub rows: Vec<yiwang_core::ledger::RowDigest>,
    pub detail: serde_json::Value,
}

/// A stored ledger entry: the hashed content plus its chain links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LedgerRow {
    pub seq: i64,
    pub at: Micros,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub rows_json: String,
    pub detail_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A signed statement of the ledger's Merkle root at a size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Checkpoint {
    pub tree_size: i64,
    pub root: String,
    pub at: Micros,
    pub key_id: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlatformKeyRow {
    pub id: String,
    pub algorithm: String,
    pub public_key: String,
    pub secret_key: String,
    pub created_at: Micros,
}

/// Ledger queries any transaction may run.
#[async_trait::async_trait]
pub trait LedgerRead: Send {
    async fn ledger_head(&mut self) -> Result<(i64, String)>;
    async fn ledger_entry(&mut self, seq: i64) -> Result<Option<LedgerRow>>;
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn ledger_entries(&mut self, after: i64, limit: i64) -> Result<Vec<LedgerRow>>;
    /// The newest entries, newest first.
    async fn ledger_recent(&mut self, limit: i64) -> Result<Vec<LedgerRow>>;
    /// Every entry about one subject, oldest first.
    async fn ledger_entries_about(
        &mut self,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<LedgerRow>>;
    async fn latest_checkpoint(&mut self) -> Result<Option<Checkpoint>>;
    async fn get_checkpoint(&mut self, tree_size: i64) -> Result<Option<Checkpoint>>;
    async fn list_checkpoints(&mut self) -> Result<Vec<Checkpoint>>;
    /// How many entries the stored Merkle tree covers (its level-0 nodes).
    async fn merkle_size(&mut self) -> Result<i64>;
    /// One stored node's hash (hex), if stored.
    async fn merkle_node(&mut self, level: i64, index: i64) -> Result<Option<String>>;
    /// Stored nodes in (level, index) order after `(level, index)`, at most `limit` (paging).
    async fn merkle_nodes_after(
        &mut self,
        level: i64,
        index: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, String)>>;
    async fn get_platform_key(&mut self) -> Result<Option<PlatformKeyRow>>;
}

/// Ledger changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait LedgerWrite: LedgerRead {
    async fn append_ledger(&mut self, draft: LedgerDraft) -> Result<LedgerRow>;
    async fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()>;
    /// Store complete nodes `(level, index, hash hex)`.
    async fn insert_merkle_nodes(&mut self, nodes: &[(i64, i64, String)]) -> Result<()>;
    async fn insert_platform_key(&mut self, k: &PlatformKeyRow) -> Result<bool>;
}

/// The SQL of [`LedgerRead`] and [`LedgerWrite`] for one backend (`$db`).
macro_rules! impl_ledger {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::ledger::LedgerRead for $crate::SqlTx<$db, M> {
            async fn ledger_head(&mut self) -> $crate::Result<(i64, String)> {
                sqlx::query_as("SELECT seq, hash FROM ledger_head WHERE id = 1")
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_entry(&mut self, seq: i64) -> $crate::Result<Option<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries WHERE seq = $1")
                    .bind(seq).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_entries(&mut self, after: i64, limit: i64) -> $crate::Result<Vec<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries WHERE seq > $1 ORDER BY seq LIMIT $2")
                    .bind(after).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_entries_about(&mut self, subject_type: &str, subject_id: &str) -> $crate::Result<Vec<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq")
                    .bind(subject_type).bind(subject_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_recent(&mut self, limit: i64) -> $crate::Result<Vec<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries ORDER BY seq DESC LIMIT $1")
                    .bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn latest_checkpoint(&mut self) -> $crate::Result<Option<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1")
                    .fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_checkpoint(&mut self, tree_size: i64) -> $crate::Result<Option<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints WHERE tree_size = $1")
                    .bind(tree_size).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_checkpoints(&mut self) -> $crate::Result<Vec<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints ORDER BY tree_size")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn merkle_size(&mut self) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_merkle WHERE level = 0")
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn merkle_node(&mut self, level: i64, index: i64) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM ledger_merkle WHERE level = $1 AND idx = $2")
                    .bind(level).bind(index).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(row.map(|(h,)| h))
            }

            async fn merkle_nodes_after(&mut self, level: i64, index: i64, limit: i64) -> $crate::Result<Vec<(i64, i64, String)>> {
                sqlx::query_as("SELECT level, idx, hash FROM ledger_merkle WHERE level > $1 OR (level = $1 AND idx > $2) ORDER BY level, idx LIMIT $3")
                    .bind(level).bind(index).bind(limit)
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_platform_key(&mut self) -> $crate::Result<Option<$crate::PlatformKeyRow>> {
                sqlx::query_as("SELECT id, algorithm, public_key, secret_key, created_at FROM platform_keys ORDER BY created_at LIMIT 1")
                    .fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::ledger::LedgerWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn append_ledger(&mut self, draft: $crate::LedgerDraft) -> $crate::Result<$crate::LedgerRow> {
                let (head_seq, prev_hash): (i64, String) =
                    sqlx::query_as(<$db as $crate::dialect::Dialect>::LEDGER_HEAD_FOR_UPDATE)
                        .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                let row = $crate::ledger::chain(head_seq + 1, prev_hash, draft);
                sqlx::query("INSERT INTO ledger_entries (seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(row.seq).bind(row.at).bind(&row.actor_id).bind(&row.actor_role).bind(&row.org_id)
                    .bind(&row.action).bind(&row.subject_type).bind(&row.subject_id).bind(&row.rows_json)
                    .bind(&row.detail_json).bind(&row.prev_hash).bind(&row.hash)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                sqlx::query("UPDATE ledger_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(row.seq).bind(&row.hash)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(row)
            }

            async fn insert_checkpoint(&mut self, c: &$crate::Checkpoint) -> $crate::Result<()> {
                sqlx::query("INSERT INTO ledger_checkpoints (tree_size, root, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING")
                    .bind(c.tree_size).bind(&c.root).bind(c.at).bind(&c.key_id).bind(&c.signature)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_merkle_nodes(&mut self, nodes: &[(i64, i64, String)]) -> $crate::Result<()> {
                for (level, index, hash) in nodes {
                    sqlx::query("INSERT INTO ledger_merkle (level, idx, hash) VALUES ($1, $2, $3)")
                        .bind(level).bind(index).bind(hash)
                        .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                }
                Ok(())
            }

            async fn insert_platform_key(&mut self, k: &$crate::PlatformKeyRow) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO platform_keys (id, algorithm, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
                    .bind(&k.id).bind(&k.algorithm).bind(&k.public_key).bind(&k.secret_key).bind(k.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use impl_ledger;

/// The hashed content of a stored entry, as `audit verify` recomputes it.
pub fn entry_content(
    row: &crate::LedgerRow,
) -> std::result::Result<EntryContent, serde_json::Error> {
    Ok(EntryContent {
        seq: row.seq,
        at: rfc3339_micros(row.at),
        actor_id: row.actor_id.clone(),
        actor_role: row.actor_role.clone(),
        org_id: row.org_id.clone(),
        action: row.action.clone(),
        subject_type: row.subject_type.clone(),
        subject_id: row.subject_id.clone(),
        rows: serde_json::from_str(&row.rows_json)?,
        detail: serde_json::from_str(&row.detail_json)?,
    })
}

/// Link a draft to the chain: the entry's hash covers the previous hash and its whole content.
pub(crate) fn chain(seq: i64, prev_hash: String, d: crate::LedgerDraft) -> crate::LedgerRow {
    let rows_json = serde_json::to_string(&d.rows).unwrap_or_else(|_| "[]".into());
    let detail_json = canonical_json(&d.detail);
    let content = EntryContent {
        seq,
        at: rfc3339_micros(d.at),
        actor_id: d.actor_id.clone(),
        actor_role: d.actor_role.clone(),
        org_id: d.org_id.clone(),
        action: d.action.clone(),
        subject_type: d.subject_type.clone(),
        subject_id: d.subject_id.clone(),
        rows: d.rows,
        detail: d.detail,
    };
    let hash = entry_hash(&prev_hash, &content);
    crate::LedgerRow {
        seq,
        at: d.at,
        actor_id: d.actor_id,
        actor_role: d.actor_role,
        org_id: d.org_id,
        action: d.action,
        subject_type: d.subject_type,
        subject_id: d.subject_id,
        rows_json,
        detail_json,
        prev_hash,
        hash,
    }
}
