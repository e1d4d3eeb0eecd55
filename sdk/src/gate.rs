//! HTTP client for the gate's llfc routes.

use std::time::Duration;

use imchat_proto::http::{
    self, LoginReq, LoginRsp, RegisterReq, RegisterRsp, ResetPwdReq, ResetPwdRsp, VarifyCodeReq, VarifyCodeRsp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{SdkError, decode_reply};

/// How long one gate request may take.
pub const GATE_TIMEOUT: Duration = Duration::from_secs(15);

/// A gate client for `base` (e.g. `http://127.0.0.1:8080`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct GateClient {
    base: String,
    http: reqwest::Client,
}

impl GateClient {
    pub fn new(base: &str) -> Result<GateClient, SdkError> {
        let http = reqwest::Client::builder().timeout(GATE_TIMEOUT).build()?;
        Ok(GateClient { base: base.trim_end_matches('/').to_owned(), http })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn post<Req: Serialize, Rsp: DeserializeOwned>(&self, route: &str, req: &Req) -> Result<Rsp, SdkError> {
        let url = format!("{}{route}", self.base);
        let rsp = self.http.post(&url).json(req).send().await?;
        let status = rsp.status();
        let body = rsp.bytes().await?;
        if !status.is_success() {
            return Err(SdkError::Decode(format!("{url} answered HTTP {status}")));
        }
        decode_reply(&body)
    }

    /// Asks for a verification code to be mailed to `email`.
    pub async fn request_code(&self, email: &str) -> Result<VarifyCodeRsp, SdkError> {
        self.post(http::ROUTE_GET_VARIFY_CODE, &VarifyCodeReq { email: email.to_owned() }).await
    }

    pub async fn register(&self, req: &RegisterReq) -> Result<RegisterRsp, SdkError> {
        self.post(http::ROUTE_USER_REGISTER, req).await
    }

    pub async fn reset_password(&self, req: &ResetPwdReq) -> Result<ResetPwdRsp, SdkError> {
        self.post(http::ROUTE_RESET_PWD, req).await
    }

    /// Logs in; the reply names the chat server and carries the chat token.
    pub async fn login(&self, email: &str, passwd: &str) -> Result<LoginRsp, SdkError> {
        self.post(http::ROUTE_USER_LOGIN, &LoginReq { email: email.to_owned(), passwd: passwd.to_owned() }).await
    }
}
