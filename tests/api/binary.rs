//! The `handler` binary as the Functions host runs it.

use crate::support::stack;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn handler() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_handler"));
    command
        .env_clear()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0")
        .env("PUBLIC_BASE_URL", "http://localhost:7071")
        .env("INVITATIONS_STORAGE", "UseDevelopmentStorage=true")
        .env(
            "B2C_METADATA_URL",
            "http://127.0.0.1:9/b2c/.well-known/openid-configuration",
        )
        .env("B2C_CLIENT_ID", "client")
        .env("B2C_CLIENT_SECRET", "s3cret-b2c")
        .env(
            "STAFF_METADATA_URL",
            "http://127.0.0.1:9/staff/.well-known/openid-configuration",
        )
        .env("STAFF_AUDIENCE", "api://x")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn a_bad_setting_stops_the_handler_with_a_message_naming_it() {
    for (name, value) in [
        ("FUNCTIONS_CUSTOMHANDLER_PORT", "http"),
        (
            "INVITATIONS_STORAGE",
            "AccountName=x;AccountKey=c2VjcmV0LWtleQ==;Bogus=1",
        ),
        ("SMTP_URL", "smtps://user:hunter2@:465:x"),
        ("COOKIE_KEY", "dG9vIHNob3J0"),
        ("B2C_METADATA_URL", "http://b2c.example.com/metadata"),
    ] {
        let output = handler().env(name, value).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(
            !stderr.contains("c2VjcmV0LWtleQ") && !stderr.contains("hunter2"),
            "no secret is echoed: {stderr}"
        );
    }
    let output = handler().env_remove("STAFF_AUDIENCE").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("STAFF_AUDIENCE"));
}

#[test]
fn the_handler_listens_on_the_port_the_host_gives_and_stops_on_sigterm() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let mut child = handler()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("INVITATIONS_STORAGE", &stack().storage_connection_string)
        .spawn()
        .unwrap();
    let mut answered = false;
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read as _, Write as _};
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answered = answer.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(answered, "GET / answered 200");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "a clean exit on SIGTERM: {status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the handler stops within 5 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut logs = String::new();
    use std::io::Read as _;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(!logs.contains("s3cret-b2c"), "no secret in the logs");
}

/// Runs `handler {command}` (a one-off pass) on the tables of `prefix` in the shared
/// Azurite; checks it succeeded and answers what it printed.
pub(crate) fn run_once(command: &str, prefix: &str) -> String {
    let output = handler()
        .arg(command)
        .env("INVITATIONS_STORAGE", &stack().storage_connection_string)
        .env("TABLE_PREFIX", prefix)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn the_retry_work_can_be_run_by_hand() {
    assert_eq!(
        run_once("retry-deliveries", &crate::support::unique("cli")),
        "0 sent, 0 queued again, 0 failed, 0 abandoned, 0 not due yet"
    );
    let output = handler().arg("bogus").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// Runs the handler with `env` on a free port, opens the invitation link with `secret`
/// (again until the port answers, for 20 s at most), stops it with SIGTERM and returns
/// the answer and everything it logged.
fn open_link_and_stop(env: &[(&str, &str)], secret: &str) -> (String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = handler()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .envs(env.iter().copied())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    while started.elapsed() < Duration::from_secs(20) && answer.is_empty() {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read as _, Write as _};
            let request = format!(
                "GET /api/InviteUser?invitationId={secret} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).unwrap();
            let _ = stream.read_to_string(&mut answer);
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (answer, logs)
}

#[test]
fn request_logs_never_carry_a_link_secret() {
    let secret = "s3cretLINKs3cretLINKs3cretLINKs3cretLINK123";
    assert_eq!(secret.len(), 43, "shaped like a real link secret");
    let prefix = crate::support::unique("logs");
    let (answer, logs) = open_link_and_stop(
        &[
            ("INVITATIONS_STORAGE", &stack().storage_connection_string),
            ("TABLE_PREFIX", &prefix),
            ("RUST_LOG", "debug"),
        ],
        secret,
    );
    assert!(
        answer.starts_with("HTTP/1.1 "),
        "the link was answered: {answer}"
    );
    assert!(
        logs.contains("/api/InviteUser"),
        "the request was logged: {logs}"
    );
    assert!(!logs.contains(secret), "the link's secret is not: {logs}");
}

#[test]
fn a_sas_signature_never_reaches_the_logs_even_at_trace_level() {
    let (storage, sig) = crate::support::azurite::sas_connection_string("racwdlup");
    let prefix = crate::support::unique("sas");
    // An unknown (well-formed) link: the handler reads the link index through the SAS.
    let (answer, logs) = open_link_and_stop(
        &[
            ("INVITATIONS_STORAGE", &storage),
            ("TABLE_PREFIX", &prefix),
            ("RUST_LOG", "trace"),
        ],
        &"A".repeat(43),
    );
    assert!(
        answer.starts_with("HTTP/1.1 404"),
        "storage answered through the SAS (an unknown link): {answer}"
    );
    assert!(
        logs.contains("tables ready"),
        "the tables were made: {logs}"
    );
    let encoded: String = url::form_urlencoded::byte_serialize(sig.as_bytes()).collect();
    for secret in [&sig, &encoded] {
        assert!(
            !logs.contains(secret.as_str()),
            "the SAS signature is not logged: {logs}"
        );
    }
    assert!(!logs.contains(&sig[..12]), "nor its beginning: {logs}");
}
