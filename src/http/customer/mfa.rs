//! `GET`/`POST /api/Profile/mfa`: the authenticator app. One address, three forms, each
//! with its hidden `action`: `challenge` (the code after a provider's sign-in, held in the
//! `inv_mfa` cookie), `enable` (enrolment: QR code, secret, `otpauth://` link, first code)
//! and `disable` (needs a current code or a recovery code). An enrolment's secret is new
//! for each enrolment and kept, until its code turns MFA on, in the `inv_enrol` cookie of
//! the session that started it; showing it, turning MFA on and turning it off need a
//! recent sign-in, like linking a login.

use super::Session;
use super::messages::Message;
use super::pages::MfaPage;
use super::signed_in::SignedIn;
use super::signin::{self, MfaPending};
use crate::domain::account::{AccountId, LinkedLogin, Provider};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::LoginId;
use crate::domain::locale::Locale;
use crate::domain::mfa::Mfa;
use crate::domain::totp::TotpSecret;
use crate::http::AppState;
use crate::http::cookies::{ENROLMENT, MFA, PASSKEY};
use crate::http::extract::{LangQuery, Posted, Visit};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::{Chrome, html, redirect};
use crate::http::session::Notice;
use crate::page::Page;
use crate::service::account::{self, CodeUse, ENROLMENT_LIFETIME, MfaFailure};
use crate::service::passkeys::{self, PasskeyFailure};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Response;

/// The form of every `POST /api/Profile/mfa` (its code is read up to 64 characters).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Form {
    action: String,
    code: String,
    /// A passkey's answer (`action=passkey`), put there by the page's script.
    credential: String,
}

impl Form {
    fn code(&self) -> String {
        self.code.chars().take(64).collect()
    }
}

/// An enrolment under way, kept (encrypted) by the browser of the session that started
/// it: another session, even of the same account, neither sees nor uses its secret.
#[derive(Serialize, Deserialize)]
struct Enrolment {
    account: String,
    /// The starting session's CSRF token, which no other session has.
    session: String,
    secret: String,
    started_at: i64,
}

impl Enrolment {
    fn open(who: &SignedIn) -> Option<Mfa> {
        let kept: Self = who.visit.cookie(ENROLMENT)?;
        if kept.account != who.account.as_str() || !who.session.csrf_matches(&kept.session) {
            return None;
        }
        let secret = TotpSecret::from_bytes(URL_SAFE_NO_PAD.decode(kept.secret).ok()?)?;
        let started_at = OffsetDateTime::from_unix_timestamp(kept.started_at).ok()?;
        Some(Mfa::pending(secret, started_at))
    }

    fn seal(who: &SignedIn, mfa: &Mfa) -> String {
        let kept = Self {
            account: who.account.as_str().to_owned(),
            session: who.session.csrf.clone(),
            secret: URL_SAFE_NO_PAD.encode(mfa.secret.as_bytes()),
            started_at: mfa.started_at.unix_timestamp(),
        };
        let expires = mfa.started_at + ENROLMENT_LIFETIME;
        who.state()
            .cookies
            .seal(ENROLMENT, &kept, mfa.started_at, expires)
    }
}

fn page(state: &AppState, locale: Locale, mode: &'static str, csrf: &str) -> MfaPage {
    mfa_page(&state.services.product_name, locale, mode, csrf)
}

pub(super) fn mfa_page(product: &str, locale: Locale, mode: &'static str, csrf: &str) -> MfaPage {
    let tr = crate::i18n::Tr::new(locale);
    let title = tr.t(if mode == "challenge" {
        "mfa-title-challenge"
    } else {
        "mfa-title"
    });
    MfaPage {
        chrome: Chrome::new(locale, title, product),
        mode,
        csrf: csrf.to_owned(),
        error: None,
        qr: String::new(),
        secret: String::new(),
        otpauth: String::new(),
        recovery_codes: Vec::new(),
        locked: false,
        passkey: None,
    }
}

/// The code after a provider's sign-in (`challenge`) or, MFA on, the form that turns it
/// off (`manage`), with the language switch: `GET` at this address shows the same form
/// again in the language chosen, so a wrong code's answer offers it too. (A lock-out's
/// answer does not: the address would show the ordinary form, not the recovery code's.)
fn switchable(state: &AppState, locale: Locale, mode: &'static str, csrf: &str) -> MfaPage {
    let mut view = page(state, locale, mode, csrf);
    view.chrome = view.chrome.with_switch();
    view
}

