"""Stage 1: PDF -> lines of text with their typography, page furniture removed.

Everything later stages need to recover an agreement's structure is here,
measured rather than assumed: each :class:`Line` knows its font size, whether
it (or its first words) is bold, its left edge and its vertical gap to the
line before. Nothing in this module knows what a EULA looks like.

Page furniture (running headers, footers, page numbers, a version label) is
found the way a reader spots it: text in the top or bottom band of a page
that repeats, in the same size, on many pages once its digits are ignored.
Two-column pages are detected by a vertical gutter no row of text crosses.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from eula_parse.errors import ExtractionError, InputError

#: A stream inflating past this many bytes is treated as a decompression bomb.
MAX_STREAM_BYTES = 256 * 1024 * 1024
#: Refuse input files larger than this (bytes) before reading them.
MAX_FILE_BYTES = 256 * 1024 * 1024

_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|,b\b|-b\b|bd\b", re.I)
_ITALIC = re.compile(r"italic|oblique|-it\b|,it\b", re.I)
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/|\|)\s*\d{1,4})?\W*$|^\W*[ivxlc]{1,6}\W*$", re.I
)
# "Page 3 of 16", "Page 3", "3 of 16", and a bare page number at either end of a line
# (three digits at most: "2018" at the end of a footer is a year, not a page).
_PAGE_PHRASE = re.compile(r"\b(?:page\s*)?\d{1,4}\s*of\s*\d{1,4}\b|\bpage\s*\d{1,4}\b|^\s*\d{1,3}\s+|\s+\d{1,3}\s*$", re.I)


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    italic: bool


@dataclass
class Line:
    """One line of text in reading order, with the typography structure detection needs."""

    text: str
    page: int  # 1-based
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # dominant font size of the line
    bold: bool  # every word bold
    #: the leading run of bold words ("Limitation of Liability."), "" when the line starts regular
    bold_prefix: str = ""
    italic: bool = False
    #: vertical distance from the previous line's bottom in the same column (None at a column top)
    gap: Optional[float] = None
    column: int = 0


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class Extraction:
    """The result of :func:`extract`: body lines by page plus what was recognised as furniture."""

    pages: list[Page]
    #: constant text of the running header/footer with page numbers removed, e.g. "EULA 20250425"
    furniture: list[str] = field(default_factory=list)
    #: SHA-256 of the file's bytes, taken from the one read the checks already made
    sha256: str = ""

    @property
    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]


_PAGE_OF = re.compile(r"\bpage\s*\d{1,4}(?:\s*of\s*\d{1,4})?\b", re.I)


# -- opening ------------------------------------------------------------------


def _check_file(path: Path) -> bytes:
    """Refuse what is not worth handing to pdfminer, with a message a user can act on."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a PDF")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: file too large ({size // 2**20} MiB; limit {MAX_FILE_BYTES // 2**20} MiB)")
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{path}: not a PDF (no %PDF header)")
    _check_streams(path, data)
    return data


_STREAM = re.compile(rb"stream\r?\n")


def _check_streams(path: Path, data: bytes) -> None:
    """Inflate every Flate stream with a bounded buffer to refuse decompression bombs.

    pdfminer inflates a stream in one call with no limit, so a few KiB of
    crafted zeros can take all memory. Walking the streams first costs a few
    milliseconds on a normal agreement and caps memory at a 1 MiB window.
    """
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        chunk = data[start:end]
        if chunk[:1] != b"x":  # zlib header; other filters are not inflated by pdfminer either
            continue
        inflater = zlib.decompressobj()
        total = 0
        try:
            out = inflater.decompress(chunk, 1 << 20)
            total += len(out)
            while inflater.unconsumed_tail and total <= MAX_STREAM_BYTES:
                out = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
                total += len(out)
        except zlib.error:
            continue  # not (valid) Flate data; pdfminer will judge it
        if total > MAX_STREAM_BYTES:
            raise InputError(
                f"{path}: refused: a compressed stream inflates past {MAX_STREAM_BYTES // 2**20} MiB "
                "(decompression bomb?)"
            )


def _open(path: Path):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(path)
    except Exception as exc:  # pdfplumber wraps every pdfminer failure
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise InputError(f"{path}: encrypted PDF (password required)") from None
        if isinstance(cause, PDFEncryptionError):
            raise InputError(f"{path}: encrypted PDF with an unsupported encryption scheme") from None
        raise InputError(f"{path}: damaged PDF ({_reason(cause)})") from None


def _reason(exc: object) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# -- words and lines ----------------------------------------------------------


def _page_words(page) -> tuple[list[Word], float]:
    """The page's words and the width of the page as read.

    A page shown sideways (``/Rotate 90``) has its text running top to bottom
    in pdfplumber's coordinates; such words are turned back so that lines run
    left to right again, and the page's height becomes its reading width.
    """
    words = page.extract_words(
        extra_attrs=["fontname", "size"], keep_blank_chars=False, x_tolerance=1.5, y_tolerance=2
    )
    width, height = float(page.width), float(page.height)
    directions = Counter(w.get("direction", "ltr") for w in words)
    turn = directions.most_common(1)[0][0] if directions else "ltr"
    out = []
    for w in words:
        x0, x1, top, bottom = w["x0"], w["x1"], w["top"], w["bottom"]
        if turn == "ttb":
            x0, x1, top, bottom = top, bottom, width - x1, width - x0
        elif turn == "btt":
            x0, x1, top, bottom = height - bottom, height - top, x0, x1
        name = (w.get("fontname") or "").split("+", 1)[-1]
        out.append(
            Word(
                text=w["text"],
                x0=x0,
                x1=x1,
                top=top,
                bottom=bottom,
                size=round(float(w.get("size") or 0), 1),
                bold=bool(_BOLD.search(name)),
                italic=bool(_ITALIC.search(name)),
            )
        )
    return out, (height if turn in ("ttb", "btt") else width)


def _rows(words: list[Word]) -> list[list[Word]]:
    """Cluster words into rows by vertical overlap (words sorted by top first)."""
    rows: list[list[Word]] = []
    bounds: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        if rows and bounds[-1][0] <= middle <= bounds[-1][1]:
            rows[-1].append(word)
            top, bottom = bounds[-1]
            bounds[-1] = (min(top, word.top), max(bottom, word.bottom))
        else:
            rows.append([word])
            bounds.append((word.top, word.bottom))
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def _gutter(rows: list[list[Word]], width: float) -> Optional[float]:
    """The x of a vertical gutter splitting the page into two columns, if there is one.

    An x in the middle 30-70 % of the page is clear when (almost) no row has
    text across it while a good share of the words lies on each side (the
    columns' baselines need not line up); the gutter is in the widest clear band.
    """
    if len(rows) < 6:
        return None
    run: list[tuple[float, int]] = []
    best: list[tuple[float, int]] = []
    words = [w for row in rows for w in row]
    for step in range(int(width * 0.30), int(width * 0.70), 2):
        x = float(step)
        crossing = sum(1 for row in rows if any(w.x0 - 4 < x < w.x1 + 4 for w in row))
        left = sum(1 for w in words if w.x1 <= x)
        if crossing <= 0.1 * len(rows) and min(left, len(words) - left - crossing) >= 0.2 * len(words):
            run.append((x, crossing))
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    if not best:
        return None
    # The widest clear band holds the gutter (narrow ones are hanging indents inside a
    # column); within it, the stretch no row crosses at all, so hanging numbers stay right.
    fewest = min(c for _, c in best)
    stretches: list[list[float]] = [[]]
    for x, crossing in best:
        if crossing == fewest:
            stretches[-1].append(x)
        elif stretches[-1]:
            stretches.append([])
    clear = max(stretches, key=len)
    return (clear[0] + clear[-1]) / 2


def _make_line(words: list[Word], page: int) -> Line:
    parts = [words[0].text]
    for prev, word in zip(words, words[1:]):
        # extract_words splits at font changes too: only a real gap is a space.
        if word.x0 - prev.x1 > 0.12 * max(word.size, 1):
            parts.append(" ")
        parts.append(word.text)
    sizes = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    prefix = []
    for w in words:
        if not w.bold:
            break
        prefix.append(w.text)
    return Line(
        text="".join(parts),
        page=page,
        x0=words[0].x0,
        x1=words[-1].x1,
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=sizes.most_common(1)[0][0],
        bold=all(w.bold for w in words),
        bold_prefix=" ".join(prefix),
        italic=all(w.italic for w in words),
    )


def _page_lines(page_no: int, words: list[Word], width: float) -> list[Line]:
    """Words -> lines in reading order, reading left column before right on two-column pages.

    Rows are clustered once to find a gutter; on a two-column page each column
    is then clustered on its own, because the baselines of two columns need
    not line up. Rows that cross the gutter (a title, a full-width table)
    split the page into bands read top to bottom.
    """
    rows = _rows(words)
    gutter = _gutter(rows, width)
    blocks: list[list[list[list[Word]]]] = []  # block -> columns -> rows -> words
    if gutter is None:
        blocks = [[rows]]
    else:
        def crosses(row):
            return any(w.x0 - 4 < gutter < w.x1 + 4 for w in row)

        band: list[Word] = []
        for row in rows:
            if crosses(row):
                if band:
                    blocks.append([_rows([w for w in band if w.x1 <= gutter]), _rows([w for w in band if w.x1 > gutter])])
                    band = []
                blocks.append([[row]])
            else:
                band.extend(row)
        if band:
            blocks.append([_rows([w for w in band if w.x1 <= gutter]), _rows([w for w in band if w.x1 > gutter])])

    lines: list[Line] = []
    for block in blocks:
        for column, col_rows in enumerate(block):
            previous: Optional[Line] = None
            for row in col_rows:
                line = _make_line(row, page_no)
                line.column = column if len(block) > 1 else 0
                line.gap = None if previous is None else line.top - previous.bottom
                lines.append(line)
                previous = line
    return lines


# -- furniture ----------------------------------------------------------------


def _furniture_key(line: Line) -> tuple[str, float]:
    """Digit-blind text without page-number phrases, so "EULA 20240301" on one page and
    "EULA 20240301 Page 4 of 4" on another (columns merged) are the same furniture."""
    text = " ".join(_PAGE_PHRASE.sub(" ", line.text).lower().split()).strip(" -–|/·,")
    return re.sub(r"\d+", "#", text), round(line.size)


def _remove_furniture(pages: list[Page]) -> list[str]:
    """Drop running headers/footers and page numbers; return their constant text.

    Candidates are the two topmost and two bottommost lines of each page. A
    candidate is furniture when it is a page number ("Page 3 of 16" included),
    or when its digit-blind text in the same size recurs on at least half of
    the pages; small print (a letterhead, a footer code) needs to recur only
    on two pages, since an agreement may bundle parts with footers of their own.
    """
    body = body_size([line for page in pages for line in page.lines])
    candidates: dict[int, list[Line]] = {}
    counts: Counter = Counter()
    for page in pages:
        by_top = sorted(page.lines, key=lambda line: line.top)  # reading order differs on 2-column pages
        ends = by_top[:2] + by_top[-2:] if len(by_top) > 4 else by_top
        candidates[page.number] = ends
        for key in {_furniture_key(line) for line in ends}:
            counts[key] += 1
    labels: dict[tuple, str] = {}
    for page in pages:
        drop = set()
        for line in candidates[page.number]:
            key = _furniture_key(line)
            small = line.size < body - 0.4
            threshold = 2 if small else max(2, len(pages) / 2)
            if _PAGE_NUMBER.match(line.text) or not key[0]:
                drop.add(id(line))
            elif counts[key] >= threshold or (small and _PAGE_OF.search(line.text)):
                drop.add(id(line))
                labels.setdefault(key, line.text)
        page.lines = [line for line in page.lines if id(line) not in drop]
    furniture = []
    # The version label usually shares a line with the page number: list those first.
    for text in sorted(labels.values(), key=lambda t: not _PAGE_OF.search(t)):
        constant = " ".join(_PAGE_PHRASE.sub(" ", text).split()).strip(" -–|/·,")
        if constant:
            furniture.append(constant)
    return furniture


# -- entry point --------------------------------------------------------------


def extract(path: Path, *, max_pages: int = 2000) -> Extraction:
    """Read ``path`` and return its body lines page by page, furniture removed.

    Raises :class:`InputError` for files that are not readable PDFs and
    :class:`ExtractionError` when a PDF has no text to extract.
    """
    path = Path(path)
    sha256 = hashlib.sha256(_check_file(path)).hexdigest()
    pdf = _open(path)
    try:
        n_pages = len(pdf.pages)
        if n_pages == 0:
            raise ExtractionError(f"{path}: PDF has no pages")
        if n_pages > max_pages:
            raise InputError(f"{path}: {n_pages} pages exceeds the limit of {max_pages} (--max-pages)")
        pages: list[Page] = []
        for number, page in enumerate(pdf.pages, start=1):
            try:
                words, reading_width = _page_words(page)
            except Exception as exc:  # pdfminer raises many kinds on damaged content streams
                raise ExtractionError(f"{path}: page {number}: cannot read text ({_reason(exc)})") from None
            finally:
                page.close()
            pages.append(Page(number, float(page.width), float(page.height), _page_lines(number, words, reading_width)))
    except RecursionError:
        raise ExtractionError(f"{path}: damaged PDF (object nesting too deep)") from None
    except (InputError, ExtractionError):
        raise
    except Exception as exc:
        raise ExtractionError(f"{path}: damaged PDF ({_reason(exc)})") from None
    finally:
        try:
            pdf.close()
        except Exception:  # closing walks the page tree again; a damaged one has been reported
            pass
    if not any(page.lines for page in pages):
        raise ExtractionError(f"{path}: no text layer: OCR is not supported")
    furniture = _remove_furniture(pages)
    # A line that only repeats the running version label ("EULA 20240612"), wherever it
    # stands, is a stray footer too. Labels without digits (a running title) are not
    # dropped this way: the title page shows the same words as content.
    labels = {" ".join(text.split()) for text in furniture if re.search(r"\d", text)}
    for page in pages:
        page.lines = [line for line in page.lines if " ".join(line.text.split()) not in labels]
    return Extraction(pages=pages, furniture=furniture, sha256=sha256)


def body_size(lines: list[Line]) -> float:
    """The font size most of the text is set in."""
    sizes = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


__all__ = ["Extraction", "Line", "Page", "Word", "extract", "body_size"]
