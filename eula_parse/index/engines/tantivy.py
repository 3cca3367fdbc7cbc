"""The tantivy engine: the same index API on a Rust search library, for thousands of agreements.

Optional (``pip install 'eula-parse[tantivy]'``). Its files live in
``tantivy/`` inside the index directory. Text is analysed here in Python
with the very function Whoosh's analyser mirrors (:func:`words` and
:func:`_stem`), and handed to tantivy as ready-made terms, so both engines
index the same terms, read the same query language (Whoosh's parser builds
the query tree; :func:`translate` turns it into tantivy queries) and
highlight the same words.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from pathlib import Path
from typing import Any, Iterable, Optional

import tantivy
from rapidfuzz.distance import Levenshtein
from whoosh import query as wq

from eula_parse.errors import IndexCorruptError
from eula_parse.index.analysis import terms
from eula_parse.index.engines.base import Engine, Ranked, Writer
from eula_parse.index.engines.whoosh import _fuzzify, _positive
from eula_parse.index.paths import TANTIVY_DIR
from eula_parse.index.query import DEFAULT_FIELDS, ENTITY_LABELS
from eula_parse.index.records import indexed_terms

#: Fields searched word by word (terms made by :func:`analyse`), and fields matched whole.
TEXT_FIELDS = ("text", "heading", "product", "group")
NAME_FIELDS = TEXT_FIELDS[1:]
RAW_FIELDS = ("file", "id", "kind", "product_id", "group_id", "number",
              "entity", "value", "modality", "refs")
#: One float field per entity label, for ``LABEL>=X`` filters.
NUMBER_FIELDS = tuple(f"v_{label.lower()}" for label in ENTITY_LABELS)
#: Score added per distinct query word a record contains (see :func:`_coordinated`),
#: about one word's BM25 score here; the known-item questions rank the same from 1.5 to 20.
COORDINATION = 2.0
#: How many of the best BM25 hits the coordination bonus may reorder (at least the limit asked for).
RERANKED = 20
#: Stored with each record: the distinct terms of its searched fields, for the coordination bonus.
WORDS_FIELD = "words"
#: Writer memory; tantivy needs at least 15 MB per thread.
HEAP_BYTES = 64_000_000
_TOKENIZER = "eula"


def _panic_type() -> type:
    """pyo3's PanicException (a BaseException): what tantivy raises when a file is not what it wrote."""
    try:
        from pyo3_runtime import PanicException  # type: ignore[import-not-found]

        return PanicException
    except ImportError:
        return ValueError


#: What reading damaged files raises (tantivy reports I/O and format errors as ValueError).
_FAILURES = (ValueError, OSError, _panic_type())


def analyse(text: Optional[str]) -> str:
    """The index terms of ``text``, space-separated, exactly as the Whoosh analyser makes them."""
    return " ".join(terms(text))


#: Headings, product and group names repeat on many records: analysed once each.
_analyse_name = functools.lru_cache(maxsize=8192)(analyse)


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uid", stored=True, tokenizer_name="raw")
    builder.add_bytes_field(WORDS_FIELD, stored=True)
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=_TOKENIZER, index_option="position")
    for name in NUMBER_FIELDS:
        builder.add_float_field(name, indexed=True, fast=True)
    return builder.build()


def _document(record: dict[str, Any]) -> Any:
    fields: dict[str, Any] = {"uid": record["uid"]}
    text = indexed_terms(record)
    if text:
        fields["text"] = " ".join(text)
    searched = set(text)
    for name in NAME_FIELDS:
        value = record.get(name)
        if value:
            words = _analyse_name(value)
            if words:
                fields[name] = words
                if name in DEFAULT_FIELDS:
                    searched.update(words.split())
    fields[WORDS_FIELD] = " ".join(sorted(searched)).encode()
    for name in RAW_FIELDS:
        value = record.get(name)
        if value:
            fields[name] = list(value) if isinstance(value, list) else str(value)
    for label, nums in record.get("numbers", {}).items():
        if f"v_{label}" in NUMBER_FIELDS:
            fields[f"v_{label}"] = [float(n) for n in nums]
    return tantivy.Document(**fields)


