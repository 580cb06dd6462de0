//! What a file is, judged from its content and never from the name or type the
//! browser claims; which files are accepted; file names made safe.
//!
//! Accepted: PDF, DOCX, XLSX, ODT, plain UTF-8 text, PNG and JPEG. Office files
//! are zip containers: their central directory (at the end of the file) tells the
//! kind by the parts it holds, and shows macros (`vbaProject.bin`, ODF `Basic/`
//! or `Scripts/`) and encryption (the entry flags), which are refused. Everything
//! here is pure: the caller reads the bytes these functions ask for.

use std::fmt;

/// The kinds of file a document may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Pdf,
    Docx,
    Xlsx,
    Odt,
    Text,
    Png,
    Jpeg,
}

impl MediaType {
    pub const ALL: [MediaType; 7] = [
        MediaType::Pdf,
        MediaType::Docx,
        MediaType::Xlsx,
        MediaType::Odt,
        MediaType::Text,
        MediaType::Png,
        MediaType::Jpeg,
    ];

    /// The media type stored and sent in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            MediaType::Odt => "application/vnd.oasis.opendocument.text",
            MediaType::Text => "text/plain; charset=utf-8",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
        }
    }

    pub fn from_mime(mime: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.mime() == mime)
    }

    /// File name extensions of this kind; the first is the one given to a name
    /// that has none of them.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Pdf => &["pdf"],
            MediaType::Docx => &["docx"],
            MediaType::Xlsx => &["xlsx"],
            MediaType::Odt => &["odt"],
            MediaType::Text => &["txt", "csv", "md"],
            MediaType::Png => &["png"],
            MediaType::Jpeg => &["jpg", "jpeg"],
        }
    }

    /// How the interface names the kind.
    pub fn label_sv(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Docx => "Word (DOCX)",
            MediaType::Xlsx => "Excel (XLSX)",
            MediaType::Odt => "OpenDocument-text (ODT)",
            MediaType::Text => "Text",
            MediaType::Png => "PNG-bild",
            MediaType::Jpeg => "JPEG-bild",
        }
    }
}

/// Why a file is not taken, with its Swedish message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRefusal {
    Empty,
    /// Over the limit, in whole MB.
    TooLarge {
        limit_mb: u64,
    },
    /// A kind that is not accepted; what it looked like, if known.
    NotAccepted {
        seen: Option<String>,
    },
    Macros,
    Encrypted,
    /// A container that could not be read as what it claims to be.
    Damaged,
    /// ClamAV found something; the signature's name.
    Infected {
        signature: String,
    },
    /// A scanner is configured but did not answer: nothing unscanned is taken.
    ScannerUnavailable,
}

impl fmt::Display for FileRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const AGAIN: &str = "Välj filen på nytt: en fil kan inte fyllas i åt dig.";
        match self {
            FileRefusal::Empty => write!(f, "Filen är tom. Välj en fil med innehåll."),
            FileRefusal::TooLarge { limit_mb } => write!(
                f,
                "Filerna är för stora: en uppladdning får vara högst {limit_mb} MB. Dela upp handlingen, eller lägg till fler filer på remissens eller ärendets sida efteråt. {AGAIN}"
            ),
            FileRefusal::NotAccepted { seen } => write!(
                f,
                "Filtypen tas inte emot{}. Tillåtna är PDF, Word (DOCX), Excel (XLSX), OpenDocument-text (ODT), vanlig text (UTF-8), PNG och JPEG. {AGAIN}",
                seen.as_deref()
                    .map(|s| format!(" (filen är {s})"))
                    .unwrap_or_default()
            ),
            FileRefusal::Macros => write!(
                f,
                "Filen innehåller makron, som inte tas emot. Spara den utan makron (till exempel som DOCX eller PDF) och välj den på nytt."
            ),
            FileRefusal::Encrypted => write!(
                f,
                "Filen är krypterad eller lösenordsskyddad och kan inte tas emot. Spara den utan lösenord och välj den på nytt."
            ),
            FileRefusal::Damaged => {
                write!(f, "Filen kunde inte läsas: den verkar vara skadad. {AGAIN}")
            }
            FileRefusal::Infected { signature } => write!(
                f,
                "Virusskanningen hittade skadlig kod i filen ({signature}). Filen har inte tagits emot. Kontakta IT-supporten om du tror att det är fel."
            ),
            FileRefusal::ScannerUnavailable => write!(
                f,
                "Virusskanningen kunde inte granska filen just nu, så den har inte tagits emot. Försök igen om en stund; kontakta IT-supporten om felet kvarstår. {AGAIN}"
            ),
        }
    }
}

