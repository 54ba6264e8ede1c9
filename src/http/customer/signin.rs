//! `GET /api/SignIn` and its redirect URI `GET`/`POST /api/AuthCallback`: a returning
//! customer signs in through the same user flow; the callback also finishes linking a
//! login from the profile. An account is found by the login (`iss`, `sub`) only. With
//! MFA on, the session is granted only after the code (see `mfa.rs`).

use super::messages::Message;
use super::refusals;
use super::signed_in;
use super::{SESSION_LIFETIME, Session};
use crate::domain::account::AccountId;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{MFA, SESSION};
use crate::http::extract::Visit;
use crate::http::failure::{Failure, Situation, message_page};
use crate::http::sign_in::{self, Callback, Flow, Outcome, Purpose};
use crate::identity::customer::{AuthorizeHints, SignedIn};
use crate::page::{Next, Page};
use crate::service::InvitationError;
use crate::service::account::{self, Returning};
use crate::service::language;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use warp::http::StatusCode;
use warp::reply::Response;

/// How long the code may take after the provider's sign-in.
pub const MFA_LIFETIME: Duration = Duration::minutes(5);

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
    /// When the code may no longer be given (Unix seconds): a language switch on the code
    /// page seals the held sign-in again, and must not make it last longer.
    pub until: i64,
}

impl MfaPending {
    /// `?lang=` on the code page (the language switch): the held session takes `asked`
    /// (the account learns it at a choice made once signed in: nothing is stored before
    /// the code). The cookie to set when it changed.
    pub fn choose_language(
        &mut self,
        state: &AppState,
        asked: Option<Locale>,
        now: OffsetDateTime,
    ) -> Option<String> {
        let locale = asked.filter(|l| *l != self.session.locale())?;
        let until = OffsetDateTime::from_unix_timestamp(self.until).ok()?;
        self.session.locale = locale.as_str().to_owned();
        Some(state.cookies.seal(MFA, self, now, until))
    }
}

/// How a customer's sign-in ends, as data (accepting an invitation, coming back, linking
/// a login); [`Finish::answer`] makes it the response.
pub enum Finish {
    /// The session, going on to `target`.
    Grant { session: Session, target: String },
    /// The session, once `account`'s authenticator code is given (and the login to link).
    SecondFactor {
        account: String,
        session: Session,
        link: Option<PendingLink>,
        next: Next,
    },
    /// Nobody signed in: what the page says, in which language.
    Refused(Message, Locale),
}

impl Finish {
    /// A failed service call, in `locale`.
    pub fn failed(error: InvitationError, locale: Locale) -> Self {
        Self::Refused(Message::failure(Failure::from(error)), locale)
    }

    /// The response, ending the flow (`clear`).
    pub fn answer(self, state: &AppState, now: OffsetDateTime, clear: String) -> Response {
        match self {
            Self::Grant { session, target } => grant(state, &session, &target, now, &[clear]),
            Self::SecondFactor {
                account,
                session,
                link,
                next,
            } => ask_for_code(state, &account, session, link, next, now, clear),
            Self::Refused(message, locale) => message_page(state, &message, locale, &[clear]),
        }
    }
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
    let purpose = Purpose::Return { next, chosen };
    sign_in::start::<Message>(&visit.state, purpose, locale, hints, StatusCode::FOUND).await
}

/// The redirect URI of returning sign-ins and links.
pub async fn callback(visit: Visit, params: Callback) -> Response {
    let (state, now) = (&visit.state, visit.now);
    let finish = match sign_in::callback(&visit, Page::AuthCallback, &params).await {
        Outcome::Verified { flow, login } => {
            let locale = flow.locale();
            match flow.purpose {
                Purpose::Return { next, chosen } => {
                    returning(state, login, (locale, chosen), next, now).await
                }
                Purpose::Link { account } => finish_link(&visit, login, &account, locale).await,
                _ => Finish::Refused(refusals::sign_in(sign_in::Refusal::Expired, None), locale),
            }
        }
        Outcome::Refused { flow, why } => {
            // "Try again" starts the same thing over: a sign-in, or the profile to link from.
            let retry = match flow.as_ref().map(|f| &f.purpose) {
                Some(Purpose::Link { .. }) => Page::Profile,
                _ => Page::SignIn,
            };
            let locale = flow.as_ref().map_or(visit.browser, Flow::locale);
            Finish::Refused(refusals::sign_in(why, Some(retry.into())), locale)
        }
    };
    finish.answer(state, now, sign_in::clear(state))
}

/// A fresh session for a login that just signed in.
pub(super) fn new_session(
    signed_in: &SignedIn,
    invitation: Option<String>,
    locale: Locale,
    now: OffsetDateTime,
) -> Option<Session> {
    let csrf = sign_in::token()?;
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
        object: signed_in.object.clone(),
    })
}

