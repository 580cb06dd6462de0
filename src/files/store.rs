//! Files into and out of PostgreSQL, streamed.
//!
//! An upload is taken piece by piece as it arrives: the whole file is hashed, cut
//! into chunks of [`CHUNK_SIZE`] that are written at once (each under its own
//! SHA-256, once however often it occurs), fed to clamd, and its first bytes kept
//! for telling its kind. Memory per upload is one chunk, whatever the file's size.
//! The chunks are written outside the registering transaction, so that a slow
//! upload holds no connection between pieces; the file itself ([`db::blobs::record`])
//! is recorded in that transaction, and chunks that never become part of a file
//! are removed by housekeeping.

use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use super::clamd::{Clamd, Scan, ScanError, Verdict};
use crate::db;
use crate::db::blobs::Part;
use crate::domain::file_check::TextCheck;

/// About 1 MiB: large enough that a 50 MB file is 50 rows, small enough that a
/// range request reads little it does not send.
pub const CHUNK_SIZE: usize = 1024 * 1024;
/// How much of the start of a file is kept for telling its kind.
const HEAD_SIZE: usize = 16 * 1024;

/// What the virus scan said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanResult {
    Clean,
    /// No scanner is configured.
    NotScanned,
    Infected(String),
    /// A scanner is configured but failed: the file must not be taken.
    Failed(String),
}

/// A file taken in: its chunks stored, not yet recorded as a blob.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub sha256: [u8; 32],
    pub size: u64,
    pub parts: Vec<Part>,
    pub head: Vec<u8>,
    pub is_text: bool,
    pub scan: ScanResult,
}

impl Ingested {
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An upload being taken in.
pub struct Ingest {
    pool: PgPool,
    whole: Sha256,
    buffer: Vec<u8>,
    parts: Vec<Part>,
    size: u64,
    head: Vec<u8>,
    text: TextCheck,
    scan: Option<Result<Scan, ScanError>>,
}

impl Ingest {
    /// Starts an upload; with a scanner, opens its scan now (a scanner that
    /// cannot be reached fails the upload at the end: nothing unscanned is taken).
    pub async fn begin(pool: PgPool, scanner: Option<&Clamd>) -> Ingest {
        let scan = match scanner {
            Some(clamd) => Some(clamd.begin().await),
            None => None,
        };
        Ingest {
            pool,
            whole: Sha256::new(),
            buffer: Vec::with_capacity(CHUNK_SIZE),
            parts: Vec::new(),
            size: 0,
            head: Vec::with_capacity(HEAD_SIZE),
            text: TextCheck::default(),
            scan,
        }
    }

    pub fn size(&self) -> u64 {
        self.size + self.buffer.len() as u64
    }

