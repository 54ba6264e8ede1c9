//! Finding 1, the rows already there: accounts that share an address (made by the code
//! before this change) are merged into one by an operator step, `handler merge-accounts`,
//! which can be run again and finishes what a stopped run left.

use super::profiles_of;
use crate::account::{enrol, give_code, sign_in};
use crate::organisations::onboard;
use crate::support::browser::{location, page};
use crate::support::storage_calls::Kind;
use crate::support::totp::code_at;
use crate::support::{TestApp, random_cookie_key, stack, unique_email};
use invitations::clock::Clock as _;
use invitations::domain::account::{AccountId, CompanyId, Role, login_key};
use invitations::domain::email::EmailAddress;
use invitations::domain::invitation::LoginId;
use invitations::domain::membership::Member;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The `sub` the local B2C stand-in gives `email` signing in with `idp` (its `stableId`).
pub(crate) fn local_subject(idp: &str, email: &str) -> String {
    let h: String = Sha256::digest(format!("b2c\n{idp}\n{}", email.to_lowercase()).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let variant = (u8::from_str_radix(&h[16..17], 16).unwrap() & 0x3) | 0x8;
    format!(
        "{}-{}-5{}-{variant:x}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

async fn insert(app: &TestApp, table: &str, row: Value) {
    app.table(table)
        .insert::<_, Value>(&row)
        .unwrap()
        .await
        .unwrap();
}

/// Writes what the code before this change made when `email`'s Google login accepted a
/// member invitation into `company` while `email` had an account already: a second
/// account (its profile, listed login, membership and language), the Google login's row
/// leading to it, and its place on the company's roster. Returns its id.
pub(crate) async fn duplicate_account(app: &TestApp, email: &str, company: &str) -> AccountId {
    let issuer = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .find(|r| {
            r["RowKey"] == "login"
                && r["Email"]
                    .as_str()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .expect("the first account's login row")["Issuer"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = LoginId {
        issuer: issuer.clone(),
        subject: local_subject("google.com", email),
    };
    let key = login_key(&login);
    let account = AccountId::for_first_login(&login);
    let partition = format!("acct-{}", account.as_str());
    let at = "2026-11-01T10:00:00Z";
    let date = "Edm.DateTime";
    insert(
        app,
        "Accounts",
        json!({"PartitionKey": format!("login-{key}"), "RowKey": "login",
        "AccountId": account.as_str(), "Issuer": issuer, "Subject": login.subject, "Email": email,
        "LinkedAt": at, "LinkedAt@odata.type": date}),
    )
    .await;
    insert(
        app,
        "Accounts",
        json!({"PartitionKey": partition, "RowKey": "profile", "Email": email,
        "CreatedAt": at, "CreatedAt@odata.type": date}),
    )
    .await;
    insert(
        app,
        "Accounts",
        json!({"PartitionKey": partition, "RowKey": format!("login-{key}"),
        "Issuer": issuer, "Subject": login.subject, "Provider": "google.com", "Email": email,
        "LinkedAt": at, "LinkedAt@odata.type": date}),
    )
    .await;
    insert(
        app,
        "Accounts",
        json!({"PartitionKey": partition, "RowKey": format!("company-{company}"),
        "CompanyName": "Dup Two SA", "Role": "member"}),
    )
    .await;
    insert(
        app,
        "Accounts",
        json!({"PartitionKey": partition, "RowKey": "language", "Locale": "en"}),
    )
    .await;
    let id = CompanyId::parse(company).unwrap();
    let stored = app.services.accounts.company(&id).await.unwrap().unwrap();
    let (mut roster, etag) = app.services.members.roster(&stored).await.unwrap();
    roster.members.push(Member {
        account: account.clone(),
        email: EmailAddress::parse(email).unwrap(),
        name: None,
        role: Role::Member,
        since: app.clock.now(),
    });
    app.services
        .members
        .save(&id, &roster, etag.as_deref(), &[])
        .await
        .unwrap();
    account
}

fn merge_accounts(app: &TestApp, cookie_key: &str) -> String {
    let mut command = crate::binary::handler();
    command.arg("merge-accounts").envs([
        (
            "INVITATIONS_STORAGE",
            stack().storage_connection_string.as_str(),
        ),
        ("TABLE_PREFIX", app.table_prefix.as_str()),
        ("COOKIE_KEY", cookie_key),
    ]);
    let output = command.output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}\n{errors}");
    said
}

/// The account ids on a company's roster.
async fn roster_accounts(app: &TestApp, company: &str) -> Vec<String> {
    let id = CompanyId::parse(company).unwrap();
    let stored = app.services.accounts.company(&id).await.unwrap().unwrap();
    let (roster, _) = app.services.members.roster(&stored).await.unwrap();
    roster
        .members
        .iter()
        .map(|m| m.account.as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn merge_accounts_makes_one_account_of_each_address_keeps_mfa_and_is_idempotent() {
    let cookie_key = random_cookie_key();
    let app = TestApp::spawn_with(vec![("COOKIE_KEY", Some(cookie_key.clone()))], |_| {}).await;
    let alice = unique_email("merge");
    let (_, c1) = onboard(&app, &alice, "Merge One SA").await;
    let bob = unique_email("bob");
    let (_, d) = onboard(&app, &bob, "Dup Two SA").await;
    let duplicate = duplicate_account(&app, &alice, &d).await;
    // The duplicate has MFA on (signed in with its Google login, which still opens it).
    let (google, response) = sign_in(&app, &alice, "google.com").await;
    assert_eq!(location(&response), "/api/Home");
    let (secret, _) = enrol(&app, &google).await;
    assert_eq!(profiles_of(&app, &alice).await.len(), 2);

    let said = merge_accounts(&app, &cookie_key);
    assert_eq!(
        said,
        "merge-accounts: 1 address had 2 accounts; 1 account merged into another"
    );
    assert_eq!(profiles_of(&app, &alice).await.len(), 1, "one account left");
    let survivor = profiles_of(&app, &alice).await[0]["PartitionKey"]
        .as_str()
        .unwrap()
        .trim_start_matches("acct-")
        .to_owned();
    assert_eq!(
        survivor,
        duplicate.as_str(),
        "the account with MFA on is kept"
    );
    assert!(roster_accounts(&app, &c1).await.contains(&survivor));
    assert!(roster_accounts(&app, &d).await.contains(&survivor));
    // The product's claims follow (issue #26): each of Alice's logins' tenant-and-object-id
    // rows, the merged account's password login's included, names the survivor; none
    // names an account that is gone.
    let rows = app.table_rows("Accounts").await;
    let key = |r: &serde_json::Value| r["PartitionKey"].as_str().unwrap().to_owned();
    let objects: Vec<String> = rows
        .iter()
        .filter(|r| key(r).starts_with("object-"))
        .map(|r| r["AccountId"].as_str().unwrap().to_owned())
        .collect();
    let accounts: Vec<String> = rows
        .iter()
        .filter(|r| r["RowKey"] == "profile")
        .map(|r| key(r).trim_start_matches("acct-").to_owned())
        .collect();
    assert_eq!(
        objects.iter().filter(|a| **a == survivor).count(),
        2,
        "{objects:?}"
    );
    assert!(objects.iter().all(|a| accounts.contains(a)), "{objects:?}");

    // Either login now opens the one account, after its code.
    for idp in ["local", "google.com"] {
        let (client, response) = sign_in(&app, &alice, idp).await;
        assert_eq!(
            location(&response),
            "/api/Profile/mfa",
            "{idp}: the code is asked"
        );
        // The next step's code (the clock moves on past each one used).
        let code = code_at(&secret, app.clock.now() + time::Duration::seconds(30));
        assert_eq!(give_code(&app, &client, &code).await.status(), 303);
        let home = page(&client, &app.url("/api/Home")).await;
        assert!(
            home.contains("Merge One SA") && home.contains("Dup Two SA"),
            "{idp}: {home}"
        );
        app.clock.advance(time::Duration::seconds(61));
    }

    // Again: nothing left to merge, nothing changed.
    let before = crate::privacy::all_rows(&app).await;
    assert_eq!(
        merge_accounts(&app, &cookie_key),
        "merge-accounts: 0 addresses had 2 accounts or more; 0 accounts merged"
    );
    assert_eq!(crate::privacy::all_rows(&app).await, before);
}

#[tokio::test]
async fn a_merge_stopped_half_way_is_finished_by_running_it_again() {
    let cookie_key = random_cookie_key();
    let (app, calls) = TestApp::spawn_counted(vec![("COOKIE_KEY", Some(cookie_key.clone()))]).await;
    let alice = unique_email("stop");
    let (_, c1) = onboard(&app, &alice, "Stop One SA").await;
    let bob = unique_email("bob");
    let (_, d) = onboard(&app, &bob, "Dup Two SA").await;
    let duplicate = duplicate_account(&app, &alice, &d).await;
    // Stopped at its roster write (the logins already lead to the account kept), then at
    // the first row it deletes.
    let mut kept = Vec::new();
    for (kind, table) in [(Kind::Batch, "Companies"), (Kind::Delete, "Accounts")] {
        let (arrived, release) = calls.hold_next(kind, table);
        let services = app.services.clone();
        let run =
            tokio::spawn(
                async move { invitations::service::person::merge_duplicates(&services).await },
            );
        arrived.await.unwrap();
        run.abort();
        kept.push(release); // never let the held call through: the process "died" there
    }
    assert_eq!(
        merge_accounts(&app, &cookie_key),
        "merge-accounts: 1 address had 2 accounts; 1 account merged into another"
    );
    let profiles = profiles_of(&app, &alice).await;
    assert_eq!(profiles.len(), 1);
    let survivor = profiles[0]["PartitionKey"]
        .as_str()
        .unwrap()
        .trim_start_matches("acct-")
        .to_owned();
    assert_ne!(
        survivor,
        duplicate.as_str(),
        "without MFA the first account is kept"
    );
    for company in [&c1, &d] {
        let on_roster = roster_accounts(&app, company).await;
        assert!(on_roster.contains(&survivor), "{company}: {on_roster:?}");
        assert!(!on_roster.contains(&duplicate.as_str().to_owned()));
    }
    assert!(
        !app.table_rows("Accounts")
            .await
            .iter()
            .any(|r| r["PartitionKey"] == format!("acct-{}", duplicate.as_str())),
        "nothing of the merged account is left"
    );
    for idp in ["local", "google.com"] {
        let (client, response) = sign_in(&app, &alice, idp).await;
        assert_eq!(location(&response), "/api/Home", "{idp}");
        let home = page(&client, &app.url("/api/Home")).await;
        assert!(
            home.contains("Stop One SA") && home.contains("Dup Two SA"),
            "{idp}: {home}"
        );
    }
    drop(kept);
}
