//! One resource connection: the only code touching its socket. What the door lets in (per
//! address and per user, deadlines before a token, failed tokens counted), frames in (the
//! resource framing), each request handled in turn and answered under its reply id, replies
//! written as they are made within a byte budget. The connection is bound to a user by the
//! first token it shows (1150, or the `token` llfc's client puts in 1031, 1033, 1041 and
//! 1047); every later request acts as that user.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::BytesMut;
use imchat_edge::{Buckets, Counted, Counter, Edge, Peer};
use imchat_proto::ErrorCode;
use imchat_proto::codec::{Decoded, Decoder, Framing, encode_resource};
use imchat_proto::msg::ErrorBody;
use imchat_proto::msg::res::{
    CHUNK_BYTES, ChunkReq, ChunkRsp, DownInfoReq, DownInfoRsp, DownloadReq, DownloadRsp, FileMetaReq, FileMetaRsp,
    ResAuthReq, ResAuthRsp, ids, reply_id,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::ResLimits;
use crate::files::{Bound, ChunkKind, Files, ReadAhead, Refused};

/// Room made in the read buffer for each read (it grows for a large frame). The buffer
/// exists only while bytes are being read or decoded: an idle connection holds none.
const READ_BUFFER: usize = 4096;

/// What every connection of one resource server shares: the rules, the limits, and the
/// counts per address and per user.
pub(crate) struct Door {
    files: Arc<Files>,
    limits: ResLimits,
    edge: Edge,
    users: Counter<i32>,
    slots: Arc<tokio::sync::Semaphore>,
    /// 1045s before a token, per address.
    info: Buckets<Peer>,
}

/// A connection's places: one of the server's slots and one of its address's.
pub(crate) struct Place {
    _slot: tokio::sync::OwnedSemaphorePermit,
    address: Counted<Peer>,
}

impl Door {
    pub(crate) fn new(files: Arc<Files>, limits: ResLimits) -> Door {
        let slots =
            Arc::new(tokio::sync::Semaphore::new(limits.max_connections.clamp(1, tokio::sync::Semaphore::MAX_PERMITS)));
        let info = Buckets::new(limits.info_per_ip);
        Door { files, limits, edge: Edge::default(), users: Counter::default(), slots, info }
    }

    /// A place for a new connection from `ip`, unless the server or the address is full.
    pub(crate) fn admit(&self, ip: IpAddr) -> Option<Place> {
        let slot = self.slots.clone().try_acquire_owned().ok()?;
        let address = self.edge.admit(Peer::from(ip), self.limits.max_connections_per_ip)?;
        Some(Place { _slot: slot, address })
    }
}

/// A connection's socket: TCP, or TLS over it.
pub(crate) trait Socket: AsyncRead + AsyncWrite + Unpin + Send {
    /// Resolves once bytes may have arrived. TCP waits for readiness, so an idle connection
    /// holds no read buffer; TLS cannot tell and reads at once.
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send;
}

impl Socket for TcpStream {
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        self.readable()
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        std::future::ready(Ok(()))
    }
}

/// A connection's state between requests.
struct Conn {
    peer: Peer,
    bound: Option<Bound>,
    /// The bound user's place in their count of connections.
    user: Option<Counted<i32>>,
    /// Wrong tokens shown on this connection.
    failures: u32,
    /// A chat login came from this address: no authentication deadline.
    vouched: bool,
    ahead: ReadAhead,
}

impl Conn {
    /// The user a request acts as (see [`Files::authenticate`]), within the door's limits: an
    /// address over its failures for the minute gets 1105 unchecked; a wrong token counts
    /// against the connection and the address; a user holds so many connections at once.
    async fn authenticate(&mut self, door: &Door, uid: i32, token: &str) -> Result<i32, Refused> {
        let limits = &door.limits;
        let checks = !token.is_empty() && self.bound.as_ref().is_none_or(|b| !b.shows(token));
        if checks && !door.edge.may_try(self.peer, limits.failed_auths_per_ip) {
            return Err(ErrorCode::TooManyRequests);
        }
        let outcome = door.files.authenticate(&mut self.bound, uid, token).await;
        match outcome {
            Ok(uid) if self.user.as_ref().is_some_and(|user| *user.key() == uid) => Ok(uid),
            Ok(uid) => match door.users.admit(uid, limits.max_connections_per_user) {
                Some(place) => {
                    self.user = Some(place);
                    Ok(uid)
                }
                None => {
                    self.bound = None;
                    self.user = None;
                    Err(ErrorCode::TooManyRequests)
                }
            },
            Err(code) => {
                if code == ErrorCode::TokenInvalid {
                    door.edge.failed(self.peer);
                    self.failures += 1;
                }
                if self.bound.is_none() {
                    self.user = None;
                }
                Err(code)
            }
        }
    }

