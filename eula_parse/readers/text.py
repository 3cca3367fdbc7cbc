"""Plain-text reader: encodings, mojibake, hard-wrapped lines and headings a reader sees in text.

A ``LICENSE.txt`` has no typography, but its layout still shows structure:
blank lines between paragraphs, a line that ends early because its paragraph
ends, a short ALL-CAPS or numbered line standing alone as a heading, a run-in
heading ("1. Use Rights. You may ..."), indented list items. This reader turns
those signs into the same :class:`~eula_parse.readers.blocks.Block` every other
form produces: headings bold, run-in headings as a bold lead, wrapped lines
joined, lists indented by depth.

Encodings: UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they
are; anything else is decoded with the encoding ``charset-normalizer`` finds most
likely (cp1252 for most old Windows files). Mojibake is repaired only where the
intended character is certain: UTF-8 read as cp1252 ("â€™" -> "’"), and a lone
Cyrillic letter inside Latin text where every Cyrillic code page agrees it was a
cp1252 dash or quote ("IMPORTANT Ц READ" -> "IMPORTANT – READ").
"""

from __future__ import annotations

import re
from typing import Optional

from eula_parse.errors import InputError
from eula_parse.readers.blocks import Block

#: A line longer than this is not a hard-wrapped line of prose (a minified blob, a one-line file).
MAX_LINE_WRAP = 200

_MARKER = re.compile(
    r"^(?:(?:article|section|part|exhibit|schedule|appendix|annex|attachment|addendum)\s+[\w.]+"
    r"|\d{1,3}(?:\.\d{1,3})*[.)]?\s|\(?[a-z]{1,2}\)|\(?[ivx]{1,5}\)|[a-z]\.\s|[•▪◦·●■*\-–]\s)",
    re.I,
)
_NUMBER = re.compile(r"^(\s*)(\d{1,3})([.)])\s+(?=\S)")
_ARTICLE = re.compile(r"^(?:article|section|part|exhibit|schedule|appendix|annex|attachment|addendum)\s+[\w.]+\b", re.I)
_HEADING_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[A-Z]\.\d{1,3}(?:\.\d{1,3})*\.?)\s+")
#: "1. Use Rights. You may ..." / "USE CONSENT. YOU ARE ..." / "Educational Institutions Only: ..."
_SMALL = {"of", "and", "or", "the", "to", "for", "in", "on", "a", "an", "with", "by", "from", "&", "not", "as", "at"}
_TERMINAL = re.compile(r"[.;:!?,]$")

_CP1252_AS_UTF8 = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}"
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_PUNCTUATION = set("–—‘’‚“”„•…")
_TYPOGRAPHIC = "–—‘’“”•…™©®"


