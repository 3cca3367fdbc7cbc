"""``eula parse``: print a document's outline, JSON or Markdown."""

from __future__ import annotations

import click

from eula_parse.cli.output import color_option, print_json, slow_progress


@click.command()
@click.argument("file")  # checked by the library, so every bad path gets the same one-line error
@click.option("--json", "as_json", is_flag=True, help="Print the whole document as JSON.")
@click.option(
    "--format", "fmt", type=click.Choice(["outline", "json", "markdown"]), default="outline", show_default=True
)
@click.option("--no-entities", is_flag=True, help="Skip entity tagging (structure only, faster).")
@click.option("--max-pages", type=int, default=2000, show_default=True, help="Refuse longer documents.")
@click.option("--engine", type=click.Choice(["pdfium", "pdfplumber"]), default=None,
              help="PDF engine [default: pdfium, pdfplumber where PDFium refuses the file].")
@color_option
def parse(file: str, as_json: bool, fmt: str, no_entities: bool, max_pages: int, engine) -> None:
    """Parse FILE (a EULA as PDF, DOCX, RTF, HTML, Markdown or text) and print its clause tree."""
    from eula_parse import render
    from eula_parse.cache import cached_parse_all

    with slow_progress(f"parsing {file}"):
        doc, = cached_parse_all([file], tag=not no_entities, max_pages=max_pages, engine=engine, worker=True)
    if as_json or fmt == "json":
        print_json(doc.to_dict())
    elif fmt == "markdown":
        click.echo(render.markdown(doc), nl=False)
    else:
        for line in render.outline(doc):
            click.echo(line)


COMMANDS = [parse]
