//! `GET /api/SignIn` and its redirect URI `GET`/`POST /api/AuthCallback`: a returning
//! customer signs in through the same user flow; the callback also finishes linking a
//! login from the profile. An account is found by the login (`iss`, `sub`) only. With
//! MFA on, the session is granted only after the code (see `mfa.rs`).

use super::callback::{Callback, complete_sign_in};
use super::messages::Message;
use super::signed_in;
use super::{SESSION_LIFETIME, Session, error_page, message_page};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{AUTH, MFA, SESSION};
use crate::http::extract::Visit;
use crate::identity::customer::{AuthRequest, AuthorizeHints, SignedIn};
use crate::service::account::{self, LinkFailure, Returning};
use crate::service::language;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use warp::http::StatusCode;
use warp::reply::Response;

pub const AUTH_LIFETIME: Duration = Duration::minutes(10);
/// How long the code may take after the provider's sign-in.
pub const MFA_LIFETIME: Duration = Duration::minutes(5);

/// Where a sign-in lands: only these, so no address from outside is ever followed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Next {
    Home,
    /// A company's page (`next=company:{companyId}`); whether the person is a member is
    /// decided there.
    Company(String),
    Profile,
    CreateCompany,
    /// Linking that login, which asked for a sign-in again first: resumed after it.
    LinkMicrosoft,
    LinkGoogle,
}

impl Next {
    pub fn path(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Self::Home => "/api/Home",
            Self::Company(id) => return format!("/api/Companies/{id}").into(),
            Self::Profile => "/api/Profile",
            Self::CreateCompany => "/api/CreateCompany",
            Self::LinkMicrosoft => "/api/Profile/link?provider=microsoft",
            Self::LinkGoogle => "/api/Profile/link?provider=google",
        })
    }

    /// The `next` parameter of `/api/SignIn` that leads here (`home` by default).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "home" => Some(Self::Home),
            "profile" => Some(Self::Profile),
            "link-microsoft" => Some(Self::LinkMicrosoft),
            "link-google" => Some(Self::LinkGoogle),
            _ => value
                .strip_prefix("company:")
                .and_then(crate::domain::account::CompanyId::parse)
                .map(|id| Self::Company(id.as_str().to_owned())),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Purpose {
    SignIn {
        next: Next,
    },
    /// Linking a login to this account (the signed-in one's).
    Link {
        account: String,
    },
}

/// A sign-in under way, kept (encrypted) by the browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthFlow {
    pub auth: AuthRequest,
    pub purpose: Purpose,
    pub locale: String,
    /// `locale` was asked for (`/api/SignIn?lang=`): it becomes the account's language;
    /// otherwise the account's remembered language wins over it.
    #[serde(default)]
    pub chosen: bool,
}

/// A login to link once the code is given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLink {
    pub issuer: String,
    pub subject: String,
    pub idp: Option<String>,
    pub email: String,
}

/// A provider sign-in waiting for the authenticator code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaPending {
    pub account: String,
    /// The session to grant once the code is right.
    pub session: Session,
    pub link: Option<PendingLink>,
    pub next: Next,
    pub csrf: String,
}

pub fn callback_uri(state: &AppState) -> String {
    let base = &state.services.public_base_url;
    format!("{}/api/AuthCallback", base.as_str().trim_end_matches('/'))
}

/// Sends the browser to the user flow; `purpose` says what the callback does after.
pub async fn start(
    state: &AppState,
    purpose: Purpose,
    locale: Locale,
    hints: AuthorizeHints<'_>,
    status: StatusCode,
) -> Response {
    start_flow(state, purpose, (locale, false), hints, status).await
}

/// [`start`], saying whether the language was asked for (see [`AuthFlow::chosen`]).
async fn start_flow(
    state: &AppState,
    purpose: Purpose,
    (locale, chosen): (Locale, bool),
    hints: AuthorizeHints<'_>,
    status: StatusCode,
) -> Response {
    let now = state.services.clock.now();
    let Ok(auth) = AuthRequest::new() else {
        return message_page(state, Message::Internal, locale, &[]);
    };
    let authorize = match state
        .customer
        .authorize_url(&auth, &callback_uri(state), hints)
        .await
    {
        Ok(url) => url,
        Err(e) => {
            tracing::warn!(error = %e, "B2C unavailable");
            let page = message_page(state, Message::SignInUnavailable, locale, &[]);
            return crate::http::failure::retry_after(page, 60);
        }
    };
    let flow = AuthFlow {
        auth,
        purpose,
        locale: locale.as_str().to_owned(),
        chosen,
    };
    let cookie = state.cookies.seal(AUTH, &flow, now, now + AUTH_LIFETIME);
    super::pages::redirect(status, authorize.as_str(), &[cookie])
}

/// The query of `GET /api/SignIn`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    prompt: Option<String>,
    next: Option<String>,
    #[serde(deserialize_with = "crate::http::extract::our_locale")]
    lang: Option<Locale>,
}

