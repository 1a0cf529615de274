//! A session that reads prepared statements' rows by the protocol itself.
//!
//! mysql_async builds every row it reads as a list of values, each text or
//! bytes value a buffer of its own: for a table's rows that is most of a
//! source's CPU. A reader's session logs in and reads by MySQL's packets
//! itself (mysql_common's types and scrambles): packets are cut from one large
//! buffer and each binary row goes to the decoder where it lies.
//!
//! The login is MySQL's: the server's greeting, TLS started as the URL's
//! `ssl-mode` says (an SSL request, then the handshake), the handshake
//! response, and the authentication the server asks for:
//! `mysql_native_password`, or `caching_sha2_password` (its fast path, or
//! the password itself over TLS, or encrypted with the server's RSA key),
//! MariaDB's `client_ed25519` and `parsec` (signatures of the server's
//! nonce), with one switch to another of them. `mysql_clear_password` is
//! spoken over TLS only; other plugins are refused by name.

use std::io;
use std::ops::Range;

use mysql_common::Value;
use mysql_common::constants::{CapabilityFlags, StatusFlags};
use mysql_common::io::ParseBuf;
use mysql_common::packets::{
    AuthPlugin, AuthSwitchRequest, Column, ComStmtExecuteRequestBuilder, ErrPacket,
    HandshakePacket, HandshakeResponse, SslRequest, StmtPacket,
};
use mysql_common::proto::MySerialize;
use sluice_domain::net::Egress;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::decode::Wire;
use super::{CONNECT_TIMEOUT, Mode, Target, answered, no_tls, target, tls_refused};
use crate::ConnectorError;
use crate::wire::{Inbox, Io};

/// The largest payload of one packet: a longer one goes on in the next.
const MAX_PAYLOAD: usize = 0xFF_FFFF;

/// The largest packet the session takes, as it tells the server.
const MAX_PACKET: u32 = 1 << 30;

/// What the session asks of the server: the 4.1 protocol and its
/// authentication, no `LOCAL INFILE`, no statements several at once, and
/// results ended by an OK packet.
fn wanted() -> CapabilityFlags {
    CapabilityFlags::CLIENT_PROTOCOL_41
        | CapabilityFlags::CLIENT_SECURE_CONNECTION
        | CapabilityFlags::CLIENT_LONG_PASSWORD
        | CapabilityFlags::CLIENT_LONG_FLAG
        | CapabilityFlags::CLIENT_TRANSACTIONS
        | CapabilityFlags::CLIENT_MULTI_RESULTS
        | CapabilityFlags::CLIENT_PS_MULTI_RESULTS
        | CapabilityFlags::CLIENT_DEPRECATE_EOF
        | CapabilityFlags::CLIENT_PLUGIN_AUTH
        | CapabilityFlags::CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
}

/// The server's greeting: what it can do, its nonce and its login plugin.
struct Greeting {
    capabilities: CapabilityFlags,
    version: (u16, u16, u16),
    nonce: Vec<u8>,
    plugin: AuthPlugin<'static>,
}

/// Who logs in: the URL's user, password and database.
struct Credentials<'a> {
    user: Option<&'a str>,
    pass: Option<&'a str>,
    db: Option<&'a str>,
}

/// A statement prepared in the session.
struct Prepared {
    sql: String,
    id: u32,
    params: u16,
}

/// Where a packet's payload is.
enum Payload {
    /// In the inbox, taken since the last read.
    At(Range<usize>),
    /// Joined from packets of the largest size, in [`Session::joined`].
    Joined,
}

/// A logged-in session, read by packets.
pub struct Session {
    io: Box<dyn Io>,
    inbox: Inbox,
    /// A payload of 16 MiB or more, joined from its packets.
    joined: Vec<u8>,
    /// The sequence number of the next packet, read or sent.
    seq: u8,
    capabilities: CapabilityFlags,
    prepared: Option<Prepared>,
    /// `host:port`, to name the server in messages.
    shown: String,
}

impl Session {
    /// A session logged in to the database `url` names, at an address
    /// `egress` allows, over TLS as its `ssl-mode` asks, `setup` run in it.
    pub async fn open(
        egress: &Egress,
        url: &str,
        setup: &[String],
    ) -> Result<Session, ConnectorError> {
        let t = target(egress, url).await?;
        let stream = crate::egress::dial(&t.addrs, &t.shown, CONNECT_TIMEOUT).await?;
        let login = Session::login(stream, &t, setup);
        match tokio::time::timeout(CONNECT_TIMEOUT, login).await {
            Ok(session) => session,
            Err(_) => Err(ConnectorError::upstream(
                format!("logging in to {} timed out", t.shown),
                true,
            )),
        }
    }

