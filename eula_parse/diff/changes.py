"""The diff's result: changes with their kinds, redlines and entity changes; and how an alignment becomes them.

* A whole product, group or section that appears or disappears is one change;
  its clauses are not listed one by one.
* ``moved`` is decided by order, not by distance: among paired siblings, the
  longest increasing subsequence of old positions is "in place"; a node outside
  it moved. This reports the one clause that was moved instead of every clause
  it jumped over. When several equally long runs exist (two clauses swapped),
  the one that keeps the fewest words in place wins, so of two swapped clauses
  the longer is reported moved (as the reference change list of the corpus pair
  reads its swap), then the one holding the alphabetically first text: rules
  that read the same whichever version is called old, so ``diff(b, a)`` names
  the same node moved as ``diff(a, b)``.
* A change is reported once, on the deepest node that changed: a node's own
  words exclude its sub-items, which are compared on their own.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from eula_parse.diff.align import Aligner, Unit
from eula_parse.diff.text import comparable, redline
from eula_parse.errors import NotFoundError
from eula_parse.model import Document, Entity, normalize_space, own_entities, slugify

#: Every kind of change, in the order reports list them.
KINDS = ("added", "removed", "modified", "renamed", "moved", "renumbered")
#: Kinds that change what the agreement says; ``renumbered`` is bookkeeping.
SUBSTANTIVE = frozenset(KINDS) - {"renumbered"}

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


def longest_in_order(old_positions: list[int], weights: list[tuple[int, ...]]) -> set[int]:
    """Indexes (into ``old_positions``, which is in new order) of one longest increasing subsequence.

    Of equally long ones, the one whose ``weights`` (one tuple of non-negative ints
    per index, summed element-wise and compared in order) add up to most wins. An
    increasing run of old positions in new order is an increasing run of new
    positions in old order too, so with weights that do not depend on the direction
    (and sums that differ between any two sets) both directions pick the same nodes.
    O(n log n): a Fenwick tree over old positions holds the best run ending below
    each one. A score is one int, the tuple (length, *weights) in mixed radix: each
    digit's base exceeds its largest possible sum, so adding never carries and ints
    compare as the tuples would.
    """
    n = len(old_positions)
    rows = [(1, *w) for w in weights]
    bases = [sum(column) + 1 for column in zip(*rows)]
    gains = []
    for row in rows:
        packed = 0
        for digit, base in zip(row, bases):
            packed = packed * base + digit
        gains.append(packed)
    size = max(old_positions, default=-1) + 1
    tree_score = [0] * (size + 1)  # best score of a run ending at or below each Fenwick node
    tree_end: list[Optional[int]] = [None] * (size + 1)
    prev: list[Optional[int]] = [None] * n
    best, best_end = 0, None
    for i, value in enumerate(old_positions):
        below, below_end, j = 0, None, value  # the best run over old positions < value
        while j > 0:
            if tree_score[j] > below:
                below, below_end = tree_score[j], tree_end[j]
            j -= j & -j
        score = below + gains[i]
        prev[i] = below_end
        j = value + 1
        while j <= size:
            if score > tree_score[j]:
                tree_score[j], tree_end[j] = score, i
            j += j & -j
        if score > best:
            best, best_end = score, i
    keep: set[int] = set()
    i = best_end
    while i is not None:
        keep.add(i)
        i = prev[i]
    return keep


def _stay_weights(pairs: list[tuple[Unit, Unit]]) -> list[tuple[int, int]]:
    """Per (old, new) pair: how few words it holds on both sides (the most any pair holds, less its
    own), then a bit that is higher the earlier its text sorts; the same whichever side is old
    (see :func:`longest_in_order`). Among runs of one length, the run that stays in place is the
    one holding the fewest words: of two swapped clauses, the longer is reported moved.

    The bits are distinct powers of two, so no two sets of pairs weigh the same and the
    choice never falls back on the order the pairs are listed in.
    """
    content = [tuple(sorted(((o.key, o.name), (n.key, n.name)))) for o, n in pairs]
    rank = sorted(range(len(pairs)), key=content.__getitem__)
    bit = {i: 1 << (len(pairs) - 1 - r) for r, i in enumerate(rank)}
    words = [o.words + n.words for o, n in pairs]
    most = max(words, default=0)
    return [(most - words[i], bit[i]) for i in range(len(pairs))]


class _Reporter:
    def __init__(self, al: Aligner):
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

    def emit(self, kind: str, o: Optional[Unit], n: Optional[Unit], **extra) -> None:
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

    def position(self, o: Optional[Unit], n: Optional[Unit]) -> float:
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

    def in_place(self, o: Unit, n: Unit) -> bool:
        """Same parent and inside the longest run of siblings that kept their order."""
        if (o.parent is None) != (n.parent is None):
            return False
        if o.parent is not None and self.al.matched(o.parent) is not n.parent:
            return False
        return id(o) in self._kept(o.parent, n.parent, o.kind)

    def _kept(self, op: Optional[Unit], np: Optional[Unit], kind: str) -> set[int]:
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
            positions = [old_index[id(o)] for o, _ in pairs]
            if all(x < y for x, y in zip(positions, positions[1:])):  # the usual case: nothing moved
                cache[key] = {id(o) for o, _ in pairs}
            else:
                keep = longest_in_order(positions, _stay_weights(pairs))
                cache[key] = {id(pairs[i][0]) for i in keep}
        return cache[key]

    def compare(self, o: Unit, n: Unit) -> None:
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
    aligner = Aligner(old, new)
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

