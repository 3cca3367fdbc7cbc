"""Stage 2: lines -> the agreement's tree.

The hierarchy is read from what the page shows, never from a list of names:

1. Lines become *paragraphs* where a reader sees a break: extra vertical
   space, a change of type size or weight, a list number at the margin, a
   run-in bold heading.
2. Each paragraph is *classified*: a display heading (bold or larger than the
   body text, short), a paragraph opened by a run-in heading ("Limitation of
   Liability. The provisions ..."), a numbered paragraph ("5.", "4.1.4.1",
   "ARTICLE 1", "B.1"), or plain body text.
3. Display headings are ranked by type size and weight. The heading style
   whose headings are followed by a list numbered from 1 marks *products*;
   bigger styles above it mark product *groups*. Everything before the first
   group or product is the preamble and the general terms; numbered sections
   nest by their numbering (ARTICLE 1 > 1.1 > 1.1.2).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from eula_parse.readers.layout import Layout, Line, body_size
from eula_parse.model import (
    Clause,
    Document,
    Group,
    Item,
    Paragraph,
    Product,
    Section,
    normalize_space,
    slugify,
)

# -- markers --------------------------------------------------------------------

_PART_WORDS = {
    "part": 0, "exhibit": 0, "schedule": 0, "appendix": 0, "attachment": 0, "annex": 0,
    "addendum": 1, "article": 2, "section": 2, "clause": 2,
}
_ARTICLE = re.compile(
    r"^(?P<num>(?:" + "|".join(_PART_WORDS) + r")\s+(?:[A-Z]\.\d+|\d+[A-Z]?|[A-Z]|[IVXLC]+)\b)[\s.:\-–—]*",
    re.I,
)
_DECIMAL = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:\.(?!\d)|\s|\)(?=\s))\s*(?=\S)")
_LETTER_DECIMAL = re.compile(r"^(?P<num>[A-Z]\.\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=\S)")
_ITEM = re.compile(r"^(?P<num>\(?(?:[a-z]{1,2}|[ivx]{1,5})\)|(?:[a-z]|[ivx]{1,5})\.)\s+(?=\S)")
#: an upper-case letter heading inside a part: "B. Nordic Semiconductor license", "A, uECC:"
_LETTER_HEADING = re.compile(r"^([A-Z])[.,]\s+(\S.{0,120})$")
_BULLET = re.compile(r"^[•▪◦·●■\-–]\s+")
_RUNIN_END = re.compile(r"[.:]$")
_TERMINAL = re.compile(r"[.;:!?)\]”\"]$")
_TITLE_WORDS = re.compile(r"\b(?:agreement|licen[cs]e|terms|eula|conditions)\b", re.I)
#: a plain-text run-in heading after a section number: "2.2.1 Downloaded Software License Grant. Subject to ...",
#: "9. GOVERNING LAW; SEVERABILITY. This Agreement ..." (";", "," and "&" join heading words)
_TITLE_WORDS_RUN = (
    r"((?:\(?[A-Z][\w’'/&-]*\)?[,;]?)(?:\s+(?:\(?[A-Z][\w’'/&-]*\)?[,;]?|of|and|or|the|to|for|in|on|a|an|with|by|from|&)){0,9})"
)
_TITLE_RUNIN = re.compile(r"^" + _TITLE_WORDS_RUN + r"\.\s+(?=[A-Z“\"(])")
#: the same ended by a colon, as lettered items label themselves: "f. MB-Research GmbH (MBR) Data: Users ..."
_TITLE_COLON = re.compile(r"^" + _TITLE_WORDS_RUN + r":\s+(?=[A-Z“\"(])")
#: how agreements introduce product-specific terms: "for the X product the following applies"
_LEAD_IN = re.compile(r"\bfor the\b.{1,120}?\bfollowing applies\b|product[- ]specific terms|specific terms (?:of use )?for", re.I)
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*$|\b[\w-]+\.[a-z]{2,}/\S*$", re.I)


@dataclass
class Marker:
    kind: str  # "part", "decimal", "item"
    number: str  # as printed, without trailing punctuation: "ARTICLE 1", "4.1", "a"
    rank: float  # nesting rank: smaller is higher in the tree
    length: int  # characters the marker takes at the start of the text


def marker_of(text: str) -> Optional[Marker]:
    """The list or section number that opens ``text``, if any."""
    m = _ARTICLE.match(text)
    if m:
        number = " ".join(m.group("num").split())
        word = number.split()[0].lower()
        return Marker("part", number, _PART_WORDS[word], m.end())
    m = _LETTER_DECIMAL.match(text)
    if m:
        number = m.group("num")
        return Marker("decimal", number, 3 + number.count("."), m.end())
    m = _DECIMAL.match(text)
    if m:
        number = m.group("num")
        parts = number.split(".")
        if len(parts) > 1 and parts[-1] == "0":  # "2.0 SOFTWARE" is the top of 2.x
            parts = parts[:-1]
        if len(parts) == 1 and int(parts[0]) > 300:  # a year or an amount, not a list
            return None
        return Marker("decimal", number, 3 + len(parts), m.end())
    m = _ITEM.match(text)
    if m:
        return Marker("item", m.group("num").strip("().").lower(), _ITEM_RANK, m.end())
    return None


#: nesting rank of lettered and roman sub-items ("(a)", "ii.")
_ITEM_RANK = 20


# -- paragraphs -------------------------------------------------------------------


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
    words = set()
    for line in lines:
        for token in re.findall(r"[\w’'-]+", line.text.lower()):
            words.add(token.strip("-"))
    return words


_HYPHEN_SPACE = re.compile(r"(?<=[A-Za-z])- +(?!(?:and|or|nor|to|und|oder)\b)(?=[A-Za-z])")


def join_lines(texts: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines into one string, undoing only the breaks the typesetter made.

    A hyphen at a line end is dropped only where the joined word is a word of
    this document and the hyphenated spelling is not ("compo-nent" ->
    "component", but "third-party" stays). URLs broken across lines are
    rejoined without a space. A hyphen left with a space after it inside a line ("non- beta",
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
        last = out.rsplit(" ", 1)[-1]
        first = text.split(" ", 1)[0]
        if _URL_TAIL.search(last) and (last.endswith("-") or (last.endswith(("/", "_", "=", "&", "?", ".")) and re.match(r"[a-z0-9][\w\-~%]*[./?#=&_]\w", first))):
            out += text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            head = re.findall(r"[\w’']+$", out[:-1])
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


def _breaks(prev: Line, line: Line, spacing: float, body: float, right: float = 0.0) -> bool:
    """Does ``line`` start a new paragraph after ``prev``? (``right``: the column's right edge)"""
    if abs(line.size - prev.size) > 0.4:
        return True
    # A whole-bold line next to a regular one is a heading boundary, unless the regular
    # line opens bold too (a run-in heading wrapped from the line before).
    if prev.bold and not line.bold and not line.bold_prefix:
        return True
    if line.bold and not prev.bold and (max(line.size, prev.size) > body + 0.4 or _TERMINAL.search(prev.text.rstrip())):
        return True  # a bold line after a finished sentence (a heading at the top of a page, too)
    same_flow = line.gap is not None
    if same_flow and spacing and line.gap > max(spacing * 1.6, spacing + 2.5):
        return True
    if (
        line.bold_prefix and not line.bold and not prev.bold and _RUNIN_END.search(line.bold_prefix.rstrip())
        and (_TERMINAL.search(prev.text.rstrip()) or not same_flow)
    ):
        return True
    if not same_flow and line.column == prev.column and line.x0 < prev.x0 - 2 and _TERMINAL.search(prev.text.rstrip()):
        return True  # overleaf, set left of a hanging item's text after its last sentence: a new paragraph
    marker = marker_of(line.text)
    if marker and same_flow and right and prev.x1 >= right - 12 and re.search(r"[a-z,]$", prev.text.rstrip()) \
            and line.x0 >= prev.x0 - 2:
        return False  # "... the terms of Sections 1 and" / "3 through 24 will survive": a wrapped sentence
    if marker and marker.kind == "decimal" and right and prev.x1 < right - 40 and line.x0 <= prev.x0 + 2 \
            and not re.search(r"[\w,]$", prev.text.rstrip()):
        return True  # a rule line that stops short of the margin: "-----" over "1. This LICENSE ..."
    if marker:
        if marker.kind == "item" and not _TERMINAL.search(prev.text.rstrip()) and line.x0 >= prev.x0 - 2:
            return False  # "... license rights, b) you ..." wrapped onto a new line
        if line.x0 < prev.x0 - 2 or _TERMINAL.search(prev.text.rstrip()) or not same_flow:
            return True
        if marker_of(prev.text) and abs(line.x0 - prev.x0) <= 2:
            return True
    return False


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
        if prev and not _breaks(prev, line, spacing, body, right.get((prev.page, prev.column), 0.0)):
            paras[-1].lines.append(line)
        else:
            paras.append(Para([line]))
    for para in paras:
        para.text = join_lines([l.text for l in para.lines], vocab)
    return paras


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
        cuts = []
        if last is not None:
            for m in _RUN_ON_NUMBER.finditer(para.text, marker.length if marker else 0):
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


# -- classification ---------------------------------------------------------------


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
    m = _TITLE_RUNIN.match(rest) or _TITLE_RUNIN.match(rest.rstrip() + " X")  # heading alone on its line
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
    return (
        0 < len(words) <= 8 and len(text) <= 80 and text[0].isupper()
        and not text.endswith((",", ";")) and not re.search(r"[.;:!?]\s", text)
    )


def _own_line_headings(paras: list[Para]) -> None:
    """A number with a short line of words and nothing else, followed by what it heads (body text
    set further in, or its own first sub-number: "5. Confidentiality." over "5.1"), is a heading
    on a line of its own, whatever its weight: "11. Reserved." followed by "12." stays a clause."""
    for para, following in zip(paras, paras[1:]):
        if para.kind != "numbered" or para.marker.kind != "decimal" or len(para.lines) != 1:
            continue
        rest = para.text[para.marker.length :].strip()
        if not _short_heading(rest):
            continue
        number = para.marker.number.rstrip(".")
        child = following.marker is not None and following.marker.number.startswith(number + ".")
        indented_body = following.marker is None and following.lines[0].x0 > para.lines[0].x0 + 2
        unpunctuated = following.marker is None and not rest.endswith(".") and len(rest.split()) <= 6
        # "2. Terms of Use for Online Services:" over "a. ...": a title-case name, not a lead-in sentence
        titled_list = (
            following.marker is not None and following.marker.kind == "item" and rest.endswith(":")
            and _TITLE_RUNIN.match(rest[:-1] + ". X") is not None
        )
        if child or indented_body or unpunctuated or titled_list:
            para.kind, para.heading = "runin", rest.rstrip(" .:")


def _heading_like(text: str) -> bool:
    """Short and mostly upper case: "SCOPE OF USE", not a sentence that happens to start "Exhibit 1"."""
    letters = [c for c in text if c.isalpha()]
    return 0 < len(text) <= 100 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _split_part_heading(text: str, marker: Marker) -> tuple[str, Optional[str]]:
    rest = text[marker.length :].strip(" .:-–—")
    return marker.number, rest or None


# -- sub-items --------------------------------------------------------------------

_INLINE_ITEM = re.compile(r"(?:(?<=\s)|^)(\(?)([a-z]|[ivx]{1,4})\)(?=\s)")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"(])")
_ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


