//! The local services the handler talks to (`node local/services.mjs`: Azurite, maildev
//! and the OpenID stand-ins), started on free ports. They stop when our end of their
//! stdin closes, that is when this program exits, whatever way it does.

use crate::procs::{Guard, fail, tie_to_parent};
use serde::Deserialize;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub storage_connection_string: String,
    pub table_endpoint: String,
    pub smtp_url: String,
    pub maildev_url: String,
    pub b2c_metadata_url: String,
    pub b2c_client_id: String,
    pub b2c_client_secret: String,
    pub staff_metadata_url: String,
    pub staff_audience: String,
    pub staff_role: String,
    pub staff_token_endpoint: String,
    pub sales_cli_client_id: String,
    pub cli_client_secret: String,
    /// A token as Entra's events service sends the claims provider (issue #26).
    pub events_token_url: String,
}

pub fn start(root: &Path, log: &Path) -> (Stack, Guard, std::process::ChildStdin) {
    let log_file = std::fs::File::create(log)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", log.display())));
    let mut command = Command::new("node");
    command
        .arg("local/services.mjs")
        .current_dir(root)
        .env("AZURITE_TABLE_PORT", "0")
        .env("SMTP_PORT", "0")
        .env("MAILDEV_WEB_PORT", "0")
        .env("IDP_PORT", "0")
        .env_remove("AZURITE_LOCATION") // in memory: every run starts empty
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file));
    let mut child = tie_to_parent(&mut command)
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot run node local/services.mjs: {e}")));
    let stdin = child.stdin.take().unwrap_or_else(|| fail("no stdin"));
    let stdout = child.stdout.take().unwrap_or_else(|| fail("no stdout"));
    let guard = Guard(Some(child));
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let stack: Stack = serde_json::from_str(&line).unwrap_or_else(|e| {
        fail(&format!(
            "local/services.mjs did not start ({e}); its log: {}",
            log.display()
        ))
    });
    (stack, guard, stdin)
}
