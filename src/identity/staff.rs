//! Staff bearer tokens: RS256 only, signed by a key of the staff provider's JWKS, with
//! its issuer, the configured audience, and the role that lets a person send invitations.
//! Only access tokens: an id_token (the back office's sign-in gets one with the same
//! `roles`, and its `aud` is the client id, which may equal `STAFF_AUDIENCE`) is refused.
//! The token itself is checked in `bearer.rs`; here, what a staff caller carries besides.

use super::bearer::{AccessClaims, AccessTokens};
pub use super::bearer::{Lacking, StaffAuthError, TokenFault};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::Inviter;
use std::sync::Arc;

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

pub struct StaffAuthenticator {
    tokens: Arc<AccessTokens>,
    role: String,
}

impl StaffAuthenticator {
    pub fn new(tokens: Arc<AccessTokens>, role: String) -> Self {
        Self { tokens, role }
    }

    /// Checks an `Authorization` header's value.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<StaffMember, StaffAuthError> {
        let claims = self.tokens.check(authorization).await?;
        self.admit(claims)
    }

    /// What a valid token must carry besides: the role, then an email address. No I/O.
    fn admit(&self, claims: AccessClaims) -> Result<StaffMember, StaffAuthError> {
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

/// Who may read the staff API (every `GET` but the personal-data export): a token with
/// `STAFF_READ_ROLE` (a program, often app-only: no name, no email) or with the role of
/// the staff API. Nothing about the caller is handed on: reading records no one.
pub struct StaffReader {
    tokens: Arc<AccessTokens>,
    roles: [String; 2],
}

/// A caller [`StaffReader`] let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader;

impl StaffReader {
    /// A refused token is told that it carries neither role.
    pub fn new(tokens: Arc<AccessTokens>, read_role: String, staff_role: String) -> Self {
        Self {
            tokens,
            roles: [read_role, staff_role],
        }
    }

    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<Reader, StaffAuthError> {
        let claims = self.tokens.check(authorization).await?;
        if claims.roles.iter().any(|r| self.roles.contains(r)) {
            Ok(Reader)
        } else {
            let [read, staff] = self.roles.clone();
            Err(StaffAuthError::Forbidden(Lacking::EitherRole(read, staff)))
        }
    }
}
