//! The `imchat-tui` command line (clap definitions only; also rendered into `man/`).

use std::path::PathBuf;

use clap::Parser;

/// The imchat terminal chat client.
#[derive(Debug, Parser)]
#[command(name = "imchat-tui", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  imchat-tui\n  imchat-tui --gate http://chat.example.com:8080\n  imchat-tui --gate https://127.0.0.1:8080 --ca-cert imchat-data/tls/cert.pem\n\nConfig file (default ~/.config/imchat/tui.ini):\n  [tui]\n  gate = http://127.0.0.1:8080\n  log_file = /tmp/imchat-tui.log\n  images = auto        ; kitty, sixel, iterm2, halfblocks or off\n  downloads = ~/Downloads/imchat\n  theme = default      ; dusk (256 colours) or paper (truecolor, light)\n  lang = zh-CN         ; or en (default: from LANG)\n  data_dir = ~/.local/share/imchat   ; chats kept between runs\n  [keys]\n  quit = ctrl-q\n  newline = alt-enter ctrl-j\n  [colors]\n  accent = cyan\n\nPress F1 in the client for every key binding; config/tui.ini lists every key name."
)]
pub struct Cli {
    /// Gate server URL [default: http://127.0.0.1:8080]
    #[arg(long, env = "IMCHAT_TUI_GATE", value_name = "URL")]
    pub gate: Option<String>,
    /// Config file [default: $XDG_CONFIG_HOME/imchat/tui.ini]
    #[arg(long, env = "IMCHAT_TUI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where logs go (never to the screen) [default: $XDG_STATE_HOME/imchat/tui.log]
    #[arg(long, env = "IMCHAT_TUI_LOG", value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// A CA certificate (PEM) to trust besides the system's roots, for an https:// gate with a
    /// self-signed certificate (`imchat-server all --tls` writes one to <data-dir>/tls/cert.pem)
    #[arg(long, env = "IMCHAT_TUI_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// The language of the interface: en or zh-CN [default: [tui] lang, else from LC_ALL,
    /// LC_MESSAGES or LANG]
    #[arg(long, env = "IMCHAT_TUI_LANG", value_name = "LANG")]
    pub lang: Option<String>,
}
