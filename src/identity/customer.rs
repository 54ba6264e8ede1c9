//! Customers' sign-in through the B2C user flow: the authorization-code flow with PKCE
//! (S256), `state` and `nonce`; the code redeemed with the client secret and verifier; the
//! id_token validated completely (RS256 by `kid`, `iss`, `aud`, `exp`, `nbf`, `iat`,
//! `nonce`). Works with B2C (`emails` array) and Entra External ID (`email`). The staff
//! pages sign sales staff in with a second instance pointed at the staff directory
//! (`staff_sign_in.rs`).
//!
//! A sign-in that must be recent asks for `prompt=login` with `max_age=0`, and how recent
//! a sign-in is comes from the id_token's `auth_time` only ([`SignedIn::signed_in_at`]):
//! a provider that signs the person in silently from its own session returns the old
//! `auth_time`, which does not count as recent. Its age is read against the token's own
//! `iat` (both the provider's clock), so a clock that differs from ours changes nothing.

use super::provider::{OidcProvider, ProviderUnavailable};
use crate::domain::email::EmailAddress;
use crate::domain::ids::ObjectId;
use crate::domain::invitation::LoginId;
use crate::domain::secret::RandomSourceFailed;
use crate::settings::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use rand::TryRngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;
use url::Url;

const LEEWAY_SECONDS: u64 = 60;

/// The secrets of one sign-in under way: kept by the browser in an encrypted cookie, so
/// the callback can land on any instance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthRequest {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

fn random_token() -> Result<String, RandomSourceFailed> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| RandomSourceFailed)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl AuthRequest {
    pub fn new() -> Result<Self, RandomSourceFailed> {
        Ok(Self {
            state: random_token()?,
            nonce: random_token()?,
            verifier: random_token()?,
        })
    }

    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_bytes()))
    }

    /// Constant-time comparison of the `state` that came back.
    pub fn state_matches(&self, returned: &str) -> bool {
        self.state.as_bytes().ct_eq(returned.as_bytes()).into()
    }
}

/// Who signed in, as the id_token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub login: LoginId,
    /// `emails[0]`, else `email`; `None` when the provider sent no usable address or
    /// said it did not verify it (`email_verified: false`), see [`vouched_email`].
    pub email: Option<EmailAddress>,
    pub name: Option<String>,
    /// The social identity provider (`google.com`, `live.com`, …); absent for local accounts.
    pub idp: Option<String>,
    /// `roles` (app roles, as Entra ID puts them in tokens); empty when absent.
    pub roles: Vec<String>,
    /// `preferred_username`, else `upn` (Entra ID's sign-in name, usually an address).
    pub username: Option<String>,
    /// How many seconds before the id_token was issued the person last authenticated at
    /// the provider: `iat - auth_time` (never negative); `None` without an `auth_time`.
    pub auth_age: Option<i64>,
    /// The tenant and object id (`tid`, `oid`) the product's tokens name the person by;
    /// `None` when the token carries no `oid` (see [`object_of`]).
    pub object: Option<ObjectId>,
}

