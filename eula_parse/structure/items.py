"""Sub-items: the lettered, roman and numbered items ("(a)", "ii.", "1)" under a lettered item)
of a section or clause, nested as the document nests them, set as paragraphs or in running text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from eula_parse.model import Item, Section, normalize_space, slugify
from eula_parse.structure.classify import _TITLE_COLON, _runin_text, _title_runin
from eula_parse.structure.ids import Ids
from eula_parse.structure.markers import marker_of
from eula_parse.structure.paragraphs import Para, _with_text

_INLINE_ITEM = re.compile(r"(?:(?<=\s)|^)(\(?)([a-z]|[ivx]{1,4})\)(?=\s)")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"(])")
_ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


def _next_label(label: str, kind: str) -> str:
    if kind == "roman":
        index = _ROMANS.index(label) if label in _ROMANS else -1
        return _ROMANS[index + 1] if 0 <= index < len(_ROMANS) - 1 else ""
    if kind == "decimal":
        return str(int(label) + 1) if label.isdigit() else ""
    return chr(ord(label[-1]) + 1) * len(label)


def _inline_spans(text: str) -> list[tuple[str, int, int, int]]:
    """``(label, marker start, text start, text end)`` of sub-items "a) ... b) ..." or
    "(i) ... (ii) ..." in running text, in reading order.

    A marker counts only as part of a sequence that starts at a/i and goes
    on in order, so a lone "(e.g." or a reference to "(b)" is not an item.
    """
    if ")" not in text:
        return []  # every marker ends with one; scanning long text without costs more than all the rest
    chains: dict[str, list[tuple[str, int, int]]] = {}
    expected: dict[str, str] = {}
    done: list[list[tuple[str, int, int]]] = []
    for m in _INLINE_ITEM.finditer(text):
        label = m.group(2)
        style = m.group(1)
        placed = False
        for kind in ("letter", "roman"):
            key = f"{kind}{style}"
            if expected.get(key) == label:
                chains[key].append((label, m.start(), m.end()))
                expected[key] = _next_label(label, kind)
                placed = True
                break
        if placed:
            continue
        for kind, start in (("letter", "a"), ("roman", "i")):
            if label == start:
                key = f"{kind}{style}"
                if len(chains.get(key, [])) >= 2:
                    done.append(chains[key])
                chains[key] = [(label, m.start(), m.end())]
                expected[key] = _next_label(label, kind)
                break
    done.extend(chain for chain in chains.values() if len(chain) >= 2)
    spans = []
    for chain in done:
        for index, (label, start, end) in enumerate(chain):
            if index + 1 < len(chain):
                stop = chain[index + 1][1]
            else:  # the last item ends with its sentence, not with the paragraph
                boundary = _SENTENCE_END.search(text, end)
                stop = boundary.end() if boundary else len(text)
            while end < stop and text[end].isspace():
                end += 1
            while stop > end and text[stop - 1].isspace():
                stop -= 1
            spans.append((label, start, end, stop))
    return sorted(spans, key=lambda span: span[1])


def find_items(text: str) -> list[Item]:
    """Sub-items "a) ... b) ..." or "(i) ... (ii) ..." in running text, flat, in reading order."""
    return [Item(label, text[start:stop]) for label, _marker, start, stop in _inline_spans(text)]


def _nested_under_item(para: Para, siblings: list[Para], in_subsection: bool = False) -> bool:
    """Is this "1." (or the "2." after it) a list set deeper than the lettered item before it
    (or, ``in_subsection``, deeper than the text of a "7.10"-style subsection), so part of
    that item or subsection rather than a section or clause of its own?"""
    marker = para.marker
    if marker is None or marker.kind != "decimal" or not marker.number.isdigit() or para.kind == "display":
        return False
    x0, expected = para.lines[0].x0, int(marker.number)
    for before in reversed(siblings):  # back over "3.", "2.", "1." to the item they hang under
        if before.marker is None or before.kind == "body":
            continue
        number = before.marker.number
        if (before.marker.kind == "decimal" and number.isdigit() and int(number) == expected - 1
                and abs(before.lines[0].x0 - x0) <= 2):
            expected -= 1
            continue
        return before.marker.kind == "item" and expected == 1 and x0 > before.lines[0].x0 + 2
    return in_subsection and expected == 1 and bool(siblings) and x0 > siblings[0].lines[0].x0 + 2


def _is_sub_item(para: Para, siblings: list[Para], section: Optional[Section] = None) -> bool:
    """A paragraph that opens a sub-item of the node whose paragraphs are ``siblings``."""
    if para.marker is not None and para.marker.kind == "item" and para.kind in ("display", "runin", "numbered"):
        return True
    number = section.number if section is not None else None
    in_subsection = bool(number and re.fullmatch(r"\d+(?:\.\d+)+", number) and not number.endswith(".0"))
    return _nested_under_item(para, siblings, in_subsection and para.kind == "numbered")


@dataclass
class _OpenItem:
    """A sub-item being read: what the next paragraphs are measured against."""

    item: Item
    style: str  # "(", ")" or ".": how the label is printed
    kind: str  # "letter", "roman" or "decimal"
    x0: float
    headed: bool  # set as a heading of its own: its body may sit at the item's own indent
    pieces: list[str] = field(default_factory=list)


class _ItemReader:
    """Reads the sub-items of one section or clause from its paragraphs.

    Paragraph items ("a. ...", "(i) OWNERSHIP", "1." set under a lettered item) nest by
    label sequence, label style and indentation; items inside running text ("... a) x;
    b) y") are found per run of text that belongs to one node. Ids follow citation
    (``section/2.1/a/1``), page spans come from the lines each item is read from.
    """

    def __init__(self, parent_id: str, ids: Ids):
        self.parent_id = parent_id
        self.ids = ids
        self.roots: list[Item] = []
        self.stack: list[_OpenItem] = []
        self.runs: dict[int, list[tuple[str, Para]]] = {}  # owner -> own text run not yet searched

    # owners are the open items, or None for the parent itself
    def _owner_key(self) -> int:
        return id(self.stack[-1]) if self.stack else 0

    def _owner_items(self) -> list[Item]:
        return self.stack[-1].item.items if self.stack else self.roots

    def _owner_id(self) -> str:
        return self.stack[-1].item.id if self.stack else self.parent_id

    def _flush(self) -> None:
        """Search the current owner's text run for inline items and hang them under it."""
        run = self.runs.pop(self._owner_key(), None)
        if not run:
            return
        text = normalize_space(" ".join(piece for piece, _ in run))
        spans = _inline_spans(text)
        if not spans:
            return
        marks = _page_marks(text, run)
        nested: list[tuple[Item, int, int]] = []  # open inline items: (item, text start, text end)
        for label, marker_at, start, stop in spans:
            while nested and marker_at >= nested[-1][2]:
                nested.pop()
            if nested:
                stop = min(stop, nested[-1][2])
            owner_id = nested[-1][0].id if nested else self._owner_id()
            item = Item(label, text[start:stop].strip(), id=self.ids.unique(f"{owner_id}/{slugify(label)}"))
            item.page_start, item.page_end = _page_at(marks, start), _page_at(marks, max(start, stop - 1))
            (nested[-1][0].items if nested else self._owner_items()).append(item)
            nested.append((item, start, stop))

    def _add_text(self, piece: str, para: Para, own: bool = True) -> None:
        for open_item in self.stack:
            open_item.pieces.append(para.text)
            open_item.item.page_end = max(open_item.item.page_end, para.page_end)
        if own and piece:
            self.runs.setdefault(self._owner_key(), []).append((piece, para))

    def add(self, para: Para) -> None:
        for part in _split_wrapped_items(para):
            self._add(part)

    def _add(self, para: Para) -> None:
        marker = para.marker if para.kind != "body" else None
        x0 = para.lines[0].x0
        # a "1." here was set as a list under an item or a subsection (build() keeps other numbers out)
        if marker is None or not (marker.kind == "item" or (marker.kind == "decimal" and marker.number.isdigit())):
            # Body text: it goes on the innermost item it is indented under (or, for an item set
            # as a heading, any text at its indent); otherwise the lists have ended.
            while self.stack and not (x0 > self.stack[-1].x0 + 2 or (self.stack[-1].headed and x0 >= self.stack[-1].x0 - 2)):
                self._close()
            self._add_text(para.text, para)
            return
        style = _punctuation(para.text[: marker.length].strip())
        label = marker.number
        kinds = ["decimal"] if marker.kind == "decimal" else _label_kinds(label)
        fits = label in ("a", "i", "1") or any(self._continues(o, label, style, kinds) for o in self.stack)
        if style != "." and (not fits or any(at == 0 for _l, at, _s, _e in _inline_spans(para.text))):
            # "(b)" that opens no list, or "(a) ... (b) ... (c)" in one paragraph: items in
            # running text, which _flush finds in the run this paragraph joins
            self._add_text(para.text, para)
            return
        kind = self._place(label, style, kinds, x0)
        heading, body = self._heading(para)
        item = Item(label, id="", heading=heading, page_start=para.page_start, page_end=para.page_end)
        self._flush()
        owner_items, owner_id = self._owner_items(), self._owner_id()
        self._add_text("", para, own=False)
        item.id = self.ids.unique(f"{owner_id}/{slugify(label)}")
        owner_items.append(item)
        self.stack.append(_OpenItem(item, style, kind, x0, para.kind == "display", [body] if body else []))
        if body:
            self.runs.setdefault(self._owner_key(), []).append((body, _with_text(para, body)))

    @staticmethod
    def _continues(open_item: _OpenItem, label: str, style: str, kinds: list[str]) -> bool:
        return open_item.style == style and open_item.kind in kinds and _next_label(open_item.item.label, open_item.kind) == label

    def _place(self, label: str, style: str, kinds: list[str], x0: float) -> str:
        """Close the items the new one is not nested in; return the kind of list it belongs to."""
        starts = label in ("a", "i", "1")
        for depth in range(len(self.stack) - 1, -1, -1):
            open_item = self.stack[depth]
            if self._continues(open_item, label, style, kinds) and not (starts and x0 > open_item.x0 + 4):
                while len(self.stack) > depth:
                    self._close()
                return open_item.kind
        if starts:
            kind = {"a": "letter", "i": "roman"}.get(label, "decimal")
            while self.stack and self.stack[-1].x0 > x0 + 2:
                self._close()
            top = self.stack[-1] if self.stack else None
            if top is not None and top.style == style and abs(top.x0 - x0) <= 2 and top.kind == kind:
                self._close()  # a list starting over at the same level
            return kind
        for depth in range(len(self.stack) - 1, -1, -1):  # out of sequence: sibling of a list like it
            if self.stack[depth].style == style and self.stack[depth].kind in kinds:
                kind = self.stack[depth].kind
                while len(self.stack) > depth:
                    self._close()
                return kind
        return kinds[0]

    def _close(self) -> None:
        self._flush()
        open_item = self.stack.pop()
        open_item.item.text = normalize_space(" ".join(open_item.pieces))

    @staticmethod
    def _heading(para: Para) -> tuple[Optional[str], str]:
        """The item's run-in heading, if any, and the text after it."""
        marker = para.marker
        rest = para.text[marker.length :].strip()
        if para.kind == "display":
            return (rest.rstrip(" .:") or None), ""
        if para.kind == "runin" and para.heading:
            return para.heading, para.text[len(_runin_text(para)) :].strip()
        heading = _title_runin(para)
        if heading is None and marker.kind == "item":
            colon = _TITLE_COLON.match(rest)
            heading = colon.group(1) if colon else None
        if heading and rest.startswith(heading):
            body = rest[len(heading) :].lstrip(" .:")
            return heading, body
        return None, rest

    def finish(self) -> list[Item]:
        while self.stack:
            self._close()
        self._flush()
        return self.roots


