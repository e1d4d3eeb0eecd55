//! Gestures on sent messages: recall (撤回) and edit. The message keeps its place (`seq`) and
//! is changed there (its text gone, or replaced), and a notice takes the thread's next `seq`,
//! in one transaction, so a reader who syncs later meets the notice in order and finds the
//! message as it is now.

use std::collections::{BTreeMap, HashMap};

use sqlx::{Any, Row, Transaction};

use crate::Role;
use crate::StoreError;
use crate::sql::chats::{
    MSG_COLUMNS, MSG_TYPE_SYSTEM, MSG_TYPE_TEXT, NewMsg, StoredMsg, insert_messages, msg_from_row,
};
use crate::sql::files::{FileRow, drop_file_in, file_of_message_in};
use crate::sql::groups::lock_group;
use crate::sql::users::int;
use crate::sql::{Db, Dialect};

/// `msg_type` of a recall notice: its content is `{"seq": N, "by": uid}`.
pub const MSG_TYPE_RECALL: i32 = 11;
/// `status` of a recalled message: its content is empty.
pub const MSG_STATUS_RECALLED: i32 = 4;
/// `msg_type` of an edit notice: its content is `{"seq": N, "by": uid, "text": "…"}`.
pub const MSG_TYPE_EDIT: i32 = 12;
/// `status` of an edited text: its content is the latest.
pub const MSG_STATUS_EDITED: i32 = 5;
/// `msg_type` of a reaction notice: its content is `{"seq": N, "by": uid, "emoji": "…",
/// "reactions": [{"emoji": "…", "count": n}]}` (`emoji` empty: taken back; `reactions` the
/// message's counts after it).
pub const MSG_TYPE_REACTION: i32 = 13;

/// How many of one emoji a message has, and whether the asker's is among them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReactionCount {
    pub emoji: String,
    pub count: i64,
    #[serde(skip)]
    pub mine: bool,
}

/// A reaction set or taken back: its notice (`None` when nothing changed) and the message's
/// counts after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reacted {
    pub notice: Option<StoredMsg>,
    pub counts: Vec<ReactionCount>,
}

/// Why a gesture was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GestureRefusal {
    /// No such message the asker may read (or one the gesture does not apply to: a system
    /// message, a notice; for an edit, anything but a text, or a recalled one).
    NoSuchMessage,
    /// The asker's own, past the window.
    TooLate,
    /// Someone else's, and the asker is not the group's owner or admin.
    NotYours,
    /// The group was disbanded: it is read-only.
    Disbanded,
}

/// A recall done: the message as it is now (blank), its notice (`None` when it had been
/// recalled already: nothing changed), and its file, dropped, whose bytes went to the trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recalled {
    pub target: StoredMsg,
    pub notice: Option<StoredMsg>,
    pub file: Option<FileRow>,
}

/// An edit done: the text as it is now, and its notice (`None` when the text was that already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub target: StoredMsg,
    pub notice: Option<StoredMsg>,
}

/// Who the asker is in the thread: the other member of a private chat (the notice's receiver),
/// or a group member with their role.
enum Standing {
    Private { peer: i32 },
    Group { role: Role },
}

impl Db {
    /// Recalls message `seq` of `thread_id` as `by`: their own within `window_ms` of its
    /// sending, or any as a group's owner or admin. A file message's file is dropped and its
    /// bytes put in the trash (for the resource server's sweep).
    pub async fn recall(
        &self,
        thread_id: i64,
        seq: i64,
        by: i32,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Result<Recalled, GestureRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        let done = self.recall_in(&mut tx, thread_id, seq, by, window_ms, now_ms).await?;
        match &done {
            Ok(Recalled { notice: Some(_), .. }) => tx.commit().await?,
            _ => tx.rollback().await?,
        }
        Ok(done)
    }

    /// Replaces the text of message `seq` of `thread_id` with `text`, as its sender `by`
    /// within `window_ms` of its sending. Only a text is edited (not a file, nor a recalled
    /// one).
    pub async fn edit(
        &self,
        thread_id: i64,
        seq: i64,
        by: i32,
        text: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Result<Edited, GestureRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        let done = self.edit_in(&mut tx, thread_id, seq, by, text, window_ms, now_ms).await?;
        match &done {
            Ok(Edited { notice: Some(_), .. }) => tx.commit().await?,
            _ => tx.rollback().await?,
        }
        Ok(done)
    }

