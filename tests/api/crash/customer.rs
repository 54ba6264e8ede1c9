//! The customers' operations: their setups (signed in once, through the real flow at the
//! local OpenID stand-in, the session then copied into every case) and their requests. A
//! customer whose page died posts the form again, or follows the link and signs in again.

use super::world::World;
use super::{Case, answer};
use crate::account::{between, enrol};
use crate::support::browser::{csrf_in, location, page, sign_in_at_b2c};
use crate::support::storage_calls::Kind;
use crate::support::totp::code_at;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// A pending invitation to Pia; its link.
pub fn an_invitation(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let invitation = world.invite("pia", Value::Null).await;
        let link = invitation["inviteUrl"].as_str().unwrap().to_owned();
        world.values.insert("link", link);
    })
}

/// Anne's company, and a colleague's invitation to Pia; its link.
pub fn a_colleague_invited(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        let invitation = world
            .invite("pia", json!({"companyId": company, "role": "member"}))
            .await;
        let link = invitation["inviteUrl"].as_str().unwrap().to_owned();
        world.values.insert("link", link);
        world.values.insert("company", company);
    })
}

/// Pia accepted her invitation and has the company form in front of her.
pub fn an_accepted_invitation(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let invitation = world.invite("pia", Value::Null).await;
        let link = invitation["inviteUrl"].as_str().unwrap().to_owned();
        let answer = world.follow("pia", &link).await;
        assert_eq!(location(&answer), "/api/CreateCompany");
        let client = world.person("pia").browser.client.clone();
        let form = page(&client, &world.app.url("/api/CreateCompany")).await;
        world.person("pia").csrf = csrf_in(&form);
        let id = invitation["id"].as_str().unwrap().to_owned();
        world.values.insert("invitation", id);
    })
}

/// Anne's company, with a colleague she invited from its page, Cleo, still pending.
pub fn a_colleague_pending(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        let id = world.invite_from_page("anne", &company, "cleo").await;
        world.values.insert("invitation", id);
        world.values.insert("company", company);
    })
}

/// Anne's company with Bert, a member who joined through a staff invitation.
pub fn a_company_with_a_member(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        let bert = world.join("bert", &company, "member").await;
        world.values.insert("bert", bert);
        world.values.insert("company", company);
    })
}

/// Anne, signed in a moment ago (her company made).
pub fn a_customer(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.onboard("anne").await;
    })
}

/// Anne, with a Microsoft login linked beside her first; its key.
pub fn two_logins(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.onboard("anne").await;
        let (client, email) = (
            world.people["anne"].browser.client.clone(),
            world.email("anne"),
        );
        let answer = crate::account::link(&world.app, &client, "microsoft", &email).await;
        assert_eq!(answer.status(), 303);
        let profile = page(&client, &world.app.url("/api/Profile")).await;
        let key = between(&profile, "name=\"unlink\" value=\"", "\"").to_owned();
        world.values.insert("login", key);
    })
}

/// Anne on the authenticator page: its secret shown, held in her session's cookie.
pub fn an_enrolment(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.onboard("anne").await;
        let client = world.person("anne").browser.client.clone();
        let html = page(&client, &world.app.url("/api/Profile/mfa")).await;
        let secret = between(&html, "<code id=\"secret\">", "</code>").replace(' ', "");
        world.values.insert("secret", secret);
    })
}

/// Anne with the authenticator turned on; its secret and a recovery code.
pub fn mfa_on(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.onboard("anne").await;
        let client = world.person("anne").browser.client.clone();
        let (secret, codes) = enrol(&world.app, &client).await;
        world.values.insert("secret", secret);
        world.values.insert("recovery", codes[0].clone());
    })
}

/// Opens the setup's link and signs in at the provider; keeps the callback address.
pub fn follow_the_link(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let name = "pia";
        let client = case.browser(name);
        let opened = client
            .get(case.rebase(case.value("link")))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 302, "the link opens");
        let callback = sign_in_at_b2c(&client, &location(&opened), case.email(name), "local").await;
        case.keep("callback", callback);
    })
}

/// The provider's redirect back, with its code: the acceptance.
pub fn callback(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let name = "pia";
        let callback = case.kept("callback").unwrap();
        answer(case.browser(name).get(callback)).await;
    })
}

/// The person comes back: the link again, or (once it is used) a sign-in, to the end.
pub fn come_back(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let name = "pia";
        let client = case.browser(name);
        let mut start = client
            .get(case.rebase(case.value("link")))
            .send()
            .await
            .unwrap();
        if start.status() != 302 {
            start = client.get(case.url("/api/SignIn")).send().await.unwrap();
        }
        let callback = sign_in_at_b2c(&client, &location(&start), case.email(name), "local").await;
        let answer = client.get(callback).send().await.unwrap();
        assert_eq!(answer.status(), 303, "{name} is let in");
    })
}

/// `name` posts a form of their session (its CSRF token added).
pub(super) fn form(
    case: &Case,
    name: &'static str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let csrf = case.csrf(name);
    let mut all = fields.to_vec();
    all.push(("csrf", &csrf));
    case.browser(name).post(case.url(path)).form(&all)
}

pub fn create_company(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let fields = crate::support::browser::company_form(&case.csrf("pia"));
        let request = case
            .browser("pia")
            .post(case.url("/api/CreateCompany"))
            .form(&fields);
        answer(request).await;
    })
}

