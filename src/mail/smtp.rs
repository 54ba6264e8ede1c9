//! SMTP delivery through `lettre`, configured by `SMTP_URL` as lettre reads it.

use super::{MailError, Mailer, OutgoingEmail, build_message};
use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Checks `SMTP_URL` at start. The message never repeats the URL (it may hold a password).
pub fn validate_url(url: &str) -> Result<(), String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| ()).map_err(|_| {
        "must be smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465".to_owned()
    })
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::Address,
    from_name: String,
}

impl SmtpMailer {
    pub fn new(
        url: &str,
        from: lettre::Address,
        from_name: String,
        timeout: Duration,
    ) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| "SMTP_URL is not usable".to_owned())?
            .timeout(Some(timeout))
            .build();
        Ok(Self {
            transport,
            from,
            from_name,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(&self.from, &self.from_name, email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(super::without_addresses(
                &e.to_string(),
            ))),
            Err(e) => Err(MailError::Transient(super::without_addresses(
                &e.to_string(),
            ))),
        }
    }
}
