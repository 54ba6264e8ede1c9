//! Races: many requests at once for one invitation end in exactly one outcome, and every
//! request gets a clear answer (a redirect or a page), never a 5xx.

use crate::support::browser::{browser, company_form, csrf_in, location, page, sign_in_at_b2c};
use crate::support::{TestApp, events, mailbox, problem, stack, unique_email};
use serde_json::{Value, json};

/// Invites `email` with company data and returns (invitation, link from the email).
async fn invite(app: &TestApp, email: &str) -> (Value, String) {
    let created = app
        .invite(json!({"email": email, "company": {"name": "Race SA", "country": "BE"}}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, email, 1).await;
    (created, mailbox::link_in(&mails[0]))
}

#[tokio::test]
async fn a_hundred_concurrent_company_posts_create_exactly_one_company() {
    let app = TestApp::spawn().await;
    let email = unique_email("hundred");
    let (created, link) = invite(&app, &email).await;
    let id = created["id"].as_str().unwrap();
    let client = browser();
    let authorize = location(&client.get(&link).send().await.unwrap());
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    assert_eq!(client.get(&callback).send().await.unwrap().status(), 303);
    let csrf = csrf_in(&page(&client, &app.url("/api/CreateCompany")).await);

    let posts = (0..100).map(|_| {
        client
            .post(app.url("/api/CreateCompany"))
            .form(&company_form(&csrf))
            .send()
    });
    for response in futures::future::join_all(posts).await {
        let response = response.expect("every post gets an answer");
        let status = response.status().as_u16();
        assert!(
            status == 303 || (400..500).contains(&status),
            "a redirect or a clear page, got {status}"
        );
        if status == 303 {
            assert_eq!(location(&response), "/api/Home");
        } else {
            let html = response.text().await.unwrap();
            assert!(
                html.contains("<h1"),
                "a page that says what happened: {html}"
            );
        }
    }

    let companies = app.companies().await;
    assert_eq!(companies.len(), 1, "exactly one company: {companies:?}");
    let read = app.invitation(id).await;
    assert_eq!(read["status"], "completed");
    let company_id = companies[0]["PartitionKey"].as_str().unwrap();
    assert_eq!(read["companyId"], company_id);
    assert_eq!(
        events(&read).iter().filter(|e| **e == "completed").count(),
        1
    );
    let admins = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .filter(|r| r["Role"] == "administrator")
        .count();
    assert_eq!(admins, 1, "one administrator membership");
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(home.contains("URS Machining SA"), "{home}");
}

#[tokio::test]
async fn concurrent_resends_leave_exactly_one_working_link() {
    let app = TestApp::spawn_with(
        vec![
            ("LIMIT_EMAILS_PER_ADDRESS_PER_DAY", Some("100".into())),
            ("LIMIT_FAILED_LINKS_PER_HOUR", Some("1000".into())),
        ],
        |_| {},
    )
    .await;
    let email = unique_email("resends");
    let created = app.invite_email(&email).await;
    let id = created["id"].as_str().unwrap();
    let token = app.idp.token();
    let resends = (0..30).map(|_| {
        app.client
            .post(app.url(&format!("/api/invitations/{id}/resend")))
            .bearer_auth(&token)
            .send()
    });
    let mut links = vec![created["inviteUrl"].as_str().unwrap().to_owned()];
    let mut busy = 0;
    for response in futures::future::join_all(resends).await {
        let response = response.expect("every resend gets an answer");
        if response.status() == 503 {
            // Beyond the ETag loop's budget a resend gives up, changing nothing, and
            // says so: a clear 503 with Retry-After, never a 500.
            assert!(response.headers().contains_key("retry-after"));
            let body = problem(response, 503).await;
            assert!(
                body["detail"].as_str().unwrap().contains("try again"),
                "{body}"
            );
            busy += 1;
            continue;
        }
        assert_eq!(
            response.status(),
            200,
            "a resend of a pending invitation works"
        );
        let body: Value = response.json().await.unwrap();
        links.push(body["inviteUrl"].as_str().unwrap().to_owned());
    }
    assert!(busy < 30, "some resends went through");
    let distinct: std::collections::HashSet<_> = links.iter().collect();
    assert_eq!(distinct.len(), links.len(), "every resend made a new link");

    let mut working = Vec::new();
    for link in &links {
        let response = browser().get(link).send().await.unwrap();
        match response.status().as_u16() {
            302 => working.push(link.clone()),
            410 => assert!(
                response
                    .text()
                    .await
                    .unwrap()
                    .contains("A newer invitation was sent to you")
            ),
            other => panic!("{link}: {other}"),
        }
    }
    assert_eq!(working.len(), 1, "exactly one link works: {working:?}");

    let read = app.invitation(id).await;
    assert_eq!(read["status"], "pending");
    assert_eq!(
        events(&read).iter().filter(|e| **e == "resent").count(),
        30 - busy,
        "one resent event per successful resend"
    );
    // One email per successful resend, and the working link is one that was emailed.
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 31 - busy).await;
    assert_eq!(mails.len(), 31 - busy);
    assert!(mails.iter().any(|m| mailbox::link_in(m) == working[0]));
}