impl SignedIn {
    /// When the person last proved who they are at the provider, in Unix seconds on our
    /// clock: `now` (the token was just received) less the token's [`auth_age`]; without
    /// an `auth_time`, 0 (never recent).
    ///
    /// [`auth_age`]: SignedIn::auth_age
    pub fn signed_in_at(&self, now: time::OffsetDateTime) -> i64 {
        self.auth_age
            .map_or(0, |age| now.unix_timestamp().saturating_sub(age))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Unavailable(#[from] ProviderUnavailable),
    /// The provider refused the code (used already, expired, wrong verifier…).
    #[error("the provider refused the code: {0}")]
    CodeRefused(String),
    #[error("the id_token is not valid: {0}")]
    InvalidToken(String),
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    nonce: Option<String>,
    iat: Option<i64>,
    auth_time: Option<i64>,
    #[serde(default)]
    emails: Vec<String>,
    email: Option<String>,
    /// OpenID Connect's `email_verified`: a boolean, or `"true"`/`"false"` as some
    /// providers send it.
    email_verified: Option<serde_json::Value>,
    name: Option<String>,
    idp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    oid: Option<String>,
    tid: Option<String>,
}

/// The person's tenant and object id: `oid` with `tid` (Entra External ID), or, as B2C
/// tokens carry `oid` but no `tid`, the tenant id its issuer names
/// (`https://{name}.b2clogin.com/{tenant id}/v2.0/`).
fn object_of(claims: &IdClaims, issuer: &str) -> Option<ObjectId> {
    let tenant = claims.tid.clone().or_else(|| {
        let url = Url::parse(issuer).ok()?;
        let first = url.path_segments()?.next()?;
        uuid::Uuid::parse_str(first).ok().map(|_| first.to_owned())
    })?;
    ObjectId::new(&tenant, claims.oid.as_deref()?)
}

/// The address a token vouches for: `emails[0]` (B2C), else `email` (Entra External ID),
/// unless the token says the provider did not verify it. Which providers are trusted when
/// the claim is absent is written in docs/security.md ("Unverified email claims"): the
/// user flow's own local accounts (verified by a code), Google and Microsoft accounts
/// (verified by them), an organisation's Entra ID (its administrator's directory).
fn vouched_email(claims: &IdClaims) -> Option<EmailAddress> {
    let unverified = match &claims.email_verified {
        Some(serde_json::Value::Bool(verified)) => !verified,
        Some(serde_json::Value::String(text)) => !text.eq_ignore_ascii_case("true"),
        Some(serde_json::Value::Null) | None => false,
        // Anything else is not a "yes".
        Some(_) => true,
    };
    if unverified {
        return None;
    }
    claims
        .emails
        .first()
        .or(claims.email.as_ref())
        .and_then(|e| EmailAddress::parse(e).ok())
}

pub struct CustomerSignIn {
    provider: Arc<OidcProvider>,
    client_id: String,
    client_secret: Secret<String>,
    http: reqwest::Client,
    scope: &'static str,
}

/// Optional parameters of the authorization request.
#[derive(Debug, Default, Clone)]
pub struct AuthorizeHints<'a> {
    pub login_hint: Option<&'a str>,
    pub domain_hint: Option<&'a str>,
    pub prompt: Option<&'a str>,
    pub ui_locales: Option<&'a str>,
}

impl CustomerSignIn {
    pub fn new(
        provider: Arc<OidcProvider>,
        client_id: String,
        client_secret: Secret<String>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            provider,
            client_id,
            client_secret,
            http,
            scope: "openid",
        }
    }

    /// The same client asking for other scopes (`openid profile email` for Entra ID).
    pub fn with_scope(mut self, scope: &'static str) -> Self {
        self.scope = scope;
        self
    }