    async fn login(
        mut stream: TcpStream,
        t: &Target,
        setup: &[String],
    ) -> Result<Session, ConnectorError> {
        let shown = &t.shown;
        let (seq, greeting) = greeting(&mut stream, shown).await?;
        let offered = greeting.capabilities.contains(CapabilityFlags::CLIENT_SSL);
        let encrypt = match t.mode {
            Mode::Disabled => false,
            Mode::Preferred => offered,
            Mode::Required | Mode::VerifyIdentity if offered => true,
            Mode::Required | Mode::VerifyIdentity => return Err(no_tls(shown)),
        };
        let mut capabilities = greeting.capabilities & wanted();
        let (io, seq): (Box<dyn Io>, u8) = if encrypt {
            capabilities |= CapabilityFlags::CLIENT_SSL;
            let mut request = vec![];
            SslRequest::new(capabilities, MAX_PACKET, utf8mb4(greeting.version))
                .serialize(&mut request);
            let lost = |e: io::Error| {
                ConnectorError::upstream(format!("starting TLS with {shown}: {e}"), true)
            };
            stream
                .write_all(&framed(&request, seq.wrapping_add(1)))
                .await
                .map_err(lost)?;
            let verify = t.mode == Mode::VerifyIdentity;
            match crate::tls::handshake(stream, &t.host, verify).await {
                Ok(tls) => (Box::new(tls), seq.wrapping_add(2)),
                Err(crate::tls::Failed::Refused(why)) => {
                    return Err(tls_refused(shown, t.mode, &why));
                }
                Err(crate::tls::Failed::Lost(e)) => return Err(lost(e)),
            }
        } else {
            (Box::new(stream), seq.wrapping_add(1))
        };
        let who = Credentials {
            user: t.user.as_deref(),
            pass: t.pass.as_deref(),
            db: t.db.as_deref(),
        };
        let mut session = Session::over(io, shown.clone());
        session.seq = seq;
        session
            .authenticate(greeting, capabilities, &who, encrypt)
            .await?;
        for sql in setup {
            session.simple(sql, "setting up the session").await?;
        }
        Ok(session)
    }

    /// A session over `io`, nothing read yet.
    fn over(io: Box<dyn Io>, shown: String) -> Session {
        Session {
            io,
            inbox: Inbox::default(),
            joined: vec![],
            seq: 0,
            capabilities: wanted(),
            prepared: None,
            shown,
        }
    }

    /// Sends the handshake response to `greeting` and answers what the server
    /// asks until it accepts or refuses the login. `secure` says whether the
    /// connection is encrypted (the password may then go as it is).
    async fn authenticate(
        &mut self,
        greeting: Greeting,
        capabilities: CapabilityFlags,
        who: &Credentials<'_>,
        secure: bool,
    ) -> Result<(), ConnectorError> {
        let step = format!("logging in to {}", self.shown);
        let step = step.as_str();
        let Greeting {
            version,
            mut nonce,
            mut plugin,
            ..
        } = greeting;
        let data = plugin.gen_data(who.pass, &nonce);
        let mut response = vec![];
        HandshakeResponse::new(
            data.as_deref(),
            version,
            who.user.map(str::as_bytes),
            who.db.map(str::as_bytes),
            Some(plugin.clone()),
            capabilities,
            None,
            MAX_PACKET,
        )
        .serialize(&mut response);
        self.capabilities = capabilities;
        self.send(&response, step).await?;
        let mut switched = false;
        loop {
            let packet = self.packet(step).await?;
            let payload = self.payload(&packet).to_vec();
            match payload.first() {
                Some(0x00) => return Ok(()),
                Some(0xFF) => return Err(self.server_error(step, &payload)),
                Some(0xFE) if !switched => {
                    switched = true;
                    let request: AuthSwitchRequest = ParseBuf(&payload)
                        .parse(())
                        .map_err(|_| self.unexpected(step, "a bad request to switch logins"))?;
                    plugin = request.auth_plugin().into_owned();
                    nonce = request.plugin_data().to_vec();
                    let data = match &mut plugin {
                        AuthPlugin::MysqlNativePassword
                        | AuthPlugin::CachingSha2Password
                        | AuthPlugin::Ed25519 => plugin.gen_data(who.pass, &nonce),
                        AuthPlugin::MysqlClearPassword if secure => {
                            plugin.gen_data(who.pass, &nonce)
                        }
                        AuthPlugin::MariadbParsec { .. } => {
                            // Its salt and iterations are asked for with an
                            // empty packet; the answer signs the server's
                            // nonce and the client's own.
                            self.send(&[], step).await?;
                            let packet = self.packet(step).await?;
                            let salt = match self.payload(&packet) {
                                [0x01, rest @ ..] | rest => rest.to_vec(),
                            };
                            if plugin.read_add_data(&salt).is_none() || nonce.len() != 32 {
                                return Err(
                                    self.unexpected(step, "a parsec salt that does not parse")
                                );
                            }
                            plugin.gen_data(who.pass, &nonce)
                        }
                        other => {
                            return Err(ConnectorError::upstream(
                                format!(
                                    "{step}: the server asks for the {} login, which the source does not speak (mysql_native_password, caching_sha2_password, client_ed25519 and parsec it does; mysql_clear_password over TLS only)",
                                    String::from_utf8_lossy(other.as_bytes())
                                ),
                                false,
                            ));
                        }
                    };
                    let mut out = vec![];
                    if let Some(data) = data {
                        data.serialize(&mut out);
                    }
                    self.send(&out, step).await?;
                }
                // caching_sha2_password: the password's hash was in its cache.
                Some(0x01) if payload.get(1) == Some(&0x03) => {}
                // caching_sha2_password: the password itself is asked for.
                Some(0x01) if payload.get(1) == Some(&0x04) => {
                    let mut pass = who.pass.unwrap_or_default().as_bytes().to_vec();
                    pass.push(0);
                    if secure {
                        self.send(&pass, step).await?;
                    } else {
                        // Encrypted with the server's public key: asked for.
                        self.send(&[0x02], step).await?;
                        let packet = self.packet(step).await?;
                        let key = match self.payload(&packet) {
                            [0x01, key @ ..] => key.to_vec(),
                            _ => return Err(self.unexpected(step, "no public key")),
                        };
                        for (i, byte) in pass.iter_mut().enumerate() {
                            *byte ^= nonce[i % nonce.len().max(1)];
                        }
                        let sealed = seal(&pass, &key).ok_or_else(|| {
                            self.unexpected(step, "a public key that does not parse")
                        })?;
                        self.send(&sealed, step).await?;
                    }
                }
                _ => return Err(self.unexpected(step, "an answer to the login")),
            }
        }
    }

