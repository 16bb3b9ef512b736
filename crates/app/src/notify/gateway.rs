//! The gateways that carry a message off the platform: e-mail (SMTP), SMS and automated voice
//! calls (HTTP gateways). A deployment configures each with environment variables; a channel
//! without a gateway keeps its messages failed with the reason, for an operator to see.
//!
//! Delivery is at least once with an idempotency key: every send carries the outbox message's id
//! (the SMS/voice request's `message_id`, the e-mail's `Message-ID`), so that a message resent
//! after a node died between sending and recording it is recognised by the gateway or the mail
//! client as the same message.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::Channel;
use super::http_gateway::HttpGateway;
use super::smtp::SmtpGateway;

/// One message, rendered and addressed, ready to leave.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox message's id: the idempotency key.
    pub id: String,
    /// Phone number (SMS, voice) or e-mail address.
    pub to: String,
    /// The platform's template key (`case.accepted`, …).
    pub template: String,
    /// The template's parameters, for gateways that fill their own registered templates.
    pub params: serde_json::Value,
    pub title: String,
    pub body: String,
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The gateway is down, busy or slow: try again later.
    Transient(String),
    /// The gateway refused this message (bad address, unknown template): retrying cannot help.
    Permanent(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transient(e) => write!(f, "temporary: {e}"),
            SendError::Permanent(e) => write!(f, "refused: {e}"),
        }
    }
}

/// A way out of the platform for one channel.
#[async_trait::async_trait]
pub trait Gateway: Send + Sync {
    async fn send(&self, m: &Outgoing) -> Result<(), SendError>;
}

/// The longest a single send may take. It is shorter than the first retry delay, so a message
/// in flight is never claimed by a second node.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The gateways of a deployment, one per channel (in-app messages need none).
#[derive(Clone, Default)]
pub struct Gateways {
    pub email: Option<Arc<dyn Gateway>>,
    pub sms: Option<Arc<dyn Gateway>>,
    pub voice: Option<Arc<dyn Gateway>>,
}

impl fmt::Debug for Gateways {
    // Configuration may carry credentials: say only which channels are configured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateways")
            .field("email", &self.email.is_some())
            .field("sms", &self.sms.is_some())
            .field("voice", &self.voice.is_some())
            .finish()
    }
}

impl Gateways {
    /// The gateway of a channel, if this deployment has one.
    pub fn of(&self, channel: Channel) -> Option<&Arc<dyn Gateway>> {
        match channel {
            Channel::InApp => None,
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
            Channel::Voice => self.voice.as_ref(),
        }
    }

    /// Whether messages of `channel` can leave this deployment.
    pub fn carries(&self, channel: Channel) -> bool {
        channel == Channel::InApp || self.of(channel).is_some()
    }

    /// The gateways configured by the environment:
    /// - `YIWANG_SMTP_URL` (`smtp://[user:password@]host[:port][?tls=required]`, `smtps://…`)
    ///   and `YIWANG_MAIL_FROM` (`一网通办 <noreply@example.gov.cn>`);
    /// - `YIWANG_SMS_URL`, `YIWANG_SMS_TOKEN` (sent as a bearer token), `YIWANG_SMS_TEMPLATES`
    ///   (`case.accepted=SMS_1001,case.decided=SMS_1002`: the gateway's template ids);
    /// - `YIWANG_VOICE_URL`, `YIWANG_VOICE_TOKEN`, `YIWANG_VOICE_TEMPLATES`, the same for calls.
    pub fn from_env() -> Result<Gateways, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let email = match var("YIWANG_SMTP_URL") {
            None => None,
            Some(url) => {
                let from = var("YIWANG_MAIL_FROM")
                    .ok_or("YIWANG_SMTP_URL is set but YIWANG_MAIL_FROM is not")?;
                Some(Arc::new(SmtpGateway::new(&url, &from)?) as Arc<dyn Gateway>)
            }
        };
        let http = |prefix: &str| -> Result<Option<Arc<dyn Gateway>>, String> {
            let Some(url) = var(&format!("YIWANG_{prefix}_URL")) else {
                return Ok(None);
            };
            let templates =
                parse_template_ids(&var(&format!("YIWANG_{prefix}_TEMPLATES")).unwrap_or_default())
                    .map_err(|e| format!("YIWANG_{prefix}_TEMPLATES: {e}"))?;
            Ok(Some(Arc::new(HttpGateway::new(
                &url,
                var(&format!("YIWANG_{prefix}_TOKEN")),
                templates,
            )?)))
        };
        Ok(Gateways {
            email,
            sms: http("SMS")?,
            voice: http("VOICE")?,
        })
    }
}

/// Parse `key=id,key=id` into pairs; an empty text is no mapping.
pub fn parse_template_ids(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(format!("`{pair}` is not `template=gateway_template_id`")),
        })
        .collect()
}

/// When to try a message again after its `attempts`-th try: 30 s, doubling, at most an hour.
pub fn retry_delay(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    Duration::from_secs((30u64 << doublings).min(3600))
}

/// How long a gateway may stay down before a message is given up (marked failed for an
/// operator): three days of retries.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 86_400);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_half_a_minute_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(60));
        assert_eq!(retry_delay(5), Duration::from_secs(480));
        assert_eq!(retry_delay(8), Duration::from_secs(3600));
        assert_eq!(retry_delay(1000), Duration::from_secs(3600));
        assert!(
            retry_delay(0) > SEND_TIMEOUT,
            "a message in flight is never re-claimed"
        );
        let mut last = Duration::ZERO;
        for n in 1..50 {
            assert!(retry_delay(n) >= last);
            last = retry_delay(n);
        }
    }

    #[test]
    fn template_ids_parse_or_say_what_is_wrong() {
        assert_eq!(
            parse_template_ids(" case.accepted=SMS_1, case.decided = SMS_2 ,").expect("valid"),
            vec![
                ("case.accepted".to_string(), "SMS_1".to_string()),
                ("case.decided".to_string(), "SMS_2".to_string())
            ]
        );
        assert!(parse_template_ids("").expect("empty").is_empty());
        assert!(parse_template_ids("case.accepted").is_err());
        assert!(parse_template_ids("=SMS_1").is_err());
    }

    #[test]
    fn debug_output_names_no_configuration() {
        let g = Gateways::default();
        assert_eq!(
            format!("{g:?}"),
            "Gateways { email: false, sms: false, voice: false }"
        );
    }
}
