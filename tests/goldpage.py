"""Check a structure gold file against the page itself (pdfplumber words), not the parser.

Gold is written from the page; this keeps it so when someone edits it: every listed
number (with its heading and text_start) must occur on the page the entry names, in
document order, and every parent must be listed before its children (or be a note or
paragraph number the file's "structure" explains). Whitespace is ignored in the
comparison, since a PDF's word boxes split and join words in ways a reader never sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pdfplumber

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
#: what may stand between a number and its heading on the page: "1.", "1)", "(b)", "B.1\u2014", "A,"
_AFTER_NUMBER = r"[.):,\-]*"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_QUOTES).replace("\ufb01", "fi").replace("\ufb02", "fl"))


def _pattern(text: str) -> str:
    return "".join(re.escape(c) for c in _squash(text))


def page_texts(pdf_path: Path, furniture: list[dict[str, Any]]) -> list[str]:
    """Each page's words in reading order, furniture removed, whitespace squashed out."""
    with pdfplumber.open(pdf_path) as pdf:
        raw = [" ".join(w["text"] for w in page.extract_words(use_text_flow=True)) for page in pdf.pages]
    for item in furniture:
        raw = [re.sub(item["regex"], " ", text) for text in raw]
    return [_squash(text) for text in raw]


def problems(pdf_path: Path, gold: dict[str, Any]) -> list[str]:
    """What in ``gold`` the page does not show; empty when the gold agrees with the page."""
    texts = page_texts(pdf_path, gold["furniture"])
    out = [] if len(texts) == gold["pages"] else [f"pages: the PDF has {len(texts)}"]
    position: dict[int, int] = {}
    last_page = 0
    for want in gold["headings"]:
        page = want["page"]
        where = f"{want.get('parent', '')}/{want['number']} {want['heading'] or ''} (page {page})"
        if page < last_page:
            out.append(f"out of page order: {where}")
        last_page = page
        head = ""
        if want["number"] is not None:
            head += r"\(?" + _pattern(want["number"]) + _AFTER_NUMBER
        if want["heading"]:
            head += _pattern(want["heading"]) + r"[.:]*"
        if page > len(texts):
            out.append(f"no such page: {where}")
            continue
        start = r"[-.:]*" + _pattern(want["text_start"]) if want.get("text_start") else ""
        text, at = texts[page - 1], position.get(page, 0)
        # a short label ("a") occurs inside many words: look for label, heading and text together first
        found = re.compile(head + start).search(text, at) if start else None
        if found:
            position[page] = found.end() - len(_squash(want["text_start"]))
            continue
        found = re.compile(head).search(text, at)
        if not found:
            out.append(f"not on its page after the previous entry: {where}")
            continue
        position[page] = found.end()
        # the text may begin on the next page, after that page's own furniture (a short line)
        following = texts[page] if page < len(texts) else ""
        runs_over = re.match(start, text[found.end():] + following)  # a sentence across the page break
        next_page = found.end() == len(text) and re.match(r".{0,40}?" + start, following)
        if start and not (runs_over or next_page):
            out.append(f"text_start not right after number and heading: {where}")
    return out
