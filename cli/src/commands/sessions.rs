//! `imctl sessions <uid>`: a user's live sessions, one per device, and where each is.

use serde::Serialize;

use crate::Context;
use crate::commands::admin;
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Table};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    pub device: String,
    pub kind: String,
    pub server: String,
    pub session: String,
    /// When it logged in (epoch ms), and how long ago (seconds).
    pub since_ms: i64,
    pub age_secs: i64,
}

pub fn table(rows: &[SessionRow]) -> String {
    let mut table = Table::new(&["DEVICE", "KIND", "SERVER", "SINCE", "SESSION"]);
    for row in rows {
        let since = if row.since_ms > 0 { format!("{} ago", output::duration(row.age_secs)) } else { "-".into() };
        let device = if row.device.is_empty() { "(older server)".into() } else { row.device.clone() };
        table.row(vec![device, row.kind.clone(), row.server.clone(), since, output::mask(&row.session)]);
    }
    table.render()
}

pub async fn run(ctx: &Context, uid: i32) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let found = client.lookup(uid).await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let rows: Vec<SessionRow> = found
        .sessions
        .into_iter()
        .map(|s| SessionRow {
            age_secs: ((now - s.since_ms) / 1000).max(0),
            device: s.device,
            kind: s.kind,
            server: s.server,
            session: s.session,
            since_ms: s.since_ms,
        })
        .collect();
    if rows.is_empty() {
        return Err(CliError::not_found(format!("no session for uid {uid}")));
    }
    ctx.print(|| table(&rows), || output::json(&rows));
    Ok(())
}
