"""Words as the index sees them: tokenising, stop words and stemming, engine-neutral.

Snippets, name stripping and spelling correction run :func:`words` on every
hit and record, so it is a plain regex loop rather than an analyser chain;
each engine's analyser must produce the same terms (``_stem(word)``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterator, Optional

from whoosh.analysis import StemFilter
from whoosh.analysis.filters import STOP_WORDS


#: Words that carry no meaning in a question ("how many computers ...") on top of Whoosh's list.
QUESTION_WORDS = frozenset(
    "what which who whom whose where why how many much do does did i me my our there "
    "should would could".split()
)


_TOKEN_RE = re.compile(r"\w+(?:[.’']\w+)*|\+")
_STOP = frozenset(STOP_WORDS) | QUESTION_WORDS
_stem = functools.lru_cache(maxsize=50000)(StemFilter().stemfn)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` for each word the index analyser keeps, before stemming.

    The same steps as :func:`_analyzer` without Whoosh's per-token generator
    chain, which is several times slower; snippets and name stripping run it
    on every hit and record. ``_stem(word)`` gives the indexed term.
    """
    for match in _TOKEN_RE.finditer(text):
        word = kept_word(match.group())
        if word is not None:
            yield match.start(), match.end(), word


def kept_word(token: str) -> Optional[str]:
    """One token as the analyser keeps it (lower case, accents folded, "+" read as "plus"), or ``None``."""
    word = token.lower()
    if word == "+":
        word = "plus"
    elif not word.isascii():
        word = unicodedata.normalize("NFKD", word.replace("º", "").replace("°", ""))
        word = "".join(c for c in word if not unicodedata.combining(c))
    if len(word) < 2 or word in _STOP:
        return None
    return word


#: token -> indexed term (or None), filled as tokens are met; cleared when it grows past
#: :data:`_TERM_CACHE_SIZE` so text full of unique tokens (serial numbers) cannot grow it forever.
_TERMS: dict[str, Optional[str]] = {}
_TERM_CACHE_SIZE = 500_000


def term(token: str) -> Optional[str]:
    """The indexed term of one token (``_stem(kept_word(token))``), or ``None``; one dict look-up once seen.

    Building an index turns every token of every record into a term; most
    tokens repeat, so caching the whole token-to-term step makes it a dict
    look-up instead of a lower/normalise/stop/stem chain.
    """
    found = _TERMS.get(token, _UNSEEN)
    if found is _UNSEEN:
        word = kept_word(token)
        found = _stem(word) if word is not None else None
        if len(_TERMS) >= _TERM_CACHE_SIZE:
            _TERMS.clear()
        _TERMS[token] = found
    return found


_UNSEEN = object()


def terms(text: Optional[str]) -> list[str]:
    """The index terms of ``text`` in order, exactly ``[_stem(w) for _, _, w in words(text)]``."""
    if not text:
        return []
    get = _TERMS.get
    out = []
    for token in _TOKEN_RE.findall(text):
        found = get(token, _UNSEEN)
        if found is _UNSEEN:
            found = term(token)
        if found is not None:
            out.append(found)
    return out
