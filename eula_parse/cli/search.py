"""``eula index``, ``eula search``, ``eula show``: build the clause index, query it, read one node.

Only argument parsing and printing live here; the work is in
:mod:`eula_parse.index`. Nothing here imports spaCy or pdfplumber: parsing
happens in worker processes, so a search starts in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Optional, Sequence

import click

from eula_parse.errors import NotFoundError
from eula_parse.cli.output import (
    color_option, console, fit_path, json_options, print_json, print_jsonl, terminal_width,
)

from eula_parse.index import (
    ENGINES,
    FILE_TIMEOUT,
    ClauseIndex,
    FileResult,
    Hit,
    NodeRecord,
    default_index_path,
    describe_default_index,
    needs_seeding,
    rebuild,
    sample_paths,
    seed,
)

index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=str), default=None,
    help=f"Index directory [default: {describe_default_index()}].",
)


def _err_console():
    return console(stderr=True)


class _Progress:
    """A rich progress bar on stderr fed by ``ClauseIndex.index_files`` callbacks."""

    def __init__(self, total: int, title: str):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        class FilesPerSecond(ProgressColumn):
            def render(self, task) -> Text:
                return Text(f"{task.speed:.1f} files/s" if task.speed else "", style="progress.data.speed")

        console = _err_console()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), FilesPerSecond(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", style="dim"), console=console, transient=True,
            disable=not console.is_terminal,  # progress is for a person watching, not for a log
        )
        self.task = self.progress.add_task(title, total=total or None, current="")

    def __enter__(self) -> "_Progress":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, path: str, result: Optional[FileResult]) -> None:
        if result is None:
            self.progress.update(self.task, current=Path(path).name)
        else:
            self.progress.advance(self.task)


def _count_files(paths: Sequence[str]) -> int:
    from eula_parse.index import expand_paths

    files, problems = expand_paths(paths)
    return len(files) + len(problems)


def _run_with_progress(title: str, paths: Sequence[str], work):
    with _Progress(_count_files(paths), title) as progress:
        return work(progress)


def _result_record(r: FileResult) -> dict:
    return {"path": r.path, "status": r.status, "document": r.document, "title": r.title,
            "version": r.version, "nodes": r.nodes, "seconds": round(r.seconds, 3), "error": r.error}


def _report(results: Sequence[FileResult], index_path: Path, fmt: Optional[str] = None) -> int:
    """A line per indexed file on stdout and one per failure on stderr (each failure once); the exit code.

    Paths are shown relative to the working directory and shortened to fit the terminal.
    """
    failed = [r for r in results if not r.ok]
    if fmt == "json":
        print_json({"index": str(index_path), "files": [_result_record(r) for r in results]})
    elif fmt == "jsonl":
        print_jsonl(_result_record(r) for r in results)
    else:
        done = [r for r in results if r.ok]
        room = terminal_width() if sys.stdout.isatty() else None  # a pipe or a log gets whole lines
        shown = [fit_path(r.path, max(20, room // 2)) if room else r.path for r in done]
        width = max((len(p) for p in shown), default=0)
        for r, path in zip(done, shown):
            if r.status == "skipped":  # a file in a folder that is not a supported form
                detail = r.error or ""
            else:
                detail = f"{r.title or r.document} · {r.version} · {r.nodes} nodes"
            if r.seconds:
                detail += f" · {r.seconds:.1f} s"
            line = f"{r.status:<9}  {path:<{width}}  {detail}"
            click.echo(line if not room or len(line) <= room else line[: room - 1] + "\u2026")
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        summary = ", ".join(f"{n} {'failed' if status == 'error' else status}"
                            for status, n in sorted(counts.items()))
        where = fit_path(str(index_path), room // 2) if room else str(index_path)
        click.echo(f"{len(results)} file(s) into {where}: {summary or 'nothing to do'}")
    room = terminal_width() if sys.stderr.isatty() else None
    for r in failed:
        path = fit_path(r.path, max(20, room - len(r.error or "") - 9)) if room else r.path
        click.echo(f"error: {path}: {r.error}", err=True)
    return 1 if failed else 0


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@index_option
@click.option("--samples", is_flag=True, help="Index the sample agreements that come with eula-parse.")
@click.option("--as", "as_document", metavar="DOC_ID",
              help="File these as versions of document DOC_ID (when they are not recognised as such).")
@click.option("--rebuild", "do_rebuild", is_flag=True,
              help="Build a fresh index (from PATHS, else the files already indexed) and replace the old one.")
@click.option("--timeout", type=float, default=FILE_TIMEOUT, show_default=True,
              help="Give up on a file after this many seconds of parsing.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Files parsed at once (one worker process each) [default: one per core].")
@click.option("--max-pages", type=int, default=None, help="Refuse documents longer than this.")
@click.option("--list", "list_docs", is_flag=True, help="List the indexed documents and versions, then exit.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="Search engine of a new (or rebuilt) index [default: whoosh; an existing index keeps its own]. "
                   "tantivy needs the eula-parse[tantivy] extra.")
@json_options
@color_option
def index_cmd(paths: tuple[str, ...], index_dir: Optional[str], samples: bool, as_document: Optional[str],
              do_rebuild: bool, timeout: float, jobs: int, max_pages: Optional[int], list_docs: bool,
              engine: Optional[str], fmt: Optional[str]) -> None:
    """Add agreements (PDF, DOCX, RTF, HTML, Markdown, text; files, or directories searched for them) to the index.

    Each file is parsed in a worker process and added in one commit, so an
    interrupted run leaves every file fully in or out. Files already indexed
    (same SHA-256) are skipped. A file is filed as a new version of an indexed
    document when they share a document code, a title stem and clauses, or
    most clauses (--as says so by hand). Exits 1 when any file failed, after
    indexing the others.
    """
    path = Path(index_dir) if index_dir else default_index_path()
    if jobs is None:
        from eula_parse.index.batch import default_jobs

        jobs = default_jobs()
    if list_docs:
        with ClauseIndex(path, create=False, engine=engine) as ix:
            docs = ix.documents()
        records = ({"document": d.document, "title": d.title, "version": d.version, "date": d.date or None,
                    "latest": d.latest, "nodes": d.nodes, "pages": d.pages, "sha256": d.sha256,
                    "source": d.source or None} for d in docs)
        if fmt == "json":
            print_json({"index": str(path), "documents": list(records)})
        elif fmt == "jsonl":
            print_jsonl(records)
        else:
            for d in docs:
                mark = "*" if d.latest else " "
                click.echo(f"{mark} {d.document}  {d.version}  {d.nodes} nodes  {d.source or ''}")
        return
    if samples:
        found = sample_paths()
        if not found:
            raise click.UsageError("no sample agreements found next to the package (was it installed whole?)")
        paths = tuple(paths) + tuple(str(p) for p in found)
    if do_rebuild:  # without PATHS the files come from the old index, so their number is not known yet
        with _Progress(_count_files(paths) if paths else 0, "rebuilding") as progress:
            ix, results = rebuild(path, paths, timeout=timeout, jobs=jobs, max_pages=max_pages, progress=progress,
                                  engine=engine)
        ix.close()
        sys.exit(_report(results, path, fmt))
    if not paths:
        raise click.UsageError("give files or directories to index (or --samples, --rebuild, --list)")
    with ClauseIndex(path, engine=engine) as ix:
        results = _run_with_progress(
            "indexing", paths,
            lambda p: ix.index_files(paths, timeout=timeout, jobs=jobs, max_pages=max_pages, progress=p,
                                     as_document=as_document))
    sys.exit(_report(results, path, fmt))


def _open_for_reading(index_dir: Optional[str]) -> ClauseIndex:
    """The index to search; the first time, build the default one from the sample agreements."""
    path = Path(index_dir) if index_dir else default_index_path()
    if index_dir is None and needs_seeding(path):
        sources = sample_paths()
        if not sources:
            raise NotFoundError(f"no index at {path} yet: build one with `eula index FOLDER` "
                                f"(or `eula index --samples` for the sample agreements)")
        click.echo(f"no index yet: building {path} from the sample agreements (once)", err=True)
        ix, results = _run_with_progress(
            "indexing samples", [str(p) for p in sources],
            lambda p: seed(path, sources, jobs=min(2, os.cpu_count() or 1), progress=p))
        for r in results:  # each once; the search goes on without them
            if not r.ok:
                path = fit_path(r.path, terminal_width() // 2) if sys.stderr.isatty() else r.path
                click.echo(f"warning: skipped {path}: {r.error}", err=True)
        return ix
    return ClauseIndex(path, create=False)


def _style_snippet(hit: Hit) -> str:
    out, last = [], 0
    for start, end in hit.highlights:
        out.append(hit.snippet[last:start])
        out.append(click.style(hit.snippet[start:end], fg="yellow", bold=True))
        last = end
    out.append(hit.snippet[last:])
    return "".join(out)


def _where(hit) -> str:
    if hit.product:
        where = hit.product
        if hit.kind == "clause":
            where += f", clause {hit.number}"
        elif hit.kind == "item":  # product/x/5/a/ii -> clause 5(a)(ii)
            number, *labels = hit.id.split("/")[2:]
            where += f", clause {number}" + "".join(f"({label})" for label in labels)
        elif hit.kind == "product":
            where += ", intro"
        return where
    number = f"({hit.number})" if hit.kind == "item" and hit.number else hit.number
    if hit.heading:
        return f"{number} {hit.heading}".strip() if number else hit.heading
    if hit.kind == "preamble":
        return "preamble"
    return number or ""


def _hit_record(h: Hit) -> dict:
    """A hit for --json/--jsonl: every key always present, null when it has no value."""
    record = {
        "id": h.id, "qualified_id": h.qualified_id, "document": h.document, "version": h.version,
        "product": h.product, "number": h.number, "heading": h.heading, "score": h.score, "snippet": h.snippet,
        "text": h.text, "kind": h.kind, "title": h.title, "product_id": h.product_id, "group": h.group,
        "highlights": [list(x) for x in h.highlights],
    }
    return {k: (None if v == "" else v) for k, v in record.items()}


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option("--all-words", is_flag=True,
              help="Only clauses containing every word (AND); by default any word may match (OR), "
                   "clauses with more of them ranked first.")
@click.option("--product", help="Only this product's terms (name or id fragment: \"smart wall\").")
@click.option("--group", help="Only products of this group (name or id fragment).")
@click.option("--general", is_flag=True, help="Only general terms (preamble and sections).")
@click.option("--entity", "entities", multiple=True,
              help="Nodes with this entity label, or a value filter like duration>=P30D (repeatable: all).")
@click.option("--modality", "modalities", multiple=True,
              help="permission, obligation, prohibition, restriction, disclaimer (repeatable: any).")
@click.option("--version", help="Search this version (label or part of it; 'all' for every version) "
                                "[default: latest version of each document].")
@click.option("--document", help="Only this document (id or part of it).")
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True)
@json_options
@color_option
def search_cmd(query: tuple[str, ...], index_dir: Optional[str], all_words: bool, product: Optional[str],
               group: Optional[str], general: bool, entities: tuple[str, ...], modalities: tuple[str, ...],
               version: Optional[str], document: Optional[str], limit: int, fmt: Optional[str]) -> None:
    """Ranked clauses matching QUERY.

    \b
    How words combine:
      licence transfer         either word (OR); clauses with both rank first
      --all-words licence transfer   both words (AND)
      "door licence"           the phrase
      licence AND NOT trial    operators AND, OR, NOT, (brackets)
      field:value, wild*card   one field; word~2 for up to 2 typos
    Misspelt words are matched to their nearest indexed spellings. A filter
    that matches nothing gives no hits. Each hit names its document and
    version, and its id (DOCUMENT@VERSION:ID) can be pasted into `eula show`.
    --json prints {query, total, corrected, hits: [...]}; --jsonl one hit per line.
    Exits 0 with hits, 1 when nothing matches, 2 on a malformed query.
    """
    text = " ".join(query)
    with _open_for_reading(index_dir) as ix:
        hits = ix.search(text, product=product, group=group, general=general, entity=list(entities),
                         modality=list(modalities), version=version, document=document, limit=limit,
                         count=True, all_words=all_words)
    if fmt == "json":
        print_json({"query": text, "total": hits.total, "corrected": hits.corrected or None,
                    "hits": [_hit_record(h) for h in hits]})
        sys.exit(0 if hits else 1)
    if fmt == "jsonl":
        print_jsonl(_hit_record(h) for h in hits)
        sys.exit(0 if hits else 1)
    if not hits:
        click.echo(f"no matches for {text!r}", err=True)
        sys.exit(1)
    for rank, hit in enumerate(hits, 1):
        head = f"{rank:>2}. " + click.style(hit.qualified_id, fg="cyan", bold=True) + f"  {_where(hit)}"
        tail = f"{hit.score:.2f}  {hit.title} · {hit.version}"
        click.echo(head + "  " + click.style(tail, dim=True))
        click.echo("    " + _style_snippet(hit))
    shown = f"{len(hits)} of {hits.total}" if hits.total > len(hits) else f"{len(hits)}"
    notes = [f"{shown} match(es)", "all words" if all_words else "any word, most matches first"]
    for word, alts in hits.corrected.items():
        notes.append(f"'{word}' searched as {', '.join(alts) if alts else 'nothing close'}")
    click.echo(click.style(" · ".join(notes), dim=True))


def _print_record(rec: NodeRecord) -> None:
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    title = rec.heading or (f"{rec.product}, clause {rec.number}" if rec.kind == "clause" else rec.product) \
        or (rec.group if rec.kind == "group" else None) or rec.kind
    click.echo(click.style(rec.qualified_id, fg="cyan", bold=True) + f"  {title}")
    prefix = rec.qualified_id[: -len(rec.id)]  # same document and version for the ids below
    pages = ""
    if rec.page_start:
        pages = f" · page {rec.page_start}" if rec.page_end in (0, rec.page_start) else \
            f" · pages {rec.page_start}-{rec.page_end}"
    click.echo(click.style(f"{rec.title} · {rec.version}{pages}", dim=True))
    if rec.path:
        click.echo(click.style(" › ".join(label for _, label in rec.path), dim=True))
    if rec.text:
        click.echo()
        for para in rec.text.split("\n"):
            click.echo(textwrap.fill(para, width=width, initial_indent="  ", subsequent_indent="  "))
    if rec.items:
        click.echo()
        for item in rec.items:
            click.echo(textwrap.fill(f"{item.label}) {item.text}", width=width, initial_indent="    ",
                                     subsequent_indent="       "))
    if rec.modality:
        click.echo("\nmodality: " + ", ".join(rec.modality))
    terms = {}
    for e in rec.entities:  # uses of defined terms are many; one line names them and where they are defined
        if e.label == "TERM":
            terms.setdefault(e.text, e.target)
    if terms:
        click.echo("\ndefined terms used: " + ", ".join(
            f"{text} ({target})" if target else text for text, target in terms.items()))
    others = [e for e in rec.entities if e.label != "TERM"]
    if others:
        click.echo("\nentities:")
        for e in others:
            line = f"  {e.label:<11} {e.text}"
            if e.value:
                line += "  " + click.style(json.dumps(e.value, ensure_ascii=False), dim=True)
            if e.target:
                targets = e.target if isinstance(e.target, list) else [e.target]
                line += "  → " + ", ".join(str(t) for t in targets)
            click.echo(line)
    for heading, refs, arrow in (("references", rec.references, "→"), ("referenced by", rec.referenced_by, "←"),
                                 ("contains", rec.children, "·")):
        if refs:
            click.echo(f"\n{heading}:")
            for ref in refs:
                mark = "" if ref.found else click.style("  (not in this version)", fg="red")
                line = f"  {arrow} {prefix}{ref.id}  {ref.label}"
                room = width - len(line) - 3
                if ref.excerpt and room > 20:
                    line += " — " + textwrap.shorten(ref.excerpt, width=room, placeholder="…")
                click.echo(line + mark)


@click.command("show")
@click.argument("node_id")
@index_option
@click.option("--document", help="Which document, when several have this id.")
@click.option("--version", help="Which version [default: latest].")
@click.option("--json", "as_json", is_flag=True, help="Print the node and its context as JSON.")
@color_option
def show_cmd(node_id: str, index_dir: Optional[str], document: Optional[str], version: Optional[str],
             as_json: bool) -> None:
    """Print node NODE_ID with its context, from the index alone.

    NODE_ID is an id as search hits print it, DOCUMENT@VERSION:ID (e.g.
    milestone-end-user-license-agreement@20250425:product/xprotect-corporate/5),
    or a bare id (product/xprotect-corporate/5) when one document has it.
    """
    with _open_for_reading(index_dir) as ix:
        rec = ix.get(node_id, document=document, version=version)
    if as_json:
        click.echo(json.dumps(rec.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_record(rec)


COMMANDS = [index_cmd, search_cmd, show_cmd]
