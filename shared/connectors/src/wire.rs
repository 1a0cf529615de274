//! What the database sources' reader sessions share: the connection (plain or
//! TLS) and one large buffer that a protocol's messages are cut from where
//! they lie, so a row is never copied or counted on its way to the decoder.

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Waker};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// A connection to a server, encrypted or not.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// What one read of the socket asks for, at least.
pub(crate) const READ: usize = 256 * 1024;

/// Bytes read from a connection: `start..end` not yet taken as messages.
pub(crate) struct Inbox {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where a message taken already is kept from, while it is needed after
    /// the next reads (a result's last row): the buffer never drops it.
    kept: Option<usize>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        Inbox {
            buf: vec![0; READ],
            start: 0,
            end: 0,
            kept: None,
        }
    }
}

impl Inbox {
    /// The bytes read and not taken.
    pub fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Takes the next `len` bytes (read already) as a message; where they are.
    pub fn take(&mut self, len: usize) -> Range<usize> {
        let at = self.start;
        debug_assert!(at + len <= self.end);
        self.start = at + len;
        at..at + len
    }

    /// The bytes at `range`, taken by [`Inbox::take`] since the last read.
    pub fn get(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Keeps the message at `range` through the next reads (or no message);
    /// [`Inbox::kept`] says where it is then.
    #[cfg(feature = "mysql_source")]
    pub fn keep(&mut self, range: Option<&Range<usize>>) {
        self.kept = range.map(|r| r.start);
    }

    /// Where the kept message's `len` bytes are now.
    #[cfg(feature = "mysql_source")]
    pub fn kept(&self, len: usize) -> Option<&[u8]> {
        self.kept.map(|at| &self.buf[at..at + len])
    }

    /// Reads until `need` bytes are unread; `false` when the connection
    /// ended first. The bytes unread (and a kept message) move to the start
    /// for room, and the buffer grows for a message larger than it is.
    pub async fn fill(&mut self, io: &mut dyn Io, need: usize) -> io::Result<bool> {
        while self.end - self.start < need {
            if self.buf.len() - self.end < READ / 4 || self.buf.len() < self.start + need {
                let from = self.kept.map_or(self.start, |k| k.min(self.start));
                self.buf.copy_within(from..self.end, 0);
                self.start -= from;
                self.end -= from;
                if let Some(k) = &mut self.kept {
                    *k -= from;
                }
                let room = (self.start + need).max(self.end) + READ / 4;
                if self.buf.len() < room {
                    self.buf.resize(room + READ, 0);
                }
            }
            let n = io.read(&mut self.buf[self.end..]).await?;
            if n == 0 {
                return Ok(false);
            }
            self.end += n;
        }
        Ok(true)
    }

    /// Gives back a buffer a large message grew, once all of it is taken.
    pub fn settle(&mut self) {
        if self.buf.len() > READ && self.start == self.end && self.kept.is_none() {
            *self = Inbox::default();
        }
    }

    /// The buffer's size now.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }
}

/// Whether a session over `io` is open and idle: everything read is taken,
/// and a read would wait (a closed connection would end at once).
pub(crate) fn idle(io: &mut dyn Io, inbox: &Inbox) -> bool {
    let mut scratch = [0u8; 1];
    let mut buf = ReadBuf::new(&mut scratch);
    let mut cx = Context::from_waker(Waker::noop());
    inbox.unread().is_empty() && Pin::new(io).poll_read(&mut cx, &mut buf).is_pending()
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[cfg(feature = "mysql_source")]
    #[tokio::test]
    async fn a_kept_message_stays_while_the_buffer_moves_and_grows() {
        let (mut client, mut server) = tokio::io::duplex(READ);
        let mut inbox = Inbox::default();
        let first: Vec<u8> = (0..100u8).collect();
        let large = vec![7u8; READ * 2];
        let mut sent = first.clone();
        sent.extend(&large);
        let write = tokio::spawn(async move {
            server.write_all(&sent).await.expect("sent");
            server
        });
        assert!(inbox.fill(&mut client, 100).await.expect("read"));
        let at = inbox.take(100);
        inbox.keep(Some(&at));
        assert!(inbox.fill(&mut client, large.len()).await.expect("read"));
        assert_eq!(inbox.kept(100), Some(&first[..]));
        let body = inbox.take(large.len());
        assert!(inbox.get(body) == &large[..]);
        inbox.keep(None);
        inbox.settle();
        assert_eq!(inbox.capacity(), READ, "the grown buffer went");
        drop(write.await.expect("served"));
        assert!(!inbox.fill(&mut client, 1).await.expect("read"), "ended");
    }
}
