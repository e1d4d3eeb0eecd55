//! The main screen: chats and contacts on the left, the open chat and its input on the right,
//! and the find-people dialog on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::app::{App, Attachment, Focus, Item, Main, MsgState, Pane, Thread, Transfer};
use crate::files::{MAX_CANDIDATES, human_bytes, progress_bar};
use crate::keymap::Action;
use crate::ui::previews::{PREVIEW_COLS, PREVIEW_ROWS, Previews};
use crate::ui::{Theme, centered};

/// A sender's colour, the same for them everywhere and every time (their uid picks it).
fn sender_colour(uid: i32) -> Color {
    const PALETTE: [Color; 6] =
        [Color::Cyan, Color::Green, Color::Yellow, Color::Magenta, Color::LightBlue, Color::LightRed];
    PALETTE[usize::try_from(uid.rem_euclid(PALETTE.len() as i32)).unwrap_or(0)]
}

/// Rows the composer grows to before it scrolls.
const COMPOSER_ROWS: usize = 6;

/// Cells of a transfer's progress bar.
const BAR_CELLS: usize = 12;

/// Below this width only one pane is shown.
const TWO_PANES_MIN_WIDTH: u16 = 50;

pub fn render(app: &App, theme: &Theme, previews: &mut Previews, frame: &mut Frame, area: Rect) {
    let Some(main) = &app.main else { return };
    // What a click may land on is what this draw puts there.
    app.list_area.set(Rect::default());
    app.composer_area.set(Rect::default());
    app.list_rows.borrow_mut().clear();
    let (list_area, chat_area) = if area.width >= TWO_PANES_MIN_WIDTH {
        let [left, right] =
            Layout::horizontal([Constraint::Length((area.width / 3).clamp(28, 36)), Constraint::Min(1)]).areas(area);
        (Some(left), Some(right))
    } else if main.focus == Focus::List || main.open.is_none() {
        (Some(area), None)
    } else {
        (None, Some(area))
    };
    if let Some(rect) = list_area {
        list(app, main, theme, frame, rect);
    }
    if let Some(rect) = chat_area {
        chat(app, main, theme, previews, frame, rect);
    }
    new_group(app, main, theme, frame, area);
    attach(app, main, theme, frame, area);
    files(app, main, theme, frame, area);
    if let Some(find) = &main.find {
        let rect = centered(area, 60, 10);
        frame.render_widget(Clear, rect);
        let block = Block::bordered().title(" find people ").title_style(Style::new().fg(theme.accent));
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
                Line::from(vec![Span::styled(format!("{marker}{label:>10}: "), style), Span::raw(input.display())])
            })
            .collect();
        lines.push(match &find.found {
            Some((uid, name, _)) => Line::raw(format!(
                "found {name} (uid {uid}): {} to Greeting/Remark, Enter sends a request",
                app.keymap.keys_for(Action::NextField)
            )),
            None => Line::styled("type a uid or exact name, Enter searches", Style::new().fg(theme.dim)),
        });
        lines.push(Line::styled(format!("{} close", app.keymap.keys_for(Action::Back)), Style::new().fg(theme.dim)));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
        if let Some((_, input)) = find.form.fields.get(find.form.focus) {
            let x = inner.x.saturating_add(13).saturating_add(input.caret_cell().1);
            let y = inner.y + find.form.focus as u16;
            if x < inner.right() && y < inner.bottom() {
                frame.set_cursor_position((x, y));
            }
        }
    }
}

