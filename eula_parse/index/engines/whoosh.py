"""Whoosh specifics: schema, analyser, ranking, spelling correction and query rewriting.

Nothing from here leaves the package: :class:`~eula_parse.index.ClauseIndex`
turns Whoosh results into :class:`~eula_parse.index.records.Hit` and friends.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from typing import Any, Optional, Sequence

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

from eula_parse.index.analysis import QUESTION_WORDS, _stem, words
from eula_parse.index.query import DEFAULT_FIELDS


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
