//! The company page for its members, `GET /api/Companies/{companyId}`, and its forms:
//! inviting a colleague, resending and revoking their invitations, changing a member's
//! role, removing a member and leaving. Every rule is the service's (`service::members`):
//! these handlers only read the session, check the form's CSRF token and word the answer.
//! Ids in a path are never trusted: the service checks each against the roster, and
//! anyone who is not a member gets the same 404 page whether the company exists or not.
//!
//! The host matches routes without regard to case, so the staff API's
//! `GET /api/companies/{companyId}` is this same route: a request that carries an
//! `Authorization` header is the staff API's (JSON), any other one the page's.

use super::confirm::{Ask, CONFIRMED, ConfirmPage};
use super::messages::{CompanyRefusal, Message};
use super::refusals;
use super::signed_in::{self, SignedIn};
use crate::domain::account::{AccountId, CompanyId, Role};
use crate::domain::invitation::{InvitationId, Inviter};
use crate::domain::locale::Locale;
use crate::domain::membership::Actor;
use crate::http::AppState;
use crate::http::extract::{NoFields, Posted, Visit};
use crate::http::failure::{message_page, message_page_with_switch};
use crate::http::form::FormState;
use crate::http::layout::{Chrome, LANGUAGE_NAMES, html, redirect};
use crate::i18n::Tr;
use crate::page::{Next, Page};
use crate::service::InvitationError;
use crate::service::members::{self, CompanyView, MemberError};
use askama::Template;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use warp::http::StatusCode;
use warp::reply::Response;

/// The invite form's fields, as the staff API's create body names them.
const INVITE_FIELDS: [&str; 4] = ["email", "displayName", "role", "locale"];

/// What the page says after a form went through (`?notice=`): a Fluent message each.
const NOTICES: [(&str, &str); 5] = [
    ("invited", "org-notice-invited"),
    ("resent", "org-notice-resent"),
    ("revoked", "org-notice-revoked"),
    ("role", "org-notice-role"),
    ("removed", "org-notice-removed"),
];

#[derive(Template)]
#[template(path = "pages/company.html")]
pub struct CompanyPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub vat_number: String,
    pub address: Vec<String>,
    pub members: Vec<MemberLine>,
    pub administrator: bool,
    pub pending: Vec<PendingLine>,
    /// The invite form's values and errors (a 422 shows them again).
    pub form: FormState,
    pub languages: Vec<(&'static str, &'static str)>,
    pub notice: Option<String>,
    pub csrf: String,
    /// Every member must have a second factor (administrators see the switch).
    pub require_second_factor: bool,
}

pub struct MemberLine {
    /// What the page's forms send as `{memberId}`: the member's account id.
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub administrator: bool,
    pub since: String,
    pub me: bool,
}

pub struct PendingLine {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: &'static str,
    pub expires: String,
}

impl CompanyPage {
    pub fn value(&self, field: &str) -> &str {
        self.form
            .values
            .get(field)
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn error(&self, field: &str) -> Option<&String> {
        self.form.errors.get(field)
    }

    /// Whether the reader is the company's only administrator: leaving or becoming a
    /// member would fail, so the page explains that instead of offering it.
    pub fn only_administrator(&self) -> bool {
        self.administrator && self.members.iter().filter(|m| m.administrator).count() == 1
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Administrator => "home-role-administrator",
        Role::Member => "home-role-member",
    }
}

fn not_found(state: &AppState, locale: Locale) -> Response {
    message_page(state, &Message::CompanyNotFound, locale, &[])
}

/// A service refusal as a page; `company` is where the page's way back leads.
fn member_error(state: &AppState, locale: Locale, company: &str, error: MemberError) -> Response {
    message_page(state, &refusals::member(error, company), locale, &[])
}

/// A refusal of this page's forms, with the way back to `company`'s page.
fn refused(state: &AppState, locale: Locale, company: &str, why: CompanyRefusal) -> Response {
    let company = company.to_owned();
    message_page(
        state,
        &Message::CompanyRefused { company, why },
        locale,
        &[],
    )
}

/// The query of the company page: the language switch, and what a form just did.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    #[serde(deserialize_with = "crate::http::extract::our_locale")]
    lang: Option<Locale>,
    notice: Option<String>,
}