fn list(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let tab = |pane: Pane, text: String| {
        if main.pane == pane {
            Span::styled(text, Style::new().fg(theme.accent).add_modifier(Modifier::BOLD))
        } else {
            Span::styled(text, Style::new().fg(theme.dim))
        }
    };
    let unread = main.unread();
    let pending = main.pending_requests();
    let title = Line::from(vec![
        Span::raw(" "),
        tab(Pane::Chats, if unread > 0 { format!("Chats ({unread})") } else { "Chats".into() }),
        Span::raw(" │ "),
        tab(Pane::Contacts, if pending > 0 { format!("Contacts (+{pending})") } else { "Contacts".into() }),
        Span::raw(" "),
    ]);
    let items: Vec<ListItem> = main
        .items()
        .into_iter()
        .map(|item| match item {
            Item::Thread(id) => thread_row(app, main, &main.threads[&id], theme, area.width),
            Item::Request(uid) => {
                let request = main.requests.iter().find(|r| r.uid == uid);
                let (name, greeting) =
                    request.map_or((String::new(), String::new()), |r| (r.name.clone(), r.greeting.clone()));
                ListItem::new(vec![
                    Line::from(vec![Span::styled("+ ", Style::new().fg(theme.error)), Span::raw(name)]),
                    Line::styled(format!("  “{greeting}”"), Style::new().fg(theme.dim)),
                ])
            }
            Item::Friend(uid) => ListItem::new(main.label(uid)),
        })
        .collect();
    let empty = items.is_empty();
    let border = if main.focus == Focus::List { Style::new().fg(theme.accent) } else { Style::new() };
    let block = Block::bordered().title(title).border_style(border);
    if empty {
        let hint = match main.pane {
            Pane::Chats => format!(
                "no chats yet\n{} contacts · {} find people",
                app.keymap.keys_for(Action::Contacts),
                app.keymap.keys_for(Action::Find)
            ),
            Pane::Contacts => format!("no contacts yet\n{} find people", app.keymap.keys_for(Action::Find)),
        };
        frame.render_widget(
            Paragraph::new(hint).style(Style::new().fg(theme.dim)).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let heights: Vec<u16> = items.iter().map(|item| u16::try_from(item.height()).unwrap_or(1)).collect();
    let inner = block.inner(area);
    let list = List::new(items)
        .block(block)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("> ");
    let mut state = ListState::default().with_selected(Some(main.selected));
    frame.render_stateful_widget(list, area, &mut state);
    // Which rows show which item, for a click.
    app.list_area.set(area);
    let mut rows = app.list_rows.borrow_mut();
    rows.clear();
    let mut top = inner.y;
    for (idx, height) in heights.iter().enumerate().skip(state.offset()) {
        if top >= inner.bottom() {
            break;
        }
        rows.push((top, (top + height).min(inner.bottom()), idx));
        top += height;
    }
}

/// A chat list row: the chat's name with its marks (unread, @-mention, muted) and the time of
/// its last message, then that message's first line.
fn thread_row<'a>(app: &App, main: &Main, thread: &Thread, theme: &Theme, width: u16) -> ListItem<'a> {
    use unicode_width::UnicodeWidthStr;
    let group = thread.group.as_ref();
    let mut spans = Vec::new();
    if group.is_some() {
        spans.push(Span::styled("# ", Style::new().fg(theme.accent)));
    }
    spans.push(Span::raw(main.thread_label(thread)));
    if thread.unread > 0 {
        let muted = group.is_some_and(|g| g.muted && !g.mentioned);
        let style = if muted { Style::new().fg(theme.dim) } else { Style::new().fg(theme.error) };
        spans.push(Span::styled(format!(" ({})", thread.unread), style.add_modifier(Modifier::BOLD)));
    }
    if group.is_some_and(|g| g.mentioned) {
        spans.push(Span::styled(" @", Style::new().fg(theme.error).add_modifier(Modifier::BOLD)));
    }
    if group.is_some_and(|g| g.muted) {
        spans.push(Span::styled(" muted", Style::new().fg(theme.dim)));
    }
    if group.is_some_and(|g| g.left || g.disbanded) {
        spans.push(Span::styled(" (closed)", Style::new().fg(theme.dim)));
    }
    let utc = main.dialect == imchat_sdk::Dialect::Imchat;
    let time = thread.last().map_or(String::new(), |m| {
        if m.time.is_empty() { String::new() } else { app.clock.list_label(&app.clock.local(&m.time, utc)) }
    });
    // The list's inner width less the highlight symbol.
    let room = usize::from(width.saturating_sub(4));
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if !time.is_empty() && used + time.width() < room {
        spans.push(Span::raw(" ".repeat(room - used - time.width())));
        spans.push(Span::styled(time, Style::new().fg(theme.dim)));
    }
    let preview = wrap_cells(&main.preview(thread), room.saturating_sub(2).max(1)).swap_remove(0);
    ListItem::new(vec![Line::from(spans), Line::styled(format!("  {preview}"), Style::new().fg(theme.dim))])
}

fn chat(app: &App, main: &Main, theme: &Theme, previews: &mut Previews, frame: &mut Frame, area: Rect) {
    let Some(thread) = main.open.and_then(|id| main.threads.get(&id)) else {
        let selected = main.items().get(main.selected).cloned();
        if let Some(Item::Request(uid)) = selected
            && let Some(request) = main.requests.iter().find(|r| r.uid == uid)
        {
            let text =
                format!("{} (uid {uid}) wants to be friends:\n“{}”\n\nEnter accepts", request.name, request.greeting);
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::bordered().title(" new friend ")),
                area,
            );
            return;
        }
        let hint = format!(
            "Enter opens the selected chat or contact\n{} chats · {} contacts · {} find people",
            app.keymap.keys_for(Action::Chats),
            app.keymap.keys_for(Action::Contacts),
            app.keymap.keys_for(Action::Find)
        );
        frame.render_widget(
            Paragraph::new(hint).style(Style::new().fg(theme.dim)).wrap(Wrap { trim: true }).block(Block::bordered()),
            area,
        );
        return;
    };
    let area = match &thread.group {
        Some(group) if main.members_pane && area.width >= 50 => {
            let [chat, side] = Layout::horizontal([Constraint::Min(30), Constraint::Length(24)]).areas(area);
            members(main, group, theme, frame, side);
            chat
        }
        _ => area,
    };
    // The composer wraps at its width and grows to COMPOSER_ROWS rows, then scrolls.
    let composer_width = area.width.saturating_sub(2).max(2);
    app.composer_width.set(composer_width);
    let rows = main.input.rows(composer_width);
    let input_height = (rows.len().min(COMPOSER_ROWS) as u16 + 2).min(area.height / 2 + 1).max(3);
    let [history, input] = Layout::vertical([Constraint::Min(1), Constraint::Length(input_height)]).areas(area);

    let mut lines: Vec<Line> = Vec::new();
    // Where pictures go: the first of their blank lines, and the thumbnail.
    let mut pictures = Vec::new();
    if thread.loading_older {
        lines.push(Line::styled("loading older messages…", Style::new().fg(theme.dim)));
    } else if thread.has_older() {
        lines.push(Line::styled(
            format!("↑ older messages load as you scroll up ({})", app.keymap.keys_for(Action::ScrollUp)),
            Style::new().fg(theme.dim),
        ));
    }
    if let Some(text) = thread.group.as_ref().map(|g| g.announcement.as_str()).filter(|a| !a.is_empty()) {
        let width = usize::from(history.width.saturating_sub(4)).max(1);
        for piece in text.lines().flat_map(|l| wrap_cells(&format!("📌 {l}"), width)) {
            lines.push(Line::styled(piece, Style::new().fg(theme.accent)));
        }
    }
    let utc = main.dialect == imchat_sdk::Dialect::Imchat;
    let mut day = String::new();
    for msg in &thread.msgs {
        let local = app.clock.local(&msg.time, utc);
        // A line where the day changes: today, yesterday, or the date.
        if let Some(date) = local.get(..10).filter(|date| *date != day) {
            day = date.to_owned();
            lines.push(Line::styled(format!("──── {} ────", app.clock.day(&local)), Style::new().fg(theme.dim)));
        }
        if thread.divider == Some(msg.seq) {
            lines.push(Line::styled("──── new messages ────", Style::new().fg(theme.error)));
        }
        let time = local.get(11..16).unwrap_or("");
        if msg.system {
            let width = usize::from(history.width.saturating_sub(4)).max(1);
            for piece in wrap_cells(&format!("· {} {time}", msg.text), width) {
                lines.push(Line::styled(piece, Style::new().fg(theme.dim).add_modifier(Modifier::ITALIC)));
            }
            continue;
        }
        let who = if msg.from == main.uid {
            Style::new().fg(theme.accent)
        } else {
            Style::new().fg(sender_colour(msg.from)).add_modifier(Modifier::BOLD)
        };
        let state = match msg.state {
            MsgState::Sent if msg.from == main.uid => Span::styled(" ✓", Style::new().fg(theme.dim)),
            MsgState::Sent => Span::raw(""),
            MsgState::Sending => Span::styled(" sending…", Style::new().fg(theme.dim)),
            MsgState::Unknown => Span::styled(" ? unknown until reconnected", Style::new().fg(theme.accent)),
            MsgState::Failed => Span::styled(
                match &msg.failure {
                    Some(why) => format!(" failed: {why} (F5 retries)"),
                    None => " failed (F5 retries)".to_owned(),
                },
                Style::new().fg(theme.error),
            ),
        };
        lines.push(Line::from(vec![
            Span::styled(main.label(msg.from), who),
            Span::styled(format!(" {time}"), Style::new().fg(theme.dim)),
            state,
        ]));
        let width = usize::from(history.width.saturating_sub(4)).max(1);
        if let Some(file) = &msg.file {
            lines.push(attachment_line(file, msg.from == main.uid, theme));
            if let Some(thumb) = file.thumb.as_ref().filter(|_| previews.enabled()) {
                pictures.push((lines.len(), thumb));
                lines.extend((0..PREVIEW_ROWS).map(|_| Line::raw("")));
            }
            continue;
        }
        // A text that @mentions this user stands out.
        let mine = format!("@{}", main.name);
        let style = if msg.from != main.uid && msg.text.contains(&mine) {
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        for text_line in msg.text.lines() {
            lines.extend(
                wrap_cells(text_line, width).into_iter().map(|piece| Line::styled(format!("  {piece}"), style)),
            );
        }
    }
    let title = match &thread.group {
        Some(group) => {
            let state = if group.left {
                " · you left".to_owned()
            } else if group.disbanded {
                " · disbanded".to_owned()
            } else {
                format!(" · {} members · {} members list", group.members, app.keymap.keys_for(Action::Members))
            };
            format!(" # {}{state} ", main.thread_label(thread))
        }
        None => format!(" {} ", main.label(thread.peer)),
    };
    let mut block = Block::bordered().title(title);
    if thread.below > 0 && main.scroll > 0 {
        let hint = format!(" {} new ↓ {} ", thread.below, app.keymap.keys_for(Action::ScrollBottom));
        block = block.title_bottom(Line::styled(hint, Style::new().fg(theme.accent)).right_aligned());
    }
    let shown = block.inner(history);
    let inner_height = shown.height;
    // Lines are wrapped above, so their count is exact: show the bottom, minus the scroll.
    app.history_rows.set(inner_height);
    app.history_lines.set(u16::try_from(lines.len()).unwrap_or(u16::MAX));
    let bottom = (lines.len() as u16).saturating_sub(inner_height);
    let offset = bottom.saturating_sub(main.scroll);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((offset, 0)), history);
    // A picture is drawn only when all of it is in view (graphics cannot be cut at a row).
    for (first, thumb) in pictures {
        let Ok(first) = u16::try_from(first) else { continue };
        if first >= offset && first + PREVIEW_ROWS <= offset + inner_height && shown.width > 2 {
            let rect =
                Rect::new(shown.x + 2, shown.y + first - offset, (shown.width - 2).min(PREVIEW_COLS), PREVIEW_ROWS);
            previews.draw(thumb, rect, frame);
        }
    }

    let border = if main.focus == Focus::Input { Style::new().fg(theme.accent) } else { Style::new() };
    let title = if thread.is_group() {
        format!(
            " message · {} send · {} file · @name mentions · /invite /rename /mute /leave ",
            app.keymap.keys_for(Action::Submit),
            app.keymap.keys_for(Action::Attach)
        )
    } else {
        format!(
            " message · {} send · {} file · {} files · {} new line ",
            app.keymap.keys_for(Action::Submit),
            app.keymap.keys_for(Action::Attach),
            app.keymap.keys_for(Action::Files),
            app.keymap.keys_for(Action::Newline)
        )
    };
    let mut block = Block::bordered().title(title).border_style(border);
    // How much of the server's limit the draft takes, once it is worth a glance.
    if let Some(limit) = main.max_text {
        let used = main.input.text().len();
        if used * 2 > limit {
            let style = if used > limit { Style::new().fg(theme.error) } else { Style::new().fg(theme.dim) };
            block = block.title_bottom(Line::styled(format!(" {used}/{limit} bytes "), style).right_aligned());
        }
    }
    let inner = block.inner(input);
    app.composer_area.set(input);
    let (caret_row, caret_col) = main.input.caret_at(composer_width);
    // Scrolled so the caret's row is in view.
    let first = caret_row.saturating_sub(usize::from(inner.height.max(1)) - 1);
    let chars: Vec<char> = main.input.display().chars().collect();
    let shown: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(usize::from(inner.height))
        .map(|(start, end)| Line::raw(chars[*start..*end].iter().collect::<String>()))
        .collect();
    frame.render_widget(Paragraph::new(shown).block(block), input);
    if main.focus == Focus::Input && main.find.is_none() && main.attach.is_none() && main.files.is_none() {
        let line = u16::try_from(caret_row - first).unwrap_or(u16::MAX);
        let (x, y) = (inner.x.saturating_add(caret_col), inner.y.saturating_add(line));
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}

/// A picture's or file's line: its name and size, then how far its bytes are.
fn attachment_line(file: &Attachment, mine: bool, theme: &Theme) -> Line<'static> {
    let mark = if file.picture { "📷 " } else { "📎 " };
    let mut spans = vec![
        Span::raw(format!("  {mark}")),
        Span::styled(file.title().to_owned(), Style::new().add_modifier(Modifier::UNDERLINED)),
    ];
    if file.size > 0 {
        spans.push(Span::styled(format!(" · {}", human_bytes(file.size)), Style::new().fg(theme.dim)));
    }
    let dim = Style::new().fg(theme.dim);
    spans.push(match &file.transfer {
        Transfer::Waiting if mine => Span::styled(" · sending…", dim),
        Transfer::Waiting => Span::styled(" · waiting for the upload", dim),
        Transfer::Uploading { done, total } => {
            Span::styled(format!(" ↑ {}", progress_bar(*done, *total, BAR_CELLS)), Style::new().fg(theme.accent))
        }
        Transfer::Downloading { done, total } => {
            Span::styled(format!(" ↓ {}", progress_bar(*done, *total, BAR_CELLS)), Style::new().fg(theme.accent))
        }
        Transfer::Failed(why) => {
            Span::styled(format!(" · upload failed: {why} (F5 retries)"), Style::new().fg(theme.error))
        }
        Transfer::Ready => match &file.saved {
            Some(path) => Span::styled(format!(" · saved to {}", path.display()), dim),
            None => Span::raw(""),
        },
    });
    Line::from(spans)
}

