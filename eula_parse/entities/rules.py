"""The phrase and token pattern component (``rules.jsonl``): ORG, LAW, COURT."""

from __future__ import annotations

import re
from typing import Optional

from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from eula_parse.entities.data import _read_jsonl
from eula_parse.entities.docs import _inside


class RuleTagger:
    """ORG, LAW and COURT from ``rules.jsonl``: names as phrases (``PhraseMatcher``), shapes as token
    patterns (``Matcher``) such as "<Capitalised words> Court of <Place>" or "<Name>, Inc.".

    Token patterns are anchored on their keyword ("Court", "Inc.", "Declaration"); the capitalised
    words of the name before the keyword are taken here (pattern id ``extend_left:<min words>``),
    because a leading "one or more capitalised tokens" would start a partial match at every
    capitalised token of every clause. For the same reason the ``Matcher`` only runs on texts that
    contain one of the anchors at all, and only from each anchor as far as a match could reach. A
    bracketed acronym after an organisation is an ORG too ("Office of Foreign Assets Control (OFAC)");
    a leading article is dropped."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.phrases = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.matcher = Matcher(nlp.vocab)
        anchors: dict[str, set[int]] = {"ORTH": set(), "LOWER": set()}
        anchored, inner = True, []
        for n, row in enumerate(_read_jsonl("rules.jsonl")):
            key = f"{row['label']}|{row.get('id', '')}|{n}"
            if isinstance(row["pattern"], str):
                self.phrases.add(key, [nlp.make_doc(row["pattern"])])
                continue
            self.matcher.add(key, [row["pattern"]])
            first = row["pattern"][0]
            anchored = anchored and first.get("OP") is None and ("ORTH" in first or "LOWER" in first)
            inner += row["pattern"][1:]
            for attr in ("ORTH", "LOWER"):
                values = first.get(attr)
                if values is not None:
                    values = values["IN"] if isinstance(values, dict) else [values]
                    anchors[attr].update(nlp.vocab.strings.add(v) for v in values)
        self.anchors = anchors
        #: every token pattern starts with one required anchor word, and the words that can follow it are
        #: known (:class:`_Continuation`): the Matcher then only walks the stretches that start at an anchor
        self.continues = _Continuation.read(inner, nlp.vocab.strings) if anchored else None

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.phrases(doc))
        added: list[Span] = []
        if len(doc):
            orths, lowers = doc.to_array(ORTH).tolist(), doc.to_array(LOWER).tolist()
            if not self.anchors["ORTH"].isdisjoint(orths) or not self.anchors["LOWER"].isdisjoint(lowers):
                for first, last in self._stretches(doc, orths, lowers):
                    matches += [(match_id, start + first, end + first)
                                for match_id, start, end in self.matcher(doc[first:last])]
        for match_id, start, end in matches:
            label, span_id, _ = doc.vocab.strings[match_id].split("|")
            if span_id.startswith("extend_left:"):
                need, span_id, anchor = int(span_id.split(":")[1]), "", start
                if start > 1 and doc[start - 1].text == "," and _capitalised(doc[start - 2], glued=True):
                    start -= 2
                while start > 0 and _capitalised(doc[start - 1]):
                    start -= 1
                if anchor - start < need:
                    continue
            while start < end and doc[start].lower_ in ("the", "a", "an"):
                start += 1
            if start >= end:
                continue
            span = Span(doc, start, end, label=label, span_id=span_id)
            added.append(span)
            if label == "ORG" and end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" \
                    and doc[end + 1].is_upper and len(doc[end + 1]) > 1:
                added.append(Span(doc, end + 1, end + 2, label="ORG", span_id=span_id or span.text))
        return self._apply(doc, [(span.label_, span.start_char, span.end_char, span.id_) for span in added])

    def from_parent(self, doc: Doc, parent: Doc, offset: int) -> Doc:
        """Tag ``doc``, whose text is ``parent``'s from ``offset`` on (a sub-item in its clause), with the
        spans this component found in ``parent`` that fall inside it: the text is not read twice."""
        return self._apply(doc, _inside(parent.user_data[self.name], offset, doc))

    def _apply(self, doc: Doc, found: list[tuple[str, int, int, str]]) -> Doc:
        doc.user_data[self.name] = found
        for label, start, end, span_id in found:
            span = doc.char_span(start, end, label=label, span_id=span_id)
            if span is not None:
                doc.spans.setdefault(label, [])
                doc.spans[label].append(span)
        return doc


    def _stretches(self, doc: Doc, orths: list[int], lowers: list[int]) -> list[tuple[int, int]]:
        """Token ranges that hold every match: from each anchor as far as the words can continue a match
        (the Matcher's cost grows with the tokens it walks; a clause of 3,000 tokens has a few anchors).
        Without a known continuation, the whole text."""
        if self.continues is None:
            return [(0, len(doc))]
        out: list[tuple[int, int]] = []
        for i, (orth, lower) in enumerate(zip(orths, lowers)):
            if out and i < out[-1][1] or not (orth in self.anchors["ORTH"] or lower in self.anchors["LOWER"]):
                continue  # not an anchor, or inside the stretch of an earlier one
            end = i + 1
            while end < len(doc) and self.continues(doc, end, orths[end], lowers[end]):
                end += 1
            out.append((i, end))
        return out


class _Continuation:
    """Whether a token can be a later token of some pattern's match: it meets at least one of the token
    specifications after the first (words, word lists, a regex on the text, title case). Read from
    the patterns; ``None`` when a specification says something this does not read (then the Matcher
    walks the whole text, as before)."""

    def __init__(self):
        self.orths: set[int] = set()
        self.lowers: set[int] = set()
        self.regexes: list[re.Pattern] = []
        self.title = False

    @classmethod
    def read(cls, specs: list[dict], strings) -> Optional["_Continuation"]:
        out = cls()
        for spec in specs:
            tests = {key: value for key, value in spec.items() if key != "OP"}
            if spec.get("OP") == "!" or not tests:
                return None  # a negated or empty specification accepts almost any token
            key, value = next(iter(tests.items()))  # meeting one of a spec's tests is necessary for meeting all
            if key == "IS_TITLE" and value is True:
                out.title = True
            elif key in ("ORTH", "TEXT", "LOWER") and isinstance(value, str):
                (out.lowers if key == "LOWER" else out.orths).add(strings.add(value))
            elif key in ("ORTH", "TEXT", "LOWER") and isinstance(value, dict) and set(value) == {"IN"}:
                (out.lowers if key == "LOWER" else out.orths).update(strings.add(v) for v in value["IN"])
            elif key in ("ORTH", "TEXT") and isinstance(value, dict) and set(value) == {"REGEX"}:
                out.regexes.append(re.compile(value["REGEX"]))
            else:
                return None
        return out

    def __call__(self, doc: Doc, i: int, orth: int, lower: int) -> bool:
        if orth in self.orths or lower in self.lowers:
            return True
        token = doc[i]
        return (self.title and token.is_title) or any(regex.search(token.text) for regex in self.regexes)


def _capitalised(token, glued: bool = False) -> bool:
    """A word of a proper name: capitalised, not a function word, followed by a space (or a comma)."""
    return bool(token.text[:1].isupper() and (token.whitespace_ or glued) and token.lower_ not in STOP_WORDS
                and not token.is_punct)


@Language.factory("eula_rules")
def make_rule_tagger(nlp: Language, name: str) -> RuleTagger:
    return RuleTagger(nlp, name)
