//! The baseline relay: the same framing and the same load shape as `chat`, but no auth, no
//! JSON and no storage, in this process over loopback. Its throughput is the machine's
//! ceiling for this load, so `imchat / baseline` shows what durability and the protocol cost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use imchat_sdk::proto::codec::{self, Decoded, Decoder, Frame, MAX_BODY_CEILING};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::Context;
use crate::cli::ChatBench;
use crate::commands::bench::chat::{Tally, body, sent_at};
use crate::commands::bench::{Report, procs};
use crate::errors::{CliError, ErrorKind};

const HELLO: u16 = 1;
const SEND: u16 = 2;
const DELIVER: u16 = 3;
const ACK: u16 = 4;
/// Frames queued per relay connection.
const RELAY_QUEUE: usize = 4096;

fn internal(err: std::io::Error) -> CliError {
    CliError::new(ErrorKind::Internal, format!("baseline relay: {err}"))
}

fn encode(id: u16, body: &[u8]) -> BytesMut {
    let mut buf = BytesMut::new();
    codec::encode(id, body, &mut buf).expect("bench frames are small");
    buf
}

/// Reads frames off one socket.
struct Reader {
    half: OwnedReadHalf,
    buf: BytesMut,
    decoder: Decoder,
}

impl Reader {
    fn new(half: OwnedReadHalf) -> Reader {
        Reader { half, buf: BytesMut::new(), decoder: Decoder::new(MAX_BODY_CEILING) }
    }

    async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(Decoded::Frame(frame)) = self.decoder.decode(&mut self.buf) {
                return Some(frame);
            }
            if self.half.read_buf(&mut self.buf).await.ok()? == 0 {
                return None;
            }
        }
    }
}

type Routes = Arc<Mutex<HashMap<u32, mpsc::Sender<BytesMut>>>>;

async fn writer(mut half: OwnedWriteHalf, mut rx: mpsc::Receiver<BytesMut>) {
    while let Some(first) = rx.recv().await {
        let mut batch = first;
        while let Ok(more) = rx.try_recv() {
            batch.extend_from_slice(&more);
        }
        if half.write_all(&batch).await.is_err() {
            return;
        }
    }
}

/// The relay server: HELLO names a connection; SEND `<to>|<payload>` is forwarded as DELIVER
/// to that connection and acknowledged to the sender with ACK.
async fn serve(listener: TcpListener) {
    let routes: Routes = Arc::default();
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let routes = routes.clone();
        tokio::spawn(async move {
            let (read, write) = stream.into_split();
            let (tx, rx) = mpsc::channel(RELAY_QUEUE);
            tokio::spawn(writer(write, rx));
            let mut reader = Reader::new(read);
            while let Some(frame) = reader.next().await {
                match frame.id {
                    HELLO => {
                        if let Some(uid) = std::str::from_utf8(&frame.body).ok().and_then(|s| s.parse().ok()) {
                            routes.lock().unwrap_or_else(|p| p.into_inner()).insert(uid, tx.clone());
                        }
                    }
                    SEND => {
                        let Some(split) = frame.body.iter().position(|b| *b == b'|') else { continue };
                        let to: Option<u32> =
                            std::str::from_utf8(&frame.body[..split]).ok().and_then(|s| s.parse().ok());
                        let target =
                            to.and_then(|to| routes.lock().unwrap_or_else(|p| p.into_inner()).get(&to).cloned());
                        if let Some(target) = target {
                            let _ = target.send(encode(DELIVER, &frame.body[split + 1..])).await;
                        }
                        let _ = tx.send(encode(ACK, b"")).await;
                    }
                    _ => {}
                }
            }
        });
    }
}

pub async fn run(_ctx: &Context, opts: &ChatBench) -> Result<Report, CliError> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(internal)?;
    let addr = listener.local_addr().map_err(internal)?;
    let server = tokio::spawn(serve(listener));

    let users = opts.users;
    let tally = Arc::new(Mutex::new(Tally::new()));
    let mut connections = Vec::with_capacity(users);
    for uid in 0..users as u32 {
        let stream = TcpStream::connect(addr).await.map_err(internal)?;
        let _ = stream.set_nodelay(true);
        let (read, mut write) = stream.into_split();
        write.write_all(&encode(HELLO, uid.to_string().as_bytes())).await.map_err(internal)?;
        connections.push((uid, Reader::new(read), write));
    }
    let start = Instant::now();
    let before = procs::sample();
    let expected = opts.messages * users as u64;
    let mut tasks = Vec::new();
    for (uid, mut reader, mut write) in connections {
        let (tally, messages, size, window) = (tally.clone(), opts.messages, opts.size, opts.window.max(1));
        let (ack_tx, mut ack_rx) = mpsc::channel::<()>(window as usize);
        // Receives deliveries for this user and acknowledgements for its sends.
        tokio::spawn(async move {
            while let Some(frame) = reader.next().await {
                match frame.id {
                    DELIVER => {
                        if let Some(sent_us) = std::str::from_utf8(&frame.body).ok().and_then(sent_at) {
                            tally.lock().unwrap_or_else(|p| p.into_inner()).record(start, sent_us);
                        }
                    }
                    ACK => {
                        let _ = ack_tx.send(()).await;
                    }
                    _ => {}
                }
            }
        });
        let partner = uid ^ 1;
        tasks.push(tokio::spawn(async move {
            // `window` sends in flight: after the first `window`, each waits for an ACK.
            for n in 0..messages {
                if n >= window && ack_rx.recv().await.is_none() {
                    return;
                }
                let payload = format!("{partner}|{}", body(start.elapsed().as_micros(), size));
                if write.write_all(&encode(SEND, payload.as_bytes())).await.is_err() {
                    return;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let deadline = start + Duration::from_secs(opts.max_secs);
    while tally.lock().unwrap_or_else(|p| p.into_inner()).delivered < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let after = procs::sample();
    server.abort();
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let seconds = tally.last.duration_since(start).as_secs_f64().max(1e-9);
    Ok(Report {
        scenario: "chat (baseline relay)".into(),
        target: "baseline".into(),
        users,
        sent: expected,
        delivered: tally.delivered,
        errors: 0,
        drops: expected.saturating_sub(tally.delivered),
        duplicates: 0,
        seconds,
        per_sec: tally.delivered as f64 / seconds,
        p50_us: tally.histogram.value_at_quantile(0.5),
        p99_us: tally.histogram.value_at_quantile(0.99),
        p999_us: tally.histogram.value_at_quantile(0.999),
        server_cpu_s: after.cpu_since(&before),
        server_cpu_us_per_msg: 0.0,
        server_cpu_s_by_process: Vec::new(),
        peak_rss_kib: Vec::new(),
        peer_calls: None,
        peer_frames: None,
        given_up: None,
        longest_stall_us: None,
        reconnects: None,
        recovered: None,
        flowing_again_ms: None,
        ..Report::default()
    })
}
