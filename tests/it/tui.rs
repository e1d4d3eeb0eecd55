//! `imchat-tui`, the real binary in real terminals (tmux), against a real suite (embedded, and
//! MariaDB + Redis + SMTP with every role on its own connections):
//! two people register with mailed codes, become friends, chat, and ride out the crash of a
//! chat server without losing a message.

use imchat_proto::grpc::{ListChatServersReq, LookupUserReq};
use imchat_tests::binary;
use imchat_tests::tmux::Tmux;
use imchat_tests::{Flavor, TestCluster};

mod daily;

struct Person {
    tmux: Tmux,
    name: String,
    email: String,
}

async fn start(cluster: &TestCluster, home: &std::path::Path, who: &str) -> Person {
    start_configured(cluster, home, who, "").await
}

/// [`start`] with `config` as the client's config file.
async fn start_configured(cluster: &TestCluster, home: &std::path::Path, who: &str, config: &str) -> Person {
    start_with_env(cluster, home, who, config, &[]).await
}

/// [`start_configured`] with more environment for the client (`EDITOR`, ...).
async fn start_with_env(
    cluster: &TestCluster,
    home: &std::path::Path,
    who: &str,
    config: &str,
    env: &[(&str, &str)],
) -> Person {
    start_at(&format!("http://{}", cluster.suite.gate), home, who, config, env).await
}

/// A client of the gate at `gate` (the suite's, or a door in front of it), in English unless
/// `env` says otherwise.
async fn start_at(gate: &str, home: &std::path::Path, who: &str, config: &str, env: &[(&str, &str)]) -> Person {
    let tag = imchat_store::random_hex(3);
    let (name, email) = (format!("{who}_{tag}"), format!("{who}.{tag}@example.com"));
    let bin = binary("imchat-tui");
    let log = home.join(format!("{who}.log"));
    let config_file = home.join(format!("{who}.ini"));
    std::fs::write(&config_file, config).unwrap();
    let command = [
        bin.to_str().unwrap(),
        "--gate",
        gate,
        "--log-file",
        log.to_str().unwrap(),
        "--config",
        config_file.to_str().unwrap(),
    ];
    let mut all_env = vec![("HOME", home.to_str().unwrap()), ("TERM", "xterm-256color"), ("IMCHAT_TUI_LANG", "en")];
    all_env.extend_from_slice(env);
    let tmux = Tmux::start(&command, &all_env, 100, 30);
    tmux.wait_for("imchat · log in").await;
    Person { tmux, name, email }
}

