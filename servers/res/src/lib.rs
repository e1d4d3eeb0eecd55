//! The resource server: the TCP port llfc's Season_2 client opens right after its chat
//! connection, before it sends its chat login (llfc-wire.md §2.5, §7.3). The client logs out
//! when that port refuses or closes, so the port must be there and stay open. Files do not
//! exist yet: every request is answered, in the resource framing (`u16` id, `u32` length), with
//! [`ErrorCode::Unsupported`] under its reply id. Nothing is ever stored or served.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::codec::{Decoded, Decoder, Framing, RES_DEFAULT_MAX_BODY, encode_resource};
use imchat_proto::msg::{ErrorBody, ids};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Every limit of the resource server. [`ResLimits::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct ResLimits {
    /// Inbound frame body limit (bytes; llfc: 51200). A larger frame is answered, then the
    /// connection closes (a `u32` length could announce gigabytes to skip).
    pub max_body: usize,
    /// Connections held at once; more are refused.
    pub max_connections: usize,
    /// A connection with no inbound frame for this long is closed; zero never closes one. llfc's
    /// client sends nothing on this port while idle and logs out when it closes, so the
    /// default is zero.
    pub idle_timeout: Duration,
    /// How long one reply may take to write; a peer that does not read is closed.
    pub write_timeout: Duration,
}

impl Default for ResLimits {
    fn default() -> ResLimits {
        ResLimits {
            max_body: RES_DEFAULT_MAX_BODY,
            max_connections: 50_000,
            idle_timeout: Duration::ZERO,
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// The reply id of a resource request: llfc pairs each request with the next id (1031 → 1032,
/// 1033 → 1034, ...); anything else is answered under imchat's 1199.
pub fn reply_id(request_id: u16) -> u16 {
    match request_id {
        1001 | 1003 | 1005 | 1031 | 1033 | 1037 | 1041 | 1043 | 1045 | 1047 => request_id + 1,
        _ => ids::ERROR_RSP,
    }
}

/// The answer to one request: `code` under the request's reply id.
pub fn answer(code: ErrorCode, request_id: u16, dst: &mut BytesMut) {
    let body = serde_json::to_vec(&ErrorBody::new(code, request_id)).expect("error bodies always serialise");
    encode_resource(reply_id(request_id), &body, dst).expect("error bodies are small");
}

/// Serves `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    limits: ResLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = Arc::new(limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let (stop_tx, stop) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                tracing::warn!(%err, "resource accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "resource connection limit reached; refusing");
            continue;
        };
        let (limits, mut stop) = (limits.clone(), stop.clone());
        connections.spawn(async move {
            tokio::select! {
                () = serve(stream, &limits) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
            drop(slot);
        });
    }
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// One connection: frames in, one error reply each, until the peer closes.
async fn serve(mut stream: TcpStream, limits: &ResLimits) {
    let _ = stream.set_nodelay(true);
    let mut decoder = Decoder::with_framing(Framing::Resource, limits.max_body);
    let mut buf = BytesMut::new();
    loop {
        let mut out = BytesMut::new();
        let mut close = false;
        while let Some(decoded) = decoder.decode(&mut buf) {
            match decoded {
                Decoded::Frame(frame) => answer(ErrorCode::Unsupported, frame.id, &mut out),
                Decoded::Oversized { id, len } => {
                    tracing::debug!(id, len, "oversized resource frame; closing");
                    answer(ErrorCode::FrameTooLarge, id, &mut out);
                    close = true;
                    break;
                }
            }
        }
        if !out.is_empty()
            && !matches!(tokio::time::timeout(limits.write_timeout, stream.write_all(&out)).await, Ok(Ok(())))
        {
            return;
        }
        if close {
            let _ = stream.shutdown().await;
            return;
        }
        let read = if limits.idle_timeout.is_zero() {
            stream.read_buf(&mut buf).await
        } else {
            match tokio::time::timeout(limits.idle_timeout, stream.read_buf(&mut buf)).await {
                Ok(read) => read,
                Err(_) => return,
            }
        };
        if !matches!(read, Ok(1..)) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn serving(limits: ResLimits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(run(listener, limits, async move {
            let _ = stopped.await;
        }));
        (addr, stop)
    }

    fn request(id: u16) -> Vec<u8> {
        let mut frame = BytesMut::new();
        encode_resource(id, b"{\"seq\":1}", &mut frame).unwrap();
        frame.to_vec()
    }

    #[tokio::test]
    async fn an_idle_connection_stays_open_and_is_answered() {
        let (addr, _stop) = serving(ResLimits::default()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(&request(1045)).await.unwrap();
        let mut header = [0u8; 6];
        stream.read_exact(&mut header).await.unwrap();
        assert_eq!(u16::from_be_bytes([header[0], header[1]]), 1046);
    }

    #[tokio::test]
    async fn a_peer_that_never_reads_is_closed() {
        let limits = ResLimits { write_timeout: Duration::from_millis(200), ..ResLimits::default() };
        let (addr, _stop) = serving(limits).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // Requests until the server's replies fill both sockets' buffers and it gives up.
        let burst = request(1033).repeat(1024);
        let writing = tokio::spawn(async move {
            for _ in 0..100_000 {
                if writer.write_all(&burst).await.is_err() {
                    return;
                }
            }
            panic!("the server kept reading from a peer that reads nothing");
        });
        let wrote = tokio::time::timeout(Duration::from_secs(20), writing).await;
        assert!(matches!(wrote, Ok(Ok(()))), "the server closed the connection");
        // What it had sent is still there to read, then the end.
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut sink)).await;
        assert!(!sink.is_empty());
    }

    #[test]
    fn requests_are_answered_under_their_reply_id() {
        assert_eq!(reply_id(1031), 1032);
        assert_eq!(reply_id(1047), 1048);
        assert_eq!(reply_id(1035), ids::ERROR_RSP, "a chat id on the resource port");
        let mut out = BytesMut::new();
        answer(ErrorCode::Unsupported, 1033, &mut out);
        let mut decoder = Decoder::with_framing(Framing::Resource, 1024);
        let Some(Decoded::Frame(frame)) = decoder.decode(&mut out) else { panic!("one frame") };
        assert_eq!(frame.id, 1034);
        let body: serde_json::Value = serde_json::from_slice(&frame.body).unwrap();
        assert_eq!(body["error"], 1113);
        assert_eq!(body["req_id"], 1033);
    }
}
