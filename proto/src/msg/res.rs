//! The resource server's messages (llfc-wire.md §2.5), carried in the resource framing
//! (`u16` id, `u32` length, JSON) on their own connection, and the chat server's 1039 notice.
//!
//! llfc sends the same number as a JSON string in one request and as an integer in the next
//! (`total_size` is a string in 1037 and an integer in 1043), so every number a client sends
//! is read leniently ([`lenient`]); replies use llfc's types exactly.

use serde::{Deserialize, Serialize};

use super::Message;

/// Resource message ids. 1031–1048 are llfc's; 1150 and up are imchat's.
pub mod ids {
    pub const UPLOAD_HEAD_ICON_REQ: u16 = 1031;
    pub const UPLOAD_HEAD_ICON_RSP: u16 = 1032;
    pub const DOWN_LOAD_FILE_REQ: u16 = 1033;
    pub const DOWN_LOAD_FILE_RSP: u16 = 1034;
    pub const IMG_CHAT_UPLOAD_REQ: u16 = 1037;
    pub const IMG_CHAT_UPLOAD_RSP: u16 = 1038;
    /// On the chat connection: the recipient's notice that a picture (or file) is uploaded.
    pub const NOTIFY_IMG_CHAT_MSG_REQ: u16 = 1039;
    pub const FILE_INFO_SYNC_REQ: u16 = 1041;
    pub const FILE_INFO_SYNC_RSP: u16 = 1042;
    pub const IMG_CHAT_CONTINUE_UPLOAD_REQ: u16 = 1043;
    pub const IMG_CHAT_CONTINUE_UPLOAD_RSP: u16 = 1044;
    pub const IMG_CHAT_DOWN_INFO_SYNC_REQ: u16 = 1045;
    pub const IMG_CHAT_DOWN_INFO_SYNC_RSP: u16 = 1046;
    pub const IMG_CHAT_DOWN_REQ: u16 = 1047;
    pub const IMG_CHAT_DOWN_RSP: u16 = 1048;
    /// imchat: authenticate a resource connection before any other request.
    pub const RES_AUTH_REQ: u16 = 1150;
    pub const RES_AUTH_RSP: u16 = 1151;
    /// imchat: what the server knows of a file (size, type, checksums, thumbnail).
    pub const FILE_META_REQ: u16 = 1152;
    pub const FILE_META_RSP: u16 = 1153;
}

/// Raw bytes per chunk (llfc's `MAX_FILE_LEN`); a chunk's `data` is their base64.
pub const CHUNK_BYTES: u64 = 32 * 1024;

/// How many chunks llfc's client keeps in flight (`MAX_CWND_SIZE`).
pub const CLIENT_WINDOW: usize = 5;

/// `msg_type` of a picture (llfc's `ChatMsgType::PIC`) and of a generic file (`FILE`).
pub const MSG_TYPE_PIC: i32 = 1;
pub const MSG_TYPE_FILE: i32 = 3;

/// llfc's `MsgStatus::UN_UPLOAD`: a picture message whose bytes are not all there yet.
pub const MSG_STATUS_UN_UPLOAD: i32 = 3;

/// Numbers as llfc's client sends them: integers, or strings of digits.
pub mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        Int(i64),
        Float(f64),
        Text(String),
        Bool(bool),
    }

    /// An `i64` from a number or a numeric string; anything else is an error (never 0 in
    /// disguise: a malformed size must not read as an empty file).
    pub fn i64<'de, D: Deserializer<'de>>(de: D) -> Result<i64, D::Error> {
        match Num::deserialize(de)? {
            Num::Int(n) => Ok(n),
            Num::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            Num::Text(text) => text.trim().parse().map_err(serde::de::Error::custom),
            Num::Bool(b) => Ok(i64::from(b)),
            Num::Float(_) => Err(serde::de::Error::custom("not an integer")),
        }
    }

    /// [`i64`] narrowed to an `i32` (uids, message ids).
    pub fn i32<'de, D: Deserializer<'de>>(de: D) -> Result<i32, D::Error> {
        i64(de).and_then(|n| std::primitive::i32::try_from(n).map_err(serde::de::Error::custom))
    }

    /// llfc's `last` (0/1) or a JSON bool.
    pub fn flag<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
        i64(de).map(|n| n != 0)
    }
}

