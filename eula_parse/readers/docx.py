"""Word (.docx) reader: paragraphs with their real typography and Word's automatic numbers.

A .docx is a ZIP of XML parts. The text is in ``word/document.xml``; what the
reader of the page sees around it comes from three more parts, all read here
with ``lxml`` (entity expansion and network access off):

* ``word/styles.xml`` -- type size and weight inherited from the document
  defaults, the paragraph style (and the styles it is based on) and character
  styles, then overridden by a run's own properties; a heading style's outline
  level;
* ``word/numbering.xml`` -- the list numbers Word draws in front of a
  paragraph (``w:numPr``, on the paragraph or its style). They are not in the
  text at all, so they are rebuilt here: one counter per list and level (shared by the list instances
  of one abstract list, as Word counts), deeper levels restarting when a higher one advances, each level's format
  (decimal, letters, roman) and template (``%1.%2.``); the result is written
  into the text exactly as Word shows it ("17.", "(a)").

python-docx is not used at run time: it exposes neither numbering nor resolved
styles, which are the two things this reader needs. Parts are read with a size
cap, so a ZIP bomb is refused instead of inflated.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Optional

from eula_parse.errors import InputError
from eula_parse.readers.blocks import BODY_SIZE, Block, format_number, paragraph_block, to_layout

#: A part inflating past this is refused (a real agreement's document.xml is well under 5 MiB).
MAX_PART_BYTES = 64 * 1024 * 1024
#: Refuse archives whose parts claim an absurd compression ratio before inflating anything.
MAX_RATIO = 200

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TRUE = {None, "1", "true", "on"}


def _part(archive: zipfile.ZipFile, name: str, path) -> Optional[bytes]:
    """A part's bytes, inflated with a hard cap; None when the archive lacks it."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES or (
        info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20
    ):
        raise InputError(f"{path}: refused: {name} inflates to {info.file_size // 2**20} MiB (ZIP bomb?)")
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                out += chunk
                if len(out) > MAX_PART_BYTES:
                    raise InputError(f"{path}: refused: {name} inflates past {MAX_PART_BYTES // 2**20} MiB (ZIP bomb?)")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(f"{path}: damaged DOCX ({name}: {str(exc)[:80] or type(exc).__name__})") from None
    except NotImplementedError:
        raise InputError(f"{path}: damaged DOCX ({name}: unsupported compression)") from None
    return bytes(out)


def _xml(data: Optional[bytes], name: str, path):
    if data is None:
        return None
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: damaged DOCX ({name}: {str(exc)[:80]})") from None


def _on(element) -> Optional[bool]:
    if element is None:
        return None
    return element.get(f"{W}val") in _TRUE


class Styles:
    """Resolved paragraph and character properties from ``styles.xml``."""

    def __init__(self, root):
        self.styles = {}
        self.default_paragraph = None
        self.default_size = 20  # half-points: Word's own default of 10 pt
        self.default_bold = False
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        if defaults is not None:
            self.default_size = self._size(defaults) or self.default_size
            self.default_bold = bool(_on(defaults.find(f"{W}b")))
        for style in root.iter(f"{W}style"):
            sid = style.get(f"{W}styleId")
            self.styles[sid] = style
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true"):
                self.default_paragraph = sid

    @staticmethod
    def _size(rpr) -> Optional[int]:
        sz = rpr.find(f"{W}sz") if rpr is not None else None
        try:
            return int(sz.get(f"{W}val")) if sz is not None else None
        except (TypeError, ValueError):
            return None

    def chain(self, sid: Optional[str]) -> list:
        """The style and those it is based on, nearest first (cycles cut)."""
        out, seen = [], set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            style = self.styles[sid]
            out.append(style)
            based = style.find(f"{W}basedOn")
            sid = based.get(f"{W}val") if based is not None else None
        return out

    def run_props(self, para_style: Optional[str], run_style: Optional[str], rpr) -> tuple[float, bool, bool]:
        """(size in points, bold, italic) of a run after inheritance."""
        size, bold, italic = None, None, None
        layers = [rpr] + [s.find(f"{W}rPr") for s in self.chain(run_style)]
        layers += [s.find(f"{W}rPr") for s in self.chain(para_style or self.default_paragraph)]
        for layer in layers:
            if layer is None:
                continue
            if size is None:
                size = self._size(layer)
            if bold is None:
                bold = _on(layer.find(f"{W}b"))
            if italic is None:
                italic = _on(layer.find(f"{W}i"))
        return (size or self.default_size) / 2, bool(self.default_bold if bold is None else bold), bool(italic)

    def para_prop(self, style: Optional[str], tag: str):
        """A paragraph property (``numPr``, ``outlineLvl``, ``ind``) from the style chain."""
        for s in self.chain(style or self.default_paragraph):
            ppr = s.find(f"{W}pPr")
            if ppr is not None and ppr.find(f"{W}{tag}") is not None:
                return ppr.find(f"{W}{tag}")
        return None

    def heading_level(self, style: Optional[str]) -> int:
        element = self.para_prop(style, "outlineLvl")
        if element is not None:
            try:
                level = int(element.get(f"{W}val")) + 1
                return level if 1 <= level <= 9 else 0
            except (TypeError, ValueError):
                return 0
        for s in self.chain(style):
            name = s.find(f"{W}name")
            m = re.fullmatch(r"heading (\d)", (name.get(f"{W}val") or "").lower()) if name is not None else None
            if m:
                return int(m.group(1))
            if name is not None and (name.get(f"{W}val") or "").lower() == "title":
                return 1
        return 0


