//! What a signed-in browser carries: the customer's `Session`, the one CSRF check every
//! form post goes through (by way of `extract::Posted`), and the one-shot `Notice` the
//! profile shows.
//!
//! Imports only the domain: the page modules use it, it uses none of them.

use crate::domain::account::Provider;
use crate::domain::invitation::{InvitationId, LoginId};
use crate::domain::locale::Locale;
use serde::{Deserialize, Serialize};

/// The signed-in customer, kept by the browser in an encrypted cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub issuer: String,
    pub subject: String,
    pub email: String,
    /// The invitation being completed, if any.
    pub invitation: Option<String>,
    pub locale: String,
    /// Compared with the `csrf` field of every form post.
    pub csrf: String,
    /// The provider of the login (the `idp` claim; none for email and password).
    #[serde(default)]
    pub idp: Option<String>,
    /// When the person last signed in at the provider, in Unix seconds: the id_token's
    /// `auth_time`, aged by its `iat` (0 without one), never the time of the callback, which a provider
    /// answering from its own session reaches without a sign-in. Linking and unlinking
    /// need it recent.
    #[serde(default)]
    pub signed_in_at: i64,
    /// A notice to show once on the next profile page.
    #[serde(default)]
    pub notice: Option<Notice>,
    /// When the session was issued (Unix ms): it opens the account only while no
    /// sign-out, deletion or turning MFA on ended the account's sessions after it (the
    /// mark on the login's row, read with the account). Sessions sealed before this field
    /// read 0: the first such end ends them too.
    #[serde(default)]
    pub issued_at: i64,
    /// The person's tenant and object id from the id_token, recorded with the account
    /// the company form makes (the claims provider finds the person by them).
    #[serde(default)]
    pub object: Option<crate::domain::ids::ObjectId>,
}

impl Session {
    pub fn login(&self) -> LoginId {
        LoginId {
            issuer: self.issuer.clone(),
            subject: self.subject.clone(),
        }
    }

    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }

    pub fn invitation_id(&self) -> Option<InvitationId> {
        self.invitation
            .as_deref()
            .and_then(|id| InvitationId::parse(id).ok())
    }

    pub fn csrf_matches(&self, sent: &str) -> bool {
        csrf_matches(&self.csrf, sent)
    }
}

/// The one CSRF check: the token a form sent against the one its session holds, compared
/// in constant time; an empty token never matches.
pub fn csrf_matches(expected: &str, sent: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    !expected.is_empty()
        && !sent.is_empty()
        && bool::from(expected.as_bytes().ct_eq(sent.as_bytes()))
}

/// What the profile tells the person once, after an action that ended elsewhere.
///
/// Kept in the session cookie as the short string it always had (`linked:google.com`,
/// `mfa-on`, …), so sessions sealed before this type still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Notice {
    Linked(Provider),
    AlreadyLinked(Provider),
    Unlinked(Provider),
    MfaOn,
    MfaOff,
    PasskeyAdded,
    PasskeyRenamed,
    PasskeyRemoved,
}

impl Notice {
    /// After a link: new, or one the account already had.
    pub fn linked(new: bool, provider: Provider) -> Self {
        if new {
            Self::Linked(provider)
        } else {
            Self::AlreadyLinked(provider)
        }
    }

    /// The Fluent message id, and the provider it names (if any).
    pub fn message(&self) -> (&'static str, Option<&Provider>) {
        match self {
            Self::Linked(p) => ("notice-linked", Some(p)),
            Self::AlreadyLinked(p) => ("notice-already", Some(p)),
            Self::Unlinked(p) => ("notice-unlinked", Some(p)),
            Self::MfaOn => ("notice-mfa-on", None),
            Self::MfaOff => ("notice-mfa-off", None),
            Self::PasskeyAdded => ("notice-passkey-added", None),
            Self::PasskeyRenamed => ("notice-passkey-renamed", None),
            Self::PasskeyRemoved => ("notice-passkey-removed", None),
        }
    }
}

impl From<Notice> for String {
    fn from(notice: Notice) -> Self {
        match notice {
            Notice::Linked(p) => format!("linked:{}", p.stored()),
            Notice::AlreadyLinked(p) => format!("already:{}", p.stored()),
            Notice::Unlinked(p) => format!("unlinked:{}", p.stored()),
            Notice::MfaOn => "mfa-on".into(),
            Notice::MfaOff => "mfa-off".into(),
            Notice::PasskeyAdded => "passkey-added".into(),
            Notice::PasskeyRenamed => "passkey-renamed".into(),
            Notice::PasskeyRemoved => "passkey-removed".into(),
        }
    }
}

impl TryFrom<String> for Notice {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        let (kind, idp) = stored.split_once(':').unwrap_or((stored.as_str(), ""));
        let provider = || Provider::from_idp(Some(idp));
        match kind {
            "linked" => Ok(Self::Linked(provider())),
            "already" => Ok(Self::AlreadyLinked(provider())),
            "unlinked" => Ok(Self::Unlinked(provider())),
            "mfa-on" => Ok(Self::MfaOn),
            "mfa-off" => Ok(Self::MfaOff),
            "passkey-added" => Ok(Self::PasskeyAdded),
            "passkey-renamed" => Ok(Self::PasskeyRenamed),
            "passkey-removed" => Ok(Self::PasskeyRemoved),
            _ => Err(format!("unknown notice {kind}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_keep_the_form_sessions_already_hold() {
        for stored in [
            "linked:google.com",
            "already:live.com",
            "unlinked:local",
            "mfa-on",
            "mfa-off",
            "passkey-added",
            "passkey-renamed",
            "passkey-removed",
        ] {
            let notice = Notice::try_from(stored.to_owned());
            assert_eq!(notice.map(String::from).as_deref(), Ok(stored));
        }
        assert!(Notice::try_from("shown:x".to_owned()).is_err());
    }

    #[test]
    fn the_csrf_check_refuses_empty_and_different_tokens() {
        assert!(csrf_matches("abc", "abc"));
        assert!(!csrf_matches("abc", "abd"));
        assert!(!csrf_matches("abc", ""));
        assert!(!csrf_matches("", ""));
    }
}
