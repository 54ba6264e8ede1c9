//! A revoke that lands while the customer creates the company: whatever the interleaving,
//! either the company exists and the invitation is completed, or neither. The storage
//! pass-through holds one of the company creation's calls back while the revoke runs.

use crate::support::browser::{
    browser, company_form, csrf_in, location, page, post_form, sign_in_at_b2c,
};
use crate::support::storage_calls::{Kind, StorageCalls};
use crate::support::{TestApp, unique_email};

/// An accepted invitation with its company form open: (the signed-in browser, the
/// invitation's id, the form's CSRF token).
async fn at_the_company_form(app: &TestApp) -> (reqwest::Client, String, String) {
    let email = unique_email("completion");
    let created = app.invite_email(&email).await;
    let client = browser();
    let response = client
        .get(created["inviteUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), &email, "local").await;
    assert_eq!(client.get(&callback).send().await.unwrap().status(), 303);
    let html = page(&client, &app.url("/api/CreateCompany")).await;
    (
        client,
        created["id"].as_str().unwrap().to_owned(),
        csrf_in(&html),
    )
}

async fn revoke(app: &TestApp, id: &str) -> u16 {
    app.client
        .delete(app.url(&format!("/api/invitations/{id}")))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Asserts that the invitation ended with no company and no membership left.
async fn no_company_left(app: &TestApp, id: &str) {
    assert_eq!(app.invitation(id).await["status"], "revoked");
    assert_eq!(
        app.table_rows("Companies").await,
        Vec::<serde_json::Value>::new(),
        "no company"
    );
    assert!(
        !app.table_rows("Accounts")
            .await
            .iter()
            .any(|r| r["Role"] == "administrator"),
        "no membership"
    );
}

/// Sends the company form while the next `kind` call on `table` is held, revokes the
/// invitation meanwhile, then lets the call through.
async fn revoke_while_held(app: &TestApp, calls: &StorageCalls, kind: Kind, table: &str) {
    let (client, id, csrf) = at_the_company_form(app).await;
    let (arrived, release) = calls.hold_next(kind, table);
    let url = app.url("/api/CreateCompany");
    let posted = tokio::spawn(async move { post_form(&client, &url, &company_form(&csrf)).await });
    arrived.await.unwrap();
    assert_eq!(revoke(app, &id).await, 200, "the revoke lands first");
    release.send(()).unwrap();
    let response = posted.await.unwrap();
    assert_ne!(
        response.status(),
        303,
        "no welcome: the invitation was withdrawn"
    );
    no_company_left(app, &id).await;
}

#[tokio::test]
async fn a_revoke_landing_before_the_invitation_is_completed_leaves_no_company() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    revoke_while_held(&app, &calls, Kind::Batch, "Invitations").await;
}

#[tokio::test]
async fn a_revoke_landing_before_the_company_is_stored_leaves_no_company() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    revoke_while_held(&app, &calls, Kind::Insert, "Companies").await;
}

#[tokio::test]
async fn a_revoke_after_the_company_is_created_is_refused_and_the_company_stays() {
    let app = TestApp::spawn().await;
    let (client, id, csrf) = at_the_company_form(&app).await;
    let response = post_form(
        &client,
        &app.url("/api/CreateCompany"),
        &company_form(&csrf),
    )
    .await;
    assert_eq!(response.status(), 303);
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(home.contains("URS Machining SA"));
    assert_eq!(revoke(&app, &id).await, 409);
    assert_eq!(app.invitation(&id).await["status"], "completed");
    assert_eq!(app.companies().await.len(), 1);
}

#[tokio::test]
async fn a_revoke_after_a_creation_that_stopped_midway_removes_the_company_it_left() {
    use invitations::domain::account::{
        AccountId, Company, CompanyId, LinkedLogin, Provider, Role,
    };
    use invitations::domain::company::{CompanyDetails, RawCompany};
    use invitations::domain::invitation::InvitationId;
    use invitations::domain::locale::Locale;
    use invitations::domain::membership::Member;

    let app = TestApp::spawn().await;
    let (client, id, _csrf) = at_the_company_form(&app).await;
    // What a creation leaves when its process ends after storing the company and the
    // customer's membership, before completing the invitation: the same calls, made here.
    let services = &app.services;
    let invitation = services
        .store
        .get(&InvitationId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap()
        .value;
    let login = invitation.bound_to.clone().expect("accepted");
    let now = services.clock.now();
    let details = CompanyDetails::parse(&RawCompany {
        name: Some("URS Machining SA".into()),
        vat_number: Some("BE0123456749".into()),
        street: Some("Rue de l'Industrie 12".into()),
        postal_code: Some("1400".into()),
        city: Some("Nivelles".into()),
        country: Some("BE".into()),
    })
    .unwrap();
    let company = Company {
        id: CompanyId::for_invitation(&invitation.id),
        details,
        invitation_id: invitation.id.clone(),
        created_at: now,
        created_by: Some(invitation.email.clone()),
        created_by_name: None,
        require_second_factor: false,
    };
    let creator = Member {
        account: AccountId::for_first_login(&login),
        email: invitation.email.clone(),
        name: None,
        role: Role::Administrator,
        since: now,
    };
    services
        .members
        .create_company(&company, &creator)
        .await
        .unwrap();
    let linked = LinkedLogin {
        login: login.clone(),
        provider: Provider::Local,
        email: invitation.email.clone(),
        linked_at: now,
        object: None,
    };
    let account = AccountId::for_first_login(&login);
    services
        .people
        .insert_login(&linked, &account)
        .await
        .unwrap();
    services
        .accounts
        .add_administrator(
            &account,
            &linked,
            &company,
            (Locale::En, now),
            invitations::storage::NewRows::Account,
        )
        .await
        .unwrap();
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(
        home.contains("URS Machining SA"),
        "the half-made company shows"
    );

    // The invitation stays `accepted`; staff withdraw it.
    assert_eq!(app.invitation(&id).await["status"], "accepted");
    assert_eq!(revoke(&app, &id).await, 200);
    no_company_left(&app, &id).await;
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(!home.contains("URS Machining SA"), "{home}");
}

/// Issue #28, item 1: withdrawn while the person is at the company form. The form, its
/// post and Home all show the page the link shows ("withdrawn by {name}"), never the form
/// again or a "sign in first".
#[tokio::test]
async fn a_withdrawn_invitation_shows_its_page_at_the_form_its_post_and_home() {
    let app = TestApp::spawn().await;
    let (client, id, csrf) = at_the_company_form(&app).await;
    assert_eq!(revoke(&app, &id).await, 200);
    let withdrawn = "Tamer Mohamed-Nour withdrew this invitation";
    let form = client
        .get(app.url("/api/CreateCompany"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 410);
    let html = form.text().await.unwrap();
    assert!(html.contains(withdrawn), "{html}");
    assert!(!html.contains("id=\"company-form\""), "no form");
    let posted = post_form(
        &client,
        &app.url("/api/CreateCompany"),
        &company_form(&csrf),
    )
    .await;
    assert_eq!(posted.status(), 410);
    assert!(posted.text().await.unwrap().contains(withdrawn));
    let home = client.get(app.url("/api/Home")).send().await.unwrap();
    assert_eq!(home.status(), 410, "Home says it too, without a detour");
    assert!(home.text().await.unwrap().contains(withdrawn));
    no_company_left(&app, &id).await;
}
