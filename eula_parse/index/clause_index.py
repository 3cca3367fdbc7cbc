"""A clause index: ask a question of many agreements and land on the exact clause.

``ClauseIndex`` keeps one index record per preamble paragraph, section,
product intro and clause, for every version of every agreement added to it.
Whoosh does the work underneath, but no Whoosh object leaves this module:
callers get :class:`Hit` and :class:`NodeRecord` dataclasses, so another
engine could sit behind the same class later.

Why the index is shaped the way it is:

* **Everything ``eula show`` needs is stored** (text, entities as JSON, pages,
  the breadcrumb), so showing a clause never re-parses a PDF.
* **A file is indexed in one Whoosh commit** (its nodes plus a "file" record
  holding its SHA-256), so a crash or Ctrl-C leaves each file fully in or fully
  out, and re-adding a file whose hash is present is a no-op.
* **Versions live side by side**; searches default to the latest version of
  each document by masking the older ones, which costs nothing when there are
  none.
* **Parsing runs in worker processes** during batch indexing, with a time cap
  per file, so one pathological PDF cannot stall a batch and spaCy/pdfplumber
  never load into the process that searches.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
import shutil
import struct
import time
import unicodedata
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import whoosh.index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import FuzzyTermPlugin, GtLtPlugin, MultifieldParser, OrGroup
from whoosh.util.filelock import try_for

from eula_parse.errors import EulaError, IndexCorruptError, IndexLockedError, NotFoundError, QueryError
from eula_parse.model import Document, Entity, Item, Node, slugify

#: Bump when the schema or stored layout changes; older indexes then ask for ``--rebuild``.
INDEX_FORMAT = 1
#: File that marks a directory as an eula-parse index (written last when creating one).
MARKER = "eula-index.json"
#: Whoosh's index name; every file Whoosh writes starts with it (``_MAIN_3.toc``, ``MAIN_x.seg``).
_WHOOSH_PREFIXES = ("MAIN_", "_MAIN_")
#: Append-only log of the files added, kept beside the Whoosh files for ``rebuild``.
SOURCES_LOG = "eula-sources.jsonl"
#: Environment variable naming the default index directory.
ENV_INDEX = "EULA_INDEX"
#: How long a writer waits for another process's write lock before giving up.
LOCK_TIMEOUT = 120.0
#: A batch that leaves more segments than this merges them (searches cost a little per segment).
MAX_SEGMENTS = 4
#: Default per-file time cap for batch indexing (seconds).
FILE_TIMEOUT = 120.0
#: Stand-in amount for "an unrestricted number of ...", so ``limit>=100`` finds it.
UNLIMITED = 1e9

SNIPPET_CHARS = 220
DEFAULT_FIELDS = ("text", "heading", "product")

#: Words that carry no meaning in a question ("how many computers ...") on top of Whoosh's list.
QUESTION_WORDS = frozenset(
    "what which who whom whose where why how many much do does did i me my our there "
    "should would could".split()
)
#: Field names a query may use (``product:"smart wall"``, ``entity:duration``...).
QUERY_FIELDS = (
    "id", "document", "version", "kind", "product", "product_id", "group", "group_id",
    "number", "heading", "text", "entity", "value", "modality", "refs",
)

# Errors reading bytes that are not what Whoosh wrote, once an index has opened cleanly.
_READ_ERRORS = (OSError, EOFError, struct.error, zlib.error, __import__("pickle").UnpicklingError)
# Anything Whoosh raises while opening damaged files (checked eagerly when an index is opened).
_CORRUPTION = (
    OSError, EOFError, struct.error, zlib.error, ValueError, KeyError, IndexError,
    AttributeError, TypeError, AssertionError, ImportError, UnicodeDecodeError,
    __import__("pickle").UnpicklingError, whoosh.index.IndexError,
)


def _cache_missing_length_columns() -> None:
    """Stop Whoosh from hitting the disk once per posting of every unscored field.

    whoosh-reloaded 2.7.5 (pinned) remembers a segment's field-length
    columns once opened but not their absence, so flushing a segment calls
    ``os.path.exists`` for every posting of every ID/KEYWORD field (which
    have no lengths): a third of our indexing time. Remembering "no such
    column" per reader is safe because a written segment never gains one.
    """
    from whoosh.codec import whoosh3

    cls = whoosh3.W3PerDocReader
    if getattr(cls, "_eula_missing_cached", False):
        return
    original = cls._cached_reader

    def _cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_eula_missing", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    cls._cached_reader = _cached_reader
    cls._eula_missing_cached = True


_cache_missing_length_columns()


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(h) for h in self.highlights]
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = [list(p) for p in self.path]
        return data


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


# --------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------


class TidyFilter(Filter):
    """Folds accents, drops ®/™/º, and reads a lone "+" as "plus" ("Express+" -> express plus).

    Product names are written "XProtect® Professional+" in headings and
    "XProtect Professional+" in text; both must give the same tokens.
    """

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if text == "+":
                t.text = "plus"
            elif not text.isascii():
                text = unicodedata.normalize("NFKD", text.replace("º", "").replace("°", ""))
                text = "".join(c for c in text if not unicodedata.combining(c))
                if not text:
                    continue
                t.text = text
            yield t


def _analyzer():
    stop = frozenset(STOP_WORDS) | QUESTION_WORDS
    return (
        RegexTokenizer(r"\w+(?:[.’']\w+)*|\+")
        | LowercaseFilter()
        | TidyFilter()
        | StopFilter(stoplist=stop, minsize=2)
        | StemFilter(cachesize=50000)
    )


#: Shared instance for queries (the stemmer's cache then lives across searches).
_ANALYZER = _analyzer()
_TOKEN_RE = re.compile(r"\w+(?:[.’']\w+)*|\+")
_STOP = frozenset(STOP_WORDS) | QUESTION_WORDS
_stem = functools.lru_cache(maxsize=50000)(StemFilter().stemfn)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` for each word the index analyser keeps, before stemming.

    The same steps as :func:`_analyzer` without Whoosh's per-token generator
    chain, which is several times slower; snippets and name stripping run it
    on every hit and record. ``_stem(word)`` gives the indexed term.
    """
    for match in _TOKEN_RE.finditer(text):
        word = match.group().lower()
        if word == "+":
            word = "plus"
        elif not word.isascii():
            word = unicodedata.normalize("NFKD", word.replace("º", "").replace("°", ""))
            word = "".join(c for c in word if not unicodedata.combining(c))
        if len(word) < 2 or word in _STOP:
            continue
        yield match.start(), match.end(), word


def _schema() -> Schema:
    ana = _analyzer()
    schema = Schema(
        uid=ID(unique=True, stored=True),
        rec=ID(),
        id=ID(stored=True),
        document=ID(stored=True),
        docver=ID(),
        title=STORED(),
        version=ID(stored=True),
        kind=ID(stored=True),
        product=TEXT(analyzer=ana, stored=True, field_boost=1.0),
        product_id=ID(stored=True),
        group=TEXT(analyzer=ana, stored=True),
        group_id=ID(stored=True),
        number=ID(stored=True),
        parent=ID(stored=True),
        heading=TEXT(analyzer=ana, stored=True),
        text=TEXT(analyzer=ana, stored=True),
        entity=KEYWORD(lowercase=True),
        value=KEYWORD(lowercase=True),
        modality=KEYWORD(lowercase=True),
        refs=KEYWORD(),
        sha256=ID(stored=True),
        order=STORED(),
        data=STORED(),
    )
    schema.add("v_*", NUMERIC(float, bits=64), glob=True)
    return schema


