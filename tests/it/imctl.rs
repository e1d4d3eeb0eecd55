//! `imctl` as operators and scripts use it: the real binary against a running cluster.

use std::process::Stdio;

use imchat_sdk::Event;
use imchat_tests::{Flavor, TestCluster, wait_for};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// What one `imctl` run printed and returned.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|err| panic!("not JSON ({err}): {self:?}"))
    }

    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }
}

/// How long one `imctl bench` run may take in a test.
const BENCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `imctl` against `cluster` (or the given addresses) with `stdin` piped in.
async fn imctl_at(gate: &str, status: &str, secret: Option<&str>, args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = tokio::process::Command::new(imchat_tests::binary("imctl"));
    match secret {
        Some(secret) => command.env("IMCHAT_INTERNAL_SECRET", secret),
        None => command.env_remove("IMCHAT_INTERNAL_SECRET"),
    };
    let mut child = command
        .args(["--gate", gate, "--status", status])
        .args(args)
        .env_remove("IMCTL_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    // A bench runs for seconds by design (the slow consumer waits out `PushWaitMs`, about 13 s
    // of its own): it gets more time than a command that only asks something.
    let deadline = if args.first() == Some(&"bench") { BENCH_DEADLINE } else { imchat_tests::DEADLINE };
    let out = tokio::time::timeout(deadline, child.wait_with_output()).await.expect("imctl hung").unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

async fn imctl(cluster: &TestCluster, args: &[&str], stdin: Option<&str>) -> Run {
    let (gate, status) = (format!("http://{}", cluster.suite.gate), cluster.suite.status.to_string());
    imctl_at(&gate, &status, Some(cluster.secret()), args, stdin).await
}

both!(scripted_registration);
async fn scripted_registration(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    for name in ["script_a", "script_b", "script_c"] {
        let tag = imchat_store::random_hex(3);
        let (email, user) = (format!("{name}.{tag}@example.com"), format!("{name}_{tag}"));
        let sent = imctl(&cluster, &["user", "code", "--email", &email, "-o", "json"], None).await.ok().json();
        assert_eq!(sent["sent"], true);
        let code = cluster.mail.code_for(&email).await;
        let args =
            ["user", "register", "--email", &email, "--name", &user, "--code", &code, "--password-stdin", "-o", "json"];
        let registered = imctl(&cluster, &args, Some("s3cret-pw\n")).await.ok().json();
        let uid = registered["uid"].as_i64().unwrap();
        assert_eq!(registered["name"], user.as_str());
        let args = ["user", "login", "--email", &email, "--password-stdin", "-o", "json"];
        let login = imctl(&cluster, &args, Some("s3cret-pw\n")).await.ok().json();
        assert_eq!(login["uid"].as_i64(), Some(uid));
        assert!(login["token"].as_str().unwrap().ends_with('…'), "tokens are masked: {login}");
        let ports: Vec<String> = cluster.suite.chats.iter().map(|c| c.addr.port().to_string()).collect();
        let server = login["server"].as_str().unwrap();
        assert!(ports.iter().any(|p| server.ends_with(&format!(":{p}"))), "{server}");
        // Human output on the same commands.
        let args = ["user", "login", "--email", &email, "--password-stdin", "-o", "table"];
        let human = imctl(&cluster, &args, Some("s3cret-pw\n")).await.ok();
        assert!(human.stdout.starts_with(&format!("uid {uid} may log in")), "{human:?}");
    }
    cluster.shutdown().await;
}

both!(kick_across_servers_and_list_servers);
async fn kick_across_servers_and_list_servers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let mut a = cluster.login_on(&cluster.register("kick_a").await, 0).await;
    let mut b = cluster.login_on(&cluster.register("kick_b").await, 1).await;
    wait_for("both logins in the server counts", || async {
        let servers = imctl(&cluster, &["servers", "-o", "json"], None).await.ok().json();
        let counts: Vec<i64> = servers.as_array()?.iter().filter_map(|s| s["connections"].as_i64()).collect();
        (counts == [1, 1]).then_some(())
    })
    .await;
    let table = imctl(&cluster, &["servers", "-o", "table"], None).await.ok();
    assert!(table.stdout.starts_with("NAME"), "{table:?}");
    assert!(table.stdout.contains("chatserver2") && table.stdout.contains("live"), "{table:?}");

    let (ua, ub) = (a.uid.to_string(), b.uid.to_string());
    let kicked = imctl(&cluster, &["kick", &ua, &ub, "--reason", "maintenance", "-o", "json"], None).await.ok().json();
    let servers: Vec<&str> = kicked.as_array().unwrap().iter().map(|k| k["server"].as_str().unwrap()).collect();
    assert_eq!(servers, ["chatserver1", "chatserver2"]);
    for client in [&mut a, &mut b] {
        let Event::Kicked(notice) = client.next_event().await else { panic!("expected 1021") };
        assert_eq!(notice.reason, "maintenance");
    }
    // Once the session is gone, kicking again reports it as not found.
    let again = wait_for("the kicked session to be gone", || async {
        let run = imctl(&cluster, &["kick", &ua, "-o", "json"], None).await;
        (run.code == 3).then_some(run)
    })
    .await;
    assert_eq!(again.json()[0]["found"], false, "the result says which uid had no session");

    let watched =
        imctl(&cluster, &["servers", "--watch", "--count", "2", "--interval", "1", "-o", "json"], None).await.ok();
    assert_eq!(watched.stdout.lines().count(), 2, "one JSON line per refresh: {watched:?}");
    cluster.shutdown().await;
}

both!(sessions_per_device_and_kicking_one);
async fn sessions_per_device_and_kicking_one(flavor: Flavor) {
    use imchat_sdk::Device;
    use imchat_sdk::proto::msg::DeviceKind;
    let cluster = TestCluster::start(flavor).await;
    let user = cluster.register("devs").await;
    let (tui, bot) = (Device::new(DeviceKind::Tui), Device::new(DeviceKind::Bot));
    let mut desk = cluster.login_device(&user, 0, &tui).await;
    let mut robot = cluster.login_device(&user, 1, &bot).await;
    let uid = user.uid.to_string();
    let listed = imctl(&cluster, &["sessions", &uid, "-o", "json"], None).await.ok().json();
    let rows: Vec<(&str, &str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["device"].as_str().unwrap(), s["kind"].as_str().unwrap(), s["server"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(tui.id.as_str(), "tui", "chatserver1"), (bot.id.as_str(), "bot", "chatserver2")]);
    let table = imctl(&cluster, &["sessions", &uid, "-o", "table"], None).await.ok();
    assert!(table.stdout.starts_with("DEVICE") && table.stdout.contains(&bot.id), "{table:?}");

    let kicked = imctl(&cluster, &["kick", &uid, "--device", &bot.id, "-o", "json"], None).await.ok().json();
    assert_eq!((kicked[0]["found"].as_bool(), kicked[0]["sessions"].as_u64()), (Some(true), Some(1)), "{kicked}");
    assert!(matches!(robot.next_event().await, Event::Kicked(_)));
    assert_eq!(desk.chat.heartbeat(user.uid).await.unwrap().error, 0, "the other device stays");
    robot.chat.close().await;
    wait_for("one session left", || async {
        let run = imctl(&cluster, &["sessions", &uid, "-o", "json"], None).await;
        (run.code == 0 && run.json().as_array()?.len() == 1).then_some(())
    })
    .await;
    // Every device: the operator's kick ends the rest.
    imctl(&cluster, &["kick", &uid, "-o", "json"], None).await.ok();
    assert!(matches!(desk.next_event().await, Event::Kicked(_)));
    cluster.shutdown().await;
}

both!(tokens_show_list_revoke);
async fn tokens_show_list_revoke(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let user = cluster.register("tok").await;
    let http = cluster.gate.login(&user.email, &user.password).await.unwrap();
    let uid = user.uid.to_string();
    let shown = imctl(&cluster, &["token", "show", &uid, "-o", "json"], None).await.ok().json();
    assert_eq!(shown["token"], format!("{}…", &http.token[..4]));
    assert!(shown["ttl_secs"].as_i64().unwrap() > 0);
    let revealed = imctl(&cluster, &["token", "show", &uid, "--reveal", "-o", "json"], None).await.ok().json();
    assert_eq!(revealed["token"], http.token.as_str());
    let listed = imctl(&cluster, &["token", "list", "--match", &uid, "-o", "json"], None).await.ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["uid"].as_i64(), Some(i64::from(user.uid)));
    imctl(&cluster, &["token", "revoke", &uid], None).await.ok();
    let gone = imctl(&cluster, &["token", "show", &uid, "-o", "json"], None).await;
    assert_eq!(gone.code, 3, "{gone:?}");
    assert_eq!(gone.json()["error"]["kind"], "not_found");
    // A revoked token no longer opens a chat session.
    let (chat, _) = imchat_sdk::ChatClient::connect(&cluster.suite.chats[0].addr.to_string()).await.unwrap();
    assert!(chat.login(user.uid, &http.token).await.is_err());
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_exit_codes() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let malformed = imctl(&cluster, &["kick", "not-a-uid"], None).await;
    assert_eq!(malformed.code, 2, "{malformed:?}");
    let unknown = imctl(&cluster, &["token", "show", "99999999", "-o", "table"], None).await;
    assert_eq!(unknown.code, 3, "{unknown:?}");
    assert!(unknown.stderr.contains("uid 99999999 has no token"), "{unknown:?}");

    let dead_gate = imctl_at(
        "http://127.0.0.1:1",
        "127.0.0.1:1",
        None,
        &["user", "code", "--email", "a@b.co", "-o", "table"],
        None,
    )
    .await;
    assert_eq!(dead_gate.code, 4, "{dead_gate:?}");
    assert!(
        dead_gate.stderr.contains("http://127.0.0.1:1") && dead_gate.stderr.contains("IMCTL_GATE"),
        "{dead_gate:?}"
    );
    let dead_status = imctl_at("http://127.0.0.1:1", "127.0.0.1:1", None, &["servers", "-o", "json"], None).await;
    assert_eq!(dead_status.code, 4, "{dead_status:?}");
    assert!(dead_status.json()["error"]["message"].as_str().unwrap().contains("IMCTL_STATUS"));
    // Without the deployment's secret the status server answers nothing but a refusal.
    let (gate, status) = (format!("http://{}", cluster.suite.gate), cluster.suite.status.to_string());
    let no_secret = imctl_at(&gate, &status, None, &["servers", "-o", "table"], None).await;
    assert_eq!(no_secret.code, 5, "{no_secret:?}");
    assert!(no_secret.stderr.contains("IMCHAT_INTERNAL_SECRET"), "{no_secret:?}");
    let wrong = imctl_at(&gate, &status, Some("not-the-secret-0123456789"), &["token", "list"], None).await;
    assert_eq!(wrong.code, 5, "{wrong:?}");

    let email = format!("bad.{}@example.com", imchat_store::random_hex(3));
    imctl(&cluster, &["user", "code", "--email", &email], None).await.ok();
    let code = cluster.mail.code_for(&email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let args = ["user", "register", "--email", &email, "--name", "bad_user", "--code", wrong, "--password-stdin"];
    let rejected = imctl(&cluster, &[&args[..], &["-o", "table"]].concat(), Some("good-password\n")).await;
    assert_eq!(rejected.code, 5, "{rejected:?}");
    assert!(rejected.stderr.contains("wrong verification code"), "{rejected:?}");
    let args = ["user", "register", "--email", &email, "--name", "bad_user", "--code", &code, "--password-stdin"];
    let weak = imctl(&cluster, &[&args[..], &["-o", "table"]].concat(), Some("abc\n")).await;
    assert_eq!(weak.code, 5, "{weak:?}");
    assert!(weak.stderr.contains("password"), "{weak:?}");
    let closed = imctl(&cluster, &[&args[..], &["-o", "table"]].concat(), None).await;
    assert_eq!(closed.code, 2, "{closed:?}");
    assert!(closed.stderr.contains("stdin ended"), "{closed:?}");
    let no_secret = imctl(&cluster, &["user", "login", "--email", &email, "-o", "table"], None).await;
    assert_eq!(no_secret.code, 2, "{no_secret:?}");
    assert!(no_secret.stderr.contains("IMCTL_PASSWORD"), "{no_secret:?}");

    let completions = imctl(&cluster, &["completions", "bash"], None).await.ok();
    assert!(completions.stdout.contains("imctl"));
    cluster.shutdown().await;
}

/// The scripting example in `docs/examples/` works as documented.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_registration_script() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let imchat_tests::Mail::Files(mail_dir) = &cluster.mail else { unreachable!("embedded mail is files") };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/register-users.sh");
    let tag = imchat_store::random_hex(3);
    let names = [format!("ann{tag}"), format!("ben{tag}")];
    let out = tokio::process::Command::new("bash")
        .arg(&script)
        .args(&names)
        .env("MAIL_DIR", mail_dir)
        .env("IMCTL", imchat_tests::binary("imctl"))
        .env("IMCTL_GATE", format!("http://{}", cluster.suite.gate))
        .env("IMCTL_STATUS", cluster.suite.status.to_string())
        .env("IMCHAT_INTERNAL_SECRET", cluster.secret())
        .env("PASSWORD", "correct horse")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, name) in lines.iter().zip(&names) {
        let uid: i32 = line.split(' ').next().unwrap().parse().unwrap();
        let login = cluster.gate.login(&format!("{name}@example.com"), "correct horse").await.unwrap();
        assert_eq!(login.uid, uid);
    }
    cluster.shutdown().await;
}

