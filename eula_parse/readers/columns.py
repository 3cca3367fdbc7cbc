"""A PDF page's words -> lines in reading order (two-column pages split at the gutter).

Every PDF engine produces :class:`Word` objects; everything from there on is
shared, so engines cannot disagree about what a line is.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import attrgetter
from typing import Optional

import numpy as np

from eula_parse.readers.layout import Line


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    italic: bool


def rows_of(words: list[Word]) -> list[list[Word]]:
    """Cluster words into rows by vertical overlap (words sorted by top first)."""
    rows: list[list[Word]] = []
    row: list[Word] = []
    top = bottom = 0.0
    for word in sorted(words, key=_BY_TOP):
        middle = (word.top + word.bottom) / 2
        if row and top <= middle <= bottom:
            row.append(word)
            if word.top < top:
                top = word.top
            if word.bottom > bottom:
                bottom = word.bottom
        else:
            row = [word]
            rows.append(row)
            top, bottom = word.top, word.bottom
    for row in rows:
        if len(row) > 1:
            row.sort(key=_BY_X0)
    return rows


_BY_TOP, _BY_X0 = attrgetter("top", "x0"), attrgetter("x0")


def find_gutter(rows: list[list[Word]], width: float, min_share: float = 0.2) -> Optional[float]:
    """The x of a vertical gutter splitting the page into two columns, if there is one.

    An x in the middle 30-70 % of the page is clear when (almost) no row has
    text across it while a good share (``min_share``) of the words lies on each
    side (the columns' baselines need not line up); the gutter is in the widest clear band.
    """
    if len(rows) < 6:
        return None
    xs = [float(step) for step in range(int(width * 0.30), int(width * 0.70), 2)]
    crossings = _rows_crossing(rows, xs)
    right_edges = sorted(w.x1 for row in rows for w in row)
    total = len(right_edges)
    run: list[tuple[float, int]] = []
    best: list[tuple[float, int]] = []
    for x, crossing in zip(xs, crossings):
        left = bisect_right(right_edges, x)
        if crossing <= 0.1 * len(rows) and min(left, total - left - crossing) >= min_share * total:
            run.append((x, crossing))
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    if not best:
        return None
    # The widest clear band holds the gutter (narrow ones are hanging indents inside a
    # column); within it, the stretch no row crosses at all, so hanging numbers stay right.
    fewest = min(c for _, c in best)
    stretches: list[list[float]] = [[]]
    for x, crossing in best:
        if crossing == fewest:
            stretches[-1].append(x)
        elif stretches[-1]:
            stretches.append([])
    clear = max(stretches, key=len)
    return (clear[0] + clear[-1]) / 2


def _rows_crossing(rows: list[list[Word]], xs: list[float]) -> list[int]:
    """For each x of ``xs`` (ascending), how many rows have a word across it (4 pt of slack).

    A row's words are merged into disjoint open intervals and each interval adds
    one to the xs strictly inside it, through a difference array: linear in
    words plus xs, where testing every word at every x cost as much as reading the PDF.
    """
    delta = [0] * (len(xs) + 1)
    for row in rows:
        for lo, hi in _spans(sorted(row, key=_BY_X0)):
            first, end = bisect_right(xs, lo), bisect_left(xs, hi)
            if first < end:
                delta[first] += 1
                delta[end] -= 1
    counts, running = [], 0
    for change in delta[:-1]:
        running += change
        counts.append(running)
    return counts


def spaces(words: list[Word]) -> list[bool]:
    """For each word of a row after the first: is there a space before it, as a reader sees it?

    Engines split words at font changes and at any gap wider than their
    tolerance, so a word box boundary is not a space. A gap is a space when it
    is wider than a thin space of the type (0.12 em), except in two settings a
    reader still reads as words:

    * letter-spaced text ("L I C E N S E   A G R E E M E N T"): a run of
      one-letter boxes whose gaps fall into a narrow letter gap and a wide word
      gap; only the wide ones are spaces;
    * small capitals ("S OFTWARE"): a larger capital followed on the same
      baseline by smaller capitals, closer than a space of the larger type, is one word.
    """
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    out = [gap > 0.12 * max(b.size, 1) for gap, b in zip(gaps, words[1:])]
    for i, (a, b) in enumerate(zip(words, words[1:])):
        if out[i] and _small_caps_join(a, b, gaps[i]):
            out[i] = False
    for start, end in _letter_runs(words):
        run_gaps = gaps[start:end - 1]
        letter = min(run_gaps)
        size = max(w.size for w in words[start:end])
        wide = max(1.6 * letter, letter + 0.15 * size)
        if max(run_gaps) <= wide and not all(w.text.isupper() or w.text.isdigit() for w in words[start:end]):
            continue  # evenly spaced lower-case letters: single-letter words, not tracking
        groups: list[list[int]] = [[start]]
        for i in range(start, end - 1):
            if gaps[i] > wide:
                groups.append([])
            groups[-1].append(i + 1)
        if any(sum(words[j].text.isalpha() for j in g) < 2 for g in groups if len(g) > 1):
            continue  # "x 3 = 1" in a table: symbols and figures, not a word set wide
        for i in range(start, end - 1):
            out[i] = gaps[i] > wide
    return out


def _small_caps_join(a: Word, b: Word, gap: float) -> bool:
    """``a`` ends in a capital set larger than the capitals ``b`` starts with, on one baseline."""
    if not (a.text[-1:].isupper() and b.text[:1].isupper() and b.text.upper() == b.text):
        return False
    if len(a.text) > 1 and not a.text[-2:-1].isspace() and len(a.text.strip("(\"'“‘")) > 1:
        return False  # "AB" + "CD": a whole word before, not a raised first letter
    ratio = b.size / max(a.size, 0.1)
    same_baseline = abs(a.bottom - b.bottom) <= 0.25 * a.size
    return 0.55 <= ratio <= 0.9 and same_baseline and gap < 0.18 * a.size


def _letter_runs(words: list[Word]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of 4 or more consecutive one-character boxes (letters,
    digits, punctuation) apart from each other (tracked type), at least 3 of them letters or digits."""
    runs, start = [], None
    for i, w in enumerate(words + [None]):
        single = w is not None and len(w.text) == 1 and not w.text.isspace()
        if single and start is not None and w.x0 - words[i - 1].x1 <= 0:
            if i - start >= 4:
                runs.append((start, i))
            start = None  # touching boxes are not tracked type
        if single and start is None:
            start = i
        elif not single and start is not None:
            if i - start >= 4:
                runs.append((start, i))
            start = None
    return [(a, b) for a, b in runs if sum(w.text.isalnum() for w in words[a:b]) >= 3]


#: Characters that end a word at a real space (a glyph gap follows a letter or a stand-in for one).
_WORD_END = set(" .,;:!?)]}\"'”’")


def _glyph_gaps(words: list[Word], space: list[bool]) -> set[int]:
    """Indexes ``i`` of words with a gap before them wider than both half an em and 1.5 times the
    row's typical space but no wider than a space and a wide glyph, before a lower-case letter and not after punctuation: a glyph without text
    stood there (the ligature repair decides from the words around it)."""
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    if not gaps or max(gaps) <= 0.45 * min(w.size for w in words[1:]):
        return set()  # most lines: no gap half an em wide
    # the tests against the words themselves first: most lines have no such gap at all
    candidates = [
        i
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if space[i] and 0.45 * b.size < gaps[i] < 1.4 * b.size and b.text[:1].islower() and a.text[-1:] not in _WORD_END
    ]
    if not candidates:
        return set()
    spaced = sorted(g for g, s in zip(gaps, space) if s)
    typical = spaced[(len(spaced) - 1) // 2] if len(spaced) > 2 else 0.0
    return {i + 1 for i in candidates if 1.5 * typical < gaps[i]}


def make_line(words: list[Word], page: int) -> Line:
    first = words[0]
    texts = [w.text for w in words]
    space = spaces(words)
    text = first.text + "".join([" " + t if before else t for t, before in zip(texts[1:], space)])
    wide = _glyph_gaps(words, space)
    glyph_gaps = []
    if wide:  # offsets of the spaces standing for those gaps
        length = len(first.text)
        for i, (t, before) in enumerate(zip(texts[1:], space), start=1):
            if before:
                if i in wide:
                    glyph_gaps.append(length)
                length += 1
            length += len(t)
    # the line's dominant size: the one most characters are set in (the first such on a tie)
    size = first.size
    if len(words) > 1 and any(w.size != size for w in words):
        sizes: dict[float, int] = {}
        for w in words:
            sizes[w.size] = sizes.get(w.size, 0) + len(w.text)
        size = max(sizes, key=sizes.__getitem__)
    # A list number set in the regular face before a bold or italic heading ("2." + "Nature of
    # the Software") belongs to the heading: a reader sees a bold numbered heading.
    lead = 1 if len(words) > 1 and _MARKER_WORD.match(first.text) else 0
    bold = all(w.bold for w in words[lead:])
    italic = all(w.italic for w in words[lead:])
    return Line(
        text=text,
        page=page,
        x0=first.x0,
        x1=words[-1].x1,
        top=min(map(_TOP, words)),
        bottom=max(map(_BOTTOM, words)),
        size=size,
        bold=bold,
        bold_prefix=_styled_prefix(words, lead, "bold") if words[lead].bold else "",
        italic=italic,
        italic_prefix=_styled_prefix(words, lead, "italic") if words[lead].italic else "",
        glyph_gaps=tuple(glyph_gaps),
    )


_TOP, _BOTTOM = attrgetter("top"), attrgetter("bottom")


#: a list number or letter as one word: "2.", "1.1", "12.1.", "(iii)", "a)", "B."
_MARKER_WORD = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|\(?(?:[A-Za-z]|[ivxlcIVXLC]{1,5})[.)])$")


def _styled_prefix(words: list[Word], lead: int, style: str) -> str:
    """The leading run of words set in ``style`` ("bold"/"italic"), a regular list number
    before it included; "" when the line (after its number) starts in another face."""
    run: list[str] = []
    for i in range(lead, len(words)):
        w = words[i]
        if not getattr(w, style):
            # the heading's closing "." or ":" set in the body face, touching it, closes the run
            if run and re.fullmatch(r"[.:]", w.text) and w.x0 - words[i - 1].x1 <= 0.12 * max(w.size, 1):
                run[-1] += w.text
            break
        run.append(w.text)
    if not run:
        return ""
    return " ".join([w.text for w in words[:lead]] + run)


#: Fewest consecutive rows that make a two-column region, and fewest of them with words on both sides.
_REGION_ROWS, _REGION_TWO_SIDED = 6, 3


def column_regions(rows: list[list[Word]], width: float) -> list[tuple[list[list[Word]], Optional[float]]]:
    """The page's rows as regions read top to bottom, each with its gutter or None (one column).

    For pages where no gutter runs down the whole page: a full-width title and
    introduction above two columns, or a last page whose right column is a few
    lines. A region is the longest run of consecutive rows none of which has
    text across some x in the middle of the page, with words on both sides of it
    in several rows; the rows above and below are read the same way.
    """
    if len(rows) < _REGION_ROWS or sum(_two_sided_gap(row, width) for row in rows) < _REGION_TWO_SIDED:
        return [(rows, None)]  # no row shows a gutter-wide gap with text both sides: one column
    start, end = _longest_clear_run(rows, width)
    gutter = find_gutter(rows[start:end], width, min_share=0.02) if end else None
    if gutter is None:
        return [(rows, None)]
    if _table_like(rows[start:end], gutter) or not _wraps_at(rows[start:end], gutter):
        gutter = None  # a table's rows are read across, cell by cell; so is a signature block
    above = column_regions(rows[:start], width) if start else []
    below = column_regions(rows[end:], width) if end < len(rows) else []
    return above + [(rows[start:end], gutter)] + below


def _longest_clear_run(rows: list[list[Word]], width: float) -> tuple[int, int]:
    """Rows ``[start, end)`` of the longest run (the first of the longest, x by x from the left)
    of at least ``_REGION_ROWS`` consecutive rows clear at some x in the middle of the page, with
    ``_REGION_TWO_SIDED`` of them having words both sides of it; ``(0, 0)`` when there is none.

    Done as arrays over rows x candidate xs (a row's spans cover ranges of xs, found by
    bisection), because testing each x against each row in Python cost as much as the rest of the page.
    """
    xs = [float(step) for step in range(int(width * 0.30), int(width * 0.70), 2)]
    n = len(rows)
    if not xs:
        return 0, 0
    crossing = np.zeros((n + 1, len(xs)), dtype=bool)
    crossing[n] = True  # the end of the page closes the last run
    two_sided = np.zeros((n + 1, len(xs)), dtype=np.int64)
    for i, row in enumerate(rows):
        for lo, hi in _spans(row):
            crossing[i, bisect_right(xs, lo):bisect_left(xs, hi)] = True
        two_sided[i + 1, bisect_right(xs, row[0].x1):bisect_left(xs, row[-1].x0)] = 1
    two_sided[1:][crossing[:-1]] = 0
    before = np.cumsum(two_sided, axis=0)  # row k: two-sided rows above row k
    index = np.arange(n + 1)[:, None]
    last = np.maximum.accumulate(np.where(crossing, index, -1), axis=0)
    start = np.vstack([np.full((1, len(xs)), -1), last[:-1]]) + 1  # each run's first row
    length = index - start
    sided = before - np.take_along_axis(before, start, axis=0)
    ok = crossing & (length >= _REGION_ROWS) & (sided >= _REGION_TWO_SIDED)
    if not ok.any():
        return 0, 0
    scores = np.where(ok, length, -1).T.ravel()  # x by x, then row by row, as read
    best = int(np.argmax(scores))
    x_at, end = divmod(best, n + 1)
    return int(start[end, x_at]), end


def _wraps_at(rows: list[list[Word]], gutter: float) -> bool:
    """Does the text left of the gutter fill its column: lines wrapped near the gutter in two
    rows or more? Short entries side by side ("Signature", "Name" under each party) do not."""
    left = [[w for w in row if w.x1 <= gutter] for row in rows]
    edge = min((side[0].x0 for side in left if side), default=gutter)
    return sum(bool(side) and side[-1].x1 >= gutter - 0.3 * (gutter - edge) for side in left) >= 2


def _table_like(rows: list[list[Word]], gutter: float) -> bool:
    """Are these rows a table rather than two columns of text? In a table a side of the gutter
    is itself split into cells: gutter-wide gaps inside it (after a list bullet's do not count)."""
    split_rows = 0
    for row in rows:
        for side in ([w for w in row if w.x1 <= gutter], [w for w in row if w.x1 > gutter]):
            gaps = [b.x0 - a.x1 for a, b in zip(side, side[1:])]
            if len(side[0].text) <= 2 if side else False:
                gaps = gaps[1:]  # "▪  ArcGIS ...", "a)  text": a hanging marker
            if any(gap >= 10 for gap in gaps):
                split_rows += 1
                break
    return split_rows >= max(2, 0.25 * len(rows))


def _spans(row: list[Word]) -> list[tuple[float, float]]:
    """The x ranges a row's text covers, 4 pt of slack either side (as :func:`_rows_crossing`)."""
    out: list[list[float]] = []
    for w in row:
        lo, hi = w.x0 - 4, w.x1 + 4
        if out and lo < out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _two_sided_gap(row: list[Word], width: float) -> bool:
    """Has the row a gap of a gutter's width (10 pt) in the middle of the page, with text both sides?"""
    right, left = width * 0.70, width * 0.30
    for a, b in zip(row, row[1:]):
        if b.x0 - a.x1 >= 10 and a.x1 < right and b.x0 > left:
            return True
    return False


def page_lines(page_no: int, words: list[Word], width: float) -> list[Line]:
    """Words -> lines in reading order, reading left column before right on two-column pages.

    Rows are clustered once to find a gutter; on a two-column page each column
    is then clustered on its own, because the baselines of two columns need
    not line up. Rows that cross the gutter (a title, a full-width table)
    split the page into bands read top to bottom. Where no gutter runs down the
    whole page, the page is read region by region (:func:`column_regions`).
    """
    rows = rows_of(words)
    gutter = find_gutter(rows, width)
    regions = [(rows, gutter)] if gutter is not None else column_regions(rows, width)
    blocks: list[list[list[list[Word]]]] = []  # block -> columns -> rows -> words
    for region, gutter in regions:
        if gutter is None:
            blocks.append([region])
            continue

        def crosses(row):
            return any(w.x0 - 4 < gutter < w.x1 + 4 for w in row)

        band: list[Word] = []
        for row in region:
            if crosses(row):
                if band:
                    blocks.append([rows_of([w for w in band if w.x1 <= gutter]), rows_of([w for w in band if w.x1 > gutter])])
                    band = []
                blocks.append([[row]])
            else:
                band.extend(row)
        if band:
            blocks.append([rows_of([w for w in band if w.x1 <= gutter]), rows_of([w for w in band if w.x1 > gutter])])

    lines: list[Line] = []
    for block in blocks:
        # A region read below other text on the page (the page had no gutter from top to bottom)
        # starts below that text, not at a column top: its first line's gap is from the text above.
        above = max((line.bottom for line in lines), default=None) if len(regions) > 1 else None
        for column, col_rows in enumerate(block):
            previous: Optional[Line] = None
            for row in col_rows:
                line = make_line(row, page_no)
                line.column = column if len(block) > 1 else 0
                if previous is not None:
                    line.gap = line.top - previous.bottom
                elif column == 0 and above is not None and line.top > above:
                    line.gap = line.top - above
                lines.append(line)
                previous = line
    return lines
