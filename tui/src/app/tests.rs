//! `App::update` tests: events in, state and effects out, with time passed explicitly.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imchat_sdk::Dialect;
use imchat_sdk::proto::msg::{NotifyAddFriend, NotifyTextChat, SyncData, SyncRsp, SyncThread, TextChatData};

use crate::app::{App, Conn, Focus, MsgState, Pane, Screen};
use crate::event::{Effect, Event, NetEvent, SendFailure, Welcome};
use crate::keymap::Keymap;

/// What a login to an imchat server (`gapless`) or an llfc one says: uid 1 ("ann") with friend
/// 2 ("bob").
fn welcome(server: &str, gapless: bool) -> Welcome {
    Welcome {
        uid: 1,
        name: "ann".into(),
        email: String::new(),
        server: server.into(),
        friends: vec![(2, "bob".into(), String::new())],
        requests: Vec::new(),
        dialect: if gapless { Dialect::Imchat } else { Dialect::Llfc },
        max_text: if gapless { Some(4096) } else { None },
    }
}

struct Harness {
    app: App,
    now: Instant,
}

impl Harness {
    fn new() -> Harness {
        let now = Instant::now();
        Harness { app: App::new(Keymap::default(), now), now }
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        self.app.update(Event::Key(KeyEvent::new(code, mods)), self.now)
    }

    fn press(&mut self, code: KeyCode) -> Vec<Effect> {
        self.key(code, KeyModifiers::NONE)
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn net(&mut self, event: NetEvent) -> Vec<Effect> {
        self.app.update(Event::Net(event), self.now)
    }

    /// [`Harness::net`] without the notifications: the work it asks of the network.
    fn net_work(&mut self, event: NetEvent) -> Vec<Effect> {
        self.net(event).into_iter().filter(|e| !matches!(e, Effect::Notify { .. })).collect()
    }

    fn advance(&mut self, by: Duration) -> Vec<Effect> {
        self.now += by;
        self.app.update(Event::Tick, self.now)
    }

    /// Logged in as uid 1 with friend 2 ("bob") and thread 10.
    fn signed_in() -> Harness {
        let mut h = Harness::new();
        h.sign_in();
        h
    }

    /// Logs in (from the login screen) as uid 1 with friend 2 ("bob") and thread 10.
    fn sign_in(&mut self) {
        let h = self;
        h.type_text("ann@example.com");
        h.press(KeyCode::Tab);
        h.type_text("secret1");
        assert!(matches!(h.press(KeyCode::Enter).as_slice(), [Effect::Login { .. }]));
        h.welcome_and_sync();
    }

    /// The login's welcome (uid 1, friend 2 "bob") and a sync bringing thread 10.
    fn welcome_and_sync(&mut self) {
        let h = self;
        let effects = h.net(NetEvent::LoggedIn(Ok(Welcome {
            uid: 1,
            name: "ann".into(),
            email: "ann@example.com".into(),
            server: "127.0.0.1:8090".into(),
            friends: vec![(2, "bob".into(), String::new())],
            requests: Vec::new(),
            dialect: Dialect::Imchat,
            max_text: Some(4096),
        })));
        assert_eq!(effects, [Effect::Sync(Vec::new(), 0)]);
        h.net(NetEvent::Synced(SyncRsp {
            error: 0,
            threads: vec![SyncThread { thread_id: 10, peer_uid: 2, last_seq: 1, unread: 1, ..Default::default() }],
            chat_datas: vec![SyncData {
                thread_id: 10,
                seq: 1,
                sender: 2,
                receiver: 1,
                content: "hi ann".into(),
                ..SyncData::default()
            }],
            more: false,
            next_thread: None,
        }));
    }

    /// Opens thread 10 and sends `text`; the effect's unique id.
    fn send(&mut self, text: &str) -> String {
        self.press(KeyCode::Enter);
        self.type_text(text);
        let effects = self.press(KeyCode::Enter);
        let [Effect::Send { unique, .. }] = effects.as_slice() else { panic!("one send: {effects:?}") };
        unique.clone()
    }
}

#[test]
fn login_needs_both_fields() {
    let mut h = Harness::new();
    assert!(h.press(KeyCode::Enter).is_empty());
    assert!(h.app.notice.as_ref().unwrap().error);
    h.type_text("ann@example.com");
    h.press(KeyCode::Tab);
    h.type_text("pw-123");
    assert_eq!(h.press(KeyCode::Enter), [Effect::Login { email: "ann@example.com".into(), password: "pw-123".into() }]);
    assert!(h.app.busy);
    h.net(NetEvent::LoggedIn(Err("wrong email or password (1009)".into())));
    assert_eq!((h.app.screen, h.app.busy, h.app.conn), (Screen::Login, false, Conn::Offline));
    assert!(h.app.notice.as_ref().unwrap().text.contains("wrong email or password"));
}

#[test]
fn registration_with_code_countdown() {
    let mut h = Harness::new();
    h.press(KeyCode::F(2));
    assert_eq!(h.app.screen, Screen::Register);
    for (idx, text) in ["ann", "ann@example.com", "secret1", "secret2"].iter().enumerate() {
        h.type_text(text);
        if idx < 3 {
            h.press(KeyCode::Tab);
        }
    }
    let ctrl_s = |h: &mut Harness| h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(ctrl_s(&mut h), [Effect::RequestCode("ann@example.com".into())]);
    assert_eq!(h.app.code_countdown(), 60);
    h.advance(Duration::from_secs(15));
    assert!(ctrl_s(&mut h).is_empty(), "no resend inside the cooldown");
    assert_eq!(h.app.code_countdown(), 45);
    h.press(KeyCode::Tab);
    h.type_text("123456");
    assert!(h.press(KeyCode::Enter).is_empty());
    assert_eq!(h.app.notice.as_ref().unwrap().text, "the passwords differ");
    h.app.register.fields[3].1.set("secret1");
    let effects = h.press(KeyCode::Enter);
    assert!(matches!(&effects[..], [Effect::Register { code, .. }] if code == "123456"));
    h.net(NetEvent::Registered(Ok(1001)));
    assert_eq!(h.app.screen, Screen::Login);
    assert_eq!(h.app.login.value(0), "ann@example.com", "the email carries over to the login form");
}

#[test]
fn friend_requests_are_accepted_inline() {
    let mut h = Harness::signed_in();
    h.net(NetEvent::FriendRequest(NotifyAddFriend {
        applyuid: 3,
        name: "cat".into(),
        desc: "hello!".into(),
        ..Default::default()
    }));
    h.press(KeyCode::F(3));
    assert_eq!(h.app.main.as_ref().unwrap().pane, Pane::Contacts);
    assert_eq!(h.press(KeyCode::Enter), [Effect::Accept { applicant: 3, remark: String::new() }]);
}

#[test]
fn friend_requests_are_declined_with_delete() {
    let mut h = Harness::signed_in();
    h.net(NetEvent::FriendRequest(NotifyAddFriend { applyuid: 3, name: "spam".into(), ..Default::default() }));
    h.press(KeyCode::F(3));
    assert_eq!(h.press(KeyCode::Delete), [Effect::Decline(3)]);
    assert_eq!(h.app.main.as_ref().unwrap().pending_requests(), 1, "kept until the server says so");
    h.net(NetEvent::Declined(Ok(3)));
    assert_eq!(h.app.main.as_ref().unwrap().pending_requests(), 0);
    assert_eq!(h.app.notice.as_ref().unwrap().text, "declined the request from spam");
}

#[test]
fn sending_tracks_each_message() {
    let mut h = Harness::signed_in();
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.threads[&10].unread, 1);
    h.press(KeyCode::Enter); // open the only chat
    let main = h.app.main.as_ref().unwrap();
    assert_eq!((main.open, main.focus, main.threads[&10].unread), (Some(10), Focus::Input, 0));
    h.type_text("你好");
    h.key(KeyCode::Enter, KeyModifiers::ALT);
    h.type_text("bob");
    let effects = h.press(KeyCode::Enter);
    let [Effect::Send { unique, to: 2, thread: 10, text }] = &effects[..] else { panic!("{effects:?}") };
    assert_eq!(text, "你好\nbob");
    let unique = unique.clone();
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].msgs[1].state, MsgState::Sending);
    let stored = TextChatData { seq: 2, unique_id: unique.clone(), content: text.clone(), ..Default::default() };
    h.net(NetEvent::Sent { unique: unique.clone(), result: Ok(vec![stored]) });
    let msg = &h.app.main.as_ref().unwrap().threads[&10].msgs[1];
    assert_eq!((msg.seq, msg.state), (2, MsgState::Sent));

    // A push to another thread counts as unread and sets the divider.
    h.net(NetEvent::Text(NotifyTextChat {
        fromuid: 3,
        touid: 1,
        thread_id: 11,
        chat_datas: vec![TextChatData { seq: 5, content: "psst".into(), ..Default::default() }],
        ..Default::default()
    }));
    let other = &h.app.main.as_ref().unwrap().threads[&11];
    assert_eq!((other.unread, other.divider), (1, Some(5)));
}

