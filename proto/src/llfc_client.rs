//! What llfc's clients cannot show, in a form they can. A session whose 1005 named no imchat
//! extensions is llfc's Qt client (or another llfc client): it knows pictures, not generic
//! files, and would show a file as an empty picture bubble. So a file reaches it as a text
//! naming it (`[文件] name (size)`), pushed (a 1039 becomes a 1019; [`adapt_push`], which a
//! chat server applies to every push to such a session, whatever peer it came from) and in
//! history (1030, the chat server's). A recall notice (1162) reaches it as a text from the
//! one who recalled ([`RECALL_TEXT`]), and a recalled message reads [`RECALLED_TEXT`].

use bytes::{Bytes, BytesMut};

use crate::codec::HEADER_LEN;
use crate::msg::res::{MSG_TYPE_FILE, NotifyImgChat, file_placeholder};
use crate::msg::{Message, NotifyEdit, NotifyRecall, NotifyTextChat, TextChatData};

/// llfc's `MsgStatus` of a message that is all there (a text, a finished file).
const STATUS_READ: i32 = 2;

/// What an llfc client is shown for a recall notice, and in place of a recalled message.
pub const RECALL_TEXT: &str = "[撤回了一条消息]";
pub const RECALLED_TEXT: &str = "[已撤回]";

/// What an llfc client is shown for an edit notice: the text as it now reads, marked.
pub fn edited_text(text: &str) -> String {
    format!("[已编辑] {text}")
}

/// `frame`, as llfc client `to` may receive it: a generic file's 1039 becomes a 1019 text, as
/// does a private chat's recall or edit notice (1162, 1165) to its other member; `None` for a
/// frame it must not get (a group's, or the actor's own); any other frame is passed on as it is.
pub fn adapt_push(frame: Bytes, to: i32) -> Option<Bytes> {
    let id = frame.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    if id == Some(NotifyRecall::ID) || id == Some(NotifyEdit::ID) {
        return notice_push_as_text(&frame, to);
    }
    Some(file_as_text(frame))
}

/// What an llfc client is shown for a reaction notice.
pub fn reaction_text(emoji: &str) -> String {
    if emoji.is_empty() { "[取消回应]".to_owned() } else { format!("[回应 {emoji}]") }
}

/// Which gestures a client named (`recall`, `edit`, `reactions`): their rows reach it as they
/// are; the others' as texts ([`notice_as_text`]). llfc's know none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Knows {
    pub recall: bool,
    pub edit: bool,
    pub reactions: bool,
}

impl Knows {
    pub fn all(self) -> bool {
        self.recall && self.edit && self.reactions
    }
}

/// What a client that does not know a gesture is shown in place of its rows: a recall notice
/// reads [`RECALL_TEXT`], a recalled message [`RECALLED_TEXT`], an edit notice
/// [`edited_text`], a reaction notice [`reaction_text`], all as texts; an edited text is a text.
pub fn notice_as_text(msg_type: &mut i32, status: &mut i32, content: &mut String, knows: Knows) {
    use crate::msg::{MSG_STATUS_EDITED, MSG_STATUS_RECALLED, MSG_TYPE_EDIT, MSG_TYPE_REACTION, MSG_TYPE_RECALL};
    let (recall, edit) = (knows.recall, knows.edit);
    let text = match (*msg_type, *status) {
        (MSG_TYPE_REACTION, _) if !knows.reactions => {
            let event: crate::msg::ReactionEvent = serde_json::from_str(content).unwrap_or_default();
            reaction_text(&event.emoji)
        }
        (MSG_TYPE_RECALL, _) if !recall => RECALL_TEXT.to_owned(),
        (_, MSG_STATUS_RECALLED) if !recall => RECALLED_TEXT.to_owned(),
        (MSG_TYPE_EDIT, _) if !edit => {
            let event: crate::msg::EditEvent = serde_json::from_str(content).unwrap_or_default();
            edited_text(&event.text)
        }
        (_, MSG_STATUS_EDITED) if !edit => {
            *status = STATUS_READ;
            return;
        }
        _ => return,
    };
    (*msg_type, *status, *content) = (0, STATUS_READ, text);
}

/// A private chat's 1162 or 1165 to its other member, as a 1019 text from the actor.
fn notice_push_as_text(frame: &[u8], to: i32) -> Option<Bytes> {
    let recall: NotifyRecall = serde_json::from_slice(frame.get(HEADER_LEN..)?).ok()?;
    let mut notice = recall.notice;
    if notice.receiver != to || to == 0 {
        return None;
    }
    notice_as_text(&mut notice.msg_type, &mut notice.status, &mut notice.content, Knows::default());
    let text = NotifyTextChat {
        error: 0,
        fromuid: notice.sender,
        touid: notice.receiver,
        thread_id: notice.thread_id,
        chat_datas: vec![TextChatData {
            message_id: notice.message_id,
            unique_id: format!("notice-{}", notice.message_id),
            content: notice.content,
            status: STATUS_READ,
            chat_time: notice.chat_time,
            seq: notice.seq,
            ..TextChatData::default()
        }],
    };
    let mut buf = BytesMut::new();
    text.encode(&mut buf).ok()?;
    Some(buf.freeze())
}

