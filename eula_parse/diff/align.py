"""Pairing the nodes of two versions by content, strongest evidence first.

Nodes are paired by *content*, not by number or position. Clause numbers shift
whenever a clause is inserted, so pairing "clause 7" with "clause 7" would turn
one insertion into a cascade of false modifications. Pairing goes from the
strongest evidence to the weakest: a stable heading-based id (``general/...``,
``product/...``, ``group/...``), the same heading, the same text, and last a
rapidfuzz similarity above a threshold (renamed headings, edited clauses). The same
text under another parent counts before a similar text under the same one: a
clause that moved in beside a deleted look-alike is a move, not an edit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Optional

from rapidfuzz import fuzz

from eula_parse.diff.text import comparable, name_key
from eula_parse.model import Document, Node, normalize_space, own_text

#: Minimum rapidfuzz ratio (0-100) for two unpaired siblings to count as one node edited.
SIMILAR = 60.0
#: Characters of a node's (subtree) text that similarity looks at.
SIM_CHARS = 1000
#: Candidate pairs above which only exact text pairs are made: two unrelated 2,000-clause
#: agreements would otherwise take minutes to tell apart by similarity.
MAX_PAIRS = 1_000_000
#: Shortest text a node under a removed or added parent needs to be paired elsewhere.
ORPHAN_MIN_CHARS = 40
#: Stricter bar for pairing across parents (a clause that left its product): a
#: loose match there would turn an unrelated removal + addition into a "move".
SIMILAR_ELSEWHERE = 85.0


# -- flattening a document into comparable units ----------------------------


class Unit:
    """One node of one version, with what alignment needs precomputed."""

    __slots__ = ("node", "kind", "parent", "index", "path", "number", "name", "label",
                 "body", "key", "children", "pos", "_sim", "_words")

    def __init__(self, node, kind, parent, index, path, number=None, name=None, body=""):
        self.node = node
        self.kind = kind  # paragraph | section | group | product | clause | item
        self.parent: Optional[Unit] = parent
        self.index = index
        self.path: list[str] = path
        self.number: Optional[str] = number
        self.label: str = name or ""  # heading / name as printed
        self.name = name_key(name)
        self.body = body
        self.key = comparable(body)
        self.children: list[Unit] = []
        self.pos = 0
        self._sim: Optional[str] = None
        self._words: Optional[int] = None

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def sim(self) -> str:
        """Text for similarity: own text plus everything under it (a heading-only section
        or a product is recognised by what it contains)."""
        if self._sim is None:
            parts = [self.key] + [c.sim for c in self.children]
            if self.kind == "group":
                parts = [self.name] + [c.name for c in self.children]
            # The opening is enough to recognise a node; comparing whole products
            # character by character would cost quadratic time for nothing.
            self._sim = " ".join(p for p in parts if p)[:SIM_CHARS]
        return self._sim

    @property
    def words(self) -> int:
        """Words the node carries along when it moves: its own and everything under it."""
        if self._words is None:
            self._words = len(self.key.split()) + sum(c.words for c in self.children)
        return self._words

    def subtree_text(self, skip: Optional[dict] = None) -> str:
        """Display text of the node and everything under it, one line per node
        (children whose id is in ``skip``, reported on their own, left out)."""
        lines = []
        if self.kind == "item":
            head = f"{self.number}) {self.label}".strip()
        elif self.kind in ("section", "clause") and self.number:
            head = f"{self.number} {self.label}".strip() if self.kind == "section" else f"{self.number}."
        else:
            head = self.label if self.kind in ("section", "product", "group") else ""
        if head and self.body and head[-1].isalnum():
            head += "."  # run-in headings print as "Copenhagen Clause. Milestone is ..."
        first = " ".join(p for p in (head, self.body) if p)
        if first:
            lines.append(first)
        lines.extend(c.subtree_text(skip) for c in self.children if not skip or id(c) not in skip)
        return "\n".join(line for line in lines if line)


def _body(node: Node) -> str:
    """The node's own words: its text without its sub-items, which are units of their own
    (so a change inside item b is reported on item b, not on the clause too)."""
    return normalize_space(own_text(node))


def _section_label(section) -> str:
    if section.heading and section.number:
        return f"{section.number} {section.heading}"
    return section.heading or section.number or section.id


class Side:
    """A document flattened: units per kind, root sibling lists, reading order."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.order: list[Unit] = []
        self.paragraphs: list[Unit] = []
        self.sections: list[Unit] = []  # top level only
        self.groups: list[Unit] = []
        self.products: list[Unit] = []  # all, across groups

        for i, para in enumerate(doc.preamble):
            self.paragraphs.append(self._add(Unit(para, "paragraph", None, i, ["Preamble", f"paragraph {i + 1}"],
                                                   body=_body(para))))

        def items(node, unit, trail):
            for j, item in enumerate(getattr(node, "items", None) or []):
                label = f"({item.label})"
                child = self._add(Unit(item, "item", unit, j, trail + [label], item.label, item.heading, _body(item)))
                unit.children.append(child)
                items(item, child, trail + [label])

        def section(node, parent, index, trail):
            label = _section_label(node)
            unit = self._add(Unit(node, "section", parent, index, trail + [label], node.number, node.heading,
                                   _body(node)))
            items(node, unit, trail + [label])
            unit.children += [section(c, unit, j, trail + [label]) for j, c in enumerate(node.children)]
            return unit

        self.sections = [section(s, None, i, []) for i, s in enumerate(doc.sections)]

        for gi, group in enumerate(doc.groups):
            gunit = self._add(Unit(group, "group", None, gi, [group.name], name=group.name))
            self.groups.append(gunit)
            for pi, product in enumerate(group.products):
                punit = self._add(Unit(product, "product", gunit, pi, [group.name, product.name],
                                        name=product.name, body=normalize_space(product.text or "")))
                gunit.children.append(punit)
                self.products.append(punit)
                for ci, clause in enumerate(product.clauses):
                    trail = [group.name, product.name, clause.number or str(ci + 1)]
                    cunit = self._add(Unit(clause, "clause", punit, ci, trail, clause.number, body=_body(clause)))
                    punit.children.append(cunit)
                    items(clause, cunit, trail)

        # A document's own version label ("EULA 20240612") is page furniture wherever it
        # turns up; one leaking into a clause must not read as a change against a version
        # whose label differs.
        label = comparable(doc.version)
        if len(label) >= 6 and any(ch.isdigit() for ch in label):
            pattern = re.compile(r"(?:^|\s)" + re.escape(label) + r"(?=\s|$)")
            for unit in self.order:
                if label in unit.key:
                    unit.key = normalize_space(pattern.sub(" ", unit.key))

    def _add(self, unit: Unit) -> Unit:
        unit.pos = len(self.order)
        self.order.append(unit)
        return unit