    /// The user flow's authorize address for this request.
    pub async fn authorize_url(
        &self,
        request: &AuthRequest,
        redirect_uri: &str,
        hints: AuthorizeHints<'_>,
    ) -> Result<Url, ProviderUnavailable> {
        let snapshot = self.provider.snapshot().await?;
        let mut url = snapshot
            .metadata
            .authorization_endpoint
            .clone()
            .ok_or_else(|| ProviderUnavailable {
                host: String::new(),
                reason: "the metadata names no authorization_endpoint".into(),
            })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.client_id)
                .append_pair("response_type", "code")
                .append_pair("response_mode", "query")
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", self.scope)
                .append_pair("state", &request.state)
                .append_pair("nonce", &request.nonce)
                .append_pair("code_challenge", &request.challenge())
                .append_pair("code_challenge_method", "S256");
            for (name, value) in [
                ("login_hint", hints.login_hint),
                ("domain_hint", hints.domain_hint),
                ("prompt", hints.prompt),
                ("ui_locales", hints.ui_locales),
            ] {
                if let Some(value) = value {
                    query.append_pair(name, value);
                }
            }
            // A sign-in asked for again must be a real one: `auth_time` then says so.
            if hints.prompt == Some("login") {
                query.append_pair("max_age", "0");
            }
        }
        Ok(url)
    }

    /// Redeems the code and validates the id_token it brings.
    pub async fn redeem(
        &self,
        code: &str,
        request: &AuthRequest,
        redirect_uri: &str,
    ) -> Result<SignedIn, SignInError> {
        let snapshot = self.provider.snapshot().await?;
        let endpoint =
            snapshot
                .metadata
                .token_endpoint
                .clone()
                .ok_or_else(|| ProviderUnavailable {
                    host: String::new(),
                    reason: "the metadata names no token_endpoint".into(),
                })?;
        let response = self
            .http
            .post(endpoint)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose().as_str()),
                ("code_verifier", request.verifier.as_str()),
            ])
            .send()
            .await
            .map_err(|e| ProviderUnavailable {
                host: e
                    .url()
                    .and_then(|u| u.host_str())
                    .unwrap_or_default()
                    .to_owned(),
                reason: if e.is_timeout() {
                    "timed out".into()
                } else {
                    "connection failed".into()
                },
            })?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        if status.is_server_error() {
            return Err(ProviderUnavailable {
                host: String::new(),
                reason: format!("token endpoint HTTP {status}"),
            }
            .into());
        }
        if !status.is_success() {
            let error = body["error"].as_str().unwrap_or("unknown error");
            return Err(SignInError::CodeRefused(error.to_owned()));
        }
        let id_token = body["id_token"].as_str().ok_or_else(|| {
            SignInError::InvalidToken("the token response has no id_token".into())
        })?;
        self.validate(id_token, &request.nonce).await
    }

    async fn validate(
        &self,
        id_token: &str,
        expected_nonce: &str,
    ) -> Result<SignedIn, SignInError> {
        let invalid = |why: &str| SignInError::InvalidToken(why.to_owned());
        let header = decode_header(id_token).map_err(|_| invalid("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(invalid("not RS256"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no kid"))?;
        let (key, snapshot) = self
            .provider
            .key(&kid)
            .await?
            .ok_or_else(|| invalid("unknown signing key"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.client_id]);
        validation.set_issuer(&[&snapshot.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = decode::<IdClaims>(id_token, &key, &validation)
            .map_err(|e| SignInError::InvalidToken(format!("{:?}", e.kind())))?
            .claims;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match claims.iat {
            Some(iat) if iat <= now + LEEWAY_SECONDS as i64 => {}
            Some(_) => return Err(invalid("issued in the future")),
            None => return Err(invalid("no iat")),
        }
        let nonce_ok = claims
            .nonce
            .as_deref()
            .is_some_and(|n| bool::from(n.as_bytes().ct_eq(expected_nonce.as_bytes())));
        if !nonce_ok {
            return Err(invalid("the nonce does not match this sign-in"));
        }
        if claims.sub.is_empty() {
            return Err(invalid("empty sub"));
        }
        let email = vouched_email(&claims);
        let object = object_of(&claims, &snapshot.issuer);
        Ok(SignedIn {
            login: LoginId {
                issuer: snapshot.issuer.clone(),
                subject: claims.sub,
            },
            email,
            name: claims.name.filter(|n| !n.trim().is_empty()),
            idp: claims.idp,
            roles: claims.roles,
            username: claims.preferred_username.or(claims.upn),
            auth_age: claims
                .auth_time
                .zip(claims.iat)
                .map(|(at, iat)| iat.saturating_sub(at).max(0)),
            object,
        })
    }
}

/// Where a page's forms may end up at the provider, and the way out through it.
impl CustomerSignIn {
    /// The origins of the provider's authorization and end-session endpoints, from its
    /// metadata: a form post answered with a redirect there (linking, sign-out) needs them
    /// in the page's CSP `form-action`. Empty when the metadata cannot be had.
    pub async fn form_action_origins(&self) -> Vec<String> {
        let Ok(snapshot) = self.provider.snapshot().await else {
            return Vec::new();
        };
        let metadata = &snapshot.metadata;
        let mut origins: Vec<String> = [
            &metadata.authorization_endpoint,
            &metadata.end_session_endpoint,
        ]
        .into_iter()
        .flatten()
        .map(|url| url.origin())
        .filter(|origin| origin.is_tuple())
        .map(|origin| origin.ascii_serialization())
        .collect();
        origins.dedup();
        origins
    }

    /// The provider's `end_session_endpoint` (RP-initiated logout) with the address to
    /// come back to, when the metadata names one; `None` otherwise.
    pub async fn end_session_url(
        &self,
        post_logout_redirect_uri: &str,
        state: &str,
    ) -> Option<Url> {
        let snapshot = self.provider.snapshot().await.ok()?;
        let mut url = snapshot.metadata.end_session_endpoint.clone()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("post_logout_redirect_uri", post_logout_redirect_uri)
            .append_pair("state", state);
        Some(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(auth_age: Option<i64>) -> SignedIn {
        SignedIn {
            login: LoginId {
                issuer: "https://b2c.example/v2.0/".into(),
                subject: "s".into(),
            },
            email: None,
            name: None,
            idp: None,
            roles: Vec::new(),
            username: None,
            auth_age,
            object: None,
        }
    }

    #[test]
    fn a_sign_in_is_as_old_as_its_auth_time_was_when_the_token_was_issued() {
        let now = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(signed_in(Some(1_000)).signed_in_at(now), 1_799_999_000);
        assert_eq!(signed_in(Some(0)).signed_in_at(now), 1_800_000_000);
        assert_eq!(signed_in(None).signed_in_at(now), 0, "unknown: long ago");
    }

    fn claims(extra: serde_json::Value) -> IdClaims {
        let mut claims = serde_json::json!({"sub": "s", "emails": ["willy@example.com"]});
        if let (Some(base), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(claims).unwrap()
    }

    #[test]
    fn an_email_the_provider_did_not_verify_is_no_email() {
        let vouched = |extra| vouched_email(&claims(extra)).map(|e| e.to_string());
        let willy = Some("willy@example.com".to_owned());
        assert_eq!(vouched(serde_json::json!({})), willy);
        assert_eq!(vouched(serde_json::json!({"email_verified": true})), willy);
        assert_eq!(
            vouched(serde_json::json!({"email_verified": "true"})),
            willy
        );
        for refused in [
            serde_json::json!({"email_verified": false}),
            serde_json::json!({"email_verified": "false"}),
            serde_json::json!({"email_verified": 0}),
            serde_json::json!({"emails": [], "email": "willy@example.com", "email_verified": false}),
        ] {
            assert_eq!(vouched(refused.clone()), None, "{refused}");
        }
    }

    #[test]
    fn the_person_is_named_by_tenant_and_object_id_in_both_shapes() {
        let b2c_issuer = "https://t.b2clogin.com/6F1D3B2A-0000-4000-8000-00000000B2C0/v2.0/";
        let found = |extra, issuer| object_of(&claims(extra), issuer);
        assert_eq!(
            found(serde_json::json!({"oid": "AB-1"}), b2c_issuer),
            ObjectId::new("6f1d3b2a-0000-4000-8000-00000000b2c0", "ab-1"),
            "B2C: the tenant from the issuer"
        );
        assert_eq!(
            found(
                serde_json::json!({"oid": "o", "tid": "t"}),
                "https://t.ciamlogin.com/t/v2.0"
            ),
            ObjectId::new("t", "o"),
            "External ID: tid"
        );
        assert_eq!(found(serde_json::json!({}), b2c_issuer), None, "no oid");
        assert_eq!(
            found(
                serde_json::json!({"oid": "o"}),
                "https://idp.example/tenant/v2.0"
            ),
            None,
            "no tenant"
        );
        assert_eq!(
            found(serde_json::json!({"oid": " ", "tid": "t"}), b2c_issuer),
            None
        );
    }
}
