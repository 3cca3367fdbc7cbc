"""TERM: later uses of the document's defined terms (document-dependent)."""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.attrs import IDX, LENGTH, ORTH, SPACY
from spacy.tokens import Doc, Span

from eula_parse.entities.definitions import Definition
from eula_parse.entities.docs import _text
from eula_parse.entities.numbers import _singular
from eula_parse.entities.products import _is_name_token


_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"|(?<!\w)‘[^‘’]*’(?!\w)")


class TermTagger:
    """Later uses of the document's defined terms (TERM, target = the defining node). Capitalised terms
    count everywhere; lower-case ones ("designated system") only after their definition in its node and
    in later clauses of the same product, where an ordinary word would otherwise be mistaken for them."""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.matcher: Optional[PhraseMatcher] = None
        self.definitions: dict[str, Definition] = {}
        self.nodes: list[tuple[str, Optional[str]]] = []

    def configure(self, definitions: list[Definition], nodes: list[tuple[str, Optional[str]]]) -> None:
        """``nodes``: (id, parent id) of every node, in the order the documents are tagged."""
        self.definitions, self.nodes = {}, nodes
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for definition in definitions:
            if definition.term in self.definitions or definition.term.lower() in STOP_WORDS:
                continue  # "You"/"Your" are defined in some agreements; tagging every "you" says nothing
            self.definitions[definition.term] = definition
            term = definition.term
            variants = {term, term + "s", term + "es" if re.search(r"(s|x|ch|sh)$", term) else term + "s"}
            if term.endswith("s"):
                variants.add(_singular(term))
            self.matcher.add(term, [self.nlp.make_doc(v) for v in variants])

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        if not self.matcher or not self.definitions:
            doc.spans["TERM"] = spans
            return doc
        index = doc.user_data.get("eula_node_index", -1)
        node_id, parent = self.nodes[index] if 0 <= index < len(self.nodes) else ("", None)
        raw = [(self.nlp.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        if not raw:
            doc.spans["TERM"] = spans
            return doc
        inner = _contained({(s, e) for _, s, e in raw})
        raw = [(t, s, e) for t, s, e in raw if (s, e) not in inner]
        covered = {i for _, s, e in raw for i in range(s, e)}
        # quotations and the definitions themselves: a term there is being defined or named, not used
        text = _text(doc)
        fenced = [m.span() for m in _QUOTED.finditer(text)] if "“" in text or '"' in text or "‘" in text else []
        if "DEFINITION" in doc.spans:
            fenced += [(s.start_char, s.end_char) for s in doc.spans["DEFINITION"]]
        inside = _Fences(fenced)
        # token offsets, lengths, trailing spaces and words read from one array: a Token object per look
        # is what this loop cost (a long clause holds hundreds of uses of "Esri" or "Software")
        table = doc.to_array([IDX, LENGTH, SPACY, ORTH])
        hyphen = self.nlp.vocab.strings["-"]

        def starts(i: int) -> int:
            return table.item(i, 0)

        def spaced(i: int) -> bool:
            return table.item(i, 2) == 1

        def hyphen_at(i: int) -> bool:
            return table.item(i, 3) == hyphen
        names: dict[int, bool] = {}

        def name_at(i: int) -> bool:
            if i not in names:
                names[i] = _is_name_token(doc[i])
            return names[i]

        for term, start, end in raw:
            start_char, end_char = starts(start), starts(end - 1) + table.item(end - 1, 1)
            definition = self.definitions[term]
            if inside(start_char, end_char):
                continue
            if (start > 0 and hyphen_at(start - 1) and not spaced(start - 1)) or \
                    (end < len(doc) and hyphen_at(end) and not spaced(end - 1)):
                continue
            if term[:1].islower() and not self._in_scope(definition, index, node_id, parent, start_char):
                continue
            left, right = start, end
            while left > 0 and name_at(left - 1) and spaced(left - 1):
                left -= 1
            while right < len(doc) and name_at(right) and spaced(right - 1):
                right += 1
            if any(i not in covered for i in range(left, right)):
                continue
            if left >= 3 and hyphen_at(left - 2) and not spaced(left - 2) \
                    and not spaced(left - 3) and doc[left - 3].text[:1].isupper():
                continue  # "End-user License Agreement": the term ends a longer hyphenated name
            spans.append(Span(doc, start, end, label="TERM", kb_id=definition.node_id, span_id=term))
        doc.spans["TERM"] = spans
        return doc

    def _in_scope(self, definition: Definition, index: int, node_id: str, parent: Optional[str], start: int) -> bool:
        if index == definition.node_index:
            return start >= definition.end
        def_parent = self.nodes[definition.node_index][1] if definition.node_index < len(self.nodes) else None
        return bool(parent and parent == def_parent and parent.startswith("product/") and index > definition.node_index)


class _Fences:
    """Whether a stretch of text lies inside one of some spans: by bisection over their starts, with the
    furthest end reached so far, instead of a pass over all spans for every use of a term."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach = list(itertools.accumulate((b for _, b in spans), max))

    def __call__(self, start: int, end: int) -> bool:
        n = bisect.bisect_right(self.starts, start)  # the spans that start at or before ``start``
        return n > 0 and self.reach[n - 1] >= end


def _contained(spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spans that lie inside another, longer one. Sorted by start, the longer first, a span is inside
    another exactly when an earlier one reaches at least as far (one pass instead of all pairs)."""
    inner, reach = set(), -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if reach >= end:
            inner.add((start, end))
        reach = max(reach, end)
    return inner


@Language.factory("eula_terms")
def make_term_tagger(nlp: Language, name: str) -> TermTagger:
    return TermTagger(nlp, name)