    #[allow(clippy::too_many_arguments)]
    async fn edit_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        thread_id: i64,
        seq: i64,
        by: i32,
        text: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Result<Edited, GestureRefusal>, StoreError> {
        let (standing, mut target) = match locate(tx, self.dialect, thread_id, seq, by).await? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if target.msg_type != MSG_TYPE_TEXT || target.status == MSG_STATUS_RECALLED {
            return Ok(Err(GestureRefusal::NoSuchMessage));
        }
        if target.sender != by {
            return Ok(Err(GestureRefusal::NotYours));
        }
        if now_ms - target.created_at > window_ms {
            return Ok(Err(GestureRefusal::TooLate));
        }
        if target.content == text {
            return Ok(Ok(Edited { target, notice: None }));
        }
        sqlx::query("UPDATE chat_message SET content = ?, status = ? WHERE message_id = ?")
            .bind(text.to_owned())
            .bind(i64::from(MSG_STATUS_EDITED))
            .bind(target.message_id)
            .execute(&mut **tx)
            .await?;
        let content = serde_json::json!({ "seq": seq, "by": by, "text": text }).to_string();
        let notice = self.notice(tx, &standing, thread_id, by, MSG_TYPE_EDIT, &content, now_ms).await?;
        (target.content, target.status) = (text.to_owned(), MSG_STATUS_EDITED);
        Ok(Ok(Edited { target, notice }))
    }

