//! Gestures on sent messages: recall (撤回). The recalled message keeps its place (`seq`) but
//! loses its text, and a recall notice takes the thread's next `seq`, in one transaction, so a
//! reader who syncs later meets the notice in order and finds the message already blank.

use sqlx::{Any, Transaction};

use crate::Role;
use crate::StoreError;
use crate::sql::chats::{MSG_COLUMNS, MSG_TYPE_SYSTEM, NewMsg, StoredMsg, insert_messages, msg_from_row};
use crate::sql::files::{FileRow, drop_file_in, file_of_message_in};
use crate::sql::groups::lock_group;
use crate::sql::users::int;
use crate::sql::{Db, Dialect};

/// `msg_type` of a recall notice: its content is `{"seq": N, "by": uid}`.
pub const MSG_TYPE_RECALL: i32 = 11;
/// `status` of a recalled message: its content is empty.
pub const MSG_STATUS_RECALLED: i32 = 4;

/// Why a recall was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecallRefusal {
    /// No such message the asker may read (or one that cannot be recalled: a system message,
    /// a recall notice).
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
    ) -> Result<Result<Recalled, RecallRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        let done = self.recall_in(&mut tx, thread_id, seq, by, window_ms, now_ms).await?;
        match &done {
            Ok(Recalled { notice: Some(_), .. }) => tx.commit().await?,
            _ => tx.rollback().await?,
        }
        Ok(done)
    }

    async fn recall_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        thread_id: i64,
        seq: i64,
        by: i32,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Result<Recalled, RecallRefusal>, StoreError> {
        let (standing, floor) = match standing(tx, self.dialect, thread_id, by).await? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let lock = if self.dialect == Dialect::MySql { " FOR UPDATE" } else { "" };
        let sql = format!("SELECT {MSG_COLUMNS} FROM chat_message WHERE thread_id = ? AND seq = ?{lock}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(thread_id).bind(seq).fetch_optional(&mut **tx).await?;
        let Some(mut target) = row.as_ref().map(msg_from_row).transpose()? else {
            return Ok(Err(RecallRefusal::NoSuchMessage));
        };
        if seq <= floor || target.msg_type == MSG_TYPE_SYSTEM || target.msg_type == MSG_TYPE_RECALL {
            return Ok(Err(RecallRefusal::NoSuchMessage));
        }
        if target.status == MSG_STATUS_RECALLED {
            return Ok(Ok(Recalled { target, notice: None, file: None }));
        }
        let own = target.sender == by;
        let admin = matches!(standing, Standing::Group { role } if role >= Role::Admin);
        let in_time = own && now_ms - target.created_at <= window_ms;
        if !(admin || in_time) {
            return Ok(Err(if own { RecallRefusal::TooLate } else { RecallRefusal::NotYours }));
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
        let receiver = match standing {
            Standing::Private { peer } => peer,
            Standing::Group { .. } => 0,
        };
        let content = format!(r#"{{"seq":{seq},"by":{by}}}"#);
        let notice =
            NewMsg { msg_type: MSG_TYPE_RECALL, ..NewMsg::text(thread_id, by, receiver, "", &content, now_ms) };
        let notice = insert_messages(tx, &[notice], self.dialect).await?.pop();
        (target.content, target.status) = (String::new(), MSG_STATUS_RECALLED);
        target.mentions.clear();
        Ok(Ok(Recalled { target, notice, file }))
    }
}

/// The asker's standing in the thread and the seq they read from (a group's members, from
/// their joining); the group's row is locked until commit, so a role cannot change under it.
async fn standing(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    thread_id: i64,
    by: i32,
) -> Result<Result<(Standing, i64), RecallRefusal>, StoreError> {
    let private = sqlx::query("SELECT user1_id, user2_id FROM private_chat WHERE thread_id = ?")
        .bind(thread_id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = private {
        let (one, two) = (int(&row, "user1_id")?, int(&row, "user2_id")?);
        return Ok(match (one == by, two == by) {
            (true, _) => Ok((Standing::Private { peer: two }, 0)),
            (_, true) => Ok((Standing::Private { peer: one }, 0)),
            _ => Err(RecallRefusal::NoSuchMessage),
        });
    }
    let Some(group) = lock_group(tx, thread_id, dialect).await? else {
        return Ok(Err(RecallRefusal::NoSuchMessage));
    };
    let Some(member) = group.member(by) else { return Ok(Err(RecallRefusal::NoSuchMessage)) };
    if group.row.disbanded {
        return Ok(Err(RecallRefusal::Disbanded));
    }
    Ok(Ok((Standing::Group { role: member.role }, member.joined_seq)))
}
