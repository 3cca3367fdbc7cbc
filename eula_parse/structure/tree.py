"""The tree builder: classified paragraphs -> the agreement's :class:`Document`.

Display headings are ranked by type size and weight. The heading style whose headings are
followed by a list numbered from 1 marks *products*; bigger styles above it mark product
*groups*. Everything before the first group or product is the preamble and the general terms;
numbered sections nest by their numbering (ARTICLE 1 > 1.1 > 1.1.2).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from eula_parse.model import Clause, Document, Group, Paragraph, Product, Section, normalize_space, slugify
from eula_parse.readers.layout import Layout, body_size
from eula_parse.structure.classify import (
    _VERSION_IN_TEXT,
    _heading_like,
    _runin_text,
    _short_heading,
    _split_part_heading,
    _title_index,
    _title_lines,
    _version,
    classify,
)
from eula_parse.structure.ids import Ids
from eula_parse.structure.items import _is_sub_item, _nested_under_item, sub_items
from eula_parse.structure.markers import _ITEM_RANK, _LETTER_HEADING, _PART_WORDS, Marker, marker_of
from eula_parse.structure.paragraphs import Para, _recompute_gaps, _with_text, paragraphs, split_run_on_numbers

#: how agreements introduce product-specific terms: "for the X product the following applies"
_LEAD_IN = re.compile(r"\bfor the\b.{1,120}?\bfollowing applies\b|product[- ]specific terms|specific terms (?:of use )?for", re.I)


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



def build(extraction: Layout) -> Document:
    """Turn extracted lines into a :class:`Document`."""
    lines = _recompute_gaps(extraction)
    doc = Document(pages=len(extraction.pages))
    if not lines:
        return doc
    body = body_size(lines)
    paras = split_run_on_numbers(paragraphs(lines))
    classify(paras, body)
    return _TreeBuilder(extraction, paras, body, doc).build()


class _TreeBuilder:
    """Reads one document's classified paragraphs in order and hangs each where it belongs.

    What the whole document shows is measured first (the title block, which heading styles open
    products and groups, where the numbering starts); then every paragraph either opens a node
    (a group, a product, a clause, a section) or joins the text of the node open before it.
    """

    def __init__(self, extraction: Layout, paras: list[Para], body: float, doc: Document):
        self.paras = paras
        self.body = body
        self.doc = doc
        self._read_title_block(extraction)
        self.ids = Ids(vendor=doc.title.split()[0] if doc.title else "")
        self._find_product_part()
        self.first_numbered = _first_numbered(paras[: self.products_from])

        self.stack: list[tuple[float, Section, list[Para], Optional[tuple]]] = []  # open sections: rank, node, paragraphs, heading style
        self.top_integers: list[int] = []  # numbers of the top-level "1." / "2.0" sections seen so far
        self.section_paras: dict[int, list[Para]] = {}
        self.head_paras: dict[int, Para] = {}  # the paragraph that opened each section
        self.group: Optional[Group] = None
        self.product: Optional[Product] = None
        self.product_paras: list[Para] = []
        self.clause: Optional[Clause] = None
        self.clause_paras: list[Para] = []
        self.in_products = False
        self.preamble: list[Para] = []
        self.consumed: set[int] = set()  # paragraphs read as part of the heading before them
        self.table_row: Optional[tuple[int, Para]] = None  # the last paragraph read as a row of a table, and its index

    # -- what the whole document shows -------------------------------------------------

    def _read_title_block(self, extraction: Layout) -> None:
        paras, doc, body = self.paras, self.doc, self.body
        title_index = _title_index(paras, extraction.pages[0].number, body, extraction.pages[0].width)
        self.title_block = _title_lines(paras, title_index, extraction.pages[0].width)
        if title_index is not None:
            doc.title = normalize_space(" ".join(paras[i].text for i in sorted(self.title_block)))
            lines = paras[title_index].lines
            caps = next((n for n, line in enumerate(lines) if not _heading_like(line.text)), len(lines))
            if len(self.title_block) == 1 and 0 < caps < len(lines) \
                    and not any(_heading_like(line.text) for line in lines[caps:]):
                # "LICENSE, SUPPORT, AND SERVICES AGREEMENT" over "General Conditions" with no space
                # between: the case changes where the title ends and a subtitle begins
                doc.title = normalize_space(" ".join(line.text for line in lines[:caps]))
        doc.version = _version(extraction, paras)
        # A display line that is only the version label ("Version 1.4 – 12.03.2025") labels the document, like the title.
        self.label_index = next(
            (i for i, p in enumerate(paras[:8]) if i not in self.title_block and p.kind == "display" and not p.marker
             and len(p.text) < 60 and (m := _VERSION_IN_TEXT.match(normalize_space(p.text))) and m.start() == 0),
            None,
        )

    def _find_product_part(self) -> None:
        """Heading styles that open products, the bigger ones that open groups, and where the product part starts."""
        paras, title_block = self.paras, self.title_block
        product_heads = [
            i for i, p in enumerate(paras)
            if p.kind == "display" and i not in title_block and not p.marker and _is_product_style(paras, i)
        ]
        # A product heading is one of a series set alike; one heading of its style over a numbered
        # list is just a list (a recipe's "Method", a revision table), unless the text says it
        # introduces product terms.
        per_style = Counter(paras[i].style for i in product_heads)
        product_heads = [
            i for i in product_heads
            if per_style[paras[i].style] >= 2 or _LEAD_IN.search(" ".join(p.text for p in paras[i + 1 : i + 4]))
        ]
        self.product_styles = {paras[i].style for i in product_heads}
        product_size = max((s[0] for s in self.product_styles), default=None)
        self.group_styles = set()
        if self.product_styles:
            for i, p in enumerate(paras):
                if p.kind == "display" and i not in title_block and p.style not in self.product_styles and not p.marker:
                    if p.size > product_size + 0.2 or (abs(p.size - product_size) <= 0.2 and p.bold and not any(s[1] for s in self.product_styles)):
                        self.group_styles.add(p.style)
        # The product part starts at the first group heading or product heading proper; a heading
        # of the same style earlier on is a general-terms section heading.
        starts = [i for i, p in enumerate(paras) if p.kind == "display" and p.style in self.group_styles and not p.marker]
        self.products_from = min(starts + product_heads, default=len(paras))

    # -- reading paragraph by paragraph -----------------------------------------------------

    def build(self) -> Document:
        for index, para in enumerate(self.paras):
            self._read(index, para)
        self._close_product()
        self._finish()
        return self.doc

    def _read(self, index: int, para: Para) -> None:
        if index in self.title_block or index == self.label_index or index in self.consumed:
            return
        is_part = para.marker is not None and para.marker.kind == "part" and (
            para.kind in ("display", "runin") or _heading_like(para.text[para.marker.length :])
            or not para.text[para.marker.length :].strip()  # "APPENDIX A" alone on its line
        )
        in_product_part = index >= self.products_from and not para.marker
        if para.kind == "display" and para.style in self.group_styles and in_product_part:
            self._open_group(para)
        elif para.kind == "display" and para.style in self.product_styles and in_product_part:
            self._open_product(para)
        elif self.in_products and self.product is not None and not is_part \
                and not (para.kind == "display" and para.marker and para.marker.kind != "item"):
            self._add_to_product(para)
        else:
            self._read_general(index, para, is_part)

    def _open_group(self, para: Para) -> None:
        self._close_product()
        self.in_products = True
        self.stack.clear()
        group = Group(id=self.ids.unique(f"group/{self.ids.name_slug(para.text)}"), name=normalize_space(para.text))
        group.page_start = group.page_end = para.page_start
        self.doc.groups.append(group)
        self.group = group

    def _open_product(self, para: Para) -> None:
        self._close_product()
        self.in_products = True
        self.stack.clear()
        if self.group is None:
            self.group = Group(id=self.ids.unique("group/products"), name="Products")
            self.group.page_start = para.page_start
            self.doc.groups.append(self.group)
        name = normalize_space(para.text)
        product = Product(id=self.ids.unique(f"product/{self.ids.name_slug(name)}"), name=name)
        product.page_start = product.page_end = para.page_start
        self.group.products.append(product)
        self.group.page_end = para.page_end
        self.product = product

    def _add_to_product(self, para: Para) -> None:
        """Inside a product: a top-level "1." opens a clause, anything else joins the open clause or the product."""
        if (para.kind in ("numbered", "runin") and para.marker and para.marker.kind == "decimal"
                and "." not in para.marker.number.rstrip(".") and not _nested_under_item(para, self.clause_paras)):
            self._close_clause()
            clause = Clause(id=f"{self.product.id}/{para.marker.number}", number=para.marker.number)
            clause.id = self.ids.unique(clause.id)
            self.clause, self.clause_paras = clause, [para]
            self.product.clauses.append(clause)
        elif self.clause is not None:
            self.clause_paras.append(para)
        else:
            self.product_paras.append(para)
        self.group.page_end = para.page_end

    def _read_general(self, index: int, para: Para, is_part: bool) -> None:
        """General part: preamble, sections, numbered articles."""
        stack = self.stack
        if self.first_numbered is not None and index < self.first_numbered and not para.marker and para.kind in ("display", "runin"):
            self.preamble.append(para)  # the title block: a notice, a product line, a letterhead
            return
        if para.kind == "display" and not para.marker and not _LETTER_HEADING.match(para.text) \
                and _inside_numbering(self.paras, index, stack, self.body):
            stack[-1][2].append(para)
            return
        if stack and not is_part and _is_sub_item(para, stack[-1][2], stack[-1][1]):
            stack[-1][2].append(para)  # read as a sub-item of the section once it is complete
            return
        if para.kind == "display" or is_part:
            self._open_heading(index, para, is_part)
            return
        if para.kind == "runin" and not para.marker:
            self._open_section(Section(id="", heading=para.heading), 50, para)
            body_text = para.text[len(_runin_text(para)) :].strip()
            self.section_paras[id(stack[-1][1])].append(_with_text(para, body_text))
            return
        if para.marker and para.marker.kind == "decimal" and para.kind == "numbered" and stack and (
                not _plausible(para.marker.number, [entry[1] for entry in stack])
                or ("." in para.marker.number.rstrip(".") and re.match(r"[\d+]", para.text[para.marker.length :]))
                or (self.table_row is not None and self.table_row[0] == index - 1 and _next_row(self.table_row[1], para))):
            # "0.9.0 thru 1.2 1991-1995 CWI", "2.1 2.0+1.6.1 2001 PSF": a table row, not a clause
            # (a clause opens with words, not with another number); "2.2 and above 2.1.1 2001-now"
            # set right under such rows, like them, is the next row
            stack[-1][2].append(para)
            self.table_row = (index, para)
            return
        if para.marker and para.marker.kind == "decimal" and para.kind in ("numbered", "runin"):
            heading = para.heading if para.kind == "runin" else None
            self._open_section(Section(id="", number=para.marker.number, heading=heading), self._rank_of(para.marker, para), para)
            start = len(_runin_text(para)) if para.kind == "runin" else para.marker.length
            self.section_paras[id(stack[-1][1])].append(_with_text(para, para.text[start:].strip()))
            return
        if stack:
            stack[-1][2].append(para)
        else:
            self.preamble.append(para)

    def _open_heading(self, index: int, para: Para, is_part: bool) -> None:
        """A display heading or a part ("ARTICLE 2", "APPENDIX A") opens a section of the general part."""
        paras = self.paras
        letter = _LETTER_HEADING.match(para.text) if para.kind == "display" and not para.marker else None
        parts = [r for r, s, _, _ in self.stack if s.number and " " in s.number]
        runin_body = None
        if is_part and para.kind == "runin" and para.heading:  # "ARTICLE 13 - ADVERTISING" over its text
            number, heading, rank = para.marker.number, para.heading, self._part_rank(para.marker)
            runin_body = para.text[len(_runin_text(para)) :].strip()
        elif is_part:
            number, heading = _split_part_heading(para.text, para.marker)
            rank = self._part_rank(para.marker)
            following = paras[index + 1] if index + 1 < len(paras) else None
            if heading is None and following and not following.marker and len(following.lines) == 1 \
                    and _short_heading(following.text.rstrip(" :")):
                heading = following.text.rstrip(" :.")  # "APPENDIX A" over "Other License Grants:"
                self.consumed.add(index + 1)
        elif letter and parts:  # "B. Nordic Semiconductor license" inside "APPENDIX 2"
            number, heading, rank = letter.group(1), letter.group(2).strip(" :."), parts[-1] + 0.5
        elif para.marker and para.marker.kind == "decimal":
            number, heading = para.marker.number, para.text[para.marker.length :].strip(" .:") or None
            rank = self._rank_of(para.marker, para)
        else:
            number, heading, rank = None, normalize_space(para.text), 0
        code = None
        if heading and len(para.lines) > 1 and re.fullmatch(r"\(.*\)", para.lines[-1].text.strip()):
            # "(E300 07/08/2015)" under "SCOPE OF USE": a document code, not part of the heading
            code = para.lines[-1].text.strip()
            heading = normalize_space(heading[: heading.rfind(code)]) or heading
        if self.in_products:
            self._close_product()
            self.in_products, self.group = False, None
        self._open_section(Section(id="", number=number, heading=heading), rank, para, para.style)
        if code:
            self.section_paras[id(self.stack[-1][1])].append(Para(lines=para.lines[-1:], text=code))
        if runin_body:
            self.section_paras[id(self.stack[-1][1])].append(_with_text(para, runin_body))

    # -- nesting -----------------------------------------------------------------------

    def _rank_of(self, marker: Marker, para: Optional[Para] = None) -> float:
        """A plain "1." list inside a "2.1"-style section is a sub-list, not a new top level."""
        stack, top_integers = self.stack, self.top_integers
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
        open_number = stack[-1][1].number if stack else None
        if number == 1 and top_integers and open_number == str(top_integers[-1]) \
                and not _headed_alike(self.head_paras.get(id(stack[-1][1])), para) and not self._contents_list():
            return marker.rank + 0.5  # a list restarting at 1 right inside section N is N's list
        top_integers.append(number)
        return marker.rank

    def _contents_list(self) -> bool:
        """Have all the top-level numbered sections so far been bare one-line headings (no text,
        nothing under them)? Then they were a table of contents, and a "1." after them starts the
        agreement's own headings, not a list inside the last entry."""
        numbered = [s for s in self.doc.sections if s.number]
        return len(numbered) >= 3 and all(
            not s.children and len(self.section_paras.get(id(s), [])) <= 1 and _headed(self.head_paras.get(id(s)))
            for s in numbered
        )

    def _part_rank(self, marker: Marker) -> float:
        """ "ARTICLE 2" is a sibling of an open "ARTICLE 1"; opened inside a "SECTION 1" (a word
        of the same standing) it is that section's child, as the document nests them."""
        word = marker.number.split()[0].lower()
        words = [(r, s.number.split()[0].lower()) for r, s, _, _ in self.stack if s.number and marker_of(s.number + " ") and " " in s.number]
        same = [r for r, w in words if w == word]
        if same:
            return same[-1]
        peers = [r for r, w in words if _PART_WORDS.get(w) == marker.rank]
        return peers[-1] + 0.5 if peers else marker.rank

    def _open_section(self, section: Section, rank: float, para: Para, style=None) -> None:
        stack = self.stack
        # An unnumbered display heading ("GENERAL TERMS") ends at the next heading set like it.
        while stack and (stack[-1][0] >= rank or (style is not None and stack[-1][1].number is None and stack[-1][3] == style)):
            stack.pop()
        # "6.6.1" after "6.5" belongs to 6, the heading its number names, not to 6.5.
        number = _depth_number(section.number) if rank < _ITEM_RANK else None
        while number and len(number) > 1 and stack:
            top = _depth_number(stack[-1][1].number)
            if not top or (len(top) < len(number) and number[: len(top)] == top):
                break
            stack.pop()
        parent_children = stack[-1][1].children if stack else self.doc.sections
        if section.number and stack and rank >= _ITEM_RANK:
            base = f"{stack[-1][1].id}/{slugify(section.number)}".replace("general/", "section/")
            section.id = self.ids.unique(base)
        elif section.number:
            base = f"section/{slugify(section.number)}"
            if stack and (base in self.ids.used_ids or rank % 1):  # a sub-list item is cited under its section
                base = f"{stack[-1][1].id}/{slugify(section.number)}".replace("general/", "section/")
            section.id = self.ids.unique(base)
        else:
            section.id = self.ids.unique(f"general/{slugify(section.heading or 'section')}")
        parent_children.append(section)
        self.section_paras[id(section)] = []
        self.head_paras[id(section)] = para
        stack.append((rank, section, self.section_paras[id(section)], style if para.kind == "display" else None))
        section.page_start = section.page_end = para.page_start

    # -- closing nodes -------------------------------------------------------------------

    def _close_clause(self) -> None:
        clause, clause_paras = self.clause, self.clause_paras
        if clause is not None:
            clause.text = normalize_space(" ".join(p.text for p in clause_paras))
            first = clause_paras[0]
            clause.text = normalize_space(clause.text[first.marker.length :]) if first.marker else clause.text
            lead = _with_text(first, first.text[first.marker.length :]) if first.marker else first
            clause.items = sub_items(clause.id, [lead] + clause_paras[1:], self.ids)
            _node_pages(clause, clause_paras)
        self.clause, self.clause_paras = None, []

    def _close_product(self) -> None:
        self._close_clause()
        product = self.product
        if product is not None:
            product.text = normalize_space(" ".join(p.text for p in self.product_paras))
            _node_pages(product, self.product_paras)
            product.page_end = max([product.page_end] + [c.page_end for c in product.clauses])
        self.product, self.product_paras = None, []

    def _finish(self) -> None:
        """The preamble's paragraphs, each section's own text, sub-items and page span."""
        doc = self.doc
        for i, para in enumerate(self.preamble, start=1):
            doc.preamble.append(
                Paragraph(id=f"preamble/{i}", text=normalize_space(para.text), page_start=para.page_start, page_end=para.page_end)
            )
        for section in doc.all_sections():
            own = self.section_paras.get(id(section), [])
            section.text = normalize_space(" ".join(p.text for p in own))
            section.items = sub_items(section.id, own, self.ids)
            if own:
                _node_pages(section, own)
                section.page_start = min(section.page_start, own[0].page_start)
        for section in reversed(list(doc.all_sections())):
            for child in section.children:
                section.page_end = max(section.page_end, child.page_end)


