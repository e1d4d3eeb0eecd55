//! imchat-tui as a daily driver, end to end in tmux: the outbox outlives `kill -9` and its
//! message arrives once; unread counts are right on a second device; the selection stays on
//! the open chat when another moves to the top; a paste with CR line breaks arrives as lines.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

use super::{Person, befriended_by_sdk, register_and_login, start, start_at};
use imchat_tests::{Flavor, TestCluster};

/// A door in front of the gate: open, it forwards connections; closed, nothing listens on its
/// port (a client gets "connection refused", as from a server that is down).
struct Door {
    addr: SocketAddr,
    to: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Door {
    async fn new(to: SocketAddr) -> Door {
        let addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let mut door = Door { addr, to, task: None };
        door.open().await;
        door
    }

    async fn open(&mut self) {
        // tokio sets SO_REUSEADDR: the port is free again at once.
        let listener = TcpListener::bind(self.addr).await.unwrap();
        let to = self.to;
        self.task = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    async fn close(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Logs `person` in with the password `register_in_tui` gave them.
fn log_in(person: &Person, email: &str) {
    person.tmux.type_text(email);
    person.tmux.keys(&["Tab"]);
    person.tmux.type_text("pass-123");
    person.tmux.keys(&["Enter"]);
}

/// Whether a file under `dir` holds `text` (what the client keeps on this machine).
fn kept(dir: &std::path::Path, text: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            return kept(&path, text);
        }
        std::fs::read_to_string(&path).is_ok_and(|content| content.contains(text))
    })
}

/// The gate is down: a restart draws the kept chats anyway, a text written then waits in the
/// outbox on disk, survives `kill -9` of the client, and goes out once after the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_kill_9_and_delivers_once() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let mut door = Door::new(cluster.suite.gate).await;
    let gate = format!("http://{}", door.addr);
    let alice = start_at(&gate, home.path(), "alice", "", &[]).await;
    register_and_login(&cluster, &alice).await;
    let (mut bob, alice_uid) = befriended_by_sdk(&cluster, &alice, "bob").await;
    alice.tmux.keys(&["F2"]);
    alice.tmux.wait_for("We are friends now!").await;
    alice.tmux.keys(&["C-q"]);
    imchat_tests::wait_for("alice's client to exit", || async { alice.tmux.exit_status() }).await;

    // The gate is down: the kept chats are drawn, the login waits to try again.
    door.close().await;
    let offline = start_at(&gate, home.path(), "alice2", "", &[]).await;
    log_in(&offline, &alice.email);
    offline.tmux.wait_for("reconnecting in").await;
    offline.tmux.wait_for("We are friends now!").await;
    offline.tmux.keys(&["Enter"]);
    offline.tmux.type_text("written offline");
    offline.tmux.keys(&["Enter"]);
    offline.tmux.wait_for("sending…").await;
    let data = home.path().join(".local/share/imchat");
    imchat_tests::wait_for("the outbox on disk", || async { kept(&data, "written offline").then_some(()) }).await;
    offline.tmux.kill9();
    imchat_tests::wait_for("the client to die", || async { offline.tmux.exit_status() }).await;
    assert_eq!(offline.tmux.exit_status(), Some(137), "killed, not quit");

    // Up again: the next start sends it, and bob gets it once.
    door.open().await;
    let back = start_at(&gate, home.path(), "alice3", "", &[]).await;
    log_in(&back, &alice.email);
    back.tmux.wait_for("● online").await;
    loop {
        if let imchat_sdk::Event::Text(push) = bob.next_event().await {
            assert_eq!(push.chat_datas[0].content, "written offline");
            break;
        }
    }
    // On screen as stored: nothing is still sending.
    back.tmux.keys(&["Enter"]);
    back.tmux.wait_for("written offline").await;
    imchat_tests::wait_for("no sending left", || async { (!back.tmux.screen().contains("sending…")).then_some(()) })
        .await;
    let thread = bob.chat.create_private_chat(bob.uid, alice_uid).await.unwrap().thread_id;
    let history = bob.chat.load_older(thread, i64::MAX).await.unwrap();
    let copies = history.chat_datas.iter().filter(|m| m.content == "written offline").count();
    assert_eq!(copies, 1, "delivered once: {:?}", history.chat_datas);
    drop(bob);
    cluster.shutdown().await;
}

