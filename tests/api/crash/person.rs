//! The operations of issue #22 ("one person, one account"): signing out (the session
//! ended on the server), the operator's `handler merge-accounts`, removing an
//! administrator (their colleague invitations withdrawn with them) and deleting an
//! account whose address was given two by the code before.

use super::customer::form;
use super::world::World;
use super::{Case, answer};
use crate::support::stack;
use futures::future::BoxFuture;
use std::process::Stdio;

/// Anne's company with Bert, an administrator (invited by staff), and Cleo, whom Bert
/// invited from the company's page, still pending.
pub fn an_administrator_who_invited(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        let bert = world.join("bert", &company, "administrator").await;
        let id = world.invite_from_page("bert", &company, "cleo").await;
        world.values.insert("invitation", id);
        world.values.insert("bert", bert);
        world.values.insert("company", company);
    })
}

/// Anne's company, where her address has a second account, a member, made before one
/// person was one account.
pub fn an_address_with_two_accounts(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        world.twice_made("anne", &company).await;
        world.values.insert("company", company);
    })
}

/// Anne's company with Bert, a member, whose address has a second account in it too.
pub fn a_member_with_two_accounts(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        let bert = world.join("bert", &company, "member").await;
        world.twice_made("bert", &company).await;
        world.values.insert("bert", bert);
        world.values.insert("company", company);
    })
}

pub fn sign_out(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        case.notes().signed_out.insert("anne");
        answer(form(case, "anne", "/api/SignOut", &[])).await;
    })
}

/// `handler merge-accounts`, its storage `storage`; its process id given to `started`
/// as soon as it runs. Whether it finished.
async fn merge_accounts(case: &Case, storage: String, started: impl FnOnce(u32)) -> bool {
    let mut command = crate::binary::handler();
    command
        .arg("merge-accounts")
        .env("PUBLIC_BASE_URL", case.url(""))
        .envs(case.world.settings(&case.prefix))
        .env("INVITATIONS_STORAGE", storage)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    started(child.id());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    status.success()
}

/// The operator's one-off step, killed at the planned storage call.
pub fn merge(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let storage = case.calls().connection_string();
        merge_accounts(case, storage, |pid| case.arm_for(pid)).await;
    })
}

/// The operator runs the step again, straight on storage: it finishes.
pub fn merge_again(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let storage = stack().storage_connection_string.clone();
        assert!(
            merge_accounts(case, storage, |_| {}).await,
            "merge-accounts"
        );
    })
}
