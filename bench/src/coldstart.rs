//! Cold start: from spawning the process to the first 200 on `GET /`, for the release
//! handler and for a minimal Node.js HTTP server started the same way, alternating
//! (handler, node, handler, node, …) so both see the same machine.

use crate::handler::Settings;
use crate::procs::{fail, free_port, stop, tie_to_parent, wait_ready};
use crate::stats::Samples;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct ColdStart {
    pub handler: Samples,
    pub node: Samples,
}

fn once(mut command: Command, port: u16, what: &str, log: &Path) -> Duration {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let stderr = std::fs::File::create(log)
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null());
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let t0 = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot start {what}: {e}")));
    let result = wait_ready(&mut child, addr, t0, Duration::from_secs(10));
    stop(&mut child, Duration::from_secs(3));
    result.unwrap_or_else(|e| {
        let said = std::fs::read_to_string(log).unwrap_or_default();
        fail(&format!("{what} {e}: {}", said.trim()))
    })
}

pub fn run(
    handler: &Path,
    settings: &Settings,
    node_server: &Path,
    runs: usize,
    log: &Path,
) -> ColdStart {
    let mut result = ColdStart {
        handler: Samples::default(),
        node: Samples::default(),
    };
    // One unmeasured start of each brings both binaries into the page cache.
    for measured in [false, true] {
        let n = if measured { runs } else { 1 };
        for _ in 0..n {
            let port = free_port();
            let t = once(settings.command(handler, port), port, "the handler", log);
            if measured {
                result.handler.push(t);
            }
            let port = free_port();
            let mut node = Command::new("node");
            node.arg(node_server)
                .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string());
            tie_to_parent(&mut node);
            let t = once(node, port, "the Node.js server", log);
            if measured {
                result.node.push(t);
            }
        }
    }
    result
}
