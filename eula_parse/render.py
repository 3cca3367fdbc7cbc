"""Plain renderings of a parsed document: an indented outline and Markdown.

They live in the library, not the CLI, so other tools (a notebook, a web
page) get the same text the ``eula parse`` command prints.
"""

from __future__ import annotations

from typing import Iterator

from eula_parse.model import Document, Item, Section


def _first_words(text: str, n: int = 10) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _section_title(section: Section) -> str:
    return " ".join(part for part in (section.number, section.heading) if part) or section.id


def _items(items: list[Item], indent: str) -> Iterator[str]:
    """Sub-items one per line, "(a) Heading" or "(a) first words …", nested by indentation."""
    for item in items:
        yield f"{indent}({item.label}) {item.heading or _first_words(item.text, 8)}".rstrip()
        yield from _items(item.items, indent + "  ")


def _section_line(section: Section) -> str:
    """Number and heading; a section without a heading shows its first words, which say what it is."""
    if section.heading or not section.text.strip():
        return _section_title(section)
    return " ".join(part for part in (section.number, _first_words(section.text, 8)) if part)


def outline(doc: Document) -> Iterator[str]:
    """Indented outline lines: sections, then group > product > clause numbers with first words;
    sub-items under each."""
    yield f"{doc.title or '(untitled)'}" + (f"  [{doc.version}]" if doc.version else "") + f"  ({doc.pages} pages)"
    if doc.preamble:
        yield f"  preamble: {_plural(len(doc.preamble), 'paragraph')}"

    def walk(sections: list[Section], depth: int) -> Iterator[str]:
        for section in sections:
            yield f"{'  ' * depth}§ {_section_line(section)}  p.{section.page_start}"
            yield from _items(section.items, "  " * (depth + 1) + "  ")
            yield from walk(section.children, depth + 1)

    yield from walk(doc.sections, 1)
    for group in doc.groups:
        yield f"  ▸ {group.name}"
        for product in group.products:
            yield f"    ▪ {product.name}  p.{product.page_start}-{product.page_end}"
            for clause in product.clauses:
                yield f"      {clause.number:>3}. {_first_words(clause.text)}"
                yield from _items(clause.items, "           ")


def markdown(doc: Document) -> str:
    """The whole agreement as Markdown, headings by level, clauses as a numbered list."""
    out = [f"# {doc.title or 'Untitled agreement'}", ""]
    if doc.version:
        out += [f"*Version: {doc.version}*", ""]
    for paragraph in doc.preamble:
        out += [paragraph.text, ""]

    def walk(sections: list[Section], level: int) -> None:
        for section in sections:
            out.extend([f"{'#' * min(level, 6)} {_section_title(section)}", ""])
            if section.text:
                out.extend([section.text, ""])
            walk(section.children, level + 1)

    walk(doc.sections, 2)
    for group in doc.groups:
        out += [f"## {group.name}", ""]
        for product in group.products:
            out += [f"### {product.name}", ""]
            if product.intro:
                out += [product.intro, ""]
            for clause in product.clauses:
                out.append(f"{clause.number}. {clause.text}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
