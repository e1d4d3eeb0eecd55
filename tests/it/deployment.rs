//! The production deployment as an operator runs it: five `imchat-server` processes started
//! from the sample INI files in `config/` (ports, database and key prefix overridden through
//! `IMCHAT_*` environment variables), on MariaDB + Redis + the SMTP sink. One chat server is
//! killed mid-conversation.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use imchat_proto::http::RegisterReq;
use imchat_proto::msg::SyncCursor;
use imchat_sdk::{ChatClient, Event, GateClient};
use imchat_tests::mail::Mail;
use imchat_tests::services::{self, SmtpSink};
use imchat_tests::wait_for;

/// Kills the process when dropped, so a failing test leaves nothing running.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config").join(name)
}

fn spawn(role: &str, file: &str, env: &[(String, String)]) -> Process {
    let log = std::env::var("IMCHAT_TEST_LOG").unwrap_or_else(|_| "warn".into());
    let child = Command::new(imchat_tests::binary("imchat-server"))
        .args([role, "--config"])
        .arg(config(file))
        .env("RUST_LOG", log)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    Process(child)
}

/// The deployments' internal secret.
const DEPLOYMENT_SECRET: &str = "deployment-test-secret-0123456789";

/// Five processes from the sample configs on a fresh database and key prefix.
struct Deployment {
    gate: u16,
    status: u16,
    schema: String,
    kv: imchat_store::Kv,
    /// Client ports of chat1 and chat2, as they announced them.
    chats: Vec<u16>,
    chat1: Option<Process>,
    _others: Vec<Process>,
}

