"""The query language around the engine: syntax checks, entity filter specs, name resolution.

The engine's own parser never fails (it drops what it cannot read), so a
query is checked here first and the user gets a one-line reason instead of
silently different results.
"""

from __future__ import annotations

import difflib
import re
from typing import Sequence, Union

from whoosh import query as wq

from eula_parse.errors import NotFoundError, QueryError
from eula_parse.index.records import _number, _value_slug, duration_days
from eula_parse.model import slugify


DEFAULT_FIELDS = ("text", "heading", "product")


#: Field names a query may use (``product:"smart wall"``, ``entity:duration``...).
QUERY_FIELDS = (
    "id", "document", "version", "kind", "product", "product_id", "group", "group_id",
    "number", "heading", "text", "entity", "value", "modality", "refs",
)


#: Labels the entity tagger emits (``eula_parse.entities.LABELS``, kept here so the index does not load spaCy).
ENTITY_LABELS = ("PRODUCT", "LIMIT", "DURATION", "MONEY", "LAW", "COURT", "ORG", "URL", "DATE", "VERSION",
                 "XREF", "DEFINITION", "TERM")
#: What a clause does, as the tagger classifies it.
MODALITIES = ("permission", "obligation", "prohibition", "restriction", "disclaimer")


def check_label(label: str) -> str:
    """``label`` lower-cased, or a :class:`QueryError` naming the valid labels (as ``eula entities --label``)."""
    if label.upper() not in ENTITY_LABELS:
        close = difflib.get_close_matches(label.upper(), ENTITY_LABELS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise QueryError(f"unknown entity label {label!r}: use one of {', '.join(ENTITY_LABELS)}{hint}")
    return label.lower()


def check_modality(modality: str) -> str:
    """``modality`` lower-cased, or a :class:`QueryError` naming the valid ones."""
    value = str(modality).strip().lower()
    if value not in MODALITIES:
        close = difflib.get_close_matches(value, MODALITIES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise QueryError(f"unknown modality {modality!r}: use one of {', '.join(MODALITIES)}{hint}")
    return value


_FILTER_RE = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|==|=|>|<|:)\s*(.+?)\s*$")


def _entity_filter(spec: str) -> wq.Query:
    """Turn ``DURATION`` / ``duration>=P30D`` / ``money<=100`` / ``org=Microsoft`` into a query.

    Numeric comparisons use days for durations and ``amount`` otherwise
    ("unlimited" counts as very large); ``LABEL=text`` matches entities whose
    text or string values contain ``text``.
    """
    spec = str(spec).strip()
    if re.fullmatch(r"[A-Za-z_]+", spec):
        return wq.Term("entity", check_label(spec))
    match = _FILTER_RE.match(spec)
    if not match:
        raise QueryError(
            f"bad entity filter {spec!r}: use LABEL or LABEL>=VALUE, e.g. DURATION or duration>=P30D"
        )
    label, op, raw = check_label(match.group(1)), match.group(2), match.group(3)
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


def _as_list(value: Union[str, Sequence[str], None]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [v for v in value if v and str(v).strip()]


def _resolve(ids: Sequence[str], name: str, what: str) -> list[str]:
    """Ids among ``ids`` that ``name`` designates: exact id, same words, or a unique fragment.

    "smart wall", "Milestone XProtect® Smart Wall" and "xprotect-smart-wall"
    all name ``product/xprotect-smart-wall``; words that appear in no id
    ("Milestone") are ignored rather than making the filter match nothing.
    """
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


def by_file(q: wq.Query, files: dict[str, list[str]]) -> wq.Query:
    """``document:X`` and ``version:Y`` in a query, as the keys of the files that are that document or version.

    ``files`` maps ``document:NAME`` and ``version:LABEL`` to file keys. A
    name or label in no file matches nothing.
    """
    if isinstance(q, wq.Term) and q.fieldname in ("document", "version"):
        keys = files.get(f"{q.fieldname}:{q.text}", [])
        if not keys:
            return wq.NullQuery
        terms = [wq.Term("file", key, boost=q.boost) for key in keys]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    return q.apply(lambda child: by_file(child, files))
