"""Helpers on spaCy ``Doc`` objects shared by the components: the kept text, token lookup by offset,
splitting tokens at a match edge, adding spans."""

from __future__ import annotations

from typing import Iterable, Optional

from spacy.tokens import Doc, Span


def _split_at(doc: Doc, offsets: Iterable[int]) -> None:
    """Split tokens so every offset falls on a token boundary: a match's edge may sit inside a token
    ("…/supported-devices.The" is one token to the tokenizer but a URL, a full stop and a word)."""
    cuts: dict[int, set[int]] = {}
    for offset in offsets:
        token = _token_at(doc, offset)
        if token is not None and token.idx < offset < token.idx + len(token):
            cuts.setdefault(token.i, set()).add(offset - token.idx)
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for i, points in cuts.items():
            token = doc[i]
            edges = [0, *sorted(points), len(token.text)]
            orths = [token.text[a:b] for a, b in zip(edges, edges[1:])]
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


def _text(doc: Doc) -> str:
    """``doc.text`` rebuilds the string from every token on each access; keep it once per doc."""
    text = doc.user_data.get("eula_text")
    if text is None:
        text = doc.user_data["eula_text"] = doc.text
    return text


def _inside(found: list[tuple], offset: int, doc: Doc) -> list[tuple]:
    """The ``(label, start, end, ...)`` spans a component found in a parent text that fall inside
    ``doc``, whose text is the parent's from ``offset`` on, moved to ``doc``'s offsets."""
    end = offset + len(_text(doc))
    return [(label, s - offset, e - offset, *rest) for label, s, e, *rest in found if offset <= s and e <= end]


def _token_at(doc: Doc, offset: int):
    lo, hi = 0, len(doc) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        token = doc[mid]
        if offset < token.idx:
            hi = mid - 1
        elif offset >= token.idx + len(token):
            lo = mid + 1
        else:
            return token
    return None


def _add_span(doc: Doc, label: str, start: int, end: int) -> Optional[Span]:
    span = doc.char_span(start, end, label=label)
    if span is None:
        return None
    doc.spans.setdefault(label, [])
    doc.spans[label].append(span)
    return span


class _TextKeepingTokenizer:
    """The tokenizer, keeping each doc's text for :func:`_text` (performance only).

    ``doc.text`` joins every token's text on each access, which cost a fifth of
    tagging; the tokenizer already holds the string.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["eula_text"] = text
        return doc

    def pipe(self, texts, **kwargs):
        for text in texts:
            yield self(text)

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)
