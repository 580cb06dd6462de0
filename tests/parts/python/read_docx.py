"""Reads a .docx with python-docx and prints what a reader of it gets, as JSON:
the core properties' title and language, the language of the style defaults, and
every body paragraph in order with its style and whether it is numbered."""
import json
import sys

import docx
from docx.oxml.ns import qn

document = docx.Document(sys.argv[1])
defaults = document.styles.element.find(qn("w:docDefaults"))
lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}") if defaults is not None else None
paragraphs = []
for p in document.paragraphs:
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    paragraphs.append({"style": p.style.name, "text": p.text, "numbered": numbered})
print(json.dumps({
    "title": document.core_properties.title,
    "language": document.core_properties.language,
    "default_lang": lang.get(qn("w:val")) if lang is not None else None,
    "paragraphs": paragraphs,
}, ensure_ascii=False))
