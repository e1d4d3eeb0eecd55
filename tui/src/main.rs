//! `imchat-tui`: read flags and config, send logs to a file, run the client.

use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use imchat_sdk::GateClient;
use imchat_sdk::tls::ClientTls;
use imchat_tui::app::App;
use imchat_tui::cli::Cli;
use imchat_tui::i18n::{Lang, Tr};
use imchat_tui::keymap::Keymap;
use imchat_tui::{config, term};

fn main() -> std::process::ExitCode {
    match start() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("imchat-tui: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn start() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (path, explicit) = match &cli.config {
        Some(path) => (Some(path.clone()), true),
        None => (config::default_path(), false),
    };
    let file = match &path {
        Some(path) => config::load(path, explicit).map_err(anyhow::Error::msg)?,
        None => config::FileConfig::default(),
    };
    let keymap = Keymap::new(&file.keys).map_err(|err| anyhow::anyhow!("config: {err}"))?;
    let gate_url = cli.gate.or(file.gate).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let log = cli.log_file.or(file.log_file).unwrap_or_else(config::default_log);
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut log_options = std::fs::OpenOptions::new();
    log_options.create(true).append(true);
    // What the log says of the user's chats is theirs alone (review 3, N18).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut log_options, 0o600);
    let log_file = log_options.open(&log).with_context(|| format!("cannot open the log file {}", log.display()))?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IMCHAT_TUI_LOG_LEVEL").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::sync::Mutex::new(log_file))
        .with_ansi(false)
        .init();
    let tls = ClientTls::new(cli.ca_cert.or(file.ca_cert).as_deref()).context("TLS")?;
    let gate = GateClient::with_tls(&gate_url, &tls).with_context(|| format!("bad gate URL {gate_url}"))?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut app = App::new(keymap, Instant::now());
    let lang = match cli.lang.as_deref() {
        Some(name) => Some(Lang::named(name).ok_or_else(|| anyhow::anyhow!("--lang: `{name}` is not en or zh-CN"))?),
        None => file.lang,
    };
    app.tr = Tr(lang.unwrap_or_else(|| Lang::from_env(|name| std::env::var(name).ok())));
    // The clock and the process id, read here so the core reads neither.
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    app.nonce = (since_epoch.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
    let setup = term::Setup {
        app,
        theme: file.theme,
        notifications: file.notifications,
        images: file.images,
        places: file.places,
        gate,
        gate_url,
        data_dir: file.data_dir.or_else(imchat_tui::local::default_dir),
    };
    runtime.block_on(term::run(setup)).context("terminal error")?;
    Ok(())
}
