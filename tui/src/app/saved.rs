//! What a signed-in user's client keeps between runs, as plain data: the chat list with its
//! recent messages (drawn before the network answers), the outbox (texts not yet stored by the
//! server, under their unique ids, so a restart sends each once), drafts and hidden chats.
//! `local.rs` puts it on disk; this is only the mapping to and from the model.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use imchat_sdk::Dialect;
use imchat_sdk::cursor::ThreadCursor;
use serde::{Deserialize, Serialize};

use super::{Attachment, Friend, Gesture, GroupView, Main, Msg, MsgState, Request, Thread, Transfer};
use crate::i18n::Tr;

/// Stored messages kept per chat (the newest); unsent ones are kept whatever their number.
pub const SAVED_PER_THREAD: usize = 50;

/// The saved form's version: a file of another version is not read (the network refills it).
pub const SAVED_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub version: u32,
    pub uid: i32,
    pub name: String,
    pub server: String,
    pub llfc: bool,
    pub friends: Vec<(i32, String, String)>,
    /// (uid, name, greeting, accepted)
    pub requests: Vec<(i32, String, String, bool)>,
    pub names: BTreeMap<i32, String>,
    pub threads: Vec<SavedThread>,
    /// Per chat, the composer's unsent text (the open chat's included).
    pub drafts: BTreeMap<i64, String>,
    pub last_sent: Option<String>,
    pub max_text: Option<usize>,
    pub hidden: BTreeSet<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedThread {
    pub id: i64,
    pub peer: i32,
    pub group: Option<SavedGroup>,
    /// The sync cursor: every message up to here was held.
    pub through: i64,
    pub read_mark: i64,
    pub unread: i64,
    pub msgs: Vec<SavedMsg>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedGroup {
    pub name: String,
    pub announcement: String,
    pub muted: bool,
    pub members: i64,
    pub disbanded: bool,
    pub left: bool,
    pub mentioned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMsg {
    /// 0: not stored by the server yet (in the outbox, or failed).
    pub seq: i64,
    pub from: i32,
    pub text: String,
    pub time: String,
    pub unique: String,
    /// Why it failed; `None` while it is still to be sent.
    pub failure: Option<String>,
    pub system: bool,
    pub file: Option<SavedFile>,
    /// Recalled by this uid; a recall or edit notice of this seq; edited (files written
    /// before have none of them).
    #[serde(default)]
    pub recalled: Option<i32>,
    #[serde(default)]
    pub recall_of: Option<i64>,
    #[serde(default)]
    pub edit_of: Option<i64>,
    #[serde(default)]
    pub edited: bool,
    /// Its reactions (this user's marked) and the seq they are as of; a reaction notice of
    /// this seq (already applied).
    #[serde(default)]
    pub reactions: Vec<(String, i64, bool)>,
    #[serde(default)]
    pub reactions_at: i64,
    #[serde(default)]
    pub react_of: Option<i64>,
    /// What it replies to, and whose message it forwards (0: none).
    #[serde(default)]
    pub reply: Option<imchat_sdk::proto::msg::Quote>,
    #[serde(default)]
    pub forwarded_from: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    pub name: String,
    pub picture: bool,
    pub label: String,
    pub size: u64,
    /// The sender's own copy, which a retry uploads again.
    pub local: Option<PathBuf>,
}

impl Saved {
    /// The texts waiting to be sent, by unique id: what must reach the disk before anything else.
    pub fn outbox(&self) -> Vec<&SavedMsg> {
        self.threads.iter().flat_map(|t| &t.msgs).filter(|m| m.seq == 0).collect()
    }
}

impl Main {
    /// The model as it is kept between runs.
    pub fn saved(&self) -> Saved {
        let mut drafts: BTreeMap<i64, String> = self.drafts.iter().map(|(id, text)| (*id, text.clone())).collect();
        if let Some(open) = self.open.filter(|_| !self.input.is_empty()) {
            drafts.insert(open, self.input.text().to_owned());
        }
        Saved {
            version: SAVED_VERSION,
            uid: self.uid,
            name: self.name.clone(),
            server: self.server.clone(),
            llfc: self.dialect == Dialect::Llfc,
            friends: self.friends.iter().map(|f| (f.uid, f.name.clone(), f.remark.clone())).collect(),
            requests: self.requests.iter().map(|r| (r.uid, r.name.clone(), r.greeting.clone(), r.accepted)).collect(),
            names: self.names.iter().map(|(uid, name)| (*uid, name.clone())).collect(),
            threads: self.threads.values().map(|t| saved_thread(t, self.tr)).collect(),
            drafts,
            last_sent: self.last_sent.clone(),
            max_text: self.max_text,
            hidden: self.hidden.clone(),
        }
    }

    /// The model a saved one gives back: what was sending is sending again (the next login
    /// sends it under the same unique id, which the server answers once).
    pub fn restored(saved: Saved, tr: Tr) -> Main {
        let dialect = if saved.llfc { Dialect::Llfc } else { Dialect::Imchat };
        let mut main = Main::new(saved.uid, saved.name, saved.server, dialect, tr);
        main.friends = saved.friends.into_iter().map(|(uid, name, remark)| Friend { uid, name, remark }).collect();
        main.requests = saved
            .requests
            .into_iter()
            .map(|(uid, name, greeting, accepted)| Request { uid, name, greeting, accepted })
            .collect();
        main.threads = saved.threads.into_iter().map(|t| (t.id, restored_thread(t, tr))).collect();
        main.names = saved.names.into_iter().collect::<HashMap<_, _>>();
        main.last_sent = saved.last_sent;
        main.max_text = saved.max_text;
        main.drafts = saved.drafts.into_iter().collect();
        main.hidden = saved.hidden;
        main
    }
}

fn saved_thread(thread: &Thread, tr: Tr) -> SavedThread {
    let stored: Vec<&Msg> = thread.msgs.iter().filter(|m| m.seq > 0).collect();
    let keep_from = stored.len().saturating_sub(SAVED_PER_THREAD);
    let first_kept = stored.get(keep_from).map_or(i64::MAX, |m| m.seq);
    let msgs = thread
        .msgs
        .iter()
        .filter(|m| m.seq == 0 || m.seq >= first_kept)
        .map(|m| SavedMsg {
            seq: m.seq,
            from: m.from,
            text: m.text.clone(),
            time: m.time.clone(),
            unique: m.unique.clone(),
            failure: match m.state {
                MsgState::Failed => Some(m.failure.clone().unwrap_or_else(|| tr.not_sent())),
                _ => None,
            },
            system: m.system,
            file: m.file.as_ref().map(|f| SavedFile {
                name: f.name.clone(),
                picture: f.picture,
                label: f.label.clone(),
                size: f.size,
                local: f.local.clone(),
            }),
            recalled: m.recalled,
            recall_of: match m.gesture {
                Some(Gesture::Recall(seq)) => Some(seq),
                _ => None,
            },
            edit_of: match m.gesture {
                Some(Gesture::Edit(seq)) => Some(seq),
                _ => None,
            },
            edited: m.edited,
            reactions: m.reactions.iter().map(|r| (r.emoji.clone(), r.count, r.mine)).collect(),
            reactions_at: m.reactions_at,
            react_of: match m.gesture {
                Some(Gesture::React { seq, .. }) => Some(seq),
                _ => None,
            },
            reply: m.reply.clone(),
            forwarded_from: m.forwarded_from,
        })
        .collect();
    SavedThread {
        id: thread.id,
        peer: thread.peer,
        group: thread.group.as_ref().map(|g| SavedGroup {
            name: g.name.clone(),
            announcement: g.announcement.clone(),
            muted: g.muted,
            members: g.members,
            disbanded: g.disbanded,
            left: g.left,
            mentioned: g.mentioned,
        }),
        through: thread.cursor.through(),
        read_mark: thread.read_mark,
        unread: thread.unread,
        msgs,
    }
}

fn restored_thread(saved: SavedThread, tr: Tr) -> Thread {
    let msgs = saved
        .msgs
        .into_iter()
        .map(|m| {
            let state = match (m.seq, &m.failure) {
                (0, Some(_)) => MsgState::Failed,
                (0, None) => MsgState::Sending,
                _ => MsgState::Sent,
            };
            let file = m.file.map(|f| {
                let transfer = if m.seq > 0 { Transfer::Ready } else { Transfer::Failed(tr.not_sent()) };
                let mut attachment = Attachment::new(f.name, f.picture, transfer);
                attachment.label = f.label;
                attachment.size = f.size;
                attachment.local = f.local;
                attachment
            });
            Msg {
                seq: m.seq,
                from: m.from,
                text: m.text,
                time: m.time,
                state,
                unique: m.unique,
                lost: 0,
                failure: m.failure,
                system: m.system,
                file,
                recalled: m.recalled,
                gesture: m
                    .recall_of
                    .map(Gesture::Recall)
                    .or(m.edit_of.map(Gesture::Edit))
                    .or(m.react_of.map(|seq| Gesture::React { seq, mine: false })),
                edited: m.edited,
                reactions: m
                    .reactions
                    .into_iter()
                    .map(|(emoji, count, mine)| imchat_sdk::proto::msg::ReactionCount { emoji, count, mine })
                    .collect(),
                reactions_at: m.reactions_at,
                reply: m.reply,
                forwarded_from: m.forwarded_from,
            }
        })
        .collect();
    Thread {
        id: saved.id,
        peer: saved.peer,
        group: saved.group.map(|g| GroupView {
            name: g.name,
            announcement: g.announcement,
            muted: g.muted,
            members: g.members,
            disbanded: g.disbanded,
            left: g.left,
            mentioned: g.mentioned,
            member_list: Vec::new(),
            read_by: None,
        }),
        msgs,
        cursor: ThreadCursor::at(saved.through),
        unread: saved.unread,
        divider: None,
        read_mark: saved.read_mark,
        peer_read: 0,
        below: 0,
        older: None,
        loading_older: false,
    }
}
