//! What the client keeps between runs, the quick switcher, hidden chats and failed messages.

use crossterm::event::{KeyCode, KeyModifiers};
use imchat_sdk::proto::msg::{SyncData, SyncRsp, SyncThread};

use super::{Harness, text_push, welcome};
use crate::app::{Conn, Focus, Main, MsgState, SAVED_PER_THREAD, Screen};
use crate::event::{Effect, Event, LoginFailure, NetEvent, SendFailure};

/// Types the login and presses Enter (the login effect goes out).
fn log_in(h: &mut Harness) {
    h.type_text("ann@example.com");
    h.press(KeyCode::Tab);
    h.type_text("secret1");
    assert!(matches!(h.press(KeyCode::Enter).as_slice(), [Effect::Login { .. }]));
}

fn restore(h: &mut Harness, main: &Main) -> Vec<Effect> {
    h.app.update(Event::Restored(Ok(Some(Box::new(main.saved())))), h.now)
}

/// A restart draws what was kept before the login answers; the welcome sends the outbox under
/// the same unique ids (the server answers a repeat as stored: delivered once) and drafts stay.
#[test]
fn what_was_kept_is_shown_at_once_and_the_outbox_goes_once() {
    let mut h = Harness::signed_in();
    let unique = h.send("sent before the crash?");
    h.type_text("half a thought");
    h.press(KeyCode::Esc);
    let kept = h.app.main.clone().unwrap();

    let mut h = Harness::new();
    log_in(&mut h);
    assert!(restore(&mut h, &kept).is_empty());
    assert_eq!((h.app.screen, h.app.conn), (Screen::Main, Conn::Connecting));
    let main = h.app.main.as_ref().unwrap();
    assert!(!main.verified);
    assert_eq!(main.chats()[0].msgs[0].text, "hi ann");
    assert_eq!(main.chats()[0].msgs[1].state, MsgState::Sending);
    h.press(KeyCode::Enter);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "half a thought", "the draft is back");

    let effects = h.net(NetEvent::LoggedIn(Ok(welcome("127.0.0.1:8090", true))));
    assert!(matches!(&effects[0], Effect::Sync(cursors, 0) if cursors[0].seq == 1), "{effects:?}");
    assert!(matches!(&effects[1], Effect::Send { unique: u, .. } if *u == unique), "{effects:?}");
    assert_eq!(effects.len(), 2);
    assert!(h.app.main.as_ref().unwrap().verified);
    assert!(h.app.notice.as_ref().unwrap().text.starts_with("welcome back"));
}

/// A refused login shows nothing kept; an unreachable server leaves the kept chats readable
/// and tries again later.
#[test]
fn a_refused_login_drops_the_kept_view_an_unreachable_one_keeps_it() {
    let kept = Harness::signed_in().app.main.unwrap();
    let mut h = Harness::new();
    log_in(&mut h);
    restore(&mut h, &kept);
    h.net(NetEvent::LoggedIn(Err("wrong email or password (1009)".into())));
    assert!(h.app.main.is_none());
    assert_eq!((h.app.screen, h.app.conn), (Screen::Login, Conn::Offline));

    let mut h = Harness::new();
    log_in(&mut h);
    restore(&mut h, &kept);
    let unreachable = LoginFailure { unreachable: true, why: "cannot reach the gate".into() };
    h.net(NetEvent::LoggedIn(Err(unreachable)));
    assert_eq!(h.app.screen, Screen::Main);
    assert!(matches!(h.app.conn, Conn::Reconnecting { .. }));
    // Written offline, it waits in the outbox.
    h.press(KeyCode::Enter);
    h.type_text("later");
    assert!(h.press(KeyCode::Enter).is_empty());
    assert_eq!(h.app.main.as_ref().unwrap().saved().outbox().len(), 1);
    // Quitting says where it stays.
    h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(!h.app.quit);
    assert!(h.app.notice.as_ref().unwrap().text.contains("kept on this machine"), "{:?}", h.app.notice);
}

/// A login that answered first is not replaced by what was kept.
#[test]
fn a_late_restore_changes_nothing() {
    let kept = Harness::signed_in().app.main.unwrap();
    let mut h = Harness::signed_in();
    h.send("newer");
    let before = h.app.main.as_ref().unwrap().saved();
    restore(&mut h, &kept);
    assert_eq!(h.app.main.as_ref().unwrap().saved(), before);
}

