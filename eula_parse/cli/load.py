"""Getting a Document for a command: from the index when it already holds the file, else from
the parse cache (:mod:`eula_parse.cache`), else by parsing.

Parsing a PDF takes seconds; the index stores everything a parse produced,
keyed by the file's SHA-256, and the cache keeps every tree parsed before. So
``eula diff``, ``eula entities`` and ``eula check`` on files seen before answer
at once instead of parsing again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from eula_parse.cli.output import slow_progress
from eula_parse.pipeline import DEFAULT_MAX_PAGES


def _indexed(path: Path, index_dir: Optional[str]):
    """The document the index holds for this file's bytes, or None (no index, not indexed, unreadable)."""
    from eula_parse.errors import EulaError
    from eula_parse.index.paths import default_index_path, is_index_dir

    where = Path(index_dir) if index_dir else default_index_path()
    if not path.is_file() or not is_index_dir(where):
        return None
    from eula_parse.index import ClauseIndex, file_sha256  # only now: the index brings Whoosh

    try:
        sha = file_sha256(path)
        with ClauseIndex(where, create=False) as index:
            document = index.document_for_file(sha)
    except (OSError, EulaError):  # a damaged or locked index only costs the shortcut
        return None
    if document is not None:
        document.source = str(path)
    return document


def load_document(spec: str, index_dir: Optional[str] = None, *, tag: bool = True,
                  max_pages: int = DEFAULT_MAX_PAGES, engine: Optional[str] = None):
    """The document in file ``spec``: reused from the index by SHA-256 when it is there, else parsed
    (through the parse cache).

    A PDF ``engine`` asked for by name is always run (the index holds the default engine's parse).
    """
    return load_documents([spec], index_dir, tag=tag, max_pages=max_pages, engine=engine)[0]


def load_documents(specs: list[str], index_dir: Optional[str] = None, *, tag: bool = True,
                   max_pages: int = DEFAULT_MAX_PAGES, engine: Optional[str] = None) -> list:
    """:func:`load_document` of each file; those neither indexed nor cached are parsed together by
    the warm worker, which keeps spaCy loaded between commands (:mod:`eula_parse.worker`)."""
    documents = [_indexed(Path(spec), index_dir) if tag and engine is None else None for spec in specs]
    missing = [index for index, document in enumerate(documents) if document is None]
    if missing:
        from eula_parse.cache import cached_parse_all

        with slow_progress(f"parsing {', '.join(specs[index] for index in missing)}"):
            parsed = cached_parse_all([specs[index] for index in missing], tag=tag, max_pages=max_pages,
                                      engine=engine, worker=True)
        for index, document in zip(missing, parsed):
            documents[index] = document
    return documents
