"""A clause index: ask a question of many agreements and land on the exact clause.

The package, by part:

* :mod:`.clause_index` -- :class:`ClauseIndex`, the API everything else uses.
* :mod:`.records` -- records built from a Document, and the dataclasses that come back
  (:class:`Hit`, :class:`NodeRecord`, :class:`DocumentInfo`...).
* :mod:`.query` -- query syntax checks, entity filter specs, product/group name resolution.
* :mod:`.analysis` -- words as the index sees them (tokens, stop words, stems).
* :mod:`.store` -- the SQLite record store beside the engine: files and nodes as shown.
* :mod:`.engines` -- the engine interface (:mod:`.engines.base`), Whoosh's schema, analyser,
  ranking and query rewriting (:mod:`.engines.whoosh`, the default) and tantivy (:mod:`.engines.tantivy`).
* :mod:`.batch` -- parsing many files in worker processes with a time cap each.
* :mod:`.build` -- seeding an index from the corpus and ``--rebuild``.
* :mod:`.paths` -- where an index lives by default, which files in it are its own.

Everything that used to be importable from ``eula_parse.index`` still is.
"""

from eula_parse.index.analysis import QUESTION_WORDS, _stem, words
from eula_parse.index.batch import FILE_TIMEOUT, WORKER_START_TIMEOUT, expand_paths, file_sha256
from eula_parse.index.build import needs_seeding, rebuild, recorded_engine, recorded_sources, seed
from eula_parse.index.clause_index import INDEX_FORMAT, LOCK_TIMEOUT, MAX_SEGMENTS, ClauseIndex
from eula_parse.index.engines import DEFAULT_ENGINE, ENGINES
from eula_parse.index.engines.whoosh import (
    _ANALYZER,
    BM25_PARAMS,
    FIELD_BOOSTS,
    FUZZY_EXPANSIONS,
    FUZZY_WEIGHT,
    MAX_EDIT_DISTANCE,
    TidyFilter,
)
from eula_parse.index.paths import (
    ENV_INDEX,
    MARKER,
    SEEDING,
    SOURCES_LOG,
    default_corpus_path,
    default_index_path,
    describe_default_index,
    is_index_dir,
    project_root,
    sample_paths,
)
from eula_parse.index.query import DEFAULT_FIELDS, QUERY_FIELDS, check_query
from eula_parse.index.records import (
    SNIPPET_CHARS,
    STRIP_OWN_NAME,
    UNLIMITED,
    AddResult,
    DocumentInfo,
    FileResult,
    Hit,
    NodeRecord,
    NodeRef,
    SearchResults,
    document_version,
    duration_days,
    entity_number,
    version_date,
)

__all__ = [
    "AddResult", "BM25_PARAMS", "DEFAULT_ENGINE", "ENGINES", "recorded_engine", "ClauseIndex", "DEFAULT_FIELDS", "DocumentInfo", "ENV_INDEX", "FIELD_BOOSTS",
    "FILE_TIMEOUT", "FUZZY_EXPANSIONS", "FUZZY_WEIGHT", "FileResult", "Hit", "INDEX_FORMAT", "LOCK_TIMEOUT",
    "MARKER", "MAX_EDIT_DISTANCE", "MAX_SEGMENTS", "NodeRecord", "NodeRef", "QUERY_FIELDS", "QUESTION_WORDS",
    "SEEDING", "SNIPPET_CHARS", "SOURCES_LOG", "STRIP_OWN_NAME", "SearchResults", "TidyFilter", "UNLIMITED",
    "WORKER_START_TIMEOUT", "_ANALYZER", "_stem", "check_query", "default_corpus_path", "default_index_path",
    "describe_default_index",
    "document_version", "duration_days", "entity_number", "expand_paths", "file_sha256", "is_index_dir",
    "needs_seeding", "project_root", "rebuild", "recorded_sources", "sample_paths", "seed", "version_date", "words",
]
