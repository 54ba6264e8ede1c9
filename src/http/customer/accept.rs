//! `GET` or `POST /api/AcceptInvite`: the redirect URI. Checks `state` against the
//! encrypted flow cookie, redeems the code, validates the id_token, applies the email
//! rule, binds the invitation to the login and opens the customer's session.

use super::ended_message;
use super::messages::Message;
use super::signin::{Next, ask_for_code};
use super::{SESSION_LIFETIME, Session, accept_redirect_uri, error_page, message_page, open_flow};
use crate::domain::invitation::{AcceptError, Kind, Status};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{FLOW, SESSION};
use crate::identity::customer::{AuthRequest, SignInError, SignedIn};
use crate::service::account;
use crate::service::members::{self, MemberError};
use crate::service::onboarding::{self, AcceptFailure};
use warp::http::StatusCode;
use warp::reply::Response;

/// The callback's parameters, from the query or a `form_post` body.
#[derive(Debug, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl Callback {
    pub fn parse(encoded: &[u8]) -> Self {
        let mut callback = Self::default();
        for (key, value) in url::form_urlencoded::parse(encoded) {
            let value = Some(value.into_owned());
            match key.as_ref() {
                "code" => callback.code = value,
                "state" => callback.state = value,
                "error" => callback.error = value,
                "error_description" => callback.error_description = value,
                _ => {}
            }
        }
        callback
    }
}

pub async fn callback(
    state: AppState,
    callback: Callback,
    cookie_header: Option<String>,
    accept_language: Option<String>,
) -> Response {
    let now = state.services.clock.now();
    let clear_flow = state.cookies.clear(FLOW);
    let Some(flow) = open_flow(&state, cookie_header.as_deref(), now) else {
        let locale = Locale::negotiate(accept_language.as_deref());
        return message_page(
            &state,
            Message::SignInExpired { retry: None },
            locale,
            &[clear_flow],
        );
    };
    let locale = flow.locale();
    let retry = flow.retry_link(&state);
    let redirect_uri = accept_redirect_uri(&state);
    let signed_in =
        match complete_sign_in(&state, &callback, &flow.auth, &redirect_uri, retry.clone()).await {
            Ok(signed_in) => signed_in,
            Err(message) => return message_page(&state, message, locale, &[clear_flow]),
        };
    let Ok(id) = crate::domain::invitation::InvitationId::parse(&flow.invitation) else {
        return message_page(
            &state,
            Message::SignInExpired { retry },
            locale,
            &[clear_flow],
        );
    };
    let invitation = match onboarding::accept(&state.services, &id, &signed_in).await {
        Ok(invitation) => invitation,
        Err(AcceptFailure::NotFound) => {
            return message_page(&state, Message::LinkUnknown, locale, &[clear_flow]);
        }
        Err(AcceptFailure::Store(e)) => return error_page(&state, e, locale),
        Err(AcceptFailure::Refused { invitation, reason }) => {
            let retry_other = retry.map(|r| format!("{r}&prompt=login"));
            let message = match reason {
                AcceptError::WrongEmail => Message::WrongEmail {
                    signed_in: signed_in.email.as_ref().map(|e| e.to_string()),
                    invited: invitation.email.to_string(),
                    retry: retry_other,
                },
                AcceptError::BoundElsewhere => Message::BoundElsewhere {
                    invited: invitation.email.to_string(),
                },
                AcceptError::NotUsable(status) => ended_message(&invitation, status),
            };
            return message_page(&state, message, invitation.locale, &[clear_flow]);
        }
    };
    let mut completed = invitation.status_at(now) == Status::Completed;
    if invitation.kind() == Kind::Member && !completed {
        // A colleague joins at once: no company form.
        if let Err(e) = join(&state, &invitation, &signed_in).await {
            let message = match e {
                MemberError::NotAcceptable(AcceptError::NotUsable(status)) => {
                    ended_message(&invitation, status)
                }
                MemberError::Invitation(e) => return error_page(&state, e, locale),
                other => {
                    tracing::error!(invitation = %invitation.id, error = %other, "member not joined");
                    Message::Internal
                }
            };
            return message_page(&state, message, invitation.locale, &[clear_flow]);
        }
        completed = true;
    }
    let Ok(csrf) = AuthRequest::new().map(|r| r.state) else {
        return message_page(&state, Message::Internal, locale, &[clear_flow]);
    };
    let session = Session {
        issuer: signed_in.login.issuer.clone(),
        subject: signed_in.login.subject.clone(),
        email: signed_in
            .email
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        invitation: Some(invitation.id.to_string()),
        locale: invitation.locale.as_str().to_owned(),
        csrf,
        idp: signed_in.idp.clone(),
        signed_in_at: signed_in.signed_in_at(now),
        notice: None,
    };
    let next = if completed {
        Next::Home
    } else {
        Next::CreateCompany
    };
    // An existing customer with MFA on gives the code here too.
    match account::account_for(&state.services, &signed_in.login).await {
        Ok(Some(account)) => match account::mfa_on(&state.services, &account).await {
            Ok(true) => {
                return ask_for_code(
                    &state,
                    account.as_str(),
                    session,
                    None,
                    next,
                    now,
                    clear_flow,
                );
            }
            Ok(false) => {}
            Err(e) => return error_page(&state, e, locale),
        },
        Ok(None) => {}
        Err(e) => return error_page(&state, e, locale),
    }
    let session_cookie = state
        .cookies
        .seal(SESSION, &session, now, now + SESSION_LIFETIME);
    super::pages::redirect(
        StatusCode::SEE_OTHER,
        next.path(),
        &[clear_flow, session_cookie],
    )
}

