//! Threads and messages. Each message gets a per-thread `seq`, assigned under the thread
//! row's lock in the inserting transaction, so `seq` order is commit order within a thread and
//! a reader's cursor can never skip a message committed late. `UNIQUE(sender_id, unique_id)`
//! makes a resend return the stored message instead of a second copy.

use std::collections::{BTreeMap, HashMap};

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::StoreError;
use crate::sql::users::int;
use crate::sql::{Db, Dialect, is_unique_violation, placeholders};

/// llfc's `MsgStatus::READED`: text messages are stored with it from the start.
pub const MSG_STATUS_READ: i32 = 2;

/// `msg_type` of a text (llfc's 0), and of a group's system message (a change of members,
/// name or roles; imchat's, its content a JSON event).
pub const MSG_TYPE_TEXT: i32 = 0;
pub const MSG_TYPE_SYSTEM: i32 = 10;

/// Rows per multi-row INSERT statement (a power of two).
const INSERT_CHUNK: usize = 256;

/// The padded length of a dynamic list: the next power of two. Prepared statements are cached
/// per connection by their text; a few shapes keep that cache from churning (sqlx sends the
/// evicted statement's close as its own packet, and without TCP_NODELAY on its sockets the next
/// query then waits out a delayed ACK: tens of milliseconds per query).
fn shape(len: usize) -> usize {
    len.max(1).next_power_of_two()
}

/// A message to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMsg {
    pub thread_id: i64,
    pub sender: i32,
    pub receiver: i32,
    /// Client idempotency key; empty means "none" and a server id is generated.
    pub unique_id: String,
    pub content: String,
    pub msg_type: i32,
    /// llfc's `MsgStatus`: [`MSG_STATUS_READ`] for texts, 3 (not uploaded) for a file whose
    /// bytes are still coming.
    pub status: i32,
    pub created_at: i64,
    /// Group members this message @mentions (none in private chats).
    pub mentions: Vec<i32>,
    /// The `seq` of the message of the same thread this one replies to (0: none).
    pub reply_seq: i64,
    /// A forwarded copy: the original's sender (0: not forwarded).
    pub forwarded_from: i32,
}

impl NewMsg {
    pub fn text(thread_id: i64, sender: i32, receiver: i32, unique_id: &str, content: &str, now_ms: i64) -> NewMsg {
        NewMsg {
            thread_id,
            sender,
            receiver,
            unique_id: unique_id.to_owned(),
            content: content.to_owned(),
            msg_type: MSG_TYPE_TEXT,
            status: MSG_STATUS_READ,
            created_at: now_ms,
            mentions: Vec::new(),
            reply_seq: 0,
            forwarded_from: 0,
        }
    }

    /// A text in a group: no receiver (0), perhaps mentioning members.
    pub fn group_text(
        thread_id: i64,
        sender: i32,
        unique_id: &str,
        content: &str,
        mentions: &[i32],
        now_ms: i64,
    ) -> NewMsg {
        NewMsg { mentions: mentions.to_vec(), ..NewMsg::text(thread_id, sender, 0, unique_id, content, now_ms) }
    }

    /// This message as stored under `message_id` and `seq`, with its final unique id, where
    /// the store knows them without reading the row back.
    fn stored(&self, message_id: i64, seq: i64, unique_id: String) -> StoredMsg {
        StoredMsg {
            message_id,
            thread_id: self.thread_id,
            seq,
            sender: self.sender,
            receiver: self.receiver,
            unique_id,
            content: self.content.clone(),
            created_at: self.created_at,
            status: self.status,
            msg_type: self.msg_type,
            mentions: self.mentions.clone(),
            reply_seq: self.reply_seq,
            forwarded_from: self.forwarded_from,
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMsg {
    pub message_id: i64,
    pub thread_id: i64,
    pub seq: i64,
    pub sender: i32,
    pub receiver: i32,
    pub unique_id: String,
    pub content: String,
    pub created_at: i64,
    pub status: i32,
    pub msg_type: i32,
    pub mentions: Vec<i32>,
    pub reply_seq: i64,
    pub forwarded_from: i32,
}

/// What kind of conversation a thread is (llfc's `chat_thread.type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThreadKind {
    #[default]
    Private,
    Group,
}

impl ThreadKind {
    /// llfc's name, as in `chat_thread.type` and the 1026 `type` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadKind::Private => "private",
            ThreadKind::Group => "group",
        }
    }
}

/// A thread as a user lists it: a private thread and its two members, or a group (members 0,
/// as llfc lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadRow {
    pub thread_id: i64,
    pub user1: i32,
    pub user2: i32,
    pub kind: ThreadKind,
}

impl ThreadRow {
    /// Whether `uid` is one of a private thread's two members (never true of a group: its
    /// members are in `group_chat_member`).
    pub fn has_member(&self, uid: i32) -> bool {
        self.kind == ThreadKind::Private && (self.user1 == uid || self.user2 == uid)
    }

