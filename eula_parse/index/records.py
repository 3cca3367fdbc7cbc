"""What goes into the index and what comes out: records built from a Document, hits, node records.

Everything here is engine-neutral: a record is a plain dict of fields, and
the dataclasses are what callers of :class:`~eula_parse.index.ClauseIndex`
get back, so no engine object ever leaves the package.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

from eula_parse.index.analysis import _TOKEN_RE, _stem, term, terms
from eula_parse.model import Document, Entity, Item, Node, own_text, slugify


#: Stand-in amount for "an unrestricted number of ...", so ``limit>=100`` finds it.
UNLIMITED = 1e9


SNIPPET_CHARS = 220


@dataclass
class Hit:
    """One ranked search result.

    ``snippet`` is plain text around the best-matching passage; ``highlights``
    are ``(start, end)`` offsets of the matched words inside it (the CLI colours
    them, ``--json`` passes them on).
    """

    id: str
    document: str
    title: str
    version: str
    kind: str
    score: float
    text: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    product: Optional[str] = None
    product_id: Optional[str] = None
    group: Optional[str] = None
    number: Optional[str] = None
    heading: Optional[str] = None

    @property
    def qualified_id(self) -> str:
        """``DOCUMENT@VERSION:ID``: names this node in any index, for ``eula show`` to take back."""
        return qualified_id(self.document, self.version, self.id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(h) for h in self.highlights]
        data["qualified_id"] = self.qualified_id
        return data


class SearchResults(list):
    """A ``list[Hit]`` that also knows the query and, when counted, how many records matched in all."""

    def __init__(self, hits: Iterable[Hit] = (), *, query: str = "", total: Optional[int] = None,
                 corrected: Optional[dict[str, list[str]]] = None):
        super().__init__(hits)
        self.query = query
        self.total = total
        #: Words of the query that are in no indexed text, mapped to the (stemmed) terms searched instead.
        self.corrected = corrected or {}


@dataclass
class NodeRef:
    """Another node named in :class:`NodeRecord` context (a reference, a clause of a product)."""

    id: str
    label: str
    excerpt: str = ""
    found: bool = True


@dataclass
class NodeRecord:
    """One node as stored in the index, with its context, for ``eula show``."""

    id: str
    document: str
    title: str
    version: str
    kind: str
    text: str
    product: Optional[str] = None
    product_id: Optional[str] = None
    group: Optional[str] = None
    group_id: Optional[str] = None
    number: Optional[str] = None
    heading: Optional[str] = None
    page_start: int = 0
    page_end: int = 0
    items: list[Item] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    modality: list[str] = field(default_factory=list)
    #: Ancestors, outermost first, as ``(id, label)``.
    path: list[tuple[str, str]] = field(default_factory=list)
    references: list[NodeRef] = field(default_factory=list)
    referenced_by: list[NodeRef] = field(default_factory=list)
    #: Clauses of a product, products of a group, child sections of a section.
    children: list[NodeRef] = field(default_factory=list)
    source: Optional[str] = None
    sha256: Optional[str] = None

    @property
    def qualified_id(self) -> str:
        return qualified_id(self.document, self.version, self.id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = [list(p) for p in self.path]
        data["qualified_id"] = self.qualified_id
        return data

    def to_export(self) -> dict[str, Any]:
        """One flat record for other engines and pipelines (``eula export --jsonl``).

        ``path`` is the breadcrumb as labels (``path_ids`` the same as ids),
        ``pages`` is ``[first, last]``; keys with no value are present and null.
        """
        return {
            "document": self.document, "version": self.version, "title": self.title, "id": self.id,
            "kind": self.kind, "number": self.number, "heading": self.heading, "product": self.product,
            "product_id": self.product_id, "group": self.group, "group_id": self.group_id,
            "path": [label for _, label in self.path], "path_ids": [node_id for node_id, _ in self.path],
            "text": self.text, "pages": [self.page_start, self.page_end],
            "entities": [asdict(e) for e in self.entities], "modality": list(self.modality),
            "items": [asdict(i) for i in self.items], "source": self.source, "sha256": self.sha256,
        }


@dataclass
class DocumentInfo:
    """One indexed file: a version of a document."""

    document: str
    title: str
    version: str
    sha256: str
    nodes: int
    source: Optional[str] = None
    pages: int = 0
    indexed_at: float = 0.0
    #: ``YYYYMMDD`` found in the version label or file name; orders versions.
    date: str = ""
    latest: bool = False
    #: Sections and product clauses (``None`` in indexes written before it was recorded).
    clauses: Optional[int] = None
    #: The first organisation the preamble names (the party granting the licence), if any.
    vendor: Optional[str] = None
    #: The file's key in the index (its SHA-256): engines keep records per key.
    key: str = ""
    #: :func:`eula_parse.cache.code_digest` of the code that parsed the file: its stored tree is
    #: reused for ``eula diff`` and friends only by that same code.
    parser: Optional[str] = None

    @property
    def docver(self) -> str:
        return f"{self.document}@{self.version}"

    @property
    def sort_key(self) -> tuple[str, float]:
        return (self.date, self.indexed_at)


@dataclass
class AddResult:
    """What ``ClauseIndex.add`` did: ``status`` is ``added``, ``replaced`` or ``unchanged``."""

    status: str
    document: str
    title: str
    version: str
    nodes: int
    sha256: str


@dataclass
class FileResult:
    """Outcome of indexing one file in a batch (``status`` ``error`` carries ``error``)."""

    path: str
    status: str
    seconds: float = 0.0
    document: Optional[str] = None
    title: Optional[str] = None
    version: Optional[str] = None
    nodes: int = 0
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.status != "error"


_DATE_PATTERNS = [
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)"), (3, 1, 2)),
]


def version_token(version: str) -> str:
    """A version label as one word for a qualified id: its date ("EULA 20250425" -> 20250425), else its slug.

    ``ClauseIndex`` accepts it back wherever a version is asked for.
    """
    date = version_date(version)
    if len(date) == 8 and not date.endswith("0000") and len(re.findall(r"(?:19|20)\d\d", version)) <= 1:
        return date
    return slugify(version)


def qualified_id(document: str, version: str, node_id: str) -> str:
    """``DOCUMENT@VERSION:ID``, unique across every document and version in an index."""
    return f"{document}@{version_token(version)}:{node_id}"


def split_qualified(text: str) -> tuple[Optional[str], Optional[str], str]:
    """``doc@version:id`` -> (doc, version, id); ``doc:id`` -> (doc, None, id); ``id`` -> (None, None, id)."""
    text = text.strip()
    head, sep, node_id = text.partition(":")
    if not sep or "/" in head or not node_id:
        return None, None, text
    document, at, version = head.partition("@")
    return document or None, (version or None) if at else None, node_id


def version_date(*texts: Optional[str]) -> str:
    """``YYYYMMDD`` from the first date found in ``texts`` ("EULA 20250425", "2018-03-30"), else ``""``.

    Used to decide which version of a document is the latest without relying
    on the order files were indexed in.
    """
    for text in texts:
        if not text:
            continue
        for pattern, (y, m, d) in _DATE_PATTERNS:
            match = pattern.search(text)
            if match:
                year, month, day = match.group(y), int(match.group(m)), int(match.group(d))
                if month > 12 and day <= 12:  # dd/mm/yyyy
                    month, day = day, month
                return f"{year}{month:02d}{day:02d}"
        match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)
        if match:
            return match.group(1) + "0000"
    return ""


def document_version(document: Document) -> str:
    """The version label to index under: the document's own, else a date in its file name, else its hash."""
    if document.version:
        return " ".join(str(document.version).split())
    if document.source:
        date = version_date(Path(document.source).name)
        if date:
            return f"{date[:4]}-{date[4:6]}-{date[6:]}" if not date.endswith("0000") else date[:4]
    if document.sha256:
        return "sha-" + document.sha256[:12]
    return "unversioned"