/// The enrolment page: QR code (an SVG drawn here, as a `data:` image), the secret in
/// groups of four, the `otpauth://` link.
fn enrol_page(state: &AppState, session: &Session, mfa: &Mfa) -> MfaPage {
    let mut view = page(state, session.locale(), "enable", &session.csrf);
    let account_name = if session.email.is_empty() {
        "account".to_owned()
    } else {
        session.email.clone()
    };
    view.otpauth = mfa
        .secret
        .otpauth_uri(&state.services.product_name, &account_name);
    view.secret = mfa.secret.grouped();
    view.qr = qr_data_uri(&view.otpauth);
    // The address shows this session's enrolment again (a wrong code's answer too).
    view.chrome = view.chrome.with_switch();
    view
}

fn qr_data_uri(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "QR code not drawn");
            String::new()
        }
    }
}

pub(super) fn failure_text(failure: &MfaFailure, locale: Locale) -> String {
    let id = match failure {
        MfaFailure::Replayed => "mfa-error-replayed",
        MfaFailure::Unreadable => "mfa-error-unreadable",
        _ => "mfa-error-wrong",
    };
    crate::i18n::Tr::new(locale).t(id)
}

/// `GET /api/Profile/mfa?lang=`: the code after a provider's sign-in, or the enrolment,
/// or (MFA on) the form that turns it off.
pub async fn show(visit: Visit, query: LangQuery) -> Result<Response, Response> {
    if let Some(mut pending) = visit.cookie::<MfaPending>(MFA) {
        let state = &visit.state;
        // The language switch: the held sign-in takes it.
        let cookie = pending.choose_language(state, query.lang, visit.now);
        let locale = pending.session.locale();
        if !state.services.accounts.can_keep_secrets() {
            // The code cannot be checked here: refused, never skipped.
            return Err(message_page(state, &Message::MfaUnavailable, locale, &[]));
        }
        return Ok(step_page(&visit, &pending, None, cookie.into_iter().collect()).await);
    }
    let mut who = SignedIn::of(visit).await?;
    // The language switch, as on the profile: the session and the account take it.
    let mut cookies: Vec<String> = who.choose_language(query.lang).await.into_iter().collect();
    let (state, locale) = (who.state(), who.locale());
    let fresh = match account::enrolment(&state.services, &who.account).await {
        Ok(fresh) => fresh,
        Err(MfaFailure::AlreadyOn) => {
            let view = switchable(state, locale, "manage", &who.session.csrf);
            return Ok(html(StatusCode::OK, &view, &cookies));
        }
        Err(failure) => return Err(failure_page(state, failure, locale)),
    };
    // The enrolment this session started, shown again as it was.
    if let Some(kept) = Enrolment::open(&who) {
        let view = enrol_page(state, &who.session, &kept);
        return Ok(html(StatusCode::OK, &view, &cookies));
    }
    // Showing a new secret starts turning MFA on: a recent sign-in only.
    who.recent(Message::ReauthNeeded)?;
    cookies.push(Enrolment::seal(&who, &fresh));
    let view = enrol_page(state, &who.session, &fresh);
    Ok(html(StatusCode::OK, &view, &cookies))
}

/// What the locked-out form says: for how long the app's codes (or, `recovery`, all
/// codes) are refused.
pub(super) fn locked_text(retry_after: u64, recovery: bool, locale: Locale) -> String {
    let id = if recovery {
        "mfa-error-throttled-recovery"
    } else {
        "mfa-error-throttled"
    };
    let minutes = retry_after.div_ceil(60).max(1);
    crate::i18n::Tr::new(locale).t1(id, "minutes", minutes)
}

