"""Which indexed agreement a new file is a version of.

A vendor retitles an agreement between versions ("Master Agreement" became
"Master Agreement Product and Services"), so the title alone would split one
agreement into two documents, each "latest". What versions of one agreement
share, whatever their title:

* a **document code** printed on it, such as ``E204CW`` (letters and digits in
  one word, in the title or version line);
* a **title stem**: one title is the other plus more words;
* most of their **clauses**: paragraphs and clauses whose words are the same
  (numbering aside, so a renumbered clause still counts).

A file is filed under an indexed document when they share a code, or a title
stem and a fair share of clauses, or most of their clauses. Two agreements
that merely share a generic title ("LICENSE AGREEMENT") and nothing else stay
apart. ``eula index FILE --as DOC_ID`` says so by hand when none of this shows.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, Optional

from eula_parse.model import Document, slugify

#: Share of clauses two versions of one agreement have in common at least ...
SAME_CLAUSES = 0.5
#: ... or at least this much when their titles share a stem.
SAME_STEM_CLAUSES = 0.2
#: A document code: one word of capitals and digits with at least one of each, 4 to 12 long.
_CODE = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,12}\b")


def _codes(*texts: Optional[str]) -> list[str]:
    """Codes like ``E204CW`` in the title or version line; dates and plain numbers are not codes."""
    found: set[str] = set()
    for text in texts:
        found.update(_CODE.findall(text or ""))
    return sorted(found)


def _clauses(document: Document) -> list[int]:
    """A short hash of each node's words, its leading number or letter ("6.", "(b)") left out."""
    keys = set()
    for node in document.nodes():
        words = re.findall(r"\w+", (node.text or "").lower())
        if words and (words[0].isdigit() or len(words[0]) == 1):
            words = words[1:]
        if len(words) >= 4:
            keys.add(zlib.crc32(" ".join(words).encode("utf-8")))
    return sorted(keys)


def signature(document: Document) -> dict[str, Any]:
    """What :func:`same_agreement` compares, small enough to store with each indexed file."""
    return {"codes": _codes(document.title, document.version), "title": slugify(document.title or ""),
            "clauses": _clauses(document)}


def _overlap(a: frozenset[int], b: list[int]) -> float:
    """Share of the smaller document's clauses found word for word in the other."""
    if not a or not b:
        return 0.0
    return len(a.intersection(b)) / min(len(a), len(b))


def _same_stem(a: str, b: str) -> bool:
    if not a or not b or a == "untitled" or b == "untitled":
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return long == short or (long.startswith(short + "-") and short.count("-") >= 1)


def same_agreement(new: dict[str, Any], old: dict[str, Any]) -> float:
    """How surely two signatures are versions of one agreement: 0 (no) to 2 (a shared code)."""
    return _score(new, frozenset(new.get("codes", ())), frozenset(new.get("clauses", ())), old)


def _score(new: dict[str, Any], codes: frozenset[str], clauses: frozenset[int], old: dict[str, Any]) -> float:
    if not codes.isdisjoint(old.get("codes", ())):
        return 2.0
    overlap = _overlap(clauses, old.get("clauses", []))
    if overlap >= SAME_CLAUSES:
        return 1.0 + overlap / 2
    if overlap >= SAME_STEM_CLAUSES and _same_stem(new.get("title", ""), old.get("title", "")):
        return 1.0
    return 0.0


def best_match(new: dict[str, Any], known: dict[str, dict[str, Any]]) -> Optional[str]:
    """The document id in ``known`` (id -> signature) that ``new`` is surely a version of, if any.

    Every file added is compared with every indexed document, so the new
    signature's sets are built once, not once per document (at 2,000
    agreements that was a minute of indexing).
    """
    codes, clauses = frozenset(new.get("codes", ())), frozenset(new.get("clauses", ()))
    scored = [(_score(new, codes, clauses, sig), doc_id) for doc_id, sig in known.items()]
    scored = [(score, doc_id) for score, doc_id in scored if score > 0]
    return max(scored)[1] if scored else None
