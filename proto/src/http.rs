//! Gate server HTTP bodies (llfc-wire.md §1.2). Field names are llfc's, including its spelling
//! (`varifycode`). Requests tolerate extra fields (the Qt client sends `sex` and `nick`).

use serde::{Deserialize, Serialize};

pub const ROUTE_GET_VARIFY_CODE: &str = "/get_varifycode";
pub const ROUTE_USER_REGISTER: &str = "/user_register";
pub const ROUTE_RESET_PWD: &str = "/reset_pwd";
pub const ROUTE_USER_LOGIN: &str = "/user_login";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarifyCodeReq {
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarifyCodeRsp {
    pub error: i32,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReq {
    pub email: String,
    pub user: String,
    /// The credential string exactly as the client sends it (llfc clients XOR-obfuscate it).
    pub passwd: String,
    pub confirm: String,
    pub varifycode: String,
    #[serde(default)]
    pub icon: String,
}

/// Echoes the request like llfc, except that `passwd`/`confirm` are always `""`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRsp {
    pub error: i32,
    #[serde(default)]
    pub uid: i32,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub passwd: String,
    #[serde(default)]
    pub confirm: String,
    #[serde(default)]
    pub icon: String,
    #[serde(default)]
    pub varifycode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPwdReq {
    pub email: String,
    pub user: String,
    pub passwd: String,
    pub varifycode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPwdRsp {
    pub error: i32,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub passwd: String,
    #[serde(default)]
    pub varifycode: String,
}

/// `passwd` is the credential as llfc's client sends it (`credential::llfc_form`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginReq {
    pub email: String,
    pub passwd: String,
}

/// Carries both llfc key sets: `host`/`port` (master) and `chathost`/`chatport`/`reshost`/
/// `resport` (Season_2). Ports are strings, as in llfc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRsp {
    pub error: i32,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub uid: i32,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: String,
    #[serde(default)]
    pub chathost: String,
    #[serde(default)]
    pub chatport: String,
    #[serde(default)]
    pub reshost: String,
    #[serde(default)]
    pub resport: String,
    /// imchat: the chat server's TLS port, when it has one (same host as `chathost`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chattlsport: String,
    /// imchat: the resource server's TLS port, when it has one (same host as `reshost`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub restlsport: String,
}

impl LoginRsp {
    /// The chat server's TLS `host:port`, when the reply names one.
    pub fn chat_tls_addr(&self) -> Option<String> {
        let host = if self.chathost.is_empty() { &self.host } else { &self.chathost };
        (!host.is_empty() && !self.chattlsport.is_empty()).then(|| format!("{host}:{}", self.chattlsport))
    }

    /// The chat server's `host:port`: Season_2's keys, else master's (llfc's master gate sends
    /// only `host`/`port`). `None` when the reply names none.
    pub fn chat_addr(&self) -> Option<String> {
        [(&self.chathost, &self.chatport), (&self.host, &self.port)]
            .into_iter()
            .find(|(host, port)| !host.is_empty() && !port.is_empty())
            .map(|(host, port)| format!("{host}:{port}"))
    }

    /// The resource server's TLS `host:port`, when the reply names one.
    pub fn res_tls_addr(&self) -> Option<String> {
        (!self.reshost.is_empty() && !self.restlsport.is_empty() && self.restlsport != "0")
            .then(|| format!("{}:{}", self.reshost, self.restlsport))
    }

    /// The resource server's `host:port` (Season_2's `reshost`/`resport`); `None` when the
    /// reply names none (llfc's master has no resource server).
    pub fn res_addr(&self) -> Option<String> {
        (!self.reshost.is_empty() && !self.resport.is_empty() && self.resport != "0")
            .then(|| format!("{}:{}", self.reshost, self.resport))
    }
}

/// The body of every failed request: `{"error": code, "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRsp {
    pub error: i32,
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::LoginRsp;

    #[test]
    fn chat_addr_reads_either_llfc_key_set() {
        let season2: LoginRsp =
            serde_json::from_str(r#"{"error":0,"uid":1,"chathost":"10.0.0.1","chatport":"8090"}"#).unwrap();
        assert_eq!(season2.chat_addr().as_deref(), Some("10.0.0.1:8090"));
        let master: LoginRsp = serde_json::from_str(r#"{"error":0,"uid":1,"host":"10.0.0.2","port":"8990"}"#).unwrap();
        assert_eq!(master.chat_addr().as_deref(), Some("10.0.0.2:8990"));
        let none: LoginRsp = serde_json::from_str(r#"{"error":0}"#).unwrap();
        assert_eq!(none.chat_addr(), None);
        assert_eq!(none.res_addr(), None);
        let res: LoginRsp = serde_json::from_str(r#"{"error":0,"reshost":"10.0.0.3","resport":"8094"}"#).unwrap();
        assert_eq!(res.res_addr().as_deref(), Some("10.0.0.3:8094"));
    }
}
