//! The client's config file: `[tui]` (gate, log file, pictures and downloads), `[keys]` (remapped bindings) and
//! `[colors]`. Flags and environment win over the file; unknown keys are errors with file:line.

use std::path::{Path, PathBuf};

use ratatui::style::Color;

use crate::files::Places;
use crate::notify::{Desktop, Notifications};
use crate::ui::{ImageMode, Theme};

#[derive(Debug, Clone, Default)]
pub struct FileConfig {
    pub gate: Option<String>,
    pub log_file: Option<PathBuf>,
    /// A CA certificate (PEM) to trust besides the system's, for a self-signed gate.
    pub ca_cert: Option<PathBuf>,
    pub keys: Vec<(String, String)>,
    pub theme: Theme,
    /// `bell`, `notify` (osc777, osc9, off) and `title` (on/off).
    pub notifications: Notifications,
    /// `images`: how pictures are shown (auto, kitty, sixel, iterm2, halfblocks, off).
    pub images: ImageMode,
    /// `downloads` and `opener`.
    pub places: Places,
}

fn switch(at: &str, value: &str) -> Result<bool, String> {
    match value {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        other => Err(format!("{at}: `{other}` is not on or off")),
    }
}

/// `$XDG_CONFIG_HOME/imchat/tui.ini`, or `~/.config/imchat/tui.ini`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("imchat").join("tui.ini"))
}

/// `$XDG_STATE_HOME/imchat/tui.log`, or `~/.local/state/imchat/tui.log`.
pub fn default_log() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("imchat")
        .join("tui.log")
}

fn color(name: &str) -> Option<Color> {
    name.parse().ok()
}

/// Reads `path`; a missing file at the default location is an empty config.
pub fn load(path: &Path, explicit: bool) -> Result<FileConfig, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(FileConfig::default()),
        Err(err) => return Err(format!("{}: {err}", path.display())),
    };
    parse(&path.display().to_string(), &text)
}

pub fn parse(origin: &str, text: &str) -> Result<FileConfig, String> {
    let mut config = FileConfig::default();
    let mut section = String::new();
    // `[colors]` keys win over `[tui] theme`, wherever each stands in the file.
    let mut colors: Vec<(&str, Color)> = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let at = format!("{origin}:{}", idx + 1);
        let line = raw.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            if !matches!(section.as_str(), "tui" | "keys" | "colors") {
                return Err(format!("{at}: unknown section [{section}] (known: tui, keys, colors)"));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("{at}: expected `key = value`"));
        };
        let (key, value) = (key.trim(), value.trim().trim_matches('"'));
        match (section.as_str(), key) {
            ("tui", "gate") => config.gate = Some(value.to_owned()),
            ("tui", "log_file") => config.log_file = Some(PathBuf::from(value)),
            ("tui", "ca_cert") => config.ca_cert = Some(PathBuf::from(value)),
            ("tui", "bell") => config.notifications.bell = switch(&at, value)?,
            ("tui", "title") => config.notifications.title = switch(&at, value)?,
            ("tui", "notify") => {
                config.notifications.desktop = value.parse::<Desktop>().map_err(|err| format!("{at}: {err}"))?;
            }
            ("tui", "images") => config.images = value.parse().map_err(|err| format!("{at}: {err}"))?,
            ("tui", "downloads") => config.places.downloads = PathBuf::from(value),
            ("tui", "opener") => config.places.opener = Some(value.to_owned()).filter(|v| !v.is_empty()),
            ("tui", "theme") => {
                config.theme = Theme::named(value)
                    .ok_or_else(|| format!("{at}: `{value}` is not a theme ({})", Theme::NAMES.join(", ")))?;
            }
            ("keys", action) => config.keys.push((action.to_owned(), value.to_owned())),
            ("colors", which @ ("accent" | "error" | "dim")) => {
                let parsed = color(value).ok_or_else(|| format!("{at}: `{value}` is not a colour"))?;
                colors.push((which, parsed));
            }
            (section, key) => return Err(format!("{at}: unknown key `{key}` in [{section}]")),
        }
    }
    for (which, parsed) in colors {
        match which {
            "accent" => config.theme.accent = parsed,
            "error" => config.theme.error = parsed,
            _ => config.theme.dim = parsed,
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let config =
            parse("t.ini", "[tui]\ngate = http://x:1\n[keys]\nquit = ctrl-x\n[colors]\naccent = magenta\n").unwrap();
        assert_eq!(config.gate.as_deref(), Some("http://x:1"));
        assert_eq!(config.keys, [("quit".to_owned(), "ctrl-x".to_owned())]);
        assert_eq!(config.theme.accent, Color::Magenta);
        // A theme, and a colour of [colors] over it, whichever comes first in the file.
        let config = parse("t.ini", "[colors]\ndim = blue\n[tui]\ntheme = paper\n").unwrap();
        assert_eq!((config.theme.accent, config.theme.dim), (Theme::named("paper").unwrap().accent, Color::Blue));
        assert_eq!(
            parse("t.ini", "[tui]\ntheme = neon\n").unwrap_err(),
            "t.ini:2: `neon` is not a theme (default, dusk, paper)"
        );
        assert_eq!(parse("t.ini", "[tui]\ngaet = x\n").unwrap_err(), "t.ini:2: unknown key `gaet` in [tui]");
        assert_eq!(parse("t.ini", "[colors]\naccent = plaid\n").unwrap_err(), "t.ini:2: `plaid` is not a colour");
        let config = parse("t.ini", "[tui]\nbell = off\nnotify = osc9\ntitle = no\n").unwrap();
        assert_eq!(config.notifications, Notifications { bell: false, desktop: Desktop::Osc9, title: false });
        assert_eq!(parse("t.ini", "[tui]\nbell = loud\n").unwrap_err(), "t.ini:2: `loud` is not on or off");
        assert_eq!(parse("t.ini", "[tui]\nnotify = dbus\n").unwrap_err(), "t.ini:2: `dbus` is not osc777, osc9 or off");
        let config = parse("t.ini", "[tui]\nimages = halfblocks\ndownloads = /tmp/dl\nopener = feh\n").unwrap();
        assert_eq!(config.images, ImageMode::Halfblocks);
        assert_eq!((config.places.downloads, config.places.opener), (PathBuf::from("/tmp/dl"), Some("feh".into())));
        assert!(parse("t.ini", "[tui]\nimages = ascii\n").unwrap_err().starts_with("t.ini:2: `ascii` is not auto"));
    }
}
