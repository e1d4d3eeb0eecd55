//! The main screen's dialogs, drawn over it: find people, new group (and invite), attach,
//! the chat's files (and the question before one is opened), the quick switcher, and the
//! failed-message dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use crate::app::{App, Main, SWITCHER_ROWS, Target, Transfer};
use crate::files::{MAX_CANDIDATES, human_bytes, progress_bar};
use crate::i18n::Tr;
use crate::keymap::Action;
use crate::ui::chat::BAR_CELLS;
use crate::ui::{Theme, centered, clear_popup};

/// Every dialog the main screen has open (at most one is, but the order says which is on top).
pub fn render(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    new_group(app, main, theme, frame, area);
    attach(app, main, theme, frame, area);
    files(app, main, theme, frame, area);
    find(app, main, theme, frame, area);
    switcher(app, main, theme, frame, area);
    failed(app, main, theme, frame, area);
}

/// The quick switcher: the typed name, and the chats and friends it matches.
fn switcher(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(switcher) = &main.switcher else { return };
    let matches = main.switcher_matches();
    let rect = centered(area, 56, SWITCHER_ROWS as u16 + 5);
    clear_popup(frame, rect);
    let title = if switcher.forward.is_some() { app.tr.forward_to() } else { app.tr.switcher_title() };
    let block = Block::bordered().title(title).title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let prompt = Line::from(vec![
        Span::styled("› ", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
        Span::raw(switcher.input.display()),
    ]);
    frame.render_widget(Paragraph::new(prompt), Rect { height: 1, ..inner });
    let items: Vec<ListItem> = matches
        .iter()
        .map(|(target, label)| {
            let kind = match target {
                Target::Thread(id) if main.threads.get(id).is_some_and(|t| t.is_group()) => "#",
                Target::Thread(_) => " ",
                Target::Friend(_) => "+",
            };
            ListItem::new(format!("{kind} {label}"))
        })
        .collect();
    let list_rect = Rect { y: inner.y + 1, height: inner.height.saturating_sub(2), ..inner };
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(app.tr.nothing_matches(), Style::new().fg(theme.dim))),
            list_rect,
        );
    } else {
        let list = List::new(items).highlight_style(Style::new().fg(theme.accent).add_modifier(Modifier::REVERSED));
        let mut state = ListState::default().with_selected(Some(switcher.cursor.min(matches.len() - 1)));
        frame.render_stateful_widget(list, list_rect, &mut state);
    }
    let key = |action| app.keymap.keys_for(action);
    let hint = if switcher.forward.is_some() { Tr::switcher_forward_keys } else { Tr::switcher_keys };
    let keys = hint(app.tr, &key(Action::Submit), &key(Action::Up), &key(Action::Down), &key(Action::Back));
    let foot = Rect { y: inner.bottom().saturating_sub(1), height: 1, ..inner };
    frame.render_widget(Paragraph::new(Line::styled(keys, Style::new().fg(theme.dim))), foot);
    let x = inner.x.saturating_add(2).saturating_add(switcher.input.caret_cell().1);
    if x < inner.right() && inner.height > 0 {
        frame.set_cursor_position((x, inner.y));
    }
}