def _coordinated(found: list[tuple[Any, float]], stems: set[str]) -> list[tuple[Any, float]]:
    """The best BM25 hits, :data:`COORDINATION` added per distinct query word each has, best first.

    Records matching more of the question's words rank higher: tantivy's
    BM25 (``b`` fixed at 0.75, Whoosh's is 0.5) otherwise lets a short
    record with two common words of the question outrank a long one with
    those two and a rare third. The words each record holds are stored with
    it (``words``), so this costs a set intersection per hit; bonus clauses
    in the query cost more than the search (tantivy can no longer skip
    blocks of records that cannot make the top).
    """
    scored = []
    for doc, score in found:
        held = (doc.get_first(WORDS_FIELD) or b"").decode().split()
        scored.append((doc, score + COORDINATION * len(stems.intersection(held))))
    return sorted(scored, key=lambda pair: -pair[1])


class _TantivyWriter(Writer):
    def __init__(self, engine: "TantivyEngine"):
        self.engine = engine
        self.w = engine._index.writer(heap_size=HEAP_BYTES, num_threads=1)

    def add(self, record: dict[str, Any]) -> None:
        self.w.add_document(_document(record))

    def delete_files(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.w.delete_documents_by_term("file", key)

    def commit(self, merge: bool = False) -> None:
        try:
            self.w.commit()
            self.w.wait_merging_threads()  # let background merges finish; this also releases the lock
        except BaseException:
            self.cancel()
            raise
        self.w = None
        self.engine._searcher = None  # the next search reloads

    def cancel(self) -> None:
        if self.w is not None:
            try:
                self.w.rollback()
            finally:
                self.w = None


class _Vocabulary:
    """What spelling correction asks of an index reader (Whoosh's names), answered from tantivy's terms."""

    def __init__(self, searcher: Any):
        self.searcher = searcher

    def doc_frequency(self, field: str, term: str) -> int:
        return self.searcher.doc_freq(field, term)

    def terms_within(self, field: str, word: str, maxdist: int, prefix: int = 0) -> Iterable[str]:
        for term, _ in self.searcher.terms_with_prefix(field, word[:prefix]):
            if abs(len(term) - len(word)) <= maxdist and _distance(term, word, maxdist) <= maxdist:
                yield term

    def expand(self, field: str, pattern: str) -> list[str]:
        fixed = re.split(r"[*?]", pattern, maxsplit=1)[0]
        return [t for t, _ in self.searcher.terms_with_prefix(field, fixed) if fnmatch.fnmatchcase(t, pattern)]


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``cap + 1`` once it exceeds ``cap``."""
    return Levenshtein.distance(a, b, score_cutoff=cap)


class TantivyEngine(Engine):
    """tantivy: compiled, fast to build and to query at thousands of agreements."""

    name = "tantivy"

    def __init__(self, path: Path):
        super().__init__(path)
        self.dir = path / TANTIVY_DIR
        try:
            self._index = tantivy.Index.open(str(self.dir))
            self._index.register_tokenizer(_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
            self.schema = self._index.schema
            self._searcher: Any = None
            self._seen: Optional[tuple[int, int, int]] = None
            self._get_searcher().search(tantivy.Query.all_query(), 1)
            tantivy.Query.term_query(self.schema, "file", "")  # raises when the schema is not ours
        except Exception as exc:  # noqa: BLE001 - any failure reading the files means damage
            raise self._damaged(exc) from exc
        try:
            tantivy.Query.term_query(self.schema, WORDS_FIELD, b"")
        except ValueError as exc:
            raise IndexCorruptError(
                f"index at {path} was written by an older version of eula-parse (no {WORDS_FIELD} field): "
                f"run `eula index --rebuild`") from exc

    def _get_searcher(self) -> Any:
        """A searcher on the last commit; reloaded only when tantivy's ``meta.json`` was replaced.

        Every commit (this process's or another's) writes a new ``meta.json``
        by renaming it into place, so a stat tells whether to reload: reloading
        on every search cost a fifth of a search.
        """
        try:
            st = os.stat(self.dir / "meta.json")
            seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            seen = None
        if self._searcher is None or seen is None or seen != self._seen:
            self._index.reload()
            self._searcher, self._seen = self._index.searcher(), seen
        return self._searcher

    def _damaged(self, exc: BaseException) -> IndexCorruptError:
        message = " ".join(str(exc).split())[:200]
        return IndexCorruptError(
            f"index at {self.path} is damaged ({type(exc).__name__}: {message}): run `eula index --rebuild`"
        )

    @classmethod
    def create(cls, path: Path) -> None:
        directory = path / TANTIVY_DIR
        directory.mkdir(exist_ok=True)
        tantivy.Index(_schema(), path=str(directory))

    @staticmethod
    def owns(name: str) -> bool:
        return name == TANTIVY_DIR

    def writer(self) -> _TantivyWriter:
        try:
            return _TantivyWriter(self)
        except _FAILURES as exc:
            raise self._damaged(exc) from exc

    def search(self, q: wq.Query, text: str, *, flt: Optional[wq.Query], mask: Iterable[str], limit: int,
               fuzzy: bool, count: bool) -> Ranked:
        try:
            searcher = self._get_searcher()
            vocabulary = _Vocabulary(searcher)
            corrected: dict[str, list[str]] = {}
            if fuzzy:
                q = _fuzzify(q, vocabulary, corrected, text)
            clauses = [(tantivy.Occur.Must, self.translate(q))]
            if flt is not None:
                clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(self.translate(flt), 0.0)))
            mask = sorted(mask)
            if mask:
                clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self.schema, "file", mask)))
            query = clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
            stems = self._query_stems(q)
            result = searcher.search(query, max(limit, RERANKED) if len(stems) > 1 else limit, count=count)
            found = [(searcher.doc(address), score) for score, address in result.hits]
            if len(stems) > 1:
                found = _coordinated(found, stems)[:limit]
            hits = [(doc["uid"][0], score) for doc, score in found]
            terms = self._highlight_words(q, vocabulary)
        except _FAILURES as exc:
            raise self._damaged(exc) from exc
        return Ranked(hits, result.count if count else None, corrected, terms)

    @staticmethod
    def _query_stems(q: wq.Query) -> set[str]:
        """The distinct words (stems) the query looks for in the searched fields, for :func:`_coordinated`."""
        return {leaf.text for leaf in _positive(q).leaves()
                if isinstance(leaf, wq.Term) and leaf.fieldname in DEFAULT_FIELDS and isinstance(leaf.text, str)}

    @staticmethod
    def _highlight_words(q: wq.Query, vocabulary: _Vocabulary) -> set[str]:
        terms: set[str] = set()
        for leaf in _positive(q).leaves():
            field = getattr(leaf, "fieldname", None)
            if field not in DEFAULT_FIELDS:
                continue
            if isinstance(leaf, wq.Phrase):
                terms.update(leaf.words)
            elif isinstance(leaf, wq.FuzzyTerm):
                terms.update(vocabulary.terms_within(field, leaf.text, leaf.maxdist, leaf.prefixlength))
            elif isinstance(leaf, (wq.Prefix, wq.Wildcard)):
                pattern = leaf.text + "*" if isinstance(leaf, wq.Prefix) else leaf.text
                terms.update(vocabulary.expand(field, pattern)[:200])
            elif isinstance(leaf, wq.Term) and isinstance(leaf.text, str):
                terms.add(leaf.text)
        return terms

    def translate(self, q: wq.Query) -> Any:
        """A Whoosh query tree as a tantivy query (scores summed per field, boosts kept)."""
        Q, Occur = tantivy.Query, tantivy.Occur
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, (wq.And, wq.Or)) and not isinstance(q, wq.Ordered):
            occur = Occur.Must if isinstance(q, wq.And) else Occur.Should
            clauses = [(Occur.MustNot, self.translate(c.query)) if isinstance(c, wq.Not) else
                       (occur, self.translate(c)) for c in q.subqueries]
            if not clauses:
                out = Q.empty_query()
            elif all(o == Occur.MustNot for o, _ in clauses):
                out = Q.boolean_query([(Occur.Must, Q.all_query()), *clauses])
            else:
                out = Q.boolean_query(clauses)
        elif isinstance(q, wq.Not):
            out = Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, self.translate(q.query))])
        elif isinstance(q, wq.AndNot):
            out = Q.boolean_query([(Occur.Must, self.translate(q.a)), (Occur.MustNot, self.translate(q.b))])
        elif isinstance(q, wq.AndMaybe):
            out = Q.boolean_query([(Occur.Must, self.translate(q.a)), (Occur.Should, self.translate(q.b))])
        elif isinstance(q, wq.Every):  # with a field name: records with any value in it
            out = Q.regex_query(self.schema, q.fieldname, ".+") if self._known(q.fieldname) and q.fieldname != "*" \
                and q.fieldname else Q.all_query()
        elif q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            out = Q.empty_query()
        elif isinstance(q, wq.Phrase):
            words = [w for w in q.words if w]
            if not self._known(q.fieldname) or not words:
                out = Q.empty_query()
            elif len(words) == 1:
                out = Q.term_query(self.schema, q.fieldname, words[0])
            else:
                out = Q.phrase_query(self.schema, q.fieldname, words, q.slop - 1 if q.slop > 1 else 0)
        elif isinstance(q, wq.NumericRange):
            if q.fieldname not in NUMBER_FIELDS or (q.start is None and q.end is None):
                out = Q.empty_query()
            else:
                out = Q.range_query(self.schema, q.fieldname, tantivy.FieldType.Float,
                                    None if q.start is None else float(q.start),
                                    None if q.end is None else float(q.end),
                                    include_lower=not q.startexcl, include_upper=not q.endexcl)
        elif isinstance(q, wq.FuzzyTerm):
            out = Q.fuzzy_term_query(self.schema, q.fieldname, q.text, distance=min(q.maxdist, 2),
                                     prefix=False) if self._known(q.fieldname) else Q.empty_query()
        elif isinstance(q, (wq.Prefix, wq.Wildcard, wq.Regex)):
            if isinstance(q, wq.Prefix):
                pattern = re.escape(q.text) + ".*"
            elif isinstance(q, wq.Wildcard):
                pattern = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in q.text)
            else:
                pattern = q.text
            try:
                out = Q.regex_query(self.schema, q.fieldname, pattern) if self._known(q.fieldname) \
                    else Q.empty_query()
            except ValueError:
                out = Q.empty_query()
        elif isinstance(q, wq.Term):
            if q.fieldname in NUMBER_FIELDS:
                try:
                    value = float(q.text)
                except (TypeError, ValueError):
                    return Q.empty_query()
                out = Q.range_query(self.schema, q.fieldname, tantivy.FieldType.Float, value, value)
            elif self._known(q.fieldname) and isinstance(q.text, str):
                out = Q.term_query(self.schema, q.fieldname, q.text)
            else:
                out = Q.empty_query()
        elif q.is_leaf():
            out = Q.empty_query()  # ranges over words and other rare syntax: nothing, rather than a guess
        else:
            out = Q.boolean_query([(Occur.Should, self.translate(c)) for c in q.children()] or
                                  [(Occur.Must, Q.empty_query())])
        if boost and boost != 1.0:
            out = Q.boost_query(out, float(boost))
        return out

    @staticmethod
    def _known(field: Optional[str]) -> bool:
        return field in TEXT_FIELDS or field in RAW_FIELDS

    def segments(self) -> int:
        return self._get_searcher().num_segments

    def optimize(self) -> None:
        """tantivy merges in the background after each commit (the writer waits for it)."""
