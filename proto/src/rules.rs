//! Input rules the servers enforce and clients show inline. One definition for both sides.

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// User name length in characters.
pub const MIN_NAME_CHARS: usize = 1;
pub const MAX_NAME_CHARS: usize = 32;
/// Credential string length in characters. llfc clients obfuscate the password with a
/// length-preserving XOR, so only the length can be checked server-side; their own UI limits
/// passwords to 6–15 characters.
pub const MIN_PASSWORD_CHARS: usize = 6;
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Greeting and remark length in characters (friend requests).
pub const MAX_REMARK_CHARS: usize = 64;
/// Avatar reference length in characters (the `icon` column holds 255).
pub const MAX_ICON_CHARS: usize = 255;

/// llfc's built-in avatars (`:/res/head_1.jpg` … `head_5.jpg`, resources of its Qt client).
pub const DEFAULT_ICONS: u8 = 5;

/// One of llfc's built-in avatars, picked by `seed`: what an account registered without an
/// icon gets, so llfc's client shows an avatar instead of asking for a file named "".
pub fn default_icon(seed: u8) -> String {
    format!(":/res/head_{}.jpg", seed % DEFAULT_ICONS + 1)
}

/// Longest device id a login may name (`devices`).
pub const MAX_DEVICE_ID_LEN: usize = 64;

/// A device id: 1 to 64 ASCII letters, digits, `-`, `_` and `.` (it goes into the presence
/// store's session table, which separates fields by spaces and entries by lines).
pub fn check_device_id(id: &str) -> Result<(), RuleError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_DEVICE_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok { Ok(()) } else { Err("device id must be 1 to 64 letters, digits, '-', '_' or '.'") }
}

/// Most bytes and characters of one reaction: an emoji with its modifiers and joiners (a
/// family or a flag), never a word.
pub const MAX_REACTION_BYTES: usize = 32;
pub const MAX_REACTION_CHARS: usize = 8;

/// A reaction: one emoji (with its variation selectors, skin tones and joiners), not text: no
/// ASCII, no spaces or control, zero-width or direction-changing characters but the joiner.
pub fn check_reaction(emoji: &str) -> Result<(), RuleError> {
    let odd = |c: char| {
        c.is_ascii()
            || c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    let ok = !emoji.is_empty()
        && emoji.len() <= MAX_REACTION_BYTES
        && emoji.chars().count() <= MAX_REACTION_CHARS
        && !emoji.chars().any(odd);
    if ok { Ok(()) } else { Err("a reaction is one emoji") }
}

/// Why a value breaks a rule, in words a user can act on.
pub type RuleError = &'static str;

/// Longest local part (before the `@`), RFC 5321.
pub const MAX_EMAIL_LOCAL_LEN: usize = 64;

/// A bare address (RFC 5322 addr-spec with a dot-atom on both sides): no display name, list,
/// comment, quoted part or domain literal, so a mailer handed it sends to exactly that one
/// mailbox (`1<victim@example.com>` is refused: llfc-wire.md §10). Letters of any script are
/// taken (internationalised addresses).
pub fn check_email(email: &str) -> Result<(), RuleError> {
    const SHAPE: RuleError = "email must be a plain address like name@example.com";
    if email.len() > MAX_EMAIL_LEN {
        return Err("email is too long");
    }
    let Some((local, domain)) = email.split_once('@') else { return Err(SHAPE) };
    // atext (RFC 5322 §3.2.3), plus letters of every script.
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |part: &str, ok: &dyn Fn(char) -> bool| part.split('.').all(|a| !a.is_empty() && a.chars().all(ok));
    if local.len() > MAX_EMAIL_LOCAL_LEN || !dot_atom(local, &atext) {
        return Err(SHAPE);
    }
    let label = |l: &str| !l.starts_with('-') && !l.ends_with('-') && l.len() <= 63;
    if !dot_atom(domain, &|c: char| c.is_alphanumeric() || c == '-') || !domain.split('.').all(label) {
        return Err(SHAPE);
    }
    if !domain.contains('.') {
        return Err("email domain must contain a dot, e.g. example.com");
    }
    Ok(())
}

/// Characters a name must not hold although they are not control characters: direction
/// overrides and isolates (which make a name display as another) and zero-width characters
/// (which make two names look the same).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}'
    )
}

pub fn check_name(name: &str) -> Result<(), RuleError> {
    let chars = name.chars().count();
    if chars < MIN_NAME_CHARS || name.trim() != name {
        return Err("user name must not be empty or start/end with spaces");
    }
    if chars > MAX_NAME_CHARS {
        return Err("user name is longer than 32 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("user name must not contain control characters");
    }
    if name.chars().any(is_invisible) {
        return Err("user name must not contain invisible or direction-changing characters");
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        // Search treats an all-digit string as a uid (llfc 1007), so such a name is unfindable.
        return Err("user name must not be all digits");
    }
    Ok(())
}

/// A group's name and announcement, in characters.
pub const MAX_GROUP_NAME_CHARS: usize = 64;
pub const MAX_ANNOUNCEMENT_CHARS: usize = 1000;

/// A group name: one line of visible text, as a user name but digits allowed.
pub fn check_group_name(name: &str) -> Result<(), RuleError> {
    if name.trim().is_empty() || name.trim() != name {
        return Err("group name must not be empty or start/end with spaces");
    }
    if name.chars().count() > MAX_GROUP_NAME_CHARS {
        return Err("group name is longer than 64 characters");
    }
    if name.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err("group name must not contain control, invisible or direction-changing characters");
    }
    Ok(())
}

