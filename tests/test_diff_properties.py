"""Property tests: random edits of the parsed 2025 agreement, and the diff must report exactly them.

Edits are what an editor does between releases: insert a clause, delete one, reword
one, move one within its product or into another product, and the same for general
sections. Clause numbers and ids are then renumbered as a re-parse would. The
generator avoids only the cases that are ambiguous for *any* differ: a clause whose
exact text occurs twice (which copy moved?) and a move past a single clause of the
older version (did A move down or B up?); clauses inserted or moved in from another
product do not count as passed, since the older version has no position for them.
How the differ settles that second case, the same way in both directions, is in
tests/test_diff_moves.py.
"""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

import eula_parse
from eula_parse.model import Clause, Section, slugify

#: Words no clause of the corpus uses, so an inserted text resembles nothing.
ODD_WORDS = ["xyzzy", "quux", "zorblax", "vyqq", "krzt", "plugh", "frobnitz", "zyx", "qwfp", "jjkx", "zzq"]


def odd_text(draw, words: int) -> str:
    chosen = draw(st.lists(st.sampled_from(ODD_WORDS), min_size=words, max_size=words + 6))
    return " ".join(chosen).capitalize() + f" {draw(st.integers(100, 999))}."


def reword(draw, text: str) -> str:
    how = draw(st.sampled_from(["append", "replace", "number"]))
    words = text.split(" ")
    if how == "number":
        return text + f" Within {draw(st.integers(2, 99))} days."
    if how == "replace":
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = draw(st.sampled_from(long_words))
            words[i] = draw(st.sampled_from(ODD_WORDS))
            return " ".join(words)
    return text + " " + draw(st.sampled_from(["Notwithstanding the foregoing.", "Unless agreed in writing.",
                                              "Subject to applicable law."]))


def renumber(doc) -> None:
    for product in doc.products:
        for i, clause in enumerate(product.clauses, 1):
            clause.number, clause.id = str(i), f"{product.id}/{i}"


@st.composite
def edited(draw, doc):
    """A copy of ``doc`` with random edits, and the set of changes they make."""
    new = copy.deepcopy(doc)
    origin = {id(c): c.id for c in new.clauses}
    origin.update({id(s): s.id for s in new.sections})
    texts = [c.text for c in new.clauses]
    unique = {t for t in texts if texts.count(t) == 1}

    touched: set[int] = set()  # objects already edited, moved or inserted
    frozen: set[str] = set()  # products where a move happened: no deletions there after
    expected: list[tuple[str, object, object]] = []  # (kind, old id, new object)

    def move_targets(product, clause) -> list[int]:
        """Where ``clause`` can go in ``product`` passing at least two of the product's own old clauses."""
        rest = [c for c in product.clauses if c is not clause]
        start = product.clauses.index(clause)
        own = [origin.get(id(c), "").rsplit("/", 1)[0] == product.id for c in rest]
        return [j for j in range(len(rest) + 1) if sum(own[min(start, j):max(start, j)]) >= 2]

    def pick_clause(condition=lambda p, c: True):
        choices = [(p, c) for p in new.products for c in p.clauses
                   if id(c) not in touched and c.text in unique and condition(p, c)]
        return draw(st.sampled_from(choices)) if choices else (None, None)

    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "edit", "move", "move_across",
                                   "edit_section", "insert_section", "delete_section"]))
        if op == "insert":
            product = draw(st.sampled_from(new.products))
            clause = Clause(id="new", number="0", text=odd_text(draw, 8))
            product.clauses.insert(draw(st.integers(0, len(product.clauses))), clause)
            touched.add(id(clause))
            expected.append(("added", None, clause))
        elif op == "delete":
            product, clause = pick_clause(lambda p, c: p.id not in frozen)
            if clause is not None:
                product.clauses.remove(clause)
                touched.add(id(clause))
                expected.append(("removed", origin[id(clause)], None))
        elif op == "edit":
            product, clause = pick_clause(lambda p, c: len(c.text) >= 60)
            if clause is not None:
                clause.text = reword(draw, clause.text)
                touched.add(id(clause))
                expected.append(("modified", origin[id(clause)], clause))
        elif op == "move":
            product, clause = pick_clause(lambda p, c: p.id not in frozen and id(c) in origin
                                          and bool(move_targets(p, c)))
            if clause is not None:
                targets = move_targets(product, clause)
                product.clauses.remove(clause)
                product.clauses.insert(draw(st.sampled_from(targets)), clause)
                touched.add(id(clause))
                frozen.add(product.id)
                expected.append(("moved", origin[id(clause)], clause))
        elif op == "move_across":
            product, clause = pick_clause(lambda p, c: p.id not in frozen and id(c) in origin)
            if clause is not None:
                target = draw(st.sampled_from([p for p in new.products if p is not product]))
                product.clauses.remove(clause)
                target.clauses.insert(draw(st.integers(0, len(target.clauses))), clause)
                touched.add(id(clause))
                expected.append(("moved", origin[id(clause)], clause))
        elif op == "edit_section":
            candidates = [s for s in new.sections if id(s) not in touched and len(s.text) >= 60]
            section = draw(st.sampled_from(candidates))
            section.text = reword(draw, section.text)
            touched.add(id(section))
            expected.append(("modified", origin[id(section)], section))
        elif op == "insert_section":
            heading = odd_text(draw, 2).rstrip(".0123456789 ")
            section = Section(id="general/" + slugify(heading), heading=heading, text=odd_text(draw, 12))
            if any(s.id == section.id for s in new.sections):
                continue
            new.sections.insert(draw(st.integers(0, len(new.sections))), section)
            touched.add(id(section))
            expected.append(("added", None, section))
        elif op == "delete_section":
            candidates = [s for s in new.sections if id(s) not in touched]
            section = draw(st.sampled_from(candidates))
            new.sections.remove(section)
            touched.add(id(section))
            expected.append(("removed", origin[id(section)], None))

    renumber(new)
    return Edited(new, {(kind, old, obj.id if obj is not None else None) for kind, old, obj in expected})


