//! The resource connection: pictures, files and avatars up and down (llfc-wire.md §2.5), the
//! only SDK code besides `chat.rs` that touches a socket. One request at a time per
//! connection, or a window of chunks in flight during an upload (llfc's client keeps 5);
//! replies come back in order. A file is sent in two steps: its message on the chat
//! connection (1035, which reserves its name), then its bytes here (1041, then 1037s);
//! [`send_file`] does both.

pub use imchat_proto::msg::res::human_bytes;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::BytesMut;
use imchat_proto::codec::{Decoded, Decoder, Framing, RES_DEFAULT_MAX_BODY, encode_resource};
use imchat_proto::msg::res::{
    CHUNK_BYTES, CLIENT_WINDOW, ChunkReq, ChunkRsp, DownloadReq, DownloadRsp, FileMetaReq, FileMetaRsp, ResAuthReq,
    ResAuthRsp, ids,
};
use imchat_proto::msg::{ImgChatReq, ImgChatRsp};
use md5::Digest as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tls::ClientTls;
use crate::{ChatClient, SdkError};

/// How long one reply may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// A resource connection's byte stream: TCP, or TLS over it.
trait Link: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Link for T {}

/// Where a resource server is, and whether it is reached over TLS (see
/// [`crate::GateClient::res_place`]).
#[derive(Debug, Clone)]
pub struct ResPlace {
    pub addr: String,
    pub tls: Option<ClientTls>,
}

/// A resource connection, authenticated as one user.
pub struct FileClient {
    stream: Box<dyn Link>,
    decoder: Decoder,
    buf: BytesMut,
    uid: i32,
    /// What the server said at authentication: its caps and what this user holds.
    pub limits: ResAuthRsp,
}

impl std::fmt::Debug for FileClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileClient").field("uid", &self.uid).field("limits", &self.limits).finish_non_exhaustive()
    }
}

/// A file's message, stored: what its upload needs.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The 1036: the message's id, seq and the file's name.
    pub message: ImgChatRsp,
    pub size: u64,
    /// Lowercase hex, as the upload announces it.
    pub md5: String,
}

fn refused(error: i32, message: &str) -> SdkError {
    SdkError::Server { code: error, message: message.to_owned() }
}

impl FileClient {
    /// Connects to `addr` (the login reply's `reshost:resport`) over plain TCP and
    /// authenticates with the chat login's token.
    pub async fn connect(addr: &str, uid: i32, token: &str) -> Result<FileClient, SdkError> {
        FileClient::open(&ResPlace { addr: addr.to_owned(), tls: None }, uid, token).await
    }

    /// Connects to `place` (over TLS when it says so: the handshake comes before the token)
    /// and authenticates with the chat login's token.
    pub async fn open(place: &ResPlace, uid: i32, token: &str) -> Result<FileClient, SdkError> {
        let addr = place.addr.as_str();
        let tcp =
            TcpStream::connect(addr).await.map_err(|source| SdkError::Connect { addr: addr.to_owned(), source })?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Link> = match &place.tls {
            None => Box::new(tcp),
            Some(tls) => Box::new(
                tls.connector()
                    .connect(crate::tls::server_name(addr)?, tcp)
                    .await
                    .map_err(|source| SdkError::Connect { addr: addr.to_owned(), source })?,
            ),
        };
        let decoder = Decoder::with_framing(Framing::Resource, RES_DEFAULT_MAX_BODY * 4);
        let mut client = FileClient { stream, decoder, buf: BytesMut::new(), uid, limits: ResAuthRsp::default() };
        let auth: ResAuthRsp =
            client.call(ids::RES_AUTH_REQ, &ResAuthReq { uid, token: token.to_owned() }, ids::RES_AUTH_RSP).await?;
        if auth.error != 0 {
            return Err(refused(auth.error, &auth.message));
        }
        client.limits = auth;
        Ok(client)
    }

    async fn send<T: Serialize>(&mut self, id: u16, body: &T) -> Result<(), SdkError> {
        let body = serde_json::to_vec(body).map_err(|err| SdkError::Decode(err.to_string()))?;
        let mut frame = BytesMut::new();
        encode_resource(id, &body, &mut frame)?;
        self.stream.write_all(&frame).await.map_err(|_| SdkError::Closed)?;
        self.stream.flush().await.map_err(|_| SdkError::Closed)
    }

