//! An SMS or voice-call gateway reached over HTTP: one `POST` of JSON per message,
//!
//! ```json
//! {"message_id": "…", "to": "13800138000", "template_id": "SMS_1001",
//!  "params": {"number": "…"}, "title": "…", "text": "…"}
//! ```
//!
//! with `Authorization: Bearer TOKEN` when a token is configured. `template_id` is the gateway's
//! id for the platform's template key (configured), or the key itself. A 2xx answer is delivered;
//! 408, 429, any 5xx, a timeout or a refused connection is temporary (the message is retried); any
//! other answer is a refusal. `message_id` is the same on every retry of one message: the gateway
//! drops a repeat it has already accepted.

use std::collections::HashMap;

use super::gateway::{Gateway, Outgoing, SEND_TIMEOUT, SendError};

pub struct HttpGateway {
    url: reqwest::Url,
    token: Option<String>,
    template_ids: HashMap<String, String>,
    client: reqwest::Client,
}

impl HttpGateway {
    pub fn new(
        url: &str,
        token: Option<String>,
        template_ids: Vec<(String, String)>,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("gateway URL {url}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("gateway URL must be http(s), not {}", url.scheme()));
        }
        crate::blobs::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(HttpGateway {
            url,
            token,
            template_ids: template_ids.into_iter().collect(),
            client,
        })
    }
}

#[async_trait::async_trait]
impl Gateway for HttpGateway {
    async fn send(&self, m: &Outgoing) -> Result<(), SendError> {
        let template_id = self
            .template_ids
            .get(&m.template)
            .cloned()
            .unwrap_or_else(|| m.template.clone());
        let body = serde_json::json!({
            "message_id": m.id,
            "to": m.to,
            "template_id": template_id,
            "params": m.params,
            "title": m.title,
            "text": m.body,
        });
        let mut req = self.client.post(self.url.clone()).json(&body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("gateway unreachable: {e}")))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        // The gateway's answer says why; keep a short piece of it for the operator.
        let why: String = resp
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let what = format!("gateway answered {status}: {why}");
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            Err(SendError::Transient(what))
        } else {
            Err(SendError::Permanent(what))
        }
    }
}
