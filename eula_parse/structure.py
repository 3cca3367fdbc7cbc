"""Stage 2: lines -> the agreement's tree.

The hierarchy is read from what the page shows, never from a list of names:

1. Lines become *paragraphs* where a reader sees a break: extra vertical
   space, a change of type size or weight, a list number at the margin, a
   run-in bold heading.
2. Each paragraph is *classified*: a display heading (bold or larger than the
   body text, short), a paragraph opened by a run-in heading ("Limitation of
   Liability. The provisions ..."), a numbered paragraph ("5.", "4.1.4.1",
   "ARTICLE 1", "B.1"), or plain body text.
3. Display headings are ranked by type size and weight. The heading style
   whose headings are followed by a list numbered from 1 marks *products*;
   bigger styles above it mark product *groups*. Everything before the first
   group or product is the preamble and the general terms; numbered sections
   nest by their numbering (ARTICLE 1 > 1.1 > 1.1.2).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from eula_parse.readers.layout import Layout, Line, body_size
from eula_parse.model import (
    Clause,
    Document,
    Group,
    Item,
    Paragraph,
    Product,
    Section,
    normalize_space,
    slugify,
)

# -- markers --------------------------------------------------------------------

_PART_WORDS = {
    "part": 0, "exhibit": 0, "schedule": 0, "appendix": 0, "attachment": 0, "annex": 0,
    "addendum": 1, "article": 2, "section": 2, "clause": 2,
}
_ARTICLE = re.compile(
    r"^(?P<num>(?:" + "|".join(_PART_WORDS) + r")\s+(?:[A-Z]\.\d+|\d+[A-Z]?|[A-Z]|[IVXLC]+)\b)[\s.:\-–—]*",
    re.I,
)
_DECIMAL = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:\.(?!\d)|\s|\)(?=\s))\s*(?=\S)")
_LETTER_DECIMAL = re.compile(r"^(?P<num>[A-Z]\.\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=\S)")
_ITEM = re.compile(r"^(?P<num>\(?(?:[a-z]{1,2}|[ivx]{1,5})\)|(?:[a-z]|[ivx]{1,5})\.)\s+(?=\S)")
_BULLET = re.compile(r"^[•▪◦·●■\-–]\s+")
_RUNIN_END = re.compile(r"[.:]$")
_TERMINAL = re.compile(r"[.;:!?)\]”\"]$")
_TITLE_WORDS = re.compile(r"\b(?:agreement|licen[cs]e|terms|eula|conditions)\b", re.I)
#: a plain-text run-in heading after a section number: "2.2.1 Downloaded Software License Grant. Subject to ..."
_TITLE_RUNIN = re.compile(
    r"^((?:[A-Z][\w’'/&-]*,?)(?:\s+(?:[A-Z][\w’'/&-]*,?|of|and|or|the|to|for|in|on|a|an|with|by|from|&)){0,9})\.\s+(?=[A-Z“\"(])"
)
#: how agreements introduce product-specific terms: "for the X product the following applies"
_LEAD_IN = re.compile(r"\bfor the\b.{1,120}?\bfollowing applies\b|product[- ]specific terms|specific terms (?:of use )?for", re.I)
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*$|\b[\w-]+\.[a-z]{2,}/\S*$", re.I)


@dataclass
class Marker:
    kind: str  # "part", "decimal", "item"
    number: str  # as printed, without trailing punctuation: "ARTICLE 1", "4.1", "a"
    rank: float  # nesting rank: smaller is higher in the tree
    length: int  # characters the marker takes at the start of the text


def marker_of(text: str) -> Optional[Marker]:
    """The list or section number that opens ``text``, if any."""
    m = _ARTICLE.match(text)
    if m:
        number = " ".join(m.group("num").split())
        word = number.split()[0].lower()
        return Marker("part", number, _PART_WORDS[word], m.end())
    m = _LETTER_DECIMAL.match(text)
    if m:
        number = m.group("num")
        return Marker("decimal", number, 3 + number.count("."), m.end())
    m = _DECIMAL.match(text)
    if m:
        number = m.group("num")
        parts = number.split(".")
        if len(parts) > 1 and parts[-1] == "0":  # "2.0 SOFTWARE" is the top of 2.x
            parts = parts[:-1]
        if len(parts) == 1 and int(parts[0]) > 300:  # a year or an amount, not a list
            return None
        return Marker("decimal", number, 3 + len(parts), m.end())
    m = _ITEM.match(text)
    if m:
        return Marker("item", m.group("num").strip("().").lower(), 20, m.end())
    return None


# -- paragraphs -------------------------------------------------------------------


@dataclass
class Para:
    lines: list[Line]
    text: str = ""
    marker: Optional[Marker] = None
    heading: Optional[str] = None  # run-in heading text, without its closing punctuation
    kind: str = "body"  # "display", "runin", "numbered", "body"

    @property
    def size(self) -> float:
        return self.lines[0].size

    @property
    def bold(self) -> bool:
        return all(line.bold for line in self.lines)

    @property
    def page_start(self) -> int:
        return self.lines[0].page

    @property
    def page_end(self) -> int:
        return self.lines[-1].page

    @property
    def style(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


def _vocabulary(lines: list[Line]) -> set[str]:
    words = set()
    for line in lines:
        for token in re.findall(r"[\w’'-]+", line.text.lower()):
            words.add(token.strip("-"))
    return words


def join_lines(texts: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines into one string, undoing only the breaks the typesetter made.

    A hyphen at a line end is dropped only where the joined word is a word of
    this document and the hyphenated spelling is not ("compo-nent" ->
    "component", but "third-party" stays). URLs broken across lines are
    rejoined without a space.
    """
    out = ""
    for text in texts:
        text = text.strip()
        if not out:
            out = text
            continue
        if not text:
            continue
        last = out.rsplit(" ", 1)[-1]
        first = text.split(" ", 1)[0]
        if _URL_TAIL.search(last) and (last.endswith("-") or (last.endswith(("/", "_", "=", "&", "?", ".")) and re.match(r"[a-z0-9][\w\-~%]*[./?#=&_]\w", first))):
            out += text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            head = re.findall(r"[\w’']+$", out[:-1])
            tail = re.match(r"[\w’']+", text)
            if head and tail and text[0].islower():
                joined = (head[0] + tail.group()).lower()
                hyphenated = f"{head[0]}-{tail.group()}".lower()
                if joined in vocabulary and hyphenated not in vocabulary:
                    out = out[:-1] + text
                    continue
            out += text
        else:
            out += " " + text
    return out


