//! Counting the storage calls an operation makes: a pass-through between the handler and
//! the real Azurite that forwards every Table request unchanged (SharedKey signs the
//! path, not the host, so the signature stays valid) and notes what it was: which table,
//! which partition, read, query, insert, update or delete. `TestApp::spawn_counted` puts
//! it in front of the app's storage. Armed with [`StorageCalls::kill_at`], it also stops a
//! handler process with SIGKILL at its Nth call, before that call reaches storage or once
//! storage has answered it (the crash harness, `tests/api/crash/`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use warp::Filter as _;

/// What one storage call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A point read (`GET Table(PartitionKey=…,RowKey=…)`).
    Read,
    /// A query (`GET Table()?$filter=…`).
    Query,
    Insert,
    /// A replace or merge (`PUT`, `MERGE`, `PATCH`).
    Update,
    Delete,
    /// An entity-group transaction (`POST $batch`): one call, several rows of one
    /// partition.
    Batch,
    /// Table creation and anything else.
    Other,
}

impl Kind {
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Self::Insert | Self::Update | Self::Delete | Self::Batch
        )
    }
}

/// One storage call: its kind, table (without the app's prefix) and partition (for a
/// query, the partition its filter names, or `*` when it names none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    pub kind: Kind,
    pub table: String,
    pub partition: String,
}

#[derive(Clone)]
pub struct StorageCalls {
    calls: Arc<Mutex<Vec<Call>>>,
    hold: Arc<Mutex<Option<Hold>>>,
    trap: Arc<Mutex<Trap>>,
    pub port: u16,
}

/// When the process is stopped, relative to its Nth storage call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The call never reaches storage.
    Before,
    /// Storage did what the call asked (a write landed); the process never hears of it.
    After,
}

/// A kill to make: at the `at`-th call counted since it was armed, of process `pid`.
#[derive(Default)]
struct Trap {
    armed: Option<(usize, Moment, u32)>,
    seen: usize,
    /// Set once the process is killed: nothing more of it reaches storage.
    fired: bool,
}

/// What the trap says about one call.
enum Verdict {
    Forward,
    /// Forward it, then kill `pid` before the answer goes back.
    ForwardThenKill(u32),
    /// Killed (now, or earlier): the call goes nowhere.
    Drop,
}

impl Trap {
    fn judge(&mut self) -> Verdict {
        if self.fired {
            return Verdict::Drop;
        }
        let Some((at, moment, pid)) = self.armed else {
            return Verdict::Forward;
        };
        self.seen += 1;
        if self.seen != at {
            return Verdict::Forward;
        }
        self.fired = true;
        match moment {
            Moment::Before => {
                kill(pid);
                Verdict::Drop
            }
            Moment::After => Verdict::ForwardThenKill(pid),
        }
    }
}

/// SIGKILL: the process ends at once, without running another instruction of its own.
fn kill(pid: u32) {
    let pid = i32::try_from(pid).unwrap();
    // SAFETY: kill(2) on a child of this test process, which has not been reaped yet.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

/// A call to keep waiting before it reaches storage, to make an interleaving happen.
struct Hold {
    kind: Kind,
    table: String,
    arrived: tokio::sync::oneshot::Sender<()>,
    release: tokio::sync::oneshot::Receiver<()>,
}

impl StorageCalls {
    /// Starts the pass-through to the Table endpoint of `connection_string`; the app's
    /// tables are named `{prefix}…`.
    pub async fn start(connection_string: &str, prefix: &str) -> Self {
        let parsed = azure_storage::ConnectionString::new(connection_string).unwrap();
        let upstream = url::Url::parse(parsed.table_endpoint.unwrap()).unwrap();
        let origin = format!(
            "{}://{}:{}",
            upstream.scheme(),
            upstream.host_str().unwrap(),
            upstream.port().unwrap()
        );
        let calls = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::new();
        let noted = calls.clone();
        let hold: Arc<Mutex<Option<Hold>>> = Arc::new(Mutex::new(None));
        let holding = hold.clone();
        let trap: Arc<Mutex<Trap>> = Arc::default();
        let trapping = trap.clone();
        let prefix = prefix.to_owned();
        let route = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: warp::http::HeaderMap,
                      body: bytes::Bytes| {
                    let client = client.clone();
                    let origin = origin.clone();
                    let noted = noted.clone();
                    let holding = holding.clone();
                    let trapping = trapping.clone();
                    let prefix = prefix.clone();
                    async move {
                        let mut verdict = Verdict::Forward;
                        if let Some(call) = describe(&method, path.as_str(), &query, &body, &prefix)
                        {
                            verdict = trapping.lock().unwrap().judge();
                            if matches!(verdict, Verdict::Drop) {
                                return gone();
                            }
                            let held = {
                                let mut hold = holding.lock().unwrap();
                                let matches = hold
                                    .as_ref()
                                    .is_some_and(|h| h.kind == call.kind && h.table == call.table);
                                if matches { hold.take() } else { None }
                            };
                            noted.lock().unwrap().push(call);
                            if let Some(held) = held {
                                let _ = held.arrived.send(());
                                let _ = held.release.await;
                            }
                        }
                        let answer = forward(
                            &client,
                            &origin,
                            method,
                            path.as_str(),
                            &query,
                            headers,
                            body,
                        )
                        .await;
                        match verdict {
                            Verdict::ForwardThenKill(pid) => {
                                kill(pid);
                                gone()
                            }
                            _ => answer,
                        }
                    }
                },
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(warp::serve(route).incoming(listener).run());
        Self {
            calls,
            hold,
            trap,
            port,
        }
    }

    /// Kills process `pid` (SIGKILL) at the `at`-th call counted from now, at `moment`;
    /// from then on no call reaches storage through here.
    pub fn kill_at(&self, at: usize, moment: Moment, pid: u32) {
        *self.trap.lock().unwrap() = Trap {
            armed: Some((at, moment, pid)),
            ..Trap::default()
        };
    }

    /// Whether the armed kill happened.
    pub fn killed(&self) -> bool {
        self.trap.lock().unwrap().fired
    }

    /// Keeps the next call of `kind` on `table` waiting: the first receiver says it has
    /// arrived, sending on the second lets it through.
    pub fn hold_next(
        &self,
        kind: Kind,
        table: &str,
    ) -> (
        tokio::sync::oneshot::Receiver<()>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (arrived_tx, arrived_rx) = tokio::sync::oneshot::channel();
        let (release_tx, release_rx) = tokio::sync::oneshot::channel();
        *self.hold.lock().unwrap() = Some(Hold {
            kind,
            table: table.to_owned(),
            arrived: arrived_tx,
            release: release_rx,
        });
        (arrived_rx, release_tx)
    }

    /// The connection string that goes through this pass-through.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://127.0.0.1:{}/devstoreaccount1",
            azure_storage::EMULATOR_ACCOUNT_KEY,
            self.port
        )
    }

    /// The calls noted since the last `take`, in the order they reached storage.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

