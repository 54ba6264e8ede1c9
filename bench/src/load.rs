//! Load with wrk: the handler's email link, and Azurite alone serving the same
//! point reads per link (pre-signed SharedKey requests, replayed by wrk; a signature covers
//! the method, the date and the resource only, so it can be replayed for the few
//! seconds a run lasts).

use crate::latency::Invitation;
use crate::storage::bucket;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Wrk {
    pub requests: u64,
    pub duration_us: u64,
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    pub status: u64,
    pub timeout: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Wrk {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }
    /// Socket errors, timeouts and answers ≥ 400.
    pub fn errors(&self) -> u64 {
        self.connect + self.read + self.write + self.status + self.timeout
    }
}

/// Several runs of one side added up.
pub fn total(runs: &[Wrk]) -> Wrk {
    let mut t = Wrk::default();
    for r in runs {
        t.requests += r.requests;
        t.duration_us += r.duration_us;
        t.connect += r.connect;
        t.read += r.read;
        t.write += r.write;
        t.status += r.status;
        t.timeout += r.timeout;
        t.p50_us = t.p50_us.max(r.p50_us);
        t.p99_us = t.p99_us.max(r.p99_us);
        t.max_us = t.max_us.max(r.max_us);
    }
    t
}

pub struct Scripts {
    pub dir: PathBuf,
}

impl Scripts {
    fn command(
        &self,
        script: &str,
        url: &str,
        data: &Path,
        connections: u32,
        secs: u64,
    ) -> Command {
        let mut command = Command::new("wrk");
        command
            .env("BENCH_WRK_DIR", &self.dir)
            .arg(format!("-t{}", connections.min(2)))
            .arg(format!("-c{connections}"))
            .arg(format!("-d{secs}s"))
            .arg("--timeout")
            .arg("5s")
            .arg("-s")
            .arg(self.dir.join(script))
            .arg(url)
            .arg("--")
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::procs::tie_to_parent(&mut command);
        command
    }

    pub fn spawn(
        &self,
        script: &str,
        url: &str,
        data: &Path,
        connections: u32,
        secs: u64,
    ) -> Result<Child, String> {
        self.command(script, url, data, connections, secs)
            .spawn()
            .map_err(|e| format!("cannot run wrk: {e}"))
    }

    pub fn run(
        &self,
        script: &str,
        url: &str,
        data: &Path,
        connections: u32,
        secs: u64,
    ) -> Result<Wrk, String> {
        let child = self.spawn(script, url, data, connections, secs)?;
        finish(child)
    }
}

pub fn finish(child: Child) -> Result<Wrk, String> {
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| {
            format!(
                "wrk printed no figures: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    serde_json::from_str(line).map_err(|e| format!("wrk figures {line}: {e}"))
}

pub fn write_lines(path: &Path, lines: impl IntoIterator<Item = String>) -> Result<(), String> {
    let mut file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    for line in lines {
        writeln!(file, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The Table service's SharedKey scheme as the handler's client applies it to a GET.
pub struct Signer {
    endpoint: url::Url,
    account: String,
    key: Vec<u8>,
}

impl Signer {
    pub fn from_connection_string(conn: &str, endpoint: &str) -> Result<Self, String> {
        let field = |name: &str| {
            conn.split(';')
                .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
                .map(str::to_owned)
                .ok_or_else(|| format!("the connection string has no {name}"))
        };
        let key = base64::engine::general_purpose::STANDARD
            .decode(field("AccountKey")?)
            .map_err(|e| format!("AccountKey: {e}"))?;
        Ok(Self {
            endpoint: url::Url::parse(endpoint).map_err(|e| e.to_string())?,
            account: field("AccountName")?,
            key,
        })
    }

    /// (path, x-ms-date, Authorization) of a point read.
    pub fn point_read(&self, table: &str, pk: &str, rk: &str) -> (String, String, String) {
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push(&format!("{table}(PartitionKey='{pk}',RowKey='{rk}')"));
        }
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let to_sign = format!("GET\n\n\n{date}\n/{}{}", self.account, url.path());
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => crate::procs::fail("HMAC key"),
        };
        mac.update(to_sign.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        (
            url.path().to_owned(),
            date,
            format!("SharedKey {}:{signature}", self.account),
        )
    }

    /// The read of each link (its invitation row), signed now, as lines for `table.lua`.
    pub fn link_reads(
        &self,
        prefix: &str,
        invitations: &[Invitation],
    ) -> Vec<(String, String, String)> {
        invitations
            .iter()
            .map(|inv| self.point_read(&format!("{prefix}Invitations"), bucket(&inv.id), &inv.id))
            .collect()
    }
}

/// Checks that a pre-signed read is accepted (200) before wrk replays it.
pub async fn check_signed(
    client: &reqwest::Client,
    origin: &str,
    read: &(String, String, String),
) -> Result<(), String> {
    let response = client
        .get(format!("{origin}{}", read.0))
        .header("Accept", "application/json;odata=fullmetadata")
        .header("x-ms-version", "2022-11-02")
        .header("x-ms-date", &read.1)
        .header("Authorization", &read.2)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if status.as_u16() == 200 {
        Ok(())
    } else {
        Err(format!(
            "Azurite refused a pre-signed read: {status} {}",
            response.text().await.unwrap_or_default()
        ))
    }
}

/// The handler's storage client alone: `connections` tasks in this program, each opening
/// links one after another with the link's point read, through the same SDK and client
/// settings as the handler, for `seconds`. Answers (links opened, errors, seconds).
/// `links` are (invitation id, link hash).
pub async fn sdk_links(
    tables: &crate::storage::Tables,
    links: &[(String, String)],
    connections: u32,
    seconds: u64,
) -> (u64, u64, f64) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..connections as usize {
        let tables = tables.clone();
        let links = links.to_vec();
        tasks.push(tokio::spawn(async move {
            let (mut done, mut errors) = (0u64, 0u64);
            let mut k = worker;
            while tokio::time::Instant::now() < deadline {
                let (id, hash) = &links[k % links.len()];
                match tables.open_link(id, hash).await {
                    Ok(()) => done += 1,
                    Err(_) => errors += 1,
                }
                k += 1;
            }
            (done, errors)
        }));
    }
    let (mut done, mut errors) = (0, 0);
    for task in tasks {
        if let Ok((d, e)) = task.await {
            done += d;
            errors += e;
        } else {
            errors += 1;
        }
    }
    (done, errors, started.elapsed().as_secs_f64())
}
