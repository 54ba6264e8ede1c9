//! Latency over storage, one request at a time on kept-alive connections: the handler's
//! answer beside the same storage calls (and SMTP send) made straight from here, taken
//! turn about (which side goes first alternates) so both see the same moment.

use crate::stack::Stack;
use crate::stats::Samples;
use crate::storage::{CreateOps, Mail, Tables, Templates, sha256_hex};
use serde_json::Value;
use std::time::{Duration, Instant};

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap_or_else(|e| crate::procs::fail(&format!("HTTP client: {e}")))
}

pub async fn staff_token(client: &reqwest::Client, stack: &Stack) -> Result<String, String> {
    let response = client
        .post(&stack.staff_token_endpoint)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", stack.sales_cli_client_id.as_str()),
            ("client_secret", stack.cli_client_secret.as_str()),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    body.get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no access_token in {body}"))
}

/// An invitation the handler created: its id and its link's secret.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub secret: String,
}

impl Invitation {
    pub fn link_hash(&self) -> String {
        sha256_hex(&self.secret)
    }
    pub fn path(&self) -> String {
        format!("/api/InviteUser?invitationId={}", self.secret)
    }
}

/// Statuses other than the expected one, by code.
#[derive(Default, Debug, Clone)]
pub struct Unexpected(pub std::collections::BTreeMap<u16, u32>);

impl Unexpected {
    pub fn note(&mut self, status: u16) {
        *self.0.entry(status).or_default() += 1;
    }
    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(s, n)| format!("{n}×{s}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub async fn invite(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    email: &str,
) -> Result<(Duration, Result<Invitation, u16>), String> {
    let body = serde_json::json!({ "email": email }).to_string();
    let t0 = Instant::now();
    let response = client
        .post(format!("{base}/api/InviteUser"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let elapsed = t0.elapsed();
    if status != 201 {
        return Ok((elapsed, Err(status)));
    }
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let id = body["id"].as_str().ok_or("no id")?.to_owned();
    let url = body["inviteUrl"].as_str().ok_or("no inviteUrl")?;
    let url = url::Url::parse(url).map_err(|e| e.to_string())?;
    let secret = url
        .query_pairs()
        .find(|(k, _)| k == "invitationId")
        .map(|(_, v)| v.into_owned())
        .ok_or("no invitationId in inviteUrl")?;
    Ok((elapsed, Ok(Invitation { id, secret })))
}

pub async fn open_link(
    client: &reqwest::Client,
    base: &str,
    invitation: &Invitation,
) -> Result<(Duration, u16), String> {
    let t0 = Instant::now();
    let response = client
        .get(format!("{base}{}", invitation.path()))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    response.bytes().await.map_err(|e| e.to_string())?;
    Ok((t0.elapsed(), status))
}

/// `GET url`: its body as JSON.
pub async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    response.json().await.map_err(|e| e.to_string())
}

/// The first email the handler sent, as maildev caught it: (subject, text, html).
pub async fn sample_email(
    client: &reqwest::Client,
    maildev: &str,
) -> Result<(String, String, String), String> {
    let emails = get_json(client, &format!("{maildev}/email")).await?;
    let first = emails.get(0).ok_or("maildev holds no email")?;
    let field = |name: &str| first[name].as_str().unwrap_or_default().to_owned();
    Ok((field("subject"), field("text"), field("html")))
}

/// The staff member the baseline creates are counted against (the handler counts its
/// creates against the token's staff member).
pub const BASELINE_STAFF: &str = "bench-baseline-staff@example.com";

pub struct InviteFigures {
    /// CPU seconds this program spent on the baseline creates, all of them.
    pub baseline_cpu: f64,
    pub handler: Samples,
    pub storage: Samples,
    pub smtp: Samples,
    pub storage_and_smtp: Samples,
    pub unexpected: Unexpected,
    pub created: Vec<Invitation>,
}

/// `count` creates through the handler, each beside one baseline create.
#[allow(clippy::too_many_arguments)]
pub async fn invites(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    tables: &Tables,
    templates: &Templates,
    mail: &Mail,
    run: &str,
    count: usize,
) -> Result<InviteFigures, String> {
    let mut f = InviteFigures {
        baseline_cpu: 0.0,
        handler: Samples::default(),
        storage: Samples::default(),
        smtp: Samples::default(),
        storage_and_smtp: Samples::default(),
        unexpected: Unexpected::default(),
        created: Vec::new(),
    };
    for i in 0..count {
        let handler_first = i % 2 == 0;
        for side in 0..2 {
            if (side == 0) == handler_first {
                let email = format!("bench-{run}-h{i}@example.com");
                let (t, outcome) = invite(client, base, token, &email).await?;
                match outcome {
                    Ok(created) => {
                        f.handler.push(t);
                        f.created.push(created);
                    }
                    Err(status) => f.unexpected.note(status),
                }
            } else {
                let email = format!("bench-{run}-b{i}@example.com");
                let cpu0 = crate::procs::self_cpu_seconds();
                let mut ops = CreateOps::new(tables, templates, email.clone());
                let t0 = Instant::now();
                ops.store(BASELINE_STAFF).await?;
                let t1 = Instant::now();
                mail.send(&email).await?;
                let t2 = Instant::now();
                ops.record_sent().await?;
                let t3 = Instant::now();
                f.baseline_cpu += crate::procs::self_cpu_seconds() - cpu0;
                f.storage.push((t1 - t0) + (t3 - t2));
                f.smtp.push(t2 - t1);
                f.storage_and_smtp.push(t3 - t0);
            }
        }
    }
    Ok(f)
}

pub struct LinkFigures {
    /// CPU seconds this program spent on the baseline reads, all of them.
    pub baseline_cpu: f64,
    pub handler: Samples,
    pub storage: Samples,
    pub unexpected: Unexpected,
}

/// `samples` openings of already-opened links through the handler, each beside the two
/// point reads the handler makes for it.
pub async fn links(
    client: &reqwest::Client,
    base: &str,
    tables: &Tables,
    invitations: &[Invitation],
    samples: usize,
) -> Result<LinkFigures, String> {
    let mut f = LinkFigures {
        baseline_cpu: 0.0,
        handler: Samples::default(),
        storage: Samples::default(),
        unexpected: Unexpected::default(),
    };
    let hashes: Vec<String> = invitations.iter().map(Invitation::link_hash).collect();
    let ids: Vec<&str> = invitations.iter().map(|i| i.id.as_str()).collect();
    for i in 0..samples {
        let k = i % invitations.len();
        let handler_first = i % 2 == 0;
        for side in 0..2 {
            if (side == 0) == handler_first {
                let (t, status) = open_link(client, base, &invitations[k]).await?;
                if status == 302 {
                    f.handler.push(t);
                } else {
                    f.unexpected.note(status);
                }
            } else {
                let cpu0 = crate::procs::self_cpu_seconds();
                let t0 = Instant::now();
                tables.open_link(ids[k], &hashes[k]).await?;
                f.storage.push(t0.elapsed());
                f.baseline_cpu += crate::procs::self_cpu_seconds() - cpu0;
            }
        }
    }
    Ok(f)
}
