"""Property tests: random edits of the parsed 2025 agreement, and the diff must report exactly them.

Edits are what an editor does between releases: insert a clause, delete one, reword
one, move one within its product or into another product, and the same for general
sections. Clause numbers and ids are then renumbered as a re-parse would. The
generator avoids only the cases that are ambiguous for *any* differ: a clause whose
exact text occurs twice (which copy moved?) and a move past a single neighbour
(did A move down or B up?).
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
            product, clause = pick_clause(lambda p, c: p.id not in frozen and len(p.clauses) >= 4
                                          and id(c) in origin)
            if clause is not None:
                start = product.clauses.index(clause)
                targets = [j for j in range(len(product.clauses)) if abs(j - start) >= 2]
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
