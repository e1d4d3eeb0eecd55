//! Key names. llfc's names are kept (llfc-wire.md §4) so operators see a familiar layout;
//! imchat's own keys share the `imchat:` prefix.

/// The verification code for an email (llfc: 4 hex chars; imchat: 6 digits).
pub fn code(email: &str) -> String {
    format!("code_{email}")
}

/// Wrong guesses against the current code.
pub fn code_attempts(email: &str) -> String {
    format!("imchat:code_attempts:{email}")
}

/// Present while a new code may not be sent.
pub fn code_cooldown(email: &str) -> String {
    format!("imchat:code_cooldown:{email}")
}

/// Codes sent within the current send window.
pub fn code_sends(email: &str) -> String {
    format!("imchat:code_sends:{email}")
}

/// Prefix of the login tokens handed out by the status server.
pub const TOKEN_PREFIX: &str = "utoken_";

/// The login token handed out by the status server.
pub fn token(uid: i32) -> String {
    format!("{TOKEN_PREFIX}{uid}")
}

/// The name of the chat server holding the user's session (a route, not an IP).
pub fn route(uid: i32) -> String {
    format!("uip_{uid}")
}

/// The id of the user's current chat session.
pub fn session(uid: i32) -> String {
    format!("usession_{uid}")
}

/// The cached login view of a user ([`crate::login`]).
pub fn login_view(uid: i32) -> String {
    format!("imchat:login_view:{uid}")
}

/// Hash of chat server name to authenticated session count (llfc's load table).
pub const LOGIN_COUNT: &str = "logincount";

/// The per-user login lock (llfc: `lock:` + `lock_<uid>`).
pub fn user_lock(uid: i32) -> String {
    format!("lock:lock_{uid}")
}

/// Prefix of the live chat-server registry entries.
pub const CHAT_SERVER_PREFIX: &str = "imchat:chatserver:";

pub fn chat_server(name: &str) -> String {
    format!("{CHAT_SERVER_PREFIX}{name}")
}
