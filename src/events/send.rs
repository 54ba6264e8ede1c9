//! One attempt at one destination: a `POST` of the event as CloudEvents structured JSON,
//! within [`ATTEMPT_TIMEOUT`]. A `2xx` is delivered; anything else is an error in words
//! a staff member can act on (never a secret, never the body).

use super::signing::{WebhookSecret, signature_header};
use crate::domain::event::Event;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;
use url::Url;

/// An attempt that has no answer within this long has failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The name of the Event Grid destination in an event's delivery state.
const EVENT_GRID: &str = "eventgrid";

/// The Event Grid scope a managed identity's token is asked for.
const EVENT_GRID_SCOPE: &str = "https://eventgrid.azure.net/.default";

/// How Event Grid takes the event.
pub enum GridAuth {
    /// `aeg-sas-key`: the topic's access key.
    Key(String),
    /// A token of the app's managed identity (role EventGrid Data Sender), fetched on
    /// the first publish, never at start.
    ManagedIdentity,
}

/// Every configured destination and what it takes to reach it.
#[derive(Clone)]
pub struct Destinations {
    inner: Arc<Inner>,
}

struct Inner {
    /// Each webhook with its name (the URL without credentials, query or fragment).
    webhooks: Vec<(String, Url)>,
    /// Every destination's name, the webhooks' then Event Grid's.
    names: Vec<String>,
    secrets: Vec<WebhookSecret>,
    grid: Option<(Url, GridAuth)>,
    source: String,
    right_away: bool,
    http: reqwest::Client,
    credential: OnceCell<Arc<dyn azure_core::auth::TokenCredential>>,
}

impl Destinations {
    /// `secrets`: the current one first, then the previous one during a rotation. `http`:
    /// the handler's outgoing client (no redirects followed); each attempt has its own
    /// time limit.
    pub fn new(
        http: reqwest::Client,
        webhooks: Vec<Url>,
        secrets: Vec<WebhookSecret>,
        grid: Option<(Url, GridAuth)>,
        source: String,
        right_away: bool,
    ) -> Self {
        let webhooks: Vec<(String, Url)> = webhooks.into_iter().map(|u| (name_of(&u), u)).collect();
        let mut names: Vec<String> = webhooks.iter().map(|(name, _)| name.clone()).collect();
        if grid.is_some() {
            names.push(EVENT_GRID.to_owned());
        }
        Self {
            inner: Arc::new(Inner {
                webhooks,
                names,
                secrets,
                grid,
                source,
                right_away,
                http,
                credential: OnceCell::new(),
            }),
        }
    }

    /// Whether events are tried right after their request (else by the timer only).
    pub fn right_away(&self) -> bool {
        self.inner.right_away
    }

    /// The destinations' names, as an event's delivery state keeps them.
    pub fn names(&self) -> &[String] {
        &self.inner.names
    }

    /// Whether no destination is configured (then no event is kept).
    pub fn is_empty(&self) -> bool {
        self.inner.names.is_empty()
    }

    /// One attempt at `destination` (a name from [`Destinations::names`]). Its
    /// `webhook-timestamp` is the wall clock's: the receiver checks it against its own to
    /// refuse replays, whatever time the service's rules run on.
    pub async fn send(&self, destination: &str, event: &Event) -> Result<(), String> {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let body = event.cloud_event(&self.inner.source).to_string();
        let request = if destination == EVENT_GRID {
            self.grid_request(&body).await?
        } else {
            let Some((_, url)) = self
                .inner
                .webhooks
                .iter()
                .find(|(name, _)| name == destination)
            else {
                return Err("no longer configured".into());
            };
            self.webhook_request(url, event.id.as_str(), timestamp, body)
        };
        let answer = tokio::time::timeout(ATTEMPT_TIMEOUT, request.timeout(ATTEMPT_TIMEOUT).send())
            .await
            .map_err(|_| "no answer within 10 s".to_owned())?
            .map_err(|e| describe(&e))?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }

    fn webhook_request(
        &self,
        url: &Url,
        id: &str,
        timestamp: i64,
        body: String,
    ) -> reqwest::RequestBuilder {
        let signature = signature_header(&self.inner.secrets, id, timestamp, body.as_bytes());
        self.inner
            .http
            .post(url.clone())
            .header("content-type", "application/cloudevents+json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
    }

    async fn grid_request(&self, body: &str) -> Result<reqwest::RequestBuilder, String> {
        let Some((endpoint, auth)) = &self.inner.grid else {
            return Err("no longer configured".into());
        };
        let request = self
            .inner
            .http
            .post(endpoint.clone())
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .body(body.to_owned());
        Ok(match auth {
            GridAuth::Key(key) => request.header("aeg-sas-key", key),
            GridAuth::ManagedIdentity => {
                let credential = self
                    .inner
                    .credential
                    .get_or_try_init(|| async {
                        azure_identity::DefaultAzureCredentialBuilder::new()
                            .build()
                            .map(|c| Arc::new(c) as Arc<dyn azure_core::auth::TokenCredential>)
                            .map_err(|_| "no managed identity is available".to_owned())
                    })
                    .await?;
                let token = credential
                    .get_token(&[EVENT_GRID_SCOPE])
                    .await
                    .map_err(|_| "no Event Grid token from the managed identity".to_owned())?;
                request.bearer_auth(token.token.secret())
            }
        })
    }
}

/// A webhook's name: its URL without credentials, query or fragment (which may hold a
/// token).
fn name_of(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // Only fails for URLs that cannot have credentials, which then have none to show.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// A transport error in a few words, without the URL's query.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer within 10 s".into()
    } else if error.is_connect() {
        "cannot connect".into()
    } else {
        "the request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhooks_name_shows_neither_its_credentials_nor_its_query() {
        let url = Url::parse("https://hook:s3cret@hooks.example/in/events?token=abc#f").unwrap();
        assert_eq!(name_of(&url), "https://hooks.example/in/events");
    }
}
