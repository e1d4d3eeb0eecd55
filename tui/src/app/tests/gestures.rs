//! Gestures and friendship commands: `/recall` takes back this user's last message and offers
//! its text again, a recall from elsewhere blanks the message and its unread count; `/edit`,
//! `/react` and their notices in order; `/remark`, `/block` on the open chat's person.

use crossterm::event::KeyCode;
use imchat_sdk::proto::msg::{MSG_TYPE_RECALL, NotifyRecall, SyncData, TextChatData};

use super::Harness;
use crate::event::{Effect, NetEvent};

/// A recall notice of message `seq` of thread 10, stored at `at`, by `by`.
fn notice(seq: i64, at: i64, by: i32) -> SyncData {
    SyncData {
        thread_id: 10,
        seq: at,
        message_id: at,
        sender: by,
        receiver: if by == 1 { 2 } else { 1 },
        content: format!(r#"{{"seq":{seq},"by":{by}}}"#),
        msg_type: MSG_TYPE_RECALL,
        ..SyncData::default()
    }
}

#[test]
fn recalling_the_last_text_offers_it_back() {
    let mut h = Harness::signed_in();
    let unique = h.send("meet at 9, not 8");
    let stored =
        TextChatData { seq: 2, unique_id: unique.clone(), content: "meet at 9, not 8".into(), ..Default::default() };
    h.net(NetEvent::Sent { unique, result: Ok(vec![stored]) });

    h.type_text("/recall");
    assert_eq!(h.press(KeyCode::Enter), [Effect::Recall { thread: 10, seq: 2 }], "the user's last message");
    assert!(h.app.main.as_ref().unwrap().input.is_empty(), "the command is taken");
    h.net(NetEvent::RecallDone { thread: 10, seq: 2, result: Ok(Some(notice(2, 3, 1))) });
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.input.text(), "meet at 9, not 8", "its text is back in the empty composer");
    let thread = &main.threads[&10];
    assert_eq!(thread.msgs.iter().find(|m| m.seq == 2).unwrap().recalled, Some(1));
    assert_eq!(main.preview(thread), "you recalled a message");
    assert_eq!(thread.cursor.through(), 3, "the notice holds its place");
    assert!(h.app.notice.as_ref().is_some_and(|n| !n.error && n.text.contains("back in the composer")));

    // Nothing of the user's is left to recall: said, nothing sent.
    h.app.main.as_mut().unwrap().input.set("/recall");
    assert_eq!(h.press(KeyCode::Enter), []);
    assert!(h.app.notice.as_ref().is_some_and(|n| n.error), "{:?}", h.app.notice);
}

#[test]
fn with_a_draft_the_text_waits_for_reedit() {
    let mut h = Harness::signed_in();
    let unique = h.send("wrong");
    let stored = TextChatData { seq: 2, unique_id: unique.clone(), content: "wrong".into(), ..Default::default() };
    h.net(NetEvent::Sent { unique, result: Ok(vec![stored]) });
    h.type_text("/recall");
    h.press(KeyCode::Enter);
    h.type_text("a draft");
    h.net(NetEvent::RecallDone { thread: 10, seq: 2, result: Ok(Some(notice(2, 3, 1))) });
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "a draft", "a draft is never overwritten unasked");
    h.app.main.as_mut().unwrap().input.set("/reedit");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "wrong");
    // A refusal is said, and the message stays.
    let unique = h.send("too late");
    let stored = TextChatData { seq: 4, unique_id: unique.clone(), content: "too late".into(), ..Default::default() };
    h.net(NetEvent::Sent { unique, result: Ok(vec![stored]) });
    h.net(NetEvent::RecallDone { thread: 10, seq: 4, result: Err("too late to recall that message (1128)".into()) });
    let main = h.app.main.as_ref().unwrap();
    assert_eq!(main.threads[&10].msgs.iter().find(|m| m.seq == 4).unwrap().text, "too late");
    assert!(h.app.notice.as_ref().is_some_and(|n| n.error && n.text.contains("1128")));
}

