//! imchat storage: the SQL store ([`Db`]: MariaDB/MySQL or SQLite) and the key-value store
//! ([`Kv`]: Redis or in-memory), plus the storage-level protocols built on them: verification
//! codes, presence (tokens, sessions, routes, the per-user lock, chat login with its cache of
//! login views), the chat-server registry and the batched message writer.
//!
//! No HTTP, gRPC or chat framing here: server roles call these types and map their errors.

pub mod codes;
mod keys;
mod kv;
pub mod presence;
pub mod registry;
mod sql;
pub mod writer;

pub use keys::KeyLayout;
pub use kv::{GuardedLock, Guess, Kv, RedisOptions, Ttl};
pub use sql::*;

use rand::RngExt;

/// Storage failures. Domain outcomes (taken names, missing requests) are values, not errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("schema migration: {0}")]
    Migrate(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} space exhausted")]
    Exhausted(&'static str),
    #[error("message writer stopped")]
    WriterClosed,
    /// The store was out of reach for an earlier attempt this one shares (one failure,
    /// reported to every job of a batch).
    #[error("store out of reach: {0}")]
    Unreachable(String),
    #[error("encoding: {0}")]
    Encode(String),
    /// A user's lock stayed taken for as long as a lock can live.
    #[error("the user's lock stayed busy")]
    Busy,
}

impl StoreError {
    /// Whether the store could not be reached (down, restarting, its pool exhausted): the
    /// same request may well succeed in a moment, and clients are told so.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sql(err) => matches!(
                err,
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_)
            ),
            StoreError::Redis(err) => err.is_io_error() || err.is_connection_dropped() || err.is_timeout(),
            StoreError::WriterClosed | StoreError::Unreachable(_) | StoreError::Busy => true,
            _ => false,
        }
    }
}

/// `bytes` random bytes from the OS-seeded CSPRNG, as lowercase hex.
/// A fresh key for a file's bytes in storage: 128 random bits, fanned out by the first byte
/// (`ab/cdef…`): never made from anything a client sent.
pub fn new_file_key() -> String {
    let hex = random_hex(16);
    format!("{}/{}", &hex[..2], &hex[2..])
}

pub fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

/// Compares secrets (codes, tokens) in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Milliseconds since the Unix epoch, the only clock reading in the store's callers' hands.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod unavailable_tests {
    use super::StoreError;

    #[test]
    fn only_an_unreachable_store_is_unavailable() {
        assert!(StoreError::Sql(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(StoreError::Sql(sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into())).is_unavailable());
        assert!(StoreError::WriterClosed.is_unavailable());
        assert!(!StoreError::Sql(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::NotFound("thread").is_unavailable());
    }
}