/// The failed message being decided on: its text, why it failed, and the three choices.
fn failed(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(dialog) = &main.failed else { return };
    let Some(msg) = main.threads.get(&dialog.thread).and_then(|t| t.msgs.iter().find(|m| m.unique == dialog.unique))
    else {
        return;
    };
    let rect = centered(area, 60, 9);
    clear_popup(frame, rect);
    let block = Block::bordered().title(app.tr.failed_title()).title_style(Style::new().fg(theme.error));
    let text = match &msg.file {
        Some(file) => format!("{} ({})", file.title(), human_bytes(file.size)),
        None => msg.text.lines().next().unwrap_or("").to_owned(),
    };
    let lines = vec![
        Line::raw(format!("“{text}”")),
        Line::styled(msg.failure.clone().unwrap_or_default(), Style::new().fg(theme.error)),
        Line::raw(""),
        Line::from(vec![
            Span::styled("r", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
            Span::raw(app.tr.failed_again(&app.keymap.keys_for(Action::Submit))),
            Span::styled("e", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
            Span::raw(app.tr.failed_edit()),
            Span::styled("d", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
            Span::raw(app.tr.failed_delete()),
        ]),
        Line::styled(app.tr.closes(&app.keymap.keys_for(Action::Back)), Style::new().fg(theme.dim)),
    ];
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}

fn find(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(find) = &main.find else { return };
    let rect = centered(area, 60, 10);
    clear_popup(frame, rect);
    let block = Block::bordered().title(app.tr.find_title()).title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    let mut lines: Vec<Line> = find
        .form
        .fields
        .iter()
        .enumerate()
        .map(|(idx, (label, input))| {
            let (marker, style) = if idx == find.form.focus {
                ("▸", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD))
            } else {
                (" ", Style::new())
            };
            let label = label(app.tr);
            let pad = " ".repeat(10usize.saturating_sub(label.width()));
            let sep = app.tr.label_sep();
            Line::from(vec![Span::styled(format!("{marker}{pad}{label}{sep}"), style), Span::raw(input.display())])
        })
        .collect();
    lines.push(match &find.found {
        Some((uid, name, _)) => Line::raw(app.tr.found(name, *uid, &app.keymap.keys_for(Action::NextField))),
        None => Line::styled(app.tr.find_hint(), Style::new().fg(theme.dim)),
    });
    lines.push(Line::styled(app.tr.closes(&app.keymap.keys_for(Action::Back)), Style::new().fg(theme.dim)));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    if let Some((_, input)) = find.form.fields.get(find.form.focus) {
        let x = inner.x.saturating_add(13).saturating_add(input.caret_cell().1);
        let y = inner.y + find.form.focus as u16;
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}

/// The attach prompt: a path, what Tab found, and why the last Enter sent nothing.
fn attach(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(attach) = &main.attach else { return };
    let shown = attach.candidates.len().min(MAX_CANDIDATES);
    let more = attach.candidates.len() - shown;
    let height = (5 + shown as u16 + u16::from(more > 0) + u16::from(attach.error.is_some())).min(area.height);
    let rect = centered(area, 72, height);
    clear_popup(frame, rect);
    let block = Block::bordered().title(app.tr.attach_title()).title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    let mut lines = vec![Line::from(vec![
        Span::styled(app.tr.attach_path(), Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
        Span::raw(attach.input.display()),
    ])];
    for name in attach.candidates.iter().take(MAX_CANDIDATES) {
        lines.push(Line::styled(format!("      {name}"), Style::new().fg(theme.dim)));
    }
    if more > 0 {
        lines.push(Line::styled(app.tr.more_candidates(more), Style::new().fg(theme.dim)));
    }
    if let Some(why) = &attach.error {
        lines.push(Line::styled(why.clone(), Style::new().fg(theme.error)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        app.tr.attach_keys(
            &app.keymap.keys_for(Action::NextField),
            &app.keymap.keys_for(Action::Submit),
            &app.keymap.keys_for(Action::Back),
        ),
        Style::new().fg(theme.dim),
    ));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    let x = inner.x.saturating_add(6).saturating_add(attach.input.caret_cell().1);
    if x < inner.right() && inner.height > 0 {
        frame.set_cursor_position((x, inner.y));
    }
}

/// The open chat's pictures and files, newest first: who sent it, its size, where it is.
fn files(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(dialog) = &main.files else { return };
    let Some(thread) = main.open.and_then(|id| main.threads.get(&id)) else { return };
    let list = thread.attachments();
    let senders: Vec<i32> = thread.msgs.iter().rev().filter(|m| m.file.is_some()).map(|m| m.from).collect();
    let height = (list.len() as u16 + 2).min(area.height);
    let rect = centered(area, 72, height);
    clear_popup(frame, rect);
    let block = Block::bordered().title(app.tr.files_title(list.len())).title_style(Style::new().fg(theme.accent));
    let rows = list.iter().zip(&senders).enumerate().map(|(idx, (file, from))| {
        let mark = if file.picture { "📷" } else { "📎" };
        let who = if *from == main.uid { app.tr.you() } else { main.label(*from) };
        let state = match (&file.transfer, &file.saved) {
            (Transfer::Downloading { done, total }, _) => progress_bar(*done, *total, BAR_CELLS),
            (_, Some(_)) => app.tr.state_saved(),
            (Transfer::Waiting, _) => app.tr.state_not_uploaded(),
            (Transfer::Uploading { .. }, _) => app.tr.state_uploading(),
            (Transfer::Failed(_), _) => app.tr.state_failed(),
            (Transfer::Ready, _) => String::new(),
        };
        let size = if file.size > 0 { human_bytes(file.size) } else { String::new() };
        let style = if idx == dialog.cursor { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        ListItem::new(Line::styled(format!("{mark} {:<24} {size:>8}  {who:<10} {state}", file.title()), style))
    });
    let key = |action| app.keymap.keys_for(action);
    let hint = app.tr.files_keys(&key(Action::Submit), &key(Action::OpenFile), &key(Action::Back));
    let block = block.title_bottom(Line::styled(hint, Style::new().fg(theme.dim)));
    let mut state = ListState::default().with_selected(Some(dialog.cursor));
    frame.render_stateful_widget(List::new(rows).block(block), rect, &mut state);
    if let Some(confirm) = &dialog.confirm {
        confirm_open(app, confirm, theme, frame, area);
    }
}

/// Asks before a received file goes to the desktop's viewer: its name, what its bytes are and
/// its size, so a surprise shows before anything runs.
fn confirm_open(app: &App, confirm: &crate::files::Openable, theme: &Theme, frame: &mut Frame, area: Rect) {
    let name = confirm.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lines = vec![
        Line::from(vec![
            Span::raw(app.tr.open_word()),
            Span::styled(name, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw("?"),
        ]),
        Line::styled(
            format!("{}, {}", app.tr.file_kind(confirm.kind), human_bytes(confirm.size)),
            Style::new().fg(theme.dim),
        ),
        Line::styled(confirm.path.display().to_string(), Style::new().fg(theme.dim)),
    ];
    let rect = centered(area, 60, lines.len() as u16 + 2);
    clear_popup(frame, rect);
    let hint = app.tr.open_hint(&app.keymap.keys_for(Action::Submit));
    let block = Block::bordered()
        .title(app.tr.open_title())
        .title_style(Style::new().fg(theme.accent))
        .title_bottom(Line::styled(hint, Style::new().fg(theme.dim)));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The new-group dialog: its name, then friends to tick.
fn new_group(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(dialog) = &main.new_group else { return };
    let height = (main.friends.len() as u16 + 7).min(area.height);
    let rect = centered(area, 56, height);
    clear_popup(frame, rect);
    let group = dialog.invite_to.and_then(|id| main.threads.get(&id));
    let title = match group {
        Some(thread) => app.tr.invite_title(&main.thread_label(thread)),
        None => app.tr.new_group_title(),
    };
    let members = group.and_then(|t| t.group.as_ref()).map(|g| g.member_list.as_slice()).unwrap_or_default();
    let block = Block::bordered().title(title).title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    let focused = |on: bool| if on { Style::new().fg(theme.accent).add_modifier(Modifier::BOLD) } else { Style::new() };
    let marker = |on: bool| if on { "▸ " } else { "  " };
    let mut lines = Vec::new();
    if group.is_none() {
        lines.push(Line::from(vec![
            Span::styled(format!("{}{}", marker(!dialog.on_list), app.tr.group_name_field()), focused(!dialog.on_list)),
            Span::raw(dialog.name.display()),
        ]));
    }
    lines.push(Line::styled(
        format!("{}{}", marker(dialog.on_list), app.tr.group_members_field()),
        focused(dialog.on_list),
    ));
    for (idx, friend) in main.friends.iter().enumerate() {
        let member = members.iter().any(|(uid, _, _)| *uid == friend.uid);
        let ticked = if member {
            "[•]"
        } else if dialog.picked.contains(&friend.uid) {
            "[x]"
        } else {
            "[ ]"
        };
        let here = dialog.on_list && idx == dialog.cursor;
        let style = if here { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        lines.push(Line::styled(format!("    {ticked} {}", friend.label()), style));
    }
    let hint = match group {
        Some(_) => app.tr.invite_keys(&app.keymap.keys_for(Action::Submit), &app.keymap.keys_for(Action::Back)),
        None => app.tr.new_group_keys(
            &app.keymap.keys_for(Action::NextField),
            &app.keymap.keys_for(Action::Submit),
            &app.keymap.keys_for(Action::Back),
        ),
    };
    lines.push(Line::styled(hint, Style::new().fg(theme.dim)));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    if !dialog.on_list && group.is_none() {
        let x = inner.x.saturating_add(8).saturating_add(dialog.name.caret_cell().1);
        if x < inner.right() {
            frame.set_cursor_position((x, inner.y));
        }
    }
}
