//! One handler process, the `handler` binary as the Functions host runs it, on a port
//! that stays the case's across restarts (the public address, and so every link and
//! redirect, stays the same), with the settings every instance of the case shares.

use crate::binary::handler;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The settings of every instance of one case: one public address, one `COOKIE_KEY` (so
/// a session opened by one instance opens in the next), one set of tables.
#[derive(Clone)]
pub struct Settings {
    pub port: u16,
    pub vars: Vec<(&'static str, String)>,
}

impl Settings {
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

pub struct Instance {
    child: Child,
}

impl Instance {
    /// Starts the handler with `settings`, its storage at `storage`; returns once it
    /// answers the host's readiness probe.
    pub async fn start(settings: &Settings, storage: &str) -> Self {
        let mut command = handler();
        command
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", settings.port.to_string())
            .env("PUBLIC_BASE_URL", settings.address())
            .env("INVITATIONS_STORAGE", storage)
            .envs(settings.vars.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null());
        if std::env::var_os("CRASH_LOGS").is_none() {
            command.stderr(Stdio::null());
        } else {
            command.stderr(Stdio::inherit());
        }
        let child = command.spawn().unwrap();
        let instance = Self { child };
        let probe = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(answer) = probe.get(settings.address()).send().await {
                assert!(answer.status().is_success(), "the readiness probe");
                return instance;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the handler answers on port {} within 10 s",
                settings.port
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (unless it is dead already), and waits until it is gone with its port.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        self.child.wait().unwrap();
    }
}

/// A free port: taken by the case's first instance, and by the next once it is gone.
///
/// Chosen below the system's ephemeral range (32768 and up on Linux): between a kill and
/// the restart the port is free, and a port from that range could meanwhile be handed to
/// any other listener or connection asking for port 0 (the next instance then failed to
/// bind and the readiness probe reached a stranger). Ports below it are only ever taken
/// by asking for them by number.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Another test process on the machine starts elsewhere in the span.
    let start = std::process::id() % SPAN;
    loop {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed) % SPAN) % SPAN;
        let port = u16::try_from(FIRST + offset).expect("below 32000");
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return listener.local_addr().unwrap().port();
        }
    }
}
