//! 1178 forward: messages of one thread copied into other chats as new messages of the
//! forwarder's, each marked with its original's sender. Texts go through the message writer
//! (one batch per run of texts), pictures and files get a row of their own that shares the
//! original's bytes (`imchat_store::Db::forward_file`). Each copy is pushed as a message of its
//! kind would be, to the target's members and to every session of the forwarder.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::msg::res::NotifyImgChat;
use imchat_proto::msg::{
    ForwardReq, ForwardRsp, Forwarded, MAX_FORWARD_UNIQUE_ID_BYTES, Message, NotifyTextChat, SyncData, ids,
};
use imchat_proto::time::format_chat_time;
use imchat_store::{FileRow, Group, MSG_TYPE_TEXT, NewMsg, StoredMsg};

use crate::groups::{group_push, is_quotable, sync_data};
use crate::session::chat::{server_file_name, text_data};
use crate::session::{Handled, Reject, Session};

/// One chat a forward copies into.
struct Target {
    thread_id: i64,
    /// The friend of a private chat; 0 for a group.
    touid: i32,
    group: Option<Arc<Group>>,
}

/// The key of the copy of `seq` in `thread`: the request's own with both, in base 36, so a
/// UUID-sized key stays within a text's 64 bytes.
fn copy_key(unique_id: &str, thread: i64, seq: i64) -> String {
    if unique_id.is_empty() {
        return String::new();
    }
    format!("{unique_id}/{}/{}", base36(thread), base36(seq))
}

