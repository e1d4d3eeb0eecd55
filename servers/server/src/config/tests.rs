//! Config tests: every shipped sample parses, and bad files get every problem with file:line.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::{self, ConfigError, DbConfig, Reader};

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

const SECRET: &str = "test-secret-0123456789";

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[track_caller]
fn problems<T>(text: &str, read: impl FnOnce(&mut Reader) -> Option<T>) -> Vec<String> {
    match config::parse("t.ini", text, HashMap::new(), read) {
        Ok(_) => panic!("expected problems"),
        Err(ConfigError { problems }) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_sample_parses() {
    let read = |name: &str, text: &str| -> Result<(), ConfigError> {
        // The one variable the samples need (README: "on an open network").
        let none = env(&[("IMCHAT_INTERNAL_SECRET", SECRET)]);
        match name {
            "gate.ini" => config::parse(name, text, none, config::read_gate).map(drop),
            "verify.ini" => config::parse(name, text, none, config::read_verify).map(drop),
            "status.ini" => config::parse(name, text, none, config::read_status).map(drop),
            "chat1.ini" | "chat2.ini" => config::parse(name, text, none, config::read_chat).map(drop),
            "all.ini" => config::parse(name, text, none, config::read_all).map(drop),
            "res.ini" => config::parse(name, text, none, config::read_res).map(drop),
            // The terminal client's; its own tests parse it (imchat-tui `config::tests`).
            "tui.ini" => Ok(()),
            other => panic!("config/{other} has no reader: add it here"),
        }
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(samples()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        read(&name, &text).unwrap_or_else(|err| panic!("config/{name}:\n{err}"));
        seen += 1;
    }
    assert_eq!(seen, 8);
}

#[test]
fn chat_sample_values() {
    let text = std::fs::read_to_string(samples().join("chat2.ini")).unwrap();
    let chat = config::parse(
        "chat2.ini",
        &text,
        env(&[("IMCHAT_MYSQL_PASSWD", "p@ss:w/rd"), ("IMCHAT_INTERNAL_SECRET", SECRET)]),
        config::read_chat,
    )
    .unwrap();
    assert_eq!((chat.name.as_str(), chat.port, chat.rpc_port), ("chatserver2", 8091, 50056));
    assert_eq!(chat.db.url(), "mysql://root:p%40ss%3Aw%2Frd@127.0.0.1:3306/imchat");
    assert!(!format!("{chat:?}").contains("p@ss"), "secrets never reach Debug output");
    assert!(matches!(chat.db, DbConfig::Mysql { max_connections: 16, .. }));
}

#[test]
fn environment_overrides_the_file() {
    let text = "[GateServer]\nPort = 8080\n[VarifyServer]\nPort = 1\n[StatusServer]\nPort = 2\n[Mysql]\nSchema = a\n";
    let vars = env(&[("IMCHAT_GATESERVER_PORT", "9999"), ("IMCHAT_INTERNAL_SECRET", SECRET)]);
    let gate = config::parse("t.ini", text, vars, config::read_gate).unwrap();
    assert_eq!(gate.listen, "0.0.0.0:9999");
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let text = "\
[GateServer]
Port = 80x
Prot = 8080
[VarifyServer]
Port = 50051
[Mysql]
Schema = imchat
Passwd = hunter2x
Passwd = again
[Typo]
key = value
stray line
";
    assert_eq!(
        problems(text, config::read_gate),
        [
            "t.ini: missing [StatusServer] Port (a port number (1-65535)); set it in the file or in IMCHAT_STATUSSERVER_PORT",
            "t.ini: missing [Internal] Secret (a secret of at least 16 printable characters, no spaces); set it in the \
             file or in IMCHAT_INTERNAL_SECRET",
            "t.ini:2: [GateServer] Port: expected a port number (1-65535), got `80x`",
            "t.ini:3: unknown key `Prot` in [GateServer]",
            "t.ini:9: key `Passwd` repeats the one on line 8",
            "t.ini:10: unknown section [Typo]",
            "t.ini:12: expected `key = value`, got `stray line`",
        ]
    );
}

#[test]
fn secrets_are_not_echoed_and_limits_are_enforced() {
    let text = "[SelfServer]\nName=c\nPort=1\nRPCPort=2\n[Mysql]\nSchema=s\nPort=secret-value\n[Limits]\nMaxBody=70000\n\
         [Internal]\nSecret=test-secret-0123456789\n";
    let found = problems(text, config::read_chat);
    assert_eq!(
        found,
        [
            "t.ini:7: [Mysql] Port: expected a port number (1-65535), got `secret-value`",
            "t.ini:9: [Limits] MaxBody: 70000 is above the limit of 65535",
        ]
    );
    let text = "[VarifyServer]\nPort=1\n[Mail]\nMode=smtp\nHost=h\nPasswd=\nTls=maybe\n[Internal]\nSecret=test-secret-0123456789\n";
    assert_eq!(
        problems(text, config::read_verify),
        ["t.ini:7: [Mail] Tls: expected `none`, `starttls` or `tls`, got `maybe`"]
    );
}

#[test]
fn the_key_layout_is_read_and_a_prefix_with_braces_refused() {
    let base = "[GateServer]\nPort = 8080\n[VarifyServer]\nPort = 1\n[StatusServer]\nPort = 2\n[Mysql]\nSchema = a\n\
                [Internal]\nSecret = test-secret-0123456789\n";
    let tagged = format!("{base}[Redis]\nKeyLayout = tagged\nPrefix = test:\n");
    let gate = config::parse("t.ini", &tagged, HashMap::new(), config::read_gate).unwrap();
    let redis = gate.redis;
    assert_eq!((redis.layout, redis.prefix.as_str()), (imchat_store::KeyLayout::Tagged, "test:"));
    let bad = format!("{base}[Redis]\nKeyLayout = cluster\nPrefix = {{t}}:\n");
    assert_eq!(
        problems(&bad, config::read_gate),
        [
            "t.ini:12: [Redis] KeyLayout: expected llfc or tagged, got `cluster`",
            "t.ini:13: [Redis] Prefix: expected text without { or }, got `{t}:`",
        ]
    );
}

/// Every role that serves or calls internal gRPC needs the secret; a weak one is refused
/// without being echoed; `all` makes its own when none is set.
#[test]
fn the_internal_secret_is_required_checked_and_never_echoed() {
    let text = "[StatusServer]\nPort = 2\n";
    assert_eq!(
        problems(text, config::read_status),
        ["t.ini: missing [Internal] Secret (a secret of at least 16 printable characters, no spaces); set it in the \
          file or in IMCHAT_INTERNAL_SECRET"]
    );
    let weak = format!("{text}[Internal]\nSecret = hunter2\n");
    assert_eq!(
        problems(&weak, config::read_status),
        [
            "t.ini:4: [Internal] Secret: expected a secret of at least 16 printable characters, no spaces, got <redacted>"
        ]
    );
    let status = config::parse("t.ini", text, env(&[("IMCHAT_INTERNAL_SECRET", SECRET)]), config::read_status).unwrap();
    assert_eq!(status.secret.expose(), SECRET);
    assert_eq!(status.listen, "127.0.0.1:2", "internal listeners default to loopback");
    let all = config::parse("t.ini", "", HashMap::new(), config::read_all).unwrap();
    assert!(all.secret.is_none(), "all makes one per run");
}
