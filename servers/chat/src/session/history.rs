//! 1025 thread list, 1027 open a private chat, 1029 history pages, and imchat's 1100 sync.

use std::collections::HashMap;

use imchat_proto::ErrorCode;
use imchat_proto::llfc_client::{Knows, notice_as_text};
use imchat_proto::msg::res::{MSG_TYPE_FILE, file_placeholder};
use imchat_proto::msg::{
    CreatePrivateChatReq, CreatePrivateChatRsp, HistoryData, LoadChatMsgReq, LoadChatMsgRsp, LoadOlderReq,
    LoadOlderRsp, LoadThreadsReq, LoadThreadsRsp, NotifyReadMark, NotifyReceipt, ReactionCount, ReadMarkReq,
    ReadMarkRsp, Receipt, SettingsReq, SettingsRsp, SyncData, SyncReq, SyncRsp, SyncThread, ThreadInfo,
};
use imchat_proto::time::format_chat_time;
use imchat_store::{StoreError, ThreadKind, ThreadRange};

use crate::groups::{framable, quote_of, sync_data};

use crate::session::{Handled, Reject, Session};

/// Cursors accepted in one sync request.
const MAX_SYNC_CURSORS: usize = 10_000;

impl Session {
    pub(super) async fn load_threads(&mut self, req: LoadThreadsReq) -> Handled {
        let me = self.me(req.uid)?;
        let (threads, load_more) =
            self.shared.db.user_threads(me, req.thread_id.max(0), self.shared.config.limits.thread_page).await?;
        let next_last_id = threads.last().map_or(req.thread_id.max(0), |t| t.thread_id);
        for thread in threads.iter().filter(|t| t.kind == ThreadKind::Private) {
            self.threads.insert(thread.thread_id, *thread);
        }
        self.send(&LoadThreadsRsp {
            error: 0,
            uid: me,
            load_more,
            next_last_id,
            threads: threads
                .iter()
                .map(|t| ThreadInfo {
                    thread_id: t.thread_id,
                    kind: t.kind.as_str().to_owned(),
                    user1_id: t.user1,
                    user2_id: t.user2,
                })
                .collect(),
        })
    }

    pub(super) async fn create_private_chat(&mut self, req: CreatePrivateChatReq) -> Handled {
        let me = self.me(req.uid)?;
        self.ensure_friend(req.other_id).await?;
        let thread_id =
            self.shared.db.private_thread(me, req.other_id, imchat_store::now_ms()).await.map_err(|err| {
                tracing::error!(%err, "creating a private chat failed");
                ErrorCode::CreateChatFailed
            })?;
        self.send(&CreatePrivateChatRsp { error: 0, uid: me, other_id: req.other_id, thread_id })
    }

    pub(super) async fn load_chat_msg(&mut self, req: LoadChatMsgReq) -> Handled {
        let floor = self.readable_from(req.thread_id).await?;
        let limit = self.shared.config.limits.history_page;
        let page = match self.shared.db.history(req.thread_id, req.message_id, floor, limit).await {
            Ok(page) => page,
            Err(StoreError::NotFound(_)) => return Err(ErrorCode::InvalidArgument.into()),
            Err(err) => {
                tracing::error!(%err, "loading history failed");
                return Err(ErrorCode::LoadChatFailed.into());
            }
        };
        // An empty page is a valid answer (llfc crashed on it, §10.10).
        let mut datas: Vec<HistoryData> = page
            .messages
            .into_iter()
            .map(|m| HistoryData {
                sender: m.sender,
                msg_id: m.message_id,
                thread_id: m.thread_id,
                unique_id: 0,
                msg_content: framable(m.content, m.msg_type),
                chat_time: format_chat_time(m.created_at),
                status: m.status,
                msg_type: m.msg_type,
                receiver: m.receiver,
                seq: m.seq,
            })
            .collect();
        if self.llfc_client {
            for d in &mut datas {
                notice_as_text(&mut d.msg_type, &mut d.status, &mut d.msg_content, Knows::default());
            }
            self.files_as_texts(&mut datas).await?;
        }
        self.send_fitting(datas.len(), |n| LoadChatMsgRsp {
            error: 0,
            thread_id: req.thread_id,
            last_message_id: datas[..n].last().map_or(req.message_id, |m| m.msg_id),
            load_more: page.more || n < datas.len(),
            chat_datas: datas[..n].to_vec(),
        })
    }

