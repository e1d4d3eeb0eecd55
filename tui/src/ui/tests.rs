//! Screens rendered into ratatui's `TestBackend`: snapshots of what a person sees, and the
//! caret where a person expects it.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imchat_sdk::proto::msg::{SyncData, SyncRsp, SyncThread};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::App;
use crate::event::{Event, FileEvent, NetEvent, Welcome};
use crate::i18n::{Lang, Tr};
use crate::keymap::Keymap;
use crate::ui::{Previews, Theme, render};

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, &Theme::default(), &mut Previews::off(), frame)).unwrap();
    terminal
}

fn key(app: &mut App, now: Instant, code: KeyCode) {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)), now);
}

fn type_text(app: &mut App, now: Instant, text: &str) {
    for c in text.chars() {
        key(app, now, KeyCode::Char(c));
    }
}

fn signed_in(now: Instant) -> App {
    signed_in_speaking(now, Tr::default())
}

/// Signed in with the interface in `tr`'s language (before the login, as `main` sets it).
fn signed_in_speaking(now: Instant, tr: Tr) -> App {
    let mut app = App::new(Keymap::default(), now);
    app.tr = tr;
    app.update(
        Event::Net(NetEvent::LoggedIn(Ok(Welcome {
            uid: 1,
            name: "小明".into(),
            email: "ming@example.com".into(),
            server: "127.0.0.1:8090".into(),
            friends: vec![(2, "bob".into(), "Bobby".into()), (3, "李雷".into(), String::new())],
            requests: vec![(4, "cat".into(), "hi there".into(), 0)],
            dialect: imchat_sdk::Dialect::Imchat,
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
        }))),
        now,
    );
    let data = |seq: i64, sender: i32, text: &str| SyncData {
        thread_id: 10,
        seq,
        sender,
        receiver: if sender == 1 { 2 } else { 1 },
        content: text.into(),
        chat_time: format!("2026-11-24 09:0{seq}:00"),
        ..SyncData::default()
    };
    app.update(
        Event::Net(NetEvent::Synced(SyncRsp {
            error: 0,
            threads: vec![SyncThread { thread_id: 10, peer_uid: 2, last_seq: 3, unread: 2, ..Default::default() }],
            chat_datas: vec![data(1, 1, "早上好 👋"), data(2, 2, "morning!"), data(3, 2, "lunch at 12?")],
            more: false,
            next_thread: None,
            receipts: Vec::new(),
        })),
        now,
    );
    app
}

#[test]
fn login_screen() {
    let now = Instant::now();
    let mut app = App::new(Keymap::default(), now);
    type_text(&mut app, now, "ann@example.com");
    key(&mut app, now, KeyCode::Tab);
    type_text(&mut app, now, "hunter2");
    let mut terminal = draw(&app, 70, 14);
    insta::assert_snapshot!(terminal.backend());
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!((cursor.x, cursor.y), (23, 4), "the caret follows the masked password, after the focus marker");
}

#[test]
fn main_screen_with_cjk_and_unread() {
    let now = Instant::now();
    let app = signed_in(now);
    insta::assert_snapshot!(draw(&app, 80, 16).backend());
}

#[test]
fn open_chat_with_caret_after_cjk_input() {
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    type_text(&mut app, now, "你好ab");
    let mut terminal = draw(&app, 80, 16);
    insta::assert_snapshot!(terminal.backend());
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!((cursor.x, cursor.y), (29 + 6, 12), "two cells per CJK character");
}

#[test]
fn tiny_terminal_does_not_break() {
    let now = Instant::now();
    let mut app = signed_in(now);
    insta::assert_snapshot!("tiny_main", draw(&app, 20, 10).backend());
    key(&mut app, now, KeyCode::Enter);
    type_text(&mut app, now, &"x".repeat(10_000));
    insta::assert_snapshot!("tiny_chat", draw(&app, 20, 10).backend());
    let login = App::new(Keymap::default(), now);
    draw(&login, 1, 1);
    draw(&login, 20, 10);
}

