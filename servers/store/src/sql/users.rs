//! Accounts: registration with a uid from the `user_id` sequence, lookups, password reset.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;
use crate::sql::{Db, is_unique_violation};

/// A stored account. `pwd` is the argon2id PHC string; it never leaves the server, and is
/// never serialized (a deserialized `User` has an empty one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub uid: i32,
    pub name: String,
    pub email: String,
    #[serde(skip)]
    pub pwd: String,
    /// What `pwd` is a hash of.
    #[serde(skip)]
    pub pwd_form: PwdForm,
    pub nick: String,
    pub desc: String,
    pub sex: i32,
    pub icon: String,
}

/// Which form of the password a stored hash was made from. Every client now sends llfc's
/// obfuscated form (`imchat_proto::credential`); before, imchat's clients sent the typed
/// password and llfc's the obfuscated one, so an older hash may be of either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PwdForm {
    /// Made before the forms were one: the gate also tries the other form once, and on a match
    /// re-hashes what the client sent ([`Db::upgrade_password`]).
    #[default]
    Unknown,
    /// llfc's form, as every client sends it now.
    Llfc,
}

impl PwdForm {
    fn from_column(value: i64) -> PwdForm {
        if value == 1 { PwdForm::Llfc } else { PwdForm::Unknown }
    }
}

/// The `pwd_form` value of new hashes.
const PWD_FORM_LLFC: i64 = 1;

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub pwd_hash: &'a str,
    pub icon: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    Ok(i32),
    EmailTaken,
    NameTaken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordReset {
    Ok,
    NoSuchUser,
    EmailMismatch,
}

pub(crate) const USER_COLUMNS: &str = "uid, name, email, pwd, pwd_form, nick, `desc`, sex, icon";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        uid: int(row, "uid")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        pwd: row.try_get("pwd")?,
        pwd_form: PwdForm::from_column(row.try_get("pwd_form")?),
        nick: row.try_get("nick")?,
        desc: row.try_get("desc")?,
        sex: int(row, "sex")?,
        icon: row.try_get("icon")?,
    })
}

/// Reads a BIGINT column that holds a 32-bit id.
pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i32, sqlx::Error> {
    let value: i64 = row.try_get(column)?;
    i32::try_from(value).map_err(|err| sqlx::Error::ColumnDecode { index: column.to_owned(), source: err.into() })
}

/// A user's settings; a user who never set one has the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Whether the other member of a private chat sees how far this user has read it.
    pub read_receipts: bool,
    /// Who sees this user online and when they were last seen.
    pub presence: Visibility,
    /// When this user's last session ended (epoch ms; 0: never known).
    pub last_seen: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { read_receipts: true, presence: Visibility::Friends, last_seen: 0 }
    }
}

/// Who sees a user's presence (online, last seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Nobody,
    Friends,
    Everyone,
}

impl Visibility {
    fn code(self) -> i64 {
        match self {
            Visibility::Nobody => 0,
            Visibility::Friends => 1,
            Visibility::Everyone => 2,
        }
    }

    fn from_code(code: i64) -> Visibility {
        match code {
            0 => Visibility::Nobody,
            2 => Visibility::Everyone,
            _ => Visibility::Friends,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Nobody => "nobody",
            Visibility::Friends => "friends",
            Visibility::Everyone => "everyone",
        }
    }
}

impl std::str::FromStr for Visibility {
    type Err = ();

    fn from_str(text: &str) -> Result<Visibility, ()> {
        match text {
            "nobody" => Ok(Visibility::Nobody),
            "friends" => Ok(Visibility::Friends),
            "everyone" => Ok(Visibility::Everyone),
            _ => Err(()),
        }
    }
}

fn settings_from_row(row: &sqlx::any::AnyRow) -> Result<Settings, sqlx::Error> {
    Ok(Settings {
        read_receipts: row.try_get::<i64, _>("read_receipts")? != 0,
        presence: Visibility::from_code(row.try_get("presence")?),
        last_seen: row.try_get("last_seen")?,
    })
}