#[test]
fn outage_queues_messages_and_reconnect_sends_them() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.net(NetEvent::Disconnected("reset by peer".into()));
    assert!(matches!(h.app.conn, Conn::Reconnecting { attempt: 0, .. }));
    h.type_text("still there?");
    assert!(h.press(KeyCode::Enter).is_empty(), "offline: the message waits in the outbox");
    assert!(h.advance(Duration::from_millis(500)).is_empty());
    let effects = h.advance(Duration::from_millis(600));
    assert!(matches!(&effects[..], [Effect::Reconnect(cursors)] if cursors[0].seq == 1));
    // The first attempt fails: the next waits twice as long.
    h.net(NetEvent::LoggedIn(Err("gate unreachable".into())));
    assert!(h.advance(Duration::from_millis(1500)).is_empty());
    assert_eq!(h.advance(Duration::from_millis(600)).len(), 1);
    let effects = h.net(NetEvent::LoggedIn(Ok(welcome("127.0.0.1:8091", true))));
    assert!(matches!(&effects[0], Effect::Sync(cursors, _) if cursors[0].seq == 1));
    assert!(matches!(&effects[1], Effect::Send { text, .. } if text == "still there?"));
    assert_eq!(h.app.conn, Conn::Online);
    assert_eq!(h.app.main.as_ref().unwrap().server, "127.0.0.1:8091");

    // A failed send is marked and F5 retries it.
    let unique = h.app.main.as_ref().unwrap().threads[&10].msgs[1].unique.clone();
    h.net(NetEvent::Sent { unique, result: Err(SendFailure::Refused("no".into())) });
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].msgs[1].state, MsgState::Failed);
    assert_eq!(h.press(KeyCode::F(5)).len(), 1);
}

/// A text the connection ended on is re-sent by the next login once; ended on again, it is
/// failed and waits for F5 (llfc drops the session over a too-long frame: re-sending it at
/// every reconnect would drop every session).
#[test]
fn a_text_the_server_dropped_the_session_over_is_resent_once() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("long text");
    let effects = h.press(KeyCode::Enter);
    let [Effect::Send { unique, .. }] = effects.as_slice() else { panic!("one send: {effects:?}") };
    let unique = unique.clone();
    let welcome = || welcome("127.0.0.1:8090", true);
    let state = |h: &Harness| h.app.main.as_ref().unwrap().threads[&10].msgs.last().unwrap().state;

    h.net(NetEvent::Sent { unique: unique.clone(), result: Err(SendFailure::Lost("closed".into())) });
    assert_eq!(state(&h), MsgState::Unknown, "lost once: unknown until the next login resends it");
    h.net(NetEvent::Disconnected("closed".into()));
    h.advance(Duration::from_secs(2));
    let effects = h.net(NetEvent::LoggedIn(Ok(welcome())));
    assert!(effects.iter().any(|e| matches!(e, Effect::Send { unique: u, .. } if *u == unique)), "{effects:?}");
    assert_eq!(state(&h), MsgState::Unknown, "still unknown while the resend is on its way");

    h.net(NetEvent::Sent { unique: unique.clone(), result: Err(SendFailure::Lost("closed".into())) });
    assert_eq!(state(&h), MsgState::Failed, "lost twice: failed");
    assert!(h.app.notice.as_ref().unwrap().text.contains("F5"));
    h.net(NetEvent::Disconnected("closed".into()));
    h.advance(Duration::from_secs(2));
    let effects = h.net(NetEvent::LoggedIn(Ok(welcome())));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Send { .. })), "not re-sent by itself: {effects:?}");
    // The user may still try.
    assert!(h.press(KeyCode::F(5)).iter().any(|e| matches!(e, Effect::Send { unique: u, .. } if *u == unique)));

    // Typed while offline: it just waits, whatever happens.
    h.net(NetEvent::Sent { unique: unique.clone(), result: Err(SendFailure::Offline) });
    assert_eq!(state(&h), MsgState::Sending);
}

