//! A session that reads `COPY … TO STDOUT` by the protocol's messages itself.
//!
//! tokio-postgres hands each message of a COPY to its caller as a `Bytes` of
//! its own, cut from a buffer the connection's task shares with it: for a
//! binary COPY that is a message, a reference count taken and released, and
//! a stream polled per row, about a sixth of a source's CPU. A reader's
//! session logs in with tokio-postgres (its authentication, SCRAM included),
//! then takes the connection back: messages are cut from one large buffer and
//! each COPY data message goes to the decoder where it lies.
//!
//! TLS is started here, before the login, as tokio-postgres would start it
//! (the protocol's SSLRequest, then the handshake): the connection lent to
//! tokio-postgres and taken back is then whole, encryption included.

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use sluice_domain::net::Egress;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_postgres::NoTls;
use tokio_postgres::config::SslMode;

use super::{answered, dial, login, parse, tls};
use crate::ConnectorError;
use crate::wire::{Inbox, Io};

/// A logged-in session, read by messages.
pub struct CopySession {
    io: Box<dyn Io>,
    inbox: Inbox,
    /// `host:port`, to name the server in messages.
    shown: String,
}

impl CopySession {
    /// A session logged in to the database `url` names, at an address `egress`
    /// allows, over TLS as its `sslmode` asks, `setup` run in it.
    pub async fn open(
        egress: &Egress,
        url: &str,
        setup: &str,
    ) -> Result<CopySession, ConnectorError> {
        let (mut config, mode) = parse(url)?;
        let (stream, host, shown) = dial(egress, &config).await?;
        let io = tls::start(stream, &host, mode, &shown).await?;
        // Encrypted already, or plain as the mode allows: tokio-postgres logs
        // in over the connection as it is.
        config.ssl_mode(SslMode::Disable);
        let lent = Arc::new(Mutex::new(Some(io)));
        let (client, connection) =
            login(&shown, mode, config.connect_raw(Lent(lent.clone()), NoTls)).await?;
        // The login ended with the server ready for a query, and neither has
        // been polled since: nothing of the connection is in their buffers.
        drop((client, connection));
        let io = lent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| {
                ConnectorError::upstream(
                    format!("logging in to {shown}: the connection was lost"),
                    true,
                )
            })?;
        let mut session = CopySession::over(io, shown);
        session
            .query(setup, "setting up the session", |_| Ok(()))
            .await?;
        Ok(session)
    }

    /// A session over `io`, logged in, nothing read yet.
    fn over(io: Box<dyn Io>, shown: String) -> CopySession {
        CopySession {
            io,
            inbox: Inbox::default(),
            shown,
        }
    }

    /// Runs `sql` (by the simple query protocol: statements without
    /// parameters) until the server is ready for the next; the bytes of each
    /// COPY data message go to `data`, whose error ends the session's use.
    /// The server's error, once it is ready again, says it was `step`.
    pub async fn query(
        &mut self,
        sql: &str,
        step: &str,
        mut data: impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), ConnectorError> {
        self.send(sql, step).await?;
        let mut failed = None;
        loop {
            let (tag, body) = self.message(step).await?;
            let body = self.inbox.get(body);
            match tag {
                b'd' => data(body).map_err(|why| ConnectorError::upstream(why, false))?,
                b'E' => failed = Some(server_error(step, body)),
                b'Z' => {
                    // A row larger than reads are: the buffer it took goes.
                    self.inbox.settle();
                    return failed.map_or(Ok(()), Err);
                }
                // The COPY's start and end, a statement's rows and end, and
                // what the server says on the side (notices, settings,
                // notifications).
                b'H' | b'c' | b'C' | b'T' | b'D' | b'I' | b'N' | b'S' | b'A' => {}
                other => {
                    return Err(ConnectorError::upstream(
                        format!(
                            "{step}: {} sent a message the reader does not expect ({:?})",
                            self.shown, other as char
                        ),
                        true,
                    ));
                }
            }
        }
    }

    /// Whether the session is open and idle: nothing read and not answered,
    /// and a read would wait (a closed connection would end at once).
    pub fn idle(&mut self) -> bool {
        crate::wire::idle(&mut *self.io, &self.inbox)
    }

    /// Sends `sql` as a Query message: its tag, its length, the text ended by
    /// a zero byte.
    async fn send(&mut self, sql: &str, step: &str) -> Result<(), ConnectorError> {
        let mut message = Vec::with_capacity(sql.len() + 6);
        message.push(b'Q');
        message.extend_from_slice(&(sql.len() as u32 + 5).to_be_bytes());
        message.extend_from_slice(sql.as_bytes());
        message.push(0);
        let sent = async {
            self.io.write_all(&message).await?;
            self.io.flush().await
        };
        sent.await.map_err(|e| self.lost(step, e))
    }

    /// The next message: its tag, and where its body is in the buffer.
    async fn message(&mut self, step: &str) -> Result<(u8, Range<usize>), ConnectorError> {
        loop {
            let unread = self.inbox.unread();
            let need = if unread.len() >= 5 {
                let len = u32::from_be_bytes(unread[1..5].try_into().expect("4 bytes")) as usize;
                if len < 4 {
                    return Err(ConnectorError::upstream(
                        format!("{step}: {} sent a message of a bad length", self.shown),
                        true,
                    ));
                }
                if unread.len() > len {
                    let tag = unread[0];
                    let at = self.inbox.take(1 + len);
                    return Ok((tag, at.start + 5..at.end));
                }
                1 + len
            } else {
                5
            };
            let read = self.inbox.fill(&mut *self.io, need).await;
            if !read.map_err(|e| self.lost(step, e))? {
                return Err(ConnectorError::upstream(
                    format!("{step}: {} closed the connection", self.shown),
                    true,
                ));
            }
        }
    }

    fn lost(&self, step: &str, e: io::Error) -> ConnectorError {
        ConnectorError::upstream(
            format!("{step}: the connection to {} failed: {e}", self.shown),
            true,
        )
    }
}

