//! The SQL store: one [`Db`] handle over a sqlx `Any` pool, on MariaDB/MySQL (production)
//! or SQLite (embedded). Queries are portable except where a [`Dialect`] string is chosen.
//!
//! Across the `Any` boundary only integers and text travel (sqlx 0.9 caveat): times are
//! BIGINT epoch milliseconds, every integer column is BIGINT.

mod chats;
mod files;
mod friends;
mod gestures;
mod groups;
mod schema;
mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};

pub use chats::{
    History, MSG_STATUS_READ, MSG_TYPE_SYSTEM, MSG_TYPE_TEXT, NewMsg, SYNC_CHUNK, StoredMsg, SyncPage, SyncThreadState,
    ThreadKind, ThreadRange, ThreadRow,
};
pub use files::{Completed, FileCaps, FileKind, FileRefusal, FileRow, NewFile, Usage};
pub use friends::{Accepted, ApplyRow, FriendRow, LoginView, Page};
pub use gestures::{
    Edited, GestureRefusal, MSG_STATUS_EDITED, MSG_STATUS_RECALLED, MSG_TYPE_EDIT, MSG_TYPE_REACTION, MSG_TYPE_RECALL,
    Reacted, ReactionCount, Recalled,
};
pub use groups::{
    Actor, Change, Changed, Event, Group, GroupRow, InvitePolicy, MemberRow, MemberView, Refusal, Render, Role,
};
pub use users::{NewUser, PasswordReset, PwdForm, Registered, SEED_CHUNK, Settings, User, Visibility};

use crate::StoreError;

/// Which SQL flavour the pool speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    MySql,
    Sqlite,
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before failing.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> DbOptions {
        DbOptions { max_connections: 16, acquire_timeout: Duration::from_secs(5) }
    }
}

/// A handle to the SQL store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    /// Whether a multi-row INSERT gets consecutive auto-increment ids reported by the server,
    /// so stored messages' ids follow from the statement's first id without reading the rows
    /// back.
    consecutive_ids: bool,
    /// Whether a lone message is stored by one procedure call (MySQL, when the procedure
    /// could be made and has not failed as missing or forbidden since).
    one_call: Arc<AtomicBool>,
}

/// How long SQLite waits on a locked database before reporting busy.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

impl Db {
    /// Connects to `url` (`mysql://…` or `sqlite:path?mode=rwc`) and brings the schema up to date.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") { Dialect::Sqlite } else { Dialect::MySql };
        let connect: AnyConnectOptions = url.parse()?;
        let mut pool =
            AnyPoolOptions::new().max_connections(options.max_connections).acquire_timeout(options.acquire_timeout);
        if dialect == Dialect::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")))
                        .await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(connect).await?;
        let consecutive_ids = match dialect {
            // sqlx's `Any` driver does not pass SQLite's rowid on, and SQLite's round trips
            // are in-process: the rows are read back.
            Dialect::Sqlite => false,
            // "Consecutive" or "traditional" lock mode and a step of one (not Galera's).
            // A server that does not say (not InnoDB, say) gets the careful path.
            Dialect::MySql => {
                let row =
                    sqlx::query("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment").fetch_one(&pool).await;
                let settings = row.and_then(|row| {
                    Ok((sqlx::Row::try_get::<i64, _>(&row, 0)?, sqlx::Row::try_get::<i64, _>(&row, 1)?))
                });
                matches!(settings, Ok((mode, 1)) if mode <= 1)
            }
        };
        let db = Db { pool, dialect, consecutive_ids, one_call: Arc::default() };
        let one_call = schema::migrate(&db).await?;
        db.one_call.store(one_call, Ordering::Relaxed);
        Ok(db)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether new messages take their ids from the insert id instead of being read back.
    pub fn derives_message_ids(&self) -> bool {
        self.consecutive_ids
    }

    /// Whether a lone new message is stored in one round trip (a stored procedure on MySQL).
    pub fn stores_lone_messages_in_one_call(&self) -> bool {
        self.one_call.load(Ordering::Relaxed)
    }

    /// One round trip to the database: whether it can be reached.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that holds the write lock from its first statement on SQLite, so
    /// read-then-write transactions never fail to upgrade.
    async fn begin(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::MySql => self.pool.begin().await?,
        })
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// `?, ?, ?` for dynamic IN lists and multi-row inserts (placeholders only, never data).
fn placeholders(n: usize, each: &str) -> String {
    vec![each; n].join(", ")
}