    /// Sets `by`'s reaction to message `seq` of `thread_id` to `emoji` (one per user and
    /// message; empty takes it back). Any member may react to any message they may read but a
    /// notice, a system message or a recalled one.
    pub async fn react(
        &self,
        thread_id: i64,
        seq: i64,
        by: i32,
        emoji: &str,
        now_ms: i64,
    ) -> Result<Result<Reacted, GestureRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        let done = self.react_in(&mut tx, thread_id, seq, by, emoji, now_ms).await?;
        match &done {
            Ok(Reacted { notice: Some(_), .. }) => tx.commit().await?,
            _ => tx.rollback().await?,
        }
        Ok(done)
    }

    async fn react_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        thread_id: i64,
        seq: i64,
        by: i32,
        emoji: &str,
        now_ms: i64,
    ) -> Result<Result<Reacted, GestureRefusal>, StoreError> {
        let (standing, target) = match locate(tx, self.dialect, thread_id, seq, by).await? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if target.status == MSG_STATUS_RECALLED {
            return Ok(Err(GestureRefusal::NoSuchMessage));
        }
        let was: Option<String> =
            sqlx::query("SELECT emoji FROM message_reaction WHERE thread_id = ? AND seq = ? AND user_id = ?")
                .bind(thread_id)
                .bind(seq)
                .bind(i64::from(by))
                .fetch_optional(&mut **tx)
                .await?
                .map(|row| row.try_get("emoji"))
                .transpose()?;
        if was.as_deref().unwrap_or("") == emoji {
            let counts = reaction_counts(tx, thread_id, seq, by).await?;
            return Ok(Ok(Reacted { notice: None, counts }));
        }
        sqlx::query("DELETE FROM message_reaction WHERE thread_id = ? AND seq = ? AND user_id = ?")
            .bind(thread_id)
            .bind(seq)
            .bind(i64::from(by))
            .execute(&mut **tx)
            .await?;
        if !emoji.is_empty() {
            sqlx::query(
                "INSERT INTO message_reaction (thread_id, seq, user_id, emoji, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(thread_id)
            .bind(seq)
            .bind(i64::from(by))
            .bind(emoji.to_owned())
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        }
        let counts = reaction_counts(tx, thread_id, seq, by).await?;
        let content = serde_json::json!({ "seq": seq, "by": by, "emoji": emoji, "reactions": counts }).to_string();
        let notice = self.notice(tx, &standing, thread_id, by, MSG_TYPE_REACTION, &content, now_ms).await?;
        Ok(Ok(Reacted { notice, counts }))
    }

    /// The reactions of `messages` (thread, seq) as `me` sees them, by message: one query.
    pub async fn reactions(
        &self,
        me: i32,
        messages: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Vec<ReactionCount>>, StoreError> {
        // Each thread's messages as one seq range of the primary key.
        let mut ranges: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for &(thread, seq) in messages {
            let range = ranges.entry(thread).or_insert((seq, seq));
            *range = (range.0.min(seq), range.1.max(seq));
        }
        let mut found: HashMap<(i64, i64), Vec<ReactionCount>> = HashMap::new();
        let ranges: Vec<(i64, (i64, i64))> = ranges.into_iter().collect();
        for chunk in ranges.chunks(REACTION_RANGES) {
            let sql = format!(
                "SELECT thread_id, seq, emoji, COUNT(*) AS n, CAST(SUM(CASE WHEN user_id = ? THEN 1 ELSE 0 END) AS SIGNED) AS mine, \
                 MIN(created_at) AS first FROM message_reaction WHERE {} GROUP BY thread_id, seq, emoji \
                 ORDER BY thread_id, seq, n DESC, first",
                vec!["(thread_id = ? AND seq BETWEEN ? AND ?)"; chunk.len()].join(" OR ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(me));
            for (thread, (low, high)) in chunk {
                query = query.bind(*thread).bind(*low).bind(*high);
            }
            for row in query.fetch_all(&self.pool).await? {
                let key = (row.try_get("thread_id")?, row.try_get("seq")?);
                let mine: i64 = row.try_get("mine")?;
                found.entry(key).or_default().push(ReactionCount {
                    emoji: row.try_get("emoji")?,
                    count: row.try_get("n")?,
                    mine: mine > 0,
                });
            }
        }
        Ok(found)
    }

    /// Stores a gesture's notice in the thread, to its other member (private) or no one (0).
    #[allow(clippy::too_many_arguments)]
    async fn notice(
        &self,
        tx: &mut Transaction<'static, Any>,
        standing: &Standing,
        thread_id: i64,
        by: i32,
        msg_type: i32,
        content: &str,
        now_ms: i64,
    ) -> Result<Option<StoredMsg>, StoreError> {
        let receiver = match standing {
            Standing::Private { peer } => *peer,
            Standing::Group { .. } => 0,
        };
        let notice = NewMsg { msg_type, ..NewMsg::text(thread_id, by, receiver, "", content, now_ms) };
        Ok(insert_messages(tx, &[notice], self.dialect).await?.pop())
    }

    async fn recall_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        thread_id: i64,
        seq: i64,
        by: i32,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Result<Recalled, GestureRefusal>, StoreError> {
        let (standing, mut target) = match locate(tx, self.dialect, thread_id, seq, by).await? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if target.status == MSG_STATUS_RECALLED {
            return Ok(Ok(Recalled { target, notice: None, file: None }));
        }
        let own = target.sender == by;
        let admin = matches!(standing, Standing::Group { role } if role >= Role::Admin);
        let in_time = own && now_ms - target.created_at <= window_ms;
        if !(admin || in_time) {
            return Ok(Err(if own { GestureRefusal::TooLate } else { GestureRefusal::NotYours }));
        }
        sqlx::query("UPDATE chat_message SET content = '', status = ? WHERE message_id = ?")
            .bind(i64::from(MSG_STATUS_RECALLED))
            .bind(target.message_id)
            .execute(&mut **tx)
            .await?;
        // Its mentions no longer count as unread mentions.
        sqlx::query("DELETE FROM chat_mention WHERE thread_id = ? AND seq = ?")
            .bind(thread_id)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        // A picture or file: readable no more, its bytes swept.
        let file = file_of_message_in(tx, target.message_id).await?;
        if let Some(file) = &file {
            drop_file_in(tx, self.dialect, file, now_ms, true).await?;
        }
        // Its edits said what it said: they go too, and its reactions.
        self.blank_edits(tx, thread_id, seq).await?;
        sqlx::query("DELETE FROM message_reaction WHERE thread_id = ? AND seq = ?")
            .bind(thread_id)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        let content = format!(r#"{{"seq":{seq},"by":{by}}}"#);
        let notice = self.notice(tx, &standing, thread_id, by, MSG_TYPE_RECALL, &content, now_ms).await?;
        (target.content, target.status) = (String::new(), MSG_STATUS_RECALLED);
        target.mentions.clear();
        Ok(Ok(Recalled { target, notice, file }))
    }
}

impl Db {
    /// Empties the text of every edit notice of message `seq` (their `text`), keeping where
    /// they point.
    async fn blank_edits(
        &self,
        tx: &mut Transaction<'static, Any>,
        thread_id: i64,
        seq: i64,
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {MSG_COLUMNS} FROM chat_message WHERE thread_id = ? AND seq > ? AND msg_type = ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(thread_id)
            .bind(seq)
            .bind(i64::from(MSG_TYPE_EDIT))
            .fetch_all(&mut **tx)
            .await?;
        for row in &rows {
            let edit = msg_from_row(row)?;
            let Ok(mut event) = serde_json::from_str::<serde_json::Value>(&edit.content) else { continue };
            if event["seq"].as_i64() != Some(seq) {
                continue;
            }
            event["text"] = serde_json::Value::String(String::new());
            sqlx::query("UPDATE chat_message SET content = ? WHERE message_id = ?")
                .bind(event.to_string())
                .bind(edit.message_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// Threads per reaction query (three placeholders each).
const REACTION_RANGES: usize = 500;

/// One message's reactions, most given first, with `me`'s marked.
async fn reaction_counts(
    tx: &mut Transaction<'static, Any>,
    thread_id: i64,
    seq: i64,
    me: i32,
) -> Result<Vec<ReactionCount>, StoreError> {
    let rows = sqlx::query(
        "SELECT emoji, COUNT(*) AS n, CAST(SUM(CASE WHEN user_id = ? THEN 1 ELSE 0 END) AS SIGNED) AS mine, MIN(created_at) AS first \
         FROM message_reaction WHERE thread_id = ? AND seq = ? GROUP BY emoji ORDER BY n DESC, first",
    )
    .bind(i64::from(me))
    .bind(thread_id)
    .bind(seq)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let mine: i64 = row.try_get("mine")?;
            Ok(ReactionCount { emoji: row.try_get("emoji")?, count: row.try_get("n")?, mine: mine > 0 })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// The message `seq` of `thread_id` (locked until commit on MySQL) and the asker's standing,
/// if the asker may read it and it is a message of someone's (not a system message or a
/// notice).
async fn locate(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    thread_id: i64,
    seq: i64,
    by: i32,
) -> Result<Result<(Standing, StoredMsg), GestureRefusal>, StoreError> {
    let (standing, floor) = match standing(tx, dialect, thread_id, by).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let lock = if dialect == Dialect::MySql { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {MSG_COLUMNS} FROM chat_message WHERE thread_id = ? AND seq = ?{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(thread_id).bind(seq).fetch_optional(&mut **tx).await?;
    let Some(target) = row.as_ref().map(msg_from_row).transpose()? else {
        return Ok(Err(GestureRefusal::NoSuchMessage));
    };
    let notice = matches!(target.msg_type, MSG_TYPE_SYSTEM | MSG_TYPE_RECALL | MSG_TYPE_EDIT | MSG_TYPE_REACTION);
    if seq <= floor || notice {
        return Ok(Err(GestureRefusal::NoSuchMessage));
    }
    Ok(Ok((standing, target)))
}

/// The asker's standing in the thread and the seq they read from (a group's members, from
/// their joining); the group's row is locked until commit, so a role cannot change under it.
async fn standing(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    thread_id: i64,
    by: i32,
) -> Result<Result<(Standing, i64), GestureRefusal>, StoreError> {
    let private = sqlx::query("SELECT user1_id, user2_id FROM private_chat WHERE thread_id = ?")
        .bind(thread_id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = private {
        let (one, two) = (int(&row, "user1_id")?, int(&row, "user2_id")?);
        return Ok(match (one == by, two == by) {
            (true, _) => Ok((Standing::Private { peer: two }, 0)),
            (_, true) => Ok((Standing::Private { peer: one }, 0)),
            _ => Err(GestureRefusal::NoSuchMessage),
        });
    }
    let Some(group) = lock_group(tx, thread_id, dialect).await? else {
        return Ok(Err(GestureRefusal::NoSuchMessage));
    };
    let Some(member) = group.member(by) else { return Ok(Err(GestureRefusal::NoSuchMessage)) };
    if group.row.disbanded {
        return Ok(Err(GestureRefusal::Disbanded));
    }
    Ok(Ok((Standing::Group { role: member.role }, member.joined_seq)))
}
