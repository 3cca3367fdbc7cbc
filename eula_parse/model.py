"""The document model every stage shares.

A parsed agreement is a tree of plain dataclasses: no PDF, spaCy or Whoosh
object ever hangs off it, so a ``Document`` can be pickled, sent as JSON
(``to_dict``/``from_dict`` round-trip exactly) and compared in tests.

Every node that carries text has a stable ``id`` that does not depend on the
page layout, so the same clause keeps its id when the PDF is re-typeset:

============================  =====================================
``preamble/2``                second preamble paragraph
``general/limitation-of-liability``  general-terms section by heading
``section/4.1.4``             a numbered section (other drafting styles)
``group/xprotect-clients``    product group
``product/xprotect-corporate``         product (its ``intro`` is the text)
``product/xprotect-corporate/5``       numbered clause in a product
``product/xprotect-corporate/5/a``     sub-item "a)" of that clause
``section/2.5/b/iii``         sub-item "(iii)" of item "b." of section 2.5
============================  =====================================

Sub-items (:class:`Item`) hang under sections, clauses and other sub-items in
``items``, nesting as the document nests them. A parent's ``text`` is its
whole text, sub-items included; each sub-item also carries its own slice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Iterator, Optional


def slugify(text: str) -> str:
    """ASCII, lower-case, dash-separated: ``"XProtect® Smart Wall"`` -> ``"xprotect-smart-wall"``."""
    text = re.sub(r"[®™©º°]", "", text).replace("+", " plus ")
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9.]+", "-", text).strip("-.") or "untitled"


def normalize_space(text: str) -> str:
    """Collapse every run of white space to one space; the form all ``text`` fields use."""
    return " ".join(text.split())


@dataclass
class Entity:
    """A tagged span of a node's text; ``start``/``end`` are character offsets into it."""

    label: str
    text: str
    start: int
    end: int
    value: Optional[dict[str, Any]] = None
    #: id of the node this mention points at (XREF, PRODUCT, TERM), a list when it names several.
    target: Optional[Any] = None


@dataclass
class Node:
    """Fields shared by everything that holds text of the agreement."""

    id: str
    text: str = ""
    page_start: int = 0
    page_end: int = 0
    entities: list[Entity] = field(default_factory=list)
    modality: list[str] = field(default_factory=list)

    kind = "node"


@dataclass(init=False)
class Item(Node):
    """A sub-item: "a.", "(b)", "(iii)", or "1)" under a lettered item.

    ``label`` is what the document prints, without brackets or period ("a", "iii",
    "1"); ``heading`` is a run-in heading ("Concurrent Use License" in "a. Concurrent
    Use License. Customer may ..."), and ``text`` what follows it, nested items
    included. The id follows citation: ``section/2.5/b/iii``.

    ``Item("a", "on one server")`` still builds an item as it did when items were
    plain (label, text) pairs, hence the hand-written ``__init__``.
    """

    label: str = ""
    heading: Optional[str] = None
    items: list["Item"] = field(default_factory=list)

    kind = "item"

    def __init__(self, label: str = "", text: str = "", id: str = "", heading: Optional[str] = None,
                 page_start: int = 0, page_end: int = 0, entities: Optional[list[Entity]] = None,
                 modality: Optional[list[str]] = None, items: Optional[list["Item"]] = None):
        self.id, self.text, self.label, self.heading = id, text, label, heading
        self.page_start, self.page_end = page_start, page_end
        self.entities = list(entities or [])
        self.modality = list(modality or [])
        self.items = list(items or [])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Item":
        """An item and its nested items from ``asdict`` output (older ``{label, text}`` dicts too)."""
        names = {f.name for f in fields(cls)}
        raw = {k: v for k, v in data.items() if k in names}
        raw["entities"] = [Entity(**e) for e in raw.get("entities") or []]
        raw["items"] = [cls.from_dict(i) for i in raw.get("items") or []]
        return cls(**raw)

    def all_items(self) -> Iterator["Item"]:
        """This item's sub-items at every depth, in reading order."""
        for item in self.items:
            yield item
            yield from item.all_items()


def item_spans(text: str, items: list[Item]) -> list[tuple[Item, int, int]]:
    """Where each of ``items`` sits in its parent's ``text``: ``(item, start, end)`` from its
    label ("b)", "(iii)") to the end of its text.

    Items whose text the parent's does not contain (a hand-built tree) are left out.
    What is left when these spans are cut out is the parent's own wording, which is
    what tells a change to the parent from a change to one of its items.
    """
    out = []
    cursor = 0
    for item in items:
        probe = item.text or item.heading or ""
        at = text.find(probe, cursor) if probe else -1
        if at < 0:
            continue
        marker = None
        for m in re.finditer(rf"(?<![\w(])\(?{re.escape(item.label)}[.)]", text[cursor:at + 1]):
            marker = m
        start = cursor + marker.start() if marker else at
        end = at + len(probe)
        if item.heading and not item.text:
            end = at + len(item.heading)
        out.append((item, start, end))
        cursor = end
    return out


def own_entities(node: "Node") -> list[Entity]:
    """``node.entities`` outside its sub-items: what a sub-item says is listed on the sub-item."""
    spans = [(start, end) for _item, start, end in item_spans(node.text or "", getattr(node, "items", None) or [])]
    return [e for e in node.entities if not any(start <= e.start and e.end <= end for start, end in spans)]


