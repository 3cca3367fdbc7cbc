"""Classification: what each paragraph is (a display heading, a paragraph opened by a run-in
heading, a numbered paragraph, or body text), and the title block (title and version label)."""

from __future__ import annotations

import re
from typing import Optional

from eula_parse.model import normalize_space
from eula_parse.readers.layout import Layout
from eula_parse.structure.markers import Marker, marker_of
from eula_parse.structure.paragraphs import _RUNIN_END, Para

_TITLE_WORDS = re.compile(r"\b(?:agreement|licen[cs]e|terms|eula|conditions)\b", re.I)
#: a plain-text run-in heading after a section number: "2.2.1 Downloaded Software License Grant. Subject to ...",
#: "9. GOVERNING LAW; SEVERABILITY. This Agreement ..." (";", "," and "&" join heading words)
_TITLE_WORDS_RUN = (
    r"((?:(?:[A-Z]\.){2,}|\(?[A-Z][\w’'/&-]*\)?[,;]?)"
    r"(?:\s+(?:(?:[A-Z]\.){2,}|\(?[A-Z][\w’'/&-]*\)?[,;]?|of|and|or|the|to|for|in|on|a|an|with|by|from|&)){0,9})"
)  # initials count as a word: "U.S. Government Restricted Rights."
_TITLE_RUNIN = re.compile(r"^" + _TITLE_WORDS_RUN + r"\.\s+(?=[A-Z“\"(])")
#: the same ended by a colon, as lettered items label themselves: "f. MB-Research GmbH (MBR) Data: Users ..."
_TITLE_COLON = re.compile(r"^" + _TITLE_WORDS_RUN + r":\s+(?=[A-Z“\"(])")


def _runin_heading(para: Para) -> Optional[str]:
    """The bold lead-in of a paragraph ("Limitation of Liability."), if it opens with one; after
    a number an italic lead-in ending in a colon or period counts too ("7.1 Severability: ...")."""
    heading = _styled_runin(para, "bold")
    if heading is None and para.marker is not None and not any(line.italic for line in para.lines[1:]):
        heading = _styled_runin(para, "italic")
        if heading and not _RUNIN_END.search(heading):
            heading = None
    return heading


def _styled_runin(para: Para, style: str) -> Optional[str]:
    first = para.lines[0]
    prefix = getattr(first, f"{style}_prefix")
    if getattr(first, style) and len(para.lines) > 1:  # heading longer than one line
        rest = getattr(para.lines[1], f"{style}_prefix")
        if rest and not getattr(para.lines[1], style):
            prefix = f"{prefix} {rest}"
    if not prefix or all(getattr(line, style) for line in para.lines):
        return None
    prefix = prefix.strip()
    if len(prefix) > 150 or len(prefix) > 0.8 * len(para.text):
        return None
    if not _RUNIN_END.search(prefix) and not re.match(r"^\d", prefix):
        return None
    return prefix


def _title_runin(para: Para) -> Optional[str]:
    """A plain-text heading right after a section number, when a sentence follows it."""
    rest = para.text[para.marker.length :]
    # heading alone on its line, or ended by a colon ("6. Notice and Attribution: You must ...")
    m = _TITLE_RUNIN.match(rest) or _TITLE_RUNIN.match(rest.rstrip() + " X") or _TITLE_COLON.match(rest)
    if m and m.end() >= len(rest.rstrip()) and len(m.group(1).split()) < 2:
        return None  # "11. Reserved." is a clause, not a heading
    return m.group(1) if m else None


def classify(paras: list[Para], body: float) -> None:
    for para in paras:
        text = para.text
        para.marker = marker_of(text)
        is_display = (para.bold or para.size > body + 0.4) and len(para.lines) <= 4 and len(text) <= 200
        sentence = text.rstrip().endswith(".") and len(text.split()) > 12  # a bold sentence, not a heading
        if is_display and not sentence and not text.rstrip().endswith((",", ";")):
            para.kind = "display"
            if not (para.marker and para.marker.kind == "decimal" and _title_runin(para)):
                continue
        heading = _runin_heading(para) or (para.marker and para.marker.kind == "decimal" and _title_runin(para))
        if heading:
            para.kind = "runin"
            if para.marker and heading.startswith(text[: para.marker.length].strip()):
                heading = heading[para.marker.length :].strip() if len(heading) > para.marker.length else heading
            para.heading = heading.rstrip(" .:") or None
            if para.heading and para.marker and para.heading == para.marker.number:
                para.heading = None
            if para.heading is None:
                para.kind = "numbered" if para.marker else "body"
            continue
        if para.marker:
            # set smaller than the text it stands in, a number opens a table row or a note, not a clause
            para.kind = "numbered" if para.size >= body - 1.0 else "body"
    _own_line_headings(paras)


