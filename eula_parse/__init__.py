"""eula-parse: clause-aware parsing, tagging, search and diff of software licence agreements.

    >>> import eula_parse
    >>> doc = eula_parse.parse("corpus/milestone-eula-20250425.pdf")
    >>> doc.get("product/xprotect-corporate/5").text[:40]
    'The Product may, with the exceptions sta'

Names are imported lazily so that ``import eula_parse`` (and ``eula search``)
does not pay for pdfplumber and spaCy until a PDF is actually parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eula_parse.errors import (
    EulaError,
    ExtractionError,
    IndexCorruptError,
    InputError,
    NotFoundError,
    QueryError,
)
from eula_parse.model import Clause, Document, Entity, Group, Item, Node, Paragraph, Product, Section

__version__ = "0.1.0"

_LAZY = {
    "parse": "eula_parse.pipeline",
    "diff": "eula_parse.diff",
    "DocumentDiff": "eula_parse.diff",
    "ClauseIndex": "eula_parse.index",
    "Hit": "eula_parse.index",
}

if TYPE_CHECKING:  # pragma: no cover
    from eula_parse.diff import DocumentDiff, diff
    from eula_parse.index import ClauseIndex, Hit
    from eula_parse.pipeline import parse


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'eula_parse' has no attribute {name!r}")


__all__ = [
    "parse", "diff", "DocumentDiff", "ClauseIndex", "Hit",
    "Document", "Paragraph", "Section", "Group", "Product", "Clause", "Item", "Entity", "Node",
    "EulaError", "InputError", "ExtractionError", "IndexCorruptError", "QueryError", "NotFoundError",
]
