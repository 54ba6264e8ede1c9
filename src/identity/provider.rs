//! An OpenID provider as the service relies on it: its metadata (discovery document) and
//! signing keys, fetched lazily, cached, and fetched again when a token names a key the
//! cache lacks (at most once per `min_refresh`, so a flood of forged `kid`s cannot make
//! the service hammer the provider).
//!
//! Once the cache is older than its lifetime, requests keep being answered from it while
//! one background fetch renews it (stale-while-revalidate); after a failed fetch the next
//! one waits [`FAILURE_BACKOFF`]. So an outage of the provider never makes requests wait
//! for it, in turn, behind a lock, as long as something was fetched once.
//!
//! B2C's `issuer` differs from the address of its metadata, so, unlike generic discovery
//! clients, this one does not require them to match; an expected issuer can be given.

use crate::clock::{Clock, SystemClock};
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::Jwk;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{Mutex, RwLock};
use url::Url;

/// After a failed fetch, the next one waits at least this long.
const FAILURE_BACKOFF: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub jwks_uri: Url,
    pub authorization_endpoint: Option<Url>,
    pub token_endpoint: Option<Url>,
    pub end_session_endpoint: Option<Url>,
}

/// Metadata and keys as fetched together.
pub struct Snapshot {
    pub metadata: Metadata,
    /// The issuer tokens must carry: the configured one, else the metadata's.
    pub issuer: String,
    keys: HashMap<String, DecodingKey>,
    fetched_at: OffsetDateTime,
}

impl Snapshot {
    pub fn key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.get(kid)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("the identity provider at {host} is unavailable: {reason}")]
pub struct ProviderUnavailable {
    pub host: String,
    pub reason: String,
}

pub struct OidcProvider {
    metadata_url: Url,
    issuer_override: Option<String>,
    http: reqwest::Client,
    min_refresh: Duration,
    ttl: Duration,
    cache: RwLock<Option<Arc<Snapshot>>>,
    /// When the last fetch started and whether it succeeded; held while fetching.
    last_fetch: Arc<Mutex<Option<(OffsetDateTime, bool)>>>,
    clock: Arc<dyn Clock>,
}

