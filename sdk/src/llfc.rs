//! Talking to llfc's own servers, which lack imchat's extensions: what the SDK does instead.
//!
//! - **Order.** llfc stores no per-thread `seq`. Its message ids grow with every message, so
//!   where `seq` is missing (0) the SDK puts the message id there: callers order and resume
//!   by `seq` whichever server they talk to.
//! - **Sync** (imchat's 1100) becomes llfc's thread list (1025) and history pages (1029).
//!   llfc's server crashes on a history page that comes out empty (llfc-wire.md §10.10), so a
//!   page is asked only where it must hold a message: from the start of a thread (a thread
//!   made by befriending has its first messages) or from just before the last message
//!   already held (the page then holds that one again, at least).
//! - **Limits.** llfc drops the session over a frame body above 2048 bytes; such a text is
//!   refused here instead ([`SdkError::TooLong`]).

use std::collections::HashMap;

use imchat_proto::msg::{
    AuthChatData, HistoryData, SyncCursor, SyncData, SyncRsp, SyncThread, TextChatData, TextChatReq,
};

use crate::{ChatClient, SdkError};

/// llfc's inbound frame body limit (`MAX_LENGTH`).
pub const MAX_BODY: usize = 2048;
/// Pages read per thread in one sync before it gives up on that thread (10 messages each).
const MAX_PAGES_PER_THREAD: usize = 10_000;

pub(crate) fn order_texts(datas: &mut [TextChatData]) {
    for data in datas.iter_mut().filter(|d| d.seq == 0) {
        data.seq = data.message_id;
    }
}

pub(crate) fn order_auth(datas: &mut [AuthChatData]) {
    for data in datas.iter_mut().filter(|d| d.seq == 0) {
        data.seq = data.msg_id;
    }
}

pub(crate) fn order_history(datas: &mut [HistoryData]) {
    for data in datas.iter_mut().filter(|d| d.seq == 0) {
        data.seq = data.msg_id;
    }
}

/// Refuses a 1017 whose body llfc would drop the session over.
pub(crate) fn check_fits(req: &TextChatReq) -> Result<(), SdkError> {
    let len = serde_json::to_vec(req).map_or(usize::MAX, |body| body.len());
    if len > MAX_BODY {
        return Err(SdkError::TooLong { len, limit: MAX_BODY });
    }
    Ok(())
}

/// imchat's sync made of llfc requests: every thread of the user (1025), then each thread's
/// messages after its cursor (1029). `seq` in the result is the message id.
pub(crate) async fn sync(client: &ChatClient, uid: i32, cursors: &[SyncCursor]) -> Result<SyncRsp, SdkError> {
    let held: HashMap<i64, i64> = cursors.iter().map(|c| (c.thread_id, c.seq)).collect();
    let mut threads = Vec::new();
    let mut after = 0;
    loop {
        let page = client.load_threads(uid, after).await?;
        let last = page.threads.last().map(|t| t.thread_id);
        threads.extend(page.threads.into_iter().filter(|t| t.kind != "group"));
        match last {
            Some(last) if page.load_more && last > after => after = page.next_last_id.max(last),
            _ => break,
        }
    }
    threads.sort_by_key(|t| t.thread_id);
    threads.dedup_by_key(|t| t.thread_id);

    let mut rsp = SyncRsp::default();
    for thread in threads {
        let peer = if thread.user1_id == uid { thread.user2_id } else { thread.user1_id };
        let cursor = held.get(&thread.thread_id).copied().unwrap_or(0).max(0);
        // From just before the last message held, so the page holds at least that one.
        let mut after = cursor.saturating_sub(1);
        let mut news = Vec::new();
        for _ in 0..MAX_PAGES_PER_THREAD {
            let page = client.load_messages(thread.thread_id, after).await?;
            let last = page.chat_datas.last().map(|d| d.msg_id);
            news.extend(page.chat_datas.into_iter().filter(|d| d.msg_id > cursor));
            match last {
                Some(last) if page.load_more && last > after => after = last,
                _ => break,
            }
        }
        let unread = news.iter().filter(|d| d.sender != uid).count();
        rsp.threads.push(SyncThread {
            thread_id: thread.thread_id,
            peer_uid: peer,
            last_seq: news.last().map_or(cursor, |d| d.msg_id),
            unread: i64::try_from(unread).unwrap_or(i64::MAX),
            ..SyncThread::default()
        });
        rsp.chat_datas.extend(news.into_iter().map(|d| SyncData {
            thread_id: thread.thread_id,
            seq: d.msg_id,
            message_id: d.msg_id,
            sender: d.sender,
            receiver: if d.receiver != 0 {
                d.receiver
            } else if d.sender == uid {
                peer
            } else {
                uid
            },
            unique_id: String::new(),
            content: d.msg_content,
            chat_time: d.chat_time,
            status: d.status,
            msg_type: d.msg_type,
            mentions: Vec::new(),
        }));
    }
    Ok(rsp)
}