/// Too many wrong codes: the same form (`mode`), which now asks for a recovery code (its
/// own count), and says how long the app's codes stay refused; with a recovery code
/// refused too, how long to wait.
fn locked_out(
    state: &AppState,
    locale: Locale,
    (mode, csrf): (&'static str, &str),
    retry_after: u64,
    recovery: bool,
) -> Response {
    let mut view = page(state, locale, mode, csrf);
    view.error = Some(locked_text(retry_after, recovery, locale));
    view.locked = true;
    let mut response = html(StatusCode::TOO_MANY_REQUESTS, &view, &[]);
    response
        .headers_mut()
        .insert(warp::http::header::RETRY_AFTER, retry_after.into());
    response
}

/// The page for a failure that is not a wrong code.
fn failure_page(state: &AppState, failure: MfaFailure, locale: Locale) -> Response {
    message_page(state, &Message::from(failure), locale, &[])
}

/// `POST /api/Profile/mfa`: `action` = `challenge`, `enable` or `disable`.
pub async fn post(visit: Visit, posted: Posted<Form>) -> Result<Response, Response> {
    const PAGE: Page = Page::ProfileMfa;
    let action = posted.before_check().action.clone();
    if matches!(action.as_str(), "challenge" | "passkey") {
        let Some(pending) = visit.cookie::<MfaPending>(MFA) else {
            return Err(message_page(
                &visit.state,
                &Message::MfaExpired,
                visit.browser,
                &[],
            ));
        };
        let locale = pending.session.locale();
        let Some(form) = posted.check(&pending.csrf) else {
            let expired = Message::FormExpired { page: PAGE };
            return Err(message_page(&visit.state, &expired, locale, &[]));
        };
        if action == "passkey" {
            return Ok(passkey(&visit, pending, &form).await);
        }
        return Ok(challenge(&visit, pending, &form).await);
    }
    let who = SignedIn::of(visit).await?;
    let form = who.form(posted, PAGE)?;
    if !matches!(form.action.as_str(), "enable" | "disable") {
        return Err(who.page(Message::BadForm));
    }
    who.recent(Message::ReauthNeeded)?;
    if form.action == "disable" {
        return Ok(disable(who, &form).await);
    }
    // The secret this session was shown; none (another session's, or too old): start over.
    let Some(enrolment) = Enrolment::open(&who) else {
        return Err(who.page(Message::FormExpired { page: PAGE }));
    };
    Ok(enable(who, &enrolment, &form).await)
}

/// `action=enable`: the first code of this session's enrolment turns MFA on.
async fn enable(mut who: SignedIn, enrolment: &Mfa, form: &Form) -> Response {
    let (locale, state, session) = (who.locale(), &who.visit.state, &mut who.session);
    match account::enable(&state.services, &who.account, enrolment, &form.code()).await {
        Ok(enabled) => {
            session.notice = Some(Notice::MfaOn);
            session.issued_at = enabled.sessions_from;
            let mut view = page(state, locale, "recovery", &session.csrf);
            view.recovery_codes = enabled.codes;
            let cookies = [
                signin::reseal(state, session, who.visit.now),
                state.cookies.clear(ENROLMENT),
            ];
            html(StatusCode::OK, &view, &cookies)
        }
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let mut view = enrol_page(state, session, enrolment);
            view.error = Some(failure_text(&failure, locale));
            html(StatusCode::UNPROCESSABLE_ENTITY, &view, &[])
        }
        Err(MfaFailure::AlreadyOn) => {
            let cookies = [state.cookies.clear(ENROLMENT)];
            redirect(StatusCode::SEE_OTHER, &Page::ProfileMfa.href(), &cookies)
        }
        Err(other) => failure_page(state, other, locale),
    }
}

/// `action=disable`: a current code or a recovery code turns MFA off.
async fn disable(mut who: SignedIn, form: &Form) -> Response {
    let (locale, state, session) = (who.locale(), &who.visit.state, &mut who.session);
    match account::use_code(
        &state.services,
        &who.account,
        &form.code(),
        CodeUse::Disable,
    )
    .await
    {
        Ok(_) => {
            session.notice = Some(Notice::MfaOff);
            signin::grant(state, session, &Page::Profile.href(), who.visit.now, &[])
        }
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let mut view = switchable(state, locale, "manage", &session.csrf);
            view.error = Some(failure_text(&failure, locale));
            html(StatusCode::UNPROCESSABLE_ENTITY, &view, &[])
        }
        Err(MfaFailure::Off) => redirect(StatusCode::SEE_OTHER, &Page::ProfileMfa.href(), &[]),
        Err(MfaFailure::Throttled {
            retry_after,
            recovery,
        }) => {
            let form = ("manage", session.csrf.as_str());
            locked_out(state, locale, form, retry_after, recovery)
        }
        Err(other) => failure_page(state, other, locale),
    }
}

