//! What the customer's pages say when the service refuses: each refusal the service hands
//! back as data (a sign-in the provider or the callback refused, an invitation's state, a
//! membership rule, a link that cannot be made, a failed call) becomes the [`Message`] that words it, in one place;
//! [`crate::http::failure::message_page`] makes it the page.

use super::messages::{CompanyRefusal, Message};
use crate::domain::invitation::{AcceptError, Invitation, Kind, Status};
use crate::domain::membership::MembershipError;
use crate::http::failure::{Failure, Situation};
use crate::http::sign_in::{NotStarted, Refusal};
use crate::identity::customer::SignedIn;
use crate::page::Link;
use crate::service::InvitationError;
use crate::service::account::{LinkFailure, MfaFailure, UnlinkFailure};
use crate::service::members::MemberError;
use crate::service::passkeys::PasskeyFailure;
use warp::http::StatusCode;

/// What a customer is told about an invitation that can no longer be used.
pub fn ended(invitation: &Invitation, status: Status) -> Message {
    let inviter = invitation.inviter_name();
    let inviter_email = invitation.inviter_email();
    match status {
        Status::Revoked => Message::Revoked {
            inviter,
            inviter_email,
        },
        Status::Completed => Message::Completed {
            company: invitation.company.name.clone(),
            joined: invitation.kind() == Kind::Member,
        },
        _ => Message::Expired {
            inviter,
            inviter_email,
            date: crate::mail::invitation::long_date(invitation.expires_at, invitation.locale),
            renew: None,
        },
    }
}

/// Why this login cannot accept the invitation; "try again" (`retry`, the invitation link)
/// signs in with another account.
pub fn not_accepted(
    invitation: &Invitation,
    reason: AcceptError,
    identity: &SignedIn,
    retry: Option<Link>,
) -> Message {
    match reason {
        AcceptError::WrongEmail => Message::WrongEmail {
            signed_in: identity.email.as_ref().map(|e| e.to_string()),
            invited: invitation.email.to_string(),
            retry: retry.map(|r| r.with("prompt", "login")),
        },
        AcceptError::BoundElsewhere => Message::BoundElsewhere {
            invited: invitation.email.to_string(),
        },
        AcceptError::NotUsable(status) => ended(invitation, status),
    }
}

/// A refusal of the company page's calls; its button leads back to `company`'s page.
/// Anyone who is not a member learns nothing of the company: the same "not found" page
/// whether it exists or not.
pub fn member(error: MemberError, company: &str) -> Message {
    let refused = |why| Message::CompanyRefused {
        company: company.to_owned(),
        why,
    };
    match error {
        MemberError::NoCompany
        | MemberError::NotAcceptable(_)
        | MemberError::Refused(MembershipError::NotAMember | MembershipError::UnknownMember)
        | MemberError::Invitation(InvitationError::NotFound) => Message::CompanyNotFound,
        MemberError::Refused(MembershipError::NotAdministrator) => {
            refused(CompanyRefusal::NotAdministrator)
        }
        MemberError::Refused(MembershipError::LastAdministrator) => {
            refused(CompanyRefusal::LastAdministrator)
        }
        MemberError::AlreadyMember(email) => {
            refused(CompanyRefusal::AlreadyMember(email.to_string()))
        }
        MemberError::Invitation(InvitationError::NotAllowed(_)) => {
            refused(CompanyRefusal::NotAllowed)
        }
        MemberError::Invitation(InvitationError::Limited { retry_after, .. }) => {
            refused(CompanyRefusal::Limited(retry_after.div_ceil(60).max(1)))
        }
        MemberError::Invitation(other) => Message::failure(Failure::from(other)),
    }
}

