"""The PDFium (pypdfium2) PDF engine, the default: each page's words with their fonts.

PDFium reads a page's characters in C, so what costs time here is the number
of calls from Python, not the PDF. A page costs one call for its whole text
and two per character (its loose box, the text object it belongs to), mapped
over the page in C; font name, size, direction, render mode and baseline are
asked once per text object (one ``Tj``/``TJ``: one font, size, matrix and
baseline).

Per-character work after that is done on numpy arrays (boxes, owners, fonts
as indices), never one Python object per character: a page's characters are a
:class:`Chars` of parallel arrays, and words are built from it with sorts and
reductions, so Python runs once per word, not once per character.

The characters are then grouped into words exactly as the reference engine's
``extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["fontname",
"size"])`` groups them, with a word also ending at a gap of a tenth of the
type size (:func:`words_of`), so the shared column, furniture and
structure code sees the same words from either engine. Where this engine
deliberately differs from the reference:

* text outside the page's crop box (clipped, never shown) is dropped;
* invisible text (render mode 3) is dropped when the page also shows visible
  text; on a page whose only text is invisible (an OCR layer over a scan) it is
  the page's text and is kept;
* zero-size characters and characters without a Unicode value are dropped
  (pdfminer spells the latter ``(cid:N)``);
* the reading frame is that of the page's dominant text direction, whatever
  ``/Rotate`` says; text across it (a document code up a margin) is dropped.
"""

from __future__ import annotations

import ctypes
import math
import re
import threading
from collections import Counter, deque
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Iterator

import numpy as np

from eula_parse.errors import ExtractionError, InputError
from eula_parse.readers.columns import Word
# one rule for both engines: weight and slant by font name, where a word ends
from eula_parse.readers.plumber import _BOLD, _ITALIC, X_TOLERANCE, X_TOLERANCE_EM

#: pdfplumber's ligature expansion (``expand_ligatures=True``).
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_HAS_LIGATURE = re.compile("[" + "".join(_LIGATURES) + "]")
_Y_TOLERANCE = 2.0
_UNMAPPED = {"\x00", "\x02", "\ufffd", "\ufffe", "\uffff"}
_UNMAPPED_CODES = np.array(sorted(map(ord, _UNMAPPED)), dtype=np.uint32)
_LIGATURE_TABLE = str.maketrans(_LIGATURES)
#: Every code point for which ``str.isspace()`` holds (none lies above U+3000).
_SPACE_CODES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


class Refused(InputError):
    """PDFium cannot open the file as a PDF (another engine may still recover it)."""


_lib = None
#: PDFium is not thread-safe: one document at a time per process (the web app parses in threads).
_LOCK = threading.RLock()


class _Lib:
    """pypdfium2's raw bindings (PDFium initialised) plus the per-character calls re-declared.

    The calls made for every character take and return plain integers
    (addresses), so they can be mapped over a page's characters without a
    Python-level loop or pointer objects.
    """

    def __init__(self):
        import pypdfium2  # noqa: F401  (initialises the library)
        import pypdfium2.raw as pdfium_c

        def plain(function, restype, *argtypes):
            address = ctypes.cast(function, ctypes.c_void_p).value
            return ctypes.CFUNCTYPE(restype, *argtypes)(address)

        self.c = pdfium_c
        vp, i = ctypes.c_void_p, ctypes.c_int
        self.loose_box = plain(pdfium_c.FPDFText_GetLooseCharBox, i, vp, i, vp)
        # Called with a c_void_p and an int, which ctypes passes as they are: without argument types
        # the call costs a third less, and this one is made for every character. 0: no object.
        self.text_object = plain(pdfium_c.FPDFText_GetTextObject, ctypes.c_size_t)
        self.origin = plain(pdfium_c.FPDFText_GetCharOrigin, i, vp, i, vp, vp)
        # Asked once per text object (thousands on a page set word by word), with plain addresses.
        self.matrix = plain(pdfium_c.FPDFText_GetMatrix, i, vp, i, vp)
        self.font = plain(pdfium_c.FPDFTextObj_GetFont, vp, vp)
        self.font_size = plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, vp, i)
        self.render_mode = plain(pdfium_c.FPDFTextObj_GetTextRenderMode, i, vp)
        self.descent = plain(pdfium_c.FPDFFont_GetDescent, i, vp, ctypes.c_float, vp)
        self.font_name = plain(pdfium_c.FPDFFont_GetBaseFontName, ctypes.c_size_t, vp, vp, ctypes.c_size_t)


def _library() -> _Lib:
    global _lib
    if _lib is None:
        _lib = _Lib()
    return _lib


