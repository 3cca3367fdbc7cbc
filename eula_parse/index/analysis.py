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