/// Accounts seeded by `imchat-server seed` log in through the normal path, and a connections
/// run larger than one process's share is held by worker processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_accounts_and_worker_processes() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let data_dir = cluster.data_dir().to_str().unwrap().to_owned();
    let seed = |args: &[&str]| {
        std::process::Command::new(imchat_tests::binary("imchat-server"))
            .args(["seed", "--data-dir", &data_dir])
            .args(args)
            .env("IMCHAT_BENCH_PASSWORD", "bench-pw")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = seed(&["--prefix", "s1", "--users", "5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("seeded 5 accounts s1_0..s1_4"));
    let again = seed(&["--prefix", "s1", "--users", "5"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is the prefix already used?"));
    let bad = seed(&["--prefix", "Upper", "--users", "1"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lowercase"), "{}", String::from_utf8_lossy(&bad.stderr));

    let login = cluster.gate.login("s1.4@bench.invalid", "bench-pw").await.unwrap();
    assert!(!login.token.is_empty());
    let child = tokio::process::Command::new(imchat_tests::binary("imctl"))
        .args(["--gate", &format!("http://{}", cluster.suite.gate), "--status", &cluster.suite.status.to_string()])
        .args(["bench", "connections", "--seeded", "s1", "--users", "5", "--per-process", "2", "--idle-secs", "1"])
        .args(["-o", "json"])
        .env("IMCHAT_BENCH_PASSWORD", "bench-pw")
        .env("IMCHAT_INTERNAL_SECRET", cluster.secret())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(BENCH_DEADLINE, child.wait_with_output()).await.expect("imctl hung").unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["processes"].as_u64(), report["alive"].as_u64()), (Some(3), Some(5)), "{report}");
    cluster.shutdown().await;
}

/// A short smoke run of the chat benchmark on each topology: nothing lost, nothing
/// duplicated (no timing asserts; the numbers live in docs/BENCHMARKS.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_smoke_runs_lose_nothing() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let imchat_tests::Mail::Files(mail_dir) = &cluster.mail else { unreachable!("embedded mail is files") };
    let mail_dir = mail_dir.to_str().unwrap();
    let topologies = [
        &["--baseline"][..],
        &["--cross-server"][..],
        &["--rate", "200"][..],
        &["--window", "4", "--baseline"][..],
        &["--window", "4", "--cross-server"][..],
    ];
    for topology in topologies {
        let mut args = vec!["bench", "chat", "--users", "4", "--messages", "10", "--mail-dir", mail_dir, "-o", "json"];
        args.extend(topology);
        let reports = imctl(&cluster, &args, None).await.ok().json();
        for report in reports.as_array().unwrap() {
            assert_eq!(report["delivered"], 40, "{report}");
            assert_eq!((report["drops"].as_u64(), report["duplicates"].as_u64()), (Some(0), Some(0)), "{report}");
            assert!(report["p99_us"].as_u64().unwrap() > 0);
            // Every push to a partner on the other server is one frame of a batched call.
            let (calls, frames) = (report["peer_calls"].as_u64(), report["peer_frames"].as_u64());
            match report["target"].as_str() {
                Some("baseline") => assert_eq!((calls, frames), (None, None), "{report}"),
                _ if topology.contains(&"--cross-server") => {
                    // The 40 texts, and at most a presence push (1176) per bench user's login
                    // or logout to their partner there, which may fall in the window.
                    assert!(frames.is_some_and(|frames| (40..=48).contains(&frames)), "{report}");
                    assert!(calls.is_some_and(|calls| (1..=48).contains(&calls)), "{report}");
                }
                _ => assert_eq!((calls, frames), (Some(0), Some(0)), "{report}"),
            }
        }
    }
    // Three devices per user, the others on the other server: each gets every message of its
    // thread (the partner's and its user's own), 20 each.
    let args = [
        "bench",
        "chat",
        "--users",
        "4",
        "--messages",
        "10",
        "--cross-server",
        "--devices",
        "3",
        "--mail-dir",
        mail_dir,
        "-o",
        "json",
    ];
    let report = imctl(&cluster, &args, None).await.ok().json()[0].clone();
    assert_eq!((report["delivered"].as_u64(), report["drops"].as_u64()), (Some(40), Some(0)), "{report}");
    assert_eq!(report["given_up"].as_u64(), Some(0), "{report}");
    assert_eq!(report["devices"].as_u64(), Some(3), "{report}");
    assert_eq!(
        (report["other_device_pushes"].as_u64(), report["other_device_missing"].as_u64()),
        (Some(160), Some(0)),
        "{report}"
    );
    let args = [
        "bench",
        "files",
        "--users",
        "2",
        "--size",
        "100000",
        "--secs",
        "1",
        "--warmup",
        "0",
        "--mail-dir",
        mail_dir,
        "-o",
        "json",
    ];
    let report = imctl(&cluster, &args, None).await.ok().json();
    assert_eq!((report["errors"].as_u64(), report["given_up"].as_u64()), (Some(0), Some(0)), "{report}");
    assert!(report["uploads"].as_u64() > Some(0) && report["downloads"].as_u64() > Some(0), "{report}");
    // The servers run inside the test process here, so no imchat-server's memory is sampled.
    assert!(report["upload_mb_per_sec"].as_f64() > Some(0.0), "{report}");
    let args = ["bench", "connections", "--users", "4", "--idle-secs", "1", "--mail-dir", mail_dir, "-o", "json"];
    let report = imctl(&cluster, &args, None).await.ok().json();
    assert_eq!((report["alive"].as_u64(), report["errors"].as_u64()), (Some(4), Some(0)), "{report}");
    let args =
        ["bench", "login", "--users", "2", "--rounds", "2", "--concurrency", "2", "--mail-dir", mail_dir, "-o", "json"];
    let report = imctl(&cluster, &args, None).await.ok().json();
    assert_eq!((report["logins_per_path"].as_u64(), report["errors"].as_u64()), (Some(4), Some(0)), "{report}");

    let args =
        ["bench", "latency", "--users", "4", "--messages", "10", "--loads", "50", "--mail-dir", mail_dir, "-o", "json"];
    let reports = imctl(&cluster, &args, None).await.ok().json();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2, "the maximum, then 50% of it");
    assert!(reports[1]["scenario"].as_str().unwrap().contains("--rate"), "{}", reports[1]);
    for report in reports {
        assert_eq!((report["delivered"].as_u64(), report["drops"].as_u64()), (Some(40), Some(0)), "{report}");
    }

    let args = ["bench", "slow-consumer", "--users", "2", "--messages", "10", "--mail-dir", mail_dir, "-o", "json"];
    let report = imctl(&cluster, &args, None).await.ok().json();
    assert_eq!(report["disconnected"], true, "{report}");
    assert!(report["flood_acked"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["synced"], report["flood_acked"], "the reader syncs every acknowledged message: {report}");
    assert_eq!((report["lost"].as_u64(), report["duplicates"].as_u64()), (Some(0), Some(0)), "{report}");
    for others in report["others"].as_array().unwrap() {
        assert_eq!((others["delivered"].as_u64(), others["drops"].as_u64()), (Some(20), Some(0)), "{others}");
    }

    // Sustained and ack-paced: only the measured span counts, every acknowledged message
    // is delivered, and the servers' own count of given-up pushes comes back.
    let args = [
        "bench",
        "chat",
        "--users",
        "4",
        "--window",
        "4",
        "--cross-server",
        "--secs",
        "2",
        "--warmup",
        "1",
        "--ack-paced",
        "--mail-dir",
        mail_dir,
        "-o",
        "json",
    ];
    let reports = imctl(&cluster, &args, None).await.ok().json();
    let report = &reports.as_array().unwrap()[0];
    assert!(report["scenario"].as_str().unwrap().ends_with("--secs 2 --warmup 1 --ack-paced"), "{report}");
    assert_eq!(report["seconds"].as_f64(), Some(2.0), "{report}");
    assert!(report["delivered"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["delivered"], report["sent"], "{report}");
    assert_eq!((report["drops"].as_u64(), report["given_up"].as_u64()), (Some(0), Some(0)), "{report}");

    let args = ["bench", "reconnect", "--users", "3", "--missed", "5", "--mail-dir", mail_dir, "-o", "json"];
    let report = imctl(&cluster, &args, None).await.ok().json();
    assert_eq!((report["resumed"].as_u64(), report["missing"].as_u64()), (Some(3), Some(0)), "{report}");
    assert_eq!((report["errors"].as_u64(), report["duplicates"].as_u64()), (Some(0), Some(0)), "{report}");
    cluster.shutdown().await;
}

both!(group_commands_list_show_and_disband);
async fn group_commands_list_show_and_disband(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let friends = cluster.friends().await;
    let created = friends.a.chat.create_group("crew", &[friends.b.uid]).await.unwrap().group;
    let id = created.thread_id.to_string();

    let listed = imctl(&cluster, &["group", "list", "--member", &friends.b.uid.to_string(), "-o", "json"], None).await;
    let listed = listed.ok().json();
    assert_eq!(listed[0]["id"], created.thread_id);
    assert_eq!((listed[0]["name"].as_str(), listed[0]["members"].as_i64()), (Some("crew"), Some(2)));
    let table = imctl(&cluster, &["group", "show", &id, "-o", "table"], None).await.ok();
    assert!(table.stdout.contains("crew") && table.stdout.contains("active"), "{table:?}");
    let members = imctl(&cluster, &["group", "members", &id, "-o", "json"], None).await.ok().json();
    let roles: Vec<(i64, &str)> =
        members.as_array().unwrap().iter().map(|m| (m["uid"].as_i64().unwrap(), m["role"].as_str().unwrap())).collect();
    let mut expected = vec![(i64::from(friends.a.uid), "owner"), (i64::from(friends.b.uid), "member")];
    expected.sort();
    assert_eq!(roles, expected);

    let disbanded = imctl(&cluster, &["group", "disband", &id, "-o", "json"], None).await.ok().json();
    assert_eq!(disbanded[0]["result"], "disbanded");
    let shown = imctl(&cluster, &["group", "show", &id, "-o", "json"], None).await.ok().json();
    assert_eq!(shown["disbanded"], true);
    // A missing group is an error with its documented exit code; the rest still runs.
    let missing = imctl(&cluster, &["group", "disband", &id, "999999"], None).await;
    assert_ne!(missing.code, 0, "{missing:?}");
    assert!(missing.stdout.contains("already disbanded") && missing.stdout.contains("no such group"), "{missing:?}");
    let missing = imctl(&cluster, &["group", "show", "999999", "-o", "json"], None).await;
    assert_eq!(missing.code, 3, "not found: {missing:?}");
    assert_eq!(missing.json()["error"]["message"], "no group 999999");
    cluster.shutdown().await;
}

both!(file_commands_show_usage_and_delete);
/// An operator sees who holds what, lists a user's files and deletes one: no client can fetch
/// it from then on, and the resource server's sweep removes its bytes from storage.
async fn file_commands_show_usage_and_delete(flavor: Flavor) {
    use imchat_sdk::files::{FileClient, Outgoing, send_file};
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_path_buf();
    let cluster = TestCluster::start_with(flavor, |file| {
        file.storage = Some(imchat_res::StorageConfig::Local { dir: dir.clone() });
        file.files.sweep = std::time::Duration::from_secs(1);
    })
    .await;
    let f = cluster.friends().await;
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("notes.txt");
    std::fs::write(&path, "minutes of the meeting\n".repeat(2000)).unwrap();
    let size = std::fs::metadata(&path).unwrap().len() as i64;
    let res = cluster.suite.res.to_string();
    let mut files = FileClient::connect(&res, f.a.uid, &f.a.login.token).await.unwrap();
    let out =
        Outgoing { me: f.a.uid, touid: f.b.uid, thread_id: f.thread_id, path: &path, msg_type: 3, unique_id: "{op-1}" };
    let name = send_file(&f.a.chat, &mut files, &out, |_, _| {}).await.unwrap().message.unique_name;
    let stored = || walk(store.path());
    assert_eq!(stored().len(), 1, "one object in storage: {:?}", stored());

    let usage = imctl(&cluster, &["files", "usage", "-o", "json"], None).await.ok().json();
    let alice = usage.as_array().unwrap().iter().find(|u| u["uid"] == f.a.uid).expect("alice holds a file");
    assert_eq!((alice["files"].as_i64(), alice["bytes"].as_i64()), (Some(1), Some(size)));
    let table = imctl(&cluster, &["files", "usage", "--uid", &f.a.uid.to_string(), "-o", "table"], None).await.ok();
    assert!(table.stdout.contains("BYTES") && table.stdout.contains(&size.to_string()), "{table:?}");
    let listed = imctl(&cluster, &["files", "list", &f.a.uid.to_string(), "-o", "json"], None).await.ok().json();
    assert_eq!((listed[0]["name"].as_str(), listed[0]["label"].as_str()), (Some(name.as_str()), Some("notes.txt")));
    assert_eq!((listed[0]["complete"].as_bool(), listed[0]["kind"].as_str()), (Some(true), Some("chat")));

    let deleted = imctl(&cluster, &["files", "rm", &name, "-o", "json"], None).await.ok().json();
    assert_eq!((deleted[0]["result"].as_str(), deleted[0]["size"].as_i64()), (Some("deleted"), Some(size)));
    let mut bob = FileClient::connect(&res, f.b.uid, &f.b.login.token).await.unwrap();
    let gone = bob.download(&name, false, &work.path().join("copy"), |_, _| {}).await.unwrap_err();
    assert_eq!(gone.code(), Some(imchat_proto::ErrorCode::FileNotFound), "{gone:?}");
    imchat_tests::wait_for("the sweep to delete the bytes", || async { stored().is_empty().then_some(()) }).await;
    let again = imctl(&cluster, &["files", "rm", &name], None).await;
    assert_eq!(again.code, 3, "not found: {again:?}");
    assert!(again.stdout.contains("no such file"), "{again:?}");
    let bad = imctl(&cluster, &["files", "rm", "../etc/passwd"], None).await;
    assert_ne!(bad.code, 0, "{bad:?}");
    drop(f);
    cluster.shutdown().await;
}

/// Every regular file under `dir`.
pub(crate) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(walk(&path)) } else { found.push(path) }
    }
    found
}
