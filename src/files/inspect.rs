//! Looking inside a file that was taken in: what it really is (from its content),
//! and its text for the personnummer guard.
//!
//! Only what is needed is read back from the stored chunks: the first bytes, a
//! zip file's directory and its text parts, a PDF's last bytes. A whole file is
//! read into memory only to extract a PDF's text or to read a text file, and only
//! up to [`TEXT_LIMIT`]; one extraction runs at a time, bounded in time, so that
//! memory stays flat however many uploads arrive together. A file whose text is
//! not read is marked so, and a registrar must look at it before it is published.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::Semaphore;

use super::store::{Ingested, read_range};
use crate::domain::file_check::{
    self, FileRefusal, MediaType, ODF_MIMETYPE_ENTRY, PDF_TAIL, Sniffed, ZIP_TAIL, ZipEntry,
};

/// The largest file whose text is read (a PDF's text layer, a text file).
pub const TEXT_LIMIT: u64 = 16 * 1024 * 1024;
/// The most text read out of one office file's parts.
const OFFICE_TEXT_LIMIT: u64 = 32 * 1024 * 1024;
/// How long one extraction may take, and may wait for its turn.
const EXTRACTION_TIME: Duration = Duration::from_secs(30);

/// What a file is, and its text when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub media_type: MediaType,
    /// None: not read (an image, too large, no text layer, unreadable).
    pub text: Option<String>,
}

/// One extraction at a time in the whole process: extractors need memory in
/// proportion to the file.
fn extraction_turn() -> Arc<Semaphore> {
    static TURN: std::sync::OnceLock<Arc<Semaphore>> = std::sync::OnceLock::new();
    TURN.get_or_init(|| Arc::new(Semaphore::new(1))).clone()
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    Refused(#[from] FileRefusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Decides what `file` is and reads its text.
pub async fn inspect(pool: &PgPool, file: &Ingested) -> Result<Inspected, InspectError> {
    if file.size == 0 {
        return Err(FileRefusal::Empty.into());
    }
    let (media_type, text) = match file_check::sniff(&file.head) {
        Sniffed::Known(MediaType::Pdf) => {
            let tail_at = file.size.saturating_sub(PDF_TAIL);
            let tail = read_range(pool, &file.parts, tail_at, file.size - tail_at).await?;
            if file_check::pdf_is_encrypted(&tail) {
                return Err(FileRefusal::Encrypted.into());
            }
            (MediaType::Pdf, pdf_text(pool, file).await?)
        }
        Sniffed::Known(kind) => (kind, None),
        Sniffed::Zip => {
            let (kind, entries) = zip_kind(pool, file).await?;
            (kind, office_text(pool, file, kind, &entries).await?)
        }
        Sniffed::Other(mime) => {
            return Err(FileRefusal::NotAccepted { seen: Some(mime) }.into());
        }
        Sniffed::Unknown if file.is_text => {
            let text = if file.size <= TEXT_LIMIT {
                let bytes = read_range(pool, &file.parts, 0, file.size).await?;
                Some(String::from_utf8_lossy(&bytes).into_owned())
            } else {
                None
            };
            (MediaType::Text, text)
        }
        Sniffed::Unknown => return Err(FileRefusal::NotAccepted { seen: None }.into()),
    };
    Ok(Inspected { media_type, text })
}

async fn zip_kind(
    pool: &PgPool,
    file: &Ingested,
) -> Result<(MediaType, Vec<ZipEntry>), InspectError> {
    let tail_at = file.size.saturating_sub(ZIP_TAIL);
    let tail = read_range(pool, &file.parts, tail_at, file.size - tail_at).await?;
    let at = file_check::find_directory(&tail, file.size)?;
    let directory = read_range(pool, &file.parts, at.offset, at.size).await?;
    let entries = file_check::read_directory(&directory)?;
    let mimetype = match entries.iter().find(|e| e.name == ODF_MIMETYPE_ENTRY) {
        Some(entry) if entry.method == 0 && entry.compressed_size <= 200 => {
            Some(entry_bytes(pool, file, entry).await?)
        }
        _ => None,
    };
    let kind = file_check::classify_zip(&entries, mimetype.as_deref())?;
    Ok((kind, entries))
}

/// An entry's bytes as stored (compressed or not).
async fn entry_bytes(
    pool: &PgPool,
    file: &Ingested,
    entry: &ZipEntry,
) -> Result<Vec<u8>, InspectError> {
    let header = read_range(pool, &file.parts, entry.local_header_offset, 30).await?;
    let data_at = entry.local_header_offset + file_check::local_header_len(&header)?;
    if data_at + entry.compressed_size > file.size {
        return Err(FileRefusal::Damaged.into());
    }
    Ok(read_range(pool, &file.parts, data_at, entry.compressed_size).await?)
}

/// The text of an office file's text parts; None when they are too large or
/// cannot be inflated.
async fn office_text(
    pool: &PgPool,
    file: &Ingested,
    kind: MediaType,
    entries: &[ZipEntry],
) -> Result<Option<String>, InspectError> {
    let parts = file_check::text_parts(kind, entries);
    if parts.is_empty() {
        return Ok(None);
    }
    let mut text = String::new();
    let mut read = 0u64;
    for entry in parts {
        read += entry.uncompressed_size;
        if entry.compressed_size > TEXT_LIMIT || read > OFFICE_TEXT_LIMIT {
            return Ok(None);
        }
        let stored = entry_bytes(pool, file, entry).await?;
        let xml = match entry.method {
            0 => stored,
            8 => {
                let mut xml = Vec::new();
                let inflated = flate2::read::DeflateDecoder::new(&stored[..])
                    .take(OFFICE_TEXT_LIMIT)
                    .read_to_end(&mut xml);
                if inflated.is_err() {
                    return Ok(None);
                }
                xml
            }
            _ => return Ok(None),
        };
        text.push_str(&file_check::xml_text(&String::from_utf8_lossy(&xml)));
        text.push('\n');
    }
    Ok(Some(text))
}

/// A PDF's text layer, when the file is small enough and the text can be read in
/// time; None for a scan without text, or a PDF the extractor cannot read.
async fn pdf_text(pool: &PgPool, file: &Ingested) -> Result<Option<String>, InspectError> {
    if file.size > TEXT_LIMIT {
        return Ok(None);
    }
    let Ok(Ok(turn)) =
        tokio::time::timeout(EXTRACTION_TIME, extraction_turn().acquire_owned()).await
    else {
        return Ok(None);
    };
    let bytes = read_range(pool, &file.parts, 0, file.size).await?;
    // The turn goes with the work: a runaway extraction keeps it until it ends,
    // and no second one starts beside it.
    let extraction = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        pdf_extract::extract_text_from_mem(&bytes).ok()
    });
    let text = match tokio::time::timeout(EXTRACTION_TIME, extraction).await {
        // A panic in the extractor is a PDF it cannot read.
        Ok(Ok(text)) => text,
        Ok(Err(_)) | Err(_) => None,
    };
    Ok(text.filter(|t| t.chars().any(char::is_alphanumeric)))
}