    /// Whether the connection showed too many wrong tokens to stay open.
    fn spent(&self, limits: &ResLimits) -> bool {
        limits.max_failed_auths > 0 && self.failures >= limits.max_failed_auths
    }
}

/// A new connection: the TLS handshake, if any (within the authentication deadline), then
/// [`serve`].
pub(crate) async fn accept(stream: TcpStream, tls: Option<tokio_rustls::TlsAcceptor>, place: Place, door: &Door) {
    let _ = stream.set_nodelay(true);
    let accepted = Instant::now();
    let peer = *place.address.key();
    match tls {
        None => serve(stream, peer, accepted, door).await,
        Some(tls) => match tokio::time::timeout(door.limits.auth_deadline, tls.accept(stream)).await {
            Ok(Ok(stream)) => Box::pin(serve(stream, peer, accepted, door)).await,
            Ok(Err(err)) => tracing::debug!(%peer, %err, "resource TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "resource TLS handshake timed out"),
        },
    }
    drop(place);
}

/// Why a connection stops waiting for bytes.
enum Wake {
    Read(std::io::Result<usize>),
    Deadline,
}

/// Serves one connection until the peer closes, stops reading, sends an oversized frame,
/// shows too many wrong tokens, or misses a deadline.
async fn serve(mut stream: impl Socket, peer: Peer, accepted: Instant, door: &Door) {
    let limits = &door.limits;
    let mut decoder = Decoder::with_framing(Framing::Resource, limits.max_body);
    let mut buf = BytesMut::new();
    let mut conn = Conn { peer, bound: None, user: None, failures: 0, vouched: false, ahead: ReadAhead::default() };
    let auth_by = accepted + limits.auth_deadline;
    let mut last_frame = Instant::now();
    loop {
        let mut out = BytesMut::new();
        let mut close = false;
        while let Some(decoded) = decoder.decode(&mut buf) {
            match decoded {
                Decoded::Frame(frame) => {
                    last_frame = Instant::now();
                    let (id, body) = handle(door, &mut conn, frame.id, &frame.body).await;
                    if encode_resource(id, &body, &mut out).is_err() {
                        tracing::warn!(id, "a resource reply did not fit a frame");
                    }
                    if conn.spent(limits) {
                        tracing::debug!(%peer, "too many wrong tokens; closing");
                        close = true;
                        break;
                    }
                    // Written as they are made: a pipeline of requests never gathers its
                    // replies whole.
                    if out.len() >= limits.out_budget {
                        if !write(&mut stream, &out, limits.write_timeout).await {
                            return;
                        }
                        out = BytesMut::new();
                    }
                }
                Decoded::Oversized { id, len } => {
                    tracing::debug!(id, len, "oversized resource frame; closing");
                    let body = error_body(ErrorCode::FrameTooLarge, id);
                    let _ = encode_resource(reply_id(id), &body, &mut out);
                    close = true;
                    break;
                }
            }
        }
        if !out.is_empty() && !write(&mut stream, &out, limits.write_timeout).await {
            return;
        }
        drop(out);
        if close {
            let _ = stream.shutdown().await;
            return;
        }
        if buf.is_empty() {
            buf = BytesMut::new();
        }
        // Wait for bytes, or the next deadline: authentication (until a token or a vouching
        // chat login), a frame begun, idleness, and the read-ahead's hold.
        loop {
            let mut deadline = None::<Instant>;
            let mut sooner = |at: Instant| deadline = Some(deadline.map_or(at, |d: Instant| d.min(at)));
            if conn.bound.is_none() && !conn.vouched {
                sooner(auth_by);
            }
            if !buf.is_empty() {
                sooner(last_frame + limits.frame_timeout);
            }
            if !limits.idle_timeout.is_zero() {
                sooner(last_frame + limits.idle_timeout);
            }
            if conn.ahead.holds() {
                sooner(last_frame + limits.read_ahead_hold);
            }
            let room = room_for_frame(&buf, limits.max_body);
            let read = async {
                stream.ready().await?;
                buf.reserve(room);
                stream.read_buf(&mut buf).await
            };
            let wake = match deadline {
                None => Wake::Read(read.await),
                Some(at) => tokio::select! {
                    read = read => Wake::Read(read),
                    () = tokio::time::sleep_until(at) => Wake::Deadline,
                },
            };
            match wake {
                Wake::Read(Ok(1..)) => break,
                Wake::Read(_) => return,
                Wake::Deadline => {}
            }
            let now = Instant::now();
            if conn.ahead.holds() && now >= last_frame + limits.read_ahead_hold {
                conn.ahead = ReadAhead::default();
            }
            if conn.bound.is_none() && !conn.vouched && now >= auth_by {
                if !door.files.address_logged_in(&peer.to_string()).await {
                    tracing::debug!(%peer, "no token within the deadline; closing");
                    return;
                }
                conn.vouched = true;
            }
            let partial = !buf.is_empty() && now >= last_frame + limits.frame_timeout;
            let idle = !limits.idle_timeout.is_zero() && now >= last_frame + limits.idle_timeout;
            if partial || idle {
                return;
            }
        }
    }
}

/// Room to make for the next read: the rest of the frame under way, whose header says how
/// long it is (an upload's 44 KB chunk then takes a read or two), else a small start.
fn room_for_frame(buf: &[u8], max_body: usize) -> usize {
    const HEADER: usize = 6;
    if buf.len() < HEADER {
        return READ_BUFFER;
    }
    let body = u32::from_be_bytes([buf[2], buf[3], buf[4], buf[5]]) as usize;
    (HEADER + body.min(max_body)).saturating_sub(buf.len()).max(READ_BUFFER)
}

async fn write(stream: &mut impl Socket, out: &[u8], timeout: Duration) -> bool {
    let written = async {
        stream.write_all(out).await?;
        stream.flush().await
    };
    matches!(tokio::time::timeout(timeout, written).await, Ok(Ok(())))
}

fn error_body(code: ErrorCode, req_id: u16) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody::new(code, req_id)).unwrap_or_default()
}

