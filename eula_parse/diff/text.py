"""How two versions' texts are compared and shown: the comparable form and word-level redlines.

Everything a re-typesetting can change (white space, line-end hyphenation, bullet
glyphs, typed rules) is erased before comparing, so page breaks and layout never
show up as a change.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Optional

from eula_parse.model import normalize_space, slugify

# -- text normalisation -----------------------------------------------------

_HYPHEN = "-\u2010\u2011"
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")
#: "Plug-in", "Plug- in" (line-end hyphen kept, break turned into a space) and "Plugin"
#: (hyphen dropped by a de-hyphenating extractor) must compare equal.
_WORD_HYPHEN = re.compile(rf"(?<=\w)[{_HYPHEN}]\s*(?=\w)")
_SPACE_BEFORE = re.compile(r"\s+(?=[,.;:!?)\]\u2019\u201d])")
_SPACE_AFTER = re.compile(r"(?<=[(\[\u2018\u201c])\s+")
#: Bullets: Word's Symbol-font bullet reaches the text layer as a private-use code point (U+F0B7,
#: U+F0A7, ...) in one producer's PDF and as U+2022 in another's; the page shows the same dot.
_BULLET = re.compile("[\uf0a7\uf0b7\uf0d8\uf0fc\u2022\u2023\u2043\u25aa\u25cf\u25e6]")
#: A rule typed as a row of one character ("-----", "=====", "*****") is drawing, not words; where
#: such a line lands at a page seam depends on the producer and on what furniture removal keeps.
_RULE = re.compile(r"(?:^|(?<=\s))([-=_~*])\1{3,}(?=\s|$)")


def comparable(text: Optional[str]) -> str:
    """The form two texts are compared in: equal iff no reader could tell them apart.

    NFKC (ligatures, non-breaking spaces), soft hyphens removed, one bullet for every bullet
    glyph, typed rules ("-----") removed, line-end and intra-word hyphenation removed, white
    space collapsed, no space before closing punctuation. Deliberately *not* lower-cased: a
    change of case can change meaning (defined terms).
    """
    if not text:
        return ""
    text = _SOFT.sub("", unicodedata.normalize("NFKC", text))
    text = _RULE.sub(" ", _BULLET.sub("\u2022", text))
    text = _WORD_HYPHEN.sub("", text)
    text = normalize_space(text)
    text = _SPACE_BEFORE.sub("", text)
    return _SPACE_AFTER.sub("", text)


#: Leading numbering of a heading: "ARTICLE B 1—", "B.3.4", "4.0", "Section 2.", "IV.".
_HEADING_NUMBER = re.compile(
    r"^\s*(?:(?:article|section|clause|part|chapter|schedule|exhibit|attachment|appendix|annex)\s+)?"
    r"(?:[A-Z](?:\.|\s+)(?=\d))?(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.?(?=\s))\s*[.):\u2014\u2013-]?\s*",
    re.I,
)


def name_key(name: Optional[str]) -> str:
    """Headings are compared as slugs without their numbering: a trailing period, a
    dropped ® or a renumbering ("4.0 DATA" -> "3.0 DATA") is not a rename."""
    if not name:
        return ""
    stripped = _WORD_HYPHEN.sub("", _HEADING_NUMBER.sub("", name, count=1))
    return slugify(stripped) if any(ch.isalnum() for ch in stripped) else ""


# -- redlines ---------------------------------------------------------------

#: White space, then a word (hyphenated words and "Plug- in" stay one token) or
#: one punctuation character.
_TOKEN = re.compile(rf"(\s*)(\w+(?:[{_HYPHEN}]\s?\w+)*|[^\w\s])")


def _tokens(text: str) -> list[tuple[str, str, str]]:
    """``(comparison key, leading white space, token)`` for each token of ``text``."""
    return [(_token_key(m.group(2)), m.group(1), m.group(2)) for m in _TOKEN.finditer(normalize_space(text))]


def _token_key(token: str) -> str:
    if token.isascii():  # the common case, without NFKC and four regex passes
        return _WORD_HYPHEN.sub("", token) if "-" in token else token
    return comparable(token)


def _run(tokens: list[tuple[str, str, str]]) -> str:
    return "".join(space + token for _, space, token in tokens)[len(tokens[0][1]):] if tokens else ""


def redline(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level redline: ``[(op, text), ...]`` with op ``"equal"``, ``"delete"`` or ``"insert"``.

    Joining the equal and delete segments gives ``old``; equal and insert give ``new``
    (up to white space). A replaced run is one delete followed by one insert, and the
    space before a changed run stays outside it: ``"Server [-2019-]{+2022+} Express"``.
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b], autojunk=False)
    out: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = a[i1:i2], b[j1:j2]
        # A space on either side before the run is kept (an extra space is harmless,
        # a missing one glues two words together).
        if (olds and olds[0][1]) or (news and news[0][1]):
            push("equal", " ")
        if op == "equal":
            push("equal", _run(news))
        else:
            push("delete", _run(olds))
            push("insert", _run(news))
    return out
