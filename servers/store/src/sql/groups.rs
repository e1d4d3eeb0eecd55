//! Groups. A group is a thread (`chat_thread.type = 'group'`) with a row in `group_chat` and
//! a row per member in `group_chat_member` (llfc's tables, which llfc never wrote). Every
//! change is one transaction that locks the group row, checks that the actor may make it,
//! changes the membership and stores the system message that tells the thread, so the
//! thread's `seq` orders changes and texts alike. A member reads the thread from the seq they
//! joined at (`joined_seq`). Refusals are values ([`Refusal`]); `StoreError` is for failures.

use std::collections::{HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::StoreError;
use crate::sql::chats::{MSG_TYPE_SYSTEM, NewMsg, StoredMsg, insert_messages};
use crate::sql::users::int;
use crate::sql::{Db, Dialect, placeholders};

/// A member's role: llfc's `role` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member = 0,
    Admin = 1,
    Owner = 2,
}

impl Role {
    fn from_i64(value: i64) -> Role {
        match value {
            2 => Role::Owner,
            1 => Role::Admin,
            _ => Role::Member,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

/// Who may invite: every member (each their own friends), or admins only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InvitePolicy {
    #[default]
    Members = 0,
    Admins = 1,
}

impl InvitePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitePolicy::Members => "members",
            InvitePolicy::Admins => "admins",
        }
    }
}

/// A group's own row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub thread_id: i64,
    pub name: String,
    pub announcement: String,
    pub owner: i32,
    pub invite: InvitePolicy,
    pub members: i64,
    pub disbanded: bool,
    pub created_at: i64,
    pub last_seq: i64,
}

/// One member of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberRow {
    pub uid: i32,
    pub role: Role,
    /// The member muted the group for themselves: no badge, no notification.
    pub muted: bool,
    /// The thread's seq when they joined: they read what comes after it.
    pub joined_seq: i64,
    pub joined_at: i64,
}

/// A group and all its members (at most the member cap), by uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub row: GroupRow,
    pub members: Vec<MemberRow>,
}

impl Group {
    pub fn member(&self, uid: i32) -> Option<&MemberRow> {
        self.members.binary_search_by_key(&uid, |m| m.uid).ok().map(|i| &self.members[i])
    }

    pub fn uids(&self) -> impl Iterator<Item = i32> + '_ {
        self.members.iter().map(|m| m.uid)
    }
}

/// A member as a member list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub member: MemberRow,
    pub name: String,
    pub nick: String,
    pub icon: String,
}

/// What a change does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Adds these users (the actor's friends) as members; members already in are skipped.
    Invite(Vec<i32>),
    /// The actor leaves; an owner hands the group to the longest-standing admin (or member),
    /// and the last member's leaving disbands it.
    Leave,
    /// An admin removes a member (an owner also an admin; nobody the owner).
    Remove(i32),
    /// The owner makes a member an admin (`Admin`) or a member again (`Member`), or hands the
    /// group over (`Owner`: the actor becomes an admin).
    SetRole(i32, Role),
    Rename(String),
    Announce(String),
    SetInvite(InvitePolicy),
    /// The owner (or an operator) closes the group: it can be read, not written to.
    Disband,
    /// A member mutes or unmutes the group for themselves (no system message).
    Mute(bool),
}

/// Why a change or a send was refused: nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoSuchGroup,
    /// The actor is not a member.
    NotMember,
    NotAdmin,
    NotOwner,
    /// The change would take the group past its member cap.
    Full,
    Disbanded,
    /// An invited user is not the actor's friend.
    NotFriend,
    /// The user named is not a member.
    NoSuchMember,
    /// A change that makes no sense (removing oneself, an empty invite, making the owner an
    /// admin).
    Invalid,
}

/// What a change or a creation told the thread, for the chat server to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The group after the change.
    pub group: Group,
    /// The system message stored (none for a mute).
    pub system: Option<StoredMsg>,
    /// Everyone to tell: the members before and after (a removed member hears of it).
    pub audience: Vec<i32>,
}

