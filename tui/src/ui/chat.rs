//! The main screen: chats and contacts on the left, the open chat and its composer on the
//! right (`dialogs.rs` draws what opens over them).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::app::{App, Attachment, Focus, Item, Main, Msg, MsgState, Pane, Thread, Transfer};
use crate::files::{human_bytes, progress_bar};
use crate::keymap::Action;
use crate::ui::previews::{PREVIEW_COLS, PREVIEW_ROWS, Previews};
use crate::ui::{Theme, dialogs};

/// A sender's colour, the same for them everywhere and every time (their uid picks it).
fn sender_colour(uid: i32) -> Color {
    const PALETTE: [Color; 6] =
        [Color::Cyan, Color::Green, Color::Yellow, Color::Magenta, Color::LightBlue, Color::LightRed];
    PALETTE[usize::try_from(uid.rem_euclid(PALETTE.len() as i32)).unwrap_or(0)]
}

/// Rows the composer grows to before it scrolls.
const COMPOSER_ROWS: usize = 6;

/// Cells of a transfer's progress bar.
pub(super) const BAR_CELLS: usize = 12;

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
    dialogs::render(app, main, theme, frame, area);
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
        tab(Pane::Chats, if unread > 0 { app.tr.tab_chats_unread(unread) } else { app.tr.tab_chats() }),
        Span::raw(" │ "),
        tab(Pane::Contacts, if pending > 0 { app.tr.tab_contacts_pending(pending) } else { app.tr.tab_contacts() }),
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
            Pane::Chats => app.tr.no_chats(&app.keymap.keys_for(Action::Contacts), &app.keymap.keys_for(Action::Find)),
            Pane::Contacts => app.tr.no_contacts(&app.keymap.keys_for(Action::Find)),
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
        spans.push(Span::styled(app.tr.muted(), Style::new().fg(theme.dim)));
    }
    if group.is_some_and(|g| g.left || g.disbanded) {
        spans.push(Span::styled(app.tr.closed(), Style::new().fg(theme.dim)));
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
        nothing_open(app, main, theme, frame, area);
        return;
    };
    let area = match &thread.group {
        Some(group) if main.members_pane && area.width >= 50 => {
            let [chat, side] = Layout::horizontal([Constraint::Min(30), Constraint::Length(24)]).areas(area);
            members(app, main, group, theme, frame, side);
            chat
        }
        _ => area,
    };
    // The composer wraps at its width and grows to COMPOSER_ROWS rows, then scrolls.
    let composer_width = area.width.saturating_sub(2).max(2);
    app.composer_width.set(composer_width);
    let rows = main.input.rows(composer_width);
    let input_height = (rows.len().min(COMPOSER_ROWS) as u16 + 2).min(area.height / 2 + 1).max(3);
    let [history_area, input] = Layout::vertical([Constraint::Min(1), Constraint::Length(input_height)]).areas(area);

    history(app, main, thread, theme, previews, frame, history_area);
    composer(app, main, thread, theme, frame, input, &rows);
}

/// The right pane with no chat open: a friend request's text, or what the keys do.
fn nothing_open(app: &App, main: &Main, theme: &Theme, frame: &mut Frame, area: Rect) {
    let selected = main.items().get(main.selected).cloned();
    if let Some(Item::Request(uid)) = selected
        && let Some(request) = main.requests.iter().find(|r| r.uid == uid)
    {
        let text = app.tr.request_text(&request.name, uid, &request.greeting, &app.keymap.keys_for(Action::Submit));
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::bordered().title(app.tr.new_friend_title())),
            area,
        );
        return;
    }
    let key = |action| app.keymap.keys_for(action);
    let hint =
        app.tr.nothing_open(&key(Action::Submit), &key(Action::Chats), &key(Action::Contacts), &key(Action::Find));
    frame.render_widget(
        Paragraph::new(hint).style(Style::new().fg(theme.dim)).wrap(Wrap { trim: true }).block(Block::bordered()),
        area,
    );
}

