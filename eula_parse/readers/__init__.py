"""Readers: one input form in, one :class:`~eula_parse.readers.layout.Layout` out.

:func:`read` checks the file, tells its form from its first bytes (never its
name) and hands it to that form's reader. Everything after this point is the
same whatever the form was.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional, Union

from eula_parse.errors import InputError
from eula_parse.readers.layout import Layout, Line, Page, body_size

#: Refuse input files larger than this (bytes) before reading them.
MAX_FILE_BYTES = 256 * 1024 * 1024


def _check_file(path: Path) -> bytes:
    """The file's bytes, or a refusal a user can act on."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a PDF")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: file too large ({size // 2**20} MiB; limit {MAX_FILE_BYTES // 2**20} MiB)")
    return path.read_bytes()


def detect(data: bytes) -> Optional[str]:
    """The form of a document from its first bytes: ``"pdf"``, or ``None`` when unsupported."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def read(path: Union[str, os.PathLike], *, max_pages: int, engine: Optional[str] = None) -> Layout:
    """Read the document at ``path`` into a :class:`Layout` (``engine`` picks the PDF engine)."""
    path = Path(path)
    data = _check_file(path)
    form = detect(data)
    if form == "pdf":
        from eula_parse.readers import pdf

        layout = pdf.read(path, data, max_pages=max_pages, engine=engine)
    else:
        raise InputError(f"{path}: not a PDF (no %PDF header)")
    layout.sha256 = hashlib.sha256(data).hexdigest()
    return layout


__all__ = ["Layout", "Line", "Page", "body_size", "detect", "read", "MAX_FILE_BYTES"]
