//! 1017 text chat: validated, stored (batched by the message writer) before the sender's 1018,
//! then pushed to the recipient as 1019; a text may reply to (quote) a message of its thread.
//! 1035 pictures and files are stored and their names reserved here; their bytes go to the
//! resource server.

use std::collections::HashMap;

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::codec::MAX_BODY_CEILING;
use imchat_proto::msg::res::{MSG_STATUS_UN_UPLOAD, MSG_TYPE_FILE, MSG_TYPE_PIC};
use imchat_proto::msg::{
    ImgChatReq, ImgChatRsp, Message, NotifyTextChat, QUOTE_EXCERPT_CHARS, Quote, TextChatData, TextChatReq,
    TextChatRsp, TextItem, ids,
};
use imchat_proto::rules::{MAX_FILE_EXT_LEN, check_file_label, check_file_name, check_md5};
use imchat_proto::time::format_chat_time;
use imchat_store::{FileCaps, NewFile, NewMsg, StoredMsg};

use crate::Limits;
use crate::groups::{is_quotable, quote_of};
use crate::session::{Done, Pending, Reject, Session};

/// A 1017 whose messages are stored: what its 1018 and 1019 are made of.
pub(crate) struct Sent {
    fromuid: i32,
    touid: i32,
    thread_id: i64,
    /// This request's messages, new or resent.
    stored: Vec<StoredMsg>,
    /// Some `unique_id` of the request named an earlier, different message of this sender.
    reused: bool,
    /// The messages its texts reply to, by seq.
    quotes: HashMap<i64, Quote>,
}

impl Session {
    /// 1035: a picture (or, with imchat's `msg_type` 3, a file). The message is stored at
    /// once with status 3 (not uploaded) and the file's name reserved for this sender; the
    /// bytes follow on the resource connection, and the recipients hear of it (1039) when
    /// they are all there. Every answer echoes what names the picture, errors included, so a
    /// client can mark it as not sent.
    pub(super) async fn img_chat(&mut self, req: ImgChatReq) -> Result<(), Reject> {
        let clip = |text: &str| if text.len() > MAX_UNIQUE_ID_BYTES * 2 { String::new() } else { text.to_owned() };
        let mut rsp = ImgChatRsp {
            req_id: ids::IMG_CHAT_MSG_REQ,
            fromuid: req.fromuid,
            touid: req.touid,
            thread_id: req.thread_id,
            md5: clip(&req.md5),
            unique_name: clip(&req.name),
            unique_id: clip(&req.unique_id),
            ..ImgChatRsp::default()
        };
        match self.store_file_message(&req).await {
            Ok((stored, name)) => {
                rsp.unique_name = name;
                rsp.message_id = stored.message_id;
                rsp.status = stored.status;
                rsp.chat_time = format_chat_time(stored.created_at);
                rsp.seq = stored.seq;
                rsp.msg_type = stored.msg_type;
            }
            Err(Reject(code)) => {
                rsp.error = code.code();
                rsp.message = code.describe().to_owned();
            }
        }
        self.send(&rsp)
    }

