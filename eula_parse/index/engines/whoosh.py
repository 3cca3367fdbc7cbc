"""Whoosh specifics: schema, analyser, ranking, spelling correction and query rewriting.

Nothing from here leaves the package: :class:`~eula_parse.index.ClauseIndex`
turns Whoosh results into :class:`~eula_parse.index.records.Hit` and friends.
"""

from __future__ import annotations

import heapq
import os
import struct
import unicodedata
import zlib
import re
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

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

from whoosh.qparser import AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser, OrGroup

from eula_parse.errors import IndexCorruptError, QueryError
from eula_parse.index.analysis import QUESTION_WORDS, _stem, words
from eula_parse.index.engines.base import Engine, Ranked, Writer
from eula_parse.index.query import DEFAULT_FIELDS, check_query
from eula_parse.index.records import indexed_text


#: Whoosh's index name; every file Whoosh writes starts with it (``_MAIN_3.toc``, ``MAIN_x.seg``).
_WHOOSH_PREFIXES = ("MAIN_", "_MAIN_")


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


def _schema() -> Schema:
    """Only what is searched or filtered; the records themselves live in the record store.

    Every field costs indexing time, so ``document:`` and ``version:`` in a
    query are answered by file keys (:func:`eula_parse.index.query.by_file`)
    rather than indexed per record.
    """
    ana = _analyzer()
    schema = Schema(
        uid=STORED(),
        file=ID(),
        id=ID(),
        kind=ID(),
        product=TEXT(analyzer=ana),
        product_id=ID(),
        group=TEXT(analyzer=ana),
        group_id=ID(),
        number=ID(),
        heading=TEXT(analyzer=ana),
        text=TEXT(analyzer=ana),
        entity=KEYWORD(lowercase=True),
        value=KEYWORD(lowercase=True),
        modality=KEYWORD(lowercase=True),
        refs=KEYWORD(),
    )
    schema.add("v_*", NUMERIC(float, bits=64), glob=True)
    return schema


#: Schema for parsing queries (both engines read Whoosh's query language).
_QUERY_SCHEMA = _schema()
_QUERY_SCHEMA.add("document", ID())
_QUERY_SCHEMA.add("version", ID())
_PARSERS: dict[bool, Any] = {}


