//! The gate server: llfc's HTTP/JSON API (`/get_varifycode`, `/user_register`, `/reset_pwd`,
//! `/user_login`), plus `/healthz` and `/metrics`. Known routes always answer HTTP 200 with an
//! `error` field, as llfc clients expect; bodies are parsed by hand so malformed JSON gets
//! `{"error":1001}` rather than a framework rejection.

mod edge;
mod limits;
mod metrics;
mod password;
mod routes;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::status_service_client::StatusServiceClient;
use imchat_proto::grpc::varify_service_client::VarifyServiceClient;
use imchat_rpc::Authed;
use imchat_store::codes::CodePolicy;
use imchat_store::{Db, Kv};
use tokio::net::TcpListener;

pub use edge::EdgeLimits;
pub use limits::RateLimits;
pub use password::load_test_hash;

/// Largest request body accepted (bytes); larger requests get 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Deadline for one request end to end (llfc: 60 s per connection).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Gate configuration.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// The resource server handed to Season_2 clients at login (`reshost`/`resport`).
    pub res_host: String,
    pub res_port: u16,
    /// Its TLS port, named to TLS-capable clients as `restlsport` (0: none).
    pub res_tls_port: u16,
    pub limits: RateLimits,
    pub codes: CodePolicy,
    pub edge: EdgeLimits,
}

/// Everything the gate needs.
#[derive(Debug, Clone)]
pub struct GateDeps {
    pub db: Db,
    pub kv: Kv,
    /// All carry the deployment's secret (see `imchat_rpc`); `admin` is the status server's
    /// operator API, for ending the sessions of a password reset.
    pub verify: VarifyServiceClient<Authed>,
    pub status: StatusServiceClient<Authed>,
    pub admin: AdminServiceClient<Authed>,
}

pub(crate) struct AppState {
    config: GateConfig,
    deps: GateDeps,
    limiter: limits::Limiter,
    metrics: metrics::Metrics,
    hasher: password::Hasher,
}

/// The gate's router (tests drive it directly).
pub fn app(config: GateConfig, deps: GateDeps) -> Router {
    let state = Arc::new(AppState {
        limiter: limits::Limiter::new(&config.limits),
        metrics: metrics::Metrics::default(),
        hasher: password::Hasher::default(),
        config,
        deps,
    });
    routes::router(state)
}

/// Serves the gate on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    config: GateConfig,
    deps: GateDeps,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let edge = config.edge.clone();
    edge::serve(listener, app(config, deps), edge, shutdown).await
}
