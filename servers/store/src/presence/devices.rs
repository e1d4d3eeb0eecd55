//! A user's live sessions, one per device, as presence keeps them: the session table (one
//! line per session: `<session> <device> <kind> <server> <since_ms>`) and the route derived
//! from it (the servers holding them, space-separated: one server name, llfc's value, for a
//! user on one device). Which older sessions a login ends is decided here ([`Sessions::admit`]),
//! under the user's lock, so two logins never both keep a session the policy allows once.

/// Which sessions of a user may live side by side (`[Sessions] Policy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Policy {
    /// One session per user: every login ends the one before (llfc's rule).
    Single,
    /// One session per kind of client: a login ends an older session of its kind only.
    #[default]
    PerKind,
    /// Any number, up to the device cap; a login ends only an older one of its own device.
    Multi,
}

impl std::str::FromStr for Policy {
    type Err = String;

    fn from_str(text: &str) -> Result<Policy, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "single" => Ok(Policy::Single),
            "per-kind" => Ok(Policy::PerKind),
            "multi" => Ok(Policy::Multi),
            other => Err(format!("unknown session policy {other:?} (single, per-kind or multi)")),
        }
    }
}

/// One live session: a login of one device on one chat server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEntry {
    pub session: String,
    pub device: String,
    /// The client's kind (`tui`, `cli`, `qt`, `bot`), as its login named it.
    pub kind: String,
    pub server: String,
    /// When it logged in (epoch ms).
    pub since_ms: i64,
}

impl SessionEntry {
    fn parse(line: &str) -> Option<SessionEntry> {
        let mut fields = line.split(' ');
        let entry = SessionEntry {
            session: fields.next()?.to_owned(),
            device: fields.next()?.to_owned(),
            kind: fields.next()?.to_owned(),
            server: fields.next()?.to_owned(),
            since_ms: fields.next()?.parse().ok()?,
        };
        (fields.next().is_none()
            && [&entry.session, &entry.device, &entry.kind, &entry.server].iter().all(|f| !f.is_empty()))
        .then_some(entry)
    }
}

/// A user's session table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sessions {
    entries: Vec<SessionEntry>,
}