#: A question of plain words: no quotes, fields, operators, wildcards, fuzziness or boosts.
_PLAIN = re.compile(r"[A-Za-z0-9 ]+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def _plain_query(text: str) -> Optional[wq.Query]:
    """The tree Whoosh's parser makes of plain words, built directly (the parser costs milliseconds).

    Every word's stem is looked for in every default field, OR'd, as
    ``MultifieldParser`` does; a test keeps the two identical.
    """
    if not _PLAIN.fullmatch(text) or _OPERATOR_WORDS.intersection(text.split()):
        return None
    stems = list(dict.fromkeys(_stem(word) for _, _, word in words(text)))
    terms = [wq.Term(f, stem, boost=FIELD_BOOSTS[f]) if FIELD_BOOSTS[f] != 1.0 else wq.Term(f, stem)
             for stem in stems for f in DEFAULT_FIELDS]
    if not terms:
        return wq.NullQuery
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _parser(all_words: bool = False) -> Any:
    """Loose words combine with OR (ranked by how many match), or with AND for ``all_words``."""
    parser = _PARSERS.get(all_words)
    if parser is None:
        group = AndGroup if all_words else OrGroup.factory(0.9)
        parser = _PARSERS[all_words] = MultifieldParser(list(DEFAULT_FIELDS), _QUERY_SCHEMA,
                                                        fieldboosts=dict(FIELD_BOOSTS), group=group)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
    return parser


def parse_query(text: str, all_words: bool = False) -> wq.Query:
    """The user's query as a Whoosh query tree, after :func:`check_query`; raises :class:`QueryError`."""
    check_query(text)
    plain = None if all_words else _plain_query(text)
    if plain is not None:
        return plain
    try:
        q = _parser(all_words).parse(text)
    except Exception as exc:  # noqa: BLE001 - the parser is third-party; any failure is the query's
        raise QueryError(f"cannot read query {text!r} ({exc}): check quotes, brackets and field:value parts") from exc
    error = _query_errors(q)
    if error:
        raise QueryError(f"cannot read query {text!r}: {error}")
    return _cap_fuzzy(q)


def _looks_like_whoosh(name: str) -> bool:
    return name.startswith(_WHOOSH_PREFIXES)


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


def _or_terms(fieldname: str, values: Sequence[str]) -> wq.Query:
    terms = [wq.Term(fieldname, v) for v in values]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


#: Record keys Whoosh indexes as they are, and those holding a list of words.
_PLAIN_FIELDS = ("uid", "file", "id", "kind", "product", "product_id", "group", "group_id",
              "number", "heading")
_LIST_FIELDS = ("entity", "value", "modality", "refs")


def whoosh_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record Whoosh indexes (empty ones left out)."""
    doc = {f: record[f] for f in _PLAIN_FIELDS if record.get(f)}
    doc["uid"] = record["uid"]
    text = indexed_text(record)
    if text:
        doc["text"] = text
    for f in _LIST_FIELDS:
        if record.get(f):
            doc[f] = " ".join(record[f])
    for label, nums in record.get("numbers", {}).items():
        doc[f"v_{label}"] = nums
    return doc


#: A commit merges segments of about the same size once this many of them pile up (a tiered,
#: log-structured policy: each record is rewritten once per tenfold growth of the index, not at
#: every commit nor in one full rewrite at the end).
MERGE_FACTOR = 10
#: Segments of fewer records than this all count as the smallest size.
MERGE_FLOOR = 1000


def _tier(records: int) -> int:
    """0 for segments under ``MERGE_FLOOR * MERGE_FACTOR`` records, 1 for ten times that, and so on."""
    tier, limit = 0, MERGE_FLOOR * MERGE_FACTOR
    while records >= limit:
        tier, limit = tier + 1, limit * MERGE_FACTOR
    return tier


def _tiered(segments: Sequence[Any]) -> list[Any]:
    """The segments to merge now: ``MERGE_FACTOR`` of the smallest size that has that many, else none."""
    tiers: dict[int, list[Any]] = {}
    for seg in segments:
        tiers.setdefault(_tier(seg.doc_count()), []).append(seg)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FACTOR:
            return sorted(tiers[tier], key=lambda seg: seg.doc_count())[:MERGE_FACTOR]
    return []


def _streamed_merge(chosen: Sequence[Any], readers: list[Any]) -> Any:
    """A Whoosh merge policy adding the ``chosen`` segments to the one being written, postings streamed.

    Whoosh's own merge (``add_reader``) pours every posting of the merged
    segments into its sorting pool, which spills to disk past 128 MB and
    reads back through ``marshal`` one posting at a time: most of a merge's
    time, and all of it for nothing, because each segment's postings are
    already in order. Here they are merged as they are read, beside the
    new documents' sorted pool, so a merge costs one pass and no memory
    beyond the readers. ``readers`` collects the opened segment readers,
    to be closed once the commit is over.
    """
    from whoosh.reading import SegmentReader

    chosen_ids = {seg.segment_id() for seg in chosen}

    def policy(writer: Any, segments: Sequence[Any]) -> list[Any]:
        streams = []
        for seg in segments:
            if seg.segment_id() not in chosen_ids:
                continue
            reader = SegmentReader(writer.storage, writer.schema, seg)
            readers.append(reader)
            fieldnames = set(writer.schema.names()) | {f for f in reader.indexed_field_names() if f in writer.schema}
            start = writer.docnum
            docmap = writer.write_per_doc(fieldnames, reader)  # stored fields and lengths, as add_reader does
            streams.append(writer._process_posts(reader.iter_postings(), start, docmap))
        if streams:
            pooled = writer.pool.iter_postings
            writer.pool.iter_postings = lambda: heapq.merge(pooled(), *streams)
            writer._added = True
        return [seg for seg in segments if seg.segment_id() not in chosen_ids]

    return policy


class _WhooshWriter(Writer):
    def __init__(self, engine: "WhooshEngine"):
        self.engine = engine
        self.w = engine._ix.writer(timeout=5.0, delay=0.05)

    def add(self, record: dict[str, Any]) -> None:
        self.w.add_document(**whoosh_fields(record))

    def delete_files(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.w.delete_by_term("file", key)

    def commit(self, merge: bool = False) -> None:
        """Commit; with ``merge``, also merge the segments the tiered policy picks (:func:`_tiered`)."""
        self._commit(_tiered(self.w.segments) if merge else [])

    def _commit(self, chosen: Sequence[Any]) -> None:
        readers: list[Any] = []
        try:
            if chosen:
                self.w.commit(mergetype=_streamed_merge(chosen, readers))
            else:
                self.w.commit(merge=False)
        except BaseException:
            if not self.w.is_closed:
                self.w.cancel()
            raise
        finally:
            for reader in readers:
                reader.close()

    def cancel(self) -> None:
        if not self.w.is_closed:
            self.w.cancel()


class WhooshEngine(Engine):
    """The default engine: pure Python, no extra package; fine to a few hundred agreements."""

    name = "whoosh"

    def __init__(self, path: Path):
        super().__init__(path)
        try:
            self._ix = whoosh.index.open_dir(str(path))
            reader = self._ix.reader()
            try:
                missing = {"uid", "file", "text"} - set(reader.schema.names())
                reader.doc_count()
            finally:
                reader.close()
        except Exception as exc:  # noqa: BLE001 - any failure reading the files means damage
            raise self._damaged(exc) from exc
        if missing:
            raise IndexCorruptError(
                f"index at {path} was not written by this version of eula-parse (no {sorted(missing)[0]} field): "
                f"run `eula index --rebuild`"
            )
        self._searcher: Any = None
        self._docsets: dict[tuple[int, str], Any] = {}

    @classmethod
    def create(cls, path: Path) -> None:
        whoosh.index.create_in(str(path), _schema())

    @staticmethod
    def owns(name: str) -> bool:
        return _looks_like_whoosh(name)

    @staticmethod
    def foreign_index(path: Path) -> bool:
        return any(re.fullmatch(r"_MAIN_\d+\.toc", n) for n in os.listdir(path))

    def _damaged(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(
            f"index at {self.path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
        )

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

    def writer(self) -> _WhooshWriter:
        try:
            return _WhooshWriter(self)
        except _CORRUPTION as exc:
            raise self._damaged(exc) from exc

    def search(self, q: wq.Query, text: str, *, flt: Optional[wq.Query], mask: Iterable[str], limit: int,
               fuzzy: bool, count: bool) -> Ranked:
        searcher = self._get_searcher()
        corrected: dict[str, list[str]] = {}
        try:
            if fuzzy:
                q = _fuzzify(q, searcher.reader(), corrected, text)
            _lazy_unions(q)
            mask = sorted(mask)
            masked = _or_terms("file", mask) if mask else None
            flt_set, mask_set = self._docset(searcher, flt), self._docset(searcher, masked)
            if flt_set is not None and not flt_set:  # Whoosh ignores an empty filter set: it would return everything
                return Ranked([], 0 if count else None, corrected, set())
            results = searcher.search(q, filter=flt_set, mask=mask_set, limit=limit)
            hits = [(searcher.stored_fields(r.docnum)["uid"], r.score) for r in results]
            # Whoosh's len(results) re-runs the whole query, so the exact total is opt-in.
            total = len(searcher.search(q, filter=flt_set, mask=mask_set, limit=None, scored=False)) \
                if count else None
            terms = _highlight_words(q, searcher.reader())
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc
        return Ranked(hits, total, corrected, terms)

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

    def segments(self) -> int:
        reader = self._get_searcher().reader()
        return len(reader.leaf_readers()) if not reader.is_atomic() else 1

    def optimize(self) -> None:
        if self.segments() <= 1:
            return  # rewriting a lone segment would cost a whole second indexing pass
        writer = self.writer()
        writer._commit(writer.w.segments)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
