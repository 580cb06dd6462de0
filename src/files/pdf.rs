//! A small writer of text-only PDFs (A4, Helvetica, a heading and paragraphs),
//! for the demo city's incoming documents.
//!
//! Generated at load time rather than committed as files: the text stays
//! readable in the source beside the rest of the demo, the bytes are the same on
//! every load, and the documents carry a real text layer, so the personnummer
//! guard reads them like any uploaded PDF. Text is written in the standard
//! Helvetica font with WinAnsiEncoding, which holds the Swedish letters; a
//! character outside it is written as `?`.

/// One page's worth of lines at 11 pt.
const LINES_PER_PAGE: usize = 52;
/// Characters per line at 11 pt Helvetica within the margins.
const LINE_WIDTH: usize = 88;

/// A PDF of `title` and `paragraphs`, wrapped and paged.
pub fn text_document(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut lines: Vec<(bool, String)> = vec![(true, title.to_string()), (false, String::new())];
    for paragraph in paragraphs {
        for line in wrap(paragraph, LINE_WIDTH) {
            lines.push((false, line));
        }
        lines.push((false, String::new()));
    }
    let pages: Vec<&[(bool, String)]> = lines.chunks(LINES_PER_PAGE).collect();

    // Objects: 1 catalog, 2 pages, 3 font, 4 bold font, then per page its page
    // object and its content stream.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 5 + 2 * i).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for (i, page) in pages.iter().enumerate() {
        let content_id = page_ids[i] + 1;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_id} 0 R >>"
            )
            .into_bytes(),
        );
        let mut content = Vec::new();
        content.extend_from_slice(b"BT\n14 TL\n56 786 Td\n");
        for (bold, line) in page.iter() {
            content.extend_from_slice(if *bold {
                b"/F2 13 Tf\n"
            } else {
                b"/F1 11 Tf\n"
            });
            content.push(b'(');
            content.extend(escape(line));
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET\n");
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// Words to lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A line as the bytes of a PDF string in WinAnsiEncoding.
fn escape(line: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    for c in line.chars() {
        let byte = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            '–' => 0x96,
            '—' => 0x97,
            '”' => 0x94,
            '“' => 0x93,
            '’' => 0x92,
            '€' => 0x80,
            c if (c as u32) < 0x80 && !c.is_control() => c as u8,
            // Latin-1 letters (å, ä, ö, é …) are the same in WinAnsiEncoding.
            c if (0xa0..=0xff).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        };
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_back_as_its_text() {
        let pdf = text_document(
            "Missiv (remiss)",
            &[
                "Kommunstyrelsen remitterar förslaget till Stockholms stads trygghetsprogram \
                 2020–2023 till nämnderna för yttrande.",
                "Svar önskas senast den 30 april 2020.",
            ],
        );
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF reads");
        for expected in ["Missiv (remiss)", "förslaget", "2020–2023", "30 april 2020"] {
            assert!(text.contains(expected), "{expected:?} in {text:?}");
        }
    }

    #[test]
    fn long_texts_wrap_and_page() {
        let long = "ord ".repeat(5000);
        let pdf = text_document("Lång", &[long.as_str()]);
        let text = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF reads");
        assert_eq!(text.matches("ord").count(), 5000);
        assert!(
            wrap(&long, LINE_WIDTH)
                .iter()
                .all(|l| l.chars().count() <= LINE_WIDTH)
        );
    }
}