    /// Runs `sql`, a statement without rows, by the text protocol.
    pub async fn simple(&mut self, sql: &str, step: &str) -> Result<(), ConnectorError> {
        let mut command = vec![0x03];
        command.extend_from_slice(sql.as_bytes());
        self.command(&command, step).await?;
        let packet = self.packet(step).await?;
        match self.payload(&packet).first() {
            Some(0x00) => Ok(()),
            Some(0xFF) => {
                let payload = self.payload(&packet).to_vec();
                Err(self.server_error(step, &payload))
            }
            _ => Err(self.unexpected(step, "rows for a statement without any")),
        }
    }

    /// Runs `sql` as a prepared statement with `params` (prepared once per
    /// text, and kept), each row handed to `row` with the columns' layout;
    /// the layout and a copy of the last row. `row`'s error ends the session's
    /// use.
    pub async fn rows(
        &mut self,
        sql: &str,
        params: &[Value],
        step: &str,
        mut row: impl FnMut(&[Wire], &[u8]) -> Result<(), String>,
    ) -> Result<(Vec<Wire>, Option<Vec<u8>>), ConnectorError> {
        let id = self.prepare(sql, params.len(), step).await?;
        let (request, as_long_data) = ComStmtExecuteRequestBuilder::new(id).build(params);
        if as_long_data {
            return Err(ConnectorError::upstream(
                format!("{step}: a key value is too long to bind"),
                false,
            ));
        }
        let mut command = vec![];
        request.serialize(&mut command);
        self.command(&command, step).await?;
        let packet = self.packet(step).await?;
        let count = match self.payload(&packet) {
            [0x00, ..] => return Ok((vec![], None)),
            [0xFF, ..] => {
                let payload = self.payload(&packet).to_vec();
                return Err(self.server_error(step, &payload));
            }
            mut head => super::decode::count(&mut head)
                .ok_or_else(|| self.unexpected(step, "a bad column count"))?,
        };
        let mut wires = Vec::with_capacity(count);
        for _ in 0..count {
            let packet = self.packet(step).await?;
            let column: Column = ParseBuf(self.payload(&packet))
                .parse(())
                .map_err(|_| self.unexpected(step, "a bad column definition"))?;
            wires.push(Wire::of(column.column_type(), column.flags()));
        }
        self.end_of_definitions(count, step).await?;
        let mut last: Option<Result<usize, Vec<u8>>> = None;
        let ended = loop {
            // The rows read already are cut and decoded without waiting.
            while let Some(len) = self.row_read() {
                let at = self.inbox.take(4 + len);
                let body = at.start + 4..at.end;
                self.seq = self.seq.wrapping_add(1);
                row(&wires, self.inbox.get(body.clone()))
                    .map_err(|why| ConnectorError::upstream(why, false))?;
                self.inbox.keep(Some(&body));
                last = Some(Ok(len));
            }
            let packet = self.packet(step).await?;
            match self.payload(&packet).first() {
                Some(0x00) => {
                    row(&wires, self.payload(&packet))
                        .map_err(|why| ConnectorError::upstream(why, false))?;
                    last = Some(match &packet {
                        Payload::At(at) => {
                            self.inbox.keep(Some(at));
                            Ok(at.len())
                        }
                        Payload::Joined => Err(self.joined.clone()),
                    });
                }
                Some(0xFE) => break self.payload(&packet).to_vec(),
                Some(0xFF) => {
                    let payload = self.payload(&packet).to_vec();
                    self.inbox.keep(None);
                    return Err(self.server_error(step, &payload));
                }
                _ => return Err(self.unexpected(step, "a row of another protocol")),
            }
        };
        let last = last.map(|l| match l {
            Ok(len) => self.inbox.kept(len).map(<[u8]>::to_vec).unwrap_or_default(),
            Err(copy) => copy,
        });
        self.inbox.keep(None);
        self.inbox.settle();
        if self.more_results(&ended) {
            return Err(self.unexpected(step, "a second result"));
        }
        Ok((wires, last))
    }

    /// The length of the next packet when it is read whole and is a row (of
    /// one packet, numbered as due).
    fn row_read(&self) -> Option<usize> {
        let unread = self.inbox.unread();
        let (header, rest) = unread.split_at_checked(4)?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        (len < MAX_PAYLOAD
            && header[3] == self.seq
            && rest.len() >= len
            && rest.first() == Some(&0x00))
        .then_some(len)
    }