fn to_body<T: Serialize>(reply: &T) -> Vec<u8> {
    serde_json::to_vec(reply).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refused> {
    serde_json::from_slice(body).map_err(|_| ErrorCode::Json)
}

/// One request's reply: its id and body.
async fn handle(door: &Door, conn: &mut Conn, id: u16, body: &[u8]) -> (u16, Vec<u8>) {
    let reply = reply_id(id);
    let body = match id {
        ids::UPLOAD_HEAD_ICON_REQ
        | ids::FILE_INFO_SYNC_REQ
        | ids::IMG_CHAT_UPLOAD_REQ
        | ids::IMG_CHAT_CONTINUE_UPLOAD_REQ => match parse::<ChunkReq>(body) {
            Ok(req) => to_body(&upload(door, conn, id, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::DOWN_LOAD_FILE_REQ | ids::IMG_CHAT_DOWN_REQ => match parse::<DownloadReq>(body) {
            Ok(req) => to_body(&download(door, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::IMG_CHAT_DOWN_INFO_SYNC_REQ => match parse::<DownInfoReq>(body) {
            Ok(req) => to_body(&down_info(door, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::RES_AUTH_REQ => match parse::<ResAuthReq>(body) {
            Ok(req) => to_body(&auth(door, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::FILE_META_REQ => match parse::<FileMetaReq>(body) {
            Ok(req) => to_body(&meta(door, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        // llfc's echo test.
        1001 => match parse::<Value>(body) {
            Ok(req) => {
                to_body(&serde_json::json!({"error": 0, "data": req.get("data").cloned().unwrap_or(Value::Null)}))
            }
            Err(code) => error_body(code, id),
        },
        // llfc's generic upload by md5 under a claimed uid, and its sync that never worked:
        // imchat's files go through 1035 and 1041 instead (PROTOCOL.md).
        1003 | 1005 => error_body(ErrorCode::Unsupported, id),
        _ => error_body(ErrorCode::UnknownMsgId, id),
    };
    (reply, body)
}

/// 1031, 1041, 1037, 1043: one chunk, answered with llfc's fields in that id's types.
async fn upload(door: &Door, conn: &mut Conn, id: u16, req: &ChunkReq) -> ChunkRsp {
    let files = &door.files;
    let kind = if id == ids::UPLOAD_HEAD_ICON_REQ { ChunkKind::Avatar } else { ChunkKind::Chat };
    let outcome = match conn.authenticate(door, req.uid, &req.token).await {
        Ok(uid) => files.chunk(uid, kind, req).await,
        Err(code) => Err(code),
    };
    // 1038 carries sizes as strings; 1032, 1042 and 1044 as integers.
    let size = |n: i64| if id == ids::IMG_CHAT_UPLOAD_REQ { Value::from(n.to_string()) } else { Value::from(n) };
    let mut rsp = ChunkRsp {
        seq: req.seq,
        name: req.name.clone(),
        md5: req.md5.clone(),
        uid: req.uid,
        last: i64::from(req.last),
        total_size: size(req.total_size),
        trans_size: size(req.trans_size),
        last_seq: req.last_seq,
        sender: req.sender,
        receiver: req.receiver,
        ..ChunkRsp::default()
    };
    match outcome {
        Ok(accepted) => {
            rsp.received = i64::try_from(accepted.received).unwrap_or(i64::MAX);
            rsp.complete = accepted.complete;
        }
        Err(code) => {
            rsp.error = code.code();
            rsp.message = code.describe().to_owned();
        }
    }
    rsp
}

/// 1033 and 1047: chunk `seq` of a file the user may read.
async fn download(door: &Door, conn: &mut Conn, req: &DownloadReq) -> DownloadRsp {
    let files = &door.files;
    let mut rsp = DownloadRsp {
        seq: req.seq,
        name: req.name.clone(),
        client_path: req.client_path.clone(),
        req_type: req.req_type.clone(),
        sender_id: req.sender_id,
        receiver_id: req.receiver_id,
        ..DownloadRsp::default()
    };
    let read = async {
        let uid = conn.authenticate(door, req.uid, &req.token).await?;
        let row = files.readable(uid, &req.name).await?;
        files.read_chunk(&row, req.variant == "thumb", req.seq, &mut conn.ahead).await
    };
    match read.await {
        Ok(chunk) => {
            rsp.data = BASE64.encode(&chunk.data);
            rsp.total_size = chunk.size.to_string();
            rsp.current_size = chunk.end.to_string();
            rsp.is_last = chunk.end >= chunk.size;
        }
        Err(code) => {
            rsp.error = code.code();
            rsp.message = code.describe().to_owned();
        }
    }
    rsp
}

/// 1045: a history message's file, for whoever may read the message. Asked before any token
/// (llfc's Qt client does so for a picture it lacks on disk, on a fresh connection), it gets
/// what a download needs (name, size, md5, type) and nothing about who sent it to whom, at
/// `info_per_ip`; the download itself still needs the token and the membership.
async fn down_info(door: &Door, conn: &mut Conn, req: &DownInfoReq) -> DownInfoRsp {
    let files = &door.files;
    let anonymous = conn.bound.is_none() && req.token.is_empty();
    let found = async {
        if anonymous {
            if !door.info.take(conn.peer, 1) {
                return Err(ErrorCode::TooManyRequests);
            }
            return files.fetchable(req.message_id).await;
        }
        let uid = conn.authenticate(door, req.uid, &req.token).await?;
        files.readable_message(uid, req.message_id).await
    };
    match found.await {
        Ok((file, message)) => {
            let mut rsp = DownInfoRsp {
                message_id: message.message_id,
                name: file.name,
                msg_type: message.msg_type,
                status: message.status,
                total_size: file.size.max(0).to_string(),
                md5: file.md5,
                ..DownInfoRsp::default()
            };
            // Who sent it to whom only to someone who may read it.
            if !anonymous {
                (rsp.thread_id, rsp.sender_id, rsp.recv_id) = (message.thread_id, message.sender, message.receiver);
            }
            rsp
        }
        Err(code) => DownInfoRsp {
            error: code.code(),
            message: code.describe().to_owned(),
            message_id: req.message_id,
            ..DownInfoRsp::default()
        },
    }
}

/// 1150: binds the connection, and says what the limits are.
async fn auth(door: &Door, conn: &mut Conn, req: &ResAuthReq) -> ResAuthRsp {
    let files = &door.files;
    let done = async {
        let uid = conn.authenticate(door, req.uid, &req.token).await?;
        Ok::<_, Refused>((uid, files.used_bytes(uid).await?))
    };
    match done.await {
        Ok((uid, used)) => ResAuthRsp {
            uid,
            chunk_bytes: CHUNK_BYTES,
            max_file_bytes: files.limits.max_file_bytes,
            quota_bytes: files.limits.quota_bytes,
            used_bytes: used,
            ..ResAuthRsp::default()
        },
        Err(code) => ResAuthRsp {
            error: code.code(),
            message: code.describe().to_owned(),
            uid: req.uid,
            ..ResAuthRsp::default()
        },
    }
}

/// 1152: a readable file's metadata.
async fn meta(door: &Door, conn: &mut Conn, req: &FileMetaReq) -> FileMetaRsp {
    let files = &door.files;
    let found = async {
        let uid = conn.authenticate(door, req.uid, &req.token).await?;
        files.readable(uid, &req.name).await
    };
    match found.await {
        Ok(file) => FileMetaRsp {
            kind: file.kind.as_str().to_owned(),
            owner: file.owner,
            size: file.size.max(0),
            received: if file.complete { file.size } else { 0 },
            complete: file.complete,
            mime: file.mime,
            md5: file.md5,
            sha256: file.sha256,
            label: file.label,
            message_id: file.message_id,
            thread_id: file.thread_id,
            msg_type: file.msg_type,
            thumb_size: file.thumb_size,
            name: file.name,
            ..FileMetaRsp::default()
        },
        Err(code) => FileMetaRsp {
            error: code.code(),
            message: code.describe().to_owned(),
            name: req.name.clone(),
            ..FileMetaRsp::default()
        },
    }
}
