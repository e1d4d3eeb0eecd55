//! `imctl files usage|list|rm`: stored pictures, files and avatars through the status server's
//! admin API (a chat server answers; a resource server deletes the bytes at its next sweep).

use imchat_sdk::proto::grpc::{FileInfo, UserUsage};
use serde::Serialize;

use crate::Context;
use crate::cli::FilesCommand;
use crate::commands::{admin, progress};
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Table};

/// A user's storage as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    pub uid: i32,
    pub files: i64,
    pub bytes: i64,
}

impl From<UserUsage> for UsageRow {
    fn from(u: UserUsage) -> UsageRow {
        UsageRow { uid: u.uid, files: u.files, bytes: u.bytes }
    }
}

/// A stored file as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRow {
    pub name: String,
    pub owner: i32,
    /// `chat` or `avatar`.
    pub kind: String,
    /// Bytes; -1 until its upload announced them.
    pub size: i64,
    pub complete: bool,
    pub mime: String,
    /// The sender's name for it.
    pub label: String,
    pub thread_id: i64,
    pub message_id: i64,
    pub sha256: String,
    pub created_at_ms: i64,
}

impl From<FileInfo> for FileRow {
    fn from(f: FileInfo) -> FileRow {
        FileRow {
            name: f.name,
            owner: f.owner,
            kind: f.kind,
            size: f.size,
            complete: f.complete,
            mime: f.mime,
            label: f.label,
            thread_id: f.thread_id,
            message_id: f.message_id,
            sha256: f.sha256,
            created_at_ms: f.created_at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeleteRow {
    pub name: String,
    /// `deleted` or `no such file`.
    pub result: String,
    /// Bytes freed (-1: not known).
    pub size: i64,
    pub owner: i32,
}

/// `1.2 MB`; `-` when not known.
fn human(bytes: i64) -> String {
    u64::try_from(bytes).map_or_else(|_| "-".into(), imchat_sdk::files::human_bytes)
}

pub fn usage_table(rows: &[UsageRow]) -> String {
    let mut table = Table::new(&["UID", "FILES", "BYTES", "SIZE"]);
    for row in rows {
        table.row(vec![row.uid.to_string(), row.files.to_string(), row.bytes.to_string(), human(row.bytes)]);
    }
    table.render()
}

pub fn files_table(rows: &[FileRow]) -> String {
    let mut table = Table::new(&["NAME", "KIND", "SIZE", "STATE", "MIME", "LABEL"]);
    for row in rows {
        let state = if row.complete { "complete" } else { "uploading" };
        table.row(vec![
            row.name.clone(),
            row.kind.clone(),
            human(row.size),
            state.into(),
            row.mime.clone(),
            row.label.clone(),
        ]);
    }
    table.render()
}

pub fn delete_table(rows: &[DeleteRow]) -> String {
    let mut table = Table::new(&["NAME", "RESULT", "OWNER", "SIZE"]);
    for row in rows {
        let owner = if row.owner == 0 { "-".to_owned() } else { row.owner.to_string() };
        table.row(vec![row.name.clone(), row.result.clone(), owner, human(row.size)]);
    }
    table.render()
}

pub async fn run(ctx: &Context, command: FilesCommand) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let sdk = |err| from_sdk(err, Target::Status(&ctx.status));
    match command {
        FilesCommand::Usage { uid, limit } => {
            let rows: Vec<UsageRow> = client
                .file_usage(uid.unwrap_or(0), limit)
                .await
                .map_err(sdk)?
                .into_iter()
                .map(UsageRow::from)
                .collect();
            ctx.print(|| usage_table(&rows), || output::json(&rows));
        }
        FilesCommand::List { uid, limit } => {
            let rows: Vec<FileRow> =
                client.files(uid, limit).await.map_err(sdk)?.into_iter().map(FileRow::from).collect();
            ctx.print(|| files_table(&rows), || output::json(&rows));
        }
        FilesCommand::Rm { names } => {
            let bar = progress(ctx, names.len(), "deleting");
            let mut rows = Vec::with_capacity(names.len());
            for name in names {
                let done = client.delete_file(&name).await.map_err(sdk)?;
                let file = done.file.unwrap_or_default();
                let result = if done.found { "deleted" } else { "no such file" };
                rows.push(DeleteRow { name, result: result.into(), size: file.size, owner: file.owner });
                bar.inc(1);
            }
            bar.finish_and_clear();
            ctx.print(|| delete_table(&rows), || output::json(&rows));
            let missing: Vec<&str> =
                rows.iter().filter(|r| r.result == "no such file").map(|r| r.name.as_str()).collect();
            if !missing.is_empty() {
                return Err(CliError::not_found(format!("no file {}", missing.join(", "))).reported());
            }
        }
    }
    Ok(())
}
