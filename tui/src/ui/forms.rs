//! The login, register and reset-password screens.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use crate::app::{App, Form, Screen};
use crate::keymap::Action;
use crate::ui::{Theme, centered};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (t, keys) = (app.tr, |action| app.keymap.keys_for(action));
    let (title, form, hints, rules): (String, &Form, Vec<String>, Vec<String>) = match app.screen {
        Screen::Register => (
            t.title_register(),
            &app.register,
            vec![
                t.hint_send_code(&keys(Action::SendCode), &countdown(app)),
                t.hint_register(&keys(Action::Submit)),
                t.hint_back(&keys(Action::Back)),
            ],
            vec![t.rule_name(), t.rule_password()],
        ),
        Screen::Reset => (
            t.title_reset(),
            &app.reset,
            vec![
                t.hint_send_code(&keys(Action::SendCode), &countdown(app)),
                t.hint_reset(&keys(Action::Submit)),
                t.hint_back(&keys(Action::Back)),
            ],
            vec![t.rule_password()],
        ),
        _ => (
            t.title_login(),
            &app.login,
            vec![
                t.hint_log_in(&keys(Action::Submit)),
                t.hint_register(&keys(Action::Register)),
                t.hint_forgot(&keys(Action::Forgot)),
                t.hint_quit(&keys(Action::Quit)),
            ],
            Vec::new(),
        ),
    };
    let labels: Vec<String> = form.fields.iter().map(|(label, _)| label(t)).collect();
    // Two cells for the focus marker, two for ": " (labels measured in cells: CJK is wide).
    let label_width = labels.iter().map(|l| l.width()).max().unwrap_or(0) as u16 + 4;
    let rect = centered(area, 64, area.height);
    // The hints wrap at the box's inner width rather than being cut at its edge.
    let hints = hints.join(" · ");
    let hint_lines = wrap_words(&hints, usize::from(rect.width.saturating_sub(2)).max(1)).len() as u16;
    let height = form.fields.len() as u16 + rules.len() as u16 + 3 + hint_lines;
    let rect = centered(area, 64, height);
    let block = Block::bordered().title(title).title_style(Style::new().fg(theme.accent).add_modifier(Modifier::BOLD));
    let inner = block.inner(rect);
    let mut lines: Vec<Line> = form
        .fields
        .iter()
        .enumerate()
        .zip(&labels)
        .map(|((idx, (_, input)), label)| {
            // The focused field is marked by more than colour: a marker, and bold.
            let (marker, style) = if idx == form.focus {
                ("▸ ", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD))
            } else {
                ("  ", Style::new())
            };
            Line::from(vec![
                Span::styled(
                    format!("{marker}{}{label}{}", " ".repeat(label_width as usize - 4 - label.width()), t.label_sep()),
                    style,
                ),
                Span::raw(input.display()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.extend(rules.into_iter().map(|r| Line::styled(r, Style::new().fg(theme.dim))));
    lines.push(Line::styled(hints, Style::new().fg(theme.dim)));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    // The caret, in cells, after the focused field's label.
    if let Some((_, input)) = form.fields.get(form.focus) {
        let (_, col) = input.caret_cell();
        let x = inner.x.saturating_add(label_width).saturating_add(col);
        let y = inner.y + form.focus as u16;
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}

fn countdown(app: &App) -> String {
    match app.code_countdown() {
        0 => String::new(),
        secs => app.tr.countdown(secs),
    }
}

/// `text` wrapped at word boundaries to `width` cells, as the paragraph will wrap it (for its
/// height).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}
