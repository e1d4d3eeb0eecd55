//! Files of the resource server: what each unique name is (an avatar or a chat file), whose it
//! is, its size, checksums and type, and whether all of it is there. The bytes live in the
//! resource server's storage under `storage_key`, a name the server chose; this table is how a
//! request's name becomes that key, and who may read it. Refusals are values ([`FileRefusal`]).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;
use crate::sql::chats::{MSG_COLUMNS, NewMsg, StoredMsg, insert_messages, msg_from_row};
use crate::sql::users::int;
use crate::sql::{Db, Dialect, is_unique_violation};

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A user's picture: readable by any logged-in user.
    Avatar,
    /// A picture or file sent in a thread: readable by whoever may read its message.
    Chat,
}

impl FileKind {
    fn code(self) -> i64 {
        match self {
            FileKind::Avatar => 1,
            FileKind::Chat => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Avatar => "avatar",
            FileKind::Chat => "chat",
        }
    }
}

/// One file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub name: String,
    pub storage_key: String,
    pub owner: i32,
    pub kind: FileKind,
    pub message_id: i64,
    pub thread_id: i64,
    pub msg_type: i32,
    /// -1 until the upload announces it.
    pub size: i64,
    pub md5: String,
    pub sha256: String,
    pub mime: String,
    pub label: String,
    pub thumb_size: i64,
    pub complete: bool,
    pub created_at: i64,
    pub completed_at: i64,
}

/// A file to reserve before its bytes arrive.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub name: &'a str,
    pub storage_key: &'a str,
    pub owner: i32,
    pub md5: &'a str,
    /// -1 when not known yet.
    pub size: i64,
    pub label: &'a str,
    pub now_ms: i64,
}

/// The caps a reservation is checked against.
#[derive(Debug, Clone, Copy)]
pub struct FileCaps {
    /// Largest file.
    pub max_bytes: i64,
    /// Most bytes one user may hold (their files, complete or coming, summed).
    pub quota_bytes: i64,
}

/// Why a file was not reserved or sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    /// Another file (or another user's) has this name.
    NameTaken,
    TooLarge,
    QuotaExceeded,
    /// A size that disagrees with the one announced before.
    SizeMismatch,
}

/// A completed upload.
#[derive(Debug, Clone)]
pub struct Completed {
    pub file: FileRow,
    /// The file's message, for a chat file (its status now read, 2).
    pub message: Option<StoredMsg>,
    /// The owner's earlier avatars, dropped from the table: their bytes are the caller's to
    /// delete.
    pub replaced: Vec<FileRow>,
}

/// Storage a user holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub uid: i32,
    pub files: i64,
    pub bytes: i64,
}

const FILE_COLUMNS: &str = "name, storage_key, owner_id, kind, message_id, thread_id, msg_type, size, md5, sha256, \
                            mime, label, thumb_size, complete, created_at, completed_at";

fn file_from_row(row: &AnyRow) -> Result<FileRow, sqlx::Error> {
    Ok(FileRow {
        name: row.try_get("name")?,
        storage_key: row.try_get("storage_key")?,
        owner: int(row, "owner_id")?,
        kind: if row.try_get::<i64, _>("kind")? == 1 { FileKind::Avatar } else { FileKind::Chat },
        message_id: row.try_get("message_id")?,
        thread_id: row.try_get("thread_id")?,
        msg_type: int(row, "msg_type")?,
        size: row.try_get("size")?,
        md5: row.try_get("md5")?,
        sha256: row.try_get("sha256")?,
        mime: row.try_get("mime")?,
        label: row.try_get("label")?,
        thumb_size: row.try_get("thumb_size")?,
        complete: row.try_get::<i64, _>("complete")? != 0,
        created_at: row.try_get("created_at")?,
        completed_at: row.try_get("completed_at")?,
    })
}

