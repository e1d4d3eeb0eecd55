//! Friend requests and friendships (ended, blocked, remarked), including llfc's `AddFriend` transaction with its bugs
//! fixed (§10.13, §10.14): threads are keyed by (min, max) uid and remarks are real remarks.

use std::collections::HashSet;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::StoreError;
use crate::sql::chats::{NewMsg, SYNC_CHUNK, StoredMsg, insert_messages, page, private_thread_in};
use crate::sql::users::{USER_COLUMNS, int, user_from_row};
use crate::sql::{Db, Dialect, User, placeholders};

/// A friend request to a user, with the applicant's profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApplyRow {
    pub from: User,
    /// 0 pending, 1 accepted.
    pub status: i32,
    /// The greeting.
    pub descs: String,
}

/// A friend with this user's remark for them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FriendRow {
    pub friend: User,
    pub back: String,
}

/// What a chat login answers with: [`Db::login_view`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginView {
    pub user: User,
    pub applies: Vec<ApplyRow>,
    pub friends: Vec<FriendRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    Ok {
        thread_id: i64,
        messages: Vec<StoredMsg>,
    },
    /// No pending request from the applicant to the approver.
    NoPending,
}

/// The text the approver "sends" when a friendship starts (llfc's wording).
pub const FRIENDS_NOW_TEXT: &str = "We are friends now!";

/// One page of a list: each item with its cursor (pass the last one back as `after` or
/// `before` for the next page), and whether there may be more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<(i64, T)>,
    pub more: bool,
}

