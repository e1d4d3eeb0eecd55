//! Drawing: pure functions from `&App` to a frame. Nothing here changes the app's state (the
//! picture cache, [`Previews`], is the one thing drawing keeps).

mod chat;
mod dialogs;
mod forms;
mod previews;
#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use crate::app::{App, Conn, Screen};
use crate::i18n::Lang;
use crate::keymap::{ACTIONS, Action};

pub use previews::{ImageMode, PREVIEW_ROWS, Previews};

/// Colours, configurable in the config file's `[colors]`.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub accent: Color,
    pub error: Color,
    pub dim: Color,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme { accent: Color::Cyan, error: Color::Red, dim: Color::DarkGray }
    }
}

impl Theme {
    /// The themes `[tui] theme` names: `default` (the 16 ANSI colours every terminal has),
    /// `dusk` (256 colours) and `paper` (truecolor, for light backgrounds).
    pub const NAMES: &[&str] = &["default", "dusk", "paper"];

    pub fn named(name: &str) -> Option<Theme> {
        Some(match name {
            "default" => Theme::default(),
            "dusk" => Theme { accent: Color::Indexed(75), error: Color::Indexed(203), dim: Color::Indexed(244) },
            "paper" => Theme {
                accent: Color::Rgb(0x1d, 0x5f, 0xa6),
                error: Color::Rgb(0xb3, 0x26, 0x1e),
                dim: Color::Rgb(0x7a, 0x7a, 0x7a),
            },
            _ => return None,
        })
    }
}

/// Draws the whole screen; pictures through `previews`, its one cache.
pub fn render(app: &App, theme: &Theme, previews: &mut Previews, frame: &mut Frame) {
    let area = frame.area();
    // A notice longer than the screen is wide takes a second row rather than being cut.
    let notice_rows = app.notice.as_ref().map_or(1, |n| if n.text.width() > usize::from(area.width) { 2 } else { 1 });
    let [body, notice, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(notice_rows), Constraint::Length(1)]).areas(area);
    match app.screen {
        Screen::Login | Screen::Register | Screen::Reset => forms::render(app, theme, frame, body),
        Screen::Main => chat::render(app, theme, previews, frame, body),
    }
    if let Some(n) = &app.notice {
        let style = if n.error { Style::new().fg(theme.error) } else { Style::new().fg(theme.accent) };
        frame.render_widget(Paragraph::new(Span::styled(n.text.as_str(), style)).wrap(Wrap { trim: true }), notice);
    }
    frame.render_widget(Paragraph::new(status_line(app, theme)), status);
    if app.help {
        help(app, theme, frame, area);
    }
}

/// Who you are, where, and the connection, plus the help key.
fn status_line(app: &App, theme: &Theme) -> Line<'static> {
    let (dot, text) = match app.conn {
        Conn::Online => (Style::new().fg(Color::Green), app.tr.status_online()),
        Conn::Connecting => (Style::new().fg(Color::Yellow), app.tr.status_connecting()),
        Conn::Offline => (Style::new().fg(theme.dim), app.tr.status_offline()),
        Conn::Reconnecting { at, .. } => {
            let secs = at.saturating_duration_since(app.now).as_secs_f64().ceil() as u64;
            (Style::new().fg(theme.error), app.tr.status_reconnecting(secs, &app.keymap.keys_for(Action::Retry)))
        }
    };
    let mut spans = vec![Span::styled("● ", dot), Span::raw(text)];
    if let Some(main) = &app.main {
        spans.push(Span::raw(app.tr.status_user(&main.name, main.uid, &main.server)));
    }
    spans.push(Span::styled(app.tr.status_help(&app.keymap.keys_for(Action::Help)), Style::new().fg(theme.dim)));
    Line::from(spans)
}

/// Blanks where a popup goes, and one column either side: a wide (CJK) glyph under the
/// popup's edge would otherwise keep half of itself there and push the border out of place.
pub(crate) fn clear_popup(frame: &mut Frame, rect: Rect) {
    let area = frame.area();
    let x = rect.x.saturating_sub(1).max(area.x);
    let right = rect.right().saturating_add(1).min(area.right());
    frame.render_widget(Clear, Rect { x, width: right.saturating_sub(x), ..rect });
}

/// A centred rectangle of at most `width`×`height` inside `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

fn help(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = ACTIONS
        .iter()
        .map(|(action, _, en, zh)| {
            let what = if app.tr.0 == Lang::ZhCn { *zh } else { *en };
            Line::from(vec![
                Span::styled(format!("{:<22}", app.keymap.keys_for(*action)), Style::new().fg(theme.accent)),
                Span::raw(what),
            ])
        })
        .collect();
    // The composer's commands, which no key names.
    lines.push(Line::styled(app.tr.help_commands(), Style::new().fg(theme.dim)));
    let rect = centered(area, 76, lines.len() as u16 + 2);
    clear_popup(frame, rect);
    let block = Block::bordered()
        .title(app.tr.help_title())
        .title_bottom(Line::styled(app.tr.help_scroll(), Style::new().fg(theme.dim)))
        .title_style(Style::new().add_modifier(Modifier::BOLD));
    // Scrolled no further than the last line at the top.
    let scroll = app.help_scroll.min(u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_sub(1));
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}
