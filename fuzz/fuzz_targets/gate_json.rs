//! Fuzz target for the gate's JSON bodies: arbitrary bytes are read as every route's request
//! (`/get_varifycode`, `/user_register`, `/reset_pwd`, `/user_login`) and, where they parse,
//! checked by the rules the gate applies (email normalised and checked, name, password,
//! icon, llfc's password form); and as every reply the SDK reads from a gate. Nothing panics.
//! Run: `cargo fuzz run -s none gate_json -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use imchat_proto::http::{
    ErrorRsp, LoginReq, LoginRsp, RegisterReq, RegisterRsp, ResetPwdReq, ResetPwdRsp, VarifyCodeReq, VarifyCodeRsp,
};
use imchat_proto::{credential, rules};
use libfuzzer_sys::fuzz_target;

fn email(text: &str) {
    let normalized = rules::normalize_email(text);
    let _ = rules::check_email(&normalized);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<VarifyCodeReq>(data) {
        email(&req.email);
    }
    if let Ok(req) = serde_json::from_slice::<RegisterReq>(data) {
        email(&req.email);
        let _ = rules::check_name(&req.user);
        let _ = rules::check_password(&req.passwd);
        let _ = req.icon.chars().count() > rules::MAX_ICON_CHARS;
        let _ = rules::default_icon(req.icon.len() as u8);
    }
    if let Ok(req) = serde_json::from_slice::<ResetPwdReq>(data) {
        email(&req.email);
        let _ = rules::check_password(&req.passwd);
    }
    if let Ok(req) = serde_json::from_slice::<LoginReq>(data) {
        email(&req.email);
        let _ = credential::llfc_form(&req.passwd);
    }
    // What a client reads back from a gate (an llfc one, or a hostile one).
    if let Ok(rsp) = serde_json::from_slice::<LoginRsp>(data) {
        let _ = (rsp.chat_addr(), rsp.chat_tls_addr(), rsp.res_addr(), rsp.res_tls_addr());
    }
    let _ = serde_json::from_slice::<VarifyCodeRsp>(data);
    let _ = serde_json::from_slice::<RegisterRsp>(data);
    let _ = serde_json::from_slice::<ResetPwdRsp>(data);
    let _ = serde_json::from_slice::<ErrorRsp>(data);
});
