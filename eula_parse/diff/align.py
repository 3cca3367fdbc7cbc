"""Clause-by-clause diff of two versions of an agreement.

    >>> d = eula_parse.diff(old_doc, new_doc)
    >>> [(c.kind, c.new_id) for c in d.substantive]
    [('added', 'general/copenhagen-clause'), ('modified', 'product/xprotect-corporate/4'), ...]

Why it works the way it does:

* Nodes are paired by *content*, not by number or position. Clause numbers shift
  whenever a clause is inserted, so pairing "clause 7" with "clause 7" would turn
  one insertion into a cascade of false modifications. Pairing goes from the
  strongest evidence to the weakest: a stable heading-based id
  (``general/...``, ``product/...``, ``group/...``), the same heading, the same
  text, and last a rapidfuzz similarity above a threshold (renamed headings,
  edited clauses).
* Texts are compared through :func:`comparable`, which erases everything a
  re-typesetting can change (white space, line-end hyphenation, spaces before
  punctuation), so page breaks and layout never show up as a change.
* ``moved`` is decided by order, not by distance: among paired siblings, the
  longest increasing subsequence of old positions is "in place"; a node outside
  it moved. This reports the one clause that was moved instead of every clause
  it jumped over.
* A whole product, group or section that appears or disappears is one change;
  its clauses are not listed one by one.

Only light modules are imported here (``eula_parse`` imports this eagerly).
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from rapidfuzz import fuzz

from eula_parse.errors import NotFoundError
from eula_parse.model import Document, Entity, Node, normalize_space, own_entities, own_text, slugify

#: Every kind of change, in the order reports list them.
KINDS = ("added", "removed", "modified", "renamed", "moved", "renumbered")
#: Kinds that change what the agreement says; ``renumbered`` is bookkeeping.
SUBSTANTIVE = frozenset(KINDS) - {"renumbered"}

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


# -- text normalisation -----------------------------------------------------

_HYPHEN = "-\u2010\u2011"
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")
#: "Plug-in", "Plug- in" (line-end hyphen kept, break turned into a space) and "Plugin"
#: (hyphen dropped by a de-hyphenating extractor) must compare equal.
_WORD_HYPHEN = re.compile(rf"(?<=\w)[{_HYPHEN}]\s*(?=\w)")
_SPACE_BEFORE = re.compile(r"\s+(?=[,.;:!?)\]\u2019\u201d])")
_SPACE_AFTER = re.compile(r"(?<=[(\[\u2018\u201c])\s+")
#: Bullets: Word's Symbol-font bullet reaches the text layer as a private-use code point (U+F0B7,
#: U+F0A7, ...) in one producer's PDF and as U+2022 in another's; the page shows the same dot.
_BULLET = re.compile("[\uf0a7\uf0b7\uf0d8\uf0fc\u2022\u2023\u2043\u25aa\u25cf\u25e6]")
#: A rule typed as a row of one character ("-----", "=====", "*****") is drawing, not words; where
#: such a line lands at a page seam depends on the producer and on what furniture removal keeps.
_RULE = re.compile(r"(?:^|(?<=\s))([-=_~*])\1{3,}(?=\s|$)")


def comparable(text: Optional[str]) -> str:
    """The form two texts are compared in: equal iff no reader could tell them apart.

    NFKC (ligatures, non-breaking spaces), soft hyphens removed, one bullet for every bullet
    glyph, typed rules ("-----") removed, line-end and intra-word hyphenation removed, white
    space collapsed, no space before closing punctuation. Deliberately *not* lower-cased: a
    change of case can change meaning (defined terms).
    """
    if not text:
        return ""
    text = _SOFT.sub("", unicodedata.normalize("NFKC", text))
    text = _RULE.sub(" ", _BULLET.sub("\u2022", text))
    text = _WORD_HYPHEN.sub("", text)
    text = normalize_space(text)
    text = _SPACE_BEFORE.sub("", text)
    return _SPACE_AFTER.sub("", text)


#: Leading numbering of a heading: "ARTICLE B 1—", "B.3.4", "4.0", "Section 2.", "IV.".
_HEADING_NUMBER = re.compile(
    r"^\s*(?:(?:article|section|clause|part|chapter|schedule|exhibit|attachment|appendix|annex)\s+)?"
    r"(?:[A-Z](?:\.|\s+)(?=\d))?(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.?(?=\s))\s*[.):\u2014\u2013-]?\s*",
    re.I,
)


def _name_key(name: Optional[str]) -> str:
    """Headings are compared as slugs without their numbering: a trailing period, a
    dropped ® or a renumbering ("4.0 DATA" -> "3.0 DATA") is not a rename."""
    if not name:
        return ""
    stripped = _WORD_HYPHEN.sub("", _HEADING_NUMBER.sub("", name, count=1))
    return slugify(stripped) if any(ch.isalnum() for ch in stripped) else ""


# -- redlines ---------------------------------------------------------------

#: White space, then a word (hyphenated words and "Plug- in" stay one token) or
#: one punctuation character.
_TOKEN = re.compile(rf"(\s*)(\w+(?:[{_HYPHEN}]\s?\w+)*|[^\w\s])")


def _tokens(text: str) -> list[tuple[str, str, str]]:
    """``(comparison key, leading white space, token)`` for each token of ``text``."""
    return [(_token_key(m.group(2)), m.group(1), m.group(2)) for m in _TOKEN.finditer(normalize_space(text))]


def _token_key(token: str) -> str:
    if token.isascii():  # the common case, without NFKC and four regex passes
        return _WORD_HYPHEN.sub("", token) if "-" in token else token
    return comparable(token)


def _run(tokens: list[tuple[str, str, str]]) -> str:
    return "".join(space + token for _, space, token in tokens)[len(tokens[0][1]):] if tokens else ""


def redline(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level redline: ``[(op, text), ...]`` with op ``"equal"``, ``"delete"`` or ``"insert"``.

    Joining the equal and delete segments gives ``old``; equal and insert give ``new``
    (up to white space). A replaced run is one delete followed by one insert, and the
    space before a changed run stays outside it: ``"Server [-2019-]{+2022+} Express"``.
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b], autojunk=False)
    out: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = a[i1:i2], b[j1:j2]
        # A space on either side before the run is kept (an extra space is harmless,
        # a missing one glues two words together).
        if (olds and olds[0][1]) or (news and news[0][1]):
            push("equal", " ")
        if op == "equal":
            push("equal", _run(news))
        else:
            push("delete", _run(olds))
            push("insert", _run(news))
    return out


# -- result types -----------------------------------------------------------


@dataclass
class EntityChange:
    """One tagged entity whose value differs: ``DURATION 7 years -> 10 years``.

    ``old``/``new`` are the entity texts; one is ``None`` when the entity only
    exists on one side.
    """

    label: str
    old: Optional[str]
    new: Optional[str]
    old_value: Optional[dict[str, Any]] = None
    new_value: Optional[dict[str, Any]] = None

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.label} + {self.new}"
        if self.new is None:
            return f"{self.label} - {self.old}"
        return f"{self.label} {self.old} -> {self.new}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "summary": str(self),
        }


@dataclass
class Change:
    """One difference between the versions.

    ``old_id``/``new_id`` name the node on each side (``None`` on the side where it
    does not exist); ``path`` is the human-readable location on the newer side (the
    older one for removals): group, product, clause number or section headings.
    ``redline`` is filled for ``modified`` and ``renamed`` (see :func:`redline`).
    """

    kind: str
    old_id: Optional[str]
    new_id: Optional[str]
    path: list[str]
    old_number: Optional[str] = None
    new_number: Optional[str] = None
    old_text: Optional[str] = None
    new_text: Optional[str] = None
    redline: list[tuple[str, str]] = field(default_factory=list)
    entity_changes: list[EntityChange] = field(default_factory=list)

    @property
    def substantive(self) -> bool:
        return self.kind in SUBSTANTIVE

    @property
    def node_id(self) -> str:
        return self.new_id or self.old_id or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "old_id": self.old_id,
            "new_id": self.new_id,
            "path": list(self.path),
            "old_number": self.old_number,
            "new_number": self.new_number,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "redline": [{"op": op, "text": text} for op, text in self.redline],
            "entity_changes": [e.to_dict() for e in self.entity_changes],
        }


@dataclass
class DocumentDiff:
    """Everything that differs between ``old`` and ``new``, in the newer document's reading order."""

    old_title: str
    old_version: Optional[str]
    new_title: str
    new_version: Optional[str]
    changes: list[Change] = field(default_factory=list)
    #: product id -> name, both versions: lets :meth:`for_product` resolve names.
    products: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def substantive(self) -> list[Change]:
        """Changes that alter what the agreement says (everything but ``renumbered``)."""
        return [c for c in self.changes if c.substantive]

    def counts(self, include_renumbered: bool = True) -> dict[str, int]:
        """Number of changes per kind, every kind present (zeros included), in :data:`KINDS` order."""
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts[change.kind] += 1
        if not include_renumbered:
            del counts["renumbered"]
        return counts

    def for_product(self, name: str) -> "DocumentDiff":
        """Only the changes to the product(s) ``name`` designates (name, id or slug, case-insensitive).

        An exact slug match wins; otherwise every product whose slug contains the
        query's (so "corporate" finds XProtect Corporate). Raises
        :class:`~eula_parse.errors.NotFoundError` when nothing matches.
        """
        query = slugify(name.removeprefix("product/"))
        slugs = {pid: pid.removeprefix("product/") for pid in self.products}
        chosen = {pid for pid, s in slugs.items() if s == query or slugify(self.products[pid]) == query}
        if not chosen:
            chosen = {pid for pid, s in slugs.items() if query in s or s in query}
        if not chosen:
            raise NotFoundError(f"no product matching {name!r} in either version")

        def keep(change: Change) -> bool:
            return any(
                node_id and (node_id in chosen or node_id.rsplit("/", 1)[0] in chosen)
                for node_id in (change.old_id, change.new_id)
            )

        return DocumentDiff(
            self.old_title, self.old_version, self.new_title, self.new_version,
            [c for c in self.changes if keep(c)], {p: self.products[p] for p in chosen},
        )

    def to_dict(self, include_renumbered: bool = False) -> dict[str, Any]:
        """The ``eula diff --json`` shape."""
        return {
            "old": {"title": self.old_title, "version": self.old_version},
            "new": {"title": self.new_title, "version": self.new_version},
            "changes": [c.to_dict() for c in self.changes if include_renumbered or c.substantive],
        }