/// Each chat keeps its newest stored messages and every unsent one.
#[test]
fn a_chat_keeps_its_newest_messages_and_all_unsent_ones() {
    let mut h = Harness::signed_in();
    let many = SAVED_PER_THREAD as i64 + 20;
    h.net(NetEvent::Synced(SyncRsp {
        threads: vec![SyncThread { thread_id: 10, peer_uid: 2, last_seq: many, ..Default::default() }],
        chat_datas: (2..=many)
            .map(|seq| SyncData { thread_id: 10, seq, sender: 2, receiver: 1, ..SyncData::default() })
            .collect(),
        ..SyncRsp::default()
    }));
    h.send("unsent");
    let saved = h.app.main.as_ref().unwrap().saved();
    let msgs = &saved.threads[0].msgs;
    assert_eq!(msgs.len(), SAVED_PER_THREAD + 1);
    assert_eq!(msgs[0].seq, many - SAVED_PER_THREAD as i64 + 1);
    assert_eq!((msgs.last().unwrap().seq, msgs.last().unwrap().text.as_str()), (0, "unsent"));
    let back = Main::restored(saved.clone(), crate::i18n::Tr::default());
    assert_eq!(back.threads[&10].cursor.through(), many);
    assert_eq!(back.saved(), saved, "what comes back is what was kept");
}

/// Ctrl-G opens the switcher: pinyin initials find 张三 among the friends, Enter opens the chat.
#[test]
fn the_switcher_finds_a_cjk_name_by_pinyin() {
    let mut h = Harness::signed_in();
    h.app.main.as_mut().unwrap().friends.push(crate::app::Friend {
        uid: 3,
        name: "张三".into(),
        remark: String::new(),
    });
    h.key(KeyCode::Char('g'), KeyModifiers::CONTROL);
    h.type_text("zs");
    let main = h.app.main.as_ref().unwrap();
    let labels: Vec<String> = main.switcher_matches().into_iter().map(|(_, label)| label).collect();
    assert_eq!(labels, ["张三"]);
    assert_eq!(h.press(KeyCode::Enter), [Effect::OpenChat(3)]);
    assert!(h.app.main.as_ref().unwrap().switcher.is_none());
    // And a chat by its name: bob's.
    h.key(KeyCode::Char('g'), KeyModifiers::CONTROL);
    h.type_text("bo");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.main.as_ref().unwrap().open, Some(10));
}

/// Delete on a chat in the list hides it; a new message brings it back.
#[test]
fn a_hidden_chat_comes_back_with_a_new_message() {
    let mut h = Harness::signed_in();
    assert_eq!(h.app.main.as_ref().unwrap().chats().len(), 1);
    h.app.main.as_mut().unwrap().threads.get_mut(&10).unwrap().unread = 0;
    h.press(KeyCode::Delete);
    assert!(h.app.main.as_ref().unwrap().chats().is_empty());
    assert!(h.app.main.as_ref().unwrap().saved().hidden.contains(&10), "kept hidden across runs");
    h.net(text_push(10, 2, 2));
    assert_eq!(h.app.main.as_ref().unwrap().chats().len(), 1);
}

/// Ctrl-R on a chat with a failed message asks: e puts its text back in the composer, r sends
/// it again under the same id, d deletes it.
#[test]
fn a_failed_message_is_retried_edited_or_deleted() {
    let mut h = Harness::signed_in();
    let refuse = |h: &mut Harness, unique: String| {
        h.net(NetEvent::Sent { unique, result: Err(SendFailure::Refused("too long".into())) });
    };
    let first = h.send("first try");
    refuse(&mut h, first.clone());
    assert!(h.app.notice.as_ref().unwrap().text.contains("Ctrl-R: retry, edit or delete"), "{:?}", h.app.notice);
    h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(h.app.main.as_ref().unwrap().failed.is_some());
    assert!(h.press(KeyCode::Char('e')).is_empty());
    let main = h.app.main.as_ref().unwrap();
    assert_eq!((main.input.text(), main.focus), ("first try", Focus::Input));
    assert!(main.threads[&10].msgs.iter().all(|m| m.unique != first), "edited: it left the chat");

    h.press(KeyCode::Enter);
    let second = h.app.main.as_ref().unwrap().threads[&10].msgs.last().unwrap().unique.clone();
    refuse(&mut h, second.clone());
    h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let effects = h.press(KeyCode::Char('r'));
    assert!(matches!(&effects[..], [Effect::Send { unique, .. }] if *unique == second), "{effects:?}");
    refuse(&mut h, second.clone());
    h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(h.press(KeyCode::Char('d')).is_empty());
    assert_eq!(h.app.main.as_ref().unwrap().unsent(), 0);
    h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(h.app.notice.as_ref().unwrap().text, "no failed message in this chat");
}
