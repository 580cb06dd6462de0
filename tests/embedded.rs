//! The real binary's start: by default (no DATABASE_URL) with its own PostgreSQL
//! under the data directory; with an identity provider that cannot be reached;
//! with a configuration it refuses.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data_dir: &Path, port: u16) -> Child {
    start_with(data_dir, port, &[])
}

fn start_with(data_dir: &Path, port: u16, flags: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_remiss"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .args(flags)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the remiss binary starts")
}

/// A plain HTTP GET: (status code, body).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn wait_until_healthy(server: &mut Child, port: u16) {
    let started = Instant::now();
    loop {
        if let Some((200, body)) = get(port, "/healthz") {
            assert_eq!(body.trim_end(), "ok");
            return;
        }
        if let Some(status) = server.try_wait().unwrap() {
            panic!("the server exited before it was healthy: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "not healthy within 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stop(mut server: Child) {
    let pid = server.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    loop {
        if let Some(status) = server.try_wait().unwrap() {
            assert!(status.success(), "clean exit after SIGTERM, got {status}");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "did not stop within 60 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A folder for a data directory, which PostgreSQL (an unprivileged user when
/// the tests run as root) can enter.
fn data_folder() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("remiss-embedded")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    dir
}

#[test]
fn the_embedded_default_starts_serves_and_stops_cleanly() {
    let dir = data_folder();
    let data_dir = dir.path().join("data");
    let pid_file = data_dir.join("postgres").join("postmaster.pid");

    let port = free_port();
    let mut server = start(&data_dir, port);
    wait_until_healthy(&mut server, port);
    let (status, login) = get(port, "/login").unwrap();
    assert_eq!(status, 200);
    assert!(
        login.contains("remiss-demo"),
        "the demo city is loaded on first start"
    );
    assert!(
        data_dir.join("run").join(".s.PGSQL.5432").exists(),
        "a Unix socket in the data dir"
    );
    stop(server);
    assert!(!pid_file.exists(), "PostgreSQL stopped with the server");

    // A second start reuses the cluster, and its data.
    let port = free_port();
    let mut server = start(&data_dir, port);
    wait_until_healthy(&mut server, port);
    assert!(get(port, "/login").unwrap().1.contains("remiss-demo"));
    stop(server);
    assert!(!pid_file.exists());
}

#[test]
fn an_identity_provider_that_cannot_be_reached_does_not_hold_up_the_start() {
    let dir = data_folder();
    let nobody_listens = free_port();
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let issuer = format!("http://127.0.0.1:{nobody_listens}");
    let mut server = start_with(
        &dir.path().join("data"),
        port,
        &[
            "--oidc-issuer",
            &issuer,
            "--oidc-client-id",
            "remiss",
            "--oidc-client-secret",
            "hemligt",
            "--public-url",
            &public_url,
            "--oidc-name",
            "Exempelkommunens inloggning",
        ],
    );
    wait_until_healthy(&mut server, port);
    let (status, login) = get(port, "/login").unwrap();
    assert_eq!(status, 200);
    assert!(
        login.contains("Logga in med Exempelkommunens inloggning"),
        "{login}"
    );
    assert!(
        login.contains("name=\"password\""),
        "passwords still offered"
    );
    let (status, refused) = get(port, "/login/oidc").unwrap();
    assert_eq!(status, 503);
    assert!(
        refused.contains("Inloggningen fungerar inte just nu"),
        "{refused}"
    );
    stop(server);
}

#[test]
fn passwords_off_without_single_sign_on_is_refused_at_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_remiss"))
        .args(["serve", "--addr", "127.0.0.1:0", "--local-login", "off"])
        .env_remove("DATABASE_URL")
        .env_remove("REMISS_OIDC_ISSUER")
        .output()
        .expect("the remiss binary runs");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--local-login off needs single sign-on"),
        "{said}"
    );
}
