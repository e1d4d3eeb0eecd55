//! Groups: pushes, commands, mentions, the new-group dialog and the invite picker.

use crossterm::event::{KeyCode, KeyModifiers};
use imchat_sdk::proto::msg::{SyncData, SyncRsp};

use super::Harness;
use crate::event::{Effect, NetEvent};

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
    // A friend is mentioned by the remark this user gave them too (B13).
    h.app.main.as_mut().unwrap().friends[0].remark = "Bobby".into();
    h.type_text("@Bobby look");
    let sent = h.press(KeyCode::Enter);
    assert!(matches!(&sent[..], [Effect::SendGroup { mentions, .. }] if mentions == &[2]), "{sent:?}");
    for (typed, expected) in [
        ("/invite bob", Some(Effect::Invite { thread: 30, uids: vec![2] })),
        ("/leave", None),
        ("/mute", Some(Effect::MuteGroup { thread: 30, muted: true })),
        ("/rename  ", None),
        ("/invite nobody", None),
        ("/dance", None),
    ] {
        h.type_text(typed);
        let effects = h.press(KeyCode::Enter);
        if expected.is_none() {
            assert_eq!(h.app.main.as_ref().unwrap().input.text(), typed, "a refused command keeps its text");
            h.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
        }
        assert_eq!(effects.first().cloned(), expected, "{typed}");
    }
    // `/leave` asks first; Enter again leaves (the text stayed in the composer).
    h.type_text("/leave");
    assert!(h.press(KeyCode::Enter).is_empty());
    assert!(h.app.notice.as_ref().unwrap().text.starts_with("leave "), "{:?}", h.app.notice);
    assert_eq!(h.press(KeyCode::Enter), [Effect::LeaveGroup(30)]);
    // Asked, then another key: the next Enter asks again.
    h.type_text("/leave");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Left);
    assert!(h.press(KeyCode::Enter).is_empty(), "another key kept the group");
    h.press(KeyCode::Home);
    h.key(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(h.app.main.as_ref().unwrap().input.is_empty());
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

/// Opening a group asks how many have read this user's last text there, and shows it.
#[test]
fn opening_a_group_asks_who_read_the_last_text() {
    let mut h = Harness::signed_in();
    h.net(group_push(7, 1, "mine", Vec::new()));
    let main = h.app.main.as_mut().unwrap();
    main.selected = main.items().iter().position(|i| *i == crate::app::Item::Thread(30)).unwrap();
    let effects = h.press(KeyCode::Enter);
    assert!(effects.contains(&Effect::ReadBy { thread: 30, seq: 7 }), "{effects:?}");
    h.net(NetEvent::ReadBy { thread: 30, seq: 7, readers: Ok(3) });
    assert_eq!(h.app.main.as_ref().unwrap().threads[&30].group.as_ref().unwrap().read_by, Some((7, 3)));
}
