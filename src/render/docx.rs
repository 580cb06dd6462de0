//! Word (DOCX) by docx-rs: the same blocks as the PDF, with Word's own heading
//! styles (`heading 1`…, so a reader's navigation pane and a recipient quoting
//! the text both see the structure), numbered lists, the title and the language
//! (`sv-SE`) in the document's properties.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, BreakType, Docx, Footer, Header, IndentLevel, Level, LevelJc, LevelOverride,
    LevelText, LineSpacing, NumPages, NumberFormat, Numbering, NumberingId, PageMargin, PageNum,
    Paragraph, Run, RunFonts, SpecialIndentType, Start, Style, StyleType,
};

use super::blocks::{self, Block, Document};
use super::text::clean;
use super::{RenderError, Reply, Report};

/// Arial, which the PDF's Liberation Sans matches metric for metric; Word
/// substitutes where it is missing.
const FONT: &str = "Arial";
/// The numbering definition every numbered list uses (each list restarts at 1).
const LIST_DEFINITION: usize = 1;

/// The tjänsteutlåtande as DOCX.
pub fn report(report: &Report) -> Result<Vec<u8>, RenderError> {
    render("tjänsteutlåtande", &blocks::report(report))
}

/// The yttrande, with its tjänsteutlåtande as bilaga, as DOCX.
pub fn reply(reply: &Reply) -> Result<Vec<u8>, RenderError> {
    render("yttrande", &blocks::reply(reply))
}

fn render(name: &'static str, document: &Document) -> Result<Vec<u8>, RenderError> {
    let mut docx = styled(Docx::new())
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(1701)
                .bottom(1418)
                .left(1418)
                .right(1247)
                .header(709)
                .footer(709),
        )
        .add_abstract_numbering(
            AbstractNumbering::new(LIST_DEFINITION).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("decimal"),
                    LevelText::new("%1."),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(454),
                    Some(SpecialIndentType::Hanging(454)),
                    None,
                    None,
                ),
            ),
        )
        .header(Header::new().add_paragraph(running_head(document)))
        .footer(Footer::new());
    let mut lists = 0;
    for block in &document.blocks {
        for paragraph in paragraphs(block, &mut lists) {
            docx = docx.add_paragraph(paragraph);
        }
    }
    for list in 1..=lists {
        docx = docx.add_numbering(
            Numbering::new(list, LIST_DEFINITION).add_override(LevelOverride::new(0).start(1)),
        );
    }
    let mut xml = docx.build();
    xml.doc_props.core = core_properties(document).into_bytes();
    xml.styles = finished_styles(&xml.styles).ok_or_else(|| RenderError {
        document: name,
        message: "docx-rs wrote the styles in an unexpected shape".into(),
    })?;
    let mut bytes = Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(|e| RenderError {
        document: name,
        message: e.to_string(),
    })?;
    Ok(bytes.into_inner())
}

/// Word's built-in style ids and names, so Word (and any reader) knows them.
fn styled(docx: Docx) -> Docx {
    let heading = |level: usize, size: usize| {
        Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .bold()
            .size(size)
            .outline_lvl(level - 1)
            .line_spacing(LineSpacing::new().before(320).after(120))
    };
    docx.default_fonts(
        RunFonts::new()
            .ascii(FONT)
            .hi_ansi(FONT)
            .cs(FONT)
            .east_asia(FONT),
    )
    .default_size(22)
    .default_line_spacing(LineSpacing::new().after(160))
    .add_style(heading(1, 34))
    .add_style(heading(2, 25))
    .add_style(heading(3, 23))
    .add_style(heading(4, 22))
    .add_style(
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .next("Normal")
            .size(24),
    )
    .add_style(
        Style::new("ListNumber", StyleType::Paragraph)
            .name("List Number")
            .based_on("Normal"),
    )
}

fn running_head(document: &Document) -> Paragraph {
    Paragraph::new()
        .size(18)
        .add_run(Run::new().add_text(format!("{} · Sida ", clean(&document.running))))
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(" ("))
        .add_num_pages(NumPages::new())
        .add_run(Run::new().add_text(")"))
}