def _open(path: Path):
    pdfium_c = _library().c
    doc = pdfium_c.FPDF_LoadDocument(str(path).encode("utf-8"), None)
    if not doc:
        error = pdfium_c.FPDF_GetLastError()
        if error == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(f"{path}: encrypted PDF (password required)")
        if error == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(f"{path}: encrypted PDF with an unsupported encryption scheme")
        if error == pdfium_c.FPDF_ERR_FILE:
            raise InputError(f"{path}: cannot open file")
        raise Refused(f"{path}: damaged PDF (PDFium cannot read its structure)")
    return doc


# -- characters ---------------------------------------------------------------------


def _quarter(a: float, b: float) -> int:
    """The text direction of matrix ``[a b c d]`` in quarter turns counter-clockwise."""
    if abs(a) >= abs(b):
        return 0 if a >= 0 else 2
    return 1 if b > 0 else 3


def _objects(lib: _Lib, textpage, first: dict) -> dict:
    """Per text object, asked at its first character:
    ``(quarter, (font name, size), visible, descent, baseline y, first index, first origin x)``."""
    pdfium_c = lib.c
    handle = ctypes.cast(textpage, ctypes.c_void_p).value
    matrix = pdfium_c.FS_MATRIX()
    name_buffer = ctypes.create_string_buffer(256)
    descent = ctypes.c_float()
    x, y = ctypes.c_double(), ctypes.c_double()
    at_matrix, at_descent, at_x, at_y = map(ctypes.addressof, (matrix, descent, x, y))
    invisible = pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
    names: dict = {}
    descents: dict = {}
    objects = {}
    for obj, index in first.items():
        if not obj:
            continue  # generated spaces and line breaks belong to no object
        lib.matrix(handle, index, at_matrix)
        font = lib.font(obj)
        name = names.get(font)
        if name is None:
            length = lib.font_name(font, name_buffer, len(name_buffer)) if font else 0
            name = names[font] = name_buffer.value.decode("latin-1") if length else ""
        # The size set with Tf, scaled by the text and graphics matrices as the page shows it.
        size = lib.font_size(handle, index) * math.hypot(matrix.c, matrix.d)
        below = descents.get((font, size))
        if below is None:
            if not (font and lib.descent(font, size, at_descent)):
                descent.value = 0.0
            below = descents[font, size] = min(descent.value, 0.0)
        lib.origin(handle, index, at_x, at_y)
        objects[obj] = (
            _quarter(matrix.a, matrix.b), (name, size), lib.render_mode(obj) != invisible, below, y.value, index,
            x.value,
        )
    return objects


def _framer(quarter: int, box: tuple[float, float, float, float]):
    """A function mapping a user-space point to the reading frame of text turned ``quarter`` x 90°.

    The frame has its origin at the top left, y growing downwards, and lines
    running left to right.
    """
    left, bottom, right, top = box
    return (
        lambda x, y: (x - left, top - y),
        lambda x, y: (y - bottom, x - left),  # text runs up the page
        lambda x, y: (right - x, y - bottom),  # upside down
        lambda x, y: (top - y, right - x),  # text runs down the page
    )[quarter]


@dataclass
class Chars:
    """A page's characters as parallel arrays, in content order.

    ``codes`` are Unicode code points; ``x0``/``x1``/``top``/``bottom`` are in
    the reading frame (origin top left); ``font`` indexes ``fonts``, a list of
    ``(name, size)``. Arrays, not one tuple per character: a page holds
    thousands of characters and Python objects for each cost more than PDFium.
    """

    codes: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    font: np.ndarray
    fonts: list

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_tuples(cls, chars: list) -> "Chars":
        """From ``(text, x0, x1, top, bottom, (font name, size))`` tuples (turned pages, tests)."""
        fonts: dict = {}
        font = [fonts.setdefault(c[5], len(fonts)) for c in chars]
        text = "".join(c[0] for c in chars)
        columns = list(zip(*(c[1:5] for c in chars))) or [(), (), (), ()]
        return cls(_codes(text), *(np.array(col, dtype=np.float64) for col in columns),
                   np.array(font, dtype=np.int64), list(fonts))


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint32)


