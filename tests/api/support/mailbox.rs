//! Reading what the SMTP catcher (maildev) received, through its REST API.

use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    /// maildev's id of the email.
    #[serde(default)]
    pub id: String,
    pub subject: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub html: String,
    pub to: Vec<Address>,
    #[serde(default)]
    pub from: Vec<Address>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Address {
    pub address: String,
}

pub async fn all_to(maildev_url: &str, recipient: &str) -> Vec<Mail> {
    let mails: Vec<Mail> = reqwest::get(format!("{maildev_url}/email"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    mails
        .into_iter()
        .filter(|m| {
            m.to.iter()
                .any(|a| a.address.eq_ignore_ascii_case(recipient))
        })
        .collect()
}

/// The emails to `recipient`, written exactly as sent (maildev filters them, so only
/// those travel).
pub async fn sent_to(maildev_url: &str, recipient: &str) -> Vec<Mail> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("to.address", recipient)
        .finish();
    reqwest::get(format!("{maildev_url}/email?{query}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits (up to 10 s) until `count` emails to `recipient` have arrived.
pub async fn wait_for(maildev_url: &str, recipient: &str, count: usize) -> Vec<Mail> {
    let start = Instant::now();
    loop {
        let mails = all_to(maildev_url, recipient).await;
        if mails.len() >= count || start.elapsed() > Duration::from_secs(10) {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The invitation link in an email's text.
pub fn link_in(mail: &Mail) -> String {
    mail.text
        .split_whitespace()
        .find(|w| w.contains("/api/InviteUser?invitationId="))
        .expect("the email carries the invitation link")
        .to_owned()
}
