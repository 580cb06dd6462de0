//! The SMTP server of the mail tests: Python's aiosmtpd (Debian's
//! python3-aiosmtpd) running `server.py` on a free port, writing each message
//! it takes to a folder of its own. It can be told to refuse every recipient
//! (550), and stopped and started again on the same port.
//!
//! Included by the tests (`#[path]`). Fails, saying what to install, when
//! aiosmtpd is missing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Debian's Python, which python3-aiosmtpd installs into.
const PYTHON: &str = "/usr/bin/python3";

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/parts/smtp")
}

fn require_aiosmtpd() {
    let found = std::process::Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "the mail tests receive through a real SMTP server, and Python's aiosmtpd is missing: \
         apt-get install python3-aiosmtpd (or run scripts/install-test-parts)"
    );
}

pub struct TestSmtp {
    child: Option<Child>,
    pub port: u16,
    refuse: bool,
    received: tempfile::TempDir,
}

impl TestSmtp {
    /// A server that takes every message.
    pub async fn start() -> TestSmtp {
        TestSmtp::start_with(false).await
    }

    /// A server that answers every recipient 550.
    pub async fn start_refusing() -> TestSmtp {
        TestSmtp::start_with(true).await
    }

    async fn start_with(refuse: bool) -> TestSmtp {
        require_aiosmtpd();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = TestSmtp {
            child: None,
            port,
            refuse,
            received: tempfile::tempdir().expect("a folder for received mail"),
        };
        server.run().await;
        server
    }

    async fn run(&mut self) {
        let mut command = Command::new(PYTHON);
        command
            .arg(folder().join("server.py"))
            .args(["--port", &self.port.to_string()])
            .arg("--folder")
            .arg(self.received.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        if self.refuse {
            command.arg("--refuse");
        }
        let mut child = command.spawn().expect("python3 starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut line)).await;
        assert!(
            matches!(read, Ok(Ok(n)) if n > 0) && line.trim() == "ready",
            "the SMTP server did not start"
        );
        self.child = Some(child);
    }

    /// `smtp://127.0.0.1:PORT`, as `--smtp-url` takes it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server: connections to its port are refused until [`start_again`].
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("the SMTP server stops");
        }
    }

    pub async fn start_again(&mut self) {
        self.stop().await;
        self.run().await;
    }

    /// The messages taken so far, each as the tests read it (see read_mail.py).
    pub fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.received.path())
            .expect("the folder of received mail")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.iter().map(|file| read(file)).collect()
    }
}

fn read(file: &Path) -> Value {
    let output = std::process::Command::new(PYTHON)
        .arg(folder().join("read_mail.py"))
        .arg(file)
        .output()
        .expect("python3 reads the message");
    assert!(
        output.status.success(),
        "read_mail.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}