# -- alignment ----------------------------------------------------------------

_SEMANTIC_ID = ("general/", "product/", "group/")


def _semantic(unit: Unit) -> bool:
    """Ids built from a heading survive renumbering; ``section/4``, ``preamble/2`` and clause ids do not."""
    return unit.kind in ("section", "product", "group") and unit.id.startswith(_SEMANTIC_ID)


def _words_went_into_items(unit: Unit, other: Unit) -> bool:
    """``unit`` has words of its own, ``other`` has none but sub-items: alike as subtrees, they are
    still not one node edited (sections that became the lettered items of a new section)."""
    return bool(unit.key) and not other.key and any(c.kind == "item" for c in other.children)




class Aligner:
    def __init__(self, old: Document, new: Document):
        self.a = Side(old)
        self.b = Side(new)
        self.pair: dict[int, Unit] = {}  # id(old unit) -> new unit
        self.rpair: dict[int, Unit] = {}  # id(new unit) -> old unit

    def matched(self, unit: Unit, old_side: bool = True) -> Optional[Unit]:
        return (self.pair if old_side else self.rpair).get(id(unit))

    def link(self, o: Unit, n: Unit) -> None:
        self.pair[id(o)] = n
        self.rpair[id(n)] = o

    def align(self, olds: list[Unit], news: list[Unit], threshold: float = SIMILAR, own_text: bool = False,
              similar: bool = True) -> None:
        """Pair units of two sibling lists, strongest evidence first (``similar=False``: stop before similarity)."""
        olds = [u for u in olds if id(u) not in self.pair]
        news = [u for u in news if id(u) not in self.rpair]
        if not olds or not news:
            return

        def rest():
            return ([u for u in olds if id(u) not in self.pair], [u for u in news if id(u) not in self.rpair])

        # 1. stable, heading-derived ids; 2. same heading, when no other sibling on
        # either side has it (two "Permitted Uses" sections are told apart by text).
        for attr in ("id", "name"):
            o_rest, n_rest = rest()
            index: dict[str, list[Unit]] = defaultdict(list)
            for n in n_rest:
                value = n.id if attr == "id" else n.name
                if value and (attr != "id" or _semantic(n)):
                    index[value].append(n)
            olds_by: dict[str, list[Unit]] = defaultdict(list)
            for o in o_rest:
                value = o.id if attr == "id" else o.name
                if value and (attr != "id" or _semantic(o)):
                    olds_by[value].append(o)
            for value, found in olds_by.items():
                if len(found) == 1 and len(index.get(value, ())) == 1:
                    self.link(found[0], index[value][0])
        # 3. same text (first occurrence with first occurrence, so duplicates pair in order).
        o_rest, n_rest = rest()
        by_text: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        for n in n_rest:
            by_text[(n.key, n.sim)].append(n)
        for o in o_rest:
            if (o.key or o.sim) and by_text.get((o.key, o.sim)):
                self.link(o, by_text[(o.key, o.sim)].pop(0))
        # 4. similar text: best pairs first; ties go to the closer relative position.
        o_rest, n_rest = rest()
        if not similar or not o_rest or not n_rest:
            return
        candidates = []
        if own_text:
            # Across parents a node is recognised by its own words only: a heading whose
            # subtree reads like some other node's text is not that node.
            o_rest, n_rest = [u for u in o_rest if u.key], [u for u in n_rest if u.key]
        for o, n, score in self.scores(o_rest, n_rest, threshold, own_text):
            if _words_went_into_items(o, n) or _words_went_into_items(n, o):
                continue
            shift = abs(o.index / max(len(olds), 1) - n.index / max(len(news), 1))
            candidates.append((-score, shift, o.pos, n.pos, o, n))
        candidates.sort(key=lambda c: c[:4])
        for _, _, _, _, o, n in candidates:
            if id(o) not in self.pair and id(n) not in self.rpair:
                self.link(o, n)

    #: Above this many pairs the scores come from rapidfuzz's multi-threaded ``cdist``.
    BULK = 4000

    def scores(self, olds: list[Unit], news: list[Unit], threshold: float, own_text: bool = False):
        """``(old, new, score)`` for every pair scoring at least ``threshold``."""
        if not olds or not news or len(olds) * len(news) > MAX_PAIRS:
            return
        if len(olds) * len(news) <= self.BULK:
            for o in olds:
                for n in news:
                    if own_text:
                        score = fuzz.ratio(o.key[:SIM_CHARS], n.key[:SIM_CHARS], score_cutoff=threshold)
                    else:
                        score = self.similarity(o, n, threshold)
                    if score >= threshold:
                        yield o, n, score
            return
        # A wholesale rewrite of a long agreement: millions of pairs. numpy comes with
        # rapidfuzz's cdist, imported here so ``import eula_parse`` stays light.
        import numpy as np
        from rapidfuzz.process import cdist

        def matrix(key):
            a, b = [key(o) for o in olds], [key(n) for n in news]
            m = cdist(a, b, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1, dtype=np.float32)
            # an empty text matches nothing (ratio("", "") is 100)
            m[np.array([not x for x in a]), :] = 0
            m[:, np.array([not x for x in b])] = 0
            return m

        kind = olds[0].kind
        if own_text:
            m = matrix(lambda u: u.key[:SIM_CHARS])
        elif kind in ("product", "group"):
            m = np.maximum(matrix(lambda u: u.sim), matrix(lambda u: u.name))
        else:
            m = matrix(lambda u: u.sim)
            if any(not u.sim for u in olds) or any(not u.sim for u in news):
                names = matrix(lambda u: u.name)
                empty = np.array([not u.sim for u in olds])[:, None] | np.array([not u.sim for u in news])[None, :]
                m = np.where(empty, names, m)
        for i, j in zip(*np.nonzero(m >= threshold)):
            yield olds[i], news[j], float(m[i, j])

    @staticmethod
    def similarity(o: Unit, n: Unit, threshold: float) -> float:
        if o.kind in ("product", "group"):
            # A renamed product keeps its clauses; a product whose clauses were all
            # rewritten keeps its name. Either is enough.
            return max(fuzz.ratio(o.sim, n.sim, score_cutoff=threshold) if o.sim and n.sim else 0.0,
                       fuzz.ratio(o.name, n.name, score_cutoff=threshold) if o.name and n.name else 0.0)
        if not o.sim or not n.sim:
            return fuzz.ratio(o.name, n.name, score_cutoff=threshold) if o.name and n.name else 0.0
        return fuzz.ratio(o.sim, n.sim, score_cutoff=threshold)

    # -- the passes -------------------------------------------------------------

    def run(self) -> None:
        a, b = self.a, self.b
        self.align(a.paragraphs, b.paragraphs)
        # Sections, clauses and items alike: the same words found anywhere (another parent
        # included) before a merely similar sibling, so a clause that moved into a product
        # is not taken for an edit of a look-alike that was deleted there.
        for similar in (False, True):
            self._align_sections(a.sections, b.sections, similar)
            self._across(self._all(a, "section"), self._all(b, "section"), similar)
        # Products first, across groups (a product can change group), then the groups
        # (a renamed group is recognised by the products it keeps).
        self.align(a.products, b.products)
        self.align(a.groups, b.groups)
        self._align_groups_by_products()
        for similar in (False, True):
            for o in a.products:
                n = self.matched(o)
                if n is not None:
                    self.align(o.children, n.children, similar=similar)
            self._across(self._all(a, "clause"), self._all(b, "clause"), similar)
        # Sub-items last, once every section and clause that holds them is paired: first among
        # the items of paired parents, then across parents (a lettered item moved to another section).
        for similar in (False, True):
            for o in a.order:
                n = self.matched(o)
                if n is not None and o.kind in ("section", "clause"):
                    self._align_items(o, n, similar)
            self._across(self._all(a, "item"), self._all(b, "item"), similar)
        # A section that became a lettered item of another section (or the reverse) moved.
        self._across([u for u in a.order if u.kind in ("section", "item")], [u for u in b.order if u.kind in ("section", "item")])

    @staticmethod
    def _all(side: Side, kind: str) -> list[Unit]:
        return [u for u in side.order if u.kind == kind]

    def _align_sections(self, olds: list[Unit], news: list[Unit], similar: bool = True) -> None:
        olds = [u for u in olds if u.kind == "section"]
        news = [u for u in news if u.kind == "section"]
        self.align(olds, news, similar=similar)
        for o in olds:
            n = self.matched(o)
            if n is not None:
                self._align_sections(o.children, n.children, similar)

    def _align_items(self, o: Unit, n: Unit, similar: bool = True) -> None:
        olds = [u for u in o.children if u.kind == "item"]
        news = [u for u in n.children if u.kind == "item"]
        self.align(olds, news, similar=similar)
        for item in olds:
            partner = self.matched(item)
            if partner is not None:
                self._align_items(item, partner, similar)

    def _across(self, olds: list[Unit], news: list[Unit], similar: bool = True) -> None:
        """Pair nodes left unpaired across parents: a clause that changed product, a
        subsection carried into a restructured article.

        Nodes under an unpaired parent take part too (the text of an article that was
        split up lives on elsewhere), but only with a sentence's worth of text: a
        "Reserved." matching another "Reserved." says nothing.
        """

        def candidate(u: Unit, old_side: bool) -> bool:
            paired = self.pair if old_side else self.rpair
            if id(u) in paired:
                return False
            return u.parent is None or id(u.parent) in paired or len(u.key) >= ORPHAN_MIN_CHARS

        o_rest = [u for u in olds if candidate(u, True)]
        n_rest = [u for u in news if candidate(u, False)]
        if o_rest and n_rest:
            self.align(o_rest, n_rest, threshold=SIMILAR_ELSEWHERE, own_text=True, similar=similar)

    def _align_groups_by_products(self) -> None:
        o_rest = [g for g in self.a.groups if id(g) not in self.pair]
        n_rest = [g for g in self.b.groups if id(g) not in self.rpair]
        scored = []
        for o in o_rest:
            for n in n_rest:
                shared = sum(1 for p in o.children if self.pair.get(id(p)) in n.children)
                if shared:
                    scored.append((-shared, o.pos, n.pos, o, n))
        scored.sort(key=lambda s: s[:3])
        for _, _, _, o, n in scored:
            if id(o) not in self.pair and id(n) not in self.rpair:
                self.link(o, n)

