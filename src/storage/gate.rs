//! Table readiness: the handler answers at once after a cold start while its tables are
//! created in the background, so every storage call first waits (a few seconds at most)
//! for that creation to be done, then goes on. A call that still finds its table missing
//! gets `TableNotFound`, which is "unavailable" (a 503 with `Retry-After`,
//! [`super::table::classify`]): a missing table is never read as an empty one.
//!
//! It sits in the storage client's pipeline, so every store passes through it without
//! knowing; only the table creation itself (`POST …/Tables`) goes through at once.

use async_trait::async_trait;
use azure_core::error::ErrorKind;
use azure_core::{Context, Method, Policy, PolicyResult, Request};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a storage call waits for the tables before it gives up.
pub const TABLES_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct TableGate {
    ready: Arc<watch::Sender<bool>>,
    wait: Duration,
}

impl TableGate {
    /// A closed gate: calls wait until [`open`](Self::open), at most `wait`.
    pub fn new(wait: Duration) -> Self {
        Self {
            ready: Arc::new(watch::Sender::new(false)),
            wait,
        }
    }

    /// The tables exist: every call goes through from now on.
    pub fn open(&self) {
        self.ready.send_replace(true);
    }

    /// Whether the tables exist, waiting for them at most `wait`.
    pub async fn wait(&self) -> bool {
        let mut ready = self.ready.subscribe();
        matches!(
            tokio::time::timeout(self.wait, ready.wait_for(|r| *r)).await,
            Ok(Ok(_))
        )
    }
}

/// Creating a table (`POST {endpoint}/Tables`): the one call that must not wait.
fn creates_a_table(request: &Request) -> bool {
    *request.method() == Method::Post && request.url().path().ends_with("/Tables")
}

#[async_trait]
impl Policy for TableGate {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        if !creates_a_table(request) && !self.wait().await {
            tracing::debug!("the tables are still being created; the call goes on");
        }
        match next.split_first() {
            Some((policy, rest)) => policy.send(ctx, request, rest).await,
            None => Err(azure_core::Error::message(
                ErrorKind::Other,
                "the storage pipeline has no transport",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_gate_waits_its_bound_then_an_opened_one_lets_through() {
        let gate = TableGate::new(Duration::from_millis(50));
        let started = std::time::Instant::now();
        assert!(!gate.wait().await, "closed: gives up");
        assert!(started.elapsed() >= Duration::from_millis(50));

        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.wait().await }
        });
        gate.open();
        assert!(
            waiting.await.unwrap(),
            "a call under way goes on once opened"
        );
        assert!(gate.wait().await);
    }

    #[test]
    fn only_table_creation_skips_the_wait() {
        let request =
            |method, url: &str| Request::new(azure_core::Url::parse(url).unwrap(), method);
        let base = "http://127.0.0.1:10002/devstoreaccount1";
        assert!(creates_a_table(&request(
            Method::Post,
            &format!("{base}/Tables")
        )));
        assert!(!creates_a_table(&request(
            Method::Get,
            &format!("{base}/Tables")
        )));
        assert!(!creates_a_table(&request(
            Method::Get,
            &format!("{base}/tInvitations(PartitionKey='a',RowKey='b')")
        )));
        assert!(!creates_a_table(&request(
            Method::Post,
            &format!("{base}/tInvitations")
        )));
    }
}
