"""HTML reader: the agreement's text blocks with heading levels, bold leads and list numbers.

Parsed with ``lxml.html`` (libxml2: fast, tolerant of tag soup, and with a
nesting limit of its own, so 100,000 nested tags cannot exhaust the stack); the
tree is walked with an explicit stack. A page is more than its agreement, so
what a reader skips is skipped: scripts and styles, ``nav``/``header``/``footer``
and ``aside``, forms and buttons, cookie and consent banners (by their id or
class), hidden elements, and a table of contents (a block whose text is all
links to anchors in the same page).

Every block element (``p``, ``div``, ``li``, ``h1``..``h6``, table cells, ...)
holding text becomes one paragraph; ``h1``..``h6`` give the heading level, a
block whose text is all ``strong``/``b`` is bold, a leading ``strong`` run is a
run-in heading, and ordered lists get the numbers a browser draws ("3.", "b.",
"iv.", honouring ``start`` and ``type``), nested lists indented.
"""

from __future__ import annotations

import re

from eula_parse.errors import InputError
from eula_parse.readers.blocks import BODY_SIZE, Block, format_number, paragraph_block, to_layout

_BLOCK = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote",
    "pre", "section", "article", "main", "tr", "table", "ul", "ol", "dl", "address", "figure",
    "figcaption", "caption", "center", "body", "html", "hr", "summary", "details",
}
_SKIP = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
    "select", "option", "textarea", "iframe", "svg", "canvas", "head", "title", "meta", "link", "object",
    "embed", "dialog", "input", "label",
}
_BANNER = re.compile(r"cookie|consent|gdpr|banner|onetrust|cc-window|skip-link|breadcrumb|menu|navbar|sidebar", re.I)
_BOLD = {"strong", "b"}
_ITALIC = {"em", "i"}
_TYPES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}


def _skipped(element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in _SKIP:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    marks = f"{element.get('id') or ''} {element.get('class') or ''} {element.get('role') or ''}"
    return bool(marks.strip()) and bool(_BANNER.search(marks)) or element.get("role") in ("navigation", "banner", "contentinfo")


class _Walker:
    """Collects blocks from the tree; one paragraph's runs at a time."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.runs: list[tuple[str, bool, float, bool]] = []
        self.linked = 0  # characters of the current block inside in-page links
        self.level = 0
        self.depth = 0
        self.label = ""
        self.in_toc = False

    def flush(self):
        text = "".join(r[0] for r in self.runs)
        if not text.strip():
            self.runs, self.linked = [], 0
            return  # a list item's number waits for the text it stands before
        visible = len(re.sub(r"\W", "", text))
        if visible and self.linked >= visible:  # a table-of-contents entry
            last = self.blocks[-1] if self.blocks else None
            if not self.in_toc and last is not None and (last.bold or last.level) and len(last.text) < 60:
                self.blocks.pop()  # the contents' own heading
            self.in_toc = True
        else:
            self.in_toc = False
            runs = self.runs
            if self.label:
                runs = [(self.label + " ", runs[0][1] if runs else False, BODY_SIZE, False)] + runs
            block = paragraph_block(runs, 0.0, self.level)
            block.indent = self.depth
            block.size = None
            self.blocks.append(block)
        self.runs, self.linked, self.label = [], 0, ""


def blocks_from_html(root) -> list[Block]:
    walker = _Walker()
    # (element, phase, context) with context = (bold, italic, link, level, depth)
    stack: list = [(root, "start", (False, False, False, 0, 0))]
    counters: list[list] = []  # per open <ol>/<ul>: [kind, next number, format]
    while stack:
        element, phase, (bold, italic, link, level, depth) = stack.pop()
        if phase == "text":
            text = element
            if text:
                walker.runs.append((re.sub(r"\s+", " ", text), bold, BODY_SIZE, italic))
                if link:
                    walker.linked += len(re.sub(r"\W", "", text))
            continue
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if phase == "end":
            if tag in ("ol", "ul") and counters:
                counters.pop()
            if tag in _BLOCK or tag == "br":
                walker.flush()
                walker.level = 0
            continue
        if not tag or _skipped(element):
            if element.tail:
                stack.append((element.tail, "text", (bold, italic, link, level, depth)))
            continue
        if tag == "br":
            if level:  # a heading broken over two lines is still one heading
                walker.runs.append((" ", bold, BODY_SIZE, italic))
            else:
                walker.flush()
                walker.level = 0
            if element.tail:
                stack.append((element.tail, "text", (bold, italic, link, level, depth)))
            continue
        if tag in _BLOCK:
            walker.flush()
        child_ctx = (bold or tag in _BOLD, italic or tag in _ITALIC, link or (tag == "a" and (element.get("href") or "").startswith("#")), level, depth)
        if re.fullmatch(r"h[1-6]", tag):
            child_ctx = (child_ctx[0], child_ctx[1], child_ctx[2], int(tag[1]), depth)
            walker.level = int(tag[1])
        if tag in ("ol", "ul"):
            try:
                start = int(element.get("start") or 1)
            except ValueError:
                start = 1
            fmt = _TYPES.get(element.get("type") or "1", "decimal")
            counters.append([tag, start, fmt])
            child_ctx = (child_ctx[0], child_ctx[1], child_ctx[2], level, depth + 1)
        if tag == "li" and counters:
            kind, number, fmt = counters[-1]
            try:
                value = int(element.get("value")) if element.get("value") else number
            except ValueError:
                value = number
            walker.label = f"{format_number(value, fmt)}." if kind == "ol" else "•"
            counters[-1][1] = value + 1
            walker.level = 0
        if tag in _BLOCK:
            walker.depth = depth
        # last in, first out: the tail (in the parent's context) comes after the element's end
        if element.tail:
            stack.append((element.tail, "text", (bold, italic, link, level, depth)))
        stack.append((element, "end", (bold, italic, link, level, depth)))
        for child in reversed(list(element)):
            stack.append((child, "start", child_ctx))
        if element.text:
            stack.append((element.text, "text", child_ctx))
    walker.flush()
    return walker.blocks


def read(path, data: bytes, *, max_pages: int = 0):
    """Read an HTML page into a :class:`Layout`."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{path}: damaged HTML ({str(exc)[:80] or 'no content'})") from None
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        # libxml2 stops at 256 levels and drops what lies deeper: say so instead of parsing a part
        raise InputError(f"{path}: refused: HTML nested deeper than libxml2's limit of 256 elements")
    layout = to_layout(blocks_from_html(root), "html")
    if not layout.lines:
        raise InputError(f"{path}: no text in the HTML page")
    return layout
