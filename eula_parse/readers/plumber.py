"""The pdfplumber (pdfminer.six) PDF engine: each page's words with their fonts.

It is the reference engine: slow, pure Python, and able to recover files other
engines refuse (pdfminer rebuilds a broken cross-reference table).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path
from typing import Iterator

from eula_parse.errors import ExtractionError, InputError
from eula_parse.readers.columns import Word

_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|,b\b|-b\b|bd\b", re.I)
_ITALIC = re.compile(r"italic|oblique|-it\b|,it\b", re.I)
#: A word ends at a gap wider than this many points between two characters of a line...
X_TOLERANCE = 1.5
#: ...or wider than this fraction of the type size, if smaller. Producers that write no space
#: glyphs and place each word (Chromium/Skia "print to PDF", many web-to-PDF exporters) leave
#: word gaps of a space (~0.25 em) less kerning, >= 0.14 em in their prints, while letters
#: inside a word touch or overlap (kerning; an apostrophe opens 0.04 em). At 9.5 pt a kerned
#: "Y A" gap is under 1.5 pt; one tenth of an em stays between the two at any size.
X_TOLERANCE_EM = 0.1


def reason(exc: object) -> str:
    """The first line of an exception's message, short enough for a one-line error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


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
        raise InputError(f"{path}: damaged PDF ({reason(cause)})") from None


@functools.cache
def _word_extractor():
    """pdfplumber's word grouping, with the gap limit :data:`X_TOLERANCE_EM` of the type size added.

    Built once, on first use (pdfplumber is imported only when a PDF is read); it keeps no state
    between calls, so threads share it."""
    from pdfplumber.utils.text import WordExtractor

    class _Extractor(WordExtractor):
        def char_begins_new_word(self, prev_char, curr_char, direction, x_tolerance, y_tolerance) -> bool:
            em = X_TOLERANCE_EM * float(prev_char.get("size") or 0)
            if em > 0 and direction in ("ltr", "rtl"):
                x_tolerance = min(x_tolerance, em)
            elif em > 0:  # text running up or down: pdfplumber measures gaps along the line with y_tolerance
                y_tolerance = min(y_tolerance, em)
            return super().char_begins_new_word(prev_char, curr_char, direction, x_tolerance, y_tolerance)

    return _Extractor(extra_attrs=["fontname", "size"], keep_blank_chars=False, x_tolerance=X_TOLERANCE, y_tolerance=2)


def _page_words(page) -> tuple[list[Word], float]:
    """The page's words and the width of the page as read.

    A page shown sideways (``/Rotate 90``) has its text running top to bottom
    in pdfplumber's coordinates; such words are turned back so that lines run
    left to right again, and the page's height becomes its reading width.
    """
    words = _word_extractor().extract_words(page.chars)
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


def pages(path: Path, *, max_pages: int) -> Iterator[tuple[float, float, list[Word], float]]:
    """Yield ``(width, height, words, reading_width)`` for each page of the PDF at ``path``.

    Raises :class:`InputError` for encrypted or unreadable files and for more
    than ``max_pages`` pages, :class:`ExtractionError` for damaged content.
    """
    pdf = _open(path)
    try:
        n_pages = len(pdf.pages)
        if n_pages == 0:
            raise ExtractionError(f"{path}: PDF has no pages")
        if n_pages > max_pages:
            raise InputError(f"{path}: {n_pages} pages exceeds the limit of {max_pages} (--max-pages)")
        for number, page in enumerate(pdf.pages, start=1):
            try:
                words, reading_width = _page_words(page)
            except Exception as exc:  # pdfminer raises many kinds on damaged content streams
                raise ExtractionError(f"{path}: page {number}: cannot read text ({reason(exc)})") from None
            finally:
                page.close()
            yield float(page.width), float(page.height), words, reading_width
    except RecursionError:
        raise ExtractionError(f"{path}: damaged PDF (object nesting too deep)") from None
    except (InputError, ExtractionError):
        raise
    except Exception as exc:
        raise ExtractionError(f"{path}: damaged PDF ({reason(exc)})") from None
    finally:
        try:
            pdf.close()
        except Exception:  # closing walks the page tree again; a damaged one has been reported
            pass
