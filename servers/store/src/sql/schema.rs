//! Versioned schema migrations, one DDL text per dialect. Applied at connect under a named
//! lock on MySQL so several processes starting together migrate once.

use sqlx::{Executor, Row};

use crate::StoreError;
use crate::sql::{Db, Dialect};

struct Migration {
    version: i64,
    mysql: &'static [&'static str],
    sqlite: &'static [&'static str],
}

macro_rules! mysql_table {
    ($body:literal) => {
        concat!($body, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
    };
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        mysql: &[
            mysql_table!("CREATE TABLE user_id (id BIGINT NOT NULL)"),
            "INSERT INTO user_id (id) VALUES (1000)",
            mysql_table!(
                "CREATE TABLE user (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                uid BIGINT NOT NULL,
                name VARCHAR(191) NOT NULL,
                email VARCHAR(191) NOT NULL,
                pwd VARCHAR(255) NOT NULL,
                nick VARCHAR(191) NOT NULL DEFAULT '',
                `desc` VARCHAR(255) NOT NULL DEFAULT '',
                sex BIGINT NOT NULL DEFAULT 0,
                icon VARCHAR(255) NOT NULL DEFAULT '',
                UNIQUE KEY uq_user_uid (uid),
                UNIQUE KEY uq_user_email (email),
                UNIQUE KEY uq_user_name (name)
            )"
            ),
            mysql_table!(
                "CREATE TABLE friend_apply (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                from_uid BIGINT NOT NULL,
                to_uid BIGINT NOT NULL,
                status BIGINT NOT NULL DEFAULT 0,
                descs VARCHAR(255) NOT NULL DEFAULT '',
                back_name VARCHAR(255) NOT NULL DEFAULT '',
                UNIQUE KEY uq_apply (from_uid, to_uid),
                KEY ix_apply_to (to_uid, id)
            )"
            ),
            mysql_table!(
                "CREATE TABLE friend (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                self_id BIGINT NOT NULL,
                friend_id BIGINT NOT NULL,
                back VARCHAR(255) NOT NULL DEFAULT '',
                UNIQUE KEY uq_friend (self_id, friend_id)
            )"
            ),
            mysql_table!(
                "CREATE TABLE chat_thread (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                type VARCHAR(16) NOT NULL,
                created_at BIGINT NOT NULL,
                last_seq BIGINT NOT NULL DEFAULT 0
            )"
            ),
            mysql_table!(
                "CREATE TABLE private_chat (
                thread_id BIGINT NOT NULL PRIMARY KEY,
                user1_id BIGINT NOT NULL,
                user2_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE KEY uq_private_pair (user1_id, user2_id),
                KEY ix_private_u1 (user1_id, thread_id),
                KEY ix_private_u2 (user2_id, thread_id)
            )"
            ),
            mysql_table!(
                "CREATE TABLE chat_message (
                message_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                thread_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                sender_id BIGINT NOT NULL,
                recv_id BIGINT NOT NULL,
                unique_id VARCHAR(64) NOT NULL,
                content TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                status BIGINT NOT NULL DEFAULT 0,
                msg_type BIGINT NOT NULL DEFAULT 0,
                UNIQUE KEY uq_msg_seq (thread_id, seq),
                UNIQUE KEY uq_msg_sender_unique (sender_id, unique_id)
            )"
            ),
        ],
        sqlite: &[
            "CREATE TABLE user_id (id INTEGER NOT NULL)",
            "INSERT INTO user_id (id) VALUES (1000)",
            "CREATE TABLE user (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid INTEGER NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL UNIQUE,
            pwd TEXT NOT NULL,
            nick TEXT NOT NULL DEFAULT '',
            `desc` TEXT NOT NULL DEFAULT '',
            sex INTEGER NOT NULL DEFAULT 0,
            icon TEXT NOT NULL DEFAULT ''
        )",
            "CREATE TABLE friend_apply (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            from_uid INTEGER NOT NULL,
            to_uid INTEGER NOT NULL,
            status INTEGER NOT NULL DEFAULT 0,
            descs TEXT NOT NULL DEFAULT '',
            back_name TEXT NOT NULL DEFAULT '',
            UNIQUE (from_uid, to_uid)
        )",
            "CREATE INDEX ix_apply_to ON friend_apply (to_uid, id)",
            "CREATE TABLE friend (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            self_id INTEGER NOT NULL,
            friend_id INTEGER NOT NULL,
            back TEXT NOT NULL DEFAULT '',
            UNIQUE (self_id, friend_id)
        )",
            "CREATE TABLE chat_thread (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_seq INTEGER NOT NULL DEFAULT 0
        )",
            "CREATE TABLE private_chat (
            thread_id INTEGER PRIMARY KEY,
            user1_id INTEGER NOT NULL,
            user2_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (user1_id, user2_id)
        )",
            "CREATE INDEX ix_private_u1 ON private_chat (user1_id, thread_id)",
            "CREATE INDEX ix_private_u2 ON private_chat (user2_id, thread_id)",
            "CREATE TABLE chat_message (
            message_id INTEGER PRIMARY KEY AUTOINCREMENT,
            thread_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            sender_id INTEGER NOT NULL,
            recv_id INTEGER NOT NULL,
            unique_id TEXT NOT NULL,
            content TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            status INTEGER NOT NULL DEFAULT 0,
            msg_type INTEGER NOT NULL DEFAULT 0,
            UNIQUE (thread_id, seq),
            UNIQUE (sender_id, unique_id)
        )",
        ],
    },
    // Which form of the password a hash was made from (`PwdForm`): rows from before are
    // `Unknown` (imchat's clients then sent the typed password, llfc's the obfuscated one).
    Migration {
        version: 2,
        mysql: &["ALTER TABLE user ADD COLUMN pwd_form BIGINT NOT NULL DEFAULT 0"],
        sqlite: &["ALTER TABLE user ADD COLUMN pwd_form INTEGER NOT NULL DEFAULT 0"],
    },
    // Groups (`sql/groups.rs`): llfc's `group_chat` and `group_chat_member` names, with what
    // imchat keeps of them; a message's @mentions, on the row (read with it) and one row per
    // mentioned member (counted in sync).
    Migration {
        version: 3,
        mysql: &[
            mysql_table!(
                "CREATE TABLE group_chat (
                thread_id BIGINT NOT NULL PRIMARY KEY,
                name VARCHAR(255) NOT NULL,
                announcement TEXT NOT NULL,
                owner_id BIGINT NOT NULL,
                invite BIGINT NOT NULL DEFAULT 0,
                members BIGINT NOT NULL DEFAULT 0,
                disbanded BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            )"
            ),
            mysql_table!(
                "CREATE TABLE group_chat_member (
                thread_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                role BIGINT NOT NULL DEFAULT 0,
                muted BIGINT NOT NULL DEFAULT 0,
                joined_seq BIGINT NOT NULL DEFAULT 0,
                joined_at BIGINT NOT NULL,
                PRIMARY KEY (thread_id, user_id),
                KEY ix_member_user (user_id, thread_id)
            )"
            ),
            mysql_table!(
                "CREATE TABLE chat_mention (
                user_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                PRIMARY KEY (user_id, thread_id, seq)
            )"
            ),
            "ALTER TABLE chat_message ADD COLUMN mentions VARCHAR(1024) NOT NULL DEFAULT ''",
        ],
        sqlite: &[
            "CREATE TABLE group_chat (
            thread_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            announcement TEXT NOT NULL,
            owner_id INTEGER NOT NULL,
            invite INTEGER NOT NULL DEFAULT 0,
            members INTEGER NOT NULL DEFAULT 0,
            disbanded INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        )",
            "CREATE TABLE group_chat_member (
            thread_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            role INTEGER NOT NULL DEFAULT 0,
            muted INTEGER NOT NULL DEFAULT 0,
            joined_seq INTEGER NOT NULL DEFAULT 0,
            joined_at INTEGER NOT NULL,
            PRIMARY KEY (thread_id, user_id)
        )",
            "CREATE INDEX ix_member_user ON group_chat_member (user_id, thread_id)",
            "CREATE TABLE chat_mention (
            user_id INTEGER NOT NULL,
            thread_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (user_id, thread_id, seq)
        )",
            "ALTER TABLE chat_message ADD COLUMN mentions TEXT NOT NULL DEFAULT ''",
        ],
    },
    // Files of the resource server: one row per unique name (avatars and chat files), the
    // bytes under `storage_key` in the configured storage. `size` is -1 until announced.
    Migration {
        version: 4,
        mysql: &[mysql_table!(
            "CREATE TABLE chat_file (
                name VARCHAR(96) NOT NULL PRIMARY KEY,
                storage_key VARCHAR(128) NOT NULL,
                owner_id BIGINT NOT NULL,
                kind BIGINT NOT NULL,
                message_id BIGINT NOT NULL DEFAULT 0,
                thread_id BIGINT NOT NULL DEFAULT 0,
                msg_type BIGINT NOT NULL DEFAULT 0,
                size BIGINT NOT NULL DEFAULT -1,
                md5 VARCHAR(32) NOT NULL DEFAULT '',
                sha256 VARCHAR(64) NOT NULL DEFAULT '',
                mime VARCHAR(127) NOT NULL DEFAULT '',
                label VARCHAR(255) NOT NULL DEFAULT '',
                thumb_size BIGINT NOT NULL DEFAULT 0,
                complete BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                completed_at BIGINT NOT NULL DEFAULT 0,
                KEY ix_file_owner (owner_id, kind),
                KEY ix_file_message (message_id)
            )"
        )],
        sqlite: &[
            "CREATE TABLE chat_file (
            name TEXT NOT NULL PRIMARY KEY,
            storage_key TEXT NOT NULL,
            owner_id INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            message_id INTEGER NOT NULL DEFAULT 0,
            thread_id INTEGER NOT NULL DEFAULT 0,
            msg_type INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL DEFAULT -1,
            md5 TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL DEFAULT '',
            mime TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            thumb_size INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            completed_at INTEGER NOT NULL DEFAULT 0
        )",
            "CREATE INDEX ix_file_owner ON chat_file (owner_id, kind)",
            "CREATE INDEX ix_file_message ON chat_file (message_id)",
        ],
    },
    // Files an operator deleted: their rows are gone, their bytes wait here for a resource
    // server's sweep (the chat server that deleted them holds no storage).
    Migration {
        version: 5,
        mysql: &[mysql_table!(
            "CREATE TABLE file_trash (
                storage_key VARCHAR(128) NOT NULL PRIMARY KEY,
                name VARCHAR(96) NOT NULL,
                deleted_at BIGINT NOT NULL
            )"
        )],
        sqlite: &["CREATE TABLE file_trash (
            storage_key TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            deleted_at INTEGER NOT NULL
        )"],
    },
    // Names whose file was deleted, replaced or swept: never handed out again, so a name a
    // message still carries can never come to mean someone else's bytes (review 3, N6).
    Migration {
        version: 6,
        mysql: &[mysql_table!(
            "CREATE TABLE retired_file (
                name VARCHAR(96) NOT NULL PRIMARY KEY,
                retired_at BIGINT NOT NULL
            )"
        )],
        sqlite: &["CREATE TABLE retired_file (
            name TEXT NOT NULL PRIMARY KEY,
            retired_at INTEGER NOT NULL
        )"],
    },
    // Read markers: how far each user has read each thread, on any device.
    Migration {
        version: 7,
        mysql: &[mysql_table!(
            "CREATE TABLE read_marker (
                user_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, thread_id)
            )"
        )],
        sqlite: &["CREATE TABLE read_marker (
            user_id INTEGER NOT NULL,
            thread_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, thread_id)
        )"],
    },
    // Per-user settings; a user without a row has the defaults.
    Migration {
        version: 8,
        mysql: &[mysql_table!(
            "CREATE TABLE user_setting (
                user_id BIGINT NOT NULL PRIMARY KEY,
                read_receipts SMALLINT NOT NULL
            )"
        )],
        sqlite: &["CREATE TABLE user_setting (
            user_id INTEGER NOT NULL PRIMARY KEY,
            read_receipts INTEGER NOT NULL
        )"],
    },
    // One reaction per user per message (a gesture: its notices are messages of the thread).
    Migration {
        version: 9,
        mysql: &[mysql_table!(
            "CREATE TABLE message_reaction (
                thread_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                emoji VARCHAR(64) NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (thread_id, seq, user_id)
            )"
        )],
        sqlite: &["CREATE TABLE message_reaction (
            thread_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            emoji TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (thread_id, seq, user_id)
        )"],
    },
    // Who blocked whom: a blocked user's requests, texts and mentions do not reach the blocker.
    Migration {
        version: 10,
        mysql: &[mysql_table!(
            "CREATE TABLE user_block (
                user_id BIGINT NOT NULL,
                blocked_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, blocked_id)
            )"
        )],
        sqlite: &["CREATE TABLE user_block (
            user_id INTEGER NOT NULL,
            blocked_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, blocked_id)
        )"],
    },
    // Who sees a user online and when they were last seen (0 nobody, 1 friends, 2 everyone).
    Migration {
        version: 11,
        mysql: &[
            "ALTER TABLE user_setting ADD COLUMN presence BIGINT NOT NULL DEFAULT 1",
            "ALTER TABLE user_setting ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0",
        ],
        sqlite: &[
            "ALTER TABLE user_setting ADD COLUMN presence INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE user_setting ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0",
        ],
    },
    // Replies and forwards: what a message quotes (a seq of its thread) and whose message it
    // copies. Forwarded files share their bytes: the storage key is looked up before it is
    // trashed. `FORCE` rebuilds the table (online, once, at the upgrade) rather than adding
    // the columns instantly: W4 measured about 5% slower on a table with instantly added
    // columns (MariaDB 10.11, docs/BENCHMARKS.md), a cost every text would pay for good.
    Migration {
        version: 12,
        mysql: &[
            "ALTER TABLE chat_message ADD COLUMN reply_seq BIGINT NOT NULL DEFAULT 0, \
             ADD COLUMN forwarded_from BIGINT NOT NULL DEFAULT 0, FORCE",
            "CREATE INDEX ix_file_key ON chat_file (storage_key)",
        ],
        sqlite: &[
            "ALTER TABLE chat_message ADD COLUMN reply_seq INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE chat_message ADD COLUMN forwarded_from INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX ix_file_key ON chat_file (storage_key)",
        ],
    },
];