class Edited:
    """The edited document and the expected changes; shown by its edits alone when a test fails."""

    def __init__(self, doc, expected):
        self.doc, self.expected = doc, expected

    def __repr__(self) -> str:
        return f"Edited({sorted(self.expected, key=str)!r})"


@given(data=st.data())
@settings(max_examples=80, deadline=None)
def test_diff_reports_exactly_the_edits(doc_2025, data):
    edit = data.draw(edited(doc_2025))
    new, expected = edit.doc, edit.expected
    result = eula_parse.diff(doc_2025, new)
    assert {(c.kind, c.old_id, c.new_id) for c in result.substantive} == expected
    assert len(result.substantive) == len(expected)
    for change in result.changes:
        if change.kind == "renumbered":
            assert change.old_text == change.new_text and change.old_number != change.new_number
    # and back: the inverse edits, with added and removed swapped
    back = eula_parse.diff(new, doc_2025)
    swap = {"added": "removed", "removed": "added"}
    assert {(swap.get(c.kind, c.kind), c.new_id, c.old_id) for c in back.substantive} == expected


# -- the case the generator leaves out, settled: which of two swapped clauses moved ------------


def moves(result) -> set[tuple[str, str]]:
    return {(c.old_id, c.new_id) for c in result.changes if c.kind == "moved"}


def diff_both_ways(old, new):
    """``diff(old, new)``, after checking that ``diff(new, old)`` names the same nodes moved."""
    forward, back = eula_parse.diff(old, new), eula_parse.diff(new, old)
    assert moves(back) == {(new_id, old_id) for old_id, new_id in moves(forward)}
    return forward


def test_swapped_clauses_of_the_corpus_pair_are_one_move_either_way(doc_2024, doc_2025):
    """Smart Wall's first two clauses trade places between the versions (the reference change list's
    one move): reported once, on the longer clause (as the reference change list says), whichever
    version is old."""
    ((old_id, new_id),) = moves(diff_both_ways(doc_2024, doc_2025))
    first, second = [c for p in doc_2025.products if new_id.startswith(p.id + "/") for c in p.clauses[:2]]
    assert {old_id, new_id} == {first.id, second.id}
    assert new_id == max((first, second), key=lambda c: len(c.text.split())).id == first.id


