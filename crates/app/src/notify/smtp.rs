//! E-mail through an SMTP relay (lettre). The message's `Message-ID` is derived from the outbox
//! message's id, so a resend after a crash is the same message to the recipient's mail client.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::gateway::{Gateway, Outgoing, SEND_TIMEOUT, SendError};

pub struct SmtpGateway {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpGateway {
    /// `url`: `smtp://[user:password@]host[:port][?tls=required]` or `smtps://…`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        crate::blobs::install_tls_provider();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            // The URL may carry a password: never repeat it in the error.
            .map_err(|e| format!("YIWANG_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("YIWANG_MAIL_FROM {from}: {e}"))?;
        Ok(SmtpGateway { transport, from })
    }
}

#[async_trait::async_trait]
impl Gateway for SmtpGateway {
    async fn send(&self, m: &Outgoing) -> Result<(), SendError> {
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|e| SendError::Permanent(format!("bad address: {e}")))?;
        let domain = self.from.email.domain().to_string();
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.title.clone())
            .message_id(Some(format!("<{}@{domain}>", m.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| SendError::Permanent(format!("cannot build the e-mail: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