/// A group with a system message, a mention and the member pane; the chat list shows the group
/// with its marks, last message and time, above the private chat that was active earlier.
#[test]
fn group_chat_with_members_and_marks() {
    use imchat_sdk::proto::msg::{GroupInfo, GroupMember, NotifyGroupMsg};
    let now = Instant::now();
    let mut app = signed_in(now);
    app.clock = crate::clock::Clock {
        today: "2026-11-25".into(),
        yesterday: "2026-11-24".into(),
        ..crate::clock::Clock::default()
    };
    let event = r#"{"event":"create","by":3,"by_name":"李雷","uids":[1,2],"names":["小明","bob"],"text":"Team 🚀"}"#;
    let data = |seq: i64, sender: i32, content: &str, msg_type: i32, mentions: Vec<i32>| SyncData {
        thread_id: 20,
        seq,
        sender,
        content: content.into(),
        chat_time: format!("2026-11-25 10:0{seq}:00"),
        msg_type,
        mentions,
        ..SyncData::default()
    };
    for push in [data(1, 3, event, 10, vec![]), data(2, 2, "@小明 lunch?", 0, vec![1])] {
        app.update(
            Event::Net(NetEvent::Group(NotifyGroupMsg {
                fromuid: push.sender,
                thread_id: 20,
                mentions: push.mentions.clone(),
                chat_datas: vec![push],
            })),
            now,
        );
    }
    let info = GroupInfo {
        thread_id: 20,
        name: "Team 🚀".into(),
        owner: 3,
        members: 3,
        role: "member".into(),
        announcement: "ship friday".into(),
        ..GroupInfo::default()
    };
    app.update(Event::Net(NetEvent::GroupInfo(Ok(info))), now);
    insta::assert_snapshot!("group_in_chat_list", draw(&app, 80, 16).backend());

    // The selection stayed on Bobby as the group moved above it: up to the group, then open.
    key(&mut app, now, KeyCode::Up);
    key(&mut app, now, KeyCode::Enter);
    app.update(Event::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)), now);
    let members = vec![
        GroupMember { uid: 1, name: "小明".into(), role: "member".into(), ..GroupMember::default() },
        GroupMember { uid: 2, name: "bob".into(), role: "admin".into(), ..GroupMember::default() },
        GroupMember { uid: 3, name: "李雷".into(), role: "owner".into(), ..GroupMember::default() },
    ];
    app.update(Event::Net(NetEvent::GroupMembers(20, Ok(members))), now);
    insta::assert_snapshot!("group_open_with_members", draw(&app, 100, 18).backend());
}

#[test]
fn new_group_dialog_marks_focus_and_ticks() {
    let now = Instant::now();
    let mut app = signed_in(now);
    app.update(Event::Key(KeyEvent::new(KeyCode::F(7), KeyModifiers::NONE)), now);
    type_text(&mut app, now, "weekend");
    key(&mut app, now, KeyCode::Tab);
    key(&mut app, now, KeyCode::Down);
    type_text(&mut app, now, " ");
    insta::assert_snapshot!("new_group_dialog", draw(&app, 80, 16).backend());
}

/// The find dialog marks the focused field, and a search leaves focus where it was.
#[test]
fn find_dialog_keeps_and_marks_focus() {
    use imchat_sdk::proto::msg::SearchRsp;
    let now = Instant::now();
    let mut app = signed_in(now);
    app.update(Event::Key(KeyEvent::new(KeyCode::F(4), KeyModifiers::NONE)), now);
    type_text(&mut app, now, "cat");
    key(&mut app, now, KeyCode::Enter);
    let found = SearchRsp { uid: 4, name: "cat".into(), ..SearchRsp::default() };
    app.update(Event::Net(NetEvent::Found(Ok(found))), now);
    insta::assert_snapshot!("find_dialog_found", draw(&app, 80, 16).backend());
}

