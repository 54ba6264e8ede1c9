//! The checks every sign-in callback makes (`AcceptInvite`, `AuthCallback`, `StaffCallback`):
//! the callback's parameters, `state` against the flow's, the provider's error as a page
//! that explains it, the code redeemed and its id_token validated. `accept.rs` and
//! `signin.rs` both build on this module, which imports neither.

use super::messages::Message;
use crate::http::AppState;
use crate::identity::customer::{AuthRequest, CustomerSignIn, SignInError, SignedIn};

/// The callback's parameters, from the query or a `form_post` body.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl Callback {
    /// A query or a `form_post` body, as [`crate::http::extract::parse_query`] reads one.
    pub fn parse(encoded: &[u8]) -> Self {
        crate::http::extract::parse_query(&String::from_utf8_lossy(encoded))
    }
}

/// Why a callback did not sign anyone in, before any page puts it into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackFailure {
    /// `state` does not match the flow's, or the code was refused (stale, used).
    Expired,
    /// The provider answered with an error instead of a code.
    Provider { error: String, description: String },
    /// No code, or an id_token that does not check out.
    Failed,
    /// The provider could not be reached.
    Unavailable,
}

/// The checks every sign-in callback makes (the customers' and the back office's), in
/// order: `state` against the flow's, the provider's error, the code redeemed and its
/// id_token validated.
pub async fn redeem_checked(
    client: &CustomerSignIn,
    callback: &Callback,
    auth: &AuthRequest,
    redirect_uri: &str,
) -> Result<SignedIn, CallbackFailure> {
    if !callback
        .state
        .as_deref()
        .is_some_and(|s| auth.state_matches(s))
    {
        return Err(CallbackFailure::Expired);
    }
    if let Some(error) = &callback.error {
        return Err(CallbackFailure::Provider {
            error: error.clone(),
            description: callback.error_description.clone().unwrap_or_default(),
        });
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(CallbackFailure::Failed);
    };
    match client.redeem(code, auth, redirect_uri).await {
        Ok(signed_in) => Ok(signed_in),
        Err(SignInError::Unavailable(e)) => {
            tracing::warn!(error = %e, "identity provider unavailable at the callback");
            Err(CallbackFailure::Unavailable)
        }
        Err(SignInError::CodeRefused(why)) => {
            tracing::info!(reason = %why, "authorization code refused");
            Err(CallbackFailure::Expired)
        }
        Err(e @ SignInError::InvalidToken(_)) => {
            tracing::warn!(error = %e, "id_token refused");
            Err(CallbackFailure::Failed)
        }
    }
}

/// [`redeem_checked`] for a customer's callback; a failure is the page to show, `retry`
/// is where its "try again" button leads.
pub(super) async fn complete_sign_in(
    state: &AppState,
    callback: &Callback,
    auth: &AuthRequest,
    redirect_uri: &str,
    retry: Option<crate::page::Link>,
) -> Result<SignedIn, Message> {
    redeem_checked(&state.customer, callback, auth, redirect_uri)
        .await
        .map_err(|failure| match failure {
            CallbackFailure::Expired => Message::SignInExpired { retry },
            CallbackFailure::Provider { error, description } => {
                provider_error(&error, &description, retry)
            }
            CallbackFailure::Failed => Message::SignInFailed { retry },
            CallbackFailure::Unavailable => Message::SignInUnavailable,
        })
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
fn provider_error(error: &str, description: &str, retry: Option<crate::page::Link>) -> Message {
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
