"""Paragraph blocks -> a :class:`Layout` set the way a word processor would print them.

The readers of forms without pages (Word, RTF, HTML, Markdown, plain text) see
paragraphs, not lines. They describe each one as a :class:`Block` (its text, a
heading level or real type size, weight, the leading bold run, the list depth)
and this module typesets the blocks into lines: headings larger and bold by
level, body text wrapped to a fixed measure with a small leading inside a
paragraph and a larger gap between paragraphs, list items indented. The
structure stage then reads these lines exactly as it reads a PDF's, so it never
learns which form it was given.

Lines never break before a token that looks like a list number ("2.", "a)"), so
that a wrapped sentence cannot be mistaken for a new numbered paragraph, nor
after a hyphen or inside a URL, so that joining the lines gives back the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from eula_parse.readers.layout import Layout, Line, Page

#: body type size and the size of headings by level (1 = largest); deeper levels are bold body size
BODY_SIZE = 10.0
HEADING_SIZES = {1: 16.0, 2: 13.0, 3: 11.5, 4: 10.5}
#: characters per line of the measure, and the page geometry the lines are placed on
MEASURE = 100
CHAR_WIDTH = 5.0
LEFT = 72.0
INDENT = 18.0
LINE_GAP = 2.0
PARAGRAPH_GAP = 8.0
HEADING_GAP = 14.0

_NO_BREAK_BEFORE = re.compile(r"^(?:\(?[0-9a-zA-Z]{1,4}[.)]\S*|[•▪◦·●■\-–—]|(?:article|section|part|exhibit|schedule|appendix|annex|attachment|addendum|clause)$)", re.I)
_URL = re.compile(r"(?:https?://|www\.)|\w\.\w+/", re.I)


@dataclass
class Block:
    """One paragraph as a reader of the form sees it."""

    text: str
    #: heading level (1 = largest) from markup (HTML h2, Markdown ##, a Word heading style); 0 = body
    level: int = 0
    #: every character bold
    bold: bool = False
    #: the leading bold run ("Limitation of Liability."), "" when the paragraph starts regular
    bold_prefix: str = ""
    italic: bool = False
    #: list nesting depth or indentation step, 0 at the margin
    indent: float = 0
    #: the real type size where the form has one (Word, RTF); None lets the level decide
    size: Optional[float] = None


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    """Word's letter numbering: a..z, then aa, bb, ..."""
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A list number as a word processor or browser draws it: 3 -> "c" for ``lowerLetter``, "iii" ..."""
    if fmt in ("lowerLetter",):
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in ("bullet",):
        return "•"
    if fmt == "none":
        return ""
    return str(n)  # decimal and the many rarer formats


_NUMBER = re.compile(r"^\s*(?:\(?[0-9A-Za-z]{1,4}[.)])+\s*")

Run = tuple[str, bool, float, bool]  # (text, bold, size in points, italic)


def bold_lead(runs: list[Run]) -> str:
    """The bold run a paragraph opens with; a regular list number before it is included ("2. USE RIGHTS:")."""
    text = "".join(r[0] for r in runs)
    number = _NUMBER.match(text)
    skip = number.end() if number else 0
    lead, position = "", 0
    for piece, bold, *_rest in runs:
        end = position + len(piece)
        if end <= skip:
            position = end
            continue
        part = piece[max(0, skip - position) :]
        position = end
        if bold or not part.strip():
            lead += part
        else:
            break
    if not lead.strip():
        return ""
    return text[:skip] + lead


def paragraph_block(runs: list[Run], indent_points: float = 0.0, level: int = 0) -> Block:
    """One paragraph from its styled runs: weight (every letter bold), dominant size, bold lead."""
    text = "".join(r[0] for r in runs)
    visible = [r for r in runs if any(c.isalnum() for c in r[0])]  # "17. Definitions" + a plain "."
    bold = bool(visible) and all(r[1] for r in visible)
    sizes: dict[float, int] = {}
    for piece, _bold, size, _italic in runs:
        sizes[size] = sizes.get(size, 0) + len(piece.strip())
    size = max(sizes, key=sizes.get) if sizes else None
    return Block(
        text=text,
        level=level,
        bold=bold,
        bold_prefix="" if bold else bold_lead(runs),
        italic=bool(visible) and all(r[3] for r in visible),
        indent=indent_points / INDENT,
        size=size,
    )


def _size(block: Block) -> float:
    if block.size:
        return block.size
    if block.level:
        return HEADING_SIZES.get(block.level, BODY_SIZE)
    return BODY_SIZE


def wrap(text: str, measure: int = MEASURE) -> list[str]:
    """Greedy wrap at spaces, never before a list-number-like token, after a hyphen or in a URL."""
    words = text.split()
    lines: list[list[str]] = [[]]
    width = 0
    for word in words:
        current = lines[-1]
        if current and width + 1 + len(word) > measure:
            movable = not (
                _NO_BREAK_BEFORE.match(word)
                or current[-1].endswith(("-", "/"))
                or _URL.search(current[-1])
            )
            if movable:
                lines.append([word])
                width = len(word)
                continue
        current.append(word)
        width += len(word) + (1 if len(current) > 1 else 0)
    return [" ".join(line) for line in lines if line]


#: More text than this is not one agreement (the longest in the corpus has about 150,000 characters).
MAX_TEXT_CHARS = 8_000_000


class TooMuchText(ValueError):
    """Raised by :func:`to_layout` past :data:`MAX_TEXT_CHARS`; readers turn it into an InputError."""


def to_layout(blocks: Iterable[Block], form: str) -> Layout:
    """Typeset ``blocks`` into one page of lines (forms without pages have page 1 only)."""
    lines: list[Line] = []
    total = 0
    top = 72.0
    previous: Optional[Block] = None
    for block in blocks:
        text = " ".join(block.text.split())
        total += len(text)
        if total > MAX_TEXT_CHARS:
            raise TooMuchText(f"more than {MAX_TEXT_CHARS // 1_000_000} million characters of text: not one agreement")
        if not any(c.isalnum() for c in text):
            continue  # a rule of dashes or underscores is drawing, not text
        size = _size(block)
        bold = block.bold or (block.level > 0 and size <= BODY_SIZE + 0.4 and not block.size)
        heading = block.level > 0 or (previous is not None and previous.level > 0)
        gap = HEADING_GAP if heading else PARAGRAPH_GAP
        prefix = "" if bold else " ".join(block.bold_prefix.split())
        if prefix and not text.startswith(prefix):
            prefix = ""
        x0 = LEFT + INDENT * block.indent
        for index, piece in enumerate(wrap(text)):
            line_prefix = ""
            if prefix:
                line_prefix = prefix if len(prefix) < len(piece) else piece
                prefix = prefix[len(line_prefix) :].strip()
            if lines:
                top += gap if index == 0 else LINE_GAP
            height = size * 1.2
            lines.append(
                Line(
                    text=piece,
                    page=1,
                    x0=x0,
                    x1=x0 + CHAR_WIDTH * len(piece),
                    top=top,
                    bottom=top + height,
                    size=size,
                    bold=bold or (bool(line_prefix) and line_prefix == piece),
                    bold_prefix=piece if bold else line_prefix,
                    italic=block.italic,
                    gap=None if not lines else (gap if index == 0 else LINE_GAP),
                )
            )
            top += height
        previous = block
    width = LEFT * 2 + CHAR_WIDTH * MEASURE + INDENT * 6
    return Layout(pages=[Page(1, width, top + 72.0, lines)], format=form)


__all__ = ["Block", "bold_lead", "format_number", "paragraph_block", "to_layout", "wrap", "BODY_SIZE", "HEADING_SIZES"]
