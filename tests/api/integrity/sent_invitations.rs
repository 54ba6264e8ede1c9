//! Finding 4: the retention purge takes a colleague invitation's company history (which
//! names the invitee) with it.

use super::{company_post, invite_from_page, pending_id};
use crate::organisations::onboard;
use crate::privacy::all_rows;
use crate::support::{TestApp, unique_email};

#[tokio::test]
async fn the_retention_purge_takes_a_withdrawn_invitations_company_history_with_it() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (client, company) = onboard(&app, &anne, "Purge History SA").await;
    let zed = unique_email("zed");
    assert_eq!(
        invite_from_page(&app, &client, &company, &zed, "member")
            .await
            .status(),
        303
    );
    let id = pending_id(&app, &client, &company, &zed).await;
    let path = format!("/api/Companies/{company}/invitations/{id}/revoke");
    assert_eq!(
        company_post(&app, &client, &company, &path, &[])
            .await
            .status(),
        303
    );
    assert!(all_rows(&app).await.contains(&zed.to_lowercase()));

    app.clock.advance(time::Duration::days(91));
    let purged = app.run_timer("PurgeEnded").await;
    assert_eq!(purged["ReturnValue"]["invitations"], 1, "{purged}");
    let rows = all_rows(&app).await;
    assert!(
        !rows.contains(&zed.to_lowercase()),
        "nothing names the invitee any more: {}",
        rows.lines()
            .filter(|l| l.contains(&zed.to_lowercase()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