/// One upload chunk: 1031 (avatar), 1041 (a chat file's first chunk), 1037 (its later chunks),
/// 1043 (chunks after a pause or a dropped connection). One shape serves all four; the fields
/// a request lacks keep their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChunkReq {
    pub md5: String,
    /// The file's unique name (llfc's client: a UUID and an extension; see `rules::file_name`).
    pub name: String,
    #[serde(deserialize_with = "lenient::i64")]
    pub seq: i64,
    #[serde(deserialize_with = "lenient::i64")]
    pub total_size: i64,
    #[serde(deserialize_with = "lenient::i64")]
    pub trans_size: i64,
    #[serde(deserialize_with = "lenient::flag")]
    pub last: bool,
    /// The chunk's bytes in base64 (standard alphabet, padded).
    pub data: String,
    #[serde(deserialize_with = "lenient::i32")]
    pub uid: i32,
    pub token: String,
    #[serde(deserialize_with = "lenient::i64")]
    pub last_seq: i64,
    #[serde(deserialize_with = "lenient::i64")]
    pub message_id: i64,
    #[serde(deserialize_with = "lenient::i32")]
    pub sender: i32,
    #[serde(deserialize_with = "lenient::i32")]
    pub receiver: i32,
    pub unique_id: String,
}

/// A download request: 1033 (avatars and, with imchat, any readable file by name) and 1047
/// (a chat picture or file). `seq` 1 is the first 32 KiB; any seq may be asked for, in any
/// order, so a download resumes where it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DownloadReq {
    pub name: String,
    #[serde(deserialize_with = "lenient::i64")]
    pub seq: i64,
    #[serde(deserialize_with = "lenient::i32")]
    pub uid: i32,
    pub token: String,
    /// 1033 only, echoed.
    pub client_path: String,
    pub req_type: String,
    /// 1047 only, echoed.
    #[serde(deserialize_with = "lenient::i32")]
    pub sender_id: i32,
    #[serde(deserialize_with = "lenient::i32")]
    pub receiver_id: i32,
    #[serde(deserialize_with = "lenient::i64")]
    pub message_id: i64,
    /// imchat: `"thumb"` streams the file's thumbnail instead of the file.
    pub variant: String,
}

/// 1045: what a history message's file is, before downloading it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DownInfoReq {
    #[serde(deserialize_with = "lenient::i64")]
    pub message_id: i64,
    #[serde(deserialize_with = "lenient::i32")]
    pub uid: i32,
    pub token: String,
}

/// imchat's 1150: binds the connection to a user; later requests need no token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResAuthReq {
    #[serde(deserialize_with = "lenient::i32")]
    pub uid: i32,
    pub token: String,
}

/// imchat's 1152: a file's metadata by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileMetaReq {
    pub name: String,
    #[serde(deserialize_with = "lenient::i32")]
    pub uid: i32,
    pub token: String,
}

/// The reply to an upload chunk, in the request's reply id. llfc's field types differ per id
/// (`total_size` a string in 1038, an integer in 1032 and 1044), so they are JSON values here,
/// set by the server per id; the `received`/`complete` fields are imchat's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChunkRsp {
    pub error: i32,
    pub message: String,
    pub seq: i64,
    pub name: String,
    pub md5: String,
    pub uid: i32,
    pub last: i64,
    pub total_size: serde_json::Value,
    pub trans_size: serde_json::Value,
    pub last_seq: i64,
    pub sender: i32,
    pub receiver: i32,
    /// imchat: bytes of the file the server holds so far.
    pub received: i64,
    /// imchat: the upload is complete (every chunk there, md5 matched).
    pub complete: bool,
}

/// The reply to a download request (1034 or 1048).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DownloadRsp {
    pub error: i32,
    pub message: String,
    pub data: String,
    pub seq: i64,
    /// Strings, as llfc sends them.
    pub total_size: String,
    pub current_size: String,
    pub is_last: bool,
    pub name: String,
    pub client_path: String,
    pub req_type: String,
    pub sender_id: i32,
    pub receiver_id: i32,
}

/// 1046: a history message's file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DownInfoRsp {
    pub error: i32,
    pub message: String,
    pub message_id: i64,
    pub thread_id: i64,
    pub sender_id: i32,
    pub recv_id: i32,
    pub name: String,
    pub msg_type: i32,
    pub status: i32,
    pub total_size: String,
    /// imchat: the file's md5 (hex).
    pub md5: String,
}