/// Registers through the register screen (the code comes from the mail files) and logs in.
async fn register_and_login(cluster: &TestCluster, person: &Person) {
    cluster.register_in_tui(&person.tmux, &person.name, &person.email).await;
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
    // Focus stays on the search field: Tab moves to the greeting.
    alice.tmux.keys(&["Tab"]);
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
    let mut admin = cluster.admin().await;
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

/// An SDK user `name` on chat server 1 asks `person` (in the TUI) to be friends and `person`
/// accepts on screen: the SDK client and `person`'s uid.
async fn befriended_by_sdk(cluster: &TestCluster, person: &Person, name: &str) -> (imchat_tests::Client, i32) {
    let user = cluster.register(name).await;
    let client = cluster.login_on(&user, 1).await;
    let uid = admin_uid(cluster, &person.email).await;
    client.chat.add_friend(client.uid, uid, "hi", "").await.unwrap();
    // The request on screen first: F3 before it arrived would select a friend, and the
    // selection then stays on that friend when the request comes in above it.
    person.tmux.wait_for("Contacts (+1)").await;
    person.tmux.keys(&["F3"]);
    person.tmux.wait_for("Enter accepts").await;
    person.tmux.keys(&["Enter"]);
    // This friendship's notice (an earlier one may still be on screen).
    person.tmux.wait_for(&format!("you and {} are friends now", user.name)).await;
    (client, uid)
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

/// `imchat-tui` on an llfc-shaped server (master's login keys, none of imchat's extensions):
/// a fresh user registers, finds and befriends another, chats both ways, sees the history in
/// order after a restart, is told a text is too long before llfc would drop the session, and
/// is signed out by a second login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_works_against_an_llfc_server() {
    use imchat_sdk::Event;
    use imchat_tests::llfc::{self, LlfcServer};

    let llfc = LlfcServer::start().await;
    let sdk_gate = imchat_sdk::GateClient::new(&llfc.gate_url()).unwrap();
    let bob_email = llfc::register(&sdk_gate, "bob").await;
    let mut bob = llfc::login(&sdk_gate, &bob_email).await;
    let home = tempfile::tempdir().unwrap();
    let start_tui = || {
        let bin = binary("imchat-tui");
        let log = home.path().join("alice.log");
        let (gate, log) = (llfc.gate_url(), log.to_str().unwrap().to_owned());
        let command = [bin.to_str().unwrap(), "--gate", &gate, "--log-file", &log];
        Tmux::start(&command, &[("HOME", home.path().to_str().unwrap()), ("TERM", "xterm-256color")], 100, 30)
    };
    let t = start_tui();
    t.wait_for("imchat · log in").await;
    t.keys(&["F2"]);
    t.wait_for("create an account").await;
    for (idx, text) in ["alice", "alice@example.com", llfc::PASSWORD, llfc::PASSWORD].iter().enumerate() {
        t.type_text(text);
        if idx < 3 {
            t.keys(&["Tab"]);
        }
    }
    t.keys(&["C-s"]);
    t.wait_for("send code (again in").await;
    t.keys(&["Tab"]);
    t.type_text(llfc::CODE);
    t.keys(&["Enter"]);
    t.wait_for("registered as uid").await;
    t.type_text(llfc::PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for("● online").await;

    t.keys(&["F4"]);
    t.wait_for("find people").await;
    t.type_text("bob");
    t.keys(&["Enter"]);
    t.wait_for("found bob").await;
    t.keys(&["Tab"]);
    t.type_text("hi bob");
    t.keys(&["Enter"]);
    t.wait_for("friend request sent").await;
    let Event::FriendRequest(request) = llfc::next_event(&mut bob.events).await else { panic!("1011") };
    bob.chat.accept_friend(bob.uid, request.applyuid, "").await.unwrap();
    t.wait_for("accepted your request").await;

    t.keys(&["F2"]);
    t.wait_for("> bob").await;
    t.keys(&["Enter"]);
    t.wait_for("We are friends now!").await;
    t.type_text("hello bob, 你好");
    t.keys(&["Enter"]);
    t.wait_for("✓").await;
    let Event::Text(push) = llfc::next_event(&mut bob.events).await else { panic!("1019") };
    assert_eq!(push.chat_datas[0].content, "hello bob, 你好");
    bob.chat.send_texts(bob.uid, request.applyuid, push.thread_id, &[("hi alice", "{b1}")]).await.unwrap();
    t.wait_for("hi alice").await;
    // Longer than llfc's frame limit: refused on the spot, and the session lives on.
    t.paste(&"长".repeat(1000));
    t.keys(&["Enter"]);
    let screen = t.wait_for("too long for this server").await;
    assert!(screen.contains("● online"), "{screen}");
    // (The failed text stays at the bottom of the chat; bob's next message lands above it.)
    bob.chat.send_texts(bob.uid, request.applyuid, push.thread_id, &[("still here", "{b2}")]).await.unwrap();

    // A restart: the history comes back from llfc's own requests, oldest first. The failed
    // text is kept on this machine, not sent: quitting says so first, a second Ctrl-Q leaves.
    t.keys(&["C-q"]);
    t.wait_for("quit? 1 not sent yet: kept on this machine").await;
    t.keys(&["C-q"]);
    imchat_tests::wait_for("the client to exit", || async { t.exit_status() }).await;
    drop(t);
    // llfc's acceptor race closes the first connection unread: the client tries once more.
    llfc.drop_next_first_frame();
    let t = start_tui();
    t.wait_for("imchat · log in").await;
    t.type_text("alice@example.com");
    t.keys(&["Tab"]);
    t.type_text(llfc::PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for("● online").await;
    t.wait_for("> bob").await;
    t.keys(&["Enter"]);
    // The kept failed text is at the bottom: Ctrl-R asks, d deletes it.
    t.wait_for("长长长长").await;
    t.keys(&["C-r"]);
    t.wait_for("a message that was not sent").await;
    t.keys(&["d"]);
    // "still here" is the chat list's preview too: wait for the chat itself.
    t.wait_for("hi bob").await;
    let screen = t.wait_for("still here").await;
    // The last occurrence of each: the chat list's preview comes first on the screen.
    let at = |needle: &str| screen.rfind(needle).unwrap_or_else(|| panic!("{needle} on screen:\n{screen}"));
    assert!(at("hi bob") < at("We are friends now!"), "{screen}");
    assert!(at("We are friends now!") < at("hello bob, 你好") && at("hello bob, 你好") < at("hi alice"), "{screen}");
    assert!(screen.matches("new messages").count() <= 1, "one divider at most:\n{screen}");
    assert!(!screen.contains("no chats yet"), "{screen}");

    // A second login elsewhere signs the TUI out.
    let _elsewhere = llfc::login(&sdk_gate, "alice@example.com").await;
    t.wait_for("signed out: logged in elsewhere").await;

    let seen = llfc.seen();
    assert_eq!(seen.would_crash, 0, "no request that crashes llfc's server");
    assert_eq!(seen.unknown_ids, Vec::<u16>::new(), "only ids llfc's server handles");
    assert_eq!(llfc.stored().iter().filter(|m| m.starts_with('长')).count(), 0, "the long text never left");
}

/// A push given up on purpose: bob's route is pointed at a dead peer while alice writes, so
/// her server gives those pushes up (and counts them). The next push that reaches bob's
/// imchat-tui skips a seq; the client fetches the hole at once, and everything shows in order,
/// without a reconnect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_recovers_a_lost_push_without_reconnecting() {
    use imchat_sdk::Event;

    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        // Every push reads bob's route, so pointing it elsewhere takes effect at once.
        file.limits.route_cache = std::time::Duration::ZERO;
        file.limits.registry_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let bob = start(&cluster, home.path(), "bob").await;
    register_and_login(&cluster, &bob).await;
    let bob_uid = admin_uid(&cluster, &bob.email).await;
    let mut admin = cluster.admin().await;
    let bob_server = admin.lookup_user(LookupUserReq { uid: bob_uid }).await.unwrap().into_inner().server;
    let other = cluster.suite.chats.iter().position(|c| c.name != bob_server).expect("two chat servers");
    let alice_user = cluster.register("alice").await;
    let mut alice = cluster.login_on(&alice_user, other).await;

    alice.chat.add_friend(alice.uid, bob_uid, "hi, it's alice", "").await.unwrap();
    bob.tmux.wait_for("wants to be friends").await;
    bob.tmux.keys(&["F3"]);
    bob.tmux.wait_for("Enter accepts").await;
    bob.tmux.keys(&["Enter"]);
    let Event::FriendAccepted(accepted) = alice.next_event().await else { panic!("the acceptance reaches alice") };
    let thread = accepted.chat_datas[0].thread_id;
    bob.tmux.keys(&["F2"]);
    bob.tmux.wait_for(&alice_user.name).await;
    bob.tmux.keys(&["Enter"]);
    let say = async |text: &str| {
        let unique = format!("{{{text}}}");
        alice.chat.send_texts(alice.uid, bob_uid, thread, &[(text, &unique)]).await.unwrap();
    };
    say("one before").await;
    bob.tmux.wait_for("one before").await;

    // A dead peer in the registry, and bob's route pointing at it.
    cluster.announce_dead_peer("dead").await;
    let presence = cluster.presence().await;
    presence.set_route(bob_uid, "dead", None).await.unwrap();
    // Until alice's server reads the registry again, "dead" is unknown to it (bob is offline
    // there, and nothing is counted): write until a push is given up.
    // One text per ten polls (200 ms), so a handful at most.
    let mut polls = 0;
    imchat_tests::wait_for("a push to bob to be given up", || {
        polls += 1;
        let text = (polls % 10 == 1).then(|| format!("lost {}", polls / 10 + 1));
        let mut admin = admin.clone();
        let say = &say;
        async move {
            if let Some(text) = text {
                say(&text).await;
            }
            let servers = admin.list_chat_servers(ListChatServersReq {}).await.ok()?.into_inner().servers;
            (servers.iter().map(|s| s.pushes_given_up).sum::<u64>() >= 1).then_some(())
        }
    })
    .await;

    presence.set_route(bob_uid, &bob_server, None).await.unwrap();
    say("one after").await;
    let screen = bob.tmux.wait_for("one after").await;
    let screen = if screen.contains("lost 1") { screen } else { bob.tmux.wait_for("lost 1").await };
    let order: Vec<usize> =
        // The last occurrence of each: the chat list's preview shows the newest one too.
        ["one before", "lost 1", "one after"].iter().map(|text| screen.rfind(text).expect("on screen")).collect();
    assert!(order.is_sorted(), "in order:\n{screen}");
    assert!(!screen.contains("reconnect"), "no reconnect:\n{screen}");
    cluster.shutdown().await;
}

/// `a` finds `b` by name and asks; `b` accepts in Contacts.
async fn befriend_in_tui(a: &Person, b: &Person) {
    a.tmux.keys(&["F4"]);
    a.tmux.wait_for("find people").await;
    a.tmux.type_text(&b.name);
    a.tmux.keys(&["Enter"]);
    a.tmux.wait_for(&format!("found {}", b.name)).await;
    a.tmux.keys(&["Tab"]);
    a.tmux.type_text("hello");
    a.tmux.keys(&["Enter"]);
    a.tmux.wait_for("friend request sent").await;
    b.tmux.keys(&["F3"]);
    b.tmux.wait_for("Enter accepts").await;
    b.tmux.keys(&["Enter"]);
    b.tmux.wait_for("are friends now").await;
    b.tmux.keys(&["F2"]);
}

both!(three_people_make_a_group_chat_mention_and_leave);
/// Three people on two chat servers: alice makes a group with bob, invites carol, writes
/// with a mention; bob, in another chat, is told by bell, desktop notification (through
/// tmux's passthrough) and title; carol leaves and the others see it.
async fn three_people_make_a_group_chat_mention_and_leave(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    let bob = start(&cluster, home.path(), "bob").await;
    let carol = start(&cluster, home.path(), "carol").await;
    for person in [&alice, &bob, &carol] {
        register_and_login(&cluster, person).await;
    }
    let mut admin = cluster.admin().await;
    let mut servers = std::collections::HashSet::new();
    for person in [&alice, &bob, &carol] {
        let uid = admin_uid(&cluster, &person.email).await;
        servers.insert(admin.lookup_user(LookupUserReq { uid }).await.unwrap().into_inner().server);
    }
    assert_eq!(servers.len(), 2, "the three are spread over both chat servers: {servers:?}");
    befriend_in_tui(&alice, &bob).await;
    befriend_in_tui(&alice, &carol).await;

    // Alice makes the group from her friends: bob ticked.
    alice.tmux.keys(&["F7"]);
    alice.tmux.wait_for("new group").await;
    alice.tmux.type_text("Crew 🚀");
    alice.tmux.keys(&["Tab"]);
    alice.tmux.type_text(" ");
    alice.tmux.wait_for("[x]").await;
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("created the group Crew").await;
    alice.tmux.wait_for("# Crew 🚀 · 2 members").await;
    bob.tmux.wait_for("# Crew 🚀").await;

    // She invites carol by name, in the chat.
    alice.tmux.type_text(&format!("/invite {}", carol.name));
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for(&format!("added {}", carol.name)).await;
    carol.tmux.wait_for("# Crew 🚀").await;

    // Bob is elsewhere (his chat with alice); a mention of him rings.
    bob.tmux.keys(&["Down", "Enter"]);
    bob.tmux.wait_for("We are friends now!").await;
    let output = home.path().join("bob.out");
    bob.tmux.record_output(&output);
    alice.tmux.type_text(&format!("hello crew, @{} look", bob.name));
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("✓").await;
    let screen = bob.tmux.wait_for("Crew 🚀 (").await;
    assert!(screen.contains(" @"), "the chat list marks the mention:\n{screen}");
    let written = imchat_tests::wait_for("bob's notification to reach his pane", || async {
        let bytes = std::fs::read(&output).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        text.contains("]777;notify;").then_some(text)
    })
    .await;
    assert!(written.contains('\x07'), "the bell rang");
    assert!(written.contains("\x1bPtmux;\x1b\x1b]777;notify;Crew 🚀 (you were mentioned);"), "{written:?}");
    imchat_tests::wait_for("the unread count in bob's title", || async {
        bob.tmux.title().starts_with("imchat (").then_some(())
    })
    .await;
    // The chat list's top is the group now (its newest message); the selection stays on the
    // chat it was on as the list reorders, so F2 goes back to the top first.
    carol.tmux.keys(&["F2", "Enter"]);
    carol.tmux.wait_for("# Crew 🚀 · 3 members").await;
    carol.tmux.wait_for("hello crew").await;

    // Carol leaves; the others see it in the thread.
    carol.tmux.type_text("/leave");
    carol.tmux.keys(&["Enter"]);
    carol.tmux.wait_for("again leaves").await;
    carol.tmux.keys(&["Enter"]);
    carol.tmux.wait_for("you are no longer in").await;
    alice.tmux.wait_for(&format!("{} left", carol.name)).await;
    // Escape on its own: followed at once by Up, a terminal reads them as one sequence.
    bob.tmux.keys(&["Escape"]);
    bob.tmux.wait_for("Enter opens the selected chat").await;
    bob.tmux.keys(&["Up", "Enter"]);
    bob.tmux.wait_for(&format!("{} left", carol.name)).await;
    bob.tmux.wait_for("hello crew").await;
    cluster.shutdown().await;
}

both!(a_picture_sent_from_the_tui_is_shown_on_the_other_chat_server);
/// Alice and bob on different chat servers: alice sends a picture by path (Tab completes it)
/// with Ctrl-T; bob sees it in his chat list, opens the chat and sees its preview (half blocks,
/// what tmux can draw), then saves it with F8 to his downloads folder, byte for byte.
async fn a_picture_sent_from_the_tui_is_shown_on_the_other_chat_server(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("bob-downloads");
    let picture = home.path().join("holiday photo.png");
    image::RgbImage::from_fn(640, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]))
        .save(&picture)
        .unwrap();
    let config = |dir: &std::path::Path| format!("[tui]\nimages = halfblocks\ndownloads = {}\n", dir.display());
    let alice = start_configured(&cluster, home.path(), "alice", &config(&home.path().join("alice-downloads"))).await;
    let bob = start_configured(&cluster, home.path(), "bob", &config(&downloads)).await;
    register_and_login(&cluster, &alice).await;
    register_and_login(&cluster, &bob).await;
    let mut admin = cluster.admin().await;
    let mut servers = std::collections::HashSet::new();
    for person in [&alice, &bob] {
        let uid = admin_uid(&cluster, &person.email).await;
        servers.insert(admin.lookup_user(LookupUserReq { uid }).await.unwrap().into_inner().server);
    }
    assert_eq!(servers.len(), 2, "alice and bob are on different chat servers: {servers:?}");
    befriend_in_tui(&alice, &bob).await;

    alice.tmux.keys(&["F2"]);
    alice.tmux.wait_for(&format!("> {}", bob.name)).await;
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("We are friends now!").await;
    alice.tmux.keys(&["C-t"]);
    alice.tmux.wait_for("send a picture or file").await;
    alice.tmux.type_text("~/holi");
    alice.tmux.keys(&["Tab"]);
    alice.tmux.wait_for("Path: ~/holiday photo.png").await;
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("📷 holiday photo.png").await;
    // Her own copy previews once it is up.
    alice.tmux.wait_for("▄▄▄▄▄▄▄▄").await;

    let screen = bob.tmux.wait_for("[picture] holiday photo.png").await;
    assert!(screen.contains(&format!("{} (", alice.name)), "unread:\n{screen}");
    bob.tmux.keys(&["Enter"]);
    bob.tmux.wait_for("📷 holiday photo.png").await;
    let screen = bob.tmux.wait_for("▄▄▄▄▄▄▄▄").await;
    let preview_rows = screen.lines().filter(|line| line.contains("▄▄▄▄▄▄▄▄")).count();
    assert!(preview_rows >= 6, "the preview takes its rows:\n{screen}");

    bob.tmux.keys(&["F8"]);
    bob.tmux.wait_for("pictures and files (1)").await;
    bob.tmux.keys(&["Enter"]);
    bob.tmux.wait_for("saved to").await;
    let saved = downloads.join("holiday photo.png");
    assert_eq!(std::fs::read(&saved).unwrap(), std::fs::read(&picture).unwrap(), "saved byte for byte");
    cluster.shutdown().await;
}

