//! `imctl`, the imchat operator's and scripter's command line, as a library: [`cli`] holds
//! the clap definitions, [`commands`] one module per subcommand group, [`output`] the
//! table/JSON rendering and [`errors`] the exit codes. [`run`] is the single entry point.

pub mod cli;
pub mod commands;
pub mod errors;
pub mod output;

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, Command, DEFAULT_GATE, DEFAULT_STATUS};
use crate::errors::{CliError, exit};
use crate::output::Format;

/// Resolved global settings every command uses.
#[derive(Debug, Clone)]
pub struct Context {
    pub gate: String,
    pub status: String,
    /// The deployment's internal secret, for the status server's admin API: from
    /// `IMCHAT_INTERNAL_SECRET`, the config file, or the embedded default's data directory.
    /// Never from the command line.
    pub secret: Option<String>,
    /// A CA certificate to trust for an https:// gate (`--ca-cert`).
    pub ca_cert: Option<std::path::PathBuf>,
    pub format: Format,
    pub quiet: bool,
}

impl Context {
    /// A client for the gate, trusting `--ca-cert` besides the system's roots.
    pub fn gate_client(&self) -> Result<imchat_sdk::GateClient, errors::CliError> {
        let tls = imchat_sdk::tls::ClientTls::new(self.ca_cert.as_deref())
            .map_err(|err| errors::from_sdk(err, errors::Target::Gate(&self.gate)))?;
        imchat_sdk::GateClient::with_tls(&self.gate, &tls)
            .map_err(|err| errors::from_sdk(err, errors::Target::Gate(&self.gate)))
    }

    /// Prints a command's result in the chosen format (nothing with `--quiet`).
    pub fn print(&self, table: impl FnOnce() -> String, json: impl FnOnce() -> String) {
        if self.quiet {
            return;
        }
        let text = match self.format {
            Format::Table => table(),
            Format::Json => json() + "\n",
        };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
}

/// Runs a parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let format = output::Format::resolve(cli.global.output);
    let result = match context(&cli, format) {
        Ok(ctx) => dispatch(&ctx, cli.command).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => exit::OK,
        Err(err) => {
            match format {
                Format::Json if err.reported => {}
                Format::Json => println!("{}", output::error_json(&err)),
                Format::Table => eprintln!("imctl: {}", err.message),
            }
            err.kind.exit_code()
        }
    }
}

/// Flags and environment first, then the config file, then the embedded default's addresses.
fn context(cli: &Cli, format: Format) -> Result<Context, CliError> {
    let file = match &cli.global.config {
        Some(path) => read_config(path)?,
        None => Default::default(),
    };
    let pick = |flag: &Option<String>, key: &str, default: &str| {
        flag.clone().or_else(|| file.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())).unwrap_or(default.into())
    };
    let gate = pick(&cli.global.gate, "gate", DEFAULT_GATE).trim_end_matches('/').to_owned();
    let status = pick(&cli.global.status, "status", DEFAULT_STATUS);
    let secret = secret(&file)?;
    Ok(Context { gate, status, secret, ca_cert: cli.global.ca_cert.clone(), format, quiet: cli.global.quiet })
}

/// The environment variable holding the internal secret (the servers read the same one).
pub const SECRET_ENV: &str = "IMCHAT_INTERNAL_SECRET";
/// Where `imchat-server all --data-dir imchat-data` (the default) keeps its run's secret.
pub const EMBEDDED_SECRET_FILE: &str = "imchat-data/internal-secret";

/// `IMCHAT_INTERNAL_SECRET`, else the config file's `secret` or `secret_file`, else the
/// embedded default's file if it is there.
fn secret(file: &[(String, String)]) -> Result<Option<String>, CliError> {
    if let Ok(secret) = std::env::var(SECRET_ENV)
        && !secret.trim().is_empty()
    {
        return Ok(Some(secret.trim().to_owned()));
    }
    let value = |key: &str| file.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let Some(secret) = value("secret") {
        return Ok(Some(secret));
    }
    let (path, required) = match value("secret_file") {
        Some(path) => (std::path::PathBuf::from(path), true),
        None => (std::path::PathBuf::from(EMBEDDED_SECRET_FILE), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(err) if required => Err(CliError::usage(format!("cannot read {}: {err}", path.display()))),
        Err(_) => Ok(None),
    }
}

/// Reads the `[imctl]` section of an INI file: `gate`, `status`, `secret` and `secret_file`,
/// nothing else.
fn read_config(path: &Path) -> Result<Vec<(String, String)>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| CliError::usage(format!("cannot read {}: {err}", path.display())))?;
    let mut section = String::new();
    let mut values = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{}:{}", path.display(), idx + 1);
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(CliError::usage(format!("{}: expected `key = value`", at())));
        };
        let key = key.trim();
        if section != "imctl" || !matches!(key, "gate" | "status" | "secret" | "secret_file") {
            return Err(CliError::usage(format!(
                "{}: unknown key `{key}` in [{section}] (known: [imctl] gate, status, secret, secret_file)",
                at()
            )));
        }
        values.push((key.to_owned(), value.trim().to_owned()));
    }
    Ok(values)
}

async fn dispatch(ctx: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Servers { watch, interval, count } => commands::servers::run(ctx, watch, interval, count).await,
        Command::Sessions { uid } => commands::sessions::run(ctx, uid).await,
        Command::Kick { uids, device, reason } => commands::kick::run(ctx, &uids, device.as_deref(), &reason).await,
        Command::Token(command) => commands::token::run(ctx, command).await,
        Command::Group(command) => commands::group::run(ctx, command).await,
        Command::Files(command) => commands::files::run(ctx, command).await,
        Command::User(command) => commands::user::run(ctx, command).await,
        Command::Bench(command) => commands::bench::run(ctx, command).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "imctl", &mut std::io::stdout());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