def _page_chars(lib: _Lib, textpage, box: tuple[float, float, float, float]) -> tuple[Chars, float]:
    """The page's characters (:class:`Chars`) and the width of its reading frame.

    Coordinates are in the reading frame of the page's dominant text direction
    (origin top left).

    The reference box of a character runs from its origin to its advance
    width, and from the font's descent below the baseline to ``size`` above
    that. PDFium's loose box is the union of that box and the glyph's ink (an
    italic "f" reaches into its neighbours), so boxes are rebuilt around the
    origin and baseline (:func:`_upright_chars`, :func:`_turned_chars`).
    """
    pdfium_c = lib.c
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return Chars.from_tuples([]), width_of(0, box)
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    pdfium_c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", "replace")
    if len(text) != count:  # characters beyond the BMP take two UTF-16 units: ask one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))

    # Two calls per character, mapped in C: loose boxes into one array, text objects into another.
    handle = ctypes.cast(textpage, ctypes.c_void_p).value
    boxes = (ctypes.c_float * (4 * count))()
    base = ctypes.addressof(boxes)
    deque(map(lib.loose_box, repeat(handle, count), range(count), range(base, base + 16 * count, 16)), maxlen=0)
    owners = np.fromiter(map(lib.text_object, repeat(ctypes.c_void_p(handle), count), range(count)), dtype=np.uint64,
                         count=count)
    handles, firsts, inverse, counts = np.unique(owners, return_index=True, return_inverse=True, return_counts=True)
    handles, firsts, counts = handles.tolist(), firsts.tolist(), counts.tolist()
    objects = _objects(lib, textpage, {obj: first for obj, first in zip(handles, firsts) if obj})

    weights: Counter = Counter()
    for _, obj, n in sorted(zip(firsts, handles, counts)):  # content order: a tie goes to the direction read first
        if obj in objects:
            weights[objects[obj][0]] += n
    quarter = weights.most_common(1)[0][0] if weights else 0
    show_invisible = not any(info[2] for info in objects.values())
    wanted = [objects[obj] if obj in objects and objects[obj][0] == quarter and (objects[obj][2] or show_invisible)
              else None for obj in handles]
    if quarter == 0:
        flat = np.frombuffer(boxes, dtype=np.float32).astype(np.float64).reshape(count, 4)
        chars = _upright_chars(lib, textpage, _codes(text), owners, inverse.reshape(-1), wanted, flat, box)
    else:
        by_handle = {obj: info for obj, info in zip(handles, wanted) if info is not None}
        chars = Chars.from_tuples(_turned_chars(lib, handle, textpage, text, owners.tolist(), by_handle,
                                                _framer(quarter, box), box, quarter))
    return chars, width_of(quarter, box)