def _next_label(label: str, kind: str) -> str:
    if kind == "roman":
        index = _ROMANS.index(label) if label in _ROMANS else -1
        return _ROMANS[index + 1] if 0 <= index < len(_ROMANS) - 1 else ""
    if kind == "decimal":
        return str(int(label) + 1) if label.isdigit() else ""
    return chr(ord(label[-1]) + 1) * len(label)


def _inline_spans(text: str) -> list[tuple[str, int, int, int]]:
    """``(label, marker start, text start, text end)`` of sub-items "a) ... b) ..." or
    "(i) ... (ii) ..." in running text, in reading order.

    A marker counts only as part of a sequence that starts at a/i and goes
    on in order, so a lone "(e.g." or a reference to "(b)" is not an item.
    """
    chains: dict[str, list[tuple[str, int, int]]] = {}
    expected: dict[str, str] = {}
    done: list[list[tuple[str, int, int]]] = []
    for m in _INLINE_ITEM.finditer(text):
        label = m.group(2)
        style = m.group(1)
        placed = False
        for kind in ("letter", "roman"):
            key = f"{kind}{style}"
            if expected.get(key) == label:
                chains[key].append((label, m.start(), m.end()))
                expected[key] = _next_label(label, kind)
                placed = True
                break
        if placed:
            continue
        for kind, start in (("letter", "a"), ("roman", "i")):
            if label == start:
                key = f"{kind}{style}"
                if len(chains.get(key, [])) >= 2:
                    done.append(chains[key])
                chains[key] = [(label, m.start(), m.end())]
                expected[key] = _next_label(label, kind)
                break
    done.extend(chain for chain in chains.values() if len(chain) >= 2)
    spans = []
    for chain in done:
        for index, (label, start, end) in enumerate(chain):
            if index + 1 < len(chain):
                stop = chain[index + 1][1]
            else:  # the last item ends with its sentence, not with the paragraph
                boundary = _SENTENCE_END.search(text, end)
                stop = boundary.end() if boundary else len(text)
            while end < stop and text[end].isspace():
                end += 1
            while stop > end and text[stop - 1].isspace():
                stop -= 1
            spans.append((label, start, end, stop))
    return sorted(spans, key=lambda span: span[1])