/// Review 3, N11: a file from a chat is opened only when its bytes and its name agree on a
/// picture, PDF or text, and only after the user has seen what it is; a script is saved and
/// never opened. The opener gets the path as its one argument, never through a shell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_opens_nothing_blindly() {
    use imchat_sdk::files::{FileClient, Outgoing, send_file};
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let (downloads, marker) = (home.path().join("downloads"), home.path().join("opened"));
    let opener = home.path().join("opener");
    std::fs::write(&opener, format!("#!/bin/sh\nprintf '%s\\n' \"$#\" \"$1\" > '{}'\n", marker.display())).unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = format!("[tui]\ndownloads = {}\nopener = {}\n", downloads.display(), opener.display());
    let bob = start_configured(&cluster, home.path(), "bob", &config).await;
    register_and_login(&cluster, &bob).await;

    // Alice, through the SDK: a friend request bob accepts, then a script and a picture.
    let (a, bob_uid) = befriended_by_sdk(&cluster, &bob, "alice").await;
    let thread_id = a.chat.create_private_chat(a.uid, bob_uid).await.expect("the thread").thread_id;
    let script = home.path().join("run.sh");
    std::fs::write(&script, "#!/bin/sh\ntouch pwned\n").unwrap();
    let picture = home.path().join("cat photo.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7])).save(&picture).unwrap();
    let mut files = FileClient::connect(&cluster.suite.res.to_string(), a.uid, &a.login.token).await.unwrap();
    for (path, msg_type, unique_id) in [(&script, 3, "{s-1}"), (&picture, 1, "{p-1}")] {
        let out = Outgoing { me: a.uid, touid: bob_uid, thread_id, path, msg_type, unique_id };
        send_file(&a.chat, &mut files, &out, |_, _| {}).await.expect("sent");
    }

    bob.tmux.keys(&["F2"]);
    bob.tmux.wait_for("[picture] cat photo.png").await;
    bob.tmux.keys(&["Enter"]);
    bob.tmux.keys(&["F8"]);
    bob.tmux.wait_for("pictures and files (2)").await;
    // Newest first: the picture, then the script.
    bob.tmux.keys(&["Down", "C-o"]);
    bob.tmux.wait_for("not opened: a .sh file is never opened").await;
    assert!(downloads.join("run.sh").exists(), "saved all the same");
    bob.tmux.keys(&["Up", "C-o"]);
    let screen = bob.tmux.wait_for("Open cat photo.png?").await;
    assert!(screen.contains("PNG image"), "what it is shows before it opens:\n{screen}");
    assert!(!marker.exists(), "nothing ran before the yes");
    bob.tmux.keys(&["Enter"]);
    let opened = imchat_tests::wait_for("the opener to run", || async {
        std::fs::read_to_string(&marker).ok().filter(|text| text.lines().count() == 2)
    })
    .await;
    let saved = downloads.join("cat photo.png");
    assert_eq!(opened, format!("1\n{}\n", saved.display()), "one argument, the path, spaces and all");
    cluster.shutdown().await;
}