#[test]
fn a_recall_from_elsewhere_blanks_the_message_and_its_unread() {
    let mut h = Harness::signed_in();
    assert_eq!(h.app.main.as_ref().unwrap().threads[&10].unread, 1);
    let effects = h.net(NetEvent::Recalled(NotifyRecall { thread_id: 10, seq: 1, notice: notice(1, 2, 2) }));
    assert_eq!(effects, [], "no gap: the notice is the next message");
    let main = h.app.main.as_ref().unwrap();
    let thread = &main.threads[&10];
    assert_eq!(thread.unread, 0, "the only unread text was recalled");
    let msg = thread.msgs.iter().find(|m| m.seq == 1).unwrap();
    assert_eq!((msg.recalled, msg.text.as_str()), (Some(2), ""));
    assert_eq!(main.preview(thread), "bob recalled a message");
    assert_eq!(thread.msgs.iter().filter(|m| m.shown()).count(), 1, "the notice itself is not drawn");
}

#[test]
fn a_server_without_recall_says_so() {
    let mut h = Harness::signed_in();
    h.app.main.as_mut().unwrap().takes_recall = false;
    h.send("hello");
    h.type_text("/recall");
    assert_eq!(h.press(KeyCode::Enter), []);
    assert!(h.app.notice.as_ref().is_some_and(|n| n.error && n.text.contains("cannot recall")));
}

