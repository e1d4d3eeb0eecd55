//! Key names, in one of two layouts ([`KeyLayout`]), built only inside this crate: the roles
//! reach these keys through the modules that own them ([`crate::presence`], [`crate::codes`],
//! [`crate::registry`]).
//!
//! The `llfc` layout keeps llfc's names (llfc-wire.md §4: `utoken_42`, `uip_42`, …), so an llfc
//! server sharing the Redis (its ResourceServer reads `utoken_`, say) and operators used to llfc
//! find them. The `tagged` layout is for Redis Cluster: every key that one script touches shares
//! a hash tag, `{42}` for one user's token, session, route, lock and login view, and `{<email>}`
//! for one address's code, attempts, cooldown and send count, so each script runs on one slot.
//! imchat's own keys share the `imchat:` prefix in both.

/// How keys are named. Every process of a deployment must use the same one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyLayout {
    /// llfc's names, with no hash tags (one Redis, or one shared with llfc's servers).
    #[default]
    Llfc,
    /// Hash-tagged names, each user's and each address's keys on one Redis Cluster slot.
    Tagged,
}

/// `llfc` or `tagged` (the INI spelling), in any case.
impl std::str::FromStr for KeyLayout {
    type Err = String;

    fn from_str(text: &str) -> Result<KeyLayout, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "llfc" => Ok(KeyLayout::Llfc),
            "tagged" => Ok(KeyLayout::Tagged),
            other => Err(format!("unknown key layout {other:?} (llfc or tagged)")),
        }
    }
}

impl KeyLayout {
    /// `name` followed by `id`: `name42`, or `name{42}` with the hash tag.
    fn with_id(self, name: &str, id: impl std::fmt::Display) -> String {
        match self {
            KeyLayout::Llfc => format!("{name}{id}"),
            KeyLayout::Tagged => format!("{name}{{{id}}}"),
        }
    }

    /// The verification code for an email (llfc: 4 hex chars; imchat: 6 digits).
    pub(crate) fn code(self, email: &str) -> String {
        self.with_id("code_", email)
    }

    /// Wrong guesses against the current code.
    pub(crate) fn code_attempts(self, email: &str) -> String {
        self.with_id("imchat:code_attempts:", email)
    }

    /// Wrong guesses against any code of the address within the attempt window.
    pub(crate) fn code_attempts_window(self, email: &str) -> String {
        self.with_id("imchat:code_attempts_window:", email)
    }

    /// Present while a new code may not be sent.
    pub(crate) fn code_cooldown(self, email: &str) -> String {
        self.with_id("imchat:code_cooldown:", email)
    }

    /// Codes sent within the current send window.
    pub(crate) fn code_sends(self, email: &str) -> String {
        self.with_id("imchat:code_sends:", email)
    }

    /// The login token handed out by the status server.
    pub(crate) fn token(self, uid: i32) -> String {
        self.with_id(TOKEN_PREFIX, uid)
    }

    /// The uid of a token key that [`KeyLayout::token`] built.
    pub(crate) fn token_uid(self, key: &str) -> Option<i32> {
        let id = key.strip_prefix(TOKEN_PREFIX)?;
        let id = match self {
            KeyLayout::Llfc => id,
            KeyLayout::Tagged => id.strip_prefix('{')?.strip_suffix('}')?,
        };
        id.parse().ok()
    }

    /// The names of the chat servers holding the user's sessions, space-separated (a route,
    /// not an IP; one name, llfc's value, for a user on one device).
    pub(crate) fn route(self, uid: i32) -> String {
        self.with_id("uip_", uid)
    }

    /// The user's session table ([`crate::presence::Sessions`]; llfc: the one session's id).
    pub(crate) fn session(self, uid: i32) -> String {
        self.with_id("usession_", uid)
    }

    /// The cached login view of a user ([`crate::presence`]).
    pub(crate) fn login_view(self, uid: i32) -> String {
        self.with_id("imchat:login_view:", uid)
    }

    /// Present while a chat login from this client address (an IPv4 address or an IPv6 /64)
    /// is recent: the resource port keeps that address's unauthenticated connections.
    pub(crate) fn address_login(self, address: &str) -> String {
        self.with_id("imchat:address_login:", address)
    }

    /// The per-user login lock (llfc: `lock:` + `lock_<uid>`).
    pub(crate) fn user_lock(self, uid: i32) -> String {
        self.with_id("lock:lock_", uid)
    }
}

/// Prefix of the login tokens handed out by the status server.
pub(crate) const TOKEN_PREFIX: &str = "utoken_";

/// Hash of chat server name to authenticated session count (llfc's load table).
pub(crate) const LOGIN_COUNT: &str = "logincount";

/// Prefix of the live chat-server registry entries.
pub(crate) const CHAT_SERVER_PREFIX: &str = "imchat:chatserver:";

pub(crate) fn chat_server(name: &str) -> String {
    format!("{CHAT_SERVER_PREFIX}{name}")
}

#[cfg(test)]
mod tests {
    use super::KeyLayout;

    /// Redis Cluster hashes only what is between the first `{` and the next `}`.
    fn hash_tag(key: &str) -> &str {
        key.split_once('{').and_then(|(_, rest)| rest.split_once('}')).map_or(key, |(tag, _)| tag)
    }

    #[test]
    fn llfc_names_are_kept_in_the_llfc_layout() {
        let llfc = KeyLayout::Llfc;
        assert_eq!(
            [llfc.token(42), llfc.route(42), llfc.session(42), llfc.user_lock(42), llfc.code("a@b.c")],
            ["utoken_42", "uip_42", "usession_42", "lock:lock_42", "code_a@b.c"]
        );
        assert_eq!(llfc.token_uid("utoken_42"), Some(42));
    }

    #[test]
    fn one_users_keys_share_a_slot_in_the_tagged_layout() {
        let tagged = KeyLayout::Tagged;
        let user =
            [tagged.token(42), tagged.route(42), tagged.session(42), tagged.user_lock(42), tagged.login_view(42)];
        assert!(user.iter().all(|key| hash_tag(key) == "42"), "{user:?}");
        assert_eq!(tagged.token_uid(&tagged.token(42)), Some(42));
        assert_eq!(tagged.token_uid("utoken_42"), None);
        // An address with braces of its own still gives all four keys one tag.
        for email in ["a@b.c", "x}y@b.c", "x{y@b.c"] {
            let keys = [
                tagged.code(email),
                tagged.code_attempts(email),
                tagged.code_cooldown(email),
                tagged.code_sends(email),
            ];
            let tag = hash_tag(&keys[0]);
            assert!(keys.iter().all(|key| hash_tag(key) == tag), "{keys:?}");
        }
        assert_eq!(" Tagged ".parse(), Ok(tagged));
        assert!("cluster".parse::<KeyLayout>().is_err());
    }
}
