//! `imctl group list|show|members|disband`: groups through the status server's admin API.

use imchat_sdk::proto::grpc::{GroupMemberInfo, GroupSummary};
use serde::Serialize;

use crate::Context;
use crate::cli::GroupCommand;
use crate::commands::{admin, progress};
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Table};

/// A group as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub owner: i32,
    pub members: i64,
    /// Messages in its thread, system messages included.
    pub messages: i64,
    pub disbanded: bool,
    /// Who may invite: `members` or `admins`.
    pub invite: String,
    pub announcement: String,
    pub created_at_ms: i64,
}

impl From<GroupSummary> for GroupRow {
    fn from(g: GroupSummary) -> GroupRow {
        GroupRow {
            id: g.thread_id,
            name: g.name,
            owner: g.owner,
            members: g.members,
            messages: g.last_seq,
            disbanded: g.disbanded,
            invite: g.invite,
            announcement: g.announcement,
            created_at_ms: g.created_at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    pub uid: i32,
    pub name: String,
    pub role: String,
    pub muted: bool,
    pub joined_at_ms: i64,
}

impl From<GroupMemberInfo> for MemberRow {
    fn from(m: GroupMemberInfo) -> MemberRow {
        MemberRow { uid: m.uid, name: m.name, role: m.role, muted: m.muted, joined_at_ms: m.joined_at_ms }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisbandRow {
    pub id: i64,
    /// `disbanded`, `already disbanded`, or `no such group`.
    pub result: String,
}

fn state(row: &GroupRow) -> &'static str {
    if row.disbanded { "disbanded" } else { "active" }
}

pub fn table(rows: &[GroupRow]) -> String {
    let mut table = Table::new(&["ID", "NAME", "OWNER", "MEMBERS", "MESSAGES", "STATE"]);
    for row in rows {
        table.row(vec![
            row.id.to_string(),
            row.name.clone(),
            row.owner.to_string(),
            row.members.to_string(),
            row.messages.to_string(),
            state(row).into(),
        ]);
    }
    table.render()
}

fn details(row: &GroupRow) -> String {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    for (field, value) in [
        ("id", row.id.to_string()),
        ("name", row.name.clone()),
        ("owner", row.owner.to_string()),
        ("members", row.members.to_string()),
        ("messages", row.messages.to_string()),
        ("state", state(row).into()),
        ("invite", row.invite.clone()),
        ("announcement", row.announcement.replace('\n', " / ")),
    ] {
        table.row(vec![field.into(), value]);
    }
    table.render()
}

pub fn members_table(rows: &[MemberRow]) -> String {
    let mut table = Table::new(&["UID", "NAME", "ROLE", "MUTED"]);
    for row in rows {
        let muted = if row.muted { "yes" } else { "-" };
        table.row(vec![row.uid.to_string(), row.name.clone(), row.role.clone(), muted.into()]);
    }
    table.render()
}

pub fn disband_table(rows: &[DisbandRow]) -> String {
    let mut table = Table::new(&["ID", "RESULT"]);
    for row in rows {
        table.row(vec![row.id.to_string(), row.result.clone()]);
    }
    table.render()
}

pub async fn run(ctx: &Context, command: GroupCommand) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let sdk = |err| from_sdk(err, Target::Status(&ctx.status));
    match command {
        GroupCommand::List { member, after, limit } => {
            let (groups, more) = client.groups(after, limit, member.unwrap_or(0)).await.map_err(sdk)?;
            let rows: Vec<GroupRow> = groups.into_iter().map(GroupRow::from).collect();
            if more && !ctx.quiet {
                let next = rows.last().map_or(after, |r| r.id);
                eprintln!("imctl: more groups follow; list them with --after {next}");
            }
            ctx.print(|| table(&rows), || output::json(&rows));
        }
        GroupCommand::Show { id } => {
            let Some(group) = client.group(id).await.map_err(sdk)? else {
                return Err(CliError::not_found(format!("no group {id}")));
            };
            let row = GroupRow::from(group);
            ctx.print(|| details(&row), || output::json(&row));
        }
        GroupCommand::Members { id } => {
            let Some(members) = client.group_members(id).await.map_err(sdk)? else {
                return Err(CliError::not_found(format!("no group {id}")));
            };
            let rows: Vec<MemberRow> = members.into_iter().map(MemberRow::from).collect();
            ctx.print(|| members_table(&rows), || output::json(&rows));
        }
        GroupCommand::Disband { ids } => {
            let bar = progress(ctx, ids.len(), "disbanding");
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                let done = client.disband_group(id).await.map_err(sdk)?;
                let result = match (done.found, done.disbanded) {
                    (false, _) => "no such group",
                    (true, true) => "disbanded",
                    (true, false) => "already disbanded",
                };
                rows.push(DisbandRow { id, result: result.into() });
                bar.inc(1);
            }
            bar.finish_and_clear();
            ctx.print(|| disband_table(&rows), || output::json(&rows));
            let missing: Vec<String> =
                rows.iter().filter(|r| r.result == "no such group").map(|r| r.id.to_string()).collect();
            if !missing.is_empty() {
                return Err(CliError::not_found(format!("no group {}", missing.join(", "))).reported());
            }
        }
    }
    Ok(())
}
