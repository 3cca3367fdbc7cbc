"""What every reader produces and the structure stage reads: a :class:`Layout`.

A layout is the document's lines in reading order, each with the typography a
reader of the page would use to see structure (type size, weight, left edge,
vertical gap to the line before). Readers of formats that carry structure as
markup (a Word heading style, an HTML ``h2``, a Markdown ``#``) express it the
same way, so the structure stage never needs to know which form it reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Line:
    """One line of text in reading order, with the typography structure detection needs."""

    text: str
    page: int  # 1-based; formats without pages use 1
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # dominant font size of the line
    bold: bool  # every word bold
    #: the leading run of bold words ("Limitation of Liability."), "" when the line starts regular
    bold_prefix: str = ""
    italic: bool = False
    #: the leading run of italic words, a list number before it included ("6.1 Price modification:")
    italic_prefix: str = ""
    #: vertical distance from the previous line's bottom in the same column (None at a column top)
    gap: Optional[float] = None
    column: int = 0
    #: offsets in ``text`` of spaces standing for a gap wider than the line's spaces between two
    #: letters: a glyph the font maps to nothing or to white space stood there (a ligature, "o ce"
    #: for "office"); :mod:`eula_parse.readers.ligatures` reads and clears them
    glyph_gaps: tuple[int, ...] = ()


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class Layout:
    """A document as read: body lines by page plus what was recognised as page furniture."""

    pages: list[Page]
    #: constant text of the running header/footer with page numbers removed, e.g. "EULA 20250425"
    furniture: list[str] = field(default_factory=list)
    #: SHA-256 of the file's bytes, taken from the one read the input checks already made
    sha256: str = ""
    #: the form it was read from: "pdf", "docx", "rtf", "html", "markdown", "text"
    format: str = "pdf"

    @property
    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]


def body_size(lines: list[Line]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
