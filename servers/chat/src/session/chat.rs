//! 1017 text chat: validated, stored (batched by the message writer) before the sender's 1018,
//! then pushed to the recipient as 1019. 1035 picture messages are answered, not yet served.

use imchat_proto::ErrorCode;
use imchat_proto::codec::MAX_BODY_CEILING;
use imchat_proto::msg::{
    ImgChatReq, ImgChatRsp, NotifyTextChat, TextChatData, TextChatReq, TextChatRsp, TextItem, ids,
};
use imchat_proto::time::format_chat_time;
use imchat_store::{NewMsg, StoredMsg};

use crate::Limits;
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
}

impl Session {
    /// 1035: pictures need the resource server, which does not exist yet. The 1036 says so with
    /// [`ErrorCode::Unsupported`] and echoes what identifies the picture, so a client can mark
    /// it as not sent instead of waiting forever. Nothing is stored.
    pub(super) fn img_chat(&self, req: ImgChatReq) -> Result<(), Reject> {
        self.me(req.fromuid)?;
        let clip = |text: String| if text.len() > MAX_UNIQUE_ID_BYTES { String::new() } else { text };
        let code = ErrorCode::Unsupported;
        self.send(&ImgChatRsp {
            error: code.code(),
            message: code.describe().to_owned(),
            req_id: ids::IMG_CHAT_MSG_REQ,
            fromuid: req.fromuid,
            touid: req.touid,
            thread_id: req.thread_id,
            md5: clip(req.md5),
            unique_name: clip(req.name),
            unique_id: clip(req.unique_id),
        })
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
    worst <= MAX_BODY_CEILING || widest() + REPLY_BYTES_PER_TEXT + extra <= MAX_BODY_CEILING
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
        let now = imchat_store::now_ms();
        let msgs = req
            .text_array
            .iter()
            .map(|t| NewMsg::text(thread.thread_id, me, req.touid, &t.unique_id, &t.content, now))
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
                Done::Text(Sent { fromuid, touid, thread_id, stored, reused: !reused.is_empty() })
            });
            (ids::TEXT_CHAT_MSG_REQ, sent.map_err(Reject::from))
        }))
    }

    /// The recipient's 1019, then the sender's 1018: the acknowledgement waits until the push
    /// has room on its way (the recipient's queue, or the peer's window), which is what slows a
    /// sender who outpaces its recipients. A request that reused a `unique_id` is answered
    /// with [`ErrorCode::UniqueIdReused`]; its other texts are stored and pushed, and reach
    /// the sender by sync.
    pub(super) async fn text_sent(&mut self, sent: Sent) {
        let Sent { fromuid, touid, thread_id, stored, reused } = sent;
        let chat_datas: Vec<TextChatData> = stored
            .into_iter()
            .map(|m| TextChatData {
                message_id: m.message_id,
                unique_id: m.unique_id,
                content: m.content,
                status: m.status,
                chat_time: format_chat_time(m.created_at),
                seq: m.seq,
            })
            .collect();
        if !chat_datas.is_empty() {
            self.push(touid, &NotifyTextChat { error: 0, fromuid, touid, thread_id, chat_datas: chat_datas.clone() })
                .await;
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
