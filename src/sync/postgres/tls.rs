//! TLS to the server through rustls (no OpenSSL), with libpq's `sslmode` meanings: `prefer` and
//! `require` encrypt without checking the certificate unless `sslrootcert` names a CA (then as
//! `verify-ca`); `verify-ca` checks the chain to that CA; `verify-full` also the host name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use super::url::{PgUrl, SslMode};
use crate::error::RepError;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The CA file: `sslrootcert`, else `~/.postgresql/root.crt` when it exists (libpq's default).
fn root_cert_path(url: &PgUrl) -> Option<PathBuf> {
    if let Some(path) = &url.sslrootcert {
        return Some(path.clone());
    }
    let default = directories::BaseDirs::new()?
        .home_dir()
        .join(".postgresql/root.crt");
    default.is_file().then_some(default)
}

fn load_roots(path: &Path) -> anyhow::Result<RootCertStore> {
    let cannot = |why: String| {
        RepError::environment(format!("cannot read the CA file {}: {why}", path.display()))
            .with_hint(
                "sslrootcert= names a PEM file of the CA that signed the server's certificate",
            )
    };
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| cannot(e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| cannot(e.to_string()))?;
        roots.add(cert).map_err(|e| cannot(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(cannot("it holds no certificate".into()).into());
    }
    Ok(roots)
}

/// The rustls configuration for `url`, `None` for `sslmode=disable`.
pub fn client_config(url: &PgUrl) -> anyhow::Result<Option<rustls::ClientConfig>> {
    let roots = match (url.sslmode, root_cert_path(url)) {
        (SslMode::Disable, _) => return Ok(None),
        (_, Some(path)) => Some(load_roots(&path)?),
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(RepError::environment(format!(
                "sslmode={} needs the CA that signed the server's certificate",
                if url.sslmode == SslMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            ))
            .with_hint("add sslrootcert=/path/to/ca.pem to the remote URL (`rep remote set`)")
            .into());
        }
        (_, None) => None,
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?;
    let config = match roots {
        Some(roots) if url.sslmode == SslMode::VerifyFull => {
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Some(roots) => {
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyName { webpki }))
                .with_no_client_auth()
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified {
                provider: provider(),
            }))
            .with_no_client_auth(),
    };
    Ok(Some(config))
}

/// `verify-ca`: the chain must lead to the CA; the name in the certificate is not checked.
#[derive(Debug)]
struct AnyName {
    webpki: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a CA: encrypted, the certificate taken as it comes (libpq's
/// meaning of these modes). The handshake's signatures are still checked, so the session is
/// with the holder of the certificate's key.
#[derive(Debug)]
struct Unverified {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
