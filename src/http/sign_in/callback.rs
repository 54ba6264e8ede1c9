//! The one callback of every sign-in (`AcceptInvite`, `AuthCallback`, `StaffCallback`):
//! the flow cookie, the callback's parameters, `state` against the flow's, the provider's
//! error, the code redeemed and its id_token validated. The answer is data
//! ([`Outcome`]); each floor words a [`Refusal`] itself.

use super::{FLOW, Flow};
use crate::http::extract::Visit;
use crate::identity::customer::{AuthRequest, CustomerSignIn, SignInError, SignedIn};
use crate::page::Page;

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

/// Why a callback did not sign anyone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No flow for this callback, `state` does not match the flow's, or the code was
    /// refused (stale, used).
    Expired,
    /// The provider answered with an error instead of a code.
    Provider { error: String, description: String },
    /// No code, or an id_token that does not check out.
    Failed,
    /// The provider could not be reached.
    Unavailable,
    /// The flow's provider is not configured.
    NotConfigured,
}

/// What a callback found.
#[derive(Debug)]
pub enum Outcome {
    /// `login` signed in, for `flow`'s purpose.
    Verified { flow: Flow, login: SignedIn },
    /// Nobody signed in: why, with the flow when there was one (its language, its
    /// "try again").
    Refused { flow: Option<Flow>, why: Refusal },
}

/// The callback at `at` with its `params`: a flow started for another callback counts as
/// none. The caller sets [`super::clear`] with whatever it answers.
pub async fn callback(visit: &Visit, at: Page, params: &Callback) -> Outcome {
    let state = &visit.state;
    let Some(flow) = visit
        .cookie::<Flow>(FLOW)
        .filter(|flow| flow.purpose.callback_page() == at)
    else {
        let why = Refusal::Expired;
        return Outcome::Refused { flow: None, why };
    };
    let Some(client) = flow.purpose.client(state) else {
        let why = Refusal::NotConfigured;
        return Outcome::Refused { flow: None, why };
    };
    let redirect_uri = at.url(&state.services.public_base_url);
    match redeem_checked(client, params, &flow.auth, &redirect_uri).await {
        Ok(login) => Outcome::Verified { flow, login },
        Err(why) => Outcome::Refused {
            flow: Some(flow),
            why,
        },
    }
}

/// The checks in order: `state` against the flow's, the provider's error, the code
/// redeemed and its id_token validated.
async fn redeem_checked(
    client: &CustomerSignIn,
    callback: &Callback,
    auth: &AuthRequest,
    redirect_uri: &str,
) -> Result<SignedIn, Refusal> {
    if !callback
        .state
        .as_deref()
        .is_some_and(|s| auth.state_matches(s))
    {
        return Err(Refusal::Expired);
    }
    if let Some(error) = &callback.error {
        return Err(Refusal::Provider {
            error: error.clone(),
            description: callback.error_description.clone().unwrap_or_default(),
        });
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(Refusal::Failed);
    };
    match client.redeem(code, auth, redirect_uri).await {
        Ok(signed_in) => Ok(signed_in),
        Err(SignInError::Unavailable(e)) => {
            tracing::warn!(error = %e, "identity provider unavailable at the callback");
            Err(Refusal::Unavailable)
        }
        Err(SignInError::CodeRefused(why)) => {
            tracing::info!(reason = %why, "authorization code refused");
            Err(Refusal::Expired)
        }
        Err(e @ SignInError::InvalidToken(_)) => {
            tracing::warn!(error = %e, "id_token refused");
            Err(Refusal::Failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