/// A friend's picture with its preview (half blocks: what any terminal shows), a file being
/// saved, and the files dialog over them.
#[test]
fn pictures_preview_and_files_list() {
    use imchat_sdk::proto::msg::res::NotifyImgChat;
    let now = Instant::now();
    let mut app = signed_in(now);
    let dir = tempfile::tempdir().unwrap();
    let thumb = dir.path().join("thumb.jpg");
    image::RgbImage::from_fn(256, 171, |x, y| image::Rgb([x as u8, y as u8, 128])).save(&thumb).unwrap();
    let notice = |seq: i64, name: &str, label: &str, msg_type: i32| NotifyImgChat {
        sender_id: 2,
        receiver_id: 1,
        img_name: name.into(),
        total_size: "1234567".into(),
        thread_id: 10,
        seq,
        msg_type,
        label: label.into(),
        chat_time: format!("2026-11-24 09:0{seq}:00"),
        ..NotifyImgChat::default()
    };
    app.update(Event::Net(NetEvent::File(FileEvent::Notice(notice(4, "p.png", "holiday.png", 1)))), now);
    app.update(Event::Net(NetEvent::File(FileEvent::Notice(notice(5, "r.pdf", "report.pdf", 3)))), now);
    app.update(Event::Net(NetEvent::File(FileEvent::Thumb("p.png".into(), Ok(thumb)))), now);
    key(&mut app, now, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut previews = Previews::halfblocks();
    terminal.draw(|frame| render(&app, &Theme::default(), &mut previews, frame)).unwrap();
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.matches('▄').count() > 100, "the preview is drawn:\n{screen}");
    insta::assert_snapshot!("picture_with_preview", terminal.backend());

    app.update(Event::Key(KeyEvent::new(KeyCode::F(8), KeyModifiers::NONE)), now);
    key(&mut app, now, KeyCode::Enter);
    app.update(
        Event::Net(NetEvent::File(FileEvent::Progress {
            name: "r.pdf".into(),
            up: false,
            done: 617_283,
            total: 1_234_567,
        })),
        now,
    );
    insta::assert_snapshot!("files_dialog", draw(&app, 80, 24).backend());

    // Saved, then opened: nothing runs before the user has seen what it is.
    let saved = std::path::PathBuf::from("/home/ann/Downloads/report.pdf");
    let result = Ok(saved.clone());
    app.update(Event::Net(NetEvent::File(FileEvent::Saved { name: "r.pdf".into(), result })), now);
    let effects = app.update(Event::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)), now);
    assert_eq!(effects, [crate::event::Effect::Inspect(saved.clone())]);
    let shown = crate::files::Openable { path: saved, kind: "PDF document", size: 1_234_567 };
    app.update(Event::Net(NetEvent::File(FileEvent::Inspected(Ok(shown)))), now);
    insta::assert_snapshot!("files_dialog_confirm_open", draw(&app, 80, 24).backend());
}

/// The attach prompt: the path, what Tab matched, and why the last Enter sent nothing.
#[test]
fn attach_prompt_lists_matches_and_errors() {
    use crate::files::Completion;
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)), now);
    type_text(&mut app, now, "~/Pictures/ho");
    let completion = Completion {
        typed: "~/Pictures/ho".into(),
        text: "~/Pictures/holiday ".into(),
        candidates: vec!["holiday 1.png".into(), "holiday 2.png".into()],
    };
    app.update(Event::Completed(completion), now);
    key(&mut app, now, KeyCode::Enter);
    app.update(Event::Checked(Err("~/Pictures/holiday : no such file".into())), now);
    let mut terminal = draw(&app, 80, 16);
    insta::assert_snapshot!("attach_prompt", terminal.backend());
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!((cursor.x, cursor.y), (30, 4), "the caret ends the path");
}

/// The composer wraps by word at its width (CJK two cells a character), grows to six rows,
/// then scrolls with the caret; past half the server's limit a counter shows.
#[test]
fn the_composer_wraps_and_grows() {
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    type_text(
        &mut app,
        now,
        "The quick brown fox jumps over the lazy dog, and then 那只敏捷的棕色狐狸跳过了懒狗，然后又跳回来。",
    );
    insta::assert_snapshot!("composer_wraps", draw(&app, 80, 24).backend());
    insta::assert_snapshot!("composer_wraps_120x40", draw(&app, 120, 40).backend());
    type_text(&mut app, now, &" word".repeat(500));
    let terminal = draw(&app, 80, 24);
    insta::assert_snapshot!("composer_scrolls_with_a_counter", terminal.backend());
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("/4096 bytes"), "the counter shows past half the limit");
}