/// A generic file's 1039 as a 1019 text naming it; any other frame as it is.
fn file_as_text(frame: Bytes) -> Bytes {
    let is_notice = frame.len() > HEADER_LEN && frame[..2] == NotifyImgChat::ID.to_be_bytes();
    if !is_notice {
        return frame;
    }
    let Ok(notice) = serde_json::from_slice::<NotifyImgChat>(&frame[HEADER_LEN..]) else { return frame };
    if notice.msg_type != MSG_TYPE_FILE {
        return frame;
    }
    let label = if notice.label.is_empty() { &notice.img_name } else { &notice.label };
    let text = NotifyTextChat {
        error: 0,
        fromuid: notice.sender_id,
        touid: notice.receiver_id,
        thread_id: notice.thread_id,
        chat_datas: vec![TextChatData {
            message_id: notice.message_id,
            unique_id: format!("file-{}", notice.message_id),
            content: file_placeholder(label, notice.total_size.parse().unwrap_or(0)),
            status: STATUS_READ,
            chat_time: notice.chat_time,
            seq: notice.seq,
            ..TextChatData::default()
        }],
    };
    let mut buf = BytesMut::new();
    match text.encode(&mut buf) {
        Ok(()) => buf.freeze(),
        Err(_) => frame,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed<M: Message>(message: &M) -> Bytes {
        let mut buf = BytesMut::new();
        message.encode(&mut buf).unwrap();
        buf.freeze()
    }

    #[test]
    fn a_generic_file_becomes_a_text_and_a_picture_stays() {
        let file = NotifyImgChat {
            message_id: 7,
            sender_id: 1,
            receiver_id: 2,
            img_name: "a1b2.pdf".into(),
            total_size: "1234567".into(),
            thread_id: 9,
            seq: 4,
            msg_type: MSG_TYPE_FILE,
            label: "report.pdf".into(),
            chat_time: "2026-12-07 10:00:00".into(),
            ..NotifyImgChat::default()
        };
        let adapted = adapt_push(framed(&file), 2).unwrap();
        assert_eq!(adapted[..2], NotifyTextChat::ID.to_be_bytes());
        let text: NotifyTextChat = serde_json::from_slice(&adapted[HEADER_LEN..]).unwrap();
        assert_eq!((text.fromuid, text.touid, text.thread_id), (1, 2, 9));
        assert_eq!(text.chat_datas[0].content, "[文件] report.pdf (1.2 MB)");
        assert_eq!((text.chat_datas[0].message_id, text.chat_datas[0].seq), (7, 4));
        let picture = NotifyImgChat { msg_type: crate::msg::res::MSG_TYPE_PIC, ..file };
        assert_eq!(adapt_push(framed(&picture), 2), Some(framed(&picture)));
        let other = Bytes::from_static(b"\x04\x13\x00\x02{}");
        assert_eq!(adapt_push(other.clone(), 2), Some(other));
    }

    #[test]
    fn a_private_recall_becomes_a_text_to_the_other_member_only() {
        use crate::msg::{MSG_TYPE_RECALL, SyncData};
        let notice = SyncData {
            thread_id: 9,
            seq: 12,
            message_id: 40,
            sender: 1,
            receiver: 2,
            content: r#"{"seq":11,"by":1}"#.into(),
            chat_time: "2026-12-07 10:00:00".into(),
            msg_type: MSG_TYPE_RECALL,
            ..SyncData::default()
        };
        let recall = NotifyRecall { thread_id: 9, seq: 11, notice: notice.clone() };
        let adapted = adapt_push(framed(&recall), 2).unwrap();
        assert_eq!(adapted[..2], NotifyTextChat::ID.to_be_bytes());
        let text: NotifyTextChat = serde_json::from_slice(&adapted[HEADER_LEN..]).unwrap();
        assert_eq!((text.fromuid, text.touid, text.thread_id), (1, 2, 9));
        assert_eq!(text.chat_datas[0].content, RECALL_TEXT);
        assert_eq!((text.chat_datas[0].message_id, text.chat_datas[0].seq), (40, 12));
        assert_eq!(adapt_push(framed(&recall), 1), None, "the recaller's own Qt session");
        let group = NotifyRecall { notice: SyncData { receiver: 0, ..notice }, ..recall };
        assert_eq!(adapt_push(framed(&group), 2), None, "llfc clients know no groups");
    }
}