    async fn recv<T: DeserializeOwned>(&mut self, want: u16) -> Result<T, SdkError> {
        let read = async {
            loop {
                if let Some(decoded) = self.decoder.decode(&mut self.buf) {
                    return match decoded {
                        Decoded::Frame(frame) if frame.id == want => {
                            serde_json::from_slice(&frame.body).map_err(|err| SdkError::Decode(err.to_string()))
                        }
                        Decoded::Frame(frame) => {
                            let body: serde_json::Value = serde_json::from_slice(&frame.body).unwrap_or_default();
                            Err(refused(
                                body["error"].as_i64().unwrap_or(-1) as i32,
                                body["message"].as_str().unwrap_or("unexpected reply"),
                            ))
                        }
                        Decoded::Oversized { .. } => Err(SdkError::Decode("oversized reply".into())),
                    };
                }
                if !matches!(self.stream.read_buf(&mut self.buf).await, Ok(1..)) {
                    return Err(SdkError::Closed);
                }
            }
        };
        tokio::time::timeout(REPLY_TIMEOUT, read).await.map_err(|_| SdkError::Timeout(REPLY_TIMEOUT))?
    }

    async fn call<Req: Serialize, Rsp: DeserializeOwned>(
        &mut self,
        id: u16,
        req: &Req,
        want: u16,
    ) -> Result<Rsp, SdkError> {
        self.send(id, req).await?;
        self.recv(want).await
    }

    /// What the server holds of file `name`.
    pub async fn meta(&mut self, name: &str) -> Result<FileMetaRsp, SdkError> {
        let req = FileMetaReq { name: name.to_owned(), uid: self.uid, token: String::new() };
        let rsp: FileMetaRsp = self.call(ids::FILE_META_REQ, &req, ids::FILE_META_RSP).await?;
        if rsp.error != 0 {
            return Err(refused(rsp.error, &rsp.message));
        }
        Ok(rsp)
    }

