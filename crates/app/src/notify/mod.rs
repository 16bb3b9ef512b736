//! Notifications leave through the outbox: a use case queues them in its own transaction, the job
//! runner delivers them later, so none is lost when a gateway is down and none is sent for a
//! change that rolled back.

use serde::{Deserialize, Serialize};
use yiwang_store::OutboxMessage;
use yiwang_store::prelude::*;

use crate::registry::Params;
use crate::{AppError, AppResult, new_id, now_micros};

mod delivery;
pub mod gateway;
mod http_gateway;
mod smtp;

pub use delivery::deliver_due;
pub use gateway::{Gateway, Gateways, Outgoing, SendError};
pub use http_gateway::HttpGateway;
pub use smtp::SmtpGateway;

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

    /// The channel of a stored outbox row.
    pub fn parse(text: &str) -> Option<Channel> {
        [Channel::InApp, Channel::Sms, Channel::Voice, Channel::Email]
            .into_iter()
            .find(|c| c.as_str() == text)
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

/// Tell a person: in the platform's inbox always, and by SMS and e-mail when the deployment has
/// those gateways and the person has a phone number or an e-mail address. The SMS and e-mail
/// messages name the user, not the address: delivery looks the address up when it sends.
pub async fn queue_person(
    tx: &mut dyn WriteTx,
    gateways: &Gateways,
    user_id: &str,
    template: &str,
    params: serde_json::Value,
) -> AppResult<()> {
    queue(tx, Channel::InApp, user_id, template, params.clone()).await?;
    let Some(user) = tx.get_user(user_id).await? else {
        return Ok(());
    };
    let has = |a: &Option<String>| a.as_deref().is_some_and(|a| !a.trim().is_empty());
    if gateways.carries(Channel::Sms) && has(&user.phone) {
        queue(tx, Channel::Sms, user_id, template, params.clone()).await?;
    }
    if gateways.carries(Channel::Email) && has(&user.email) {
        queue(tx, Channel::Email, user_id, template, params).await?;
    }
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
