//! The small bugs of the 80x24 walk (`tui-walk.md` B13-B18), each as it was reproduced.

use crossterm::event::{KeyCode, KeyModifiers};
use imchat_sdk::proto::msg::{NotifyAuthFriend, SearchRsp};

use super::Harness;
use crate::app::Screen;
use crate::event::{Effect, NetEvent};

/// B14: the code's cooldown is the address's; another address gets a code at once.
#[test]
fn the_code_cooldown_belongs_to_the_address() {
    let mut h = Harness::new();
    h.press(KeyCode::F(2));
    h.press(KeyCode::Tab);
    h.type_text("ann@example.com");
    let ctrl_s = |h: &mut Harness| h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(ctrl_s(&mut h), [Effect::RequestCode("ann@example.com".into())]);
    assert!(ctrl_s(&mut h).is_empty(), "the same address waits");
    h.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("carol@example.com");
    assert_eq!(h.app.code_countdown(), 0);
    assert_eq!(ctrl_s(&mut h), [Effect::RequestCode("carol@example.com".into())]);
}

/// B15: after a reset the login form holds the reset account's email and no password.
#[test]
fn a_reset_leaves_the_login_form_ready_for_that_account() {
    let mut h = Harness::new();
    h.type_text("nobody@example.com");
    h.press(KeyCode::Tab);
    h.type_text("wrong-pass");
    h.press(KeyCode::F(3));
    h.press(KeyCode::Tab);
    h.type_text("carol@example.com");
    h.net(NetEvent::PasswordReset(Ok(())));
    assert_eq!(h.app.screen, Screen::Login);
    assert_eq!((h.app.login.value(0), h.app.login.value(1), h.app.login.focus), ("carol@example.com", "", 1));
}

/// B17: Enter on the search field once someone was found sends the request, as the hint says.
#[test]
fn enter_after_found_sends_the_request() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::F(4));
    h.type_text("dave");
    assert_eq!(h.press(KeyCode::Enter), [Effect::Search("dave".into())]);
    h.net(NetEvent::Found(Ok(SearchRsp { uid: 7, name: "dave".into(), ..SearchRsp::default() })));
    let effects = h.press(KeyCode::Enter);
    assert!(matches!(&effects[..], [Effect::Apply { to: 7, .. }]), "{effects:?}");
}

/// B13: the remark given with a request names the friend as soon as they accept.
#[test]
fn a_remark_applies_as_soon_as_the_request_is_accepted() {
    let mut h = Harness::signed_in();
    h.press(KeyCode::F(4));
    h.type_text("dave");
    h.press(KeyCode::Enter);
    h.net(NetEvent::Found(Ok(SearchRsp { uid: 7, name: "dave".into(), ..SearchRsp::default() })));
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_text("Dave from work");
    h.press(KeyCode::Enter);
    h.net(NetEvent::FriendAccepted(NotifyAuthFriend { fromuid: 7, name: "dave".into(), ..Default::default() }));
    assert_eq!(h.app.main.as_ref().unwrap().label(7), "Dave from work");
}

/// B16: a reason that says "signed out" itself is said once, in the user's words.
#[test]
fn a_kick_is_said_once() {
    let mut h = Harness::signed_in();
    h.net(NetEvent::Kicked("signed out: your login was revoked (password changed, or by an operator)".into()));
    let text = &h.app.notice.as_ref().unwrap().text;
    assert_eq!(text.matches("signed out").count(), 1, "{text}");
}
