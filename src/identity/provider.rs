//! An OpenID provider as the service relies on it: its metadata (discovery document) and
//! signing keys, fetched lazily, cached, and fetched again when a token names a key the
//! cache lacks (at most once per `min_refresh`, so a flood of forged `kid`s cannot make
//! the service hammer the provider).
//!
//! B2C's `issuer` differs from the address of its metadata, so, unlike generic discovery
//! clients, this one does not require them to match; an expected issuer can be given.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::Jwk;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    fetched_at: Instant,
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
    last_fetch: Mutex<Option<(Instant, bool)>>,
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
            last_fetch: Mutex::new(None),
        }
    }

    /// The cached metadata and keys, fetched first if there are none or they are old.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, ProviderUnavailable> {
        if let Some(snapshot) = self.cache.read().await.as_ref()
            && snapshot.fetched_at.elapsed() < self.ttl
        {
            return Ok(snapshot.clone());
        }
        self.refresh(false).await
    }

    /// The key named `kid`, refreshing once (rate-limited) when it is unknown.
    pub async fn key(
        &self,
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
            started.elapsed()
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
                if snapshot.fetched_at.elapsed() < self.ttl && (!unknown_kid || too_soon) =>
            {
                return Ok(snapshot.clone());
            }
            None if too_soon => return Err(self.unavailable("the last attempt failed moments ago")),
            _ => {}
        }
        let started = Instant::now();
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
                // Keys we already have stay usable while the provider is away.
                cached.ok_or_else(|| self.unavailable(&reason))
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
            fetched_at: Instant::now(),
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