/// A login that could not be linked.
impl From<LinkFailure> for Message {
    fn from(failure: LinkFailure) -> Self {
        match failure {
            LinkFailure::WrongEmail { account, login } => Message::LinkWrongEmail {
                account: account.to_string(),
                login: login.map(|l| l.to_string()),
            },
            LinkFailure::OwnedElsewhere => Message::LinkOwnedElsewhere,
            LinkFailure::NoAccount => Message::SessionRequired,
            LinkFailure::Store(e) => Message::failure(Failure::from(e)),
        }
    }
}

/// A login that could not be removed.
impl From<UnlinkFailure> for Message {
    fn from(failure: UnlinkFailure) -> Self {
        match failure {
            UnlinkFailure::LastLogin => Message::UnlinkRefused { last: true },
            UnlinkFailure::InUse => Message::UnlinkRefused { last: false },
            UnlinkFailure::NotFound => Message::BadForm,
            UnlinkFailure::Store(e) => Message::failure(Failure::from(e)),
        }
    }
}

/// The authenticator app refused, for a reason other than the code (a wrong code is said
/// beside the form).
impl From<MfaFailure> for Message {
    fn from(failure: MfaFailure) -> Self {
        match failure {
            MfaFailure::NotAvailable => Message::MfaUnavailable,
            MfaFailure::Throttled { retry_after, .. } => Message::MfaThrottled {
                seconds: retry_after,
            },
            MfaFailure::Store(e) => Message::failure(Failure::from(e)),
            _ => Message::BadForm,
        }
    }
}

/// A passkey refused, as the page that says so; a storage failure stays one.
impl TryFrom<PasskeyFailure> for Message {
    type Error = InvitationError;

    fn try_from(failure: PasskeyFailure) -> Result<Self, InvitationError> {
        use StatusCode as S;
        let (why, status) = match failure {
            PasskeyFailure::NotAvailable => ("p1-unavailable", S::SERVICE_UNAVAILABLE),
            PasskeyFailure::Refused | PasskeyFailure::Replayed => {
                ("p1-refused", S::UNPROCESSABLE_ENTITY)
            }
            PasskeyFailure::AlreadyAdded => ("p1-added", S::CONFLICT),
            PasskeyFailure::NotFound => ("p1-gone", S::NOT_FOUND),
            PasskeyFailure::BadName => ("p1-name", S::UNPROCESSABLE_ENTITY),
            PasskeyFailure::Throttled { retry_after } => {
                return Ok(Message::MfaThrottled {
                    seconds: retry_after,
                });
            }
            PasskeyFailure::Store(e) => return Err(e),
        };
        Ok(Message::Passkey { why, status })
    }
}

/// A sign-in that did not start.
impl From<NotStarted> for Message {
    fn from(not_started: NotStarted) -> Self {
        match not_started {
            NotStarted::NotConfigured | NotStarted::Unavailable => Message::SignInUnavailable,
            NotStarted::Internal => Message::Internal,
        }
    }
}

/// A callback that signed nobody in; `retry` is where "try again" leads.
pub fn sign_in(why: Refusal, retry: Option<Link>) -> Message {
    match why {
        Refusal::Expired => Message::SignInExpired { retry },
        Refusal::Provider { error, description } => provider_error(&error, &description, retry),
        Refusal::Failed => Message::SignInFailed { retry },
        Refusal::Unavailable | Refusal::NotConfigured => Message::SignInUnavailable,
    }
}

/// The admin-consent address for the application an Entra error names ("…the application
/// with ID '{guid}'…"), in the tenant it names ("…tenant '{guid or domain}'…"), else for
/// whichever organisation the administrator signs in to (`organizations`). Only GUIDs and
/// domain names are taken from the description, so the address holds nothing else.
/// https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
fn admin_consent_url(description: &str) -> Option<String> {
    use std::sync::LazyLock;
    const GUID: &str =
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    static APP: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(&format!(
            r"(?i)\b(?:application|app|client)\b[^.]{{0,40}}?\b({GUID})\b"
        ))
        .ok()
    });
    static TENANT: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(&format!(
            r"(?i)\b(?:tenant|directory)\b[^.']{{0,20}}?'?({GUID}|[a-z0-9-]{{1,63}}(?:\.[a-z0-9-]{{1,63}})+)\b"
        ))
        .ok()
    });
    let app = APP.as_ref()?.captures(description)?.get(1)?.as_str();
    let tenant = TENANT
        .as_ref()
        .and_then(|t| t.captures(description))
        .and_then(|c| c.get(1))
        .map_or("organizations", |m| m.as_str());
    Some(format!(
        "https://login.microsoftonline.com/{tenant}/adminconsent?client_id={app}"
    ))
}