fn base36(mut n: i64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    n = n.max(0);
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

impl Session {
    /// 1178: checks what is copied (messages of a thread the user reads, each one a reply
    /// may quote) and where to (friends' private chats, groups the user is in and may write
    /// to), then stores and pushes the copies target by target. Each copy is taken from the
    /// session's message rate.
    pub(super) async fn forward(&mut self, req: ForwardReq) -> Handled {
        let limits = &self.shared.config.limits;
        let mut seqs = req.seqs.clone();
        let mut seen = HashSet::new();
        seqs.retain(|seq| seen.insert(*seq));
        let wanted = req.to_uids.len() + req.to_threads.len();
        if seqs.is_empty()
            || seqs.len() > limits.forward_messages
            || wanted == 0
            || wanted > limits.forward_targets
            || req.unique_id.len() > MAX_FORWARD_UNIQUE_ID_BYTES
        {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !self.rate.take(seqs.len() * wanted, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let max_text = limits.max_text_bytes;
        let floor = self.readable_from(req.thread_id).await?;
        let keys: Vec<(i64, i64)> = seqs.iter().map(|seq| (req.thread_id, *seq)).collect();
        let found = self.shared.db.messages_at(&keys).await?;
        let sources: Vec<StoredMsg> = keys
            .iter()
            .map(|key| match found.get(key) {
                // A text longer than this server takes now is not copied whole or cut.
                Some(m) if m.msg_type == MSG_TYPE_TEXT && m.content.len() > max_text => {
                    Err(Reject(ErrorCode::InvalidArgument))
                }
                Some(m) if m.seq > floor && is_quotable(m) => Ok(m.clone()),
                _ => Err(ErrorCode::UnknownMsgId.into()),
            })
            .collect::<Result<_, _>>()?;
        let targets = self.forward_targets(&req).await?;
        let mut forwarded = Vec::with_capacity(targets.len());
        for target in &targets {
            let copies = self.copy_into(target, &sources, &req.unique_id).await?;
            forwarded.push(Forwarded {
                thread_id: target.thread_id,
                touid: target.touid,
                seqs: copies.iter().map(|m| m.seq).collect(),
            });
        }
        self.send(&ForwardRsp { error: 0, thread_id: req.thread_id, forwarded })
    }

    /// The chats a forward copies into, each once: friends' private chats (by uid or thread)
    /// and groups the user is in that are not disbanded. 1103, 1107 or 1119 as a text to it
    /// would get.
    async fn forward_targets(&mut self, req: &ForwardReq) -> Result<Vec<Target>, Reject> {
        let me = self.uid();
        let mut targets: Vec<Target> = Vec::new();
        for &uid in &req.to_uids {
            if uid == me {
                return Err(ErrorCode::InvalidArgument.into());
            }
            self.ensure_friend(uid).await?;
            let thread_id = self.shared.db.private_thread(me, uid, imchat_store::now_ms()).await?;
            targets.push(Target { thread_id, touid: uid, group: None });
        }
        for &thread_id in &req.to_threads {
            if let Ok(thread) = self.member_thread(thread_id).await {
                let peer = thread.peer_of(me);
                self.ensure_friend(peer).await?;
                targets.push(Target { thread_id, touid: peer, group: None });
                continue;
            }
            let group = self.member_group(thread_id).await?;
            if group.row.disbanded {
                return Err(ErrorCode::GroupDisbanded.into());
            }
            targets.push(Target { thread_id, touid: 0, group: Some(group) });
        }
        let mut seen = HashSet::new();
        targets.retain(|t| seen.insert(t.thread_id));
        Ok(targets)
    }

    /// Stores the copies of `sources` in `target`, in order (runs of texts as one batch of
    /// the writer, each file alone), and pushes them. A file whose original went meanwhile
    /// (recalled) is left out.
    async fn copy_into(
        &mut self,
        target: &Target,
        sources: &[StoredMsg],
        unique_id: &str,
    ) -> Result<Vec<StoredMsg>, Reject> {
        let me = self.uid();
        let now = imchat_store::now_ms();
        let copy = |src: &StoredMsg, content: &str| NewMsg {
            msg_type: src.msg_type,
            // A forward of a forward names who wrote it first.
            forwarded_from: if src.forwarded_from != 0 { src.forwarded_from } else { src.sender },
            ..NewMsg::text(
                target.thread_id,
                me,
                target.touid,
                &copy_key(unique_id, target.thread_id, src.seq),
                content,
                now,
            )
        };
        let mut copies = Vec::with_capacity(sources.len());
        for run in sources.chunk_by(|a, b| a.msg_type == MSG_TYPE_TEXT && b.msg_type == MSG_TYPE_TEXT) {
            if run[0].msg_type == MSG_TYPE_TEXT {
                let msgs: Vec<NewMsg> = run.iter().map(|src| copy(src, &src.content)).collect();
                let stored = self.shared.writer.submit(msgs.clone()).await?.await?;
                // A key that names another message of this user's is not this copy.
                let stored: Vec<StoredMsg> = stored
                    .into_iter()
                    .zip(&msgs)
                    .filter(|(stored, msg)| stored.thread_id == msg.thread_id && stored.content == msg.content)
                    .map(|(stored, _)| stored)
                    .collect();
                self.push_texts(target, &stored).await;
                copies.extend(stored);
                continue;
            }
            for src in run {
                let name = server_file_name(&src.content, src.msg_type);
                let Some((stored, file)) = self.shared.db.forward_file(&copy(src, &name), &src.content, &name).await?
                else {
                    continue;
                };
                self.push_file(target, &stored, &file).await;
                copies.push(stored);
            }
        }
        Ok(copies)
    }

    /// Texts copied into `target`: a private chat's 1019 to the friend and 1112 to the
    /// forwarder's sessions, or a group's 1142 to every member's.
    async fn push_texts(&self, target: &Target, stored: &[StoredMsg]) {
        if stored.is_empty() {
            return;
        }
        let me = self.uid();
        if target.group.is_some() {
            let datas: Vec<SyncData> = stored.iter().cloned().map(sync_data).collect();
            if let Some(frame) = group_push(me, target.thread_id, datas) {
                self.push_to_target(target, ids::NOTIFY_GROUP_MSG, frame).await;
            }
            return;
        }
        let no_quotes = Default::default();
        let chat_datas = stored.iter().cloned().map(|m| text_data(m, &no_quotes)).collect();
        let push =
            NotifyTextChat { error: 0, fromuid: me, touid: target.touid, thread_id: target.thread_id, chat_datas };
        let mut frame = BytesMut::new();
        match push.encode(&mut frame) {
            Ok(()) => {
                let frame = frame.freeze();
                self.shared.router.deliver(target.touid, ids::NOTIFY_TEXT_CHAT_MSG_REQ, frame.clone()).await;
                self.shared.router.deliver(me, ids::NOTIFY_OWN_TEXT, frame).await;
            }
            Err(err) => tracing::error!(%err, "a forward's push does not fit in a frame"),
        }
    }

    /// A file copied into `target`: its 1039, as the resource server sends one once an
    /// upload is complete.
    async fn push_file(&self, target: &Target, stored: &StoredMsg, file: &FileRow) {
        let notice = NotifyImgChat {
            error: 0,
            message_id: stored.message_id,
            sender_id: stored.sender,
            receiver_id: stored.receiver,
            img_name: file.name.clone(),
            total_size: file.size.to_string(),
            thread_id: stored.thread_id,
            seq: stored.seq,
            msg_type: stored.msg_type,
            mime: file.mime.clone(),
            label: file.label.clone(),
            thumb_size: file.thumb_size,
            chat_time: format_chat_time(stored.created_at),
        };
        let mut frame = BytesMut::new();
        if let Err(err) = notice.encode(&mut frame) {
            return tracing::error!(%err, "a forwarded file's push does not fit in a frame");
        }
        let frame = frame.freeze();
        if target.group.is_some() {
            return self.push_to_target(target, NotifyImgChat::ID, frame).await;
        }
        self.shared.router.deliver(target.touid, NotifyImgChat::ID, frame.clone()).await;
        self.shared.router.deliver(self.uid(), NotifyImgChat::ID, frame).await;
    }

    /// `frame` to every session of a group target's members as they are now, the forwarder's
    /// included.
    async fn push_to_target(&self, target: &Target, id: u16, frame: bytes::Bytes) {
        let Some(cached) = &target.group else { return };
        let group = match self.shared.groups.get(&self.shared.db, target.thread_id).await {
            Ok(Some(now)) => now,
            _ => cached.clone(),
        };
        let members: Vec<i32> = group.uids().collect();
        self.shared.router.deliver_group(&members, None, id, frame, target.thread_id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_keys_fit_a_texts_key_and_differ_per_copy() {
        let uuid = "8f14e45f-ceea-467f-a0e6-3b4c1d2e5f60";
        assert_eq!(uuid.len(), MAX_FORWARD_UNIQUE_ID_BYTES);
        let widest = copy_key(uuid, i64::MAX, i64::MAX);
        assert!(widest.len() <= 64, "{widest}");
        assert_ne!(copy_key(uuid, 1, 2), copy_key(uuid, 2, 1));
        assert_eq!(copy_key("", 1, 2), "");
        assert_eq!(base36(0), "0");
        assert_eq!(base36(36 * 36 + 35), "10z");
    }
}