/// The code after a provider's sign-in: grants the held session (and finishes the held
/// link) once it is right.
async fn challenge(visit: &Visit, pending: MfaPending, form: &Form) -> Response {
    let (state, locale) = (&visit.state, pending.session.locale());
    let account = AccountId::from_stored(pending.account.clone());
    match account::use_code(&state.services, &account, &form.code(), CodeUse::SignIn).await {
        Ok(_) => {}
        // The app was turned off meanwhile: the provider's sign-in is enough, unless the
        // account has a passkey, which is then the only way on.
        Err(MfaFailure::Off) => match account::second_factor(&state.services, &account).await {
            Ok(false) => {}
            Ok(true) => {
                let error = crate::i18n::Tr::new(locale).t("passkey-error-use");
                return step_page(visit, &pending, Some(error), Vec::new()).await;
            }
            Err(e) => return into_page::<Message>(state, e, locale),
        },
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let error = failure_text(&failure, locale);
            return step_page(visit, &pending, Some(error), Vec::new()).await;
        }
        Err(MfaFailure::Throttled {
            retry_after,
            recovery,
        }) => {
            let form = ("challenge", pending.csrf.as_str());
            return locked_out(state, locale, form, retry_after, recovery);
        }
        Err(other) => return failure_page(state, other, locale),
    }
    complete(visit, pending, state.cookies.clear(PASSKEY)).await
}

/// `action=passkey`: the authenticator's answer to the step's assertion grants the held
/// sign-in.
async fn passkey(visit: &Visit, pending: MfaPending, form: &Form) -> Response {
    let (state, locale) = (&visit.state, pending.session.locale());
    let Some(held) = super::passkeys::held(visit, &pending) else {
        // No assertion under way (or another sign-in's): the step again, with a new one.
        return redirect(StatusCode::SEE_OTHER, &Page::ProfileMfa.href(), &[]);
    };
    let account = AccountId::from_stored(pending.account.clone());
    match passkeys::finish_sign_in(&state.services, &account, held, &form.credential).await {
        Ok(()) => complete(visit, pending, state.cookies.clear(PASSKEY)).await,
        Err(PasskeyFailure::Refused | PasskeyFailure::Replayed) => {
            let error = crate::i18n::Tr::new(locale).t("passkey-error-refused");
            step_page(visit, &pending, Some(error), Vec::new()).await
        }
        Err(failure) => match Message::try_from(failure) {
            Ok(message) => message_page(state, &message, locale, &[]),
            Err(e) => into_page::<Message>(state, e, locale),
        },
    }
}

/// The step after a provider's sign-in: the code's form (when the app is on) and the
/// passkey's button (when the account has one), `error` saying why the last answer was
/// refused; `cookies` to set as well.
pub(super) async fn step_page(
    visit: &Visit,
    pending: &MfaPending,
    error: Option<String>,
    mut cookies: Vec<String>,
) -> Response {
    let (state, locale) = (&visit.state, pending.session.locale());
    let ceremony = match super::passkeys::step(state, pending, visit.now).await {
        Ok(ceremony) => ceremony,
        Err(page) => return page,
    };
    // Without a passkey the step is the code's; with one, the code only if the app is on.
    let account = AccountId::from_stored(pending.account.clone());
    let code = match &ceremony {
        None => true,
        Some(_) => match account::mfa_on(&state.services, &account).await {
            Ok(on) => on,
            Err(e) => return into_page::<Message>(state, e, locale),
        },
    };
    let mode = if code { "challenge" } else { "passkey" };
    let mut view = switchable(state, locale, mode, &pending.csrf);
    if let Some((ceremony, cookie)) = ceremony {
        view.passkey = Some(ceremony);
        cookies.push(cookie);
    }
    let status = match &error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    view.error = error;
    html(status, &view, &cookies)
}

/// The second factor given: grants the held session (and finishes the held link),
/// setting `clear` (the ceremony's cookie, ended) too.
pub(super) async fn complete(visit: &Visit, pending: MfaPending, clear: String) -> Response {
    let (state, now, locale) = (&visit.state, visit.now, pending.session.locale());
    let account = AccountId::from_stored(pending.account.clone());
    let clear = [state.cookies.clear(MFA), clear];
    // The session keeps the provider's `auth_time`: the code completes a sign-in, it
    // does not make an old one recent.
    let mut session = pending.session;
    if let Some(link) = pending.link {
        let Ok(email) = EmailAddress::parse(&link.email) else {
            return message_page(state, &Message::BadForm, locale, &clear);
        };
        let linked = LinkedLogin {
            login: LoginId {
                issuer: link.issuer,
                subject: link.subject,
            },
            provider: Provider::from_idp(link.idp.as_deref()),
            email,
            linked_at: now,
            object: None,
        };
        match account::link(&state.services, &account, &linked).await {
            Ok(new) => session.notice = Some(Notice::linked(new, linked.provider.clone())),
            Err(failure) => return message_page(state, &Message::from(failure), locale, &clear),
        }
    }
    signin::grant(state, &session, &pending.next.link().href(), now, &clear)
}