def _breaks(prev: Line, line: Line, spacing: float, body: float) -> bool:
    """Does ``line`` start a new paragraph after ``prev``?"""
    if abs(line.size - prev.size) > 0.4:
        return True
    # A whole-bold line next to a regular one is a heading boundary, unless the regular
    # line opens bold too (a run-in heading wrapped from the line before).
    if prev.bold and not line.bold and not line.bold_prefix:
        return True
    if line.bold and not prev.bold and max(line.size, prev.size) > body + 0.4:
        return True
    same_flow = line.gap is not None
    if same_flow and spacing and line.gap > max(spacing * 1.6, spacing + 2.5):
        return True
    if (
        line.bold_prefix and not line.bold and not prev.bold and _RUNIN_END.search(line.bold_prefix.rstrip())
        and (_TERMINAL.search(prev.text.rstrip()) or not same_flow)
    ):
        return True
    marker = marker_of(line.text)
    if marker:
        if marker.kind == "item" and not _TERMINAL.search(prev.text.rstrip()) and line.x0 >= prev.x0 - 2:
            return False  # "... license rights, b) you ..." wrapped onto a new line
        if line.x0 < prev.x0 - 2 or _TERMINAL.search(prev.text.rstrip()) or not same_flow:
            return True
        if marker_of(prev.text) and abs(line.x0 - prev.x0) <= 2:
            return True
    return False


def paragraphs(lines: list[Line]) -> list[Para]:
    """Group lines into paragraphs and join their text."""
    body = body_size(lines)
    gaps = [l.gap for l in lines if l.gap is not None and 0 <= l.gap and abs(l.size - body) < 0.5]
    spacing = statistics.median(gaps) if gaps else 0.0
    vocab = _vocabulary(lines)
    paras: list[Para] = []
    for line in lines:
        if paras and not _breaks(paras[-1].lines[-1], line, spacing, body):
            paras[-1].lines.append(line)
        else:
            paras.append(Para([line]))
    for para in paras:
        para.text = join_lines([l.text for l in para.lines], vocab)
    return paras


def _recompute_gaps(extraction: Layout) -> list[Line]:
    """Gaps measured after furniture removal: the first line of a column has none."""
    lines = []
    for page in extraction.pages:
        previous: Optional[Line] = None
        for line in page.lines:
            same = previous is not None and previous.column == line.column and line.top > previous.top
            line.gap = line.top - previous.bottom if same else None
            lines.append(line)
            previous = line
    return lines