/// The composer end to end: a long message typed in wraps on screen and arrives whole; a draft
/// handed to `$EDITOR` (Alt-E) comes back as the editor left it, line breaks and all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_message_and_an_edited_one_arrive_whole() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let editor = home.path().join("editor");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'from the editor\\nsecond line\\n' > \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let alice = start_with_env(&cluster, home.path(), "alice", "", &[("EDITOR", editor.to_str().unwrap())]).await;
    register_and_login(&cluster, &alice).await;
    let (mut b, _) = befriended_by_sdk(&cluster, &alice, "bob").await;
    alice.tmux.keys(&["F2", "Enter"]);
    alice.tmux.wait_for("We are friends now!").await;

    let long: String = (0..60).map(|n| format!("word{n} ")).collect::<String>() + "end";
    alice.tmux.type_text(&long);
    let screen = alice.tmux.wait_for("word59 end").await;
    // Wrapped into the composer's six rows, which scroll with the caret: the start is above.
    let rows = screen.lines().filter(|line| line.contains("word")).count();
    assert_eq!(rows, 6, "six wrapped rows:\n{screen}");
    assert!(!screen.contains("word0 word1"), "scrolled with the caret:\n{screen}");
    alice.tmux.keys(&["Enter"]);
    let next_text = async |b: &mut imchat_tests::Client| loop {
        if let imchat_sdk::Event::Text(push) = b.next_event().await {
            return push.chat_datas[0].content.clone();
        }
    };
    assert_eq!(next_text(&mut b).await, long, "arrives whole");

    alice.tmux.type_text("rough draft");
    alice.tmux.keys(&["M-e"]);
    alice.tmux.wait_for("second line").await;
    alice.tmux.keys(&["Enter"]);
    assert_eq!(next_text(&mut b).await, "from the editor\nsecond line");
    drop(b);
    cluster.shutdown().await;
}

