//! `GET /api/Profile` (email, linked logins, MFA state) and `POST /api/Profile/link`
//! (link Microsoft or Google; unlink while another login remains).

use super::confirm::{Ask, CONFIRMED, ConfirmPage};
use super::messages::Message;
use super::pages::{LoginView, PasskeyView, ProfilePage};
use super::signed_in::{self, SignedIn};
use super::signin;
use crate::domain::account::{Provider, login_key};
use crate::domain::locale::Locale;
use crate::domain::passkey::Passkey;
use crate::http::extract::{Posted, Visit};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::{Chrome, html, redirect};
use crate::http::session::Notice;
use crate::http::sign_in::{self, Purpose};
use crate::i18n::Tr;
use crate::identity::customer::AuthorizeHints;
use crate::page::{Next, Page};
use crate::service::account::{self, UnlinkFailure};
use crate::service::passkeys;
use warp::http::StatusCode;
use warp::reply::Response;

pub fn provider_name(provider: &Provider, locale: Locale) -> String {
    match (provider, locale) {
        (Provider::Local, _) => Tr::new(locale).t("provider-local"),
        (Provider::Google, _) => "Google".into(),
        (Provider::Microsoft, _) => "Microsoft".into(),
        (Provider::Other(idp), _) => idp.clone(),
    }
}

/// A notice in `locale`.
pub(super) fn notice_text(notice: &Notice, locale: Locale) -> String {
    let (id, provider) = notice.message();
    let tr = Tr::new(locale);
    match provider {
        Some(provider) => tr.t1(id, "provider", provider_name(provider, locale)),
        None => tr.t(id),
    }
}

/// The query of `GET /api/Profile`: the language switch, and the company whose rule
/// sent the person here (`required`: every member needs a second factor).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileQuery {
    #[serde(deserialize_with = "crate::http::extract::our_locale")]
    lang: Option<crate::domain::locale::Locale>,
    required: Option<String>,
}

/// The name of the company `id` of `who`'s, whose rule sent them here; none for a company
/// that is not theirs (a link names no company to a stranger).
async fn required_by(who: &SignedIn, id: Option<&str>) -> Result<Option<String>, Response> {
    let Some(id) = id else { return Ok(None) };
    let state = who.state();
    crate::service::company_rule::company_of_member(&state.services, &who.account, id)
        .await
        .map_err(|e| into_page::<Message>(state, e, who.locale()))
}

/// `GET /api/Profile?lang=&required=`.
pub async fn show(visit: Visit, query: ProfileQuery) -> Result<Response, Response> {
    if signed_in::session(&visit).is_none() {
        // Signed out: a sign-in, which comes back here.
        return Err(signed_in::to_sign_in(
            &visit,
            Some(Next::Profile),
            query.lang,
        ));
    }
    let mut who = SignedIn::of(visit).await?;
    let switched = who.choose_language(query.lang).await.is_some();
    let required_by = required_by(&who, query.required.as_deref()).await?;
    let (state, locale) = (&who.visit.state, who.session.locale());
    let overview = match account::overview(&state.services, &who.account).await {
        Ok(Some(overview)) => overview,
        Ok(None) => return Err(message_page(state, &Message::SessionRequired, locale, &[])),
        Err(e) => return Err(into_page::<Message>(state, e, locale)),
    };
    let passkeys = match passkeys::list(&state.services, &who.account).await {
        Ok(keys) => keys.iter().map(|k| passkey_view(k, locale)).collect(),
        Err(e) => return Err(into_page::<Message>(state, e, locale)),
    };
    let current = who.session.login();
    let removable = overview.logins.len() > 1;
    let logins: Vec<LoginView> = overview
        .logins
        .iter()
        .map(|l| LoginView {
            key: login_key(&l.login),
            provider: provider_name(&l.provider, locale),
            linked: crate::mail::invitation::long_date(l.linked_at, locale),
            current: l.login == current,
            removable: removable && l.login != current,
        })
        .collect();
    let has = |p: &Provider| overview.logins.iter().any(|l| &l.provider == p);
    let kept = who.session.notice.take();
    let caution = matches!(kept, Some(Notice::AlreadyLinked(_)));
    let notice = kept.map(|n| notice_text(&n, locale));
    // The notice is shown once: the session is written back without it.
    let cookies = if notice.is_some() || switched {
        vec![signin::reseal(state, &who.session, who.visit.now)]
    } else {
        Vec::new()
    };
    let page = ProfilePage {
        chrome: Chrome::new(
            locale,
            Tr::new(locale).t("profile-title"),
            &state.services.product_name,
        )
        .with_switch(),
        email: overview.profile.email.to_string(),
        logins,
        can_link_microsoft: !has(&Provider::Microsoft),
        can_link_google: !has(&Provider::Google),
        mfa: overview.mfa,
        passkeys_available: passkeys::available(&state.services),
        passkeys,
        required_by,
        notice,
        caution,
        csrf: who.session.csrf.clone(),
    };
    Ok(html(StatusCode::OK, &page, &cookies))
}

