//! Starting the release `handler` against the local stack, with the settings of the
//! contract.

use crate::procs::{Guard, fail, tie_to_parent, wait_ready};
use crate::stack::Stack;
use base64::Engine as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Settings {
    pub vars: Vec<(String, String)>,
}

impl Settings {
    pub fn new(stack: &Stack, prefix: &str) -> Self {
        let key: [u8; 64] = rand::random();
        let vars = [
            (
                "INVITATIONS_STORAGE",
                stack.storage_connection_string.clone(),
            ),
            ("TABLE_PREFIX", prefix.to_owned()),
            ("B2C_METADATA_URL", stack.b2c_metadata_url.clone()),
            ("B2C_CLIENT_ID", stack.b2c_client_id.clone()),
            ("B2C_CLIENT_SECRET", stack.b2c_client_secret.clone()),
            ("STAFF_METADATA_URL", stack.staff_metadata_url.clone()),
            ("STAFF_AUDIENCE", stack.staff_audience.clone()),
            ("STAFF_ROLE", stack.staff_role.clone()),
            ("SMTP_URL", stack.smtp_url.clone()),
            ("MAIL_FROM", "invitations@example.com".to_owned()),
            (
                "COOKIE_KEY",
                base64::engine::general_purpose::STANDARD.encode(key),
            ),
            ("PRODUCT_NAME", "Bench Portal".to_owned()),
            ("CLAIMS_AUDIENCE", crate::claims::AUDIENCE.to_owned()),
            ("RUST_LOG", "warn".to_owned()),
            // The per-staff hourly limit (200 by default) would stop a run that creates
            // more invitations than that with one staff token; the counting still runs.
            ("LIMIT_INVITATIONS_PER_HOUR", "100000".to_owned()),
        ];
        Self {
            vars: vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// The command that starts `binary` on `port`.
    pub fn command(&self, binary: &Path, port: u16) -> Command {
        let mut command = Command::new(binary);
        command
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .env("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        tie_to_parent(&mut command);
        command
    }
}

/// A running handler.
pub struct Running {
    pub guard: Guard,
    pub port: u16,
}

impl Running {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    pub fn pid(&self) -> u32 {
        self.guard.pid()
    }
}

pub fn start(binary: &Path, settings: &Settings, log: &Path) -> Running {
    let port = crate::procs::free_port();
    let log_file = std::fs::File::create(log)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", log.display())));
    let t0 = Instant::now();
    let child = settings
        .command(binary, port)
        .stderr(Stdio::from(log_file))
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot run {}: {e}", binary.display())));
    let mut guard = Guard(Some(child));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    if let Err(e) = wait_ready(guard.child(), addr, t0, Duration::from_secs(20)) {
        fail(&format!("the handler {e}; its log: {}", log.display()));
    }
    Running { guard, port }
}