def _short_heading(text: str) -> bool:
    """A few words that name something ("Grant of License", "Limitation of liability."), not a sentence."""
    words = text.split()
    inner = re.sub(r"\b(?:[A-Z]\.){2,}(?=\s)", "X", text)  # initials are not a sentence's end: "U.S. GOVERNMENT"
    return (
        0 < len(words) <= 8 and len(text) <= 80 and text[0].isupper()
        and not text.endswith((",", ";")) and not re.search(r"[.;:!?]\s", inner)
    )


def _own_line_headings(paras: list[Para]) -> None:
    """A number with a short line of words and nothing else, followed by what it heads (body text
    set further in, or its own first sub-number: "5. Confidentiality." over "5.1"), is a heading
    on a line of its own, whatever its weight: "11. Reserved." followed by "12." stays a clause."""
    for para, following in zip(paras, paras[1:] + [None]):
        if para.kind != "numbered" or para.marker.kind not in ("decimal", "part"):
            continue
        if len(para.lines) > 1:
            # "2. LICENSE" broken off the sentence under it with no space between: a heading line,
            # told by the case changing, or by the next line set further in or running much further
            # ("ARTICLE 22 - UNITED STATES GOVERNMENT END" / "USERS" wraps in a narrow column)
            for k in range(1, min(3, len(para.lines))):
                head, second = para.lines[:k], para.lines[k]
                rest = " ".join(line.text.strip() for line in head)[para.marker.length :].strip()
                broken = not _heading_like(second.text) or (k == 1 and (
                    second.x0 > head[0].x0 + 2 or second.x1 - head[0].x1 > 0.3 * (second.x1 - second.x0)))
                if all(_heading_like(line.text) for line in head) and _short_heading(rest) and _heading_like(rest) \
                        and not rest.endswith(".") and broken and para.text[para.marker.length :].strip().startswith(rest):
                    para.kind, para.heading = "runin", rest.strip(" -–—:.") or None
                    break
            continue
        if following is None or para.marker.kind != "decimal":
            continue
        rest = para.text[para.marker.length :].strip()
        if not _short_heading(rest):
            continue
        number = para.marker.number.rstrip(".")
        child = following.marker is not None and following.marker.number.startswith(number + ".")
        indented_body = following.marker is None and following.lines[0].x0 > para.lines[0].x0 + 2
        # "1. DEFINITIONS" over "1. \"Derivative Works\" means ...": upper case with no stop names what follows
        unpunctuated = (following.marker is None or _heading_like(rest)) and not rest.endswith(".") and len(rest.split()) <= 6
        # "2. Terms of Use for Online Services:" over "a. ...": a title-case name, not a lead-in sentence
        titled_list = (
            following.marker is not None and following.marker.kind == "item" and rest.endswith(":")
            and _TITLE_RUNIN.match(rest[:-1] + ". X") is not None
        )
        if child or indented_body or unpunctuated or titled_list:
            para.kind, para.heading = "runin", rest.rstrip(" .:")


def _heading_like(text: str) -> bool:
    """Short and mostly upper case: "SCOPE OF USE", not a sentence that happens to start "Exhibit 1"."""
    if not 0 < len(text) <= 100:
        return False
    letters = "".join(filter(str.isalpha, text))
    return sum(map(str.isupper, letters)) >= 0.7 * len(letters)


def _split_part_heading(text: str, marker: Marker) -> tuple[str, Optional[str]]:
    rest = text[marker.length :].strip(" .:-–—")
    return marker.number, rest or None


