//! TLS to the database servers a project names, with rustls over ring: the
//! client configuration of a mode that checks the server's identity (against
//! the public certificate authorities and the host name) or one that only
//! encrypts, and the handshake over a connection the protocol has readied.

use std::io;
use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// Accepts any certificate the server shows, while still checking that the
/// server holds its key: encryption without identity (`prefer`, `require`).
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The rustls error `e` is, or the I/O error `e` carries.
pub(crate) fn rustls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    e.downcast_ref::<rustls::Error>().or_else(|| {
        e.downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    })
}

/// A client configuration: the server's certificate checked against the
/// public certificate authorities when `verify`, else any certificate taken
/// (the server still proves it holds its key).
pub(crate) fn client(verify: bool) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("setting up TLS: {e}"))?;
    Ok(Arc::new(if verify {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth()
    }))
}

/// `host` as the name TLS checks (a host name or an address).
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_string())
        .map_err(|_| format!("`{host}` is not a host name TLS can check"))
}

#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
/// Why a handshake failed: the server or its certificate refused (retrying
/// will not change it), or the connection was lost.
pub(crate) enum Failed {
    Refused(String),
    Lost(io::Error),
}

#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
/// The TLS handshake with `host` over `stream`, as [`client`] says.
pub(crate) async fn handshake(
    stream: tokio::net::TcpStream,
    host: &str,
    verify: bool,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, Failed> {
    let config = client(verify).map_err(Failed::Refused)?;
    let name = server_name(host).map_err(Failed::Refused)?;
    tokio_rustls::TlsConnector::from(config)
        .connect(name, stream)
        .await
        .map_err(|e| match rustls_error(&e) {
            Some(why) => Failed::Refused(why.to_string()),
            None => Failed::Lost(e),
        })
}
