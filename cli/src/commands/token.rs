//! `imctl token show|list|revoke`: login tokens, masked unless `--reveal`.

use imchat_sdk::proto::grpc::LookupUserRsp;
use serde::Serialize;

use crate::Context;
use crate::cli::TokenCommand;
use crate::commands::admin;
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Table};

/// One user's token and presence as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRow {
    pub uid: i32,
    pub token: String,
    /// Seconds left; null when there is no token, -1 when it never expires.
    pub ttl_secs: Option<i64>,
    /// The chat server the user is connected to (`uip_`), empty when offline.
    pub server: String,
    pub session: String,
}

impl TokenRow {
    fn new(user: LookupUserRsp, reveal: bool) -> TokenRow {
        TokenRow {
            uid: user.uid,
            token: if reveal { user.token } else { output::mask(&user.token) },
            ttl_secs: user.has_token.then_some(user.token_ttl_secs),
            server: user.server,
            session: user.session,
        }
    }
}

pub fn table(rows: &[TokenRow]) -> String {
    let mut table = Table::new(&["UID", "TOKEN", "EXPIRES IN", "SERVER", "SESSION"]);
    for row in rows {
        table.row(vec![
            row.uid.to_string(),
            if row.token.is_empty() { "-".into() } else { row.token.clone() },
            output::duration(row.ttl_secs.unwrap_or(-2)),
            if row.server.is_empty() { "offline".into() } else { row.server.clone() },
            if row.session.is_empty() { "-".into() } else { output::mask(&row.session) },
        ]);
    }
    table.render()
}

pub async fn run(ctx: &Context, command: TokenCommand) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let sdk = |err| from_sdk(err, Target::Status(&ctx.status));
    match command {
        TokenCommand::Show { uid, reveal } => {
            let user = client.lookup(uid).await.map_err(sdk)?;
            if !user.has_token && user.server.is_empty() {
                return Err(CliError::not_found(format!("uid {uid} has no token and no session")));
            }
            let row = TokenRow::new(user, reveal);
            ctx.print(|| table(std::slice::from_ref(&row)), || output::json(&row));
        }
        TokenCommand::List { pattern, reveal, limit } => {
            let (users, truncated) = client.tokens(pattern.as_deref().unwrap_or(""), limit).await.map_err(sdk)?;
            let rows: Vec<TokenRow> = users.into_iter().map(|u| TokenRow::new(u, reveal)).collect();
            if truncated && !ctx.quiet {
                eprintln!("imctl: showing the first {} tokens; narrow with --match or raise --limit", rows.len());
            }
            ctx.print(|| table(&rows), || output::json(&rows));
        }
        TokenCommand::Revoke { uid } => {
            if !client.revoke(uid).await.map_err(sdk)? {
                return Err(CliError::not_found(format!("uid {uid} has no token")));
            }
            ctx.print(
                || format!("revoked the token of uid {uid}\n"),
                || output::json(&serde_json::json!({"uid": uid, "revoked": true})),
            );
        }
    }
    Ok(())
}
