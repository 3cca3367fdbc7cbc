"""URLs a line end broke, and where a reader rejoins them without a space.

A word processor breaks a URL too long for the line wherever it must: inside the
scheme ("htt" / "ps://"), after a slash ("legal/" / "eula"), inside a word of
the path ("sql-s" / "erver-downloads"). Joining the lines with a space would cut
the URL in two, so the search index, the differ and the URL entities would see
two strings. The line end alone cannot tell a broken URL from a URL followed
by the next word; what the two pieces look like can: the scheme's letters, a
path piece after a slash, a slug ("erver-downloads") continuing a slug.
"""

from __future__ import annotations

import re

#: The last token of a line is (the start of) a URL.
_URL = re.compile(r"(?:https?://|www\.)\S*$|\b[\w-]+\.[a-z]{2,}/\S*$", re.I)
_SCHEMES = ("https://", "http://", "www.")
_OPENING = "(<[\"“‘'"
_CLOSING = ".,;:!?)]>\"”’'"
#: A piece of path or query: word characters joined by URL separators ("b/c.html", "a=1&b=2").
_PATH_PIECE = re.compile(r"[a-z0-9][\w~%]*(?:[/.?#=&_-][\w~%]+)+/?", re.I)
#: A piece of a slug: words joined by hyphens or underscores ("erver-downloads").
_SLUG = re.compile(r"[a-z0-9][\w~%]*(?:[-_][\w~%]+)+/?", re.I)
#: A file name or host ending ("c.html", "example.com").
_SUFFIX = re.compile(r"\.[a-z]{2,5}/?$", re.I)
#: Words that follow a URL in a sentence; a one-word piece after a slash is not one of them.
_SENTENCE_WORDS = frozenset(
    "a an and as at by for from if in is it of on or that the then to which with where when".split()
)


def _scheme_broken(last: str, first: str) -> bool:
    """"htt" + "ps://example.com": the line ended inside the scheme."""
    head = last.lstrip(_OPENING).lower()
    if not head or any(head.startswith(s) for s in _SCHEMES):
        return False
    joined = head + first.lower()
    return any(s.startswith(head) and joined.startswith(s) and len(joined) > len(s) for s in _SCHEMES)


def continues(last: str, first: str) -> bool:
    """Does ``first``, the first token of a line, continue the URL that ``last`` ended the line before with?"""
    if _scheme_broken(last, first):
        return True
    if not _URL.search(last) or last.endswith(tuple(_CLOSING.replace(".", ""))):
        return False
    if last.endswith("-"):
        return True
    piece = first.rstrip(_CLOSING)
    if not piece or not (piece[0].islower() or piece[0].isdigit()):
        return False  # a capital starts the next sentence or a name ("…/license/" + "Oracle")
    if last.endswith(("/", "_", "=", "&", "?", ".")) and _PATH_PIECE.fullmatch(piece):
        return True
    if last.endswith("/"):
        # "legal/" + "eula": one word after a slash is the path's last piece, unless the
        # sentence goes on ("see https://example.com/ for details").
        return piece.isascii() and piece.replace("-", "").replace("_", "").isalnum() and piece.lower() not in _SENTENCE_WORDS
    path = last.split("://", 1)[-1]
    if "/" not in path or not _PATH_PIECE.fullmatch(piece):
        return False
    # broken inside a path segment: "downloads/sq" + "l/server", "lic" + "ense.html", "sql-s" + "erver-downloads"
    segment = path.rsplit("/", 1)[-1]
    return "/" in piece or bool(_SUFFIX.search(piece)) or (bool(re.search(r"[-_]", segment)) and bool(_SLUG.fullmatch(piece)))