/// The attach prompt: a path, what Tab found, and why the last Enter sent nothing.
fn attach(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(attach) = &main.attach else { return };
    let shown = attach.candidates.len().min(MAX_CANDIDATES);
    let more = attach.candidates.len() - shown;
    let height = (5 + shown as u16 + u16::from(more > 0) + u16::from(attach.error.is_some())).min(area.height);
    let rect = centered(area, 72, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(" send a picture or file ").title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    let mut lines = vec![Line::from(vec![
        Span::styled("Path: ", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)),
        Span::raw(attach.input.display()),
    ])];
    for name in attach.candidates.iter().take(MAX_CANDIDATES) {
        lines.push(Line::styled(format!("      {name}"), Style::new().fg(theme.dim)));
    }
    if more > 0 {
        lines.push(Line::styled(format!("      … {more} more: type more, then Tab"), Style::new().fg(theme.dim)));
    }
    if let Some(why) = &attach.error {
        lines.push(Line::styled(why.clone(), Style::new().fg(theme.error)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} completes · {} sends · {} closes",
            app.keymap.keys_for(Action::NextField),
            app.keymap.keys_for(Action::Submit),
            app.keymap.keys_for(Action::Back)
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
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" pictures and files ({}) ", list.len()))
        .title_style(Style::new().fg(theme.accent));
    let rows = list.iter().zip(&senders).enumerate().map(|(idx, (file, from))| {
        let mark = if file.picture { "📷" } else { "📎" };
        let who = if *from == main.uid { "you".to_owned() } else { main.label(*from) };
        let state = match (&file.transfer, &file.saved) {
            (Transfer::Downloading { done, total }, _) => progress_bar(*done, *total, BAR_CELLS),
            (_, Some(_)) => "saved".to_owned(),
            (Transfer::Waiting, _) => "not uploaded yet".to_owned(),
            (Transfer::Uploading { .. }, _) => "uploading".to_owned(),
            (Transfer::Failed(_), _) => "failed".to_owned(),
            (Transfer::Ready, _) => String::new(),
        };
        let size = if file.size > 0 { human_bytes(file.size) } else { String::new() };
        let style = if idx == dialog.cursor { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        ListItem::new(Line::styled(format!("{mark} {:<24} {size:>8}  {who:<10} {state}", file.title()), style))
    });
    let hint = format!(
        " {} saves to downloads · {} opens · {} closes ",
        app.keymap.keys_for(Action::Submit),
        app.keymap.keys_for(Action::OpenFile),
        app.keymap.keys_for(Action::Back)
    );
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
            Span::raw("Open "),
            Span::styled(name, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw("?"),
        ]),
        Line::styled(format!("{}, {}", confirm.kind, human_bytes(confirm.size)), Style::new().fg(theme.dim)),
        Line::styled(confirm.path.display().to_string(), Style::new().fg(theme.dim)),
    ];
    let rect = centered(area, 60, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let hint = format!(" {} opens · any other key does not ", app.keymap.keys_for(Action::Submit));
    let block = Block::bordered()
        .title(" open with the desktop's viewer ")
        .title_style(Style::new().fg(theme.accent))
        .title_bottom(Line::styled(hint, Style::new().fg(theme.dim)));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The open group's members: owner ★, admins +.
fn members(main: &Main, group: &crate::app::GroupView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let items: Vec<ListItem> = if group.member_list.is_empty() {
        vec![ListItem::new(Line::styled("loading…", Style::new().fg(theme.dim)))]
    } else {
        group
            .member_list
            .iter()
            .map(|(uid, name, role)| {
                let mark = match role.as_str() {
                    "owner" => "★ ",
                    "admin" => "+ ",
                    _ => "  ",
                };
                let style = if *uid == main.uid { Style::new().fg(theme.accent) } else { Style::new() };
                ListItem::new(Line::from(vec![
                    Span::styled(mark, Style::new().fg(theme.accent)),
                    Span::styled(name.clone(), style),
                ]))
            })
            .collect()
    };
    let block = Block::bordered().title(format!(" members ({}) ", group.member_list.len().max(group.members as usize)));
    frame.render_widget(List::new(items).block(block), area);
}

/// The new-group dialog: its name, then friends to tick.
pub(super) fn new_group(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(dialog) = &main.new_group else { return };
    let height = (main.friends.len() as u16 + 7).min(area.height);
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    let group = dialog.invite_to.and_then(|id| main.threads.get(&id));
    let title = match group {
        Some(thread) => format!(" invite to {} ", main.thread_label(thread)),
        None => " new group ".to_owned(),
    };
    let members = group.and_then(|t| t.group.as_ref()).map(|g| g.member_list.as_slice()).unwrap_or_default();
    let block = Block::bordered().title(title).title_style(Style::new().fg(theme.accent));
    let inner = block.inner(rect);
    let focused = |on: bool| if on { Style::new().fg(theme.accent).add_modifier(Modifier::BOLD) } else { Style::new() };
    let marker = |on: bool| if on { "▸ " } else { "  " };
    let mut lines = Vec::new();
    if group.is_none() {
        lines.push(Line::from(vec![
            Span::styled(format!("{}Name: ", marker(!dialog.on_list)), focused(!dialog.on_list)),
            Span::raw(dialog.name.display()),
        ]));
    }
    lines.push(Line::styled(format!("{}Members:", marker(dialog.on_list)), focused(dialog.on_list)));
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
        Some(_) => format!(
            "Space ticks ([•]: already in) · {} invites · {} closes",
            app.keymap.keys_for(Action::Submit),
            app.keymap.keys_for(Action::Back)
        ),
        None => format!(
            "{} name/members · Space ticks · {} creates · {} closes",
            app.keymap.keys_for(Action::NextField),
            app.keymap.keys_for(Action::Submit),
            app.keymap.keys_for(Action::Back)
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

/// Splits `text` into pieces of at most `width` terminal cells (wide characters never split).
pub(crate) fn wrap_cells(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut pieces = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            pieces.push(String::new());
            used = 0;
        }
        pieces.last_mut().expect("never empty").push(c);
        used += w;
    }
    pieces
}