#[tokio::test]
async fn concurrent_accepts_by_two_logins_bind_exactly_one() {
    let app = TestApp::spawn().await;
    // Several invitations at once, so the two callbacks really meet in the store.
    let rounds = futures::future::join_all((0..4).map(|n| {
        let app = &app;
        async move {
            let email = unique_email(&format!("twologins{n}"));
            let (created, link) = invite(app, &email).await;
            let (password, google) = (browser(), browser());
            let mut callbacks = Vec::new();
            for (client, idp) in [(&password, "local"), (&google, "google.com")] {
                let authorize = location(&client.get(&link).send().await.unwrap());
                callbacks.push(sign_in_at_b2c(client, &authorize, &email, idp).await);
            }
            let (a, b) = futures::join!(
                password.get(&callbacks[0]).send(),
                google.get(&callbacks[1]).send()
            );
            (created, [(password, a.unwrap()), (google, b.unwrap())])
        }
    }))
    .await;

    for (created, answers) in rounds {
        let mut winners = 0;
        for (client, response) in answers {
            match response.status().as_u16() {
                303 => {
                    winners += 1;
                    assert_eq!(location(&response), "/api/CreateCompany");
                    let form = client
                        .get(app.url("/api/CreateCompany"))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(form.status(), 200);
                }
                403 => {
                    let html = response.text().await.unwrap();
                    assert!(
                        html.contains("This invitation was accepted with another account"),
                        "{html}"
                    );
                    let form = client
                        .get(app.url("/api/CreateCompany"))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(form.status(), 401, "the loser has no session");
                }
                other => panic!("a 303 or the 'accepted by another login' page, got {other}"),
            }
        }
        assert_eq!(winners, 1, "exactly one login is bound");
        let read = app.invitation(created["id"].as_str().unwrap()).await;
        assert_eq!(read["status"], "accepted");
        assert_eq!(
            events(&read).iter().filter(|e| **e == "accepted").count(),
            1
        );
    }
}

/// Colleague invitations revoked and resent at once, each pair racing (issue #23): every
/// answer is a 200 or a 409, and after the retention pass the company's pending rows are
/// exactly the invitations still pending, whatever order the two requests' row writes
/// landed in (each writes its row from the invitation as its own last write left it).
#[tokio::test]
async fn revokes_and_resends_at_once_leave_the_company_page_in_step() {
    let app = TestApp::spawn().await;
    let (_, company) =
        crate::organisations::onboard(&app, &unique_email("anne"), "Racing Rows SA").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        let body = json!({"email": unique_email(&format!("racer{n}")), "companyId": company});
        let created = app.invite_with_token(&app.idp.token(), &body).await;
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let app = &app;
    let races = ids.iter().map(|id| async move {
        let (revoked, resent) = futures::join!(app.revoke_raw(id), app.resend_raw(id));
        for answer in [revoked.status(), resent.status()] {
            assert!(answer == 200 || answer == 409, "{id}: {answer}");
        }
    });
    futures::future::join_all(races).await;
    let shown = || async {
        let view = app
            .as_staff(reqwest::Method::GET, &format!("/api/companies/{company}"))
            .await;
        let view: Value = view.json().await.unwrap();
        let mut shown: Vec<String> = view["pendingInvitations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        shown.sort();
        shown
    };
    app.run_timer("PurgeEnded").await;
    let mut pending = Vec::new();
    for id in &ids {
        if app.invitation(id).await["status"] == "pending" {
            pending.push(id.clone());
        }
    }
    pending.sort();
    assert_eq!(shown().await, pending);
}