/// Whether `owner` may hold `size` more bytes, counting every file of theirs but `except`.
/// On MySQL the owner's row is locked first, so parallel reservations of one user take turns,
/// and the sum is a locking read: it sees what the turns before committed, not the snapshot
/// the transaction's first read took (REPEATABLE READ), so they cannot all pass on the same
/// sum. SQLite's `BEGIN IMMEDIATE` already serializes them.
async fn within_quota(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    owner: i32,
    size: i64,
    except: &str,
    caps: FileCaps,
) -> Result<Result<(), FileRefusal>, StoreError> {
    if size > caps.max_bytes {
        return Ok(Err(FileRefusal::TooLarge));
    }
    if size <= 0 {
        return Ok(Ok(()));
    }
    if dialect == Dialect::MySql {
        sqlx::query("SELECT uid FROM user WHERE uid = ? FOR UPDATE")
            .bind(i64::from(owner))
            .fetch_optional(&mut *conn)
            .await?;
    }
    let sum = "SELECT CAST(COALESCE(SUM(CASE WHEN size > 0 THEN size ELSE 0 END), 0) AS SIGNED) \
               FROM chat_file WHERE owner_id = ? AND name <> ?";
    let sql = match dialect {
        Dialect::MySql => format!("{sum} FOR UPDATE"),
        Dialect::Sqlite => sum.to_owned(),
    };
    let held: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(owner))
        .bind(except.to_owned())
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(if held.saturating_add(size) > caps.quota_bytes { Err(FileRefusal::QuotaExceeded) } else { Ok(()) })
}