def _vendor(document: Document) -> Optional[str]:
    """The first organisation the preamble names: agreements open with the party granting the licence."""
    for para in document.preamble:
        for entity in sorted(para.entities, key=lambda e: e.start):
            if str(entity.label).upper() == "ORG" and entity.text.strip():
                return entity.text.strip()
    return None


def _document_sha(document: Document) -> str:
    if document.sha256:
        return document.sha256
    blob = json.dumps(document.to_dict(), sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


_DURATION_DAYS = {"D": 1.0, "W": 7.0, "M": 30.0, "Y": 365.0, "H": 1 / 24}
_UNIT_WORDS = {
    "day": "D", "days": "D", "d": "D", "week": "W", "weeks": "W", "w": "W",
    "month": "M", "months": "M", "m": "M", "year": "Y", "years": "Y", "y": "Y",
    "hour": "H", "hours": "H", "h": "H",
}


def duration_days(value: Any) -> Optional[float]:
    """Days in an ISO-8601 duration ("P90D", "P10Y", "P1Y6M") or "30 days" / "3y"; ``None`` if not one."""
    if value is None:
        return None
    text = str(value).strip().upper()
    match = re.fullmatch(r"P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                         r"(?:T(?:(\d+(?:\.\d+)?)H)?)?", text)
    if match and any(match.groups()):
        y, m, w, d, h = (float(g) if g else 0.0 for g in match.groups())
        return y * 365 + m * 30 + w * 7 + d + h / 24
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([A-Z]+)?", text)
    if match:
        unit = _UNIT_WORDS.get((match.group(2) or "D").lower())
        if unit:
            return float(match.group(1)) * _DURATION_DAYS[unit]
    return None


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("unlimited", "unrestricted", "inf", "infinity"):
            return UNLIMITED
        text = re.sub(r"^[a-z$€£¥\s]+|[a-z\s]+$", "", text).replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def entity_number(label: str, value: Optional[dict[str, Any]]) -> Optional[float]:
    """The number a ``LABEL>=X`` filter compares against: days for DURATION, else ``amount``."""
    value = value or {}
    label = label.upper()
    if label == "DURATION":
        days = duration_days(value.get("iso"))
        if days is None and value.get("amount") is not None:
            unit = _UNIT_WORDS.get(str(value.get("unit", "day")).lower().rstrip("s") + "s") or \
                _UNIT_WORDS.get(str(value.get("unit", "day")).lower())
            amount = _number(value.get("amount"))
            if amount is not None and unit:
                days = amount * _DURATION_DAYS[unit]
        return days
    if label == "LIMIT" and str(value.get("bound", "")).lower() == "unlimited":
        return UNLIMITED
    return _number(value.get("amount"))


def _value_slug(text: Any) -> str:
    return _slug(str(text))


@functools.lru_cache(maxsize=65536)
def _slug(text: str) -> str:
    return slugify(text) if text.strip() else ""


def _entity_fields(entities: Sequence[Entity]) -> tuple[set[str], set[str], dict[str, list[float]], list[str]]:
    labels: set[str] = set()
    values: set[str] = set()
    numbers: dict[str, list[float]] = {}
    refs: list[str] = []
    for e in entities:
        label = str(e.label).lower()
        labels.add(label)
        slug = _value_slug(e.text)
        if slug:
            values.add(f"{label}:{slug}")
        for key, val in (e.value or {}).items():
            if isinstance(val, bool):
                if val:
                    values.add(f"{label}:{slugify(str(key))}")
            elif isinstance(val, str) and len(val) < 80:
                slug = _value_slug(val)
                if slug:
                    values.add(f"{label}:{slug}")
        num = entity_number(label, e.value)
        if num is not None:
            numbers.setdefault(label, []).append(num)
        if label == "xref" and e.target:
            targets = e.target if isinstance(e.target, list) else [e.target]
            refs.extend(str(t) for t in targets if t)
    return labels, values, numbers, refs


STRIP_OWN_NAME = True


@functools.lru_cache(maxsize=256)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    """What every word whose stem is one of ``terms`` starts with (lower case): the stem less its last two letters."""
    return tuple(sorted({t[:max(2, len(t) - 2)] for t in terms if t}))


def _word_start(text: str, i: int) -> bool:
    """True when a word of the analyser (``_TOKEN_RE``) may start at ``i``: not inside a word or after "x." or "x'"."""
    if i == 0:
        return True
    before = text[i - 1]
    if before.isalnum() or before == "_":
        return False
    if before in ".’'" and i >= 2:
        return not (text[i - 2].isalnum() or text[i - 2] == "_")
    return True


def _spans(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """``(start, end, stem)`` of the words of ``text`` whose stem is in ``terms``.

    Only words starting like a term are stemmed, not every word: ``str.find``
    of each term's prefix in the lower-cased text finds them (three times
    faster than one regex of all prefixes); snippets are built for every hit
    of every search.
    """
    if not terms:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # lower-casing moved offsets (rare letters): stem every word
        return [(m.start(), m.end(), stem) for m in _TOKEN_RE.finditer(text)
                if (stem := term(m.group())) is not None and stem in terms]
    starts = set()
    for prefix in _prefixes(frozenset(terms)):
        i = lowered.find(prefix)
        while i != -1:
            if _word_start(text, i):
                starts.add(i)
            i = lowered.find(prefix, i + 1)
    if "+" in text and _stem("plus") in terms:  # a lone "+" is indexed as "plus", wherever it stands
        starts.update(i for i, c in enumerate(text) if c == "+")
    spans: list[tuple[int, int, str]] = []
    covered = -1
    for i in sorted(starts):
        if i < covered:
            continue  # inside a word already looked at ("x.licence" starts at "x")
        token = _TOKEN_RE.match(text, i)
        if token is None:
            continue
        covered = token.end()
        stem = term(token.group())
        if stem is not None and stem in terms:
            spans.append((i, covered, stem))
    return spans


def _snippet(text: str, terms: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """The passage of ``text`` with the most distinct query words, and where they are in it."""
    spans = _spans(text, terms)
    if len(text) <= SNIPPET_CHARS:
        return text, [(s, e) for s, e, _ in spans]
    start = 0
    if spans:
        best, best_count = 0, -1
        for i, (s, _, _) in enumerate(spans):
            count = len({w for s2, _, w in spans[i:] if s2 < s + SNIPPET_CHARS - 40})
            if count > best_count:
                best, best_count = i, count
        start = max(0, spans[best][0] - 40)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space != -1 and start - space < 30 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + SNIPPET_CHARS // 2 else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    snippet = prefix + text[start:end].strip() + suffix
    shift = len(prefix) - start - (len(text[start:end]) - len(text[start:end].lstrip()))
    kept = [(s + shift, e + shift) for s, e, _ in spans if s >= start and e <= end]
    return snippet, kept


def _hit(stored: dict[str, Any], score: float, terms: set[str]) -> Hit:
    text = stored.get("text") or ""
    snippet, spans = _snippet(text, terms)
    return Hit(
        id=stored["id"], document=stored["document"], title=stored.get("title") or "",
        version=stored["version"], kind=stored["kind"], score=round(float(score), 4), text=text,
        snippet=snippet, highlights=spans, product=stored.get("product"), product_id=stored.get("product_id"),
        group=stored.get("group"), number=stored.get("number"), heading=stored.get("heading"),
    )


def _order(stored: dict[str, Any]) -> int:
    return stored.get("order") or 0


def _ref(stored: dict[str, Any]) -> NodeRef:
    text = stored.get("text") or ""
    excerpt = text if len(text) <= 100 else text[:100].rsplit(" ", 1)[0] + "…"
    if stored.get("heading") and stored.get("kind") != "item":
        label = stored["heading"]
        if stored.get("number"):
            label = f"{stored['number']} {label}"
    elif stored.get("kind") == "item":
        label = " ".join(x for x in (f"({stored.get('number')})", stored.get("heading")) if x)
    elif stored.get("kind") == "clause":
        label = f"{stored.get('product') or ''} clause {stored.get('number')}".strip()
    elif stored.get("kind") == "product":
        label = stored.get("product") or stored["id"]
    else:
        label = stored.get("number") or stored["id"]
    return NodeRef(stored["id"], label, excerpt)


def _record_from_stored(stored: dict[str, Any]) -> NodeRecord:
    data = json.loads(stored["data"])
    return NodeRecord(
        id=stored["id"], document=stored["document"], title=stored.get("title") or "",
        version=stored["version"], kind=stored["kind"], text=stored.get("text") or "",
        product=stored.get("product"), product_id=stored.get("product_id"), group=stored.get("group"),
        group_id=stored.get("group_id"), number=stored.get("number"), heading=stored.get("heading"),
        page_start=data.get("pages", [0, 0])[0], page_end=data.get("pages", [0, 0])[1],
        items=[Item.from_dict(i) for i in data.get("items", [])],
        entities=[Entity(**e) for e in data.get("entities", [])],
        modality=list(data.get("modality", [])),
        path=[tuple(p) for p in data.get("path", [])],
    )


@functools.lru_cache(maxsize=4096)
def _name_stems(name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The stems of a product name, and a prefix of each that any word with that stem contains."""
    stems = frozenset(terms(name))
    return stems, tuple(stem[:max(3, len(stem) - 2)] for stem in stems)


def _without_name(text: str, name: str) -> str:
    """``text`` minus the words of the product ``name``: what the Whoosh engine indexes (see :func:`indexed_text`)."""
    stems, prefixes = _name_stems(name)
    lowered = text.lower()
    if not stems or not any(p in lowered for p in prefixes):
        return text  # most clauses never spell their product's name: skip the word loop
    keep: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        if term(match.group()) in stems:
            keep.append(text[last:match.start()])
            last = match.end()
    keep.append(text[last:])
    return "".join(keep)


def indexed_text(record: dict[str, Any]) -> str:
    """The words a record is searched by, as text: its ``text`` minus its own product's name.

    Every record of a product carries the name in the ``product`` field
    already; a clause (or the intro) that also spells the name out would
    otherwise outrank its siblings on any question naming the product,
    although the name says which product, not which clause. The record
    only says which name (``own_name``); each engine takes it out in the
    cheapest way it has (this, or :func:`indexed_terms`).
    """
    text = record.get("text") or ""
    name = record.get("own_name")
    return _without_name(text, name) if name and text else text


def indexed_terms(record: dict[str, Any]) -> list[str]:
    """:func:`indexed_text` as index terms, tokenising the text once (the same terms, in order)."""
    found = terms(record.get("text"))
    name = record.get("own_name")
    if name and found:
        stems = _name_stems(name)[0]
        if stems:
            found = [t for t in found if t not in stems]
    return found


def _item_dict(item: Item) -> dict[str, Any]:
    """``asdict(item)`` without its deep copies (several times faster; the dict is dumped at once)."""
    out = dict(item.__dict__)
    out["entities"] = [_plain(e) for e in item.entities]
    out["items"] = [_item_dict(i) for i in item.items]
    return out


def _plain(obj: Any) -> dict[str, Any]:
    """A model dataclass as a dict, one level deep (``asdict`` deep-copies every value: 10x slower)."""
    return dict(obj.__dict__)


def _records(document: Document, doc_id: str, version: str, docver: str, key: str) -> Iterator[dict[str, Any]]:
    """One record per text-bearing node, with its context precomputed; engines index what they need of it.

    ``text`` is what is searched (less ``own_name``, see :func:`indexed_text`),
    ``stored_text`` what is shown; ``key`` names the file the record belongs to.
    """
    title = document.title or ""
    seen: dict[str, int] = {}
    order = 0

    def record(node: Node, kind: str, *, number=None, heading=None, product=None, group=None,
               path=(), parent=None, items=()) -> dict[str, Any]:
        nonlocal order
        order += 1
        uid = f"{key[:16]}#{node.id}"
        if uid in seen:  # a parser that repeats an id must not make records overwrite each other
            seen[uid] += 1
            uid = f"{uid}~{seen[uid]}"
        else:
            seen[uid] = 1
        labels, values, numbers, refs = _entity_fields(node.entities)
        data: dict[str, Any] = {
            "items": [_item_dict(i) for i in items],
            "entities": [_plain(e) for e in node.entities],
            "modality": list(node.modality),
            "pages": [node.page_start, node.page_end],
            "path": [list(p) for p in path],
        }
        text = node.text or ""
        # a sub-item's words are searched on its own record; the parent is found by the words
        # that are its own, so the text of a list is not counted twice
        indexed = own_text(node) if items else text
        if kind == "product" and group is not None:  # groups have no record of their own; keep what Group holds
            data["group"] = {"text": group.text, "pages": [group.page_start, group.page_end],
                             "entities": [_plain(e) for e in group.entities], "modality": list(group.modality)}
        return {
            "uid": uid, "file": key, "id": node.id, "document": doc_id, "docver": docver, "title": title,
            "version": version, "kind": kind, "order": order, "stored_text": text,
            "text": indexed, "own_name": product.name if product is not None and STRIP_OWN_NAME else None,
            "number": str(number) if number else None, "parent": parent or None, "heading": heading or None,
            "product": product.name if product is not None else None,
            "product_id": product.id if product is not None else None,
            "group": group.name if group is not None else None, "group_id": group.id if group is not None else None,
            "entity": sorted(labels), "value": sorted(values),
            "modality": [str(m).lower() for m in node.modality], "refs": refs,
            "numbers": {re.sub(r"[^a-z0-9_]", "_", label): nums for label, nums in numbers.items()},
            "data": json.dumps(data, default=str, check_circular=False, separators=(",", ":")),
        }

    for para in document.preamble:
        yield record(para, "preamble")

    def items(node: Node, path, **context):
        """Records of ``node``'s sub-items, so that a search can land on "2.1(a)" itself."""
        for item in getattr(node, "items", None) or []:
            yield record(item, "item", number=item.label, heading=item.heading, path=path, parent=node.id,
                         items=item.items, **context)
            label = " ".join(x for x in (f"({item.label})", item.heading) if x)
            yield from items(item, [*path, (item.id, label)], **context)

    def sections(children, path):
        for section in children:
            label = " ".join(x for x in (section.number, section.heading) if x) or section.id
            yield record(section, "section", number=section.number, heading=section.heading, path=path,
                         parent=path[-1][0] if path else None, items=section.items)
            yield from items(section, [*path, (section.id, label)])
            yield from sections(section.children, [*path, (section.id, label)])

    yield from sections(document.sections, [])
    for group in document.groups:
        gpath = [(group.id, group.name)]
        for product in group.products:
            yield record(product, "product", product=product, group=group, path=gpath, parent=group.id)
            ppath = [*gpath, (product.id, product.name)]
            for clause in product.clauses:
                yield record(clause, "clause", number=clause.number, product=product, group=group,
                             path=ppath, parent=product.id, items=clause.items)
                yield from items(clause, [*ppath, (clause.id, clause.number)], product=product, group=group)
