//! The verify server: gRPC `VarifyService.GetVarifyCode` mints a 6-digit code for an email
//! (see `imchat_store::codes` for the limits) and mails it, over SMTP or, in the embedded
//! default, as one `.eml` file per mail.

mod mail;

use std::future::Future;

use imchat_proto::ErrorCode;
use imchat_proto::grpc::varify_service_server::{VarifyService, VarifyServiceServer};
use imchat_proto::grpc::{GetVarifyReq, GetVarifyRsp};
use imchat_proto::rules;
use imchat_rpc::{RequireSecret, Secret};
use imchat_store::Kv;
use imchat_store::codes::{self, CodePolicy, Issue};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

pub use mail::{MailConfig, Mailer, SmtpTls};

/// Everything the verify role needs.
#[derive(Debug, Clone)]
pub struct Verify {
    pub kv: Kv,
    pub policy: CodePolicy,
    pub mailer: Mailer,
    /// Required of every caller (the gate).
    pub secret: Secret,
}

/// Serves `VarifyService` on `listener` until `shutdown` completes; a call without the
/// deployment's secret is refused.
pub async fn run(
    listener: TcpListener,
    verify: Verify,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let require = RequireSecret::new(verify.secret.clone());
    tonic::transport::Server::builder()
        .add_service(VarifyServiceServer::with_interceptor(verify, require))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}

fn reply(code: ErrorCode, email: String) -> Result<Response<GetVarifyRsp>, Status> {
    Ok(Response::new(GetVarifyRsp { error: code.code(), email, code: String::new() }))
}

#[tonic::async_trait]
impl VarifyService for Verify {
    async fn get_varify_code(&self, request: Request<GetVarifyReq>) -> Result<Response<GetVarifyRsp>, Status> {
        let email = rules::normalize_email(&request.into_inner().email);
        if rules::check_email(&email).is_err() {
            return reply(ErrorCode::InvalidArgument, email);
        }
        let code = match codes::issue(&self.kv, &self.policy, &email).await {
            Ok(Issue::Fresh(code)) => code,
            Ok(Issue::Throttled) => return reply(ErrorCode::TooManyRequests, email),
            Err(err) => {
                tracing::error!(%err, "verification code store failed");
                return reply(ErrorCode::Internal, email);
            }
        };
        if let Err(err) = self.mailer.send_code(&email, &code, self.policy.ttl).await {
            tracing::error!(%err, "sending the verification mail failed");
            return reply(ErrorCode::Internal, email);
        }
        tracing::info!(email = %email, "verification code sent");
        reply(ErrorCode::Success, email)
    }
}
