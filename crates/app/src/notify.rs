//! Notifications leave through the outbox: a use case queues them in its own transaction, the job
//! runner delivers them later, so none is lost when a gateway is down and none is sent for a
//! change that rolled back.

use serde::{Deserialize, Serialize};
use yiwang_store::OutboxMessage;
use yiwang_store::prelude::*;

use crate::registry::Params;
use crate::{AppError, AppResult, new_id, now_micros};

/// A delivery channel (in-app, SMS, voice call, e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InApp,
    Sms,
    Voice,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
            Channel::Email => "email",
        }
    }
}

/// The text of a notification, rendered from a Chinese template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// Render a queued message with its capability's template. An unknown key is an error (the
/// message is kept and marked failed), never a fallback text.
pub fn render(template: &str, params: &serde_json::Value) -> AppResult<Message> {
    match crate::registry::template(template) {
        Some(t) => Ok((t.render)(&Params(params))),
        None => Err(AppError::Internal(format!(
            "no message template {template} is registered"
        ))),
    }
}

/// Queue a notification inside the caller's transaction.
pub async fn queue(
    tx: &mut dyn WriteTx,
    channel: Channel,
    recipient: &str,
    template: &str,
    params: serde_json::Value,
) -> AppResult<()> {
    if crate::registry::template(template).is_none() {
        return Err(AppError::Internal(format!(
            "no message template {template} is registered"
        )));
    }
    let now = now_micros();
    tx.enqueue_outbox(&OutboxMessage {
        id: new_id(),
        channel: channel.as_str().into(),
        recipient: recipient.into(),
        template: template.into(),
        payload: params.to_string(),
        status: "pending".into(),
        attempts: 0,
        next_try_at: now,
        created_at: now,
        delivered_at: None,
        last_error: None,
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_their_parameters() {
        let m = render(
            "account.created",
            &serde_json::json!({"display_name": "张三", "username": "zhangsan", "roles": "审批人员"}),
        )
        .expect("registered");
        assert!(m.body.contains("张三") && m.body.contains("zhangsan"));
    }

    #[test]
    fn the_answer_notification_names_my_questions() {
        let m = render(
            "question.answered",
            &serde_json::json!({"item": "食品经营许可"}),
        )
        .expect("registered");
        assert!(m.body.contains("食品经营许可") && m.body.ends_with("/hall/my-questions"));
    }

    #[test]
    fn an_unknown_template_is_an_error_not_a_fallback() {
        assert!(render("no.such.template", &serde_json::json!({})).is_err());
    }
}
