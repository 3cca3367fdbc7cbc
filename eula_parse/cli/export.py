"""``eula export``: every indexed node as JSON lines, for other search engines and retrieval pipelines.

A thin loop over :meth:`eula_parse.index.ClauseIndex.records`; one line per
node in the shape Elasticsearch/OpenSearch ``_bulk`` documents, pandas
(``pd.read_json(path, lines=True)``) and RAG loaders take.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import click

from eula_parse.cli.output import color_option
from eula_parse.cli.search import index_option
from eula_parse.index import ClauseIndex, default_index_path


@click.command("export")
@index_option
@click.option("--jsonl", "jsonl", is_flag=True, required=True, help="One JSON object per node, one per line.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to this file [default: standard output].")
@click.option("--version", help="Export this version (label or part of it; 'all' for every version) "
                                "[default: latest version of each document].")
@click.option("--document", help="Only this document (id or part of it).")
@color_option
def export_cmd(index_dir: Optional[str], jsonl: bool, output: Optional[str], version: Optional[str],
               document: Optional[str]) -> None:
    """Write every indexed node (document, version, id, kind, number, heading, breadcrumb path, text,
    pages, entities with values, modality) as JSON lines."""
    path = Path(index_dir) if index_dir else default_index_path()
    with ClauseIndex(path, create=False) as ix:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
        try:
            count = 0
            for record in ix.records(document=document, version=version):
                out.write(json.dumps(record.to_export(), ensure_ascii=False) + "\n")
                count += 1
        finally:
            if output:
                out.close()
    if output:
        click.echo(f"{count} node(s) written to {output}", err=True)


COMMANDS = [export_cmd]
