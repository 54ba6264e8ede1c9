//! Customers' accounts and the companies they administer.

use super::company::CompanyDetails;
use super::email::EmailAddress;
use super::ids::{InvitationId, LoginId};
use super::secret::hex;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// An account's id: derived from the login that created it, so a retry of the same
/// creation finds the first write instead of making a second account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub fn for_first_login(login: &LoginId) -> Self {
        Self(login_key(login)[..32].to_owned())
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fixed-length key for a login (issuers are URLs, subjects anything).
pub fn login_key(login: &LoginId) -> String {
    hex(&Sha256::digest(
        format!("{}\n{}", login.issuer, login.subject).as_bytes(),
    ))
}

/// The key of a person's tenant and object id in the tables (their index row).
pub fn object_key(object: &super::ids::ObjectId) -> String {
    hex(&Sha256::digest(
        format!("{}\n{}", object.tenant, object.object).as_bytes(),
    ))
}

/// A company's id: derived from the invitation it was created from, so however often or
/// concurrently the form is posted, one invitation makes one company.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyId(String);

impl CompanyId {
    pub fn for_invitation(invitation: &InvitationId) -> Self {
        Self(format!("c{}", invitation.as_str()))
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    /// A company id as given from outside: `c` and an invitation id.
    pub fn parse(input: &str) -> Option<Self> {
        let rest = input.strip_prefix('c')?;
        InvitationId::parse(rest)
            .ok()
            .map(|id| Self::for_invitation(&id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: CompanyId,
    pub details: CompanyDetails,
    pub invitation_id: InvitationId,
    pub created_at: OffsetDateTime,
    /// `None` once its creator's personal data was erased.
    pub created_by: Option<EmailAddress>,
    /// The creator's name as the sales person gave it (`None` when none was given, or
    /// once erased): how the creator is named to the colleagues they invite.
    pub created_by_name: Option<String>,
    /// Its administrators require a second factor (the app's code or a passkey) of every
    /// member before any page of the company.
    pub require_second_factor: bool,
}

/// A company as the staff list shows it: what identifies it, and how many members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySummary {
    pub id: CompanyId,
    pub name: String,
    pub vat_number: crate::domain::country::VatNumber,
    pub country: crate::domain::country::CountryCode,
    pub created_at: OffsetDateTime,
    pub members: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Administrator,
    Member,
}

impl Role {
    /// The stronger of two roles (one person's two places merged into one).
    pub fn stronger(self, other: Role) -> Role {
        if self == Role::Administrator || other == Role::Administrator {
            Role::Administrator
        } else {
            Role::Member
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Administrator, Self::Member]
            .into_iter()
            .find(|r| r.as_str() == value)
    }
}

/// An account's place in a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub company_id: CompanyId,
    pub company_name: String,
    pub role: Role,
    /// When the membership was made, as the table recorded it.
    pub since: Option<OffsetDateTime>,
}

/// An account's own facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: AccountId,
    pub email: EmailAddress,
    pub created_at: OffsetDateTime,
}

/// What a sign-in's id_token says of its login beyond the login's id: the provider it
/// came through, and the person's tenant and object id (recorded for the claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFacts {
    pub provider: Provider,
    pub object: Option<super::ids::ObjectId>,
}

impl LoginFacts {
    pub fn new(idp: Option<&str>, object: Option<&super::ids::ObjectId>) -> Self {
        Self {
            provider: Provider::from_idp(idp),
            object: object.cloned(),
        }
    }
}

/// Where a login comes from, as the user flow's `idp` claim says (absent for the user
/// flow's own email-and-password accounts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    Local,
    Google,
    Microsoft,
    Other(String),
}

impl Provider {
    pub fn from_idp(idp: Option<&str>) -> Self {
        match idp.map(str::trim) {
            None | Some("") | Some("local") => Self::Local,
            Some(idp) => {
                let lower = idp.to_ascii_lowercase();
                if lower == "google.com" || lower.contains("accounts.google.com") {
                    Self::Google
                } else if [
                    "live.com",
                    "microsoft.com",
                    "login.microsoftonline.com",
                    "sts.windows.net",
                ]
                .iter()
                .any(|m| lower == *m || lower.contains(m))
                {
                    Self::Microsoft
                } else {
                    Self::Other(idp.chars().take(100).collect())
                }
            }
        }
    }

    /// What is stored (the `idp` value, or `local`).
    pub fn stored(&self) -> &str {
        match self {
            Self::Local => "local",
            Self::Google => "google.com",
            Self::Microsoft => "live.com",
            Self::Other(idp) => idp,
        }
    }
}

/// A login that opens an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedLogin {
    pub login: LoginId,
    pub provider: Provider,
    pub email: EmailAddress,
    pub linked_at: OffsetDateTime,
    /// The person's tenant and object id, when the joining that writes the login's row
    /// also records their index row (the row then carries the mark); `None` otherwise.
    pub object: Option<super::ids::ObjectId>,
}

/// What linking a login to an account found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkResult {
    Linked,
    /// The login already opens this account.
    AlreadyYours,
    /// The login opens another account: nothing was changed.
    OwnedElsewhere,
}

#[cfg(test)]
mod tests {
    #[test]
    fn providers_are_named_from_the_idp_claim() {
        assert_eq!(Provider::from_idp(None), Provider::Local);
        assert_eq!(Provider::from_idp(Some("google.com")), Provider::Google);
        assert_eq!(Provider::from_idp(Some("live.com")), Provider::Microsoft);
        assert_eq!(
            Provider::from_idp(Some("https://login.microsoftonline.com/tid/v2.0")),
            Provider::Microsoft
        );
        assert_eq!(
            Provider::from_idp(Some("facebook.com")),
            Provider::Other("facebook.com".into())
        );
        assert_eq!(Provider::from_idp(Some("live.com")).stored(), "live.com");
    }

    use super::*;

    #[test]
    fn ids_derive_from_what_they_belong_to() {
        let login = LoginId {
            issuer: "https://b2c/".into(),
            subject: "s1".into(),
        };
        assert_eq!(
            AccountId::for_first_login(&login),
            AccountId::for_first_login(&login)
        );
        let other = LoginId {
            issuer: "https://b2c/".into(),
            subject: "s2".into(),
        };
        assert_ne!(
            AccountId::for_first_login(&login),
            AccountId::for_first_login(&other)
        );
        let invitation = InvitationId::parse("8204650374850aabbccddeeff").unwrap();
        assert_eq!(
            CompanyId::for_invitation(&invitation).as_str(),
            "c8204650374850aabbccddeeff"
        );
    }
}