/// A message whose answer the dropped connection took shows as unknown; when the sync after
/// the reconnect brings it stored, it is shown once, as stored, and the resend's answer changes
/// nothing.
#[test]
fn an_unknown_message_a_sync_brings_is_shown_once_as_stored() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("did it go?");
    let effects = h.press(KeyCode::Enter);
    let [Effect::Send { unique, .. }] = effects.as_slice() else { panic!("one send: {effects:?}") };
    let unique = unique.clone();
    h.net(NetEvent::Sent { unique: unique.clone(), result: Err(SendFailure::Lost("closed".into())) });
    h.net(NetEvent::Disconnected("closed".into()));
    let msgs = |h: &Harness| h.app.main.as_ref().unwrap().threads[&10].msgs.clone();
    assert_eq!(msgs(&h).last().unwrap().state, MsgState::Unknown);
    h.advance(Duration::from_secs(2));
    h.net(NetEvent::LoggedIn(Ok(welcome("127.0.0.1:8090", true))));
    let stored = SyncData {
        thread_id: 10,
        seq: 2,
        sender: 1,
        receiver: 2,
        unique_id: unique.clone(),
        content: "did it go?".into(),
        ..Default::default()
    };
    h.net(NetEvent::Synced(SyncRsp { chat_datas: vec![stored], ..Default::default() }));
    let shown: Vec<_> = msgs(&h).into_iter().filter(|m| m.text == "did it go?").collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!((shown[0].seq, shown[0].state), (2, MsgState::Sent));
    let answer = TextChatData { seq: 2, unique_id: unique.clone(), ..Default::default() };
    h.net(NetEvent::Sent { unique, result: Ok(vec![answer]) });
    assert_eq!(msgs(&h).iter().filter(|m| m.text == "did it go?").count(), 1);
}

#[test]
fn a_kick_returns_to_login() {
    let mut h = Harness::signed_in();
    assert_eq!(
        h.net(NetEvent::Kicked("logged in elsewhere".into())),
        [Effect::Logout],
        "the client closes the kicked connection"
    );
    assert_eq!((h.app.screen, h.app.conn), (Screen::Login, Conn::Offline));
    assert!(h.app.main.is_none());
    assert_eq!(h.app.notice.as_ref().unwrap().text, "signed out: logged in elsewhere");
}

#[test]
fn quit_from_anywhere() {
    let mut h = Harness::new();
    assert_eq!(h.key(KeyCode::Char('q'), KeyModifiers::CONTROL), [Effect::Quit]);
    assert!(h.app.quit);
}

/// With a message not sent yet, Ctrl-C (or Ctrl-Q) asks first; a second one leaves.
#[test]
fn quitting_with_unsent_messages_asks() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("still going");
    h.press(KeyCode::Enter);
    assert_eq!(h.key(KeyCode::Char('c'), KeyModifiers::CONTROL), []);
    assert!(!h.app.quit);
    assert!(h.app.notice.as_ref().unwrap().text.starts_with("quit? 1 not sent yet"), "{:?}", h.app.notice);
    assert_eq!(h.key(KeyCode::Char('c'), KeyModifiers::CONTROL), [Effect::Quit]);
    assert!(h.app.quit);
}

#[test]
fn scrolling_to_the_top_loads_older_messages() {
    use imchat_sdk::proto::msg::LoadOlderRsp;
    let mut h = Harness::signed_in();
    // A new device got only the tail of a long thread.
    h.net(NetEvent::Synced(SyncRsp {
        error: 0,
        threads: Vec::new(),
        chat_datas: (51..=53)
            .map(|seq| SyncData {
                thread_id: 20,
                seq,
                sender: 2,
                receiver: 1,
                content: format!("m{seq}"),
                ..SyncData::default()
            })
            .collect(),
        more: false,
        next_thread: None,
    }));
    h.press(KeyCode::F(2));
    let chats = h.app.main.as_ref().unwrap().items();
    let idx = chats.iter().position(|item| *item == crate::app::Item::Thread(20)).unwrap();
    for _ in 0..idx {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::Enter);
    // As drawn: 7 rows on screen, so a page is 5 lines.
    h.app.history_rows.set(7);
    assert!(h.press(KeyCode::PageUp).is_empty(), "not at the top yet");
    assert_eq!(h.press(KeyCode::PageUp), [Effect::LoadOlder { thread: 20, before_seq: 51 }]);
    assert!(h.press(KeyCode::PageUp).is_empty(), "one page at a time");
    let page = LoadOlderRsp {
        error: 0,
        thread_id: 20,
        chat_datas: vec![SyncData {
            thread_id: 20,
            seq: 50,
            sender: 1,
            receiver: 2,
            content: "m50".into(),
            ..SyncData::default()
        }],
        more: false,
    };
    h.net(NetEvent::Older(20, Ok(page)));
    let thread = &h.app.main.as_ref().unwrap().threads[&20];
    assert_eq!(thread.msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), [50, 51, 52, 53]);
    assert!(!thread.has_older());
    assert!(h.press(KeyCode::PageUp).is_empty(), "nothing older is left");
}

/// A push whose seq is not the next one means one was lost: the client fetches the missing
/// range at once (no reconnect), and its cursor never moves past the hole.
#[test]
fn a_lost_push_is_fetched_and_the_cursor_never_skips_it() {
    let mut h = Harness::signed_in();
    let push = |seq: i64| {
        NetEvent::Text(NotifyTextChat {
            fromuid: 2,
            touid: 1,
            thread_id: 10,
            chat_datas: vec![TextChatData { seq, content: format!("m{seq}"), ..Default::default() }],
            ..Default::default()
        })
    };
    let cursor = |h: &Harness| h.app.main.as_ref().unwrap().threads[&10].cursor.through();
    assert!(h.net_work(push(2)).is_empty(), "the next one: nothing to fetch");
    assert_eq!(cursor(&h), 2);
    // 3 was lost.
    let effects = h.net_work(push(4));
    assert!(
        matches!(&effects[..], [Effect::Sync(c, 9)] if c.iter().any(|c| c.thread_id == 10 && c.seq == 2)),
        "the sync starts at the thread with the hole: {effects:?}"
    );
    assert_eq!(cursor(&h), 2, "the cursor stays before the hole");
    assert!(h.net_work(push(5)).is_empty(), "one sync at a time");
    let data = |seq: i64| SyncData {
        thread_id: 10,
        seq,
        sender: 2,
        receiver: 1,
        content: format!("m{seq}"),
        ..SyncData::default()
    };
    let effects = h.net(NetEvent::Synced(SyncRsp {
        threads: vec![SyncThread { thread_id: 10, peer_uid: 2, last_seq: 5, unread: 3, ..Default::default() }],
        chat_datas: vec![data(3), data(4), data(5)],
        ..SyncRsp::default()
    }));
    assert!(effects.is_empty(), "{effects:?}");
    let thread = &h.app.main.as_ref().unwrap().threads[&10];
    assert_eq!(thread.cursor.through(), 5);
    assert_eq!(thread.msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);

    // A gap opened while a sync was on its way is fetched when it returns: 6 is missing (a
    // sync goes), then 8 too while that sync is out; its answer brings 6 and 7 only (8 was
    // stored after it read), so another sync goes.
    assert!(matches!(&h.net_work(push(7))[..], [Effect::Sync(_, 9)]));
    assert!(h.net_work(push(9)).is_empty(), "one sync at a time");
    let effects = h.net(NetEvent::Synced(SyncRsp { chat_datas: vec![data(6), data(7)], ..SyncRsp::default() }));
    assert!(
        matches!(&effects[..], [Effect::Sync(c, 9)] if c.iter().any(|c| c.thread_id == 10 && c.seq == 7)),
        "{effects:?}"
    );
}

