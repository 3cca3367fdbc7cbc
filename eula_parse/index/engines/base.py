"""What a search engine must do for :class:`~eula_parse.index.ClauseIndex`, and nothing more.

An engine ranks and filters records by key (``uid``) and keeps them per
file key, so whole files can be masked and deleted. Everything shown to
the user comes from the record store, not from the engine. Queries and
filters arrive as a Whoosh query tree (the project's query language is
Whoosh's); an engine that is not Whoosh translates the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from whoosh import query as wq


@dataclass
class Ranked:
    """An engine's answer: ``(uid, score)`` best first, the total when counted, and words to highlight."""

    hits: list[tuple[str, float]]
    total: Optional[int] = None
    #: Query words found in no indexed text, mapped to the (stemmed) terms searched instead.
    corrected: dict[str, list[str]] = field(default_factory=dict)
    #: Stems of the query's positive words that are in the index, for snippets.
    terms: set[str] = field(default_factory=set)


class Writer:
    """One batch of changes; nothing is visible until :meth:`commit`, and a killed process loses only it."""

    def add(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def delete_files(self, keys: Iterable[str]) -> None:
        raise NotImplementedError

    def commit(self, merge: bool = False) -> None:
        """Make the batch visible; ``merge`` also merges small segments (engines that merge by themselves ignore it)."""
        raise NotImplementedError

    def cancel(self) -> None:
        raise NotImplementedError


class Engine:
    """Base of the engines; see the module docstring."""

    #: Name recorded in the index marker and given to ``--engine``.
    name = ""

    def __init__(self, path: Path):
        """Open the engine's files under the index directory ``path``; raise on damage."""
        self.path = path

    @classmethod
    def create(cls, path: Path) -> None:
        """Create empty engine files under ``path`` (called once, under the index's write lock)."""
        raise NotImplementedError

    @staticmethod
    def owns(name: str) -> bool:
        """True when a file or directory ``name`` in the index directory is this engine's."""
        raise NotImplementedError

    @staticmethod
    def foreign_index(path: Path) -> bool:
        """True when ``path`` holds this engine's files without an eula-parse marker."""
        return False

    def writer(self) -> Writer:
        raise NotImplementedError

    def search(self, q: wq.Query, text: str, *, flt: Optional[wq.Query], mask: Iterable[str], limit: int,
               fuzzy: bool, count: bool) -> Ranked:
        """Rank records matching ``q`` and ``flt`` whose file key is not in ``mask``."""
        raise NotImplementedError

    def segments(self) -> int:
        return 1

    def optimize(self) -> None:
        """Merge the engine's segments (after a big batch)."""

    def close(self) -> None:
        """Release readers and files."""