# --------------------------------------------------------------------------
# Default location
# --------------------------------------------------------------------------


def project_root() -> Optional[Path]:
    """The checkout this package runs from (has pyproject.toml and corpus/), else one above the CWD."""
    here = Path(__file__).resolve().parents[2]
    candidates = [here, *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for path in candidates:
        if (path / "pyproject.toml").is_file() and (path / "corpus").is_dir():
            return path
    return None


def default_index_path() -> Path:
    """``$EULA_INDEX``, else ``index/`` in the project, else ``~/.cache/eula-parse/index``."""
    env = os.environ.get(ENV_INDEX)
    if env:
        return Path(env).expanduser()
    root = project_root()
    if root is not None:
        return root / "index"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "eula-parse" / "index"


def default_corpus_path() -> Optional[Path]:
    root = project_root()
    return root / "corpus" if root is not None else None


def is_index_dir(path: Union[str, os.PathLike]) -> bool:
    """True when ``path`` holds an eula-parse index (its marker file is present)."""
    return (Path(path) / MARKER).is_file()


def _looks_like_whoosh(name: str) -> bool:
    return name.startswith(_WHOOSH_PREFIXES) or name == MARKER


# --------------------------------------------------------------------------
# Helpers: versions, entities, filters
# --------------------------------------------------------------------------

_DATE_PATTERNS = [
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)"), (3, 1, 2)),
]


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
    return slugify(str(text)) if str(text).strip() else ""


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


_FILTER_RE = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|==|=|>|<|:)\s*(.+?)\s*$")


def _entity_filter(spec: str) -> wq.Query:
    """Turn ``DURATION`` / ``duration>=P30D`` / ``money<=100`` / ``org=Microsoft`` into a query.

    Numeric comparisons use days for durations and ``amount`` otherwise
    ("unlimited" counts as very large); ``LABEL=text`` matches entities whose
    text or string values contain ``text``.
    """
    spec = str(spec).strip()
    if re.fullmatch(r"[A-Za-z_]+", spec):
        return wq.Term("entity", spec.lower())
    match = _FILTER_RE.match(spec)
    if not match:
        raise QueryError(
            f"bad entity filter {spec!r}: use LABEL or LABEL>=VALUE, e.g. DURATION or duration>=P30D"
        )
    label, op, raw = match.group(1).lower(), match.group(2), match.group(3)
    num = duration_days(raw) if label == "duration" else _number(raw)
    if op in ("=", "==", ":"):
        if num is not None:
            return wq.NumericRange(f"v_{label}", num, num)
        slug = _value_slug(raw)
        if not slug:
            raise QueryError(f"bad entity filter {spec!r}: empty value")
        return wq.Wildcard("value", f"{label}:*{slug}*")
    if num is None:
        what = "a duration like P30D or 30d" if label == "duration" else "a number"
        raise QueryError(f"bad entity filter {spec!r}: {raw!r} is not {what}")
    if op == ">=":
        return wq.NumericRange(f"v_{label}", num, None)
    if op == ">":
        return wq.NumericRange(f"v_{label}", num, None, startexcl=True)
    if op == "<=":
        return wq.NumericRange(f"v_{label}", None, num)
    return wq.NumericRange(f"v_{label}", None, num, endexcl=True)


# --------------------------------------------------------------------------
# Query checking
# --------------------------------------------------------------------------

_OPERATORS = {"AND", "OR", "ANDNOT", "ANDMAYBE"}


def check_query(text: str) -> None:
    """Reject what Whoosh would silently mangle: unbalanced quotes/brackets, dangling operators, unknown fields.

    Whoosh's parser never fails; it drops what it cannot read, so ``"door
    licence`` would quietly become two loose words. Users get a one-line
    reason and a hint instead.
    """
    if not isinstance(text, str):
        raise QueryError("query must be a string")
    if not text.strip():
        raise QueryError("empty query: give some words to search for, e.g. eula search \"refund\"")
    if "\x00" in text:
        raise QueryError("query contains a NUL character")
    outside: list[str] = []
    in_quote = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            outside.append(ch)
        elif in_quote:
            outside.append(" ")
        else:
            outside.append(ch)
    if in_quote:
        raise QueryError('unbalanced quote: close the phrase with " or drop the quote')
    bare = "".join(outside)
    for opening, closing, name in (("(", ")", "parenthesis"), ("[", "]", "bracket"), ("{", "}", "brace")):
        depth = 0
        for ch in bare:
            if ch == opening:
                depth += 1
            elif ch == closing:
                depth -= 1
                if depth < 0:
                    break
        if depth != 0:
            raise QueryError(f"unbalanced {name}: every {opening} needs a matching {closing}")
    words = bare.replace("(", " ( ").replace(")", " ) ").split()
    for i, word in enumerate(words):
        if word in _OPERATORS:
            before = words[i - 1] if i else None
            after = words[i + 1] if i + 1 < len(words) else None
            if before is None or before in _OPERATORS or before in ("(", "NOT") or \
                    after is None or after in _OPERATORS or after == ")":
                raise QueryError(f"{word} needs a term on both sides, e.g. \"refund AND days\"")
        elif word == "NOT":
            after = words[i + 1] if i + 1 < len(words) else None
            if after is None or after in _OPERATORS or after == ")":
                raise QueryError("NOT needs a term after it, e.g. \"warranty NOT hardware\"")
    for match in re.finditer(r"(?<![\w:/.\-])([A-Za-z_][\w]*):(?!//)(\S?)", bare):
        name, value = match.group(1), match.group(2)
        if name not in QUERY_FIELDS and not name.startswith("v_"):
            raise QueryError(
                f"unknown field {name!r}: use one of {', '.join(QUERY_FIELDS)} (e.g. product:\"smart wall\")"
            )
        if not value:
            raise QueryError(f"field {name}: has no value, e.g. {name}:word")


def _query_errors(q: wq.Query) -> Optional[str]:
    error = getattr(q, "error", None)
    if error:
        return str(error)
    for child in q.children():
        error = _query_errors(child)
        if error:
            return error
    return None


def _positive(q: wq.Query) -> wq.Query:
    """The query without its NOT parts: the words worth highlighting."""
    if isinstance(q, wq.Not):
        return wq.NullQuery
    if isinstance(q, wq.AndNot):
        return _positive(q.a)
    return q.apply(_positive)


# --------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------


