"""What a careful reader flags in an agreement's numbering and headings (``eula check``).

The parser reads numbers as printed; these checks say where the printed numbering
itself is odd, so a user can tell a drafting slip ("2 missing between 1 and 3") from a
parsing error: gaps, duplicates and numbers out of order among siblings, numbered
paragraphs with nothing in them, and headings that read like a sentence of body text.
Each finding names the node it is about; nothing here changes the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from eula_parse.model import Document, Node

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]
#: "3–9. Reserved.": a range of numbers printed as one paragraph fills the gap it seems to leave
_RANGE = re.compile(r"\b(\d{1,3})\s*[–—-]\s*(\d{1,3})\.")


@dataclass
class Finding:
    """One thing a reader would flag: ``kind`` is "gap", "duplicate", "order", "empty" or "heading"."""

    kind: str
    node: str  # id of the node concerned (the later of two numbers)
    message: str


def _number(node: Node) -> Optional[str]:
    return getattr(node, "number", None) or getattr(node, "label", None) or None


def _key(number: str, roman: bool) -> Optional[tuple[str, int]]:
    """(what the siblings share, position in the sequence): "4.2" -> ("4.", 2), "ARTICLE 3" ->
    ("ARTICLE ", 3), "b" -> ("", 2), "iii" -> ("", 3) in a roman list."""
    number = number.strip().rstrip(".")
    m = re.fullmatch(r"(.*?)(\d{1,4})", number)
    if m:
        return m.group(1), int(m.group(2))
    lower = number.lower()
    if roman and lower in _ROMAN:
        return "roman", _ROMAN.index(lower) + 1
    if len(lower) == 1 and lower.isalpha():
        return "letter" if number.islower() else "LETTER", ord(lower) - ord("a") + 1
    return None


def _show(prefix: str, value: int) -> str:
    if prefix == "roman":
        return _ROMAN[value - 1] if value <= len(_ROMAN) else str(value)
    if prefix in ("letter", "LETTER"):
        letter = chr(ord("a") + value - 1)
        return letter.upper() if prefix == "LETTER" else letter
    return f"{prefix}{value}"


def _sibling_groups(doc: Document) -> Iterator[list[Node]]:
    """Every list of nodes that share a parent and so one numbering."""
    yield doc.sections
    for section in doc.all_sections():
        yield section.children
    for product in doc.products:
        yield product.clauses
    for node in doc.nodes():
        items = getattr(node, "items", None)
        if items:
            yield items


def _numbering(nodes: list[Node]) -> list[Finding]:
    numbered = [(node, _number(node)) for node in nodes if _number(node)]
    labels = {n.lower() for _, n in numbered}
    roman = "i" in labels and ("ii" in labels or "iv" in labels or "v" in labels and "h" not in labels)
    findings: list[Finding] = []
    last: dict[str, tuple[int, Node]] = {}
    for node, number in numbered:
        key = _key(number, roman)
        if key is None:
            continue
        prefix, value = key
        if prefix not in last:
            last[prefix] = (value, node)
            continue
        before, before_node = last[prefix]
        if value == 1 or (value == 0 and before > 0):  # a new list starts: "(i) ... (iii)" then "(i)" again
            last[prefix] = (value, node)
            continue
        if value == before:
            findings.append(Finding("duplicate", node.id, f"{_show(prefix, value)} appears twice"))
        elif value < before:
            findings.append(Finding("order", node.id, f"{_show(prefix, value)} comes after {_show(prefix, before)}"))
        elif value > before + 1 and not _covered(before_node, before, value):
            missing = [_show(prefix, v) for v in range(before + 1, value)]
            shown = missing[0] if len(missing) == 1 else f"{missing[0]}-{missing[-1]}"
            verb = "is" if len(missing) == 1 else "are"
            findings.append(Finding(
                "gap", node.id, f"{shown} {verb} missing between {_show(prefix, before)} and {_show(prefix, value)}"
            ))
        last[prefix] = (max(value, before), node)
    return findings


def _covered(node: Node, before: int, after: int) -> bool:
    """Does ``node`` print the missing numbers as a range ("3–9. Reserved.")?"""
    for m in _RANGE.finditer(node.text or ""):
        low, high = int(m.group(1)), int(m.group(2))
        if low <= before + 1 and high >= after - 1:
            return True
    return False


def _empty(doc: Document) -> list[Finding]:
    findings = []
    for node in doc.nodes():
        number = _number(node)
        if not number or (node.text or "").strip():
            continue
        if getattr(node, "children", None) or getattr(node, "items", None) or getattr(node, "heading", None):
            continue
        findings.append(Finding("empty", node.id, f"{number} has no text"))
    return findings


def _heading_like_body(heading: str) -> bool:
    """A heading that reads as a sentence: long, opening in lower case, or with a full stop inside."""
    words = heading.split()
    first = words[0] if words else ""
    return (len(words) > 14 or (first.isalpha() and first.islower() and len(first) > 2)
            or bool(re.search(r"[a-z]{2}\. +[A-Za-z]", heading)))


def _headings(doc: Document) -> list[Finding]:
    findings = []
    for node in doc.nodes():
        heading = getattr(node, "heading", None)
        if heading and _heading_like_body(heading):
            shown = heading if len(heading) <= 60 else heading[:57] + "..."
            findings.append(Finding("heading", node.id, f"heading reads like body text: {shown!r}"))
    return findings


def structure_findings(doc: Document) -> list[Finding]:
    """Numbering gaps, duplicates and order among siblings; empty numbered paragraphs;
    headings that look like body text, in document order of the kinds."""
    findings: list[Finding] = []
    for group in _sibling_groups(doc):
        findings += _numbering(group)
    return findings + _empty(doc) + _headings(doc)


__all__ = ["Finding", "structure_findings"]