/// A paged sync goes on from where the server says, until it says there is no more.
#[test]
fn a_paged_sync_follows_the_servers_next_thread() {
    let mut h = Harness::signed_in();
    let more =
        |next: Option<i64>| NetEvent::Synced(SyncRsp { more: next.is_some(), next_thread: next, ..SyncRsp::default() });
    assert!(matches!(&h.net(more(Some(400)))[..], [Effect::Sync(_, 400)]), "the next page of threads");
    assert!(matches!(&h.net(more(Some(400)))[..], [Effect::Sync(_, 400)]), "the same page's further messages");
    assert!(h.net(more(None)).is_empty(), "done");
}

/// llfc's servers number messages by global message id: holes are normal there.
#[test]
fn without_consecutive_seqs_there_is_no_gap() {
    let mut h = Harness::new();
    h.type_text("ann@example.com");
    h.press(KeyCode::Tab);
    h.type_text("secret1");
    h.press(KeyCode::Enter);
    h.net(NetEvent::LoggedIn(Ok(welcome("127.0.0.1:8090", false))));
    h.net(NetEvent::Synced(SyncRsp {
        chat_datas: vec![SyncData { thread_id: 10, seq: 41, sender: 2, receiver: 1, ..SyncData::default() }],
        ..SyncRsp::default()
    }));
    let effects = h.net_work(NetEvent::Text(NotifyTextChat {
        fromuid: 2,
        touid: 1,
        thread_id: 10,
        chat_datas: vec![TextChatData { seq: 97, content: "later".into(), ..Default::default() }],
        ..Default::default()
    }));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].cursor.through(), 97);
}

/// Message ids never repeat within one client process, a re-login included (a reused id is
/// refused by the server as another message's).
#[test]
fn message_ids_survive_a_re_login() {
    let mut h = Harness::signed_in();
    let first = h.send("one");
    h.net(NetEvent::Kicked("logged in elsewhere".into()));
    h.welcome_and_sync();
    let second = h.send("two");
    assert_ne!(first, second);
}

fn group_push(seq: i64, from: i32, text: &str, mentions: Vec<i32>) -> NetEvent {
    use imchat_sdk::proto::msg::NotifyGroupMsg;
    NetEvent::Group(NotifyGroupMsg {
        fromuid: from,
        thread_id: 30,
        mentions: mentions.clone(),
        chat_datas: vec![SyncData {
            thread_id: 30,
            seq,
            sender: from,
            content: text.into(),
            chat_time: format!("2026-12-01 10:00:0{seq}"),
            mentions,
            ..SyncData::default()
        }],
    })
}

/// A group's texts ring unless the group is muted; a mention rings even then, and marks the
/// chat. A group never seen before is asked about.
#[test]
fn group_pushes_notify_unless_muted_and_mentions_always_do() {
    use imchat_sdk::proto::msg::GroupInfo;
    let mut h = Harness::signed_in();
    let effects = h.net(group_push(1, 2, "hello all", vec![]));
    assert!(effects.contains(&Effect::GroupInfo(30)), "{effects:?}");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Notify { body, .. } if body == "bob: hello all")),
        "{effects:?}"
    );
    let info =
        GroupInfo { thread_id: 30, name: "team".into(), role: "member".into(), muted: true, ..GroupInfo::default() };
    h.net(NetEvent::GroupInfo(Ok(info)));
    let effects = h.net(group_push(2, 2, "still here", vec![]));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Notify { .. })), "muted: {effects:?}");
    let main = h.app.main.as_ref().unwrap();
    let private = main.threads[&10].unread;
    assert_eq!((main.threads[&30].unread, main.unread()), (2, private), "counted, not rung (nor in the title)");
    let effects = h.net(group_push(3, 2, "@ann look", vec![1]));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Notify { title, .. } if title == "team (you were mentioned)")),
        "{effects:?}"
    );
    assert!(h.app.main.as_ref().unwrap().threads[&30].group.as_ref().unwrap().mentioned);
}

/// In a group, `/` starts a command; `//` sends a slash; mentions of members go with a text.
#[test]
fn group_commands_and_mentions() {
    use imchat_sdk::proto::msg::GroupMember;
    let mut h = Harness::signed_in();
    h.net(group_push(1, 2, "hi", vec![]));
    let member =
        |uid: i32, name: &str| GroupMember { uid, name: name.into(), role: "member".into(), ..GroupMember::default() };
    h.net(NetEvent::GroupMembers(30, Ok(vec![member(1, "ann"), member(2, "bob"), member(5, "eve")])));
    // Open it: the chat list has it first (newest).
    h.press(KeyCode::F(2));
    let opened = h.press(KeyCode::Enter);
    // Shown with the terminal focused, it is read up to its newest message (any device's count).
    assert_eq!(opened, [Effect::GroupInfo(30), Effect::GroupMembers(30), Effect::MarkRead { thread: 30, seq: 1 }]);
    h.type_text("@eve and @bob: see this");
    let sent = h.press(KeyCode::Enter);
    assert!(matches!(&sent[..], [Effect::SendGroup { thread: 30, mentions, .. }] if mentions == &[2, 5]), "{sent:?}");
    for (typed, expected) in [
        ("/invite bob", Some(Effect::Invite { thread: 30, uids: vec![2] })),
        ("/leave", Some(Effect::LeaveGroup(30))),
        ("/mute", Some(Effect::MuteGroup { thread: 30, muted: true })),
        ("/rename  ", None),
        ("/invite nobody", None),
        ("/dance", None),
    ] {
        h.type_text(typed);
        let effects = h.press(KeyCode::Enter);
        assert_eq!(effects.first().cloned(), expected, "{typed}");
    }
    h.type_text("//shrug");
    assert!(matches!(&h.press(KeyCode::Enter)[..], [Effect::SendGroup { text, .. }] if text == "/shrug"));
}

/// The new-group dialog: a name, friends ticked with Space, Enter creates.
#[test]
fn a_group_is_made_from_ticked_friends() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::F(7));
    h.type_text("weekend");
    assert!(h.press(KeyCode::Enter).is_empty(), "nobody ticked yet");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char(' '));
    assert_eq!(h.press(KeyCode::Enter), [Effect::CreateGroup { name: "weekend".into(), members: vec![2] }]);
}