impl Db {
    /// Records (or refreshes the greeting and remark of) a request from `from` to `to`. A new
    /// applicant is refused (false) while `to` already has `max_pending` requests waiting (0:
    /// no cap), so strangers cannot bury a user's list. Checked, then written: concurrent
    /// applicants may pass it by a few, never by more than their number.
    pub async fn upsert_apply(
        &self,
        from: i32,
        to: i32,
        descs: &str,
        back_name: &str,
        max_pending: i64,
    ) -> Result<bool, StoreError> {
        if max_pending > 0 {
            let row = sqlx::query(
                "SELECT CAST(COUNT(*) AS SIGNED), CAST(COALESCE(SUM(CASE WHEN from_uid = ? THEN 1 ELSE 0 END), 0) AS SIGNED) \
                 FROM friend_apply WHERE to_uid = ? AND status = 0",
            )
            .bind(i64::from(from))
            .bind(i64::from(to))
            .fetch_one(&self.pool)
            .await?;
            let (pending, mine): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            if mine == 0 && pending >= max_pending {
                return Ok(false);
            }
        }
        let sql = match self.dialect {
            Dialect::MySql => {
                "INSERT INTO friend_apply (from_uid, to_uid, descs, back_name) VALUES (?, ?, ?, ?) \
                 ON DUPLICATE KEY UPDATE descs = VALUES(descs), back_name = VALUES(back_name)"
            }
            Dialect::Sqlite => {
                "INSERT INTO friend_apply (from_uid, to_uid, descs, back_name) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (from_uid, to_uid) DO UPDATE SET descs = excluded.descs, back_name = excluded.back_name"
            }
        };
        sqlx::query(sql)
            .bind(i64::from(from))
            .bind(i64::from(to))
            .bind(descs)
            .bind(back_name)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// `to` declines `from`'s pending request: it is gone (false: there was none).
    pub async fn decline_apply(&self, from: i32, to: i32) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM friend_apply WHERE from_uid = ? AND to_uid = ? AND status = 0")
            .bind(i64::from(from))
            .bind(i64::from(to))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// `uid`'s friends after cursor `after` (0: from the first), at most `limit`, in the order
    /// they became friends (the login reply's).
    pub async fn friend_page(&self, uid: i32, after: i64, limit: i64) -> Result<Page<FriendRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT f.id AS cursor_id, f.back, {} FROM friend f JOIN user u ON u.uid = f.friend_id \
             WHERE f.self_id = ? AND f.id > ? ORDER BY f.id LIMIT ?",
            prefixed("u", USER_COLUMNS)
        ));
        let limit = limit.max(1);
        let rows = sqlx::query(sql).bind(i64::from(uid)).bind(after).bind(limit + 1).fetch_all(&self.pool).await?;
        page_of(rows, limit, |row| Ok(FriendRow { friend: user_from_row(row)?, back: row.try_get("back")? }))
    }

    /// Requests to `to` before cursor `before` (0: from the newest), newest first, at most
    /// `limit`.
    pub async fn apply_page(&self, to: i32, before: i64, limit: i64) -> Result<Page<ApplyRow>, StoreError> {
        let before = if before <= 0 { i64::MAX } else { before };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT a.id AS cursor_id, a.status, a.descs, {} FROM friend_apply a JOIN user u ON u.uid = a.from_uid \
             WHERE a.to_uid = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?",
            prefixed("u", USER_COLUMNS)
        ));
        let limit = limit.max(1);
        let rows = sqlx::query(sql).bind(i64::from(to)).bind(before).bind(limit + 1).fetch_all(&self.pool).await?;
        page_of(rows, limit, |row| {
            Ok(ApplyRow { from: user_from_row(row)?, status: int(row, "status")?, descs: row.try_get("descs")? })
        })
    }

    /// Requests to `to`, newest first.
    pub async fn apply_list(&self, to: i32, limit: i64) -> Result<Vec<ApplyRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT a.status, a.descs, {} FROM friend_apply a JOIN user u ON u.uid = a.from_uid \
             WHERE a.to_uid = ? ORDER BY a.id DESC LIMIT ?",
            prefixed("u", USER_COLUMNS)
        ));
        let rows = sqlx::query(sql).bind(i64::from(to)).bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(ApplyRow { from: user_from_row(row)?, status: int(row, "status")?, descs: row.try_get("descs")? })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Everything a chat login sends back, in one statement (a login storm is bound by the
    /// database's cost per statement): the user, up to `applies` friend requests to them
    /// (newest first: old ones cannot crowd out new ones) and their friends. `None` for an unknown uid.
    pub async fn login_view(&self, uid: i32, applies: i64) -> Result<Option<LoginView>, StoreError> {
        let user = prefixed("u", USER_COLUMNS);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT 0 AS part, 0 AS ord, 0 AS status, '' AS note, {user} FROM user u WHERE u.uid = ? \
             UNION ALL SELECT * FROM (SELECT 1 AS part, -a.id AS ord, a.status AS status, a.descs AS note, {user} \
               FROM friend_apply a JOIN user u ON u.uid = a.from_uid WHERE a.to_uid = ? ORDER BY a.id DESC LIMIT ?) ap \
             UNION ALL SELECT 2 AS part, f.id AS ord, 0 AS status, f.back AS note, {user} \
               FROM friend f JOIN user u ON u.uid = f.friend_id WHERE f.self_id = ? \
             ORDER BY part, ord"
        ));
        let uid = i64::from(uid);
        let rows = sqlx::query(sql).bind(uid).bind(uid).bind(applies).bind(uid).fetch_all(&self.pool).await?;
        let mut view: Option<LoginView> = None;
        for row in &rows {
            let part: i64 = row.try_get("part")?;
            let (other, note): (User, String) = (user_from_row(row)?, row.try_get("note")?);
            match (part, view.as_mut()) {
                (0, _) => view = Some(LoginView { user: other, applies: Vec::new(), friends: Vec::new() }),
                (1, Some(view)) => {
                    view.applies.push(ApplyRow { from: other, status: int(row, "status")?, descs: note })
                }
                (2, Some(view)) => view.friends.push(FriendRow { friend: other, back: note }),
                _ => {}
            }
        }
        Ok(view)
    }

    /// `uid`'s friends, in one query (llfc ran one query per friend).
    pub async fn friend_list(&self, uid: i32) -> Result<Vec<FriendRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT f.back, {} FROM friend f JOIN user u ON u.uid = f.friend_id WHERE f.self_id = ? ORDER BY f.id",
            prefixed("u", USER_COLUMNS)
        ));
        let rows = sqlx::query(sql).bind(i64::from(uid)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| Ok(FriendRow { friend: user_from_row(row)?, back: row.try_get("back")? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Ends the friendship of `a` and `b`, both ways; their thread stays readable. Their
    /// requests to each other go too, so either may ask again. True when they were friends.
    pub async fn unfriend(&self, a: i32, b: i32) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let ended = unfriend_in(&mut tx, a, b).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// `by` blocks `who` (`blocked`), or unblocks them. A block ends their friendship and
    /// their requests to each other; unblocking restores neither.
    pub async fn block(&self, by: i32, who: i32, blocked: bool, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if blocked {
            unfriend_in(&mut tx, by, who).await?;
            let insert = match self.dialect {
                Dialect::MySql => "INSERT IGNORE INTO user_block (user_id, blocked_id, created_at) VALUES (?, ?, ?)",
                Dialect::Sqlite => {
                    "INSERT OR IGNORE INTO user_block (user_id, blocked_id, created_at) VALUES (?, ?, ?)"
                }
            };
            sqlx::query(insert).bind(i64::from(by)).bind(i64::from(who)).bind(now_ms).execute(&mut *tx).await?;
        } else {
            sqlx::query("DELETE FROM user_block WHERE user_id = ? AND blocked_id = ?")
                .bind(i64::from(by))
                .bind(i64::from(who))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Which of `uids` blocked `sender` (one query a chunk; none for an empty list).
    pub async fn blocked_by(&self, sender: i32, uids: &[i32]) -> Result<HashSet<i32>, StoreError> {
        self.uids_among("SELECT user_id AS uid FROM user_block WHERE blocked_id = ? AND user_id", sender, uids).await
    }

    /// The uids of `uids` that `select` (a query of one `uid` column, its one placeholder
    /// `of`, ending where ` IN (…)` goes) finds, in chunks.
    async fn uids_among(&self, select: &'static str, of: i32, uids: &[i32]) -> Result<HashSet<i32>, StoreError> {
        let mut found = HashSet::new();
        for chunk in uids.chunks(SYNC_CHUNK) {
            let sql = format!("{select} IN ({})", placeholders(chunk.len(), "?"));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(of));
            for uid in chunk {
                query = query.bind(i64::from(*uid));
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(int(&row, "uid")?);
            }
        }
        Ok(found)
    }

    /// Whom `uid` blocked.
    pub async fn blocked_list(&self, uid: i32) -> Result<Vec<i32>, StoreError> {
        let rows = sqlx::query("SELECT blocked_id FROM user_block WHERE user_id = ? ORDER BY created_at, blocked_id")
            .bind(i64::from(uid))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| int(row, "blocked_id").map_err(StoreError::from)).collect()
    }

    /// `uid`'s remark (备注) for friend `friend`; false when they are not friends.
    pub async fn set_remark(&self, uid: i32, friend: i32, remark: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE friend SET back = ? WHERE self_id = ? AND friend_id = ?")
            .bind(remark.to_owned())
            .bind(i64::from(uid))
            .bind(i64::from(friend))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        // The same remark again changes no row on MySQL: still a friend?
        self.is_friend(uid, friend).await
    }

    /// Which of `uids` are friends of `uid`.
    pub async fn friends_among(&self, uid: i32, uids: &[i32]) -> Result<HashSet<i32>, StoreError> {
        self.uids_among("SELECT friend_id AS uid FROM friend WHERE self_id = ? AND friend_id", uid, uids).await
    }

    pub async fn is_friend(&self, uid: i32, other: i32) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM friend WHERE self_id = ? AND friend_id = ?")
            .bind(i64::from(uid))
            .bind(i64::from(other))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// `approver` accepts `applicant`'s pending request: both friend rows, the private thread
    /// and the opening messages (greeting, then [`FRIENDS_NOW_TEXT`]) in one transaction.
    pub async fn accept_friend(
        &self,
        approver: i32,
        applicant: i32,
        back: &str,
        now_ms: i64,
    ) -> Result<Accepted, StoreError> {
        let mut tx = self.begin().await?;
        let updated =
            sqlx::query("UPDATE friend_apply SET status = 1 WHERE from_uid = ? AND to_uid = ? AND status = 0")
                .bind(i64::from(applicant))
                .bind(i64::from(approver))
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() != 1 {
            return Ok(Accepted::NoPending);
        }
        let row = sqlx::query("SELECT back_name, descs FROM friend_apply WHERE from_uid = ? AND to_uid = ?")
            .bind(i64::from(applicant))
            .bind(i64::from(approver))
            .fetch_one(&mut *tx)
            .await?;
        let applicant_back: String = row.try_get("back_name")?;
        let greeting: String = row.try_get("descs")?;

        let insert_friend = match self.dialect {
            Dialect::MySql => "INSERT IGNORE INTO friend (self_id, friend_id, back) VALUES (?, ?, ?)",
            Dialect::Sqlite => "INSERT OR IGNORE INTO friend (self_id, friend_id, back) VALUES (?, ?, ?)",
        };
        // Ascending uid order, so two concurrent accepts lock rows in the same order.
        let mut rows = [(approver, applicant, back), (applicant, approver, applicant_back.as_str())];
        rows.sort_by_key(|(self_id, _, _)| *self_id);
        for (self_id, friend_id, remark) in rows {
            sqlx::query(insert_friend)
                .bind(i64::from(self_id))
                .bind(i64::from(friend_id))
                .bind(remark)
                .execute(&mut *tx)
                .await?;
        }

        let thread_id = private_thread_in(&mut tx, approver, applicant, now_ms).await?;
        let mut opening = Vec::new();
        if !greeting.is_empty() {
            opening.push(NewMsg::text(thread_id, applicant, approver, "", &greeting, now_ms));
        }
        opening.push(NewMsg::text(thread_id, approver, applicant, "", FRIENDS_NOW_TEXT, now_ms));
        let messages = insert_messages(&mut tx, &opening, self.dialect).await?;
        tx.commit().await?;
        Ok(Accepted::Ok { thread_id, messages })
    }
}

/// Ends the friendship of `a` and `b` and their requests to each other, inside `tx`.
async fn unfriend_in(tx: &mut Transaction<'static, Any>, a: i32, b: i32) -> Result<bool, StoreError> {
    let ended =
        sqlx::query("DELETE FROM friend WHERE (self_id = ? AND friend_id = ?) OR (self_id = ? AND friend_id = ?)")
            .bind(i64::from(a))
            .bind(i64::from(b))
            .bind(i64::from(b))
            .bind(i64::from(a))
            .execute(&mut **tx)
            .await?;
    sqlx::query("DELETE FROM friend_apply WHERE (from_uid = ? AND to_uid = ?) OR (from_uid = ? AND to_uid = ?)")
        .bind(i64::from(a))
        .bind(i64::from(b))
        .bind(i64::from(b))
        .bind(i64::from(a))
        .execute(&mut **tx)
        .await?;
    Ok(ended.rows_affected() > 0)
}

/// A page from rows asked for `limit + 1` (the extra one says there is more), each item with
/// its `cursor_id`.
fn page_of<T>(
    rows: Vec<AnyRow>,
    limit: i64,
    item: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
) -> Result<Page<T>, StoreError> {
    let (rows, more) = page(rows, limit);
    let items =
        rows.iter().map(|row| Ok((row.try_get("cursor_id")?, item(row)?))).collect::<Result<_, sqlx::Error>>()?;
    Ok(Page { items, more })
}

/// `a, b` → `u.a, u.b` (with backticks kept).
fn prefixed(alias: &str, columns: &str) -> String {
    columns.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}