/// A passkey as the profile lists it.
pub(super) fn passkey_view(key: &Passkey, locale: Locale) -> PasskeyView {
    let date = |at| crate::mail::invitation::long_date(at, locale);
    PasskeyView {
        id: key.id.clone(),
        name: key.name.clone(),
        added: date(key.added_at),
        last_used: key.last_used_at.map(date),
    }
}

/// The form of `POST /api/Profile/link`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LinkForm {
    provider: Option<String>,
    unlink: Option<String>,
    /// `yes`: the confirmation step's post (unlinking asks first).
    confirm: String,
}

/// `POST /api/Profile/link`: `provider` = `microsoft` | `google` starts linking;
/// `unlink` = a login's key removes it.
pub async fn link(who: SignedIn, posted: Posted<LinkForm>) -> Result<Response, Response> {
    let LinkForm {
        provider,
        unlink,
        confirm,
    } = who.form(posted, Page::Profile)?;
    who.recent(match provider.as_deref() {
        Some("microsoft") => Message::ReauthToLink {
            next: Next::LinkMicrosoft,
        },
        Some("google") => Message::ReauthToLink {
            next: Next::LinkGoogle,
        },
        _ => Message::ReauthNeeded,
    })?;
    if let Some(key) = unlink {
        if confirm != CONFIRMED {
            return confirm_removal(&who, key).await;
        }
        return Ok(remove(who, &key).await);
    }
    start_link(&who, provider.as_deref()).await
}

/// The query of `GET /api/Profile/link`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResumeQuery {
    provider: Option<String>,
}

/// `GET /api/Profile/link?provider=…`: linking asked for before a sign-in again, resumed
/// once that sign-in is done (recent); otherwise the profile, where it can be asked again.
pub async fn resume_link(who: SignedIn, query: ResumeQuery) -> Result<Response, Response> {
    if !account::is_recent(who.session.signed_in_at, who.visit.now) {
        let to = Page::Profile.href();
        return Err(redirect(StatusCode::SEE_OTHER, &to, &[]));
    }
    start_link(&who, query.provider.as_deref()).await
}

/// Sends the browser to the provider to sign in with the login to link.
async fn start_link(who: &SignedIn, provider: Option<&str>) -> Result<Response, Response> {
    let (state, session, locale) = (who.state(), &who.session, who.locale());
    let domain_hint = match provider {
        Some("microsoft") => "live.com",
        Some("google") => "google.com",
        _ => return Err(who.page(Message::BadForm)),
    };
    let hints = AuthorizeHints {
        login_hint: Some(session.email.as_str()).filter(|e| !e.is_empty()),
        domain_hint: Some(domain_hint),
        prompt: Some("login"),
        ui_locales: Some(locale.as_str()),
    };
    let purpose = Purpose::Link {
        account: who.account.as_str().to_owned(),
    };
    let status = StatusCode::SEE_OTHER;
    Ok(sign_in::start::<Message>(state, purpose, locale, hints, status).await)
}

/// Removing a login asks first, naming it (its provider and email).
async fn confirm_removal(who: &SignedIn, key: String) -> Result<Response, Response> {
    let (state, locale) = (who.state(), who.locale());
    let overview = match account::overview(&state.services, &who.account).await {
        Ok(Some(overview)) => overview,
        Ok(None) => return Err(who.page(Message::SessionRequired)),
        Err(e) => return Err(into_page::<Message>(state, e, locale)),
    };
    let Some(login) = overview.logins.iter().find(|l| login_key(&l.login) == key) else {
        return Err(who.page(Message::BadForm));
    };
    let tr = Tr::new(locale);
    let named = format!(
        "{} ({})",
        provider_name(&login.provider, locale),
        login.email
    );
    let ask = Ask {
        heading: tr.t("profile-remove-heading"),
        paragraphs: vec![tr.t1("profile-remove-p1", "login", named)],
        button: ("remove-confirm", tr.t("profile-remove-confirm")),
        cancel: (tr.t("delete-cancel"), Page::Profile.href()),
    };
    let form = (Page::ProfileLink.href(), vec![("unlink", key)]);
    let page = ConfirmPage::new(
        (locale, &state.services.product_name),
        ask,
        form,
        &who.session.csrf,
    );
    Ok(page.answer())
}

async fn remove(mut who: SignedIn, key: &str) -> Response {
    let state = &who.visit.state;
    let login = who.session.login();
    match account::unlink(&state.services, &who.account, key, &login).await {
        Ok(removed) => {
            who.session.notice = Some(Notice::Unlinked(removed.provider.clone()));
            signin::grant(
                state,
                &who.session,
                &Page::Profile.href(),
                who.visit.now,
                &[],
            )
        }
        Err(UnlinkFailure::LastLogin) => who.page(Message::UnlinkRefused { last: true }),
        Err(UnlinkFailure::InUse) => who.page(Message::UnlinkRefused { last: false }),
        Err(UnlinkFailure::NotFound) => who.page(Message::BadForm),
        Err(UnlinkFailure::Store(e)) => into_page::<Message>(state, e, who.session.locale()),
    }
}