def find_items(text: str) -> list[Item]:
    """Sub-items "a) ... b) ..." or "(i) ... (ii) ..." in running text, flat, in reading order."""
    return [Item(label, text[start:stop]) for label, _marker, start, stop in _inline_spans(text)]


def _nested_under_item(para: Para, siblings: list[Para], in_subsection: bool = False) -> bool:
    """Is this "1." (or the "2." after it) a list set deeper than the lettered item before it
    (or, ``in_subsection``, deeper than the text of a "7.10"-style subsection), so part of
    that item or subsection rather than a section or clause of its own?"""
    marker = para.marker
    if marker is None or marker.kind != "decimal" or not marker.number.isdigit() or para.kind == "display":
        return False
    x0, expected = para.lines[0].x0, int(marker.number)
    for before in reversed(siblings):  # back over "3.", "2.", "1." to the item they hang under
        if before.marker is None or before.kind == "body":
            continue
        number = before.marker.number
        if (before.marker.kind == "decimal" and number.isdigit() and int(number) == expected - 1
                and abs(before.lines[0].x0 - x0) <= 2):
            expected -= 1
            continue
        return before.marker.kind == "item" and expected == 1 and x0 > before.lines[0].x0 + 2
    return in_subsection and expected == 1 and bool(siblings) and x0 > siblings[0].lines[0].x0 + 2


def _is_sub_item(para: Para, siblings: list[Para], section: Optional[Section] = None) -> bool:
    """A paragraph that opens a sub-item of the node whose paragraphs are ``siblings``."""
    if para.marker is not None and para.marker.kind == "item" and para.kind in ("display", "runin", "numbered"):
        return True
    number = section.number if section is not None else None
    in_subsection = bool(number and re.fullmatch(r"\d+(?:\.\d+)+", number) and not number.endswith(".0"))
    return _nested_under_item(para, siblings, in_subsection and para.kind == "numbered")


@dataclass
class _OpenItem:
    """A sub-item being read: what the next paragraphs are measured against."""

    item: Item
    style: str  # "(", ")" or ".": how the label is printed
    kind: str  # "letter", "roman" or "decimal"
    x0: float
    headed: bool  # set as a heading of its own: its body may sit at the item's own indent
    pieces: list[str] = field(default_factory=list)