impl OidcProvider {
    pub fn new(
        metadata_url: Url,
        issuer_override: Option<String>,
        http: reqwest::Client,
        min_refresh: Duration,
        ttl: Duration,
    ) -> Self {
        Self {
            metadata_url,
            issuer_override,
            http,
            min_refresh,
            ttl,
            cache: RwLock::new(None),
            last_fetch: Arc::new(Mutex::new(None)),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same provider reading the time from `clock` (the application's).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long ago `at` was, by this provider's clock.
    fn age(&self, at: OffsetDateTime) -> Duration {
        (self.clock.now() - at).try_into().unwrap_or_default()
    }

    /// The cached metadata and keys: fetched first when there are none; when they are
    /// older than their lifetime, answered as they are while one background fetch renews
    /// them (none while the last failure is recent).
    pub async fn snapshot(self: &Arc<Self>) -> Result<Arc<Snapshot>, ProviderUnavailable> {
        let Some(snapshot) = self.cache.read().await.clone() else {
            return self.refresh(false).await;
        };
        if self.age(snapshot.fetched_at) >= self.ttl {
            self.renew_in_background();
        }
        Ok(snapshot)
    }

    /// Starts one fetch in the background, unless one is under way or the last one failed
    /// moments ago.
    fn renew_in_background(self: &Arc<Self>) {
        let Ok(mut last) = self.last_fetch.clone().try_lock_owned() else {
            return; // someone is fetching already
        };
        if last.is_some_and(|(started, ok)| !ok && self.age(started) < FAILURE_BACKOFF) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let _ = this.fetch_and_store(&mut last).await;
        });
    }

    /// The key named `kid`, refreshing once (rate-limited) when it is unknown.
    pub async fn key(
        self: &Arc<Self>,
        kid: &str,
    ) -> Result<Option<(DecodingKey, Arc<Snapshot>)>, ProviderUnavailable> {
        let snapshot = self.snapshot().await?;
        if let Some(key) = snapshot.key(kid) {
            return Ok(Some((key.clone(), snapshot)));
        }
        let snapshot = self.refresh(true).await?;
        Ok(snapshot.key(kid).map(|key| (key.clone(), snapshot.clone())))
    }

    async fn refresh(&self, unknown_kid: bool) -> Result<Arc<Snapshot>, ProviderUnavailable> {
        let mut last = self.last_fetch.lock().await;
        let cached = self.cache.read().await.clone();
        let too_soon = last.is_some_and(|(started, succeeded)| {
            self.age(started)
                < if succeeded {
                    self.min_refresh
                } else {
                    FAILURE_BACKOFF
                }
        });
        match &cached {
            // Fresh: someone refreshed while we waited for the lock, or an unknown kid
            // asks again too soon.
            Some(snapshot)
                if self.age(snapshot.fetched_at) < self.ttl && (!unknown_kid || too_soon) =>
            {
                return Ok(snapshot.clone());
            }
            // Stale, and the provider failed moments ago: what we have stays usable.
            Some(snapshot) if too_soon => return Ok(snapshot.clone()),
            None if too_soon => return Err(self.unavailable("the last attempt failed moments ago")),
            _ => {}
        }
        match self.fetch_and_store(&mut last).await {
            Ok(snapshot) => Ok(snapshot),
            // Keys we already have stay usable while the provider is away.
            Err(reason) => cached.ok_or_else(|| self.unavailable(&reason)),
        }
    }

    /// One fetch, by the holder of the `last_fetch` lock: stored in the cache if it worked.
    async fn fetch_and_store(
        &self,
        last: &mut Option<(OffsetDateTime, bool)>,
    ) -> Result<Arc<Snapshot>, String> {
        let started = self.clock.now();
        match self.fetch().await {
            Ok(snapshot) => {
                let snapshot = Arc::new(snapshot);
                *self.cache.write().await = Some(snapshot.clone());
                *last = Some((started, true));
                Ok(snapshot)
            }
            Err(reason) => {
                *last = Some((started, false));
                tracing::warn!(provider = %self.host(), %reason, "identity provider fetch failed");
                Err(reason)
            }
        }
    }

    async fn fetch(&self) -> Result<Snapshot, String> {
        let metadata: Metadata = self.get_json(self.metadata_url.clone()).await?;
        #[derive(Deserialize)]
        struct RawSet {
            keys: Vec<serde_json::Value>,
        }
        let set: RawSet = self.get_json(metadata.jwks_uri.clone()).await?;
        let keys = set
            .keys
            .into_iter()
            .filter_map(|raw| serde_json::from_value::<Jwk>(raw).ok())
            .filter(|jwk| {
                !matches!(
                    jwk.common.public_key_use,
                    Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
                )
            })
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                match &jwk.algorithm {
                    jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => {}
                    _ => return None,
                }
                Some((kid, DecodingKey::from_jwk(&jwk).ok()?))
            })
            .collect();
        let issuer = self
            .issuer_override
            .clone()
            .unwrap_or_else(|| metadata.issuer.clone());
        Ok(Snapshot {
            metadata,
            issuer,
            keys,
            fetched_at: self.clock.now(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<T, String> {
        let response = self.http.get(url).send().await.map_err(|e| describe(&e))?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status().as_u16()));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| format!("unreadable answer: {}", describe(&e)))
    }

    fn host(&self) -> String {
        self.metadata_url.host_str().unwrap_or_default().to_owned()
    }

    fn unavailable(&self, reason: &str) -> ProviderUnavailable {
        ProviderUnavailable {
            host: self.host(),
            reason: reason.to_owned(),
        }
    }
}

/// A reqwest error without its URL (a URL may carry a query worth keeping out of logs).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_decode() {
        "not the JSON expected"
    } else {
        "request failed"
    };
    kind.to_owned()
}
