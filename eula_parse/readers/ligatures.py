"""Ligature glyphs that a font maps to the wrong text, repaired from the document's words.

Some fonts' ``ToUnicode`` maps send a ligature glyph to the wrong character:
"software" reads "so(ware" ("ft" -> "("), "notice" reads "no0ce" ("ti" -> "0"),
"flat" reads "\\ue001at" (a private-use code), or the glyph maps to a control or
space character and the engines see "o ce" for "office". A reader sees the
words; so should the index, the differ and the entity tagger.

A token is repaired only when it is damaged (it holds a symbol, digit, control
or private-use character between letters, or it is split at a gap a glyph wide,
see :attr:`~eula_parse.readers.layout.Line.glyph_gaps`), the damaged form is not
a word, and exactly the repaired form is: a word of this document (as printed
undamaged elsewhere in it) or of an English word list. Which ligature a wrong
character stands for is learned per document (the one that most often makes a
word), since one font maps one glyph one way throughout.

The English word list is the frequency list that ``pyspellchecker`` ships
(``spellchecker/resources/en.json.gz``, MIT licence, about 160,000 words); it
is read only when a document shows damage, so clean documents pay nothing.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Optional

from eula_parse.readers.layout import Line, Page

#: What a ligature glyph stands for, commonest first (ties go to the earlier one).
LIGATURES = ("fi", "fl", "ff", "ffi", "ffl", "ft", "ti", "tt", "st", "ct", "th", "fj")
#: Characters that are never a ligature stand-in inside a word: punctuation, and the symbols
#: words, names, addresses and code join with ("A/S", "and/or", "AT&T", "C++", "a_b", "x@y").
_ORDINARY = set("-'.,;:\"!?/&+@_=#~\\|<>")
#: Fewest occurrences in the English list for a word to count (the list's floor is 50).
_MIN_FREQUENCY = 50
_TOKEN = re.compile(r"\S+")
_EDGE_OPEN = "\"“‘'([{"
_EDGE_CLOSE = "\"”’'.,;:!?)]}"


@lru_cache(maxsize=1)
def english() -> dict[str, int]:
    """The English word list: lower-case word -> frequency (empty if the package is missing)."""
    try:
        from importlib.resources import files

        data = (files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    except (ImportError, FileNotFoundError, OSError):
        return {}
    return json.loads(gzip.decompress(data))


def _is_stand_in(ch: str) -> bool:
    """A character no word is spelt with: private use, control, or a symbol or digit."""
    if unicodedata.category(ch) in ("Co", "Cc", "Cn"):
        return True
    # ASCII symbols and digits only: "®", "™", "—" and other marks are printed as such
    return ch.isascii() and not ch.isalpha() and not ch.isspace() and ch not in _ORDINARY


def _suspects(core: str, brackets: int = 0) -> list[int]:
    """Positions in ``core`` of characters standing in for a ligature glyph.

    Private-use and control characters count next to any letter; symbols and
    digits between two letters (or such characters: "cer0" + a glyph gap + "cation"), and a
    symbol ending a word ("shi("), so that "1st", "MP3", "x86" and "(s)" keep their meaning.
    ``brackets``: how many round brackets the whole token has (a pair is the word's own).
    """
    def hidden(ch: str) -> bool:
        return unicodedata.category(ch) in ("Co", "Cc", "Cn")

    def letter(i: int) -> bool:
        return 0 <= i < len(core) and (core[i].isalpha() or hidden(core[i]))

    out = []
    for i, ch in enumerate(core):
        if not _is_stand_in(ch) or (ch in "()" and max(brackets, core.count("(") + core.count(")")) > 1):
            continue
        if hidden(ch):
            if letter(i - 1) or letter(i + 1):
                out.append(i)
        elif letter(i - 1) and (letter(i + 1) or (i == len(core) - 1 and not ch.isdigit() and ch not in ")]}")):
            out.append(i)
    return out


def _split_edges(token: str) -> tuple[str, str, str]:
    """``token`` -> (leading punctuation, core, trailing punctuation)."""
    start, end = 0, len(token)
    while start < end and token[start] in _EDGE_OPEN:
        start += 1
    while end > start and token[end - 1] in _EDGE_CLOSE:
        if token[end - 1] == ")" and "(" in token[start:end - 1]:
            break  # "Computer(s)", "(re)distribute": the brackets are the word's
        end -= 1
    return token[:start], token[start:end], token[end:]


def _cased(ligature: str, word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    return ligature.upper() if len(letters) > 1 and all(c.isupper() for c in letters) else ligature


#: A line that may hold a stand-in: a private-use or control character, or an ASCII symbol or
#: digit right after a letter (cheap test before any word is looked at).
_HIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_SYMBOL = re.compile(r"[0-9()*$%^`\[\]{}]")
_LETTER = re.compile(r"[^\W\d_]")


def _quick(text: str) -> bool:
    """Has ``text`` such a character? (Symbols found first, then the letter before each looked at:
    one regex with a look-behind at every position cost as much as the rest of the repair.)"""
    if _HIDDEN.search(text):
        return True
    return any(m.start() and _LETTER.match(text, m.start() - 1) for m in _SYMBOL.finditer(text))


class _Lexicon:
    """Is a word known: printed undamaged in this document, or in the English list?"""

    def __init__(self, document: Counter):
        self.document = document
        self.english = english()

    def known(self, word: str) -> bool:
        word = word.lower()
        return word in self.document or self.english.get(word, 0) >= _MIN_FREQUENCY

    def common(self, word: str) -> bool:
        """A fragment that is a word in its own right ("a", "of", "the"), not a broken piece."""
        word = word.lower()
        if len(word) == 1:
            return word in ("a", "i")
        return self.english.get(word, 0) >= (500_000 if len(word) == 2 else 1_000)


def _gap_sides(line: Line, offset: int) -> Optional[tuple[int, str, int, str]]:
    """The words either side of the glyph gap at ``offset``: (start, left, end, right), or None
    when punctuation stands at the gap (a real word boundary)."""
    left = re.search(r"\S+$", line.text[:offset])
    right = re.match(r"\S+", line.text[offset + 1:])
    if not (left and right):
        return None
    lead, left_core, tail = _split_edges(left.group())
    right_lead, right_core, _ = _split_edges(right.group())
    if tail or right_lead or not any(c.isalpha() for c in left_core) or not right_core[:1].isalpha():
        return None  # a bullet, dash or figure before the gap ("* notice", "3 parties")
    return left.start() + len(lead), left_core, offset + 1 + len(right_core), right_core


def _document_words(lines: list[Line]) -> Counter:
    """How often each whole word of three letters or more is printed in ``lines``."""
    words: Counter = Counter()
    for line in lines:
        for token in line.text.split():
            core = token.strip(_EDGE_OPEN + _EDGE_CLOSE)
            if len(core) > 2 and core.isalpha():
                words[core.lower()] += 1
    return words


def _shows_damage(lines: list[Line], document) -> bool:
    """Does any line show damage: a stand-in character in a word, or a glyph gap between pieces
    that are not both words this document prints more than once? (Else the word list stays unread.)
    ``document()`` counts the document's words, asked only for glyph gaps."""
    for line in lines:
        for token in line.text.split():
            if _quick(token) and _suspects(_split_edges(token)[1], token.count("(") + token.count(")")):
                return True
    for line in lines:
        for offset in line.glyph_gaps:
            sides = _gap_sides(line, offset)
            if sides and not (document()[sides[1].lower()] > 1 and document()[sides[3].lower()] > 1):
                return True
    return False


def _token_candidates(core: str, lexicon: _Lexicon, brackets: int = 0) -> dict[tuple, str]:
    """Repairs of a token with stand-in characters: {(stand-in, ligature) choice: word} for known words."""
    positions = _suspects(core, brackets)
    if not positions or len(positions) > 2 or lexicon.known(core) or sum(c.isalpha() for c in core) < 2:
        return {}
    out = {}
    choices: list[list[tuple[int, str]]] = [[]]
    for pos in positions:
        choices = [c + [(pos, lig)] for c in choices for lig in LIGATURES]
    for choice in choices:
        chars = list(core)
        for pos, lig in choice:
            chars[pos] = _cased(lig, core)
        word = "".join(chars)
        if all(part.isalpha() and lexicon.known(part) for part in word.split("-")):
            out[tuple((core[pos], lig) for pos, lig in choice)] = word
    return out


#: Where a glyph gap stood, in the word a gap is tried as (a control character: a stand-in).
_GAP = "\x00"


def _gap_candidates(left: str, right: str, lexicon: _Lexicon) -> dict[tuple, str]:
    """Repairs of ``left`` + glyph gap + ``right`` (the words either side): {choice: replacing text}.

    The glyph stood inside one word ("o ce" -> "office"), at the start of the
    right word after a space ("the le" -> "the file") or at the end of the left
    one ("stu and" -> "stuff and"). A side that is a word by itself is repaired
    only into a much commoner word ("les" -> "files").
    """
    def replaceable(fragment: str, repaired: str) -> bool:
        if not lexicon.common(fragment):
            return True
        return lexicon.english.get(repaired.lower(), 0) >= 5 * lexicon.english.get(fragment.lower(), 0)

    if not (lexicon.common(left) and lexicon.common(right)):
        out = _token_candidates(left + _GAP + right, lexicon)
        if out:
            return out
    out = {c: f"{left} {w}" for c, w in _token_candidates(_GAP + right, lexicon).items() if replaceable(right, w)}
    for choice, word in _token_candidates(left + _GAP, lexicon).items():
        if replaceable(left, word):
            out.setdefault(choice, f"{word} {right}")
    return out


def _preference(text: str, lexicon: _Lexicon) -> tuple:
    """Between repairs the votes tie on: words of this document, then the commoner words."""
    parts = text.lower().split()
    in_document = all(p in lexicon.document for p in parts)
    return (-in_document, -min(lexicon.english.get(p, 0) for p in parts))


def _edit(line: Line, start: int, end: int, word: str) -> None:
    """Replace ``line.text[start:end]`` by ``word``, in the styled prefixes too, shifting the glyph gaps."""
    damaged = line.text[start:end]
    line.text = line.text[:start] + word + line.text[end:]
    for attr in ("bold_prefix", "italic_prefix"):
        prefix = getattr(line, attr)
        if damaged in prefix:
            setattr(line, attr, prefix.replace(damaged, word, 1))
    shift = len(word) - len(damaged)
    line.glyph_gaps = tuple(g + shift if g >= end else g for g in line.glyph_gaps if not start <= g < end)


def repair(pages: list[Page]) -> int:
    """Repair ligature damage in every line of ``pages`` in place; returns how many repairs were made.

    Characters standing in for a glyph are repaired first ("modi ca0on" ->
    "modi cation"), then gaps a glyph wide ("modi cation" -> "modification").
    """
    every_line = [line for page in pages for line in page.lines]
    lines = [line for line in every_line if line.glyph_gaps or _quick(line.text)]
    counted: list[Counter] = []

    def document() -> Counter:
        if not counted:
            counted.append(_document_words(every_line))
        return counted[0]

    if not _shows_damage(lines, document):
        for line in lines:
            line.glyph_gaps = ()
        return 0
    lexicon = _Lexicon(document())
    repairs = 0

    # 1. stand-in characters: learn per character which ligature makes words, then repair.
    votes: dict[str, Counter] = defaultdict(Counter)
    plans = []
    for line in lines:
        for match in _TOKEN.finditer(line.text):
            lead, core, _ = _split_edges(match.group())
            found = _token_candidates(core, lexicon, match.group().count("(") + match.group().count(")"))
            if found:
                start = match.start() + len(lead)
                plans.append((line, start, start + len(core), found))
                for choice in found:
                    for stand_in, lig in choice:
                        votes[stand_in][lig] += 1.0 / len(found)
    for line, start, end, found in reversed(plans):  # right to left: offsets stay valid
        best = min(found, key=lambda c: (-sum(votes[s][lig] for s, lig in c), _preference(found[c], lexicon)))
        _edit(line, start, end, found[best])
        repairs += 1

    # 2. glyph gaps, the words either side included ("cer0 cation" -> "certification").
    gap_votes: dict[str, Counter] = defaultdict(Counter)
    gap_plans = []
    for line in lines:
        for offset in line.glyph_gaps:
            sides = _gap_sides(line, offset)
            if sides is None:
                continue
            start, left, end, right = sides
            found = _gap_candidates(left, right, lexicon)
            if found:
                gap_plans.append((line, start, end, found))
                for choice in found:
                    for stand_in, lig in choice:
                        gap_votes[stand_in][lig] += 1.0 / len(found)
    for line, start, end, found in reversed(gap_plans):
        best = min(found, key=lambda c: (-sum(gap_votes[s][lig] for s, lig in c), _preference(found[c], lexicon)))
        _edit(line, start, end, found[best])
        repairs += 1
    for line in lines:
        line.glyph_gaps = ()
    return repairs
