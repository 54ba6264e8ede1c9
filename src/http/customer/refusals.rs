//! What the customer's pages say when the service refuses: each refusal the service hands
//! back as data (an invitation's state, a membership rule, a link that cannot be made, a
//! failed call) becomes the [`Message`] that words it, in one place;
//! [`crate::http::failure::message_page`] makes it the page.

use super::messages::{CompanyRefusal, Message};
use crate::domain::invitation::{AcceptError, Invitation, Status};
use crate::domain::membership::MembershipError;
use crate::http::failure::{Failure, Situation};
use crate::identity::customer::SignedIn;
use crate::page::Link;
use crate::service::InvitationError;
use crate::service::account::{LinkFailure, MfaFailure, UnlinkFailure};
use crate::service::members::MemberError;

/// What a customer is told about an invitation that can no longer be used.
pub fn ended(invitation: &Invitation, status: Status) -> Message {
    let inviter = invitation.invited_by.name.clone();
    let inviter_email = invitation.invited_by.email.to_string();
    match status {
        Status::Revoked => Message::Revoked {
            inviter,
            inviter_email,
        },
        Status::Completed => Message::Completed {
            company: invitation.company.name.clone(),
        },
        _ => Message::Expired {
            inviter,
            inviter_email,
            date: crate::mail::invitation::long_date(invitation.expires_at, invitation.locale),
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
            MfaFailure::Throttled { retry_after } => Message::MfaThrottled {
                seconds: retry_after,
            },
            MfaFailure::Store(e) => Message::failure(Failure::from(e)),
            _ => Message::BadForm,
        }
    }
}