def _next_row(row: Para, para: Para) -> bool:
    """Is ``para``, the paragraph after the table row ``row``, the table's next row: one line right
    under it (no more space between than between the lines of a paragraph), at its left edge, in its
    type size, and carrying figures of its own like the rows do ("2.2 and above 2.1.1 2001-now PSF")?"""
    if para.lines[0].gap is None or len(para.lines) != 1 or not re.search(r"\d", para.text[para.marker.length :]):
        return False
    last, first = row.lines[-1], para.lines[0]
    return (
        first.page == last.page and first.column == last.column and abs(first.x0 - row.lines[0].x0) <= 2
        and abs(first.size - last.size) <= 0.2 and first.gap <= max(2.0, (last.gap or 0.0) + 1.0)
    )


def _depth_number(number: Optional[str]) -> Optional[list[int]]:
    parts = (number or "").rstrip(".").split(".")
    if parts and parts[-1] == "0" and len(parts) > 1:
        parts = parts[:-1]
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else None


def _plausible(number: str, open_sections: list[Section]) -> bool:
    """Could ``number`` be the next clause number here? Clause numbers have no 0 inside
    ("0.9.0", "2.0.1" are versions in a table), and "1.6" needs 1 open, or is a first
    sub-clause (x.1, x.2) of a parent the page leaves unnumbered."""
    raw = number.rstrip(".").split(".")
    if len(raw) > 1 and "0" in raw[:-1]:
        return False
    parts = _depth_number(number)
    if not parts or len(parts) == 1:
        return True
    opened = [_depth_number(s.number) for s in open_sections]
    return parts[:-1] in opened or any(o and o[:-1] == parts[:-1] for o in opened) or parts[-1] <= 2