/// A group joined mid-way starts at its first message pushed or synced: what was said before
/// is not this user's, and no sync waits for it.
#[test]
fn a_group_joined_mid_way_has_no_gap() {
    let mut h = Harness::signed_in();
    let effects = h.net_work(group_push(5, 2, "welcome", vec![]));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Sync(..))), "{effects:?}");
    assert_eq!(h.app.main.as_ref().unwrap().threads[&30].cursor.through(), 5);
    // Removed and invited again: the sync's first message of the group lies past the cursor.
    let data = SyncData { thread_id: 30, seq: 9, sender: 2, content: "back".into(), ..SyncData::default() };
    let effects = h.net_work(NetEvent::Synced(SyncRsp { chat_datas: vec![data], ..SyncRsp::default() }));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Sync(..))), "no sync loop: {effects:?}");
    let thread = &h.app.main.as_ref().unwrap().threads[&30];
    assert_eq!((thread.cursor.through(), thread.has_gap()), (9, false));
}

/// `/invite` alone opens a picker of friends; members already in cannot be ticked.
#[test]
fn invite_picker_ticks_friends_not_members() {
    use imchat_sdk::proto::msg::GroupMember;
    let mut h = Harness::signed_in();
    h.net(group_push(1, 2, "hi", vec![]));
    h.press(KeyCode::F(2));
    h.press(KeyCode::Enter);
    h.type_text("/invite");
    assert_eq!(h.press(KeyCode::Enter), [Effect::GroupMembers(30)]);
    let member = |uid: i32| GroupMember { uid, role: "member".into(), ..GroupMember::default() };
    h.net(NetEvent::GroupMembers(30, Ok(vec![member(1), member(2)])));
    h.press(KeyCode::Char(' '));
    assert!(h.press(KeyCode::Enter).is_empty(), "bob is in already: nothing ticked");
    assert!(h.app.main.as_ref().unwrap().new_group.is_some(), "the picker stays open");
    h.press(KeyCode::Esc);
    // Bob left: now he can be ticked and invited.
    h.net(NetEvent::GroupMembers(30, Ok(vec![member(1)])));
    h.type_text("/invite");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char(' '));
    assert_eq!(h.press(KeyCode::Enter), [Effect::Invite { thread: 30, uids: vec![2] }]);
}

mod files {
    //! Pictures and files: the attach prompt, transfers, previews, saving.

    use std::path::PathBuf;

    use crossterm::event::{KeyCode, KeyModifiers};
    use imchat_sdk::proto::msg::res::NotifyImgChat;
    use imchat_sdk::proto::msg::{ImgChatRsp, SyncData, SyncRsp};

    use super::Harness;
    use crate::app::{MsgState, Transfer};
    use crate::event::{Effect, Event, FileEvent, NetEvent};
    use crate::files::{Chosen, Completion};

    fn attach_text(h: &Harness) -> String {
        h.app.main.as_ref().unwrap().attach.as_ref().map(|a| a.input.text().to_owned()).unwrap_or_default()
    }

