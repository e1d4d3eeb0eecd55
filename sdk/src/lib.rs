//! The imchat client SDK, shared by `imchat-tui`, `imctl` and the end-to-end tests:
//! [`GateClient`] for the HTTP API, [`ChatClient`] for a chat-server connection (typed
//! requests, a stream of server [`Event`]s, heartbeat), [`cursor`] and [`Inbox`] for reading
//! pushes without skipping a lost one, and [`AdminClient`] for the status server's operator
//! API. Never used by the servers.
//!
//! It talks to imchat's servers and to llfc's own alike: passwords go out in llfc's form, and
//! against an llfc server the chat client falls back to llfc's requests ([`llfc`]).

mod admin;
mod chat;
pub mod cursor;
pub mod files;
mod gate;
mod groups;
mod inbox;
pub mod llfc;
pub mod tls;

pub use admin::{AdminClient, Kicked};
pub use chat::{ChatClient, Device, Dialect, Event};
pub use files::FileClient;
pub use gate::GateClient;
pub use imchat_proto as proto;
pub use inbox::Inbox;

use imchat_proto::ErrorCode;

/// What can go wrong talking to imchat.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    #[error("cannot reach {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("connection closed")]
    Closed,
    #[error("no reply within {0:?}")]
    Timeout(std::time::Duration),
    /// The server answered with a non-zero `error`.
    #[error("server refused: {message} ({code})")]
    Server { code: i32, message: String },
    #[error("unexpected reply: {0}")]
    Decode(String),
    #[error("request does not fit in a frame: {0}")]
    Encode(#[from] imchat_proto::EncodeError),
    /// Refused before sending: the server would drop the connection over it (llfc).
    #[error("too long for this server: {len} bytes where it takes at most {limit}")]
    TooLong { len: usize, limit: usize },
    /// TLS could not be set up (a CA file, the system's roots). A failed handshake is a
    /// [`SdkError::Connect`].
    #[error("tls: {0}")]
    Tls(String),
    /// A gRPC call failed (the service is down, timed out, or refused).
    #[error("rpc: {}", .0.message())]
    Rpc(#[from] tonic::Status),
}

impl SdkError {
    /// The server's error code, if the server refused the request.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SdkError::Server { code, .. } => ErrorCode::try_from(*code).ok(),
            _ => None,
        }
    }
}

/// Checks a reply's `error` field and decodes it.
fn decode_reply<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SdkError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|err| SdkError::Decode(err.to_string()))?;
    let code = value.get("error").and_then(serde_json::Value::as_i64).unwrap_or(0);
    if code != 0 {
        let code = i32::try_from(code).unwrap_or(i32::MAX);
        // llfc's servers send the code alone: say what it means here.
        let message = match value.get("message").and_then(serde_json::Value::as_str) {
            Some(message) if !message.is_empty() => message.to_owned(),
            _ => ErrorCode::try_from(code).map_or_else(|_| "refused".to_owned(), |known| known.describe().to_owned()),
        };
        return Err(SdkError::Server { code, message });
    }
    serde_json::from_value(value).map_err(|err| SdkError::Decode(err.to_string()))
}