def _split_wrapped_items(para: Para) -> list[Para]:
    """An item paragraph that runs on into the next item ("(ii) ...; and" / "(iii) ..." where the
    line before does not end a sentence) split where a line starts with the next label."""
    marker = para.marker if para.kind != "body" else None
    if marker is None or marker.kind != "item" or len(para.lines) < 2:
        return [para]
    style = para.text[: marker.length].strip()
    following = {_next_label(marker.number, kind) for kind in _label_kinds(marker.number)}
    cursor = marker.length
    for k, line in enumerate(para.lines[1:], start=1):
        probe = normalize_space(line.text)
        at = para.text.find(probe[:20], cursor) if probe else -1
        if at < 0:
            continue
        cursor = at
        nxt = marker_of(probe)
        if (nxt is None or nxt.kind != "item" or nxt.number not in following
                or abs(line.x0 - para.lines[0].x0) > 2 or _punctuation(probe[: nxt.length].strip()) != _punctuation(style)):
            continue
        head = Para(lines=para.lines[:k], text=para.text[:at].rstrip(), marker=marker, heading=para.heading, kind=para.kind)
        tail = Para(lines=para.lines[k:], text=para.text[at:], marker=nxt, kind="numbered")
        return [head] + _split_wrapped_items(tail)
    return [para]


