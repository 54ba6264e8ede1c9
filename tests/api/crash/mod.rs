//! Crash anywhere, lose nothing (issue #23): every operation that writes, cut short at
//! each of its storage calls in turn, then taken up by the person or the timer.
//!
//! For each operation of [`operations::ALL`] (its name, the state it starts from, the
//! request, and what the person or the timer does next):
//! 1. the setup runs once, against a handler of its own (`world.rs`), and its rows and
//!    each person's cookies are kept;
//! 2. an uninterrupted case counts the operation's storage calls, N;
//! 3. then for every n in 1..=N and both moments (before call n reaches storage, or once
//!    storage answered it: the write landed, the instance never learns it), a case:
//!    fresh tables holding the setup's rows (`tables.rs`), a `handler` process (the real
//!    binary, `instance.rs`) whose storage goes through the counting pass-through, which
//!    SIGKILLs it at call n; a new process on the same port (same public address, same
//!    `COOKIE_KEY`, so sessions survive); what the person or the timer does next; ten
//!    minutes pass for the rows (as an older run would have written them); the timers
//!    (`RetryDeliveries`, `PurgeEnded`, `SendReminders`); and the rules of `invariants.rs`.
//!
//! `CRASH_ONLY=name,name` runs only those operations; `CRASH_LOGS=1` shows the handler's
//! logs. The figures (operations, cases, time) are printed at the end.

mod customer;
mod events;
mod instance;
mod invariants;
mod operations;
mod person;
mod reminder;
mod staff;
mod tables;
mod world;

use crate::support::browser::Browser;
use crate::support::stack;
use crate::support::storage_calls::{Moment, StorageCalls};
use futures::StreamExt as _;
use futures::future::BoxFuture;
use instance::{Instance, Settings, free_port};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tables::Snapshot;
use world::World;

/// A step of an operation, given the case it runs in.
pub type Step = for<'a> fn(&'a Case) -> BoxFuture<'a, ()>;
/// The making of the state an operation starts from.
pub type Setup = for<'a> fn(&'a mut World) -> BoxFuture<'a, ()>;

/// One row of the table: an operation and how to drive it.
pub struct Operation {
    pub name: &'static str,
    /// The state it starts from, made once.
    pub setup: Setup,
    /// What comes before the request and is not part of it (opening a link, signing in
    /// at the provider), against the first instance, its calls not counted.
    pub prepare: Option<Step>,
    /// The request, or the timer's call: its storage calls are the ones cut short.
    pub request: Step,
    /// What the person or the timer does next, against the restarted instance.
    pub next: Next,
}

pub enum Next {
    /// The same request again (the person retries, the timer runs again).
    Again,
    Then(Step),
}

/// What a case's requests were answered, for the rules.
#[derive(Default)]
pub struct Notes {
    /// Invitations an answer named (a 201, a resend's 200, a bulk's `created` row).
    pub answered_ids: BTreeSet<String>,
    /// Invitations a refusal named (a 409: "this address has invitation …").
    pub named_ids: BTreeSet<String>,
    /// Addresses a page's answer said an invitation went to.
    pub answered_to: BTreeSet<String>,
    /// Addresses erased: they must appear nowhere.
    pub erased: BTreeSet<String>,
    /// People who signed out: their session (a copy of its cookie) opens nothing.
    pub signed_out: BTreeSet<&'static str>,
}

/// One run of an operation: its own tables, instances, cookies and notes.
pub struct Case {
    pub world: Arc<World>,
    pub prefix: String,
    settings: Settings,
    /// Unique to the case: new addresses are made from it.
    pub tag: String,
    browsers: Mutex<BTreeMap<&'static str, Browser>>,
    calls: StorageCalls,
    plan: Option<(usize, Moment)>,
    pid: u32,
    pub before_rows: Arc<Snapshot>,
    /// maildev's ids of the emails the setup's addresses had when the case began.
    pub mails_before: BTreeSet<String>,
    notes: Mutex<Notes>,
    /// What one step leaves for the next (a callback address…).
    scratch: Mutex<BTreeMap<&'static str, String>>,
}

/// The answer to a request, or `None` when the instance died under it.
pub async fn answer(request: reqwest::RequestBuilder) -> Option<reqwest::Response> {
    request.send().await.ok()
}

