"""Text to HTML for the web pages: entities marked in a clause, matched words in a snippet.

Everything that reaches a page from the index goes through :func:`escape`
here, so a clause quoting ``<script>`` stays text.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Iterable, Optional, Sequence

from markupsafe import Markup

from eula_parse.model import Entity


def value_summary(entity: Entity) -> str:
    """The normalised value in a few words ("P90D", "EUR 100", "refs 9, 10"); what a hover shows."""
    value = entity.value or {}
    if not value:
        return ""
    for key in ("iso", "url", "definition", "name"):
        if value.get(key):
            return str(value[key])
    if "amount" in value:
        parts = [str(value.get(k)) for k in ("currency", "amount", "unit", "bound") if value.get(k) not in (None, "")]
        return " ".join(parts)
    parts = []
    for key, val in value.items():
        if isinstance(val, (list, tuple)):
            val = ", ".join(str(v) for v in val)
        parts.append(f"{key} {val}")
    return "; ".join(parts)


def _targets(entity: Entity) -> list[str]:
    target = entity.target
    if not target:
        return []
    return [str(t) for t in (target if isinstance(target, list) else [target]) if t]


def _shown(entities: Iterable[Any], length: int) -> list[Entity]:
    """Entities to mark, in order, without overlaps (the earlier, then longer, one wins).

    Sub-items read back from the index may carry their entities as plain dicts.
    """
    entities = [Entity(**e) if isinstance(e, dict) else e for e in entities]
    ordered = sorted((e for e in entities if 0 <= e.start < e.end <= length),
                     key=lambda e: (e.start, -(e.end - e.start)))
    kept: list[Entity] = []
    end = -1
    for e in ordered:
        if e.start >= end:
            kept.append(e)
            end = e.end
    return kept


def marked_text(text: str, entities: Sequence[Entity], link: Callable[[str], Optional[str]]) -> Markup:
    """``text`` with each entity in a ``<mark>`` (its value in ``title``); references and terms as links.

    ``link(node_id)`` gives the URL of a node of the same version, or
    ``None`` when it is not there (the mention stays a plain mark).
    """
    out: list[str] = []
    last = 0
    for e in _shown(entities, len(text)):
        out.append(escape(text[last:e.start]))
        label = str(e.label).upper()
        summary = value_summary(e)
        title = f"{label}: {summary}" if summary else label
        inner = escape(text[e.start:e.end])
        targets = _targets(e)
        href = link(targets[0]) if targets and label in ("XREF", "TERM", "PRODUCT") else None
        cls = f"ent ent-{label.lower()}"
        if href:
            what = "defined in" if label == "TERM" else "refers to"
            out.append(f'<a class="{cls}" href="{escape(href)}" title="{escape(title)} ({what} '
                       f'{escape(targets[0])})" data-label="{label}">{inner}</a>')
        else:
            out.append(f'<mark class="{cls}" title="{escape(title)}" data-label="{label}">{inner}</mark>')
        last = e.end
    out.append(escape(text[last:]))
    return Markup("".join(out))


def highlighted(snippet: str, spans: Sequence[Sequence[int]]) -> Markup:
    """A search snippet with the matched words in ``<mark>``."""
    out: list[str] = []
    last = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < last or end > len(snippet):
            continue
        out.append(escape(snippet[last:start]))
        out.append(f'<mark class="hit">{escape(snippet[start:end])}</mark>')
        last = end
    out.append(escape(snippet[last:]))
    return Markup("".join(out))


def entity_rows(entities: Sequence[Entity]) -> list[dict[str, Any]]:
    """One row per distinct (label, text, value) except defined-term uses, for the entity table."""
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for e in entities:
        label = str(e.label).upper()
        if label == "TERM":
            continue
        key = (label, e.text, value_summary(e))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"label": label, "text": e.text, "value": key[2], "targets": _targets(e)})
    return rows
