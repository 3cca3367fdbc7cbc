"""``eula diff OLD NEW``: what changed between two versions of an agreement.

Exit status follows diff(1) so scripts can gate on it: 0 when nothing
substantive changed (renumbering alone is not a change), 1 when something did,
2 on error (raised as ``EulaError`` and reported by the command group).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from eula_parse.cli.load import load_documents
from eula_parse.cli.output import color_option, console, print_json
from eula_parse.errors import InputError
from eula_parse.index.paths import describe_default_index

#: Words of unchanged text kept on each side of a change in terminal redlines.
CONTEXT_WORDS = 8
#: An inserted or deleted run longer than this many words shows its first and last words only.
CHANGE_WORDS = 24
#: Changed runs shown per redline, and entity changes per node, before "… and N more".
MAX_CHANGES = 12
MAX_ENTITY_CHANGES = 8
#: Characters of an added or removed node's text shown in the terminal.
PREVIEW_CHARS = 240


def _load(specs: list[str], index_dir: Optional[str], engine: Optional[str] = None) -> list:
    """Each spec a file (its indexed parse when the index holds its SHA-256), or ``doc@version`` from
    the index. Files are loaded together (parsed ones beside spaCy's loading: :func:`load_documents`).

    An existing file always wins over a ``doc@version`` reading of its name.
    """
    documents = {index: _version(spec, index_dir) for index, spec in enumerate(specs)
                 if not Path(spec).exists() and "@" in spec}
    files = [index for index in range(len(specs)) if index not in documents]
    documents.update(zip(files, load_documents([specs[index] for index in files], index_dir, engine=engine)))
    return [documents[index] for index in range(len(specs))]


def _version(spec: str, index_dir: Optional[str]):
    """``doc@version`` (the latest version when none follows the @) from the index."""
    from eula_parse.index import ClauseIndex

    doc_id, _, version = spec.rpartition("@")
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


def _trim_change(text: str) -> str:
    """A long inserted or deleted run: its first and last words, and how many are left out."""
    words = text.split(" ")
    if len(words) <= CHANGE_WORDS:
        return text
    head, tail = CHANGE_WORDS * 2 // 3, CHANGE_WORDS // 3
    return " ".join(words[:head]) + f" \u2026({len(words) - head - tail} words)\u2026 " + " ".join(words[-tail:])


def _redline_text(segments, color: bool, full: bool = False):
    from rich.text import Text

    out = Text()
    last = len(segments) - 1
    shown = 0
    changed = sum(1 for op, _ in segments if op != "equal")
    for i, (op, text) in enumerate(segments):
        if op == "equal":
            keep = "tail" if i == 0 else "head" if i == last else "both"
            out.append(text if full else _trim(text, keep))
            continue
        if not full and shown == MAX_CHANGES:
            out.append(f" \u2026 and {changed - shown} more change(s) (--full shows them)", style="dim")
            break
        shown += 1
        text = text if full else _trim_change(text)
        if color:
            out.append(text, style="bold red strike" if op == "delete" else "bold green underline")
        else:
            out.append(f"[-{text}-]" if op == "delete" else f"{{+{text}+}}")
    return out


def _preview(text: Optional[str], full: bool = False) -> str:
    text = " ".join((text or "").replace("\n", " \u00b7 ").split())
    return text if full or len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS].rstrip() + " \u2026"


def _is_product(change) -> bool:
    return (change.new_id or change.old_id or "").startswith("product/")


def _header(change) -> str:
    """The part of the agreement a change is listed under: a product (group › product), the
    preamble, or a top-level section (its own changes and those of everything in it)."""
    node = change.new_id or change.old_id or ""
    if _is_product(change):
        return " \u203a ".join(change.path[:2] if len(change.path) > 2 else change.path[:-1])
    if node.startswith("preamble/"):
        return "Preamble"
    return change.path[0] if change.path else node


def _label(change) -> str:
    """What changed, relative to its header: "clause 4", "2.3 Software Terms of Use › 4"."""
    node = change.new_id or change.old_id or ""
    if _is_product(change) and node.count("/") >= 2:
        label = f"clause {change.new_number or change.old_number}"
        if len(change.path) > 3:
            label = f"clause {change.path[2]} \u203a {' '.join(change.path[3:])}"
    elif _is_product(change) or node.startswith("preamble/"):
        label = change.path[-1] if change.path else node
    elif len(change.path) <= 1:
        label = "section"
    else:
        label = " \u203a ".join(change.path[1:])
    if change.old_number and change.new_number and change.old_number != change.new_number:
        label += f" (was {change.old_number})"
    return label


_MARK = {"added": "+", "removed": "-", "modified": "~", "renamed": "~", "moved": ">", "renumbered": "#"}
_STYLE = {"added": "green", "removed": "red", "modified": "yellow", "renamed": "yellow", "moved": "cyan",
          "renumbered": "blue"}


def _by_header(changes) -> dict[str, list]:
    """Changes under one header each, headers in the order the document first reaches them."""
    groups: dict[str, list] = {}
    for change in changes:
        groups.setdefault(_header(change), []).append(change)
    return groups


def _print_indented(console, text, indent: int = 6) -> None:
    """``text`` under a change line; wrapped to the terminal's width unless the console soft-wraps (a pipe)."""
    from rich.text import Text

    lines = [text] if console.soft_wrap else text.wrap(console, max(20, console.width - indent))
    for line in lines:
        line.rstrip()
        console.print(Text(" " * indent) + line)


def _print_changes(console, result, changes, full: bool = False) -> None:
    from rich.text import Text

    color = console.color_system is not None
    title = result.new_title or result.old_title
    console.print(Text(f"{title}: {result.old_version or 'old'} -> {result.new_version or 'new'}", style="bold"))
    if not changes:
        console.print("no substantive change")
        return
    for header, group in _by_header(changes).items():
        console.print()
        console.print(Text(header, style="bold"))
        for change in group:
            line = Text("  ")
            line.append(f"{_MARK[change.kind]} {change.kind:<10}", style=_STYLE[change.kind])
            line.append(_label(change))
            if change.kind == "moved" and change.old_id != change.new_id:
                line.append(f"  from {change.old_id}", style="dim")
            console.print(line)
            body = None
            if change.redline:
                body = _redline_text(change.redline, color, full)
            elif change.kind == "added":
                body = Text(_preview(change.new_text, full), style="green" if color else "")
            elif change.kind == "removed":
                body = Text(_preview(change.old_text, full), style="red" if color else "")
            if body is not None and body.plain.strip():
                _print_indented(console, body)
            entities = change.entity_changes if full else change.entity_changes[:MAX_ENTITY_CHANGES]
            for entity in entities:
                _print_indented(console, Text(str(entity), style="magenta"))
            if len(entities) < len(change.entity_changes):
                more = len(change.entity_changes) - len(entities)
                _print_indented(console, Text(f"\u2026 and {more} more entity change(s)", style="dim"))
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
@click.option("--json", "as_json", is_flag=True, help="Print the changes (with --stat: the counts) as JSON.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=str),
              help="Write a self-contained HTML redline report to this file (and say so in one line).")
@click.option("--product", help="Only changes to this product (name or slug, e.g. 'XProtect Corporate').")
@click.option("--include-renumbered", is_flag=True, help="Also list clauses whose number alone changed.")
@click.option("--stat", is_flag=True, help="Print only the number of changes of each kind.")
@click.option("--full", is_flag=True, help="Show whole texts and every change instead of trimmed redlines.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Index holding doc@version documents, and parses of indexed files reused by SHA-256 "
                   f"[default: {describe_default_index()}].")
@click.option("--engine", type=click.Choice(["pdfium", "pdfplumber"]), default=None,
              help="PDF engine; files are parsed even when indexed [default: pdfium, pdfplumber where PDFium "
                   "refuses the file].")
@color_option
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, as_json: bool, html_out: Optional[str], product: Optional[str],
         include_renumbered: bool, stat: bool, full: bool, index_dir: Optional[str], engine: Optional[str]) -> None:
    """Compare two versions of an agreement clause by clause.

    OLD and NEW are agreement files (PDF, DOCX, RTF, HTML, Markdown, text; they may differ in form)
    or documents already in the index, as doc@version.
    In a terminal, changes are listed under their product or section, with
    redlines trimmed to the changed words and some context (--full: all of it).
    Exit status: 0 no substantive change, 1 changes found, 2 error.
    """
    from eula_parse.diff import diff as diff_documents

    result = diff_documents(*_load([old, new], index_dir, engine))
    if product:
        result = result.for_product(product)
    if not include_renumbered:
        shown = result.substantive
    else:
        shown = list(result.changes)

    if html_out:
        from eula_parse.diff.report import render_html

        try:
            Path(html_out).write_text(render_html(result, include_renumbered=include_renumbered), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{html_out}: cannot write the report ({exc.strerror or exc})") from exc

    counts = result.counts(include_renumbered=include_renumbered)
    if as_json and stat:
        print_json({"old": {"title": result.old_title, "version": result.old_version},
                    "new": {"title": result.new_title, "version": result.new_version},
                    "counts": counts, "total": sum(counts.values())})
    elif as_json:
        print_json(result.to_dict(include_renumbered=include_renumbered))
    elif stat:
        width = max(len(k) for k in counts)
        for kind, number in counts.items():
            click.echo(f"{kind:<{width}}  {number}")
        click.echo(f"{'total':<{width}}  {sum(counts.values())}")
    elif not html_out:
        out = console()
        _print_changes(console(soft_wrap=not out.is_terminal), result, shown, full=full)
    if html_out and not (as_json or stat):  # the report is the output; say where it went
        click.echo(f"wrote {html_out}: {len(shown)} change(s), "
                   f"{result.old_version or 'old'} -> {result.new_version or 'new'}")

    ctx.exit(1 if result.substantive else 0)


COMMANDS = [diff]
