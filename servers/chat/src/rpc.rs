//! `ChatService`: what peer chat servers (and llfc's original servers) call on this one.
//! Every call only touches local sessions; a user not connected here is reported missing.
//! A push waits for room in its recipient's queue, so a call returns once its pushes are
//! queued: that is how a busy recipient slows the peer that sends to it.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::stream::BoxStream;
use imchat_proto::codec;
use imchat_proto::grpc::chat_service_server::{ChatService, ChatServiceServer};
use imchat_proto::grpc::*;
use imchat_proto::msg::{self, AuthChatData, Message};
use imchat_rpc::RequireSecret;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::Shared;

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    let require = RequireSecret::new(shared.config.secret.clone());
    let result = tonic::transport::Server::builder()
        .add_service(ChatServiceServer::with_interceptor(Peer(shared, stop.clone()), require))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), stop.cancelled_owned())
        .await;
    if let Err(err) = result {
        tracing::error!(%err, "peer rpc server failed");
    }
}

/// The service, and the server's stop: open `DeliverStream`s end at it (between requests),
/// or a graceful shutdown would wait for peers that keep them open.
struct Peer(Arc<Shared>, CancellationToken);

impl Peer {
    async fn push<M: Message>(&self, uid: i32, message: &M) -> bool {
        let mut buf = BytesMut::new();
        match message.encode(&mut buf) {
            Ok(()) => self.0.router.push_local(uid, buf.freeze()).await,
            Err(err) => {
                tracing::warn!(%err, uid, "peer push too large to frame");
                false
            }
        }
    }
}

#[tonic::async_trait]
impl ChatService for Peer {
    async fn notify_add_friend(&self, request: Request<AddFriendReq>) -> Result<Response<AddFriendRsp>, Status> {
        let req = request.into_inner();
        self.push(
            req.touid,
            &msg::NotifyAddFriend {
                error: 0,
                applyuid: req.applyuid,
                name: req.name,
                desc: req.desc,
                icon: req.icon,
                sex: req.sex,
                nick: req.nick,
            },
        )
        .await;
        Ok(Response::new(AddFriendRsp { error: 0, applyuid: req.applyuid, touid: req.touid }))
    }

    async fn rply_add_friend(&self, _: Request<RplyFriendReq>) -> Result<Response<RplyFriendRsp>, Status> {
        Err(Status::unimplemented("RplyAddFriend is declared by llfc but never implemented"))
    }

    async fn send_chat_msg(&self, _: Request<SendChatMsgReq>) -> Result<Response<SendChatMsgRsp>, Status> {
        Err(Status::unimplemented("SendChatMsg is declared by llfc but never implemented"))
    }

    async fn notify_auth_friend(&self, request: Request<AuthFriendReq>) -> Result<Response<AuthFriendRsp>, Status> {
        let req = request.into_inner();
        let approver = self.0.db.user_by_uid(req.fromuid).await.map_err(|err| Status::internal(err.to_string()))?;
        let Some(approver) = approver else {
            return Err(Status::not_found("unknown approver"));
        };
        let now = imchat_proto::time::format_chat_time(imchat_store::now_ms());
        let chat_datas = req
            .textmsgs
            .iter()
            .map(|m| AuthChatData {
                sender: m.sender_id,
                msg_id: i64::from(m.msg_id),
                thread_id: i64::from(m.thread_id),
                unique_id: m.unique_id.clone(),
                msg_content: m.msgcontent.clone(),
                chat_time: now.clone(),
                status: m.status,
                seq: 0,
            })
            .collect();
        self.push(
            req.touid,
            &msg::NotifyAuthFriend {
                error: 0,
                fromuid: req.fromuid,
                touid: req.touid,
                name: approver.name,
                nick: approver.nick,
                icon: approver.icon,
                sex: approver.sex,
                chat_datas,
            },
        )
        .await;
        Ok(Response::new(AuthFriendRsp { error: 0, fromuid: req.fromuid, touid: req.touid }))
    }

