//! The notification outbox and the in-app inbox.

use serde::{Deserialize, Serialize};
use yiwang_core::time::Micros;

use crate::Result;

/// A notification waiting in the outbox (in-app, SMS, voice, e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_try_at: Micros,
    pub created_at: Micros,
    pub delivered_at: Option<Micros>,
    pub last_error: Option<String>,
}

/// An in-app notification delivered to a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub body: String,
    pub outbox_id: String,
    pub created_at: Micros,
    pub read_at: Option<Micros>,
}

/// Outbox queries any transaction may run.
#[async_trait::async_trait]
pub trait OutboxRead: Send {
    async fn inbox_of_user(&mut self, user_id: &str, limit: i64) -> Result<Vec<InboxItem>>;
    /// The templates of the messages still to deliver (pending), each once.
    async fn pending_outbox_templates(&mut self) -> Result<Vec<String>>;
}

/// Outbox changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait OutboxWrite: OutboxRead {
    async fn enqueue_outbox(&mut self, m: &OutboxMessage) -> Result<()>;
    async fn claim_due_outbox(&mut self, now: Micros, limit: i64) -> Result<Vec<OutboxMessage>>;
    async fn update_outbox(&mut self, m: &OutboxMessage) -> Result<()>;
    async fn insert_inbox(&mut self, i: &InboxItem) -> Result<()>;
}

/// The SQL of [`OutboxRead`] and [`OutboxWrite`] for one backend (`$db`).
macro_rules! impl_outbox {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::outbox::OutboxRead for $crate::SqlTx<$db, M> {
            async fn inbox_of_user(&mut self, user_id: &str, limit: i64) -> $crate::Result<Vec<$crate::InboxItem>> {
                sqlx::query_as("SELECT id, user_id, title, body, outbox_id, created_at, read_at FROM inbox WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2")
                    .bind(user_id).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn pending_outbox_templates(&mut self) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT template FROM outbox WHERE status = 'pending'")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }

        #[async_trait::async_trait]
        impl $crate::outbox::OutboxWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn enqueue_outbox(&mut self, m: &$crate::OutboxMessage) -> $crate::Result<()> {
                sqlx::query("INSERT INTO outbox (id, channel, recipient, template, payload, status, attempts, next_try_at, created_at, delivered_at, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(&m.id).bind(&m.channel).bind(&m.recipient).bind(&m.template).bind(&m.payload).bind(&m.status)
                    .bind(m.attempts).bind(m.next_try_at).bind(m.created_at).bind(m.delivered_at).bind(&m.last_error)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn claim_due_outbox(&mut self, now: i64, limit: i64) -> $crate::Result<Vec<$crate::OutboxMessage>> {
                sqlx::query_as(<$db as $crate::dialect::Dialect>::CLAIM_DUE_OUTBOX)
                    .bind(now).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn update_outbox(&mut self, m: &$crate::OutboxMessage) -> $crate::Result<()> {
                sqlx::query("UPDATE outbox SET status = $2, attempts = $3, next_try_at = $4, delivered_at = $5, last_error = $6 WHERE id = $1")
                    .bind(&m.id).bind(&m.status).bind(m.attempts).bind(m.next_try_at).bind(m.delivered_at).bind(&m.last_error)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_inbox(&mut self, i: &$crate::InboxItem) -> $crate::Result<()> {
                sqlx::query("INSERT INTO inbox (id, user_id, title, body, outbox_id, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&i.id).bind(&i.user_id).bind(&i.title).bind(&i.body).bind(&i.outbox_id).bind(i.created_at).bind(i.read_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_outbox;