def decode(data: bytes, name: str = "") -> str:
    """The file's text: BOMs honoured, strict UTF-8 tried first, else the most likely code page."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    results = list(from_bytes(data[: 1 << 20]))
    # Code pages that read the bytes about equally well differ in what 0x80-0x9F mean; in
    # prose those bytes are typographic punctuation (Windows' ’ “ ” – ™), not accented letters.
    near = [r.encoding for r in results if r.chaos <= results[0].chaos + 0.02] if results else []
    best, best_score = "cp1252", None
    for encoding in near + ["cp1252"]:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = sum(text.count(c) for c in _TYPOGRAPHIC)
        if best_score is None or score > best_score:
            best, best_score = encoding, score
    return data.decode(best, errors="replace")


def _cyrillic_guess(char: str) -> Optional[str]:
    """The cp1252 punctuation a lone Cyrillic letter stands for, if every Cyrillic code page agrees."""
    guesses = set()
    for codepage in ("cp866", "mac_cyrillic"):
        try:
            guesses.add(char.encode(codepage).decode("cp1252"))
        except (UnicodeError, LookupError):
            return None
    guess = guesses.pop() if len(guesses) == 1 else None
    return guess if guess in _PUNCTUATION else None


def repair_mojibake(text: str) -> str:
    """Undo code-page confusion where the intended character is certain (see the module doc)."""

    def utf8(match: re.Match) -> str:
        try:
            fixed = match.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            return match.group()
        return fixed if len(fixed) == 1 else match.group()

    text = _CP1252_AS_UTF8.sub(utf8, text)
    if not _CYRILLIC.search(text):
        return text
    letters = sum(c.isalpha() for c in text)
    cyrillic = len(_CYRILLIC.findall(text))
    if cyrillic > 0.01 * letters:  # a Cyrillic text, not stray letters in a Latin one
        return text
    out = list(text)
    for i, char in enumerate(text):
        if not _CYRILLIC.match(char):
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if _CYRILLIC.match(before) or _CYRILLIC.match(after):
            continue
        guess = _cyrillic_guess(char)
        if guess:
            out[i] = guess
    return "".join(out)


def _is_title_words(phrase: str, max_words: int = 8) -> bool:
    """Every word capitalised (small words aside): "Limited Use License", "USE CONSENT"."""
    words = [w for w in re.split(r"\s+", phrase.strip()) if w]
    if not words or len(words) > max_words or not any(c.isalpha() for c in phrase):
        return False
    if not words[0][:1].isupper():
        return False
    for word in words:
        core = word.strip("\"'“”‘’()[],;:&/-–—")
        if not core or core.lower() in _SMALL or core[0].isdigit():
            continue
        if not core[0].isupper():
            return False
    return True


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def runin_prefix(text: str) -> str:
    """A run-in heading opening ``text`` ("1. Use Rights.", "USE CONSENT.", "Term:"), or ""."""
    number = _HEADING_NUMBER.match(text) or _ARTICLE.match(text)
    start = number.end() if number else 0
    rest = text[start:]
    # "U.S." is an abbreviation, not the heading's end: hide its dots while matching
    masked = re.sub(r"\b(?:[A-Z]\.){2,}", lambda a: a.group().replace(".", "\x00"), rest[:120])
    m = re.match(r"([^.:!?]+?[.:])\s+(?=[\"“(A-Z0-9])", masked)
    if not m:
        return ""
    phrase = m.group(1)[:-1]
    if len(phrase) < 2 or len(phrase.split()) > 8 or not _is_title_words(phrase):
        return ""
    if not number and m.group(1).endswith(":") and (len(phrase.split()) < 2 or not _is_title_words(phrase, 5)):
        return ""  # "NOTE: If you ..." is a sentence that opens with a word, not a heading
    return text[: start + m.end(1)]


def _heading_line(text: str, next_text: Optional[str]) -> bool:
    """A line standing alone that a reader takes for a heading."""
    if len(text) > 100 or _TERMINAL.search(text) and not text.endswith(":"):
        return False
    if text.endswith((",", ";")):
        return False
    numbered = _HEADING_NUMBER.match(text) or _ARTICLE.match(text)
    rest = text[numbered.end() :] if numbered else text
    if not rest.strip():
        return False
    if _caps(rest):
        return True
    return next_text is not None and _is_title_words(rest.rstrip(":"), 10)


def _logical_paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Join hard-wrapped lines: ``(indent, text)`` per paragraph.

    A line continues the one before unless a blank line separates them, it
    opens with a list or section number, or the line before ended early (the
    next line's first word would have fitted on it: the writer ended it).
    """
    lengths = sorted(len(l) for l in lines if l.strip() and len(l) <= MAX_LINE_WRAP)
    wrapped = bool(lengths) and len(lengths) > 5 and lengths[int(len(lengths) * 0.9)] >= 50
    width = lengths[int(len(lengths) * 0.95)] if wrapped else 0
    paragraphs: list[tuple[int, str]] = []
    previous: Optional[str] = None
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            previous = None
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        # The writer ended the line: the next word would have fitted, and the line is short,
        # ends a sentence or stands as a heading.
        ended_early = previous is not None and (
            len(previous) < 0.6 * width
            or len(previous) + 1 + len(text.split()[0]) <= 0.9 * width
            and (_TERMINAL.search(previous) or _heading_line(previous.strip(), text))
        )
        joins = (
            previous is not None
            and wrapped
            and len(previous) <= MAX_LINE_WRAP
            and not _MARKER.match(text)
            and indent <= len(previous) - len(previous.lstrip())  # a deeper first line opens a paragraph
            and not ended_early
        )
        if joins:
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + " " + text)
        else:
            paragraphs.append((indent, text))
        previous = line
    return paragraphs


def _successor(number: str, last: Optional[str]) -> bool:
    """Is decimal ``number`` the next one after ``last`` ("5.5" after "5.4", "1.1" after "1")?"""
    if last is None:
        return False
    a, b = last.rstrip(".").split("."), number.rstrip(".").split(".")
    if len(b) == len(a) + 1 and b[:-1] == a and b[-1] == "1":
        return True
    for depth in range(1, len(a) + 1):
        head = a[:depth]
        if len(b) == depth and b[:-1] == head[:-1] and b[-1].isdigit() and head[-1].isdigit() and int(b[-1]) == int(head[-1]) + 1:
            return True
    return False


_EMBEDDED = re.compile(r"(?<=[\w.:;)\"”])\s+(\d{1,3}(?:\.\d{1,3})+\.?)\s+(?=[A-Z“\"(])")