# -- classification ---------------------------------------------------------------


def _runin_heading(para: Para) -> Optional[str]:
    """The bold lead-in of a paragraph ("Limitation of Liability."), if it opens with one."""
    first = para.lines[0]
    prefix = first.bold_prefix
    if first.bold and len(para.lines) > 1:  # heading longer than one line
        rest = para.lines[1].bold_prefix
        if rest and not para.lines[1].bold:
            prefix = f"{prefix} {rest}"
    if not prefix or para.bold:
        return None
    prefix = prefix.strip()
    if len(prefix) > 150 or len(prefix) > 0.8 * len(para.text):
        return None
    if not _RUNIN_END.search(prefix) and not re.match(r"^\d", prefix):
        return None
    return prefix


def _title_runin(para: Para) -> Optional[str]:
    """A plain-text heading right after a section number, when a sentence follows it."""
    rest = para.text[para.marker.length :]
    m = _TITLE_RUNIN.match(rest) or _TITLE_RUNIN.match(rest.rstrip() + " X")  # heading alone on its line
    if m and m.end() >= len(rest.rstrip()) and len(m.group(1).split()) < 2:
        return None  # "11. Reserved." is a clause, not a heading
    return m.group(1) if m else None


def classify(paras: list[Para], body: float) -> None:
    for para in paras:
        text = para.text
        para.marker = marker_of(text)
        is_display = (para.bold or para.size > body + 0.4) and len(para.lines) <= 4 and len(text) <= 200
        sentence = text.rstrip().endswith(".") and len(text.split()) > 12  # a bold sentence, not a heading
        if is_display and not sentence and not text.rstrip().endswith((",", ";")):
            para.kind = "display"
            if not (para.marker and para.marker.kind == "decimal" and _title_runin(para)):
                continue
        heading = _runin_heading(para) or (para.marker and para.marker.kind == "decimal" and _title_runin(para))
        if heading:
            para.kind = "runin"
            if para.marker and heading.startswith(text[: para.marker.length].strip()):
                heading = heading[para.marker.length :].strip() if len(heading) > para.marker.length else heading
            para.heading = heading.rstrip(" .:") or None
            if para.heading and para.marker and para.heading == para.marker.number:
                para.heading = None
            if para.heading is None:
                para.kind = "numbered" if para.marker else "body"
            continue
        if para.marker:
            para.kind = "numbered"


def _heading_like(text: str) -> bool:
    """Short and mostly upper case: "SCOPE OF USE", not a sentence that happens to start "Exhibit 1"."""
    letters = [c for c in text if c.isalpha()]
    return 0 < len(text) <= 100 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _split_part_heading(text: str, marker: Marker) -> tuple[str, Optional[str]]:
    rest = text[marker.length :].strip(" .:-–—")
    return marker.number, rest or None


# -- sub-items --------------------------------------------------------------------

_INLINE_ITEM = re.compile(r"(?:(?<=\s)|^)(\(?)([a-z]|[ivx]{1,4})\)(?=\s)")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"(])")
_ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


def _next_label(label: str, kind: str) -> str:
    if kind == "roman":
        index = _ROMANS.index(label) if label in _ROMANS else -1
        return _ROMANS[index + 1] if 0 <= index < len(_ROMANS) - 1 else ""
    return chr(ord(label) + 1)


def find_items(text: str) -> list[Item]:
    """Sub-items "a) ... b) ..." or "(i) ... (ii) ..." in running text.

    A marker counts only as part of a sequence that starts at a/i and goes
    on in order, so a lone "(e.g." or a reference to "(b)" is not an item.
    """
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
    items = []
    for chain in done:
        for index, (label, _start, end) in enumerate(chain):
            if index + 1 < len(chain):
                stop = chain[index + 1][1]
            else:  # the last item ends with its sentence, not with the paragraph
                boundary = _SENTENCE_END.search(text, end)
                stop = boundary.end() if boundary else len(text)
            items.append((_start, Item(label, text[end:stop].strip())))
    return [item for _pos, item in sorted(items, key=lambda pair: pair[0])]


# -- tree -------------------------------------------------------------------------


@dataclass
class _Builder:
    vendor: str
    doc: Document
    used_ids: set = field(default_factory=set)

    def unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used_ids:
            candidate, n = f"{base}-{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    def name_slug(self, name: str) -> str:
        words = name.split()
        if self.vendor and len(words) > 1 and words[0].lower().strip("®™") == self.vendor.lower():
            words = words[1:]
        return slugify(" ".join(words))