/// F1 at 80x24: quit and help first, and the rest scrolls.
#[test]
fn help_fits_and_scrolls() {
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::F(1));
    let screen = format!("{:?}", draw(&app, 80, 24).backend());
    insta::assert_snapshot!("help_80x24", draw(&app, 80, 24).backend());
    assert!(
        screen.find("quit").unwrap() < screen.find("submit").unwrap_or(usize::MAX).min(screen.find("log in").unwrap())
    );
    key(&mut app, now, KeyCode::PageDown);
    key(&mut app, now, KeyCode::PageDown);
    let scrolled = format!("{:?}", draw(&app, 80, 24).backend());
    assert!(scrolled.contains("next chat with unread"), "the end of the list is reachable:\n{scrolled}");
}

/// The mouse lands where things were drawn: a click on a chat in the list opens it, the wheel
/// over the list moves its selection, a click on the composer focuses it.
#[test]
fn clicks_and_the_wheel_act_on_what_is_under_them() {
    use imchat_sdk::proto::msg::{NotifyTextChat, TextChatData};
    let now = Instant::now();
    let mut app = signed_in(now);
    let text = |thread_id: i64, from: i32| NotifyTextChat {
        fromuid: from,
        touid: 1,
        thread_id,
        chat_datas: vec![TextChatData { seq: 1, message_id: 1, content: "hey".into(), ..Default::default() }],
        ..Default::default()
    };
    app.update(Event::Net(NetEvent::Text(text(11, 3))), now);
    draw(&app, 80, 24);
    // The list's second chat starts two rows under the first (each chat takes two rows).
    let second = app.list_rows.borrow()[1];
    let thread = match app.main.as_ref().unwrap().items()[second.2] {
        crate::app::Item::Thread(id) => id,
        ref other => panic!("{other:?}"),
    };
    app.update(Event::Mouse { column: 3, row: second.0, wheel: 0 }, now);
    assert_eq!(app.main.as_ref().unwrap().open, Some(thread), "a click opens the chat under it");
    draw(&app, 80, 24);
    app.update(Event::Mouse { column: 3, row: 3, wheel: 3 }, now);
    assert_eq!(app.main.as_ref().unwrap().selected, 0, "the wheel over the list moves up");
    let composer = app.composer_area.get();
    app.update(Event::Mouse { column: composer.x + 2, row: composer.y + 1, wheel: 0 }, now);
    assert_eq!(app.main.as_ref().unwrap().focus, crate::app::Focus::Input);
}

/// The quick switcher over the main screen: a pinyin query and what it matches.
#[test]
fn the_switcher_lists_pinyin_matches() {
    let now = Instant::now();
    let mut app = signed_in(now);
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)), now);
    type_text(&mut app, now, "ll");
    let terminal = draw(&app, 80, 24);
    insta::assert_snapshot!("switcher", terminal.backend());
    assert!(format!("{:?}", terminal.backend()).contains("+ 李雷"), "李雷 is found by ll");
}

/// A failed message says why and which key decides; the dialog offers retry, edit, delete.
#[test]
fn a_failed_message_and_its_dialog() {
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    type_text(&mut app, now, "see you at 12");
    key(&mut app, now, KeyCode::Enter);
    let unique = app.main.as_ref().unwrap().threads[&10].msgs.last().unwrap().unique.clone();
    let refused = crate::event::SendFailure::Refused("too many messages: slow down".into());
    app.update(Event::Net(NetEvent::Sent { unique, result: Err(refused) }), now);
    insta::assert_snapshot!("failed_message_120x40", draw(&app, 120, 40).backend());
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)), now);
    insta::assert_snapshot!("failed_dialog", draw(&app, 80, 24).backend());
}

