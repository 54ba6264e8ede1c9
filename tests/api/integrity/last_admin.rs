//! Finding 2: the last-administrator rule for a customer's own deletion is decided on the
//! roster it writes (the ETag-guarded write demotion uses), so two administrators deleting
//! their accounts at once cannot both go; and a company an erasure leaves without an
//! administrator is recorded for staff, never thrown away.

use super::{accept_with, delete_own_account, invite_into, newest_link};
use crate::organisations::onboard;
use crate::support::browser::{browser, location};
use crate::support::{TestApp, unique_email};
use invitations::domain::account::{CompanyId, Role};

#[tokio::test]
async fn of_two_administrators_deleting_their_accounts_at_once_one_is_refused() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (anne_browser, company) = onboard(&app, &anne, "Two Admins SA").await;
    let bert = unique_email("bert");
    invite_into(&app, &bert, &company, "administrator").await;
    let bert_browser = browser();
    let response = accept_with(&bert_browser, &newest_link(&bert, 1).await, &bert, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let carl = unique_email("carl");
    invite_into(&app, &carl, &company, "member").await;
    let response = accept_with(&browser(), &newest_link(&carl, 1).await, &carl, "local").await;
    assert_eq!(location(&response), "/api/Home");

    let (a, b) = tokio::join!(
        delete_own_account(&app, &anne_browser),
        delete_own_account(&app, &bert_browser)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    // A deletion that went through signs out (303 to the provider's sign-out).
    assert_eq!(statuses, [303, 409], "exactly one of them goes");

    let id = CompanyId::parse(&company).unwrap();
    let stored = app.services.accounts.company(&id).await.unwrap().unwrap();
    let (roster, _) = app.services.members.roster(&stored).await.unwrap();
    assert_eq!(roster.members.len(), 2, "{roster:?}");
    assert_eq!(
        roster
            .members
            .iter()
            .filter(|m| m.role == Role::Administrator)
            .count(),
        1,
        "the company keeps an administrator"
    );
}

#[tokio::test]
async fn a_company_a_deletion_leaves_without_an_administrator_is_recorded_for_staff() {
    let app = TestApp::spawn().await;
    let dora = unique_email("dora");
    let (client, company) = onboard(&app, &dora, "Alone SA").await;
    let response = delete_own_account(&app, &client).await;
    assert_eq!(response.status(), 303, "deleted, and signed out");
    let requests = app.table_rows("PrivacyRequests").await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["Kind"], "self-delete");
    assert_eq!(
        requests[0]["CompaniesWithoutAdministrator"], company,
        "{:?}",
        requests[0]
    );
}