/// How the deployment's verify server sends mail.
enum MailTo<'a> {
    Smtp(&'a SmtpSink),
    /// `.eml` files in this directory, where `imctl bench` reads the codes.
    Files(&'a Path),
}

impl Deployment {
    async fn start(mail: MailTo<'_>) -> Deployment {
        // reqwest (its health probe below) takes the process's rustls provider.
        imchat_sdk::tls::install_default_provider();
        let (_, schema) = services::fresh_mysql_db().await;
        let (kv, prefix) = services::fresh_redis().await;
        let (gate, verify, status) = (free_port(), free_port(), free_port());
        let mut shared: Vec<(String, String)> = [
            ("IMCHAT_GATESERVER_PORT", gate.to_string()),
            ("IMCHAT_VARIFYSERVER_PORT", verify.to_string()),
            ("IMCHAT_STATUSSERVER_PORT", status.to_string()),
            ("IMCHAT_MYSQL_SCHEMA", schema.clone()),
            ("IMCHAT_REDIS_PREFIX", prefix.clone()),
            ("IMCHAT_LIMITS_REGISTRYINTERVALMS", "100".into()),
            ("IMCHAT_LIMITS_REGISTRYTTLMS", "800".into()),
            // The one variable the sample configs need besides ports and names.
            ("IMCHAT_INTERNAL_SECRET", DEPLOYMENT_SECRET.into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mail_env: Vec<(&str, String)> = match mail {
            MailTo::Smtp(smtp) => vec![
                ("IMCHAT_MAIL_HOST", smtp.host.clone()),
                ("IMCHAT_MAIL_PORT", smtp.port.to_string()),
                ("IMCHAT_MAIL_TLS", "none".into()),
                ("IMCHAT_MAIL_USER", String::new()),
            ],
            MailTo::Files(dir) => vec![
                ("IMCHAT_MAIL_MODE", "files".into()),
                ("IMCHAT_MAIL_DIR", dir.display().to_string()),
                // `imctl bench` registers its users in a burst from one address, and they are
                // bots: no per-user text rate.
                ("IMCHAT_RATELIMIT_PERIPPERSEC", "100000".into()),
                ("IMCHAT_RATELIMIT_PERIPBURST", "100000".into()),
                ("IMCHAT_LIMITS_MESSAGESPERSEC", "0".into()),
            ],
        };
        shared.extend(mail_env.into_iter().map(|(k, v)| (k.to_owned(), v)));
        // Chat servers bind ports the system picks (a port found free and handed over could be
        // taken by another test's connection first) and announce them in the registry.
        let mut chat_env = shared.clone();
        chat_env.push(("IMCHAT_SELFSERVER_PORT".into(), "0".into()));
        chat_env.push(("IMCHAT_SELFSERVER_RPCPORT".into(), "0".into()));
        // The gate migrates the schema first; the others find it in place.
        let gate_process = spawn("gate", "gate.ini", &shared);
        wait_for("the gate to answer", || async {
            reqwest::get(format!("http://127.0.0.1:{gate}/healthz")).await.ok().filter(|r| r.status().is_success())
        })
        .await;
        let others = vec![gate_process, spawn("verify", "verify.ini", &shared), spawn("status", "status.ini", &shared)];
        let chat1 = spawn("chat", "chat1.ini", &chat_env);
        // One server per runtime: chat1 on the default one, chat2 on the single-thread one that
        // several servers per machine use.
        let mut chat2_env = chat_env.clone();
        chat2_env.push(("IMCHAT_THREADS".into(), "1".into()));
        let mut others = others;
        others.push(spawn("chat", "chat2.ini", &chat2_env));
        let chats: Vec<u16> = wait_for("both chat servers to register", || async {
            let mut live = imchat_store::registry::live(&kv).await.ok()?;
            live.sort_by(|a, b| a.name.cmp(&b.name));
            (live.len() == 2).then(|| live.iter().map(|entry| entry.port).collect())
        })
        .await;
        Deployment { gate, status, schema, kv, chats, chat1: Some(chat1), _others: others }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_from_the_sample_configs() {
    let smtp = SmtpSink::from_env();
    let mut deployment = Deployment::start(MailTo::Smtp(&smtp)).await;
    let (gate, chats, kv, schema) =
        (deployment.gate, deployment.chats.clone(), deployment.kv.clone(), deployment.schema.clone());
    let client = GateClient::new(&format!("http://127.0.0.1:{gate}")).unwrap();
    let mail = Mail::Maildir(smtp.maildir.clone());
    let mut users = Vec::new();
    for name in ["proc_a", "proc_b"] {
        let tag = imchat_store::random_hex(4);
        let (email, user) = (format!("{name}.{tag}@example.com"), format!("{name}{tag}"));
        wait_for("the verify server to send a code", || async { client.request_code(&email).await.ok() }).await;
        let code = mail.code_for(&email).await;
        let req = RegisterReq {
            email: email.clone(),
            user,
            passwd: "secret-1".into(),
            confirm: "secret-1".into(),
            varifycode: code,
            icon: String::new(),
        };
        let uid = client.register(&req).await.unwrap().uid;
        users.push((uid, email));
    }
    let connect = async |idx: usize, server: usize| {
        let http = client.login(&users[idx].1, "secret-1").await.unwrap();
        let (chat, events) = ChatClient::connect(&format!("127.0.0.1:{}", chats[server])).await.unwrap();
        chat.login(http.uid, &http.token).await.unwrap();
        (chat, events)
    };
    let ((a_uid, _), (b_uid, _)) = (users[0].clone(), users[1].clone());
    let (a, _a_events) = connect(0, 0).await;
    let (b, mut b_events) = connect(1, 1).await;
    a.add_friend(a_uid, b_uid, "hello", "").await.unwrap();
    let accepted = b.accept_friend(b_uid, a_uid, "").await.unwrap();
    let thread = accepted.chat_datas[0].thread_id;
    a.send_texts(a_uid, b_uid, thread, &[("across processes", "{p-1}")]).await.unwrap();
    let pushed = tokio::time::timeout(imchat_tests::DEADLINE, async {
        loop {
            match b_events.recv().await {
                Some(Event::Text(text)) => return text,
                Some(_) => continue,
                None => panic!("bob's connection closed"),
            }
        }
    })
    .await
    .expect("the pushed message");
    assert_eq!(pushed.chat_datas[0].content, "across processes");

    // Kill alice's chat server; bob keeps writing; alice comes back on the other server.
    drop(deployment.chat1.take());
    wait_for("the killed server to leave the registry", || async {
        (imchat_store::registry::live(&kv).await.ok()?.len() == 1).then_some(())
    })
    .await;
    let sent = b.send_texts(b_uid, a_uid, thread, &[("while you were gone", "{p-2}")]).await.unwrap();
    let http = client.login(&users[0].1, "secret-1").await.unwrap();
    assert_eq!(http.chatport, chats[1].to_string(), "only the live server is handed out");
    let (a, _) = connect(0, 1).await;
    let sync = a.sync(&[SyncCursor { thread_id: thread, seq: 3 }]).await.unwrap();
    assert_eq!(sync.chat_datas.iter().map(|d| d.message_id).collect::<Vec<_>>(), [sent.chat_datas[0].message_id]);
    services::drop_mysql_db(&schema).await;
}

/// W11 as a command: `imctl bench chat --reconnect --fault` kills chat1 with SIGKILL in the
/// middle of an ack-paced cross-server load. Its clients come back on chat2, resend what was
/// unanswered and sync what they missed; the clients that stayed fetch the pushes chat1 took
/// with it. Every acknowledged message is stored once and reaches its recipient.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_server_killed_under_load_loses_nothing_acknowledged() {
    let mail = tempfile::tempdir().unwrap();
    let deployment = Deployment::start(MailTo::Files(mail.path())).await;
    let pid = deployment.chat1.as_ref().expect("chat1 runs").0.id();
    let output = tokio::process::Command::new(imchat_tests::binary("imctl"))
        .arg("--gate")
        .arg(format!("http://127.0.0.1:{}", deployment.gate))
        .arg("--status")
        .arg(format!("127.0.0.1:{}", deployment.status))
        .args(["-o", "json", "bench", "chat", "--users", "20", "--window", "4", "--cross-server", "--ack-paced"])
        .args(["--secs", "5", "--warmup", "1", "--reconnect", "--fault-at", "3", "--fault"])
        .arg(format!("kill -9 {pid}"))
        .arg("--mail-dir")
        .arg(mail.path())
        .env("IMCHAT_INTERNAL_SECRET", DEPLOYMENT_SECRET)
        .stdin(Stdio::null())
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(90), output).await.expect("imctl ends").unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "imctl failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let reports: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let report = &reports[0];
    let count = |key: &str| report[key].as_u64().unwrap_or_else(|| panic!("{key} in {report}"));
    assert!(count("sent") > 0, "{report}");
    assert_eq!((count("errors"), count("drops"), count("duplicates")), (0, 0, 0), "{report}");
    assert_eq!(count("delivered"), count("sent"), "{report}");
    assert_eq!(count("reconnects"), 10, "chat1's half of the users came back: {report}");
    assert!(report["flowing_again_ms"].is_u64(), "pushes flowed again after the kill: {report}");

    // Acknowledged = stored, once each.
    use sqlx::Connection;
    let url = format!("{}/{}", services::mysql_base(), deployment.schema);
    let mut db = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (rows, keys): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT sender_id, unique_id) FROM chat_message WHERE content LIKE 'bench|%'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let _ = db.close().await;
    let sent = i64::try_from(count("sent")).unwrap();
    assert_eq!((rows, keys), (sent, sent), "{report}");
    services::drop_mysql_db(&deployment.schema).await;
}