    /// Whether the packet that ended a result says another follows.
    fn more_results(&self, end: &[u8]) -> bool {
        let mut rest = end.get(1..).unwrap_or_default();
        let status = if self.deprecate_eof() {
            // An OK packet: rows affected and the last id, then the status.
            let skip =
                super::decode::count(&mut rest).and_then(|_| super::decode::count(&mut rest));
            skip.and_then(|_| rest.get(0..2))
        } else {
            // An EOF packet: warnings, then the status.
            rest.get(2..4)
        };
        status.is_some_and(|s| {
            StatusFlags::from_bits_truncate(u16::from_le_bytes([s[0], s[1]]))
                .contains(StatusFlags::SERVER_MORE_RESULTS_EXISTS)
        })
    }

    fn deprecate_eof(&self) -> bool {
        self.capabilities
            .contains(CapabilityFlags::CLIENT_DEPRECATE_EOF)
    }

    /// Reads the EOF packet after `count` definitions, when the session did
    /// not ask for results without one.
    async fn end_of_definitions(&mut self, count: usize, step: &str) -> Result<(), ConnectorError> {
        if count > 0 && !self.deprecate_eof() {
            self.packet(step).await?;
        }
        Ok(())
    }

    /// The id of `sql` prepared, taking `params` parameters; the statement
    /// prepared before is closed when it is another.
    async fn prepare(
        &mut self,
        sql: &str,
        params: usize,
        step: &str,
    ) -> Result<u32, ConnectorError> {
        if let Some(p) = &self.prepared
            && p.sql == sql
            && usize::from(p.params) == params
        {
            return Ok(p.id);
        }
        if let Some(old) = self.prepared.take() {
            // COM_STMT_CLOSE: the server answers nothing.
            let mut close = vec![0x19];
            close.extend_from_slice(&old.id.to_le_bytes());
            self.command(&close, step).await?;
        }
        let mut command = vec![0x16];
        command.extend_from_slice(sql.as_bytes());
        self.command(&command, step).await?;
        let packet = self.packet(step).await?;
        if self.payload(&packet).first() == Some(&0xFF) {
            let payload = self.payload(&packet).to_vec();
            return Err(self.server_error(step, &payload));
        }
        let stmt: StmtPacket = ParseBuf(self.payload(&packet))
            .parse(())
            .map_err(|_| self.unexpected(step, "a bad prepared statement"))?;
        for count in [stmt.num_params(), stmt.num_columns()] {
            for _ in 0..count {
                self.packet(step).await?;
            }
            self.end_of_definitions(usize::from(count), step).await?;
        }
        if usize::from(stmt.num_params()) != params {
            return Err(ConnectorError::upstream(
                format!(
                    "{step}: the statement takes {} parameters, not {params}",
                    stmt.num_params()
                ),
                false,
            ));
        }
        self.prepared = Some(Prepared {
            sql: sql.to_string(),
            id: stmt.statement_id(),
            params: stmt.num_params(),
        });
        Ok(stmt.statement_id())
    }

    /// Whether the session is open and idle: everything read is taken, and a
    /// read would wait (a closed connection would end at once).
    pub fn idle(&mut self) -> bool {
        crate::wire::idle(&mut *self.io, &self.inbox)
    }

    /// Sends `payload` as a command: its packets numbered from zero.
    async fn command(&mut self, payload: &[u8], step: &str) -> Result<(), ConnectorError> {
        self.seq = 0;
        self.send(payload, step).await
    }

    /// Sends `payload` in as many packets as its length asks, numbered on.
    async fn send(&mut self, payload: &[u8], step: &str) -> Result<(), ConnectorError> {
        let mut out = Vec::with_capacity(payload.len() + 4);
        let mut rest = payload;
        loop {
            let n = rest.len().min(MAX_PAYLOAD);
            out.extend_from_slice(&framed(&rest[..n], self.seq));
            self.seq = self.seq.wrapping_add(1);
            rest = &rest[n..];
            if n < MAX_PAYLOAD {
                break;
            }
        }
        let sent = async {
            self.io.write_all(&out).await?;
            self.io.flush().await
        };
        sent.await.map_err(|e| self.lost(step, e))
    }

    /// The next packet's payload, joined when it spans several.
    async fn packet(&mut self, step: &str) -> Result<Payload, ConnectorError> {
        let len = self.header(step).await?;
        if len < MAX_PAYLOAD {
            self.fill(len, step).await?;
            return Ok(Payload::At(self.inbox.take(len)));
        }
        self.joined.clear();
        let mut len = len;
        loop {
            self.fill(len, step).await?;
            let at = self.inbox.take(len);
            self.joined.extend_from_slice(self.inbox.get(at));
            if len < MAX_PAYLOAD {
                return Ok(Payload::Joined);
            }
            len = self.header(step).await?;
        }
    }

    fn payload(&self, packet: &Payload) -> &[u8] {
        match packet {
            Payload::At(at) => self.inbox.get(at.clone()),
            Payload::Joined => &self.joined,
        }
    }

    /// The next packet's length, its number checked.
    async fn header(&mut self, step: &str) -> Result<usize, ConnectorError> {
        self.fill(4, step).await?;
        let at = self.inbox.take(4);
        let h = self.inbox.get(at);
        let (len, seq) = (u32::from_le_bytes([h[0], h[1], h[2], 0]) as usize, h[3]);
        if seq != self.seq {
            return Err(ConnectorError::upstream(
                format!(
                    "{step}: {} sent packet {seq} where {} was due",
                    self.shown, self.seq
                ),
                true,
            ));
        }
        self.seq = seq.wrapping_add(1);
        Ok(len)
    }