def _headed(para: Optional[Para]) -> bool:
    """Does the numbered paragraph carry a heading: a run-in one, or a short upper-case line of its own?"""
    if para is None or para.marker is None:
        return False
    if para.kind == "runin" and para.heading:
        return True
    rest = para.text[para.marker.length :].strip()
    return len(para.lines) <= 2 and _short_heading(rest) and _heading_like(rest)  # a narrow column may wrap it


def _headed_alike(section_para: Optional[Para], para: Optional[Para]) -> bool:
    """A "1." set like the open section "N." (both headed, in one type style) starts a new run of
    numbered headings (the agreement after its table of contents, a second agreement after the
    first), not N's own list: headings of the same style are siblings."""
    return _headed(section_para) and _headed(para) and section_para.style == para.style


def _first_numbered(paras: list[Para]) -> Optional[int]:
    """Index of the first numbered section heading ("1.", "ARTICLE 1"): what stands before it
    unnumbered is the title block and preamble, when the agreement numbers its sections."""
    for index, para in enumerate(paras):
        if para.marker and para.marker.kind in ("decimal", "part") and para.kind in ("display", "runin", "numbered"):
            return index
    return None


def _inside_numbering(paras: list[Para], index: int, stack: list, body: float) -> bool:
    """Is the unnumbered heading at ``index`` a lead-in inside a numbered section rather than a
    heading over what follows? It is when the numbering runs on across it: the next number at
    the open section's depth continues the open one (11 -> 12, 7.10 -> 7.11) or none follows.
    Inside an article or section ("SECTION 2—..."), a bold line in the body size is a lead-in
    (a table's head, a "Notes" line): those parts are headed in words, not bold alone."""
    if not stack or not stack[-1][1].number:
        return False
    current = _depth_number(stack[-1][1].number)
    if not current:
        return paras[index].size <= body + 0.4 and " " in stack[-1][1].number
    for para in paras[index + 1 :]:
        if not (para.marker and para.marker.kind == "decimal"):
            continue
        number = _depth_number(para.marker.number)
        if not number or len(number) > len(current):
            continue
        prefix = current[: len(number)]
        follows = number[:-1] == prefix[:-1] and number[-1] == prefix[-1] + 1
        if follows or len(number) == len(current):
            return follows
        # a shorter number that does not continue the open ones is a list inside it: read on
    return True