def _upright_chars(lib, textpage, codes, owners, inverse, wanted, flat, box) -> Chars:
    """Characters of upright text, from loose boxes alone.

    A text object (one ``Tj``/``TJ``) has one baseline and its first origin,
    asked once. Elsewhere a loose box's left edge is the origin unless ink
    reaches further left, which matters only where a word starts: there it is
    kept right of the space before it. A right edge is clipped at the next
    character's left edge in the same object.

    ``inverse`` maps each character to its entry in ``wanted``: the text
    object's information (:func:`_objects`), or None for characters not read
    (generated spaces and line breaks, turned or hidden text).
    """
    left_edge, bottom_edge, right_edge, top_edge = box
    count = len(codes)
    fonts: dict = {}
    per_object = np.array([
        (1.0, info[5], info[6], info[4], info[3], info[1][1], fonts.setdefault(info[1], len(fonts)))
        if info is not None else (0.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
        for info in wanted
    ], dtype=np.float64).reshape(-1, 7)[inverse]
    read = per_object[:, 0] > 0
    first, origin, baseline, descent, size = (per_object[:, k] for k in range(1, 6))
    font = per_object[:, 6].astype(np.int64)
    left, right = flat[:, 0].copy(), flat[:, 2].copy()
    is_first = first == np.arange(count)
    left[is_first] = origin[is_first]
    space = np.isin(codes, _SPACE_CODES)
    after_space = np.zeros(count, dtype=bool)
    after_space[1:] = read[:-1] & space[:-1]
    space_right = np.empty(count)
    space_right[0] = 0.0
    space_right[1:] = flat[:-1, 2]
    left = np.where(after_space & ~is_first & (left < space_right), space_right, left)
    next_left = np.empty(count)
    next_left[:-1] = flat[1:, 0]
    next_left[-1] = np.inf
    same_object = np.zeros(count, dtype=bool)
    same_object[:-1] = owners[1:] == owners[:-1]
    right = np.where(same_object & (next_left < right), np.maximum(left, next_left), right)
    # Outside the crop box (clipped away, never shown), or zero-size: dropped.
    keep = (read & (left_edge <= left) & (left <= right_edge) & (bottom_edge <= baseline) & (baseline <= top_edge)
            & ~(size <= 0))
    codes = codes.copy()
    for index in np.flatnonzero(keep & np.isin(codes, _UNMAPPED_CODES)).tolist():
        if lib.c.FPDFText_IsHyphen(textpage, index):
            codes[index] = ord("-")  # PDFium marks a hyphen that ends a line (U+FFFE in the page text)
        else:
            keep[index] = False
    bottom = top_edge - baseline - descent
    return Chars(codes[keep], (left - left_edge)[keep], (right - left_edge)[keep], (bottom - size)[keep],
                 bottom[keep], font[keep], list(fonts))


def _turned_chars(lib, handle, textpage, text, owners, wanted, frame, box, quarter) -> list:
    """Characters of text running up, down or upside down, read in its own frame.

    PDFium's loose box is not turned with the text, so each character's box
    is built from its origin and its ink box.
    """
    pdfium_c = lib.c
    count = len(text)
    origins = (ctypes.c_double * (2 * count))()
    base = ctypes.addressof(origins)
    xs, ys = range(base, base + 16 * count, 16), range(base + 8, base + 16 * count + 8, 16)
    deque(map(lib.origin, repeat(handle, count), range(count), xs, ys), maxlen=0)
    points = iter(origins)
    placed = [frame(x, y) for x, y in zip(points, points)]
    width = width_of(quarter, box)
    height = box[3] - box[1] if quarter == 2 else box[2] - box[0]
    ink = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())
    chars = []
    for index, char, obj, (x0, baseline) in zip(range(count), text, owners, placed):
        info = wanted.get(obj)
        if info is None:
            continue
        size = info[1][1]
        if size <= 0 or not (0 <= x0 <= width and 0 <= baseline <= height):
            continue
        pdfium_c.FPDFText_GetCharBox(textpage, index, *ink)
        x1 = max(frame(ink[0].value, ink[2].value)[0], frame(ink[1].value, ink[3].value)[0])
        if index + 1 < count and owners[index + 1] == obj:
            following, following_baseline = placed[index + 1]
            if x0 < following < x1 and abs(following_baseline - baseline) < 0.01:
                x1 = following
        if char in _UNMAPPED:
            if not pdfium_c.FPDFText_IsHyphen(textpage, index):
                continue
            char = "-"
        bottom_y = baseline - info[3]
        chars.append((char, x0, max(x0, x1), bottom_y - size, bottom_y, info[1]))
    return chars


def width_of(quarter: int, box: tuple[float, float, float, float]) -> float:
    """The width of the reading frame: the page's height when its text runs up or down."""
    left, bottom, right, top = box
    return top - bottom if quarter in (1, 3) else right - left


# -- words ----------------------------------------------------------------------------


_STYLES: dict[str, tuple[bool, bool]] = {}


def _style(name: str) -> tuple[bool, bool]:
    """(bold, italic) from a font name, as the reference engine reads them; cached per name."""
    style = _STYLES.get(name)
    if style is None:
        style = _STYLES[name] = (bool(_BOLD.search(name)), bool(_ITALIC.search(name)))
    return style


def words_of(chars: Chars) -> list[Word]:
    """Group characters into words the way the reference engine does.

    Runs of consecutive characters in one font and size (content order) are
    split into lines by their tops (distinct tops sorted, chained within 2 pt);
    in a line, sorted by x, a word ends at a space, at a gap wider than 1.5 pt
    or a tenth of the type size if that is less (``plumber.X_TOLERANCE_EM``:
    words placed without space glyphs), where x goes backwards, or where the
    top moves more than 2 pt. Done with
    sorts over the whole page: one key orders characters by run, line and x.
    """
    count = len(chars)
    if not count:
        return []
    font, top = chars.font, chars.top
    run = np.cumsum(np.concatenate(([True], font[1:] != font[:-1])))
    by_top = np.lexsort((top, run))
    tops, runs = top[by_top], run[by_top]
    new_line = np.concatenate(([True], (runs[1:] != runs[:-1]) | (tops[1:] > tops[:-1] + _Y_TOLERANCE)))
    line = np.empty(count, dtype=np.int64)
    line[by_top] = np.cumsum(new_line)
    order = np.lexsort((np.arange(count), chars.x0, line))

    x0, x1, top, line = chars.x0[order], chars.x1[order], top[order], line[order]
    space = np.isin(chars.codes[order], _SPACE_CODES)
    sizes = np.array([size for _, size in chars.fonts] or [0.0])[chars.font[order]]
    em = X_TOLERANCE_EM * sizes[:-1]
    gap_limit = np.where(em > 0, np.minimum(X_TOLERANCE, em), X_TOLERANCE)
    starts = np.concatenate(([True], (line[1:] != line[:-1]) | space[:-1] | (x0[1:] < x0[:-1])
                             | (x0[1:] > x1[:-1] + gap_limit) | (np.abs(top[1:] - top[:-1]) > _Y_TOLERANCE)))
    inked = np.flatnonzero(~space)  # spaces end words and belong to none
    if not len(inked):
        return []
    begin = np.flatnonzero(starts[inked])
    end = np.append(begin[1:], len(inked))
    text = chars.codes[order][inked].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    texts = [text[a:b] for a, b in zip(begin.tolist(), end.tolist())]
    if _HAS_LIGATURE.search(text):
        texts = [word.translate(_LIGATURE_TABLE) for word in texts]
    styles = [(round(size, 1), *_style(name)) for name, size in chars.fonts]
    word_font = chars.font[order][inked][begin].tolist()
    # A line's characters are sorted by x0, so the first one starts the word.
    lefts = x0[inked][begin].tolist()
    rights = np.maximum.reduceat(x1[inked], begin).tolist()
    highest = np.minimum.reduceat(top[inked], begin).tolist()
    lowest = np.maximum.reduceat(chars.bottom[order][inked], begin).tolist()
    return [Word(t, a, b, c, d, *styles[f]) for t, a, b, c, d, f in zip(texts, lefts, rights, highest, lowest, word_font)]



