//! What llfc's clients cannot show, in a form they can. A session whose 1005 named no imchat
//! extensions is llfc's Qt client (or another llfc client): it knows pictures, not generic
//! files, and would show a file as an empty picture bubble. So a file reaches it as a text
//! naming it (`[文件] name (size)`), pushed (a 1039 becomes a 1019; [`adapt_push`], which a
//! chat server applies to every push to such a session, whatever peer it came from) and in
//! history (1030, the chat server's).

use bytes::{Bytes, BytesMut};

use crate::codec::HEADER_LEN;
use crate::msg::res::{MSG_TYPE_FILE, NotifyImgChat, file_placeholder};
use crate::msg::{Message, NotifyTextChat, TextChatData};

/// llfc's `MsgStatus` of a message that is all there (a text, a finished file).
const STATUS_READ: i32 = 2;

/// `frame`, as an llfc client may receive it: a generic file's 1039 becomes a 1019 text; any
/// other frame is passed on as it is.
pub fn adapt_push(frame: Bytes) -> Bytes {
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
        let adapted = adapt_push(framed(&file));
        assert_eq!(adapted[..2], NotifyTextChat::ID.to_be_bytes());
        let text: NotifyTextChat = serde_json::from_slice(&adapted[HEADER_LEN..]).unwrap();
        assert_eq!((text.fromuid, text.touid, text.thread_id), (1, 2, 9));
        assert_eq!(text.chat_datas[0].content, "[文件] report.pdf (1.2 MB)");
        assert_eq!((text.chat_datas[0].message_id, text.chat_datas[0].seq), (7, 4));
        let picture = NotifyImgChat { msg_type: crate::msg::res::MSG_TYPE_PIC, ..file };
        assert_eq!(adapt_push(framed(&picture)), framed(&picture));
        let other = Bytes::from_static(b"\x04\x13\x00\x02{}");
        assert_eq!(adapt_push(other.clone()), other);
    }
}
