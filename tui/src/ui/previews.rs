//! Pictures in the chat: a thumbnail turned into what this terminal can show (kitty, sixel or
//! iTerm2 graphics, or half-block characters anywhere), once per size, and drawn where its
//! message is. The only state drawing keeps, and it is a cache: dropping it loses nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::Frame;
use ratatui::layout::{Rect, Size};
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};

/// Rows a preview takes in the chat.
pub const PREVIEW_ROWS: u16 = 8;
/// Columns a preview takes at most.
pub const PREVIEW_COLS: u16 = 32;
/// Encoded previews kept; past this the cache starts again (a screenful is far fewer).
const CACHED_PREVIEWS: usize = 64;
/// Thumbnails larger than this on disk are not decoded (the server's are a few KB).
const MAX_THUMB_BYTES: u64 = 4 * 1024 * 1024;

/// How pictures are shown (`[tui] images`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageMode {
    /// Graphics where the environment names a terminal that has them, else half blocks.
    #[default]
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
    /// Names only.
    Off,
}

impl FromStr for ImageMode {
    type Err = String;

    fn from_str(text: &str) -> Result<ImageMode, String> {
        Ok(match text {
            "auto" => ImageMode::Auto,
            "kitty" => ImageMode::Kitty,
            "sixel" => ImageMode::Sixel,
            "iterm2" => ImageMode::Iterm2,
            "halfblocks" => ImageMode::Halfblocks,
            "off" => ImageMode::Off,
            other => return Err(format!("`{other}` is not auto, kitty, sixel, iterm2, halfblocks or off")),
        })
    }
}

/// The previews drawn so far, by thumbnail and size.
pub struct Previews {
    picker: Option<Picker>,
    cache: HashMap<(PathBuf, u16, u16), Option<Protocol>>,
}

impl Previews {
    /// No pictures: names only.
    pub fn off() -> Previews {
        Previews { picker: None, cache: HashMap::new() }
    }

    /// Half blocks: any terminal with colours.
    pub fn halfblocks() -> Previews {
        Previews { picker: Some(Picker::halfblocks()), cache: HashMap::new() }
    }

    /// As `mode` says. Nothing is asked of the terminal on stdin (an unanswered query would go
    /// on reading there and eat keys): `Auto` goes by what the environment says the terminal
    /// is, and the graphics protocols take the cell size from the window's size in pixels.
    pub fn detect(mode: ImageMode) -> Previews {
        let env = |key: &str| std::env::var(key).unwrap_or_default();
        let protocol = match mode {
            ImageMode::Off => return Previews::off(),
            ImageMode::Halfblocks => return Previews::halfblocks(),
            ImageMode::Kitty => ProtocolType::Kitty,
            ImageMode::Sixel => ProtocolType::Sixel,
            ImageMode::Iterm2 => ProtocolType::Iterm2,
            ImageMode::Auto => match guess(&env("TERM"), &env("TERM_PROGRAM"), &env("TMUX"), &env("KITTY_WINDOW_ID")) {
                Some(protocol) => protocol,
                None => return Previews::halfblocks(),
            },
        };
        let cell = crossterm::terminal::window_size().ok().and_then(|w| {
            let (cols, rows) = (w.columns.max(1), w.rows.max(1));
            (w.width >= cols && w.height >= rows).then(|| (w.width / cols, w.height / rows))
        });
        let Some((width, height)) = cell else {
            tracing::info!(?protocol, "the terminal does not say its size in pixels: half blocks");
            return Previews::halfblocks();
        };
        // The one constructor that takes a known cell size (its replacement queries stdin).
        #[allow(deprecated)]
        let mut picker = Picker::from_fontsize((width, height).into());
        picker.set_protocol_type(protocol);
        tracing::info!(?protocol, width, height, "pictures");
        Previews { picker: Some(picker), cache: HashMap::new() }
    }

    /// Whether pictures are shown at all.
    pub fn enabled(&self) -> bool {
        self.picker.is_some()
    }

    /// Draws the thumbnail at `path` fitted into `area`; nothing when it cannot be read.
    pub(crate) fn draw(&mut self, path: &Path, area: Rect, frame: &mut Frame) {
        let Some(picker) = &self.picker else { return };
        if self.cache.len() >= CACHED_PREVIEWS {
            self.cache.clear();
        }
        let key = (path.to_path_buf(), area.width, area.height);
        let protocol = self.cache.entry(key).or_insert_with(|| {
            let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_THUMB_BYTES);
            let image = small.then(|| image::open(path).ok()).flatten()?;
            let size = Size::new(area.width, area.height);
            picker.new_protocol(image, size, Resize::Fit(None)).ok()
        });
        if let Some(protocol) = protocol {
            frame.render_widget(Image::new(protocol), area);
        }
    }
}

/// The graphics protocol the terminal named by the environment speaks, if any; inside tmux none
/// (its passthrough is off by default), so half blocks.
fn guess(term: &str, program: &str, tmux: &str, kitty_window: &str) -> Option<ProtocolType> {
    if !tmux.is_empty() || term.starts_with("tmux") || term.starts_with("screen") {
        return None;
    }
    if term.contains("kitty") || !kitty_window.is_empty() || program == "ghostty" || term.contains("ghostty") {
        return Some(ProtocolType::Kitty);
    }
    if matches!(program, "iTerm.app" | "WezTerm") || term.contains("wezterm") {
        return Some(ProtocolType::Iterm2);
    }
    if term.contains("foot") || term.contains("mlterm") || term.contains("contour") {
        return Some(ProtocolType::Sixel);
    }
    None
}

impl std::fmt::Debug for Previews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Previews")
            .field("protocol", &self.picker.as_ref().map(Picker::protocol_type))
            .field("cached", &self.cache.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_the_protocol_from_the_environment() {
        assert_eq!(guess("xterm-kitty", "", "", ""), Some(ProtocolType::Kitty));
        assert_eq!(guess("xterm-256color", "", "", "3"), Some(ProtocolType::Kitty));
        assert_eq!(guess("xterm-256color", "iTerm.app", "", ""), Some(ProtocolType::Iterm2));
        assert_eq!(guess("foot", "", "", ""), Some(ProtocolType::Sixel));
        assert_eq!(guess("xterm-kitty", "", "/tmp/tmux-0/default,1,0", ""), None, "tmux: half blocks");
        assert_eq!(guess("xterm-256color", "", "", ""), None);
        assert_eq!("sixel".parse(), Ok(ImageMode::Sixel));
        assert!("png".parse::<ImageMode>().is_err());
    }
}