def own_text(node: "Node") -> str:
    """``node.text`` without its sub-items (labels, headings and texts): the words that are the node's own."""
    items = getattr(node, "items", None) or []
    spans = item_spans(node.text or "", items)
    if not spans:
        return node.text or ""
    pieces, last = [], 0
    for _item, start, end in spans:
        pieces.append(node.text[last:start])
        last = end
    pieces.append(node.text[last:])
    return normalize_space(" ".join(pieces))


@dataclass
class Paragraph(Node):
    """A preamble paragraph: text before the first section or group."""

    kind = "preamble"


@dataclass
class Section(Node):
    """A general-terms section, or a numbered article/section of any depth.

    ``number`` is what the document prints ("4.1.4", "ARTICLE 1", "B.1") or
    ``None`` for run-in headings such as "Limitation of Liability.".
    """

    number: Optional[str] = None
    heading: Optional[str] = None
    items: list[Item] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)

    kind = "section"


@dataclass
class Clause(Node):
    """A numbered clause of a product's specific terms."""

    number: str = ""
    items: list[Item] = field(default_factory=list)

    kind = "clause"


@dataclass
class Product(Node):
    """A product's specific terms: ``intro`` (kept in ``text`` too) then its clauses."""

    name: str = ""
    clauses: list[Clause] = field(default_factory=list)

    kind = "product"

    @property
    def intro(self) -> str:
        return self.text


@dataclass
class Group(Node):
    """A product group heading ("XProtect® Clients") and the products under it."""

    name: str = ""
    products: list[Product] = field(default_factory=list)

    kind = "group"


@dataclass
class Document:
    """A parsed agreement."""

    title: str = ""
    version: Optional[str] = None
    pages: int = 0
    preamble: list[Paragraph] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    #: path the document was parsed from and the SHA-256 of its bytes.
    source: Optional[str] = None
    sha256: Optional[str] = None

    # -- navigation ---------------------------------------------------------

    @property
    def id(self) -> str:
        """Document identity across versions: the slug of its title."""
        return slugify(self.title) if self.title else "untitled"

    @property
    def products(self) -> list[Product]:
        return [p for g in self.groups for p in g.products]

    @property
    def clauses(self) -> list[Clause]:
        return [c for p in self.products for c in p.clauses]

    def all_sections(self) -> Iterator[Section]:
        """Sections depth-first, parents before children."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def walk(self) -> Iterator[tuple[Node, Optional[Node]]]:
        """``(node, parent)`` for every text-bearing node in reading order: a section, then its
        sub-items, then its child sections; a clause, then its sub-items."""

        def with_items(node: Node) -> Iterator[tuple[Node, Optional[Node]]]:
            for item in getattr(node, "items", None) or []:
                yield item, node
                yield from with_items(item)

        def sections(items: list[Section], parent: Optional[Section]) -> Iterator[tuple[Node, Optional[Node]]]:
            for section in items:
                yield section, parent
                yield from with_items(section)
                yield from sections(section.children, section)

        for paragraph in self.preamble:
            yield paragraph, None
        yield from sections(self.sections, None)
        for group in self.groups:
            for product in group.products:
                yield product, group
                for clause in product.clauses:
                    yield clause, product
                    yield from with_items(clause)

    def nodes(self) -> Iterator[Node]:
        """Every text-bearing node in reading order, sub-items included (groups excluded: they hold no text)."""
        for node, _parent in self.walk():
            yield node

    def get(self, node_id: str) -> Optional[Node]:
        """The node (group included) with this id, or ``None``."""
        if node_id.startswith("group/"):
            return next((g for g in self.groups if g.id == node_id), None)
        return next((n for n in self.nodes() if n.id == node_id), None)

    def parent_of(self, node_id: str) -> Optional[Node]:
        """The node (section, clause, product, group or sub-item) ``node_id`` hangs under."""
        return next((parent for node, parent in self.walk() if node.id == node_id), None)

    # -- serialisation ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Keep the JSON shape stable and readable: product intro under its documented name.
        for group in data["groups"]:
            for product in group["products"]:
                product["intro"] = product.pop("text")
        data["id"] = self.id
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        def build(klass, raw):
            raw = dict(raw)
            if "entities" in raw:
                raw["entities"] = [Entity(**e) for e in raw["entities"]]
            if "items" in raw:
                raw["items"] = [Item.from_dict(i) for i in raw["items"]]
            if klass is Section:
                raw["children"] = [build(Section, c) for c in raw.get("children", [])]
            if klass is Product:
                raw["text"] = raw.pop("intro", raw.get("text", ""))
                raw["clauses"] = [build(Clause, c) for c in raw.get("clauses", [])]
            if klass is Group:
                raw["products"] = [build(Product, p) for p in raw.get("products", [])]
            names = {f.name for f in fields(klass)}
            return klass(**{k: v for k, v in raw.items() if k in names})

        return cls(
            title=data.get("title", ""),
            version=data.get("version"),
            pages=data.get("pages", 0),
            preamble=[build(Paragraph, p) for p in data.get("preamble", [])],
            sections=[build(Section, s) for s in data.get("sections", [])],
            groups=[build(Group, g) for g in data.get("groups", [])],
            source=data.get("source"),
            sha256=data.get("sha256"),
        )