async fn returning(
    state: &AppState,
    signed_in: SignedIn,
    (mut locale, chosen): (Locale, bool),
    next: Next,
    now: OffsetDateTime,
) -> Finish {
    let found = match account::returning(&state.services, &signed_in).await {
        Ok(found) => found,
        Err(e) => return Finish::failed(e, locale),
    };
    if let Returning::Account { account, .. } = &found {
        locale = language_of(state, &signed_in, account, (locale, chosen)).await;
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
            return Finish::Refused(Message::NoAccount { email }, locale);
        }
    };
    let Some(session) = new_session(&signed_in, invitation.clone(), locale, now) else {
        return Finish::Refused(Message::Internal, locale);
    };
    if let (Some(account), true) = (&account, mfa) {
        // A new login of the account's address joins it only after the code.
        let link = joins.map(|login| PendingLink {
            issuer: login.login.issuer,
            subject: login.login.subject,
            idp: signed_in.idp.clone(),
            email: login.email.to_string(),
        });
        let account = account.as_str().to_owned();
        return Finish::SecondFactor {
            account,
            session,
            link,
            next,
        };
    }
    if let (Some(account), Some(login)) = (&account, joins) {
        if let Err(failure) = account::link(&state.services, account, &login).await {
            return Finish::Refused(Message::from(failure), locale);
        }
    }
    let target = if invitation.is_some() {
        Page::CreateCompany.into()
    } else {
        next.link()
    };
    let target = target.href();
    Finish::Grant { session, target }
}

/// One language per person: the one asked for now (`?lang=`) becomes the account's;
/// otherwise the account's, whatever the browser's `Accept-Language` says.
async fn language_of(
    state: &AppState,
    signed_in: &SignedIn,
    account: &AccountId,
    (locale, chosen): (Locale, bool),
) -> Locale {
    let services = &state.services;
    let kept = if chosen {
        language::remember(services, &signed_in.login, locale)
            .await
            .map(|()| locale)
    } else {
        language::remembered(services, account)
            .await
            .map(|remembered| remembered.unwrap_or(locale))
    };
    kept.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the account's language could not be read or stored");
        locale
    })
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
    crate::http::layout::redirect(StatusCode::SEE_OTHER, target, &cookies)
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
    let Some(csrf) = sign_in::token() else {
        return message_page(state, &Message::Internal, session.locale(), &[clear]);
    };
    let until = now + MFA_LIFETIME;
    let pending = MfaPending {
        account: account.to_owned(),
        session,
        link,
        next,
        csrf,
        until: until.unix_timestamp(),
    };
    let cookie = state.cookies.seal(MFA, &pending, now, until);
    let to = Page::ProfileMfa.href();
    crate::http::layout::redirect(StatusCode::SEE_OTHER, &to, &[clear, cookie])
}

/// Links the login that just signed in to the session's account (`account_id`, the one
/// that started the link), after the code when the account's MFA is on.
async fn finish_link(
    visit: &Visit,
    signed_in: SignedIn,
    account_id: &str,
    locale: Locale,
) -> Finish {
    let (state, now) = (&visit.state, visit.now);
    let services = &state.services;
    let refused = |message| Finish::Refused(message, locale);
    let Some(mut session) = signed_in::session(visit) else {
        return refused(Message::SessionRequired);
    };
    let account =
        match account::session_account(services, &session.login(), session.issued_at).await {
            Ok(Some(account)) if account.as_str() == account_id => account,
            Ok(_) => return refused(Message::SessionRequired),
            Err(e) => return Finish::failed(e, locale),
        };
    // Both the session's sign-in and the one of the login to link must be recent: a
    // provider that answered from its own session gives an old `auth_time`.
    if !account::is_recent(session.signed_in_at, now)
        || !account::is_recent(signed_in.signed_in_at(now), now)
    {
        return refused(Message::ReauthNeeded);
    }
    let linked = match account::check_link(services, &account, &signed_in).await {
        Ok(linked) => linked,
        Err(failure) => return refused(Message::from(failure)),
    };
    match account::second_factor(services, &account).await {
        Ok(true) => {
            let link = PendingLink {
                issuer: linked.login.issuer.clone(),
                subject: linked.login.subject.clone(),
                idp: signed_in.idp.clone(),
                email: linked.email.to_string(),
            };
            let account = account.as_str().to_owned();
            let (link, next) = (Some(link), Next::Profile);
            return Finish::SecondFactor {
                account,
                session,
                link,
                next,
            };
        }
        Ok(false) => {}
        Err(e) => return Finish::failed(e, locale),
    }
    match account::link(services, &account, &linked).await {
        Ok(new) => {
            let provider = linked.provider.clone();
            session.notice = Some(crate::http::session::Notice::linked(new, provider));
            let target = Page::Profile.href();
            Finish::Grant { session, target }
        }
        Err(failure) => refused(Message::from(failure)),
    }
}

/// The session cookie again, after a change to the session.
pub fn reseal(state: &AppState, session: &Session, now: OffsetDateTime) -> String {
    state
        .cookies
        .seal(SESSION, session, now, now + SESSION_LIFETIME)
}
