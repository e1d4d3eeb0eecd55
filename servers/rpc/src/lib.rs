//! Clients for imchat's internal gRPC services (chat peers, status, verify): one lazily
//! connected channel per address, with imchat's timeouts, and the deployment's shared secret
//! on every call ([`Secret`]); [`RequireSecret`] is the servers' side of it. Connecting is
//! deferred to the first call, so a dead peer costs nothing until someone needs it. The I/O
//! half of the contracts in `imchat-proto`, which does none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use imchat_proto::grpc::SECRET_METADATA;
use imchat_proto::grpc::chat_service_client::ChatServiceClient;

/// How long a peer call may take before it counts as failed (llfc had no deadline, §10.17).
pub const PEER_CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long establishing a peer connection may take.
pub const PEER_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The shortest secret a role accepts: 16 bytes of entropy as hex is 32 characters.
pub const MIN_SECRET_LEN: usize = 16;

/// The deployment's shared secret for internal calls. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Arc<AsciiMetadataValue>, Arc<str>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Why a secret is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadSecret {
    #[error("shorter than {MIN_SECRET_LEN} characters")]
    TooShort,
    #[error("not printable ASCII without spaces")]
    NotAscii,
}

impl Secret {
    pub fn new(text: &str) -> Result<Secret, BadSecret> {
        if text.len() < MIN_SECRET_LEN {
            return Err(BadSecret::TooShort);
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BadSecret::NotAscii);
        }
        let value = AsciiMetadataValue::try_from(text).map_err(|_| BadSecret::NotAscii)?;
        Ok(Secret(Arc::new(value), text.into()))
    }

    /// The secret's text, to hand to a process that must present it (never to a log).
    pub fn expose(&self) -> &str {
        &self.1
    }

    /// Whether `offered` is this secret, in time independent of where they differ.
    fn matches(&self, offered: &[u8]) -> bool {
        let ours = self.1.as_bytes();
        ours.len() == offered.len() && ours.iter().zip(offered).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// Puts the secret on every outgoing call.
#[derive(Debug, Clone)]
pub struct WithSecret(Secret);

impl Interceptor for WithSecret {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request.metadata_mut().insert(SECRET_METADATA, (*self.0.0).clone());
        Ok(request)
    }
}

/// Refuses every incoming call that does not carry the secret (`UNAUTHENTICATED`, saying
/// nothing of what was expected).
#[derive(Debug, Clone)]
pub struct RequireSecret(Secret);

impl RequireSecret {
    pub fn new(secret: Secret) -> RequireSecret {
        RequireSecret(secret)
    }
}

impl Interceptor for RequireSecret {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        match request.metadata().get(SECRET_METADATA) {
            Some(offered) if self.0.matches(offered.as_bytes()) => Ok(request),
            _ => Err(Status::unauthenticated("internal call without this deployment's secret")),
        }
    }
}

/// A channel whose calls carry the secret.
pub type Authed = InterceptedService<Channel, WithSecret>;

/// `channel` with `secret` on every call.
pub fn authed(channel: Channel, secret: &Secret) -> Authed {
    InterceptedService::new(channel, WithSecret(secret.clone()))
}

/// A cache of channels keyed by `host:port`, all carrying one secret. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Channels {
    secret: Secret,
    by_addr: Arc<Mutex<HashMap<String, Channel>>>,
}

impl Channels {
    pub fn new(secret: Secret) -> Channels {
        Channels { secret, by_addr: Arc::default() }
    }

    /// The channel for `addr` (`host:port`), created on first use.
    pub fn get(&self, addr: &str) -> Result<Authed, tonic::transport::Error> {
        let mut map = self.by_addr.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(channel) = map.get(addr) {
            return Ok(authed(channel.clone(), &self.secret));
        }
        let channel = endpoint(addr)?.connect_lazy();
        map.insert(addr.to_owned(), channel.clone());
        Ok(authed(channel, &self.secret))
    }

    pub fn chat(&self, addr: &str) -> Result<ChatServiceClient<Authed>, tonic::transport::Error> {
        Ok(ChatServiceClient::new(self.get(addr)?))
    }
}

/// An endpoint for `host:port` with imchat's timeouts and TCP_NODELAY.
pub fn endpoint(addr: &str) -> Result<Endpoint, tonic::transport::Error> {
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .connect_timeout(PEER_CONNECT_TIMEOUT)
        .timeout(PEER_CALL_TIMEOUT)
        .tcp_nodelay(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_itself_passes() {
        let secret = Secret::new("0123456789abcdef0123").unwrap();
        let mut require = RequireSecret::new(secret.clone());
        let mut with = WithSecret(secret);
        assert!(require.call(with.call(Request::new(())).unwrap()).is_ok());
        assert_eq!(require.call(Request::new(())).unwrap_err().code(), tonic::Code::Unauthenticated);
        let mut other = WithSecret(Secret::new("0123456789abcdef0124").unwrap());
        assert!(require.call(other.call(Request::new(())).unwrap()).is_err());
        assert_eq!(Secret::new("short").unwrap_err(), BadSecret::TooShort);
        assert_eq!(Secret::new("0123456789 abcdef0123").unwrap_err(), BadSecret::NotAscii);
        assert!(!format!("{:?}", Secret::new("0123456789abcdef0123").unwrap()).contains("0123"));
    }
}
