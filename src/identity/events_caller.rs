//! The one caller of the custom claims provider (`POST /api/TokenIssuanceStart`):
//! Microsoft Entra's authentication events service, with an access token of the
//! customer tenant for the provider's own app registration. Checked as Microsoft's
//! "protect your REST API" guidance for custom authentication extensions says: the
//! tenant's keys, its issuer (or `CLAIMS_ISSUER`), `aud` = `CLAIMS_AUDIENCE`, and the
//! client the token was issued to (`azp` in v2.0 tokens, `appid` in v1.0) is the
//! events service's well-known app id. Anything else is refused alike.

use super::bearer::{AccessTokens, StaffAuthError, TokenFault};

/// The application id of Entra's authentication events service (the same in every
/// tenant).
pub const EVENTS_SERVICE_APP_ID: &str = "99045fe1-7639-4a75-9d4a-577b6ca3810f";

pub struct EventsCaller {
    tokens: AccessTokens,
}

impl EventsCaller {
    pub fn new(tokens: AccessTokens) -> Self {
        Self { tokens }
    }

    /// Lets the events service in; any other token is `Invalid` (the caller answers 401).
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<(), StaffAuthError> {
        let claims = self.tokens.check(authorization).await?;
        let client = claims.azp.as_deref().or(claims.appid.as_deref());
        if client == Some(EVENTS_SERVICE_APP_ID) {
            Ok(())
        } else {
            Err(StaffAuthError::Invalid(TokenFault::OtherClient))
        }
    }
}