/// An ErrorResponse's fields (a code byte and a zero-ended text each, a zero
/// byte after the last) as a connector error.
fn server_error(step: &str, body: &[u8]) -> ConnectorError {
    let (mut code, mut message, mut detail) = ("", "", None);
    for field in body.split(|b| *b == 0) {
        let Some((&kind, text)) = field.split_first() else {
            break;
        };
        let text = std::str::from_utf8(text).unwrap_or("(not UTF-8)");
        match kind {
            b'C' => code = text,
            b'M' => message = text,
            b'D' => detail = Some(text),
            _ => {}
        }
    }
    answered(step, code, message, detail)
}

/// The connection lent to tokio-postgres for the login, and taken back.
struct Lent(Arc<Mutex<Option<Box<dyn Io>>>>);

impl Lent {
    fn with<R>(
        &self,
        f: impl FnOnce(Pin<&mut dyn Io>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match self.0.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(io) => f(Pin::new(&mut **io)),
            None => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
}

impl AsyncRead for Lent {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_read(cx, buf))
    }
}

impl AsyncWrite for Lent {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with(|io| io.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    /// A message of `tag` with `body`, framed.
    fn framed(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![tag];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    #[tokio::test]
    async fn messages_cut_anywhere_by_the_socket_are_read_whole_a_large_one_included() {
        let (client, mut server) = tokio::io::duplex(4096);
        let mut session = CopySession::over(Box::new(client), "db:5432".into());
        let large: Vec<u8> = (0..crate::wire::READ * 3)
            .map(|i| (i % 251) as u8)
            .collect();
        let mut answer = framed(b'H', &[1, 0, 0]);
        answer.extend(framed(b'N', b"SNOTICE\0Mhello\0\0"));
        for body in [&b"first"[..], &large, b"", b"last"] {
            answer.extend(framed(b'd', body));
        }
        for (tag, body) in [(b'c', &b""[..]), (b'C', b"COPY 4\0"), (b'Z', b"I")] {
            answer.extend(framed(tag, body));
        }
        let serve = tokio::spawn(async move {
            let mut query = vec![0u8; 1 + 4 + 10];
            server.read_exact(&mut query).await.expect("the query");
            // Sent in pieces of a prime length, so messages and headers are cut.
            for piece in answer.chunks(7_919) {
                server.write_all(piece).await.expect("sent");
                tokio::task::yield_now().await;
            }
            query
        });
        let mut got: Vec<Vec<u8>> = vec![];
        session
            .query("COPY t TO", "reading t", |d| {
                got.push(d.to_vec());
                Ok(())
            })
            .await
            .expect("read");
        let query = serve.await.expect("served");
        assert_eq!(query, framed(b'Q', b"COPY t TO\0"));
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], b"first");
        assert!(got[1] == large, "the large message whole");
        assert_eq!(got[2], b"");
        assert_eq!(got[3], b"last");
        assert_eq!(
            session.inbox.capacity(),
            crate::wire::READ,
            "the buffer the large message took went"
        );
    }

    #[tokio::test]
    async fn an_error_the_server_answers_ends_the_query_once_it_is_ready_again() {
        let (client, mut server) = tokio::io::duplex(4096);
        let mut session = CopySession::over(Box::new(client), "db:5432".into());
        let mut answer = framed(b'E', b"SERROR\0C42P01\0Mrelation \"t\" does not exist\0\0");
        answer.extend(framed(b'Z', b"I"));
        answer.extend(framed(b'Z', b"I"));
        server.write_all(&answer).await.expect("sent");
        let e = session
            .query("SELECT", "reading t", |_| Ok(()))
            .await
            .expect_err("the server's error");
        assert_eq!(
            e.to_string(),
            "reading t: the database answered: relation \"t\" does not exist"
        );
        // The session is where the server is: ready for the next query.
        session
            .query("SELECT", "reading t", |_| Ok(()))
            .await
            .expect("the next query");
        drop(server);
        assert!(!session.idle(), "a closed connection is not idle");
    }

    #[test]
    fn a_server_error_says_its_message_and_detail_and_passes_by_its_class() {
        let body =
            b"SERROR\0C57014\0Mcanceling statement due to statement timeout\0Dsome detail\0\0";
        let e = server_error("reading t", body);
        assert!(e.retryable());
        assert_eq!(
            e.to_string(),
            "reading t: the database answered: canceling statement due to statement timeout (some detail)"
        );
        let e = server_error(
            "reading t",
            b"SERROR\0C42P01\0Mrelation \"t\" does not exist\0\0",
        );
        assert!(!e.retryable());
    }
}
