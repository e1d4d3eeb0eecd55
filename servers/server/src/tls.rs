//! TLS for the public ports (the gate's HTTPS, the chat servers' TLS port): the server's
//! certificate chain and key from PEM files, on rustls with the ring provider, and the
//! self-signed pair that `imchat-server all --tls` makes when it has none.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A server config for the chain in `cert` and the key in `key` (PEM), offering `alpn`.
pub fn server_config(cert: &Path, key: &Path, alpn: &[&[u8]]) -> anyhow::Result<Arc<ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read the certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("cannot read the key {}", key.display()))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate and key do not go together")?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// `<dir>/cert.pem` and `<dir>/key.pem`, made (self-signed, for `hosts`) when either is
/// missing. The key is readable by its owner only.
pub fn self_signed(dir: &Path, hosts: &[String]) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        // A key made before (or copied in) with a looser mode is its owner's alone again.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make {} private", key.display()))?;
        }
        return Ok((cert, key));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(hosts.to_vec()).context("cannot make a certificate")?;
    std::fs::write(&cert, made.cert.pem()).with_context(|| format!("cannot write {}", cert.display()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(
        &mut options.open(&key).with_context(|| format!("cannot write {}", key.display()))?,
        made.signing_key.serialize_pem().as_bytes(),
    )?;
    Ok((cert, key))
}

/// The names a self-signed certificate covers: loopback, and the host clients are told.
pub fn hosts_for(advertise_host: &str) -> Vec<String> {
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if !hosts.iter().any(|h| h == advertise_host) && !advertise_host.is_empty() && advertise_host != "0.0.0.0" {
        hosts.push(advertise_host.to_owned());
    }
    hosts
}