/// The Chinese interface: the login screen, the main screen with a chat open (a day separator,
/// the new-messages line, a group event), help and the switcher, at 80x24 and 120x40.
#[test]
fn the_chinese_interface() {
    let now = Instant::now();
    let zh = Tr(Lang::ZhCn);
    let mut login = App::new(Keymap::default(), now);
    login.tr = zh;
    type_text(&mut login, now, "ming@example.com");
    let mut terminal = draw(&login, 80, 24);
    insta::assert_snapshot!("zh_login_80x24", terminal.backend());
    assert!(format!("{:?}", terminal.backend()).contains("登录"));
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!((cursor.x, cursor.y), (9 + 8 + 16, 9), "after the email, past a label measured in cells");

    let mut app = signed_in_speaking(now, zh);
    app.clock = crate::clock::Clock {
        today: "2026-11-25".into(),
        yesterday: "2026-11-24".into(),
        tr: zh,
        ..crate::clock::Clock::default()
    };
    insta::assert_snapshot!("zh_main_80x24", draw(&app, 80, 24).backend());
    key(&mut app, now, KeyCode::Enter);
    type_text(&mut app, now, "好的，十二点见");
    let screen = draw(&app, 120, 40);
    insta::assert_snapshot!("zh_chat_120x40", screen.backend());
    let text = format!("{:?}", screen.backend());
    for expected in ["昨天", "以下为新消息", "消息 · Enter 发送", "在线"] {
        assert!(text.contains(expected), "{expected} is not on screen:\n{text}");
    }
    key(&mut app, now, KeyCode::F(1));
    insta::assert_snapshot!("zh_help_80x24", draw(&app, 80, 24).backend());
}

/// A chat opened with more unread messages than fit lands at the first of them: the "new
/// messages" line on top; PgDn goes on from there to the newest.
#[test]
fn a_chat_opens_at_its_first_unread_message() {
    let now = Instant::now();
    let mut app = signed_in(now);
    let data = |seq: i64| SyncData {
        thread_id: 10,
        seq,
        sender: 2,
        receiver: 1,
        content: format!("message {seq}"),
        chat_time: format!("2026-11-24 10:{:02}:00", seq),
        ..SyncData::default()
    };
    app.update(
        Event::Net(NetEvent::Synced(SyncRsp {
            threads: vec![SyncThread {
                thread_id: 10,
                peer_uid: 2,
                last_seq: 40,
                unread: 30,
                read_seq: 10,
                ..Default::default()
            }],
            chat_datas: (4..=40).map(data).collect(),
            ..SyncRsp::default()
        })),
        now,
    );
    key(&mut app, now, KeyCode::Enter);
    let screen = format!("{:?}", draw(&app, 80, 24).backend());
    // Rows counted from the screen's first (the debug form has a header before it).
    let top = screen.lines().position(|l| l.contains("┌ Chats")).unwrap();
    let row = |needle: &str| screen.lines().position(|l| l.contains(needle)).map(|at| at - top);
    assert_eq!(row("new messages"), Some(1), "the divider is the first line of the chat:\n{screen}");
    assert!(row("message 11").is_some() && row("Bobby 10:40").is_none(), "{screen}");
    insta::assert_snapshot!("opens_at_first_unread", draw(&app, 80, 24).backend());
    for _ in 0..20 {
        key(&mut app, now, KeyCode::PageDown);
        draw(&app, 80, 24);
    }
    let screen = format!("{:?}", draw(&app, 80, 24).backend());
    assert!(screen.contains("Bobby 10:40"), "PgDn reaches the newest:\n{screen}");
}