    fn file<'a>(h: &'a Harness, name: &str) -> &'a crate::app::Attachment {
        let main = h.app.main.as_ref().unwrap();
        main.threads.values().flat_map(|t| t.attachments()).find(|f| f.name == name).expect("the attachment")
    }

    impl Harness {
        /// A login again (after a drop): the effects it asks for, minus the sync.
        fn welcome_and_sync_again(&mut self) -> Vec<Effect> {
            let welcome = super::welcome("127.0.0.1:8090", true);
            let effects = self.net(NetEvent::LoggedIn(Ok(welcome)));
            let sends: Vec<Effect> = effects.into_iter().filter(|e| !matches!(e, Effect::Sync(..))).collect();
            assert_eq!(sends, [], "nothing is sent as a text");
            sends
        }
    }

    fn picture_notice() -> NotifyImgChat {
        NotifyImgChat {
            message_id: 7,
            sender_id: 2,
            receiver_id: 1,
            img_name: "p.png".into(),
            total_size: "1234".into(),
            thread_id: 10,
            seq: 2,
            msg_type: 1,
            mime: "image/png".into(),
            label: "cat.png".into(),
            thumb_size: 900,
            chat_time: "2026-12-01 10:00:00".into(),
            ..NotifyImgChat::default()
        }
    }

    /// Ctrl-T opens the prompt, Tab completes (the terminal loop reads the directory), Enter
    /// checks the path; the message is stored, its bytes go up with progress, and it previews.
    #[test]
    fn a_picture_goes_from_the_prompt_to_a_preview() {
        let mut h = Harness::signed_in();
        h.press(KeyCode::Enter);
        assert_eq!(h.key(KeyCode::Char('t'), KeyModifiers::CONTROL), []);
        h.type_text("~/Pic");
        assert_eq!(h.press(KeyCode::Tab), [Effect::CompletePath("~/Pic".into())]);
        // An answer for what was typed before is dropped.
        let stale = Completion { typed: "~/Pi".into(), text: "~/Pizza/".into(), candidates: Vec::new() };
        h.app.update(Event::Completed(stale), h.now);
        assert_eq!(attach_text(&h), "~/Pic");
        let fresh = Completion { typed: "~/Pic".into(), text: "~/Pictures/".into(), candidates: Vec::new() };
        h.app.update(Event::Completed(fresh), h.now);
        h.type_text("cat.png");
        assert_eq!(h.press(KeyCode::Enter), [Effect::CheckPath("~/Pictures/cat.png".into())]);
        // A bad path keeps the prompt open, with the reason.
        assert_eq!(h.app.update(Event::Checked(Err("no such file".into())), h.now), []);
        let attach = h.app.main.as_ref().unwrap().attach.as_ref().unwrap();
        assert_eq!(attach.error.as_deref(), Some("no such file"));
        h.press(KeyCode::Enter);
        let chosen = Chosen { path: PathBuf::from("/home/ann/Pictures/cat.png"), size: 70_000, picture: true };
        let effects = h.app.update(Event::Checked(Ok(chosen)), h.now);
        let [Effect::SendFile { unique, to: 2, thread: 10, picture: true, .. }] = effects.as_slice() else {
            panic!("one file sent: {effects:?}")
        };
        let unique = unique.clone();
        let main = h.app.main.as_ref().unwrap();
        assert!(main.attach.is_none());
        let msg = main.threads[&10].msgs.last().unwrap();
        assert_eq!((msg.state, msg.file.as_ref().unwrap().title()), (MsgState::Sending, "cat.png"));
        // The 1036: stored; the bytes go next.
        let stored = ImgChatRsp {
            unique_name: "abc.png".into(),
            seq: 2,
            chat_time: "2026-12-01 10:00:00".into(),
            ..ImgChatRsp::default()
        };
        assert_eq!(h.net(NetEvent::File(FileEvent::Stored { unique, result: Ok(stored) })), []);
        let msg = h.app.main.as_ref().unwrap().threads[&10].msgs.last().unwrap();
        assert_eq!((msg.seq, msg.state), (2, MsgState::Sent));
        assert_eq!(file(&h, "abc.png").transfer, Transfer::Uploading { done: 0, total: 70_000 });
        h.net(NetEvent::File(FileEvent::Progress { name: "abc.png".into(), up: true, done: 32_768, total: 70_000 }));
        assert_eq!(file(&h, "abc.png").transfer, Transfer::Uploading { done: 32_768, total: 70_000 });
        let done = h.net(NetEvent::File(FileEvent::Uploaded { name: "abc.png".into(), result: Ok(()) }));
        assert_eq!(done, [Effect::FetchThumb("abc.png".into())]);
        h.net(NetEvent::File(FileEvent::Thumb("abc.png".into(), Ok(PathBuf::from("/cache/abc.png.jpg")))));
        assert_eq!(file(&h, "abc.png").thumb.as_deref(), Some(std::path::Path::new("/cache/abc.png.jpg")));
    }

    /// A friend's picture arrives by its 1039 (ringing), previews, and saves to downloads;
    /// the same message by a later sync asks for nothing again.
    #[test]
    fn a_friends_picture_arrives_previews_and_saves() {
        let mut h = Harness::signed_in();
        let effects = h.net(NetEvent::File(FileEvent::Notice(picture_notice())));
        assert!(effects.contains(&Effect::FetchThumb("p.png".into())), "{effects:?}");
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Notify { body, .. } if body == "bob sent a picture: cat.png"))
        );
        let thread = &h.app.main.as_ref().unwrap().threads[&10];
        assert_eq!(thread.unread, 2);
        assert_eq!(h.app.main.as_ref().unwrap().preview(thread), "[picture] cat.png");
        assert_eq!((file(&h, "p.png").size, &file(&h, "p.png").transfer), (1234, &Transfer::Ready));
        let again = SyncData {
            thread_id: 10,
            seq: 2,
            sender: 2,
            receiver: 1,
            content: "p.png".into(),
            msg_type: 1,
            status: 2,
            ..SyncData::default()
        };
        let sync = SyncRsp { chat_datas: vec![again], ..SyncRsp::default() };
        assert_eq!(h.net_work(NetEvent::Synced(sync)), []);

        h.press(KeyCode::Enter);
        assert_eq!(h.press(KeyCode::F(8)), []);
        let save = h.press(KeyCode::Enter);
        assert_eq!(save, [Effect::SaveFile { name: "p.png".into(), label: "cat.png".into(), open: false }]);
        assert!(matches!(file(&h, "p.png").transfer, Transfer::Downloading { .. }));
        assert_eq!(h.press(KeyCode::Enter), [], "one download at a time");
        let saved = PathBuf::from("/home/ann/Downloads/imchat/cat.png");
        h.net(NetEvent::File(FileEvent::Saved { name: "p.png".into(), result: Ok(saved.clone()) }));
        assert_eq!(h.app.notice.as_ref().unwrap().text, "saved to /home/ann/Downloads/imchat/cat.png");
        // Saved once: Ctrl-O looks at that copy instead of downloading again, and asks first.
        assert_eq!(h.key(KeyCode::Char('o'), KeyModifiers::CONTROL), [Effect::Inspect(saved.clone())]);
        let openable = crate::files::Openable { path: saved.clone(), kind: "PNG image", size: 1234 };
        h.net(NetEvent::File(FileEvent::Inspected(Ok(openable.clone()))));
        assert_eq!(h.press(KeyCode::Esc), [], "anything but yes leaves it closed");
        assert!(h.app.main.as_ref().unwrap().files.as_ref().is_some_and(|f| f.confirm.is_none()));
        h.net(NetEvent::File(FileEvent::Inspected(Ok(openable))));
        assert_eq!(h.press(KeyCode::Enter), [Effect::Open(saved)]);
        // A file that is never opened says why, and where it was saved.
        let refused =
            "not opened: a .sh file is never opened from a chat (only pictures, PDF and text); saved at /x/run.sh";
        h.net(NetEvent::File(FileEvent::Inspected(Err(refused.into()))));
        assert_eq!(h.app.notice.as_ref().unwrap().text, refused);
        assert!(h.app.main.as_ref().unwrap().files.as_ref().is_some_and(|f| f.confirm.is_none()));
        h.press(KeyCode::Esc);
        assert!(h.app.main.as_ref().unwrap().files.is_none());
    }

    /// A picture synced before its upload finished waits; its metadata says when it is whole,
    /// and then it previews.
    #[test]
    fn a_synced_picture_asks_for_its_metadata() {
        use imchat_sdk::proto::msg::res::FileMetaRsp;
        let mut h = Harness::signed_in();
        let waiting = SyncData {
            thread_id: 10,
            seq: 2,
            sender: 2,
            receiver: 1,
            content: "w.png".into(),
            msg_type: 1,
            status: 3,
            ..SyncData::default()
        };
        let sync = SyncRsp { chat_datas: vec![waiting], ..SyncRsp::default() };
        assert_eq!(h.net_work(NetEvent::Synced(sync.clone())), [Effect::FileMeta("w.png".into())]);
        assert_eq!(file(&h, "w.png").transfer, Transfer::Waiting);
        // Asked with no resource connection: asked again with the next messages, once.
        let offline = Err(crate::event::NO_RESOURCE_SERVER.to_owned());
        h.net(NetEvent::File(FileEvent::Meta("w.png".into(), offline)));
        assert_eq!(h.net_work(NetEvent::Synced(sync.clone())), [Effect::FileMeta("w.png".into())]);
        h.net(NetEvent::File(FileEvent::Meta("w.png".into(), Err("no such file (1121)".into()))));
        assert_eq!(h.net_work(NetEvent::Synced(sync)), [], "a file the server does not have is not asked again");
        let meta =
            FileMetaRsp { label: "dog.png".into(), size: 99, complete: true, thumb_size: 50, ..FileMetaRsp::default() };
        assert_eq!(
            h.net(NetEvent::File(FileEvent::Meta("w.png".into(), Ok(meta)))),
            [Effect::FetchThumb("w.png".into())]
        );
        assert_eq!((file(&h, "w.png").title(), &file(&h, "w.png").transfer), ("dog.png", &Transfer::Ready));
    }

    /// A failed upload goes again from F5 (its message is stored: only the bytes); a file whose
    /// message was on its way when the connection dropped is never re-sent as a text.
    #[test]
    fn failed_files_go_again_on_f5() {
        let mut h = Harness::signed_in();
        h.press(KeyCode::Enter);
        h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
        h.press(KeyCode::Enter);
        let path = PathBuf::from("/tmp/report.pdf");
        let effects = h.app.update(Event::Checked(Ok(Chosen { path: path.clone(), size: 10, picture: false })), h.now);
        let [Effect::SendFile { unique, picture: false, .. }] = effects.as_slice() else { panic!("{effects:?}") };
        let stored = ImgChatRsp { unique_name: "r.pdf".into(), seq: 2, ..ImgChatRsp::default() };
        h.net(NetEvent::File(FileEvent::Stored { unique: unique.clone(), result: Ok(stored) }));
        h.net(NetEvent::File(FileEvent::Uploaded {
            name: "r.pdf".into(),
            result: Err("the connection closed".into()),
        }));
        assert!(matches!(file(&h, "r.pdf").transfer, Transfer::Failed(_)));
        assert_eq!(h.press(KeyCode::F(5)), [Effect::Upload { name: "r.pdf".into(), path: path.clone() }]);

        // A second file's message is in flight when the connection drops and comes back.
        h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
        h.press(KeyCode::Enter);
        h.app.update(Event::Checked(Ok(Chosen { path: path.clone(), size: 10, picture: false })), h.now);
        h.net(NetEvent::Disconnected("gone".into()));
        h.welcome_and_sync_again();
        let thread = &h.app.main.as_ref().unwrap().threads[&10];
        assert_eq!(thread.msgs.last().unwrap().state, MsgState::Failed);
        let retry = h.press(KeyCode::F(5));
        let [Effect::SendFile { unique: again, .. }] = retry.as_slice() else { panic!("{retry:?}") };
        assert_ne!(again, unique, "a new id: the server may have stored the first");
    }
}

