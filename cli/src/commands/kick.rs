//! `imctl kick <uid>...`: disconnect users wherever they are.

use serde::Serialize;

use crate::Context;
use crate::commands::{admin, progress};
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Table};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KickRow {
    pub uid: i32,
    /// A session was found and closed.
    pub found: bool,
    /// The chat server it was on (the first, when several).
    pub server: String,
    /// Sessions ended (one per device).
    pub sessions: u32,
}

pub fn table(rows: &[KickRow]) -> String {
    let mut table = Table::new(&["UID", "RESULT", "SESSIONS", "SERVER"]);
    for row in rows {
        let result = if row.found { "kicked" } else { "no session" };
        table.row(vec![row.uid.to_string(), result.into(), row.sessions.to_string(), row.server.clone()]);
    }
    table.render()
}

pub async fn run(ctx: &Context, uids: &[i32], device: Option<&str>, reason: &str) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let bar = progress(ctx, uids.len(), "kicking");
    let mut rows = Vec::with_capacity(uids.len());
    for uid in uids {
        let kicked =
            client.kick(*uid, device, reason).await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
        rows.push(KickRow { uid: kicked.uid, found: kicked.found, server: kicked.server, sessions: kicked.kicked });
        bar.inc(1);
    }
    bar.finish_and_clear();
    ctx.print(|| table(&rows), || output::json(&rows));
    let missing: Vec<String> = rows.iter().filter(|r| !r.found).map(|r| r.uid.to_string()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CliError::not_found(format!("no session for uid {}", missing.join(", "))).reported())
    }
}