/// The procedure behind [`STORE_MESSAGE_PROCEDURE`]; a changed body gets a new name.
pub(crate) const STORE_MESSAGE: &str = "imchat_store_message_v1";

/// Stores one message in one round trip instead of four (begin; reserve the thread's `seq`;
/// insert; commit): the unloaded send, where those round trips are most of the latency.
/// Mirrors `reserve_seqs` and `insert_rows`; returns (message id, seq), or (0, 0) when the
/// thread does not exist. Any error, a resend's duplicate key included, rolls back and is
/// raised again as it was. `SQL SECURITY INVOKER`: it runs with the caller's rights, so it
/// keeps working whoever created it. String parameters name their character set, or they
/// would take the database's default and could mangle what they carry. Not a migration: an
/// account without `CREATE ROUTINE` still runs, on the four round trips.
const STORE_MESSAGE_PROCEDURE: &str = "CREATE PROCEDURE imchat_store_message_v1(
    IN p_thread BIGINT, IN p_sender BIGINT, IN p_recv BIGINT,
    IN p_unique VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    IN p_content TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    IN p_created BIGINT, IN p_status BIGINT, IN p_type BIGINT)
MODIFIES SQL DATA SQL SECURITY INVOKER
store: BEGIN
    DECLARE v_seq BIGINT;
    DECLARE v_id BIGINT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    UPDATE chat_thread SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE id = p_thread;
    IF ROW_COUNT() <> 1 THEN
        ROLLBACK;
        SELECT 0, 0;
        LEAVE store;
    END IF;
    SET v_seq = LAST_INSERT_ID();
    INSERT INTO chat_message (thread_id, seq, sender_id, recv_id, unique_id, content, created_at, status, msg_type)
        VALUES (p_thread, v_seq, p_sender, p_recv, p_unique, p_content, p_created, p_status, p_type);
    SET v_id = LAST_INSERT_ID();
    COMMIT;
    SELECT v_id, v_seq;
