"""Where an index lives by default, and which files in its directory belong to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from eula_parse.index.engines.whoosh import _looks_like_whoosh


#: File that marks a directory as an eula-parse index (written last when creating one).
MARKER = "eula-index.json"


#: Append-only log of the files added, kept beside the Whoosh files for ``rebuild``.
SOURCES_LOG = "eula-sources.jsonl"
#: Environment variable naming the default index directory.
ENV_INDEX = "EULA_INDEX"


def project_root() -> Optional[Path]:
    """The checkout this package runs from (has pyproject.toml and corpus/), else one above the CWD."""
    here = Path(__file__).resolve().parents[2]
    candidates = [here, *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for path in candidates:
        if (path / "pyproject.toml").is_file() and (path / "corpus").is_dir():
            return path
    return None


def default_index_path() -> Path:
    """``$EULA_INDEX``, else ``index/`` in the project, else ``~/.cache/eula-parse/index``."""
    env = os.environ.get(ENV_INDEX)
    if env:
        return Path(env).expanduser()
    root = project_root()
    if root is not None:
        return root / "index"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "eula-parse" / "index"


def default_corpus_path() -> Optional[Path]:
    root = project_root()
    return root / "corpus" if root is not None else None


def is_index_dir(path: Union[str, os.PathLike]) -> bool:
    """True when ``path`` holds an eula-parse index (its marker file is present)."""
    return (Path(path) / MARKER).is_file()


#: Present in an index directory while it is being filled from the corpus for a first search.
SEEDING = "eula-seeding"


def _index_owned(name: str) -> bool:
    return _looks_like_whoosh(name) or name in (MARKER, SEEDING, SOURCES_LOG) or name.startswith(f".{MARKER}.")
