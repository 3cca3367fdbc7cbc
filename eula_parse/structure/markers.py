"""Markers: the list or section number that opens a paragraph ("5.", "4.1.4.1", "ARTICLE 1",
"B.1", "(b)", "iii."), and how deep it nests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_PART_WORDS = {
    "part": 0, "exhibit": 0, "schedule": 0, "appendix": 0, "attachment": 0, "annex": 0,
    "addendum": 1, "article": 2, "section": 2, "clause": 2,
}
_ARTICLE = re.compile(
    r"^(?P<num>(?:" + "|".join(_PART_WORDS) + r")\s+(?:[A-Z]\.\d+|\d+[A-Z]?|[A-Z]|[IVXLC]+)\b)[\s.:\-–—]*",
    re.I,
)
_DECIMAL = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:\.(?!\d)|\s|\)(?=\s))\s*(?=\S)")
_LETTER_DECIMAL = re.compile(r"^(?P<num>[A-Z]\.\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=\S)")
_ITEM = re.compile(r"^(?P<num>\(?(?:[a-z]{1,2}|[ivx]{1,5})\)|(?:[a-z]|[ivx]{1,5})\.)\s+(?=\S)")
#: an upper-case letter heading inside a part: "B. Nordic Semiconductor license", "A, uECC:"
_LETTER_HEADING = re.compile(r"^([A-Z])[.,]\s+(\S.{0,120})$")


@dataclass
class Marker:
    kind: str  # "part", "decimal", "item"
    number: str  # as printed, without trailing punctuation: "ARTICLE 1", "4.1", "a"
    rank: float  # nesting rank: smaller is higher in the tree
    length: int  # characters the marker takes at the start of the text


def marker_of(text: str) -> Optional[Marker]:
    """The list or section number that opens ``text``, if any."""
    m = _ARTICLE.match(text)
    if m:
        number = " ".join(m.group("num").split())
        word = number.split()[0].lower()
        return Marker("part", number, _PART_WORDS[word], m.end())
    m = _LETTER_DECIMAL.match(text)
    if m:
        number = m.group("num")
        return Marker("decimal", number, 3 + number.count("."), m.end())
    m = _DECIMAL.match(text)
    if m:
        number = m.group("num")
        parts = number.split(".")
        if len(parts) > 1 and parts[-1] == "0":  # "2.0 SOFTWARE" is the top of 2.x
            parts = parts[:-1]
        if len(parts) == 1 and int(parts[0]) > 300:  # a year or an amount, not a list
            return None
        return Marker("decimal", number, 3 + len(parts), m.end())
    m = _ITEM.match(text)
    if m:
        return Marker("item", m.group("num").strip("().").lower(), _ITEM_RANK, m.end())
    return None


#: nesting rank of lettered and roman sub-items ("(a)", "ii.")
_ITEM_RANK = 20
