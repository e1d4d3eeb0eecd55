//! Generated files stay fresh: man pages (`man/`) and shell completions (`completions/`) are
//! rendered from the clap definitions, `config/tui.ini` from the client's key table, and
//! compared with the committed copies.
//! `cargo xtask codegen` (which sets `IMCHAT_BLESS=1`) rewrites them.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every generated file: path relative to the repository root, and its content.
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let commands =
        [imchat_cli::cli::Cli::command(), imchat_server::cli::Cli::command(), imchat_tui::cli::Cli::command()];
    let mut files = Vec::new();
    for command in commands {
        let name = command.get_name().to_owned();
        let mut pages = vec![(name.clone(), command.clone())];
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_name = format!("{name}-{}", sub.get_name());
            pages.push((sub_name.clone(), sub.clone().name(sub_name.clone())));
            for leaf in sub.get_subcommands().filter(|s| s.get_name() != "help") {
                let leaf_name = format!("{sub_name}-{}", leaf.get_name());
                pages.push((leaf_name.clone(), leaf.clone().name(leaf_name)));
            }
        }
        for (page, cmd) in pages {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out).unwrap();
            files.push((PathBuf::from(format!("man/{page}.1")), out));
        }
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command.clone(), name.clone(), &mut out);
            let file = match shell {
                Shell::Bash => format!("{name}.bash"),
                Shell::Zsh => format!("_{name}"),
                Shell::Fish => format!("{name}.fish"),
                Shell::Elvish => format!("{name}.elv"),
                _ => format!("_{name}.ps1"),
            };
            files.push((PathBuf::from("completions").join(file), out));
        }
    }
    files.push((PathBuf::from("config/tui.ini"), imchat_tui::config::sample().into_bytes()));
    files
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let bless = std::env::var_os("IMCHAT_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, content) in generated() {
        let full = root().join(&path);
        if std::fs::read(&full).ok().as_deref() == Some(content.as_slice()) {
            continue;
        }
        if bless {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, content).unwrap();
        } else {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale generated files (run `cargo xtask codegen`): {}", stale.join(", "));
}