impl std::error::Error for FileRefusal {}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    Known(MediaType),
    /// A zip container: the central directory decides.
    Zip,
    /// Some other recognised kind (its media type), refused.
    Other(String),
    /// Nothing recognised: plain text if it is all UTF-8 text.
    Unknown,
}

/// Judges the first bytes of a file (a few KiB are enough).
pub fn sniff(head: &[u8]) -> Sniffed {
    match infer::get(head) {
        Some(kind) => match kind.mime_type() {
            "application/pdf" => Sniffed::Known(MediaType::Pdf),
            "image/png" => Sniffed::Known(MediaType::Png),
            "image/jpeg" => Sniffed::Known(MediaType::Jpeg),
            // infer names some zip-based formats itself; the directory decides.
            "application/zip"
            | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            | "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.spreadsheet"
            | "application/vnd.oasis.opendocument.presentation"
            | "application/epub+zip"
            | "application/java-archive" => Sniffed::Zip,
            // Text that looks like markup or a script is text all the same: judged
            // as text, stored and sent as text/plain.
            other if other.starts_with("text/") || other == "application/x-shellscript" => {
                Sniffed::Unknown
            }
            other => Sniffed::Other(other.to_string()),
        },
        None if head.starts_with(b"PK\x03\x04") => Sniffed::Zip,
        None => Sniffed::Unknown,
    }
}

/// Reads a file as it streams past and tells whether it is plain UTF-8 text: valid
/// UTF-8 (a character may be cut between two pieces) with no control characters
/// but tab, line breaks and form feed.
#[derive(Debug, Clone, Default)]
pub struct TextCheck {
    /// The start of a character cut off at the end of the last piece.
    pending: Vec<u8>,
    failed: bool,
}

impl TextCheck {
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        let mut joined;
        let bytes = if self.pending.is_empty() {
            bytes
        } else {
            joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(bytes);
            &joined[..]
        };
        let (valid, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, &[][..]),
            Err(error) => {
                if error.error_len().is_some() {
                    self.failed = true;
                    return;
                }
                let upto = error.valid_up_to();
                (
                    std::str::from_utf8(&bytes[..upto]).expect("valid up to here"),
                    &bytes[upto..],
                )
            }
        };
        if valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        {
            self.failed = true;
            return;
        }
        self.pending = rest.to_vec();
    }

    pub fn is_text(&self) -> bool {
        !self.failed && self.pending.is_empty()
    }
}

/// One entry of a zip file's central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub flags: u16,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_header_offset: u64,
}

impl ZipEntry {
    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 == 1
    }
}

/// Where the central directory lies, from the end-of-central-directory record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryAt {
    pub offset: u64,
    pub size: u64,
    pub entries: u64,
}

/// How much of the end of a zip file to read to find its directory record (the
/// record and the longest comment it may have).
pub const ZIP_TAIL: u64 = 22 + 65_535;
/// The largest central directory read; an office file has a few hundred entries.
pub const ZIP_DIRECTORY_MAX: u64 = 4 * 1024 * 1024;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Finds the end-of-central-directory record in the last bytes of a zip file of
/// `file_size` bytes. Zip64 (for files over 4 GiB) is not needed here and refused.
pub fn find_directory(tail: &[u8], file_size: u64) -> Result<DirectoryAt, FileRefusal> {
    let start = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
        .ok_or(FileRefusal::Damaged)?;
    let record = &tail[start..];
    let entries = u16_at(record, 10).ok_or(FileRefusal::Damaged)?;
    let size = u32_at(record, 12).ok_or(FileRefusal::Damaged)?;
    let offset = u32_at(record, 16).ok_or(FileRefusal::Damaged)?;
    if entries == u16::MAX || size == u32::MAX || offset == u32::MAX {
        return Err(FileRefusal::Damaged);
    }
    let (offset, size) = (u64::from(offset), u64::from(size));
    if offset + size > file_size || size > ZIP_DIRECTORY_MAX {
        return Err(FileRefusal::Damaged);
    }
    Ok(DirectoryAt {
        offset,
        size,
        entries: u64::from(entries),
    })
}

