"""A content-addressed cache of parses: the same bytes parse to the same tree, so parse them once.

Parsing costs seconds, most of it loading spaCy and tagging, while a diff of two
trees costs a few milliseconds. With the tree cached, ``eula diff`` or ``eula
check`` of files seen before answers without importing spaCy or a PDF engine.
An entry is keyed by the file's SHA-256, the options that change the result
(tagging, PDF engine) and a fingerprint of this package's code, so an upgraded
or edited parser never serves a tree it would no longer produce. A damaged entry
is parsed again; a cache that cannot be written only costs the shortcut.

``$EULA_CACHE`` names the directory (``off`` turns the cache off); the default
is ``$XDG_CACHE_HOME/eula-parse/parses`` (``~/.cache/eula-parse/parses``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from eula_parse.model import Document
from eula_parse.pipeline import code_digest

ENV_CACHE = "EULA_CACHE"


def cache_dir() -> Optional[Path]:
    """Where parses are kept, or ``None`` when ``$EULA_CACHE`` is ``off``."""
    env = os.environ.get(ENV_CACHE, "")
    if env.lower() in ("off", "0", "none"):
        return None
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eula-parse" / "parses"


def _entry(directory: Path, data: bytes, *, tag: bool, engine: Optional[str]) -> Path:
    key = f"{hashlib.sha256(data).hexdigest()}:{tag}:{engine or 'default'}:{code_digest()}"
    return directory / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


def cached_parse(path: os.PathLike, *, tag: bool = True, max_pages: int, engine: Optional[str] = None) -> Document:
    """:func:`eula_parse.parse` through the cache: the cached tree when these bytes were parsed before."""
    return cached_parse_all([path], tag=tag, max_pages=max_pages, engine=engine)[0]


def cached_parse_all(paths: Sequence[os.PathLike], *, tag: bool = True, max_pages: int,
                     engine: Optional[str] = None, worker: bool = False) -> list[Document]:
    """:func:`cached_parse` of each path; those not cached are parsed together
    (:func:`eula_parse.worker.parse_all`, through the warm worker with ``worker``)."""
    from eula_parse.worker import parse_all

    paths = [Path(path) for path in paths]
    documents: list[Optional[Document]] = []
    entries: list[Optional[Path]] = []
    for path in paths:
        entry = _entry_for(path, tag=tag, engine=engine)
        entries.append(entry)
        documents.append(_cached(entry, path, max_pages) if entry is not None else None)
    missing = [index for index, document in enumerate(documents) if document is None]
    parsed = parse_all([paths[index] for index in missing], tag=tag, max_pages=max_pages, engine=engine,
                       worker=worker)
    for index, document in zip(missing, parsed):
        documents[index] = document
        if entries[index] is not None:
            _store(entries[index], document)
    return documents


def _entry_for(path: Path, *, tag: bool, engine: Optional[str]) -> Optional[Path]:
    """Where the parse of ``path`` is kept, or None (cache off, not a readable file, too large)."""
    from eula_parse.readers import MAX_FILE_BYTES

    directory = cache_dir()
    try:
        usable = directory is not None and path.is_file() and path.stat().st_size <= MAX_FILE_BYTES
        return _entry(directory, path.read_bytes(), tag=tag, engine=engine) if usable else None
    except OSError:
        return None  # unreadable: parse() says why, in its own words


def _cached(entry: Path, path: Path, max_pages: int) -> Optional[Document]:
    """The tree kept in ``entry``, or None when it is missing, damaged or longer than ``max_pages``."""
    try:
        document = Document.from_dict(json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged entry: parse again
    if document.pages > max_pages:
        return None
    document.source = str(path)
    return document


def _store(entry: Path, document: Document) -> None:
    """Write atomically (a reader never sees half an entry); failure to write is not an error."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document.to_dict(), out, ensure_ascii=False)
        os.replace(tmp, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