def _node_pages(node, paras: list[Para]) -> None:
    node.page_start = min((p.page_start for p in paras), default=node.page_start)
    node.page_end = max((p.page_end for p in paras), default=node.page_end)


def _is_product_style(paras: list[Para], index: int) -> bool:
    """Is the display heading at ``index`` followed by a list numbered from 1?"""
    for para in paras[index + 1 :]:
        if para.kind == "display":
            return False
        if para.kind == "numbered" and para.marker and para.marker.kind == "decimal":
            return para.marker.number.rstrip(".") in ("1", "1.0")
    return False


def _title_index(paras: list[Para], first_page: int, body: float) -> Optional[int]:
    """The paragraph that is the title: the largest display heading on the first page;
    where nothing there is set larger than the body, the first short line that names
    the document ("License Agreement", "Terms of Service"), bold or not."""
    page = [i for i, p in enumerate(paras) if p.page_start == first_page]
    displays = [i for i in page if paras[i].kind == "display" and not paras[i].marker]
    larger = [i for i in displays if paras[i].size > body + 0.4]
    if larger:
        return max(larger, key=lambda i: (paras[i].size, bool(_TITLE_WORDS.search(paras[i].text)), -i))
    opening = [i for i in page if paras[i].size >= body - 0.2][:1]
    plain = [
        i for i in sorted(set(displays + opening))
        if len(paras[i].text) < 120 and not paras[i].text.rstrip().endswith(".")
    ]
    named = [i for i in plain if _TITLE_WORDS.search(paras[i].text)]
    return (named or plain or [None])[0]


