//! TLS to a PostgreSQL server, with rustls, as libpq's `sslmode` says:
//! `disable` (plain text), `prefer` (the default: encrypted when the server
//! offers it), `require` (encrypted or nothing) and `verify-full` (encrypted,
//! and the certificate checked against the public certificate authorities and
//! the host name). `prefer` and `require` do not check the certificate, as
//! libpq does not: they keep the rows from being read on the way, not from a
//! server that impersonates the database.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{ChannelBinding, TlsConnect};

/// What the URL's `sslmode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

impl Mode {
    /// The mode tokio-postgres negotiates with (it knows no `verify-full`:
    /// that is `require` with a certificate check).
    pub fn ssl_mode(self) -> SslMode {
        match self {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyFull => SslMode::Require,
        }
    }
}

/// `url` without its `sslmode` parameter, and the mode it named (`prefer`
/// when none); or a reason that names the unknown mode, never the URL.
pub(crate) fn split_sslmode(url: &str) -> Result<(String, Mode), String> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Mode::Prefer));
    };
    let mut mode = Mode::Prefer;
    let mut kept = vec![];
    for param in query.split('&') {
        match param.strip_prefix("sslmode=") {
            Some(value) => {
                mode = match value {
                    "disable" => Mode::Disable,
                    "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(format!(
                            "the database URL's sslmode `{}` is not disable, prefer, require or verify-full",
                            other.chars().take(20).collect::<String>()
                        ));
                    }
                }
            }
            None => kept.push(param),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, mode))
}

/// The connector of one connection to `host` in `mode`.
pub(crate) fn connector(host: &str, mode: Mode) -> Result<Connect, String> {
    Ok(Connect {
        config: crate::tls::client(mode == Mode::VerifyFull)?,
        name: crate::tls::server_name(host)?,
    })
}

/// `stream` to `host`, encrypted as `mode` asks, as the protocol starts TLS:
/// an SSLRequest, the server's one-byte answer (`S`: it agrees; `N`: it
/// does not), then the handshake. `shown` names the server in messages.
#[cfg(feature = "postgres_source")]
pub(crate) async fn start(
    mut stream: tokio::net::TcpStream,
    host: &str,
    mode: Mode,
    shown: &str,
) -> Result<Box<dyn crate::wire::Io>, crate::ConnectorError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if mode == Mode::Disable {
        return Ok(Box::new(stream));
    }
    let lost = |e: io::Error| {
        crate::ConnectorError::upstream(format!("starting TLS with {shown}: {e}"), true)
    };
    // The SSLRequest: its length, 8, and the code 80877103.
    stream
        .write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
        .await
        .map_err(lost)?;
    let mut answer = [0u8];
    stream.read_exact(&mut answer).await.map_err(lost)?;
    match answer[0] {
        b'S' => match crate::tls::handshake(stream, host, mode == Mode::VerifyFull).await {
            Ok(tls) => Ok(Box::new(tls)),
            Err(crate::tls::Failed::Refused(why)) => Err(super::tls_refused(shown, mode, &why)),
            Err(crate::tls::Failed::Lost(e)) => Err(lost(e)),
        },
        b'N' if mode == Mode::Prefer => Ok(Box::new(stream)),
        b'N' => Err(super::tls_refused(
            shown,
            mode,
            "the server does not offer TLS",
        )),
        _ => Err(crate::ConnectorError::upstream(
            format!("starting TLS with {shown}: the server answered neither yes nor no"),
            false,
        )),
    }
}

/// Starts TLS on a connection when the server agrees to it.
pub(crate) struct Connect {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await?;
            Ok(Stream(Box::new(tls)))
        })
    }
}

/// An encrypted connection.
pub(crate) struct Stream<S>(Box<tokio_rustls::client::TlsStream<S>>);

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for Stream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM without channel binding, as libpq's default `prefer` allows.
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

/// Why the login's TLS handshake failed, when it did (a certificate that
/// does not check out, a server without TLS): retrying will not change it.
pub(crate) fn refusal(e: &tokio_postgres::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = crate::tls::rustls_error(s) {
            return Some(r.to_string());
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("server does not support TLS")
        .then(|| "the server does not offer TLS".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_read_and_taken_out_of_the_url() {
        let (url, mode) = split_sslmode("postgres://u:p@db.example.com:5432/app").expect("ok");
        assert_eq!(
            (url.as_str(), mode),
            ("postgres://u:p@db.example.com:5432/app", Mode::Prefer)
        );
        let (url, mode) =
            split_sslmode("postgres://u:p@db/app?sslmode=verify-full&application_name=x")
                .expect("ok");
        assert_eq!(
            (url.as_str(), mode),
            ("postgres://u:p@db/app?application_name=x", Mode::VerifyFull)
        );
        let (url, mode) = split_sslmode("postgres://u:p@db/app?sslmode=disable").expect("ok");
        assert_eq!(
            (url.as_str(), mode),
            ("postgres://u:p@db/app", Mode::Disable)
        );
        let err = split_sslmode("postgres://u:s3cr3t@db/app?sslmode=verify-ca").expect_err("no");
        assert!(
            err.contains("verify-ca") && !err.contains("s3cr3t"),
            "{err}"
        );
    }

    #[test]
    fn a_connector_is_made_for_names_and_addresses() {
        for mode in [Mode::Prefer, Mode::Require, Mode::VerifyFull] {
            connector("db.example.com", mode).expect("a name");
            connector("127.0.0.1", mode).expect("an address");
        }
    }
}