/// Longest stored file name: a UUID (36) and an extension.
pub const MAX_FILE_NAME_LEN: usize = 96;
/// Longest extension of a file name.
pub const MAX_FILE_EXT_LEN: usize = 16;
/// A sender's label for a file (its original name), in characters.
pub const MAX_FILE_LABEL_CHARS: usize = 255;

/// A file's unique name on the resource server: letters, digits and `-` (llfc's client sends a
/// UUID without braces), then at most one `.` and an extension of letters and digits. Nothing
/// else, so a name can never be a path (`/`, `\`, `..`), hidden (`.x`) or odd to a filesystem
/// or an object store.
pub fn check_file_name(name: &str) -> Result<(), RuleError> {
    if name.is_empty() || name.len() > MAX_FILE_NAME_LEN {
        return Err("file name must be 1 to 96 characters");
    }
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    let stem_ok = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let ext_ok = ext.len() <= MAX_FILE_EXT_LEN
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        && (ext.is_empty() != name.contains('.'));
    if !(stem_ok && ext_ok) {
        return Err("file name must be letters, digits and '-', with at most one '.' and an extension");
    }
    Ok(())
}

/// An md5 as clients announce it: 32 hex digits, either case.
pub fn check_md5(md5: &str) -> Result<(), RuleError> {
    if md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err("md5 must be 32 hex digits")
    }
}

/// A file's label: its original name, shown to the recipient. One line of visible text, no
/// path separators (a label is never used as a path, but a client saving under it must not
/// be led out of its folder).
pub fn check_file_label(label: &str) -> Result<(), RuleError> {
    if label.chars().count() > MAX_FILE_LABEL_CHARS {
        return Err("file label is longer than 255 characters");
    }
    if label.chars().any(|c| c.is_control() || is_invisible(c) || c == '/' || c == '\\')
        || label == "."
        || label == ".."
    {
        return Err("file label must be a plain file name");
    }
    Ok(())
}

/// A group announcement: any visible text and line breaks, possibly empty.
pub fn check_announcement(text: &str) -> Result<(), RuleError> {
    if text.chars().count() > MAX_ANNOUNCEMENT_CHARS {
        return Err("announcement is longer than 1000 characters");
    }
    if text.chars().any(|c| (c.is_control() && c != '\n') || is_invisible(c)) {
        return Err("announcement must not contain control, invisible or direction-changing characters");
    }
    Ok(())
}

pub fn check_password(password: &str) -> Result<(), RuleError> {
    match password.chars().count() {
        n if n < MIN_PASSWORD_CHARS => Err("password must have at least 6 characters"),
        n if n > MAX_PASSWORD_CHARS => Err("password is longer than 128 characters"),
        _ => Ok(()),
    }
}

/// Canonical form of an email address: trimmed and lowercased, so one mailbox is one account.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        for ok in ["5f0c2a9e-1b7d-4c1e-9a3b-0d9f8e7c6b5a.png", "a", "x-1.JPEG", "report.tar"] {
            assert_eq!(check_file_name(ok), Ok(()), "{ok}");
        }
        let long = format!("{}.png", "a".repeat(93));
        for bad in [
            "",
            "../etc/passwd",
            "..",
            ".",
            ".png",
            "a/b.png",
            "a\\b",
            "a.b.c",
            "a.",
            "a b.png",
            "a.p-g",
            "é.png",
            "a\0.png",
            "{5f0c}.png",
            &long,
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_file_label("Quarterly report (final).pdf").is_ok());
        for bad in ["../x", "a/b", "a\\b", "..", "a\nb", "a\u{202e}b"] {
            assert!(check_file_label(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@example.org", "用户@例子.中国", "o'brien@x-y.example"] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        let long_local = format!("{}@b.co", "x".repeat(65));
        for bad in [
            "",
            "a",
            "a@",
            "@b.c",
            "a@b",
            "a b@c.d",
            "a@b@c.d",
            "a@.b",
            "a@b.",
            "a..b@c.d",
            ".a@c.d",
            "a.@c.d",
            // What a mailer would read as another recipient (llfc-wire.md §10).
            "1<victim@example.com>",
            "x <v@e.com>",
            "v@e.com, w@e.com",
            "(c)v@e.com",
            "\"q\"@e.com",
            "v@[127.0.0.1]",
            "v@-e.com",
            "v@e-.com",
            "v@e.com>",
            &long_local,
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_icons_are_llfcs() {
        let icons: std::collections::BTreeSet<String> = (0..=255).map(default_icon).collect();
        let expected: std::collections::BTreeSet<String> = (1..=5).map(|n| format!(":/res/head_{n}.jpg")).collect();
        assert_eq!(icons, expected);
    }

    #[test]
    fn names_and_passwords() {
        assert!(check_name("小明😀").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(" x").is_err());
        assert!(check_name("1042").is_err());
        assert!(check_name(&"x".repeat(33)).is_err());
        for sneaky in ["ad\u{202E}nim", "a\u{200B}b", "\u{2066}x\u{2069}", "x\u{FEFF}"] {
            assert!(check_name(sneaky).is_err(), "{sneaky:?}");
        }
        assert!(check_password("12345").is_err());
        assert!(check_password("123456").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }
}
