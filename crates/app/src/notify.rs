//! Notifications leave through the outbox: a use case queues them in its own transaction, the job
//! runner delivers them later, so none is lost when a gateway is down and none is sent for a
//! change that rolled back.

use serde::{Deserialize, Serialize};
use yiwang_store::OutboxMessage;
use yiwang_store::prelude::*;

use crate::{AppResult, new_id, now_micros};

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

/// Message templates (Chinese first; the platform's users read Chinese).
pub fn render(template: &str, params: &serde_json::Value) -> Message {
    let p = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    match template {
        "account.created" => Message {
            title: "账户已开通".into(),
            body: format!(
                "{}:您的一网账户({})已开通,角色:{}。",
                p("display_name"),
                p("username"),
                p("roles")
            ),
        },
        "calendar.amended" => Message {
            title: "工作日历已调整".into(),
            body: format!("工作日历第{}版已生效:{}", p("version"), p("note")),
        },
        "question.answered" => Message {
            title: "咨询已答复".into(),
            body: format!(
                "您关于“{}”的咨询已有答复,请在“我的咨询”中查看:/hall/my-questions",
                p("item")
            ),
        },
        "session.revoked" => Message {
            title: "登录已被注销".into(),
            body: "管理员已注销您的全部登录会话,请重新登录。".into(),
        },
        // 办件 (cases): their own templates.
        t if t.starts_with("case.") => crate::cases::render(t, params),
        other => Message {
            title: "通知".into(),
            body: format!("{other}: {params}"),
        },
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
        );
        assert!(m.body.contains("张三") && m.body.contains("zhangsan"));
    }

    #[test]
    fn the_answer_notification_names_my_questions() {
        let m = render(
            "question.answered",
            &serde_json::json!({"item": "食品经营许可"}),
        );
        assert!(m.body.contains("食品经营许可") && m.body.ends_with("/hall/my-questions"));
    }
}
