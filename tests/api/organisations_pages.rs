//! The company page for its members (issue #15): an administrator invites a colleague
//! from it, changes a role, removes a member; a member leaves; refusals (not an
//! administrator, not a member, no CSRF token, the last administrator) change nothing
//! and send nothing; a removed member's next request is a 404 and Home drops the company.

use crate::organisations::{follow, onboard};
use crate::support::browser::{browser, csrf_in, location, page, sign_in_at_b2c};
use crate::support::{TestApp, mailbox, stack, unique_email};
use invitations::domain::account::{AccountId, CompanyId};
use reqwest::Client;

/// Posts `fields` (the session's CSRF token added when `csrf` is given).
async fn post(
    client: &Client,
    app: &TestApp,
    path: &str,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    if let Some(csrf) = csrf {
        form.push(("csrf", csrf));
    }
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

/// The company's members as (lower-case email, account id, role).
pub(crate) async fn roster(app: &TestApp, company: &str) -> Vec<(String, AccountId, &'static str)> {
    let id = CompanyId::parse(company).unwrap();
    let stored = app.services.accounts.company(&id).await.unwrap().unwrap();
    let (roster, _) = app.services.members.roster(&stored).await.unwrap();
    let mut members: Vec<_> = roster
        .members
        .iter()
        .map(|m| {
            (
                m.email.as_str().to_lowercase(),
                m.account.clone(),
                m.role.as_str(),
            )
        })
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    members
}

fn account_of(members: &[(String, AccountId, &str)], email: &str) -> String {
    members
        .iter()
        .find(|(e, ..)| e.eq_ignore_ascii_case(email))
        .unwrap()
        .1
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn an_administrator_invites_a_colleague_from_the_page_changes_roles_and_removes_them() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (anne_browser, company) = onboard(&app, &anne, "Page Works SA").await;
    let company_page = format!("/api/Companies/{company}");

    // Home links the company to its page; the page shows its data, members and the form.
    let home = page(&anne_browser, &app.url("/api/Home")).await;
    assert!(home.contains(&format!("href=\"{company_page}\"")), "{home}");
    let response = anne_browser
        .get(app.url(&company_page))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1 id=\"company-name\">Page Works SA</h1>"),
        "{html}"
    );
    assert!(
        html.contains(&anne.to_lowercase()) || html.contains(&anne),
        "{html}"
    );
    assert!(html.contains("id=\"invite-form\""), "{html}");
    // Issue #28, item 9: the only administrator is not offered what can only fail
    // (leaving, becoming a member), and is told why.
    assert!(
        !html.contains("id=\"leave\"") && !html.contains("id=\"make-me-member\""),
        "{html}"
    );
    assert!(html.contains("You are its only administrator"), "{html}");
    let csrf = csrf_in(&html);

    // Invalid fields: 422 with the error beside the field, nothing sent.
    let invitations = format!("{company_page}/invitations");
    let bad = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[("email", "not-an-address"), ("role", "member")],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Enter a valid email address"), "{html}");
    assert!(html.contains("value=\"not-an-address\""), "{html}");

    // Invited from the page: 303 back with a notice, listed as pending.
    let bert = unique_email("bert");
    let sent = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[
            ("email", &bert),
            ("displayName", "Bert Keller"),
            ("role", "member"),
            ("locale", "de"),
        ],
    )
    .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), format!("{company_page}?notice=invited"));
    let html = page(&anne_browser, &app.url(&location(&sent))).await;
    assert!(html.contains("The invitation has been sent."), "{html}");
    assert!(html.contains("Bert Keller"), "{html}");
    // Invited twice: a 409 page naming them.
    let again = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[("email", &bert)],
    )
    .await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains(&bert));

    // Another invitation, sent again and withdrawn from the page.
    let carl = unique_email("carl");
    let sent = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[("email", &carl)],
    )
    .await;
    assert_eq!(sent.status(), 303);
    let html = page(&anne_browser, &app.url(&company_page)).await;
    let carl_line = &html[html
        .find(&format!("data-email=\"{}\"", carl.to_lowercase()))
        .unwrap()..];
    let start = carl_line.find(&format!("{invitations}/")).unwrap() + invitations.len() + 1;
    let carl_id = carl_line[start..].split('/').next().unwrap().to_owned();
    let resent = post(
        &anne_browser,
        &app,
        &format!("{invitations}/{carl_id}/resend"),
        Some(&csrf),
        &[],
    )
    .await;
    assert_eq!(resent.status(), 303);
    assert_eq!(location(&resent), format!("{company_page}?notice=resent"));
    mailbox::wait_for(&stack().maildev_url, &carl, 2).await;
    let revoked = post(
        &anne_browser,
        &app,
        &format!("{invitations}/{carl_id}/revoke"),
        Some(&csrf),
        &[],
    )
    .await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(location(&revoked), format!("{company_page}?notice=revoked"));
    assert_eq!(app.invitation(&carl_id).await["status"], "revoked");
    let html = page(&anne_browser, &app.url(&location(&revoked))).await;
    assert!(
        html.contains("The invitation has been withdrawn."),
        "{html}"
    );
    assert!(!html.contains(&carl.to_lowercase()), "{html}");

    // The colleague follows the German email, signs in and lands on Home with the company.
    let mails = mailbox::wait_for(&stack().maildev_url, &bert, 1).await;
    assert!(mails[0].text.contains("Page Works SA"), "{}", mails[0].text);
    // Named as the sales person named her when she was invited, not by her address twice.
    assert!(
        mails[0].text.contains("Anne Martin (") && mails[0].text.contains("hat Sie eingeladen"),
        "{}",
        mails[0].text
    );
    let (bert_browser, response) = follow(&mailbox::link_in(&mails[0]), &bert).await;
    assert_eq!(location(&response), "/api/Home");
    let home = page(&bert_browser, &app.url("/api/Home")).await;
    assert!(home.contains(&format!("href=\"{company_page}\"")), "{home}");
    // A member sees the company and a Leave button, but no form to invite.
    let html = page(&bert_browser, &app.url(&company_page)).await;
    assert!(
        html.contains("Page Works SA") && html.contains("id=\"leave\""),
        "{html}"
    );
    assert!(!html.contains("id=\"invite-form\""), "{html}");
    let bert_csrf = csrf_in(&html);

    // Already a member: 409 naming them.
    let member = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[("email", &bert)],
    )
    .await;
    assert_eq!(member.status(), 409);
    assert!(member.text().await.unwrap().contains(&bert));

    // Role change: Bert becomes an administrator, then a member again.
    let members = roster(&app, &company).await;
    let bert_id = account_of(&members, &bert);
    let anne_id = account_of(&members, &anne);
    let bert_path = format!("{company_page}/members/{bert_id}");
    let promoted = post(
        &anne_browser,
        &app,
        &bert_path,
        Some(&csrf),
        &[("role", "administrator")],
    )
    .await;
    assert_eq!(promoted.status(), 303);
    assert_eq!(location(&promoted), format!("{company_page}?notice=role"));
    let roles: Vec<&str> = roster(&app, &company).await.iter().map(|m| m.2).collect();
    assert_eq!(roles, ["administrator", "administrator"]);
    // With another administrator, Anne may leave or become a member herself.
    let html = page(&anne_browser, &app.url(&company_page)).await;
    assert!(
        html.contains("id=\"make-me-member\"") && html.contains("id=\"leave\""),
        "{html}"
    );
    assert!(!html.contains("id=\"only-administrator\""), "{html}");
    let demoted = post(
        &anne_browser,
        &app,
        &bert_path,
        Some(&csrf),
        &[("role", "member")],
    )
    .await;
    assert_eq!(demoted.status(), 303);

    // The last administrator can neither leave nor be demoted: a 409 page saying why.
    let anne_path = format!("{company_page}/members/{anne_id}");
    let leave = post(
        &anne_browser,
        &app,
        &anne_path,
        Some(&csrf),
        &[("remove", "1"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(leave.status(), 409);
    assert!(
        leave
            .text()
            .await
            .unwrap()
            .contains("at least one administrator")
    );
    let step_down = post(
        &anne_browser,
        &app,
        &anne_path,
        Some(&csrf),
        &[("role", "member")],
    )
    .await;
    assert_eq!(step_down.status(), 409);

    // Removing asks first (issue #28, item 8): the first post answers the confirmation
    // step, naming Bert, and changes nothing.
    let before = roster(&app, &company).await.len();
    assert_eq!(before, 2);
    let asked = post(
        &anne_browser,
        &app,
        &bert_path,
        Some(&csrf),
        &[("remove", "1")],
    )
    .await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("id=\"remove-confirm\""), "{asked}");
    assert!(asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
    assert_eq!(roster(&app, &company).await.len(), 2, "nothing removed yet");

    // Removed: Bert's next request to the page is a 404, Home no longer lists it.
    let removed = post(
        &anne_browser,
        &app,
        &bert_path,
        Some(&csrf),
        &[("remove", "1"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(location(&removed), format!("{company_page}?notice=removed"));
    assert_eq!(roster(&app, &company).await.len(), 1);
    let gone = bert_browser
        .get(app.url(&company_page))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let home = page(&bert_browser, &app.url("/api/Home")).await;
    assert!(!home.contains("Page Works SA"), "{home}");
    // Nor can they post anything any more.
    let late = post(
        &bert_browser,
        &app,
        &bert_path,
        Some(&bert_csrf),
        &[("remove", "1"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(late.status(), 404);
}

#[tokio::test]
async fn a_member_leaves_and_refusals_change_nothing_and_send_nothing() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (anne_browser, company) = onboard(&app, &anne, "Refusal Tools AG").await;
    let company_page = format!("/api/Companies/{company}");
    let invitations = format!("{company_page}/invitations");
    let csrf = csrf_in(&page(&anne_browser, &app.url(&company_page)).await);

    // Not signed in: a browser (it asks for HTML) is sent to a sign-in that comes back
    // here; a program without a token gets the staff API's 401 problem.
    let anonymous = browser()
        .get(app.url(&company_page))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 302);
    let program = browser().get(app.url(&company_page)).send().await.unwrap();
    assert_eq!(program.status(), 401);
    assert_eq!(
        location(&anonymous),
        format!("/api/SignIn?next=company%3A{company}&lang=en")
    );
    // … and after the sign-in, the browser is back on the company page.
    let returning = browser();
    let to_provider = returning
        .get(app.url(&location(&anonymous)))
        .send()
        .await
        .unwrap();
    assert_eq!(to_provider.status(), 302);
    let callback = sign_in_at_b2c(&returning, &location(&to_provider), &anne, "local").await;
    let back = returning.get(&callback).send().await.unwrap();
    assert_eq!(location(&back), company_page);
    let html = page(&returning, &app.url(&company_page)).await;
    assert!(html.contains("Refusal Tools AG"), "{html}");

    // Without the CSRF token: 403, nothing sent.
    let carl = unique_email("carl");
    let forged = post(&anne_browser, &app, &invitations, None, &[("email", &carl)]).await;
    assert_eq!(forged.status(), 403);

    // A colleague who is a member (not an administrator).
    let bert = unique_email("bert");
    let sent = post(
        &anne_browser,
        &app,
        &invitations,
        Some(&csrf),
        &[("email", &bert), ("role", "member")],
    )
    .await;
    assert_eq!(sent.status(), 303);
    let mails = mailbox::wait_for(&stack().maildev_url, &bert, 1).await;
    let (bert_browser, _) = follow(&mailbox::link_in(&mails[0]), &bert).await;
    let bert_csrf = csrf_in(&page(&bert_browser, &app.url(&company_page)).await);
    let members = roster(&app, &company).await;
    let anne_path = format!("{company_page}/members/{}", account_of(&members, &anne));
    let bert_path = format!("{company_page}/members/{}", account_of(&members, &bert));

    // A member may not invite, change roles or remove others: 403, nothing changed.
    for (path, field) in [
        (&invitations, ("email", carl.as_str())),
        (&anne_path, ("role", "member")),
        (&anne_path, ("remove", "1")),
        (&bert_path, ("role", "administrator")),
    ] {
        let refused = post(&bert_browser, &app, path, Some(&bert_csrf), &[field]).await;
        assert_eq!(refused.status(), 403, "{path} {field:?}");
    }

    // Someone of another company: 404 for the page and every form, whatever the id.
    let dora = unique_email("dora");
    let (dora_browser, other) = onboard(&app, &dora, "Other Company BV").await;
    let dora_csrf =
        csrf_in(&page(&dora_browser, &app.url(&format!("/api/Companies/{other}"))).await);
    let outsider = dora_browser
        .get(app.url(&company_page))
        .send()
        .await
        .unwrap();
    assert_eq!(outsider.status(), 404);
    let nowhere = dora_browser
        .get(app.url("/api/Companies/nonsense"))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 404);
    for (path, field) in [
        (&invitations, ("email", carl.as_str())),
        (&bert_path, ("remove", "1")),
    ] {
        let refused = post(&dora_browser, &app, path, Some(&dora_csrf), &[field]).await;
        assert_eq!(refused.status(), 404, "{path} {field:?}");
    }

    // Nothing of it changed the roster or sent any email.
    let after = roster(&app, &company).await;
    let roles: Vec<(&str, &str)> = after.iter().map(|m| (m.0.as_str(), m.2)).collect();
    let mut expected = [
        (anne.to_lowercase(), "administrator"),
        (bert.to_lowercase(), "member"),
    ];
    expected.sort();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(e, r)| (e.as_str(), *r)).collect();
    assert_eq!(roles, expected);
    assert!(
        mailbox::all_to(&stack().maildev_url, &carl)
            .await
            .is_empty()
    );

    // The member leaves: Home, without the company; the page is then a 404.
    let left = post(
        &bert_browser,
        &app,
        &bert_path,
        Some(&bert_csrf),
        &[("remove", "1"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(left.status(), 303);
    assert_eq!(location(&left), "/api/Home?notice=left");
    let home = page(&bert_browser, &app.url("/api/Home?notice=left")).await;
    assert!(!home.contains("Refusal Tools AG"), "{home}");
    assert!(home.contains("You have left the company."), "{home}");
    let gone = bert_browser
        .get(app.url(&company_page))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(roster(&app, &company).await.len(), 1);
}