/// Calls of each table, e.g. `{"Invitations": 2, "Limits": 1}`.
pub fn by_table(calls: &[Call]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for call in calls {
        *counts.entry(call.table.clone()).or_default() += 1;
    }
    counts
}

/// Writes per (table, partition), the most written first.
pub fn writes_by_partition(calls: &[Call]) -> Vec<((String, String), usize)> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for call in calls.iter().filter(|c| c.kind.is_write()) {
        *counts
            .entry((call.table.clone(), call.partition.clone()))
            .or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

fn describe(
    method: &warp::http::Method,
    path: &str,
    query: &str,
    body: &[u8],
    prefix: &str,
) -> Option<Call> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let path = decode(path);
    // /devstoreaccount1/{table}[(keys)]
    let resource = path.trim_start_matches('/').split_once('/')?.1;
    let (table, keys) = match resource.split_once('(') {
        Some((table, keys)) => (table, Some(keys.trim_end_matches(')'))),
        None => (resource, None),
    };
    if table == "$batch" {
        // The table and partition of the first operation inside (all share them).
        let text = String::from_utf8_lossy(body);
        let inner = text
            .lines()
            .find(|l| l.ends_with(" HTTP/1.1") && l.contains(prefix))?;
        let after = &inner[inner.find(prefix)? + prefix.len()..];
        let table = after.split(['(', ' ', '?']).next()?.to_owned();
        let partition = quoted_json(&text, "PartitionKey").unwrap_or_default();
        return Some(Call {
            kind: Kind::Batch,
            table,
            partition,
        });
    }
    let table = table.strip_prefix(prefix)?.to_owned();
    let quoted = |text: &str, name: &str| -> Option<String> {
        let start = text.find(&format!("{name}='"))? + name.len() + 2;
        let end = text[start..].find('\'')? + start;
        Some(text[start..end].to_owned())
    };
    let point = keys.and_then(|k| quoted(k, "PartitionKey"));
    let (kind, partition) = match (method.as_str(), point) {
        ("GET", Some(pk)) => (Kind::Read, pk),
        ("GET", None) => {
            let filter = decode(&query.replace('+', " "));
            let pk = quoted(
                &filter.replace("PartitionKey eq ", "PartitionKey="),
                "PartitionKey",
            );
            (Kind::Query, pk.unwrap_or_else(|| "*".into()))
        }
        ("POST", None) => {
            let row: serde_json::Value = serde_json::from_slice(body).ok()?;
            let pk = row["PartitionKey"].as_str()?.to_owned();
            (Kind::Insert, pk)
        }
        ("PUT" | "MERGE" | "PATCH", Some(pk)) => (Kind::Update, pk),
        ("DELETE", Some(pk)) => (Kind::Delete, pk),
        _ => (Kind::Other, String::new()),
    };
    Some(Call {
        kind,
        table,
        partition,
    })
}

/// The answer to a call of a killed process (nobody reads it).
fn gone() -> warp::reply::Response {
    use warp::Reply as _;
    warp::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// The string value of `"name":"…"` in JSON text.
fn quoted_json(text: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\":\"");
    let start = text.find(&key)? + key.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned())
}

async fn forward(
    client: &reqwest::Client,
    origin: &str,
    method: warp::http::Method,
    path: &str,
    query: &str,
    headers: warp::http::HeaderMap,
    body: bytes::Bytes,
) -> warp::reply::Response {
    let url = if query.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}?{query}")
    };
    let mut request = client.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    use warp::Reply as _;
    let answer = request.send().await.unwrap();
    let status = answer.status();
    let upstream_headers = answer.headers().clone();
    let mut response = answer.bytes().await.unwrap().to_vec().into_response();
    *response.status_mut() = status;
    for (name, value) in &upstream_headers {
        if name != "content-length" && name != "transfer-encoding" {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
