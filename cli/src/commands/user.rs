//! `imctl user code|register|reset-password|login`: account actions through the gate, one
//! JSON object each with `-o json`, so shell scripts can chain them.

use std::io::BufRead;

use imchat_sdk::proto::http::{RegisterReq, ResetPwdReq};
use serde_json::json;

use crate::Context;
use crate::cli::{PasswordArg, UserCommand};
use crate::errors::{CliError, Target, from_sdk};
use crate::output;

/// The environment variable a password may come from instead of stdin.
pub const PASSWORD_ENV: &str = "IMCTL_PASSWORD";

/// The password from stdin's first line (`--password-stdin`) or [`PASSWORD_ENV`].
fn password(arg: &PasswordArg) -> Result<String, CliError> {
    if arg.password_stdin {
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        return match read {
            Ok(_) if !password.is_empty() => Ok(password),
            Ok(_) => Err(CliError::usage("--password-stdin: stdin ended before a password line")),
            Err(err) => Err(CliError::usage(format!("--password-stdin: cannot read stdin: {err}"))),
        };
    }
    match std::env::var(PASSWORD_ENV) {
        Ok(password) if !password.is_empty() => Ok(password),
        _ => Err(CliError::usage(format!(
            "no password: pipe it with --password-stdin or set {PASSWORD_ENV} (never as an argument)"
        ))),
    }
}

pub async fn run(ctx: &Context, command: UserCommand) -> Result<(), CliError> {
    let gate = ctx.gate_client()?;
    let sdk = |err| from_sdk(err, Target::Gate(&ctx.gate));
    match command {
        UserCommand::Code { email } => {
            let rsp = gate.request_code(&email).await.map_err(sdk)?;
            ctx.print(
                || format!("a verification code was mailed to {}\n", rsp.email),
                || output::json(&json!({"email": rsp.email, "sent": true})),
            );
        }
        UserCommand::Register { email, name, code, password: arg, icon } => {
            let password = password(&arg)?;
            let req =
                RegisterReq { email, user: name, passwd: password.clone(), confirm: password, varifycode: code, icon };
            let rsp = gate.register(&req).await.map_err(sdk)?;
            ctx.print(
                || format!("registered {} as uid {}\n", rsp.user, rsp.uid),
                || output::json(&json!({"uid": rsp.uid, "email": rsp.email, "name": rsp.user})),
            );
        }
        UserCommand::ResetPassword { email, name, code, password: arg } => {
            let req = ResetPwdReq { email, user: name, passwd: password(&arg)?, varifycode: code };
            let rsp = gate.reset_password(&req).await.map_err(sdk)?;
            ctx.print(
                || format!("the password of {} was reset\n", rsp.user),
                || output::json(&json!({"email": rsp.email, "name": rsp.user, "reset": true})),
            );
        }
        UserCommand::Login { email, password: arg, reveal } => {
            let rsp = gate.login(&email, &password(&arg)?).await.map_err(sdk)?;
            let token = if reveal { rsp.token.clone() } else { output::mask(&rsp.token) };
            let server = rsp.chat_addr().unwrap_or_default();
            ctx.print(
                || format!("uid {} may log in to the chat server at {server} (token {token})\n", rsp.uid),
                || output::json(&json!({"uid": rsp.uid, "email": rsp.email, "server": server, "token": token})),
            );
        }
    }
    Ok(())
}
