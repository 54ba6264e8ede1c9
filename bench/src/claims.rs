//! `POST /api/TokenIssuanceStart` (issue #26, the custom claims provider), one request at
//! a time beside its two storage calls made straight from here: the point read of the
//! person's index row (`Accounts`, `object-{sha256(tid, oid)}` / `object`) and the query
//! of the account's partition for its `company-…` rows. The caller's token is the one
//! the local customer stand-in signs as Entra's events service would
//! (`/events-service/token`); the person's rows are written here, of the handler's
//! shape, for a person of the B2C stand-in's tenant.

use crate::latency::{Unexpected, get_json};
use crate::stats::Samples;
use crate::storage::{Row, Tables, sha256_hex};
use futures::StreamExt as _;
use serde_json::{Value, json};
use std::time::Instant;

/// The handler's `CLAIMS_AUDIENCE` in the benchmark.
pub const AUDIENCE: &str = "api://bench-claims-provider";
/// The tenant of the local B2C stand-in (`local/idp/b2c.mjs`, its issuer's GUID).
const TENANT: &str = "6f1d3b2a-0000-4000-8000-00000000b2c0";

pub struct ClaimsFigures {
    pub handler: Samples,
    pub storage: Samples,
    pub unexpected: Unexpected,
}

/// The figures' lines in the latency table.
pub fn report(f: &ClaimsFigures, out: &mut Vec<String>) {
    out.push(crate::row(
        "POST TokenIssuanceStart (200): handler",
        &f.handler,
    ));
    out.push(crate::row(
        "TokenIssuanceStart: its 2 calls, straight",
        &f.storage,
    ));
    out.push(format!(
        "  overhead: difference of medians {} (the token check and the answer); p99 {} (Entra allows 2 s: {})",
        crate::ms(f.handler.median() - f.storage.median()),
        crate::ms(f.handler.p99()),
        crate::verdict(f.handler.p99() < 2000.0)
    ));
    if f.unexpected.total() > 0 {
        out.push(format!(
            "  unexpected answers: TokenIssuanceStart {}",
            f.unexpected.describe()
        ));
    }
}

/// A person of `companies` companies, written straight to the tables: their object id
/// and account id.
async fn seed(tables: &Tables, run: &str, companies: usize) -> Result<(String, String), String> {
    let (oid, account) = (format!("bench-{run}-oid"), format!("bench{run}"));
    let mut index = Row::new();
    index.insert("PartitionKey".into(), object_partition(&oid).into());
    index.insert("RowKey".into(), "object".into());
    index.insert("AccountId".into(), account.clone().into());
    index.insert("Login".into(), "login-bench".into());
    Tables::insert_absent(&tables.accounts, &index).await?;
    for n in 0..companies {
        let mut membership = Row::new();
        membership.insert("PartitionKey".into(), format!("acct-{account}").into());
        membership.insert("RowKey".into(), format!("company-c{n:026}").into());
        membership.insert("CompanyName".into(), format!("Bench {n}").into());
        membership.insert("Role".into(), "administrator".into());
        Tables::insert_absent(&tables.accounts, &membership).await?;
    }
    Ok((oid, account))
}

fn object_partition(oid: &str) -> String {
    format!("object-{}", sha256_hex(&format!("{TENANT}\n{oid}")))
}

/// The two calls the handler makes, straight.
async fn straight(tables: &Tables, oid: &str, account: &str) -> Result<usize, String> {
    let (index, _) = Tables::read(&tables.accounts, &object_partition(oid), "object").await?;
    if index.get("AccountId").and_then(Value::as_str) != Some(account) {
        return Err("the index row names another account".into());
    }
    let filter = format!(
        "PartitionKey eq 'acct-{account}' and RowKey gt 'company-' and RowKey lt 'company.'"
    );
    let mut pages = tables.accounts.query().filter(filter).into_stream::<Row>();
    let mut rows = 0;
    while let Some(page) = pages.next().await {
        rows += page.map_err(|e| format!("query: {e}"))?.entities.len();
    }
    Ok(rows)
}

/// `samples` calls through the handler, each beside its two storage calls.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token_url: &str,
    tables: &Tables,
    run: &str,
    samples: usize,
) -> Result<ClaimsFigures, String> {
    let token = get_json(client, &format!("{token_url}?shape=b2c&aud={AUDIENCE}")).await?;
    let token = token["access_token"]
        .as_str()
        .ok_or("no events token")?
        .to_owned();
    let (oid, account) = seed(tables, run, 3).await?;
    let body = json!({
        "type": "microsoft.graph.authenticationEvent.tokenIssuanceStart",
        "data": {"tenantId": TENANT, "authenticationContext": {"user": {"id": oid}}}
    })
    .to_string();
    let mut f = ClaimsFigures {
        handler: Samples::default(),
        storage: Samples::default(),
        unexpected: Unexpected::default(),
    };
    for i in 0..samples + 5 {
        let handler_first = i % 2 == 0;
        for side in 0..2 {
            let t0 = Instant::now();
            if (side == 0) == handler_first {
                let response = client
                    .post(format!("{base}/api/TokenIssuanceStart"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let answer: Value = response.json().await.unwrap_or_default();
                let roles = &answer["data"]["actions"][0]["claims"]["companyRoles"];
                match (status, roles.as_array().map(Vec::len)) {
                    (200, Some(3)) if i >= 5 => f.handler.push(t0.elapsed()),
                    (200, Some(3)) => {} // warm-up: keys, connections
                    _ => f.unexpected.note(status),
                }
            } else if straight(tables, &oid, &account).await? == 3 && i >= 5 {
                f.storage.push(t0.elapsed());
            }
        }
    }
    Ok(f)
}
