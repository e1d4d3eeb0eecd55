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
    /// Runtime threads (default: one per core). Several servers on one machine run best with
    /// fewer each; with 1, the process runs on one thread and wakes most cheaply.
    #[arg(long, global = true, env = "IMCHAT_THREADS", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
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
        /// Serve the gate over HTTPS and the chat servers on TLS ports too, with the
        /// certificate in <data-dir>/tls (a self-signed one is made when there is none).
        #[arg(long)]
        tls: bool,
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
    /// Run the resource server (llfc's file port; answers every request with error 1113 until
    /// files exist, so llfc's Season_2 client can log in).
    Res {
        #[arg(long)]
        config: PathBuf,
    },
    /// Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named
    /// PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in
    /// IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a
    /// production database.
    #[command(
        after_help = "Examples:\n  IMCHAT_BENCH_PASSWORD=bench imchat-server seed --config config/gate.ini --prefix w1 --users 19000\n  IMCHAT_BENCH_PASSWORD=bench imchat-server seed --data-dir imchat-data --prefix w1 --users 19000"
    )]
    Seed {
        /// The database of this role's INI file ([Mysql]); or use --data-dir.
        #[arg(long, conflicts_with = "data_dir", required_unless_present = "data_dir")]
        config: Option<PathBuf>,
        /// The embedded default's data directory (its SQLite database).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Name prefix of the accounts.
        #[arg(long)]
        prefix: String,
        /// How many accounts.
        #[arg(long)]
        users: u32,
        /// The accounts' password.
        #[arg(long, env = "IMCHAT_BENCH_PASSWORD", hide_env_values = true)]
        password: String,
    },
}