/// Against llfc a chat with a friend who has no thread yet is a draft until its first text
/// (a 1027 that no text follows would leave an empty thread, whose history page crashes llfc's
/// server); the server's thread then takes the draft's messages.
#[test]
fn a_chat_without_a_thread_is_made_with_its_first_text() {
    let mut h = Harness::signed_in();
    h.net(NetEvent::ChatOpened(Ok((7, 0))));
    assert_eq!(h.app.main.as_ref().unwrap().open, Some(-7));
    assert!(h.app.main.as_ref().unwrap().cursors().iter().all(|c| c.thread_id > 0), "a draft is never synced");
    h.type_text("first");
    let effects = h.press(KeyCode::Enter);
    let [Effect::Send { unique, to: 7, thread: -7, .. }] = &effects[..] else { panic!("{effects:?}") };
    let unique = unique.clone();
    h.net(NetEvent::ChatOpened(Ok((7, 42))));
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.open, Some(42));
    assert!(!main.threads.contains_key(&-7));
    assert_eq!(main.threads[&42].msgs.len(), 1);
    let stored = TextChatData {
        seq: 5,
        message_id: 5,
        unique_id: unique.clone(),
        content: "first".into(),
        ..Default::default()
    };
    h.net(NetEvent::Sent { unique, result: Ok(vec![stored]) });
    assert_eq!(h.app.main.as_ref().unwrap().threads[&42].msgs[0].state, MsgState::Sent);
}

/// Read markers: the server's unread count (from the marker, any device's) is taken as it is,
/// with the divider after the marker; the open chat is marked read while the terminal has
/// focus, once per new message, and not while it does not.
#[test]
fn the_open_chat_is_marked_read_while_the_terminal_has_focus() {
    use imchat_sdk::proto::msg::{SyncData, SyncThread};
    let mut h = Harness::signed_in();
    let data = |seq: i64, from: i32| SyncData {
        thread_id: 10,
        seq,
        message_id: seq,
        sender: from,
        receiver: if from == 1 { 2 } else { 1 },
        content: format!("m{seq}"),
        ..SyncData::default()
    };
    let state = SyncThread { thread_id: 10, peer_uid: 2, last_seq: 4, unread: 2, read_seq: 2, ..SyncThread::default() };
    h.net(NetEvent::Synced(SyncRsp {
        chat_datas: vec![data(2, 2), data(3, 2), data(4, 2)],
        threads: vec![state.clone()],
        ..SyncRsp::default()
    }));
    let thread = &h.app.main.as_ref().unwrap().threads[&10];
    assert_eq!((thread.unread, thread.divider, thread.read_mark), (2, Some(3), 2), "the server's count, as it is");
    // The same sync again (a reconnect) does not double it.
    h.net(NetEvent::Synced(SyncRsp { threads: vec![state], ..SyncRsp::default() }));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].unread, 2);

    // Unfocused: opening the chat marks nothing; focus back, it is marked once.
    assert_eq!(h.app.update(Event::Focus(false), h.now), []);
    let opened = h.press(KeyCode::Enter);
    assert!(!opened.iter().any(|e| matches!(e, Effect::MarkRead { .. })), "{opened:?}");
    assert_eq!(h.app.update(Event::Focus(true), h.now), [Effect::MarkRead { thread: 10, seq: 4 }]);
    assert_eq!(h.app.update(Event::Tick, h.now), [], "once per new message");
    // A push into the open chat is read at once.
    let push = NotifyTextChat {
        fromuid: 2,
        touid: 1,
        thread_id: 10,
        chat_datas: vec![TextChatData { seq: 5, message_id: 5, content: "more".into(), ..Default::default() }],
        ..Default::default()
    };
    assert!(h.net(NetEvent::Text(push)).contains(&Effect::MarkRead { thread: 10, seq: 5 }));
}

/// The composer: Up in an empty one recalls the last text sent; a draft stays with its chat
/// across switches; a text over the server's limit is refused before sending, the limit named.
#[test]
fn the_composer_recalls_keeps_drafts_and_names_the_limit() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("first");
    assert!(matches!(h.press(KeyCode::Enter).as_slice(), [Effect::Send { .. }]));
    h.press(KeyCode::Up);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "first", "recalled");
    h.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "");
    // A draft waits in its chat while another is open.
    h.type_text("half a thought");
    h.net(NetEvent::ChatOpened(Ok((3, 11))));
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "");
    h.net(NetEvent::ChatOpened(Ok((2, 10))));
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "half a thought");
    h.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    // Bytes, not characters: 2,100 of them take 4,200.
    h.type_text(&"é".repeat(2100));
    assert_eq!(h.press(KeyCode::Enter), []);
    assert_eq!(h.app.notice.as_ref().unwrap().text, "too long to send: 4200 bytes, the server takes 4096");
    assert_eq!(h.app.main.as_ref().unwrap().input.text().len(), 4200, "kept, to shorten");
}