/// `GET /api/SignIn?prompt=login&next=profile&lang=fr`. A sign-in again (`prompt=login`)
/// of someone still signed in names their address to the provider (`login_hint`).
pub async fn sign_in(visit: Visit, query: SignInQuery) -> Response {
    let session = signed_in::session(&visit);
    // The language asked for (it becomes the account's), else the session's or browser's.
    let (locale, chosen) = match query.lang {
        Some(asked) => (asked, true),
        None => (
            session.as_ref().map_or(visit.browser, Session::locale),
            false,
        ),
    };
    let prompt_login = query.prompt.as_deref() == Some("login");
    let next = query
        .next
        .as_deref()
        .and_then(Next::parse)
        .unwrap_or(Next::Home);
    let login_hint = session
        .as_ref()
        .map(|s| s.email.as_str())
        .filter(|email| prompt_login && !email.is_empty());
    let hints = AuthorizeHints {
        login_hint,
        domain_hint: None,
        prompt: prompt_login.then_some("login"),
        ui_locales: Some(locale.as_str()),
    };
    let purpose = Purpose::SignIn { next };
    start_flow(
        &visit.state,
        purpose,
        (locale, chosen),
        hints,
        StatusCode::FOUND,
    )
    .await
}

/// The redirect URI of returning sign-ins and links.
pub async fn callback(visit: Visit, callback: Callback) -> Response {
    let (state, now) = (&visit.state, visit.now);
    let clear = state.cookies.clear(AUTH);
    let restart = Some("/api/SignIn".to_owned());
    let Some(flow) = visit.cookie::<AuthFlow>(AUTH) else {
        let message = Message::SignInExpired { retry: restart };
        return message_page(state, message, visit.browser, &[clear]);
    };
    let locale = Locale::parse(&flow.locale).unwrap_or_default();
    // "Try again" starts the same thing over: a sign-in, or the profile to link from.
    let restart = Some(match flow.purpose {
        Purpose::SignIn { .. } => "/api/SignIn".to_owned(),
        Purpose::Link { .. } => "/api/Profile".to_owned(),
    });
    let redirect_uri = callback_uri(state);
    let signed_in =
        match complete_sign_in(state, &callback, &flow.auth, &redirect_uri, restart).await {
            Ok(signed_in) => signed_in,
            Err(message) => return message_page(state, message, locale, &[clear]),
        };
    match flow.purpose {
        Purpose::SignIn { next } => {
            let locale = (locale, flow.chosen);
            returning(state, signed_in, locale, next, now, clear).await
        }
        Purpose::Link { account } => finish_link(&visit, signed_in, &account, locale, clear).await,
    }
}

/// A fresh session for a login that just signed in.
pub(super) fn new_session(
    signed_in: &SignedIn,
    invitation: Option<String>,
    locale: Locale,
    now: OffsetDateTime,
) -> Option<Session> {
    let csrf = AuthRequest::new().ok()?.state;
    Some(Session {
        issuer: signed_in.login.issuer.clone(),
        subject: signed_in.login.subject.clone(),
        email: signed_in
            .email
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        invitation,
        locale: locale.as_str().to_owned(),
        csrf,
        idp: signed_in.idp.clone(),
        signed_in_at: signed_in.signed_in_at(now),
        notice: None,
        issued_at: crate::service::person::session_time(now),
    })
}

async fn returning(
    state: &AppState,
    signed_in: SignedIn,
    (mut locale, chosen): (Locale, bool),
    next: Next,
    now: OffsetDateTime,
    clear: String,
) -> Response {
    let found = match account::returning(&state.services, &signed_in).await {
        Ok(found) => found,
        Err(e) => return error_page(state, e, locale),
    };
    // One language per person: the one asked for now (`?lang=`) becomes theirs; otherwise
    // the account's, whatever the browser's `Accept-Language` says.
    if let Returning::Account { account, .. } = &found {
        let services = &state.services;
        let kept = if chosen {
            language::remember(services, &signed_in.login, locale).await
        } else {
            language::remembered(services, account)
                .await
                .map(|remembered| locale = remembered.unwrap_or(locale))
        };
        if let Err(e) = kept {
            tracing::warn!(error = %e, "the account's language could not be read or stored");
        }
    }
    let (account, mfa, invitation, joins) = match found {
        Returning::Account {
            account,
            mfa,
            joins,
        } => (Some(account), mfa, None, joins),
        Returning::Unfinished(invitation) => (None, false, Some(invitation.id.to_string()), None),
        Returning::NoAccount => {
            let email = signed_in.email.as_ref().map(|e| e.to_string());
            tracing::info!("sign-in without an account");
            return message_page(state, Message::NoAccount { email }, locale, &[clear]);
        }
    };
    let Some(session) = new_session(&signed_in, invitation.clone(), locale, now) else {
        return message_page(state, Message::Internal, locale, &[clear]);
    };
    if let (Some(account), true) = (&account, mfa) {
        // A new login of the account's address joins it only after the code.
        let link = joins.map(|login| PendingLink {
            issuer: login.login.issuer,
            subject: login.login.subject,
            idp: signed_in.idp.clone(),
            email: login.email.to_string(),
        });
        return ask_for_code(state, account.as_str(), session, link, next, now, clear);
    }
    if let (Some(account), Some(login)) = (&account, joins) {
        if let Err(failure) = account::link(&state.services, account, &login).await {
            return link_failure_page(state, failure, locale, clear);
        }
    }
    let target = if invitation.is_some() {
        "/api/CreateCompany".into()
    } else {
        next.path()
    };
    grant(state, &session, &target, now, &[clear])
}

