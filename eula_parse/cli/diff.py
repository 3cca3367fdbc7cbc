"""``eula diff OLD NEW``: what changed between two versions of an agreement.

Exit status follows diff(1) so scripts can gate on it: 0 when nothing
substantive changed (renumbering alone is not a change), 1 when something did,
2 on error (raised as ``EulaError`` and reported by the command group).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click

from eula_parse.errors import InputError

#: Words of unchanged text kept on each side of a change in terminal redlines.
CONTEXT_WORDS = 8
#: Characters of an added or removed node's text shown in the terminal.
PREVIEW_CHARS = 240


def _load(spec: str, index_dir: Optional[str], engine: Optional[str] = None):
    """A PDF path, or ``doc@version`` rebuilt from the index (an existing file always wins)."""
    path = Path(spec)
    if path.exists() or "@" not in spec:
        from eula_parse.pipeline import parse

        return parse(path, engine=engine)
    doc_id, _, version = spec.rpartition("@")
    from eula_parse.index import ClauseIndex

    with ClauseIndex(index_dir, create=False) as index:
        return index.document(doc_id, version or None)


def _trim(text: str, keep: str) -> str:
    """Shorten an unchanged run to its last (``keep="tail"``) or first words."""
    words = text.split(" ")
    if len(words) <= 2 * CONTEXT_WORDS + 1:
        return text
    if keep == "tail":
        return "\u2026 " + " ".join(words[-CONTEXT_WORDS - 1:])
    if keep == "head":
        return " ".join(words[: CONTEXT_WORDS + 1]) + " \u2026"
    return " ".join(words[: CONTEXT_WORDS + 1]) + " \u2026 " + " ".join(words[-CONTEXT_WORDS - 1:])


def _redline_text(segments, color: bool):
    from rich.text import Text

    out = Text()
    last = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == "equal":
            keep = "tail" if i == 0 else "head" if i == last else "both"
            out.append(_trim(text, keep))
        elif color:
            out.append(text, style="bold red strike" if op == "delete" else "bold green underline")
        else:
            out.append(f"[-{text}-]" if op == "delete" else f"{{+{text}+}}")
    return out


def _preview(text: Optional[str]) -> str:
    text = " ".join((text or "").replace("\n", " \u00b7 ").split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS].rstrip() + " \u2026"


def _label(change) -> str:
    node = change.new_id or change.old_id or ""
    if node.count("/") >= 2 and node.startswith("product/"):
        number = change.new_number or change.old_number
        label = f"clause {number}"
    else:
        label = change.path[-1] if change.path else node
    if change.old_number and change.new_number and change.old_number != change.new_number:
        label += f" (was {change.old_number})"
    return label


def _header(change) -> str:
    if len(change.path) > 1:
        return " \u203a ".join(change.path[:-1])
    node = change.new_id or change.old_id or ""
    return "General terms" if node.startswith(("general/", "section/")) else ""


_MARK = {"added": "+", "removed": "-", "modified": "~", "renamed": "~", "moved": ">", "renumbered": "#"}
_STYLE = {"added": "green", "removed": "red", "modified": "yellow", "renamed": "yellow", "moved": "cyan",
          "renumbered": "blue"}


def _print_changes(console, result, changes) -> None:
    from rich.text import Text

    color = console.color_system is not None
    title = result.new_title or result.old_title
    console.print(Text(f"{title}: {result.old_version or 'old'} -> {result.new_version or 'new'}", style="bold"))
    if not changes:
        console.print("no substantive change")
        return
    header = None
    for change in changes:
        if _header(change) != header:
            header = _header(change)
            console.print()
            if header:
                console.print(Text(header, style="bold"))
        line = Text("  ")
        line.append(f"{_MARK[change.kind]} {change.kind:<10}", style=_STYLE[change.kind])
        line.append(_label(change))
        if change.kind == "moved" and change.old_id != change.new_id:
            line.append(f"  from {change.old_id}", style="dim")
        console.print(line)
        body = None
        if change.redline:
            body = _redline_text(change.redline, color)
        elif change.kind == "added":
            body = Text(_preview(change.new_text), style="green" if color else "")
        elif change.kind == "removed":
            body = Text(_preview(change.old_text), style="red" if color else "")
        if body is not None and body.plain.strip():
            console.print(Text("      ") + body)
        for entity in change.entity_changes:
            console.print(Text(f"      {entity}", style="magenta"))
    console.print()
    counts = result.counts()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "renumbered")
    if counts["renumbered"]:
        shown_renumbered = any(c.kind == "renumbered" for c in changes)
        summary += f" ({counts['renumbered']} renumbered{'' if shown_renumbered else ', not shown'})"
    console.print(summary)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=str),
              help="Also write a self-contained HTML redline report to this file.")
@click.option("--product", help="Only changes to this product (name or slug, e.g. 'XProtect Corporate').")
@click.option("--include-renumbered", is_flag=True, help="Also list clauses whose number alone changed.")
@click.option("--stat", is_flag=True, help="Print only the number of changes of each kind.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Index holding doc@version documents [default: $EULA_INDEX, else index/ in the project].")
@click.option("--engine", type=click.Choice(["pdfium", "pdfplumber"]), default=None,
              help="PDF engine [default: pdfium, pdfplumber where PDFium refuses the file].")
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, as_json: bool, html_out: Optional[str], product: Optional[str],
         include_renumbered: bool, stat: bool, index_dir: Optional[str], engine: Optional[str]) -> None:
    """Compare two versions of an agreement clause by clause.

    OLD and NEW are PDF files or documents already in the index, as doc@version.
    Exit status: 0 no substantive change, 1 changes found, 2 error.
    """
    from rich.console import Console

    from eula_parse.diff import diff as diff_documents

    result = diff_documents(_load(old, index_dir, engine), _load(new, index_dir, engine))
    if product:
        result = result.for_product(product)
    if not include_renumbered:
        shown = result.substantive
    else:
        shown = list(result.changes)

    if html_out:
        from eula_parse.report import render_html

        try:
            Path(html_out).write_text(render_html(result, include_renumbered=include_renumbered), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{html_out}: cannot write the report ({exc.strerror or exc})") from exc

    if as_json:
        click.echo(json.dumps(result.to_dict(include_renumbered=include_renumbered), ensure_ascii=False, indent=2))
    elif stat:
        counts = result.counts(include_renumbered=include_renumbered)
        width = max(len(k) for k in counts)
        for kind, number in counts.items():
            click.echo(f"{kind:<{width}}  {number}")
        click.echo(f"{'total':<{width}}  {sum(counts.values())}")
    else:
        _print_changes(Console(highlight=False, soft_wrap=True), result, shown)

    ctx.exit(1 if result.substantive else 0)


COMMANDS = [diff]
