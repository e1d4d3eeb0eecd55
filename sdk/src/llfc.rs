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
//!   llfc master answers pages of 11 with `load_more` always false: a page of more than 10
//!   means "maybe more", and the next is asked from its last id.
//! - **Threads.** A befriending makes a thread (with its first messages), but llfc's 1014
//!   carries them only when the applicant is online, and llfc's 1027 does not find that thread
//!   when it stored the pair the other way round. So the SDK finds a private thread with a peer
//!   in the thread list (the pair in either order) before any 1027, and an accept whose 1014
//!   came without messages loads the befriending's thread from the list (1025, 1029). A
//!   thread is asked for (1027) only to send its first text, so none is ever empty.
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
/// Messages in a full page of llfc's (master sends one more, and never says `load_more`).
const PAGE: usize = 10;

/// Whether a history page may have more after it: Season_2 says so, master's full page of 11
/// does not.
fn page_may_continue(load_more: bool, len: usize) -> bool {
    load_more || len > PAGE
}

/// The user's private threads from llfc's thread list (1025), every page.
async fn private_threads(client: &ChatClient, uid: i32) -> Result<Vec<imchat_proto::msg::ThreadInfo>, SdkError> {
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
    Ok(threads)
}

/// The private thread of `uid` and `peer`, from the thread list: the pair in either order
/// (llfc stores a befriending's as (approver, applicant), a 1027's as it came).
pub(crate) async fn thread_with(client: &ChatClient, uid: i32, peer: i32) -> Result<Option<i64>, SdkError> {
    let threads = private_threads(client, uid).await?;
    let pair = |t: &&imchat_proto::msg::ThreadInfo| {
        (t.user1_id, t.user2_id) == (uid, peer) || (t.user1_id, t.user2_id) == (peer, uid)
    };
    Ok(threads.iter().find(pair).map(|t| t.thread_id))
}

/// The first messages of the befriending's thread with `peer` (an accept whose 1014 brought
/// none: the applicant was offline), as a 1014 would carry them.
pub(crate) async fn befriending_messages(
    client: &ChatClient,
    uid: i32,
    peer: i32,
) -> Result<Vec<AuthChatData>, SdkError> {
    let Some(thread_id) = thread_with(client, uid, peer).await? else { return Ok(Vec::new()) };
    // A befriending's thread holds its messages: its first page is never empty.
    let page = client.load_messages(thread_id, 0).await?;
    Ok(page
        .chat_datas
        .into_iter()
        .map(|d| AuthChatData {
            sender: d.sender,
            msg_id: d.msg_id,
            thread_id: d.thread_id,
            unique_id: String::new(),
            msg_content: d.msg_content,
            chat_time: d.chat_time,
            status: d.status,
            seq: d.msg_id,
        })
        .collect())
}

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
    let threads = private_threads(client, uid).await?;

    let mut rsp = SyncRsp::default();
    for thread in threads {
        let peer = if thread.user1_id == uid { thread.user2_id } else { thread.user1_id };
        let cursor = held.get(&thread.thread_id).copied().unwrap_or(0).max(0);
        // From just before the last message held, so the page holds at least that one; a
        // thread held with nothing in it is not asked (an empty page crashes llfc's server).
        if cursor == 0 && held.contains_key(&thread.thread_id) {
            continue;
        }
        let mut after = (cursor - 1).max(0);
        let mut news = Vec::new();
        for _ in 0..MAX_PAGES_PER_THREAD {
            let page = client.load_messages(thread.thread_id, after).await?;
            let page_len = page.chat_datas.len();
            let last = page.chat_datas.last().map(|d| d.msg_id);
            news.extend(page.chat_datas.into_iter().filter(|d| d.msg_id > cursor));
            match last {
                Some(last) if page_may_continue(page.load_more, page_len) && last > after => after = last,
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
            ..SyncData::default()
        }));
    }
    Ok(rsp)
}