class ClauseIndex:
    """Clauses of many agreements, searchable; see the module docstring for the why.

    >>> ix = ClauseIndex.open("index")          # created if missing
    >>> ix.add(eula_parse.parse("corpus/milestone-eula-20250425.pdf"))
    >>> ix.search("door licences", product="access")[0].id
    'product/xprotect-access/5'
    """

    def __init__(self, path: Union[str, os.PathLike, None] = None, *, create: bool = True):
        """Open the index at ``path`` (default: :func:`default_index_path`), creating it if allowed.

        Raises :class:`NotFoundError` when there is no index and ``create`` is
        false, :class:`IndexCorruptError` when the directory is damaged,
        foreign or from another format.
        """
        path = Path(path) if path is not None else default_index_path()
        if path.exists() and not path.is_dir():
            raise IndexCorruptError(f"{path}: not a directory, cannot hold an index")
        if not is_index_dir(path):
            if not create:
                raise NotFoundError(f"no index at {path}: create one with `eula index FILES --index {path}`")
            self._create(path)
        self.path = path
        self._ix = self._open_whoosh(path)
        self._searcher: Any = None
        self._registry_cache: Optional[tuple[int, dict[str, DocumentInfo]]] = None
        self._parsers: dict[str, Any] = {}
        self._docsets: dict[tuple[int, str], Any] = {}

    # -- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: Union[str, os.PathLike, None] = None, *, create: bool = True) -> "ClauseIndex":
        """Same as ``ClauseIndex(path, create=create)``."""
        return cls(path, create=create)

    @classmethod
    def exists(cls, path: Union[str, os.PathLike, None] = None) -> bool:
        return is_index_dir(Path(path) if path is not None else default_index_path())

    @staticmethod
    def _create(path: Path) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexCorruptError(f"{path}: cannot create index directory ({exc.strerror})") from exc
        names = [p.name for p in path.iterdir()]
        foreign = sorted(n for n in names if not _index_owned(n))
        if foreign:
            raise IndexCorruptError(
                f"{path} is not an eula-parse index (it holds {len(foreign)} other file(s), e.g. "
                f"{foreign[0]!r}): choose an empty directory with --index"
            )
        from whoosh.filedb.filestore import FileStorage

        storage = FileStorage(str(path))
        lock = storage.lock("MAIN_WRITELOCK")
        if not try_for(lock.acquire, timeout=LOCK_TIMEOUT, delay=0.05):
            raise IndexLockedError(f"{path}: another process holds the index lock for too long")
        try:
            if is_index_dir(path):  # someone else created it while we waited
                return
            if any(re.fullmatch(r"_MAIN_\d+\.toc", n) for n in os.listdir(path)):
                raise IndexCorruptError(
                    f"{path} holds a Whoosh index that eula-parse did not write (no {MARKER}): "
                    f"run `eula index --rebuild` to replace it, or choose another --index"
                )
            whoosh.index.create_in(str(path), _schema())
            tmp = path / f".{MARKER}.{os.getpid()}"
            tmp.write_text(json.dumps({"format": INDEX_FORMAT, "engine": "whoosh"}) + "\n")
            os.replace(tmp, path / MARKER)
        finally:
            lock.release()

    @staticmethod
    def _open_whoosh(path: Path) -> Any:
        try:
            meta = json.loads((path / MARKER).read_text())
            fmt = int(meta.get("format", -1))
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise IndexCorruptError(
                f"index at {path} is damaged (unreadable {MARKER}): run `eula index --rebuild`"
            ) from exc
        if fmt != INDEX_FORMAT:
            raise IndexCorruptError(
                f"index at {path} has format {fmt}, this version reads {INDEX_FORMAT}: run `eula index --rebuild`"
            )
        try:
            ix = whoosh.index.open_dir(str(path))
            reader = ix.reader()
            try:
                missing = {"uid", "docver", "text", "data"} - set(reader.schema.names())
                reader.doc_count()
            finally:
                reader.close()
        except Exception as exc:  # noqa: BLE001 - any failure reading the files means damage
            raise IndexCorruptError(
                f"index at {path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
            ) from exc
        if missing:
            raise IndexCorruptError(
                f"index at {path} was not written by eula-parse (no {sorted(missing)[0]} field): "
                f"run `eula index --rebuild`"
            )
        return ix

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> "ClauseIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ClauseIndex({str(self.path)!r})"

    # -- reading --------------------------------------------------------------

    def _get_searcher(self) -> Any:
        try:
            # A fresh searcher per new generation: Whoosh's refresh(reuse=...) breaks on an empty index.
            if self._searcher is None or not self._searcher.up_to_date():
                old, self._searcher = self._searcher, self._ix.searcher(weighting=_weighting())
                if old is not None:
                    old.close()
            return self._searcher
        except _CORRUPTION as exc:
            self._searcher = None
            raise self._damaged(exc) from exc

    def _damaged(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(
            f"index at {self.path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
        )

    def _registry(self, searcher: Any = None) -> dict[str, DocumentInfo]:
        """docver -> DocumentInfo for every indexed file, cached per index generation."""
        searcher = searcher or self._get_searcher()
        gen = searcher.reader().generation()
        if self._registry_cache and self._registry_cache[0] == gen and gen is not None:
            return self._registry_cache[1]
        registry: dict[str, DocumentInfo] = {}
        try:
            for stored in searcher.documents(rec="file"):
                info = json.loads(stored["data"])
                registry[info["docver"]] = DocumentInfo(
                    document=stored["document"], title=stored.get("title") or "", version=stored["version"],
                    sha256=stored.get("sha256") or "", nodes=info.get("nodes", 0), source=info.get("source"),
                    pages=info.get("pages", 0), indexed_at=info.get("indexed_at", 0.0),
                    date=info.get("date", ""),
                )
        except _CORRUPTION as exc:
            raise self._damaged(exc) from exc
        newest: dict[str, DocumentInfo] = {}
        for info in registry.values():
            best = newest.get(info.document)
            if best is None or info.sort_key > best.sort_key:
                newest[info.document] = info
        for info in newest.values():
            info.latest = True
        self._registry_cache = (gen, registry)
        return registry

    def documents(self) -> list[DocumentInfo]:
        """Every indexed file, by document then oldest version first."""
        return sorted(self._registry().values(), key=lambda d: (d.document, d.sort_key))

    def __len__(self) -> int:
        """Number of indexed nodes (all versions)."""
        return sum(d.nodes for d in self._registry().values())

    def has_file(self, sha256: str) -> bool:
        return any(d.sha256 == sha256 for d in self._registry().values())

    # -- writing --------------------------------------------------------------

    def _writer(self) -> Any:
        try:
            return self._ix.writer(timeout=LOCK_TIMEOUT, delay=0.05)
        except whoosh.index.LockError as exc:
            raise IndexLockedError(
                f"index at {self.path} stayed locked by another process for {LOCK_TIMEOUT:.0f} s"
            ) from exc
        except _CORRUPTION as exc:
            raise self._damaged(exc) from exc

    def add(self, document: Document, *, source: Optional[str] = None) -> AddResult:
        """Index every node of ``document`` in one commit (all or nothing).

        A file whose SHA-256 is already indexed is left alone (``unchanged``);
        the same document and version with other content replaces the old
        records (``replaced``); a new version is added beside the others.
        """
        sha = _document_sha(document)
        version = document_version(document)
        doc_id = document.id
        docver = f"{doc_id}@{version}"
        records = list(_records(document, doc_id, version, docver))
        info = {
            "docver": docver, "nodes": len(records), "source": source or document.source,
            "pages": document.pages, "indexed_at": time.time(),
            "date": version_date(version, Path(document.source).name if document.source else None),
        }
        file_record = dict(
            uid=f"file:{docver}", rec="file", document=doc_id, docver=docver, title=document.title or "",
            version=version, sha256=sha, data=json.dumps(info),
        )
        result = AddResult("added", doc_id, document.title or "", version, len(records), sha)
        writer = self._writer()
        try:
            with writer.searcher() as searcher:
                if any(True for _ in searcher.document_numbers(rec="file", sha256=sha)):
                    writer.cancel()
                    result.status = "unchanged"
                    return result
                if any(True for _ in searcher.document_numbers(uid=f"file:{docver}")):
                    result.status = "replaced"
            writer.delete_by_term("docver", docver)
            for record in records:
                writer.add_document(**record)
            writer.add_document(**file_record)
            writer.commit()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        if info["source"]:
            self._log_source("add", info["source"], docver, sha)
        return result

    def _log_source(self, action: str, source: str, docver: str, sha: str = "") -> None:
        """Append to the sources log, which ``rebuild`` reads even when the Whoosh files are damaged."""
        line = json.dumps({"action": action, "source": str(source), "docver": docver, "sha256": sha}) + "\n"
        try:
            fd = os.open(self.path / SOURCES_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError:
            pass  # a hint for rebuilding only; the index itself is committed

    def segments(self) -> int:
        """How many Whoosh segments the index has (each search pays a little per segment)."""
        reader = self._get_searcher().reader()
        return len(reader.leaf_readers()) if not reader.is_atomic() else 1

    def optimize(self) -> None:
        """Merge all segments into one, in one commit; ``index_files`` does it after big batches."""
        writer = self._writer()
        try:
            writer.commit(optimize=True)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise

    def remove(self, document: str, version: Optional[str] = None) -> int:
        """Remove one version (or every version) of a document; returns how many files went."""
        infos = [d for d in self._registry().values()
                 if d.document == document and (version is None or d.version == version)]
        if not infos:
            raise NotFoundError(f"no document {document!r}{' version ' + repr(version) if version else ''} in the index")
        writer = self._writer()
        try:
            for info in infos:
                writer.delete_by_term("docver", f"{info.document}@{info.version}")
            writer.commit()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        for info in infos:
            if info.source:
                self._log_source("remove", info.source, info.docver, info.sha256)
        return len(infos)

    # -- searching ------------------------------------------------------------

    def _parser(self, schema: Any) -> Any:
        parser = self._parsers.get("default")
        if parser is None:
            parser = MultifieldParser(
                list(DEFAULT_FIELDS), schema, fieldboosts=dict(FIELD_BOOSTS), group=OrGroup.factory(0.9)
            )
            parser.add_plugin(FuzzyTermPlugin())
            parser.add_plugin(GtLtPlugin())
            self._parsers["default"] = parser
        return parser

    def _parse_query(self, text: str) -> wq.Query:
        check_query(text)
        searcher = self._get_searcher()
        try:
            q = self._parser(searcher.schema).parse(text)
        except Exception as exc:  # noqa: BLE001 - the parser is third-party; any failure is the query's
            raise QueryError(f"cannot read query {text!r} ({exc}): check quotes, brackets and field:value parts") from exc
        error = _query_errors(q)
        if error:
            raise QueryError(f"cannot read query {text!r}: {error}")
        return _cap_fuzzy(q)

    def search(
        self,
        query: str,
        *,
        product: Optional[str] = None,
        group: Optional[str] = None,
        general: bool = False,
        entity: Union[str, Sequence[str], None] = None,
        modality: Union[str, Sequence[str], None] = None,
        version: Optional[str] = None,
        document: Optional[str] = None,
        kind: Optional[str] = None,
        limit: int = 10,
        fuzzy: bool = True,
        count: bool = False,
    ) -> SearchResults:
        """Ranked hits for ``query`` (Whoosh syntax), newest version of each document unless ``version``.

        ``product``/``group`` accept a name or id fragment ("smart wall",
        "xprotect-clients"); ``general`` keeps only text outside product
        terms; ``entity`` takes labels or value filters (``"duration>=P30D"``),
        several meaning all; ``version="all"`` searches every version.
        ``count=True`` also counts every match into ``.total`` (a second pass
        over the postings); otherwise ``.total`` is ``None``.
        Raises :class:`QueryError` for a malformed query or filter and
        :class:`NotFoundError` when a filter names nothing in the index.
        """
        if limit is None or limit < 1:
            raise QueryError("limit must be at least 1")
        q = self._parse_query(query)
        searcher = self._get_searcher()
        corrected: dict[str, list[str]] = {}
        try:
            if fuzzy:
                q = _fuzzify(q, searcher.reader(), corrected, query)
            _lazy_unions(q)
            flt, mask = self._filters(searcher, product=product, group=group, general=general, entity=entity,
                                      modality=modality, version=version, document=document, kind=kind)
            ranked = [(r.docnum, r.score) for r in searcher.search(q, filter=flt, mask=mask, limit=limit)]
            # Whoosh's len(results) re-runs the whole query, so the exact total is opt-in.
            total = self._count(searcher, q, flt, mask) if count else None
            terms = _highlight_words(q, searcher.reader())
            hits = [_hit(searcher.stored_fields(docnum), score, terms) for docnum, score in ranked]
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc
        return SearchResults(hits, query=query, total=total, corrected=corrected)

    @staticmethod
    def _count(searcher: Any, q: wq.Query, flt: Any, mask: Any) -> int:
        return len(searcher.search(q, filter=flt, mask=mask, limit=None, scored=False))

    def _filters(self, searcher: Any, *, product=None, group=None, general=False, entity=None,
                 modality=None, version=None, document=None, kind=None) -> tuple[Any, Any]:
        reader = searcher.reader()
        parts: list[wq.Query] = []
        masks: list[wq.Query] = [wq.Term("rec", "file")]
        if product:
            parts.append(_or_terms("product_id", _resolve(reader, "product_id", product, "product")))
        if group:
            parts.append(_or_terms("group_id", _resolve(reader, "group_id", group, "group")))
        if general:
            parts.append(wq.Or([wq.Term("kind", "section"), wq.Term("kind", "preamble")]))
        if kind:
            parts.append(wq.Term("kind", str(kind).lower()))
        for spec in _as_list(entity):
            parts.append(_entity_filter(spec))
        mods = _as_list(modality)
        if mods:
            parts.append(wq.Or([wq.Term("modality", str(m).lower()) for m in mods]))
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is not None:
            parts.append(_or_terms("docver", docvers))
        elif version is None:
            old = [dv for dv, info in registry.items() if not info.latest]
            masks.extend(wq.Term("docver", dv) for dv in old)
        flt = wq.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
        mask = wq.Or(masks) if len(masks) > 1 else masks[0]
        return self._docset(searcher, flt), self._docset(searcher, mask)

    def _docset(self, searcher: Any, q: Optional[wq.Query]) -> Any:
        """The records ``q`` matches, as a set Whoosh filters by, cached until the index changes.

        Masking the old versions is the same for every search; computing it
        per query cost more than the search itself.
        """
        if q is None:
            return None
        key = (id(searcher), repr(q))
        cached = self._docsets.get(key)
        if cached is None:
            from whoosh.idsets import BitSet

            if len(self._docsets) > 64 or any(k[0] != id(searcher) for k in self._docsets):
                self._docsets.clear()
            cached = self._docsets[key] = BitSet(searcher.docs_for_query(q), size=searcher.doc_count_all())
        return cached

    def _select_versions(self, registry: dict[str, DocumentInfo], *, version=None,
                         document=None) -> Optional[list[str]]:
        """docvers to search when a version or document is named; ``None`` means "latest of each"."""
        if version is None and document is None:
            return None
        infos = list(registry.values())
        if document is not None:
            wanted = slugify(document)
            exact = [i for i in infos if i.document == document or i.document == wanted]
            infos = exact or [i for i in infos if wanted in i.document]
            if not infos:
                known = ", ".join(sorted({i.document for i in registry.values()})) or "none"
                raise NotFoundError(f"no document matching {document!r} in the index (documents: {known})")
        if version is None:
            return [f"{i.document}@{i.version}" for i in infos if i.latest] or None
        if str(version).lower() == "all":
            return [f"{i.document}@{i.version}" for i in infos] if document is not None else None
        want = " ".join(str(version).split()).lower()
        chosen = [i for i in infos if i.version.lower() == want] or \
            [i for i in infos if want in i.version.lower()]
        if not chosen:
            known = ", ".join(sorted({i.version for i in infos})) or "none"
            raise NotFoundError(f"no version matching {version!r} in the index (versions: {known})")
        return [f"{i.document}@{i.version}" for i in chosen]

    # -- showing --------------------------------------------------------------

    def get(self, node_id: str, *, document: Optional[str] = None, version: Optional[str] = None) -> NodeRecord:
        """The node ``node_id`` with its context; latest version unless ``version`` is given.

        Raises :class:`NotFoundError` (with close ids as a hint) when no such
        node exists, :class:`QueryError` when the id is in several documents
        and ``document`` does not say which.
        """
        searcher = self._get_searcher()
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is None:
            docvers = [dv for dv, info in registry.items() if info.latest]
        node_id = str(node_id).strip()
        try:
            if node_id.startswith("group/"):
                return self._get_group(searcher, registry, node_id, docvers)
            found = [s for s in searcher.documents(id=node_id) if self._docver_of(s) in set(docvers)]
            if not found:
                raise NotFoundError(self._not_found_message(searcher, node_id))
            docs = sorted({s["document"] for s in found})
            if len(docs) > 1:
                raise QueryError(
                    f"{node_id} is in {len(docs)} documents ({', '.join(docs)}): pick one with --document"
                )
            stored = found[0]
            docver = self._docver_of(stored)
            record = _record_from_stored(stored)
            info = registry.get(docver)
            if info is not None:
                record.source, record.sha256 = info.source, info.sha256
            record.references = self._references(searcher, stored, docver)
            record.referenced_by = [
                _ref(s) for s in sorted(searcher.documents(refs=node_id, docver=docver), key=_order)
            ]
            record.children = self._children(searcher, record, docver)
            return record
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc

    @staticmethod
    def _docver_of(stored: dict[str, Any]) -> str:
        return f"{stored['document']}@{stored['version']}"

    def _not_found_message(self, searcher: Any, node_id: str) -> str:
        ids = [t.decode("utf-8") if isinstance(t, bytes) else t for t in searcher.reader().lexicon("id")]
        close = difflib.get_close_matches(node_id, ids, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; find ids with `eula search`"
        return f"no node {node_id!r} in the index{hint}"

    def _references(self, searcher: Any, stored: dict[str, Any], docver: str) -> list[NodeRef]:
        data = json.loads(stored["data"])
        refs: list[NodeRef] = []
        seen: set[str] = set()
        for e in data.get("entities", []):
            if str(e.get("label", "")).upper() != "XREF" or not e.get("target"):
                continue
            targets = e["target"] if isinstance(e["target"], list) else [e["target"]]
            for target in targets:
                if target in seen:
                    continue
                seen.add(target)
                match = next(iter(searcher.documents(id=target, docver=docver)), None)
                refs.append(_ref(match) if match else NodeRef(target, e.get("text", ""), found=False))
        return refs

    @staticmethod
    def _children(searcher: Any, record: NodeRecord, docver: str) -> list[NodeRef]:
        return [_ref(s) for s in sorted(searcher.documents(parent=record.id, docver=docver), key=_order)]

    def _get_group(self, searcher: Any, registry, node_id: str, docvers: list[str]) -> NodeRecord:
        products = [s for s in searcher.documents(parent=node_id)
                    if self._docver_of(s) in set(docvers)]
        if not products:
            raise NotFoundError(self._not_found_message(searcher, node_id))
        docs = sorted({s["document"] for s in products})
        if len(docs) > 1:
            raise QueryError(f"{node_id} is in {len(docs)} documents ({', '.join(docs)}): pick one with --document")
        first = products[0]
        info = registry.get(self._docver_of(first))
        return NodeRecord(
            id=node_id, document=first["document"], title=first.get("title") or "", version=first["version"],
            kind="group", text="", group=first.get("group"), group_id=node_id,
            children=[_ref(s) for s in sorted(products, key=_order)],
            source=info.source if info else None, sha256=info.sha256 if info else None,
        )

    def document(self, document: str, version: Optional[str] = None) -> Document:
        """Rebuild a whole :class:`Document` from the index (latest version unless ``version``).

        Everything ``parse()`` produced is stored, so ``eula diff doc@v1
        doc@v2`` can compare indexed versions without the PDFs.
        """
        from eula_parse.model import Clause, Group, Paragraph, Product, Section

        searcher = self._get_searcher()
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document) or []
        if len({registry[dv].document for dv in docvers}) > 1:
            names = ", ".join(sorted({registry[dv].document for dv in docvers}))
            raise QueryError(f"{document!r} matches several documents ({names}): give the full id")
        if len(docvers) != 1:
            versions = ", ".join(sorted(registry[dv].version for dv in docvers))
            raise QueryError(f"{document!r} has several versions matching {version!r} ({versions}): give one")
        info = registry[docvers[0]]
        try:
            stored = sorted(searcher.documents(docver=docvers[0], rec="node"), key=_order)
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc
        doc = Document(title=info.title, version=info.version, pages=info.pages, source=info.source,
                       sha256=info.sha256)
        sections: dict[str, Section] = {}
        groups: dict[str, Group] = {}
        products: dict[str, Product] = {}
        for s in stored:
            data = json.loads(s["data"])
            common = dict(
                id=s["id"], text=s.get("text") or "", page_start=data["pages"][0], page_end=data["pages"][1],
                entities=[Entity(**e) for e in data.get("entities", [])], modality=list(data.get("modality", [])),
            )
            items = [Item(**i) for i in data.get("items", [])]
            kind = s["kind"]
            if kind == "preamble":
                doc.preamble.append(Paragraph(**common))
            elif kind == "section":
                section = Section(**common, number=s.get("number"), heading=s.get("heading"), items=items)
                sections[s["id"]] = section
                parent = sections.get(s.get("parent") or "")
                (parent.children if parent else doc.sections).append(section)
            elif kind == "product":
                gid = s.get("group_id") or "group/untitled"
                if gid not in groups:
                    g = data.get("group") or {}
                    pages = g.get("pages") or [0, 0]
                    groups[gid] = Group(id=gid, name=s.get("group") or "", text=g.get("text") or "",
                                        page_start=pages[0], page_end=pages[1],
                                        entities=[Entity(**e) for e in g.get("entities", [])],
                                        modality=list(g.get("modality", [])))
                    doc.groups.append(groups[gid])
                products[s["id"]] = Product(**common, name=s.get("product") or "")
                groups[gid].products.append(products[s["id"]])
            elif kind == "clause" and s.get("product_id") in products:
                products[s["product_id"]].clauses.append(Clause(**common, number=s.get("number") or "", items=items))
        return doc

    # -- batch indexing -------------------------------------------------------

    def index_files(
        self,
        paths: Iterable[Union[str, os.PathLike]],
        *,
        timeout: float = FILE_TIMEOUT,
        jobs: int = 1,
        max_pages: Optional[int] = None,
        progress: Optional[Callable[[str, Optional[FileResult]], None]] = None,
    ) -> list[FileResult]:
        """Parse and add many files; one bad or slow file never stops the batch.

        Each file is parsed in a worker process (so a hang can be killed after
        ``timeout`` seconds and a crash stays contained) and added in its own
        commit. ``progress(path, None)`` is called when a file starts and
        ``progress(path, result)`` when it is done. Returns one
        :class:`FileResult` per file, in input order.
        """
        results = _run_batch(self, [str(p) for p in paths], timeout=timeout, jobs=jobs,
                             max_pages=max_pages, progress=progress)
        if any(r.status in ("added", "replaced") for r in results) and self.segments() > MAX_SEGMENTS:
            self.optimize()
        return results


# --------------------------------------------------------------------------
# Ranking knobs and query rewriting
# --------------------------------------------------------------------------

# Ranking knobs, chosen on tests/gold/queries.json and stable around these values
# (product boost 1.5-2, B 0.5-0.75 all give 93-98 % first hits). Lower B than the
# usual 0.75 because long preamble paragraphs are answers as often as short clauses.
# An optional sloppy-bigram phrase boost was tried and cost 1-2 first hits at
# every setting, so plain BM25F it is; quoted phrases still work as syntax.
# Scoring common words only for the candidates rarer words find (Lucene's
# CommonTermsQuery) was tried too: 35 % faster at 200 agreements but it
# changed the top hit for 11 % of queries, so every match is scored.
#: Field boosts for unfielded words: a product's name outranks a mention of it in a clause.
FIELD_BOOSTS = {"text": 1.0, "heading": 1.0, "product": 2.0}
BM25_PARAMS = {"B": 0.5, "K1": 1.2}
FUZZY_WEIGHT = 0.8
STRIP_OWN_NAME = True
FUZZY_EXPANSIONS = 4


def _weighting():
    return scoring.BM25F(**BM25_PARAMS)


def _fuzzify(q: wq.Query, reader: Any, corrected: dict[str, list[str]], text: str) -> wq.Query:
    """Replace words found in no default field by their near spellings, so "unrestriced" still matches.

    Candidates are looked up for both the stem ("unrestr") and the word as
    typed ("unrestriced"), because a typo often changes what the stemmer
    cuts off; the closest few indexed terms are searched, a little below
    the weight of an exact word.
    """
    raw_for_stem: dict[str, set[str]] = {}
    for _, _, word in words(text):
        raw_for_stem.setdefault(_stem(word), set()).add(word)
    cache: dict[str, list[str]] = {}

    def near(word: str) -> list[str]:
        if word not in cache:
            if any(reader.doc_frequency(f, word) for f in DEFAULT_FIELDS):
                cache[word] = []
            else:
                found: dict[str, int] = {}
                for form in {word, *raw_for_stem.get(word, ())}:
                    dist = 1 if len(form) <= 6 else 2
                    # headings and product names are written with the words of the text
                    for t in reader.terms_within("text", form, dist, prefix=1):
                        t = t.decode("utf-8") if isinstance(t, bytes) else t
                        found[t] = reader.doc_frequency("text", t)
                cache[word] = sorted(found, key=lambda t: -found[t])[:FUZZY_EXPANSIONS]
                typed = ", ".join(sorted(raw_for_stem.get(word, ()))) or word
                corrected[typed] = sorted(cache[word])
        return cache[word]

    def rewrite(node: wq.Query) -> wq.Query:
        if type(node) is wq.Term and node.fieldname in DEFAULT_FIELDS and isinstance(node.text, str):
            if len(node.text) < 4:
                return node
            words = near(node.text)
            if not words:
                return node
            alts = [wq.Term(node.fieldname, w, boost=node.boost * FUZZY_WEIGHT) for w in words]
            return alts[0] if len(alts) == 1 else wq.Or(alts)
        return node.apply(rewrite)

    return rewrite(q)


#: "word~7" asks Whoosh for every term within 7 edits: an automaton that takes seconds to walk.
MAX_EDIT_DISTANCE = 2


def _cap_fuzzy(q: wq.Query) -> wq.Query:
    """Clamp a user's ``word~N`` to :data:`MAX_EDIT_DISTANCE` edits, so no query can stall a search."""
    if isinstance(q, wq.FuzzyTerm):
        q.maxdist = min(q.maxdist, MAX_EDIT_DISTANCE)
        return q
    return q.apply(_cap_fuzzy)


def _lazy_unions(q: wq.Query) -> None:
    """Make every OR walk its postings lazily.

    On small segments Whoosh's "auto" choice pre-loads every posting of every
    OR'd term into an array; with common words that reads and scores most of
    the index even when the top ten are settled long before.
    """
    if isinstance(q, wq.Or):
        q.matcher_type = wq.Or.DEFAULT_MATCHER
    for child in q.children():
        _lazy_unions(child)


def _highlight_words(q: wq.Query, reader: Any) -> set[str]:
    terms: set[str] = set()
    try:
        for fieldname, text in _positive(q).existing_terms(reader, phrases=True, expand=True):
            if fieldname in DEFAULT_FIELDS:
                terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    except _READ_ERRORS:
        pass
    return terms


def _snippet(text: str, terms: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """The passage of ``text`` with the most distinct query words, and where they are in it."""
    spans: list[tuple[int, int, str]] = []
    if terms:
        for start, end, word in words(text):
            stem = _stem(word)
            if stem in terms:
                spans.append((start, end, stem))
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
    if stored.get("heading"):
        label = stored["heading"]
        if stored.get("number"):
            label = f"{stored['number']} {label}"
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
        items=[Item(**i) for i in data.get("items", [])],
        entities=[Entity(**e) for e in data.get("entities", [])],
        modality=list(data.get("modality", [])),
        path=[tuple(p) for p in data.get("path", [])],
    )


def _as_list(value: Union[str, Sequence[str], None]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [v for v in value if v and str(v).strip()]


def _or_terms(fieldname: str, values: Sequence[str]) -> wq.Query:
    terms = [wq.Term(fieldname, v) for v in values]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _resolve(reader: Any, fieldname: str, name: str, what: str) -> list[str]:
    """Ids in ``fieldname`` that ``name`` designates: exact id, same words, or a unique fragment.

    "smart wall", "Milestone XProtect® Smart Wall" and "xprotect-smart-wall"
    all name ``product/xprotect-smart-wall``; words that appear in no id
    ("Milestone") are ignored rather than making the filter match nothing.
    """
    ids = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]
    if name in ids:
        return [name]
    slug = slugify(name.split("/", 1)[1] if name.startswith(("product/", "group/")) else name)
    words = [w for w in re.split(r"[-.]", slug) if w]
    id_words = {i: set(re.split(r"[-/.]", i.split("/", 1)[-1])) for i in ids}
    known = set().union(*id_words.values()) if id_words else set()
    words = [w for w in words if w in known] or words
    matched = [i for i in ids if set(words) <= id_words[i]]
    exact = [i for i in matched if i.split("/", 1)[-1] == "-".join(words)]
    if exact:
        return exact
    if matched:
        return matched
    close = difflib.get_close_matches(slug, [i.split("/", 1)[-1] for i in ids], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise NotFoundError(f"no {what} matching {name!r} in the index{hint}")


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


def _without_name(text: str, name: str) -> str:
    """``text`` minus the words of its own product's name, for indexing only.

    Every record of a product carries the name in the ``product`` field
    already; a clause (or the intro) that also spells the name out would
    otherwise outrank its siblings on any question naming the product,
    although the name says which product, not which clause.
    """
    stems = {_stem(word) for _, _, word in words(name)}
    if not stems:
        return text
    keep: list[str] = []
    last = 0
    for start, end, word in words(text):
        if _stem(word) in stems:
            keep.append(text[last:start])
            last = end
    keep.append(text[last:])
    return "".join(keep)


def _records(document: Document, doc_id: str, version: str, docver: str) -> Iterator[dict[str, Any]]:
    """One Whoosh record per text-bearing node, with its context precomputed."""
    title = document.title or ""
    seen: dict[str, int] = {}
    order = 0

    def record(node: Node, kind: str, *, number=None, heading=None, product=None, group=None,
               path=(), parent=None, items=()) -> dict[str, Any]:
        nonlocal order
        order += 1
        uid = f"{docver}#{node.id}"
        if uid in seen:  # a parser that repeats an id must not make records overwrite each other
            seen[uid] += 1
            uid = f"{uid}~{seen[uid]}"
        else:
            seen[uid] = 1
        labels, values, numbers, refs = _entity_fields(node.entities)
        data = {
            "items": [asdict(i) for i in items],
            "entities": [asdict(e) for e in node.entities],
            "modality": list(node.modality),
            "pages": [node.page_start, node.page_end],
            "path": [list(p) for p in path],
        }
        rec: dict[str, Any] = dict(
            uid=uid, rec="node", id=node.id, document=doc_id, docver=docver, title=title, version=version,
            kind=kind, text=node.text or "", order=order, data=json.dumps(data, default=str),
        )
        if product is not None and STRIP_OWN_NAME:
            rec["_stored_text"] = rec["text"]
            rec["text"] = _without_name(rec["text"], product.name)
        if number:
            rec["number"] = str(number)
        if parent:
            rec["parent"] = parent
        if heading:
            rec["heading"] = heading
        if product is not None:
            rec["product"], rec["product_id"] = product.name, product.id
        if group is not None:
            rec["group"], rec["group_id"] = group.name, group.id
            if kind == "product":  # groups have no record of their own; keep what Group holds
                data["group"] = {"text": group.text, "pages": [group.page_start, group.page_end],
                                 "entities": [asdict(e) for e in group.entities],
                                 "modality": list(group.modality)}
                rec["data"] = json.dumps(data, default=str)
        if labels:
            rec["entity"] = " ".join(sorted(labels))
        if values:
            rec["value"] = " ".join(sorted(values))
        if node.modality:
            rec["modality"] = " ".join(str(m).lower() for m in node.modality)
        if refs:
            rec["refs"] = " ".join(refs)
        for label, nums in numbers.items():
            rec[f"v_{re.sub(r'[^a-z0-9_]', '_', label)}"] = nums
        return rec

    for para in document.preamble:
        yield record(para, "preamble")

    def sections(items, path):
        for section in items:
            label = " ".join(x for x in (section.number, section.heading) if x) or section.id
            yield record(section, "section", number=section.number, heading=section.heading, path=path,
                         parent=path[-1][0] if path else None, items=section.items)
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


# --------------------------------------------------------------------------
# Batch indexing: parse in worker processes, add in this one
# --------------------------------------------------------------------------


def expand_paths(paths: Iterable[Union[str, os.PathLike]]) -> tuple[list[str], list[FileResult]]:
    """Files named as given; directories searched recursively for ``*.pdf``.

    Returns the files to index (no duplicates, in order) and an error result
    for every path that does not exist.
    """
    files: list[str] = []
    problems: list[FileResult] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
            except OSError as exc:
                problems.append(FileResult(str(raw), "error", error=f"cannot list directory ({exc.strerror or exc})"))
                continue
        elif path.exists():
            found = [path]
        else:
            problems.append(FileResult(str(raw), "error", error="no such file or directory"))
            continue
        for p in found:
            key = str(p.resolve())
            if key not in seen:
                seen.add(key)
                files.append(str(p))
    return files, problems


def file_sha256(path: Union[str, os.PathLike]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tiny_pdf() -> bytes:
    """A one-page PDF built by hand, parsed once by each worker so start-up cost is not billed to a file."""
    content = b"BT /F1 14 Tf 72 760 Td (Sample Agreement) Tj 0 -24 Td /F1 10 Tf " \
              b"(1. The Product may be installed on one computer for 30 days.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _send(stream: Any, message: Any) -> None:
    import pickle

    blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(blob)) + blob)
    stream.flush()


def _read_message(stream: Any) -> Any:
    import pickle

    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    return pickle.loads(stream.read(size))


def _worker_loop() -> None:
    """Body of a parse worker: read paths on stdin, write (status, Document|message) on stdout."""
    import signal
    import sys
    import tempfile

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray writes to stdout must not corrupt the message stream
    max_pages = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    from eula_parse.pipeline import parse

    kwargs = {"max_pages": max_pages} if max_pages else {}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm-up.pdf"
        warm.write_bytes(_tiny_pdf())
        try:
            parse(warm)
        except Exception:  # noqa: BLE001 - warming up only; real files report their own errors
            pass
    _send(out, ("ready", None))
    while True:
        path = _read_message(sys.stdin.buffer)
        if path is None:
            return
        try:
            reply = ("ok", parse(path, **kwargs))
        except EulaError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", "out of memory while parsing")
        except RecursionError:
            reply = ("error", "document nesting too deep to parse")
        except Exception as exc:  # noqa: BLE001 - report a parser bug for this file, keep the batch going
            reply = ("error", f"internal error while parsing ({type(exc).__name__}: {exc})")
        try:
            _send(out, reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value on the Document
            _send(out, ("error", f"internal error while returning the document ({type(exc).__name__}: {exc})"))


class _Worker:
    """One parse worker process and the file it is busy with."""

    def __init__(self, max_pages: Optional[int]):
        import subprocess
        import sys

        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from eula_parse.index import _worker_loop; _worker_loop()",
             str(max_pages or "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if os.environ.get("EULA_DEBUG") else subprocess.DEVNULL,
        )
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.buffer = bytearray()
        self.ready = False
        self.started = time.monotonic()
        self.task: Optional[tuple[int, str, float]] = None

    def give(self, index: int, path: str) -> None:
        self.task = (index, path, time.monotonic())
        _send(self.proc.stdin, os.path.abspath(path))

    def messages(self) -> Iterator[Any]:
        """Messages complete in the pipe; raises EOFError when the worker is gone."""
        import pickle

        while True:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                raise EOFError
            self.buffer += chunk
        while len(self.buffer) >= 8:
            (size,) = struct.unpack(">Q", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                break
            blob = bytes(self.buffer[8:8 + size])
            del self.buffer[:8 + size]
            yield pickle.loads(blob)

    def stop(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


#: Seconds a worker may take to start (import spaCy, pdfplumber) before it counts as broken.
WORKER_START_TIMEOUT = 120.0


def _run_batch(index: ClauseIndex, paths: list[str], *, timeout: float, jobs: int,
               max_pages: Optional[int], progress: Optional[Callable]) -> list[FileResult]:
    import selectors

    files, problems = expand_paths(paths)
    results: dict[int, FileResult] = {}
    order = list(range(len(files)))
    notify = progress or (lambda path, result: None)
    for problem in problems:
        notify(problem.path, problem)

    def finish(i: int, result: FileResult) -> None:
        results[i] = result
        notify(result.path, result)

    pending: list[tuple[int, str, str]] = []
    known = {d.sha256: d for d in index.documents()}
    for i, path in enumerate(files):
        try:
            sha = file_sha256(path)
        except OSError as exc:
            finish(i, FileResult(path, "error", error=f"cannot read file ({exc.strerror or exc})"))
            continue
        if sha in known:
            info = known[sha]
            finish(i, FileResult(path, "unchanged", document=info.document, title=info.title,
                                 version=info.version, nodes=info.nodes))
        else:
            pending.append((i, path, sha))
    pending.reverse()  # pop() from the end keeps input order

    workers: list[_Worker] = []
    start_failures = 0
    selector = selectors.DefaultSelector()

    def start_worker() -> None:
        worker = _Worker(max_pages)
        workers.append(worker)
        selector.register(worker.fd, selectors.EVENT_READ, worker)

    def drop(worker: _Worker) -> None:
        selector.unregister(worker.fd)
        workers.remove(worker)
        worker.stop()

    try:
        for _ in range(max(1, min(jobs, len(pending)))):
            if pending:
                start_worker()
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.ready and worker.task is None and pending:
                    i, path, _sha = pending.pop()
                    notify(path, None)
                    worker.give(i, path)
            now = time.monotonic()
            deadlines = [w.task[2] + timeout if w.task else w.started + WORKER_START_TIMEOUT
                         for w in workers if w.task or not w.ready]
            wait = max(0.0, min(deadlines) - now) if deadlines else 0.5
            for key, _ in selector.select(timeout=min(wait, 0.5)):
                worker = key.data
                try:
                    for kind, payload in worker.messages():
                        if kind == "ready":
                            worker.ready = True
                            continue
                        i, path, began = worker.task
                        worker.task = None
                        seconds = time.monotonic() - began
                        if kind == "error":
                            prefix = os.path.abspath(path) + ": "  # the parser names the file; we do too
                            message = payload[len(prefix):] if payload.startswith(prefix) else payload
                            finish(i, FileResult(path, "error", seconds, error=message))
                            continue
                        try:
                            added = index.add(payload, source=os.path.abspath(path))
                        except EulaError as exc:
                            finish(i, FileResult(path, "error", seconds, error=str(exc)))
                            continue
                        finish(i, FileResult(path, added.status, time.monotonic() - began, added.document,
                                             added.title, added.version, added.nodes))
                except EOFError:
                    code = worker.proc.poll()
                    if worker.task:
                        i, path, began = worker.task
                        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                        finish(i, FileResult(path, "error", time.monotonic() - began,
                                             error=f"parser process crashed ({how})"))
                    elif not worker.ready:
                        start_failures += 1
                    drop(worker)
            now = time.monotonic()
            for worker in list(workers):
                if worker.task and now - worker.task[2] > timeout:
                    i, path, began = worker.task
                    finish(i, FileResult(path, "error", now - began,
                                         error=f"gave up after {timeout:g} s (per-file time cap)"))
                    drop(worker)
                elif not worker.ready and now - worker.started > WORKER_START_TIMEOUT:
                    start_failures += 1
                    drop(worker)
            if start_failures >= 3:
                while pending:
                    i, path, _sha = pending.pop()
                    finish(i, FileResult(path, "error", error="the parser process failed to start"))
            wanted = min(max(1, jobs), len(pending) + sum(1 for w in workers if w.task))
            while len(workers) < wanted:
                start_worker()
    finally:
        for worker in list(workers):
            drop(worker)
        selector.close()
    return problems + [results[i] for i in order if i in results]


# --------------------------------------------------------------------------
# Building and rebuilding whole indexes
# --------------------------------------------------------------------------

#: Present in an index directory while it is being filled from the corpus for a first search.
SEEDING = "eula-seeding"


def _index_owned(name: str) -> bool:
    return _looks_like_whoosh(name) or name in (SEEDING, SOURCES_LOG) or name.startswith(f".{MARKER}.")


def recorded_sources(path: Union[str, os.PathLike]) -> list[str]:
    """Files ever added to the index at ``path`` and not removed since, from its sources log."""
    sources: dict[str, bool] = {}
    try:
        lines = (Path(path) / SOURCES_LOG).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entry = json.loads(line)
            sources[str(entry["source"])] = entry.get("action") != "remove"
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line after a crash
    return [source for source, present in sources.items() if present]


def needs_seeding(path: Union[str, os.PathLike]) -> bool:
    """True when ``path`` has no index yet, or a first build from the corpus was interrupted."""
    path = Path(path)
    return not is_index_dir(path) or (path / SEEDING).exists()


def seed(path: Union[str, os.PathLike], corpus: Union[str, os.PathLike], *, timeout: float = FILE_TIMEOUT,
         jobs: int = 1, progress: Optional[Callable] = None) -> tuple[ClauseIndex, list[FileResult]]:
    """Create (or finish creating) the index at ``path`` from the PDFs under ``corpus``.

    The first ``eula search`` on a fresh clone calls this, so it just works.
    A marker file stays while the build runs: if it is interrupted the next
    search resumes it (files already in are skipped by hash).
    """
    path = Path(path)
    index = ClauseIndex(path)
    marker = path / SEEDING
    marker.touch()
    results = index.index_files([corpus], timeout=timeout, jobs=jobs, progress=progress)
    try:
        marker.unlink()
    except FileNotFoundError:
        pass
    return index, results


def rebuild(path: Union[str, os.PathLike, None] = None, sources: Sequence[Union[str, os.PathLike]] = (), *,
            timeout: float = FILE_TIMEOUT, jobs: int = 1, max_pages: Optional[int] = None,
            progress: Optional[Callable] = None) -> tuple[ClauseIndex, list[FileResult]]:
    """Build a fresh index from ``sources`` (default: the files the old index recorded) and swap it in.

    The new index is built beside the old one and renamed into place, so a
    damaged index is replaced only by a complete one and searches keep
    working meanwhile. A directory holding files that are not an index's is
    refused rather than deleted.
    """
    path = Path(path) if path is not None else default_index_path()
    if path.exists():
        if not path.is_dir():
            raise IndexCorruptError(f"{path}: not a directory, cannot hold an index")
        foreign = sorted(p.name for p in path.iterdir() if not _index_owned(p.name))
        if foreign and not is_index_dir(path):
            raise IndexCorruptError(
                f"{path} holds {len(foreign)} file(s) that are not an index's (e.g. {foreign[0]!r}); "
                f"refusing to replace it: choose another --index"
            )
    sources = [str(s) for s in sources]
    if not sources:
        try:
            with ClauseIndex(path, create=False) as old:
                sources = sorted({d.source for d in old.documents() if d.source})
        except EulaError:
            sources = []
        sources = sources or recorded_sources(path)
        if not sources and path.resolve() == default_index_path().resolve():
            corpus = default_corpus_path()
            sources = [str(corpus)] if corpus and corpus.is_dir() else []
        if not sources:
            raise NotFoundError(f"nothing to rebuild {path} from: give the files or directories to index")
    tmp = path.parent / f".{path.name}.rebuild-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    new = ClauseIndex(tmp)
    try:
        results = new.index_files(sources, timeout=timeout, jobs=jobs, max_pages=max_pages, progress=progress)
    except BaseException:
        new.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    new.close()
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    if path.exists():
        os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return ClauseIndex(path), results