/// The company form posted while staff revoke the invitation: the revoke lands, through
/// another instance, just before the company's row (with its roster) reaches storage (so
/// the revoke finds no company to take away, and the creation must take it away itself).
pub fn create_company_while_revoked(case: &Case) -> BoxFuture<'_, ()> {
    company_revoked_before(case, Kind::Batch)
}

/// The same, the revoke landing after the company's row and before its line in the
/// companies list: the revoke takes the company away, and the creation, going on, writes
/// the list's line and the membership of a company that is gone (taken away again by the
/// creation, or by its retry).
pub fn create_company_while_revoked_late(case: &Case) -> BoxFuture<'_, ()> {
    company_revoked_before(case, Kind::Insert)
}

/// The company form posted, the revoke landing before the creation's first `kind` call
/// into Companies.
fn company_revoked_before(case: &Case, kind: Kind) -> BoxFuture<'_, ()> {
    Box::pin(async move {
        let (arrived, release) = case.calls().hold_next(kind, "Companies");
        let fields = crate::support::browser::company_form(&case.csrf("pia"));
        let request = case
            .browser("pia")
            .post(case.url("/api/CreateCompany"))
            .form(&fields);
        let mut post = tokio::spawn(answer(request));
        tokio::select! {
            held = arrived => {
                if held.is_ok() {
                    let (other, address) = case.another_instance().await;
                    let revoke = reqwest::Client::new()
                        .delete(format!("{address}/api/invitations/{}", case.value("invitation")))
                        .bearer_auth(case.staff())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(revoke.status(), 200);
                    other.kill();
                    let _ = release.send(());
                }
                let _ = post.await;
            }
            _ = &mut post => {}
        }
    })
}

pub fn invite_from_the_page(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let email = case.new_email("cleo");
        let path = format!("/api/Companies/{}/invitations", case.value("company"));
        let fields = [
            ("email", email.as_str()),
            ("displayName", "Cleo Weber"),
            ("role", "member"),
            ("locale", "it"),
        ];
        if let Some(done) = answer(form(case, "anne", &path, &fields)).await {
            if done.status() == 303 {
                case.notes().answered_to.insert(email);
            }
        }
    })
}

pub fn resend_from_the_page(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let path = format!(
            "/api/Companies/{}/invitations/{}/resend",
            case.value("company"),
            case.value("invitation")
        );
        answer(form(case, "anne", &path, &[])).await;
    })
}

pub fn revoke_from_the_page(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let path = format!(
            "/api/Companies/{}/invitations/{}/revoke",
            case.value("company"),
            case.value("invitation")
        );
        answer(form(case, "anne", &path, &[])).await;
    })
}

fn member_path(case: &Case) -> String {
    format!(
        "/api/Companies/{}/members/{}",
        case.value("company"),
        case.value("bert")
    )
}

pub fn make_administrator(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(form(
            case,
            "anne",
            &member_path(case),
            &[("role", "administrator")],
        ))
        .await;
    })
}

pub fn remove_member(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(form(
            case,
            "anne",
            &member_path(case),
            &[("remove", "1"), ("confirm", "yes")],
        ))
        .await;
    })
}

pub fn leave(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(form(
            case,
            "bert",
            &member_path(case),
            &[("remove", "1"), ("confirm", "yes")],
        ))
        .await;
    })
}

/// From the profile to the provider (Microsoft), signed in there as Anne: the callback.
pub fn start_linking(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let started = form(
            case,
            "anne",
            "/api/Profile/link",
            &[("provider", "microsoft")],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(started.status(), 303);
        let client = case.browser("anne");
        let callback =
            sign_in_at_b2c(&client, &location(&started), case.email("anne"), "live.com").await;
        case.keep("callback", callback);
    })
}

pub fn finish_linking(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let callback = case.kept("callback").unwrap();
        answer(case.browser("anne").get(callback)).await;
    })
}

/// Anne links Microsoft again, from the start.
pub fn link_again(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        start_linking(case).await;
        let callback = case.kept("callback").unwrap();
        let done = case.browser("anne").get(callback).send().await.unwrap();
        assert_eq!(done.status(), 303, "the link is made");
    })
}

pub fn unlink(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(form(
            case,
            "anne",
            "/api/Profile/link",
            &[("unlink", case.value("login")), ("confirm", "yes")],
        ))
        .await;
    })
}

fn code(case: &Case, later: Duration) -> String {
    code_at(case.value("secret"), OffsetDateTime::now_utc() + later)
}

fn mfa(case: &Case, action: &str, code: &str) -> reqwest::RequestBuilder {
    form(
        case,
        "anne",
        "/api/Profile/mfa",
        &[("action", action), ("code", code)],
    )
}

pub fn turn_mfa_on(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(mfa(case, "enable", &code(case, Duration::ZERO))).await;
    })
}

/// The next code the app shows (the one just sent may have been used).
pub fn turn_mfa_on_again(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(mfa(case, "enable", &code(case, Duration::seconds(30)))).await;
    })
}

pub fn turn_mfa_off(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(mfa(case, "disable", &code(case, Duration::seconds(30)))).await;
    })
}

/// With a recovery code (the app's code of this step may have been used).
pub fn turn_mfa_off_with_a_recovery_code(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(mfa(case, "disable", case.value("recovery"))).await;
    })
}

pub fn delete_own_account(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        case.notes().erased.insert(case.email("bert").to_owned());
        answer(form(
            case,
            "bert",
            "/api/Profile/delete",
            &[("confirm", "yes")],
        ))
        .await;
    })
}