def test_every_swap_of_two_clauses_moves_the_longer_in_both_directions(doc_2025):
    """Clauses 1 and 2 of every product swapped: one move per product, the same either way, and on
    the clause with more words (of two as long, the one whose text sorts later)."""
    new = copy.deepcopy(doc_2025)
    swapped = [p.id for p in new.products if len(p.clauses) >= 2 and p.clauses[0].text != p.clauses[1].text]
    for product in new.products:
        if product.id in swapped:
            product.clauses[0], product.clauses[1] = product.clauses[1], product.clauses[0]
    renumber(new)
    result = diff_both_ways(doc_2025, new)
    assert {c.kind for c in result.substantive} == {"moved"}
    assert sorted(old_id.rsplit("/", 1)[0] for old_id, _ in moves(result)) == sorted(swapped)
    for old_id, _ in moves(result):
        first, second = [c for p in doc_2025.products if old_id.startswith(p.id + "/") for c in p.clauses[:2]]
        moved, stayed = (first, second) if first.id == old_id else (second, first)
        more = len(moved.text.split()) - len(stayed.text.split())
        assert more > 0 or (more == 0 and moved.text > stayed.text)


def test_equally_long_swapped_clauses_are_told_apart_by_their_text(doc_2025):
    """Two adjacent clauses of one length swapped: no word count decides, the text does, both ways."""
    new = copy.deepcopy(doc_2025)
    pairs = [(p, i) for p in new.products for i in range(len(p.clauses) - 1)
             if len(p.clauses[i].text.split()) == len(p.clauses[i + 1].text.split())
             and p.clauses[i].text != p.clauses[i + 1].text]
    assert pairs, "the corpus has adjacent clauses of one length"
    product, i = pairs[0]
    product.clauses[i], product.clauses[i + 1] = product.clauses[i + 1], product.clauses[i]
    later = max(product.clauses[i:i + 2], key=lambda c: c.text).id  # its old id, before renumbering
    renumber(new)
    ((old_id, _),) = moves(diff_both_ways(doc_2025, new))
    assert old_id == later


def test_clause_moved_in_between_two_swapped_clauses(doc_2025):
    """What Hypothesis found: the Web Client's first clause moves into XProtect Mobile, whose first
    two clauses trade places around it. Two moves, the same two whichever version is old."""
    new = copy.deepcopy(doc_2025)
    products = {p.id: p for p in new.products}
    mobile, web = products["product/xprotect-mobile"], products["product/xprotect-web-client"]
    a, b = mobile.clauses[:2]
    longer = max((a, b), key=lambda c: len(c.text.split()))
    longer_id = longer.id  # before renumbering
    mobile.clauses[:2] = [b, web.clauses.pop(0), a]
    renumber(new)
    result = diff_both_ways(doc_2025, new)
    assert moves(result) == {("product/xprotect-web-client/1", "product/xprotect-mobile/2"),
                             (longer_id, longer.id)}
    assert len(result.substantive) == 2


def test_two_clauses_trading_places_with_two_others_move_the_more_words(doc_2025):
    """Clauses 1-2 and 3-4 of a product trade places as blocks: either block could be the one that
    moved; the one with more words is, in both directions."""
    new = copy.deepcopy(doc_2025)
    product = next(p for p in new.products if len(p.clauses) >= 5 and len({c.text for c in p.clauses[:4]}) == 4)
    blocks = product.clauses[:2], product.clauses[2:4]
    heavier = {c.id for c in max(blocks, key=lambda block: sum(len(c.text.split()) for c in block))}
    product.clauses[:4] = product.clauses[2:4] + product.clauses[:2]
    renumber(new)
    assert {old_id for old_id, _ in moves(diff_both_ways(doc_2025, new))} == heavier


def test_clause_moved_into_the_place_of_a_deleted_look_alike(doc_2025):
    """What Hypothesis found next: of the two most alike clauses of different products, one is
    deleted and the other moved into its place. The same words elsewhere outweigh similar words in
    place: one move and one removal, not an edit, whichever version is old."""
    from rapidfuzz import fuzz

    new = copy.deepcopy(doc_2025)
    texts = [c.text for c in new.clauses]
    placed = [(p, c) for p in new.products for c in p.clauses if texts.count(c.text) == 1]
    score, (here, gone), (there, mover) = max(
        ((fuzz.ratio(c.text, d.text), (p, c), (q, d)) for p, c in placed for q, d in placed if p is not q),
        key=lambda found: found[0],
    )
    assert score >= 90, "the corpus has look-alike clauses in different products"
    old_ids = gone.id, mover.id
    here.clauses[here.clauses.index(gone)] = mover
    there.clauses.remove(mover)
    renumber(new)
    result = diff_both_ways(doc_2025, new)
    assert {(c.kind, c.old_id, c.new_id) for c in result.substantive} == {
        ("removed", old_ids[0], None), ("moved", old_ids[1], mover.id)}
