"""eula-parse: clause-aware parsing, tagging, search and diff of software licence agreements.

    >>> import eula_parse
    >>> doc = eula_parse.parse("corpus/milestone-eula-20250425.pdf")
    >>> doc.get("product/xprotect-corporate/5").text[:40]
    'The Product may, with the exceptions sta'

``import eula_parse`` stays light: pdfplumber and spaCy are imported inside the
functions that need them, so ``eula search`` does not pay for them.
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
from eula_parse.index import ClauseIndex, Hit  # noqa: E402


__all__ = [
    "parse", "diff", "DocumentDiff", "ClauseIndex", "Hit",
    "Document", "Paragraph", "Section", "Group", "Product", "Clause", "Item", "Entity", "Node",
    "EulaError", "InputError", "ExtractionError", "IndexCorruptError", "IndexLockedError", "QueryError",
    "NotFoundError",
]
