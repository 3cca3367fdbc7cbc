"""Running headers, footers and page numbers: PDF page furniture, found by repetition.

A reader spots furniture as text in the top or bottom band of a page that
repeats, in the same size, on many pages once its digits are ignored. It is not
content: it is removed from the lines, and its constant part (often the version
label, "EULA 20250425") is kept for the structure stage.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from eula_parse.readers.layout import Line, Page, body_size

_PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/|\|)\s*\d{1,4})?\W*$|^\W*[ivxlc]{1,6}\W*$", re.I
)
# "Page 3 of 16", "Page 3", "3 of 16", and a bare page number at either end of a line
# (three digits at most: "2018" at the end of a footer is a year, not a page).
_PAGE_PHRASE = re.compile(r"\b(?:page\s*)?\d{1,4}\s*of\s*\d{1,4}\b|\bpage\s*\d{1,4}\b|^\s*\d{1,3}\s+|\s+\d{1,3}\s*$", re.I)
#: "Page 3 of 16" at a page's edge is furniture in any size, even on a one-page document
_PAGE_N_OF_M = re.compile(r"\bpage\s+\d{1,4}\s+of\s+\d{1,4}\s*$", re.I)
_PAGE_OF = re.compile(r"\bpage\s*\d{1,4}(?:\s*of\s*\d{1,4})?\b", re.I)


def _furniture_key(line: Line) -> tuple[str, float]:
    """Digit-blind text without page-number phrases, so "EULA 20240301" on one page and
    "EULA 20240301 Page 4 of 4" on another (columns merged) are the same furniture."""
    text = " ".join(_PAGE_PHRASE.sub(" ", line.text).lower().split()).strip(" -–|/·,")
    return re.sub(r"\d+", "#", text), round(line.size)


def _remove_furniture(pages: list[Page]) -> list[str]:
    """Drop running headers/footers and page numbers; return their constant text.

    Candidates are the two topmost and two bottommost lines of each page. A
    candidate is furniture when it is a page number ("Page 3 of 16" included),
    or when its digit-blind text in the same size recurs on at least half of
    the pages; small print (a letterhead, a footer code) needs to recur only
    on two pages, since an agreement may bundle parts with footers of their own.
    """
    body = body_size([line for page in pages for line in page.lines])
    candidates = {page.number: _ends(page.lines, body) for page in pages}
    keys = {id(line): _furniture_key(line) for ends in candidates.values() for line in ends}
    counts: Counter = Counter()
    for ends in candidates.values():
        for key in {keys[id(line)] for line in ends}:
            counts[key] += 1
    labels: dict[tuple, str] = {}
    drops: dict[int, set] = {}
    for page in pages:
        drop = drops[page.number] = set()
        for line in candidates[page.number]:
            key = keys[id(line)]
            small = line.size < body - 0.4
            threshold = 2 if small else max(2, len(pages) / 2)
            if _PAGE_NUMBER.match(line.text) or not key[0]:
                drop.add(id(line))
            elif counts[key] >= threshold or (small and _PAGE_OF.search(line.text)) or _PAGE_N_OF_M.search(line.text):
                drop.add(id(line))
                labels.setdefault(key, line.text)
    for page in pages:
        drop = drops[page.number] | _variants(candidates[page.number], drops[page.number], set(labels), body, keys)
        page.lines = [line for line in page.lines if id(line) not in drop]
    furniture = []
    # The version label usually shares a line with the page number: list those first.
    for text in sorted(labels.values(), key=lambda t: not _PAGE_OF.search(t)):
        constant = " ".join(_PAGE_PHRASE.sub(" ", text).split()).strip(" -–|/·,")
        if constant:
            furniture.append(constant)
    return furniture


def _ends(lines: list[Line], body: float) -> list[Line]:
    """A page's candidate lines: the two topmost and two bottommost, with small print tight against them."""
    by_top = sorted(lines, key=lambda line: line.top)  # reading order differs on 2-column pages
    if len(by_top) <= 4:
        return by_top
    return _tight_small_type(by_top, by_top[:2] + by_top[-2:], body)


def _tight_small_type(by_top: list[Line], ends: list[Line], body: float) -> list[Line]:
    """The end lines plus small print stacked tight against them: a footer that wraps onto a
    third line on a narrow page ("https://.../eula_2024-" / "01-05 Page 3 of" / "18") is one band."""
    out = list(ends)
    taken = {id(line) for line in ends}
    for step, edge in ((1, 2), (-1, len(by_top) - 3)):
        i = edge
        while 0 <= i < len(by_top) and id(by_top[i]) not in taken:
            line, near = by_top[i], by_top[i - step]
            if line.size >= body - 0.4 or abs(line.size - near.size) > 0.5 \
                    or min(abs(line.top - near.bottom), abs(near.top - line.bottom)) > 3:
                break
            out.append(line)
            taken.add(id(line))
            i += step
    return out


def _variants(ends: list[Line], drop: set[int], keys: set[tuple], body: float, key_of: dict[int, tuple]) -> set[int]:
    """Small print in the band that only varies a running footer ("SLA0051 - Rev 3 - May 2020
    www.st.com" on the first page, "SLA0051 - Rev 3 page 2/3" on the others), and small print
    set tight against a footer line (a second footer line), are furniture too."""
    more: set[int] = set()
    for line in ends:
        key = key_of[id(line)]
        if id(line) in drop or line.size >= body - 0.4:
            continue
        for known, _size in keys:
            shared = len(os.path.commonprefix([key[0], known]))
            if shared >= 8 and shared >= 0.6 * min(len(key[0]), len(known)):
                more.add(id(line))
    dropped = [line for line in ends if id(line) in drop | more and line.size < body - 0.4]
    for line in ends:
        if id(line) in drop | more or line.size >= body - 0.4:
            continue
        if any(abs(line.size - d.size) < 0.5 and min(abs(line.top - d.bottom), abs(d.top - line.bottom)) < 3
               for d in dropped):
            more.add(id(line))
    return more


def remove_furniture(pages: list[Page]) -> list[str]:
    """Remove page furniture from ``pages`` in place; return its constant text, version label first.

    A line that only repeats a running label with digits ("EULA 20240612"),
    wherever it stands, is a stray footer too. Labels without digits (a running
    title) are not dropped this way: the title page shows the same words as content.
    """
    furniture = _remove_furniture(pages)
    labels = {" ".join(text.split()) for text in furniture if re.search(r"\d", text)}
    for page in pages if labels else ():
        page.lines = [line for line in page.lines if " ".join(line.text.split()) not in labels]
    return furniture
