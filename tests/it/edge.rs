//! The network edge as an attacker meets it: every internal gRPC service refuses a caller
//! without the deployment's secret, or with another one, and goes on serving those with it.

use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::chat_service_client::ChatServiceClient;
use imchat_proto::grpc::status_service_client::StatusServiceClient;
use imchat_proto::grpc::varify_service_client::VarifyServiceClient;
use imchat_proto::grpc::{DeliverReq, Frame, GetChatServerReq, GetVarifyReq, ListTokensReq};
use imchat_rpc::Secret;
use imchat_tests::{Flavor, TestCluster};
use tonic::Code;

/// The four internal services, called as `secret` (none: no metadata at all); each call's
/// gRPC code, or `Ok`.
async fn call_all(cluster: &TestCluster, secret: Option<&Secret>) -> Vec<(&'static str, Result<(), Code>)> {
    let channel = |addr: String| {
        let channel = imchat_rpc::endpoint(&addr).unwrap().connect_lazy();
        let secret = secret.cloned().unwrap_or_else(|| Secret::new("not-sent-anyway-0123").unwrap());
        (channel.clone(), imchat_rpc::authed(channel, &secret))
    };
    let code = |result: Result<(), tonic::Status>| result.map_err(|status| status.code());
    let (status, verify) = (cluster.suite.status.to_string(), cluster.suite.verify.to_string());
    let peer = cluster.suite.chats[0].rpc_addr.to_string();
    let mut out = Vec::new();
    macro_rules! both_ways {
        ($name:literal, $client:ident, $addr:expr, |$c:ident| $call:expr) => {{
            let (plain, authed) = channel($addr);
            let result = match secret {
                Some(_) => {
                    let mut $c = $client::new(authed);
                    code($call.await.map(drop))
                }
                None => {
                    let mut $c = $client::new(plain);
                    code($call.await.map(drop))
                }
            };
            out.push(($name, result));
        }};
    }
    both_ways!("StatusService.GetChatServer", StatusServiceClient, status.clone(), |c| c
        .get_chat_server(GetChatServerReq { uid: 1 }));
    both_ways!("AdminService.ListTokens", AdminServiceClient, status.clone(), |c| c
        .list_tokens(ListTokensReq { pattern: String::new(), limit: 0 }));
    both_ways!("VarifyService.GetVarifyCode", VarifyServiceClient, verify.clone(), |c| c
        .get_varify_code(GetVarifyReq { email: "edge@example.com".into() }));
    both_ways!("ChatService.Deliver", ChatServiceClient, peer.clone(), |c| c.deliver(DeliverReq {
        frames: vec![Frame { touid: 1, msg_id: 1019, body: bytes::Bytes::from_static(b"{}") }],
    }));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_rpc_needs_the_deployments_secret() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let refused = |calls: Vec<(&'static str, Result<(), Code>)>| {
        for (name, result) in calls {
            assert_eq!(result, Err(Code::Unauthenticated), "{name}");
        }
    };
    refused(call_all(&cluster, None).await);
    refused(call_all(&cluster, Some(&Secret::new("a-guess-at-the-secret-0000").unwrap())).await);
    // With the secret every call is served (a token for uid 1, the token list, a code, a push
    // to nobody).
    for (name, result) in call_all(&cluster, Some(&cluster.suite.secret)).await {
        assert_eq!(result, Ok(()), "{name}");
    }
    // And the public door still works.
    let alice = cluster.register("alice").await;
    cluster.gate.login(&alice.email, &alice.password).await.expect("a login through the gate");
    cluster.shutdown().await;
}