class _ItemReader:
    """Reads the sub-items of one section or clause from its paragraphs.

    Paragraph items ("a. ...", "(i) OWNERSHIP", "1." set under a lettered item) nest by
    label sequence, label style and indentation; items inside running text ("... a) x;
    b) y") are found per run of text that belongs to one node. Ids follow citation
    (``section/2.1/a/1``), page spans come from the lines each item is read from.
    """

    def __init__(self, parent_id: str, builder: "_Builder"):
        self.parent_id = parent_id
        self.builder = builder
        self.roots: list[Item] = []
        self.stack: list[_OpenItem] = []
        self.runs: dict[int, list[tuple[str, Para]]] = {}  # owner -> own text run not yet searched

    # owners are the open items, or None for the parent itself
    def _owner_key(self) -> int:
        return id(self.stack[-1]) if self.stack else 0

    def _owner_items(self) -> list[Item]:
        return self.stack[-1].item.items if self.stack else self.roots

    def _owner_id(self) -> str:
        return self.stack[-1].item.id if self.stack else self.parent_id

    def _flush(self) -> None:
        """Search the current owner's text run for inline items and hang them under it."""
        run = self.runs.pop(self._owner_key(), None)
        if not run:
            return
        text = normalize_space(" ".join(piece for piece, _ in run))
        spans = _inline_spans(text)
        if not spans:
            return
        marks = _page_marks(text, run)
        nested: list[tuple[Item, int, int]] = []  # open inline items: (item, text start, text end)
        for label, marker_at, start, stop in spans:
            while nested and marker_at >= nested[-1][2]:
                nested.pop()
            if nested:
                stop = min(stop, nested[-1][2])
            owner_id = nested[-1][0].id if nested else self._owner_id()
            item = Item(label, text[start:stop].strip(), id=self.builder.unique(f"{owner_id}/{slugify(label)}"))
            item.page_start, item.page_end = _page_at(marks, start), _page_at(marks, max(start, stop - 1))
            (nested[-1][0].items if nested else self._owner_items()).append(item)
            nested.append((item, start, stop))

    def _add_text(self, piece: str, para: Para, own: bool = True) -> None:
        for open_item in self.stack:
            open_item.pieces.append(para.text)
            open_item.item.page_end = max(open_item.item.page_end, para.page_end)
        if own and piece:
            self.runs.setdefault(self._owner_key(), []).append((piece, para))

    def add(self, para: Para) -> None:
        for part in _split_wrapped_items(para):
            self._add(part)

    def _add(self, para: Para) -> None:
        marker = para.marker if para.kind != "body" else None
        x0 = para.lines[0].x0
        # a "1." here was set as a list under an item or a subsection (build() keeps other numbers out)
        if marker is None or not (marker.kind == "item" or (marker.kind == "decimal" and marker.number.isdigit())):
            # Body text: it goes on the innermost item it is indented under (or, for an item set
            # as a heading, any text at its indent); otherwise the lists have ended.
            while self.stack and not (x0 > self.stack[-1].x0 + 2 or (self.stack[-1].headed and x0 >= self.stack[-1].x0 - 2)):
                self._close()
            self._add_text(para.text, para)
            return
        style = _punctuation(para.text[: marker.length].strip())
        label = marker.number
        kinds = ["decimal"] if marker.kind == "decimal" else _label_kinds(label)
        fits = label in ("a", "i", "1") or any(self._continues(o, label, style, kinds) for o in self.stack)
        if style != "." and (not fits or any(at == 0 for _l, at, _s, _e in _inline_spans(para.text))):
            # "(b)" that opens no list, or "(a) ... (b) ... (c)" in one paragraph: items in
            # running text, which _flush finds in the run this paragraph joins
            self._add_text(para.text, para)
            return
        kind = self._place(label, style, kinds, x0)
        heading, body = self._heading(para)
        item = Item(label, id="", heading=heading, page_start=para.page_start, page_end=para.page_end)
        self._flush()
        owner_items, owner_id = self._owner_items(), self._owner_id()
        self._add_text("", para, own=False)
        item.id = self.builder.unique(f"{owner_id}/{slugify(label)}")
        owner_items.append(item)
        self.stack.append(_OpenItem(item, style, kind, x0, para.kind == "display", [body] if body else []))
        if body:
            self.runs.setdefault(self._owner_key(), []).append((body, _with_text(para, body)))

    @staticmethod
    def _continues(open_item: _OpenItem, label: str, style: str, kinds: list[str]) -> bool:
        return open_item.style == style and open_item.kind in kinds and _next_label(open_item.item.label, open_item.kind) == label

    def _place(self, label: str, style: str, kinds: list[str], x0: float) -> str:
        """Close the items the new one is not nested in; return the kind of list it belongs to."""
        starts = label in ("a", "i", "1")
        for depth in range(len(self.stack) - 1, -1, -1):
            open_item = self.stack[depth]
            if self._continues(open_item, label, style, kinds) and not (starts and x0 > open_item.x0 + 4):
                while len(self.stack) > depth:
                    self._close()
                return open_item.kind
        if starts:
            kind = {"a": "letter", "i": "roman"}.get(label, "decimal")
            while self.stack and self.stack[-1].x0 > x0 + 2:
                self._close()
            top = self.stack[-1] if self.stack else None
            if top is not None and top.style == style and abs(top.x0 - x0) <= 2 and top.kind == kind:
                self._close()  # a list starting over at the same level
            return kind
        for depth in range(len(self.stack) - 1, -1, -1):  # out of sequence: sibling of a list like it
            if self.stack[depth].style == style and self.stack[depth].kind in kinds:
                kind = self.stack[depth].kind
                while len(self.stack) > depth:
                    self._close()
                return kind
        return kinds[0]

    def _close(self) -> None:
        self._flush()
        open_item = self.stack.pop()
        open_item.item.text = normalize_space(" ".join(open_item.pieces))

    @staticmethod
    def _heading(para: Para) -> tuple[Optional[str], str]:
        """The item's run-in heading, if any, and the text after it."""
        marker = para.marker
        rest = para.text[marker.length :].strip()
        if para.kind == "display":
            return (rest.rstrip(" .:") or None), ""
        if para.kind == "runin" and para.heading:
            return para.heading, para.text[len(_runin_text(para)) :].strip()
        heading = _title_runin(para)
        if heading is None and marker.kind == "item":
            colon = _TITLE_COLON.match(rest)
            heading = colon.group(1) if colon else None
        if heading and rest.startswith(heading):
            body = rest[len(heading) :].lstrip(" .:")
            return heading, body
        return None, rest

    def finish(self) -> list[Item]:
        while self.stack:
            self._close()
        self._flush()
        return self.roots