/// Bob, befriended by `alice` in her terminal, writes her three texts ("news 1" to "news 3"),
/// and her chat list counts them: bob's client, alice's uid, bob's name, the thread and the
/// last text's seq.
async fn three_news_from_bob(cluster: &TestCluster, alice: &Person) -> (imchat_tests::Client, i32, String, i64, i64) {
    let (b, alice_uid) = befriended_by_sdk(cluster, alice, "bob").await;
    let bob_name = b.chat.search(&b.uid.to_string()).await.unwrap().name;
    let thread = b.chat.create_private_chat(b.uid, alice_uid).await.unwrap().thread_id;
    let mut last = 0;
    for n in 1..=3 {
        let text = format!("news {n}");
        let sent = b.chat.send_texts(b.uid, alice_uid, thread, &[(&text, &format!("{{n{n}}}"))]).await.unwrap();
        last = sent.chat_datas[0].seq;
    }
    alice.tmux.wait_for("Chats (3)").await;
    (b, alice_uid, bob_name, thread, last)
}

/// Read state lives on the server: a chat read before a restart shows no unread count after
/// it, and one with news since shows only what came after the read marker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_are_right_after_a_restart() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    register_and_login(&cluster, &alice).await;
    let (b, alice_uid, bob_name, thread, _) = three_news_from_bob(&cluster, &alice).await;
    // Alice reads them (the chat on screen, the terminal focused), then quits.
    alice.tmux.keys(&["F2", "Enter"]);
    alice.tmux.wait_for("news 3").await;
    // Her marker as her next login will read it.
    let marked = || async {
        let page =
            cluster.suite.db.sync(alice_uid, &Default::default(), Some(50), Default::default(), 100).await.ok()?;
        page.threads.iter().find(|t| t.thread.thread_id == thread).filter(|t| t.read_seq > 0).map(|t| t.read_seq)
    };
    imchat_tests::wait_for("alice's read marker", marked).await;
    alice.tmux.keys(&["C-q"]);
    imchat_tests::wait_for("alice's client to exit", || async { alice.tmux.exit_status() }).await;
    b.chat.send_texts(b.uid, alice_uid, thread, &[("after the restart", "{n4}")]).await.unwrap();

    // Back: one unread (the message after her marker), not four.
    let again = start(&cluster, home.path(), "alice2").await;
    again.tmux.type_text(&alice.email);
    again.tmux.keys(&["Tab"]);
    again.tmux.type_text("pass-123");
    again.tmux.keys(&["Enter"]);
    again.tmux.wait_for("● online").await;
    let screen = again.tmux.wait_for("Chats (1)").await;
    assert!(screen.contains(&format!("{bob_name} (1)")), "{screen}");
    drop(b);
    cluster.shutdown().await;
}