async fn join(
    state: &AppState,
    invitation: &crate::domain::invitation::Invitation,
    signed_in: &SignedIn,
) -> Result<(), MemberError> {
    let email = signed_in
        .email
        .as_ref()
        .ok_or(MemberError::NotAcceptable(AcceptError::WrongEmail))?;
    let provider = crate::domain::account::Provider::from_idp(signed_in.idp.as_deref());
    members::join(
        &state.services,
        invitation,
        &signed_in.login,
        email,
        provider,
    )
    .await
    .map(|_| ())
}

/// The checks every callback makes, in order: `state` against the flow's, the provider's
/// error, the code redeemed and its id_token validated. A failure is the page to show;
/// `retry` is where its "try again" button leads.
pub(super) async fn complete_sign_in(
    state: &AppState,
    callback: &Callback,
    auth: &AuthRequest,
    redirect_uri: &str,
    retry: Option<String>,
) -> Result<SignedIn, Message> {
    if !callback
        .state
        .as_deref()
        .is_some_and(|s| auth.state_matches(s))
    {
        return Err(Message::SignInExpired { retry });
    }
    if let Some(error) = &callback.error {
        let description = callback.error_description.as_deref().unwrap_or("");
        return Err(provider_error(error, description, retry));
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(Message::SignInFailed { retry });
    };
    match state.customer.redeem(code, auth, redirect_uri).await {
        Ok(signed_in) => Ok(signed_in),
        Err(SignInError::Unavailable(e)) => {
            tracing::warn!(error = %e, "B2C unavailable at the callback");
            Err(Message::SignInUnavailable)
        }
        Err(SignInError::CodeRefused(why)) => {
            tracing::info!(reason = %why, "authorization code refused");
            Err(Message::SignInExpired { retry })
        }
        Err(e @ SignInError::InvalidToken(_)) => {
            tracing::warn!(error = %e, "id_token refused");
            Err(Message::SignInFailed { retry })
        }
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
fn provider_error(error: &str, description: &str, retry: Option<String>) -> Message {
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

    #[test]
    fn callbacks_parse_from_query_or_form() {
        let c = Callback::parse(b"code=abc&state=xyz&other=1");
        assert_eq!(
            (c.code.as_deref(), c.state.as_deref()),
            (Some("abc"), Some("xyz"))
        );
        let c = Callback::parse(b"error=access_denied&error_description=AADB2C90091%3A+cancelled");
        assert_eq!(
            c.error_description.as_deref(),
            Some("AADB2C90091: cancelled")
        );
    }
}