/// What the provider's `error` means to the customer. B2C puts its AADB2C codes and
/// Entra's AADSTS codes in `error_description`.
fn provider_error(error: &str, description: &str, retry: Option<Link>) -> Message {
    let has = |code: &str| description.contains(code);
    if has("AADB2C90091") {
        Message::Cancelled { retry }
    } else if has("AADB2C90118") {
        Message::ForgotPassword { retry }
    } else if matches!(error, "consent_required" | "interaction_required")
        || [
            "AADSTS65001",
            "AADSTS65004",
            "AADSTS90094",
            "AADSTS90099",
            "AADSTS500113",
            "AADSTS50105",
            "admin consent",
            "approval",
        ]
        .iter()
        .any(|code| description.contains(code))
    {
        Message::OrganisationBlocks {
            retry,
            admin_consent: admin_consent_url(description),
        }
    } else {
        let detail: String = description
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect();
        let detail = if detail.is_empty() {
            error.chars().take(60).collect()
        } else {
            detail
        };
        Message::AccessDenied { detail, retry }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_errors_become_the_right_pages() {
        assert!(matches!(
            provider_error("access_denied", "AADB2C90091: The user has cancelled", None),
            Message::Cancelled { .. }
        ));
        assert!(matches!(
            provider_error(
                "access_denied",
                "AADB2C90118: The user has forgotten their password.",
                None
            ),
            Message::ForgotPassword { .. }
        ));
        assert!(matches!(
            provider_error(
                "access_denied",
                "AADSTS65001: The user or administrator has not consented",
                None
            ),
            Message::OrganisationBlocks { .. }
        ));
        assert!(matches!(
            provider_error("consent_required", "", None),
            Message::OrganisationBlocks { .. }
        ));
        assert!(matches!(
            provider_error("server_error", "", None),
            Message::AccessDenied { .. }
        ));
    }

    #[test]
    fn the_admin_consent_address_names_the_application_and_tenant_of_the_error() {
        let app = "1b2c3d4e-0000-4000-8000-00000000abcd";
        let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        assert_eq!(
            admin_consent_url(&format!(
                "AADSTS65001: The user or administrator has not consented to use the application with ID '{app}' named 'Invitations'. Tenant '{tenant}'."
            ))
            .as_deref(),
            Some(format!("https://login.microsoftonline.com/{tenant}/adminconsent?client_id={app}").as_str())
        );
        assert_eq!(
            admin_consent_url(&format!(
                "AADSTS90094: Admin consent required for application {app} in tenant contoso.onmicrosoft.com."
            ))
            .as_deref(),
            Some(format!("https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id={app}").as_str())
        );
        assert_eq!(
            admin_consent_url(&format!(
                "AADSTS65001: not consented to the application with ID '{app}'."
            ))
            .as_deref(),
            Some(
                format!(
                    "https://login.microsoftonline.com/organizations/adminconsent?client_id={app}"
                )
                .as_str()
            ),
            "no tenant named: the administrator's own"
        );
        assert_eq!(
            admin_consent_url("AADSTS65001: The user or administrator has not consented"),
            None
        );
        assert_eq!(
            admin_consent_url("application with ID '<script>' tenant 'x\"><b>'"),
            None,
            "only GUIDs and domain names are taken"
        );
    }
}
