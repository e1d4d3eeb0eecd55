//! Pictures and files in the client's state: what a message carries, the attach prompt and
//! the files dialog, and how transfer events move an attachment along. The bytes move in the
//! network task; this is only what the person sees and asks for.

use std::path::PathBuf;

use imchat_sdk::proto::msg::res::{FileMetaRsp, MSG_STATUS_UN_UPLOAD, MSG_TYPE_FILE, MSG_TYPE_PIC, NotifyImgChat};
use imchat_sdk::proto::msg::{ImgChatRsp, SyncData};

use super::{App, Conn, Focus, Main, Msg, MsgState, Thread, unique_id};
use crate::event::{Effect, FileEvent, NO_RESOURCE_SERVER, SendFailure};
use crate::files::{Chosen, Completion, Openable};
use crate::input::Input;
use crate::keymap::Action;

/// A picture or file a message carries (llfc `msg_type` 1 or 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name its bytes live under on the resource server (the message's content).
    pub name: String,
    pub picture: bool,
    /// The sender's file name; empty until the server says.
    pub label: String,
    /// Bytes; 0 until known.
    pub size: u64,
    pub transfer: Transfer,
    /// The thumbnail on this machine, once downloaded.
    pub thumb: Option<PathBuf>,
    /// Where it was saved on this machine.
    pub saved: Option<PathBuf>,
    /// The sender's own copy (this client sent it): what an upload retry reads.
    pub local: Option<PathBuf>,
    /// Its metadata or thumbnail was asked for (once per attachment).
    asked: bool,
}

/// How far an attachment's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// The sender has not finished uploading it.
    Waiting,
    Uploading {
        done: u64,
        total: u64,
    },
    /// On the server, whole.
    Ready,
    Downloading {
        done: u64,
        total: u64,
    },
    Failed(String),
}

impl Attachment {
    pub(super) fn new(name: String, picture: bool, transfer: Transfer) -> Attachment {
        Attachment {
            name,
            picture,
            label: String::new(),
            size: 0,
            transfer,
            thumb: None,
            saved: None,
            local: None,
            asked: false,
        }
    }

    /// What the person calls it: the sender's name for it, else the server's.
    pub fn title(&self) -> &str {
        if self.label.is_empty() { &self.name } else { &self.label }
    }

    fn ready(&self) -> bool {
        matches!(self.transfer, Transfer::Ready | Transfer::Downloading { .. })
    }
}

/// The attach prompt: a path, with Tab completing it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attach {
    pub input: Input,
    /// What the last Tab matched, when it was more than one entry.
    pub candidates: Vec<String>,
    /// Why the last Enter sent nothing.
    pub error: Option<String>,
    /// Enter was pressed: the path is being checked.
    checking: bool,
}

/// The open chat's pictures and files, newest first, to save or open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesDialog {
    pub cursor: usize,
    /// A saved file waiting for the user's yes before it is opened: what its bytes are.
    pub confirm: Option<Openable>,
}

/// The attachment a stored message carries, by its type (a picture or file's content is its
/// name); `None` for texts.
pub(super) fn attachment_of(data: &SyncData) -> Option<Attachment> {
    let picture = match data.msg_type {
        MSG_TYPE_PIC => true,
        MSG_TYPE_FILE => false,
        _ => return None,
    };
    let transfer = if data.status == MSG_STATUS_UN_UPLOAD { Transfer::Waiting } else { Transfer::Ready };
    Some(Attachment::new(data.content.clone(), picture, transfer))
}

impl Thread {
    /// The open chat's attachments, newest first.
    pub fn attachments(&self) -> Vec<&Attachment> {
        self.msgs.iter().rev().filter_map(|m| m.file.as_ref()).collect()
    }

    fn attachment_mut(&mut self, name: &str) -> Option<&mut Attachment> {
        self.msgs.iter_mut().filter_map(|m| m.file.as_mut()).find(|f| f.name == name)
    }
}

impl Main {
    fn attachment_mut(&mut self, name: &str) -> Option<&mut Attachment> {
        self.threads.values_mut().find_map(|t| t.attachment_mut(name))
    }

    /// What attachments new to this client need: their metadata (sender's name, size,
    /// whether complete) or, for a complete picture already described, its thumbnail.
    pub(super) fn file_effects(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        for file in self.threads.values_mut().flat_map(|t| t.msgs.iter_mut()).filter_map(|m| m.file.as_mut()) {
            if file.asked || file.local.is_some() {
                continue;
            }
            file.asked = true;
            if file.label.is_empty() || file.transfer == Transfer::Waiting {
                effects.push(Effect::FileMeta(file.name.clone()));
            } else if file.picture && file.ready() && file.thumb.is_none() {
                effects.push(Effect::FetchThumb(file.name.clone()));
            }
        }
        effects
    }
}

