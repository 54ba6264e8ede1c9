//! Staff bearer tokens: RS256 only, signed by a key of the staff provider's JWKS, with
//! its issuer, the configured audience, and the role that lets a person send invitations.
//! Only access tokens: an id_token (the back office's sign-in gets one with the same
//! `roles`, and its `aud` is the client id, which may equal `STAFF_AUDIENCE`) is refused.

use super::provider::{OidcProvider, ProviderUnavailable};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::Inviter;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::sync::Arc;

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub name: String,
    pub email: EmailAddress,
}

impl From<StaffMember> for Inviter {
    fn from(staff: StaffMember) -> Self {
        Inviter {
            name: staff.name,
            email: staff.email,
        }
    }
}

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
}

/// What a valid token lacks to be let in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Lacking {
    #[error("the token does not carry the {0} role")]
    Role(String),
    #[error("the token names no email address (email, preferred_username or upn)")]
    Email,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    roles: Vec<String>,
    name: Option<String>,
    email: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    /// Only id_tokens carry these (OpenID Connect Core 1.0, section 2 and 3.1.3.6).
    nonce: Option<serde_json::Value>,
    at_hash: Option<serde_json::Value>,
    c_hash: Option<serde_json::Value>,
    /// The client the access token was issued to: `azp` (Entra v2.0), `appid` (v1.0),
    /// `client_id` (RFC 9068); id_tokens name none.
    azp: Option<String>,
    appid: Option<String>,
    client_id: Option<String>,
    /// Entra's optional token-type claim: `app` or `user` in access tokens.
    idtyp: Option<String>,
}

impl Claims {
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

pub struct StaffAuthenticator {
    provider: Arc<OidcProvider>,
    audience: String,
    role: String,
}

impl StaffAuthenticator {
    pub fn new(provider: Arc<OidcProvider>, audience: String, role: String) -> Self {
        Self {
            provider,
            audience,
            role,
        }
    }

    /// Checks an `Authorization` header's value.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<StaffMember, StaffAuthError> {
        let (token, kid) = read_bearer(authorization)?;
        let (key, snapshot) = self
            .provider
            .key(&kid)
            .await?
            .ok_or(StaffAuthError::Invalid(TokenFault::UnknownKey))?;
        self.verify(token, &key, &snapshot.issuer)
    }

    /// The checks once the key the token names is known: signature, `exp`, `nbf`, `iss`,
    /// `aud`, then the role and an email address. No I/O.
    pub fn verify(
        &self,
        token: &str,
        key: &DecodingKey,
        issuer: &str,
    ) -> Result<StaffMember, StaffAuthError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let claims = decode::<Claims>(token, key, &validation)
            .map_err(|e| StaffAuthError::Invalid(reason(e.kind())))?
            .claims;
        if let Some(why) = claims.not_an_access_token() {
            return Err(StaffAuthError::Invalid(why));
        }
        if !claims.roles.iter().any(|r| r == &self.role) {
            return Err(StaffAuthError::Forbidden(Lacking::Role(self.role.clone())));
        }
        let email = [&claims.email, &claims.preferred_username, &claims.upn]
            .into_iter()
            .flatten()
            .find_map(|v| EmailAddress::parse(v).ok())
            .ok_or(StaffAuthError::Forbidden(Lacking::Email))?;
        let name = claims
            .name
            .map(|n| {
                n.trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.to_string());
        Ok(StaffMember { name, email })
    }
}

/// The bearer token of an `Authorization` header and the key id its header names,
/// refusing anything but RS256 before any key is looked up. No I/O.
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

    fn claims(json: serde_json::Value) -> Claims {
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
