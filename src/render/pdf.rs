//! PDF by typst, used as a library: PDF/UA-1 and PDF/A-2a at once (tagged
//! structure, title and language in the metadata, fonts embedded).
//!
//! The layout is one typst file compiled into the binary (`document.typ`); the
//! document's data reaches it as a JSON file it reads (`/data.json`), never as
//! markup. The fonts are parsed once per process and shared by every rendering.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use super::blocks::{self, Document};
use super::protocol::Protocol;
use super::{Agenda, Extract, RenderError, Reply, Report};

/// Liberation Sans (SIL Open Font License 1.1; see `assets/fonts/`).
const FONTS: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/LiberationSans-Italic.ttf"),
];

const TEMPLATE: &str = include_str!("document.typ");
/// The whole protocol's layout (see [`super::protocol`]).
const PROTOCOL_TEMPLATE: &str = include_str!("protocol.typ");

/// Printed in place of a character the fonts cannot draw (PDF/A forbids
/// showing a glyph the font lacks): a white square, as a missing glyph looks.
const REPLACEMENT: char = '□';

/// What every rendering shares: the standard library, the parsed fonts, the
/// parsed layout. Built on first use.
struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    protocol: Source,
    data_id: FileId,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    assert_eq!(fonts.len(), FONTS.len(), "every embedded font parses");
    let path = |name: &str| {
        RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new(name).expect("a plain path"),
        )
        .intern()
    };
    Engine {
        // The PDF module's header cells mark the letterhead's labels as row headers.
        library: LazyHash::new(
            Library::builder()
                .with_features([Feature::A11yExtras].into_iter().collect())
                .build(),
        ),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        main: Source::new(path("/document.typ"), TEMPLATE.to_string()),
        protocol: Source::new(path("/protocol.typ"), PROTOCOL_TEMPLATE.to_string()),
        data_id: path("/data.json"),
        fonts,
    }
});

/// One rendering: the shared engine, the layout and this document's data.
struct Rendering {
    engine: &'static Engine,
    main: &'static Source,
    data: Bytes,
}

impl World for Rendering {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.engine.data_id {
            Ok(self.data.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    /// The layout never asks for today: the document's date is in its data.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

/// Whether every embedded font draws `c` (the regular and the bold text must
/// both show it).
fn drawable(c: char) -> bool {
    c == '\n'
        || ENGINE
            .fonts
            .iter()
            .all(|font| font.info().coverage.contains(c as u32))
}

/// The text as printed: see [`super::text::clean`], and what no font draws
/// replaced by a white square (or `?`).
fn printable(text: String) -> String {
    if text.chars().all(drawable) {
        return text;
    }
    let replacement = if drawable(REPLACEMENT) {
        REPLACEMENT
    } else {
        '?'
    };
    text.chars()
        .map(|c| if drawable(c) { c } else { replacement })
        .collect()
}

/// The tjänsteutlåtande as PDF.
pub fn report(report: &Report) -> Result<Vec<u8>, RenderError> {
    render("tjänsteutlåtande", &blocks::report(report))
}

/// The protokollsutdrag as PDF.
pub fn extract(extract: &Extract) -> Result<Vec<u8>, RenderError> {
    render("protokollsutdrag", &blocks::extract(extract))
}

/// The kallelse with its föredragningslista as PDF.
pub fn agenda(agenda: &Agenda) -> Result<Vec<u8>, RenderError> {
    render("kallelse", &blocks::agenda(agenda))
}

/// The yttrande, with its tjänsteutlåtande as bilaga, as PDF.
pub fn reply(reply: &Reply) -> Result<Vec<u8>, RenderError> {
    render("yttrande", &blocks::reply(reply))
}

/// The whole protocol of a meeting as PDF, in its own layout.
pub fn protocol(protocol: &Protocol) -> Result<Vec<u8>, RenderError> {
    let layout = super::protocol::layout(protocol);
    compile("protokoll", &ENGINE.protocol, &layout, layout.title.clone())
}

fn render(name: &'static str, document: &Document) -> Result<Vec<u8>, RenderError> {
    compile(name, &ENGINE.main, document, document.title.clone())
}

/// `data` laid out by `main`, with `ident` as the PDF's stable identifier.
fn compile<T: serde::Serialize>(
    name: &'static str,
    main: &'static Source,
    data: &T,
    ident: String,
) -> Result<Vec<u8>, RenderError> {
    let failed = |message: String| RenderError {
        document: name,
        message,
    };
    let mut data = serde_json::to_value(data).map_err(|e| failed(e.to_string()))?;
    super::text::clean_json(&mut data, &printable);
    let data = serde_json::to_vec(&data).map_err(|e| failed(e.to_string()))?;
    let world = Rendering {
        engine: &ENGINE,
        main,
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Nothing is kept between renderings (but the engine above): each one is a
    // document of its own, its cost and memory its own, whatever came before.
    typst::comemo::evict(0);
    let paged = compiled.map_err(|errors| failed(diagnostics(&errors)))?;
    let options = PdfOptions {
        // A stable identifier: the same document gives the same bytes.
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some("Remiss".into())),
        standards: PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1])
            .map_err(|e| failed(e.message().to_string()))?,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| failed(diagnostics(&errors)))
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let hints = e.hints.iter().map(|h| format!(" (hint: {})", h.v));
            format!("{}{}", e.message, hints.collect::<String>())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::super::protocol::sample as protocol_sample;
    use super::super::sample;

    #[test]
    fn every_document_renders_the_same_bytes_each_time() {
        let title = "Stockholms stads trygghetsprogram 2020-2023";
        for (pdf, again) in [
            (
                super::report(&sample::report(title)),
                super::report(&sample::report(title)),
            ),
            (
                super::reply(&sample::reply(title)),
                super::reply(&sample::reply(title)),
            ),
            (
                super::extract(&sample::extract(title)),
                super::extract(&sample::extract(title)),
            ),
            (
                super::protocol(&protocol_sample::protocol()),
                super::protocol(&protocol_sample::protocol()),
            ),
        ] {
            let pdf = pdf.unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            assert_eq!(pdf, again.unwrap());
        }
    }
}