def _runin_text(para: Para) -> str:
    """The characters of ``para.text`` taken by its run-in heading (and number)."""
    heading = para.heading or ""
    start = para.text.find(heading)
    end = start + len(heading) if start >= 0 else 0
    while end < len(para.text) and para.text[end] in ".: ":
        end += 1
    return para.text[:end]



# -- title block ----------------------------------------------------------------


def _title_index(paras: list[Para], first_page: int, body: float, width: float = 0.0) -> Optional[int]:
    """The paragraph that is the title: the largest display heading on the first page;
    where nothing there is set larger than the body, the first short line that names
    the document ("License Agreement", "Terms of Service"), bold or not, at the opening
    or centred on the page."""
    page = [i for i, p in enumerate(paras) if p.page_start == first_page]
    displays = [i for i in page if paras[i].kind == "display" and not paras[i].marker]
    larger = [i for i in displays if paras[i].size > body + 0.4]
    if larger:
        return max(larger, key=lambda i: (paras[i].size, bool(_TITLE_WORDS.search(paras[i].text)), -i))
    opening = [i for i in page if paras[i].size >= body - 0.2][:1]
    centred = [i for i in page if len(paras[i].lines) <= 2 and not paras[i].marker and _centred(paras[i], width)]
    # the document's opening paragraph may be a long title in body type when it names the
    # document ("User License Agreement for ... SDK, ... and ... Packages") in at most two lines
    plain = [
        i for i in sorted(set(displays + opening + centred))
        if (len(paras[i].text) < 120 or (i in opening and len(paras[i].lines) <= 2 and len(paras[i].text) < 200
                                         and _TITLE_WORDS.search(paras[i].text)))
        and not paras[i].text.rstrip().endswith(".")
    ]
    named = [i for i in plain if _TITLE_WORDS.search(paras[i].text)]
    return (named or plain or [None])[0]


def _centred(para: Para, width: float) -> bool:
    line = para.lines[0]
    return bool(width) and line.x0 > 0.12 * width and abs((line.x0 + line.x1) / 2 - width / 2) < 0.05 * width


def _title_lines(paras: list[Para], index: Optional[int], width: float) -> set[int]:
    """The title and the lines set with it: a title centred over several lines of the same
    style ("MOVESENSE" / "SOFTWARE DEVELOPMENT LICENSE" / "AND" / "EVALUATION AGREEMENT")
    is read as one."""
    if index is None:
        return set()
    block = {index}
    title = paras[index]
    if not _centred(title, width):
        return block
    for step in (-1, 1):
        i = index + step
        while 0 <= i < len(paras):
            para = paras[i]
            if (para.kind != "display" or para.marker or para.style != title.style
                    or para.page_start != title.page_start or not _centred(para, width)):
                break
            block.add(i)
            i += step
    return block



_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_VERSION_IN_TEXT = re.compile(
    r"\b(?:(?:version|revised|rev\.|(?:last )?updated|effective(?: date)?)\b|v(?=\d))\s*:?\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|" + _MONTH + r"\.? \d{4}|[\w./-]*\d[\w./-]*)"
    r"|\bEULA\s+\d{6,8}\b",
    re.I,
)


_PRINT_MARKS = re.compile(r"https?://|www\.|\b(?:printed|generated|downloaded|retrieved|accessed)\b", re.I)


def _version(extraction: Layout, paras: list[Para]) -> Optional[str]:
    """The version label: a "Version ..."/"Revised ..." phrase in the title block, else the
    constant text of a running header/footer that carries a number, else a closing
    "Last Updated: August 2016" line."""
    first_page = paras[0].page_start if paras else 1
    for para in paras[:8]:
        m = _VERSION_IN_TEXT.search(para.text) if para.page_start == first_page else None
        if m:
            return normalize_space(m.group(0))
    for text in extraction.furniture:
        # a web address or a print stamp ("Printed 11/30/2026") in a browser's print margins carries
        # digits too, but names a page or the day it was printed, not the agreement's version
        if re.search(r"\d", text) and not _PRINT_MARKS.search(text):
            return text
    for para in paras[-3:]:
        m = _VERSION_IN_TEXT.search(para.text) if len(para.text) < 200 else None
        if m:
            return normalize_space(m.group(0))
    return None