#[test]
fn edit_puts_the_last_text_behind_the_command_and_replaces_it() {
    use imchat_sdk::proto::msg::{MSG_TYPE_EDIT, NotifyEdit};
    let mut h = Harness::signed_in();
    let unique = h.send("lunch at 12");
    let stored =
        TextChatData { seq: 2, unique_id: unique.clone(), content: "lunch at 12".into(), ..Default::default() };
    h.net(NetEvent::Sent { unique, result: Ok(vec![stored]) });
    h.type_text("/edit");
    assert_eq!(h.press(KeyCode::Enter), []);
    assert_eq!(h.app.main.as_ref().unwrap().input.text(), "/edit lunch at 12");
    h.type_text(":30");
    let effects = h.press(KeyCode::Enter);
    assert_eq!(effects, [Effect::Edit { thread: 10, seq: 2, text: "lunch at 12:30".into() }]);
    let edit = |seq: i64, at: i64, by: i32, text: &str| SyncData {
        thread_id: 10,
        seq: at,
        message_id: at,
        sender: by,
        receiver: if by == 1 { 2 } else { 1 },
        content: format!(r#"{{"seq":{seq},"by":{by},"text":"{text}"}}"#),
        msg_type: MSG_TYPE_EDIT,
        ..SyncData::default()
    };
    h.net(NetEvent::EditDone { thread: 10, seq: 2, result: Ok(Some(edit(2, 3, 1, "lunch at 12:30"))) });
    let thread = &h.app.main.as_ref().unwrap().threads[&10];
    let msg = thread.msgs.iter().find(|m| m.seq == 2).unwrap();
    assert_eq!((msg.text.as_str(), msg.edited), ("lunch at 12:30", true));
    assert_eq!(thread.cursor.through(), 3);
    // Bob's edit of his greeting, from his side.
    h.net(NetEvent::Edited(NotifyEdit { thread_id: 10, seq: 1, notice: edit(1, 4, 2, "hi ann!") }));
    let msg = &h.app.main.as_ref().unwrap().threads[&10].msgs[0];
    assert_eq!((msg.text.as_str(), msg.edited), ("hi ann!", true));
}

#[test]
fn react_marks_the_newest_message_of_the_other_and_follows_notices_in_order() {
    use imchat_sdk::proto::msg::{MSG_TYPE_REACTION, NotifyReact, ReactionCount};
    let mut h = Harness::signed_in();
    h.send("and you?");
    h.type_text("/react 👍");
    let effects = h.press(KeyCode::Enter);
    assert_eq!(effects, [Effect::React { thread: 10, seq: 1, emoji: "👍".into() }], "bob's text, not mine");
    let count = |emoji: &str, count: i64| ReactionCount { emoji: emoji.into(), count, mine: false };
    let notice = |at: i64, by: i32, emoji: &str, counts: &[(&str, i64)]| {
        let reactions: Vec<ReactionCount> = counts.iter().map(|(e, n)| count(e, *n)).collect();
        SyncData {
            thread_id: 10,
            seq: at,
            message_id: at,
            sender: by,
            receiver: if by == 1 { 2 } else { 1 },
            content: serde_json::json!({ "seq": 1, "by": by, "emoji": emoji, "reactions": reactions }).to_string(),
            msg_type: MSG_TYPE_REACTION,
            ..SyncData::default()
        }
    };
    let mine = notice(3, 1, "👍", &[("👍", 1)]);
    h.net(NetEvent::ReactDone { thread: 10, seq: 1, result: Ok((vec![count("👍", 1)], Some(mine))) });
    let reactions = |h: &Harness| h.app.main.as_ref().unwrap().threads[&10].msgs[0].reactions.clone();
    assert_eq!(reactions(&h), [ReactionCount { mine: true, ..count("👍", 1) }]);
    // Bob's own 👍 and a ❤️ from elsewhere: counts follow, this user's stays marked.
    let push = NotifyReact { thread_id: 10, seq: 1, notice: notice(4, 2, "👍", &[("👍", 2)]) };
    h.net(NetEvent::Reacted(push));
    assert_eq!(reactions(&h), [ReactionCount { mine: true, ..count("👍", 2) }]);
    // A notice older than what is held changes nothing.
    let stale = NotifyReact { thread_id: 10, seq: 1, notice: notice(3, 2, "❤️", &[("❤️", 1)]) };
    h.net(NetEvent::Reacted(stale));
    assert_eq!(reactions(&h)[0].count, 2);
    // `/react` alone takes this user's back from the message that has it.
    h.type_text("/react");
    assert_eq!(h.press(KeyCode::Enter), [Effect::React { thread: 10, seq: 1, emoji: String::new() }]);
    // Words are not a reaction.
    h.type_text("/react ok");
    assert_eq!(h.press(KeyCode::Enter), []);
    assert!(h.app.notice.as_ref().is_some_and(|n| n.error));
}

#[test]
fn friendship_commands_act_on_the_open_chats_person() {
    use imchat_sdk::proto::msg::NotifyFriendChanged;
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter); // open the chat with bob
    h.type_text("/remark 老鲍");
    assert_eq!(h.press(KeyCode::Enter), [Effect::Remark { uid: 2, remark: "老鲍".into() }]);
    let changed = |friend: bool, remark: &str, blocked: bool| NotifyFriendChanged {
        uid: 2,
        friend,
        remark: remark.into(),
        blocked,
    };
    h.net(NetEvent::FriendshipDone(Ok(changed(true, "老鲍", false))));
    assert_eq!(h.app.main.as_ref().unwrap().label(2), "老鲍");
    h.type_text("/block");
    assert_eq!(h.press(KeyCode::Enter), [Effect::Block { uid: 2, blocked: true }]);
    h.net(NetEvent::FriendshipDone(Ok(changed(false, "", true))));
    let main = h.app.main.as_ref().unwrap();
    assert!(main.friend(2).is_none() && main.blocked.contains(&2));
    assert_eq!(main.label(2), "bob", "the chat keeps a name for them");
    assert!(main.threads.contains_key(&10), "and stays readable");
    // Another device unblocks.
    h.net(NetEvent::FriendChanged(changed(false, "", false)));
    assert!(!h.app.main.as_ref().unwrap().blocked.contains(&2));
}