def _split_wrapped_items(para: Para) -> list[Para]:
    """An item paragraph that runs on into the next item ("(ii) ...; and" / "(iii) ..." where the
    line before does not end a sentence) split where a line starts with the next label."""
    marker = para.marker if para.kind != "body" else None
    if marker is None or marker.kind != "item" or len(para.lines) < 2:
        return [para]
    style = para.text[: marker.length].strip()
    following = {_next_label(marker.number, kind) for kind in _label_kinds(marker.number)}
    cursor = marker.length
    for k, line in enumerate(para.lines[1:], start=1):
        probe = normalize_space(line.text)
        at = para.text.find(probe[:20], cursor) if probe else -1
        if at < 0:
            continue
        cursor = at
        nxt = marker_of(probe)
        if (nxt is None or nxt.kind != "item" or nxt.number not in following
                or abs(line.x0 - para.lines[0].x0) > 2 or _punctuation(probe[: nxt.length].strip()) != _punctuation(style)):
            continue
        head = Para(lines=para.lines[:k], text=para.text[:at].rstrip(), marker=marker, heading=para.heading, kind=para.kind)
        tail = Para(lines=para.lines[k:], text=para.text[at:], marker=nxt, kind="numbered")
        return [head] + _split_wrapped_items(tail)
    return [para]


def _punctuation(label: str) -> str:
    """How a label is printed: "(" for "(b)", ")" for "b)", "." for "b."."""
    return "(" if label.startswith("(") else ")" if label.endswith(")") else "."


def _label_kinds(label: str) -> list[str]:
    """What a label can be: "c" a letter, "iv" a roman number, "i", "v" and "x" either."""
    kinds = []
    if len(label) == 1 or label in ("aa", "bb", "cc"):
        kinds.append("letter")
    if label in _ROMANS:
        kinds.append("roman")
    return kinds or ["letter"]


def _page_marks(text: str, run: list[tuple[str, Para]]) -> list[tuple[int, int]]:
    """``(offset in text, page)`` where each line of the run starts."""
    marks: list[tuple[int, int]] = []
    cursor = 0
    for _piece, para in run:
        for line in para.lines:
            probe = normalize_space(line.text)[:15]
            at = text.find(probe, cursor) if probe else -1
            if at >= 0:
                marks.append((at, line.page))
                cursor = at
    return marks or [(0, run[0][1].page_start)]


def _page_at(marks: list[tuple[int, int]], offset: int) -> int:
    page = marks[0][1]
    for at, line_page in marks:
        if at > offset:
            break
        page = line_page
    return page


def sub_items(parent_id: str, paras: list[Para], builder: "_Builder") -> list[Item]:
    """The sub-item tree of the node ``parent_id`` whose own paragraphs are ``paras``."""
    reader = _ItemReader(parent_id, builder)
    for para in paras:
        reader.add(para)
    return reader.finish()


# -- tree -------------------------------------------------------------------------


@dataclass
class _Builder:
    vendor: str
    doc: Document
    used_ids: set = field(default_factory=set)

    def unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used_ids:
            candidate, n = f"{base}-{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    def name_slug(self, name: str) -> str:
        words = name.split()
        if self.vendor and len(words) > 1 and words[0].lower().strip("®™") == self.vendor.lower():
            words = words[1:]
        return slugify(" ".join(words))


def _node_pages(node, paras: list[Para]) -> None:
    node.page_start = min((p.page_start for p in paras), default=node.page_start)
    node.page_end = max((p.page_end for p in paras), default=node.page_end)


