//! The real ClamAV daemon (Debian's `clamav-daemon`, `/usr/sbin/clamd`), started
//! once for this test binary on a socket of its own, with a signature database of
//! its own: one signature for the EICAR test string (`tests/parts/clamav/`). Nothing
//! is downloaded. clamd takes a few seconds to start, so the tests share it.
//!
//! clamd stops when this test binary does: a small shell watchdog ends it once its
//! parent process is gone.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const CLAMD: &str = "/usr/sbin/clamd";

pub struct RealClamd {
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
    /// Kept, never waited for: it ends with this process.
    _watchdog: std::process::Child,
}

/// The shared clamd; the first caller starts it and waits until it answers.
pub fn clamd() -> &'static RealClamd {
    static SHARED: OnceLock<RealClamd> = OnceLock::new();
    SHARED.get_or_init(start)
}

/// The EICAR test file, put together here so that the source itself is not one.
pub fn eicar() -> Vec<u8> {
    let mut file = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$".to_vec();
    file.extend_from_slice(b"EICAR-STANDARD-ANTIVIRUS");
    file.extend_from_slice(b"-TEST-FILE!$H+H*");
    file
}

fn start() -> RealClamd {
    assert!(
        Path::new(CLAMD).exists(),
        "{CLAMD} is missing: install ClamAV's daemon (Debian: apt-get install clamav-daemon, \
         or run scripts/install-test-parts)"
    );
    let dir = tempfile::tempdir().expect("a folder for clamd");
    let database = dir.path().join("db");
    std::fs::create_dir(&database).unwrap();
    let signatures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parts/clamav/remiss-test.ndb");
    std::fs::copy(&signatures, database.join("remiss-test.ndb")).expect("the test signatures");
    let socket = dir.path().join("clamd.sock");
    let config = dir.path().join("clamd.conf");
    std::fs::write(
        &config,
        format!(
            "Foreground yes\nLocalSocket {}\nDatabaseDirectory {}\nTemporaryDirectory {}\n\
             LogFile {}\nStreamMaxLength 200M\nMaxFileSize 200M\nMaxScanSize 400M\n",
            socket.display(),
            database.display(),
            dir.path().display(),
            dir.path().join("clamd.log").display(),
        ),
    )
    .unwrap();
    // clamd in the foreground under a watchdog that ends it with this process.
    let script = format!(
        "{CLAMD} -c '{}' & child=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; \
         kill $child 2>/dev/null",
        config.display(),
        parent = std::process::id(),
    );
    let watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("clamd starts");
    let started = Instant::now();
    loop {
        if ping(&socket) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "clamd did not answer within 90 s; its log:\n{}",
            std::fs::read_to_string(dir.path().join("clamd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    RealClamd {
        socket,
        _dir: dir,
        _watchdog: watchdog,
    }
}

fn ping(socket: &Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reply = [0u8; 5];
    stream.write_all(b"zPING\0").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply[..4] == b"PONG"
}
