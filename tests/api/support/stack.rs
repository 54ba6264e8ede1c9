//! The real outside services, started once per test run by `node local/services.mjs`:
//! Azurite (tables), maildev (SMTP + REST API) and the local OpenID providers (the
//! customers' provider in B2C's shape and in External ID's, and the staff directory). The
//! process lives as long as this test binary: it stops when its stdin closes.

use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub storage_connection_string: String,
    pub smtp_port: u16,
    pub smtp_url: String,
    pub maildev_url: String,
    pub b2c_metadata_url: String,
    pub b2c_client_id: String,
    pub b2c_client_secret: String,
    /// The same customer sign-in in Entra External ID's shape (`email`, a GUID issuer).
    pub external_id_metadata_url: String,
    pub external_id_client_id: String,
    pub external_id_client_secret: String,
    pub staff_metadata_url: String,
    pub staff_audience: String,
    pub staff_token_endpoint: String,
    pub staff_client_id: String,
    pub staff_client_secret: String,
    pub sales_cli_client_id: String,
    pub no_role_cli_client_id: String,
    pub cli_client_secret: String,
    /// Where events go: the webhook receiver and the Event Grid stand-in
    /// (`local/events/index.mjs`).
    pub events_url: String,
}

static STACK: OnceLock<Stack> = OnceLock::new();
static PROCESS: Mutex<Option<Child>> = Mutex::new(None);

pub fn stack() -> &'static Stack {
    STACK.get_or_init(start)
}

fn start() -> Stack {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new("node")
        .arg("local/services.mjs")
        .current_dir(root)
        .env("AZURITE_TABLE_PORT", "0")
        .env("SMTP_PORT", "0")
        .env("MAILDEV_WEB_PORT", "0")
        .env("IDP_PORT", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node local/services.mjs starts (run `npm ci` first)");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("local/services.mjs prints its addresses");
    let stack: Stack = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("local/services.mjs printed {line:?}: {e}"));
    *PROCESS.lock().unwrap() = Some(child);
    stack
}