    pub fn peer_of(&self, uid: i32) -> i32 {
        if self.user1 == uid { self.user2 } else { self.user1 }
    }
}

/// One page of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub messages: Vec<StoredMsg>,
    pub more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncThreadState {
    pub thread: ThreadRow,
    pub last_seq: i64,
    /// Messages from the other member(s) after the user's read marker (after the cursor while
    /// the user has none for the thread).
    pub unread: i64,
    /// The user's read marker (0: none).
    pub read_seq: i64,
    /// Of those, the ones that @mention this user (groups).
    pub mentions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPage {
    pub threads: Vec<SyncThreadState>,
    pub messages: Vec<StoredMsg>,
    /// Another request is needed: for more messages of these threads, or for more threads.
    pub more: bool,
    /// With [`ThreadRange::receipts`]: (thread, the other member's read marker) for each
    /// private thread covered (changed or not) whose other member has a marker and allows
    /// receipts.
    pub receipts: Vec<(i64, i64)>,
    /// Paged syncs with `more`: the `after` of the next request.
    pub next_thread: Option<i64>,
}

/// Which of a user's threads one sync covers: those with an id above `after`, at most
/// `threads` of them (all when `None`: the unpaged sync of older clients).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadRange {
    pub after: i64,
    pub threads: Option<i64>,
    /// Also the other members' read markers of the private threads covered, where they
    /// allow receipts ([`SyncPage::receipts`]).
    pub receipts: bool,
}

/// Changed threads per pair of batched queries (each binds two parameters per thread, far
/// below SQLite's and MySQL's placeholder limits).
pub const SYNC_CHUNK: usize = 500;

pub(crate) const MSG_COLUMNS: &str = "message_id, thread_id, seq, sender_id, recv_id, unique_id, content, created_at, status, msg_type, mentions, \
     reply_seq, forwarded_from";

/// A mention list as stored on the message row: uids separated by commas.
fn mentions_text(mentions: &[i32]) -> String {
    mentions.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn mentions_of(text: &str) -> Vec<i32> {
    text.split(',').filter_map(|uid| uid.parse().ok()).collect()
}

pub(crate) fn msg_from_row(row: &AnyRow) -> Result<StoredMsg, sqlx::Error> {
    Ok(StoredMsg {
        message_id: row.try_get("message_id")?,
        thread_id: row.try_get("thread_id")?,
        seq: row.try_get("seq")?,
        sender: int(row, "sender_id")?,
        receiver: int(row, "recv_id")?,
        unique_id: row.try_get("unique_id")?,
        content: row.try_get("content")?,
        created_at: row.try_get("created_at")?,
        status: int(row, "status")?,
        msg_type: int(row, "msg_type")?,
        mentions: mentions_of(&row.try_get::<String, _>("mentions")?),
        reply_seq: row.try_get("reply_seq")?,
        forwarded_from: int(row, "forwarded_from")?,
    })
}

/// A thread row of a query that has `kind` (0 private, 1 group) or only private threads.
fn thread_from_row(row: &AnyRow) -> Result<ThreadRow, sqlx::Error> {
    let kind = match row.try_get::<i64, _>("kind") {
        Ok(1) => ThreadKind::Group,
        _ => ThreadKind::Private,
    };
    Ok(ThreadRow {
        thread_id: row.try_get("thread_id")?,
        user1: int(row, "user1_id")?,
        user2: int(row, "user2_id")?,
        kind,
    })
}

/// Queries fetch `limit + 1` rows: the extra one only says whether another page exists.
pub(crate) fn page<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// The private thread of `a` and `b`, created if missing, inside `tx`.
pub(crate) async fn private_thread_in(
    tx: &mut Transaction<'static, Any>,
    a: i32,
    b: i32,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let (user1, user2) = (i64::from(a.min(b)), i64::from(a.max(b)));
    let select = "SELECT thread_id FROM private_chat WHERE user1_id = ? AND user2_id = ?";
    if let Some(row) = sqlx::query(select).bind(user1).bind(user2).fetch_optional(&mut **tx).await? {
        return Ok(row.try_get(0)?);
    }
    let created = sqlx::query("INSERT INTO chat_thread (type, created_at, last_seq) VALUES ('private', ?, 0)")
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    let thread_id = match created.last_insert_id() {
        Some(id) => id,
        // The Any driver does not carry SQLite's rowid; ask the same connection.
        None => sqlx::query("SELECT last_insert_rowid()").fetch_one(&mut **tx).await?.try_get(0)?,
    };
    sqlx::query("INSERT INTO private_chat (thread_id, user1_id, user2_id, created_at) VALUES (?, ?, ?, ?)")
        .bind(thread_id)
        .bind(user1)
        .bind(user2)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok(thread_id)
}

/// Each message's idempotency key: (sender, unique id), a generated id when it has none.
fn keys_of(batch: &[NewMsg]) -> Vec<(i32, String)> {
    batch
        .iter()
        .map(|m| {
            let unique =
                if m.unique_id.is_empty() { format!("srv-{}", crate::random_hex(12)) } else { m.unique_id.clone() };
            (m.sender, unique)
        })
        .collect()
}

/// `rows` in power-of-two chunks of at most [`INSERT_CHUNK`]: a handful of statement shapes for
/// any batch size.
fn chunks(mut rest: &[(usize, i64)]) -> impl Iterator<Item = &[(usize, i64)]> {
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (chunk, tail) = rest.split_at((1usize << rest.len().ilog2()).min(INSERT_CHUNK));
        rest = tail;
        Some(chunk)
    })
}