/// Read state and texts follow the user across devices: what her phone reads leaves the
/// terminal's count, what it sends shows in the terminal as hers, and what the terminal reads
/// reaches the phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_and_texts_follow_the_users_other_device() {
    use imchat_sdk::proto::msg::DeviceKind;
    use imchat_sdk::{Device, Event};
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    register_and_login(&cluster, &alice).await;
    let (b, alice_uid, bob_name, thread, last) = three_news_from_bob(&cluster, &alice).await;

    // Her phone reads them: the terminal's count goes.
    let user = imchat_tests::TestUser {
        uid: alice_uid,
        name: alice.name.clone(),
        email: alice.email.clone(),
        password: "pass-123".into(),
    };
    let mut phone = cluster.login_device(&user, 1, &Device::new(DeviceKind::Bot)).await;
    phone.chat.mark_read(thread, last).await.unwrap();
    imchat_tests::wait_for("the terminal's count to go", || async {
        let screen = alice.tmux.screen();
        (!screen.contains("Chats (") && screen.contains(&bob_name)).then_some(())
    })
    .await;

    // What she sends from the phone is in the terminal, as hers.
    phone.chat.send_texts(alice_uid, b.uid, thread, &[("sent from my phone", "{p1}")]).await.unwrap();
    alice.tmux.keys(&["F2", "Enter"]);
    alice.tmux.wait_for("sent from my phone").await;
    // Bob's next text, read in the terminal (open, focused): the phone hears of it.
    let read = b.chat.send_texts(b.uid, alice_uid, thread, &[("read on the terminal", "{n5}")]).await.unwrap();
    alice.tmux.wait_for("read on the terminal").await;
    loop {
        match phone.next_event().await {
            Event::ReadMarked(mark) if mark.seq == read.chat_datas[0].seq => break,
            Event::ReadMarked(_) | Event::Text(_) => {}
            other => panic!("the phone expected the terminal's read marker: {other:?}"),
        }
    }
    drop(b);
    cluster.shutdown().await;
}