/// `GET /api/Companies/{companyId}`, which the host routes without regard to case, so it
/// is also the staff API's `GET /api/companies/{companyId}`: the API's JSON (or its 401
/// problem) for a request with an `Authorization` header, or for a program that neither
/// holds a customer session nor asks for HTML; the members' page for a browser.
pub async fn show_or_api(
    id: String,
    visit: Visit,
    query: PageQuery,
    authorization: Option<String>,
    accept: Option<String>,
) -> Response {
    let signed_in = signed_in::session(&visit).is_some();
    let wants_html = accept.as_deref().is_some_and(|a| a.contains("text/html"));
    if authorization.is_some() || !(signed_in || wants_html) {
        return crate::http::api::company(visit.state, id, authorization).await;
    }
    if !signed_in {
        // Signed out: a sign-in, which comes back here.
        let next = Next::Company(id);
        return signed_in::to_sign_in(&visit, Some(next), query.lang);
    }
    let mut who = match SignedIn::of(visit).await {
        Ok(who) => who,
        Err(page) => return page,
    };
    let cookies: Vec<String> = who.choose_language(query.lang).await.into_iter().collect();
    let (state, locale) = (who.state(), who.locale());
    let notice = query
        .notice
        .and_then(|notice| NOTICES.iter().find(|(key, _)| *key == notice).copied())
        .map(|(_, message)| Tr::new(locale).t(message));
    // A refusal of this address keeps the language switch (and the choice just made).
    let refuse = |message: &Message| message_page_with_switch(state, message, locale, &cookies);
    let Some(company_id) = CompanyId::parse(&id) else {
        return refuse(&Message::CompanyNotFound);
    };
    let view = match members::company_view(&state.services, &company_id).await {
        Ok(view) => view,
        Err(e) => return refuse(&refusals::member(e, &id)),
    };
    let Some(me) = view.roster.member(&who.account) else {
        return refuse(&Message::CompanyNotFound);
    };
    let administrator = me.role == Role::Administrator;
    if let Err(page) = super::company_rule::gate(&who, &view.company).await {
        return page;
    }
    let form = FormState::default();
    let page = page_of(&who, &view, administrator, form, notice);
    html(StatusCode::OK, &page, &cookies)
}

