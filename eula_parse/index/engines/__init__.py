"""Search engines behind :class:`~eula_parse.index.ClauseIndex`: Whoosh (default) and tantivy (optional)."""

from __future__ import annotations

from eula_parse.errors import QueryError

#: The engine of a new index when none is named.
DEFAULT_ENGINE = "whoosh"
#: Every engine, by the name ``--engine`` takes and the index marker records.
ENGINES = ("whoosh", "tantivy")


def engine_class(name: str) -> type:
    """The engine class for ``name``, imported only when used (tantivy is an optional extra)."""
    if name == "whoosh":
        from eula_parse.index.engines.whoosh import WhooshEngine

        return WhooshEngine
    if name == "tantivy":
        try:
            from eula_parse.index.engines.tantivy import TantivyEngine
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("tantivy"):
                raise
            raise QueryError(
                "the tantivy engine needs the tantivy package: pip install 'eula-parse[tantivy]'"
            ) from exc
        return TantivyEngine
    raise QueryError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
