//! The handler's log output: lines on stderr, filtered by `RUST_LOG` (default `info`).
//!
//! Two guards keep storage credentials out of it at every level:
//! - the debug and trace events of the Azure SDK, the HTTP and the mail libraries are never
//!   written (they print whole requests: URLs that carry a SAS `sig=`, `Authorization`
//!   headers, table rows and mail envelopes with addresses), whatever `RUST_LOG` asks;
//! - every line is passed through [`redact`] before it is written, which blanks the
//!   value of a `sig=` query parameter and of a connection string's `AccountKey=`,
//!   wherever they come from.

use std::borrow::Cow;
use std::io::{self, Write};
use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt as _, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// The crates whose debug output dumps whole requests and answers: storage requests (SAS
/// signatures, and table rows with addresses, names and company details) and mail
/// transactions (addresses).
const QUIET_BELOW_INFO: [&str; 8] = [
    "azure_core",
    "azure_storage",
    "azure_data_tables",
    "azure_identity",
    "lettre",
    "reqwest",
    "hyper",
    "hyper_util",
];

/// Installs the subscriber; call once, first thing in `main`.
pub fn init() {
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(Redacting(io::stderr))
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .with_filter(env.and(filter_fn(allowed)));
    tracing_subscriber::registry().with(layer).init();
}

/// Whether an event may be written at all (before `RUST_LOG` is asked).
fn allowed(meta: &Metadata<'_>) -> bool {
    allowed_at(*meta.level(), meta.target())
}

fn allowed_at(level: Level, target: &str) -> bool {
    level <= Level::INFO || !QUIET_BELOW_INFO.iter().any(|c| in_crate(target, c))
}

fn in_crate(target: &str, krate: &str) -> bool {
    target == krate
        || target
            .strip_prefix(krate)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// Parameters whose values are secrets, matched without regard to case, with the
/// separator spelled out or percent-encoded.
const SECRET_KEYS: [&str; 4] = ["sig=", "sig%3d", "accountkey=", "accountkey%3d"];

/// `text` with the value of every secret parameter replaced by `[redacted]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some((at, key)) = SECRET_KEYS
        .iter()
        .filter_map(|key| lower[from..].find(key).map(|i| (from + i, key.len())))
        .min()
    {
        let value = at + key;
        from = value;
        // `xsig=` or `my_sig=` is another parameter; `%26sig=` follows an encoded `&`.
        let before = &lower[..at];
        let standalone = before.ends_with("%26")
            || before.ends_with("%3f")
            || before
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let end = value
            + text[value..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || "%+/=-_.~".contains(c)))
                .unwrap_or(text.len() - value);
        if !standalone || end == value {
            continue;
        }
        out.push_str(&text[copied..value]);
        out.push_str("[redacted]");
        copied = end;
        from = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A `MakeWriter` whose writers hold each log line and write it redacted.
#[derive(Debug, Clone, Copy)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.0.make_writer(),
            line: Vec::new(),
        }
    }
}

pub struct RedactingWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    fn emit(&mut self) -> io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        self.inner.write_all(redact(&text).as_bytes())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.emit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sas_signature_is_blanked_wherever_it_stands() {
        let url = "performing request GET 'http://127.0.0.1:10002/devstoreaccount1/tInvitations()?sv=2022-11-02&ss=t&sig=AbC%2Bd/e%3D&se=2030' with `reqwest`";
        let clean = redact(url);
        assert!(!clean.contains("AbC"), "{clean}");
        assert!(clean.contains("sig=[redacted]&se=2030"), "{clean}");
        for text in [
            "query: Some(\"sv=1&SIG=AbCdEf\")",
            "SharedAccessSignature=sv%3D1%26sig%3DAbCdEf",
            "AccountName=x;AccountKey=AbCdEf==;TableEndpoint=http://h",
            "sig=AbCdEf",
        ] {
            let clean = redact(text);
            assert!(!clean.contains("AbCdEf"), "{text} → {clean}");
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        for text in [
            "signature checked; sig= nothing; design=3",
            "xsig=keep&my_sig=keep",
            "plain line",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn the_azure_sdks_debug_events_are_never_written() {
        for (level, target, written) in [
            (Level::DEBUG, "azure_core::http_client::reqwest", false),
            (Level::DEBUG, "azure_core::policies::transport", false),
            (
                Level::TRACE,
                "azure_storage::authorization::authorization_policy",
                false,
            ),
            (Level::DEBUG, "azure_identity", false),
            (Level::WARN, "azure_core::error::http_error", true),
            (Level::INFO, "azure_data_tables", true),
            (Level::DEBUG, "invitations::http", true),
            (Level::DEBUG, "azure_corexyz", true),
        ] {
            assert_eq!(allowed_at(level, target), written, "{level} {target}");
        }
    }

    #[test]
    fn a_line_is_written_once_redacted() {
        let mut sink = Vec::new();
        {
            let mut writer = RedactingWriter {
                inner: &mut sink,
                line: Vec::new(),
            };
            writer.write_all(b"GET /x?sv=1&sig=").unwrap();
            writer.write_all(b"AbCdEf&se=2\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(sink).unwrap(),
            "GET /x?sv=1&sig=[redacted]&se=2\n"
        );
    }
}