def build(extraction: Layout) -> Document:
    """Turn extracted lines into a :class:`Document`."""
    lines = _recompute_gaps(extraction)
    doc = Document(pages=len(extraction.pages))
    if not lines:
        return doc
    body = body_size(lines)
    paras = paragraphs(lines)
    classify(paras, body)

    title_index = _title_index(paras, extraction.pages[0].number, body)
    if title_index is not None:
        doc.title = normalize_space(paras[title_index].text)
    doc.version = _version(extraction, paras)
    # A display line that is only the version label ("Version 1.4 – 12.03.2025") labels the document, like the title.
    label_index = next(
        (i for i, p in enumerate(paras[:8]) if i != title_index and p.kind == "display" and not p.marker
         and len(p.text) < 60 and (m := _VERSION_IN_TEXT.match(normalize_space(p.text))) and m.start() == 0),
        None,
    )
    vendor = doc.title.split()[0] if doc.title else ""
    builder = _Builder(vendor=vendor, doc=doc)

    # Heading styles that open products, and the bigger ones that open groups.
    product_heads = [
        i for i, p in enumerate(paras)
        if p.kind == "display" and i != title_index and not p.marker and _is_product_style(paras, i)
    ]
    if len(product_heads) == 1 and not _LEAD_IN.search(" ".join(p.text for p in paras[product_heads[0] + 1 : product_heads[0] + 4])):
        product_heads = []  # one heading over a numbered list is just a list (a recipe's "Method")
    product_styles = {paras[i].style for i in product_heads}
    product_size = max((s[0] for s in product_styles), default=None)
    group_styles = set()
    if product_styles:
        for i, p in enumerate(paras):
            if p.kind == "display" and i != title_index and p.style not in product_styles and not p.marker:
                if p.size > product_size + 0.2 or (abs(p.size - product_size) <= 0.2 and p.bold and not any(s[1] for s in product_styles)):
                    group_styles.add(p.style)
    # The product part starts at the first group heading or product heading proper; a heading
    # of the same style earlier on is a general-terms section heading.
    starts = [i for i, p in enumerate(paras) if p.kind == "display" and p.style in group_styles and not p.marker]
    products_from = min(starts + product_heads, default=len(paras))

    stack: list[tuple[float, Section, list[Para], Optional[tuple]]] = []  # open sections: rank, node, paragraphs, heading style
    top_integers: list[int] = []  # numbers of the top-level "1." / "2.0" sections seen so far
    section_paras: dict[int, list[Para]] = {}
    group: Optional[Group] = None
    product: Optional[Product] = None
    product_paras: list[Para] = []
    clause: Optional[Clause] = None
    clause_paras: list[Para] = []
    in_products = False
    preamble: list[Para] = []

    def close_clause():
        nonlocal clause, clause_paras
        if clause is not None:
            clause.text = normalize_space(" ".join(p.text for p in clause_paras))
            first = clause_paras[0]
            clause.text = normalize_space(clause.text[first.marker.length :]) if first.marker else clause.text
            clause.items = find_items(clause.text) or _list_items(clause_paras[1:])
            _node_pages(clause, clause_paras)
        clause, clause_paras = None, []

    def close_product():
        nonlocal product, product_paras
        close_clause()
        if product is not None:
            product.text = normalize_space(" ".join(p.text for p in product_paras))
            _node_pages(product, product_paras)
            product.page_end = max([product.page_end] + [c.page_end for c in product.clauses])
        product, product_paras = None, []

    def rank_of(marker: Marker) -> float:
        """A plain "1." list inside a "2.1"-style section is a sub-list, not a new top level."""
        parts = marker.number.split(".")
        if marker.kind != "decimal" or not (len(parts) == 1 or parts[1:] == ["0"]) or not parts[0].isdigit():
            return marker.rank
        number = int(parts[0])
        for rank, section, _, _ in reversed(stack):  # an open sub-list goes on: 2. after 1.
            if rank % 1 and section.number and section.number.isdigit():
                if int(section.number) == number - 1:
                    return rank
                break
        continues_top = bool(top_integers) and number == top_integers[-1] + 1
        deep = next((r for r, s, _, _ in reversed(stack) if s.number and s.number.count(".") and not s.number.endswith(".0")), None)
        if deep is not None and not continues_top:
            return deep + 0.5
        if number == 1 and top_integers and stack:  # a list restarting at 1 inside section N
            return marker.rank + 0.5
        top_integers.append(number)
        return marker.rank

    def open_section(section: Section, rank: float, para: Para, root: list[Section], style=None):
        # An unnumbered display heading ("GENERAL TERMS") ends at the next heading set like it.
        while stack and (stack[-1][0] >= rank or (style is not None and stack[-1][1].number is None and stack[-1][3] == style)):
            stack.pop()
        parent_children = stack[-1][1].children if stack else root
        if section.number:
            base = f"section/{slugify(section.number)}"
            if stack and (base in builder.used_ids or rank % 1):  # a sub-list item is cited under its section
                base = f"{stack[-1][1].id}/{slugify(section.number)}".replace("general/", "section/")
            section.id = builder.unique(base)
        else:
            section.id = builder.unique(f"general/{slugify(section.heading or 'section')}")
        parent_children.append(section)
        section_paras[id(section)] = []
        stack.append((rank, section, section_paras[id(section)], style if para.kind == "display" else None))
        section.page_start = section.page_end = para.page_start

    for index, para in enumerate(paras):
        if index in (title_index, label_index):
            continue
        is_part = para.marker is not None and para.marker.kind == "part" and (
            para.kind in ("display", "runin") or _heading_like(para.text[para.marker.length :])
        )
        in_product_part = index >= products_from and not para.marker
        if para.kind == "display" and para.style in group_styles and in_product_part:
            close_product()
            in_products = True
            stack.clear()
            group = Group(id=builder.unique(f"group/{builder.name_slug(para.text)}"), name=normalize_space(para.text))
            group.page_start = group.page_end = para.page_start
            doc.groups.append(group)
            continue
        if para.kind == "display" and para.style in product_styles and in_product_part:
            close_product()
            in_products = True
            stack.clear()
            if group is None:
                group = Group(id=builder.unique("group/products"), name="Products")
                group.page_start = para.page_start
                doc.groups.append(group)
            name = normalize_space(para.text)
            product = Product(id=builder.unique(f"product/{builder.name_slug(name)}"), name=name)
            product.page_start = product.page_end = para.page_start
            group.products.append(product)
            group.page_end = para.page_end
            continue
        if in_products and product is not None and not is_part and not (para.kind == "display" and para.marker):
            if para.kind in ("numbered", "runin") and para.marker and para.marker.kind == "decimal" and "." not in para.marker.number.rstrip("."):
                close_clause()
                clause = Clause(id=f"{product.id}/{para.marker.number}", number=para.marker.number)
                clause.id = builder.unique(clause.id)
                clause_paras = [para]
                product.clauses.append(clause)
            elif clause is not None:
                clause_paras.append(para)
            else:
                product_paras.append(para)
            group.page_end = para.page_end
            continue
        # General part: preamble, sections, numbered articles.
        if para.kind == "display" or is_part:
            if is_part:
                number, heading = _split_part_heading(para.text, para.marker)
                rank = para.marker.rank
            elif para.marker and para.marker.kind == "decimal":
                number, heading = para.marker.number, para.text[para.marker.length :].strip(" .:") or None
                rank = rank_of(para.marker)
            else:
                number, heading, rank = None, normalize_space(para.text), 0
            code = None
            if heading and len(para.lines) > 1 and re.fullmatch(r"\(.*\)", para.lines[-1].text.strip()):
                # "(E300 07/08/2015)" under "SCOPE OF USE": a document code, not part of the heading
                code = para.lines[-1].text.strip()
                heading = normalize_space(heading[: heading.rfind(code)]) or heading
            if in_products:
                close_product()
                in_products, group = False, None
            open_section(Section(id="", number=number, heading=heading), rank, para, doc.sections, para.style)
            if code:
                section_paras[id(stack[-1][1])].append(Para(lines=para.lines[-1:], text=code))
            continue
        if para.kind == "runin" and not para.marker:
            open_section(Section(id="", heading=para.heading), 50, para, doc.sections)
            body_text = para.text[len(_runin_text(para)) :].strip()
            section_paras[id(stack[-1][1])].append(_with_text(para, body_text))
            continue
        if para.marker and para.marker.kind == "decimal" and para.kind in ("numbered", "runin"):
            heading = para.heading if para.kind == "runin" else None
            open_section(Section(id="", number=para.marker.number, heading=heading), rank_of(para.marker), para, doc.sections)
            start = len(_runin_text(para)) if para.kind == "runin" else para.marker.length
            section_paras[id(stack[-1][1])].append(_with_text(para, para.text[start:].strip()))
            continue
        if para.marker and para.marker.kind == "item" and para.kind == "runin" and stack:
            open_section(Section(id="", number=para.marker.number, heading=para.heading), para.marker.rank, para, doc.sections)
            section_paras[id(stack[-1][1])].append(_with_text(para, para.text[len(_runin_text(para)) :].strip()))
            continue
        if stack:
            stack[-1][2].append(para)
        else:
            preamble.append(para)
    close_product()

    for i, para in enumerate(preamble, start=1):
        doc.preamble.append(
            Paragraph(id=f"preamble/{i}", text=normalize_space(para.text), page_start=para.page_start, page_end=para.page_end)
        )
    for section in doc.all_sections():
        own = section_paras.get(id(section), [])
        section.text = normalize_space(" ".join(p.text for p in own))
        section.items = find_items(section.text) or _list_items(own)
        if own:
            _node_pages(section, own)
            section.page_start = min(section.page_start, own[0].page_start)
    for section in reversed(list(doc.all_sections())):
        for child in section.children:
            section.page_end = max(section.page_end, child.page_end)
    return doc


