//! Replies and forwards: Alt-R quotes the picked message (else the newest of someone else's)
//! in the next text, Alt-S forwards it through the switcher, Alt-J finds what a reply quotes,
//! loading older pages until it is there.

use crossterm::event::{KeyCode, KeyModifiers};
use imchat_sdk::proto::msg::{LoadOlderRsp, NotifyTextChat, Quote, SyncData, TextChatData};

use super::Harness;
use crate::app::Target;
use crate::event::{Effect, NetEvent};

fn alt(h: &mut Harness, code: KeyCode) -> Vec<Effect> {
    h.key(code, KeyModifiers::ALT)
}

#[test]
fn a_reply_quotes_the_picked_message_and_a_forward_goes_through_the_switcher() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    // Nothing picked: the reply quotes bob's newest.
    alt(&mut h, KeyCode::Char('r'));
    let (thread, quote) = h.app.main.as_ref().unwrap().replying.clone().expect("replying");
    assert_eq!((thread, quote.seq, quote.sender), (10, 1, 2));
    h.type_text("sure");
    let effects = h.press(KeyCode::Enter);
    assert!(matches!(&effects[..], [Effect::Send { reply_to: 1, text, .. }] if text == "sure"), "{effects:?}");
    let main = h.app.main.as_ref().unwrap();
    assert!(main.replying.is_none(), "the quote went with the text");
    assert_eq!(main.threads[&10].msgs.last().unwrap().reply_to(), 1, "kept for a resend");

    // Esc drops a quote before it goes.
    alt(&mut h, KeyCode::Char('r'));
    h.press(KeyCode::Esc);
    assert!(h.app.main.as_ref().unwrap().replying.is_none());
    assert_eq!(h.app.main.as_ref().unwrap().open, Some(10), "the chat stays open");

    // Alt-↑ picks bob's message; Alt-S forwards it to the chat chosen in the switcher.
    alt(&mut h, KeyCode::Up);
    assert_eq!(h.app.main.as_ref().unwrap().picked, Some(1));
    alt(&mut h, KeyCode::Char('s'));
    assert!(h.app.main.as_ref().unwrap().switcher.as_ref().is_some_and(|s| s.forward == Some((10, 1))));
    let effects = h.press(KeyCode::Enter);
    let [Effect::Forward { thread: 10, seq: 1, to: Target::Thread(10), unique }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(unique.len() <= imchat_sdk::proto::msg::MAX_FORWARD_UNIQUE_ID_BYTES);
    assert!(h.app.main.as_ref().unwrap().picked.is_none());
}

#[test]
fn a_jump_loads_older_pages_until_the_quoted_message_is_there() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::Enter);
    // A reply to seq 1 arrives while only newer ones are held… (here: held, so picked at once)
    let quote = Quote { seq: 1, sender: 2, excerpt: "hi".into(), ..Quote::default() };
    let push = NotifyTextChat {
        fromuid: 2,
        touid: 1,
        thread_id: 10,
        chat_datas: vec![TextChatData {
            seq: 2,
            content: "see above".into(),
            reply: Some(quote),
            ..Default::default()
        }],
        ..Default::default()
    };
    h.net(NetEvent::Text(push));
    alt(&mut h, KeyCode::Up);
    assert_eq!(h.app.main.as_ref().unwrap().picked, Some(2));
    assert!(alt(&mut h, KeyCode::Char('j')).is_empty());
    assert_eq!(h.app.main.as_ref().unwrap().picked, Some(1), "the quoted message is picked");

    // One quoting a message not loaded: the page before the oldest held is asked for, and the
    // jump ends when it comes.
    let old = Quote { seq: 40, sender: 2, excerpt: "long ago".into(), ..Quote::default() };
    let main = h.app.main.as_mut().unwrap();
    let thread = main.threads.get_mut(&10).unwrap();
    for msg in &mut thread.msgs {
        msg.seq += 50;
    }
    thread.older = Some(true);
    thread.msgs.last_mut().unwrap().reply = Some(old);
    main.picked = thread.msgs.last().map(|m| m.seq);
    let effects = alt(&mut h, KeyCode::Char('j'));
    assert!(effects.contains(&Effect::LoadOlder { thread: 10, before_seq: 51 }), "{effects:?}");
    let page = LoadOlderRsp {
        thread_id: 10,
        chat_datas: vec![SyncData {
            thread_id: 10,
            seq: 40,
            sender: 2,
            content: "long ago".into(),
            ..Default::default()
        }],
        more: true,
        ..Default::default()
    };
    h.net(NetEvent::Older(10, Ok(page)));
    let main = h.app.main.as_ref().unwrap();
    assert_eq!((main.picked, main.jump_pending), (Some(40), None));
}
