//! A real SMTP server for the tests: aiosmtpd (from PyPI, installed into `.venv`
//! by `scripts/test-deps.sh`) on a free 127.0.0.1 port, keeping every message it
//! receives in a Maildir the test reads. Stopped (by its PID) when dropped.

use std::io::{BufRead as _, BufReader};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One aiosmtpd server and its Maildir.
pub struct SmtpServer {
    pub port: u16,
    maildir: PathBuf,
    child: Child,
    /// The maildir's parent, removed after the server stops.
    _dir: crate::app::TempDir,
}

impl SmtpServer {
    /// Starts a server and waits (up to two minutes: a loaded machine starts
    /// Python slowly) until it greets a client.
    pub fn start() -> SmtpServer {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/test-deps.sh",
            python.display()
        );
        let port = {
            let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
            l.local_addr().expect("addr").port()
        };
        let maildir = crate::app::temp_dir("smtp");
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let mut server = SmtpServer {
            port,
            maildir: maildir.join("mail"),
            child,
            _dir: maildir,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().expect("poll aiosmtpd") {
                panic!("aiosmtpd exited before it served: {status}");
            }
            if let Ok(s) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
                let mut greeting = String::new();
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                if BufReader::new(s).read_line(&mut greeting).is_ok() && greeting.starts_with("220")
                {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not greet within 2 minutes"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// `smtp://127.0.0.1:<port>`: in the clear, no auth.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, as its raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = vec![];
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for e in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(e.path()) {
                    out.push(text);
                }
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