/// Reads the central directory's entries.
pub fn read_directory(directory: &[u8]) -> Result<Vec<ZipEntry>, FileRefusal> {
    let mut entries = Vec::new();
    let mut at = 0;
    while at < directory.len() {
        let header = &directory[at..];
        if !header.starts_with(b"PK\x01\x02") {
            return Err(FileRefusal::Damaged);
        }
        let field = |n: usize| u16_at(header, n).ok_or(FileRefusal::Damaged);
        let long = |n: usize| u32_at(header, n).ok_or(FileRefusal::Damaged);
        let (name_len, extra_len, comment_len) = (
            usize::from(field(28)?),
            usize::from(field(30)?),
            usize::from(field(32)?),
        );
        let name = header.get(46..46 + name_len).ok_or(FileRefusal::Damaged)?;
        entries.push(ZipEntry {
            name: String::from_utf8_lossy(name).into_owned(),
            flags: field(8)?,
            method: field(10)?,
            compressed_size: u64::from(long(20)?),
            uncompressed_size: u64::from(long(24)?),
            local_header_offset: u64::from(long(42)?),
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The length of an entry's local header, from its first 30 bytes: the entry's
/// data starts this far after `local_header_offset`.
pub fn local_header_len(first_30: &[u8]) -> Result<u64, FileRefusal> {
    if !first_30.starts_with(b"PK\x03\x04") {
        return Err(FileRefusal::Damaged);
    }
    let name = u16_at(first_30, 26).ok_or(FileRefusal::Damaged)?;
    let extra = u16_at(first_30, 28).ok_or(FileRefusal::Damaged)?;
    Ok(30 + u64::from(name) + u64::from(extra))
}

/// The ODF media type an OpenDocument file declares: the stored `mimetype` entry.
pub const ODF_MIMETYPE_ENTRY: &str = "mimetype";

/// What a zip container is, from its entries and (for OpenDocument) the content
/// of its `mimetype` entry.
pub fn classify_zip(
    entries: &[ZipEntry],
    odf_mimetype: Option<&[u8]>,
) -> Result<MediaType, FileRefusal> {
    if entries.is_empty() {
        return Err(FileRefusal::Damaged);
    }
    if entries.iter().any(ZipEntry::is_encrypted) {
        return Err(FileRefusal::Encrypted);
    }
    let has = |name: &str| entries.iter().any(|e| e.name == name);
    let macros = entries.iter().any(|e| {
        let lower = e.name.to_ascii_lowercase();
        lower.ends_with("vbaproject.bin")
            || lower.ends_with("vbadata.xml")
            || lower.starts_with("basic/")
            || lower.starts_with("scripts/")
    });
    if macros {
        return Err(FileRefusal::Macros);
    }
    if has("[Content_Types].xml") {
        if has("word/document.xml") {
            return Ok(MediaType::Docx);
        }
        if has("xl/workbook.xml") {
            return Ok(MediaType::Xlsx);
        }
        return Err(FileRefusal::NotAccepted {
            seen: Some("ett Office-dokument av annan typ".into()),
        });
    }
    if has(ODF_MIMETYPE_ENTRY) {
        return match odf_mimetype {
            Some(b"application/vnd.oasis.opendocument.text") => Ok(MediaType::Odt),
            Some(other) => Err(FileRefusal::NotAccepted {
                seen: Some(String::from_utf8_lossy(other).into_owned()),
            }),
            None => Err(FileRefusal::Damaged),
        };
    }
    if entries.iter().any(|e| {
        let lower = e.name.to_ascii_lowercase();
        [".zip", ".7z", ".rar", ".gz", ".tar"]
            .iter()
            .any(|ext| lower.ends_with(ext))
    }) {
        return Err(FileRefusal::NotAccepted {
            seen: Some("ett arkiv med arkiv i".into()),
        });
    }
    Err(FileRefusal::NotAccepted {
        seen: Some("ett zip-arkiv".into()),
    })
}

/// The parts of an office file whose text the personnummer guard reads: the
/// body, headers, footers, notes and comments of a DOCX; the strings and sheets
/// of an XLSX; the content of an ODT.
pub fn text_parts(kind: MediaType, entries: &[ZipEntry]) -> Vec<&ZipEntry> {
    entries
        .iter()
        .filter(|e| match kind {
            MediaType::Docx => e.name.starts_with("word/") && e.name.ends_with(".xml"),
            MediaType::Xlsx => {
                e.name == "xl/sharedStrings.xml"
                    || (e.name.starts_with("xl/worksheets/") && e.name.ends_with(".xml"))
            }
            MediaType::Odt => e.name == "content.xml" || e.name == "styles.xml",
            _ => false,
        })
        .collect()
}

/// The text of an office XML part: the characters between tags, with a space where
/// a paragraph, cell, line or tab ends (runs inside a paragraph are joined, so a
/// number split over two runs reads whole). Entities are decoded.
pub fn xml_text(xml: &str) -> String {
    const BREAKS: [&str; 12] = [
        "p",
        "tab",
        "br",
        "cr",
        "tc",
        "c",
        "si",
        "row",
        "h",
        "table-cell",
        "line-break",
        "s",
    ];
    let mut out = String::with_capacity(xml.len() / 4);
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let closing = tag.starts_with('/');
        let empty = tag.ends_with('/');
        if closing || empty {
            let name = tag
                .trim_start_matches('/')
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or("");
            let local = name.rsplit(':').next().unwrap_or(name);
            if BREAKS.contains(&local) {
                out.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
    }
    if !rest.contains('<') {
        out.push_str(&decode_entities(rest));
    }
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a PDF's last bytes declare encryption (the trailer's, or the
/// cross-reference stream's, `/Encrypt`).
pub fn pdf_is_encrypted(tail: &[u8]) -> bool {
    tail.windows(8).any(|w| w == b"/Encrypt")
}

/// How much of a PDF's end [`pdf_is_encrypted`] reads.
pub const PDF_TAIL: u64 = 16 * 1024;

/// A file name as it may be stored and offered for download: the last part of a
/// path, without control characters or characters that Windows refuses, trimmed,
/// at most 120 characters, and ending in an extension of its real kind (so that a
/// text file named `sida.html` is saved as `sida.html.txt`, never run as a page).
pub fn safe_file_name(claimed: &str, kind: MediaType) -> String {
    let base = claimed
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        // A right-to-left override would show `rapport\u{202e}fdp.exe` as
        // `rapportexe.pdf`.
        .filter(|c| !super::text::is_direction_control(*c))
        .collect::<String>();
    let base = base
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(['.', ' '])
        .to_string();
    let (stem, extension) = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), Some(ext.to_lowercase())),
        _ => (base.clone(), None),
    };
    let stem = if stem.is_empty() {
        "handling".to_string()
    } else {
        stem
    };
    let reserved = {
        let upper = stem.to_ascii_uppercase();
        let device = upper.split('.').next().unwrap_or("");
        matches!(device, "CON" | "PRN" | "AUX" | "NUL")
            || ((device.starts_with("COM") || device.starts_with("LPT"))
                && device.len() == 4
                && device.as_bytes()[3].is_ascii_digit())
    };
    let stem = if reserved { format!("_{stem}") } else { stem };
    let (stem, extension) = match extension {
        Some(ext) if kind.extensions().contains(&ext.as_str()) => (stem, ext),
        Some(ext) => (format!("{stem}.{ext}"), kind.extensions()[0].to_string()),
        None => (stem, kind.extensions()[0].to_string()),
    };
    let room = 120 - extension.chars().count() - 1;
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{extension}", stem.trim_end_matches(['.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_round_trip() {
        for m in MediaType::ALL {
            assert_eq!(MediaType::from_mime(m.mime()), Some(m));
        }
    }

    #[test]
    fn the_first_bytes_tell_pdf_png_jpeg_and_zip() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3"),
            Sniffed::Known(MediaType::Pdf)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Sniffed::Known(MediaType::Png)
        );
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Sniffed::Known(MediaType::Jpeg)
        );
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0"), Sniffed::Zip);
        assert_eq!(sniff(b"Hej hopp"), Sniffed::Unknown);
        assert_eq!(sniff(b"<!DOCTYPE html><html><p>Hej</p>"), Sniffed::Unknown);
        assert!(matches!(
            sniff(b"MZ\x90\0\x03\0\0\0\x04\0"),
            Sniffed::Other(_)
        ));
        assert!(matches!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Other(_)));
    }

    #[test]
    fn text_is_utf8_without_control_characters_even_when_cut() {
        let text = "Årsredovisning för Östra skolan\r\n\tsida 2\u{c}";
        for cut in 0..text.len() {
            let mut check = TextCheck::default();
            check.feed(&text.as_bytes()[..cut]);
            check.feed(&text.as_bytes()[cut..]);
            assert!(check.is_text(), "cut at {cut}");
        }
        let mut binary = TextCheck::default();
        binary.feed(b"abc\0def");
        assert!(!binary.is_text());
        let mut latin1 = TextCheck::default();
        latin1.feed(b"\xc5rsredovisning");
        assert!(!latin1.is_text());
        let mut cut_short = TextCheck::default();
        cut_short.feed("å".as_bytes().split_at(1).0);
        assert!(!cut_short.is_text(), "a character cut off at the end");
    }

    /// A zip file as bytes: (name, flags, content) per entry, stored.
    fn zip(entries: &[(&str, u16, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for (name, flags, content) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0]);
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(content.len() as u32).to_le_bytes());
            out.extend_from_slice(&(content.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(content);
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&[20, 0, 20, 0]);
            directory.extend_from_slice(&flags.to_le_bytes());
            directory.extend_from_slice(&[0; 10]);
            directory.extend_from_slice(&(content.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(content.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_at = out.len() as u32;
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn classify(file: &[u8]) -> Result<MediaType, FileRefusal> {
        let at = find_directory(file, file.len() as u64)?;
        let entries = read_directory(&file[at.offset as usize..(at.offset + at.size) as usize])?;
        assert_eq!(entries.len() as u64, at.entries);
        let mimetype = entries
            .iter()
            .find(|e| e.name == ODF_MIMETYPE_ENTRY)
            .map(|e| {
                let start = e.local_header_offset as usize;
                let data = start + local_header_len(&file[start..start + 30]).unwrap() as usize;
                &file[data..data + e.compressed_size as usize]
            });
        classify_zip(&entries, mimetype)
    }

    #[test]
    fn office_files_are_told_by_their_parts() {
        let docx = zip(&[
            ("[Content_Types].xml", 0, b"<Types/>"),
            ("word/document.xml", 0, b"<w:document/>"),
        ]);
        assert_eq!(classify(&docx), Ok(MediaType::Docx));
        let xlsx = zip(&[
            ("[Content_Types].xml", 0, b"<Types/>"),
            ("xl/workbook.xml", 0, b"<workbook/>"),
        ]);
        assert_eq!(classify(&xlsx), Ok(MediaType::Xlsx));
        let odt = zip(&[
            ("mimetype", 0, b"application/vnd.oasis.opendocument.text"),
            ("content.xml", 0, b"<office:document-content/>"),
        ]);
        assert_eq!(classify(&odt), Ok(MediaType::Odt));
    }

    #[test]
    fn macros_encryption_and_other_archives_are_refused() {
        let docm = zip(&[
            ("[Content_Types].xml", 0, b"<Types/>"),
            ("word/document.xml", 0, b"<w:document/>"),
            ("word/vbaProject.bin", 0, b"\xd0\xcf"),
        ]);
        assert_eq!(classify(&docm), Err(FileRefusal::Macros));
        let odt_basic = zip(&[
            ("mimetype", 0, b"application/vnd.oasis.opendocument.text"),
            ("Basic/Standard/Module1.xml", 0, b"<x/>"),
        ]);
        assert_eq!(classify(&odt_basic), Err(FileRefusal::Macros));
        let encrypted = zip(&[("secret.txt", 1, b"\x01\x02")]);
        assert_eq!(classify(&encrypted), Err(FileRefusal::Encrypted));
        let plain = zip(&[("notes.txt", 0, b"hej")]);
        assert!(matches!(
            classify(&plain),
            Err(FileRefusal::NotAccepted { .. })
        ));
        let ods = zip(&[(
            "mimetype",
            0,
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert!(matches!(
            classify(&ods),
            Err(FileRefusal::NotAccepted { .. })
        ));
        let pptx = zip(&[
            ("[Content_Types].xml", 0, b"<Types/>"),
            ("ppt/presentation.xml", 0, b"<p/>"),
        ]);
        assert!(matches!(
            classify(&pptx),
            Err(FileRefusal::NotAccepted { .. })
        ));
    }

    #[test]
    fn a_broken_zip_is_damaged() {
        assert_eq!(
            find_directory(b"PK\x03\x04 no directory here", 26),
            Err(FileRefusal::Damaged)
        );
        let mut cut = zip(&[("a.txt", 0, b"a")]);
        let len = cut.len();
        // The directory claims to lie past the end.
        cut[len - 6..len - 2].copy_from_slice(&u32::MAX.wrapping_sub(1).to_le_bytes());
        assert_eq!(classify(&cut), Err(FileRefusal::Damaged));
        assert_eq!(
            read_directory(b"PK\x01\x02short"),
            Err(FileRefusal::Damaged)
        );
    }

    #[test]
    fn office_xml_reads_as_text_with_runs_joined_and_paragraphs_apart() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>Sökande 19811</w:t></w:r><w:r><w:t xml:space="preserve">218-9876 &amp; </w:t></w:r></w:p><w:p><w:r><w:t>Nästa</w:t></w:r><w:tab/><w:r><w:t>stycke &#229;&#xE4;</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(
            xml_text(xml).trim(),
            "Sökande 19811218-9876 &  Nästa stycke åä"
        );
        let cells = r#"<row><c><v>811218</v></c><c><v>9876</v></c></row>"#;
        assert_eq!(xml_text(cells).trim(), "811218 9876");
        assert_eq!(xml_text("a &bogus; b & c"), "a &bogus; b & c");
    }

    #[test]
    fn encrypted_pdfs_are_told_by_their_trailer() {
        assert!(pdf_is_encrypted(
            b"trailer\n<< /Size 9 /Root 1 0 R /Encrypt 8 0 R >>\nstartxref\n"
        ));
        assert!(!pdf_is_encrypted(
            b"trailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n"
        ));
    }

    #[test]
    fn file_names_are_made_safe_and_end_in_their_kind() {
        let cases = [
            ("betänkande.pdf", MediaType::Pdf, "betänkande.pdf"),
            ("C:\\Users\\k\\Missiv.PDF", MediaType::Pdf, "Missiv.pdf"),
            ("../../etc/passwd", MediaType::Text, "passwd.txt"),
            ("sida.html", MediaType::Text, "sida.html.txt"),
            ("bild.png", MediaType::Jpeg, "bild.png.jpg"),
            ("a<b>:c\"d|e?f*.pdf", MediaType::Pdf, "a_b__c_d_e_f_.pdf"),
            ("rad\nbrytning\t.docx", MediaType::Docx, "rad brytning.docx"),
            ("...", MediaType::Pdf, "handling.pdf"),
            ("", MediaType::Odt, "handling.odt"),
            (".pdf", MediaType::Pdf, "pdf.pdf"),
            ("CON.pdf", MediaType::Pdf, "_CON.pdf"),
            ("lpt1.txt", MediaType::Text, "_lpt1.txt"),
            (
                "Sammanställning.xlsx ",
                MediaType::Xlsx,
                "Sammanställning.xlsx",
            ),
        ];
        for (claimed, kind, safe) in cases {
            assert_eq!(safe_file_name(claimed, kind), safe, "{claimed:?}");
        }
        let long = format!("{}.pdf", "å".repeat(300));
        let safe = safe_file_name(&long, MediaType::Pdf);
        assert_eq!(safe.chars().count(), 120);
        assert!(safe.ends_with(".pdf"));
    }
}
