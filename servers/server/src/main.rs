//! `imchat-server`: parse arguments, load config, start logging, run a role until Ctrl-C.

use anyhow::Context;
use clap::Parser;
use imchat_server::cli::{Cli, Command};
use imchat_server::cluster::{self, Backends, Suite};
use imchat_server::config;
use tokio_util::sync::CancellationToken;

/// See the workspace manifest: glibc's allocator cost a loaded chat server a third of its CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match start() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // One readable error (with its causes), never a debug dump.
            eprintln!("imchat-server: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn start() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cli.log).context("bad --log filter")?)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match cli.threads {
        Some(1) => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Some(n) => tokio::runtime::Builder::new_multi_thread().worker_threads(n.into()).enable_all().build(),
        None => tokio::runtime::Runtime::new(),
    }
    .context("cannot start the async runtime")?;
    runtime.block_on(run(cli.command))
}

async fn run(command: Command) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        on_signal.cancel();
    });
    match command {
        Command::All { data_dir, config: path, tls } => {
            let mut file = match path {
                Some(path) => config::load(&path, config::read_all)?,
                None => config::parse("(defaults)", "", config::process_env(), config::read_all)?,
            };
            if tls {
                file.tls_dir = Some(data_dir.join("tls"));
            }
            let suite = Suite::start(&file, &Backends::Embedded { data_dir: data_dir.clone() }).await?;
            // This run's own secret goes where imctl finds it; a configured one stays put.
            let secret_file = match file.secret {
                Some(_) => None,
                None => Some(cluster::write_secret_file(&data_dir, &suite.secret)?),
            };
            print_banner(&suite, &data_dir, secret_file.as_deref());
            stop.cancelled().await;
            suite.shutdown().await;
            Ok(())
        }
        Command::Gate { config: path } => cluster::run_gate(config::load(&path, config::read_gate)?, stop).await,
        Command::Verify { config: path } => cluster::run_verify(config::load(&path, config::read_verify)?, stop).await,
        Command::Status { config: path } => cluster::run_status(config::load(&path, config::read_status)?, stop).await,
        Command::Chat { config: path } => cluster::run_chat(config::load(&path, config::read_chat)?, stop).await,
        Command::Res { config: path } => cluster::run_res(config::load(&path, config::read_res)?, stop).await,
        Command::Seed { config: path, data_dir, prefix, users, password } => {
            let db = match (path, data_dir) {
                (Some(path), _) => cluster::connect_db(&config::load(&path, config::read_gate)?.db).await?,
                (None, Some(dir)) => cluster::open_embedded_db(&dir).await?,
                (None, None) => anyhow::bail!("--config or --data-dir is required"),
            };
            let first = cluster::seed(&db, &prefix, users, &password).await?;
            println!(
                "seeded {users} accounts {prefix}_0..{prefix}_{} (uids {first}..{})",
                users.saturating_sub(1),
                i64::from(first) + i64::from(users) - 1
            );
            Ok(())
        }
    }
}

fn print_banner(suite: &Suite, data_dir: &std::path::Path, secret_file: Option<&std::path::Path>) {
    println!("imchat is running (embedded: SQLite + in-memory store). Ctrl-C stops it.");
    match &suite.tls_cert {
        Some(cert) => println!("  gate (HTTPS)   https://{}  (certificate {})", suite.gate, cert.display()),
        None => println!("  gate (HTTP)    http://{}", suite.gate),
    }
    println!("  verify (gRPC)  {}", suite.verify);
    println!("  status (gRPC)  {}", suite.status);
    for chat in &suite.chats {
        match chat.tls_addr {
            Some(tls) => println!("  {:<14} {} (TLS {tls}, peer gRPC {})", chat.name, chat.addr, chat.rpc_addr),
            None => println!("  {:<14} {} (peer gRPC {})", chat.name, chat.addr, chat.rpc_addr),
        }
    }
    match suite.res_tls {
        Some(tls) => println!("  resource (TCP) {}  (TLS {tls}; avatars, pictures, files)", suite.res),
        None => println!("  resource (TCP) {}  (avatars, pictures, files)", suite.res),
    }
    println!("  files          {}", suite.storage);
    println!("  database       {}", data_dir.join("imchat.db").display());
    if let Some(dir) = &suite.mail_dir {
        println!("  mail           {}/*.eml  (verification codes arrive here)", dir.display());
    }
    if let Some(file) = secret_file {
        println!(
            "  internal secret {}  (this run's; imctl reads it from there, or from IMCHAT_INTERNAL_SECRET)",
            file.display()
        );
    }
}
