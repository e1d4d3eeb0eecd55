//! A text input: a string and a caret, edited by keys, measured in terminal cells so CJK and
//! emoji (two cells wide) place the caret correctly. Pure data; rendering is in `ui`.

use unicode_width::UnicodeWidthChar;

/// Longest input accepted, in characters (a 10,000-character paste is cut, not choked on).
pub const MAX_INPUT_CHARS: usize = 4000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    text: String,
    /// Caret position as a char index into `text`.
    caret: usize,
    /// Shown as `•` (passwords).
    pub masked: bool,
}

impl Input {
    pub fn masked() -> Input {
        Input { masked: true, ..Input::default() }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.chars().take(MAX_INPUT_CHARS).collect();
        self.caret = self.text.chars().count();
    }

    pub fn take(&mut self) -> String {
        self.caret = 0;
        std::mem::take(&mut self.text)
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map_or(self.text.len(), |(b, _)| b)
    }

    /// Inserts text at the caret (typed or pasted); returns false when it had to be cut.
    pub fn insert(&mut self, text: &str) -> bool {
        let room = MAX_INPUT_CHARS.saturating_sub(self.text.chars().count());
        let kept: String = text.chars().filter(|c| *c == '\n' || !c.is_control()).take(room).collect();
        let at = self.byte_at(self.caret);
        self.text.insert_str(at, &kept);
        self.caret += kept.chars().count();
        kept.chars().count() == text.chars().filter(|c| *c == '\n' || !c.is_control()).count()
    }

    pub fn backspace(&mut self) {
        if self.caret > 0 {
            self.caret -= 1;
            let at = self.byte_at(self.caret);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.caret < self.text.chars().count() {
            let at = self.byte_at(self.caret);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.caret = self.caret.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.caret = (self.caret + 1).min(self.text.chars().count());
    }

    /// Start of the caret's line (emacs `C-a`).
    pub fn home(&mut self) {
        let before: Vec<char> = self.text.chars().take(self.caret).collect();
        self.caret = before.iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
    }

    /// End of the caret's line (emacs `C-e`).
    pub fn end(&mut self) {
        let after = self.text.chars().skip(self.caret).position(|c| c == '\n');
        self.caret = after.map_or(self.text.chars().count(), |n| self.caret + n);
    }

    /// Deletes from the caret to the end of its line (emacs `C-k`).
    pub fn kill_line(&mut self) {
        let start = self.caret;
        self.end();
        let (from, to) = (self.byte_at(start), self.byte_at(self.caret));
        if from == to {
            self.delete();
        } else {
            self.text.replace_range(from..to, "");
        }
        self.caret = start;
    }

    /// What is shown: the text, or bullets for a masked input.
    pub fn display(&self) -> String {
        if self.masked { "•".repeat(self.text.chars().count()) } else { self.text.clone() }
    }

    /// The caret as (line, column in cells) within [`Input::display`].
    pub fn caret_cell(&self) -> (u16, u16) {
        let shown = self.display();
        let before: String = shown.chars().take(self.caret).collect();
        let line = before.matches('\n').count();
        let col: usize = before.rsplit('\n').next().unwrap_or("").chars().map(|c| c.width().unwrap_or(0)).sum();
        (u16::try_from(line).unwrap_or(u16::MAX), u16::try_from(col).unwrap_or(u16::MAX))
    }

    pub fn line_count(&self) -> usize {
        self.text.matches('\n').count() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_counts_cells_not_chars() {
        let mut input = Input::default();
        input.insert("你好a");
        assert_eq!(input.caret_cell(), (0, 5));
        input.left();
        assert_eq!(input.caret_cell(), (0, 4));
        input.insert("\n😀");
        assert_eq!(input.caret_cell(), (1, 2));
        assert_eq!(input.text(), "你好\n😀a");
        input.home();
        assert_eq!(input.caret_cell(), (1, 0));
        input.kill_line();
        assert_eq!(input.text(), "你好\n");
        input.backspace();
        input.backspace();
        assert_eq!(input.text(), "你");
    }

    #[test]
    fn pastes_are_bounded_and_cleaned() {
        let mut input = Input::default();
        assert!(!input.insert(&"x".repeat(10_000)));
        assert_eq!(input.text().chars().count(), MAX_INPUT_CHARS);
        let mut input = Input::masked();
        input.insert("pa\u{7}ss");
        assert_eq!((input.text(), input.display().as_str()), ("pass", "••••"));
    }
}
