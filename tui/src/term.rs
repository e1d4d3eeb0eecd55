//! The one place that owns the terminal: raw mode and the alternate screen in, restored on
//! every exit (panics included), and the event loop that feeds keys, pastes, mouse wheel,
//! ticks and network events through `App::update` and draws after each.

use std::io;
use std::time::{Duration, Instant};

use chrono::{Offset, TimeZone};
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste, EnableFocusChange,
    EnableMouseCapture, Event as TermEvent, EventStream, KeyEventKind, MouseEventKind,
};
use crossterm::execute;
use futures_util::StreamExt;
use imchat_sdk::proto::msg::DeviceKind;
use imchat_sdk::{Device, GateClient};
use tokio::sync::mpsc;

use crate::app::{App, Main};
use crate::event::{Effect, Event, FileEvent, NetEvent};
use crate::files::{self, Places};
use crate::i18n::Tr;
use crate::local::Account;
use crate::net;
use crate::notify::Notifications;
use crate::ui::{self, ImageMode, Previews, Theme};

/// Redraw and time-based updates (countdowns, reconnect timers) at least this often.
const TICK: Duration = Duration::from_millis(250);
/// Most events applied between two draws.
const MAX_EVENTS_PER_DRAW: usize = 512;
/// Events buffered between the input and network tasks and the loop.
const EVENT_QUEUE: usize = 1024;

/// Writes escape sequences (already stripped of anything a peer sent) straight to the terminal.
fn write_raw(bytes: &str) -> io::Result<()> {
    use std::io::Write;
    let mut out = io::stdout().lock();
    out.write_all(bytes.as_bytes())?;
    out.flush()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Reads the terminal's events (keys, pastes, the wheel, resizes, focus) into `events`.
fn spawn_input(events: mpsc::Sender<Event>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(Ok(event)) = stream.next().await {
            let event = match event {
                TermEvent::Key(key) if key.kind != KeyEventKind::Release => Event::Key(key),
                TermEvent::Paste(text) => Event::Paste(text),
                TermEvent::Mouse(mouse) => {
                    let wheel = match mouse.kind {
                        MouseEventKind::ScrollUp => 3,
                        MouseEventKind::ScrollDown => -3,
                        MouseEventKind::Down(crossterm::event::MouseButton::Left) => 0,
                        _ => continue,
                    };
                    Event::Mouse { column: mouse.column, row: mouse.row, wheel }
                }
                TermEvent::Resize(..) => Event::Tick,
                TermEvent::FocusGained => Event::Focus(true),
                TermEvent::FocusLost => Event::Focus(false),
                _ => continue,
            };
            if events.send(event).await.is_err() {
                return;
            }
        }
    })
}

/// Runs `$VISUAL` (else `$EDITOR`, else `vi`) on `draft` in a private temporary file, with the
/// terminal handed over, and returns the file's text. The command's words are split on
/// whitespace (`code -w` works); no shell is involved.
fn edit_in_editor(draft: &str, tr: Tr) -> Result<String, String> {
    let command = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).unwrap_or_else(|_| "vi".into());
    let mut words = command.split_whitespace();
    let program = words.next().ok_or_else(|| tr.editor_unset())?;
    let path = std::env::temp_dir().join(format!("imchat-draft-{}.txt", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path).map_err(|err| err.to_string())?, draft.as_bytes())
        .map_err(|err| err.to_string())?;
    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste, DisableFocusChange);
    ratatui::restore();
    let status = std::process::Command::new(program).args(words).arg(&path).status();
    let text = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(status) if status.success() => text.map_err(|err| err.to_string()),
        Ok(status) => Err(tr.editor_ended(program, &status.to_string())),
        Err(err) => Err(tr.path_error(program, &err.to_string())),
    }
}

/// Writes what the account keeps on this machine when something changed (the outbox at once),
/// and lets the account go once nobody is signed in; true while a change waits to be written.
fn keep(app: &mut App, account: &mut Option<Account>, unsaved: bool) -> bool {
    let Some(opened) = account else { return false };
    let Some(main) = &app.main else {
        // Signed out (kicked, or a login refused): the file stays, the lock goes.
        if !app.busy {
            *account = None;
        }
        return false;
    };
    if !unsaved && !app.quit {
        return false;
    }
    match opened.save(main.saved(), Instant::now(), app.quit) {
        Ok(pending) => pending,
        Err(err) => {
            let why = app.tr.keep_failed(&err.to_string());
            app.update(Event::Restored(Err(why)), Instant::now());
            false
        }
    }
}

/// Restores the terminal when dropped, whatever ends the loop.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste, DisableFocusChange);
        ratatui::restore();
    }
}