/// Recall in the terminal: `/recall` takes back the user's last text (the friend's client
/// hears of it) and puts it back in the composer; the friend's recall turns their text into a
/// notice on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_either_way_shows_as_a_notice() {
    use imchat_sdk::Event;
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    register_and_login(&cluster, &alice).await;
    let (mut b, alice_uid, bob_name, thread, last) = three_news_from_bob(&cluster, &alice).await;
    alice.tmux.keys(&["F2", "Enter"]);
    alice.tmux.wait_for("news 3").await;

    alice.tmux.type_text("see you at 8");
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("see you at 8").await;
    imchat_tests::wait_for("the text to be stored", || async {
        (!alice.tmux.screen().contains("sending…")).then_some(())
    })
    .await;
    alice.tmux.type_text("/recall");
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("you recalled a message").await;
    alice.tmux.wait_for("its text is back in the composer").await;
    loop {
        match b.next_event().await {
            Event::Recalled(push) => {
                assert_eq!((push.thread_id, push.seq, push.notice.sender), (thread, last + 1, alice_uid));
                break;
            }
            Event::Closed => panic!("bob's connection closed before the recall"),
            _ => {}
        }
    }

    // Bob takes back his last news: her screen says so where it was.
    b.chat.recall(thread, last).await.expect("bob recalls his own");
    alice.tmux.wait_for(&format!("{bob_name} recalled a message")).await;
    let screen = alice.tmux.screen();
    assert!(!screen.contains("news 3") && screen.contains("news 2"), "{screen}");
    drop(b);
    cluster.shutdown().await;
}

