"""Cross-references resolved to the node ids they name."""

from __future__ import annotations

import re
from typing import Optional, Union

from eula_parse.model import Document, slugify
from eula_parse.entities.numbers import ITEM_REF, QTITLE, REF


def _headings(document: Document) -> dict[str, str]:
    out: dict[str, str] = {}
    for section in document.all_sections():
        if section.heading:
            out.setdefault(slugify(section.heading.rstrip(".")), section.id)
        if section.number:
            out.setdefault(slugify(section.number), section.id)
    leads: dict[str, list[str]] = {}
    for product in document.products:
        out.setdefault(slugify(product.name), product.id)
        # the run-in opening of a product section ("Download, Installation and Use - for the ...") is its
        # title when no other product section opens the same way
        lead = re.match(r"(.{3,80}?)\s+[–-]\s+for\b", product.text)
        if lead:
            leads.setdefault(slugify(lead.group(1)), []).append(product.id)
    for slug, ids in leads.items():
        if len(ids) == 1:
            out.setdefault(slug, ids[0])
    return out


def resolve_xref(text: str, node_id: str, document: Document, parent_id: Optional[str] = None) -> Optional[Union[str, list[str]]]:
    """The node id(s) a reference names, or ``None``: "paragraphs 9 and 10 below" inside
    ``product/x/5`` -> ["product/x/9", "product/x/10"]; a quoted title -> the section with that heading
    (exact slug, else a close fuzzy match); "section 4.1" -> ``section/4.1``."""
    title = re.search(QTITLE, text)
    if title:
        wanted = slugify(title.group("title").rstrip("."))
        headings = _headings(document)
        if wanted in headings:
            return headings[wanted]
        from rapidfuzz import fuzz, process

        best = process.extractOne(wanted, list(headings), scorer=fuzz.ratio, score_cutoff=90)
        return headings[best[0]] if best else None
    alone = re.match(rf"(?i:sub-?(?:section|paragraph|clause)|paragraph|clause|item)s?\s+(?P<labels>{ITEM_REF})"
                     rf"(?:\s+of\s+(?i:section|paragraph|clause|article)\s+(?P<of>{REF}))?", text)
    if alone:  # "subsection (c)", "paragraph (a)(ii) of Section 4"
        labels = _labels(alone.group("labels"))
        if alone.group("of"):
            base = resolve_xref(f"Section {alone.group('of')}", node_id, document, parent_id)
            return _descend(base, labels, document) if isinstance(base, str) else None
        return _item_in_scope(labels, node_id, document)
    match = re.search(rf"(?i:(paragraph|section|clause|article))s?\s+(?P<refs>{REF}(?:\s*(?:,|and|or|&|to|through|-|–)\s*{REF})*)", text)
    if not match:
        return None
    refs = re.findall(r"(\d+(?:\.\d+)*)([a-z]?)((?:\s?\([a-z0-9]{1,4}\))*)", match.group("refs"))
    if re.search(r"\d\s*(?:to|through|-|–)\s*\d", match.group("refs")) and len(refs) == 2 and all(not (r[1] or r[2]) and r[0].isdigit() for r in refs):
        refs = [(str(n), "", "") for n in range(int(refs[0][0]), int(refs[1][0]) + 1)]
    targets = []
    for number, letter, labels in refs:
        candidates = []
        for ref in ([number + letter, number] if letter else [number]):
            if parent_id and parent_id.startswith("product/"):
                candidates.append(f"{parent_id}/{ref}")
            if node_id.startswith("product/") and node_id.count("/") == 1:
                candidates.append(f"{node_id}/{ref}")
            candidates.append(f"section/{ref}")
        found = next((c for c in candidates if document.get(c) is not None), None)
        if found is None:
            return None
        if letter and not found.endswith(letter):  # "4a": item a of clause 4
            labels = f"({letter}){labels}"
        targets.append(_descend(found, _labels(labels), document))
    if not targets:
        return None
    return targets[0] if len(targets) == 1 else targets


def _ref_values(text: str) -> list[str]:
    """The numbers a reference cites ("Sections 2.5(b) and 4" -> ["2.5", "4"]), or its item labels
    ("subsection (c)" -> ["(c)"]); ``target`` says which nodes they are."""
    return re.findall(r"\d+(?:\.\d+)*[a-z]?", text) or ["".join(f"({label})" for label in _labels(text))]


def _labels(text: str) -> list[str]:
    """ "(a)(ii)" -> ["a", "ii"]"""
    return re.findall(r"\(([a-z0-9]{1,4})\)", text or "")


def _descend(node_id: str, labels: list[str], document: Document) -> str:
    """The sub-item ``node_id/a/ii`` as deep as the document has it: "Section 2.5(b)" names item b of 2.5."""
    for label in labels:
        if document.get(f"{node_id}/{label}") is None:
            break
        node_id = f"{node_id}/{label}"
    return node_id


def _item_in_scope(labels: list[str], node_id: str, document: Document) -> Optional[str]:
    """"subsection (c)" names a sub-item of the node that mentions it, or of the nearest
    enclosing node that has such an item."""
    if not labels:
        return None
    scope: Optional[str] = node_id
    while scope:
        if document.get(f"{scope}/{labels[0]}") is not None:
            return _descend(scope, labels, document)
        parent = document.parent_of(scope)
        scope = parent.id if parent is not None and not parent.id.startswith("group/") else None
    return None