impl App {
    /// Keys while the attach prompt is open; `None` for the editing keys, which go to its input.
    pub(super) fn attach_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let attach = main.attach.as_mut()?;
        match action {
            Action::Back => main.attach = None,
            Action::NextField => return Some(vec![Effect::CompletePath(attach.input.text().to_owned())]),
            Action::Submit if !attach.checking => {
                attach.checking = true;
                attach.error = None;
                return Some(vec![Effect::CheckPath(attach.input.text().to_owned())]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Keys while the files dialog is open.
    pub(super) fn files_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let dialog = main.files.as_mut()?;
        let thread = main.open.and_then(|id| main.threads.get(&id));
        let files = thread.map(Thread::attachments).unwrap_or_default();
        if let Some(confirm) = dialog.confirm.take() {
            // Only a yes opens it; any other key leaves it closed.
            if matches!(action, Action::Submit | Action::OpenFile) {
                return Some(vec![Effect::Open(confirm.path)]);
            }
            return Some(Vec::new());
        }
        match action {
            Action::Back | Action::Files => main.files = None,
            Action::Up => dialog.cursor = dialog.cursor.saturating_sub(1),
            Action::Down => dialog.cursor = (dialog.cursor + 1).min(files.len().saturating_sub(1)),
            Action::Submit | Action::OpenFile => {
                let open = action == Action::OpenFile;
                let Some(file) = files.get(dialog.cursor) else { return Some(Vec::new()) };
                if let Some(path) = file.saved.as_ref().or(file.local.as_ref()) {
                    if open {
                        return Some(vec![Effect::Inspect(path.clone())]);
                    }
                    let path = path.display().to_string();
                    self.info(self.tr.already_here(&path));
                    return Some(Vec::new());
                }
                if matches!(file.transfer, Transfer::Downloading { .. }) {
                    let text = self.tr.on_its_way(file.title());
                    self.info(text);
                    return Some(Vec::new());
                }
                if !file.ready() {
                    let text = self.tr.not_uploaded(file.title());
                    self.error(text);
                    return Some(Vec::new());
                }
                let effect = Effect::SaveFile { name: file.name.clone(), label: file.label.clone(), open };
                let name = file.name.clone();
                if let Some(file) = main.attachment_mut(&name) {
                    file.transfer = Transfer::Downloading { done: 0, total: file.size };
                }
                return Some(vec![effect]);
            }
            _ => {}
        }
        Some(Vec::new())
    }

    /// Opens the attach prompt or the files dialog (main screen, a chat open).
    pub(super) fn open_file_dialog(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let thread = main.open.and_then(|id| main.threads.get(&id))?;
        match action {
            Action::Attach if thread.group.as_ref().is_some_and(|g| g.left || g.disbanded) => {
                self.error(self.tr.group_closed());
            }
            Action::Attach if main.dialect == imchat_sdk::Dialect::Llfc => {
                self.error(self.tr.files_need_imchat());
            }
            Action::Attach => main.attach = Some(Attach::default()),
            Action::Files if thread.attachments().is_empty() => self.info(self.tr.no_files_here()),
            Action::Files => main.files = Some(FilesDialog::default()),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Tab's answer: the prompt takes the completion, unless it was edited meanwhile.
    pub(super) fn completed(&mut self, completion: Completion) {
        let Some(attach) = self.main.as_mut().and_then(|m| m.attach.as_mut()) else { return };
        if attach.input.text() != completion.typed {
            return;
        }
        attach.input.set(&completion.text);
        attach.candidates = completion.candidates;
    }

    /// Enter's answer: the file goes (its message first), or the prompt says why not.
    pub(super) fn checked(&mut self, result: Result<Chosen, String>) -> Vec<Effect> {
        let conn = self.conn;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let Some(attach) = main.attach.as_mut() else { return Vec::new() };
        attach.checking = false;
        let chosen = match result {
            Ok(chosen) => chosen,
            Err(why) => {
                attach.error = Some(why);
                return Vec::new();
            }
        };
        if conn != Conn::Online {
            attach.error = Some(self.tr.offline_files());
            return Vec::new();
        }
        let Some(thread_id) = main.open else { return Vec::new() };
        main.attach = None;
        let unique = unique_id(main.uid, self.nonce, &mut self.sent);
        let Some(thread) = main.threads.get_mut(&thread_id) else { return Vec::new() };
        let label = chosen.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut file = Attachment::new(String::new(), chosen.picture, Transfer::Waiting);
        (file.label, file.size, file.local, file.asked) = (label, chosen.size, Some(chosen.path.clone()), true);
        thread.msgs.push(Msg::outgoing(main.uid, String::new(), unique.clone(), Some(file)));
        (main.scroll, main.anchored) = (0, false);
        main.focus = Focus::Input;
        let to = if thread.is_group() { 0 } else { thread.peer };
        vec![Effect::SendFile { unique, to, thread: thread_id, path: chosen.path, picture: chosen.picture }]
    }

    /// Failed pictures and files of this user's, sent again (F5): a message the server never
    /// stored under a new id, bytes that did not all arrive from the start.
    pub(super) fn retry_files(&mut self) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let me = main.uid;
        let mut effects = Vec::new();
        for thread in main.threads.values_mut() {
            let to = if thread.is_group() { 0 } else { thread.peer };
            for msg in thread.msgs.iter_mut().filter(|m| m.from == me) {
                let Some(file) = msg.file.as_mut() else { continue };
                let Some(path) = file.local.clone() else { continue };
                if msg.state == MsgState::Failed {
                    msg.unique = unique_id(me, self.nonce, &mut self.sent);
                    msg.state = MsgState::Sending;
                    let (unique, picture) = (msg.unique.clone(), file.picture);
                    effects.push(Effect::SendFile { unique, to, thread: thread.id, path, picture });
                } else if matches!(file.transfer, Transfer::Failed(_)) && !file.name.is_empty() {
                    file.transfer = Transfer::Uploading { done: 0, total: file.size };
                    effects.push(Effect::Upload { name: file.name.clone(), path });
                }
            }
        }
        effects
    }

    /// The network task's news of pictures and files.
    pub(super) fn file_event(&mut self, event: FileEvent) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        match event {
            FileEvent::Stored { unique, result } => {
                let dialect = main.dialect;
                let Some((thread, idx)) = main.find_unique(&unique) else { return Vec::new() };
                match result {
                    Ok(stored) => return stored_file(thread, idx, stored, dialect),
                    Err(SendFailure::Offline | SendFailure::Lost(_)) => {
                        thread.msgs[idx].state = MsgState::Failed;
                        self.error(self.tr.file_message_lost(&self.keymap.keys_for(Action::Retry)));
                    }
                    Err(SendFailure::Refused(why)) => {
                        thread.msgs[idx].state = MsgState::Failed;
                        thread.msgs[idx].failure = Some(why.clone());
                        self.error(self.tr.not_sent_why(&self.tr.reason(&why)));
                    }
                }
            }
            FileEvent::Progress { name, up, done, total } => {
                if let Some(file) = main.attachment_mut(&name) {
                    file.transfer =
                        if up { Transfer::Uploading { done, total } } else { Transfer::Downloading { done, total } };
                }
            }
            FileEvent::Uploaded { name, result } => {
                let Some(file) = main.attachment_mut(&name) else { return Vec::new() };
                match result {
                    Ok(()) => {
                        file.transfer = Transfer::Ready;
                        // The sender's own copy previews as well as anyone's.
                        if file.picture {
                            return vec![Effect::FetchThumb(name)];
                        }
                    }
                    Err(why) => {
                        file.transfer = Transfer::Failed(why.clone());
                        let text = self.tr.upload_failed(
                            file.title(),
                            &self.tr.reason(&why),
                            &self.keymap.keys_for(Action::Retry),
                        );
                        self.error(text);
                    }
                }
            }
            FileEvent::Notice(notice) => return self.file_notice(notice),
            FileEvent::Meta(name, result) => {
                let Some(file) = main.attachment_mut(&name) else { return Vec::new() };
                match result {
                    Ok(meta) => return describe(file, &meta),
                    // Not there (yet): the 1039 says when it is. Asked without a connection,
                    // it is asked again with the next messages (the sync after a reconnect).
                    Err(why) => {
                        file.asked = why != NO_RESOURCE_SERVER;
                        tracing::debug!(%name, %why, "no metadata");
                    }
                }
            }
            FileEvent::Thumb(name, result) => match result {
                Ok(path) => {
                    if let Some(file) = main.attachment_mut(&name) {
                        file.thumb = Some(path);
                    }
                }
                Err(why) => {
                    if let Some(file) = main.attachment_mut(&name) {
                        file.asked = why != NO_RESOURCE_SERVER;
                    }
                    tracing::debug!(%name, %why, "no thumbnail");
                }
            },
            FileEvent::Saved { name, result } => {
                let Some(file) = main.attachment_mut(&name) else { return Vec::new() };
                file.transfer = Transfer::Ready;
                match result {
                    Ok(path) => {
                        let shown = path.display().to_string();
                        file.saved = Some(path);
                        self.info(self.tr.saved_to(&shown));
                    }
                    Err(why) => {
                        let text = self.tr.save_failed(file.title(), &self.tr.reason(&why));
                        self.error(text);
                    }
                }
            }
            FileEvent::Inspected(Ok(openable)) => {
                main.files.get_or_insert_with(FilesDialog::default).confirm = Some(openable);
            }
            FileEvent::Inspected(Err(why)) => self.error(why),
            FileEvent::Opened(Ok(path)) => self.info(self.tr.opened(&path.display().to_string())),
            FileEvent::Opened(Err(why)) => self.error(why),
        }
        Vec::new()
    }

    /// 1039: the picture or file is ready. A message this client has not seen yet arrives
    /// with it (the notice carries everything the message has).
    fn file_notice(&mut self, notice: NotifyImgChat) -> Vec<Effect> {
        let focused = self.focused;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let (me, dialect) = (main.uid, main.dialect);
        let seq = if notice.seq > 0 { notice.seq } else { notice.message_id };
        let peer =
            if notice.receiver_id == 0 { 0 } else { super::peer_of(main.uid, notice.sender_id, notice.receiver_id) };
        let open = main.open == Some(notice.thread_id) && main.focus == Focus::Input && focused;
        let thread = main.threads.entry(notice.thread_id).or_insert_with(|| Thread {
            id: notice.thread_id,
            peer,
            ..Thread::default()
        });
        let data = SyncData {
            thread_id: notice.thread_id,
            seq,
            message_id: notice.message_id,
            sender: notice.sender_id,
            receiver: notice.receiver_id,
            content: notice.img_name.clone(),
            chat_time: notice.chat_time.clone(),
            msg_type: if notice.msg_type == 0 { MSG_TYPE_PIC } else { notice.msg_type },
            ..SyncData::default()
        };
        let mut effects = Vec::new();
        let new = thread.merge(super::incoming::sync_msg(data, self.tr, me), dialect);
        if new && !open && notice.sender_id != main.uid {
            thread.unread += 1;
            thread.divider.get_or_insert(seq);
        }
        if let Some(file) = thread.attachment_mut(&notice.img_name) {
            file.label = notice.label.clone();
            file.size = notice.total_size.parse().unwrap_or(file.size);
            if !file.ready() {
                file.transfer = Transfer::Ready;
            }
            file.asked = true;
            if file.picture && notice.thumb_size > 0 && file.thumb.is_none() && file.local.is_none() {
                effects.push(Effect::FetchThumb(notice.img_name.clone()));
            }
        }
        if new && !open && notice.sender_id != main.uid && thread.rings(false) {
            let title = main.threads.get(&notice.thread_id).map(|t| main.thread_label(t)).unwrap_or_default();
            let who = main.label(notice.sender_id);
            let body = if data_is_picture(notice.msg_type) {
                main.tr.sent_a_picture(&who, &notice.label)
            } else {
                main.tr.sent_a_file(&who, &notice.label)
            };
            effects.push(Effect::Notify { thread: notice.thread_id, mention: false, title, body });
        }
        effects.extend(main.sync_if_gap(notice.thread_id));
        effects
    }
}

fn data_is_picture(msg_type: i32) -> bool {
    msg_type != MSG_TYPE_FILE
}

/// The 1036 for one of this user's: the message is stored, and its bytes go next.
fn stored_file(thread: &mut Thread, idx: usize, stored: ImgChatRsp, dialect: imchat_sdk::Dialect) -> Vec<Effect> {
    let mut msg = thread.msgs.remove(idx);
    msg.seq = if stored.seq > 0 { stored.seq } else { stored.message_id };
    msg.time = stored.chat_time;
    msg.state = MsgState::Sent;
    msg.text = stored.unique_name.clone();
    let Some(file) = msg.file.as_mut() else { return Vec::new() };
    file.name = stored.unique_name.clone();
    // The network task goes on to the bytes by itself.
    file.transfer = Transfer::Uploading { done: 0, total: file.size };
    thread.merge(msg, dialect);
    Vec::new()
}

/// What the resource server said of a file, taken in; its thumbnail is asked for when it has one.
fn describe(file: &mut Attachment, meta: &FileMetaRsp) -> Vec<Effect> {
    file.label = meta.label.clone();
    if meta.size > 0 {
        file.size = meta.size as u64;
    }
    if meta.complete && !file.ready() {
        file.transfer = Transfer::Ready;
    }
    if file.picture && meta.complete && meta.thumb_size > 0 && file.thumb.is_none() {
        return vec![Effect::FetchThumb(file.name.clone())];
    }
    Vec::new()
}
