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
pub mod msg;
pub mod rules;
pub mod time;

/// Generated gRPC code for package `message` (see `grpc/message.proto`).
#[allow(clippy::all, missing_docs)]
pub mod grpc {
    tonic::include_proto!("message");
}

pub use codec::{Decoded, Decoder, EncodeError, Frame, Framing};
pub use error::ErrorCode;
