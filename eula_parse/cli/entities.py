"""``eula entities`` and ``eula check``: the tagged facts of an agreement, and what in it points nowhere."""

from __future__ import annotations

import click

from eula_parse.cli.load import load_document
from eula_parse.cli.output import color_option, json_options, print_json, print_jsonl
from eula_parse.index.paths import describe_default_index
from eula_parse.model import own_entities

index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=str), default=None,
    help=f"Reuse the parse of a file this index holds (same SHA-256) [default: {describe_default_index()}].",
)

LABELS = ("PRODUCT", "LIMIT", "DURATION", "MONEY", "LAW", "COURT", "ORG", "URL", "DATE", "VERSION", "XREF",
          "DEFINITION", "TERM")


def _describe(entity) -> str:
    """One readable cell for the value/target column."""
    parts = []
    if entity.target:
        targets = entity.target if isinstance(entity.target, list) else [entity.target]
        parts.append("-> " + ", ".join(targets))
    if entity.value:
        value = {k: v for k, v in entity.value.items() if k != "definition"}
        if value:
            parts.append(" ".join(f"{k}={v}" for k, v in value.items()))
    return "  ".join(parts)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--label", "labels", multiple=True, type=click.Choice(LABELS, case_sensitive=False),
              help="Only this label (repeatable).")
@json_options
@click.option("--max-pages", type=int, default=2000, show_default=True, help="Refuse longer documents.")
@index_option
@color_option
def entities(file: str, labels: tuple[str, ...], fmt: str, max_pages: int, index_dir) -> None:
    """List the entities tagged in FILE (a EULA PDF), with the id of the clause each is in.

    --json prints a list of {node, label, text, start, end, value, target}; --jsonl one per line.
    """
    doc = load_document(file, index_dir, max_pages=max_pages)
    wanted = {label.upper() for label in labels}
    rows = [
        (node.id, entity)
        for node in doc.nodes()
        for entity in own_entities(node)  # each once, on the deepest node (a sub-item lists its own)
        if not wanted or entity.label in wanted
    ]
    records = ({"node": node_id, "label": e.label, "text": e.text, "start": e.start, "end": e.end,
                "value": e.value or None, "target": e.target or None} for node_id, e in rows)
    if fmt == "json":
        print_json(list(records))
        return
    if fmt == "jsonl":
        print_jsonl(records)
        return
    for node_id, entity in rows:
        line = f"{node_id}\t{entity.label}\t{entity.text}"
        extra = _describe(entity)
        click.echo(f"{line}\t{extra}" if extra else line)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--strict", is_flag=True,
              help="Also fail (exit 1) on products mentioned without a section and on numbering or heading findings.")
@click.option("--json", "as_json", is_flag=True,
              help="Print {dangling: [{node, text, start, end}], undefined_products: {name: [node ids]}}.")
@click.option("--max-pages", type=int, default=2000, show_default=True, help="Refuse longer documents.")
@index_option
@color_option
def check(file: str, strict: bool, as_json: bool, max_pages: int, index_dir) -> None:
    """Report cross-references in FILE that point nowhere, products it names but never defines, and
    what a careful reader flags in its numbering (gaps, duplicates, order, empty numbered
    paragraphs) and headings (one that reads like body text).

    Exit status 1 when a cross-reference dangles (or, with --strict, any finding), else 0.
    """
    from eula_parse.checks import structure_findings
    from eula_parse.entities import check_document

    doc = load_document(file, index_dir, max_pages=max_pages)
    report = check_document(doc)
    findings = structure_findings(doc)
    failed = bool(report.dangling or (strict and (report.undefined_products or findings)))
    if as_json:
        print_json({
            "dangling": [{"node": node_id, "text": e.text, "start": e.start, "end": e.end}
                         for node_id, e in report.dangling],
            "undefined_products": {name: list(ids) for name, ids in sorted(report.undefined_products.items())},
            "structure": [{"kind": f.kind, "node": f.node, "message": f.message} for f in findings],
        })
        raise SystemExit(1 if failed else 0)
    click.echo(f"dangling cross-references: {len(report.dangling)}")
    for node_id, entity in report.dangling:
        click.echo(f"  {node_id}: {entity.text!r} (chars {entity.start}-{entity.end})")
    click.echo(f"products mentioned without a section: {len(report.undefined_products)}")
    for name, node_ids in sorted(report.undefined_products.items()):
        shown = ", ".join(node_ids[:5]) + (f", ... ({len(node_ids)} clauses)" if len(node_ids) > 5 else "")
        click.echo(f"  {name}: {shown}")
    click.echo(f"numbering and headings to check: {len(findings)}")
    for finding in findings:
        click.echo(f"  {finding.node}: {finding.message}")
    if failed:
        raise SystemExit(1)


COMMANDS = [entities, check]
