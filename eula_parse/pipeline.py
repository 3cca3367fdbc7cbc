"""``parse()``: a EULA PDF in, a tagged ``Document`` out (extract -> structure -> entities)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

from eula_parse.model import Document

#: Refuse documents longer than this many pages unless the caller raises it.
DEFAULT_MAX_PAGES = 2000


def parse(
    path: Union[str, os.PathLike],
    *,
    tag: bool = True,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Document:
    """Parse the PDF at ``path`` into a :class:`Document`.

    ``tag=False`` skips the spaCy entity tagging (structure only, faster).
    Raises :class:`~eula_parse.errors.InputError` or
    :class:`~eula_parse.errors.ExtractionError` for files that cannot be parsed.
    """
    from eula_parse import extract, structure

    path = Path(path)
    extraction = extract.extract(path, max_pages=max_pages)
    document = structure.build(extraction)
    document.source = str(path)
    document.sha256 = extraction.sha256
    if tag:
        from eula_parse.entities import tag_document

        tag_document(document)
    return document