    async fn fill(&mut self, need: usize, step: &str) -> Result<(), ConnectorError> {
        match self.inbox.fill(&mut *self.io, need).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ConnectorError::upstream(
                format!("{step}: {} closed the connection", self.shown),
                true,
            )),
            Err(e) => Err(self.lost(step, e)),
        }
    }

    /// The server's error packet `payload` as a connector error.
    fn server_error(&self, step: &str, payload: &[u8]) -> ConnectorError {
        match ParseBuf(payload).parse::<ErrPacket>(self.capabilities) {
            Ok(ErrPacket::Error(e)) => answered(step, e.error_code(), &e.message_str()),
            _ => self.unexpected(step, "a bad error"),
        }
    }

    fn unexpected(&self, step: &str, what: &str) -> ConnectorError {
        ConnectorError::upstream(format!("{step}: {} sent {what}", self.shown), true)
    }

    fn lost(&self, step: &str, e: io::Error) -> ConnectorError {
        ConnectorError::upstream(
            format!("{step}: the connection to {} failed: {e}", self.shown),
            true,
        )
    }
}

/// `payload` as a packet numbered `seq` (shorter than the largest payload).
fn framed(payload: &[u8], seq: u8) -> Vec<u8> {
    let len = (payload.len() as u32).to_le_bytes();
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.extend_from_slice(&[len[0], len[1], len[2], seq]);
    out.extend_from_slice(payload);
    out
}

/// `pass` encrypted with the server's RSA public key `pem` (OAEP), or
/// `None` when the key is not one: mysql_common's parser panics on a key it
/// cannot read, so that is caught, and the key checked for its armour first.
fn seal(pass: &[u8], pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?.trim_start();
    if !(text.starts_with("-----BEGIN PUBLIC KEY-----")
        || text.starts_with("-----BEGIN RSA PUBLIC KEY-----"))
    {
        return None;
    }
    std::panic::catch_unwind(|| mysql_common::crypto::encrypt(pass, pem)).ok()
}

/// The collation the session asks for: utf8mb4 where the server has it.
fn utf8mb4(version: (u16, u16, u16)) -> u8 {
    if version >= (5, 5, 3) { 45 } else { 33 }
}