    /// Uploads the bytes of `path` as file `name` (reserved by its 1035): the first chunk as
    /// a 1041, the rest as 1037s with [`CLIENT_WINDOW`] in flight. `from_seq` skips chunks the
    /// server already has (a resumed upload). `progress` hears the bytes acknowledged.
    pub async fn upload(
        &mut self,
        path: &Path,
        name: &str,
        md5: &str,
        from_seq: u64,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, SdkError> {
        let mut file =
            tokio::fs::File::open(path).await.map_err(|err| SdkError::Decode(format!("{}: {err}", path.display())))?;
        let size = file.metadata().await.map_err(|err| SdkError::Decode(err.to_string()))?.len();
        let chunks = size.div_ceil(CHUNK_BYTES);
        let first = from_seq.max(1);
        if first > 1 {
            file.seek(std::io::SeekFrom::Start((first - 1) * CHUNK_BYTES))
                .await
                .map_err(|err| SdkError::Decode(err.to_string()))?;
        }
        let (mut next, mut acked, mut in_flight) = (first, 0u64, std::collections::VecDeque::new());
        let mut buf = vec![0u8; CHUNK_BYTES as usize];
        while next <= chunks || !in_flight.is_empty() {
            while next <= chunks && in_flight.len() < CLIENT_WINDOW {
                let len = (size - (next - 1) * CHUNK_BYTES).min(CHUNK_BYTES) as usize;
                file.read_exact(&mut buf[..len]).await.map_err(|err| SdkError::Decode(err.to_string()))?;
                let id = if next == 1 { ids::FILE_INFO_SYNC_REQ } else { ids::IMG_CHAT_UPLOAD_REQ };
                let req = ChunkReq {
                    md5: md5.to_owned(),
                    name: name.to_owned(),
                    seq: next as i64,
                    total_size: size as i64,
                    trans_size: ((next - 1) * CHUNK_BYTES + len as u64) as i64,
                    last: next == chunks,
                    data: BASE64.encode(&buf[..len]),
                    uid: self.uid,
                    ..ChunkReq::default()
                };
                self.send(id, &req).await?;
                in_flight.push_back((id + 1, len as u64));
                next += 1;
            }
            let Some((want, len)) = in_flight.pop_front() else { break };
            let rsp: ChunkRsp = self.recv(want).await?;
            if rsp.error != 0 {
                return Err(refused(rsp.error, &rsp.message));
            }
            acked += len;
            progress(acked, size);
            if rsp.complete {
                // Every chunk is there (some may have been before a resume).
                while let Some((want, _)) = in_flight.pop_front() {
                    let _: ChunkRsp = self.recv(want).await?;
                }
                return Ok(size);
            }
        }
        Err(SdkError::Decode("every chunk was acknowledged but the file is not complete".into()))
    }

    /// Downloads file `name` (or its thumbnail) into `dest`, chunk by chunk; `progress`
    /// hears the bytes so far. Returns the size.
    pub async fn download(
        &mut self,
        name: &str,
        thumb: bool,
        dest: &Path,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, SdkError> {
        let partial = partial_path(dest);
        let result = self.download_into(name, thumb, &partial, &mut progress).await;
        match result {
            Ok(total) => {
                tokio::fs::rename(&partial, dest).await.map_err(|err| SdkError::Decode(err.to_string()))?;
                Ok(total)
            }
            Err(err) => {
                // Half a file is never left behind.
                let _ = tokio::fs::remove_file(&partial).await;
                Err(err)
            }
        }
    }

    async fn download_into(
        &mut self,
        name: &str,
        thumb: bool,
        partial: &Path,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<u64, SdkError> {
        let mut out = tokio::fs::File::create(partial)
            .await
            .map_err(|err| SdkError::Decode(format!("{}: {err}", partial.display())))?;
        let mut seq = 1i64;
        loop {
            let req = DownloadReq {
                name: name.to_owned(),
                seq,
                uid: self.uid,
                variant: if thumb { "thumb".into() } else { String::new() },
                ..DownloadReq::default()
            };
            let rsp: DownloadRsp = self.call(ids::IMG_CHAT_DOWN_REQ, &req, ids::IMG_CHAT_DOWN_RSP).await?;
            if rsp.error != 0 {
                return Err(refused(rsp.error, &rsp.message));
            }
            let data = BASE64.decode(rsp.data.as_bytes()).map_err(|err| SdkError::Decode(err.to_string()))?;
            out.write_all(&data).await.map_err(|err| SdkError::Decode(err.to_string()))?;
            let (now, total) = (rsp.current_size.parse().unwrap_or(0), rsp.total_size.parse().unwrap_or(0));
            progress(now, total);
            if rsp.is_last {
                out.flush().await.map_err(|err| SdkError::Decode(err.to_string()))?;
                return Ok(total);
            }
            seq += 1;
        }
    }
}

/// Where a download is written until it is whole: beside `dest`, hidden, and unique to this
/// download (two clients on one machine may fetch the same file into the same place).
fn partial_path(dest: &Path) -> std::path::PathBuf {
    static DOWNLOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = DOWNLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.{}-{n}.part", std::process::id()))
}

/// The md5 of the file at `path`, read in blocks (lowercase hex).
pub async fn md5_of(path: &Path) -> Result<String, SdkError> {
    let mut file =
        tokio::fs::File::open(path).await.map_err(|err| SdkError::Decode(format!("{}: {err}", path.display())))?;
    let mut hash = md5::Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(|err| SdkError::Decode(err.to_string()))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What to send: a picture or a file, to a friend or a group.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub me: i32,
    /// The friend; 0 in a group.
    pub touid: i32,
    pub thread_id: i64,
    pub path: &'a Path,
    /// 1 picture, 3 file.
    pub msg_type: i32,
    /// The client's idempotency key for the message.
    pub unique_id: &'a str,
}

/// The first step of sending a picture or file: its message on `chat` (the server picks its
/// name, and labels it with the file's own name). [`FileClient::upload`] sends the bytes.
pub async fn announce_file(chat: &ChatClient, out: &Outgoing<'_>) -> Result<Sent, SdkError> {
    let md5 = md5_of(out.path).await?;
    let size = tokio::fs::metadata(out.path).await.map_err(|err| SdkError::Decode(err.to_string()))?.len();
    let label = out.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let req = ImgChatReq {
        fromuid: out.me,
        touid: out.touid,
        thread_id: out.thread_id,
        md5: md5.clone(),
        name: String::new(),
        unique_id: out.unique_id.to_owned(),
        msg_type: out.msg_type,
        total_size: size as i64,
        label,
    };
    let message: ImgChatRsp = chat.call(&req).await?;
    if message.error != 0 {
        return Err(refused(message.error, &message.message));
    }
    Ok(Sent { message, size, md5 })
}

/// Sends a picture or file: [`announce_file`], then its bytes on `files`.
pub async fn send_file(
    chat: &ChatClient,
    files: &mut FileClient,
    out: &Outgoing<'_>,
    progress: impl FnMut(u64, u64),
) -> Result<Sent, SdkError> {
    let sent = announce_file(chat, out).await?;
    files.upload(out.path, &sent.message.unique_name, &sent.md5, 1, progress).await?;
    Ok(sent)
}