/// Reply and forward by keys: Alt-↑ picks bob's news, Alt-R quotes it over the composer and
/// the text goes as a reply (bob's push carries the quote, her screen shows it); Alt-S sends
/// a news back to him through the switcher, marked as forwarded from him.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_quotes_and_a_forward_is_marked() {
    use imchat_sdk::Event;
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let home = tempfile::tempdir().unwrap();
    let alice = start(&cluster, home.path(), "alice").await;
    register_and_login(&cluster, &alice).await;
    let (mut b, _, bob_name, thread, last) = three_news_from_bob(&cluster, &alice).await;
    alice.tmux.keys(&["F2", "Enter"]);
    alice.tmux.wait_for("news 3").await;

    alice.tmux.keys(&["M-Up", "M-Up"]);
    alice.tmux.wait_for("▶").await;
    alice.tmux.keys(&["M-r"]);
    alice.tmux.wait_for(&format!("replying to {bob_name}: news 2")).await;
    alice.tmux.type_text("agreed");
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for(&format!("┃ {bob_name}: news 2")).await;
    let quoted = loop {
        match b.next_event().await {
            Event::Text(push) if push.chat_datas.iter().any(|d| d.content == "agreed") => {
                break push.chat_datas[0].reply.clone().expect("the push quotes");
            }
            Event::Closed => panic!("bob's connection closed before the reply"),
            _ => {}
        }
    };
    assert_eq!((quoted.seq, quoted.excerpt.as_str()), (last - 1, "news 2"));

    // Her "agreed" is the newest now: two up is bob's news 3, forwarded back to him.
    alice.tmux.keys(&["M-Up", "M-Up", "M-s"]);
    alice.tmux.wait_for("Forward to").await;
    alice.tmux.keys(&["Enter"]);
    alice.tmux.wait_for("forwarded").await;
    let copy = loop {
        match b.next_event().await {
            Event::Text(push) if push.thread_id == thread && push.chat_datas[0].forwarded_from != 0 => {
                break push.chat_datas[0].clone();
            }
            Event::Closed => panic!("bob's connection closed before the forward"),
            _ => {}
        }
    };
    assert_eq!((copy.content.as_str(), copy.forwarded_from), ("news 3", b.uid));
    alice.tmux.wait_for(&format!("forwarded from {bob_name}")).await;
    cluster.shutdown().await;
}
