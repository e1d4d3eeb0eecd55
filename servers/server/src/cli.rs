//! Command-line definition of `imchat-server` (clap derive only, no I/O, so `xtask` can render
//! man pages and completions from it).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The imchat server suite.
#[derive(Debug, Parser)]
#[command(name = "imchat-server", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  imchat-server all --data-dir ./imchat-data\n  imchat-server gate --config config/gate.ini\n  IMCHAT_MYSQL_PASSWD=secret imchat-server chat --config config/chat1.ini"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log filter, e.g. `info` or `imchat_chat=debug`.
    #[arg(long, global = true, env = "RUST_LOG", default_value = "info")]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything in one process: gate, verify, status and two chat servers on SQLite and
    /// an in-memory store, mail written as files.
    All {
        /// Where the database and the mail files go.
        #[arg(long, default_value = "imchat-data")]
        data_dir: PathBuf,
        /// Optional INI file to change ports and limits (see config/all.ini).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the HTTP gate server.
    Gate {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run the verification-code server.
    Verify {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run the status server.
    Status {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run one chat server.
    Chat {
        #[arg(long)]
        config: PathBuf,
    },
}
