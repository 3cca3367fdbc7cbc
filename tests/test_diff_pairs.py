"""`eula diff` on every PDF version pair of the corpus against the change list read off its pages.

The change lists in tests/gold/pairs/ were written blind (a word diff of the two PDFs' words with
their fonts and positions, before the differ ran on the pair; see that folder's README). For each
pair the diff must report every listed change with the right kind on the node the page shows it in,
report nothing else, and give every section the pair leaves alone the same id in both trees.
No corpus pair moves a lettered item to another section, so a built pair does that at the end.
The Milestone pair has its own reference list (tests/test_diff_corpus.py); the Esri pair's raw-text
checks are in tests/test_diff_esri.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest

import eula_parse
from eula_parse.diff import comparable
from eula_parse.model import Document, Node

from conftest import REAL
from pdfgen import ItemSpec, NumberedSpec, build_items_pdf, clean

GOLD = Path(__file__).parent / "gold" / "pairs"
PAIRS = sorted(GOLD.glob("*.json"))


def page_text(path: Path) -> str:
    """The PDF's text layer as PDFium reads it, line by line (not the parser's tree)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return comparable(" ".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


@pytest.fixture(scope="module", params=PAIRS, ids=[p.stem for p in PAIRS])
def pair(request):
    gold = json.loads(request.param.read_text(encoding="utf-8"))
    old = eula_parse.parse(REAL / gold["old"], tag=False)
    new = eula_parse.parse(REAL / gold["new"], tag=False)
    return gold, old, new, eula_parse.diff(old, new)


def _number(node: Node) -> Optional[str]:
    number = getattr(node, "number", None) or getattr(node, "label", None)
    return number.rstrip(".").lower() if number else None


def _heading(node: Node) -> str:
    return comparable(getattr(node, "heading", None) or "").rstrip(".:").lower()


def locate(doc: Document, entry: dict, side: str) -> Node:
    """The one node of ``doc`` that the gold ``entry`` names by what the page prints there."""
    number = entry.get("old_number" if side == "old" else "number", entry.get("number"))
    phrase = entry.get(f"{side}_phrase")
    found = []
    for node, parent in doc.walk():
        if entry.get("preamble"):
            ok = node.kind == "preamble"
        else:  # named by number and/or heading, or else by its words alone (the deepest node that holds them)
            ok = number is None or _number(node) == number.lower()
            under = entry.get("old_under" if side == "old" else "under", entry.get("under"))
            ok = ok and (under is None or (parent is not None and under.lower() in (_number(parent), _heading(parent))))
            heading = entry.get("old_heading" if side == "old" else "heading", entry.get("heading"))
            ok = ok and (heading is None or _heading(node) == comparable(heading).rstrip(".:").lower())
        if ok and (phrase is None or entry.get("kind") == "renamed" or comparable(phrase) in comparable(node.text)):
            found.append(node)
    if not found:
        raise AssertionError(f"no node on the {side} side for {entry}")
    if "number" not in entry and "heading" not in entry:
        found = [min(found, key=lambda n: len(n.text))]
    assert len(found) == 1, f"{entry} names {[n.id for n in found]} on the {side} side"
    return found[0]


def expected(gold: dict, old: Document, new: Document) -> list[tuple[dict, Optional[str], Optional[str]]]:
    """``(entry, old id, new id)`` of every listed change."""
    out = []
    for entry in gold["changes"]:
        old_id = locate(old, entry, "old").id if entry["kind"] != "added" else None
        new_id = locate(new, entry, "new").id if entry["kind"] != "removed" else None
        out.append((entry, old_id, new_id))
    return out


def under(doc: Document, root: Node) -> set[str]:
    """Ids of ``root`` and of everything the tree hangs under it (sections, clauses, sub-items)."""
    ids, changed = {root.id}, True
    pairs = [(node.id, parent.id) for node, parent in doc.walk() if parent is not None]
    while changed:
        before = len(ids)
        ids |= {node_id for node_id, parent_id in pairs if parent_id in ids}
        changed = len(ids) > before
    return ids


def subtrees(gold: dict, old: Document, new: Document, key: str = "subtrees") -> list[tuple[dict, set[str], set[str]]]:
    """``(entry, old ids, new ids)`` of each subtree the gold names under ``key``."""
    return [(entry, under(old, locate(old, entry, "old")), under(new, locate(new, entry, "new")))
            for entry in gold.get(key, [])]


def within(change, old_ids: set[str], new_ids: set[str]) -> bool:
    return (change.old_id is None or change.old_id in old_ids) and (change.new_id is None or change.new_id in new_ids)


def test_gold_phrases_are_printed_on_the_pages(pair):
    """What the change list quotes is on the pages: old words only in the old PDF, new words only in the new."""
    gold = pair[0]
    old_raw, new_raw = page_text(REAL / gold["old"]), page_text(REAL / gold["new"])
    for entry in gold["changes"] + [gold.get("title", {})]:
        if entry.get("old_phrase"):
            assert comparable(entry["old_phrase"]) in old_raw
            assert comparable(entry["old_phrase"]) not in new_raw or entry["kind"] == "renamed"
        if entry.get("new_phrase"):
            assert comparable(entry["new_phrase"]) in new_raw
            assert comparable(entry["new_phrase"]) not in old_raw or entry["kind"] == "renamed"


def test_every_listed_change_is_reported_with_its_kind(pair):
    gold, old, new, result = pair
    reported = {(c.kind, c.old_id, c.new_id) for c in result.changes}
    for entry, old_id, new_id in expected(gold, old, new):
        assert (entry["kind"], old_id, new_id) in reported, (entry, sorted(reported, key=str))


def test_nothing_else_is_reported(pair):
    """Every change reported is on the list, or inside a subtree the list says changed in many small
    ways, with a kind it allows. An incomplete list names the parts it is complete for."""
    gold, old, new, result = pair
    scopes = subtrees(gold, old, new, "complete_within")
    if not gold["complete"] and not scopes:
        pytest.skip("the change list of this pair is not complete")
    listed = {(entry["kind"], old_id, new_id) for entry, old_id, new_id in expected(gold, old, new)}
    roots = subtrees(gold, old, new)
    for change in result.changes:
        if (change.kind, change.old_id, change.new_id) in listed:
            continue
        if scopes and not any(within(change, old_ids, new_ids) for _entry, old_ids, new_ids in scopes):
            continue
        kinds = [entry["kinds"] for entry, old_ids, new_ids in roots if within(change, old_ids, new_ids)]
        assert kinds and change.kind in kinds[0], (
            f"{change.kind} {change.old_id} -> {change.new_id} is not a change on the pages"
        )
    for entry, old_ids, new_ids in roots:
        assert any(c.old_id in old_ids or c.new_id in new_ids for c in result.changes), entry


def test_unchanged_nodes_keep_their_ids(pair):
    """A section or sub-item the pair leaves alone has the same id, number and heading in both trees
    (preamble paragraphs are numbered by position, so they are left out)."""
    gold, old, new, _result = pair
    if not gold["complete"]:
        pytest.skip("the change list of this pair is not complete")
    listed = expected(gold, old, new)
    moved = {node_id for _entry, old_id, new_id in listed if old_id != new_id for node_id in (old_id, new_id)}
    skip = moved.union(*[old_ids | new_ids for _entry, old_ids, new_ids in subtrees(gold, old, new)])
    old_nodes = {n.id: n for n in old.nodes() if n.kind != "preamble" and n.id not in skip}
    new_nodes = {n.id: n for n in new.nodes() if n.kind != "preamble" and n.id not in skip}
    assert sorted(old_nodes) == sorted(new_nodes)
    renamed = {old_id for entry, old_id, _new_id in listed if entry["kind"] == "renamed"}
    for node_id, node in old_nodes.items():
        twin = new_nodes[node_id]
        assert _number(twin) == _number(node), node_id
        assert node_id in renamed or _heading(twin) == _heading(node), node_id


def test_version_label_and_title_changes(pair):
    gold, _old, _new, result = pair
    if "version" in gold:
        assert comparable(gold["version"]["old"]) in comparable(result.old_version)
        assert comparable(gold["version"]["new"]) in comparable(result.new_version)
    else:
        assert result.old_version == result.new_version
    if "title" in gold:
        assert comparable(gold["title"]["old_phrase"]) in comparable(result.old_title)
        assert comparable(gold["title"]["new_phrase"]) in comparable(result.new_title)


# -- a lettered item that moves to another section -------------------------------------------

_GRANT = ItemSpec("a.", "install the Software on computers that you own or control;")
_COPIES = ItemSpec("b.", "make one copy of the Software for archival purposes;")
_EXPORT = ItemSpec("c.", "You may not export the Software to any country subject to an embargo of the United States.")
_REVERSE = ItemSpec("a.", "You may not reverse engineer, decompile or disassemble the Software.")
_RENT = ItemSpec("b.", "You may not rent, lease or lend the Software to any third party.")


def _sections(grant_items: list[ItemSpec], restriction_items: list[ItemSpec]) -> list[NumberedSpec]:
    return [
        NumberedSpec("1.", "Definitions", "Software means the programs and documentation supplied under this Agreement."),
        NumberedSpec("2.", "License Grant", "Subject to this Agreement, you may:", grant_items),
        NumberedSpec("3.", "Restrictions", "The following restrictions apply to your use:", restriction_items),
        NumberedSpec("4.", "Termination", "This Agreement ends automatically if you breach any of its terms."),
    ]


@pytest.fixture(scope="module")
def moved_item(tmp_path_factory):
    """Version 2 takes the export clause, item 2(c), out of the grant and prints it as 3(c)."""
    folder = tmp_path_factory.mktemp("moved-item")
    old_path, new_path = folder / "v1.pdf", folder / "v2.pdf"
    build_items_pdf(old_path, "Software License Agreement", _sections([_GRANT, _COPIES, _EXPORT], [_REVERSE, _RENT]))
    build_items_pdf(new_path, "Software License Agreement", _sections([_GRANT, _COPIES], [_REVERSE, _RENT, _EXPORT]))
    old, new = eula_parse.parse(old_path, tag=False), eula_parse.parse(new_path, tag=False)
    return old, new, eula_parse.diff(old, new)


def test_lettered_item_moved_to_another_section_is_moved(moved_item):
    old, new, result = moved_item
    assert old.get("section/2/c").text == new.get("section/3/c").text == clean(_EXPORT.text)
    assert [(c.kind, c.old_id, c.new_id) for c in result.changes] == [("moved", "section/2/c", "section/3/c")]


def test_moved_item_shifts_the_labels_around_it(tmp_path):
    """2(a) leaves the grant for the top of the restrictions: the items after it on both sides
    change only their letters (renumbered), the item itself is moved, nothing is modified."""
    rest = [ItemSpec("a.", _COPIES.text), ItemSpec("b.", _EXPORT.text)]
    build_items_pdf(tmp_path / "v1.pdf", "Software License Agreement",
                    _sections([_GRANT, _COPIES, ItemSpec("c.", _EXPORT.text)], [_REVERSE, _RENT]))
    build_items_pdf(tmp_path / "v2.pdf", "Software License Agreement",
                    _sections(rest, [ItemSpec("a.", _GRANT.text), ItemSpec("b.", _REVERSE.text), ItemSpec("c.", _RENT.text)]))
    old, new = eula_parse.parse(tmp_path / "v1.pdf", tag=False), eula_parse.parse(tmp_path / "v2.pdf", tag=False)
    assert sorted((c.kind, c.old_id, c.new_id) for c in eula_parse.diff(old, new).changes) == [
        ("moved", "section/2/a", "section/3/a"),
        ("renumbered", "section/2/b", "section/2/a"),
        ("renumbered", "section/2/c", "section/2/b"),
        ("renumbered", "section/3/a", "section/3/b"),
        ("renumbered", "section/3/b", "section/3/c"),
    ]
