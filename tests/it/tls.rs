//! TLS end to end (`imchat-server all --tls`, self-signed): the gate speaks HTTPS and the chat
//! servers have TLS ports beside their plaintext ones; the SDK, imctl and imchat-tui trust the
//! certificate given with `--ca-cert` and refuse the gate without it.

use imchat_sdk::Event;
use imchat_tests::{Flavor, TestCluster, binary};

async fn tls_cluster(dir: &std::path::Path) -> TestCluster {
    let tls_dir = dir.join("tls");
    TestCluster::start_with(Flavor::Embedded, move |file| {
        file.tls_dir = Some(tls_dir);
        file.chat_tls_ports = [0, 0];
        file.res_tls_port = 0;
    })
    .await
}

/// Two users register and log in over HTTPS, chat over the TLS chat ports (across both
/// servers), and a plaintext request to the gate gets nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_registers_logs_in_and_chats_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = tls_cluster(dir.path()).await;
    assert!(cluster.gate_url().starts_with("https://"));
    let (alice, bob) = (cluster.register("alice").await, cluster.register("bob").await);
    let connect = async |user: &imchat_tests::TestUser| {
        let http = cluster.gate.login(&user.email, &user.password).await.unwrap();
        assert!(!http.chattlsport.is_empty(), "the login names the TLS chat port: {http:?}");
        let (chat, events, addr) = cluster.gate.connect_chat(&http).await.unwrap();
        assert!(addr.ends_with(&format!(":{}", http.chattlsport)), "{addr}");
        chat.login(http.uid, &http.token).await.unwrap();
        (chat, events, http.uid)
    };
    let (a, mut a_events, a_uid) = connect(&alice).await;
    let (b, mut b_events, b_uid) = connect(&bob).await;
    a.add_friend(a_uid, b_uid, "hi over tls", "").await.unwrap();
    let next = async |events: &mut tokio::sync::mpsc::Receiver<Event>| {
        tokio::time::timeout(imchat_tests::DEADLINE, events.recv()).await.expect("an event").expect("open")
    };
    assert!(matches!(next(&mut b_events).await, Event::FriendRequest(_)));
    let thread = b.accept_friend(b_uid, a_uid, "").await.unwrap().chat_datas[0].thread_id;
    assert!(matches!(next(&mut a_events).await, Event::FriendAccepted(_)));
    a.send_texts(a_uid, b_uid, thread, &[("秘密 over TLS", "{t1}")]).await.unwrap();
    let Event::Text(push) = next(&mut b_events).await else { panic!("the push") };
    assert_eq!(push.chat_datas[0].content, "秘密 over TLS");

    // The resource port too: the login names its TLS port, the SDK takes it, and it refuses
    // to send the token in clear to an HTTPS gate's resource server without one.
    let http = cluster.gate.login(&alice.email, &alice.password).await.unwrap();
    assert!(!http.restlsport.is_empty(), "the login names the TLS resource port: {http:?}");
    let place = cluster.gate.res_place(&http).unwrap().expect("a resource server");
    assert!(place.tls.is_some() && place.addr.ends_with(&format!(":{}", http.restlsport)), "{place:?}");
    let (chat, _events, _) = cluster.gate.connect_chat(&http).await.unwrap();
    chat.login(http.uid, &http.token).await.unwrap();
    let files = imchat_sdk::files::FileClient::open(&place, http.uid, &http.token).await.expect("over TLS");
    assert_eq!(files.limits.uid, http.uid);
    let mut clear = http.clone();
    clear.restlsport.clear();
    assert!(matches!(cluster.gate.res_place(&clear), Err(imchat_sdk::SdkError::Tls(_))));
    // Nor to its chat server without a TLS port (review 3, N19): no quiet plaintext.
    clear.chattlsport.clear();
    assert!(matches!(cluster.gate.connect_chat(&clear).await, Err(imchat_sdk::SdkError::Tls(_))));

    let plain =
        reqwest::Client::new().post(format!("http://{}/user_login", cluster.suite.gate)).body("{}").send().await;
    assert!(plain.is_err(), "plain HTTP to the HTTPS gate: {plain:?}");
    cluster.shutdown().await;
}