/// A friend typing shows in the chat's title; a text they read shows "read" after it.
#[test]
fn typing_and_read_receipts_show() {
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    app.update(Event::Net(NetEvent::Typing(2)), now);
    app.update(Event::Net(NetEvent::Receipt { thread: 10, seq: 1 }), now);
    let terminal = draw(&app, 80, 16);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn recalled_and_edited_messages_in_both_languages() {
    use imchat_sdk::proto::msg::{MSG_TYPE_RECALL, NotifyRecall};
    let notice = |seq: i64, at: i64, by: i32| SyncData {
        thread_id: 10,
        seq: at,
        message_id: at,
        sender: by,
        receiver: if by == 1 { 2 } else { 1 },
        content: format!(r#"{{"seq":{seq},"by":{by}}}"#),
        chat_time: format!("2026-11-24 09:0{at}:00"),
        msg_type: MSG_TYPE_RECALL,
        ..SyncData::default()
    };
    for (name, tr) in [("recall_en_80x16", Tr::default()), ("recall_zh_80x16", Tr(Lang::ZhCn))] {
        let now = Instant::now();
        let mut app = signed_in_speaking(now, tr);
        key(&mut app, now, KeyCode::Enter);
        // Bob recalls his "morning!"; this user recalls their own greeting from this device.
        let push = NotifyRecall { thread_id: 10, seq: 2, notice: notice(2, 4, 2) };
        app.update(Event::Net(NetEvent::Recalled(push)), now);
        let done = NetEvent::RecallDone { thread: 10, seq: 1, result: Ok(Some(notice(1, 5, 1))) };
        app.update(Event::Net(done), now);
        // And edits "lunch at 12?".
        let edit = SyncData {
            msg_type: imchat_sdk::proto::msg::MSG_TYPE_EDIT,
            content: r#"{"seq":3,"by":2,"text":"lunch at 1?"}"#.into(),
            ..notice(3, 6, 2)
        };
        let push = imchat_sdk::proto::msg::NotifyEdit { thread_id: 10, seq: 3, notice: edit.clone() };
        app.update(Event::Net(NetEvent::Edited(push)), now);
        // And reacts to it; this user does too.
        let reaction = SyncData {
            msg_type: imchat_sdk::proto::msg::MSG_TYPE_REACTION,
            content: r#"{"seq":3,"by":1,"emoji":"👍","reactions":[{"emoji":"👍","count":2},{"emoji":"🎉","count":1}]}"#
                .into(),
            sender: 1,
            receiver: 2,
            ..notice(3, 7, 1)
        };
        let push = imchat_sdk::proto::msg::NotifyReact { thread_id: 10, seq: 3, notice: reaction };
        app.update(Event::Net(NetEvent::Reacted(push)), now);
        insta::assert_snapshot!(name, draw(&app, 80, 16).backend());
    }
}

#[test]
fn a_private_chats_title_says_online_or_when_last_seen() {
    use imchat_sdk::proto::msg::Presence;
    let now = Instant::now();
    let mut app = signed_in(now);
    key(&mut app, now, KeyCode::Enter);
    let seen = |online: bool, last_seen: &str| Presence { uid: 2, visible: true, online, last_seen: last_seen.into() };
    app.update(Event::Net(NetEvent::Presence(vec![seen(true, "")])), now);
    let screen = format!("{:?}", draw(&app, 80, 16).backend());
    assert!(screen.contains("Bobby · online"), "{screen}");
    app.update(Event::Net(NetEvent::Presence(vec![seen(false, "2026-11-24 08:30:00")])), now);
    let screen = format!("{:?}", draw(&app, 80, 16).backend());
    assert!(screen.contains("Bobby · last seen"), "{screen}");
    // Hidden by their setting: the name alone.
    app.update(Event::Net(NetEvent::Presence(vec![Presence { uid: 2, ..Presence::default() }])), now);
    let screen = format!("{:?}", draw(&app, 80, 16).backend());
    assert!(screen.contains("┌ Bobby ─"), "{screen}");
}

#[test]
fn replies_forwards_and_a_picked_message_in_both_languages() {
    use imchat_sdk::proto::msg::{NotifyTextChat, Quote, TextChatData};
    for (name, tr) in [("quotes_en_80x18", Tr::default()), ("quotes_zh_80x18", Tr(Lang::ZhCn))] {
        let now = Instant::now();
        let mut app = signed_in_speaking(now, tr);
        key(&mut app, now, KeyCode::Enter);
        // Bob replies to "lunch at 12?" and forwards a text of Li Lei's.
        let quote = Quote { seq: 3, sender: 2, msg_type: 0, excerpt: "lunch at 12?".into(), recalled: false };
        let push = NotifyTextChat {
            fromuid: 2,
            touid: 1,
            thread_id: 10,
            chat_datas: vec![
                TextChatData {
                    seq: 4,
                    content: "or 1, if you are late".into(),
                    chat_time: "2026-11-24 09:04:00".into(),
                    reply: Some(quote),
                    ..TextChatData::default()
                },
                TextChatData {
                    seq: 5,
                    content: "周五开会".into(),
                    chat_time: "2026-11-24 09:05:00".into(),
                    forwarded_from: 3,
                    ..TextChatData::default()
                },
            ],
            ..NotifyTextChat::default()
        };
        app.update(Event::Net(NetEvent::Text(push)), now);
        // This user picks bob's reply (two up from the newest) and starts one of their own.
        for _ in 0..2 {
            app.update(Event::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::ALT)), now);
        }
        app.update(Event::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::ALT)), now);
        app.update(Event::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::ALT)), now);
        insta::assert_snapshot!(name, draw(&app, 80, 18).backend());
    }
}
