//! Reading and writing in a chat: drafts, read markers, the composer, the selection, scrolling,
//! unread counts and notifications.

use crossterm::event::{KeyCode, KeyModifiers};
use imchat_sdk::proto::msg::{NotifyTextChat, SyncRsp, TextChatData};

use super::{Harness, text_push};
use crate::app::MsgState;
use crate::event::{Effect, Event, NetEvent, SendFailure};

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

/// Another device of this user: its texts show as this user's, neither unread nor announced;
/// its read marker clears what this one counted unread up to it, and later texts count again.
#[test]
fn another_devices_texts_and_read_marker_are_taken_in() {
    let mut h = Harness::signed_in();
    let me = h.app.main.as_ref().unwrap().uid;
    let push = |seq: i64, from: i32, to: i32| NotifyTextChat {
        fromuid: from,
        touid: to,
        thread_id: 20,
        chat_datas: vec![TextChatData { seq, message_id: seq, content: format!("m{seq}"), ..Default::default() }],
        ..Default::default()
    };
    h.net(NetEvent::Text(push(1, 7, me)));
    h.net(NetEvent::Text(push(2, 7, me)));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&20].unread, 2);
    let effects = h.net(NetEvent::OwnText(push(3, me, 7)));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Notify { .. })), "{effects:?}");
    let thread = &h.app.main.as_ref().unwrap().threads[&20];
    assert_eq!((thread.unread, thread.peer), (2, 7));
    assert_eq!(thread.msgs.last().map(|m| (m.from, m.seq)), Some((me, 3)), "shown as this user's");

    h.net(NetEvent::ReadMarked { thread: 20, seq: 3 });
    let thread = &h.app.main.as_ref().unwrap().threads[&20];
    assert_eq!((thread.unread, thread.divider, thread.read_mark), (0, None, 3));
    h.net(NetEvent::ReadMarked { thread: 20, seq: 2 });
    assert_eq!(h.app.main.as_ref().unwrap().threads[&20].read_mark, 3, "a marker never moves back");
    h.net(NetEvent::Text(push(4, 7, me)));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&20].unread, 1);
}

/// Typing in a private chat tells the friend once every few seconds, not per key; a friend
/// typing shows in the chat's title until a few seconds pass or their text comes.
#[test]
fn typing_is_told_now_and_then_and_shown_for_a_while() {
    use std::time::Duration;
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    let told: Vec<Effect> = "hel".chars().flat_map(|c| h.press(KeyCode::Char(c))).collect();
    assert_eq!(told, [Effect::Typing { to: 2 }], "once for a burst of keys");
    h.advance(Duration::from_secs(4));
    assert_eq!(h.press(KeyCode::Char('l')), [Effect::Typing { to: 2 }], "again after a while");

    h.net(NetEvent::Typing(2));
    assert!(h.app.main.as_ref().unwrap().is_typing(2, h.now));
    h.advance(Duration::from_secs(6));
    assert!(!h.app.main.as_ref().unwrap().is_typing(2, h.now), "a notice shows for a few seconds");
    h.net(NetEvent::Typing(2));
    h.net(text_push(10, 2, 2));
    assert!(!h.app.main.as_ref().unwrap().is_typing(2, h.now), "their text ends it");
}

/// Read receipts: the friend's marker, pushed or synced, marks this user's texts up to it as
/// read; `/receipts off` in any chat turns this user's own off.
#[test]
fn receipts_mark_own_texts_read_and_can_be_turned_off() {
    use imchat_sdk::proto::msg::Receipt;
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    h.net(NetEvent::Receipt { thread: 10, seq: 4 });
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].peer_read, 4);
    h.net(NetEvent::Synced(SyncRsp { receipts: vec![Receipt { thread_id: 10, seq: 3 }], ..SyncRsp::default() }));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].peer_read, 4, "never back");
    h.net(NetEvent::Synced(SyncRsp { receipts: vec![Receipt { thread_id: 10, seq: 6 }], ..SyncRsp::default() }));
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].peer_read, 6);

    h.type_text("/receipts off");
    assert_eq!(h.press(KeyCode::Enter), [Effect::SetReceipts(false)]);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "", "a command, not a text");
    h.net(NetEvent::ReceiptsSet(Ok(false)));
    assert!(h.app.notice.as_ref().unwrap().text.starts_with("read receipts off"));
}
