//! Bearer access tokens, checked in one place for every caller: RS256 only, signed by a
//! key of the provider's JWKS (found by `kid`), `exp`/`nbf` with a minute of leeway, the
//! provider's issuer (or one more configured), the configured audience, and an access
//! token's shape (no id_token). What a caller must carry beyond that (a role, an email,
//! a client) is checked by its own type: `staff.rs` (the staff API), `events_caller.rs`
//! (Entra's authentication events service calling the claims provider).

use super::provider::{OidcProvider, ProviderUnavailable};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::sync::Arc;

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;

/// The access tokens of one provider for one audience.
pub struct AccessTokens {
    provider: Arc<OidcProvider>,
    audience: String,
    /// An issuer accepted beside the provider's own (`CLAIMS_ISSUER`).
    also_issuer: Option<String>,
}

impl AccessTokens {
    pub fn new(provider: Arc<OidcProvider>, audience: String, also_issuer: Option<String>) -> Self {
        Self {
            provider,
            audience,
            also_issuer,
        }
    }

    /// Checks an `Authorization` header's value: the claims of a valid access token.
    pub async fn check(&self, authorization: Option<&str>) -> Result<AccessClaims, StaffAuthError> {
        let (token, kid) = read_bearer(authorization)?;
        let (key, snapshot) = self
            .provider
            .key(&kid)
            .await?
            .ok_or(StaffAuthError::Invalid(TokenFault::UnknownKey))?;
        self.verify(token, &key, &snapshot.issuer)
    }

    /// The checks once the key the token names is known: signature, `exp`, `nbf`, `iss`,
    /// `aud`, an access token's shape. No I/O. Public for the fuzz target (`fuzz/`).
    pub fn verify(
        &self,
        token: &str,
        key: &DecodingKey,
        issuer: &str,
    ) -> Result<AccessClaims, StaffAuthError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.audience]);
        match &self.also_issuer {
            Some(also) => validation.set_issuer(&[issuer, also.as_str()]),
            None => validation.set_issuer(&[issuer]),
        }
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let claims = decode::<AccessClaims>(token, key, &validation)
            .map_err(|e| StaffAuthError::Invalid(reason(e.kind())))?
            .claims;
        if let Some(why) = claims.not_an_access_token() {
            return Err(StaffAuthError::Invalid(why));
        }
        Ok(claims)
    }
}

/// Why a bearer token did not let its caller in (named for the staff API, its first
/// caller; the claims provider's caller is refused with the same).
#[derive(Debug, thiserror::Error)]
pub enum StaffAuthError {
    #[error("no bearer token was sent")]
    Missing,
    #[error("the bearer token is not valid: {0}")]
    Invalid(TokenFault),
    #[error("{0}")]
    Forbidden(Lacking),
    #[error(transparent)]
    Unavailable(#[from] ProviderUnavailable),
}

/// Why a bearer token was refused (the web layer says it in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenFault {
    #[error("malformed token")]
    Malformed,
    #[error("only RS256 tokens are accepted")]
    NotRs256,
    #[error("the token names no key (kid)")]
    NoKeyId,
    #[error("signed by a key the provider does not publish")]
    UnknownKey,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another audience")]
    OtherAudience,
    #[error("the token is from another issuer")]
    OtherIssuer,
    #[error("the signature does not match")]
    Signature,
    #[error("the token lacks a required claim")]
    MissingClaim,
    #[error("an id_token is not accepted as a bearer token")]
    IdToken,
    #[error("the token is not an access token (idtyp)")]
    NotAccessToken,
    #[error("the token names no client (azp, appid or client_id): not an access token")]
    NoClient,
    #[error("the token was issued to a client that may not call this")]
    OtherClient,
}

/// What a valid token lacks to be let in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Lacking {
    #[error("the token does not carry the {0} role")]
    Role(String),
    #[error("the token carries neither the {0} nor the {1} role")]
    EitherRole(String, String),
    #[error("the token names no email address (email, preferred_username or upn)")]
    Email,
}