/// Sets the session cookie and goes on.
pub fn grant(
    state: &AppState,
    session: &Session,
    target: &str,
    now: OffsetDateTime,
    extra: &[String],
) -> Response {
    let mut cookies = extra.to_vec();
    cookies.push(reseal(state, session, now));
    super::pages::redirect(StatusCode::SEE_OTHER, target, &cookies)
}

/// Holds the sign-in (or link) until the authenticator code is given.
pub(super) fn ask_for_code(
    state: &AppState,
    account: &str,
    session: Session,
    link: Option<PendingLink>,
    next: Next,
    now: OffsetDateTime,
    clear: String,
) -> Response {
    let Ok(csrf) = AuthRequest::new().map(|r| r.state) else {
        return message_page(state, Message::Internal, session.locale(), &[clear]);
    };
    let pending = MfaPending {
        account: account.to_owned(),
        session,
        link,
        next,
        csrf,
    };
    let cookie = state.cookies.seal(MFA, &pending, now, now + MFA_LIFETIME);
    super::pages::redirect(StatusCode::SEE_OTHER, "/api/Profile/mfa", &[clear, cookie])
}

async fn finish_link(
    visit: &Visit,
    signed_in: SignedIn,
    account_id: &str,
    locale: Locale,
    clear: String,
) -> Response {
    let (state, now) = (&visit.state, visit.now);
    let services = &state.services;
    let Some(session) = signed_in::session(visit) else {
        return message_page(state, Message::SessionRequired, locale, &[clear]);
    };
    let account =
        match account::session_account(services, &session.login(), session.issued_at).await {
            Ok(Some(account)) if account.as_str() == account_id => account,
            Ok(_) => return message_page(state, Message::SessionRequired, locale, &[clear]),
            Err(e) => return error_page(state, e, locale),
        };
    // Both the session's sign-in and the one of the login to link must be recent: a
    // provider that answered from its own session gives an old `auth_time`.
    if !account::is_recent(session.signed_in_at, now)
        || !account::is_recent(signed_in.signed_in_at(now), now)
    {
        return message_page(state, Message::ReauthNeeded, locale, &[clear]);
    }
    let linked = match account::check_link(services, &account, &signed_in).await {
        Ok(linked) => linked,
        Err(failure) => return link_failure_page(state, failure, locale, clear),
    };
    match account::mfa_on(services, &account).await {
        Ok(true) => {
            let link = PendingLink {
                issuer: linked.login.issuer.clone(),
                subject: linked.login.subject.clone(),
                idp: signed_in.idp.clone(),
                email: linked.email.to_string(),
            };
            return ask_for_code(
                state,
                account.as_str(),
                session,
                Some(link),
                Next::Profile,
                now,
                clear,
            );
        }
        Ok(false) => {}
        Err(e) => return error_page(state, e, locale),
    }
    match account::link(services, &account, &linked).await {
        Ok(new) => {
            let mut session = session;
            session.notice = Some(crate::http::session::Notice::linked(
                new,
                linked.provider.clone(),
            ));
            grant(state, &session, &Next::Profile.path(), now, &[clear])
        }
        Err(failure) => link_failure_page(state, failure, locale, clear),
    }
}

pub fn link_failure_page(
    state: &AppState,
    failure: LinkFailure,
    locale: Locale,
    clear: String,
) -> Response {
    let message = match failure {
        LinkFailure::WrongEmail { account, login } => Message::LinkWrongEmail {
            account: account.to_string(),
            login: login.map(|l| l.to_string()),
        },
        LinkFailure::OwnedElsewhere => Message::LinkOwnedElsewhere,
        LinkFailure::NoAccount => Message::SessionRequired,
        LinkFailure::Store(e) => return error_page(state, e, locale),
    };
    message_page(state, message, locale, &[clear])
}

/// The session cookie again, after a change to the session.
pub fn reseal(state: &AppState, session: &Session, now: OffsetDateTime) -> String {
    state
        .cookies
        .seal(SESSION, session, now, now + SESSION_LIFETIME)
}