def split_run_on(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Split a paragraph where the next section number runs on inside it.

    "ARTICLE 1 - DEFINITIONS 1.1. In this Agreement" and "... requirements. 5.5.
    EXCEPT FOR ..." hold two paragraphs; the number is taken only when it is the
    one the numbering expects next, so "Section 3.3 apply" stays a reference.
    """
    out: list[tuple[int, str]] = []
    last: Optional[str] = None
    for indent, text in paragraphs:
        m = re.match(r"(\d{1,3}(?:\.\d{1,3})*)[.)\s]", text)
        article = _ARTICLE.match(text)
        if m:
            last = m.group(1)
        elif article:
            digits = re.search(r"\d+", article.group())
            last = digits.group() if digits else last
        pieces = [text]
        while True:
            head = pieces[-1]
            found = None
            for candidate in _EMBEDDED.finditer(head):
                number = candidate.group(1).rstrip(".")
                before = head[: candidate.start()].rstrip()
                heading_before = _caps(before[-60:]) and (article is not None or _HEADING_NUMBER.match(head))
                if _successor(number, last) and (before.endswith((".", ":", ";")) or heading_before):
                    found = candidate
                    last = number
                    break
            if not found:
                break
            pieces[-1:] = [head[: found.start()].rstrip(), head[found.start() :].strip()]
            article = None
        out.extend((indent, piece) for piece in pieces)
    return out


def _qualified(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    """``(indent, text, depth)``; an indented list restarting at "1." under "2." is written "2.1.".

    A reader sees the indented "1." under section 2 as clause 2.1: the depth
    comes from the indentation, and the number is written as the reader cites it.
    """
    out = []
    stack: list[tuple[int, str]] = []  # (indent, number) of the open numbered paragraphs
    for indent, text in paragraphs:
        m = _NUMBER.match(text)
        depth = 0
        if m:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            number = f"{stack[-1][1]}.{m.group(2)}" if stack else m.group(2)
            if stack:
                text = f"{number}{m.group(3)} {text[m.end():]}"
            depth = len(stack)
            stack.append((indent, number))
        out.append((indent, text, depth))
    return out


def blocks_from_text(text: str) -> list[Block]:
    """The paragraphs of a plain-text agreement as blocks (see the module doc)."""
    text = repair_mojibake(text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4))
    lines = text.split("\n")
    paragraphs = split_run_on(_logical_paragraphs(lines))
    blocks: list[Block] = []
    qualified = _qualified(paragraphs)
    for index, (indent, para, depth) in enumerate(qualified):
        following = qualified[index + 1][1] if index + 1 < len(qualified) else None
        if index == 0 and len(para) <= 200 and not re.search(r"[.,;:!?]$", para):
            blocks.append(Block(para, level=1))  # the line the file opens with: its title
        elif _heading_line(para, following):
            blocks.append(Block(para, bold=True, indent=depth))
        else:
            blocks.append(Block(para, bold_prefix=runin_prefix(para), indent=depth))
    unpunctuated_headings(blocks)
    return blocks


def mark_plain_headings(blocks: list[Block]) -> None:
    """Headings of a document without typography: own-line headings bold, run-in ones as a bold lead."""
    for index, block in enumerate(blocks):
        following = blocks[index + 1].text if index + 1 < len(blocks) else None
        if _heading_line(block.text, following):
            block.bold = True
        else:
            block.bold_prefix = runin_prefix(block.text)
    unpunctuated_headings(blocks)


_TOP_NUMBER = re.compile(r"^\d{1,3}[.)]\s+")


def unpunctuated_headings(blocks: list[Block]) -> None:
    """"3. Restrictions You agree ..." in a list whose other items read "4. Trademarks. Your use ...".

    When most numbered paragraphs open with a run-in heading, one whose heading
    lost its period still has one: the capitalised words up to the one that
    starts the sentence (the last capitalised word before the first lower-case one).
    """
    numbered = [b for b in blocks if _TOP_NUMBER.match(b.text) and not b.bold]
    headed = [b for b in numbered if b.bold_prefix]
    if len(numbered) < 4 or len(headed) < 0.6 * len(numbered):
        return
    for block in numbered:
        if block.bold_prefix:
            continue
        number = _TOP_NUMBER.match(block.text)
        words = block.text[number.end() :].split()
        run = []
        for word in words[:8]:
            if word[:1].isupper():
                run.append(word)
            elif word.lower() in _SMALL and run:
                run.append(word)
            else:
                break
        if len(run) < 2 or len(run) >= len(words) or run[-1].lower() in _SMALL:
            continue
        heading = " ".join(run[:-1])
        if heading.split()[-1].lower() in _SMALL or _TERMINAL.search(heading):
            continue
        block.bold_prefix = block.text[: number.end()] + heading


def read(path, data: bytes, *, max_pages: int = 0):
    """Read a plain-text file into a :class:`Layout`."""
    from eula_parse.readers.blocks import to_layout

    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: binary file, not a document (PDF, DOCX, RTF, HTML, Markdown or text)")
    layout = to_layout(blocks_from_text(decode(data)), "text")
    if not layout.lines:
        raise InputError(f"{path}: no text")
    return layout
