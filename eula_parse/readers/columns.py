"""A PDF page's words -> lines in reading order (two-column pages split at the gutter).

Every PDF engine produces :class:`Word` objects; everything from there on is
shared, so engines cannot disagree about what a line is.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Optional

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
    bounds: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        if rows and bounds[-1][0] <= middle <= bounds[-1][1]:
            rows[-1].append(word)
            top, bottom = bounds[-1]
            bounds[-1] = (min(top, word.top), max(bottom, word.bottom))
        else:
            rows.append([word])
            bounds.append((word.top, word.bottom))
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def find_gutter(rows: list[list[Word]], width: float) -> Optional[float]:
    """The x of a vertical gutter splitting the page into two columns, if there is one.

    An x in the middle 30-70 % of the page is clear when (almost) no row has
    text across it while a good share of the words lies on each side (the
    columns' baselines need not line up); the gutter is in the widest clear band.
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
        if crossing <= 0.1 * len(rows) and min(left, total - left - crossing) >= 0.2 * total:
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
        spans: list[list[float]] = []
        for w in sorted(row, key=lambda w: w.x0):
            lo, hi = w.x0 - 4, w.x1 + 4
            if spans and lo < spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], hi)
            else:
                spans.append([lo, hi])
        for lo, hi in spans:
            first, end = bisect_right(xs, lo), bisect_left(xs, hi)
            if first < end:
                delta[first] += 1
                delta[end] -= 1
    counts, running = [], 0
    for change in delta[:-1]:
        running += change
        counts.append(running)
    return counts


def make_line(words: list[Word], page: int) -> Line:
    parts = [words[0].text]
    for prev, word in zip(words, words[1:]):
        # extract_words splits at font changes too: only a real gap is a space.
        if word.x0 - prev.x1 > 0.12 * max(word.size, 1):
            parts.append(" ")
        parts.append(word.text)
    sizes = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    # A list number set in the regular face before a bold or italic heading ("2." + "Nature of
    # the Software") belongs to the heading: a reader sees a bold numbered heading.
    lead = 1 if len(words) > 1 and _MARKER_WORD.match(words[0].text) else 0
    return Line(
        text="".join(parts),
        page=page,
        x0=words[0].x0,
        x1=words[-1].x1,
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=sizes.most_common(1)[0][0],
        bold=all(w.bold for w in words[lead:]),
        bold_prefix=_styled_prefix(words, lead, "bold"),
        italic=all(w.italic for w in words[lead:]),
        italic_prefix=_styled_prefix(words, lead, "italic"),
    )


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


def page_lines(page_no: int, words: list[Word], width: float) -> list[Line]:
    """Words -> lines in reading order, reading left column before right on two-column pages.

    Rows are clustered once to find a gutter; on a two-column page each column
    is then clustered on its own, because the baselines of two columns need
    not line up. Rows that cross the gutter (a title, a full-width table)
    split the page into bands read top to bottom.
    """
    rows = rows_of(words)
    gutter = find_gutter(rows, width)
    blocks: list[list[list[list[Word]]]] = []  # block -> columns -> rows -> words
    if gutter is None:
        blocks = [[rows]]
    else:
        def crosses(row):
            return any(w.x0 - 4 < gutter < w.x1 + 4 for w in row)

        band: list[Word] = []
        for row in rows:
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
        for column, col_rows in enumerate(block):
            previous: Optional[Line] = None
            for row in col_rows:
                line = make_line(row, page_no)
                line.column = column if len(block) > 1 else 0
                line.gap = None if previous is None else line.top - previous.bottom
                lines.append(line)
                previous = line
    return lines
