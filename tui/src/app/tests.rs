//! `App::update` tests: events in, state and effects out, with time passed explicitly.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imchat_sdk::Dialect;
use imchat_sdk::proto::msg::{NotifyAddFriend, NotifyTextChat, SyncData, SyncRsp, SyncThread, TextChatData};

use crate::app::{App, Conn, Focus, MsgState, Pane, Screen};
use crate::event::{Effect, Event, NetEvent, SendFailure, Welcome};
use crate::keymap::Keymap;

mod files;
mod gestures;
mod groups;
mod kept;
mod quotes;
mod reading;
mod walk;

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
        typing: gapless,
        receipts: gapless,
        recall: gapless,
        edit: gapless,
        reactions: gapless,
        friendships: gapless,
        presence: gapless,
        reply: gapless,
        forward: gapless,
    }
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
            typing: true,
            receipts: true,
            recall: true,
            edit: true,
            reactions: true,
            friendships: true,
            presence: true,
            reply: true,
            forward: true,
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
            receipts: Vec::new(),
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
    let [Effect::Send { unique, to: 2, thread: 10, text, reply_to: 0 }] = &effects[..] else { panic!("{effects:?}") };
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
    assert!(h.app.notice.as_ref().unwrap().text.contains("retry, edit or delete"));
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
        receipts: Vec::new(),
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
