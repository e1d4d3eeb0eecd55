//! One resource connection: the only code touching its socket. Frames in (the resource
//! framing), each request handled in turn and answered under its reply id, replies gathered
//! into one write. The connection is bound to a user by the first token it shows (1150, or
//! the `token` llfc's client puts in 1031, 1033, 1041 and 1047); every later request acts as
//! that user.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::BytesMut;
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
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::ResLimits;
use crate::files::{Bound, ChunkKind, Files, ReadAhead, Refused};

/// A connection's state between requests.
#[derive(Default)]
struct Conn {
    bound: Option<Bound>,
    ahead: ReadAhead,
}

/// Serves one connection until the peer closes, stops reading, or sends an oversized frame.
pub(crate) async fn serve(mut stream: TcpStream, files: &Files, limits: &ResLimits) {
    let _ = stream.set_nodelay(true);
    let mut decoder = Decoder::with_framing(Framing::Resource, limits.max_body);
    let mut buf = BytesMut::new();
    let mut conn = Conn::default();
    loop {
        let mut out = BytesMut::new();
        let mut close = false;
        while let Some(decoded) = decoder.decode(&mut buf) {
            match decoded {
                Decoded::Frame(frame) => {
                    let (id, body) = handle(files, &mut conn, frame.id, &frame.body).await;
                    if encode_resource(id, &body, &mut out).is_err() {
                        tracing::warn!(id, "a resource reply did not fit a frame");
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

async fn write(stream: &mut TcpStream, out: &[u8], timeout: Duration) -> bool {
    matches!(tokio::time::timeout(timeout, stream.write_all(out)).await, Ok(Ok(())))
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
async fn handle(files: &Files, conn: &mut Conn, id: u16, body: &[u8]) -> (u16, Vec<u8>) {
    let reply = reply_id(id);
    let body = match id {
        ids::UPLOAD_HEAD_ICON_REQ
        | ids::FILE_INFO_SYNC_REQ
        | ids::IMG_CHAT_UPLOAD_REQ
        | ids::IMG_CHAT_CONTINUE_UPLOAD_REQ => match parse::<ChunkReq>(body) {
            Ok(req) => to_body(&upload(files, conn, id, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::DOWN_LOAD_FILE_REQ | ids::IMG_CHAT_DOWN_REQ => match parse::<DownloadReq>(body) {
            Ok(req) => to_body(&download(files, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::IMG_CHAT_DOWN_INFO_SYNC_REQ => match parse::<DownInfoReq>(body) {
            Ok(req) => to_body(&down_info(files, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::RES_AUTH_REQ => match parse::<ResAuthReq>(body) {
            Ok(req) => to_body(&auth(files, conn, &req).await),
            Err(code) => error_body(code, id),
        },
        ids::FILE_META_REQ => match parse::<FileMetaReq>(body) {
            Ok(req) => to_body(&meta(files, conn, &req).await),
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
async fn upload(files: &Files, conn: &mut Conn, id: u16, req: &ChunkReq) -> ChunkRsp {
    let kind = if id == ids::UPLOAD_HEAD_ICON_REQ { ChunkKind::Avatar } else { ChunkKind::Chat };
    let outcome = match files.authenticate(&mut conn.bound, req.uid, &req.token).await {
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
async fn download(files: &Files, conn: &mut Conn, req: &DownloadReq) -> DownloadRsp {
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
        let uid = files.authenticate(&mut conn.bound, req.uid, &req.token).await?;
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

/// 1045: a history message's file, for whoever may read the message.
async fn down_info(files: &Files, conn: &mut Conn, req: &DownInfoReq) -> DownInfoRsp {
    let found = async {
        let uid = files.authenticate(&mut conn.bound, req.uid, &req.token).await?;
        files.readable_message(uid, req.message_id).await
    };
    match found.await {
        Ok((file, message)) => DownInfoRsp {
            message_id: message.message_id,
            thread_id: message.thread_id,
            sender_id: message.sender,
            recv_id: message.receiver,
            name: file.name,
            msg_type: message.msg_type,
            status: message.status,
            total_size: file.size.max(0).to_string(),
            ..DownInfoRsp::default()
        },
        Err(code) => DownInfoRsp {
            error: code.code(),
            message: code.describe().to_owned(),
            message_id: req.message_id,
            ..DownInfoRsp::default()
        },
    }
}

/// 1150: binds the connection, and says what the limits are.
async fn auth(files: &Files, conn: &mut Conn, req: &ResAuthReq) -> ResAuthRsp {
    let done = async {
        let uid = files.authenticate(&mut conn.bound, req.uid, &req.token).await?;
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
async fn meta(files: &Files, conn: &mut Conn, req: &FileMetaReq) -> FileMetaRsp {
    let found = async {
        let uid = files.authenticate(&mut conn.bound, req.uid, &req.token).await?;
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