# -- pages ------------------------------------------------------------------------------


def _crop_box(pdfium_c, page) -> tuple[float, float, float, float]:
    rect = pdfium_c.FS_RECTF()
    if pdfium_c.FPDF_GetPageBoundingBox(page, rect):
        left, right = sorted((rect.left, rect.right))
        bottom, top = sorted((rect.bottom, rect.top))
        if right > left and top > bottom:
            return left, bottom, right, top
    return 0.0, 0.0, pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)


def pages(path: Path, *, max_pages: int) -> Iterator[tuple[float, float, list[Word], float]]:
    """Yield ``(width, height, words, reading_width)`` for each page of the PDF at ``path``.

    Raises :class:`Refused` when PDFium cannot open the file at all,
    :class:`InputError` for encrypted files and more than ``max_pages`` pages,
    :class:`ExtractionError` for a page that cannot be loaded.
    """
    with _LOCK:
        yield from _pages(path, max_pages)


def _pages(path: Path, max_pages: int) -> Iterator[tuple[float, float, list[Word], float]]:
    lib = _library()
    pdfium_c = lib.c
    doc = _open(path)
    try:
        n_pages = pdfium_c.FPDF_GetPageCount(doc)
        if n_pages <= 0:
            raise Refused(f"{path}: PDF has no pages")
        if n_pages > max_pages:
            raise InputError(f"{path}: {n_pages} pages exceeds the limit of {max_pages} (--max-pages)")
        for index in range(n_pages):
            page = pdfium_c.FPDF_LoadPage(doc, index)
            if not page:
                raise Refused(f"{path}: page {index + 1}: damaged page (PDFium cannot load it)")
            textpage = None
            try:
                textpage = pdfium_c.FPDFText_LoadPage(page)
                if not textpage:
                    raise ExtractionError(f"{path}: page {index + 1}: cannot read text")
                chars, reading_width = _page_chars(lib, textpage, _crop_box(pdfium_c, page))
                width, height = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
            finally:
                if textpage:
                    pdfium_c.FPDFText_ClosePage(textpage)
                pdfium_c.FPDF_ClosePage(page)
            yield width, height, words_of(chars), reading_width
    finally:
        pdfium_c.FPDF_CloseDocument(doc)


def chars_only(path: Path) -> int:
    """Bare character extraction (text, boxes, fonts) over every page: the floor of this engine.

    For ``bench/parse.py``; returns the number of characters read.
    """
    with _LOCK:
        return _chars_only(path)


def _chars_only(path: Path) -> int:
    lib = _library()
    pdfium_c = lib.c
    doc = _open(path)
    total = 0
    try:
        for index in range(pdfium_c.FPDF_GetPageCount(doc)):
            page = pdfium_c.FPDF_LoadPage(doc, index)
            textpage = pdfium_c.FPDFText_LoadPage(page)
            try:
                chars, _ = _page_chars(lib, textpage, _crop_box(pdfium_c, page))
                total += len(chars)
            finally:
                pdfium_c.FPDFText_ClosePage(textpage)
                pdfium_c.FPDF_ClosePage(page)
    finally:
        pdfium_c.FPDF_CloseDocument(doc)
    return total


__all__ = ["pages", "words_of", "Chars", "Refused", "chars_only"]
