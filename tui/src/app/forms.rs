//! The signed-out screens: log in, register, reset the password.

use imchat_sdk::proto::rules;

use super::{App, CODE_COOLDOWN, Conn, Screen};
use crate::event::Effect;
use crate::keymap::Action;

impl App {
    pub(super) fn login_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::NextField | Action::Down => self.login.next(),
            Action::PrevField | Action::Up => self.login.prev(),
            Action::Register => {
                self.screen = Screen::Register;
                self.notice = None;
            }
            Action::Forgot => {
                self.screen = Screen::Reset;
                self.notice = None;
            }
            Action::Submit if !self.busy => {
                let (email, password) = (self.login.value(0).trim().to_owned(), self.login.value(1).to_owned());
                if email.is_empty() || password.is_empty() {
                    self.error(self.tr.enter_email_and_password());
                    return Some(Vec::new());
                }
                self.busy = true;
                self.conn = Conn::Connecting;
                self.info(self.tr.logging_in());
                return Some(vec![Effect::Login { email, password }]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    pub(super) fn send_code(&mut self, email: &str) -> Vec<Effect> {
        if let Err(rule) = rules::check_email(email) {
            self.error(self.tr.rule(rule));
            return Vec::new();
        }
        if self.code_countdown() > 0 {
            self.error(self.tr.code_again_in(self.code_countdown()));
            return Vec::new();
        }
        self.code_sent = Some((email.to_owned(), self.now + CODE_COOLDOWN));
        self.info(self.tr.sending_code(email));
        vec![Effect::RequestCode(email.to_owned())]
    }

    /// Moving between fields, going back and "send code" work alike on the register and reset
    /// forms (the email is field 1 on both).
    pub(super) fn code_form_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let form = if self.screen == Screen::Register { &mut self.register } else { &mut self.reset };
        match action {
            Action::NextField | Action::Down => form.next(),
            Action::PrevField | Action::Up => form.prev(),
            Action::Back => {
                self.screen = Screen::Login;
                self.notice = None;
            }
            Action::SendCode => {
                let email = form.value(1).trim().to_owned();
                return Some(self.send_code(&email));
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    pub(super) fn register_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if let Some(effects) = self.code_form_action(action) {
            return Some(effects);
        }
        match action {
            Action::Submit if !self.busy => {
                let form = &self.register;
                let (name, email, password, confirm, code) = (
                    form.value(0).to_owned(),
                    form.value(1).trim().to_owned(),
                    form.value(2),
                    form.value(3),
                    form.value(4),
                );
                let tr = self.tr;
                let problem = rules::check_name(&name)
                    .err()
                    .or_else(|| rules::check_email(&email).err())
                    .or_else(|| rules::check_password(password).err())
                    .map(|rule| tr.rule(rule))
                    .or_else(|| (password != confirm).then(|| tr.passwords_differ()))
                    .or_else(|| {
                        let keys = self.keymap.keys_for(Action::SendCode);
                        code.trim().is_empty().then(|| tr.enter_code_or_send(&keys))
                    });
                if let Some(problem) = problem {
                    self.error(problem);
                    return Some(Vec::new());
                }
                let effect =
                    Effect::Register { email, name, password: password.to_owned(), code: code.trim().to_owned() };
                self.busy = true;
                self.info(self.tr.registering());
                Some(vec![effect])
            }
            _ => None,
        }
    }

    pub(super) fn reset_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if let Some(effects) = self.code_form_action(action) {
            return Some(effects);
        }
        match action {
            Action::Submit if !self.busy => {
                let form = &self.reset;
                let (name, email, password, code) = (
                    form.value(0).to_owned(),
                    form.value(1).trim().to_owned(),
                    form.value(2).to_owned(),
                    form.value(3).trim().to_owned(),
                );
                if let Some(problem) = rules::check_password(&password)
                    .err()
                    .map(|rule| self.tr.rule(rule))
                    .or_else(|| code.is_empty().then(|| self.tr.enter_code()))
                {
                    self.error(problem);
                    return Some(Vec::new());
                }
                self.busy = true;
                self.info(self.tr.resetting());
                Some(vec![Effect::ResetPassword { email, name, password, code }])
            }
            _ => None,
        }
    }
}