/// The chat list's selection follows its chat when a message moves another chat to the top;
/// PgUp goes a page and stops at the first line; a notice goes at the next key or after a while.
#[test]
fn the_selection_follows_its_chat_and_scrolling_stops_at_the_top() {
    let mut h = Harness::signed_in();
    let text = |thread_id: i64, from: i32, seq: i64| NotifyTextChat {
        fromuid: from,
        touid: 1,
        thread_id,
        chat_datas: vec![TextChatData {
            seq,
            message_id: seq,
            content: format!("m{seq}"),
            chat_time: format!("2026-11-24 10:0{seq}:00"),
            ..Default::default()
        }],
        ..Default::default()
    };
    h.net(NetEvent::Text(text(11, 3, 1)));
    h.press(KeyCode::F(2));
    let main = h.app.main.as_ref().unwrap();
    let selected = main.items()[main.selected].clone();
    // Another chat's message reorders the list: the selection stays on its chat.
    h.net(NetEvent::Text(text(if selected == crate::app::Item::Thread(10) { 11 } else { 10 }, 3, 2)));
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.items()[main.selected], selected, "Enter opens the chat on screen");

    h.press(KeyCode::Enter);
    h.app.history_rows.set(10);
    h.app.history_lines.set(14);
    h.press(KeyCode::PageUp);
    assert_eq!(h.app.main.as_ref().unwrap().scroll, 4, "a page, but not past the first line");
    h.press(KeyCode::PageUp);
    assert_eq!(h.app.main.as_ref().unwrap().scroll, 4, "no remembered overscroll");
    h.press(KeyCode::PageDown);
    assert_eq!(h.app.main.as_ref().unwrap().scroll, 0);

    h.net(NetEvent::Applied(Ok(9)));
    assert!(h.app.notice.is_some());
    h.app.update(Event::Tick, h.now + crate::app::NOTICE_FOR);
    assert!(h.app.notice.is_none(), "gone after a while");
    h.net(NetEvent::Applied(Ok(9)));
    h.press(KeyCode::Down);
    assert!(h.app.notice.is_none(), "gone at the next key");
}

/// A message the server refused is marked failed with the server's reason beside it, and
/// is not sent again by itself.
#[test]
fn a_refused_message_shows_why() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("spam");
    let effects = h.press(KeyCode::Enter);
    let [Effect::Send { unique, .. }] = &effects[..] else { panic!("{effects:?}") };
    let refused =
        NetEvent::Sent { unique: unique.clone(), result: Err(SendFailure::Refused("too many requests".into())) };
    assert_eq!(h.net(refused), []);
    let msg = h.app.main.as_ref().unwrap().threads[&10].msgs.last().unwrap().clone();
    assert_eq!((msg.state, msg.failure.as_deref()), (MsgState::Failed, Some("too many requests")));
    assert!(h.app.update(Event::Tick, h.now).is_empty(), "not sent again by itself");
}

/// Alt-A opens the next chat with unread messages, then the one after, then says there are none.
#[test]
fn alt_a_walks_the_chats_with_unread_messages() {
    let mut h = Harness::signed_in();
    h.net(text_push(11, 3, 1));
    let mut opened = Vec::new();
    for _ in 0..2 {
        h.key(KeyCode::Char('a'), KeyModifiers::ALT);
        opened.push(h.app.main.as_ref().unwrap().open.unwrap());
    }
    opened.sort_unstable();
    assert_eq!(opened, [10, 11], "each chat with unread messages, once");
    h.key(KeyCode::Char('a'), KeyModifiers::ALT);
    assert_eq!(h.app.notice.as_ref().unwrap().text, "no unread messages");
}

/// Read back up in the open chat, a new message is counted below ("N new ↓") until the view
/// is back at the bottom.
#[test]
fn new_messages_below_are_counted_while_scrolled_up() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.app.history_rows.set(5);
    h.app.history_lines.set(40);
    h.press(KeyCode::PageUp);
    h.net(text_push(10, 2, 2));
    h.net(text_push(10, 2, 3));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].below, 2);
    h.key(KeyCode::End, KeyModifiers::CONTROL);
    assert_eq!((h.app.main.as_ref().unwrap().scroll, h.app.main.as_ref().unwrap().threads[&10].below), (0, 0));
}

/// Tab after `@` and a few letters in a group's composer completes a member's name.
#[test]
fn tab_completes_a_mention() {
    use imchat_sdk::proto::msg::{GroupInfo, GroupMember};
    let mut h = Harness::signed_in();
    h.net(NetEvent::GroupInfo(Ok(GroupInfo {
        thread_id: 30,
        name: "Team".into(),
        members: 3,
        ..GroupInfo::default()
    })));
    let member =
        |uid: i32, name: &str| GroupMember { uid, name: name.into(), role: "member".into(), ..GroupMember::default() };
    h.net(NetEvent::GroupMembers(30, Ok(vec![member(1, "ann"), member(2, "bob"), member(5, "Bea")])));
    h.net(NetEvent::ChatOpened(Ok((0, 30))));
    h.type_text("hi @b");
    h.press(KeyCode::Tab);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "hi @Bea ", "the first by name, any case");
    h.type_text("and @zz");
    h.press(KeyCode::Tab);
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.input.text(), "hi @Bea and @zz");
    assert_eq!(main.focus, crate::app::Focus::List, "no member: Tab moves on, as elsewhere");
}

/// Alt-E hands the draft to the user's editor; what it leaves becomes the draft.
#[test]
fn the_draft_goes_to_the_editor_and_back() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.type_text("rough");
    assert_eq!(h.key(KeyCode::Char('e'), KeyModifiers::ALT), [Effect::EditDraft("rough".into())]);
    h.app.update(Event::Edited(Ok("polished\nover two lines\n".into())), h.now);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "polished\nover two lines");
    h.app.update(Event::Edited(Err("vi: not found".into())), h.now);
    assert_eq!(h.app.notice.as_ref().unwrap().text, "the editor did not run: vi: not found");
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "polished\nover two lines", "the draft stays");
}

/// A private text push: `from`'s message `seq` in `thread_id` to uid 1.
fn text_push(thread_id: i64, from: i32, seq: i64) -> NetEvent {
    NetEvent::Text(NotifyTextChat {
        fromuid: from,
        touid: 1,
        thread_id,
        chat_datas: vec![TextChatData { seq, message_id: seq, content: format!("m{seq}"), ..Default::default() }],
        ..Default::default()
    })
}

/// Notifications coalesce per chat: within a few seconds the next is held and counted, said
/// with the one after the window or as a count on a tick; a chat on screen notifies while the
/// terminal has no focus.
#[test]
fn notifications_coalesce_and_fire_for_the_open_chat_when_unfocused() {
    let mut h = Harness::signed_in();
    let push = |seq: i64| text_push(10, 2, seq);
    let rung = |effects: Vec<Effect>| {
        effects
            .into_iter()
            .filter_map(|e| if let Effect::Notify { body, .. } = e { Some(body) } else { None })
            .collect::<Vec<_>>()
    };
    assert_eq!(rung(h.net(push(2))), ["m2"]);
    assert_eq!(rung(h.net(push(3))), Vec::<String>::new(), "held within the window");
    assert_eq!(rung(h.net(push(4))), Vec::<String>::new());
    let later = h.now + crate::app::NOTIFY_EVERY;
    assert_eq!(rung(h.app.update(Event::Tick, later)), ["2 more messages"]);
    // The chat on screen, but the terminal elsewhere: it rings.
    h.press(KeyCode::Enter);
    h.app.update(Event::Focus(false), later);
    let effects = h.app.update(Event::Net(push(5)), later + crate::app::NOTIFY_EVERY);
    assert_eq!(rung(effects), ["m5"]);
}
