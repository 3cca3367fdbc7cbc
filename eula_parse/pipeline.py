"""``parse()``: a EULA file in, a tagged ``Document`` out (readers -> structure -> entities).

Also :func:`code_digest`, the fingerprint of the code that parses: a tree kept or served by another
process (the parse cache, the index, the warm worker) is used only when this same code made it.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from eula_parse.model import Document

#: Refuse documents longer than this many pages unless the caller raises it.
DEFAULT_MAX_PAGES = 2000


def parse(
    path: Union[str, os.PathLike],
    *,
    tag: bool = True,
    max_pages: int = DEFAULT_MAX_PAGES,
    engine: Optional[str] = None,
) -> Document:
    """Parse the agreement at ``path`` (PDF, DOCX, RTF, HTML, Markdown or text) into a :class:`Document`.

    ``tag=False`` skips the spaCy entity tagging (structure only, faster);
    ``engine`` picks the PDF engine (see :data:`eula_parse.readers.pdf.ENGINES`).
    Raises :class:`~eula_parse.errors.InputError` or
    :class:`~eula_parse.errors.ExtractionError` for files that cannot be parsed.
    """
    from eula_parse import readers, structure

    path = Path(path)
    layout = readers.read(path, max_pages=max_pages, engine=engine)
    document = structure.build(layout)
    document.source = str(path)
    document.sha256 = layout.sha256
    if tag:
        from eula_parse.entities import tag_document

        tag_document(document)
    return document


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of every source and pattern file of the package (name, size, modification time)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json", ".jsonl")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]
