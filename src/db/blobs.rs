//! Files, content-addressed: chunks kept once under their SHA-256, and blobs (whole
//! files, under theirs) as the ordered list of their chunks.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// One chunk of a blob, where it lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub seq: i32,
    pub start_at: i64,
    pub length: i32,
    pub chunk_sha256: Vec<u8>,
}

/// Stores a chunk unless it is there already; either way marks it as just used,
/// so that housekeeping leaves it alone while the upload that wrote it finishes.
pub async fn put_chunk(conn: &mut PgConnection, sha256: &[u8], data: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO blob_chunks (sha256, data) VALUES ($1, $2)
         ON CONFLICT (sha256) DO UPDATE SET touched_at = now()",
        sha256,
        data,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a whole file from its chunks (already stored), unless the same file
/// is recorded already.
pub async fn record(
    conn: &mut PgConnection,
    sha256: &[u8],
    size: i64,
    parts: &[Part],
) -> sqlx::Result<()> {
    let created = sqlx::query!(
        "INSERT INTO blobs (sha256, size) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
        sha256,
        size,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !created {
        return Ok(());
    }
    let seqs: Vec<i32> = parts.iter().map(|p| p.seq).collect();
    let starts: Vec<i64> = parts.iter().map(|p| p.start_at).collect();
    let lengths: Vec<i32> = parts.iter().map(|p| p.length).collect();
    let chunks: Vec<Vec<u8>> = parts.iter().map(|p| p.chunk_sha256.clone()).collect();
    sqlx::query!(
        "INSERT INTO blob_parts (blob_sha256, seq, start_at, length, chunk_sha256)
         SELECT $1, seq, start_at, length, chunk
         FROM unnest($2::integer[], $3::bigint[], $4::integer[], $5::bytea[]) AS p(seq, start_at, length, chunk)",
        sha256,
        &seqs,
        &starts,
        &lengths,
        &chunks,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The parts of a blob that hold bytes `first..=last`, in order.
pub async fn parts(
    conn: &mut PgConnection,
    sha256: &[u8],
    first: i64,
    last: i64,
) -> sqlx::Result<Vec<Part>> {
    sqlx::query_as!(
        Part,
        "SELECT seq, start_at, length, chunk_sha256 FROM blob_parts
         WHERE blob_sha256 = $1 AND start_at + length > $2 AND start_at <= $3
         ORDER BY seq",
        sha256,
        first,
        last,
    )
    .fetch_all(conn)
    .await
}

/// One chunk's bytes.
pub async fn chunk(conn: &mut PgConnection, sha256: &[u8]) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!("SELECT data FROM blob_chunks WHERE sha256 = $1", sha256)
        .fetch_optional(conn)
        .await
}

/// Chunks of uploads that never became a file (interrupted, refused), untouched
/// since `before`.
pub async fn delete_orphan_chunks(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM blob_chunks c
         WHERE c.touched_at < $1
           AND NOT EXISTS (SELECT 1 FROM blob_parts p WHERE p.chunk_sha256 = c.sha256)",
        before,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
