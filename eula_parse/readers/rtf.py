"""RTF reader: a small tokenizer that keeps what the page shows (paragraphs, bold, size, list numbers).

Libraries that strip RTF to text (``striprtf``) drop exactly what structure
needs -- where a run turns bold, the type size, the indent -- so this reader
walks the control words itself. It is a single pass over a regular-expression
token stream with an explicit group stack (no recursion), so a file of a
million nested braces costs memory in proportion to its size and nothing more;
unbalanced braces are tolerated the way Word tolerates them (a stray ``}`` is
ignored, missing ones close at the end).

Kept: text (``\\'hh`` in the document's code page, ``\\uN`` Unicode), paragraph
ends (``\\par``, table cells), ``\\b``/``\\i``/``\\fsN``/``\\liN``, and the list
number Word writes as ``\\listtext`` (the number a reader sees). Skipped:
font, colour and style tables, document info, pictures, objects, field
instructions (a HYPERLINK's address; its shown text stays), headers, footers
and every ``{\\*\\...}`` destination a reader does not show.
"""

from __future__ import annotations

import re

from eula_parse.errors import InputError
from eula_parse.readers.blocks import Block, paragraph_block, to_layout

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([^\\{}\r\n]+)|[\r\n]+"
)
#: destinations whose text the reader of the page never sees
_SKIP = {
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "headerl", "headerr",
    "headerf", "footer", "footerl", "footerr", "footerf", "fldinst", "listtable", "listoverridetable",
    "rsidtbl", "xmlnstbl", "themedata", "colorschememapping", "latentstyles", "datastore", "generator",
    "filetbl", "revtbl", "pgdsctbl", "footnote", "annotation", "atnid", "atnauthor", "bkmkstart",
    "bkmkend", "shppict", "nonshppict", "shpinst", "sp", "field-instruction", "template", "userprops",
    "docvar", "private", "mmathPr", "pntxta", "pntxtb", "wgrffmtfilter", "defchp", "defpap",
}
_PARAGRAPH_END = {"par", "sect", "page", "row", "cell", "line"}
_SYMBOLS = {
    "tab": " ", "emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’", "ldblquote": "“",
    "rdblquote": "”", "bullet": "•", "emspace": " ", "enspace": " ", "qmspace": " ",
}
#: nesting beyond this is flattened (no new state per group): hostile files cannot grow the stack
MAX_DEPTH = 1000


class _State:
    __slots__ = ("bold", "italic", "size", "skip", "uc", "indent")

    def __init__(self):
        self.bold = False
        self.italic = False
        self.size = 24  # half-points
        self.skip = False
        self.uc = 1
        self.indent = 0

    def copy(self) -> "_State":
        other = _State()
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        return other


def _codepage(data: bytes) -> str:
    m = re.search(rb"\\ansicpg(\d+)", data[:4096])
    encoding = f"cp{int(m.group(1))}" if m else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    return encoding


def blocks_from_rtf(data: bytes) -> list[Block]:
    encoding = _codepage(data)
    state = _State()
    stack: list[_State] = []
    flattened = 0
    blocks: list[Block] = []
    pieces: list[tuple[str, bool, float, bool]] = []
    indent = 0
    skip_chars = 0  # fallback characters still to skip after a \uN
    pending_bytes = bytearray()
    new_group = False

    def flush_bytes():
        if pending_bytes:
            add(pending_bytes.decode(encoding, errors="replace"))
            pending_bytes.clear()

    def add(text: str):
        if text and not state.skip:
            pieces.append((text, state.bold, state.size / 2, state.italic))

    def end_paragraph():
        nonlocal pieces
        flush_bytes()
        if pieces:
            blocks.append(paragraph_block(pieces, indent / 20.0))
        pieces = []

    for m in _TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, text = m.groups()
        if hexbyte is not None:
            if skip_chars:
                skip_chars -= 1
                continue
            pending_bytes.append(int(hexbyte, 16))
            new_group = False
            continue
        flush_bytes()
        if brace == b"{":
            if len(stack) >= MAX_DEPTH:
                flattened += 1
            else:
                stack.append(state)
                state = state.copy()
            new_group = True
            continue
        if brace == b"}":
            if flattened:
                flattened -= 1
            elif stack:
                state = stack.pop()
            new_group = False
            skip_chars = 0
            continue
        if text is not None:
            chunk = text
            if skip_chars:
                drop = min(skip_chars, len(chunk))
                chunk, skip_chars = chunk[drop:], skip_chars - drop
            add(chunk.decode(encoding, errors="replace"))
            new_group = False
            continue
        if symbol is not None:
            if symbol == b"*" and new_group:
                state.skip = True
            elif symbol == b"~":
                add("\u00a0")
            elif symbol in (b"-",):
                pass  # optional hyphen
            elif symbol == b"_":
                add("-")
            elif symbol in (b"\\", b"{", b"}"):
                add(symbol.decode())
            elif symbol in (b"\n", b"\r"):
                end_paragraph()
            new_group = False
            continue
        if word is None:
            continue  # a bare line break in the source is not text
        name = word.decode()
        value = int(arg) if arg is not None else None
        first = new_group
        new_group = False
        if name in _SKIP and first or name == "fldinst":
            state.skip = True
        elif name in _PARAGRAPH_END:
            if not state.skip:
                end_paragraph() if name != "cell" else add(" ")
                if name == "cell":
                    end_paragraph()
        elif name == "pard":
            indent = 0
        elif name == "plain":
            state.bold = state.italic = False
            state.size = 24
        elif name == "b":
            state.bold = value != 0
        elif name == "i":
            state.italic = value != 0
        elif name == "fs" and value:
            state.size = max(1, min(value, 400))
        elif name == "li" and value is not None:
            indent = max(0, value)
        elif name == "uc" and value is not None:
            state.uc = max(0, min(value, 10))
        elif name == "u" and value is not None:
            add(chr(value % 65536 if value >= 0 else value + 65536))
            skip_chars = state.uc
        elif name in _SYMBOLS:
            add(_SYMBOLS[name])
    end_paragraph()
    return blocks


def read(path, data: bytes, *, max_pages: int = 0):
    """Read an RTF file into a :class:`Layout`."""
    try:
        blocks = blocks_from_rtf(data)
    except RecursionError:  # pragma: no cover - the tokenizer does not recurse
        raise InputError(f"{path}: damaged RTF (nesting too deep)") from None
    layout = to_layout(blocks, "rtf")
    if not layout.lines:
        raise InputError(f"{path}: no text in the RTF document")
    return layout
