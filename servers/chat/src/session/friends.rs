//! 1007 search, 1009 friend request (pushes 1011), 1013 accept (replies 1014, pushes 1015);
//! imchat's 1104/1106 pages of friends and requests, 1108 decline, and (`friends`) 1146
//! unfriend, 1148 block and 1170 remark, each told to the user's other devices (1172).

use imchat_proto::ErrorCode;
use imchat_proto::msg::{
    AddFriendReq, AddFriendRsp, ApplyInfo, ApplyPageReq, ApplyPageRsp, AuthChatData, AuthFriendReq, AuthFriendRsp,
    BlockReq, BlockRsp, DeclineFriendReq, DeclineFriendRsp, FriendInfo, FriendPageReq, FriendPageRsp, Message,
    NotifyAddFriend, NotifyAuthFriend, NotifyFriendChanged, RemarkReq, RemarkRsp, SearchReq, SearchRsp, UnfriendReq,
    UnfriendRsp,
};
use imchat_proto::rules::MAX_REMARK_CHARS;
use imchat_proto::time::format_chat_time;
use imchat_store::{Accepted, ApplyRow, FriendRow, Page, StoredMsg};

use crate::friendships::ended_everywhere;
use crate::session::{Handled, Reject, Session};

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
        // Blocked by them: answered as any request is, and nothing stored or told.
        if !db.blocked_by(me, &[target.uid]).await?.is_empty() {
            return self.send(&AddFriendRsp { error: 0 });
        }
        let max_pending = self.shared.config.limits.max_pending_requests;
        let applied = db.upsert_apply(me, target.uid, &req.applyname, &req.bakname, max_pending);
        if !self.changing_views(&[target.uid], applied).await? {
            return Err(ErrorCode::TooManyRequests.into());
        }
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

    /// 1146: ends the friendship with `uid`, both ways (they are not told). Dropped from every
    /// server's cached friendships before and after it is stored, and from both users'
    /// cached login views.
    pub(super) async fn unfriend(&mut self, req: UnfriendReq) -> Handled {
        let me = self.uid();
        if req.uid == me {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let db = self.shared.db.clone();
        self.friendship_change(req.uid, db.unfriend(me, req.uid)).await?;
        self.send(&UnfriendRsp { error: 0, uid: req.uid })?;
        let changed = NotifyFriendChanged { uid: req.uid, friend: false, remark: String::new(), blocked: false };
        self.push_own(&changed).await;
        Ok(())
    }

    /// 1148: blocks `uid` (ending the friendship, as 1146) or unblocks them; answered with
    /// everyone the user blocks. At most `MaxBlocked`.
    pub(super) async fn block(&mut self, req: BlockReq) -> Handled {
        let me = self.uid();
        if req.uid == me || self.shared.db.user_by_uid(req.uid).await?.is_none() {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let db = self.shared.db.clone();
        if req.blocked && db.blocked_list(me).await?.len() >= self.shared.config.limits.max_blocked {
            return Err(ErrorCode::TooManyRequests.into());
        }
        self.friendship_change(req.uid, db.block(me, req.uid, req.blocked, imchat_store::now_ms())).await?;
        let blocked_list = db.blocked_list(me).await?;
        self.send(&BlockRsp { error: 0, uid: req.uid, blocked: req.blocked, blocked_list })?;
        let friend = !req.blocked && db.is_friend(me, req.uid).await?;
        let changed = NotifyFriendChanged { uid: req.uid, friend, remark: String::new(), blocked: req.blocked };
        self.push_own(&changed).await;
        Ok(())
    }

    /// 1170: the user's remark for friend `uid` (1103 for a stranger).
    pub(super) async fn remark(&mut self, req: RemarkReq) -> Handled {
        check_remark(&req.remark)?;
        let me = self.uid();
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let set = self.shared.db.set_remark(me, req.uid, &req.remark);
        if !self.changing_views(&[me], set).await? {
            return Err(ErrorCode::NotFriend.into());
        }
        self.send(&RemarkRsp { error: 0, uid: req.uid, remark: req.remark.clone() })?;
        let changed = NotifyFriendChanged { uid: req.uid, friend: true, remark: req.remark, blocked: false };
        self.push_own(&changed).await;
        Ok(())
    }

    /// Runs `change`, which may end the friendship with `other`, between two drops of every
    /// server's cached friendship of the pair (the first before anything changes; the second
    /// undoes a check that read the old row in between), inside the drops of both users'
    /// cached login views. Each is a costly request: taken from `FriendRequests`.
    async fn friendship_change<T>(
        &mut self,
        other: i32,
        change: impl Future<Output = Result<T, imchat_store::StoreError>>,
    ) -> Result<T, Reject> {
        let me = self.uid();
        if !self.shared.friend_requests.take(me, 1) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let shared = self.shared.clone();
        ended_everywhere(&shared, me, other).await;
        let changed = self.changing_views(&[me, other], change).await?;
        ended_everywhere(&shared, me, other).await;
        self.friends.remove(&other);
        Ok(changed)
    }

    /// A page of the user's friends (1104): those a login reply had no room for.
    pub(super) async fn friend_page(&mut self, req: FriendPageReq) -> Handled {
        let page = self.shared.db.friend_page(self.uid(), req.after, self.shared.config.limits.friend_page).await?;
        self.send_page(page, friend_info, req.after, |friends, next, more| FriendPageRsp {
            error: 0,
            friends,
            next,
            more,
        })
    }

    /// A page of friend requests to the user (1106), newest first.
    pub(super) async fn apply_page(&mut self, req: ApplyPageReq) -> Handled {
        let page = self.shared.db.apply_page(self.uid(), req.before, self.shared.config.limits.friend_page).await?;
        self.send_page(page, apply_info, req.before, |applies, next, more| ApplyPageRsp {
            error: 0,
            applies,
            next,
            more,
        })
    }

    /// One page of a list, as many of its items as fit a frame: `build(items, next, more)`
    /// gets them with the cursor of the last one sent (`from` when none).
    fn send_page<R, T: Clone, M: Message>(
        &self,
        page: Page<R>,
        wire: impl Fn(R) -> T,
        from: i64,
        build: impl Fn(Vec<T>, i64, bool) -> M,
    ) -> Handled {
        let (cursors, items): (Vec<i64>, Vec<T>) = page.items.into_iter().map(|(c, r)| (c, wire(r))).unzip();
        self.send_fitting(items.len(), |n| {
            build(items[..n].to_vec(), cursors[..n].last().copied().unwrap_or(from), page.more || n < items.len())
        })
    }

    /// Declines a pending request (1108): it leaves the list; the applicant is not told.
    pub(super) async fn decline_friend(&mut self, req: DeclineFriendReq) -> Handled {
        let me = self.uid();
        let declined = self.shared.db.decline_apply(req.applyuid, me);
        if !self.changing_views(&[me], declined).await? {
            return Err(ErrorCode::NoPendingApply.into());
        }
        self.send(&DeclineFriendRsp { error: 0, applyuid: req.applyuid })
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
        self.friends.insert(applicant.uid, std::time::Instant::now());
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

/// A friend as the wire shows them.
pub(super) fn friend_info(f: FriendRow) -> FriendInfo {
    FriendInfo {
        name: f.friend.name,
        uid: f.friend.uid,
        icon: f.friend.icon,
        nick: f.friend.nick,
        sex: f.friend.sex,
        desc: f.friend.desc,
        back: f.back,
    }
}

/// A friend request as the wire shows it.
pub(super) fn apply_info(a: ApplyRow) -> ApplyInfo {
    ApplyInfo {
        name: a.from.name,
        uid: a.from.uid,
        icon: a.from.icon,
        nick: a.from.nick,
        sex: a.from.sex,
        desc: a.descs,
        status: a.status,
    }
}
