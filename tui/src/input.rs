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

    /// Inserts text at the caret (typed or pasted); returns false when it had to be cut. Line
    /// breaks are kept whichever way they come (CRLF, a lone CR as some terminals paste, LF).
    pub fn insert(&mut self, text: &str) -> bool {
        let normalised;
        let text = if text.contains('\r') {
            normalised = text.replace("\r\n", "\n").replace('\r', "\n");
            normalised.as_str()
        } else {
            text
        };
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

    /// [`Input::display`] laid out in rows of at most `width` cells: wrapped at the last space
    /// (or between two wide characters, CJK having no spaces) before the edge, a word longer
    /// than a row cut, line breaks kept. Each row as the char range of the text it shows (a
    /// line break or the space a row was wrapped at ends the row before, shown in neither).
    pub fn rows(&self, width: u16) -> Vec<(usize, usize)> {
        let width = usize::from(width.max(2));
        let chars: Vec<char> = self.display().chars().collect();
        let mut rows = Vec::new();
        let mut start = 0;
        let mut cells = 0;
        // Where the row may end (exclusive), and where the next row then starts.
        let mut wrap: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\n' {
                rows.push((start, i));
                (start, cells, wrap) = (i + 1, 0, None);
                i += 1;
                continue;
            }
            let w = c.width().unwrap_or(0);
            if cells + w > width && i > start {
                // A space at the edge is where the row wraps; else the last chance before it.
                let (end, next) = if c == ' ' { (i, i + 1) } else { wrap.unwrap_or((i, i)) };
                rows.push((start, end));
                (start, cells, wrap) = (next, 0, None);
                i = next;
                continue;
            }
            cells += w;
            if c == ' ' {
                wrap = Some((i, i + 1));
            } else if w == 2 {
                wrap = Some((i + 1, i + 1));
            }
            i += 1;
        }
        rows.push((start, chars.len()));
        rows
    }

    /// The caret's row in [`Input::rows`] and its column in cells.
    pub fn caret_at(&self, width: u16) -> (usize, u16) {
        let rows = self.rows(width);
        let chars: Vec<char> = self.display().chars().collect();
        // The last row that starts at or before the caret holds it.
        let row = rows.iter().rposition(|(start, _)| *start <= self.caret).unwrap_or(0);
        let (start, end) = rows[row];
        let col: usize = chars[start..self.caret.min(end).max(start)].iter().map(|c| c.width().unwrap_or(0)).sum();
        (row, u16::try_from(col).unwrap_or(u16::MAX))
    }

    /// Moves the caret one row up (`-1`) or down (`1`) in rows of `width` cells, to the same
    /// column or the row's end; false when there is no such row (the caret stays).
    pub fn vertical(&mut self, width: u16, by: isize) -> bool {
        let rows = self.rows(width);
        let (row, col) = self.caret_at(width);
        let Some(target) = row.checked_add_signed(by).filter(|r| *r < rows.len()) else { return false };
        let chars: Vec<char> = self.display().chars().collect();
        let (start, end) = rows[target];
        let mut caret = start;
        let mut cells = 0u16;
        while caret < end {
            let w = u16::try_from(chars[caret].width().unwrap_or(0)).unwrap_or(0);
            if cells + w > col {
                break;
            }
            cells += w;
            caret += 1;
        }
        // The end of a row wrapped without a separator is the next row's start: stay before it.
        if caret == end && caret > start && rows.get(target + 1).is_some_and(|next| next.0 == end) {
            caret -= 1;
        }
        self.caret = caret;
        true
    }

    /// Moves the caret to the start of the word before it (emacs `M-b`).
    pub fn word_left(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.caret;
        while at > 0 && !chars[at - 1].is_alphanumeric() {
            at -= 1;
        }
        while at > 0 && chars[at - 1].is_alphanumeric() {
            at -= 1;
        }
        self.caret = at;
    }

    /// Moves the caret past the end of the word after it (emacs `M-f`).
    pub fn word_right(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.caret;
        while at < chars.len() && !chars[at].is_alphanumeric() {
            at += 1;
        }
        while at < chars.len() && chars[at].is_alphanumeric() {
            at += 1;
        }
        self.caret = at;
    }

    /// The text from the last whitespace before the caret up to it (what Tab completes).
    pub fn token_before_caret(&self) -> String {
        let before: Vec<char> = self.text.chars().take(self.caret).collect();
        let start = before.iter().rposition(|c| c.is_whitespace()).map_or(0, |i| i + 1);
        before[start..].iter().collect()
    }

    /// Replaces [`Input::token_before_caret`] with `with`, the caret after it.
    pub fn replace_token_before_caret(&mut self, with: &str) {
        let token = self.token_before_caret().chars().count();
        let (from, to) = (self.byte_at(self.caret - token), self.byte_at(self.caret));
        self.text.replace_range(from..to, with);
        self.caret = self.caret - token + with.chars().count();
    }

    /// Deletes the word before the caret (emacs `C-w`, `M-Backspace`).
    pub fn kill_word(&mut self) {
        let end = self.caret;
        self.word_left();
        let (from, to) = (self.byte_at(self.caret), self.byte_at(end));
        self.text.replace_range(from..to, "");
    }

    /// Deletes from the start of the caret's line to the caret (emacs `C-u`).
    pub fn kill_to_start(&mut self) {
        let end = self.caret;
        self.home();
        let (from, to) = (self.byte_at(self.caret), self.byte_at(end));
        self.text.replace_range(from..to, "");
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

    fn shown(input: &Input, width: u16) -> Vec<String> {
        let chars: Vec<char> = input.display().chars().collect();
        input.rows(width).iter().map(|(a, b)| chars[*a..*b].iter().collect()).collect()
    }

    #[test]
    fn wraps_by_word_at_cell_width() {
        let mut input = Input::default();
        input.insert("the quick brown fox jumps");
        assert_eq!(shown(&input, 10), ["the quick", "brown fox", "jumps"]);
        // A word longer than a row is cut; line breaks are kept.
        input.set("abcdefghijkl\nxy");
        assert_eq!(shown(&input, 5), ["abcde", "fghij", "kl", "xy"]);
        // CJK (two cells each) wraps between characters, never mid-character.
        input.set("你好世界你好");
        assert_eq!(shown(&input, 7), ["你好世", "界你好"]);
        input.set("ok 😀😀😀");
        assert_eq!(shown(&input, 6), ["ok 😀", "😀😀"]);
        assert_eq!(shown(&Input::default(), 10), [""]);
    }

    #[test]
    fn the_caret_moves_across_wrapped_rows() {
        let mut input = Input::default();
        input.insert("the quick brown fox");
        assert_eq!(input.caret_at(10), (1, 9));
        assert!(input.vertical(10, -1));
        assert_eq!(input.caret_at(10), (0, 9));
        assert!(!input.vertical(10, -1), "no row above");
        input.insert("!");
        assert_eq!(input.text(), "the quick! brown fox");
        assert!(input.vertical(10, 1));
        assert_eq!(input.caret_at(10).0, 1);
        input.set("你好世界");
        assert!(input.vertical(5, -1));
        assert_eq!(input.caret_at(5), (0, 2), "before the wrap, in cells");
    }

    #[test]
    fn word_and_line_kills() {
        let mut input = Input::default();
        input.insert("hello big world");
        input.kill_word();
        assert_eq!(input.text(), "hello big ");
        input.word_left();
        input.word_left();
        assert_eq!(input.caret_cell(), (0, 0));
        input.word_right();
        assert_eq!(input.caret_cell(), (0, 5));
        input.end();
        input.kill_to_start();
        assert_eq!(input.text(), "");
    }

    #[test]
    fn pastes_are_bounded_and_cleaned() {
        let mut input = Input::default();
        assert!(!input.insert(&"x".repeat(10_000)));
        assert_eq!(input.text().chars().count(), MAX_INPUT_CHARS);
        // Pasted line breaks, however they come, stay line breaks.
        let mut input = Input::default();
        input.insert("one\r\ntwo\rthree\nfour");
        assert_eq!(input.text(), "one\ntwo\nthree\nfour");
        let mut input = Input::masked();
        input.insert("pa\u{7}ss");
        assert_eq!((input.text(), input.display().as_str()), ("pass", "••••"));
    }
}