/// Read on one device, the count is right on another (a fresh machine: from the server's read
/// marker, not from anything kept locally).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_are_right_on_a_second_device() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let (laptop_home, desktop_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let laptop = start(&cluster, laptop_home.path(), "alice").await;
    register_and_login(&cluster, &laptop).await;
    let (b, alice_uid) = befriended_by_sdk(&cluster, &laptop, "bob").await;
    let bob_name = b.chat.search(&b.uid.to_string()).await.unwrap().name;
    let thread = b.chat.create_private_chat(b.uid, alice_uid).await.unwrap().thread_id;
    for n in 1..=3 {
        b.chat.send_texts(b.uid, alice_uid, thread, &[(&format!("news {n}"), &format!("{{d{n}}}"))]).await.unwrap();
    }
    laptop.tmux.wait_for("Chats (3)").await;
    laptop.tmux.keys(&["F2", "Enter"]);
    laptop.tmux.wait_for("news 3").await;
    let marked = || async {
        let page =
            cluster.suite.db.sync(alice_uid, &Default::default(), Some(50), Default::default(), 100).await.ok()?;
        page.threads.iter().find(|t| t.thread.thread_id == thread).filter(|t| t.read_seq >= 4).map(|_| ())
    };
    imchat_tests::wait_for("the laptop's read marker", marked).await;
    b.chat.send_texts(b.uid, alice_uid, thread, &[("one more", "{d4}")]).await.unwrap();
    laptop.tmux.wait_for("one more").await;

    // The desktop has never seen this account: its counts come from the server.
    let desktop = start(&cluster, desktop_home.path(), "alice-desktop").await;
    log_in(&desktop, &laptop.email);
    desktop.tmux.wait_for("● online").await;
    let screen = desktop.tmux.wait_for(&bob_name).await;
    assert!(!screen.contains("Chats ("), "everything was read on the laptop:\n{screen}");
    drop(b);
    cluster.shutdown().await;
}

/// The highlighted chat is the open one even when another chat's message moves that chat to
/// the top of the list; and a paste with CR line breaks arrives as lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_selection_stays_and_a_cr_paste_arrives_as_lines() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    register_and_login(&cluster, &alice).await;
    let (bob, alice_uid) = befriended_by_sdk(&cluster, &alice, "bob").await;
    let (mut carol, _) = befriended_by_sdk(&cluster, &alice, "carol").await;
    let carol_name = carol.chat.search(&carol.uid.to_string()).await.unwrap().name;
    let bob_name = bob.chat.search(&bob.uid.to_string()).await.unwrap().name;
    // Carol's chat is the newest, on top: Alice opens it.
    alice.tmux.keys(&["F2"]);
    alice.tmux.wait_for(&format!("> {carol_name}")).await;
    alice.tmux.keys(&["Enter"]);
    // Bob writes: his chat moves to the top, the highlight stays on carol's.
    let bob_thread = bob.chat.create_private_chat(bob.uid, alice_uid).await.unwrap().thread_id;
    bob.chat.send_texts(bob.uid, alice_uid, bob_thread, &[("bob moves up", "{s1}")]).await.unwrap();
    let screen = alice.tmux.wait_for(&format!("{bob_name} (1)")).await;
    // The chat list is the left pane, below its title.
    let list: Vec<&str> = screen.lines().skip(1).filter_map(|l| l.split("││").next()).collect();
    let rows: Vec<&&str> = list.iter().filter(|l| l.contains(&bob_name) || l.contains(&carol_name)).collect();
    assert!(rows[0].contains(&bob_name), "bob's chat is on top now:\n{screen}");
    let highlighted = list.iter().find(|line| line.contains("> ")).copied().unwrap_or_default();
    assert!(highlighted.contains(&carol_name), "the open chat stays highlighted:\n{screen}");

    // A paste into carol's chat, its line breaks CR and CRLF, arrives as three lines.
    alice.tmux.paste_raw("line one\rline two\r\nline three");
    alice.tmux.wait_for("line three").await;
    alice.tmux.keys(&["Enter"]);
    loop {
        if let imchat_sdk::Event::Text(push) = carol.next_event().await {
            assert_eq!(push.chat_datas[0].content, "line one\nline two\nline three");
            break;
        }
    }
    drop(bob);
    cluster.shutdown().await;
}
