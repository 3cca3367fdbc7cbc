"""Words a regular expression cannot match without, read off the expression itself.

The regex tagger runs about thirty patterns over every node text. Python's matcher walks a
text position by position, and most patterns start with a look-behind, a word boundary or a
case-insensitive alternation, where it has no fast path: each costs a full pass even on a text
it cannot match. A substring test (``str.__contains__``) is many times faster. So each pattern's
*required words* are derived once from its parse tree: sets of strings such that every match
contains a member of each set ("version" for ``\\bversions?\\s+(19|20)\\d\\d``, together with
{"19", "20"}). A text that lacks one of them is skipped; a text that has them all goes on to the
regex. The answer is the regex's own in every case, only cheaper.

The derivation is conservative: what it cannot read (classes such as ``\\d`` or ``\\w``, optional
parts, look-arounds) adds no word, so it never skips a text the regex would match.
"""

from __future__ import annotations

import re
from typing import Optional

try:  # the parser behind re.compile; importable under these names from Python 3.11
    from re import _constants, _parser
except ImportError:  # pragma: no cover (Python 3.10)
    import sre_constants as _constants
    import sre_parse as _parser

#: (case-insensitive, words): any text the regex matches holds one of ``words`` (in ``text.lower()``
#: when case-insensitive).
Hint = tuple[bool, frozenset[str]]

_REPEATS = tuple(getattr(_constants, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_constants, name))
_ATOMIC = getattr(_constants, "ATOMIC_GROUP", None)


def required_words(pattern: str) -> tuple[Hint, ...]:
    """The hints for ``pattern`` (a regex string, inline flags included)."""
    parsed = _parser.parse(pattern)
    return tuple(_required(list(parsed), bool(parsed.state.flags & re.IGNORECASE)))


def lowered(text: str) -> Optional[str]:
    """``text.lower()`` where a substring test on it finds whatever a case-insensitive ``re`` literal
    (ASCII or caseless) finds in ``text``: one character for one, and neither of the two letters ``re``
    folds onto ASCII ones beyond their upper case (dotless ``ı``, long ``ſ``); else ``None``."""
    lower = text.lower()
    if len(lower) != len(text) or "ı" in text or "ſ" in text:
        return None
    return lower


def holds(hints: tuple[Hint, ...], text: str, lower: Optional[str], seen: Optional[dict[Hint, bool]] = None) -> bool:
    """False only if ``text`` lacks every word of some hint, so that the regex cannot match it.
    ``lower`` is :func:`lowered` of ``text``; when it is ``None`` the case-insensitive hints are not used.
    ``seen`` keeps the answer per hint for this text (patterns share hints: the time words, "19"/"20")."""
    for hint in hints:
        found = seen.get(hint) if seen is not None else None
        if found is None:
            insensitive, words = hint
            haystack = lower if insensitive else text
            found = haystack is None
            if not found:
                for word in words:  # a loop, not any(<generator>): this runs some 30 times per node text
                    if word in haystack:
                        found = True
                        break
            if seen is not None:
                seen[hint] = found
        if not found:
            return False
    return True


def _plain(code: int) -> bool:
    """An ASCII character, or one without case ("€", "“"): one a substring test can stand in for."""
    char = chr(code)
    return code < 128 or char.lower() == char == char.upper()


def _required(items: list, insensitive: bool) -> list[Hint]:
    """Hints for the parsed sequence ``items``: each run of literal characters, the hints of a group or
    of a repeat that occurs at least once, and for an alternation the union of its branches' best hints
    (when every branch has one)."""
    out: list[Hint] = []
    run = ""

    def close() -> None:
        nonlocal run
        if run:
            out.append((insensitive, frozenset({run.lower() if insensitive else run})))
        run = ""

    for op, arg in items:
        if op is _constants.LITERAL and _plain(arg):
            run += chr(arg)
            continue
        close()
        if op is _constants.IN and arg and all(kind is _constants.LITERAL and _plain(code) for kind, code in arg):
            out.append((insensitive, frozenset(chr(code).lower() if insensitive else chr(code) for _, code in arg)))
        elif op is _constants.SUBPATTERN:
            _group, add, remove, sub = arg
            case = (insensitive or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            out.extend(_required(list(sub), case))
        elif op in _REPEATS and arg[0] >= 1:
            out.extend(_required(list(arg[2]), insensitive))
        elif _ATOMIC is not None and op is _ATOMIC:
            out.extend(_required(list(arg), insensitive))
        elif op is _constants.BRANCH:
            options = [_required(list(branch), insensitive) for branch in arg[1]]
            if all(options):
                best = [max(option, key=lambda hint: min(map(len, hint[1]))) for option in options]
                if not any(case for case, _ in best):
                    out.append((False, frozenset().union(*(words for _, words in best))))
                else:  # a case-sensitive word is in the text only if its lower case is in the lower-cased text
                    out.append((True, frozenset(word.lower() for _, words in best for word in words)))
    close()
    return out
