//! `imchat-tui`, the real binary in real terminals (tmux), against a real suite (embedded, and
//! MariaDB + Redis + SMTP with every role on its own connections):
//! two people register with mailed codes, become friends, chat, and ride out the crash of a
//! chat server without losing a message.

use imchat_proto::grpc::LookupUserReq;
use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_tests::binary;
use imchat_tests::tmux::Tmux;
use imchat_tests::{Flavor, TestCluster};

struct Person {
    tmux: Tmux,
    name: String,
    email: String,
}

async fn start(cluster: &TestCluster, home: &std::path::Path, who: &str) -> Person {
    let tag = imchat_store::random_hex(3);
    let (name, email) = (format!("{who}_{tag}"), format!("{who}.{tag}@example.com"));
    let bin = binary("imchat-tui");
    let gate = format!("http://{}", cluster.suite.gate);
    let log = home.join(format!("{who}.log"));
    let command = [bin.to_str().unwrap(), "--gate", &gate, "--log-file", log.to_str().unwrap()];
    let tmux = Tmux::start(&command, &[("HOME", home.to_str().unwrap()), ("TERM", "xterm-256color")], 100, 30);
    tmux.wait_for("imchat · log in").await;
    Person { tmux, name, email }
}

/// Registers through the register screen (the code comes from the mail files) and logs in.
async fn register_and_login(cluster: &TestCluster, person: &Person) {
    let t = &person.tmux;
    t.keys(&["F2"]);
    t.wait_for("create an account").await;
    for (idx, text) in [person.name.as_str(), &person.email, "pass-123", "pass-123"].iter().enumerate() {
        t.type_text(text);
        if idx < 3 {
            t.keys(&["Tab"]);
        }
    }
    t.keys(&["C-s"]);
    t.wait_for("send code (again in").await;
    let code = cluster.mail.code_for(&person.email).await;
    t.keys(&["Tab"]);
    t.type_text(&code);
    t.keys(&["Enter"]);
    t.wait_for("registered as uid").await;
    t.type_text("pass-123");
    t.keys(&["Enter"]);
    t.wait_for("● online").await;
}

both!(two_people_register_befriend_chat_and_survive_an_outage);
async fn two_people_register_befriend_chat_and_survive_an_outage(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    let bob = start(&cluster, home.path(), "bob").await;
    register_and_login(&cluster, &alice).await;
    register_and_login(&cluster, &bob).await;

    // Alice finds bob by name and asks to be friends.
    alice.tmux.keys(&["F4"]);
    alice.tmux.wait_for("find people").await;
    alice.tmux.type_text(&bob.name);
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for(&format!("found {}", bob.name)).await;
    alice.tmux.type_text("hi, it's alice");
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("friend request sent").await;

    // Bob sees the request, accepts it inline in Contacts.
    bob.tmux.wait_for("wants to be friends").await;
    bob.tmux.keys(&["F3"]);
    bob.tmux.wait_for("Enter accepts").await;
    bob.tmux.keys(&["Enter"]);
    bob.tmux.wait_for("are friends now").await;
    alice.tmux.wait_for("accepted your request").await;

    // Alice opens the chat and writes; bob sees the unread badge, opens it, answers.
    alice.tmux.keys(&["F2"]);
    alice.tmux.wait_for(&format!("> {}", bob.name)).await;
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("We are friends now!").await;
    alice.tmux.type_text("hello bob, 你好");
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("✓").await;
    bob.tmux.keys(&["F2"]);
    bob.tmux.wait_for(&format!("{} (", alice.name)).await;
    bob.tmux.keys(&["Enter"]);
    bob.tmux.wait_for("hello bob, 你好").await;
    bob.tmux.type_text("hi alice");
    bob.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("hi alice").await;

    // Alice's chat server dies: she sees the outage, bob keeps writing, and after the
    // reconnect (F5 skips the wait) she has everything.
    let mut admin = AdminServiceClient::connect(format!("http://{}", cluster.suite.status)).await.unwrap();
    let alice_uid = admin_uid(&cluster, &alice.email).await;
    let server = admin.lookup_user(LookupUserReq { uid: alice_uid }).await.unwrap().into_inner().server;
    let node = cluster.suite.chats.iter().find(|c| c.name == server).expect("alice's server");
    node.crash();
    alice.tmux.wait_for("reconnecting in").await;
    bob.tmux.type_text("while you were away");
    bob.tmux.keys(&["Enter"]);
    bob.tmux.keys(&["F5"]);
    alice.tmux.keys(&["F5"]);
    alice.tmux.wait_for("reconnected").await;
    alice.tmux.wait_for("while you were away").await;
    bob.tmux.wait_for("while you were away").await;

    alice.tmux.keys(&["C-q"]);
    imchat_tests::wait_for("alice's client to exit", || async { alice.tmux.exit_status() }).await;
    assert_eq!(alice.tmux.exit_status(), Some(0), "the client exits cleanly and restores the terminal");
    cluster.shutdown().await;
}

async fn admin_uid(cluster: &TestCluster, email: &str) -> i32 {
    cluster.suite.db.user_by_email(email).await.unwrap().expect("registered").uid
}

/// No server at all: the client says so on screen, stays usable, and exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_is_reported_on_screen() {
    let home = tempfile::tempdir().unwrap();
    let bin = binary("imchat-tui");
    let log = home.path().join("tui.log");
    let command = [bin.to_str().unwrap(), "--gate", "http://127.0.0.1:1", "--log-file", log.to_str().unwrap()];
    let tmux = Tmux::start(&command, &[("HOME", home.path().to_str().unwrap())], 60, 16);
    tmux.wait_for("imchat · log in").await;
    tmux.type_text("ann@example.com");
    tmux.keys(&["Tab"]);
    tmux.paste(&"x".repeat(10_000));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("login failed").await;
    assert!(screen.contains("cannot reach http://127.0.0.1:1"), "{screen}");
    tmux.keys(&["F1"]);
    tmux.wait_for("keys (F1 or Esc closes").await;
    tmux.keys(&["F1"]);
    tmux.keys(&["C-q"]);
    imchat_tests::wait_for("the client to exit", || async { tmux.exit_status() }).await;
    assert_eq!(tmux.exit_status(), Some(0));
}
