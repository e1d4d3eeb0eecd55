//! 1017 text chat: validated, stored (batched by the message writer) before the sender's 1018,
//! then pushed to the recipient as 1019.

use imchat_proto::ErrorCode;
use imchat_proto::msg::{NotifyTextChat, TextChatData, TextChatReq, TextChatRsp};
use imchat_proto::time::format_chat_time;
use imchat_store::NewMsg;

use crate::session::{Handled, Session};

/// Longest client idempotency key (llfc sends a braced UUID, 38 characters).
const MAX_UNIQUE_ID_BYTES: usize = 64;

impl Session {
    pub(super) async fn text_chat(&mut self, req: TextChatReq) -> Handled {
        let me = self.me(req.fromuid)?;
        let limits = &self.shared.config.limits;
        let valid = !req.text_array.is_empty()
            && req.text_array.len() <= limits.max_texts_per_frame
            && req.text_array.iter().all(|t| {
                !t.content.is_empty()
                    && t.content.len() <= limits.max_text_bytes
                    && t.unique_id.len() <= MAX_UNIQUE_ID_BYTES
            });
        if !valid {
            return Err(ErrorCode::InvalidArgument.into());
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
        let stored = self.shared.writer.store(msgs).await?;
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
        self.send(&TextChatRsp {
            error: 0,
            fromuid: me,
            touid: req.touid,
            thread_id: thread.thread_id,
            chat_datas: chat_datas.clone(),
        })?;
        let notice =
            NotifyTextChat { error: 0, fromuid: me, touid: req.touid, thread_id: thread.thread_id, chat_datas };
        self.push(req.touid, &notice).await;
        Ok(())
    }
}