def _is_product_style(paras: list[Para], index: int) -> bool:
    """Is the display heading at ``index`` followed by a list numbered from 1?"""
    for para in paras[index + 1 :]:
        if para.kind == "display":
            return False
        if para.kind == "numbered" and para.marker and para.marker.kind == "decimal":
            return para.marker.number.rstrip(".") in ("1", "1.0")
    return False


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
    plain = [
        i for i in sorted(set(displays + opening + centred))
        if len(paras[i].text) < 120 and not paras[i].text.rstrip().endswith(".")
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


def build(extraction: Layout) -> Document:
    """Turn extracted lines into a :class:`Document`."""
    lines = _recompute_gaps(extraction)
    doc = Document(pages=len(extraction.pages))
    if not lines:
        return doc
    body = body_size(lines)
    paras = split_run_on_numbers(paragraphs(lines))
    classify(paras, body)

    title_index = _title_index(paras, extraction.pages[0].number, body, extraction.pages[0].width)
    title_block = _title_lines(paras, title_index, extraction.pages[0].width)
    if title_index is not None:
        doc.title = normalize_space(" ".join(paras[i].text for i in sorted(title_block)))
    doc.version = _version(extraction, paras)
    # A display line that is only the version label ("Version 1.4 – 12.03.2025") labels the document, like the title.
    label_index = next(
        (i for i, p in enumerate(paras[:8]) if i not in title_block and p.kind == "display" and not p.marker
         and len(p.text) < 60 and (m := _VERSION_IN_TEXT.match(normalize_space(p.text))) and m.start() == 0),
        None,
    )
    vendor = doc.title.split()[0] if doc.title else ""
    builder = _Builder(vendor=vendor, doc=doc)

    # Heading styles that open products, and the bigger ones that open groups.
    product_heads = [
        i for i, p in enumerate(paras)
        if p.kind == "display" and i not in title_block and not p.marker and _is_product_style(paras, i)
    ]
    # A product heading is one of a series set alike; one heading of its style over a numbered
    # list is just a list (a recipe's "Method", a revision table), unless the text says it
    # introduces product terms.
    per_style = Counter(paras[i].style for i in product_heads)
    product_heads = [
        i for i in product_heads
        if per_style[paras[i].style] >= 2 or _LEAD_IN.search(" ".join(p.text for p in paras[i + 1 : i + 4]))
    ]
    product_styles = {paras[i].style for i in product_heads}
    product_size = max((s[0] for s in product_styles), default=None)
    group_styles = set()
    if product_styles:
        for i, p in enumerate(paras):
            if p.kind == "display" and i not in title_block and p.style not in product_styles and not p.marker:
                if p.size > product_size + 0.2 or (abs(p.size - product_size) <= 0.2 and p.bold and not any(s[1] for s in product_styles)):
                    group_styles.add(p.style)
    # The product part starts at the first group heading or product heading proper; a heading
    # of the same style earlier on is a general-terms section heading.
    starts = [i for i, p in enumerate(paras) if p.kind == "display" and p.style in group_styles and not p.marker]
    products_from = min(starts + product_heads, default=len(paras))
    first_numbered = _first_numbered(paras[:products_from])

    stack: list[tuple[float, Section, list[Para], Optional[tuple]]] = []  # open sections: rank, node, paragraphs, heading style
    top_integers: list[int] = []  # numbers of the top-level "1." / "2.0" sections seen so far
    section_paras: dict[int, list[Para]] = {}
    group: Optional[Group] = None
    product: Optional[Product] = None
    product_paras: list[Para] = []
    clause: Optional[Clause] = None
    clause_paras: list[Para] = []
    in_products = False
    preamble: list[Para] = []

    def close_clause():
        nonlocal clause, clause_paras
        if clause is not None:
            clause.text = normalize_space(" ".join(p.text for p in clause_paras))
            first = clause_paras[0]
            clause.text = normalize_space(clause.text[first.marker.length :]) if first.marker else clause.text
            lead = _with_text(first, first.text[first.marker.length :]) if first.marker else first
            clause.items = sub_items(clause.id, [lead] + clause_paras[1:], builder)
            _node_pages(clause, clause_paras)
        clause, clause_paras = None, []

    def close_product():
        nonlocal product, product_paras
        close_clause()
        if product is not None:
            product.text = normalize_space(" ".join(p.text for p in product_paras))
            _node_pages(product, product_paras)
            product.page_end = max([product.page_end] + [c.page_end for c in product.clauses])
        product, product_paras = None, []

    def rank_of(marker: Marker) -> float:
        """A plain "1." list inside a "2.1"-style section is a sub-list, not a new top level."""
        parts = marker.number.split(".")
        if marker.kind != "decimal" or not (len(parts) == 1 or parts[1:] == ["0"]) or not parts[0].isdigit():
            return marker.rank
        number = int(parts[0])
        for rank, section, _, _ in reversed(stack):  # an open sub-list goes on: 2. after 1.
            if rank % 1 and section.number and section.number.isdigit():
                if int(section.number) == number - 1:
                    return rank
                break
        continues_top = bool(top_integers) and number == top_integers[-1] + 1
        deep = next((r for r, s, _, _ in reversed(stack) if s.number and s.number.count(".") and not s.number.endswith(".0")), None)
        if deep is not None and not continues_top:
            return deep + 0.5
        open_number = stack[-1][1].number if stack else None
        if number == 1 and top_integers and open_number == str(top_integers[-1]):
            return marker.rank + 0.5  # a list restarting at 1 right inside section N is N's list
        top_integers.append(number)
        return marker.rank

    def part_rank(marker: Marker) -> float:
        """ "ARTICLE 2" is a sibling of an open "ARTICLE 1"; opened inside a "SECTION 1" (a word
        of the same standing) it is that section's child, as the document nests them."""
        word = marker.number.split()[0].lower()
        words = [(r, s.number.split()[0].lower()) for r, s, _, _ in stack if s.number and marker_of(s.number + " ") and " " in s.number]
        same = [r for r, w in words if w == word]
        if same:
            return same[-1]
        peers = [r for r, w in words if _PART_WORDS.get(w) == marker.rank]
        return peers[-1] + 0.5 if peers else marker.rank

    def open_section(section: Section, rank: float, para: Para, root: list[Section], style=None):
        # An unnumbered display heading ("GENERAL TERMS") ends at the next heading set like it.
        while stack and (stack[-1][0] >= rank or (style is not None and stack[-1][1].number is None and stack[-1][3] == style)):
            stack.pop()
        # "6.6.1" after "6.5" belongs to 6, the heading its number names, not to 6.5.
        number = _depth_number(section.number) if rank < _ITEM_RANK else None
        while number and len(number) > 1 and stack:
            top = _depth_number(stack[-1][1].number)
            if not top or (len(top) < len(number) and number[: len(top)] == top):
                break
            stack.pop()
        parent_children = stack[-1][1].children if stack else root
        if section.number and stack and rank >= _ITEM_RANK:
            base = f"{stack[-1][1].id}/{slugify(section.number)}".replace("general/", "section/")
            section.id = builder.unique(base)
        elif section.number:
            base = f"section/{slugify(section.number)}"
            if stack and (base in builder.used_ids or rank % 1):  # a sub-list item is cited under its section
                base = f"{stack[-1][1].id}/{slugify(section.number)}".replace("general/", "section/")
            section.id = builder.unique(base)
        else:
            section.id = builder.unique(f"general/{slugify(section.heading or 'section')}")
        parent_children.append(section)
        section_paras[id(section)] = []
        stack.append((rank, section, section_paras[id(section)], style if para.kind == "display" else None))
        section.page_start = section.page_end = para.page_start

    consumed: set[int] = set()  # paragraphs read as part of the heading before them
    for index, para in enumerate(paras):
        if index in title_block or index == label_index:
            continue
        if index in consumed:
            continue
        is_part = para.marker is not None and para.marker.kind == "part" and (
            para.kind in ("display", "runin") or _heading_like(para.text[para.marker.length :])
            or not para.text[para.marker.length :].strip()  # "APPENDIX A" alone on its line
        )
        in_product_part = index >= products_from and not para.marker
        if para.kind == "display" and para.style in group_styles and in_product_part:
            close_product()
            in_products = True
            stack.clear()
            group = Group(id=builder.unique(f"group/{builder.name_slug(para.text)}"), name=normalize_space(para.text))
            group.page_start = group.page_end = para.page_start
            doc.groups.append(group)
            continue
        if para.kind == "display" and para.style in product_styles and in_product_part:
            close_product()
            in_products = True
            stack.clear()
            if group is None:
                group = Group(id=builder.unique("group/products"), name="Products")
                group.page_start = para.page_start
                doc.groups.append(group)
            name = normalize_space(para.text)
            product = Product(id=builder.unique(f"product/{builder.name_slug(name)}"), name=name)
            product.page_start = product.page_end = para.page_start
            group.products.append(product)
            group.page_end = para.page_end
            continue
        if in_products and product is not None and not is_part and not (para.kind == "display" and para.marker and para.marker.kind != "item"):
            if (para.kind in ("numbered", "runin") and para.marker and para.marker.kind == "decimal"
                    and "." not in para.marker.number.rstrip(".") and not _nested_under_item(para, clause_paras)):
                close_clause()
                clause = Clause(id=f"{product.id}/{para.marker.number}", number=para.marker.number)
                clause.id = builder.unique(clause.id)
                clause_paras = [para]
                product.clauses.append(clause)
            elif clause is not None:
                clause_paras.append(para)
            else:
                product_paras.append(para)
            group.page_end = para.page_end
            continue
        # General part: preamble, sections, numbered articles.
        if first_numbered is not None and index < first_numbered and not para.marker and para.kind in ("display", "runin"):
            preamble.append(para)  # the title block: a notice, a product line, a letterhead
            continue
        if para.kind == "display" and not para.marker and not _LETTER_HEADING.match(para.text) \
                and _inside_numbering(paras, index, stack, body):
            stack[-1][2].append(para)
            continue
        if stack and not is_part and _is_sub_item(para, stack[-1][2], stack[-1][1]):
            stack[-1][2].append(para)  # read as a sub-item of the section once it is complete
            continue
        if para.kind == "display" or is_part:
            letter = _LETTER_HEADING.match(para.text) if para.kind == "display" and not para.marker else None
            parts = [r for r, s, _, _ in stack if s.number and " " in s.number]
            if is_part:
                number, heading = _split_part_heading(para.text, para.marker)
                rank = part_rank(para.marker)
                following = paras[index + 1] if index + 1 < len(paras) else None
                if heading is None and following and not following.marker and len(following.lines) == 1 \
                        and _short_heading(following.text.rstrip(" :")):
                    heading = following.text.rstrip(" :.")  # "APPENDIX A" over "Other License Grants:"
                    consumed.add(index + 1)
            elif letter and parts:  # "B. Nordic Semiconductor license" inside "APPENDIX 2"
                number, heading, rank = letter.group(1), letter.group(2).strip(" :."), parts[-1] + 0.5
            elif para.marker and para.marker.kind == "decimal":
                number, heading = para.marker.number, para.text[para.marker.length :].strip(" .:") or None
                rank = rank_of(para.marker)
            else:
                number, heading, rank = None, normalize_space(para.text), 0
            code = None
            if heading and len(para.lines) > 1 and re.fullmatch(r"\(.*\)", para.lines[-1].text.strip()):
                # "(E300 07/08/2015)" under "SCOPE OF USE": a document code, not part of the heading
                code = para.lines[-1].text.strip()
                heading = normalize_space(heading[: heading.rfind(code)]) or heading
            if in_products:
                close_product()
                in_products, group = False, None
            open_section(Section(id="", number=number, heading=heading), rank, para, doc.sections, para.style)
            if code:
                section_paras[id(stack[-1][1])].append(Para(lines=para.lines[-1:], text=code))
            continue
        if para.kind == "runin" and not para.marker:
            open_section(Section(id="", heading=para.heading), 50, para, doc.sections)
            body_text = para.text[len(_runin_text(para)) :].strip()
            section_paras[id(stack[-1][1])].append(_with_text(para, body_text))
            continue
        if para.marker and para.marker.kind == "decimal" and para.kind == "numbered" and stack and (
                not _plausible(para.marker.number, [entry[1] for entry in stack])
                or ("." in para.marker.number.rstrip(".") and re.match(r"[\d+]", para.text[para.marker.length :]))):
            # "0.9.0 thru 1.2 1991-1995 CWI", "2.1 2.0+1.6.1 2001 PSF": a table row, not a clause
            # (a clause opens with words, not with another number)
            stack[-1][2].append(para)
            continue
        if para.marker and para.marker.kind == "decimal" and para.kind in ("numbered", "runin"):
            heading = para.heading if para.kind == "runin" else None
            open_section(Section(id="", number=para.marker.number, heading=heading), rank_of(para.marker), para, doc.sections)
            start = len(_runin_text(para)) if para.kind == "runin" else para.marker.length
            section_paras[id(stack[-1][1])].append(_with_text(para, para.text[start:].strip()))
            continue
        if stack:
            stack[-1][2].append(para)
        else:
            preamble.append(para)
    close_product()

    for i, para in enumerate(preamble, start=1):
        doc.preamble.append(
            Paragraph(id=f"preamble/{i}", text=normalize_space(para.text), page_start=para.page_start, page_end=para.page_end)
        )
    for section in doc.all_sections():
        own = section_paras.get(id(section), [])
        section.text = normalize_space(" ".join(p.text for p in own))
        section.items = sub_items(section.id, own, builder)
        if own:
            _node_pages(section, own)
            section.page_start = min(section.page_start, own[0].page_start)
    for section in reversed(list(doc.all_sections())):
        for child in section.children:
            section.page_end = max(section.page_end, child.page_end)
    return doc


def _depth_number(number: Optional[str]) -> Optional[list[int]]:
    parts = (number or "").rstrip(".").split(".")
    if parts and parts[-1] == "0" and len(parts) > 1:
        parts = parts[:-1]
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else None


def _plausible(number: str, open_sections: list[Section]) -> bool:
    """Could ``number`` be the next clause number here? Clause numbers have no 0 inside
    ("0.9.0", "2.0.1" are versions in a table), and "1.6" needs 1 open, or is a first
    sub-clause (x.1, x.2) of a parent the page leaves unnumbered."""
    raw = number.rstrip(".").split(".")
    if len(raw) > 1 and "0" in raw[:-1]:
        return False
    parts = _depth_number(number)
    if not parts or len(parts) == 1:
        return True
    opened = [_depth_number(s.number) for s in open_sections]
    return parts[:-1] in opened or any(o and o[:-1] == parts[:-1] for o in opened) or parts[-1] <= 2


def _first_numbered(paras: list[Para]) -> Optional[int]:
    """Index of the first numbered section heading ("1.", "ARTICLE 1"): what stands before it
    unnumbered is the title block and preamble, when the agreement numbers its sections."""
    for index, para in enumerate(paras):
        if para.marker and para.marker.kind in ("decimal", "part") and para.kind in ("display", "runin", "numbered"):
            return index
    return None


def _inside_numbering(paras: list[Para], index: int, stack: list, body: float) -> bool:
    """Is the unnumbered heading at ``index`` a lead-in inside a numbered section rather than a
    heading over what follows? It is when the numbering runs on across it: the next number at
    the open section's depth continues the open one (11 -> 12, 7.10 -> 7.11) or none follows.
    Inside an article or section ("SECTION 2—..."), a bold line in the body size is a lead-in
    (a table's head, a "Notes" line): those parts are headed in words, not bold alone."""
    if not stack or not stack[-1][1].number:
        return False
    current = _depth_number(stack[-1][1].number)
    if not current:
        return paras[index].size <= body + 0.4 and " " in stack[-1][1].number
    for para in paras[index + 1 :]:
        if not (para.marker and para.marker.kind == "decimal"):
            continue
        number = _depth_number(para.marker.number)
        if not number or len(number) > len(current):
            continue
        prefix = current[: len(number)]
        follows = number[:-1] == prefix[:-1] and number[-1] == prefix[-1] + 1
        if follows or len(number) == len(current):
            return follows
        # a shorter number that does not continue the open ones is a list inside it: read on
    return True


def _runin_text(para: Para) -> str:
    """The characters of ``para.text`` taken by its run-in heading (and number)."""
    heading = para.heading or ""
    start = para.text.find(heading)
    end = start + len(heading) if start >= 0 else 0
    while end < len(para.text) and para.text[end] in ".: ":
        end += 1
    return para.text[:end]


def _with_text(para: Para, text: str) -> Para:
    return Para(lines=para.lines, text=text, marker=None, kind="body")


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_VERSION_IN_TEXT = re.compile(
    r"\b(?:(?:version|revised|rev\.|(?:last )?updated|effective(?: date)?)\b|v(?=\d))\s*:?\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|" + _MONTH + r"\.? \d{4}|[\w./-]*\d[\w./-]*)"
    r"|\bEULA\s+\d{6,8}\b",
    re.I,
)


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
        if re.search(r"\d", text):
            return text
    for para in paras[-3:]:
        m = _VERSION_IN_TEXT.search(para.text) if len(para.text) < 200 else None
        if m:
            return normalize_space(m.group(0))
    return None


__all__ = ["build", "paragraphs", "classify", "find_items", "sub_items", "join_lines", "marker_of"]
