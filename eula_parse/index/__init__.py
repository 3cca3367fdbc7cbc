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

Everything that used to be importable from ``eula_parse.index`` still is, imported on first
use: the package itself imports nothing.
"""

#: Every public name, by the submodule that defines it: imported on first use (PEP 562), so
#: ``from eula_parse.index.paths import ...`` (``eula diff``) does not import Whoosh.
_WHERE = {
    **dict.fromkeys(['QUESTION_WORDS', '_stem', 'words'], '.analysis'),
    **dict.fromkeys(['FILE_TIMEOUT', 'WORKER_START_TIMEOUT', 'expand_paths', 'file_sha256'], '.batch'),
    **dict.fromkeys(['needs_seeding', 'rebuild', 'recorded_engine', 'recorded_sources', 'seed'], '.build'),
    **dict.fromkeys(['INDEX_FORMAT', 'LOCK_TIMEOUT', 'MAX_SEGMENTS', 'ClauseIndex'], '.clause_index'),
    **dict.fromkeys(['DEFAULT_ENGINE', 'ENGINES'], '.engines'),
    **dict.fromkeys([
        '_ANALYZER', 'BM25_PARAMS', 'FIELD_BOOSTS', 'FUZZY_EXPANSIONS', 'FUZZY_WEIGHT', 'MAX_EDIT_DISTANCE',
        'TidyFilter'
    ], '.engines.whoosh'),
    **dict.fromkeys([
        'ENV_INDEX', 'MARKER', 'SEEDING', 'SOURCES_LOG', 'default_corpus_path', 'default_index_path',
        'describe_default_index', 'is_index_dir', 'project_root', 'sample_paths'
    ], '.paths'),
    **dict.fromkeys(['DEFAULT_FIELDS', 'QUERY_FIELDS', 'check_query'], '.query'),
    **dict.fromkeys([
        'SNIPPET_CHARS', 'STRIP_OWN_NAME', 'UNLIMITED', 'AddResult', 'DocumentInfo', 'FileResult', 'Hit',
        'NodeRecord', 'NodeRef', 'SearchResults', 'document_version', 'duration_days', 'entity_number',
        'version_date'
    ], '.records'),
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


__all__ = sorted(_WHERE)