END store";

/// How long a process waits for another one's migration to finish.
const MIGRATION_LOCK_SECS: i64 = 60;

/// Brings the schema up to date; on MySQL also makes sure of the [`STORE_MESSAGE`] procedure
/// and says whether it can be used.
pub(crate) async fn migrate(db: &Db) -> Result<bool, StoreError> {
    let mut conn = db.pool.acquire().await?;
    if db.dialect == Dialect::MySql {
        let got: Option<i64> = sqlx::query("SELECT GET_LOCK('imchat_migrate', ?)")
            .bind(MIGRATION_LOCK_SECS)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if got != Some(1) {
            return Err(StoreError::Migrate("timed out waiting for another process's migration".into()));
        }
    }
    let mut result = apply(db.dialect, &mut conn).await.map(|()| false);
    if db.dialect == Dialect::MySql {
        if result.is_ok() {
            result = Ok(store_message_procedure(&mut conn).await);
        }
        conn.execute("DO RELEASE_LOCK('imchat_migrate')").await?;
    }
    result
}

/// Creates the [`STORE_MESSAGE`] procedure unless it exists. `false` (with a warning) when it
/// cannot: lone messages then take the four round trips.
async fn store_message_procedure(conn: &mut sqlx::AnyConnection) -> bool {
    let exists = sqlx::query(
        "SELECT COUNT(*) FROM information_schema.ROUTINES \
         WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = ? AND ROUTINE_TYPE = 'PROCEDURE'",
    )
    .bind(STORE_MESSAGE)
    .fetch_one(&mut *conn)
    .await
    .and_then(|row| row.try_get::<i64, _>(0));
    let created = match exists {
        Ok(0) => conn.execute(STORE_MESSAGE_PROCEDURE).await.map(|_| ()),
        Ok(_) => Ok(()),
        Err(err) => Err(err),
    };
    if let Err(err) = &created {
        tracing::warn!(
            %err,
            "cannot create the {STORE_MESSAGE} procedure (the account needs CREATE ROUTINE and EXECUTE): \
             lone messages take four round trips instead of one"
        );
    }
    created.is_ok()
}

async fn apply(dialect: Dialect, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY)").await?;
    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        let statements = match dialect {
            Dialect::MySql => migration.mysql,
            Dialect::Sqlite => migration.sqlite,
        };
        for statement in statements {
            conn.execute(*statement)
                .await
                .map_err(|err| StoreError::Migrate(format!("migration {} failed: {err}", migration.version)))?;
        }
        sqlx::query("INSERT INTO schema_migrations (version) VALUES (?)")
            .bind(migration.version)
            .execute(&mut *conn)
            .await?;
        tracing::info!(version = migration.version, "applied schema migration");
    }
    Ok(())
}
