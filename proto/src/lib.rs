//! imchat's contracts: the chat frame codec, typed chat and HTTP messages, error codes and
//! the generated gRPC services. Pure data and byte shuffling: no sockets, no storage, no clock.
//!
//! The wire is a strict superset of the llfc chat system (`llfc-wire.md`): llfc message ids
//! 1005–1030 keep their exact field names and JSON types; imchat's extensions use ids from
//! 1100 up and are listed in [`msg::ids`].

pub mod codec;
pub mod credential;
pub mod error;
pub mod http;
pub mod llfc_client;
pub mod msg;
pub mod rules;
pub mod time;

/// Generated gRPC code for package `message` (see `grpc/message.proto`).
#[allow(clippy::all, missing_docs)]
pub mod grpc {
    tonic::include_proto!("message");

    /// The metadata key every internal call carries its deployment's shared secret in
    /// (`[Internal] Secret`); a call without it, or with another, is refused as
    /// `UNAUTHENTICATED`.
    pub const SECRET_METADATA: &str = "x-imchat-secret";
}

pub use codec::{Decoded, Decoder, EncodeError, Frame, Framing};
pub use error::ErrorCode;