impl Case {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.address())
    }

    /// A link made by the setup's handler, pointed at this case's instances.
    pub fn rebase(&self, link: &str) -> String {
        let url = url::Url::parse(link).unwrap();
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        self.url(&format!("{}{query}", url.path()))
    }

    /// The staff token (sales and privacy roles).
    pub fn staff(&self) -> String {
        self.world.staff_token()
    }

    pub fn value(&self, key: &str) -> &str {
        self.world.value(key)
    }

    pub fn email(&self, name: &str) -> &str {
        &self.world.people[name].email
    }

    pub fn csrf(&self, name: &str) -> String {
        self.world.people[name].csrf.clone()
    }

    /// A new address, the same in the request and in its retry.
    pub fn new_email(&self, name: &str) -> String {
        format!("{name}.{}@customer.example", self.tag)
    }

    /// `name`'s browser in this case: the setup's cookies, then whatever this case adds
    /// (a person the setup did not know starts with none).
    pub fn browser(&self, name: &'static str) -> reqwest::Client {
        let mut browsers = self.browsers.lock().unwrap();
        browsers
            .entry(name)
            .or_insert_with(|| {
                self.world
                    .people
                    .get(name)
                    .map_or_else(Browser::new, |p| p.browser.copy("127.0.0.1"))
            })
            .client
            .clone()
    }

    /// From here on the calls count: the instance is killed at the planned one.
    fn arm(&self) {
        self.calls.take();
        if let Some((at, moment)) = self.plan {
            self.calls.kill_at(at, moment, self.pid);
        }
    }

    /// Moves the planned kill to process `pid` (a one-off `handler` command the
    /// request runs instead of asking the first instance), its calls counted from here.
    pub fn arm_for(&self, pid: u32) {
        self.calls.take();
        if let Some((at, moment)) = self.plan {
            self.calls.kill_at(at, moment, pid);
        }
    }

    /// The pass-through between the first instance and storage.
    pub fn calls(&self) -> &StorageCalls {
        &self.calls
    }

    /// Another instance of the case, straight on storage (for a second actor).
    pub async fn another_instance(&self) -> (Instance, String) {
        let settings = Settings {
            port: free_port(),
            ..self.settings.clone()
        };
        let instance = Instance::start(&settings, &stack().storage_connection_string).await;
        (instance, settings.address())
    }

    pub fn notes(&self) -> MutexGuard<'_, Notes> {
        self.notes.lock().unwrap()
    }

    /// Notes the invitations a JSON answer names: its `id`, or each `created` row's.
    pub async fn note_answer(
        &self,
        answer: Option<reqwest::Response>,
    ) -> Option<serde_json::Value> {
        let answer = answer?;
        let status = answer.status();
        let body: serde_json::Value = answer.json().await.ok()?;
        let mut notes = self.notes();
        if status == reqwest::StatusCode::CONFLICT {
            if let Some(id) = body["id"].as_str() {
                notes.named_ids.insert(id.to_owned());
            }
        }
        if status.is_success() {
            if let Some(id) = body["id"].as_str() {
                notes.answered_ids.insert(id.to_owned());
            }
            for row in body["results"].as_array().into_iter().flatten() {
                let id = row["id"].as_str().map(str::to_owned);
                match row["status"].as_str() {
                    Some("created") => notes.answered_ids.extend(id),
                    Some("duplicate") => notes.named_ids.extend(id),
                    _ => {}
                }
            }
        }
        Some(body)
    }

    pub fn keep(&self, key: &'static str, value: String) {
        self.scratch.lock().unwrap().insert(key, value);
    }

    pub fn kept(&self, key: &str) -> Option<String> {
        self.scratch.lock().unwrap().get(key).cloned()
    }
}

/// The answers an operation's cases broke rules in, and how many calls it makes.
struct Outcome {
    calls: usize,
    cases: usize,
    broken: Vec<String>,
}

