//! Snapshot tests of what people see: every `--help`, and the tables.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::commands::{kick::KickRow, servers::ServerRow, sessions::SessionRow, token::TokenRow};
use crate::output;

/// `--help` of `imctl` and of every subcommand, by path.
#[test]
fn help_texts() {
    fn walk(command: &mut clap::Command, path: String, out: &mut Vec<(String, String)>) {
        let help = command.render_long_help().to_string();
        out.push((path.clone(), help));
        for sub in command.get_subcommands_mut() {
            let name = format!("{path} {}", sub.get_name());
            walk(sub, name, out);
        }
    }
    let mut texts = Vec::new();
    walk(&mut Cli::command().term_width(100), "imctl".into(), &mut texts);
    for (path, help) in &texts {
        if path != "imctl" && !path.ends_with(" help") {
            assert!(help.contains("Examples:"), "`{path} --help` has examples");
        }
    }
    let all: String = texts.iter().map(|(path, help)| format!("==== {path} --help\n{help}\n")).collect();
    insta::assert_snapshot!("help", all);
}

#[test]
fn servers_table() {
    let rows = [
        ServerRow {
            name: "chatserver1".into(),
            addr: "127.0.0.1:8090".into(),
            rpc_addr: "127.0.0.1:50055".into(),
            connections: 1042,
            heartbeat_age_ms: Some(1234),
            live: true,
            peer_calls: 120,
            peer_frames: 3000,
            pushes_given_up: 3,
        },
        ServerRow {
            name: "chatserver2".into(),
            addr: String::new(),
            rpc_addr: String::new(),
            connections: 0,
            heartbeat_age_ms: None,
            live: false,
            peer_calls: 0,
            peer_frames: 0,
            pushes_given_up: 0,
        },
    ];
    insta::assert_snapshot!("servers_table", crate::commands::servers::table(&rows));
    insta::assert_snapshot!("servers_json", output::json(&rows));
}

#[test]
fn token_and_kick_tables() {
    let rows = [
        TokenRow {
            uid: 1042,
            token: output::mask("3f9a0c1d2e3f4a5b6c7d8e9f0a1b2c3d"),
            ttl_secs: Some(1799),
            server: "chatserver2".into(),
            session: "9b8a7c6d5e4f3a2b".into(),
        },
        TokenRow { uid: 1043, token: String::new(), ttl_secs: None, server: String::new(), session: String::new() },
    ];
    insta::assert_snapshot!("token_table", crate::commands::token::table(&rows));
    let kicks = [
        KickRow { uid: 1042, found: true, server: "chatserver1".into(), sessions: 2 },
        KickRow { uid: 7, found: false, server: String::new(), sessions: 0 },
    ];
    insta::assert_snapshot!("kick_table", crate::commands::kick::table(&kicks));
    let sessions = [
        SessionRow {
            device: "tui-3f9a0c1d2e3f4a5b".into(),
            kind: "tui".into(),
            server: "chatserver1".into(),
            session: "9b8a7c6d5e4f3a2b".into(),
            since_ms: 1_765_000_000_000,
            age_secs: 307,
        },
        SessionRow {
            device: "qt-1a2b3c4d".into(),
            kind: "qt".into(),
            server: "chatserver2".into(),
            session: "0f1e2d3c4b5a6978".into(),
            since_ms: 1_765_000_100_000,
            age_secs: 42,
        },
    ];
    insta::assert_snapshot!("sessions_table", crate::commands::sessions::table(&sessions));
}

#[test]
fn durations_and_masks() {
    assert_eq!(output::duration(-2), "-");
    assert_eq!(output::duration(-1), "never");
    assert_eq!(output::duration(42), "42s");
    assert_eq!(output::duration(307), "5m 07s");
    assert_eq!(output::duration(3720), "1h 02m");
    assert_eq!(output::mask("abcdef"), "abcd…");
    assert_eq!(output::mask(""), "");
}

#[test]
fn config_file_sits_between_flags_and_defaults() {
    use clap::Parser;
    let dir = std::env::temp_dir().join(format!("imctl-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("imctl.ini");
    std::fs::write(&file, "; ops box\n[imctl]\ngate = http://gate.internal:8080/\nstatus = status.internal:50052\n")
        .unwrap();
    let parse = |args: &[&str]| {
        let cli = Cli::try_parse_from([&["imctl", "--config", file.to_str().unwrap()], args].concat()).unwrap();
        crate::context(&cli, output::Format::Json)
    };
    let ctx = parse(&["servers"]).unwrap();
    assert_eq!((ctx.gate.as_str(), ctx.status.as_str()), ("http://gate.internal:8080", "status.internal:50052"));
    let ctx = parse(&["--status", "127.0.0.1:1", "servers"]).unwrap();
    assert_eq!(ctx.status, "127.0.0.1:1", "a flag wins over the file");
    std::fs::write(&file, "[imctl]\nredis = x\n").unwrap();
    let err = parse(&["servers"]).unwrap_err();
    assert!(
        err.message.ends_with(
            "imctl.ini:2: unknown key `redis` in [imctl] (known: [imctl] gate, status, secret, secret_file)"
        ),
        "{err:?}"
    );
    // The internal secret comes from a file the config names (never from the command line).
    let secret = dir.join("secret");
    std::fs::write(&secret, "from-the-file-0123456789\n").unwrap();
    std::fs::write(&file, format!("[imctl]\nsecret_file = {}\n", secret.display())).unwrap();
    if std::env::var_os(crate::SECRET_ENV).is_none() {
        assert_eq!(parse(&["servers"]).unwrap().secret.as_deref(), Some("from-the-file-0123456789"));
    }
    std::fs::write(&file, "[imctl]\nsecret_file = /nonexistent/secret\n").unwrap();
    if std::env::var_os(crate::SECRET_ENV).is_none() {
        assert!(parse(&["servers"]).unwrap_err().message.contains("/nonexistent/secret"));
    }
}
