"""eula-parse: clause-aware parsing, tagging, search and diff of software licence agreements.

    >>> import eula_parse
    >>> doc = eula_parse.parse("corpus/milestone-eula-20250425.pdf")
    >>> doc.get("product/xprotect-corporate/5").text[:40]
    'The Product may, with the exceptions sta'

``import eula_parse`` stays light: the index (Whoosh) is imported on first use
(PEP 562), and pdfplumber and spaCy inside the functions that need them, so
``eula search`` does not pay for spaCy nor ``eula diff`` for Whoosh.
"""

from __future__ import annotations

from eula_parse.errors import (
    EulaError,
    ExtractionError,
    IndexCorruptError,
    IndexLockedError,
    InputError,
    NotFoundError,
    QueryError,
)
from eula_parse.model import Clause, Document, Entity, Group, Item, Node, Paragraph, Product, Section

__version__ = "0.1.0"

from eula_parse.pipeline import parse  # noqa: E402  (pdfplumber/spaCy load on first call)
from eula_parse.diff import DocumentDiff, diff  # noqa: E402


def __getattr__(name: str):
    """``ClauseIndex`` and ``Hit``, imported on first use (the index brings Whoosh)."""
    if name not in ("ClauseIndex", "Hit"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from eula_parse import index

    return getattr(index, name)


__all__ = [
    "parse", "diff", "DocumentDiff", "ClauseIndex", "Hit",
    "Document", "Paragraph", "Section", "Group", "Product", "Clause", "Item", "Entity", "Node",
    "EulaError", "InputError", "ExtractionError", "IndexCorruptError", "IndexLockedError", "QueryError",
    "NotFoundError",
]
