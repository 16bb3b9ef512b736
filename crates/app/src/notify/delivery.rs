//! Delivery of due outbox messages. In-app messages are written to the inbox in the claiming
//! transaction. A message for a gateway is *leased* instead: the claiming transaction counts the
//! attempt and moves its next try past the send timeout, commits, and only then is the message
//! sent — outside any transaction, so a slow or dead gateway never holds the database's write
//! lock — and its outcome recorded in a second transaction. A node that dies between sending and
//! recording leaves the message to be sent again when its lease ends, with the same idempotency
//! key; no other node can take it while it is in flight.

use std::sync::Arc;

use futures_util::future::join_all;
use yiwang_store::prelude::*;
use yiwang_store::{InboxItem, OutboxMessage};

use super::gateway::{GIVE_UP_AFTER, Gateway, Outgoing, SEND_TIMEOUT, SendError, retry_delay};
use super::{Channel, render};
use crate::{App, AppResult, new_id};

/// Outbox statuses as stored.
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";

/// Deliver up to `limit` messages due at `now`; returns how many were handled.
pub async fn deliver_due(app: &App, now: i64, limit: i64) -> AppResult<usize> {
    let mut tx = app.store.write().await?;
    let batch = tx.claim_due_outbox(now, limit).await?;
    let n = batch.len();
    let mut leaving: Vec<(Arc<dyn Gateway>, OutboxMessage, Outgoing)> = Vec::new();
    for mut m in batch {
        m.attempts += 1;
        let settled = match prepare(app, &mut *tx, &m).await? {
            Prepared::InApp(title, body) => {
                tx.insert_inbox(&InboxItem {
                    id: new_id(),
                    user_id: m.recipient.clone(),
                    title,
                    body,
                    outbox_id: m.id.clone(),
                    created_at: now,
                    read_at: None,
                })
                .await?;
                m.status = DELIVERED.into();
                m.delivered_at = Some(now);
                true
            }
            Prepared::Leave(gateway, out) => {
                // The lease: no node takes the message again before this, and the send times out
                // well before it.
                m.next_try_at = now + retry_delay(m.attempts).as_micros() as i64;
                leaving.push((gateway, m.clone(), *out));
                false
            }
            Prepared::Wait(why) => {
                m.next_try_at = now + retry_delay(m.attempts).as_micros() as i64;
                let expired = now - m.created_at > GIVE_UP_AFTER.as_micros() as i64;
                if expired {
                    m.status = FAILED.into();
                }
                m.last_error = Some(why);
                expired
            }
            Prepared::Undeliverable(why) => {
                m.status = FAILED.into();
                m.last_error = Some(why);
                true
            }
        };
        tx.update_outbox(&m).await?;
        if settled {
            counted(&m);
        }
    }
    tx.commit().await?;
    if leaving.is_empty() {
        return Ok(n);
    }

    let outcomes = join_all(leaving.iter().map(|(g, _, out)| async move {
        match tokio::time::timeout(SEND_TIMEOUT, g.send(out)).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Transient(
                "the gateway did not answer in time".into(),
            )),
        }
    }))
    .await;
    let mut tx = app.store.write().await?;
    for ((_, mut m, _), outcome) in leaving.into_iter().zip(outcomes) {
        match outcome {
            Ok(()) => {
                m.status = DELIVERED.into();
                m.delivered_at = Some(now);
                m.last_error = None;
            }
            Err(SendError::Permanent(why)) => {
                m.status = FAILED.into();
                m.last_error = Some(why);
            }
            Err(SendError::Transient(why)) => {
                tracing::info!(message = %m.id, channel = %m.channel, attempts = m.attempts, error = %why, "message delayed");
                if now - m.created_at > GIVE_UP_AFTER.as_micros() as i64 {
                    m.status = FAILED.into();
                }
                m.last_error = Some(why);
            }
        }
        tx.update_outbox(&m).await?;
        counted(&m);
    }
    tx.commit().await?;
    Ok(n)
}

fn counted(m: &OutboxMessage) {
    metrics::counter!("yiwang_notifications_total", "channel" => m.channel.clone(), "status" => m.status.clone())
        .increment(1);
}

enum Prepared {
    InApp(String, String),
    Leave(Arc<dyn Gateway>, Box<Outgoing>),
    /// No gateway for the channel on this node: kept, tried again later (a deployment that
    /// configures its gateway then sends it), given up like an outage.
    Wait(String),
    Undeliverable(String),
}

/// Render a claimed message and find its way out.
async fn prepare(app: &App, tx: &mut dyn WriteTx, m: &OutboxMessage) -> AppResult<Prepared> {
    let params: serde_json::Value =
        serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null);
    let msg = match render(&m.template, &params) {
        Ok(msg) => msg,
        // Queued by a version that had this template: kept for an operator.
        Err(e) => return Ok(Prepared::Undeliverable(e.to_string())),
    };
    let Some(channel) = Channel::parse(&m.channel) else {
        return Ok(Prepared::Undeliverable(format!(
            "unknown channel {}",
            m.channel
        )));
    };
    if channel == Channel::InApp {
        return Ok(Prepared::InApp(msg.title, msg.body));
    }
    let Some(gateway) = app.gateways().of(channel) else {
        return Ok(Prepared::Wait(format!(
            "no gateway is configured for {}",
            channel.as_str()
        )));
    };
    let Some(to) = address(tx, channel, &m.recipient).await? else {
        return Ok(Prepared::Undeliverable(format!(
            "the recipient has no address for {}",
            channel.as_str()
        )));
    };
    Ok(Prepared::Leave(
        gateway.clone(),
        Box::new(Outgoing {
            id: m.id.clone(),
            to,
            template: m.template.clone(),
            params,
            title: msg.title,
            body: msg.body,
        }),
    ))
}

/// The address of a recipient on a channel: `tel:NUMBER` and `mailto:ADDRESS` as written, a
/// user id as the user's phone or e-mail address at the time of sending (so that the outbox keeps
/// no copy of personal contact data, and a changed number is used).
async fn address(
    tx: &mut dyn WriteTx,
    channel: Channel,
    recipient: &str,
) -> AppResult<Option<String>> {
    if let Some(n) = recipient.strip_prefix("tel:") {
        return Ok(Some(n.to_string()));
    }
    if let Some(a) = recipient.strip_prefix("mailto:") {
        return Ok(Some(a.to_string()));
    }
    let Some(user) = tx.get_user(recipient).await? else {
        return Ok(None);
    };
    Ok(match channel {
        Channel::Email => user.email,
        Channel::Sms | Channel::Voice => user.phone,
        Channel::InApp => None,
    }
    .filter(|a| !a.trim().is_empty()))
}