/// The open chat's lines, wrapped to `history`'s width, where pictures go among them (their
/// first blank line and thumbnail), and where the "new messages" line is.
fn history_lines<'a>(
    app: &App,
    main: &Main,
    thread: &'a Thread,
    theme: &Theme,
    previews: &Previews,
    history: Rect,
) -> HistoryLines<'a> {
    let mut divider = None;
    let mut picked = None;
    let mut lines: Vec<Line> = Vec::new();
    let mut pictures = Vec::new();
    if thread.loading_older {
        lines.push(Line::styled(app.tr.loading_older(), Style::new().fg(theme.dim)));
    } else if thread.has_older() {
        lines.push(Line::styled(app.tr.older_load(&app.keymap.keys_for(Action::ScrollUp)), Style::new().fg(theme.dim)));
    }
    if let Some(text) = thread.group.as_ref().map(|g| g.announcement.as_str()).filter(|a| !a.is_empty()) {
        let width = usize::from(history.width.saturating_sub(4)).max(1);
        for piece in text.lines().flat_map(|l| wrap_cells(&format!("📌 {l}"), width)) {
            lines.push(Line::styled(piece, Style::new().fg(theme.accent)));
        }
    }
    let utc = main.dialect == imchat_sdk::Dialect::Imchat;
    let mut day = String::new();
    for msg in thread.msgs.iter().filter(|m| m.shown()) {
        let local = app.clock.local(&msg.time, utc);
        // A line where the day changes: today, yesterday, or the date.
        if let Some(date) = local.get(..10).filter(|date| *date != day) {
            day = date.to_owned();
            lines.push(Line::styled(format!("──── {} ────", app.clock.day(&local)), Style::new().fg(theme.dim)));
        }
        if thread.divider == Some(msg.seq) {
            divider = Some(lines.len());
            lines.push(Line::styled(app.tr.new_messages(), Style::new().fg(theme.error)));
        }
        let time = local.get(11..16).unwrap_or("");
        if msg.system || msg.recalled.is_some() {
            let width = usize::from(history.width.saturating_sub(4)).max(1);
            let text = if msg.system { msg.text.clone() } else { main.recall_notice(msg) };
            for piece in wrap_cells(&format!("· {text} {time}"), width) {
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
            // Read by the other member of a private chat (their receipts on).
            MsgState::Sent
                if msg.from == main.uid && msg.seq > 0 && msg.seq <= thread.peer_read && !thread.is_group() =>
            {
                Span::styled(app.tr.read_by_peer(), Style::new().fg(theme.accent))
            }
            // A group's last text of this user's, as many as had read it when the chat opened.
            MsgState::Sent
                if msg.from == main.uid
                    && let Some((seq, readers)) = thread.group.as_ref().and_then(|g| g.read_by)
                    && seq == msg.seq
                    && readers > 0 =>
            {
                Span::styled(app.tr.read_by_members(readers), Style::new().fg(theme.accent))
            }
            MsgState::Sent if msg.from == main.uid => Span::styled(" ✓", Style::new().fg(theme.dim)),
            MsgState::Sent => Span::raw(""),
            MsgState::Sending => Span::styled(app.tr.sending(), Style::new().fg(theme.dim)),
            MsgState::Unknown => Span::styled(app.tr.unknown_until_reconnected(), Style::new().fg(theme.accent)),
            MsgState::Failed => Span::styled(
                match &msg.failure {
                    Some(why) => app.tr.failed_why(why, &app.keymap.keys_for(Action::Failed)),
                    None => app.tr.failed_plain(&app.keymap.keys_for(Action::Failed)),
                },
                Style::new().fg(theme.error),
            ),
        };
        let edited = if msg.edited { app.tr.edited_mark() } else { String::new() };
        let is_picked = main.picked == Some(msg.seq);
        if is_picked {
            picked = Some(lines.len());
        }
        let mut header = vec![
            Span::styled(main.label(msg.from), who),
            Span::styled(format!(" {time}{edited}"), Style::new().fg(theme.dim)),
            state,
        ];
        if is_picked {
            header.insert(0, Span::styled("▶ ", Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)));
        }
        lines.push(Line::from(header));
        let width = usize::from(history.width.saturating_sub(4)).max(1);
        lines.extend(quote_lines(app, main, msg, theme, width));
        if let Some(file) = &msg.file {
            lines.push(attachment_line(app, file, msg.from == main.uid, theme));
            if let Some(thumb) = file.thumb.as_ref().filter(|_| previews.enabled()) {
                pictures.push((lines.len(), thumb));
                // Shaded where the picture goes: it is drawn only when all of it is in view, and
                // a picture half scrolled off shows this rather than blank rows.
                let shade = format!("  {}", "░".repeat(usize::from(PREVIEW_COLS)));
                lines.extend((0..PREVIEW_ROWS).map(|_| Line::styled(shade.clone(), Style::new().fg(theme.dim))));
            }
            lines.extend(reactions_line(msg, theme));
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
        lines.extend(reactions_line(msg, theme));
    }
    HistoryLines { lines, pictures, divider, picked }
}

