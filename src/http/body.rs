//! Reading request bodies: a hard size limit whatever the headers say, and JSON that must
//! be JSON.

use super::problem::{Detail, Problem};
use crate::i18n::Arg;
use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt as _};

/// The contract's limit for API bodies.
pub const MAX_BODY: usize = 64 * 1024;

/// Collects at most `limit` bytes; a longer body is a 413 and is not read further.
pub async fn collect(
    mut stream: impl Stream<Item = Result<impl Buf, warp::Error>> + Unpin,
    content_length: Option<u64>,
    limit: usize,
) -> Result<Bytes, Problem> {
    if content_length.is_some_and(|len| len > limit as u64) {
        return Err(Problem::too_large(limit));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let mut chunk = chunk
            .map_err(|_| Problem::bad_request("unreadable-body", "problem-unreadable-body"))?;
        if body.len() + chunk.remaining() > limit {
            return Err(Problem::too_large(limit));
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let len = part.len();
            body.extend_from_slice(part);
            chunk.advance(len);
        }
    }
    Ok(body.freeze())
}

/// Whether a `Content-Type` names JSON (`application/json`, any parameters).
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a JSON object body, with problems that say what is wrong.
pub fn json_object(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, Problem> {
    if !is_json(content_type) {
        return Err(Problem::bad_request(
            "unsupported-content-type",
            "problem-not-json",
        ));
    }
    match serde_json::from_slice(body).map_err(|e| malformed(&e))? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(Problem::bad_request(
            "malformed-json",
            "problem-not-an-object",
        )),
    }
}

/// JSON that does not parse: where it breaks.
pub fn malformed(error: &serde_json::Error) -> Problem {
    Problem::bad_request(
        "malformed-json",
        Detail::with(
            "problem-malformed-json",
            vec![
                ("line", Arg::from(error.line())),
                ("column", Arg::from(error.column())),
            ],
        ),
    )
}
