//! What a signed-in sales person does in the back office: invite (errors beside the
//! fields), list, filter and page, resend and revoke; forms without the CSRF token refused.

use crate::support::browser::{csrf_in, location, page as read_page};
use crate::support::staff::{
    api_get, api_token, invitations_of, invite_form, spawn_back_office, staff_browser, staff_email,
};
use crate::support::{mailbox, stack, unique_email};
use serde_json::{Value, json};

#[tokio::test]
async fn invite_form_errors_show_beside_the_fields_and_nothing_is_created() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let page = read_page(&client, &app.url("/api/Staff?lang=en")).await;
    let mut form = invite_form(&csrf_in(&page), "not-an-address");
    form.push(("lang", "en".into()));
    form.retain(|(k, _)| *k != "expiresInDays" && *k != "company.vatNumber");
    form.push(("expiresInDays", "45".into()));
    form.push(("company.vatNumber", "BE0123456748".into()));
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for (id, text) in [
        ("f-email-error", "Enter a valid email address"),
        ("f-expires-error", "From 1 to 30"),
        ("f-company-vat-error", "VAT"),
    ] {
        let at = page
            .find(&format!("id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id} in {page}"));
        let shown = &page[at..at + 200];
        assert!(
            shown.to_lowercase().contains(&text.to_lowercase()),
            "{id}: {shown}"
        );
    }
    assert!(page.contains("value=\"not-an-address\""), "the values stay");
    assert!(app.invitation_rows().await.is_empty());
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let customer = unique_email("nocsrf");
    let mut form = invite_form("", &customer);
    form.retain(|(k, _)| *k != "csrf");
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(app.invitation_rows().await.is_empty());

    let created: Value = app
        .invite_with_token(&api_token().await, &json!({"email": customer}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/revoke")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        invitations_of(&app, &customer).await[0]["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_sales_person_invites_resends_and_revokes_from_the_back_office() {
    let app = spawn_back_office().await;
    let staff = staff_email();
    let (client, _) = staff_browser(&app, &staff, true).await;
    let page = read_page(&client, &app.url("/api/Staff?lang=en")).await;
    let csrf = csrf_in(&page);
    let customer = unique_email("office");
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&invite_form(&csrf, &customer))
        .send()
        .await
        .unwrap();
    // Answered with a redirect (a reload does not post again); the page after it shows
    // the link once.
    assert_eq!(response.status(), 303);
    let page = read_page(&client, &app.url(&location(&response))).await;
    assert!(
        page.contains("/api/InviteUser?invitationId="),
        "the link is shown once"
    );
    let found = invitations_of(&app, &customer).await;
    assert_eq!(found.len(), 1);
    let id = found[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found[0]["invitedBy"]["email"], staff.as_str());
    assert_eq!(found[0]["invitedBy"]["name"], "Tamer Mohamed-Nour");
    assert_eq!(found[0]["company"]["vatNumber"], "BE0123456749");
    assert_eq!(found[0]["locale"], "fr");
    assert!(
        page.contains(&format!("data-id=\"{id}\"")),
        "the row is listed"
    );
    mailbox::wait_for(&stack().maildev_url, &customer, 1).await;

    // Resend: a confirmation step, then a new link.
    let confirm = client
        .get(app.url(&format!("/api/Staff/invitations/{id}/resend?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 200);
    assert!(
        confirm
            .text()
            .await
            .unwrap()
            .contains("Resend the invitation?")
    );
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/resend")))
        .form(&[("csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        read_page(&client, &app.url(&location(&response)))
            .await
            .contains("/api/InviteUser?invitationId=")
    );

    // Revoke.
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/revoke")))
        .form(&[("csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let revoked = read_page(&client, &app.url(&location(&response))).await;
    assert!(revoked.contains("The invitation was revoked."), "{revoked}");
    assert!(
        !revoked.contains("Expires"),
        "a revoked invitation shows no expiry"
    );
    let invitation = api_get(&app, &format!("/api/invitations/{id}")).await;
    assert_eq!(invitation["status"], "revoked");
    let events: Vec<&str> = invitation["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"resent") && events.contains(&"revoked"),
        "{events:?}"
    );

    // The history on its own page.
    let page = read_page(
        &client,
        &app.url(&format!("/api/Staff/invitations/{id}?lang=en")),
    )
    .await;
    assert!(page.contains("History") && page.contains("Resent") && page.contains("Revoked"));
    assert!(page.contains(&staff));
}

/// The address of the link with this `id` on `page`.
fn href_of(page: &str, id: &str) -> String {
    let at = page.find(&format!("id=\"{id}\"")).expect("the link");
    page[..at]
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_list_filters_by_status_and_email_and_pages_on() {
    let app = spawn_back_office().await;
    let rows: Vec<Value> = (0..21)
        .map(|n| json!({"email": unique_email(&format!("page{n}x"))}))
        .collect();
    let response = app
        .client
        .post(app.url("/api/invitations/bulk"))
        .bearer_auth(api_token().await)
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let first = rows[0]["email"].as_str().unwrap();
    let id = invitations_of(&app, first).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.client
        .delete(app.url(&format!("/api/invitations/{id}")))
        .bearer_auth(api_token().await)
        .send()
        .await
        .unwrap();

    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let page = read_page(&client, &app.url("/api/Staff?lang=en")).await;
    assert_eq!(page.matches("<tr data-id=").count(), 20, "twenty a page");
    let href = href_of(&page, "next-page");
    let next = read_page(&client, &app.url(&href)).await;
    assert_eq!(next.matches("<tr data-id=").count(), 1);
    assert!(!next.contains("id=\"next-page\""));

    let revoked = read_page(&client, &app.url("/api/Staff?status=revoked&email=")).await;
    assert_eq!(revoked.matches("<tr data-id=").count(), 1);
    assert!(revoked.contains(&format!("data-id=\"{id}\"")));
    // The list's CSV link carries the filters: the revoked one alone, every page.
    let href = href_of(&revoked, "export-csv");
    assert!(
        href.contains("status=revoked") && href.contains("format=csv"),
        "{href}"
    );
    let csv = client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(&id) && csv.contains(",revoked,"), "{csv}");
    let all = client
        .get(app.url("/api/Staff?format=csv&status="))
        .send()
        .await
        .unwrap();
    assert_eq!(
        all.text().await.unwrap().lines().count(),
        1 + 21,
        "every page"
    );
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", first)
        .finish();
    let by_email = read_page(&client, &app.url(&format!("/api/Staff?{query}"))).await;
    assert_eq!(by_email.matches("<tr data-id=").count(), 1);
    let bad = client
        .get(app.url("/api/Staff?status=lost"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 200);
    assert!(bad.text().await.unwrap().contains("Filter status"));
}

#[tokio::test]
async fn the_hourly_limit_is_said_in_the_back_office_s_language() {
    let app = crate::support::staff::spawn_back_office_with(vec![(
        "LIMIT_INVITATIONS_PER_HOUR",
        Some("1".into()),
    )])
    .await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let invite = |lang: &'static str| {
        let (client, app) = (&client, &app);
        async move {
            let page = read_page(client, &app.url(&format!("/api/Staff?lang={lang}"))).await;
            let mut form = invite_form(&csrf_in(&page), &unique_email("limit"));
            form.push(("lang", lang.into()));
            client
                .post(app.url("/api/Staff/invite"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        invite("fr").await.status(),
        303,
        "the hour's one invitation"
    );
    for (lang, said) in [
        ("fr", "Vous pouvez envoyer au plus 1 invitation par heure."),
        ("de", "Sie können höchstens 1 Einladung pro Stunde senden."),
        ("en", "You can send at most 1 invitation an hour."),
    ] {
        let response = invite(lang).await;
        assert_eq!(response.status(), 429);
        assert_eq!(
            response.headers()["content-language"].to_str().unwrap(),
            lang
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(said), "{page}");
    }
}

#[tokio::test]
async fn a_sign_out_without_the_sessions_token_is_refused_and_keeps_the_session() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let response = client
        .post(app.url("/api/Staff/signout"))
        .form(&[("csrf", "forged"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("Form expired"));
    let response = client
        .get(app.url("/api/Staff?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "still signed in");
}

/// Issue #28, item 14: the back office tells a colleague's invitation from a new customer's: its
/// kind, the company it joins and the role, in the list and on its page.
#[tokio::test]
async fn the_back_office_shows_a_colleague_invitation_with_its_kind_role_and_company() {
    let app = spawn_back_office().await;
    let token = api_token().await;
    let anne = unique_email("anne");
    let created: Value = app
        .invite_with_token(&token, &json!({"email": anne}))
        .await
        .json()
        .await
        .unwrap();
    let mails = mailbox::wait_for(&stack().maildev_url, &anne, 1).await;
    crate::account::onboard_with_link(&app, &mailbox::link_in(&mails[0]), &anne, "local").await;
    let company_id = format!("c{}", created["id"].as_str().unwrap());
    let bert = unique_email("bert");
    let invited: Value = app
        .invite_with_token(
            &token,
            &json!({"email": bert, "companyId": company_id, "role": "administrator"}),
        )
        .await
        .json()
        .await
        .unwrap();

    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let colleague = format!("Colleague: joins Company of {anne} as administrator");
    let list = read_page(&client, &app.url("/api/Staff?lang=en")).await;
    assert!(list.contains(&colleague), "{list}");
    assert!(
        list.contains("New customer: creates their company"),
        "{list}"
    );
    let id = invited["id"].as_str().unwrap();
    let detail = read_page(
        &client,
        &app.url(&format!("/api/Staff/invitations/{id}?lang=en")),
    )
    .await;
    assert!(
        detail.contains(&format!("<dd id=\"kind\">{colleague}</dd>")),
        "{detail}"
    );
}
