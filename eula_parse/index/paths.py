"""Where an index lives by default, and which files in its directory belong to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from eula_parse.index.store import STORE_NAME


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


#: The sample agreements inside the installed package (in a checkout, a link to corpus/).
PACKAGED_SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def default_index_path() -> Path:
    """``$EULA_INDEX``, else ``index/`` in the project, else ``$XDG_CACHE_HOME/eula-parse/index``
    (``~/.cache/eula-parse/index``)."""
    env = os.environ.get(ENV_INDEX)
    if env:
        return Path(env).expanduser()
    root = project_root()
    if root is not None:
        return root / "index"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "eula-parse" / "index"


def describe_default_index() -> str:
    """The rule and where it points now, for ``--help``."""
    return f"$EULA_INDEX, else index/ in a checkout, else the user cache; here: {default_index_path()}"


def default_corpus_path() -> Optional[Path]:
    """The sample corpus: ``corpus/`` of the checkout, else the copy installed with the package."""
    root = project_root()
    if root is not None:
        return root / "corpus"
    return PACKAGED_SAMPLES if PACKAGED_SAMPLES.is_dir() else None


def sample_paths() -> list[Path]:
    """What the first search (and ``eula index --samples``) indexes: the reference PDFs and ``real/``.

    Not the whole corpus folder: it also holds the text export of a reference
    PDF, which is the same agreement and version, not another one.
    """
    corpus = default_corpus_path()
    if corpus is None or not corpus.is_dir():
        return []
    return sorted(corpus.glob("*.pdf")) + ([corpus / "real"] if (corpus / "real").is_dir() else [])


def is_index_dir(path: Union[str, os.PathLike]) -> bool:
    """True when ``path`` holds an eula-parse index (its marker file is present)."""
    return (Path(path) / MARKER).is_file()


#: Present in an index directory while it is being filled from the corpus for a first search.
SEEDING = "eula-seeding"


#: Lock file every writer holds while it writes (an OS lock: a killed writer never leaves it held).
LOCK_FILE = "eula-write.lock"
#: Subdirectory holding the tantivy engine's files.
TANTIVY_DIR = "tantivy"


def _index_owned(name: str) -> bool:
    from eula_parse.index.engines.whoosh import _looks_like_whoosh  # here: where an index lives needs no Whoosh

    return (_looks_like_whoosh(name) or name in (MARKER, SEEDING, SOURCES_LOG, LOCK_FILE, TANTIVY_DIR)
            or name.startswith((f".{MARKER}.", STORE_NAME)))
