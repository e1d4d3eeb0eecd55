//! 1007 search, 1009 friend request (pushes 1011), 1013 accept (replies 1014, pushes 1015).

use imchat_proto::ErrorCode;
use imchat_proto::msg::{
    AddFriendReq, AddFriendRsp, AuthChatData, AuthFriendReq, AuthFriendRsp, NotifyAddFriend, NotifyAuthFriend,
    SearchReq, SearchRsp,
};
use imchat_proto::rules::MAX_REMARK_CHARS;
use imchat_proto::time::format_chat_time;
use imchat_store::{Accepted, StoredMsg};

use crate::session::{Handled, Session};

/// Digits in the largest uid (`i32::MAX`).
const UID_MAX_DIGITS: usize = 10;

fn check_remark(text: &str) -> Handled {
    if text.chars().count() > MAX_REMARK_CHARS {
        return Err(ErrorCode::InvalidArgument.into());
    }
    Ok(())
}

fn auth_chat_data(msg: &StoredMsg) -> AuthChatData {
    AuthChatData {
        sender: msg.sender,
        msg_id: msg.message_id,
        thread_id: msg.thread_id,
        unique_id: msg.unique_id.clone(),
        msg_content: msg.content.clone(),
        chat_time: format_chat_time(msg.created_at),
        status: msg.status,
        seq: msg.seq,
    }
}

impl Session {
    pub(super) async fn search(&mut self, req: SearchReq) -> Handled {
        let text = req.uid.trim();
        // All digits means a uid (llfc 1007); more digits than an i32 has cannot be one.
        let user = if !text.is_empty() && text.len() <= UID_MAX_DIGITS && text.bytes().all(|b| b.is_ascii_digit()) {
            match text.parse::<i32>() {
                Ok(uid) => self.shared.db.user_by_uid(uid).await?,
                Err(_) => None,
            }
        } else if text.is_empty() || text.chars().count() > imchat_proto::rules::MAX_NAME_CHARS {
            None
        } else {
            self.shared.db.user_by_name(text).await?
        };
        let Some(user) = user else {
            return Err(ErrorCode::UidInvalid.into());
        };
        self.send(&SearchRsp {
            error: 0,
            uid: user.uid,
            pwd: String::new(),
            name: user.name,
            email: String::new(),
            nick: user.nick,
            desc: user.desc,
            sex: user.sex,
            icon: user.icon,
        })
    }

    pub(super) async fn add_friend(&mut self, req: AddFriendReq) -> Handled {
        let me = self.me(req.uid)?;
        check_remark(&req.applyname)?;
        check_remark(&req.bakname)?;
        if req.touid == me {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let db = &self.shared.db;
        let Some(target) = db.user_by_uid(req.touid).await? else {
            return Err(ErrorCode::UidInvalid.into());
        };
        let Some(applicant) = db.user_by_uid(me).await? else {
            return Err(ErrorCode::UidInvalid.into());
        };
        self.changing_views(&[target.uid], db.upsert_apply(me, target.uid, &req.applyname, &req.bakname)).await?;
        self.send(&AddFriendRsp { error: 0 })?;
        let notice = NotifyAddFriend {
            error: 0,
            applyuid: me,
            name: applicant.name,
            desc: req.applyname,
            icon: applicant.icon,
            sex: applicant.sex,
            nick: applicant.nick,
        };
        self.push(target.uid, &notice).await;
        Ok(())
    }

    pub(super) async fn auth_friend(&mut self, req: AuthFriendReq) -> Handled {
        let me = self.me(req.fromuid)?;
        check_remark(&req.back)?;
        let db = &self.shared.db;
        let Some(applicant) = db.user_by_uid(req.touid).await? else {
            return Err(ErrorCode::UidInvalid.into());
        };
        let Some(approver) = db.user_by_uid(me).await? else {
            return Err(ErrorCode::UidInvalid.into());
        };
        let accepted = db.accept_friend(me, applicant.uid, &req.back, imchat_store::now_ms());
        let (thread_id, messages) = match self.changing_views(&[me, applicant.uid], accepted).await? {
            Accepted::Ok { thread_id, messages } => (thread_id, messages),
            Accepted::NoPending => return Err(ErrorCode::NoPendingApply.into()),
        };
        self.friends.insert(applicant.uid);
        self.threads.remove(&thread_id);
        let chat_datas: Vec<AuthChatData> = messages.iter().map(auth_chat_data).collect();
        self.send(&AuthFriendRsp {
            error: 0,
            name: applicant.name,
            nick: applicant.nick,
            icon: applicant.icon,
            sex: applicant.sex,
            uid: applicant.uid,
            chat_datas: chat_datas.clone(),
        })?;
        let notice = NotifyAuthFriend {
            error: 0,
            fromuid: me,
            touid: applicant.uid,
            name: approver.name,
            nick: approver.nick,
            icon: approver.icon,
            sex: approver.sex,
            chat_datas,
        };
        self.push(applicant.uid, &notice).await;
        Ok(())
    }
}
