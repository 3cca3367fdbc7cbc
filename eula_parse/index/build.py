"""Building whole indexes: the first-search seeding from the corpus and ``--rebuild``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from eula_parse.errors import EulaError, IndexCorruptError, NotFoundError
from eula_parse.index.batch import FILE_TIMEOUT
from eula_parse.index.clause_index import ClauseIndex
from eula_parse.index.engines import DEFAULT_ENGINE, ENGINES
from eula_parse.index.paths import (
    MARKER,
    SEEDING,
    TANTIVY_DIR,
    SOURCES_LOG,
    _index_owned,
    default_index_path,
    is_index_dir,
    sample_paths,
)
from eula_parse.index.records import FileResult


def recorded_sources(path: Union[str, os.PathLike]) -> list[str]:
    """Files ever added to the index at ``path`` and not removed since, from its sources log."""
    sources: dict[str, bool] = {}
    try:
        lines = (Path(path) / SOURCES_LOG).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entry = json.loads(line)
            sources[str(entry["source"])] = entry.get("action") != "remove"
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line after a crash
    return [source for source, present in sources.items() if present]


def needs_seeding(path: Union[str, os.PathLike]) -> bool:
    """True when ``path`` has no index yet, or a first build from the corpus was interrupted."""
    path = Path(path)
    return not is_index_dir(path) or (path / SEEDING).exists()


def recorded_engine(path: Union[str, os.PathLike]) -> Optional[str]:
    """The engine of the index at ``path``, even a damaged one (its marker, else its files); ``None`` if unknown."""
    try:
        engine = json.loads((Path(path) / MARKER).read_text()).get("engine")
    except (OSError, ValueError, AttributeError):
        engine = "tantivy" if (Path(path) / TANTIVY_DIR).is_dir() else None
    return engine if engine in ENGINES else None


def seed(path: Union[str, os.PathLike], corpus: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]], *,
         timeout: float = FILE_TIMEOUT, jobs: int = 1, progress: Optional[Callable] = None,
         engine: Optional[str] = None) -> tuple[ClauseIndex, list[FileResult]]:
    """Create (or finish creating) the index at ``path`` from ``corpus`` (a folder, or files and folders).

    The first ``eula search`` on a fresh clone calls this, so it just works.
    A marker file stays while the build runs: if it is interrupted the next
    search resumes it (files already in are skipped by hash).
    """
    path = Path(path)
    index = ClauseIndex(path, engine=engine if not is_index_dir(path) else None)
    marker = path / SEEDING
    marker.touch()
    sources = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)
    results = index.index_files(sources, timeout=timeout, jobs=jobs, progress=progress)
    try:
        marker.unlink()
    except FileNotFoundError:
        pass
    return index, results


def rebuild(path: Union[str, os.PathLike, None] = None, sources: Sequence[Union[str, os.PathLike]] = (), *,
            timeout: float = FILE_TIMEOUT, jobs: int = 1, max_pages: Optional[int] = None,
            progress: Optional[Callable] = None, engine: Optional[str] = None) -> tuple[ClauseIndex, list[FileResult]]:
    """Build a fresh index from ``sources`` (default: the files the old index recorded) and swap it in.

    The new index is built beside the old one and renamed into place, so a
    damaged index is replaced only by a complete one and searches keep
    working meanwhile. A directory holding files that are not an index's is
    refused rather than deleted. ``engine`` defaults to the old index's.
    """
    path = Path(path) if path is not None else default_index_path()
    if path.exists():
        if not path.is_dir():
            raise IndexCorruptError(f"{path}: not a directory, cannot hold an index")
        foreign = sorted(p.name for p in path.iterdir() if not _index_owned(p.name))
        if foreign and not is_index_dir(path):
            raise IndexCorruptError(
                f"{path} holds {len(foreign)} file(s) that are not an index's (e.g. {foreign[0]!r}); "
                f"refusing to replace it: choose another --index"
            )
    sources = [str(s) for s in sources]
    if not sources:
        try:
            with ClauseIndex(path, create=False) as old:
                sources = sorted({d.source for d in old.documents() if d.source})
        except EulaError:
            sources = []
        sources = sources or recorded_sources(path)
        if not sources and path.resolve() == default_index_path().resolve():
            sources = [str(p) for p in sample_paths()]
        if not sources:
            raise NotFoundError(f"nothing to rebuild {path} from: give the files or directories to index")
    engine = engine or recorded_engine(path) or DEFAULT_ENGINE
    tmp = path.parent / f".{path.name}.rebuild-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    new = ClauseIndex(tmp, engine=engine)
    try:
        results = new.index_files(sources, timeout=timeout, jobs=jobs, max_pages=max_pages, progress=progress)
    except BaseException:
        new.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    new.close()
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    if path.exists():
        os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return ClauseIndex(path), results