/// A run of text; its line breaks kept as breaks.
fn text_run(text: &str) -> Run {
    let mut run = Run::new();
    for (i, line) in clean(text).split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn plain(text: &str) -> Paragraph {
    Paragraph::new().add_run(text_run(text))
}

fn paragraphs(block: &Block, lists: &mut usize) -> Vec<Paragraph> {
    match block {
        Block::Letterhead {
            issuer,
            issuer_lines,
            kind,
            facts,
            status,
        } => {
            let mut out = vec![Paragraph::new().add_run(text_run(issuer).bold().size(24))];
            out.extend(issuer_lines.iter().map(|line| plain(line)));
            out.push(Paragraph::new().add_run(text_run(kind).bold().size(26)));
            for fact in facts {
                out.push(
                    Paragraph::new()
                        .add_run(text_run(&format!("{}: ", fact.label)).bold())
                        .add_run(text_run(&fact.value)),
                );
            }
            if let Some(status) = status {
                out.push(Paragraph::new().add_run(text_run(status).bold()));
            }
            out
        }
        Block::Heading { level, text } => vec![
            Paragraph::new()
                .style(&format!("Heading{}", level.clamp(&1, &4)))
                .keep_next(true)
                .add_run(text_run(text)),
        ],
        Block::Subtitle { text } => {
            vec![Paragraph::new().style("Subtitle").add_run(text_run(text))]
        }
        Block::Paragraph { lead, text } => {
            let mut paragraph = Paragraph::new();
            if let Some(lead) = lead {
                paragraph = paragraph.add_run(text_run(&format!("{lead} ")).bold());
            }
            vec![paragraph.add_run(text_run(text))]
        }
        Block::Numbered { items } => {
            *lists += 1;
            items
                .iter()
                .map(|item| {
                    Paragraph::new()
                        .style("ListNumber")
                        .numbering(NumberingId::new(*lists), IndentLevel::new(0))
                        .add_run(text_run(item))
                })
                .collect()
        }
        Block::Signatures { on_behalf, people } => {
            let mut out = Vec::new();
            if let Some(on_behalf) = on_behalf {
                out.push(plain(on_behalf).keep_next(true));
            }
            for person in people {
                out.push(
                    Paragraph::new()
                        .keep_next(true)
                        .line_spacing(LineSpacing::new().before(480).after(0))
                        .add_run(Run::new().add_text("____________________________")),
                );
                if !person.name.is_empty() {
                    out.push(plain(&person.name).keep_next(true));
                }
                out.push(plain(&person.title));
            }
            out
        }
        Block::PageBreak => vec![Paragraph::new().add_run(Run::new().add_break(BreakType::Page))],
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The package's core properties: the title, the author, the language and the
/// document's date (docx-rs writes none of the first three).
fn core_properties(document: &Document) -> String {
    let date = format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        document.date.year, document.date.month, document.date.day
    );
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>Remiss</cp:lastModifiedBy><dc:language>sv-SE</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified></cp:coreProperties>"#,
        title = xml_escape(&document.title),
        author = xml_escape(&document.author),
    )
}

/// The styles with what docx-rs cannot say: Swedish as the language of all text
/// (spelling, hyphenation, what a screen reader speaks), in the run defaults where
/// Word looks for it, and `Normal` as the default paragraph style.
fn finished_styles(styles: &[u8]) -> Option<Vec<u8>> {
    const LANG: &str = r#"<w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA" />"#;
    const NORMAL: &str = r#"<w:style w:type="paragraph" w:styleId="Normal">"#;
    let styles = std::str::from_utf8(styles).ok()?;
    // w:lang comes last among the run properties docx-rs writes there.
    let end = "</w:rPr></w:rPrDefault>";
    let at = styles.find(end)?;
    let styles = format!("{}{LANG}{}", &styles[..at], &styles[at..]);
    if styles.matches(NORMAL).count() != 1 {
        return None;
    }
    Some(
        styles
            .replace(
                NORMAL,
                r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
            )
            .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample;

    #[test]
    fn the_styles_say_swedish_and_normal_is_the_default() {
        for bytes in [
            super::report(&sample::report("Titel")).unwrap(),
            super::reply(&sample::reply("Titel")).unwrap(),
        ] {
            assert!(bytes.starts_with(b"PK"), "a zip package");
        }
        let styles = super::finished_styles(
            super::Docx::new()
                .default_size(22)
                .build()
                .styles
                .as_slice(),
        )
        .unwrap();
        let styles = String::from_utf8(styles).unwrap();
        assert!(styles.contains(r#"<w:lang w:val="sv-SE""#), "{styles}");
        assert!(
            styles.contains(r#"w:default="1" w:styleId="Normal""#),
            "{styles}"
        );
    }
}