def _runin_text(para: Para) -> str:
    """The characters of ``para.text`` taken by its run-in heading (and number)."""
    heading = para.heading or ""
    start = para.text.find(heading)
    end = start + len(heading) if start >= 0 else 0
    while end < len(para.text) and para.text[end] in ".: ":
        end += 1
    return para.text[:end]


def _with_text(para: Para, text: str) -> Para:
    return Para(lines=para.lines, text=text, marker=None, kind="body")


def _list_items(paras: list[Para]) -> list[Item]:
    """Sub-items set as their own indented paragraphs ("a. The Software is ...")."""
    items = []
    for para in paras:
        marker = marker_of(para.text)
        if marker and marker.kind == "item":
            items.append(Item(marker.number, normalize_space(para.text[marker.length :])))
    return items


_VERSION_IN_TEXT = re.compile(
    r"\b(?:version|revised|rev\.|(?:last )?updated|effective(?: date)?|v)\s*:?\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|[\w./-]*\d[\w./-]*)"
    r"|\bEULA\s+\d{6,8}\b",
    re.I,
)


def _version(extraction: Layout, paras: list[Para]) -> Optional[str]:
    """The version label: constant text of a running header/footer that carries a number,
    else a "Version ..."/"Revised ..." phrase near the top of the first page."""
    for text in extraction.furniture:
        if re.search(r"\d", text):
            return text
    for para in paras[:8]:
        m = _VERSION_IN_TEXT.search(para.text)
        if m:
            return normalize_space(m.group(0))
    return None


__all__ = ["build", "paragraphs", "classify", "find_items", "join_lines", "marker_of"]