/// The server's greeting, read off `stream` before anything is sent; its
/// packet number.
async fn greeting(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    shown: &str,
) -> Result<(u8, Greeting), ConnectorError> {
    let step = format!("logging in to {shown}");
    let lost = |e: io::Error| {
        ConnectorError::upstream(format!("{step}: the connection failed: {e}"), true)
    };
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await.map_err(lost)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).await.map_err(lost)?;
    if payload.first() == Some(&0xFF) {
        // Refused before the login (too many connections, a host blocked).
        return Err(
            match ParseBuf(&payload).parse::<ErrPacket>(CapabilityFlags::empty()) {
                Ok(ErrPacket::Error(e)) => answered(&step, e.error_code(), &e.message_str()),
                _ => ConnectorError::upstream(format!("{step}: the server refused"), true),
            },
        );
    }
    let hello: HandshakePacket = ParseBuf(&payload).parse(()).map_err(|_| {
        ConnectorError::upstream(
            format!("{step}: the server's greeting is not MySQL's"),
            false,
        )
    })?;
    let mut nonce = hello.scramble_1_ref().to_vec();
    nonce.extend_from_slice(hello.scramble_2_ref().unwrap_or_default());
    // 20 bytes (the greeting ends its second part with a zero byte).
    nonce.resize(20, 0);
    let plugin = match hello.auth_plugin() {
        Some(AuthPlugin::CachingSha2Password) => AuthPlugin::CachingSha2Password,
        _ => AuthPlugin::MysqlNativePassword,
    };
    let version = hello
        .maria_db_server_version_parsed()
        .or_else(|| hello.server_version_parsed())
        .unwrap_or((0, 0, 0));
    Ok((
        header[3],
        Greeting {
            capabilities: hello.capabilities(),
            version,
            nonce,
            plugin,
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::future::Future;

    use arrow_array::Array as _;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampMicrosecondType};
    use mysql_common::constants::{ColumnFlags, ColumnType};
    use mysql_common::scramble::{scramble_native, scramble_sha256};
    use tokio::io::DuplexStream;

    use super::*;
    use crate::mysql::decode::{Column as Wanted, Decoder, Kind};

    const NONCE: &[u8; 20] = b"abcdefghijklmnopqrst";

    /// A public key the tests' server hands out (its private half is not kept).
    const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkIze2EEUnF4WPnZWwfQC
TuCFQymBWnUyHL/Nl5dCWfWA9zeuuIHfzL3nE/nWHb1S0oShNmuCSWGZJ6Ngers7
Q3oi6BdJN1BKiLPcUUmOlZzSw8lgQIsmv31IPCH8vmHWtYfh2C6WPrsxi/gzdFyg
kv8TdOWUYzrqgH38olfIlFt771F3INaIQ1l30jTIxX2VGdH6wdbyWV3a3TM6yez6
7hmgDsTNqLiPbZOpU6cY19vkOcWoMzQB2csRLQgR3q051NdLPkU+B9XCwF60vfTQ
qs7kemG3M8LHEOgLS/aQY1mYW+C6pjI4WRsDqXvow5FkK199DN4R/c4jZ6TUOB52
MwIDAQAB
-----END PUBLIC KEY-----
";

    fn greeting_packet(plugin: &str) -> Vec<u8> {
        let capabilities = wanted() | CapabilityFlags::CLIENT_CONNECT_WITH_DB;
        let second = [&NONCE[8..], &b"\0"[..]].concat();
        let hello = HandshakePacket::new(
            10,
            &b"8.0.36"[..],
            7,
            NONCE[..8].try_into().expect("8 bytes"),
            Some(&second[..]),
            capabilities,
            45,
            StatusFlags::empty(),
            Some(plugin.as_bytes()),
        );
        let mut out = vec![];
        hello.serialize(&mut out);
        framed(&out, 0)
    }

    /// A packet the client sent: its number and payload.
    async fn recv(server: &mut DuplexStream) -> (u8, Vec<u8>) {
        let mut header = [0u8; 4];
        server.read_exact(&mut header).await.expect("a header");
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        let mut payload = vec![0u8; len];
        server.read_exact(&mut payload).await.expect("a payload");
        (header[3], payload)
    }

    async fn send(server: &mut DuplexStream, payload: &[u8], seq: u8) {
        server.write_all(&framed(payload, seq)).await.expect("sent");
    }

    const OK: &[u8] = &[0, 0, 0, 2, 0, 0, 0];

    /// Logs in to a server that greets with `plugin` and then plays `script`
    /// to its end.
    async fn login<F: Future<Output = ()> + Send + 'static>(
        plugin: &str,
        script: impl FnOnce(DuplexStream) -> F,
    ) -> Result<Session, ConnectorError> {
        let (logged_in, serve) = playing(plugin, script).await;
        serve.await.expect("the server's script");
        logged_in
    }

    /// Logs in to a server that greets with `plugin` and then plays `script`,
    /// which goes on.
    async fn playing<F: Future<Output = ()> + Send + 'static>(
        plugin: &str,
        script: impl FnOnce(DuplexStream) -> F,
    ) -> (Result<Session, ConnectorError>, tokio::task::JoinHandle<()>) {
        let (mut client, mut server) = tokio::io::duplex(1 << 16);
        server
            .write_all(&greeting_packet(plugin))
            .await
            .expect("greeted");
        let (seq, hello) = greeting(&mut client, "db:3306")
            .await
            .expect("the greeting");
        let capabilities = hello.capabilities & wanted();
        let serve = tokio::spawn(script(server));
        let mut session = Session::over(Box::new(client), "db:3306".into());
        session.seq = seq.wrapping_add(1);
        let who = Credentials {
            user: Some("reader"),
            pass: Some("s3cr3t"),
            db: Some("shop"),
        };
        let logged_in = session
            .authenticate(hello, capabilities, &who, false)
            .await
            .map(|()| session);
        (logged_in, serve)
    }

    /// The handshake response names the user and database and carries the
    /// password scrambled for `caching_sha2_password`.
    fn check_response(response: &[u8]) {
        let response: HandshakeResponse = ParseBuf(response).parse(()).expect("a response");
        assert_eq!(response.user(), b"reader");
        assert_eq!(response.db_name(), Some(&b"shop"[..]));
        let scrambled = scramble_sha256(NONCE, b"s3cr3t").expect("scrambled");
        assert_eq!(response.scramble_buf(), &scrambled[..]);
        assert!(
            !response
                .capabilities()
                .contains(CapabilityFlags::CLIENT_LOCAL_FILES)
        );
    }

    #[tokio::test]
    async fn caching_sha2_logs_in_by_its_fast_path_and_by_the_password_sealed_with_the_servers_key()
    {
        login("caching_sha2_password", |mut server| async move {
            let (seq, response) = recv(&mut server).await;
            assert_eq!(seq, 1);
            check_response(&response);
            send(&mut server, &[0x01, 0x03], 2).await;
            send(&mut server, OK, 3).await;
        })
        .await
        .expect("the fast path");

        login("caching_sha2_password", |mut server| async move {
            let (_, response) = recv(&mut server).await;
            check_response(&response);
            send(&mut server, &[0x01, 0x04], 2).await;
            assert_eq!(
                recv(&mut server).await,
                (3, vec![0x02]),
                "the key asked for"
            );
            let mut key = vec![0x01];
            key.extend_from_slice(PUBLIC_KEY.as_bytes());
            send(&mut server, &key, 4).await;
            let (seq, sealed) = recv(&mut server).await;
            assert_eq!(seq, 5);
            assert_eq!(sealed.len(), 256, "one block of the 2048-bit key");
            assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
            send(&mut server, OK, 6).await;
        })
        .await
        .expect("the full path");
    }

    #[tokio::test]
    async fn a_switch_to_native_passwords_is_answered_and_others_are_refused_by_name() {
        let other: [u8; 20] = *b"ABCDEFGHIJKLMNOPQRST";
        login("caching_sha2_password", move |mut server| async move {
            recv(&mut server).await;
            let mut switch = vec![0xFE];
            switch.extend_from_slice(b"mysql_native_password\0");
            switch.extend_from_slice(&other);
            switch.push(0);
            send(&mut server, &switch, 2).await;
            let (seq, answer) = recv(&mut server).await;
            assert_eq!(seq, 3);
            let expected = scramble_native(&other, b"s3cr3t").expect("scrambled");
            assert_eq!(answer, expected);
            send(&mut server, OK, 4).await;
        })
        .await
        .expect("switched");

        let Err(e) = login("mysql_native_password", |mut server| async move {
            recv(&mut server).await;
            send(&mut server, b"\xFEauth_gssapi_client\0spn\0", 2).await;
        })
        .await
        else {
            panic!("logged in");
        };
        let text = e.to_string();
        assert!(!e.retryable());
        assert!(
            text.contains("asks for the auth_gssapi_client login"),
            "{text}"
        );
    }

    /// MariaDB's parsec (11.6 on, so no server of this machine's speaks it):
    /// an empty packet asks for the salt, and the answer is the client's nonce
    /// and its signature, with the key the password derives, of both nonces.
    #[tokio::test]
    async fn a_switch_to_parsec_asks_for_the_salt_and_signs_both_nonces() {
        use ed25519_dalek::{Signature, SigningKey};
        let server_nonce = [7u8; 32];
        let salt: [u8; 18] = *b"0123456789abcdefgh";
        login("mysql_native_password", move |mut server| async move {
            recv(&mut server).await;
            let mut switch = b"\xFEparsec\0".to_vec();
            switch.extend_from_slice(&server_nonce);
            send(&mut server, &switch, 2).await;
            let (seq, asked) = recv(&mut server).await;
            assert_eq!(
                (seq, asked.len()),
                (3, 0),
                "an empty packet asks for the salt"
            );
            // 'P' (PBKDF2), factor 1: 2,048 iterations.
            let mut ext = vec![0x01, b'P', 1];
            ext.extend_from_slice(&salt);
            send(&mut server, &ext, 4).await;
            let (seq, answer) = recv(&mut server).await;
            assert_eq!((seq, answer.len()), (5, 96));
            let mut key = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(b"s3cr3t", &salt, 2048, &mut key);
            let mut signed = server_nonce.to_vec();
            signed.extend_from_slice(&answer[..32]);
            let signature = Signature::from_slice(&answer[32..]).expect("64 bytes");
            SigningKey::from_bytes(&key)
                .verifying_key()
                .verify_strict(&signed, &signature)
                .expect("both nonces signed with the password's key");
            send(&mut server, OK, 6).await;
        })
        .await
        .expect("logged in by parsec");
    }

    #[tokio::test]
    async fn a_refused_login_says_the_servers_words_and_never_the_password() {
        let Err(e) = login("mysql_native_password", |mut server| async move {
            recv(&mut server).await;
            let mut err = vec![0xFF, 0x15, 0x04, b'#'];
            err.extend_from_slice(
                b"28000Access denied for user 'reader'@'10.0.0.2' (using password: YES)",
            );
            send(&mut server, &err, 2).await;
        })
        .await
        else {
            panic!("logged in");
        };
        let text = e.to_string();
        assert!(!e.retryable(), "{text}");
        assert_eq!(
            text,
            "logging in to db:3306: the database answered: Access denied for user 'reader'@'10.0.0.2' (using password: YES) (1045)"
        );
    }

    /// The statement's columns: an id, a note and a time.
    const COLUMNS: [(ColumnType, &str); 3] = [
        (ColumnType::MYSQL_TYPE_LONGLONG, "id"),
        (ColumnType::MYSQL_TYPE_VAR_STRING, "note"),
        (ColumnType::MYSQL_TYPE_DATETIME, "at"),
    ];

    /// The definitions of `columns`, a packet each from `seq` on.
    fn definitions(columns: &[(ColumnType, &str)], seq: &mut u8) -> Vec<u8> {
        let mut out = vec![];
        for (t, name) in columns {
            let mut definition = vec![];
            Column::new(*t)
                .with_name(name.as_bytes())
                .with_flags(ColumnFlags::empty())
                .serialize(&mut definition);
            out.extend(packets(&definition, seq));
        }
        out
    }

    fn lenenc_bytes(out: &mut Vec<u8>, b: &[u8]) {
        match b.len() {
            n if n < 0xFB => out.push(n as u8),
            n if n < 1 << 16 => {
                out.push(0xFC);
                out.extend_from_slice(&(n as u16).to_le_bytes());
            }
            n if n < 1 << 24 => {
                out.push(0xFD);
                out.extend_from_slice(&(n as u32).to_le_bytes()[..3]);
            }
            n => {
                out.push(0xFE);
                out.extend_from_slice(&(n as u64).to_le_bytes());
            }
        }
        out.extend_from_slice(b);
    }

    /// A binary row of an id, a text (or NULL) and a datetime (or NULL).
    fn row(id: i64, text: Option<&[u8]>, at: Option<(u16, u8, u8, u8, u8, u8, u32)>) -> Vec<u8> {
        let mut bitmap = 0u8;
        if text.is_none() {
            bitmap |= 1 << 3;
        }
        if at.is_none() {
            bitmap |= 1 << 4;
        }
        let mut out = vec![0x00, bitmap];
        out.extend_from_slice(&id.to_le_bytes());
        if let Some(t) = text {
            lenenc_bytes(&mut out, t);
        }
        if let Some((y, mo, d, h, mi, s, us)) = at {
            out.push(11);
            out.extend_from_slice(&y.to_le_bytes());
            out.extend_from_slice(&[mo, d, h, mi, s]);
            out.extend_from_slice(&us.to_le_bytes());
        }
        out
    }

    /// Every packet of `payload` from `seq` on, split at the largest size.
    fn packets(payload: &[u8], seq: &mut u8) -> Vec<u8> {
        let mut out = vec![];
        let mut rest = payload;
        loop {
            let n = rest.len().min(MAX_PAYLOAD);
            out.extend(framed(&rest[..n], *seq));
            *seq = seq.wrapping_add(1);
            rest = &rest[n..];
            if n < MAX_PAYLOAD {
                return out;
            }
        }
    }

    fn decoder() -> Decoder {
        let column = |name: &str, kind| Wanted {
            name: name.into(),
            kind,
        };
        Decoder::new(
            vec![
                column("id", Kind::I64),
                column("note", Kind::Text),
                column("at", Kind::Timestamp),
            ],
            4,
        )
    }

    #[tokio::test]
    async fn rows_cut_anywhere_are_decoded_where_they_lie_a_packet_past_16_mib_included() {
        let large = vec![b'x'; MAX_PAYLOAD + 1000];
        let rows = [
            row(1, Some(b"first"), Some((2024, 5, 1, 12, 0, 0, 500))),
            row(2, None, None),
            row(3, Some(&large), Some((1970, 1, 1, 0, 0, 1, 0))),
        ];
        let last = rows[2].clone();
        let (session, serve) = playing("caching_sha2_password", move |mut server| async move {
            recv(&mut server).await;
            send(&mut server, &[0x01, 0x03], 2).await;
            send(&mut server, OK, 3).await;
            // The statement is prepared once, then executed twice.
            let (seq, prepare) = recv(&mut server).await;
            assert_eq!((seq, prepare[0]), (0, 0x16));
            assert_eq!(&prepare[1..], b"SELECT id, note, at FROM t WHERE id > ?");
            let mut answer = framed(&[0, 9, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0], 1);
            let mut seq = 2;
            // The parameter's definition, then the columns'.
            answer.extend(definitions(
                &[(ColumnType::MYSQL_TYPE_LONGLONG, "?")],
                &mut seq,
            ));
            answer.extend(definitions(&COLUMNS, &mut seq));
            server.write_all(&answer).await.expect("sent");
            for round in 0..2 {
                let (seq, execute) = recv(&mut server).await;
                assert_eq!((seq, execute[0]), (0, 0x17));
                assert_eq!(execute[1..5], 9u32.to_le_bytes(), "the statement's id");
                assert_eq!(
                    execute[execute.len() - 8..],
                    5i64.to_le_bytes(),
                    "the bound key"
                );
                let mut seq = 1;
                let mut answer = packets(&[3], &mut seq);
                answer.extend(definitions(&COLUMNS, &mut seq));
                if round == 0 {
                    for r in &rows {
                        answer.extend(packets(r, &mut seq));
                    }
                    answer.extend(packets(&[0xFE, 0, 0, 2, 0, 0, 0], &mut seq));
                } else {
                    answer.extend(packets(&rows[0], &mut seq));
                    let mut err = vec![0xFF, 0xB1, 0x07, b'#'];
                    err.extend_from_slice(b"70100Query execution was interrupted");
                    answer.extend(packets(&err, &mut seq));
                }
                // Sent in pieces of a prime length, so packets and headers are cut.
                for piece in answer.chunks(7_919) {
                    server.write_all(piece).await.expect("sent");
                }
            }
            let (seq, query) = recv(&mut server).await;
            assert_eq!((seq, &query[..]), (0, &b"\x03SET @a = 1"[..]));
            send(&mut server, OK, 1).await;
        })
        .await;
        let mut session = session.expect("logged in");

        let sql = "SELECT id, note, at FROM t WHERE id > ?";
        let mut decoded = decoder();
        let (wires, got_last) = session
            .rows(sql, &[Value::Int(5)], "reading t", |w, r| {
                decoded.push(w, r)
            })
            .await
            .expect("read");
        assert_eq!(wires, [Wire::I64, Wire::Bytes, Wire::Date]);
        assert!(
            got_last == Some(last),
            "the last row, joined from two packets"
        );
        let batch = decoded.finish().expect("a batch");
        assert_eq!(batch.num_rows(), 3);
        let ids = batch.column(0).as_primitive::<Int64Type>();
        assert_eq!(ids.values(), &[1, 2, 3]);
        let notes = batch.column(1).as_string::<i32>();
        assert_eq!(notes.value(0), "first");
        assert!(notes.is_null(1));
        assert_eq!(notes.value(2).len(), MAX_PAYLOAD + 1000);
        let at = batch.column(2).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(at.value(0), 1_714_564_800_000_500);
        assert!(at.is_null(1));
        assert_eq!(at.value(2), 1_000_000);

        let mut decoded = decoder();
        let e = session
            .rows(sql, &[Value::Int(5)], "reading t", |w, r| {
                decoded.push(w, r)
            })
            .await
            .expect_err("the server's error");
        assert_eq!(
            e.to_string(),
            "reading t: the database answered: Query execution was interrupted (1969)"
        );
        // The session is where the server is: ready for the next statement.
        session
            .simple("SET @a = 1", "setting")
            .await
            .expect("the next statement");
        serve.await.expect("the server's script");
        assert!(!session.idle(), "a closed connection is not idle");
    }

    #[test]
    fn a_key_that_is_not_one_is_refused_without_a_panic() {
        assert!(seal(b"pass\0", b"not a key").is_none());
        assert!(
            seal(
                b"pass\0",
                b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
            )
            .is_none()
        );
        assert_eq!(
            seal(b"pass\0", PUBLIC_KEY.as_bytes()).map(|s| s.len()),
            Some(256)
        );
    }
}
