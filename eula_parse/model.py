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
============================  =====================================
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
class Item:
    """A sub-item of a clause or section: ``label`` is ``"a"``, ``"ii"``, ``"1"``..., without brackets."""

    label: str
    text: str


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

    def nodes(self) -> Iterator[Node]:
        """Every text-bearing node in reading order (groups excluded: they hold no text)."""
        yield from self.preamble
        yield from self.all_sections()
        for product in self.products:
            yield product
            yield from product.clauses

    def get(self, node_id: str) -> Optional[Node]:
        """The node (group included) with this id, or ``None``."""
        if node_id.startswith("group/"):
            return next((g for g in self.groups if g.id == node_id), None)
        return next((n for n in self.nodes() if n.id == node_id), None)

    def parent_of(self, node_id: str) -> Optional[Node]:
        for group in self.groups:
            for product in group.products:
                if product.id == node_id:
                    return group
                if any(c.id == node_id for c in product.clauses):
                    return product
        for section in self.all_sections():
            if any(c.id == node_id for c in section.children):
                return section
        return None

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
                raw["items"] = [Item(**i) for i in raw["items"]]
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
