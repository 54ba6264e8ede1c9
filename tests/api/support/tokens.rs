//! A staff identity provider inside the test: its metadata and JWKS served over real HTTP,
//! and RS256 tokens signed with real RSA keys (test-only keys in tests/fixtures).

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::sync::{Arc, RwLock};
use time::OffsetDateTime;
use warp::Filter;

pub const AUDIENCE: &str = "api://invitations-test";
/// The client id the in-test provider issues id_tokens for, when it stands in for B2C.
pub const B2C_CLIENT: &str = "test-b2c-client";
pub const ROLE: &str = "Invitations.Send";

pub struct Key {
    pub kid: &'static str,
    pem: &'static [u8],
    jwk: &'static str,
}

pub const SIGNING: Key = Key {
    kid: "test-key-1",
    pem: include_bytes!("../../fixtures/staff-signing-key.pem"),
    jwk: include_str!("../../fixtures/staff-signing-key.jwk.json"),
};
pub const ROTATED: Key = Key {
    kid: "test-key-2",
    pem: include_bytes!("../../fixtures/rotated-signing-key.pem"),
    jwk: include_str!("../../fixtures/rotated-signing-key.jwk.json"),
};
pub const ATTACKER: Key = Key {
    kid: "attacker-key",
    pem: include_bytes!("../../fixtures/attacker-key.pem"),
    jwk: include_str!("../../fixtures/attacker-key.jwk.json"),
};
pub const STAFF_PUBLIC_PEM: &[u8] = include_bytes!("../../fixtures/staff-signing-key.pub.pem");

impl Key {
    fn jwk_with_kid(&self) -> Value {
        let mut jwk: Value = serde_json::from_str(self.jwk).unwrap();
        jwk["kid"] = json!(self.kid);
        jwk
    }
}

/// The staff provider: serves `/.well-known/openid-configuration` and `/keys`.
pub struct StaffIdp {
    pub issuer: String,
    pub metadata_url: String,
    keys: Arc<RwLock<Vec<Value>>>,
    pub jwks_hits: Arc<std::sync::atomic::AtomicUsize>,
    pub metadata_hits: Arc<std::sync::atomic::AtomicUsize>,
    /// While set, metadata and keys answer 503, slowly (an outage).
    down: Arc<std::sync::atomic::AtomicBool>,
    /// What `/token` answers next: an id_token, or `None` for an `invalid_grant` error.
    next_id_token: Arc<RwLock<Option<String>>>,
    /// The forms `/token` received.
    pub token_requests: Arc<RwLock<Vec<std::collections::HashMap<String, String>>>>,
}

impl StaffIdp {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let issuer = format!("{base}/tenant/v2.0");
        let keys = Arc::new(RwLock::new(vec![SIGNING.jwk_with_kid()]));
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let metadata = json!({
            "issuer": issuer,
            "jwks_uri": format!("{base}/keys"),
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
        });
        let next_id_token: Arc<RwLock<Option<String>>> = Arc::new(RwLock::new(None));
        let token_requests = Arc::new(RwLock::new(Vec::new()));
        let (next, requests) = (next_id_token.clone(), token_requests.clone());
        let token_route = warp::path!("token")
            .and(warp::post())
            .and(warp::body::form::<std::collections::HashMap<String, String>>())
            .map(move |form| {
                requests.write().unwrap().push(form);
                match next.write().unwrap().take() {
                    Some(id_token) => warp::reply::with_status(
                        warp::reply::json(&json!({"id_token": id_token, "token_type": "Bearer"})),
                        warp::http::StatusCode::OK,
                    ),
                    None => warp::reply::with_status(
                        warp::reply::json(&json!({"error": "invalid_grant"})),
                        warp::http::StatusCode::BAD_REQUEST,
                    ),
                }
            });
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let metadata_hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (is_down, counter) = (down.clone(), metadata_hits.clone());
        let meta_route = warp::path!(".well-known" / "openid-configuration").and_then(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answer(is_down.clone(), warp::reply::json(&metadata))
        });
        let served = keys.clone();
        let (is_down, counter) = (down.clone(), hits.clone());
        let keys_route = warp::path!("keys").and_then(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answer(
                is_down.clone(),
                warp::reply::json(&json!({"keys": *served.read().unwrap()})),
            )
        });
        tokio::spawn(
            warp::serve(meta_route.or(keys_route).or(token_route))
                .incoming(listener)
                .run(),
        );
        Self {
            metadata_url: format!("{base}/.well-known/openid-configuration"),
            issuer,
            keys,
            jwks_hits: hits,
            metadata_hits,
            down,
            next_id_token,
            token_requests,
        }
    }

    /// Starts (`true`) or ends an outage of the metadata and keys.
    pub fn go_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next code redemption returns this id_token.
    pub fn answer_next_code_with(&self, id_token: String) {
        *self.next_id_token.write().unwrap() = Some(id_token);
    }

    /// Claims of a B2C id_token for `email`, bound to the sign-in's `nonce`.
    pub fn b2c_claims(&self, email: &str, nonce: &str) -> Value {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        json!({
            "iss": self.issuer,
            "aud": B2C_CLIENT,
            "sub": format!("sub-{email}"),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "auth_time": now,
            "nonce": nonce,
            "emails": [email],
            "name": "Willy URS",
            "tfp": "B2C_1_signupsignin",
            "ver": "1.0",
        })
    }

    /// The provider starts publishing another key (a rotation).
    pub fn publish(&self, key: &Key) {
        self.keys.write().unwrap().push(key.jwk_with_kid());
    }

    /// Claims of a valid sales person's token: an Entra v2.0 access token (`azp` names
    /// the client that asked for it).
    pub fn claims(&self) -> Value {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "azp": "test-sales-client",
            "ver": "2.0",
            "sub": "staff-subject-1",
            "iat": now,
            "nbf": now - 5,
            "exp": now + 3600,
            "name": "Tamer Mohamed-Nour",
            "preferred_username": "tamer@gfms.example",
            "roles": [ROLE],
        })
    }

    pub fn token(&self) -> String {
        sign(&SIGNING, &self.claims())
    }

    pub fn token_with(&self, change: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.claims();
        change(&mut claims);
        sign(&SIGNING, &claims)
    }
}

/// How long a provider that is down takes to say so.
pub const OUTAGE_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// `reply`, or after [`OUTAGE_DELAY`] a 503 while `down` is set.
async fn answer(
    down: Arc<std::sync::atomic::AtomicBool>,
    reply: warp::reply::Json,
) -> Result<warp::reply::Response, std::convert::Infallible> {
    use warp::Reply as _;
    if down.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(OUTAGE_DELAY).await;
        return Ok(warp::http::StatusCode::SERVICE_UNAVAILABLE.into_response());
    }
    Ok(reply.into_response())
}

pub fn sign(key: &Key, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.to_owned());
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(key.pem).unwrap(),
    )
    .unwrap()
}

/// A token with a hand-made header and no valid RS256 signature (`alg: none`, HS256…).
pub fn forged(header: Value, claims: &Value, signature: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(signature)
    )
}