fn page_of(
    who: &SignedIn,
    view: &CompanyView,
    administrator: bool,
    form: FormState,
    notice: Option<String>,
) -> CompanyPage {
    let (state, session, account) = (who.state(), &who.session, &who.account);
    let locale = session.locale();
    let tr = Tr::new(locale);
    let details = &view.company.details;
    let members = view
        .roster
        .members
        .iter()
        .map(|m| MemberLine {
            id: m.account.as_str().to_owned(),
            name: m.name.clone().unwrap_or_default(),
            email: m.email.to_string(),
            role: role_label(m.role),
            administrator: m.role == Role::Administrator,
            since: tr.date(m.since),
            me: m.account == *account,
        })
        .collect();
    let pending = if administrator {
        view.pending
            .iter()
            .map(|i| PendingLine {
                id: i.id.to_string(),
                email: i.email.to_string(),
                name: i
                    .display_name
                    .as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                role: role_label(i.member_role.unwrap_or(Role::Member)),
                expires: tr.date(i.expires_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    CompanyPage {
        chrome: Chrome::new(locale, details.name.clone(), &state.services.product_name)
            .with_switch(),
        id: view.company.id.as_str().to_owned(),
        name: details.name.clone(),
        vat_number: details.vat_number.as_str().to_owned(),
        address: vec![
            details.street.clone(),
            format!("{} {}", details.postal_code.as_str(), details.city),
            details.country.to_string(),
        ],
        members,
        administrator,
        pending,
        form,
        languages: LANGUAGE_NAMES.to_vec(),
        notice,
        csrf: session.csrf.clone(),
        require_second_factor: view.company.require_second_factor,
    }
}

/// The signed-in member, the company named in the path and the form's fields, once its
/// CSRF token is the session's; otherwise the page to show (no session: the sign-in
/// page's message).
fn posted<T>(
    who: SignedIn,
    company: &str,
    posted: Posted<T>,
) -> Result<(SignedIn, CompanyId, T), Response> {
    let (state, locale) = (who.state(), who.locale());
    let Some(fields) = posted.check(&who.session.csrf) else {
        return Err(refused(state, locale, company, CompanyRefusal::FormExpired));
    };
    let Some(company_id) = CompanyId::parse(company) else {
        return Err(not_found(state, locale));
    };
    Ok((who, company_id, fields))
}

fn done(company: &str, notice: &str) -> Response {
    let to = Page::Company(company.to_owned()).with("notice", notice);
    redirect(StatusCode::SEE_OTHER, &to.href(), &[])
}

/// `POST /api/Companies/{companyId}/invitations`: an administrator invites a colleague.
pub async fn invite(
    company: String,
    who: SignedIn,
    form: Posted<BTreeMap<String, String>>,
) -> Result<Response, Response> {
    let (who, company_id, fields) = posted(who, &company, form)?;
    let (state, locale, account) = (who.state(), who.locale(), &who.account);
    let view = match members::company_view(&state.services, &company_id).await {
        Ok(view) => view,
        Err(e) => return Err(member_error(state, locale, &company, e)),
    };
    let actor = Actor::Member(account.clone());
    if let Err(e) = view.roster.may_manage(&actor) {
        return Err(member_error(state, locale, &company, e.into()));
    }
    let form = FormState {
        values: fields
            .into_iter()
            .filter(|(k, _)| INVITE_FIELDS.contains(&k.as_str()))
            .collect(),
        ..FormState::default()
    };
    let mut create: Map<String, Value> = form.as_create_body();
    create.insert("companyId".into(), Value::from(company_id.as_str()));
    create
        .entry("role")
        .or_insert_with(|| Value::from(Role::Member.as_str()));
    let new = match crate::http::input::parse_create(&create) {
        Ok(new) => new,
        Err(errors) => {
            let form = form.with_errors(errors, locale);
            let page = page_of(&who, &view, true, form, None);
            return Err(html(StatusCode::UNPROCESSABLE_ENTITY, &page, &[]));
        }
    };
    // The email and the history name the member who invites.
    let Some(me) = view.roster.member(account) else {
        return Err(not_found(state, locale));
    };
    let inviter = Inviter {
        name: me.name.clone().unwrap_or_else(|| me.email.to_string()),
        email: me.email.clone(),
    };
    Ok(
        match members::invite(&state.services, new, inviter, &actor).await {
            Ok(_) => done(&company, "invited"),
            Err(MemberError::Invitation(InvitationError::Duplicate(_))) => {
                let email = form.values.get("email").cloned().unwrap_or_default();
                let why = CompanyRefusal::AlreadyInvited(email.trim().to_owned());
                refused(state, locale, &company, why)
            }
            Err(e) => member_error(state, locale, &company, e),
        },
    )
}

/// `POST /api/Companies/{companyId}/invitations/{id}/resend`.
pub async fn resend(
    company: String,
    invitation: String,
    who: SignedIn,
    form: Posted<NoFields>,
) -> Result<Response, Response> {
    invitation_action(company, invitation, "resend", who, form).await
}

/// `POST /api/Companies/{companyId}/invitations/{id}/revoke`.
pub async fn revoke(
    company: String,
    invitation: String,
    who: SignedIn,
    form: Posted<NoFields>,
) -> Result<Response, Response> {
    invitation_action(company, invitation, "revoke", who, form).await
}

async fn invitation_action(
    company: String,
    invitation: String,
    action: &'static str,
    who: SignedIn,
    form: Posted<NoFields>,
) -> Result<Response, Response> {
    let (who, company_id, _) = posted(who, &company, form)?;
    let (state, locale, account) = (who.state(), who.locale(), &who.account);
    let Ok(id) = InvitationId::parse(&invitation) else {
        return Err(not_found(state, locale));
    };
    let services = &state.services;
    let result = match action {
        "resend" => members::resend(services, &company_id, account, &id)
            .await
            .map(|_| "resent"),
        _ => members::revoke(services, &company_id, account, &id)
            .await
            .map(|_| "revoked"),
    };
    match result {
        Ok(notice) => Ok(done(&company, notice)),
        Err(e) => Err(member_error(state, locale, &company, e)),
    }
}

/// The form of `POST /api/Companies/{companyId}/members/{memberId}`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberForm {
    role: Option<String>,
    remove: Option<String>,
    /// `yes`: the confirmation step's post (removing and leaving ask first).
    confirm: String,
}

/// `POST /api/Companies/{companyId}/members/{memberId}`: `role` changes the member's
/// role, `remove=1` removes them (or, for oneself, leaves: then Home).
pub async fn member_action(
    company: String,
    member: String,
    who: SignedIn,
    form: Posted<MemberForm>,
) -> Result<Response, Response> {
    let (who, company_id, form) = posted(who, &company, form)?;
    let (state, locale, account) = (who.state(), who.locale(), &who.account);
    let target = AccountId::from_stored(member);
    let services = &state.services;
    let failed = |e| member_error(state, locale, &company, e);
    if form.remove.as_deref() == Some("1") {
        if form.confirm != CONFIRMED {
            return confirm_removal(&who, (&company, &company_id), target).await;
        }
        return match members::remove(services, &company_id, account, &target).await {
            Ok(_) if target == *account => {
                let home = Page::Home.with("notice", "left");
                Ok(redirect(StatusCode::SEE_OTHER, &home.href(), &[]))
            }
            Ok(_) => Ok(done(&company, "removed")),
            Err(e) => Err(failed(e)),
        };
    }
    let Some(role) = form.role.as_deref().and_then(Role::parse) else {
        return Err(refused(state, locale, &company, CompanyRefusal::BadForm));
    };
    match members::change_role(services, &company_id, account, &target, role).await {
        Ok(_) => Ok(done(&company, "role")),
        Err(e) => Err(failed(e)),
    }
}

/// Removing a member (or, for oneself, leaving) asks first, naming them and the company.
async fn confirm_removal(
    who: &SignedIn,
    (company, company_id): (&str, &CompanyId),
    target: AccountId,
) -> Result<Response, Response> {
    let (state, locale) = (who.state(), who.locale());
    let view = members::company_view(&state.services, company_id)
        .await
        .map_err(|e| member_error(state, locale, company, e))?;
    // The step asks only what the action would do: the roster's rule, tried on a copy,
    // answers a refusal (not a member, not an administrator, the last one) at once.
    let actor = Actor::Member(who.account.clone());
    let member = (view.roster.clone().remove(&actor, &target))
        .map_err(|e| member_error(state, locale, company, e.into()))?;
    // Leaving (oneself) or removing another member: the same step, its own words.
    let (words, button, person) = if target == who.account {
        ("org-leave", "leave-confirm", String::new())
    } else {
        let person = member
            .name
            .clone()
            .unwrap_or_else(|| member.email.to_string());
        ("org-remove", "remove-confirm", person)
    };
    let tr = Tr::new(locale);
    let name = &view.company.details.name;
    let says = |part: &str| {
        let id = format!("{words}-{part}");
        tr.t2(&id, "name", person.clone(), "company", name.clone())
    };
    let ask = Ask {
        heading: says("heading"),
        paragraphs: vec![says("p1")],
        button: (button, says("confirm")),
        cancel: (tr.t("org-back"), Page::Company(company.to_owned()).href()),
    };
    let member_page = Page::CompanyMember(company.to_owned(), target.as_str().to_owned());
    let form = (member_page.href(), vec![("remove", "1".to_owned())]);
    let product = &state.services.product_name;
    Ok(ConfirmPage::new((locale, product), ask, form, &who.session.csrf).answer())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::assert_translated;

    const PRODUCT: &str = "GFMS Customer Portal";
    const DATA: [&str; 6] = [
        PRODUCT,
        "Usine Nord SA",
        "anne@example.com",
        "bert@example.com",
        "Bert Keller",
        "BE0123456789",
    ];

    fn company_page(locale: Locale, administrator: bool) -> CompanyPage {
        let tr = Tr::new(locale);
        let at = time::macros::datetime!(2026-11-29 10:00 UTC);
        let mut form = FormState::default();
        form.values
            .insert("email".into(), "bert@example.com".into());
        form.errors
            .insert("email".into(), tr.t("staff-error-email"));
        CompanyPage {
            chrome: Chrome::new(locale, "Usine Nord SA", PRODUCT).with_switch(),
            id: "c1".into(),
            name: "Usine Nord SA".into(),
            vat_number: "BE0123456789".into(),
            address: Vec::new(),
            members: vec![
                MemberLine {
                    id: "a1".into(),
                    name: String::new(),
                    email: "anne@example.com".into(),
                    role: role_label(Role::Administrator),
                    administrator: true,
                    since: tr.date(at),
                    me: true,
                },
                MemberLine {
                    id: "a2".into(),
                    name: "Bert Keller".into(),
                    email: "bert@example.com".into(),
                    role: role_label(Role::Member),
                    administrator: false,
                    since: tr.date(at),
                    me: false,
                },
            ],
            administrator,
            pending: vec![PendingLine {
                id: "i1".into(),
                email: "bert@example.com".into(),
                name: "Bert Keller".into(),
                role: role_label(Role::Member),
                expires: tr.date(at),
            }],
            form,
            languages: Vec::new(),
            notice: Some(tr.t("org-notice-invited")),
            csrf: "c".into(),
            require_second_factor: false,
        }
    }

    fn every_page(locale: Locale) -> Vec<String> {
        let mut required = company_page(locale, true);
        required.require_second_factor = true;
        let mut pages = vec![
            company_page(locale, true).render(),
            company_page(locale, false).render(),
            required.render(),
        ];
        for (_, notice) in NOTICES {
            let mut page = company_page(locale, true);
            page.notice = Some(Tr::new(locale).t(notice));
            pages.push(page.render());
        }
        pages.into_iter().map(|p| p.unwrap()).collect()
    }

    #[test]
    fn the_company_page_and_its_refusals_speak_each_language() {
        let english = every_page(Locale::En);
        assert!(english[0].contains("Invite a colleague"), "{}", english[0]);
        assert!(!english[1].contains("id=\"invite-form\""), "{}", english[1]);
        for locale in Locale::ALL.into_iter().skip(1) {
            for (en, page) in english.iter().zip(every_page(locale)) {
                assert_translated("company page", en, &page, locale, &DATA);
            }
        }
    }
}
