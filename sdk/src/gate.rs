//! HTTP(S) client for the gate's llfc routes. Passwords are taken as typed and sent in llfc's
//! form (`imchat_proto::credential`), as llfc's Qt client sends them, so one account works from
//! every client and against llfc's own gate. An `https://` gate is verified against the system's
//! roots and the CA certificates of a [`ClientTls`].

use std::time::Duration;

use imchat_proto::credential::llfc_form;
use imchat_proto::http::{
    self, LoginReq, LoginRsp, RegisterReq, RegisterRsp, ResetPwdReq, ResetPwdRsp, VarifyCodeReq, VarifyCodeRsp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::tls::ClientTls;
use crate::{ChatClient, Event, SdkError, decode_reply};

/// How long one gate request may take.
pub const GATE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long an idle connection to the gate is kept for the next request: below the gate's
/// default header timeout (10 s), so the client drops it before the gate does and no request
/// races the gate's close.
pub const GATE_IDLE: Duration = Duration::from_secs(5);

/// A gate client for `base` (e.g. `http://127.0.0.1:8080`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct GateClient {
    base: String,
    http: reqwest::Client,
    tls: ClientTls,
}

impl GateClient {
    /// A client trusting the system's roots.
    pub fn new(base: &str) -> Result<GateClient, SdkError> {
        GateClient::with_tls(base, &ClientTls::new(None)?)
    }

    /// A client for an `https://` gate whose certificate `tls` trusts.
    pub fn with_tls(base: &str, tls: &ClientTls) -> Result<GateClient, SdkError> {
        crate::tls::install_default_provider();
        let http = reqwest::Client::builder()
            .timeout(GATE_TIMEOUT)
            .pool_idle_timeout(GATE_IDLE)
            .tls_backend_preconfigured(tls.http())
            .build()?;
        Ok(GateClient { base: base.trim_end_matches('/').to_owned(), http, tls: tls.clone() })
    }

    /// Whether this gate is reached over HTTPS.
    pub fn is_https(&self) -> bool {
        self.base.starts_with("https://")
    }

    /// A chat connection to the server `login` names: over TLS when this gate is HTTPS
    /// (whoever chose TLS for the login wants it for the chat), else plain (llfc's servers
    /// have no TLS). An HTTPS gate whose login names no TLS chat port is an error: the token
    /// is never sent in clear (review 3, N19). Returns the address connected to.
    pub async fn connect_chat(
        &self,
        login: &LoginRsp,
    ) -> Result<(ChatClient, tokio::sync::mpsc::Receiver<Event>, String), SdkError> {
        if self.is_https() {
            let Some(addr) = login.chat_tls_addr() else {
                return Err(SdkError::Tls(
                    "the gate is HTTPS but its chat server has no TLS port; the token is not sent in clear".into(),
                ));
            };
            let (chat, events) = ChatClient::connect_tls(&addr, &self.tls).await?;
            return Ok((chat, events, addr));
        }
        let addr = login.chat_addr().ok_or_else(|| SdkError::Decode("the gate named no chat server".into()))?;
        let (chat, events) = ChatClient::connect(&addr).await?;
        Ok((chat, events, addr))
    }

    /// Where the resource server `login` names is, and how to reach it: over TLS when this
    /// gate is HTTPS (whoever chose TLS for the login wants it for the token and the files
    /// too), else plain. `Ok(None)`: the login names no resource server (llfc's master). An
    /// HTTPS gate whose login names no TLS resource port is an error: the token is never
    /// sent in clear.
    pub fn res_place(&self, login: &LoginRsp) -> Result<Option<crate::files::ResPlace>, SdkError> {
        if self.is_https() {
            return match (login.res_tls_addr(), login.res_addr()) {
                (Some(addr), _) => Ok(Some(crate::files::ResPlace { addr, tls: Some(self.tls.clone()) })),
                (None, Some(_)) => Err(SdkError::Tls(
                    "the gate is HTTPS but its resource server has no TLS port; the token is not sent in clear".into(),
                )),
                (None, None) => Ok(None),
            };
        }
        Ok(login.res_addr().map(|addr| crate::files::ResPlace { addr, tls: None }))
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

    /// Registers; `passwd` and `confirm` as typed.
    pub async fn register(&self, req: &RegisterReq) -> Result<RegisterRsp, SdkError> {
        let sent = RegisterReq { passwd: llfc_form(&req.passwd), confirm: llfc_form(&req.confirm), ..req.clone() };
        self.post(http::ROUTE_USER_REGISTER, &sent).await
    }

    /// Sets a new password (as typed) with an emailed code.
    pub async fn reset_password(&self, req: &ResetPwdReq) -> Result<ResetPwdRsp, SdkError> {
        let sent = ResetPwdReq { passwd: llfc_form(&req.passwd), ..req.clone() };
        self.post(http::ROUTE_RESET_PWD, &sent).await
    }

    /// Logs in with the password as typed; the reply names the chat server
    /// ([`LoginRsp::chat_addr`]) and carries the chat token.
    pub async fn login(&self, email: &str, passwd: &str) -> Result<LoginRsp, SdkError> {
        self.post(http::ROUTE_USER_LOGIN, &LoginReq { email: email.to_owned(), passwd: llfc_form(passwd) }).await
    }
}