    /// Takes the next piece of the file.
    pub async fn write(&mut self, mut bytes: &[u8]) -> sqlx::Result<()> {
        if let Some(Ok(scan)) = &mut self.scan
            && let Err(error) = scan.send(bytes).await
        {
            self.scan = Some(Err(error));
        }
        self.whole.update(bytes);
        self.text.feed(bytes);
        if self.head.len() < HEAD_SIZE {
            let take = (HEAD_SIZE - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        while !bytes.is_empty() {
            let take = (CHUNK_SIZE - self.buffer.len()).min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() == CHUNK_SIZE {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> sqlx::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        let part = put_chunk(&mut conn, self.parts.len(), self.size, &self.buffer).await?;
        self.size += self.buffer.len() as u64;
        self.parts.push(part);
        self.buffer.clear();
        Ok(())
    }

    /// Ends the file: the last chunk written, the scan's verdict read.
    pub async fn finish(mut self) -> sqlx::Result<Ingested> {
        self.flush().await?;
        let scan = match self.scan.take() {
            None => ScanResult::NotScanned,
            Some(Err(error)) => ScanResult::Failed(error.to_string()),
            Some(Ok(scan)) => match scan.finish().await {
                Ok(Verdict::Clean) => ScanResult::Clean,
                Ok(Verdict::Infected(signature)) => ScanResult::Infected(signature),
                Err(error) => ScanResult::Failed(error.to_string()),
            },
        };
        Ok(Ingested {
            sha256: self.whole.finalize().into(),
            size: self.size,
            parts: self.parts,
            is_text: self.text.is_text(),
            head: self.head,
            scan,
        })
    }
}

async fn put_chunk(
    conn: &mut PgConnection,
    seq: usize,
    start_at: u64,
    data: &[u8],
) -> sqlx::Result<Part> {
    let sha: [u8; 32] = Sha256::digest(data).into();
    db::blobs::put_chunk(conn, &sha, data).await?;
    Ok(Part {
        seq: seq as i32,
        start_at: start_at as i64,
        length: data.len() as i32,
        chunk_sha256: sha.to_vec(),
    })
}

/// A file held in memory (a rendered document), stored in the caller's
/// transaction, chunks and blob together. Returns its SHA-256.
pub async fn store_bytes(conn: &mut PgConnection, bytes: &[u8]) -> sqlx::Result<[u8; 32]> {
    let sha256: [u8; 32] = Sha256::digest(bytes).into();
    let mut parts = Vec::new();
    for (seq, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
        parts.push(put_chunk(&mut *conn, seq, (seq * CHUNK_SIZE) as u64, chunk).await?);
    }
    db::blobs::record(conn, &sha256, bytes.len() as i64, &parts).await?;
    Ok(sha256)
}

/// A stored file whole (a rendered document attached to an e-mail): the bytes
/// that were registered, chunk by chunk.
pub async fn read_all(conn: &mut PgConnection, sha256: &[u8], size: i64) -> sqlx::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(size.max(0) as usize);
    for part in db::blobs::parts(&mut *conn, sha256, 0, size - 1).await? {
        let data = db::blobs::chunk(&mut *conn, &part.chunk_sha256)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        out.extend_from_slice(&data);
    }
    Ok(out)
}

/// Bytes `start..start + len` of a file from its parts (stored chunks), for
/// looking inside it. The caller bounds `len`.
pub async fn read_range(
    pool: &PgPool,
    parts: &[Part],
    start: u64,
    len: u64,
) -> sqlx::Result<Vec<u8>> {
    let end = start + len;
    let mut out = Vec::with_capacity(len as usize);
    let mut conn = pool.acquire().await?;
    for part in parts {
        let (p_start, p_end) = (
            part.start_at as u64,
            part.start_at as u64 + part.length as u64,
        );
        if p_end <= start || p_start >= end {
            continue;
        }
        let data = db::blobs::chunk(&mut conn, &part.chunk_sha256)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let from = start.saturating_sub(p_start) as usize;
        let to = (end.min(p_end) - p_start) as usize;
        out.extend_from_slice(&data[from..to]);
    }
    Ok(out)
}

/// Bytes `first..=last` of a recorded file, read a chunk at a time as the client
/// takes them; a connection is held only while one chunk is read.
pub fn read_stream(
    pool: PgPool,
    sha256: Vec<u8>,
    first: u64,
    last: u64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    struct At {
        pool: PgPool,
        sha256: Vec<u8>,
        parts: Option<std::vec::IntoIter<Part>>,
        first: u64,
        last: u64,
    }
    let at = At {
        pool,
        sha256,
        parts: None,
        first,
        last,
    };
    futures_util::stream::try_unfold(at, |mut at| async move {
        let io = |e: sqlx::Error| std::io::Error::other(e);
        if at.parts.is_none() {
            let mut conn = at.pool.acquire().await.map_err(io)?;
            let parts = db::blobs::parts(&mut conn, &at.sha256, at.first as i64, at.last as i64)
                .await
                .map_err(io)?;
            at.parts = Some(parts.into_iter());
        }
        let Some(part) = at.parts.as_mut().and_then(Iterator::next) else {
            return Ok(None);
        };
        let data = {
            let mut conn = at.pool.acquire().await.map_err(io)?;
            db::blobs::chunk(&mut conn, &part.chunk_sha256)
                .await
                .map_err(io)?
                .ok_or_else(|| std::io::Error::other("a chunk of a recorded file is missing"))?
        };
        let p_start = part.start_at as u64;
        let from = at.first.saturating_sub(p_start) as usize;
        let to = ((at.last + 1).min(p_start + data.len() as u64) - p_start) as usize;
        let bytes = Bytes::from(data).slice(from..to);
        Ok(Some((bytes, at)))
    })
}