# -- flattening a document into comparable units ----------------------------


class _Unit:
    """One node of one version, with what alignment needs precomputed."""

    __slots__ = ("node", "kind", "parent", "index", "path", "number", "name", "label",
                 "body", "key", "children", "pos", "_sim")

    def __init__(self, node, kind, parent, index, path, number=None, name=None, body=""):
        self.node = node
        self.kind = kind  # paragraph | section | group | product | clause | item
        self.parent: Optional[_Unit] = parent
        self.index = index
        self.path: list[str] = path
        self.number: Optional[str] = number
        self.label: str = name or ""  # heading / name as printed
        self.name = _name_key(name)
        self.body = body
        self.key = comparable(body)
        self.children: list[_Unit] = []
        self.pos = 0
        self._sim: Optional[str] = None

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


class _Side:
    """A document flattened: units per kind, root sibling lists, reading order."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.order: list[_Unit] = []
        self.paragraphs: list[_Unit] = []
        self.sections: list[_Unit] = []  # top level only
        self.groups: list[_Unit] = []
        self.products: list[_Unit] = []  # all, across groups

        for i, para in enumerate(doc.preamble):
            self.paragraphs.append(self._add(_Unit(para, "paragraph", None, i, ["Preamble", f"paragraph {i + 1}"],
                                                   body=_body(para))))

        def items(node, unit, trail):
            for j, item in enumerate(getattr(node, "items", None) or []):
                label = f"({item.label})"
                child = self._add(_Unit(item, "item", unit, j, trail + [label], item.label, item.heading, _body(item)))
                unit.children.append(child)
                items(item, child, trail + [label])

        def section(node, parent, index, trail):
            label = _section_label(node)
            unit = self._add(_Unit(node, "section", parent, index, trail + [label], node.number, node.heading,
                                   _body(node)))
            items(node, unit, trail + [label])
            unit.children += [section(c, unit, j, trail + [label]) for j, c in enumerate(node.children)]
            return unit

        self.sections = [section(s, None, i, []) for i, s in enumerate(doc.sections)]

        for gi, group in enumerate(doc.groups):
            gunit = self._add(_Unit(group, "group", None, gi, [group.name], name=group.name))
            self.groups.append(gunit)
            for pi, product in enumerate(group.products):
                punit = self._add(_Unit(product, "product", gunit, pi, [group.name, product.name],
                                        name=product.name, body=normalize_space(product.text or "")))
                gunit.children.append(punit)
                self.products.append(punit)
                for ci, clause in enumerate(product.clauses):
                    trail = [group.name, product.name, clause.number or str(ci + 1)]
                    cunit = self._add(_Unit(clause, "clause", punit, ci, trail, clause.number, body=_body(clause)))
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

    def _add(self, unit: _Unit) -> _Unit:
        unit.pos = len(self.order)
        self.order.append(unit)
        return unit


# -- alignment ----------------------------------------------------------------

_SEMANTIC_ID = ("general/", "product/", "group/")


def _semantic(unit: _Unit) -> bool:
    """Ids built from a heading survive renumbering; ``section/4``, ``preamble/2`` and clause ids do not."""
    return unit.kind in ("section", "product", "group") and unit.id.startswith(_SEMANTIC_ID)


def _words_went_into_items(unit: _Unit, other: _Unit) -> bool:
    """``unit`` has words of its own, ``other`` has none but sub-items: alike as subtrees, they are
    still not one node edited (sections that became the lettered items of a new section)."""
    return bool(unit.key) and not other.key and any(c.kind == "item" for c in other.children)


def _longest_in_order(old_positions: list[int]) -> set[int]:
    """Indexes (into ``old_positions``, which is in new order) of one longest increasing subsequence.

    Patience sorting, O(n log n). On ties the later candidate wins, so of two
    swapped clauses the one that moved *up* is the one reported as moved.
    """
    tails: list[int] = []
    tail_at: list[int] = []
    prev: list[Optional[int]] = [None] * len(old_positions)
    for i, value in enumerate(old_positions):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
        prev[i] = tail_at[k - 1] if k else None
    keep: set[int] = set()
    i = tail_at[-1] if tail_at else None
    while i is not None:
        keep.add(i)
        i = prev[i]
    return keep


class _Aligner:
    def __init__(self, old: Document, new: Document):
        self.a = _Side(old)
        self.b = _Side(new)
        self.pair: dict[int, _Unit] = {}  # id(old unit) -> new unit
        self.rpair: dict[int, _Unit] = {}  # id(new unit) -> old unit

    def matched(self, unit: _Unit, old_side: bool = True) -> Optional[_Unit]:
        return (self.pair if old_side else self.rpair).get(id(unit))

    def link(self, o: _Unit, n: _Unit) -> None:
        self.pair[id(o)] = n
        self.rpair[id(n)] = o

    def align(self, olds: list[_Unit], news: list[_Unit], threshold: float = SIMILAR, own_text: bool = False) -> None:
        """Pair units of two sibling lists, strongest evidence first."""
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
            index: dict[str, list[_Unit]] = defaultdict(list)
            for n in n_rest:
                value = n.id if attr == "id" else n.name
                if value and (attr != "id" or _semantic(n)):
                    index[value].append(n)
            olds_by: dict[str, list[_Unit]] = defaultdict(list)
            for o in o_rest:
                value = o.id if attr == "id" else o.name
                if value and (attr != "id" or _semantic(o)):
                    olds_by[value].append(o)
            for value, found in olds_by.items():
                if len(found) == 1 and len(index.get(value, ())) == 1:
                    self.link(found[0], index[value][0])
        # 3. same text (first occurrence with first occurrence, so duplicates pair in order).
        o_rest, n_rest = rest()
        by_text: dict[tuple[str, str], list[_Unit]] = defaultdict(list)
        for n in n_rest:
            by_text[(n.key, n.sim)].append(n)
        for o in o_rest:
            if (o.key or o.sim) and by_text.get((o.key, o.sim)):
                self.link(o, by_text[(o.key, o.sim)].pop(0))
        # 4. similar text: best pairs first; ties go to the closer relative position.
        o_rest, n_rest = rest()
        if not o_rest or not n_rest:
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

    def scores(self, olds: list[_Unit], news: list[_Unit], threshold: float, own_text: bool = False):
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
    def similarity(o: _Unit, n: _Unit, threshold: float) -> float:
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
        self._align_sections(a.sections, b.sections)
        self._across([u for u in a.order if u.kind == "section"], [u for u in b.order if u.kind == "section"])
        # Products first, across groups (a product can change group), then the groups
        # (a renamed group is recognised by the products it keeps).
        self.align(a.products, b.products)
        self.align(a.groups, b.groups)
        self._align_groups_by_products()
        for o in a.products:
            n = self.matched(o)
            if n is not None:
                self.align(o.children, n.children)
        self._across([u for u in a.order if u.kind == "clause"], [u for u in b.order if u.kind == "clause"])
        # Sub-items last, once every section and clause that holds them is paired: first among
        # the items of paired parents, then across parents (a lettered item moved to another section).
        for o in a.order:
            n = self.matched(o)
            if n is not None and o.kind in ("section", "clause"):
                self._align_items(o, n)
        self._across([u for u in a.order if u.kind == "item"], [u for u in b.order if u.kind == "item"])
        # A section that became a lettered item of another section (or the reverse) moved.
        self._across([u for u in a.order if u.kind in ("section", "item")], [u for u in b.order if u.kind in ("section", "item")])

    def _align_sections(self, olds: list[_Unit], news: list[_Unit]) -> None:
        olds = [u for u in olds if u.kind == "section"]
        news = [u for u in news if u.kind == "section"]
        self.align(olds, news)
        for o in olds:
            n = self.matched(o)
            if n is not None:
                self._align_sections(o.children, n.children)

    def _align_items(self, o: _Unit, n: _Unit) -> None:
        olds = [u for u in o.children if u.kind == "item"]
        news = [u for u in n.children if u.kind == "item"]
        self.align(olds, news)
        for item in olds:
            partner = self.matched(item)
            if partner is not None:
                self._align_items(item, partner)

    def _across(self, olds: list[_Unit], news: list[_Unit]) -> None:
        """Pair nodes left unpaired across parents: a clause that changed product, a
        subsection carried into a restructured article.

        Nodes under an unpaired parent take part too (the text of an article that was
        split up lives on elsewhere), but only with a sentence's worth of text: a
        "Reserved." matching another "Reserved." says nothing.
        """

        def candidate(u: _Unit, old_side: bool) -> bool:
            paired = self.pair if old_side else self.rpair
            if id(u) in paired:
                return False
            return u.parent is None or id(u.parent) in paired or len(u.key) >= ORPHAN_MIN_CHARS

        o_rest = [u for u in olds if candidate(u, True)]
        n_rest = [u for u in news if candidate(u, False)]
        if o_rest and n_rest:
            self.align(o_rest, n_rest, threshold=SIMILAR_ELSEWHERE, own_text=True)

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


# -- turning the alignment into changes -------------------------------------


def _entity_key(entity: Entity) -> tuple[str, str]:
    # Value first: "seven (7) years" and "7 years" are the same duration.
    if entity.value:
        return entity.label, json.dumps(entity.value, sort_keys=True, default=str)
    return entity.label, comparable(entity.text).casefold()


def _only_in(these: list[Entity], others: list[Entity]) -> list[Entity]:
    """Entities of ``these`` left over once each one ``others`` also has is matched (a multiset difference)."""
    remaining = Counter(_entity_key(e) for e in others)
    out = []
    for e in these:
        key = _entity_key(e)
        if remaining[key]:
            remaining[key] -= 1
        else:
            out.append(e)
    return out


def entity_changes(old: Iterable[Entity], new: Iterable[Entity]) -> list[EntityChange]:
    """Entities present on one side only, paired by label in reading order.

    A duration that went from 7 to 10 years is one change ``DURATION 7 years -> 10
    years``, not a removal and an addition. Identical changes repeated in one clause
    are reported once.
    """
    old, new = list(old), list(new)
    gone, came = _only_in(old, new), _only_in(new, old)

    out: list[EntityChange] = []
    seen: set[tuple] = set()
    labels = list(dict.fromkeys([e.label for e in gone] + [e.label for e in came]))
    for label in labels:
        olds = [e for e in gone if e.label == label]
        news = [e for e in came if e.label == label]
        for i in range(max(len(olds), len(news))):
            o = olds[i] if i < len(olds) else None
            n = news[i] if i < len(news) else None
            change = EntityChange(
                label,
                normalize_space(o.text) if o else None,
                normalize_space(n.text) if n else None,
                o.value if o else None,
                n.value if n else None,
            )
            sig = (label, change.old, change.new)
            if sig not in seen:
                seen.add(sig)
                out.append(change)
    return out


class _Reporter:
    def __init__(self, al: _Aligner):
        self.al = al
        self.changes: list[tuple[float, int, Change]] = []
        self._kept_cache: dict[tuple, set[int]] = {}
        # after[i]: latest new position paired with any old unit before old position i.
        self._after: list[float] = []
        latest = -1.0
        for unit in al.a.order:
            self._after.append(latest)
            partner = al.matched(unit)
            if partner is not None:
                latest = max(latest, float(partner.pos))

    def emit(self, kind: str, o: Optional[_Unit], n: Optional[_Unit], **extra) -> None:
        unit = n or o
        change = Change(
            kind=kind,
            old_id=o.id if o else None,
            new_id=n.id if n else None,
            path=list(unit.path),
            old_number=o.number if o else None,
            new_number=n.number if n else None,
            **extra,
        )
        self.changes.append((self.position(o, n), len(self.changes), change))

    def position(self, o: Optional[_Unit], n: Optional[_Unit]) -> float:
        """Sort key in the newer document's reading order; removals sit after their old predecessor."""
        if n is not None:
            return float(n.pos)
        return self._after[o.pos] + 0.5

    def run(self) -> list[Change]:
        al = self.al
        # Unpaired units whose parent is paired (or that have none): one change each;
        # what is under them goes with them.
        for side, kind, paired in ((al.a, "removed", al.pair), (al.b, "added", al.rpair)):
            for unit in side.order:
                if id(unit) in paired:
                    continue
                if unit.parent is not None and id(unit.parent) not in paired:
                    continue
                text = unit.subtree_text(paired)
                if kind == "removed":
                    self.emit(kind, unit, None, old_text=text)
                else:
                    self.emit(kind, None, unit, new_text=text)

        for o in al.a.order:
            n = al.matched(o)
            if n is not None:
                self.compare(o, n)
        return [c for _, _, c in sorted(self.changes, key=lambda t: t[:2])]

    def in_place(self, o: _Unit, n: _Unit) -> bool:
        """Same parent and inside the longest run of siblings that kept their order."""
        if (o.parent is None) != (n.parent is None):
            return False
        if o.parent is not None and self.al.matched(o.parent) is not n.parent:
            return False
        return id(o) in self._kept(o.parent, n.parent, o.kind)

    def _kept(self, op: Optional[_Unit], np: Optional[_Unit], kind: str) -> set[int]:
        cache = self._kept_cache
        key = (id(op), id(np), kind)
        if key not in cache:
            al = self.al
            if op is None:
                olds = {"paragraph": al.a.paragraphs, "section": al.a.sections, "group": al.a.groups}[kind]
                news = {"paragraph": al.b.paragraphs, "section": al.b.sections, "group": al.b.groups}[kind]
            else:
                olds, news = op.children, np.children
            old_index = {id(u): i for i, u in enumerate(olds)}
            pairs = [(al.rpair[id(n)], n) for n in news if id(n) in al.rpair and id(al.rpair[id(n)]) in old_index]
            keep = _longest_in_order([old_index[id(o)] for o, _ in pairs])
            cache[key] = {id(pairs[i][0]) for i in keep}
        return cache[key]

    def compare(self, o: _Unit, n: _Unit) -> None:
        emitted = False
        if not self.in_place(o, n):
            self.emit("moved", o, n, old_text=o.body or None, new_text=n.body or None)
            emitted = True
        if o.name != n.name and o.kind != "clause" and o.kind != "paragraph":
            self.emit("renamed", o, n, old_text=o.label, new_text=n.label, redline=redline(o.label, n.label))
            emitted = True
        if o.key != n.key:
            self.emit(
                "modified", o, n, old_text=o.body, new_text=n.body, redline=redline(o.body, n.body),
                entity_changes=entity_changes(own_entities(o.node), own_entities(n.node)),
            )
            emitted = True
        if not emitted and o.number != n.number and (o.number or n.number):
            self.emit("renumbered", o, n, old_text=o.body or None, new_text=n.body or None)


def diff(old: Document, new: Document) -> DocumentDiff:
    """Compare two versions of an agreement node by node; see the module docstring for how."""
    aligner = _Aligner(old, new)
    aligner.run()
    products = {p.id: p.name for p in old.products}
    products.update({p.id: p.name for p in new.products})
    return DocumentDiff(
        old_title=old.title,
        old_version=old.version,
        new_title=new.title,
        new_version=new.version,
        changes=_Reporter(aligner).run(),
        products=products,
    )

