//! `GET /api/InviteUser?invitationId=…`: the email link. A usable invitation sends the
//! browser to the user flow; any other gets a page that says what happened. Opening the
//! link never consumes it: mail scanners open every link in an email.

use super::messages::Message;
use super::refusals;
use crate::domain::locale::Locale;
use crate::domain::secret::InvitationSecret;
use crate::http::AppState;
use crate::http::extract::Posted;
use crate::http::extract::Visit;
use crate::http::failure::{into_page, message_page};
use crate::http::layout::redirect;
use crate::http::sign_in::{self, Purpose};
use crate::identity::customer::AuthorizeHints;
use crate::page::Page;
use crate::service::limits;
use crate::service::onboarding::{self, LinkOutcome, Renewal};
use warp::http::StatusCode;
use warp::reply::Response;

/// The query of the email link.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LinkQuery {
    invitation_id: Option<String>,
    /// `login`: "sign in with another account", the provider asks again.
    prompt: Option<String>,
}

pub async fn open(visit: Visit, query: LinkQuery, forwarded_for: Option<String>) -> Response {
    let (state, browser_locale) = (visit.state, visit.browser);
    let client = client_address(forwarded_for.as_deref());
    let secret = query
        .invitation_id
        .and_then(|id| InvitationSecret::parse(&id).ok());
    let prompt_login = query.prompt.as_deref() == Some("login");
    let Some(secret) = secret else {
        return unknown_link(&state, &client, browser_locale).await;
    };
    let (outcome, _) = match onboarding::open_link(&state.services, &secret).await {
        Ok(found) => found,
        Err(e) => return into_page::<Message>(&state, e, browser_locale),
    };
    let invitation = match outcome {
        LinkOutcome::SignIn(invitation) => invitation,
        LinkOutcome::Unknown => return unknown_link(&state, &client, browser_locale).await,
        LinkOutcome::Superseded(invitation) => {
            return message_page(&state, &Message::LinkSuperseded, invitation.locale, &[]);
        }
        LinkOutcome::Ended(invitation, status) => {
            let mut message = refusals::ended(&invitation, status);
            // An expired link offers to ask its sender for a new one (while there is one:
            // an erased sender is nobody to ask).
            if let Message::Expired { renew, .. } = &mut message {
                *renew = invitation
                    .invited_by
                    .is_some()
                    .then(|| secret.expose().to_owned());
            }
            return message_page(&state, &message, invitation.locale, &[]);
        }
    };

    let hints = AuthorizeHints {
        login_hint: Some(invitation.email.as_str()),
        domain_hint: None,
        prompt: prompt_login.then_some("login"),
        ui_locales: Some(invitation.locale.as_str()),
    };
    let purpose = Purpose::Accept {
        invitation: invitation.id.to_string(),
        link: secret.expose().to_owned(),
    };
    let locale = invitation.locale;
    sign_in::start::<Message>(&state, purpose, locale, hints, StatusCode::FOUND).await
}

/// The form of `POST /api/InviteUser/renew`: the expired link's secret, which is all
/// the proof it needs (no session; a forged post would need the secret).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RenewForm {
    invitation_id: String,
}

/// `POST /api/InviteUser/renew`: the expired link's "ask for a new link" tells the
/// invitation's sender, once a day, and says so; any other link shows its own page.
pub async fn renew(visit: Visit, posted: Posted<RenewForm>) -> Response {
    let (state, locale) = (&visit.state, visit.browser);
    let form = posted.before_check();
    let Ok(secret) = InvitationSecret::parse(&form.invitation_id) else {
        return message_page(state, &Message::LinkUnknown, locale, &[]);
    };
    let (outcome, invitation) = match onboarding::ask_renewal(&state.services, &secret).await {
        Ok(Renewal::Asked(invitation)) => ("renewal-asked", invitation),
        Ok(Renewal::AlreadyAsked(invitation)) => ("renewal-again", invitation),
        Ok(Renewal::Limited(invitation)) => ("renewal-limited", invitation),
        Ok(Renewal::NotExpired) => {
            let link = Page::InvitationLink(secret.expose().to_owned()).href();
            return redirect(StatusCode::SEE_OTHER, &link, &[]);
        }
        Err(e) => return into_page::<Message>(state, e, locale),
    };
    let said = Message::Renewal {
        outcome,
        inviter: invitation.inviter_name(),
        inviter_email: invitation.inviter_email(),
    };
    message_page(state, &said, invitation.locale, &[])
}

/// The "unknown link" page, after counting the attempt against the client; past the
/// client's hourly limit, a page that says to wait. Only a link that leads nowhere
/// touches the counter: a valid link is answered from the invitation's row alone.
async fn unknown_link(state: &AppState, client: &str, locale: Locale) -> Response {
    let now = state.services.clock.now();
    match limits::link_failed(&state.services, client, now).await {
        Ok(true) => {}
        Ok(false) => {
            return message_page(state, &Message::TooManyAttempts, locale, &[]);
        }
        Err(e) => tracing::warn!(error = %e, "failed link attempt not counted"),
    }
    message_page(state, &Message::LinkUnknown, locale, &[])
}

/// Every `X-Forwarded-For` line of the request, joined in order with commas (a header
/// sent on several lines is one list, RFC 9110 section 5.3).
pub fn forwarded_for()
-> impl warp::Filter<Extract = (Option<String>,), Error = std::convert::Infallible> + Clone {
    use warp::Filter as _;
    warp::header::headers_cloned().map(|headers: warp::http::HeaderMap| {
        let lines: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!lines.is_empty()).then(|| lines.join(","))
    })
}

/// The client as Azure's front end saw it: the **last** `X-Forwarded-For` entry (the one
/// the front end appends; earlier ones are whatever the client wrote), without a port.
/// An IPv6 client is its /64: one subscriber gets a whole /64 and can rotate addresses
/// inside it at will (RFC 6177), so a limit keyed by the address would not hold.
pub fn client_address(forwarded_for: Option<&str>) -> String {
    use std::net::IpAddr;
    let last = forwarded_for
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .unwrap_or("");
    let address = if let Some(rest) = last.strip_prefix('[') {
        // [IPv6]:port
        rest.split(']').next().unwrap_or(rest)
    } else if last.matches(':').count() == 1 {
        // IPv4:port
        last.split(':').next().unwrap_or(last)
    } else {
        last
    };
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) if address.is_empty() => "unknown".to_owned(),
        Err(_) => address.chars().take(64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn the_client_is_the_entry_the_front_end_added() {
        assert_eq!(client_address(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(
            client_address(Some("spoofed, 203.0.113.7:50312")),
            "203.0.113.7"
        );
        assert_eq!(
            client_address(Some("1.1.1.1, [2001:db8::1]:443")),
            "2001:db8:0:0::/64"
        );
        assert_eq!(client_address(Some("2001:db8::1")), "2001:db8:0:0::/64");
        assert_eq!(client_address(Some(" ")), "unknown");
        assert_eq!(client_address(None), "unknown");
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_client_its_address() {
        let one = client_address(Some("2001:db8:a:b:1:2:3:4"));
        assert_eq!(one, "2001:db8:a:b::/64");
        assert_eq!(client_address(Some("[2001:db8:a:b:ffff::9]:1234")), one);
        assert_ne!(client_address(Some("2001:db8:a:c::1")), one);
        assert_eq!(client_address(Some("::ffff:203.0.113.7")), "203.0.113.7");
    }
}
