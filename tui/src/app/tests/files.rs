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
    assert!(effects.iter().any(|e| matches!(e, Effect::Notify { body, .. } if body == "bob sent a picture: cat.png")));
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
    assert_eq!(h.net(NetEvent::File(FileEvent::Meta("w.png".into(), Ok(meta)))), [Effect::FetchThumb("w.png".into())]);
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
    h.net(NetEvent::File(FileEvent::Uploaded { name: "r.pdf".into(), result: Err("the connection closed".into()) }));
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
