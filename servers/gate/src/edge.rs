//! The gate's socket edge: the accept loop with connection caps (global and per address), TLS
//! when configured, the time a client has to send a request's headers (which also bounds an
//! idle keep-alive and the TLS handshake), and
//! which address a request counts against — the socket's peer, or the client a configured
//! trusted proxy names in `X-Forwarded-For`. Addresses are keyed per IPv4 address and per
//! IPv6 /64, so a client cannot dodge a limit by walking its prefix.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The edge's limits; [`EdgeLimits::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct EdgeLimits {
    /// Time to send a request's headers, from the connection's start or the previous reply
    /// (so also the keep-alive idle time).
    pub header_timeout: Duration,
    /// Time to send a request's body once its headers are in.
    pub body_timeout: Duration,
    /// Connections at once, and from one address (0: no limit per address).
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// Proxies whose `X-Forwarded-For` names the client (say, a TLS terminator). A request
    /// from anywhere else counts against its socket's peer, whatever it claims.
    pub trusted_proxies: Vec<IpAddr>,
    /// HTTPS with this certificate, else plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for EdgeLimits {
    fn default() -> EdgeLimits {
        EdgeLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            max_connections_per_ip: 64,
            trusted_proxies: Vec::new(),
            tls: None,
        }
    }
}

/// The key an address is limited under: an IPv4 address, or the /64 of an IPv6 one (an
/// IPv4-mapped IPv6 address is its IPv4 address).
pub(crate) fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// The client a request comes from: its socket's peer, unless that is a trusted proxy; then
/// the nearest address in `X-Forwarded-For` (read from the right) that is not one.
pub(crate) fn client_ip(peer: IpAddr, forwarded: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(forwarded) = forwarded else { return peer };
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // A malformed entry: nothing further left can be trusted.
            Err(_) => return client,
        }
    }
    client
}

/// Open connections per address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    fn admit(self: &Arc<Self>, ip: IpAddr, limit: usize) -> Option<Place> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = map.entry(ip).or_insert(0);
        if limit > 0 && *count >= limit {
            return None;
        }
        *count += 1;
        Some(Place(self.clone(), ip))
    }
}

/// One connection's place in its address's count.
struct Place(Arc<PerAddress>, IpAddr);

impl Drop for Place {
    fn drop(&mut self) {
        let mut map = self.0.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = map.get_mut(&self.1) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.1);
            }
        }
    }
}

/// How long a stopping gate lets its connections finish their requests.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` within `limits` until `shutdown` completes.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: EdgeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let per_address = Arc::new(PerAddress::default());
    let tls = limits.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    // Flips to true when the gate stops; every connection watches it.
    let (stop, _) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "gate connection limit reached; refusing");
            continue;
        };
        // A trusted proxy carries many clients: its connections are not capped as one
        // address's (each client is limited by its forwarded address instead).
        let cap = if limits.trusted_proxies.contains(&peer.ip()) { 0 } else { limits.max_connections_per_ip };
        let Some(place) = per_address.admit(limit_key(peer.ip()), cap) else {
            tracing::debug!(%peer, "connection limit of the address reached; refusing");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let (header_timeout, body_timeout) = (limits.header_timeout, limits.body_timeout);
        let stopping = stop.subscribe();
        let tls = tls.clone();
        connections.spawn(async move {
            let http = Http { app, peer, header_timeout, body_timeout, stopping };
            match tls {
                // The handshake counts against the header timeout: a client that stalls it
                // holds its place no longer than one that stalls its headers.
                Some(tls) => match tokio::time::timeout(header_timeout, tls.accept(stream)).await {
                    Ok(Ok(stream)) => http.serve(stream).await,
                    Ok(Err(err)) => tracing::debug!(%peer, %err, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                },
                None => http.serve(stream).await,
            }
            drop((slot, place));
        });
    }
    stop.send_replace(true);
    let _ = tokio::time::timeout(DRAIN, async { while connections.join_next().await.is_some() {} }).await;
    Ok(())
}

/// One connection's HTTP, over TCP or TLS.
struct Http {
    app: Router,
    peer: SocketAddr,
    header_timeout: Duration,
    body_timeout: Duration,
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl Http {
    async fn serve<S>(mut self, stream: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (app, peer, body_timeout) = (self.app, self.peer, self.body_timeout);
        let service = tower::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request.extensions_mut().insert(BodyTimeout(body_timeout));
            app.clone().oneshot(request)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(Some(self.header_timeout)).keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::pin!(connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            _ = self.stopping.changed() => {
                connection.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(DRAIN, connection).await;
            }
        }
    }
}

/// The time a request's body may take, for the handler that reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTimeout(pub(crate) Duration);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_limited_per_slash_64() {
        let key = |s: &str| limit_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.1")];
        assert_eq!(client_ip(ip("203.0.113.9"), Some("198.51.100.1"), &proxy), ip("203.0.113.9"), "not a proxy");
        assert_eq!(client_ip(ip("10.0.0.1"), Some("198.51.100.1"), &proxy), ip("198.51.100.1"));
        // The client may prepend anything; the proxy appends the address it saw.
        assert_eq!(client_ip(ip("10.0.0.1"), Some("1.1.1.1, 198.51.100.1"), &proxy), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), Some("garbage"), &proxy), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), None, &proxy), ip("10.0.0.1"));
        // Two header lines joined in order: the client's own first, the proxy's last.
        let lines = ["6.6.6.6", "198.51.100.1"].join(",");
        assert_eq!(client_ip(ip("10.0.0.1"), Some(&lines), &proxy), ip("198.51.100.1"));
        let chain = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(client_ip(ip("10.0.0.1"), Some("198.51.100.1, 10.0.0.2"), &chain), ip("198.51.100.1"));
    }
}