#[derive(Deserialize)]
pub struct AccessClaims {
    #[serde(default)]
    pub(crate) roles: Vec<String>,
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) preferred_username: Option<String>,
    pub(crate) upn: Option<String>,
    /// Only id_tokens carry these (OpenID Connect Core 1.0, section 2 and 3.1.3.6).
    pub(crate) nonce: Option<serde_json::Value>,
    pub(crate) at_hash: Option<serde_json::Value>,
    pub(crate) c_hash: Option<serde_json::Value>,
    /// The client the access token was issued to: `azp` (Entra v2.0), `appid` (v1.0),
    /// `client_id` (RFC 9068); id_tokens name none.
    pub(crate) azp: Option<String>,
    pub(crate) appid: Option<String>,
    pub(crate) client_id: Option<String>,
    /// Entra's optional token-type claim: `app` or `user` in access tokens.
    pub(crate) idtyp: Option<String>,
}

impl AccessClaims {
    /// Why these are not an access token's claims, if they are not.
    fn not_an_access_token(&self) -> Option<TokenFault> {
        if self.nonce.is_some() || self.at_hash.is_some() || self.c_hash.is_some() {
            return Some(TokenFault::IdToken);
        }
        if self
            .idtyp
            .as_deref()
            .is_some_and(|t| !matches!(t, "app" | "user"))
        {
            return Some(TokenFault::NotAccessToken);
        }
        let client = [&self.azp, &self.appid, &self.client_id]
            .into_iter()
            .flatten()
            .any(|c| !c.is_empty());
        (!client).then_some(TokenFault::NoClient)
    }
}

/// The bearer token of an `Authorization` header and the key id its header names,
/// refusing anything but RS256 before any key is looked up. No I/O. Public for the fuzz
/// target (`fuzz/`).
pub fn read_bearer(authorization: Option<&str>) -> Result<(&str, String), StaffAuthError> {
    let token = authorization
        .and_then(|h| {
            let (scheme, token) = h.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or(StaffAuthError::Missing)?;
    let header =
        decode_header(token).map_err(|_| StaffAuthError::Invalid(TokenFault::Malformed))?;
    if header.alg != Algorithm::RS256 {
        return Err(StaffAuthError::Invalid(TokenFault::NotRs256));
    }
    let kid = header
        .kid
        .ok_or(StaffAuthError::Invalid(TokenFault::NoKeyId))?;
    Ok((token, kid))
}

fn reason(kind: &jsonwebtoken::errors::ErrorKind) -> TokenFault {
    use jsonwebtoken::errors::ErrorKind as K;
    match kind {
        K::ExpiredSignature => TokenFault::Expired,
        K::ImmatureSignature => TokenFault::NotYetValid,
        K::InvalidAudience => TokenFault::OtherAudience,
        K::InvalidIssuer => TokenFault::OtherIssuer,
        K::InvalidSignature => TokenFault::Signature,
        K::MissingRequiredClaim(_) => TokenFault::MissingClaim,
        K::InvalidAlgorithm => TokenFault::NotRs256,
        _ => TokenFault::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: serde_json::Value) -> AccessClaims {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn access_tokens_name_their_client_and_id_tokens_do_not() {
        for access in [
            serde_json::json!({"azp": "c", "ver": "2.0", "scp": "Invitations.Send"}),
            serde_json::json!({"azp": "c", "idtyp": "app"}),
            serde_json::json!({"appid": "c", "ver": "1.0"}),
            serde_json::json!({"client_id": "local-sales-cli"}),
        ] {
            assert_eq!(
                claims(access.clone()).not_an_access_token(),
                None,
                "{access}"
            );
        }
        for id_token in [
            serde_json::json!({"nonce": "n", "ver": "2.0"}),
            serde_json::json!({"azp": "c", "nonce": "n"}),
            serde_json::json!({"azp": "c", "at_hash": "h"}),
            serde_json::json!({"azp": "c", "c_hash": "h"}),
            serde_json::json!({"azp": "c", "idtyp": "id_token"}),
            serde_json::json!({"azp": ""}),
            serde_json::json!({"ver": "2.0"}),
        ] {
            assert!(
                claims(id_token.clone()).not_an_access_token().is_some(),
                "{id_token}"
            );
        }
    }
}