    async fn notify_text_chat_msg(&self, request: Request<TextChatMsgReq>) -> Result<Response<TextChatMsgRsp>, Status> {
        let req = request.into_inner();
        let chat_datas = req
            .textmsgs
            .iter()
            .map(|m| msg::TextChatData {
                message_id: i64::from(m.msg_id),
                unique_id: m.unique_id.clone(),
                content: m.msgcontent.clone(),
                status: imchat_store::MSG_STATUS_READ,
                chat_time: m.chat_time.clone(),
                seq: 0,
                ..msg::TextChatData::default()
            })
            .collect();
        self.push(
            req.touid,
            &msg::NotifyTextChat {
                error: 0,
                fromuid: req.fromuid,
                touid: req.touid,
                thread_id: i64::from(req.thread_id),
                chat_datas,
            },
        )
        .await;
        Ok(Response::new(TextChatMsgRsp {
            error: 0,
            fromuid: req.fromuid,
            touid: req.touid,
            thread_id: req.thread_id,
            textmsgs: req.textmsgs,
        }))
    }

    async fn notify_kick_user(&self, request: Request<KickUserReq>) -> Result<Response<KickUserRsp>, Status> {
        let req = request.into_inner();
        let reason = if req.reason.is_empty() { "logged in elsewhere" } else { req.reason.as_str() };
        let session = (!req.session.is_empty()).then_some(req.session.as_str());
        let found = self.0.router.kick_local(req.uid, session, reason) > 0;
        Ok(Response::new(KickUserRsp { error: 0, uid: req.uid, found }))
    }

    /// llfc's ResourceServer calls this on the recipient's server when a picture is uploaded
    /// (imchat's own sends a `Deliver` fan-out instead): the recipient's 1039, from the stored
    /// message and file.
    async fn notify_chat_img_msg(
        &self,
        request: Request<NotifyChatImgReq>,
    ) -> Result<Response<NotifyChatImgRsp>, Status> {
        let req = request.into_inner();
        let db = &self.0.db;
        let failed = |err: imchat_store::StoreError| Status::internal(err.to_string());
        let message = db.message(i64::from(req.message_id)).await.map_err(failed)?;
        let Some(message) = message.filter(|m| m.receiver == req.to_uid) else {
            return Err(Status::not_found("no such picture message for this recipient"));
        };
        let file = db.file_of_message(message.message_id).await.map_err(failed)?;
        let (name, size) = match &file {
            Some(file) => (file.name.clone(), file.size.max(0)),
            None => (message.content.clone(), req.total_size),
        };
        self.push(
            req.to_uid,
            &msg::res::NotifyImgChat {
                error: 0,
                message_id: message.message_id,
                sender_id: message.sender,
                receiver_id: message.receiver,
                img_name: name.clone(),
                total_size: size.to_string(),
                thread_id: message.thread_id,
                seq: message.seq,
                msg_type: message.msg_type,
                mime: file.as_ref().map(|f| f.mime.clone()).unwrap_or_default(),
                label: file.as_ref().map(|f| f.label.clone()).unwrap_or_default(),
                thumb_size: file.as_ref().map_or(0, |f| f.thumb_size),
                chat_time: imchat_proto::time::format_chat_time(message.created_at),
            },
        )
        .await;
        Ok(Response::new(NotifyChatImgRsp {
            error: 0,
            from_uid: message.sender,
            to_uid: req.to_uid,
            message_id: req.message_id,
            file_name: name,
            total_size: size,
            thread_id: req.thread_id,
        }))
    }

    /// Checks every frame first (a bad call pushes nothing), then pushes each recipient's frames
    /// in order, the recipients side by side: one busy recipient does not hold up the others.
    async fn deliver(&self, request: Request<DeliverReq>) -> Result<Response<DeliverRsp>, Status> {
        deliver(&self.0, request.into_inner()).await.map(Response::new)
    }

    type DeliverStreamStream = BoxStream<'static, Result<DeliverRsp, Status>>;

    /// Each request answered in order, on the stream's own task: the next is read only once
    /// the last one's pushes are queued, so a slow recipient slows the stream as it slows a
    /// call. A request that does not decode, or a bad frame, ends the stream with an error;
    /// this server stopping ends it cleanly, and only while it waits for a request (so a
    /// clean end tells the caller its unanswered request was not taken).
    async fn deliver_stream(
        &self,
        request: Request<tonic::Streaming<DeliverReq>>,
    ) -> Result<Response<Self::DeliverStreamStream>, Status> {
        let (shared, stop) = (self.0.clone(), self.1.clone());
        let answers = futures_util::stream::unfold(Some(request.into_inner()), move |inbound| {
            let (shared, stop) = (shared.clone(), stop.clone());
            async move {
                let mut inbound = inbound?;
                let next = tokio::select! {
                    next = inbound.message() => next,
                    () = stop.cancelled() => return None,
                };
                let answer = match next {
                    Ok(Some(req)) => deliver(&shared, req).await,
                    Ok(None) => return None,
                    Err(status) => Err(status),
                };
                let more = answer.is_ok().then_some(inbound);
                Some((answer, more))
            }
        });
        Ok(Response::new(Box::pin(answers)))
    }

