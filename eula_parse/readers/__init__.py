"""Readers: one input form in, one :class:`~eula_parse.readers.layout.Layout` out.

:func:`read` checks the file, tells its form from its first bytes (never its
name) and hands it to that form's reader. Everything after this point is the
same whatever the form was.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from pathlib import Path
from typing import Optional, Union

from eula_parse.errors import InputError
from eula_parse.readers.layout import Layout, Line, Page, body_size

#: Refuse input files larger than this (bytes) before reading them.
MAX_FILE_BYTES = 256 * 1024 * 1024


_MODULES = {"pdf": "pdf", "docx": "docx", "rtf": "rtf", "html": "html", "markdown": "markdown", "text": "text"}


def _check_file(path: Path) -> bytes:
    """The file's bytes, or a refusal a user can act on."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a document")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: file too large ({size // 2**20} MiB; limit {MAX_FILE_BYTES // 2**20} MiB)")
    return path.read_bytes()


#: what each form is called in messages
FORMS = {"pdf": "PDF", "docx": "Word (DOCX)", "rtf": "RTF", "html": "HTML", "markdown": "Markdown", "text": "text"}

_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:div|p|h[1-6]|table|span|ul|ol)[\s>]", re.I)
_MARKDOWN = re.compile(r"^(?:#{1,6}\s+\S|\*\*[^*\n]+\*\*\s*$|[-*+]\s+\S.*$|\d+\.\s+\S)", re.M)
_MARKDOWN_STRONG = re.compile(r"^(?:#{1,6}\s+\S|\*\*[^*\n]{3,}\*\*)", re.M)


def _is_binary(head: bytes) -> bool:
    """Control bytes other than whitespace, in text that is not UTF-16: not a text document."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(head) // 100)


def detect(data: bytes) -> Optional[str]:
    """The form of a document from its content, never its name.

    ``"pdf"`` (a ``%PDF-`` header), ``"docx"`` (a ZIP archive holding
    ``word/document.xml``), ``"rtf"`` (``{\\rtf``), ``"html"`` (HTML markup near
    the start), ``"markdown"`` (ATX ``#`` headings or ``**bold**`` paragraphs),
    ``"text"``; ``None`` for binary content none of these readers can read.
    """
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx" if b"word/document.xml" in data else None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if _is_binary(head):
        return None
    if _HTML.search(stripped[:2048]) and stripped.startswith(b"<"):
        return "html"
    sample = data[: 1 << 16].decode("utf-8", errors="replace")
    if _MARKDOWN_STRONG.search(sample) and len(_MARKDOWN.findall(sample)) >= 2:
        return "markdown"
    return "text"


def read(path: Union[str, os.PathLike], *, max_pages: int, engine: Optional[str] = None) -> Layout:
    """Read the document at ``path`` into a :class:`Layout` (``engine`` picks the PDF engine)."""
    path = Path(path)
    data = _check_file(path)
    form = detect(data)
    if form is None:
        kind = "ZIP archive without word/document.xml" if data[:2] == b"PK" else "binary file"
        raise InputError(f"{path}: {kind}: not a PDF, DOCX, RTF, HTML, Markdown or text document")
    if form != "pdf" and path.suffix.lower() == ".pdf":
        # The name promises a PDF; reading it as something else would hide a broken download.
        raise InputError(f"{path}: not a PDF (no %PDF header; the content is {FORMS[form]})")
    module = importlib.import_module(f"eula_parse.readers.{_MODULES[form]}")
    if form == "pdf":
        layout = module.read(path, data, max_pages=max_pages, engine=engine)
    else:
        from eula_parse.readers.blocks import MAX_TEXT_CHARS, TooMuchText

        if form != "docx" and len(data) > 4 * MAX_TEXT_CHARS:
            raise InputError(f"{path}: refused: {len(data) // 2**20} MiB of {FORMS[form]} is not one agreement "
                             f"(limit {4 * MAX_TEXT_CHARS // 2**20} MiB)")
        try:
            layout = module.read(path, data, max_pages=max_pages)
        except TooMuchText as exc:
            raise InputError(f"{path}: refused: {exc}") from None
        except RecursionError:
            raise InputError(f"{path}: refused: {FORMS[form]} nested too deeply") from None
    layout.format = form
    layout.sha256 = hashlib.sha256(data).hexdigest()
    return layout


__all__ = ["Layout", "Line", "Page", "body_size", "detect", "read", "FORMS", "MAX_FILE_BYTES"]