/// The facts of a change, for the caller to word its system message (the chat server writes
/// the wire's event JSON); names are those at the time of the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    /// `create`, `invite`, `leave`, `remove`, `admin`, `unadmin`, `owner`, `rename`,
    /// `announce`, `invite_policy`, `disband`.
    pub kind: &'static str,
    /// The actor (0: an operator), and their name.
    pub by: (i32, &'a str),
    /// Whom it concerns.
    pub targets: Vec<(i32, &'a str)>,
    /// The new name, announcement or invite policy.
    pub text: &'a str,
}

/// Words an [`Event`] as a system message's content.
pub type Render<'r> = &'r (dyn Fn(&Event<'_>) -> String + Send + Sync);

/// Who acts: a member, or an operator (through the admin service: may disband any group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(i32),
    Operator,
}

impl Actor {
    fn uid(self) -> i32 {
        match self {
            Actor::User(uid) => uid,
            Actor::Operator => 0,
        }
    }
}

/// Uids per friendship check, and member rows per INSERT: far below SQLite's and MySQL's
/// placeholder limits.
const FRIEND_CHECK_CHUNK: usize = 500;
const MEMBER_INSERT_CHUNK: usize = 200;

const GROUP_COLUMNS: &str = "g.thread_id, g.name, g.announcement, g.owner_id, g.invite, g.members, g.disbanded, \
                             g.created_at, t.last_seq";

fn group_from_row(row: &AnyRow) -> Result<GroupRow, sqlx::Error> {
    Ok(GroupRow {
        thread_id: row.try_get("thread_id")?,
        name: row.try_get("name")?,
        announcement: row.try_get("announcement")?,
        owner: int(row, "owner_id")?,
        invite: if row.try_get::<i64, _>("invite")? == 1 { InvitePolicy::Admins } else { InvitePolicy::Members },
        members: row.try_get("members")?,
        disbanded: row.try_get::<i64, _>("disbanded")? != 0,
        created_at: row.try_get("created_at")?,
        last_seq: row.try_get("last_seq")?,
    })
}

fn member_from_row(row: &AnyRow) -> Result<MemberRow, sqlx::Error> {
    Ok(MemberRow {
        uid: int(row, "user_id")?,
        role: Role::from_i64(row.try_get("role")?),
        muted: row.try_get::<i64, _>("muted")? != 0,
        joined_seq: row.try_get("joined_seq")?,
        joined_at: row.try_get("joined_at")?,
    })
}

/// The group row (locked until commit on MySQL; SQLite's `BEGIN IMMEDIATE` already holds the
/// write lock) and its members.
pub(super) async fn lock_group(
    tx: &mut Transaction<'static, Any>,
    thread_id: i64,
    dialect: Dialect,
) -> Result<Option<Group>, StoreError> {
    let lock = if dialect == Dialect::MySql { " FOR UPDATE" } else { "" };
    read_group(tx, thread_id, lock).await
}

/// The group row (with `lock` appended to its query) and its members, on `conn`.
async fn read_group(conn: &mut AnyConnection, thread_id: i64, lock: &str) -> Result<Option<Group>, StoreError> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM group_chat g JOIN chat_thread t ON t.id = g.thread_id WHERE g.thread_id = ?{lock}"
    );
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(thread_id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let row = group_from_row(&row)?;
    let members = sqlx::query(
        "SELECT user_id, role, muted, joined_seq, joined_at FROM group_chat_member WHERE thread_id = ? ORDER BY user_id",
    )
    .bind(thread_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(member_from_row)
    .collect::<Result<_, _>>()?;
    Ok(Some(Group { row, members }))
}

/// Names of `uids`, for system messages.
async fn names_in(tx: &mut Transaction<'static, Any>, uids: &[i32]) -> Result<HashMap<i32, String>, StoreError> {
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT uid, name FROM user WHERE uid IN ({})", placeholders(uids.len(), "?"));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for uid in uids {
        query = query.bind(i64::from(*uid));
    }
    let mut names = HashMap::with_capacity(uids.len());
    for row in query.fetch_all(&mut **tx).await? {
        names.insert(int(&row, "uid")?, row.try_get("name")?);
    }
    Ok(names)
}

/// Which of `uids` are `of`'s friends.
async fn friends_among(tx: &mut Transaction<'static, Any>, of: i32, uids: &[i32]) -> Result<HashSet<i32>, StoreError> {
    let mut found = HashSet::new();
    for chunk in uids.chunks(FRIEND_CHECK_CHUNK) {
        let sql = format!(
            "SELECT friend_id FROM friend WHERE self_id = ? AND friend_id IN ({})",
            placeholders(chunk.len(), "?")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(of));
        for uid in chunk {
            query = query.bind(i64::from(*uid));
        }
        for row in query.fetch_all(&mut **tx).await? {
            found.insert(int(&row, "friend_id")?);
        }
    }
    Ok(found)
}

/// Stores the system message of `event` in the thread; returns it.
async fn system_message(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    thread_id: i64,
    event: &Event<'_>,
    render: Render<'_>,
    now_ms: i64,
) -> Result<StoredMsg, StoreError> {
    let msg =
        NewMsg { msg_type: MSG_TYPE_SYSTEM, ..NewMsg::text(thread_id, event.by.0, 0, "", &render(event), now_ms) };
    insert_messages(tx, &[msg], dialect).await?.pop().ok_or(StoreError::NotFound("system message"))
}

async fn add_members(
    tx: &mut Transaction<'static, Any>,
    thread_id: i64,
    members: &[(i32, Role)],
    joined_seq: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    for chunk in members.chunks(MEMBER_INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO group_chat_member (thread_id, user_id, role, muted, joined_seq, joined_at) VALUES {}",
            placeholders(chunk.len(), "(?, ?, ?, 0, ?, ?)")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (uid, role) in chunk {
            query = query.bind(thread_id).bind(i64::from(*uid)).bind(*role as i64).bind(joined_seq).bind(now_ms);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn set_role(tx: &mut Transaction<'static, Any>, thread_id: i64, uid: i32, role: Role) -> Result<(), StoreError> {
    sqlx::query("UPDATE group_chat_member SET role = ? WHERE thread_id = ? AND user_id = ?")
        .bind(role as i64)
        .bind(thread_id)
        .bind(i64::from(uid))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn remove_member(tx: &mut Transaction<'static, Any>, thread_id: i64, uid: i32) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM group_chat_member WHERE thread_id = ? AND user_id = ?")
        .bind(thread_id)
        .bind(i64::from(uid))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets one text or integer column of `group_chat`.
async fn set_group(
    tx: &mut Transaction<'static, Any>,
    thread_id: i64,
    column: &'static str,
    value: GroupValue<'_>,
) -> Result<(), StoreError> {
    let sql = format!("UPDATE group_chat SET {column} = ? WHERE thread_id = ?");
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match value {
        GroupValue::Text(text) => query.bind(text.to_owned()),
        GroupValue::Int(n) => query.bind(n),
    };
    query.bind(thread_id).execute(&mut **tx).await?;
    Ok(())
}

enum GroupValue<'a> {
    Text(&'a str),
    Int(i64),
}

/// The members a change adds, or why it may not: `invite` of `actor` into `group`.
fn invitees(group: &Group, actor: &MemberRow, uids: &[i32], cap: usize) -> Result<Vec<i32>, Refusal> {
    if group.row.invite == InvitePolicy::Admins && actor.role < Role::Admin {
        return Err(Refusal::NotAdmin);
    }
    let mut new: Vec<i32> = uids.iter().copied().filter(|uid| group.member(*uid).is_none()).collect();
    new.sort_unstable();
    new.dedup();
    if group.members.len() + new.len() > cap {
        return Err(Refusal::Full);
    }
    Ok(new)
}

/// Who takes an owner's place when they leave: the longest-standing admin, else member.
fn successor(group: &Group, leaving: i32) -> Option<i32> {
    let rest = group.members.iter().filter(|m| m.uid != leaving);
    rest.max_by_key(|m| (m.role == Role::Admin, std::cmp::Reverse((m.joined_at, m.uid)))).map(|m| m.uid)
}

impl Db {
    /// Creates a group of `owner` and `members` (the owner's friends), with its first system
    /// message. The owner counts towards `cap`.
    pub async fn create_group(
        &self,
        owner: i32,
        name: &str,
        members: &[i32],
        cap: usize,
        render: Render<'_>,
        now_ms: i64,
    ) -> Result<Result<Changed, Refusal>, StoreError> {
        let mut others: Vec<i32> = members.iter().copied().filter(|uid| *uid != owner).collect();
        others.sort_unstable();
        others.dedup();
        if others.len() + 1 > cap {
            return Ok(Err(Refusal::Full));
        }
        let mut tx = self.begin().await?;
        if friends_among(&mut tx, owner, &others).await?.len() != others.len() {
            return Ok(Err(Refusal::NotFriend));
        }
        let created = sqlx::query("INSERT INTO chat_thread (type, created_at, last_seq) VALUES ('group', ?, 0)")
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        let thread_id = match created.last_insert_id() {
            Some(id) => id,
            None => sqlx::query("SELECT last_insert_rowid()").fetch_one(&mut *tx).await?.try_get(0)?,
        };
        sqlx::query(
            "INSERT INTO group_chat (thread_id, name, announcement, owner_id, invite, members, disbanded, created_at) \
             VALUES (?, ?, '', ?, 0, ?, 0, ?)",
        )
        .bind(thread_id)
        .bind(name.to_owned())
        .bind(i64::from(owner))
        .bind(others.len() as i64 + 1)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let mut involved = others.clone();
        involved.push(owner);
        let names = names_in(&mut tx, &involved).await?;
        let name_of = |uid: i32| names.get(&uid).map_or("", String::as_str);
        let event = Event {
            kind: "create",
            by: (owner, name_of(owner)),
            targets: others.iter().map(|uid| (*uid, name_of(*uid))).collect(),
            text: name,
        };
        let system = system_message(&mut tx, self.dialect, thread_id, &event, render, now_ms).await?;
        let mut rows: Vec<(i32, Role)> = others.iter().map(|uid| (*uid, Role::Member)).collect();
        rows.push((owner, Role::Owner));
        add_members(&mut tx, thread_id, &rows, system.seq - 1, now_ms).await?;
        let group = lock_group(&mut tx, thread_id, self.dialect).await?.ok_or(StoreError::NotFound("group"))?;
        tx.commit().await?;
        let audience = group.uids().collect();
        Ok(Ok(Changed { group, system: Some(system), audience }))
    }

    /// Makes `change` to group `thread_id` as `actor`, within `cap` members.
    pub async fn change_group(
        &self,
        thread_id: i64,
        actor: Actor,
        change: &Change,
        cap: usize,
        render: Render<'_>,
        now_ms: i64,
    ) -> Result<Result<Changed, Refusal>, StoreError> {
        let mut tx = self.begin().await?;
        let Some(before) = lock_group(&mut tx, thread_id, self.dialect).await? else {
            return Ok(Err(Refusal::NoSuchGroup));
        };
        let refused = |refusal| Ok(Err(refusal));
        let me = match actor {
            Actor::User(uid) => match before.member(uid) {
                Some(member) => Some(*member),
                None => return refused(Refusal::NotMember),
            },
            Actor::Operator => None,
        };
        if before.row.disbanded && !matches!(change, Change::Mute(_) | Change::Leave) {
            return refused(Refusal::Disbanded);
        }
        let role = me.map_or(Role::Owner, |m| m.role);
        let admin = role >= Role::Admin;
        let owner = role == Role::Owner;
        let target = |uid: i32| before.member(uid).copied();
        let by = actor.uid();
        let mut involved: Vec<i32> = vec![by];
        // What to do, checked; the event it makes.
        let (kind, targets, text): (&'static str, Vec<i32>, String) = match change {
            Change::Mute(muted) => {
                let Some(uid) = me.map(|m| m.uid) else { return refused(Refusal::Invalid) };
                sqlx::query("UPDATE group_chat_member SET muted = ? WHERE thread_id = ? AND user_id = ?")
                    .bind(i64::from(*muted))
                    .bind(thread_id)
                    .bind(i64::from(uid))
                    .execute(&mut *tx)
                    .await?;
                let group = lock_group(&mut tx, thread_id, self.dialect).await?.ok_or(StoreError::NotFound("group"))?;
                tx.commit().await?;
                return Ok(Ok(Changed { group, system: None, audience: vec![uid] }));
            }
            Change::Invite(uids) => {
                let Some(me) = me else { return refused(Refusal::Invalid) };
                let new = match invitees(&before, &me, uids, cap) {
                    Ok(new) if new.is_empty() => return refused(Refusal::Invalid),
                    Ok(new) => new,
                    Err(refusal) => return refused(refusal),
                };
                if friends_among(&mut tx, me.uid, &new).await?.len() != new.len() {
                    return refused(Refusal::NotFriend);
                }
                ("invite", new, String::new())
            }
            Change::Leave => {
                let Some(me) = me else { return refused(Refusal::Invalid) };
                ("leave", vec![me.uid], String::new())
            }
            Change::Remove(uid) => {
                let Some(member) = target(*uid) else { return refused(Refusal::NoSuchMember) };
                if *uid == by || member.role == Role::Owner {
                    return refused(Refusal::Invalid);
                }
                if !admin || (member.role == Role::Admin && !owner) {
                    return refused(if admin { Refusal::NotOwner } else { Refusal::NotAdmin });
                }
                ("remove", vec![*uid], String::new())
            }
            Change::SetRole(uid, new_role) => {
                if !owner || me.is_none() {
                    return refused(if me.is_none() { Refusal::Invalid } else { Refusal::NotOwner });
                }
                let Some(member) = target(*uid) else { return refused(Refusal::NoSuchMember) };
                if *uid == by || member.role == *new_role {
                    return refused(Refusal::Invalid);
                }
                let kind = match new_role {
                    Role::Admin => "admin",
                    Role::Member => "unadmin",
                    Role::Owner => "owner",
                };
                (kind, vec![*uid], String::new())
            }
            Change::Rename(name) => {
                if !admin {
                    return refused(Refusal::NotAdmin);
                }
                ("rename", Vec::new(), name.clone())
            }
            Change::Announce(text) => {
                if !admin {
                    return refused(Refusal::NotAdmin);
                }
                ("announce", Vec::new(), text.clone())
            }
            Change::SetInvite(policy) => {
                if !admin {
                    return refused(Refusal::NotAdmin);
                }
                ("invite_policy", Vec::new(), policy.as_str().to_owned())
            }
            Change::Disband => {
                if !owner {
                    return refused(Refusal::NotOwner);
                }
                ("disband", Vec::new(), String::new())
            }
        };
        involved.extend(&targets);
        let names = names_in(&mut tx, &involved).await?;
        let name_of = |uid: i32| names.get(&uid).map_or("", String::as_str);
        let event = Event {
            kind,
            by: (by, name_of(by)),
            targets: targets.iter().map(|uid| (*uid, name_of(*uid))).collect(),
            text: &text,
        };
        let system = system_message(&mut tx, self.dialect, thread_id, &event, render, now_ms).await?;
        let mut count = before.members.len() as i64;
        match change {
            Change::Invite(_) => {
                let rows: Vec<(i32, Role)> = targets.iter().map(|uid| (*uid, Role::Member)).collect();
                add_members(&mut tx, thread_id, &rows, system.seq - 1, now_ms).await?;
                count += rows.len() as i64;
            }
            Change::Leave | Change::Remove(_) => {
                let gone = targets[0];
                remove_member(&mut tx, thread_id, gone).await?;
                count -= 1;
                if before.row.owner == gone {
                    match successor(&before, gone) {
                        Some(next) => {
                            set_role(&mut tx, thread_id, next, Role::Owner).await?;
                            set_group(&mut tx, thread_id, "owner_id", GroupValue::Int(i64::from(next))).await?;
                        }
                        None => set_group(&mut tx, thread_id, "disbanded", GroupValue::Int(1)).await?,
                    }
                }
            }
            Change::SetRole(uid, Role::Owner) => {
                set_role(&mut tx, thread_id, *uid, Role::Owner).await?;
                set_role(&mut tx, thread_id, by, Role::Admin).await?;
                set_group(&mut tx, thread_id, "owner_id", GroupValue::Int(i64::from(*uid))).await?;
            }
            Change::SetRole(uid, role) => set_role(&mut tx, thread_id, *uid, *role).await?,
            Change::Rename(name) => set_group(&mut tx, thread_id, "name", GroupValue::Text(name)).await?,
            Change::Announce(text) => set_group(&mut tx, thread_id, "announcement", GroupValue::Text(text)).await?,
            Change::SetInvite(policy) => {
                set_group(&mut tx, thread_id, "invite", GroupValue::Int(*policy as i64)).await?
            }
            Change::Disband => set_group(&mut tx, thread_id, "disbanded", GroupValue::Int(1)).await?,
            Change::Mute(_) => unreachable!("handled above"),
        }
        if count != before.members.len() as i64 {
            set_group(&mut tx, thread_id, "members", GroupValue::Int(count)).await?;
        }
        let group = lock_group(&mut tx, thread_id, self.dialect).await?.ok_or(StoreError::NotFound("group"))?;
        tx.commit().await?;
        let mut audience: Vec<i32> = before.uids().chain(group.uids()).collect();
        audience.sort_unstable();
        audience.dedup();
        Ok(Ok(Changed { group, system: Some(system), audience }))
    }

    /// A group and its members.
    pub async fn group(&self, thread_id: i64) -> Result<Option<Group>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_group(&mut conn, thread_id, "").await
    }

    /// Groups with an id above `after` (only those `member` belongs to, when given), at most
    /// `limit`; `more` when others remain.
    pub async fn groups(
        &self,
        after: i64,
        limit: i64,
        member: Option<i32>,
    ) -> Result<(Vec<GroupRow>, bool), StoreError> {
        let filter = if member.is_some() {
            " AND g.thread_id IN (SELECT thread_id FROM group_chat_member WHERE user_id = ?)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM group_chat g JOIN chat_thread t ON t.id = g.thread_id \
             WHERE g.thread_id > ?{filter} ORDER BY g.thread_id LIMIT ?"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after);
        if let Some(uid) = member {
            query = query.bind(i64::from(uid));
        }
        let rows = query.bind(limit + 1).fetch_all(&self.pool).await?;
        let mut groups = rows.iter().map(group_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = groups.len() as i64 > limit;
        groups.truncate(usize::try_from(limit).unwrap_or(0));
        Ok((groups, more))
    }

    /// A page of a group's members with their profiles, by uid above `after_uid`.
    pub async fn group_members(
        &self,
        thread_id: i64,
        after_uid: i32,
        limit: i64,
    ) -> Result<(Vec<MemberView>, bool), StoreError> {
        let rows = sqlx::query(
            "SELECT m.user_id, m.role, m.muted, m.joined_seq, m.joined_at, u.name, u.nick, u.icon \
             FROM group_chat_member m JOIN user u ON u.uid = m.user_id \
             WHERE m.thread_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?",
        )
        .bind(thread_id)
        .bind(i64::from(after_uid))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            views.push(MemberView {
                member: member_from_row(row)?,
                name: row.try_get("name")?,
                nick: row.try_get("nick")?,
                icon: row.try_get("icon")?,
            });
        }
        let more = views.len() as i64 > limit;
        views.truncate(usize::try_from(limit).unwrap_or(0));
        Ok((views, more))
    }
}
