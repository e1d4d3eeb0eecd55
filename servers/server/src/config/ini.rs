//! INI text to sections and keys, each remembering its line, and a reader that hands out typed
//! values, applies `IMCHAT_<SECTION>_<KEY>` environment overrides, and at the end reports every
//! problem at once: unknown sections and keys (typos), bad values, missing keys.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// One problem in a config file, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.origin, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

/// Every problem found in one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug)]
struct Entry {
    value: String,
    line: usize,
    used: bool,
}

#[derive(Debug)]
struct Section {
    line: usize,
    used: bool,
    keys: HashMap<String, Entry>,
}

/// A parsed INI file being read into typed values.
pub struct Reader {
    origin: String,
    sections: HashMap<String, Section>,
    env: HashMap<String, String>,
    problems: Vec<Problem>,
}

/// Prefix of environment overrides: `IMCHAT_MYSQL_PASSWD` overrides `[Mysql] Passwd`.
pub const ENV_PREFIX: &str = "IMCHAT_";

pub fn env_name(section: &str, key: &str) -> String {
    format!("{ENV_PREFIX}{}_{}", section.to_uppercase(), key.to_uppercase())
}

impl Reader {
    /// Parses `text`; `origin` names it in messages. `env` holds the environment overrides.
    pub fn parse(origin: &str, text: &str, env: HashMap<String, String>) -> Reader {
        let mut reader = Reader { origin: origin.to_owned(), sections: HashMap::new(), env, problems: Vec::new() };
        let mut current: Option<String> = None;
        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with(';') || trimmed.starts_with('#') {
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix('[') {
                let Some(name) = rest.strip_suffix(']').map(str::trim).filter(|n| !n.is_empty()) else {
                    reader.problem(Some(line), format!("malformed section header `{trimmed}`"));
                    current = None;
                    continue;
                };
                if let Some(previous) = reader.sections.get(name) {
                    let first = previous.line;
                    reader.problem(Some(line), format!("section [{name}] repeats the one on line {first}"));
                }
                reader.sections.insert(name.to_owned(), Section { line, used: false, keys: HashMap::new() });
                current = Some(name.to_owned());
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                reader.problem(Some(line), format!("expected `key = value`, got `{trimmed}`"));
                continue;
            };
            let key = key.trim();
            let Some(section) = current.as_ref().and_then(|name| reader.sections.get_mut(name)) else {
                reader.problem(Some(line), format!("key `{key}` is outside any [section]"));
                continue;
            };
            if key.is_empty() {
                reader.problem(Some(line), "empty key".to_owned());
                continue;
            }
            if let Some(previous) = section
                .keys
                .insert(key.to_owned(), Entry { value: unquote(value.trim()).to_owned(), line, used: false })
            {
                let first = previous.line;
                reader.problem(Some(line), format!("key `{key}` repeats the one on line {first}"));
            }
        }
        reader
    }

    fn problem(&mut self, line: Option<usize>, message: String) {
        self.problems.push(Problem { origin: self.origin.clone(), line, message });
    }

    /// True when the file has the section (and marks it as known).
    pub fn has_section(&mut self, section: &str) -> bool {
        match self.sections.get_mut(section) {
            Some(found) => {
                found.used = true;
                true
            }
            None => false,
        }
    }

    /// The raw value of `[section] key` (environment first), with the line it came from.
    fn raw(&mut self, section: &str, key: &str) -> Option<(String, Option<usize>, String)> {
        let env = env_name(section, key);
        let from_file = self.sections.get_mut(section).and_then(|s| {
            s.used = true;
            s.keys.get_mut(key).map(|entry| {
                entry.used = true;
                (entry.value.clone(), entry.line)
            })
        });
        if let Some(value) = self.env.get(&env) {
            return Some((value.clone(), None, format!("environment variable {env}")));
        }
        from_file.map(|(value, line)| (value, Some(line), format!("[{section}] {key}")))
    }

    /// A typed optional value; a bad value is recorded and yields `None`.
    pub fn optional<T: FromStr>(&mut self, section: &str, key: &str, expected: &str) -> Option<T> {
        let (value, line, what) = self.raw(section, key)?;
        match value.parse::<T>() {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                let shown = if is_secret(key) { "<redacted>".to_owned() } else { format!("`{value}`") };
                self.problem(line, format!("{what}: expected {expected}, got {shown}"));
                None
            }
        }
    }

    /// A typed value with a default.
    pub fn or<T: FromStr>(&mut self, section: &str, key: &str, expected: &str, default: T) -> T {
        self.optional(section, key, expected).unwrap_or(default)
    }

    /// A typed value with a default and an upper bound.
    pub fn at_most<T: FromStr + PartialOrd + fmt::Display + Copy>(
        &mut self,
        section: &str,
        key: &str,
        expected: &str,
        default: T,
        max: T,
    ) -> T {
        let Some((_, line, what)) = self.raw(section, key) else { return default };
        let value = self.or(section, key, expected, default);
        if value > max {
            self.problem(line, format!("{what}: {value} is above the limit of {max}"));
            return default;
        }
        value
    }

    /// A typed value that must be present.
    pub fn required<T: FromStr>(&mut self, section: &str, key: &str, expected: &str) -> Option<T> {
        let present = self.raw(section, key).is_some();
        if !present {
            let env = env_name(section, key);
            let line = self.sections.get(section).map(|s| s.line);
            self.problem(line, format!("missing [{section}] {key} ({expected}); set it in the file or in {env}"));
            return None;
        }
        self.optional(section, key, expected)
    }

    /// Ends reading: every section and key never asked for is reported as unknown.
    pub fn finish(mut self) -> Result<(), ConfigError> {
        let mut unknown = Vec::new();
        for (name, section) in &self.sections {
            if !section.used {
                unknown.push((section.line, format!("unknown section [{name}]")));
                continue;
            }
            for (key, entry) in &section.keys {
                if !entry.used {
                    unknown.push((entry.line, format!("unknown key `{key}` in [{name}]")));
                }
            }
        }
        for (line, message) in unknown {
            self.problem(Some(line), message);
        }
        if self.problems.is_empty() {
            return Ok(());
        }
        self.problems.sort_by_key(|p| p.line);
        Err(ConfigError { problems: self.problems })
    }
}

fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("passwd") || key.contains("password") || key.contains("secret")
}

/// A value that must never be printed (passwords).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "<redacted>" })
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}