impl Db {
    /// `uid`'s settings.
    pub async fn settings(&self, uid: i32) -> Result<Settings, StoreError> {
        let row = sqlx::query("SELECT read_receipts, presence, last_seen FROM user_setting WHERE user_id = ?")
            .bind(i64::from(uid))
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(settings_from_row(&row)?),
            None => Ok(Settings::default()),
        }
    }

    /// The settings of each of `uids` (the defaults for those who never set one).
    pub async fn settings_of(&self, uids: &[i32]) -> Result<HashMap<i32, Settings>, StoreError> {
        let mut found: HashMap<i32, Settings> = uids.iter().map(|uid| (*uid, Settings::default())).collect();
        for chunk in uids.chunks(crate::sql::chats::SYNC_CHUNK) {
            let sql = format!(
                "SELECT user_id, read_receipts, presence, last_seen FROM user_setting WHERE user_id IN ({})",
                crate::sql::placeholders(chunk.len(), "?")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for uid in chunk {
                query = query.bind(i64::from(*uid));
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(int(&row, "user_id")?, settings_from_row(&row)?);
            }
        }
        Ok(found)
    }

    /// Who sees `uid`'s presence; returns the settings as stored.
    pub async fn set_presence(&self, uid: i32, who: Visibility) -> Result<Settings, StoreError> {
        self.upsert_setting(uid, "presence", who.code()).await?;
        self.settings(uid).await
    }

    /// `uid`'s last session ended at `at_ms`.
    pub async fn set_last_seen(&self, uid: i32, at_ms: i64) -> Result<(), StoreError> {
        self.upsert_setting(uid, "last_seen", at_ms).await
    }

    /// Sets one column of `uid`'s settings row, making the row with the defaults if needed.
    async fn upsert_setting(&self, uid: i32, column: &'static str, value: i64) -> Result<(), StoreError> {
        let sql = match self.dialect {
            crate::sql::Dialect::MySql => format!(
                "INSERT INTO user_setting (user_id, read_receipts, {column}) VALUES (?, 1, ?) \
                 ON DUPLICATE KEY UPDATE {column} = VALUES({column})"
            ),
            crate::sql::Dialect::Sqlite => format!(
                "INSERT INTO user_setting (user_id, read_receipts, {column}) VALUES (?, 1, ?) \
                 ON CONFLICT (user_id) DO UPDATE SET {column} = excluded.{column}"
            ),
        };
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(uid)).bind(value).execute(&self.pool).await?;
        Ok(())
    }

    /// Turns `uid`'s read receipts on or off; returns the settings as stored.
    pub async fn set_read_receipts(&self, uid: i32, on: bool) -> Result<Settings, StoreError> {
        let upsert = match self.dialect {
            crate::sql::Dialect::MySql => {
                "INSERT INTO user_setting (user_id, read_receipts) VALUES (?, ?) \
                 ON DUPLICATE KEY UPDATE read_receipts = VALUES(read_receipts)"
            }
            crate::sql::Dialect::Sqlite => {
                "INSERT INTO user_setting (user_id, read_receipts) VALUES (?, ?) \
                 ON CONFLICT (user_id) DO UPDATE SET read_receipts = excluded.read_receipts"
            }
        };
        sqlx::query(upsert).bind(i64::from(uid)).bind(i64::from(on)).execute(&self.pool).await?;
        self.settings(uid).await
    }

    /// Registers a user. Email is checked before name, as in llfc; the unique keys make the
    /// checks race-free.
    pub async fn register(&self, user: &NewUser<'_>) -> Result<Registered, StoreError> {
        let mut tx = self.begin().await?;
        // The write comes first so SQLite takes its lock up front and MySQL serialises uids.
        sqlx::query("UPDATE user_id SET id = id + 1").execute(&mut *tx).await?;
        let uid: i64 = sqlx::query("SELECT id FROM user_id").fetch_one(&mut *tx).await?.try_get(0)?;
        if sqlx::query("SELECT 1 FROM user WHERE email = ?").bind(user.email).fetch_optional(&mut *tx).await?.is_some()
        {
            return Ok(Registered::EmailTaken);
        }
        if sqlx::query("SELECT 1 FROM user WHERE name = ?").bind(user.name).fetch_optional(&mut *tx).await?.is_some() {
            return Ok(Registered::NameTaken);
        }
        let inserted =
            sqlx::query("INSERT INTO user (uid, name, email, pwd, pwd_form, nick, icon) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(uid)
                .bind(user.name)
                .bind(user.email)
                .bind(user.pwd_hash)
                .bind(PWD_FORM_LLFC)
                .bind(user.name)
                .bind(user.icon)
                .execute(&mut *tx)
                .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                Ok(Registered::Ok(i32::try_from(uid).map_err(|_| StoreError::Exhausted("uid"))?))
            }
            // A concurrent registration took the name or email between the check and insert.
            Err(err) if is_unique_violation(&err) => Ok(Registered::NameTaken),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user WHERE email = ?"));
        let row = sqlx::query(sql).bind(email).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    pub async fn user_by_uid(&self, uid: i32) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user WHERE uid = ?"));
        let row = sqlx::query(sql).bind(i64::from(uid)).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM user WHERE name = ?"));
        let row = sqlx::query(sql).bind(name).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    /// Sets a new password hash for `name`, if `email` is that user's email.
    pub async fn reset_password(&self, name: &str, email: &str, pwd_hash: &str) -> Result<PasswordReset, StoreError> {
        let Some(user) = self.user_by_name(name).await? else {
            return Ok(PasswordReset::NoSuchUser);
        };
        if user.email != email {
            return Ok(PasswordReset::EmailMismatch);
        }
        sqlx::query("UPDATE user SET pwd = ?, pwd_form = ? WHERE uid = ?")
            .bind(pwd_hash)
            .bind(PWD_FORM_LLFC)
            .bind(i64::from(user.uid))
            .execute(&self.pool)
            .await?;
        Ok(PasswordReset::Ok)
    }

    /// Replaces an [`PwdForm::Unknown`] hash, still `old_hash`, by `new_hash` of llfc's form.
    /// False when the hash changed meanwhile (a reset won the race) and nothing was written.
    pub async fn upgrade_password(&self, uid: i32, old_hash: &str, new_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE user SET pwd = ?, pwd_form = ? WHERE uid = ? AND pwd = ?")
            .bind(new_hash)
            .bind(PWD_FORM_LLFC)
            .bind(i64::from(uid))
            .bind(old_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Creates `count` accounts named `<prefix>_<n>` with email `<prefix>.<n>@bench.invalid`,
    /// all with `pwd_hash` (of llfc's form), in batched inserts; returns the first uid (they are consecutive).
    /// For load tests, which need more accounts than the register path makes in reasonable
    /// time. Fails without creating anything if a name or email of the range exists.
    pub async fn seed_users(&self, prefix: &str, count: u32, pwd_hash: &str) -> Result<i32, StoreError> {
        let mut tx = self.begin().await?;
        let count_i64 = i64::from(count);
        sqlx::query("UPDATE user_id SET id = id + ?").bind(count_i64).execute(&mut *tx).await?;
        let last: i64 = sqlx::query("SELECT id FROM user_id").fetch_one(&mut *tx).await?.try_get(0)?;
        let first = last - count_i64 + 1;
        i32::try_from(last).map_err(|_| StoreError::Exhausted("uid"))?;
        let mut n = 0u32;
        while n < count {
            let rows = (count - n).min(SEED_CHUNK);
            let values = vec!["(?, ?, ?, ?, 1, ?, '')"; rows as usize].join(", ");
            let sql = sqlx::AssertSqlSafe(format!(
                "INSERT INTO user (uid, name, email, pwd, pwd_form, nick, icon) VALUES {values}"
            ));
            let mut query = sqlx::query(sql);
            for k in n..n + rows {
                let name = format!("{prefix}_{k}");
                query = query
                    .bind(first + i64::from(k))
                    .bind(name.clone())
                    .bind(format!("{prefix}.{k}@bench.invalid"))
                    .bind(pwd_hash.to_owned())
                    .bind(name);
            }
            query.execute(&mut *tx).await?;
            n += rows;
        }
        tx.commit().await?;
        i32::try_from(first).map_err(|_| StoreError::Exhausted("uid"))
    }
}

/// Accounts per multi-row insert when seeding (a bounded statement size; 5 parameters each).
pub const SEED_CHUNK: u32 = 500;
