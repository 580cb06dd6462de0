//! The server on a real socket, as a hostile network reaches it: the real binary
//! on its own database (on the server `DATABASE_URL` names, as `scripts/test`
//! sets it), with short limits given by its flags.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The most any check waits for what it expects; no check measures time.
const PATIENCE: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    port: u16,
    admin: PgConnectOptions,
    database: String,
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// The binary with these flags, on a fresh database with the demo city.
    fn start(flags: &[&str]) -> Server {
        let url = std::env::var("DATABASE_URL")
            .expect("DATABASE_URL names a PostgreSQL server where databases may be created (scripts/test sets it)");
        let admin = PgConnectOptions::from_str(&url).expect("DATABASE_URL is valid");
        let database = format!("remiss_server_{}_{}", std::process::id(), free_port());
        block_on(async {
            let mut conn = admin.connect().await.expect("connects to DATABASE_URL");
            sqlx::raw_sql(&format!("CREATE DATABASE {database}"))
                .execute(&mut conn)
                .await
                .expect("creates the test's database");
            conn.close().await.ok();
        });
        let (base, query) = url.split_once('?').unwrap_or((&url, ""));
        let (server, _) = base.rsplit_once('/').expect("a URL with a database");
        let database_url = format!("{server}/{database}?{query}");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_remiss"))
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--demo",
                "--pool-size",
                "4",
            ])
            .args(flags)
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the remiss binary starts");
        let mut server = Server {
            child,
            port,
            admin,
            database,
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(response) =
                self.request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                && response.starts_with("HTTP/1.1 200")
            {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server exited before it was healthy: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "not healthy within 90 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// Sends `raw` on a new connection and reads the answer until the server closes.
    fn request(&self, raw: &[u8]) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(PATIENCE))?;
        stream.write_all(raw)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok(String::from_utf8_lossy(&response).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while self.child.try_wait().ok().flatten().is_none() && started.elapsed() < PATIENCE {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (admin, database) = (self.admin.clone(), self.database.clone());
        block_on(async move {
            if let Ok(mut conn) = admin.connect().await {
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    }
}

/// Whether the server has closed this connection (reset, or end of stream).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let closed = match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) if error.kind() == ErrorKind::WouldBlock => false,
        Err(_) => true,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

fn assert_swedish_page(response: &str, status: &str, what: &str) {
    assert!(
        response.starts_with(&format!("HTTP/1.1 {status}")),
        "{what}: {}",
        &response[..response.len().min(300)]
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: text/html; charset=utf-8")
            && response.contains("<html lang=\"sv\">"),
        "{what}: not the Swedish error page:\n{}",
        &response[..response.len().min(600)]
    );
}

#[test]
fn slowloris_connections_are_cut_after_the_header_timeout_while_others_are_served() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut slow: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut stream = server.connect();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    let mut open = slow.len();
    while open > 0 {
        assert!(
            started.elapsed() < PATIENCE,
            "{open} of 30 connections that never finish their headers are still open"
        );
        // One more byte of the header each, as slowloris does, to look alive.
        open = 0;
        for stream in &mut slow {
            let cut = stream.write_all(b"a").is_err() || closed_by_server(stream);
            if !cut {
                open += 1;
            }
        }
        let healthy = server
            .request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        assert!(
            healthy.starts_with("HTTP/1.1 200"),
            "others are served: {healthy}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut stream = server.connect();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 1024];
    let read = stream.read(&mut answer).unwrap();
    assert!(String::from_utf8_lossy(&answer[..read]).starts_with("HTTP/1.1 200"));
    // Kept alive, and then nothing more is sent: the server ends it.
    let started = Instant::now();
    while !closed_by_server(&mut stream) {
        assert!(
            started.elapsed() < PATIENCE,
            "an idle connection is still held open"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_form_body_sent_too_slowly_is_answered_408() {
    let server = Server::start(&["--body-timeout", "1s"]);
    let mut stream = server.connect();
    stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 1000\r\nConnection: close\r\n\r\nusername=a",
        )
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert_swedish_page(
        &String::from_utf8_lossy(&response),
        "408",
        "a body that stops after ten bytes",
    );
}

#[test]
fn connections_beyond_the_cap_wait_until_one_is_free() {
    let server = Server::start(&["--max-connections", "3", "--header-timeout", "60s"]);
    let mut held: Vec<TcpStream> = (0..3).map(|_| server.connect()).collect();
    // Let the server take the three before the fourth arrives.
    std::thread::sleep(Duration::from_millis(300));
    let mut waiting = server.connect();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut answer = [0u8; 64];
    match waiting.read(&mut answer) {
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("served beyond the cap of three connections: {other:?}"),
    }
    // One of the three goes: the fourth is taken and answered.
    drop(held.pop());
    waiting.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut response = Vec::new();
    waiting.read_to_end(&mut response).unwrap();
    assert!(
        String::from_utf8_lossy(&response).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&response)
    );
}

#[test]
fn requests_too_large_or_malformed_for_hyper_get_the_swedish_page() {
    let server = Server::start(&[]);
    let many_headers: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a request line with a control character",
            b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "a header without a colon",
            b"GET / HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "a header name with a space",
            b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "150 header fields",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").into_bytes(),
            "431",
        ),
        (
            "a 40 KiB header",
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "b".repeat(40 * 1024)
            )
            .into_bytes(),
            "431",
        ),
        (
            "a 100 KiB target",
            format!(
                "GET /diarium?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(100 * 1024)
            )
            .into_bytes(),
            "431",
        ),
        (
            "a 20 KiB target",
            format!(
                "GET /diarium?q={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "a".repeat(20 * 1024)
            )
            .into_bytes(),
            "414",
        ),
        (
            "an unknown method",
            b"BREW /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            "405",
        ),
    ];
    for (what, raw, status) in cases {
        let response = server.request(&raw).unwrap();
        assert_swedish_page(&response, status, what);
    }
}
