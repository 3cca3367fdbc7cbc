"""PDF reader: bytes checked, words from an engine, lines in reading order, furniture removed.

What is common to every PDF engine lives here and in :mod:`columns` and
:mod:`furniture`; an engine module only turns pages into words with their fonts
(``pages(path, max_pages=...)``). ``pdfium`` is the default engine (fast, C);
``pdfplumber`` is the reference engine and the fallback for files PDFium
refuses, since pdfminer recovers some damaged files PDFium cannot open.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Optional

from eula_parse.errors import ExtractionError, InputError
from eula_parse.readers.columns import page_lines
from eula_parse.readers.furniture import remove_furniture
from eula_parse.readers.ligatures import repair as repair_ligatures
from eula_parse.readers.layout import Layout, Page

#: A stream inflating past this many bytes is treated as a decompression bomb.
MAX_STREAM_BYTES = 256 * 1024 * 1024
#: The engines ``read`` accepts; the first is the default.
ENGINES = ("pdfium", "pdfplumber")

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


def _pages(engine: str, path: Path, max_pages: int) -> list[Page]:
    """Every page's lines as read by ``engine``, page by page (an engine's words are dropped per page)."""
    if engine == "pdfium":
        from eula_parse.readers import pdfium as module
    else:
        from eula_parse.readers import plumber as module
    return [
        Page(number, width, height, page_lines(number, words, reading_width))
        for number, (width, height, words, reading_width) in enumerate(module.pages(path, max_pages=max_pages), start=1)
    ]


def read(path: Path, data: bytes, *, max_pages: int, engine: Optional[str] = None) -> Layout:
    """Read the PDF whose bytes are ``data``: body lines page by page, furniture removed.

    ``engine`` is one of :data:`ENGINES`; by default PDFium, falling back to
    pdfplumber when PDFium refuses the file. Raises :class:`InputError` for
    files that are not readable PDFs and :class:`ExtractionError` when a PDF
    has no text to extract.
    """
    if engine is not None and engine not in ENGINES:
        raise InputError(f"unknown PDF engine {engine!r} (choose from {', '.join(ENGINES)})")
    _check_streams(path, data)
    if engine is None:
        from eula_parse.readers.pdfium import Refused

        try:
            pages = _pages(ENGINES[0], path, max_pages)
        except Refused:
            pages = _pages("pdfplumber", path, max_pages)
    else:
        pages = _pages(engine, path, max_pages)
    if not any(page.lines for page in pages):
        raise ExtractionError(f"{path}: no text layer: OCR is not supported")
    repair_ligatures(pages)
    return Layout(pages=pages, furniture=remove_furniture(pages), format="pdf")