    /// An llfc client's page shows each generic file as a text naming it (`imchat_proto::llfc_client`).
    async fn files_as_texts(&self, datas: &mut [HistoryData]) -> Handled {
        for data in datas.iter_mut().filter(|d| d.msg_type == MSG_TYPE_FILE) {
            let file = self.shared.db.file_of_message(data.msg_id).await?;
            let (label, size) = file
                .map_or((data.msg_content.clone(), 0), |f| (if f.label.is_empty() { f.name } else { f.label }, f.size));
            data.msg_content = file_placeholder(&label, size);
            data.msg_type = imchat_store::MSG_TYPE_TEXT;
        }
        Ok(())
    }

    pub(super) async fn sync(&mut self, req: SyncReq) -> Handled {
        if req.cursors.len() > MAX_SYNC_CURSORS {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let me = self.uid();
        let limits = &self.shared.config.limits;
        let cursors: HashMap<i64, i64> = req.cursors.iter().map(|c| (c.thread_id, c.seq)).collect();
        let range = match req.after_thread {
            // Receipts only by pages: a page's fit one frame beside its threads.
            Some(after) => ThreadRange {
                after: after.max(0),
                threads: Some(req.page_threads.unwrap_or(limits.sync_threads).clamp(1, limits.sync_threads)),
                receipts: req.receipts,
            },
            None => ThreadRange::default(),
        };
        let page = self.shared.db.sync(me, &cursors, req.tail, range, limits.sync_page).await?;
        for state in page.threads.iter().filter(|s| s.thread.kind == ThreadKind::Private) {
            self.threads.insert(state.thread.thread_id, state.thread);
        }
        let threads: Vec<SyncThread> = page
            .threads
            .iter()
            .map(|s| {
                let group = s.thread.kind == ThreadKind::Group;
                SyncThread {
                    thread_id: s.thread.thread_id,
                    peer_uid: if group { 0 } else { s.thread.peer_of(me) },
                    last_seq: s.last_seq,
                    unread: s.unread,
                    kind: if group { "group".to_owned() } else { String::new() },
                    mentions: s.mentions,
                    read_seq: s.read_seq,
                }
            })
            .collect();
        let datas = self.as_client_shows(page.messages.into_iter().map(sync_data).collect()).await?;
        let receipts: Vec<Receipt> = page.receipts.iter().map(|&(thread_id, seq)| Receipt { thread_id, seq }).collect();
        let paged = req.after_thread.map(|after| after.max(0));
        self.send_fitting(datas.len(), |n| {
            let trimmed = n < datas.len();
            SyncRsp {
                error: 0,
                threads: threads.clone(),
                chat_datas: datas[..n].to_vec(),
                more: page.more || trimmed,
                // Messages left out to fit: this page of threads again.
                next_thread: paged.and_then(|after| if trimmed { Some(after) } else { page.next_thread }),
                receipts: receipts.clone(),
            }
        })
    }

    /// 1110: the user has read a thread of theirs up to `seq`. Taken from the session's
    /// message rate: each is a write.
    pub(super) async fn read_mark(&mut self, req: ReadMarkReq) -> Handled {
        self.readable_from(req.thread_id).await?;
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let seq = self.shared.db.mark_read(self.uid(), req.thread_id, req.seq, imchat_store::now_ms()).await?;
        self.send(&ReadMarkRsp { error: 0, thread_id: req.thread_id, seq })?;
        // The user's other devices: their unread counts follow (the marker as stored, so a
        // stale request tells them nothing new, and is harmless).
        self.push_own(&NotifyReadMark { thread_id: req.thread_id, seq }).await;
        // A private chat's other member: a read receipt, unless this user turned them off.
        if let Ok(thread) = self.member_thread(req.thread_id).await
            && seq > 0
            && self.shared.db.settings(self.uid()).await?.read_receipts
        {
            let me = self.uid();
            self.push(thread.peer_of(me), &NotifyReceipt { thread_id: req.thread_id, uid: me, seq }).await;
        }
        Ok(())
    }

    /// 1116: changes the settings named, and answers with them all. Each change is taken from
    /// the session's message rate, as a write, and a request that changes nothing as one (it
    /// reads them).
    pub(super) async fn settings(&mut self, req: SettingsReq) -> Handled {
        let presence = match req.presence.as_deref().map(str::parse::<imchat_store::Visibility>) {
            Some(Ok(presence)) => Some(presence),
            Some(Err(())) => return Err(ErrorCode::InvalidArgument.into()),
            None => None,
        };
        let limits = &self.shared.config.limits;
        let changes = usize::from(req.read_receipts.is_some()) + usize::from(presence.is_some());
        if !self.rate.take(changes.max(1), limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        if let Some(on) = req.read_receipts {
            self.shared.db.set_read_receipts(self.uid(), on).await?;
        }
        if let Some(presence) = presence {
            self.shared.db.set_presence(self.uid(), presence).await?;
        }
        let settings = self.shared.db.settings(self.uid()).await?;
        self.send(&SettingsRsp {
            error: 0,
            read_receipts: settings.read_receipts,
            presence: settings.presence.as_str().to_owned(),
        })
    }

    /// Messages as this session's client shows them: gestures it did not name as texts, each
    /// message's reactions where it named `reactions`, and the quotes of replies as they are
    /// now (one query each for the page).
    async fn as_client_shows(&self, mut datas: Vec<SyncData>) -> Result<Vec<SyncData>, Reject> {
        let knows = self.device.as_ref().map_or(Knows::default(), |device| device.knows);
        if !knows.all() {
            for d in &mut datas {
                notice_as_text(&mut d.msg_type, &mut d.status, &mut d.content, knows);
            }
        }
        if knows.reactions && !datas.is_empty() {
            let keys: Vec<(i64, i64)> = datas.iter().map(|d| (d.thread_id, d.seq)).collect();
            let mut found = self.shared.db.reactions(self.uid(), &keys).await?;
            for d in &mut datas {
                if let Some(counts) = found.remove(&(d.thread_id, d.seq)) {
                    d.reactions = counts
                        .into_iter()
                        .map(|c| ReactionCount { emoji: c.emoji, count: c.count, mine: c.mine })
                        .collect();
                }
            }
        }
        let quoted: Vec<(i64, i64)> =
            datas.iter().filter_map(|d| d.reply.as_ref().map(|q| (d.thread_id, q.seq))).collect();
        if !quoted.is_empty() {
            let found = self.shared.db.messages_at(&quoted).await?;
            for d in &mut datas {
                let Some(reply) = &mut d.reply else { continue };
                if let Some(m) = found.get(&(d.thread_id, reply.seq)) {
                    *reply = quote_of(m);
                }
            }
        }
        Ok(datas)
    }

    pub(super) async fn load_older(&mut self, req: LoadOlderReq) -> Handled {
        let floor = self.readable_from(req.thread_id).await?;
        let limit = self.shared.config.limits.history_page;
        let (messages, more) = self.shared.db.history_before(req.thread_id, req.before_seq, floor, limit).await?;
        let datas = self.as_client_shows(messages.into_iter().map(sync_data).collect()).await?;
        // When trimmed to fit, keep the newest (closest to what the client already has).
        self.send_fitting(datas.len(), |n| LoadOlderRsp {
            error: 0,
            thread_id: req.thread_id,
            chat_datas: datas[datas.len() - n..].to_vec(),
            more: more || n < datas.len(),
        })
    }
}
