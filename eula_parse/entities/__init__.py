"""Tag the facts in every clause: products, limits, durations, money, laws, courts,


organisations, URLs, dates, versions, cross-references and defined terms.

A lawyer reading a EULA asks *which products, how many, how long, how much, under
which law*, and what "paragraph 9 below" points at. :func:`tag_document` answers
those questions on the parsed tree: every node from ``Document.nodes()`` gets
``entities`` (character offsets into its ``text``, a normalised ``value`` and, for
references, a ``target`` node id) and ``modality``.

Why rules and not a statistical model: the agreements are drafted in a narrow,
repetitive register, the answers must be explainable and stable across versions
(the diff compares them), and nothing may be downloaded at run time. So the
pipeline is ``spacy.blank("en")`` plus rule components registered the spaCy way;
the rules themselves are data in ``eula_parse/patterns/``:

``regex.jsonl``    character patterns (URL, MONEY, DURATION, VERSION, DATE, LIMIT, XREF, DEFINITION)
``rules.jsonl``    phrase and token patterns for ``PhraseMatcher``/``Matcher`` (ORG, LAW, COURT)
``modality.jsonl`` ``Matcher`` cues for the deontic force of a clause; ``modality.json`` the modal-verb table

Two labels depend on the document itself and run as a second pass over the same
``Doc`` objects: PRODUCT (the gazetteer is built from the document's own product
and group headings and its product-naming defined terms, never a fixed list) and
TERM (uses of the terms the document defines). The span conventions are written
down in ``tests/gold/entities.json``.

spaCy is imported in this package and only here; ``import eula_parse`` does not pay for it.

Where things are: ``pipeline`` (the spaCy pipeline and :func:`tag_document`), one module per
component (``regex``, ``rules``, ``modality``, ``products``, ``terms``, ``trained``), the pure
helpers they use (``numbers``, ``normalize``, ``definitions``, ``xrefs``, ``docs``, ``data``) and
``check`` (``eula check``).
"""

from eula_parse.entities.check import CheckReport, check_document
from eula_parse.entities.normalize import (
    iso_duration,
    normalize_date,
    normalize_duration,
    normalize_limit,
    normalize_money,
    normalize_url,
    normalize_version,
)
from eula_parse.entities.numbers import parse_number
from eula_parse.entities.pipeline import DOCUMENT_PIPES, LABELS, MODEL_ENV, build_nlp, get_nlp, tag_document
from eula_parse.entities.xrefs import resolve_xref

__all__ = [
    "CheckReport", "DOCUMENT_PIPES", "LABELS", "MODEL_ENV", "build_nlp", "check_document", "get_nlp", "iso_duration",
    "normalize_date", "normalize_duration", "normalize_limit", "normalize_money", "normalize_url", "normalize_version",
    "parse_number", "resolve_xref", "tag_document",
]
