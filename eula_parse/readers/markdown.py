"""Markdown reader: ``#`` headings, ``**bold**`` leads and lists, via markdown-it-py.

markdown-it-py is a CommonMark-exact parser (the reference algorithm, pure
Python, already installed as a dependency of ``rich``) that hands back a flat
token stream, so nesting costs no recursion here. ATX and setext headings give
the heading level, a paragraph that is all ``**bold**`` is a bold paragraph
(the way many licence files mark headings), a leading bold run is a run-in
heading, ordered lists get their numbers as rendered ("3." from ``start``),
and indented code blocks (a licence quoted inside the agreement) are read as
paragraphs.
"""

from __future__ import annotations

from eula_parse.errors import InputError
from eula_parse.readers.blocks import BODY_SIZE, Block, paragraph_block, to_layout
from eula_parse.readers.text import decode, repair_mojibake


def _inline_runs(token) -> list[tuple[str, bool, float, bool]]:
    runs = []
    bold = italic = 0
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(0, bold - 1)
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic = max(0, italic - 1)
        elif kind in ("text", "code_inline", "html_inline"):
            if kind == "html_inline":
                continue
            runs.append((child.content, bold > 0, BODY_SIZE, italic > 0))
        elif kind in ("softbreak", "hardbreak"):
            runs.append((" ", bold > 0, BODY_SIZE, italic > 0))
    return runs


def blocks_from_markdown(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    lists: list[list] = []  # [ordered, next number]
    level = 0
    label = ""
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1])
        elif kind == "heading_close":
            level = 0
        elif kind == "ordered_list_open":
            lists.append([True, int(token.attrGet("start") or 1)])
        elif kind == "bullet_list_open":
            lists.append([False, 0])
        elif kind in ("ordered_list_close", "bullet_list_close") and lists:
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            label = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "inline":
            runs = _inline_runs(token)
            if label:
                runs = [(label + " ", runs[0][1] if runs else False, BODY_SIZE, False)] + runs
                label = ""
            if "".join(r[0] for r in runs).strip():
                block = paragraph_block(runs, 0.0, level)
                block.indent = max(0, len(lists) - 1) if lists else 0
                block.size = None
                blocks.append(block)
        elif kind in ("code_block", "fence"):
            for paragraph in token.content.split("\n\n"):
                if paragraph.strip():
                    blocks.append(Block(" ".join(paragraph.split()), indent=1))
    return blocks


def read(path, data: bytes, *, max_pages: int = 0):
    """Read a Markdown file into a :class:`Layout`."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file, not Markdown")
    layout = to_layout(blocks_from_markdown(repair_mojibake(decode(data))), "markdown")
    if not layout.lines:
        raise InputError(f"{path}: no text in the Markdown file")
    return layout
