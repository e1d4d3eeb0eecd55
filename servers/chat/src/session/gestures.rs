//! 1160 recall (撤回), 1163 edit and 1166 reactions: the store changes the message (or its
//! reactions) and stores a notice in its thread (`imchat_store::Db::recall`, `edit`, `react`);
//! the notice is pushed (1162, 1165, 1168) to every session of the thread's members but the
//! asking one, then answered.

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::codec::MAX_BODY_CEILING;
use imchat_proto::msg::{
    EditEvent, EditReq, EditRsp, Message, NotifyEdit, NotifyReact, NotifyRecall, ReactReq, ReactRsp, ReactionCount,
    RecallReq, RecallRsp,
};
use imchat_store::GestureRefusal;

use crate::groups::sync_data;
use crate::session::{Handled, Reject, Session};

// The store's numbers are the protocol's.
const _: () = assert!(imchat_store::MSG_TYPE_RECALL == imchat_proto::msg::MSG_TYPE_RECALL);
const _: () = assert!(imchat_store::MSG_STATUS_RECALLED == imchat_proto::msg::MSG_STATUS_RECALLED);
const _: () = assert!(imchat_store::MSG_TYPE_EDIT == imchat_proto::msg::MSG_TYPE_EDIT);
const _: () = assert!(imchat_store::MSG_STATUS_EDITED == imchat_proto::msg::MSG_STATUS_EDITED);
const _: () = assert!(imchat_store::MSG_TYPE_REACTION == imchat_proto::msg::MSG_TYPE_REACTION);

/// Generous JSON size of an edit push's fixed fields.
const EDIT_PUSH_FIXED_BYTES: usize = 512;

/// The one mapping of a gesture's refusal to what the client is told (`late`: the code for
/// past its window).
fn refused(refusal: GestureRefusal, late: ErrorCode) -> Reject {
    Reject(match refusal {
        GestureRefusal::NoSuchMessage => ErrorCode::UnknownMsgId,
        GestureRefusal::TooLate => late,
        GestureRefusal::NotYours => ErrorCode::NotYourMessage,
        GestureRefusal::Disbanded => ErrorCode::GroupDisbanded,
    })
}

/// Whether an edit notice with `text` fits every frame it goes in (its push, twice escaped).
fn edit_fits(text: &str) -> bool {
    let event = EditEvent { seq: i64::MIN, by: i32::MIN, text: text.to_owned() };
    let content = serde_json::to_string(&event).unwrap_or_default();
    serde_json::to_string(&content).is_ok_and(|json| json.len() + EDIT_PUSH_FIXED_BYTES <= MAX_BODY_CEILING)
}

impl Session {
    /// 1160: recalls a message of a thread of the user's. A write, taken from the session's
    /// message rate. A message recalled already is answered without a notice, and nothing is
    /// pushed again.
    pub(super) async fn recall(&mut self, req: RecallReq) -> Handled {
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let window_ms = i64::try_from(limits.recall_window.as_millis()).unwrap_or(i64::MAX);
        let me = self.uid();
        let recalled = self
            .shared
            .db
            .recall(req.thread_id, req.seq, me, window_ms, imchat_store::now_ms())
            .await?
            .map_err(|refusal| refused(refusal, ErrorCode::RecallExpired))?;
        let notice = recalled.notice.map(sync_data);
        if let Some(notice) = &notice {
            let push = NotifyRecall { thread_id: req.thread_id, seq: req.seq, notice: notice.clone() };
            self.push_notice(&push, push.thread_id, notice.receiver).await;
        }
        self.send(&RecallRsp { error: 0, thread_id: req.thread_id, seq: req.seq, notice })
    }

    /// 1163: replaces a text of the user's, within `EditSecs` of its sending. A write, taken
    /// from the session's message rate; the new text is checked as a text is. A text that
    /// reads so already is answered without a notice.
    pub(super) async fn edit(&mut self, req: EditReq) -> Handled {
        let limits = &self.shared.config.limits;
        if req.content.is_empty() || req.content.len() > limits.max_text_bytes || !edit_fits(&req.content) {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let window_ms = i64::try_from(limits.edit_window.as_millis()).unwrap_or(i64::MAX);
        let me = self.uid();
        let edited = self
            .shared
            .db
            .edit(req.thread_id, req.seq, me, &req.content, window_ms, imchat_store::now_ms())
            .await?
            .map_err(|refusal| refused(refusal, ErrorCode::EditExpired))?;
        let notice = edited.notice.map(sync_data);
        if let Some(notice) = &notice {
            let push = NotifyEdit { thread_id: req.thread_id, seq: req.seq, notice: notice.clone() };
            self.push_notice(&push, push.thread_id, notice.receiver).await;
        }
        self.send(&EditRsp { error: 0, thread_id: req.thread_id, seq: req.seq, notice })
    }

    /// 1166: sets or takes back the user's reaction to a message. A write, taken from the
    /// session's message rate. One that changes nothing is answered with the counts alone.
    pub(super) async fn react(&mut self, req: ReactReq) -> Handled {
        if !req.emoji.is_empty() && imchat_proto::rules::check_reaction(&req.emoji).is_err() {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let me = self.uid();
        let reacted = self
            .shared
            .db
            .react(req.thread_id, req.seq, me, &req.emoji, imchat_store::now_ms())
            .await?
            .map_err(|refusal| refused(refusal, ErrorCode::InvalidArgument))?;
        let notice = reacted.notice.map(sync_data);
        if let Some(notice) = &notice {
            let push = NotifyReact { thread_id: req.thread_id, seq: req.seq, notice: notice.clone() };
            self.push_notice(&push, push.thread_id, notice.receiver).await;
        }
        let reactions = reacted
            .counts
            .into_iter()
            .map(|c| ReactionCount { emoji: c.emoji, count: c.count, mine: c.mine })
            .collect();
        self.send(&ReactRsp { error: 0, thread_id: req.thread_id, seq: req.seq, reactions, notice })
    }

    /// Pushes a gesture's notice to every session of the thread's members but this one: the
    /// other member of a private chat (`receiver`) and the user's other devices, or a group's
    /// members as they are now.
    async fn push_notice<M: Message>(&mut self, push: &M, thread_id: i64, receiver: i32) {
        let mut frame = BytesMut::new();
        if let Err(err) = push.encode(&mut frame) {
            return tracing::error!(%err, id = M::ID, "a gesture's push does not fit in a frame");
        }
        let frame = frame.freeze();
        if receiver != 0 {
            self.shared.router.deliver(receiver, M::ID, frame.clone()).await;
            self.push_own_frame(M::ID, frame).await;
            return;
        }
        let group = match self.shared.groups.get(&self.shared.db, thread_id).await {
            Ok(Some(group)) => group,
            Ok(None) => return,
            Err(err) => {
                // Stored: the members find it by sync.
                return tracing::warn!(%err, thread_id, "a gesture not pushed: members not read");
            }
        };
        let members: Vec<i32> = group.uids().collect();
        let me = self.session_id();
        self.shared.router.deliver_group(&members, me.as_deref(), M::ID, frame, thread_id).await;
    }
}