/// Inserts `chunk` ((batch index, seq) pairs) in one multi-row statement. A chunk without
/// replies or forwards (nearly every one) leaves their columns to their defaults: the
/// statement of a plain text carries nothing more than it did before they existed.
async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    batch: &[NewMsg],
    keyed: &[(i32, String)],
    chunk: &[(usize, i64)],
) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    let quoting = chunk.iter().any(|(idx, _)| batch[*idx].reply_seq != 0 || batch[*idx].forwarded_from != 0);
    let sql = if quoting {
        format!(
            "INSERT INTO chat_message (thread_id, seq, sender_id, recv_id, unique_id, content, created_at, status, msg_type, \
             mentions, reply_seq, forwarded_from) VALUES {}",
            placeholders(chunk.len(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        )
    } else {
        format!(
            "INSERT INTO chat_message (thread_id, seq, sender_id, recv_id, unique_id, content, created_at, status, msg_type, \
             mentions) VALUES {}",
            placeholders(chunk.len(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        )
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (idx, seq) in chunk {
        let msg = &batch[*idx];
        query = query
            .bind(msg.thread_id)
            .bind(*seq)
            .bind(i64::from(msg.sender))
            .bind(i64::from(msg.receiver))
            .bind(keyed[*idx].1.clone())
            .bind(msg.content.clone())
            .bind(msg.created_at)
            .bind(i64::from(msg.status))
            .bind(i64::from(msg.msg_type))
            .bind(mentions_text(&msg.mentions));
        if quoting {
            query = query.bind(msg.reply_seq).bind(i64::from(msg.forwarded_from));
        }
    }
    query.execute(&mut **tx).await
}

/// One `chat_mention` row per member each new message of `rows` ((batch index, seq) pairs)
/// mentions, in the message's transaction.
async fn insert_mentions(
    tx: &mut Transaction<'static, Any>,
    batch: &[NewMsg],
    rows: &[(usize, i64)],
) -> Result<(), sqlx::Error> {
    let mentions: Vec<(i32, i64, i64)> = rows
        .iter()
        .flat_map(|(idx, seq)| batch[*idx].mentions.iter().map(|uid| (*uid, batch[*idx].thread_id, *seq)))
        .collect();
    for chunk in mentions.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO chat_mention (user_id, thread_id, seq) VALUES {}",
            placeholders(chunk.len(), "(?, ?, ?)")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (uid, thread_id, seq) in chunk {
            query = query.bind(i64::from(*uid)).bind(*thread_id).bind(*seq);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Stores `batch` inside `tx`: returns one stored message per input, in input order.
/// Resends (same sender and unique id) return the earlier message.
pub(crate) async fn insert_messages(
    tx: &mut Transaction<'static, Any>,
    batch: &[NewMsg],
    dialect: Dialect,
) -> Result<Vec<StoredMsg>, StoreError> {
    let keyed = keys_of(batch);

    let mut stored = find_by_unique(tx, &keyed).await?;
    // New rows grouped by thread, first occurrence of each key only.
    let mut fresh: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for (idx, key) in keyed.iter().enumerate() {
        if !stored.contains_key(key) && seen.insert(key.clone()) {
            fresh.entry(batch[idx].thread_id).or_default().push(idx);
        }
    }

    let rows = reserve_seqs(tx, &fresh, dialect).await?;

    for chunk in chunks(&rows) {
        insert_rows(tx, batch, &keyed, chunk).await?;
    }
    insert_mentions(tx, batch, &rows).await?;

    if !rows.is_empty() {
        stored.extend(find_by_unique(tx, &keyed).await?);
    }
    keyed.iter().map(|key| stored.get(key).cloned().ok_or(StoreError::NotFound("stored message"))).collect()
}

/// Reserves consecutive `seq`s for each thread's new messages: one UPDATE and one SELECT for the
/// whole batch, however many threads it touches (on MySQL, one UPDATE alone for one thread).
/// The UPDATE locks the thread rows until commit, so `seq` order is commit order within a
/// thread. Returns (batch index, seq) pairs.
async fn reserve_seqs(
    tx: &mut Transaction<'static, Any>,
    fresh: &BTreeMap<i64, Vec<usize>>,
    dialect: Dialect,
) -> Result<Vec<(usize, i64)>, StoreError> {
    let last = match (dialect, fresh.first_key_value()) {
        (_, None) => return Ok(Vec::new()),
        // One thread (every unloaded send): MySQL hands the new value back in the UPDATE's
        // reply through LAST_INSERT_ID(expr), which saves the SELECT's round trip.
        (Dialect::MySql, Some((thread_id, idxs))) if fresh.len() == 1 => {
            let done = sqlx::query("UPDATE chat_thread SET last_seq = LAST_INSERT_ID(last_seq + ?) WHERE id = ?")
                .bind(i64::try_from(idxs.len()).unwrap_or(i64::MAX))
                .bind(*thread_id)
                .execute(&mut **tx)
                .await?;
            let end = done.last_insert_id().filter(|_| done.rows_affected() == 1);
            HashMap::from([(*thread_id, end.ok_or(StoreError::NotFound("thread"))?)])
        }
        _ => reserve_seqs_of_many(tx, fresh).await?,
    };
    let mut rows = Vec::new();
    for (thread_id, idxs) in fresh {
        let end = *last.get(thread_id).ok_or(StoreError::NotFound("thread"))?;
        let count = idxs.len() as i64;
        rows.extend(idxs.iter().enumerate().map(|(offset, idx)| (*idx, end - count + 1 + offset as i64)));
    }
    Ok(rows)
}

/// [`reserve_seqs`] for any number of threads: each thread's new `last_seq`.
async fn reserve_seqs_of_many(
    tx: &mut Transaction<'static, Any>,
    fresh: &BTreeMap<i64, Vec<usize>>,
) -> Result<HashMap<i64, i64>, StoreError> {
    // Thread ids ascend (BTreeMap), so concurrent batches lock rows in one order. The lists are
    // padded (a repeated id changes nothing) so the statement has one of few shapes.
    let mut counts: Vec<(i64, i64)> =
        fresh.iter().map(|(id, idxs)| (*id, i64::try_from(idxs.len()).unwrap_or(i64::MAX))).collect();
    let last = *counts.last().expect("fresh is not empty");
    counts.resize(shape(counts.len()), last);
    let ids = placeholders(counts.len(), "?");
    let update = format!(
        "UPDATE chat_thread SET last_seq = last_seq + CASE id {} END WHERE id IN ({ids})",
        placeholders(counts.len(), "WHEN ? THEN ?").replace(", ", " ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(update));
    for (thread_id, count) in &counts {
        query = query.bind(*thread_id).bind(*count);
    }
    for (thread_id, _) in &counts {
        query = query.bind(*thread_id);
    }
    if query.execute(&mut **tx).await?.rows_affected() != fresh.len() as u64 {
        return Err(StoreError::NotFound("thread"));
    }
    let select = format!("SELECT id, last_seq FROM chat_thread WHERE id IN ({ids})");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(select));
    for (thread_id, _) in &counts {
        query = query.bind(*thread_id);
    }
    let mut last: HashMap<i64, i64> = HashMap::with_capacity(fresh.len());
    for row in query.fetch_all(&mut **tx).await? {
        last.insert(row.try_get(0)?, row.try_get(1)?);
    }
    Ok(last)
}

/// Stored messages for the given (sender, unique id) keys, in one query.
async fn find_by_unique(
    tx: &mut Transaction<'static, Any>,
    keys: &[(i32, String)],
) -> Result<HashMap<(i32, String), StoredMsg>, StoreError> {
    let mut unique_keys: Vec<&(i32, String)> = keys.iter().collect();
    unique_keys.sort_unstable();
    unique_keys.dedup();
    let Some(last) = unique_keys.last().copied() else { return Ok(HashMap::new()) };
    unique_keys.resize(shape(unique_keys.len()), last);
    // Exact (sender, unique id) pairs: each is a point lookup in the unique index on every
    // dialect, where `sender IN (..) AND unique IN (..)` scanned all of the senders' messages.
    let sql = format!(
        "SELECT {MSG_COLUMNS} FROM chat_message WHERE {}",
        vec!["(sender_id = ? AND unique_id = ?)"; unique_keys.len()].join(" OR ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (sender, unique) in unique_keys {
        query = query.bind(i64::from(*sender)).bind(unique.clone());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in &rows {
        let msg = msg_from_row(row)?;
        found.insert((msg.sender, msg.unique_id.clone()), msg);
    }
    Ok(found)
}

/// The common case of [`Db::store_messages`]: every key is new. Reserves the seqs, inserts,
/// and derives the message ids from each statement's insert id instead of reading the rows
/// back (two statements fewer per batch). `None` when a key turned out to exist already (a
/// resend): the caller rolls back and takes the careful path.
async fn insert_new_messages(
    tx: &mut Transaction<'static, Any>,
    batch: &[NewMsg],
    dialect: Dialect,
) -> Result<Option<Vec<StoredMsg>>, StoreError> {
    let keyed = keys_of(batch);
    let mut seen = std::collections::HashSet::with_capacity(keyed.len());
    if !keyed.iter().all(|key| seen.insert(key)) {
        return Ok(None);
    }
    let mut fresh: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (idx, msg) in batch.iter().enumerate() {
        fresh.entry(msg.thread_id).or_default().push(idx);
    }
    let rows = reserve_seqs(tx, &fresh, dialect).await?;
    let mut stored: Vec<Option<StoredMsg>> = vec![None; batch.len()];
    for chunk in chunks(&rows) {
        let done = match insert_rows(tx, batch, &keyed, chunk).await {
            Ok(done) => done,
            Err(err) if is_unique_violation(&err) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        // MySQL reports the first id of the statement (SQLite, which reports the last, never
        // gets here: see `Db::consecutive_ids`).
        let Some(first) = done.last_insert_id().filter(|_| dialect == Dialect::MySql) else {
            return Err(StoreError::NotFound("insert id"));
        };
        for (offset, (idx, seq)) in (0..).zip(chunk) {
            stored[*idx] = Some(batch[*idx].stored(first + offset, *seq, keyed[*idx].1.clone()));
        }
    }
    insert_mentions(tx, batch, &rows).await?;
    stored.into_iter().map(|m| m.ok_or(StoreError::NotFound("stored message"))).collect::<Result<_, _>>().map(Some)
}

/// One new message on MySQL, in one round trip: the `imchat_store_message_v1` procedure
/// (`schema::STORE_MESSAGE`) does what the batch path's four round trips do. A resend meets
/// the unique key and comes back as that error, for the careful path.
async fn store_one(db: &Db, msg: &NewMsg) -> Result<StoredMsg, StoreError> {
    let (sender, unique_id) = keys_of(std::slice::from_ref(msg)).remove(0);
    let row = sqlx::query("CALL imchat_store_message_v1(?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(msg.thread_id)
        .bind(i64::from(sender))
        .bind(i64::from(msg.receiver))
        .bind(unique_id.clone())
        .bind(msg.content.clone())
        .bind(msg.created_at)
        .bind(i64::from(msg.status))
        .bind(i64::from(msg.msg_type))
        // All of the reply, so the call's final status (after its commit) is read too.
        .fetch_all(&db.pool)
        .await?
        .pop()
        .ok_or(StoreError::NotFound("procedure result"))?;
    let (message_id, seq): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    if message_id == 0 {
        return Err(StoreError::NotFound("thread"));
    }
    Ok(msg.stored(message_id, seq, unique_id))
}

impl Db {
    /// Stores a batch of messages in one transaction (one commit for the whole batch).
    pub async fn store_messages(&self, batch: &[NewMsg]) -> Result<Vec<StoredMsg>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Whether every key may be new: a lone message that met the unique key is a resend.
        let mut fresh = self.consecutive_ids;
        if let [msg] = batch
            && msg.mentions.is_empty()
            && msg.reply_seq == 0
            && msg.forwarded_from == 0
            && self.stores_lone_messages_in_one_call()
        {
            match store_one(self, msg).await {
                Err(StoreError::Sql(err)) if is_unique_violation(&err) => fresh = false,
                // Any other database error: the four-round-trip path tries once more (the key
                // makes that safe if the call did commit). A missing or forbidden procedure
                // (SQLSTATE class 42) is not called again.
                Err(StoreError::Sql(sqlx::Error::Database(err))) => {
                    if err.code().is_some_and(|code| code.starts_with("42")) {
                        tracing::warn!(%err, "the one-call message store failed; using four round trips from now on");
                        self.one_call.store(false, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                done => return done.map(|stored| vec![stored]),
            }
        }
        if fresh {
            let mut tx = self.begin().await?;
            if let Some(stored) = insert_new_messages(&mut tx, batch, self.dialect).await? {
                tx.commit().await?;
                return Ok(stored);
            }
            tx.rollback().await?;
        }
        let mut tx = self.begin().await?;
        let stored = insert_messages(&mut tx, batch, self.dialect).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The messages at `keys` ((thread, seq) pairs) that exist, by key: the quotes of a page's
    /// replies, the messages a forward copies. One query.
    pub async fn messages_at(&self, keys: &[(i64, i64)]) -> Result<HashMap<(i64, i64), StoredMsg>, StoreError> {
        let mut found = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(SYNC_CHUNK) {
            let sql = format!(
                "SELECT {MSG_COLUMNS} FROM chat_message WHERE {}",
                vec!["(thread_id = ? AND seq = ?)"; chunk.len()].join(" OR ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (thread, seq) in chunk {
                query = query.bind(*thread).bind(*seq);
            }
            for row in query.fetch_all(&self.pool).await? {
                let msg = msg_from_row(&row)?;
                found.insert((msg.thread_id, msg.seq), msg);
            }
        }
        Ok(found)
    }

    /// The private thread of `a` and `b`, created if missing.
    pub async fn private_thread(&self, a: i32, b: i32, now_ms: i64) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let thread_id = private_thread_in(&mut tx, a, b, now_ms).await?;
        tx.commit().await?;
        Ok(thread_id)
    }

    pub async fn thread(&self, thread_id: i64) -> Result<Option<ThreadRow>, StoreError> {
        let row = sqlx::query("SELECT thread_id, user1_id, user2_id FROM private_chat WHERE thread_id = ?")
            .bind(thread_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(thread_from_row).transpose()?)
    }

    /// `uid`'s threads (private and groups, as llfc's 1025 lists them) with id above `after`,
    /// ascending; `more` when another page exists.
    pub async fn user_threads(&self, uid: i32, after: i64, limit: i64) -> Result<(Vec<ThreadRow>, bool), StoreError> {
        let sql = format!("{USER_THREADS} ORDER BY thread_id LIMIT ?");
        let me = i64::from(uid);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(me)
            .bind(me)
            .bind(after)
            .bind(me)
            .bind(after)
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        Ok(page(rows.iter().map(thread_from_row).collect::<Result<Vec<_>, _>>()?, limit))
    }

    /// Messages of `thread_id` after the message `after_message_id` (0: from the start) and
    /// after `floor` (the seq a group member joined at; 0 for the whole thread), in order. The
    /// cursor is llfc's message id; paging itself is by `seq`.
    pub async fn history(
        &self,
        thread_id: i64,
        after_message_id: i64,
        floor: i64,
        limit: i64,
    ) -> Result<History, StoreError> {
        let after_seq = if after_message_id <= 0 {
            floor
        } else {
            match sqlx::query("SELECT seq FROM chat_message WHERE message_id = ? AND thread_id = ?")
                .bind(after_message_id)
                .bind(thread_id)
                .fetch_optional(&self.pool)
                .await?
            {
                Some(row) => row.try_get::<i64, _>(0)?.max(floor),
                None => return Err(StoreError::NotFound("message in this thread")),
            }
        };
        let (messages, more) = self.messages_after(thread_id, after_seq, limit).await?;
        Ok(History { messages, more })
    }

    async fn messages_after(
        &self,
        thread_id: i64,
        after_seq: i64,
        limit: i64,
    ) -> Result<(Vec<StoredMsg>, bool), StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MSG_COLUMNS} FROM chat_message WHERE thread_id = ? AND seq > ? ORDER BY seq LIMIT ?"
        ));
        let rows = sqlx::query(sql).bind(thread_id).bind(after_seq).bind(limit + 1).fetch_all(&self.pool).await?;
        Ok(page(rows.iter().map(msg_from_row).collect::<Result<Vec<_>, _>>()?, limit))
    }

    /// Up to `limit` messages of `thread_id` just before `before_seq` and after `floor` (see
    /// [`Db::history`]), oldest first; `more` when older ones remain.
    pub async fn history_before(
        &self,
        thread_id: i64,
        before_seq: i64,
        floor: i64,
        limit: i64,
    ) -> Result<(Vec<StoredMsg>, bool), StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MSG_COLUMNS} FROM chat_message WHERE thread_id = ? AND seq < ? AND seq > ? ORDER BY seq DESC LIMIT ?"
        ));
        let rows =
            sqlx::query(sql).bind(thread_id).bind(before_seq).bind(floor).bind(limit + 1).fetch_all(&self.pool).await?;
        let (mut messages, more) = page(rows.iter().map(msg_from_row).collect::<Result<Vec<_>, _>>()?, limit);
        messages.reverse();
        Ok((messages, more))
    }

    /// Offline sync: the threads of `uid` in `range` with messages after their cursor (threads
    /// not in `cursors` start at 0, or `tail` messages before their end), with unread counts,
    /// and up to `limit` of those messages, oldest thread first. A bounded number of queries:
    /// one for the threads, then two per [`SYNC_CHUNK`] of changed threads (one for a page
    /// of [`ThreadRange::threads`]).
    pub async fn sync(
        &self,
        uid: i32,
        cursors: &HashMap<i64, i64>,
        tail: Option<i64>,
        range: ThreadRange,
        limit: i64,
    ) -> Result<SyncPage, StoreError> {
        let me = i64::from(uid);
        let paged = range.threads.map(|n| n.max(1));
        let sql = format!("{USER_THREADS} ORDER BY thread_id{}", if paged.is_some() { " LIMIT ?" } else { "" });
        let mut query =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(me).bind(me).bind(range.after).bind(me).bind(range.after);
        if let Some(n) = paged {
            query = query.bind(n + 1);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let (rows, threads_more) = match paged {
            Some(n) => page(rows, n),
            None => (rows, false),
        };
        let last_thread = match rows.last() {
            Some(row) => row.try_get("thread_id")?,
            None => range.after,
        };
        // The threads with something after their cursor, and where each starts.
        let mut changed = Vec::new();
        for row in &rows {
            let thread = thread_from_row(row)?;
            let last_seq: i64 = row.try_get("last_seq")?;
            // A group member reads from the seq they joined at, whatever their cursor says.
            let floor: i64 = row.try_get("floor")?;
            let start = tail.map_or(0, |tail| last_seq - tail.max(0));
            let cursor = cursors.get(&thread.thread_id).copied().unwrap_or(start).max(floor).max(0);
            if last_seq > cursor {
                changed.push((thread, last_seq, cursor, floor));
            }
        }
        let mut page_out = SyncPage {
            threads: Vec::with_capacity(changed.len()),
            messages: Vec::new(),
            more: false,
            receipts: Vec::new(),
            next_thread: None,
        };
        if range.receipts {
            let mut private = Vec::new();
            for row in &rows {
                let thread = thread_from_row(row)?;
                if thread.kind == ThreadKind::Private {
                    private.push((thread.thread_id, thread.peer_of(uid)));
                }
            }
            for chunk in private.chunks(SYNC_CHUNK) {
                page_out.receipts.extend(self.receipts(chunk).await?);
            }
        }
        for chunk in changed.chunks(SYNC_CHUNK) {
            let ranges: Vec<(i64, i64)> = chunk.iter().map(|(t, _, cursor, _)| (t.thread_id, *cursor)).collect();
            let ids: Vec<i64> = chunk.iter().map(|(t, _, _, _)| t.thread_id).collect();
            let marks = self.read_markers(me, &ids).await?;
            // Unread: after the read marker (any device's), else after the cursor.
            let read_from = |(t, _, cursor, floor): &(ThreadRow, i64, i64, i64)| {
                (t.thread_id, marks.get(&t.thread_id).map_or(*cursor, |mark| (*mark).max(*floor)))
            };
            let unread_ranges: Vec<(i64, i64)> = chunk.iter().map(read_from).collect();
            let unread = self.unread_after(me, &unread_ranges).await?;
            let groups: Vec<(i64, i64)> =
                chunk.iter().filter(|(t, _, _, _)| t.kind == ThreadKind::Group).map(read_from).collect();
            let mentions = if groups.is_empty() { HashMap::new() } else { self.mentions_after(me, &groups).await? };
            for (thread, last_seq, _, _) in chunk {
                let unread = unread.get(&thread.thread_id).copied().unwrap_or(0);
                let mentions = mentions.get(&thread.thread_id).copied().unwrap_or(0);
                let read_seq = marks.get(&thread.thread_id).copied().unwrap_or(0);
                page_out.threads.push(SyncThreadState {
                    thread: *thread,
                    last_seq: *last_seq,
                    unread,
                    mentions,
                    read_seq,
                });
            }
            let room = limit - page_out.messages.len() as i64;
            if room > 0 {
                let (messages, more) = self.messages_after_many(&ranges, room).await?;
                page_out.more |= more;
                page_out.messages.extend(messages);
            } else {
                page_out.more = true;
            }
        }
        // A page's messages come first; then the next page of threads.
        page_out.next_thread = match (page_out.more, threads_more) {
            (true, _) => Some(range.after),
            (false, true) => Some(last_thread),
            (false, false) => None,
        };
        page_out.more |= threads_more;
        Ok(page_out)
    }

    /// For each (private thread, its other member) of `pairs`: that member's read marker, if
    /// they have one and allow receipts.
    pub async fn receipts(&self, pairs: &[(i64, i32)]) -> Result<Vec<(i64, i64)>, StoreError> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT r.thread_id, r.seq FROM read_marker r LEFT JOIN user_setting s ON s.user_id = r.user_id \
             WHERE ({}) AND COALESCE(s.read_receipts, 1) <> 0",
            vec!["(r.user_id = ? AND r.thread_id = ?)"; pairs.len()].join(" OR ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (thread, peer) in pairs {
            query = query.bind(i64::from(*peer)).bind(*thread);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("thread_id")?, row.try_get("seq")?))).collect()
    }

    /// How many members of group `thread_id` other than `me` have read it up to `seq` and
    /// allow receipts.
    pub async fn group_readers(&self, thread_id: i64, seq: i64, me: i32) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM read_marker r \
             JOIN group_chat_member m ON m.thread_id = r.thread_id AND m.user_id = r.user_id \
             LEFT JOIN user_setting s ON s.user_id = r.user_id \
             WHERE r.thread_id = ? AND r.seq >= ? AND r.user_id <> ? AND COALESCE(s.read_receipts, 1) <> 0",
        )
        .bind(thread_id)
        .bind(seq)
        .bind(i64::from(me))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// `me`'s read markers of `threads` (those it has).
    async fn read_markers(&self, me: i64, threads: &[i64]) -> Result<HashMap<i64, i64>, StoreError> {
        if threads.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT thread_id, seq FROM read_marker WHERE user_id = ? AND thread_id IN ({})",
            vec!["?"; threads.len()].join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(me);
        for thread in threads {
            query = query.bind(*thread);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("thread_id")?, row.try_get("seq")?))).collect()
    }

    /// `uid` has read `thread_id` up to `seq`: the marker moves forward only, and never past
    /// the thread's last message. Returns the marker as stored.
    pub async fn mark_read(&self, uid: i32, thread_id: i64, seq: i64, now_ms: i64) -> Result<i64, StoreError> {
        let upsert = match self.dialect {
            Dialect::MySql => {
                "INSERT INTO read_marker (user_id, thread_id, seq, updated_at) \
                 SELECT ?, id, LEAST(?, last_seq), ? FROM chat_thread WHERE id = ? \
                 ON DUPLICATE KEY UPDATE seq = GREATEST(read_marker.seq, VALUES(seq)), updated_at = VALUES(updated_at)"
            }
            Dialect::Sqlite => {
                "INSERT INTO read_marker (user_id, thread_id, seq, updated_at) \
                 SELECT ?, id, MIN(?, last_seq), ? FROM chat_thread WHERE id = ? \
                 ON CONFLICT (user_id, thread_id) DO UPDATE SET seq = MAX(read_marker.seq, excluded.seq), \
                 updated_at = excluded.updated_at"
            }
        };
        sqlx::query(upsert)
            .bind(i64::from(uid))
            .bind(seq.max(0))
            .bind(now_ms)
            .bind(thread_id)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT seq FROM read_marker WHERE user_id = ? AND thread_id = ?")
            .bind(i64::from(uid))
            .bind(thread_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?.unwrap_or(0))
    }

    /// Per thread of `ranges` (thread, after seq): its messages after that seq not sent by `me`.
    async fn unread_after(&self, me: i64, ranges: &[(i64, i64)]) -> Result<HashMap<i64, i64>, StoreError> {
        // Notices of recalls, edits and reactions (`MSG_TYPE_RECALL` 11, `MSG_TYPE_EDIT` 12,
        // `MSG_TYPE_REACTION` 13) and recalled messages (`MSG_STATUS_RECALLED`, 4) are nothing
        // to read.
        self.count_after(
            "chat_message WHERE sender_id <> ? AND msg_type NOT IN (11, 12, 13) AND status <> 4",
            me,
            ranges,
        )
        .await
    }

    /// Per group thread of `ranges` (thread, after seq): its messages after that seq that
    /// @mention `me`.
    async fn mentions_after(&self, me: i64, ranges: &[(i64, i64)]) -> Result<HashMap<i64, i64>, StoreError> {
        self.count_after("chat_mention WHERE user_id = ?", me, ranges).await
    }

    /// Per thread of `ranges`: the rows of `from` (a table and a condition on `me`) after its seq.
    async fn count_after(
        &self,
        from: &'static str,
        me: i64,
        ranges: &[(i64, i64)],
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let sql = format!(
            "SELECT thread_id, COUNT(*) AS n FROM {from} AND ({}) GROUP BY thread_id",
            seq_ranges(ranges.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(me);
        for (thread, after) in ranges {
            query = query.bind(*thread).bind(*after);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("thread_id")?, row.try_get("n")?))).collect()
    }

    /// Up to `limit` messages after each of `ranges` (thread, after seq), by thread then seq;
    /// `more` when others remain.
    async fn messages_after_many(
        &self,
        ranges: &[(i64, i64)],
        limit: i64,
    ) -> Result<(Vec<StoredMsg>, bool), StoreError> {
        let sql = format!(
            "SELECT {MSG_COLUMNS} FROM chat_message WHERE {} ORDER BY thread_id, seq LIMIT ?",
            seq_ranges(ranges.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (thread, after) in ranges {
            query = query.bind(*thread).bind(*after);
        }
        let rows = query.bind(limit + 1).fetch_all(&self.pool).await?;
        Ok(page(rows.iter().map(msg_from_row).collect::<Result<Vec<_>, _>>()?, limit))
    }
}

/// A user's threads above a thread id: private ones (binds: uid, uid, after) and groups they
/// are a member of (uid, after), with `kind` (0 private, 1 group) and `floor` (the seq a
/// member joined at). Callers add the order and limit.
const USER_THREADS: &str = "SELECT thread_id, user1_id, user2_id, last_seq, kind, floor FROM (\
     SELECT p.thread_id AS thread_id, p.user1_id AS user1_id, p.user2_id AS user2_id, t.last_seq AS last_seq, \
     CAST(0 AS SIGNED) AS kind, CAST(0 AS SIGNED) AS floor FROM private_chat p JOIN chat_thread t ON t.id = p.thread_id \
     WHERE (p.user1_id = ? OR p.user2_id = ?) AND p.thread_id > ? \
     UNION ALL \
     SELECT m.thread_id, CAST(0 AS SIGNED), CAST(0 AS SIGNED), t.last_seq, CAST(1 AS SIGNED), m.joined_seq \
     FROM group_chat_member m JOIN chat_thread t ON t.id = m.thread_id \
     WHERE m.user_id = ? AND m.thread_id > ?) threads";

/// `(thread_id = ? AND seq > ?) OR …`, `n` times: ranges of the `(thread_id, seq)` index.
fn seq_ranges(n: usize) -> String {
    vec!["(thread_id = ? AND seq > ?)"; n].join(" OR ")
}