/// imctl against the HTTPS gate: with `--ca-cert` it works; without, it says what is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imctl_uses_an_https_gate_with_its_ca_cert() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = tls_cluster(dir.path()).await;
    let cert = cluster.suite.tls_cert.clone().expect("a certificate");
    let run = async |ca: Option<&std::path::Path>| {
        let mut command = tokio::process::Command::new(binary("imctl"));
        command.args(["--gate", &cluster.gate_url(), "--status", &cluster.suite.status.to_string()]);
        if let Some(ca) = ca {
            command.arg("--ca-cert").arg(ca);
        }
        command.args(["-o", "table", "user", "code", "--email", "tls.user@example.com"]);
        command.env_remove("IMCTL_CA_CERT").output().await.unwrap()
    };
    let trusted = run(Some(&cert)).await;
    assert!(trusted.status.success(), "{}", String::from_utf8_lossy(&trusted.stderr));
    let untrusted = run(None).await;
    assert_eq!(untrusted.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("certificate") && stderr.contains("--ca-cert"), "{stderr}");
    cluster.shutdown().await;
}

/// imchat-tui in tmux against the HTTPS gate and the TLS chat ports: two people register,
/// befriend and chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_registers_and_chats_over_tls() {
    use imchat_tests::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let cluster = tls_cluster(dir.path()).await;
    let cert = cluster.suite.tls_cert.clone().expect("a certificate");
    let home = tempfile::tempdir().unwrap();
    let tag = imchat_store::random_hex(3);
    let (name, email) = (format!("tina_{tag}"), format!("tina.{tag}@example.com"));
    let bin = binary("imchat-tui");
    let log = home.path().join("tina.log");
    let gate = cluster.gate_url();
    let command = [
        bin.to_str().unwrap(),
        "--gate",
        &gate,
        "--ca-cert",
        cert.to_str().unwrap(),
        "--log-file",
        log.to_str().unwrap(),
    ];
    let t = Tmux::start(&command, &[("HOME", home.path().to_str().unwrap()), ("TERM", "xterm-256color")], 100, 30);
    t.wait_for("imchat · log in").await;
    cluster.register_in_tui(&t, &name, &email).await;

    // A friend on the SDK, also over TLS, asks; tina accepts and they chat.
    let omar = cluster.register("omar").await;
    let http = cluster.gate.login(&omar.email, &omar.password).await.unwrap();
    let (chat, mut events, _) = cluster.gate.connect_chat(&http).await.unwrap();
    chat.login(http.uid, &http.token).await.unwrap();
    let tina_uid = chat.search(&name).await.unwrap().uid;
    chat.add_friend(http.uid, tina_uid, "hello tina", "").await.unwrap();
    t.wait_for("wants to be friends").await;
    t.keys(&["F3"]);
    t.wait_for("Enter accepts").await;
    t.keys(&["Enter"]);
    let accepted = loop {
        match tokio::time::timeout(imchat_tests::DEADLINE, events.recv()).await.unwrap().unwrap() {
            Event::FriendAccepted(accepted) => break accepted,
            _ => continue,
        }
    };
    let thread = accepted.chat_datas[0].thread_id;
    chat.send_texts(http.uid, tina_uid, thread, &[("a secret only TLS carries", "{tls-1}")]).await.unwrap();
    t.keys(&["F2"]);
    t.wait_for(&omar.name).await;
    t.keys(&["Enter"]);
    t.wait_for("a secret only TLS carries").await;
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!logged.contains("ERROR"), "{logged}");
    cluster.shutdown().await;
}

/// `imctl bench chat --tls` and `bench login --tls` run their chat over the TLS ports: the
/// loads the benchmarks compare with plaintext.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benches_run_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = tls_cluster(dir.path()).await;
    let cert = cluster.suite.tls_cert.clone().expect("a certificate");
    let imchat_tests::Mail::Files(mail_dir) = &cluster.mail else { unreachable!("embedded mail is files") };
    for args in [
        &["chat", "--tls", "--users", "4", "--messages", "30", "--window", "4", "--cross-server"][..],
        &["login", "--tls", "--users", "3", "--rounds", "2", "--path", "token"][..],
    ] {
        let out = tokio::process::Command::new(binary("imctl"))
            .args(["--gate", &cluster.gate_url(), "--status", &cluster.suite.status.to_string()])
            .arg("--ca-cert")
            .arg(&cert)
            .args(["-o", "json", "bench"])
            .args(args)
            .arg("--mail-dir")
            .arg(mail_dir)
            .env("IMCHAT_INTERNAL_SECRET", cluster.secret())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let report = if report.is_array() { report[0].clone() } else { report };
        assert_eq!(report["errors"].as_u64(), Some(0), "{report}");
        if args[0] == "chat" {
            assert!(report["scenario"].as_str().unwrap().contains("--tls"), "{report}");
            assert_eq!(report["delivered"], report["sent"], "{report}");
        }
    }
    cluster.shutdown().await;
}
