"""Paragraphs: where a reader sees a break between lines (extra vertical space, a change of
type size or weight, a list number at the margin, a run-in bold heading), and how wrapped lines
join back into text (hyphens, URLs)."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Optional

from eula_parse.readers.layout import Layout, Line, body_size
from eula_parse.structure.markers import Marker, marker_of
from eula_parse.structure.urls import continues as url_continues

_RUNIN_END = re.compile(r"[.:]$")
_TERMINAL = re.compile(r"[.;:!?)\]”\"]$")


@dataclass
class Para:
    lines: list[Line]
    text: str = ""
    marker: Optional[Marker] = None
    heading: Optional[str] = None  # run-in heading text, without its closing punctuation
    kind: str = "body"  # "display", "runin", "numbered", "body"

    @property
    def size(self) -> float:
        return self.lines[0].size

    @property
    def bold(self) -> bool:
        return all(line.bold for line in self.lines)

    @property
    def page_start(self) -> int:
        return self.lines[0].page

    @property
    def page_end(self) -> int:
        return self.lines[-1].page

    @property
    def style(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


def _vocabulary(lines: list[Line]) -> set[str]:
    # One pass over the whole text (a token never spans the line breaks joining it): a findall per
    # line cost a tenth of building the tree.
    return {token.strip("-") for token in set(_TOKEN.findall("\n".join(line.text for line in lines).lower()))}


_TOKEN = re.compile(r"[\w’'-]+")


_HYPHEN_SPACE = re.compile(r"(?<=[A-Za-z])- +(?!(?:and|or|nor|to|und|oder)\b)(?=[A-Za-z])")


def join_lines(texts: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines into one string, undoing only the breaks the typesetter made.

    A hyphen at a line end is dropped only where the joined word is a word of
    this document and the hyphenated spelling is not ("compo-nent" ->
    "component", but "third-party" stays). URLs broken across lines are
    rejoined without a space, wherever the line end fell (:mod:`eula_parse.structure.urls`). A hyphen left with a space after it inside a line ("non- beta",
    where a word processor's optional hyphen stood) joins its word ("non-beta"); a suspended
    compound ("pre- and post-sale") keeps its space.
    """
    out = ""
    for text in texts:
        text = _HYPHEN_SPACE.sub("-", text.strip())
        if not out:
            out = text
            continue
        if not text:
            continue
        last = out[out.rfind(" ") + 1 :]  # (not rsplit: that copies the whole paragraph so far, line by line)
        first = text.partition(" ")[0]
        if url_continues(last, first):
            out += text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            head = re.findall(r"[\w’']+$", out[out.rfind(" ", 0, len(out) - 1) + 1 : -1])  # the last word
            tail = re.match(r"[\w’']+", text)
            if head and tail and text[0].islower():
                joined = (head[0] + tail.group()).lower()
                hyphenated = f"{head[0]}-{tail.group()}".lower()
                if joined in vocabulary and hyphenated not in vocabulary:
                    out = out[:-1] + text
                    continue
            out += text
        else:
            out += " " + text
    return out


def _breaks(prev: Line, line: Line, spacing: float, body: float, right: float = 0.0, first: Optional[Line] = None) -> bool:
    """Does ``line`` start a new paragraph after ``prev``? (``right``: the column's right edge,
    ``first``: the first line of the paragraph ``prev`` ends)"""
    if abs(line.size - prev.size) > 0.4:
        return True
    # A whole-bold line next to a regular one is a heading boundary, unless the regular
    # line opens bold too (a run-in heading wrapped from the line before).
    if prev.bold and not line.bold and not line.bold_prefix:
        return True
    if line.bold and not prev.bold and (max(line.size, prev.size) > body + 0.4 or _TERMINAL.search(prev.text.rstrip())):
        return True  # a bold line after a finished sentence (a heading at the top of a page, too)
    same_flow = line.gap is not None
    # type larger than the body is set with more lead: a title wrapping over lines is one paragraph
    lead = spacing * max(1.0, line.size / body) if body else spacing
    if same_flow and spacing and line.gap > max(lead * 1.6, lead + 2.5):
        return True
    if line.bold and not prev.bold and right and prev.x1 < right - 40:
        return True  # a whole-bold line under a short regular one ("Home | Policies" over the title)
    if (
        line.bold_prefix and not line.bold and not prev.bold and _RUNIN_END.search(line.bold_prefix.rstrip())
        and (_TERMINAL.search(prev.text.rstrip()) or not same_flow)
    ):
        return True
    if not same_flow and line.column == prev.column and line.x0 < prev.x0 - 2 and _TERMINAL.search(prev.text.rstrip()):
        return True  # overleaf, set left of a hanging item's text after its last sentence: a new paragraph
    marker = marker_of(line.text)
    if marker and same_flow and right and prev.x1 >= right - 12 and re.search(r"[A-Za-z,]$", prev.text.rstrip()) \
            and line.x0 >= prev.x0 - 2:
        # "... the terms of Sections 1 and" / "3 through 24 will survive", "... OTHER USERS OF PYTHON" /
        # "1.6.1 FOR ANY INCIDENTAL ...": a sentence wrapped at the margin, not a new number
        return False
    if marker and marker.kind == "decimal" and right and prev.x1 < right - 40 and line.x0 <= prev.x0 + 2 \
            and not re.search(r"[\w,]$", prev.text.rstrip()):
        return True  # a rule line that stops short of the margin: "-----" over "1. This LICENSE ..."
    if marker and marker.kind == "decimal" and right and same_flow and prev.x1 < right - 40 \
            and first is not None and abs(line.x0 - first.x0) <= 2 and _next_number(first.text, marker):
        # "14. THIRD-PARTY TERMS OF AGREEMENTS AND" / "BENEFICIARY" / "15. INTELLECTUAL ...": the line
        # before stopped well short of the margin and the number continues the paragraph's own
        return True
    if marker:
        if marker.kind == "item" and not _TERMINAL.search(prev.text.rstrip()) and line.x0 >= prev.x0 - 2:
            return False  # "... license rights, b) you ..." wrapped onto a new line
        if line.x0 < prev.x0 - 2 or _TERMINAL.search(prev.text.rstrip()) or not same_flow:
            return True
        if marker_of(prev.text) and abs(line.x0 - prev.x0) <= 2:
            return True
    return False


