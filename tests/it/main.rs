//! The one end-to-end test binary. Most scenarios run twice through [`both!`]: on the
//! embedded backends and on MariaDB + Redis + SMTP.

/// Runs the scenario `async fn $name(flavor: Flavor)` once per backend flavour.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$name(imchat_tests::Flavor::Embedded).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn production() {
                super::$name(imchat_tests::Flavor::Production).await
            }
        }
    };
}

/// Malformed frames and requests on the chat TCP port.
mod bad_frames;
/// Malformed and hostile HTTP requests to the gate; code limits.
mod bad_http;
/// Man pages and completions in the repository match the clap definitions.
mod codegen;
/// Flow control: slow readers slow their senders; given-up pushes are counted.
mod delivery;
/// The five-process deployment from the sample configs, with a chat server killed.
mod deployment;
/// Several devices per user: pushes to every session, own texts and read markers, policies.
mod devices;
/// The network edge as an attacker meets it: internal RPC refused without the secret.
mod edge;
/// Files through the resource server: llfc's flows byte for byte, refusals, S3 storage.
mod files;
/// Register → login → friends → chat across two servers, history, threads, heartbeat.
mod flow;
/// Friendships after they start: ended, blocked, remarked, across servers.
mod friends;
/// Gestures on sent messages: recall, edit, reactions.
mod gestures;
/// Groups across two servers: their life, what members read, every refusal, operators.
mod groups;
/// `imctl` against running clusters: scripted registration, kicks, tokens, servers, errors.
mod imctl;
/// imchat's SDK against an llfc-shaped server.
mod llfc_server;
/// Duplicate login kick, admin kick, crash of a chat server, offline delivery and sync.
mod presence;
/// What llfc's Season_2 Qt client sends, in its order; accounts shared with the SDK; kicks.
mod qt_client;
/// Replies' quotes and forwards of texts and files.
mod quotes;
/// Per-user rates of group changes and friend requests.
mod rates;
/// Read markers: unread counts right after a restart and on another device.
mod reads;
/// The resource port's door: caps, deadlines, wrong tokens, reply budgets, TLS.
mod res_door;
/// The SQL and key-value stores through their public API, on both backends.
mod stores;
/// Source-tree rules: crate layering, file headers.
mod tidy;
/// TLS end to end: the SDK, imctl and imchat-tui over HTTPS and the TLS chat ports.
mod tls;
/// `imchat-tui` in real terminals (tmux): two people register, befriend, chat, survive an outage.
mod tui;
/// A client written from llfc-wire.md alone: raw JSON over HTTP and hand-built frames.
mod wire;