/// A chat's history as lines: where its pictures go, its "new messages" line, and the picked
/// message's first line.
struct HistoryLines<'a> {
    lines: Vec<Line<'static>>,
    pictures: Vec<(usize, &'a std::path::PathBuf)>,
    divider: Option<usize>,
    picked: Option<usize>,
}

/// Over a message: whose message it forwards, and the one it replies to (one line, dim).
fn quote_lines(app: &App, main: &Main, msg: &Msg, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let style = Style::new().fg(theme.dim);
    if msg.forwarded_from != 0 {
        let text = app.tr.forwarded_from(&main.label(msg.forwarded_from));
        lines.push(Line::styled(format!("  {}", fit_cells(&text, width)), style.add_modifier(Modifier::ITALIC)));
    }
    if let Some(quote) = &msg.reply {
        let name = main.label(quote.sender);
        let text = match quote.msg_type {
            _ if quote.recalled => app.tr.quote_recalled(&name),
            1 | 3 => app.tr.quote_file(&name, &quote.excerpt),
            _ => app.tr.quote_line(&name, &quote.excerpt),
        };
        lines.push(Line::styled(format!("  {}", fit_cells(&text, width)), style));
    }
    lines
}

/// `text` cut to `width` cells, with `…` where cut.
fn fit_cells(text: &str, width: usize) -> String {
    match wrap_cells(text, width.saturating_sub(1).max(1)).as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, ..] => format!("{first}…"),
    }
}

/// A message's reactions under it (`👍 2  ❤️ 1`), this user's own in the accent colour.
fn reactions_line(msg: &Msg, theme: &Theme) -> Option<Line<'static>> {
    if msg.reactions.is_empty() {
        return None;
    }
    let mut spans = vec![Span::raw("  ")];
    for reaction in &msg.reactions {
        let style = if reaction.mine { Style::new().fg(theme.accent) } else { Style::new().fg(theme.dim) };
        spans.push(Span::styled(format!("{} {}", reaction.emoji, reaction.count), style));
        spans.push(Span::raw("  "));
    }
    Some(Line::from(spans))
}