/// What the terminal loop is given: the client, how it looks, and where files go.
pub struct Setup {
    pub app: App,
    pub theme: Theme,
    pub notifications: Notifications,
    pub images: ImageMode,
    pub places: Places,
    pub gate: GateClient,
    /// The gate's URL (names the folder an account's data is kept in).
    pub gate_url: String,
    /// Where accounts' chats are kept between runs; `None`: nowhere.
    pub data_dir: Option<std::path::PathBuf>,
}

pub async fn run(setup: Setup) -> io::Result<()> {
    let Setup { mut app, theme, notifications, images, places, gate, gate_url, data_dir } = setup;
    // `ratatui::init` also installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::init();
    let _restore = Restore;
    let mut previews = Previews::detect(images);
    execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste, EnableFocusChange)?;

    let (events_tx, mut events) = mpsc::channel(EVENT_QUEUE);
    let (effects_tx, effects_rx) = mpsc::channel(EVENT_QUEUE);
    // This machine's device id, kept beside the account files (a fresh one each run without them).
    let device = data_dir.as_deref().map_or_else(|| Device::new(DeviceKind::Tui), crate::local::device);
    let network = tokio::spawn(net::run(gate, places, device, app.tr, effects_rx, events_tx.clone()));
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let mut input = spawn_input(events_tx.clone());

    let in_tmux = std::env::var_os("TMUX").is_some();
    let mut title = None;
    let mut tick = tokio::time::interval(TICK);
    // The signed-in account's file on this machine, and whether a change waits to be written.
    let mut account: Option<Account> = None;
    let mut unsaved = false;
    loop {
        // The user's zone, and the dates the chat list compares message times with.
        let now = now_ms();
        let offset = chrono::Local.timestamp_millis_opt(now).single().map_or(0, |t| t.offset().fix().local_minus_utc());
        app.clock = crate::clock::Clock { tr: app.tr, ..crate::clock::Clock::at(now, offset) };
        let wanted = notifications.title(app.main.as_ref().map_or(0, Main::unread));
        if wanted != title {
            if let Some(sequence) = &wanted {
                write_raw(sequence)?;
            }
            title = wanted;
        }
        terminal.draw(|frame| ui::render(&app, &theme, &mut previews, frame))?;
        let first = tokio::select! {
            Some(event) = events.recv() => event,
            _ = tick.tick() => Event::Tick,
        };
        // Everything already queued (a burst of keys, a typed-out paste) is applied before the
        // next draw, so input never lags behind rendering.
        let mut batch = vec![first];
        while batch.len() < MAX_EVENTS_PER_DRAW {
            match events.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        unsaved |= batch.iter().any(|event| *event != Event::Tick);
        'batch: for event in batch {
            let mut effects = std::collections::VecDeque::from(app.update(event, Instant::now()));
            while let Some(effect) = effects.pop_front() {
                // This machine's own answers (the disk, the terminal) come back at once.
                let local = match &effect {
                    Effect::Notify { title, body, .. } => {
                        write_raw(&notifications.announce(title, body, in_tmux))?;
                        continue;
                    }
                    Effect::CompletePath(typed) => Some(Event::Completed(files::complete(typed, home.as_deref()))),
                    Effect::CheckPath(typed) => Some(Event::Checked(files::check(typed, home.as_deref(), app.tr))),
                    Effect::EditDraft(draft) => {
                        // The editor reads the keyboard: this client stops reading it meanwhile.
                        input.abort();
                        let _ = (&mut input).await;
                        let edited = edit_in_editor(draft, app.tr);
                        input = spawn_input(events_tx.clone());
                        // The editor had the terminal: take it back and draw it all again.
                        terminal = ratatui::init();
                        // A clear that asks the terminal nothing (ratatui's reads the cursor).
                        execute!(
                            io::stdout(),
                            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
                            EnableMouseCapture,
                            EnableBracketedPaste,
                            EnableFocusChange
                        )?;
                        Some(Event::Edited(edited))
                    }
                    Effect::Login { email, .. } => {
                        // What was kept is read (and drawn) while the login goes on.
                        account = None;
                        // Nowhere to keep anything: nothing is said, and nothing counts as kept.
                        if let Some(dir) = data_dir.as_deref() {
                            let restored = Account::open(dir, &gate_url, email, app.tr).map(|(opened, saved)| {
                                account = Some(opened);
                                saved.map(Box::new)
                            });
                            effects.extend(app.update(Event::Restored(restored), Instant::now()));
                        }
                        None
                    }
                    Effect::Inspect(path) => {
                        Some(Event::Net(NetEvent::File(FileEvent::Inspected(files::inspect(path, app.tr)))))
                    }
                    _ => None,
                };
                if let Some(event) = local {
                    effects.extend(app.update(event, Instant::now()));
                    continue;
                }
                if effect == Effect::Quit || effects_tx.send(effect).await.is_err() {
                    break 'batch;
                }
            }
            if app.quit {
                break;
            }
        }
        unsaved = keep(&mut app, &mut account, unsaved);
        if app.quit {
            break;
        }
    }
    input.abort();
    network.abort();
    Ok(())
}
