"""The phrase and token pattern component (``rules.jsonl``): ORG, LAW, COURT."""

from __future__ import annotations

from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from eula_parse.entities.data import _read_jsonl


class RuleTagger:
    """ORG, LAW and COURT from ``rules.jsonl``: names as phrases (``PhraseMatcher``), shapes as token
    patterns (``Matcher``) such as "<Capitalised words> Court of <Place>" or "<Name>, Inc.".

    Token patterns are anchored on their keyword ("Court", "Inc.", "Declaration"); the capitalised
    words of the name before the keyword are taken here (pattern id ``extend_left:<min words>``),
    because a leading "one or more capitalised tokens" would start a partial match at every
    capitalised token of every clause. For the same reason the ``Matcher`` only runs on texts that
    contain one of the anchors at all, from the first one on. A bracketed acronym after an organisation is an ORG too
    ("Office of Foreign Assets Control (OFAC)"); a leading article is dropped."""

    def __init__(self, nlp: Language, name: str):
        self.phrases = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.matcher = Matcher(nlp.vocab)
        anchors: dict[str, set[int]] = {"ORTH": set(), "LOWER": set()}
        anchored = True
        for n, row in enumerate(_read_jsonl("rules.jsonl")):
            key = f"{row['label']}|{row.get('id', '')}|{n}"
            if isinstance(row["pattern"], str):
                self.phrases.add(key, [nlp.make_doc(row["pattern"])])
                continue
            self.matcher.add(key, [row["pattern"]])
            first = row["pattern"][0]
            anchored = anchored and first.get("OP") is None and ("ORTH" in first or "LOWER" in first)
            for attr in ("ORTH", "LOWER"):
                values = first.get(attr)
                if values is not None:
                    values = values["IN"] if isinstance(values, dict) else [values]
                    anchors[attr].update(nlp.vocab.strings.add(v) for v in values)
        self.anchors = anchors
        #: every token pattern starts with one required anchor word, so no match starts before the first one
        self.anchored = anchored

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.phrases(doc))
        if len(doc):
            orths, lowers = doc.to_array(ORTH).tolist(), doc.to_array(LOWER).tolist()
            if not self.anchors["ORTH"].isdisjoint(orths) or not self.anchors["LOWER"].isdisjoint(lowers):
                first = 0
                if self.anchored:  # the Matcher's cost grows with the tokens it walks: start at the first anchor
                    first = next(i for i, (orth, lower) in enumerate(zip(orths, lowers))
                                 if orth in self.anchors["ORTH"] or lower in self.anchors["LOWER"])
                matches += [(match_id, start + first, end + first)
                            for match_id, start, end in self.matcher(doc[first:])]
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
            doc.spans.setdefault(label, [])
            doc.spans[label].append(span)
            if label == "ORG" and end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" \
                    and doc[end + 1].is_upper and len(doc[end + 1]) > 1:
                doc.spans["ORG"].append(Span(doc, end + 1, end + 2, label="ORG", span_id=span_id or span.text))
        return doc


def _capitalised(token, glued: bool = False) -> bool:
    """A word of a proper name: capitalised, not a function word, followed by a space (or a comma)."""
    return bool(token.text[:1].isupper() and (token.whitespace_ or glued) and token.lower_ not in STOP_WORDS
                and not token.is_punct)


@Language.factory("eula_rules")
def make_rule_tagger(nlp: Language, name: str) -> RuleTagger:
    return RuleTagger(nlp, name)