    async fn store_file_message(&mut self, req: &ImgChatReq) -> Result<(StoredMsg, String), Reject> {
        let me = self.me(req.fromuid)?;
        let msg_type = match req.msg_type {
            0 | MSG_TYPE_PIC => MSG_TYPE_PIC,
            MSG_TYPE_FILE => MSG_TYPE_FILE,
            _ => return Err(ErrorCode::InvalidArgument.into()),
        };
        let invalid = req.unique_id.len() > MAX_UNIQUE_ID_BYTES
            || check_md5(&req.md5).is_err()
            || check_file_label(&req.label).is_err()
            || req.total_size < 0;
        if invalid {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let name = if req.name.is_empty() { server_file_name(&req.label, msg_type) } else { req.name.clone() };
        if check_file_name(&name).is_err() {
            return Err(ErrorCode::BadFileName.into());
        }
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let receiver = if req.touid == 0 {
            let group = self.member_group(req.thread_id).await?;
            if group.row.disbanded {
                return Err(ErrorCode::GroupDisbanded.into());
            }
            0
        } else {
            self.ensure_friend(req.touid).await?;
            let thread = self.member_thread(req.thread_id).await?;
            if thread.peer_of(me) != req.touid {
                return Err(ErrorCode::NotThreadMember.into());
            }
            req.touid
        };
        let now = imchat_store::now_ms();
        let msg = NewMsg {
            msg_type,
            status: MSG_STATUS_UN_UPLOAD,
            ..NewMsg::text(req.thread_id, me, receiver, &req.unique_id, &name, now)
        };
        let key = imchat_store::new_file_key();
        let file = NewFile {
            name: &name,
            storage_key: &key,
            owner: me,
            md5: &req.md5.to_ascii_lowercase(),
            size: -1,
            label: &req.label,
            now_ms: now,
        };
        // The size is checked against the caps by the resource server, which holds them, at
        // the first chunk.
        let caps = FileCaps { max_bytes: i64::MAX, quota_bytes: i64::MAX };
        match self.shared.db.reserve_chat_file(&msg, &file, caps).await? {
            Ok((stored, _file)) => Ok((stored, name)),
            Err(_taken) => Err(ErrorCode::BadFileName.into()),
        }
    }
}

/// A name for a file whose sender let the server choose: random, with the label's extension
/// when it has a plain one (a picture without a label is a `.png`, as llfc's names are).
pub(super) fn server_file_name(label: &str, msg_type: i32) -> String {
    let ext = label.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).filter(|ext| {
        !ext.is_empty() && ext.len() <= MAX_FILE_EXT_LEN && ext.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    let hex = imchat_store::random_hex(16);
    let stem = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
    match (ext, msg_type) {
        (Some(ext), _) => format!("{stem}.{ext}"),
        (None, MSG_TYPE_PIC) => format!("{stem}.png"),
        (None, _) => stem,
    }
}

/// Whether `stored`, what the store returned for `sent`, is that message (new, or stored by an
/// earlier send of the same request) rather than another one under the same key.
fn is_this(stored: &StoredMsg, thread_id: i64, receiver: i32, content: &str) -> bool {
    stored.thread_id == thread_id && stored.receiver == receiver && stored.content == content
}

/// Longest client idempotency key (llfc sends a braced UUID, 38 characters).
pub(super) const MAX_UNIQUE_ID_BYTES: usize = 64;
/// Generous JSON size of one text's fixed fields in a 1018/1019 reply.
const REPLY_BYTES_PER_TEXT: usize = 256;
/// A quote's fixed fields in JSON at their widest.
const QUOTE_FIXED_BYTES: usize = 128;
/// JSON escaping grows a string at most this much (`\u0000` for a control byte).
const WORST_ESCAPE_FACTOR: usize = 6;

/// Whether the replies and pushes of `texts` fit in a frame, each text's fixed fields taking
/// `extra` bytes more than a private text's. Cheap arithmetic first; only a request near the
/// limit pays for `widest`, the exact size of its widest reply.
fn reply_fits(texts: &[TextItem], extra: usize, widest: impl FnOnce() -> usize) -> bool {
    let worst: usize = texts
        .iter()
        .map(|t| (t.content.len() + t.unique_id.len()) * WORST_ESCAPE_FACTOR + REPLY_BYTES_PER_TEXT + extra)
        .sum();
    let quotes: usize = texts.iter().filter(|t| t.reply_to != 0).map(|_| widest_quote_bytes()).sum();
    worst + quotes <= MAX_BODY_CEILING || widest() + REPLY_BYTES_PER_TEXT + extra <= MAX_BODY_CEILING
}

/// A quote at its widest: every character of its excerpt escaped, in four bytes of UTF-8.
fn widest_quote_bytes() -> usize {
    (QUOTE_EXCERPT_CHARS + 1) * 4 * WORST_ESCAPE_FACTOR + QUOTE_FIXED_BYTES
}

/// The widest quote a text that replies could carry (for [`reply_fits`]'s exact sizes).
pub(super) fn widest_quote(text: &TextItem) -> Option<Quote> {
    (text.reply_to != 0).then(|| Quote {
        seq: i64::MIN,
        sender: i32::MIN,
        msg_type: i32::MIN,
        excerpt: "\u{1}".repeat(QUOTE_EXCERPT_CHARS + 1),
        recalled: false,
    })
}

/// Whether a request's texts may be stored: each non-empty, within the size limits, and
/// their replies framable (stored messages must always be acknowledged, so a reply that could
/// not be framed is refused before anything is stored). `widest` as in [`reply_fits`].
pub(super) fn texts_valid(texts: &[TextItem], limits: &Limits, extra: usize, widest: impl FnOnce() -> usize) -> bool {
    !texts.is_empty()
        && texts.len() <= limits.max_texts_per_frame
        && texts.iter().all(|t| {
            !t.content.is_empty()
                && t.content.len() <= limits.max_text_bytes
                && t.unique_id.len() <= MAX_UNIQUE_ID_BYTES
        })
        && reply_fits(texts, extra, widest)
}

/// The size of a 1018 for `texts` with every number at its widest.
fn widest_text_reply(texts: &[TextItem]) -> usize {
    let widest = TextChatRsp {
        error: 0,
        fromuid: i32::MIN,
        touid: i32::MIN,
        thread_id: i64::MIN,
        chat_datas: texts
            .iter()
            .map(|t| TextChatData {
                message_id: i64::MIN,
                unique_id: t.unique_id.clone(),
                content: t.content.clone(),
                status: i32::MIN,
                chat_time: format_chat_time(0),
                seq: i64::MIN,
                reply: widest_quote(t),
                forwarded_from: 0,
            })
            .collect(),
    };
    serde_json::to_vec(&widest).map_or(usize::MAX, |body| body.len())
}

impl Session {
    /// Checks a 1017 and queues its messages for the writer; the returned future resolves when
    /// they are stored.
    pub(super) async fn text_chat(&mut self, req: TextChatReq) -> Result<Pending, Reject> {
        let me = self.me(req.fromuid)?;
        let limits = &self.shared.config.limits;
        if !texts_valid(&req.text_array, limits, 0, || widest_text_reply(&req.text_array)) {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !self.rate.take(req.text_array.len(), limits.messages_per_sec, limits.message_burst) {
            // Not stored: the client may send it again later, under the same unique id.
            return Err(ErrorCode::TooManyRequests.into());
        }
        self.ensure_friend(req.touid).await?;
        let thread = self.member_thread(req.thread_id).await?;
        if thread.peer_of(me) != req.touid {
            return Err(ErrorCode::NotThreadMember.into());
        }
        let quotes = self.replied_to(thread.thread_id, 0, &req.text_array).await?;
        let now = imchat_store::now_ms();
        let msgs = req
            .text_array
            .iter()
            .map(|t| NewMsg {
                reply_seq: t.reply_to,
                ..NewMsg::text(thread.thread_id, me, req.touid, &t.unique_id, &t.content, now)
            })
            .collect();
        let stored = self.shared.writer.submit(msgs).await?;
        let (fromuid, touid, thread_id, texts) = (me, req.touid, thread.thread_id, req.text_array);
        Ok(Box::pin(async move {
            let sent = stored.await.map(|stored| {
                // A resend comes back as the message stored first; one whose key names another
                // message is that other message, and must not be acknowledged as this one.
                let (stored, reused): (Vec<_>, Vec<_>) = stored
                    .into_iter()
                    .zip(&texts)
                    .partition(|(stored, sent)| is_this(stored, thread_id, touid, &sent.content));
                let stored = stored.into_iter().map(|(stored, _)| stored).collect();
                Done::Text(Sent { fromuid, touid, thread_id, stored, reused: !reused.is_empty(), quotes })
            });
            (ids::TEXT_CHAT_MSG_REQ, sent.map_err(Reject::from))
        }))
    }

    /// The messages `texts` reply to, by seq, checked: each a message of `thread_id` the user
    /// may read (after `floor`) that a reply may quote ([`is_quotable`]); 1104 otherwise. One
    /// query, and only for a request with replies.
    pub(super) async fn replied_to(
        &self,
        thread_id: i64,
        floor: i64,
        texts: &[TextItem],
    ) -> Result<HashMap<i64, Quote>, Reject> {
        let keys: Vec<(i64, i64)> = texts.iter().filter(|t| t.reply_to != 0).map(|t| (thread_id, t.reply_to)).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let found = self.shared.db.messages_at(&keys).await?;
        keys.iter()
            .map(|key| match found.get(key) {
                Some(m) if m.seq > floor && is_quotable(m) => Ok((m.seq, quote_of(m))),
                _ => Err(ErrorCode::UnknownMsgId.into()),
            })
            .collect()
    }

    /// The recipient's 1019, then the sender's 1018: the acknowledgement waits until the push
    /// has room on its way (the recipient's queue, or the peer's window), which is what slows a
    /// sender who outpaces its recipients. A request that reused a `unique_id` is answered
    /// with [`ErrorCode::UniqueIdReused`]; its other texts are stored and pushed, and reach
    /// the sender by sync.
    pub(super) async fn text_sent(&mut self, sent: Sent) {
        let Sent { fromuid, touid, thread_id, stored, reused, quotes } = sent;
        let chat_datas: Vec<TextChatData> = stored.into_iter().map(|m| text_data(m, &quotes)).collect();
        if !chat_datas.is_empty() {
            let push = NotifyTextChat { error: 0, fromuid, touid, thread_id, chat_datas: chat_datas.clone() };
            let mut frame = BytesMut::new();
            match push.encode(&mut frame) {
                Ok(()) => {
                    let frame = frame.freeze();
                    self.shared.router.deliver(touid, ids::NOTIFY_TEXT_CHAT_MSG_REQ, frame.clone()).await;
                    // The sender's other devices show it too: the same body as 1112.
                    self.push_own_frame(ids::NOTIFY_OWN_TEXT, frame).await;
                }
                Err(err) => tracing::error!(%err, "a text's push does not fit in a frame"),
            }
        }
        if reused {
            self.reject(ErrorCode::UniqueIdReused.into(), ids::TEXT_CHAT_MSG_REQ);
        } else {
            let reply = TextChatRsp { error: 0, fromuid, touid, thread_id, chat_datas };
            if let Err(reject) = self.send(&reply) {
                self.reject(reject, ids::TEXT_CHAT_MSG_REQ);
            }
        }
    }
}

/// A stored text as a 1018/1019 carries it, with its quote from `quotes` (by seq).
pub(super) fn text_data(m: StoredMsg, quotes: &HashMap<i64, Quote>) -> TextChatData {
    TextChatData {
        message_id: m.message_id,
        unique_id: m.unique_id,
        content: m.content,
        status: m.status,
        chat_time: format_chat_time(m.created_at),
        seq: m.seq,
        reply: quotes.get(&m.reply_seq).filter(|_| m.reply_seq != 0).cloned(),
        forwarded_from: m.forwarded_from,
    }
}
