"""``parse()``: a EULA file in, a tagged ``Document`` out (readers -> structure -> entities)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Sequence, Union

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


def parse_all(
    paths: Sequence[Union[str, os.PathLike]],
    *,
    tag: bool = True,
    max_pages: int = DEFAULT_MAX_PAGES,
    engine: Optional[str] = None,
    worker: bool = False,
) -> list[Document]:
    """``[parse(path) for path in paths]``, sooner: spaCy loads while the files are read.

    Loading spaCy costs more than reading two agreements. A forked helper loads
    it on the other core while this process reads, then tags (see
    :mod:`eula_parse.worker`). ``worker=True`` (the CLI's choice) uses the warm
    worker instead, which keeps spaCy loaded between calls, and starts it when
    it is not running. The result is always that of :func:`parse`, errors included.
    """
    if not tag or not paths:
        return [parse(path, tag=tag, max_pages=max_pages, engine=engine) for path in paths]
    from eula_parse import worker as workers

    return workers.parse_all(paths, max_pages=max_pages, engine=engine, keep=worker)