    async fn group_changed(&self, request: Request<GroupChangedReq>) -> Result<Response<GroupChangedRsp>, Status> {
        self.0.groups.forget(request.into_inner().thread_id);
        Ok(Response::new(GroupChangedRsp {}))
    }

    async fn friends_changed(
        &self,
        request: Request<FriendsChangedReq>,
    ) -> Result<Response<FriendsChangedRsp>, Status> {
        for pair in request.into_inner().uids.chunks_exact(2) {
            self.0.friendships.ended(pair[0], pair[1]);
        }
        Ok(Response::new(FriendsChangedRsp {}))
    }

    async fn routes_changed(&self, request: Request<RoutesChangedReq>) -> Result<Response<RoutesChangedRsp>, Status> {
        self.0.router.routes_changed(&request.into_inner().uids);
        Ok(Response::new(RoutesChangedRsp {}))
    }

    async fn list_groups(&self, request: Request<ListGroupsReq>) -> Result<Response<ListGroupsRsp>, Status> {
        crate::admin::list_groups(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn show_group(&self, request: Request<ShowGroupReq>) -> Result<Response<ShowGroupRsp>, Status> {
        crate::admin::show_group(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn list_group_members(
        &self,
        request: Request<ListGroupMembersReq>,
    ) -> Result<Response<ListGroupMembersRsp>, Status> {
        crate::admin::list_group_members(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn disband_group(&self, request: Request<DisbandGroupReq>) -> Result<Response<DisbandGroupRsp>, Status> {
        crate::admin::disband_group(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn file_usage(&self, request: Request<FileUsageReq>) -> Result<Response<FileUsageRsp>, Status> {
        crate::admin::file_usage(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn list_files(&self, request: Request<ListFilesReq>) -> Result<Response<ListFilesRsp>, Status> {
        crate::admin::list_files(&self.0, request.into_inner()).await.map(Response::new)
    }

    async fn delete_file(&self, request: Request<DeleteFileReq>) -> Result<Response<DeleteFileRsp>, Status> {
        crate::admin::delete_file(&self.0, request.into_inner()).await.map(Response::new)
    }
}

/// One `Deliver` request: its frames pushed to their recipients here (each recipient's in
/// order), answered once all are queued with the recipients this server does not have.
async fn deliver(shared: &Shared, req: DeliverReq) -> Result<DeliverRsp, Status> {
    let mut order: Vec<i32> = Vec::new();
    let mut by_uid: HashMap<i32, Vec<Bytes>> = HashMap::new();
    let DeliverReq { frames, fanouts } = req;
    let mut add = |touid: i32, frame: Bytes| {
        by_uid
            .entry(touid)
            .or_insert_with(|| {
                order.push(touid);
                Vec::new()
            })
            .push(frame);
    };
    let encoded = |msg_id: u32, body: &[u8]| codec::peer_frame(msg_id, body).map_err(Status::invalid_argument);
    for frame in frames {
        add(frame.touid, encoded(frame.msg_id, &frame.body)?);
    }
    // One encoded frame shared by every recipient of a fan-out.
    for fanout in fanouts {
        let frame = encoded(fanout.msg_id, &fanout.body)?;
        for touid in fanout.touids {
            add(touid, frame.clone());
        }
    }
    let router = &shared.router;
    let pushed = order.into_iter().map(|uid| {
        let frames = by_uid.remove(&uid).unwrap_or_default();
        async move {
            for frame in frames {
                if !router.push_local(uid, frame).await {
                    return Some(uid);
                }
            }
            None
        }
    });
    let missing_uids = futures_util::future::join_all(pushed).await.into_iter().flatten().collect();
    Ok(DeliverRsp { missing_uids })
}
