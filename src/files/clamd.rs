//! ClamAV's daemon over its socket: an upload is streamed to clamd (`zINSTREAM`)
//! as it arrives, and clamd's verdict read at the end.
//!
//! The protocol is small: the command, then the file as chunks each preceded by
//! its length (4 bytes, big-endian), a zero length to end, and one reply line:
//! `stream: OK`, `stream: <signature> FOUND`, or `... ERROR` (e.g. when the file
//! is over clamd's `StreamMaxLength`). It is written here rather than taken from
//! the `clamav-client` crate because that crate's streaming scan consumes a whole
//! `Stream` by itself: feeding it while the same bytes are hashed and stored would
//! need a channel and a second task, and it reads clamd's early error reply (sent
//! before closing the socket mid-upload) only as a broken pipe.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

/// How long clamd may take to accept, to take a piece, and to judge the whole.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
const VERDICT_TIMEOUT: Duration = Duration::from_secs(120);

/// Where clamd listens: a Unix socket (a path) or `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddr {
    Unix(PathBuf),
    Tcp(String),
}

impl FromStr for ClamdAddr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty clamd address".into());
        }
        if s.starts_with('/') || s.starts_with('.') {
            return Ok(ClamdAddr::Unix(PathBuf::from(s)));
        }
        match s.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                Ok(ClamdAddr::Tcp(s.to_string()))
            }
            _ => Err(format!(
                "clamd address {s:?} is neither a socket path (/run/clamav/clamd.ctl) nor host:port"
            )),
        }
    }
}

impl fmt::Display for ClamdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClamdAddr::Unix(path) => write!(f, "{}", path.display()),
            ClamdAddr::Tcp(addr) => f.write_str(addr),
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// What clamd said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Infected(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("clamd at {addr}: {source}")]
    Io {
        addr: String,
        source: std::io::Error,
    },
    #[error("clamd at {addr} did not answer in time")]
    Timeout { addr: String },
    #[error("clamd at {addr} answered {reply:?}")]
    Refused { addr: String, reply: String },
}

/// A configured clamd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clamd {
    addr: ClamdAddr,
}

impl Clamd {
    pub fn new(addr: ClamdAddr) -> Clamd {
        Clamd { addr }
    }

    pub fn addr(&self) -> &ClamdAddr {
        &self.addr
    }

    async fn connect(&self) -> Result<Box<dyn Stream>, ScanError> {
        let connect = async {
            Ok::<Box<dyn Stream>, std::io::Error>(match &self.addr {
                ClamdAddr::Unix(path) => Box::new(UnixStream::connect(path).await?),
                ClamdAddr::Tcp(addr) => Box::new(TcpStream::connect(addr).await?),
            })
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(source)) => Err(self.io(source)),
            Err(_) => Err(self.timeout()),
        }
    }

    fn io(&self, source: std::io::Error) -> ScanError {
        ScanError::Io {
            addr: self.addr.to_string(),
            source,
        }
    }

    fn timeout(&self) -> ScanError {
        ScanError::Timeout {
            addr: self.addr.to_string(),
        }
    }

    /// Whether clamd answers (`PING` → `PONG`).
    pub async fn ping(&self) -> Result<(), ScanError> {
        let mut stream = self.connect().await?;
        let reply = tokio::time::timeout(CONNECT_TIMEOUT, async {
            stream.write_all(b"zPING\0").await?;
            read_reply(&mut stream).await
        })
        .await
        .map_err(|_| self.timeout())?
        .map_err(|e| self.io(e))?;
        if reply == "PONG" {
            Ok(())
        } else {
            Err(ScanError::Refused {
                addr: self.addr.to_string(),
                reply,
            })
        }
    }

    /// Opens a scan; the file follows through [`Scan::send`].
    pub async fn begin(&self) -> Result<Scan, ScanError> {
        let mut stream = self.connect().await?;
        tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(b"zINSTREAM\0"))
            .await
            .map_err(|_| self.timeout())?
            .map_err(|e| self.io(e))?;
        Ok(Scan {
            clamd: self.clone(),
            stream,
            broken: false,
        })
    }
}

/// A scan under way.
pub struct Scan {
    clamd: Clamd,
    stream: Box<dyn Stream>,
    /// clamd stopped reading (it may have said why: read at the end).
    broken: bool,
}

/// clamd's largest accepted piece is its `StreamMaxLength`; pieces are sent as
/// they come, cut at this size.
const MAX_PIECE: usize = 1024 * 1024;

impl Scan {
    /// Sends the next piece of the file.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), ScanError> {
        if self.broken {
            return Ok(());
        }
        for piece in bytes.chunks(MAX_PIECE) {
            let write = async {
                self.stream
                    .write_all(&(piece.len() as u32).to_be_bytes())
                    .await?;
                self.stream.write_all(piece).await
            };
            match tokio::time::timeout(WRITE_TIMEOUT, write).await {
                Ok(Ok(())) => {}
                // clamd closed its side, typically after an error reply.
                Ok(Err(_)) => {
                    self.broken = true;
                    return Ok(());
                }
                Err(_) => return Err(self.clamd.timeout()),
            }
        }
        Ok(())
    }

    /// Ends the file and reads the verdict.
    pub async fn finish(mut self) -> Result<Verdict, ScanError> {
        let clamd = self.clamd.clone();
        let reply = tokio::time::timeout(VERDICT_TIMEOUT, async {
            if !self.broken {
                self.stream.write_all(&[0, 0, 0, 0]).await?;
                self.stream.flush().await?;
            }
            read_reply(&mut self.stream).await
        })
        .await
        .map_err(|_| clamd.timeout())?
        .map_err(|e| clamd.io(e))?;
        parse_reply(&reply).ok_or(ScanError::Refused {
            addr: clamd.addr.to_string(),
            reply,
        })
    }
}

/// One reply, up to its terminating NUL (or the end of the connection).
async fn read_reply(stream: &mut Box<dyn Stream>) -> std::io::Result<String> {
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte).await? {
            0 => break,
            _ if byte[0] == 0 => break,
            _ => reply.push(byte[0]),
        }
        if reply.len() > 4096 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&reply).trim().to_string())
}

/// `stream: OK` → clean; `stream: Eicar-Signature FOUND` → infected; anything
/// else (an error) → none.
fn parse_reply(reply: &str) -> Option<Verdict> {
    let verdict = reply.strip_prefix("stream:")?.trim();
    if verdict == "OK" {
        return Some(Verdict::Clean);
    }
    verdict
        .strip_suffix("FOUND")
        .map(|signature| Verdict::Infected(signature.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_socket_paths_or_host_and_port() {
        assert_eq!(
            "/run/clamav/clamd.ctl".parse(),
            Ok(ClamdAddr::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(
            "127.0.0.1:3310".parse(),
            Ok(ClamdAddr::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            "clamav.internal:3310".parse(),
            Ok(ClamdAddr::Tcp("clamav.internal:3310".into()))
        );
        assert!("clamav".parse::<ClamdAddr>().is_err());
        assert!("host:port".parse::<ClamdAddr>().is_err());
        assert!("".parse::<ClamdAddr>().is_err());
    }

    #[test]
    fn replies_read_as_verdicts() {
        assert_eq!(parse_reply("stream: OK"), Some(Verdict::Clean));
        assert_eq!(
            parse_reply("stream: Remiss.Test.EICAR.UNOFFICIAL FOUND"),
            Some(Verdict::Infected("Remiss.Test.EICAR.UNOFFICIAL".into()))
        );
        assert_eq!(parse_reply("INSTREAM size limit exceeded. ERROR"), None);
        assert_eq!(parse_reply(""), None);
    }
}
