"""The HTML redline report of a :class:`~eula_parse.diff.DocumentDiff`.

One self-contained file (inline CSS, no scripts, no external fonts or images) so
it can be mailed, archived next to the contract, or opened offline years later
and still look the same. It opens with a summary table (one row per kind of
change; ``id="summary"``), then an index of the changes, then each change with
the old and new text side by side, deletions and insertions marked with
``<del>``/``<ins>`` so the meaning survives without colour (printing, screen
readers).
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Optional

from eula_parse.diff.changes import KINDS, Change, DocumentDiff

_PAGE_CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328;
       max-width: 1200px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
p.versions { color: #59636e; margin-top: 0; }
"""

#: Styles of the report's own parts (summary, index, redlines); the web app's compare page uses them too.
CSS = """
:root { --del: #ffd7d5; --del-ink: #82071e; --ins: #ccffd8; --ins-ink: #055d20; --rule: #d0d7de; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid var(--rule); padding: .3em .7em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.count { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; }
.kind { display: inline-block; min-width: 6.5em; font-size: .8em; font-weight: 600; text-transform: uppercase;
        letter-spacing: .03em; }
.kind-added { color: var(--ins-ink); } .kind-removed { color: var(--del-ink); }
.kind-modified, .kind-renamed { color: #9a6700; } .kind-moved, .kind-renumbered { color: #0969da; }
section.change { border-top: 1px solid var(--rule); padding: .6em 0 1em; }
section.change h3 { font-size: 1em; margin: .2em 0 .5em; }
.path { color: #59636e; font-weight: normal; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side { border: 1px solid var(--rule); border-radius: 6px; padding: .5em .8em; white-space: pre-wrap; }
.side h4 { margin: 0 0 .3em; font-size: .8em; color: #59636e; text-transform: uppercase; }
del { background: var(--del); color: var(--del-ink); text-decoration: line-through; }
ins { background: var(--ins); color: var(--ins-ink); text-decoration: none; }
.side.only-new { background: #f0fff4; } .side.only-old { background: #fff5f5; }
ul.entities { margin: .5em 0 0; padding-left: 1.2em; font-family: ui-monospace, Menlo, Consolas, monospace;
              font-size: .9em; }
p.none { font-style: italic; color: #59636e; }
"""


def _where(change: Change) -> str:
    return " \u203a ".join(change.path)


def _numbers(change: Change) -> str:
    if change.old_number and change.new_number and change.old_number != change.new_number:
        return f"{change.old_number} \u2192 {change.new_number}"
    return change.new_number or change.old_number or ""


def _side(change: Change, side: str) -> str:
    """One column of a redline: the old text with deletions, or the new with insertions."""
    if not change.redline:
        text = change.old_text if side == "old" else change.new_text
        return escape(text or "")
    drop, tag = ("insert", "del") if side == "old" else ("delete", "ins")
    parts = []
    for op, text in change.redline:
        if op == drop:
            continue
        parts.append(f"<{tag}>{escape(text)}</{tag}>" if op != "equal" else escape(text))
    return "".join(parts)


def change_html(number: int, change: Change) -> str:
    """One change as a ``<section id="change-N">``: kind, where, redline or text, entity changes."""
    head = (
        f'<h3><span class="kind kind-{change.kind}">{change.kind}</span> '
        f'<span class="path">{escape(_where(change))}</span></h3>'
    )
    if change.kind == "added":
        body = f'<div class="side only-new"><h4>new</h4>{escape(change.new_text or "")}</div>'
    elif change.kind == "removed":
        body = f'<div class="side only-old"><h4>old</h4>{escape(change.old_text or "")}</div>'
    elif change.kind in ("moved", "renumbered") and not change.redline:
        where_old = escape(change.old_id or "")
        where_new = escape(change.new_id or "")
        body = (
            f"<p>{where_old} \u2192 {where_new}</p>"
            f'<div class="side">{escape(change.new_text or change.old_text or "")}</div>'
        )
    else:
        body = (
            '<div class="sides">'
            f'<div class="side old"><h4>old</h4>{_side(change, "old")}</div>'
            f'<div class="side new"><h4>new</h4>{_side(change, "new")}</div>'
            "</div>"
        )
    if change.entity_changes:
        items = "".join(f"<li>{escape(str(e))}</li>" for e in change.entity_changes)
        body += f'<ul class="entities">{items}</ul>'
    return f'<section class="change" id="change-{number}">{head}{body}</section>'


def _rows(changes: Iterable[tuple[int, Change]]) -> str:
    rows = []
    for number, change in changes:
        rows.append(
            f'<tr class="kind-{change.kind}"><td><a href="#change-{number}">{number}</a></td>'
            f'<td><span class="kind kind-{change.kind}">{change.kind}</span></td>'
            f"<td>{escape(_where(change))}</td><td>{escape(_numbers(change))}</td></tr>"
        )
    return "".join(rows)


def render_body(result: DocumentDiff, *, include_renumbered: bool = False,
                kinds: Optional[Iterable[str]] = None) -> str:
    """Summary table, index of changes and the changes themselves, without the page around them.

    ``kinds`` keeps only changes of those kinds (the summary still counts
    every kind), so a page can filter without a second report format.
    """
    wanted = set(kinds) if kinds is not None else None
    changes = [c for c in result.changes
               if (c.kind in wanted if wanted is not None else include_renumbered or c.substantive)]
    numbered = list(enumerate(changes, 1))
    counts = result.counts(include_renumbered=True)

    summary_rows = []
    for kind in KINDS:
        note = " (not substantive)" if kind == "renumbered" else ""
        summary_rows.append(
            f'<tr data-kind="{kind}"><td><span class="kind kind-{kind}">{kind}</span>{note}</td>'
            f'<td class="count">{counts[kind]}</td></tr>'
        )
    substantive = sum(n for k, n in counts.items() if k != "renumbered")
    summary_rows.append(
        f'<tr class="total" data-kind="substantive"><td>substantive changes</td>'
        f'<td class="count">{substantive}</td></tr>'
    )

    if numbered:
        index = (
            '<table id="changes"><thead><tr><th>#</th><th>kind</th><th>where</th><th>number</th></tr></thead>'
            f"<tbody>{_rows(numbered)}</tbody></table>"
        )
        details = "".join(change_html(number, change) for number, change in numbered)
    else:
        index = '<p class="none">No substantive change.</p>'
        details = ""
    return (
        '<table id="summary"><caption>Summary</caption>'
        "<thead><tr><th>kind</th><th>changes</th></tr></thead>"
        f'<tbody>{"".join(summary_rows)}</tbody></table>'
        f"{index}{details}"
    )


def render_html(result: DocumentDiff, *, include_renumbered: bool = False, title: Optional[str] = None) -> str:
    """The whole report as one HTML string (write it with ``encoding="utf-8"``)."""
    name = title or result.new_title or result.old_title or "Agreement"
    versions = f"{result.old_version or 'old'} \u2192 {result.new_version or 'new'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(name)}: {escape(versions)}</title>"
        f"<style>{_PAGE_CSS}{CSS}</style></head><body>"
        f"<h1>{escape(name)}</h1>"
        f'<p class="versions">{escape(versions)}</p>'
        f"{render_body(result, include_renumbered=include_renumbered)}"
        "</body></html>\n"
    )
