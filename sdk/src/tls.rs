//! TLS for the clients: one rustls configuration (ring) that trusts the system's roots plus
//! any CA certificates a user names (`--ca-cert`, for a self-signed deployment), shared by
//! the gate's HTTPS and the chat servers' TLS ports.

use std::path::Path;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::SdkError;

/// Makes ring the process's rustls provider, for code that asks for the default (reqwest's
/// builder does). Calling it again does nothing.
pub fn install_default_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client TLS configuration. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ClientTls {
    config: Arc<ClientConfig>,
}

impl ClientTls {
    /// The system's roots, plus the certificates in the PEM file `ca`, if given.
    pub fn new(ca: Option<&Path>) -> Result<ClientTls, SdkError> {
        let extra: Vec<CertificateDer<'static>> = match ca {
            Some(path) => CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<_, _>>())
                .map_err(|err| SdkError::Tls(format!("cannot read the CA certificate {}: {err}", path.display())))?,
            None => Vec::new(),
        };
        if ca.is_some() && extra.is_empty() {
            return Err(SdkError::Tls("the CA file holds no certificate".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
            .map_err(|err| SdkError::Tls(format!("cannot load the system's roots: {err}")))?;
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| SdkError::Tls(err.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(ClientTls { config: Arc::new(config) })
    }

    /// For reqwest: the same configuration, offering HTTP/1.1.
    pub(crate) fn http(&self) -> ClientConfig {
        let mut config = (*self.config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }

    pub(crate) fn connector(&self) -> tokio_rustls::TlsConnector {
        tokio_rustls::TlsConnector::from(self.config.clone())
    }
}

/// The name a server at `addr` (`host:port`, `[v6]:port`) must have in its certificate.
pub(crate) fn server_name(addr: &str) -> Result<rustls::pki_types::ServerName<'static>, SdkError> {
    let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host).trim_matches(['[', ']']);
    rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| SdkError::Tls(format!("{host} is not a host name")))
}