class Numbering:
    """Word's list counters, advanced paragraph by paragraph as Word draws them."""

    def __init__(self, root):
        self.abstract: dict[str, dict[int, dict]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.used: set[str] = set()
        if root is None:
            return
        for abstract in root.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in abstract.iter(f"{W}lvl"):
                levels[self._int(lvl.get(f"{W}ilvl"), 0)] = {
                    "start": self._int(self._val(lvl, "start"), 1),
                    "fmt": self._val(lvl, "numFmt") or "decimal",
                    "text": self._val(lvl, "lvlText"),
                    "legal": lvl.find(f"{W}isLgl") is not None,
                    "ind": lvl.find(f"{W}pPr/{W}ind"),
                }
            self.abstract[abstract.get(f"{W}abstractNumId")] = levels
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            overrides = {}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    overrides[self._int(override.get(f"{W}ilvl"), 0)] = self._int(start.get(f"{W}val"), 1)
            if ref is not None:
                self.nums[num.get(f"{W}numId")] = (ref.get(f"{W}val"), overrides)

    @staticmethod
    def _int(value, default: int) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    @staticmethod
    def _val(lvl, tag: str) -> Optional[str]:
        element = lvl.find(f"{W}{tag}")
        return element.get(f"{W}val") if element is not None else None

    def level(self, num_id: str, ilvl: int) -> Optional[dict]:
        entry = self.nums.get(num_id)
        if not entry:
            return None
        return self.abstract.get(entry[0], {}).get(ilvl)

    def next(self, num_id: str, ilvl: int) -> str:
        """The number Word draws for the next paragraph of list ``num_id`` at level ``ilvl``."""
        entry = self.nums.get(num_id)
        if not entry or num_id == "0":
            return ""
        abstract_id, overrides = entry
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        # Word counts per abstract list: instances sharing it continue each other's numbers,
        # and an instance with a start override restarts those levels where it is first used.
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.used:
            self.used.add(num_id)
            for level in overrides:
                counters.pop(level, None)
        start = overrides.get(ilvl, levels[ilvl]["start"])
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        template = levels[ilvl]["text"]
        if template is None:
            return ""
        legal = levels[ilvl]["legal"]

        def value(m: re.Match) -> str:
            index = int(m.group(1)) - 1
            info = levels.get(index)
            if info is None:
                return ""
            n = counters.get(index, overrides.get(index, info["start"]))
            return format_number(n, "decimal" if legal and index < ilvl else info["fmt"])

        return re.sub(r"%(\d)", value, template).strip()


def _run_text(run) -> str:
    out = []
    for child in run:
        tag = child.tag
        if tag == f"{W}t":
            out.append(child.text or "")
        elif tag in (f"{W}tab", f"{W}ptab"):
            out.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append(" ")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag == f"{W}softHyphen":
            continue
    return "".join(out)


def _runs(paragraph):
    """The paragraph's visible runs in order (deleted text, field codes and nested paragraphs left out)."""
    for run in paragraph.iter(f"{W}r"):
        parent, hidden = run.getparent(), False
        while parent is not None and parent is not paragraph:
            if parent.tag in (f"{W}del", f"{W}moveFrom") or parent.tag == f"{W}p":
                hidden = True
                break
            parent = parent.getparent()
        if not hidden:
            yield run


def _indent(element) -> float:
    if element is None:
        return 0.0
    for attr in ("left", "start"):
        value = element.get(f"{W}{attr}")
        if value:
            try:
                return int(value) / 20.0
            except ValueError:
                return 0.0
    return 0.0


def _paragraphs(body):
    """Body paragraphs in reading order, table cells included, tables of contents left out."""
    for element in body.iter(f"{W}p", f"{W}sdt"):
        if element.tag == f"{W}sdt":
            continue
        ancestor, skip = element.getparent(), False
        while ancestor is not None:
            if ancestor.tag == f"{W}sdt":
                gallery = ancestor.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
                if gallery is not None and "contents" in (gallery.get(f"{W}val") or "").lower():
                    skip = True
                    break
            if ancestor.tag == f"{W}p":  # a text box's paragraph inside another paragraph
                skip = True
                break
            ancestor = ancestor.getparent()
        if not skip:
            yield element


def blocks_from_docx(document, styles: Styles, numbering: Numbering) -> list[Block]:
    body = document.find(f"{W}body")
    if body is None:
        return []
    blocks = []
    for paragraph in _paragraphs(body):
        ppr = paragraph.find(f"{W}pPr")
        style_el = ppr.find(f"{W}pStyle") if ppr is not None else None
        style = style_el.get(f"{W}val") if style_el is not None else None
        pieces = []  # (text, bold, size, italic)
        for run in _runs(paragraph):
            text = _run_text(run)
            if not text:
                continue
            rpr = run.find(f"{W}rPr")
            rstyle_el = rpr.find(f"{W}rStyle") if rpr is not None else None
            rstyle = rstyle_el.get(f"{W}val") if rstyle_el is not None else None
            if rpr is not None and _on(rpr.find(f"{W}vanish")):
                continue
            size, bold, italic = styles.run_props(style, rstyle, rpr)
            pieces.append((text, bold, size, italic))
        text = "".join(p[0] for p in pieces)
        if not text.strip():
            continue
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        if num_pr is None:
            num_pr = styles.para_prop(style, "numPr")
        label, level_ind = "", None
        if num_pr is not None:
            num_el, ilvl_el = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
            num_id = num_el.get(f"{W}val") if num_el is not None else None
            ilvl = Numbering._int(ilvl_el.get(f"{W}val") if ilvl_el is not None else 0, 0)
            if num_id:
                label = numbering.next(num_id, ilvl)
                info = numbering.level(num_id, ilvl)
                level_ind = info["ind"] if info else None
        ind = ppr.find(f"{W}ind") if ppr is not None else None
        left = _indent(ind) or _indent(level_ind) or _indent(styles.para_prop(style, "ind"))
        level = styles.heading_level(style)
        if label == "•":
            label = "• "
        elif label:
            label = f"{label} "
        if label:
            # Word draws the number in the paragraph's own face: as bold as the text it opens
            pieces.insert(0, (label, pieces[0][1], pieces[0][2], False))
        blocks.append(paragraph_block(pieces, left, level))
    blocks = _heading_weight(blocks)
    if not any(b.bold or b.bold_prefix.strip() or b.level for b in blocks) and len({b.size for b in blocks}) == 1:
        # Typed like plain text (one face, no bold, no heading styles): read it as text is read.
        from eula_parse.readers.text import mark_plain_headings

        mark_plain_headings(blocks)
    return blocks


def _heading_weight(blocks: list[Block]) -> list[Block]:
    """A paragraph in a heading style set like the body text is still a heading: make it bold."""
    sizes: dict[float, int] = {}
    for block in blocks:
        sizes[block.size] = sizes.get(block.size, 0) + len(block.text)
    body = max(sizes, key=sizes.get) if sizes else BODY_SIZE
    for block in blocks:
        if block.level and not block.bold and (block.size or body) <= body + 0.4:
            block.bold = True
    return blocks


_PAGE_NUMBER = re.compile(r"\b(?:page\s+)?\d+\s+(?:of|/)\s+\d+\b|\bpage\s+\d+\b|(?:^|(?<=\s))\d{1,4}\s*$", re.I)


def _furniture(archive: zipfile.ZipFile, path) -> list[str]:
    """The text of the page headers and footers, page numbers removed (what a PDF's furniture is)."""
    out = []
    names = sorted(n for n in archive.namelist() if re.fullmatch(r"word/(?:header|footer)\d*\.xml", n))
    for name in names:
        root = _xml(_part(archive, name, path), name, path)
        for paragraph in root.iter(f"{W}p") if root is not None else ():
            text = " ".join("".join(_run_text(r) for r in _runs(paragraph)).split())
            text = " ".join(_PAGE_NUMBER.sub(" ", text).split())
            if text and text not in out:
                out.append(text)
    return out


def read(path, data: bytes, *, max_pages: int = 0):
    """Read a .docx file into a :class:`Layout`."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{path}: damaged DOCX (not a readable ZIP archive: {str(exc)[:80]})") from None
    with archive:
        document = _xml(_part(archive, "word/document.xml", path), "word/document.xml", path)
        if document is None:
            raise InputError(f"{path}: damaged DOCX (word/document.xml missing)")
        styles = Styles(_xml(_part(archive, "word/styles.xml", path), "word/styles.xml", path))
        numbering = Numbering(_xml(_part(archive, "word/numbering.xml", path), "word/numbering.xml", path))
        furniture = _furniture(archive, path)
    layout = to_layout(blocks_from_docx(document, styles, numbering), "docx")
    layout.furniture = furniture
    if not layout.lines:
        raise InputError(f"{path}: no text in word/document.xml")
    return layout