/// Inserts `file`'s row (of a chat file, its message's (id, thread, msg_type)); false when
/// the name was taken meanwhile.
async fn insert_file(
    conn: &mut sqlx::AnyConnection,
    file: &NewFile<'_>,
    kind: FileKind,
    (message_id, thread_id, msg_type): (i64, i64, i32),
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO chat_file (name, storage_key, owner_id, kind, message_id, thread_id, msg_type, size, md5, label, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(file.name.to_owned())
    .bind(file.storage_key.to_owned())
    .bind(i64::from(file.owner))
    .bind(kind.code())
    .bind(message_id)
    .bind(thread_id)
    .bind(i64::from(msg_type))
    .bind(file.size)
    .bind(file.md5.to_owned())
    .bind(file.label.to_owned())
    .bind(file.now_ms)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Retires `names` for good: no reservation may take them again (review 3, N6).
async fn retire(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    names: &[&str],
    now_ms: i64,
) -> Result<(), StoreError> {
    let insert = match dialect {
        Dialect::MySql => "INSERT IGNORE INTO retired_file (name, retired_at) VALUES (?, ?)",
        Dialect::Sqlite => "INSERT OR IGNORE INTO retired_file (name, retired_at) VALUES (?, ?)",
    };
    for name in names {
        sqlx::query(insert).bind((*name).to_owned()).bind(now_ms).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The file of a picture or file message, on `conn`.
pub(super) async fn file_of_message_in(
    conn: &mut sqlx::AnyConnection,
    message_id: i64,
) -> Result<Option<FileRow>, StoreError> {
    let sql = format!("SELECT {FILE_COLUMNS} FROM chat_file WHERE message_id = ? AND kind = 2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(message_id).fetch_optional(&mut *conn).await?;
    Ok(row.as_ref().map(file_from_row).transpose()?)
}

/// Drops `file`'s row and retires its name, inside the caller's transaction; `trash` puts its
/// storage key in the trash (for a resource server's sweep) unless another file shares its
/// bytes (a forward). An avatar that is its owner's `icon` leaves them with none.
pub(super) async fn drop_file_in(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    file: &FileRow,
    now_ms: i64,
    trash: bool,
) -> Result<(), StoreError> {
    let name = file.name.as_str();
    sqlx::query("DELETE FROM chat_file WHERE name = ?").bind(name.to_owned()).execute(&mut *conn).await?;
    retire(&mut *conn, dialect, &[name], now_ms).await?;
    if trash && !shares_bytes(&mut *conn, dialect, &file.storage_key).await? {
        let insert = match dialect {
            Dialect::MySql => "INSERT IGNORE INTO file_trash (storage_key, name, deleted_at) VALUES (?, ?, ?)",
            Dialect::Sqlite => "INSERT OR IGNORE INTO file_trash (storage_key, name, deleted_at) VALUES (?, ?, ?)",
        };
        sqlx::query(insert)
            .bind(file.storage_key.clone())
            .bind(name.to_owned())
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
    }
    if file.kind == FileKind::Avatar {
        sqlx::query("UPDATE user SET icon = '' WHERE uid = ? AND icon = ?")
            .bind(i64::from(file.owner))
            .bind(name.to_owned())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether a file's row holds `storage_key`. A locking read on MySQL: a forward committed
/// meanwhile is seen, not the transaction's first snapshot.
async fn shares_bytes(conn: &mut sqlx::AnyConnection, dialect: Dialect, storage_key: &str) -> Result<bool, StoreError> {
    let lock = if dialect == Dialect::MySql { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT name FROM chat_file WHERE storage_key = ? LIMIT 1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(storage_key.to_owned()).fetch_optional(&mut *conn).await?;
    Ok(row.is_some())
}

/// Whether `name` was used once and retired.
async fn retired(conn: &mut sqlx::AnyConnection, name: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM retired_file WHERE name = ?")
        .bind(name.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

impl Db {
    /// Stores a picture or file message (`msg`, its status "not uploaded") and reserves its
    /// file, in one transaction. A resend of the same message (same sender and unique id)
    /// returns what the first one stored.
    pub async fn reserve_chat_file(
        &self,
        msg: &NewMsg,
        file: &NewFile<'_>,
        caps: FileCaps,
    ) -> Result<Result<(StoredMsg, FileRow), FileRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        if let Some(existing) = self.file_in(&mut tx, file.name).await? {
            tx.rollback().await?;
            if existing.kind == FileKind::Chat
                && existing.owner == file.owner
                && !msg.unique_id.is_empty()
                && let Some(message) = self.message(existing.message_id).await?
                && message.unique_id == msg.unique_id
            {
                return Ok(Ok((message, existing)));
            }
            return Ok(Err(FileRefusal::NameTaken));
        }
        if retired(&mut tx, file.name).await? {
            tx.rollback().await?;
            return Ok(Err(FileRefusal::NameTaken));
        }
        if let Err(refusal) = within_quota(&mut tx, self.dialect, file.owner, file.size, file.name, caps).await? {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
        let stored = insert_messages(&mut tx, std::slice::from_ref(msg), self.dialect)
            .await?
            .pop()
            .ok_or(StoreError::NotFound("message"))?;
        if stored.content != msg.content || stored.thread_id != msg.thread_id {
            // The unique id names an earlier message of this sender, not this file.
            tx.rollback().await?;
            return Ok(Err(FileRefusal::NameTaken));
        }
        let message = (stored.message_id, stored.thread_id, msg.msg_type);
        if !insert_file(&mut tx, file, FileKind::Chat, message).await? {
            tx.rollback().await?;
            return Ok(Err(FileRefusal::NameTaken));
        }
        let row = self.file_in(&mut tx, file.name).await?.ok_or(StoreError::NotFound("file"))?;
        tx.commit().await?;
        Ok(Ok((stored, row)))
    }

    /// Stores `msg`, a forwarded copy of the picture or file named `source`, with a complete
    /// file row of its own, `name`, sharing the source's bytes (nothing is uploaded again), in
    /// one transaction. `None` when the source is gone or not complete, or the name or unique
    /// id is taken by something else. A resend (same sender and unique id, same thread) returns
    /// what the first one stored.
    pub async fn forward_file(
        &self,
        msg: &NewMsg,
        source: &str,
        name: &str,
    ) -> Result<Option<(StoredMsg, FileRow)>, StoreError> {
        let mut tx = self.begin().await?;
        let lock = if self.dialect == Dialect::MySql { " FOR UPDATE" } else { "" };
        // Locked: a recall of the source waits for this forward, then sees its row share the bytes.
        let sql = format!("SELECT {FILE_COLUMNS} FROM chat_file WHERE name = ?{lock}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(source.to_owned()).fetch_optional(&mut *tx).await?;
        let source = row.as_ref().map(file_from_row).transpose()?;
        let Some(source) = source.filter(|f| f.complete && f.kind == FileKind::Chat) else {
            tx.rollback().await?;
            return Ok(None);
        };
        let stored = insert_messages(&mut tx, std::slice::from_ref(msg), self.dialect)
            .await?
            .pop()
            .ok_or(StoreError::NotFound("message"))?;
        if stored.thread_id != msg.thread_id || stored.msg_type != msg.msg_type {
            tx.rollback().await?;
            return Ok(None);
        }
        if stored.content != msg.content {
            // A resend: the first one's file.
            tx.rollback().await?;
            return Ok(self.file_of_message(stored.message_id).await?.map(|file| (stored, file)));
        }
        let file = NewFile {
            name,
            storage_key: &source.storage_key,
            owner: msg.sender,
            md5: &source.md5,
            size: source.size,
            label: &source.label,
            now_ms: msg.created_at,
        };
        if retired(&mut tx, name).await?
            || !insert_file(&mut tx, &file, FileKind::Chat, (stored.message_id, stored.thread_id, msg.msg_type)).await?
        {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query(
            "UPDATE chat_file SET sha256 = ?, mime = ?, thumb_size = ?, complete = 1, completed_at = ? WHERE name = ?",
        )
        .bind(source.sha256.clone())
        .bind(source.mime.clone())
        .bind(source.thumb_size)
        .bind(msg.created_at)
        .bind(name.to_owned())
        .execute(&mut *tx)
        .await?;
        let row = self.file_in(&mut tx, name).await?.ok_or(StoreError::NotFound("file"))?;
        tx.commit().await?;
        Ok(Some((stored, row)))
    }

    /// Reserves an avatar upload. The same owner may start one over under the same name until
    /// it is complete.
    pub async fn reserve_avatar(
        &self,
        file: &NewFile<'_>,
        caps: FileCaps,
    ) -> Result<Result<FileRow, FileRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        if let Some(existing) = self.file_in(&mut tx, file.name).await? {
            tx.rollback().await?;
            let same = existing.kind == FileKind::Avatar && existing.owner == file.owner && !existing.complete;
            return Ok(if same { Ok(existing) } else { Err(FileRefusal::NameTaken) });
        }
        if retired(&mut tx, file.name).await? {
            tx.rollback().await?;
            return Ok(Err(FileRefusal::NameTaken));
        }
        if let Err(refusal) = within_quota(&mut tx, self.dialect, file.owner, file.size, file.name, caps).await? {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
        if !insert_file(&mut tx, file, FileKind::Avatar, (0, 0, 0)).await? {
            tx.rollback().await?;
            return Ok(Err(FileRefusal::NameTaken));
        }
        let row = self.file_in(&mut tx, file.name).await?.ok_or(StoreError::NotFound("file"))?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    /// Sets an incomplete file's size (and md5, when the reservation had none) from its first
    /// chunk, checked against the caps; the same size again is a no-op, another is refused.
    pub async fn size_file(
        &self,
        name: &str,
        size: i64,
        md5: &str,
        caps: FileCaps,
    ) -> Result<Result<FileRow, FileRefusal>, StoreError> {
        let mut tx = self.begin().await?;
        let file = self.file_in(&mut tx, name).await?.ok_or(StoreError::NotFound("file"))?;
        if file.size == size && (file.md5 == md5 || md5.is_empty()) {
            tx.rollback().await?;
            return Ok(Ok(file));
        }
        if file.size >= 0 && file.size != size
            || file.complete
            || (!file.md5.is_empty() && !md5.is_empty() && file.md5 != md5)
        {
            tx.rollback().await?;
            return Ok(Err(FileRefusal::SizeMismatch));
        }
        if let Err(refusal) = within_quota(&mut tx, self.dialect, file.owner, size, name, caps).await? {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
        let md5 = if file.md5.is_empty() { md5.to_owned() } else { file.md5.clone() };
        sqlx::query("UPDATE chat_file SET size = ?, md5 = ? WHERE name = ?")
            .bind(size)
            .bind(md5)
            .bind(name.to_owned())
            .execute(&mut *tx)
            .await?;
        let row = self.file_in(&mut tx, name).await?.ok_or(StoreError::NotFound("file"))?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    /// Marks a file complete with what was learnt from its bytes; a chat file's message
    /// becomes read (status 2), an avatar becomes its owner's `icon` and replaces their
    /// earlier ones. `None` when the file is gone (deleted meanwhile).
    pub async fn complete_file(
        &self,
        name: &str,
        sha256: &str,
        mime: &str,
        thumb_size: i64,
        now_ms: i64,
    ) -> Result<Option<Completed>, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE chat_file SET complete = 1, sha256 = ?, mime = ?, thumb_size = ?, completed_at = ? WHERE name = ?",
        )
        .bind(sha256.to_owned())
        .bind(mime.to_owned())
        .bind(thumb_size)
        .bind(now_ms)
        .bind(name.to_owned())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let file = self.file_in(&mut tx, name).await?.ok_or(StoreError::NotFound("file"))?;
        let (mut message, mut replaced) = (None, Vec::new());
        match file.kind {
            FileKind::Chat => {
                sqlx::query("UPDATE chat_message SET status = 2 WHERE message_id = ?")
                    .bind(file.message_id)
                    .execute(&mut *tx)
                    .await?;
                let sql = format!("SELECT {MSG_COLUMNS} FROM chat_message WHERE message_id = ?");
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(file.message_id).fetch_optional(&mut *tx).await?;
                message = row.as_ref().map(msg_from_row).transpose()?;
            }
            FileKind::Avatar => {
                sqlx::query("UPDATE user SET icon = ? WHERE uid = ?")
                    .bind(name.to_owned())
                    .bind(i64::from(file.owner))
                    .execute(&mut *tx)
                    .await?;
                let sql = format!(
                    "SELECT {FILE_COLUMNS} FROM chat_file WHERE owner_id = ? AND kind = 1 AND complete = 1 AND name <> ?"
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(i64::from(file.owner))
                    .bind(name.to_owned())
                    .fetch_all(&mut *tx)
                    .await?;
                replaced = rows.iter().map(file_from_row).collect::<Result<Vec<FileRow>, _>>()?;
                let names: Vec<&str> = replaced.iter().map(|old| old.name.as_str()).collect();
                retire(&mut tx, self.dialect, &names, now_ms).await?;
                sqlx::query("DELETE FROM chat_file WHERE owner_id = ? AND kind = 1 AND complete = 1 AND name <> ?")
                    .bind(i64::from(file.owner))
                    .bind(name.to_owned())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(Completed { file, message, replaced }))
    }

    /// A file by its unique name.
    pub async fn file(&self, name: &str) -> Result<Option<FileRow>, StoreError> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM chat_file WHERE name = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name.to_owned()).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(file_from_row).transpose()?)
    }

    /// The file of a picture or file message.
    pub async fn file_of_message(&self, message_id: i64) -> Result<Option<FileRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        file_of_message_in(&mut conn, message_id).await
    }

    async fn file_in(&self, conn: &mut sqlx::AnyConnection, name: &str) -> Result<Option<FileRow>, StoreError> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM chat_file WHERE name = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name.to_owned()).fetch_optional(&mut *conn).await?;
        Ok(row.as_ref().map(file_from_row).transpose()?)
    }

    /// One message by id.
    pub async fn message(&self, message_id: i64) -> Result<Option<StoredMsg>, StoreError> {
        let sql = format!("SELECT {MSG_COLUMNS} FROM chat_message WHERE message_id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(message_id).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(msg_from_row).transpose()?)
    }

    /// Whether `uid` may read `file`: any avatar; a chat file if they may read its message
    /// (a member of its private thread, or of its group since before the message).
    pub async fn may_read_file(&self, file: &FileRow, uid: i32) -> Result<bool, StoreError> {
        if file.kind == FileKind::Avatar || file.owner == uid {
            return Ok(true);
        }
        let row = sqlx::query(
            "SELECT 1 FROM private_chat WHERE thread_id = ? AND (user1_id = ? OR user2_id = ?) \
             UNION ALL \
             SELECT 1 FROM group_chat_member g JOIN chat_message m ON m.thread_id = g.thread_id \
             WHERE g.thread_id = ? AND g.user_id = ? AND m.message_id = ? AND m.seq > g.joined_seq",
        )
        .bind(file.thread_id)
        .bind(i64::from(uid))
        .bind(i64::from(uid))
        .bind(file.thread_id)
        .bind(i64::from(uid))
        .bind(file.message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// What one user holds.
    pub async fn usage(&self, uid: i32) -> Result<Usage, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) AS SIGNED), CAST(COALESCE(SUM(CASE WHEN size > 0 THEN size ELSE 0 END), 0) AS SIGNED) \
             FROM chat_file WHERE owner_id = ?",
        )
        .bind(i64::from(uid))
        .fetch_one(&self.pool)
        .await?;
        Ok(Usage { uid, files: row.try_get(0)?, bytes: row.try_get(1)? })
    }

    /// The `limit` users holding the most bytes, most first.
    pub async fn top_usage(&self, limit: i64) -> Result<Vec<Usage>, StoreError> {
        let rows = sqlx::query(
            "SELECT owner_id, CAST(COUNT(*) AS SIGNED) AS files, \
             CAST(COALESCE(SUM(CASE WHEN size > 0 THEN size ELSE 0 END), 0) AS SIGNED) AS bytes \
             FROM chat_file GROUP BY owner_id ORDER BY bytes DESC, owner_id LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Usage { uid: int(row, "owner_id")?, files: row.try_get("files")?, bytes: row.try_get("bytes")? })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// A user's files, newest first, at most `limit`.
    pub async fn user_files(&self, uid: i32, limit: i64) -> Result<Vec<FileRow>, StoreError> {
        let sql =
            format!("SELECT {FILE_COLUMNS} FROM chat_file WHERE owner_id = ? ORDER BY created_at DESC, name LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(uid)).bind(limit).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(file_from_row).collect::<Result<_, _>>()?)
    }

    /// Drops a file's row (its bytes are the caller's to delete) and retires its name for good.
    /// An avatar that is its owner's `icon` leaves them with none (""), so no client asks for
    /// it again.
    pub async fn delete_file(&self, name: &str, now_ms: i64) -> Result<Option<FileRow>, StoreError> {
        self.drop_file(name, now_ms, false).await
    }

    /// An operator's delete, from a server without the storage: the row goes as in
    /// [`Db::delete_file`], and its storage key goes to the trash in the same transaction, for
    /// a resource server's sweep ([`Db::trashed`]).
    pub async fn discard_file(&self, name: &str, now_ms: i64) -> Result<Option<FileRow>, StoreError> {
        self.drop_file(name, now_ms, true).await
    }

    /// Files in the trash, oldest first, at most `limit`: (name, storage key).
    pub async fn trashed(&self, limit: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT name, storage_key FROM file_trash ORDER BY deleted_at, storage_key LIMIT ?")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("name")?, row.try_get("storage_key")?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// A trashed file's bytes are gone.
    pub async fn forget_trashed(&self, storage_key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM file_trash WHERE storage_key = ?")
            .bind(storage_key.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops a file's row and retires its name; `trash` puts its storage key in the trash.
    async fn drop_file(&self, name: &str, now_ms: i64, trash: bool) -> Result<Option<FileRow>, StoreError> {
        let mut tx = self.begin().await?;
        let Some(file) = self.file_in(&mut tx, name).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        drop_file_in(&mut tx, self.dialect, &file, now_ms, trash).await?;
        tx.commit().await?;
        Ok(Some(file))
    }

    /// Incomplete files reserved before `before_ms` (uploads abandoned), at most `limit`.
    pub async fn stale_uploads(&self, before_ms: i64, limit: i64) -> Result<Vec<FileRow>, StoreError> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM chat_file WHERE complete = 0 AND created_at < ? ORDER BY created_at LIMIT ?"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before_ms).bind(limit).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(file_from_row).collect::<Result<_, _>>()?)
    }
}
