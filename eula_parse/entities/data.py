"""The rule data in ``eula_parse/patterns/``, read and compiled once per process."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

try:  # the regex parser; public module names until Python 3.11
    from re import _constants, _parser
except ImportError:  # pragma: no cover
    import sre_constants as _constants
    import sre_parse as _parser

from eula_parse.entities.numbers import _PLACEHOLDERS

#: ``eula_parse/patterns/``: kept beside the package, as data (shipped through package-data).
PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    with (PATTERNS / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _expand(pattern: str) -> str:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return pattern


class Needs:
    """A row's ``needs``: a simple regex a text must contain for the full pattern to be worth running
    (no time word, no DURATION).

    Even a simple regex costs a pass over the text with Python's matcher, and a case-insensitive
    alternation ("(?i)EUR|USD|...|euro|dollar") is slow there. So the words that every match of it must
    contain are read off the regex once (:func:`_required`), and the regex only runs on a text that holds
    one of them: ``str.__contains__`` scans much faster. Same answer, less work.
    """

    def __init__(self, pattern: str):
        self.regex = re.compile(pattern)
        self.ignorecase = bool(self.regex.flags & re.IGNORECASE)
        parsed = _parser.parse(pattern)
        #: every one of these sets has a member in any text the regex matches (lower-case if ``ignorecase``)
        self.words = _required(list(parsed), self.ignorecase)

    def found(self, text: str, lower: Optional[str]) -> bool:
        """Whether the regex matches ``text``; ``lower`` is ``text.lower()`` when it can stand in for
        case-insensitive matching (same length, no dotless i or long s), else ``None``."""
        if self.words and not (self.ignorecase and lower is None):
            haystack = lower if self.ignorecase else text
            if not all(any(word in haystack for word in words) for words in self.words):
                return False
        return self.regex.search(text) is not None


def lowered(text: str) -> Optional[str]:
    """``text.lower()`` if a lower-case substring test on it finds whatever a case-insensitive ASCII
    literal of ``re`` finds in ``text``: one character per character, and neither of the two letters
    ``re`` folds to an ASCII one besides the upper-case ones (dotless ``ı``, long ``ſ``)."""
    lower = text.lower()
    if len(lower) != len(text) or "ı" in text or "ſ" in text:
        return None
    return lower


def _plain(code: int) -> bool:
    """An ASCII character, or one without case ("€", "“"): what a substring test can stand in for."""
    char = chr(code)
    return code < 128 or char.lower() == char == char.upper()


def _required(items: list, ignorecase: bool) -> list[set[str]]:
    """Sets of strings such that a match of the parsed sequence ``items`` contains a member of
    each: runs of literal characters, a group's or an alternation's own words. Conservative: whatever it
    cannot read (classes such as ``\\d``, flags changed inside, repeats that may be absent) adds nothing."""
    out: list[set[str]] = []
    run = ""

    def close() -> None:
        nonlocal run
        if run:
            out.append({run.lower() if ignorecase else run})
        run = ""

    for op, arg in items:
        if op is _constants.LITERAL and _plain(arg):
            run += chr(arg)
            continue
        close()
        if op is _constants.IN and all(kind is _constants.LITERAL and _plain(code) for kind, code in arg):
            out.append({chr(code).lower() if ignorecase else chr(code) for _, code in arg})
        elif op is _constants.SUBPATTERN and not arg[1] and not arg[2]:  # a group that changes no flag
            out.extend(_required(list(arg[3]), ignorecase))
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and arg[0] >= 1:
            out.extend(_required(list(arg[2]), ignorecase))
        elif op is _constants.BRANCH:
            options = [_required(list(branch), ignorecase) for branch in arg[1]]
            if all(options):  # each alternative contributes its most telling set
                out.append(set().union(*(max(o, key=lambda words: min(map(len, words))) for o in options)))
    close()
    return out


@lru_cache(maxsize=1)
def _regex_patterns() -> tuple[tuple[dict[str, Any], re.Pattern, Optional[Needs]], ...]:
    """(row, pattern, cheap pre-check) for every row of ``regex.jsonl``."""
    return tuple(
        (row, re.compile(_expand(row["pattern"])), Needs(row["needs"]) if row.get("needs") else None)
        for row in _read_jsonl("regex.jsonl")
    )


@lru_cache(maxsize=1)
def _limit_heads() -> tuple[re.Pattern, ...]:
    return tuple(p for row, p, _ in _regex_patterns() if row["label"] == "LIMIT")