def _punctuation(label: str) -> str:
    """How a label is printed: "(" for "(b)", ")" for "b)", "." for "b."."""
    return "(" if label.startswith("(") else ")" if label.endswith(")") else "."


def _label_kinds(label: str) -> list[str]:
    """What a label can be: "c" a letter, "iv" a roman number, "i", "v" and "x" either."""
    kinds = []
    if len(label) == 1 or label in ("aa", "bb", "cc"):
        kinds.append("letter")
    if label in _ROMANS:
        kinds.append("roman")
    return kinds or ["letter"]


def _page_marks(text: str, run: list[tuple[str, Para]]) -> list[tuple[int, int]]:
    """``(offset in text, page)`` where each line of the run starts."""
    marks: list[tuple[int, int]] = []
    cursor = 0
    for _piece, para in run:
        for line in para.lines:
            probe = normalize_space(line.text)[:15]
            at = text.find(probe, cursor) if probe else -1
            if at >= 0:
                marks.append((at, line.page))
                cursor = at
    return marks or [(0, run[0][1].page_start)]


def _page_at(marks: list[tuple[int, int]], offset: int) -> int:
    page = marks[0][1]
    for at, line_page in marks:
        if at > offset:
            break
        page = line_page
    return page


def sub_items(parent_id: str, paras: list[Para], ids: Ids) -> list[Item]:
    """The sub-item tree of the node ``parent_id`` whose own paragraphs are ``paras``."""
    reader = _ItemReader(parent_id, ids)
    for para in paras:
        reader.add(para)
    return reader.finish()

