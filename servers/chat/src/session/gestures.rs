//! 1160 recall (撤回): the store blanks the message and stores a recall notice in its thread
//! (`imchat_store::Db::recall`); the notice is pushed (1162) to every session of the thread's
//! members but the asking one, then answered (1161).

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::msg::{Message, NotifyRecall, RecallReq, RecallRsp, ids};
use imchat_store::RecallRefusal;

use crate::groups::sync_data;
use crate::session::{Handled, Reject, Session};

// The store's numbers are the protocol's.
const _: () = assert!(imchat_store::MSG_TYPE_RECALL == imchat_proto::msg::MSG_TYPE_RECALL);
const _: () = assert!(imchat_store::MSG_STATUS_RECALLED == imchat_proto::msg::MSG_STATUS_RECALLED);

/// The one mapping of a recall refusal to what the client is told.
fn refused(refusal: RecallRefusal) -> Reject {
    Reject(match refusal {
        RecallRefusal::NoSuchMessage => ErrorCode::UnknownMsgId,
        RecallRefusal::TooLate => ErrorCode::RecallExpired,
        RecallRefusal::NotYours => ErrorCode::NotYourMessage,
        RecallRefusal::Disbanded => ErrorCode::GroupDisbanded,
    })
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
            .map_err(refused)?;
        let notice = recalled.notice.map(sync_data);
        if let Some(notice) = &notice {
            self.push_recall(NotifyRecall { thread_id: req.thread_id, seq: req.seq, notice: notice.clone() }).await;
        }
        self.send(&RecallRsp { error: 0, thread_id: req.thread_id, seq: req.seq, notice })
    }

    /// Pushes a recall to every session of the thread's members but this one: the other
    /// member of a private chat (its `receiver`) and the user's other devices, or a group's
    /// members as they are now.
    async fn push_recall(&mut self, push: NotifyRecall) {
        let mut frame = BytesMut::new();
        if let Err(err) = push.encode(&mut frame) {
            return tracing::error!(%err, "a recall's push does not fit in a frame");
        }
        let frame = frame.freeze();
        let receiver = push.notice.receiver;
        if receiver != 0 {
            self.shared.router.deliver(receiver, ids::NOTIFY_RECALL, frame.clone()).await;
            self.push_own_frame(ids::NOTIFY_RECALL, frame).await;
            return;
        }
        let group = match self.shared.groups.get(&self.shared.db, push.thread_id).await {
            Ok(Some(group)) => group,
            Ok(None) => return,
            Err(err) => {
                // Stored: the members find it by sync.
                return tracing::warn!(%err, thread_id = push.thread_id, "a recall not pushed: members not read");
            }
        };
        let members: Vec<i32> = group.uids().collect();
        let me = self.session_id();
        self.shared.router.deliver_group(&members, me.as_deref(), ids::NOTIFY_RECALL, frame, push.thread_id).await;
    }
}