/// One case: the calls counted, whether the planned cut was missed (the operation ended
/// before that call), and the rules it broke.
async fn run_case(
    op: &Operation,
    world: &Arc<World>,
    rows: &Arc<Snapshot>,
    plan: Option<(usize, Moment)>,
) -> (usize, bool, Vec<String>) {
    let prefix = crate::support::unique("k");
    tables::restore(&prefix, rows).await;
    let mut mails_before = BTreeSet::new();
    for invitation in rows["Invitations"]
        .iter()
        .filter(|r| !invariants::is_figures(r))
    {
        let email = invitation["Email"].as_str().unwrap();
        for mail in crate::support::mailbox::sent_to(&stack().maildev_url, email).await {
            mails_before.insert(mail.id);
        }
    }
    let settings = Settings {
        port: free_port(),
        vars: world.settings(&prefix),
    };
    let calls = StorageCalls::start(&stack().storage_connection_string, &prefix).await;
    let first = Instance::start(&settings, &calls.connection_string()).await;
    let case = Case {
        world: world.clone(),
        prefix: prefix.clone(),
        tag: crate::support::unique("case"),
        settings,
        browsers: Mutex::default(),
        calls,
        plan,
        pid: first.pid(),
        before_rows: rows.clone(),
        mails_before,
        notes: Mutex::default(),
        scratch: Mutex::default(),
    };
    if let Some(prepare) = op.prepare {
        prepare(&case).await;
    }
    case.arm();
    (op.request)(&case).await;
    let counted = case.calls.take().len();
    let missed = plan.is_some() && !case.calls.killed();
    let mut broken = Vec::new();
    first.kill();
    let second = Instance::start(&case.settings, &stack().storage_connection_string).await;
    match &op.next {
        Next::Again => (op.request)(&case).await,
        Next::Then(next) => next(&case).await,
    }
    tables::age(&prefix, time::Duration::minutes(10)).await;
    for name in ["RetryDeliveries", "PurgeEnded", "SendReminders"] {
        let answer = staff::timer(&case, name).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{name}");
    }
    broken.extend(invariants::broken(&case).await);
    second.kill();
    tables::drop(&prefix).await;
    let at = plan.map_or("uninterrupted".to_owned(), |(n, m)| {
        format!("{m:?} call {n}")
    });
    let broken = broken
        .into_iter()
        .map(|b| format!("{} ({at}): {b}", op.name))
        .collect();
    (counted, missed, broken)
}

async fn run(op: &Operation) -> Outcome {
    let mut world = World::new().await;
    (op.setup)(&mut world).await;
    let rows = Arc::new(tables::snapshot(&world.app.table_prefix).await);
    let world = Arc::new(world);
    let (calls, _, mut broken) = run_case(op, &world, &rows, None).await;
    assert!(calls > 0, "{}: no storage call counted", op.name);
    let mut cases = 1;
    for n in 1..=calls {
        for moment in [Moment::Before, Moment::After] {
            // Some operations make a call more or less from one run to the next (the bulk's
            // rows meet on a sales figures row and write it again): a run that ended before
            // call `n` is made again, so that the cut still happens. A third run that made
            // fewer than `n` calls is the shorter variant (its rules are still checked); one
            // that made `n` or more without being cut is a harness that does not cut: broken.
            for attempt in 1.. {
                let (counted, missed, found) = run_case(op, &world, &rows, Some((n, moment))).await;
                if missed && attempt < 3 {
                    continue;
                }
                if missed && counted >= n {
                    broken.push(format!(
                        "{}: never cut at call {n} ({moment:?}), {counted} calls made",
                        op.name
                    ));
                }
                broken.extend(found);
                break;
            }
            cases += 1;
        }
    }
    Outcome {
        calls,
        cases,
        broken,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_cut_short_at_any_storage_call_loses_nothing() {
    let only = std::env::var("CRASH_ONLY").ok();
    let chosen: Vec<&'static Operation> = operations::ALL
        .iter()
        .filter(|op| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|n| n == op.name))
        })
        .collect();
    let started = Instant::now();
    let at_once = std::env::var("CRASH_AT_ONCE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let outcomes: Vec<Outcome> = futures::stream::iter(chosen.iter().map(|op| async move {
        let began = Instant::now();
        let outcome = run(op).await;
        eprintln!(
            "crash: {:<40} {:>3} calls {:>4} cases {:>6.1} s",
            op.name,
            outcome.calls,
            outcome.cases,
            began.elapsed().as_secs_f64()
        );
        outcome
    }))
    .buffer_unordered(at_once)
    .collect()
    .await;
    let cases: usize = outcomes.iter().map(|o| o.cases).sum();
    let broken: Vec<&String> = outcomes.iter().flat_map(|o| &o.broken).collect();
    eprintln!(
        "crash: {} operations, {cases} cases, {:.1} s",
        chosen.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        broken.is_empty(),
        "{} broken rules:\n{}",
        broken.len(),
        broken
            .iter()
            .map(|b| b.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