def _next_number(text: str, marker: Marker) -> bool:
    """Does ``marker`` carry the number after the one ``text`` opens with (14. -> 15., 2.3 -> 2.4)?"""
    opening = marker_of(text)
    if opening is None or opening.kind != "decimal":
        return False
    last = [int(n) for n in opening.number.rstrip(".").split(".") if n.isdigit()]
    new = [int(n) for n in marker.number.rstrip(".").split(".") if n.isdigit()]
    return bool(last) and len(new) == len(last) and new[:-1] == last[:-1] and new[-1] == last[-1] + 1


def paragraphs(lines: list[Line]) -> list[Para]:
    """Group lines into paragraphs and join their text."""
    body = body_size(lines)
    gaps = [l.gap for l in lines if l.gap is not None and 0 <= l.gap and abs(l.size - body) < 0.5]
    spacing = statistics.median(gaps) if gaps else 0.0
    vocab = _vocabulary(lines)
    right: dict[tuple[int, int], float] = {}
    for line in lines:
        if abs(line.size - body) < 0.5:
            right[line.page, line.column] = max(right.get((line.page, line.column), 0.0), line.x1)
    paras: list[Para] = []
    for line in lines:
        prev = paras[-1].lines[-1] if paras else None
        if prev and not _breaks(prev, line, spacing, body, right.get((prev.page, prev.column), 0.0), paras[-1].lines[0]):
            paras[-1].lines.append(line)
        else:
            paras.append(Para([line]))
    for para in paras:
        para.text = join_lines([l.text for l in para.lines], vocab)
    return paras


#: "ARTICLE 1 - DEFINITIONS AND INTERPRETATION 1.1. In this Agreement": a first sub-number run on
#: after a heading in capitals, with no stop between
_RUN_ON_AFTER_HEADING = re.compile(r"[\s\-–—:]*[A-Z][A-Z ,;&/'’-]*[A-Z]\s+(\d{1,3}(?:\.\d{1,3})+)\.?\s+(?=[A-Z“\"(])")
_RUN_ON_NUMBER = re.compile(r"(?<=[.;:])\s+(\d{1,3}(?:\.\d{1,3})+)\.?\s+(?=[A-Z“\"(])")


def _follows(last: list[int], new: list[int]) -> bool:
    """Is ``new`` the number a reader expects after ``last``: 3.7 -> 3.8, or 3 -> 3.1 (3.2 when
    the first paragraph under 3 goes unnumbered)?"""
    if len(new) == len(last) and new[:-1] == last[:-1] and new[-1] == last[-1] + 1:
        return True
    return len(new) == len(last) + 1 and new[:-1] == last and new[-1] in (1, 2)


def split_run_on_numbers(paras: list[Para]) -> list[Para]:
    """Split paragraphs where the next sub-clause number runs on inside the text
    ("... set out below. 3.2 You agree ..."), as some typesetters and text exports set them.

    Only the number the sequence expects next counts, so "Sections 1.2 and 1.3" or
    "version 2.0 The" inside a sentence is left alone.
    """
    out: list[Para] = []
    last: Optional[list[int]] = None
    for para in paras:
        marker = marker_of(para.text)
        if marker and marker.kind == "decimal":
            last = [int(n) for n in marker.number.rstrip(".").split(".") if n.isdigit()] or None
        elif marker and marker.kind == "part" and marker.number.split()[-1].isdigit():
            last = [int(marker.number.split()[-1])]  # "ARTICLE 1" is followed by 1.1
        cuts = []
        if last is not None:
            found = list(_RUN_ON_NUMBER.finditer(para.text, marker.length if marker else 0))
            m = _RUN_ON_AFTER_HEADING.match(para.text, marker.length) if marker else None
            if m and (not found or found[0].start() > m.start()):
                found.insert(0, m)
            for m in found:
                number = [int(n) for n in m.group(1).split(".")]
                if _follows(last, number):
                    cuts.append(m.start(1))
                    last = number
        if not cuts:
            out.append(para)
            continue
        starts, offset = [], 0  # where each line begins in the joined text (close enough for pages)
        for line in para.lines:
            starts.append(offset)
            offset += len(line.text.strip()) + 1
        bounds = [0] + cuts + [len(para.text)]
        for begin, end in zip(bounds, bounds[1:]):
            first = max(i for i, start in enumerate(starts) if start <= begin)
            last_line = max(i for i, start in enumerate(starts) if start < end)
            out.append(Para(lines=para.lines[first : last_line + 1], text=para.text[begin:end].strip()))
    return out


def _recompute_gaps(extraction: Layout) -> list[Line]:
    """Gaps measured after furniture removal: the first line of a column has none."""
    lines = []
    for page in extraction.pages:
        previous: Optional[Line] = None
        for line in page.lines:
            same = previous is not None and previous.column == line.column and line.top > previous.top
            line.gap = line.top - previous.bottom if same else None
            lines.append(line)
            previous = line
    return lines



def _with_text(para: Para, text: str) -> Para:
    return Para(lines=para.lines, text=text, marker=None, kind="body")