/// The servers a route names.
pub fn route_servers(route: &str) -> Vec<String> {
    route.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl Sessions {
    /// The table as stored, with the route beside it: a value an older imchat wrote (a bare
    /// session id, one server) reads as one session of an unknown device, which any login
    /// then ends, as it did before. Lines that do not parse are dropped.
    pub fn parse(table: Option<&str>, route: Option<&str>) -> Sessions {
        let Some(table) = table else { return Sessions::default() };
        let entries: Vec<SessionEntry> = table.lines().filter_map(SessionEntry::parse).collect();
        if entries.is_empty()
            && !table.contains(' ')
            && let Some(server) = route.and_then(|r| route_servers(r).into_iter().next())
        {
            let legacy = SessionEntry {
                session: table.trim().to_owned(),
                device: String::new(),
                kind: String::new(),
                server,
                since_ms: 0,
            };
            return Sessions { entries: vec![legacy] };
        }
        Sessions { entries }
    }

    pub fn entries(&self) -> &[SessionEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The table's stored form.
    pub fn encode(&self) -> String {
        let lines: Vec<String> = self
            .entries
            .iter()
            .map(|e| format!("{} {} {} {} {}", e.session, e.device, e.kind, e.server, e.since_ms))
            .collect();
        lines.join("\n")
    }

    /// The servers holding these sessions, each once, in the order of their first session.
    pub fn servers(&self) -> Vec<String> {
        let mut servers: Vec<String> = Vec::new();
        for entry in &self.entries {
            if !servers.contains(&entry.server) {
                servers.push(entry.server.clone());
            }
        }
        servers
    }

    /// The route's stored form.
    pub fn route(&self) -> String {
        self.servers().join(" ")
    }

    /// Takes `new` in, ending what it replaces: sessions on servers that are not `live`
    /// (dropped silently: they died with their server), an older one of the same device
    /// (always), of the same kind (`per-kind`) or every one (`single`), and then the oldest
    /// while more than `max_devices` remain. Returns the sessions to end (kick).
    pub fn admit(
        &mut self,
        new: SessionEntry,
        policy: Policy,
        max_devices: usize,
        live: impl Fn(&str) -> bool,
    ) -> Vec<SessionEntry> {
        self.entries.retain(|e| live(&e.server));
        let replaced = |e: &SessionEntry| {
            e.device.is_empty()
                || e.device == new.device
                || match policy {
                    Policy::Single => true,
                    Policy::PerKind => e.kind == new.kind,
                    Policy::Multi => false,
                }
        };
        let (mut ended, kept): (Vec<SessionEntry>, Vec<SessionEntry>) = self.entries.drain(..).partition(replaced);
        self.entries = kept;
        self.entries.sort_by_key(|e| e.since_ms);
        let room = max_devices.max(1) - 1;
        if self.entries.len() > room {
            let excess = self.entries.len() - room;
            ended.extend(self.entries.drain(..excess));
        }
        self.entries.push(new);
        ended
    }

    /// Drops the session `session`; true when it was there.
    pub fn remove(&mut self, session: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.session != session);
        self.entries.len() != before
    }

    /// Drops the sessions on `server` that began before `before_ms`; true when any was there.
    pub fn drop_stale(&mut self, server: &str, before_ms: i64) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.server != server || e.since_ms >= before_ms);
        self.entries.len() != before
    }

    /// Adds `entry` unless its session is there already (a restore after the store lost it).
    pub fn restore(&mut self, entry: SessionEntry) {
        if !self.entries.iter().any(|e| e.session == entry.session) {
            self.entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(session: &str, device: &str, kind: &str, server: &str, since_ms: i64) -> SessionEntry {
        SessionEntry {
            session: session.into(),
            device: device.into(),
            kind: kind.into(),
            server: server.into(),
            since_ms,
        }
    }

    fn sessions(entries: &[SessionEntry]) -> Sessions {
        Sessions { entries: entries.to_vec() }
    }

    fn ids(entries: &[SessionEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.session.as_str()).collect()
    }

    #[test]
    fn a_table_reads_back_as_written() {
        let table = sessions(&[entry("s1", "laptop", "tui", "chat1", 1), entry("s2", "phone", "qt", "chat2", 2)]);
        let stored = table.encode();
        assert_eq!(Sessions::parse(Some(&stored), Some("chat1 chat2")), table);
        assert_eq!(table.route(), "chat1 chat2");
        assert_eq!(route_servers("chat1 chat2"), ["chat1", "chat2"]);
        // An older imchat's bare session id and one-server route.
        let legacy = Sessions::parse(Some("abc123"), Some("chat1"));
        assert_eq!(legacy.entries(), [entry("abc123", "", "", "chat1", 0)]);
        assert!(Sessions::parse(None, Some("chat1")).is_empty());
    }

    #[test]
    fn only_old_sessions_of_the_server_named_are_stale() {
        let mut table = sessions(&[
            entry("old", "a", "tui", "chat2", 100),
            entry("new", "b", "cli", "chat2", 900),
            entry("other", "c", "qt", "chat1", 50),
        ]);
        assert!(table.drop_stale("chat2", 500));
        assert_eq!(ids(table.entries()), ["new", "other"]);
        assert!(!table.drop_stale("chat2", 500), "nothing more");
    }

    #[test]
    fn each_policy_ends_what_it_says() {
        let old = [
            entry("a", "laptop", "tui", "chat1", 1),
            entry("b", "desk", "tui", "chat2", 2),
            entry("c", "qt-1", "qt", "chat1", 3),
        ];
        let live = |_: &str| true;
        let new = || entry("n", "desk2", "tui", "chat1", 9);
        let mut single = sessions(&old);
        assert_eq!(ids(&single.admit(new(), Policy::Single, 5, live)), ["a", "b", "c"]);
        let mut per_kind = sessions(&old);
        assert_eq!(ids(&per_kind.admit(new(), Policy::PerKind, 5, live)), ["a", "b"]);
        assert_eq!(ids(per_kind.entries()), ["c", "n"]);
        let mut multi = sessions(&old);
        assert!(multi.admit(new(), Policy::Multi, 5, live).is_empty());
        // The same device again is always a replacement.
        let mut again = sessions(&old);
        assert_eq!(ids(&again.admit(entry("n", "laptop", "cli", "chat2", 9), Policy::Multi, 5, live)), ["a"]);
        // Past the cap, the oldest go; a dead server's sessions are not kicked, only dropped.
        let mut capped = sessions(&old);
        let ended = capped.admit(new(), Policy::Multi, 2, |server| server != "chat2");
        assert_eq!(ids(&ended), ["a"]);
        assert_eq!(ids(capped.entries()), ["c", "n"]);
        assert_eq!(capped.route(), "chat1");
    }
}