/// 1151.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResAuthRsp {
    pub error: i32,
    pub message: String,
    pub uid: i32,
    /// Chunk size, window and limits, so a client needs no constants of its own.
    pub chunk_bytes: u64,
    pub max_file_bytes: u64,
    pub quota_bytes: u64,
    pub used_bytes: u64,
}

/// 1153: what the server holds of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileMetaRsp {
    pub error: i32,
    pub message: String,
    pub name: String,
    /// `"avatar"` or `"chat"`.
    pub kind: String,
    pub owner: i32,
    pub size: i64,
    pub received: i64,
    pub complete: bool,
    /// Sniffed from the bytes, not taken from the name.
    pub mime: String,
    pub md5: String,
    pub sha256: String,
    /// The sender's file name, for generic files (`msg_type` 3); may be empty.
    pub label: String,
    pub message_id: i64,
    pub thread_id: i64,
    pub msg_type: i32,
    /// Size of the thumbnail (0: none); download it with `variant: "thumb"`.
    pub thumb_size: i64,
}

/// 1039, pushed on the chat connection to the recipients of a picture or file once its upload
/// is complete. llfc's fields, plus imchat's `seq`, `msg_type`, `mime`, `label`, `thumb_size`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyImgChat {
    pub error: i32,
    pub message_id: i64,
    pub sender_id: i32,
    pub receiver_id: i32,
    pub img_name: String,
    /// A string, as llfc sends it.
    pub total_size: String,
    pub thread_id: i64,
    pub seq: i64,
    pub msg_type: i32,
    pub mime: String,
    pub label: String,
    pub thumb_size: i64,
    pub chat_time: String,
}
impl Message for NotifyImgChat {
    const ID: u16 = ids::NOTIFY_IMG_CHAT_MSG_REQ;
}

/// A size as people read it: `1.2 MB`, `340 KB`, `12 B` (powers of 1000).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value < 10.0 => format!("{value:.1} {}", UNITS[unit]),
        _ => format!("{value:.0} {}", UNITS[unit]),
    }
}

/// The sender of the 1039 encoded in `frame` (header and body), if it is one: a user's own
/// file notice goes only to their sessions that named `devices`, as their own texts do.
pub fn file_notice_sender(frame: &[u8]) -> Option<i32> {
    #[derive(Deserialize)]
    struct Sender {
        sender_id: i32,
    }
    let body =
        frame.get(crate::codec::HEADER_LEN..).filter(|_| frame.get(..2) == Some(&NotifyImgChat::ID.to_be_bytes()))?;
    serde_json::from_slice::<Sender>(body).ok().map(|s| s.sender_id)
}

/// What a client without file messages (llfc's Qt client) is shown in place of a generic
/// file: a text naming it, never an empty picture bubble.
pub fn file_placeholder(label: &str, size: i64) -> String {
    format!("[文件] {label} ({})", human_bytes(u64::try_from(size).unwrap_or(0)))
}

/// The reply id of a resource request: llfc pairs each request with the next id; anything
/// else is answered under imchat's 1199.
pub fn reply_id(request_id: u16) -> u16 {
    match request_id {
        1001 | 1003 | 1005 | 1031 | 1033 | 1037 | 1041 | 1043 | 1045 | 1047 | 1150 | 1152 => request_id + 1,
        _ => super::ids::ERROR_RSP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_llfc_sends_them() {
        let chunk: ChunkReq =
            serde_json::from_str(r#"{"seq":2,"total_size":"70000","trans_size":65536,"last":0,"uid":"1001"}"#).unwrap();
        assert_eq!(
            (chunk.seq, chunk.total_size, chunk.trans_size, chunk.last, chunk.uid),
            (2, 70000, 65536, false, 1001)
        );
        let bad = serde_json::from_str::<ChunkReq>(r#"{"total_size":"lots"}"#);
        assert!(bad.is_err(), "a size that is no number is an error, not 0");
        let huge = serde_json::from_str::<ChunkReq>(r#"{"uid":99999999999}"#);
        assert!(huge.is_err(), "a uid beyond i32 is an error");
    }

    #[test]
    fn requests_are_answered_under_their_reply_id() {
        assert_eq!(reply_id(1031), 1032);
        assert_eq!(reply_id(1047), 1048);
        assert_eq!(reply_id(1150), 1151);
        assert_eq!(reply_id(1035), super::super::ids::ERROR_RSP, "a chat id on the resource port");
    }
}