/// The open chat's history: its title, its lines scrolled, pictures where they fit whole.
fn history(
    app: &App,
    main: &Main,
    thread: &Thread,
    theme: &Theme,
    previews: &mut Previews,
    frame: &mut Frame,
    history: Rect,
) {
    let HistoryLines { lines, pictures, divider, picked } = history_lines(app, main, thread, theme, previews, history);
    let title = match &thread.group {
        Some(group) => {
            let state = if group.left {
                app.tr.group_you_left()
            } else if group.disbanded {
                app.tr.group_disbanded()
            } else {
                app.tr.group_members_title(group.members, &app.keymap.keys_for(Action::Members))
            };
            format!(" # {}{state} ", main.thread_label(thread))
        }
        None if main.is_typing(thread.peer, app.now) => format!(" {} · {} ", main.label(thread.peer), app.tr.typing()),
        None => match main.presence.get(&thread.peer).filter(|p| p.visible) {
            Some(p) if p.online => format!(" {} · {} ", main.label(thread.peer), app.tr.online_now()),
            Some(p) if !p.last_seen.is_empty() => {
                let local = app.clock.local(&p.last_seen, true);
                let when = format!("{} {}", app.clock.day(&local), local.get(11..16).unwrap_or(""));
                format!(" {} · {} ", main.label(thread.peer), app.tr.last_seen(&when))
            }
            _ => format!(" {} ", main.label(thread.peer)),
        },
    };
    let mut block = Block::bordered().title(title);
    let shown = block.inner(history);
    let inner_height = shown.height;
    // Lines are wrapped above, so their count is exact: show the bottom, minus the scroll; a
    // chat just opened on unread messages shows its "new messages" line on top instead.
    app.history_rows.set(inner_height);
    app.history_lines.set(u16::try_from(lines.len()).unwrap_or(u16::MAX));
    let bottom = (lines.len() as u16).saturating_sub(inner_height);
    let mut offset = match divider.and_then(|at| u16::try_from(at).ok()) {
        Some(at) if main.anchored && main.scroll == 0 => at.min(bottom),
        _ => bottom.saturating_sub(main.scroll),
    };
    // The picked message stays in view: its first line, and what follows as room allows.
    if let Some(at) = picked.and_then(|at| u16::try_from(at).ok()) {
        if at < offset {
            offset = at;
        } else if at >= offset + inner_height {
            offset = (at + 3).saturating_sub(inner_height).min(bottom);
        }
    }
    app.history_scrolled.set(bottom - offset);
    if thread.below > 0 && offset < bottom {
        let hint = app.tr.new_below(thread.below, &app.keymap.keys_for(Action::ScrollBottom));
        block = block.title_bottom(Line::styled(hint, Style::new().fg(theme.accent)).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(block).scroll((offset, 0)), history);
    // A picture is drawn only when all of it is in view (graphics cannot be cut at a row).
    for (first, thumb) in pictures {
        let Ok(first) = u16::try_from(first) else { continue };
        if first >= offset && first + PREVIEW_ROWS <= offset + inner_height && shown.width > 2 {
            let rect =
                Rect::new(shown.x + 2, shown.y + first - offset, (shown.width - 2).min(PREVIEW_COLS), PREVIEW_ROWS);
            // In view whole: the shade goes, the picture (perhaps narrower) takes its place.
            frame.render_widget(Clear, rect);
            previews.draw(thumb, rect, frame);
        }
    }
}

/// The composer: the draft wrapped at its width, scrolled to the caret, and the limit's counter.
fn composer(
    app: &App,
    main: &Main,
    thread: &Thread,
    theme: &Theme,
    frame: &mut Frame,
    input: Rect,
    rows: &[(usize, usize)],
) {
    let composer_width = app.composer_width.get();
    let border = if main.focus == Focus::Input { Style::new().fg(theme.accent) } else { Style::new() };
    let title = if thread.is_group() {
        app.tr.composer_group(&app.keymap.keys_for(Action::Submit), &app.keymap.keys_for(Action::Attach))
    } else {
        let key = |action| app.keymap.keys_for(action);
        app.tr.composer_private(&key(Action::Submit), &key(Action::Attach), &key(Action::Files), &key(Action::Newline))
    };
    let mut block = Block::bordered().title(title).border_style(border);
    // What the next text replies to, over the draft until it goes.
    if let Some((_, quote)) = main.replying.as_ref().filter(|(id, _)| *id == thread.id) {
        let text = app.tr.replying_to(&main.label(quote.sender), &quote.excerpt);
        let room = usize::from(input.width.saturating_sub(4)).max(1);
        block = block.title_bottom(Line::styled(fit_cells(&text, room), Style::new().fg(theme.accent)).left_aligned());
    }
    // How much of the server's limit the draft takes, once it is worth a glance.
    if let Some(limit) = main.max_text {
        let used = main.input.text().len();
        if used * 2 > limit {
            let style = if used > limit { Style::new().fg(theme.error) } else { Style::new().fg(theme.dim) };
            block = block.title_bottom(Line::styled(app.tr.bytes_used(used, limit), style).right_aligned());
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
fn attachment_line(app: &App, file: &Attachment, mine: bool, theme: &Theme) -> Line<'static> {
    let (tr, retry) = (app.tr, app.keymap.keys_for(Action::Retry));
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
        Transfer::Waiting if mine => Span::styled(tr.file_sending(), dim),
        Transfer::Waiting => Span::styled(tr.file_waiting(), dim),
        Transfer::Uploading { done, total } => {
            Span::styled(format!(" ↑ {}", progress_bar(*done, *total, BAR_CELLS)), Style::new().fg(theme.accent))
        }
        Transfer::Downloading { done, total } => {
            Span::styled(format!(" ↓ {}", progress_bar(*done, *total, BAR_CELLS)), Style::new().fg(theme.accent))
        }
        Transfer::Failed(why) => Span::styled(tr.upload_failed_line(why, &retry), Style::new().fg(theme.error)),
        Transfer::Ready => match &file.saved {
            Some(path) => Span::styled(tr.saved_to_line(&path.display().to_string()), dim),
            None => Span::raw(""),
        },
    });
    Line::from(spans)
}

/// The open group's members: owner ★, admins +.
fn members(app: &App, main: &Main, group: &crate::app::GroupView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let tr = app.tr;
    let items: Vec<ListItem> = if group.member_list.is_empty() {
        vec![ListItem::new(Line::styled(tr.loading(), Style::new().fg(theme.dim)))]
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
    let block = Block::bordered().title(tr.members_title(group.member_list.len().max(group.members as usize)));
    frame.render_widget(List::new(items).block(block), area);
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
