//! Clients for imchat's internal gRPC services (chat peers, status, verify): one lazily
//! connected channel per address, with imchat's timeouts. Connecting is deferred to the first
//! call, so a dead peer costs nothing until someone needs it. The I/O half of the contracts
//! in `imchat-proto`, which does none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

use imchat_proto::grpc::chat_service_client::ChatServiceClient;

/// How long a peer call may take before it counts as failed (llfc had no deadline, §10.17).
pub const PEER_CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long establishing a peer connection may take.
pub const PEER_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A cache of channels keyed by `host:port`. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    by_addr: Arc<Mutex<HashMap<String, Channel>>>,
}

impl Channels {
    /// The channel for `addr` (`host:port`), created on first use.
    pub fn get(&self, addr: &str) -> Result<Channel, tonic::transport::Error> {
        let mut map = self.by_addr.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(channel) = map.get(addr) {
            return Ok(channel.clone());
        }
        let channel = endpoint(addr)?.connect_lazy();
        map.insert(addr.to_owned(), channel.clone());
        Ok(channel)
    }

    pub fn chat(&self, addr: &str) -> Result<ChatServiceClient<Channel>, tonic::transport::Error> {
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
