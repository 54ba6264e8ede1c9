//! Outgoing email: what is sent (templates, one text + HTML pair per email, French and
//! English) and how (SMTP, or `.eml` files in a folder when no SMTP server is set).

pub mod drop_dir;
pub mod invitation;
pub mod renewal;
pub mod smtp;

use crate::domain::email::EmailAddress;
use async_trait::async_trait;

/// A rendered email, ready for any transport.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: EmailAddress,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The server could not be reached or refused for now: try again later.
    #[error("mail could not be sent now: {0}")]
    Transient(String),
    /// The message itself was refused.
    #[error("mail was refused: {0}")]
    Permanent(String),
}

/// A mail server's words with every address left out: servers echo the recipient in
/// their refusals (`550 5.1.1 <willy@example.com>: unknown`), and errors are logged.
pub fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}

/// Builds the MIME message: multipart/alternative with the text part first.
pub(crate) fn build_message(
    from: &lettre::Address,
    from_name: &str,
    email: &OutgoingEmail,
) -> Result<lettre::Message, MailError> {
    use lettre::message::{Mailbox, MultiPart};
    let mailbox = |name: Option<String>, address: &EmailAddress| -> Result<Mailbox, MailError> {
        let address = address
            .as_str()
            .parse()
            .map_err(|_| MailError::Permanent("address refused by the mail library".into()))?;
        Ok(Mailbox::new(
            name.map(|n| n.replace(['\r', '\n'], " ")),
            address,
        ))
    };
    lettre::Message::builder()
        .from(Mailbox::new(
            Some(from_name.replace(['\r', '\n'], " ")),
            from.clone(),
        ))
        .to(mailbox(email.to_name.clone(), &email.to)?)
        .subject(email.subject.replace(['\r', '\n'], " "))
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|e| MailError::Permanent(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_refusal_loses_its_addresses() {
        assert_eq!(
            super::without_addresses(
                "permanent error (550): 5.1.1 <Willy.Urs@example.com>: user unknown"
            ),
            "permanent error (550): 5.1.1 [address] user unknown"
        );
    }
}
