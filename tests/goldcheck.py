"""Score a parsed Document against the structure gold of tests/gold/real/*.json.

One place for the matching rules, read by tests/test_real.py (asserts) and
bench/structure.py (prints the issue's acceptance figures), so the test and the
figures can never disagree about what "found" or "right" means.

Gold entries are read off the pages (see each file's "structure" notes). A numbered
heading is *found* when a section (or product clause) carries its number and heading;
its *parent* is right when the nearest numbered ancestor of that node has the gold
parent's number (none for a top-level entry); its *text_start* is right when the
node's own text (after a run-in heading) begins with it. Entries with "number": null
(documents without numbers) are matched by heading alone. Sub-item entries
("item": true) are matched against sub-item nodes, which exist once lettered/roman
items are nodes of the tree (``subitem_nodes_exist()``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from eula_parse import model
from eula_parse.model import Clause, Section, normalize_space

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "gold" / "real"


def load_gold() -> dict[str, dict[str, Any]]:
    """PDF file name -> its gold, for every tests/gold/real/*.json."""
    gold = {}
    for path in sorted(GOLD_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold[data["file"]] = data
    return gold


def subitem_nodes_exist() -> bool:
    """True once lettered/roman sub-items are nodes of the tree (they carry an id)."""
    item = getattr(model, "Item", None)
    if item is not None and "id" in getattr(item, "__dataclass_fields__", {}):
        return True
    return any(
        isinstance(cls, type) and getattr(cls, "kind", None) in ("item", "subitem")
        for cls in vars(model).values()
    )


# -- text normalisation ------------------------------------------------------


def num(value) -> str:
    """'ARTICLE 1', 'B.2.1', '2.1.' and 'article 1' compare equal after this."""
    return normalize_space(value or "").rstrip(".").upper()


def plain(value) -> str:
    value = normalize_space(value or "").replace("\u2019", "'").replace("\u2018", "'")
    return value.replace("\u201c", '"').replace("\u201d", '"')


def head(value) -> str:
    return plain(value).rstrip(".:").strip().lower()


def body(node) -> str:
    """The node's own text, without a run-in heading the parser kept in front ("Support. Support is ...")."""
    text = plain(node.text)
    heading = plain(getattr(node, "heading", None)).rstrip(".:")
    for lead in (heading + ".", heading + ":"):
        if heading and text.startswith(lead):
            return text[len(lead):].lstrip()
    return text


def starts_with(node, start: str, want_heading: Optional[str] = None) -> bool:
    """The node's own text begins with ``start``, after a run-in heading kept in front
    with or without its period ("SURVIVAL Rights and obligations ..."): the node's own
    heading, or the gold one where the node has none and its text opens with it."""
    text = body(node)
    if text.startswith(start):
        return True
    heading = plain(getattr(node, "heading", None) or want_heading).rstrip(".:")
    if not heading or not text.startswith(heading):
        return False
    rest = text[len(heading):]
    return rest.lstrip(".:").lstrip().startswith(start) and (rest[:1] in ".: " or not rest)


def label(want) -> str:
    if want.get("item"):
        return f"{want['parent']}/{want['number']} {want['heading'] or '(no heading)'}"
    return f"{want['number'] or '(unnumbered)'} {want['heading'] or '(no heading)'}"


# -- numbered headings ---------------------------------------------------------


def candidates(doc) -> Iterator[tuple[Any, Optional[str], Optional[str]]]:
    """(node, number, heading) for every node that can carry a printed number or heading."""
    for section in doc.all_sections():
        yield section, section.number, section.heading
    for clause in doc.clauses:
        yield clause, clause.number, None


def matches(node, number, heading, want) -> bool:
    if want["number"] is None:  # unnumbered document: the heading alone names the node
        return not number and heading is not None and head(heading) == head(want["heading"])
    if num(number) != num(want["number"]):
        return False
    if want["heading"] is None:
        return isinstance(node, Clause) or not head(heading)
    if isinstance(node, Clause):  # clauses have no heading field: a run-in heading opens the text
        return head(node.text).startswith(head(want["heading"]))
    return head(heading) == head(want["heading"])


def found(doc, want) -> list:
    return [node for node, number, heading in candidates(doc) if matches(node, number, heading, want)]


def numbered_parent(doc, node) -> Optional[str]:
    """Number of the nearest numbered ancestor (unnumbered sections, groups and products are passed through)."""
    parent = doc.parent_of(node.id)
    while parent is not None:
        number = getattr(parent, "number", None)
        if number:
            return number
        parent = doc.parent_of(parent.id)
    return None


# -- sub-items -------------------------------------------------------------------


def _item_label(node) -> str:
    return str(getattr(node, "label", None) or getattr(node, "number", None) or "")


def _sub_nodes(node) -> list:
    """Sub-item nodes hung directly under a section, clause or item."""
    out = []
    for attr in ("items", "children"):
        for child in getattr(node, attr, None) or []:
            if hasattr(child, "id") and not isinstance(child, Section):
                out.append(child)
    return out


def item_paths(doc) -> list[tuple[Any, str, str]]:
    """(item node, its parent's path, its label) for every sub-item node: the path is
    written as the gold writes it, "2.1" for an item under section 2.1, "2.1/b" under item b."""
    out: list[tuple[Any, str, str]] = []

    def walk(node, path: str) -> None:
        for child in _sub_nodes(node):
            child_label = _item_label(child)
            out.append((child, path, child_label))
            walk(child, f"{path}/{child_label}")

    for section in doc.all_sections():
        walk(section, section.number or section.heading or section.id)
    for clause in doc.clauses:
        walk(clause, clause.number)
    return out


def _path_key(path: str) -> list[str]:
    return [num(part).strip("()").lower() for part in (path or "").split("/")]


def item_matches(node, item_label: str, want) -> bool:
    if num(item_label).strip("()").lower() != num(want["number"]).strip("()").lower():
        return False
    heading = getattr(node, "heading", None)
    if want["heading"] is None:
        return not head(heading)
    return head(heading) == head(want["heading"]) or (
        not heading and head(node.text).startswith(head(want["heading"]))
    )


def found_items(doc, want, paths=None) -> tuple[list, list]:
    """Item nodes with the gold label and heading (anywhere whose immediate parent
    has the right label), and those of them under the gold parent path."""
    paths = item_paths(doc) if paths is None else paths
    want_parent = _path_key(want["parent"])
    near, right = [], []
    for node, parent_path, item_label in paths:
        if not item_matches(node, item_label, want):
            continue
        have = _path_key(parent_path)
        if have[-1:] == want_parent[-1:]:
            near.append(node)
            if have[-len(want_parent):] == want_parent:
                right.append(node)
    return near, right


# -- the score ------------------------------------------------------------------


@dataclass
class Score:
    """What one document gets right, with the failures named for test messages."""

    name: str
    headings: int = 0
    found: int = 0
    parent_right: int = 0
    text_starts: int = 0
    text_start_right: int = 0
    items: int = 0
    items_found: int = 0
    items_parent_right: int = 0
    item_text_starts: int = 0
    item_text_start_right: int = 0
    #: numbered paragraphs whose number runs on inside a paragraph ("inline": true), counted in headings too
    inline: int = 0
    inline_found: int = 0
    title_right: bool = False
    title: str = ""
    version_right: bool = False
    version: Optional[str] = None
    furniture_hits: int = 0
    duplicate_ids: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    wrong_parent: list[tuple] = field(default_factory=list)
    wrong_text: list[tuple] = field(default_factory=list)
    missing_items: list[str] = field(default_factory=list)
    wrong_item_parent: list[str] = field(default_factory=list)
    wrong_item_text: list[tuple] = field(default_factory=list)
    furniture: list[tuple] = field(default_factory=list)


def all_nodes(doc) -> list:
    """Every node with an id: the tree's nodes plus sub-item nodes hung under them."""
    nodes = list(doc.nodes())
    seen = {id(n) for n in nodes}
    for node, _, _ in item_paths(doc):
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
    return nodes


def texts(doc) -> list[str]:
    """Everything the parser shows a reader: title, node texts, headings, names."""
    out = [doc.title or ""]
    out += [normalize_space(n.text) for n in all_nodes(doc)]
    out += [s.heading or "" for s in doc.all_sections()]
    out += [g.name for g in doc.groups] + [p.name for p in doc.products]
    return out


def title_right(doc, gold) -> bool:
    return plain(doc.title) in {plain(t) for t in gold["title"]}


def version_right(doc, gold) -> bool:
    """The version label contains what the page prints; none when the page prints none."""
    if gold["version_has"] is None:
        return not doc.version
    return gold["version_has"] in (doc.version or "")


def furniture_hits(doc, gold) -> list[tuple[str, int, list[str]]]:
    """(what, matches over the allowed maximum, example texts) per furniture regex that leaks."""
    all_texts = texts(doc)
    out = []
    for furniture in gold["furniture"]:
        hits = [t for t in all_texts if re.search(furniture["regex"], t)]
        count = sum(len(re.findall(furniture["regex"], t)) for t in hits)
        if count > furniture["max"]:
            out.append((furniture["what"], count - furniture["max"], [t[:200] for t in hits[:3]]))
    return out


def duplicate_ids(doc) -> list[str]:
    ids = [n.id for n in all_nodes(doc)]
    return sorted({i for i in ids if ids.count(i) > 1})


def score(name: str, doc, gold) -> Score:
    s = Score(name)
    paths = item_paths(doc)
    for want in gold["headings"]:
        start = plain(want.get("text_start")) if want.get("text_start") else None
        if want.get("item"):
            s.items += 1
            near, right = found_items(doc, want, paths)
            s.items_found += bool(near)
            s.items_parent_right += bool(right)
            if not near:
                s.missing_items.append(label(want))
            elif not right:
                s.wrong_item_parent.append(label(want))
            if start:
                s.item_text_starts += 1
                if any(starts_with(n, start, want["heading"]) for n in right or near):
                    s.item_text_start_right += 1
                elif near:  # a missing item is reported once, as missing
                    s.wrong_item_text.append((label(want), [body(n)[: len(start) + 20] for n in near]))
            continue
        s.headings += 1
        nodes = found(doc, want)
        s.inline += bool(want.get("inline"))
        s.inline_found += bool(want.get("inline") and nodes)
        if nodes:
            s.found += 1
        else:
            s.missing.append(label(want))
        parents = [numbered_parent(doc, n) for n in nodes]
        if nodes and any(num(p) == num(want.get("parent")) for p in parents):
            s.parent_right += 1
        elif nodes:
            s.wrong_parent.append((label(want), want.get("parent"), parents))
        if start:
            s.text_starts += 1
            if any(starts_with(n, start, want["heading"]) for n in nodes):
                s.text_start_right += 1
            elif nodes:  # a missing heading is reported once, as missing
                s.wrong_text.append((label(want), [body(n)[: len(start) + 20] for n in nodes]))
    s.title, s.version = doc.title, doc.version
    s.title_right = title_right(doc, gold)
    s.version_right = version_right(doc, gold)
    s.furniture = furniture_hits(doc, gold)
    s.furniture_hits = sum(count for _, count, _ in s.furniture)
    s.duplicate_ids = duplicate_ids(doc)
    return s
