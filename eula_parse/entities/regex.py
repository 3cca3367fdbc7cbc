"""The character-pattern component (``regex.jsonl``)."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from eula_parse.entities.data import _regex_patterns
from eula_parse.entities.prefilter import holds, lowered
from eula_parse.entities.docs import _add_span, _inside, _split_at, _text
from eula_parse.entities.normalize import _np_end


_URL_TAIL = re.compile(r"[.,;:!?'’”)\]]+$")
_NUMERIC = {"DURATION", "MONEY", "VERSION", "DATE", "XREF", "URL"}


class RegexTagger:
    """Character-level patterns (``regex.jsonl``): URL, MONEY, DURATION, VERSION, DATE, LIMIT, XREF,
    DEFINITION. A LIMIT pattern matches the quantity; the counted noun phrase is then read word by word
    (``_np_end``) because where it stops ("computers | designated as ...") is not a regular language."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = _text(doc)
        found: list[tuple[str, int, int]] = []
        present: dict[re.Pattern, bool] = {}
        lower, seen = lowered(text), {}
        for compiled in _regex_patterns():
            row, pattern, needs, label = compiled.row, compiled.pattern, compiled.needs, compiled.row["label"]
            if not holds(compiled.hints, text, lower, seen):
                continue  # the text lacks a word every match of the pattern contains
            if needs is not None:
                if needs not in present:
                    present[needs] = holds(compiled.needs_hints, text, lower, seen) and needs.search(text) is not None
                if not present[needs]:
                    continue
            for match in pattern.finditer(text):
                start, end = match.span(row.get("span", 0))
                if row.get("trim") == "url":
                    cut = re.search(r"\.(?=[A-Z][a-z])", text[start:end])
                    if cut and "/" in text[start:start + cut.start()]:
                        end = start + cut.start()
                    end = start + len(_URL_TAIL.sub("", text[start:end]))
                if row.get("np"):
                    if match.group("pct") if "pct" in pattern.groupindex else False:
                        end = len(text[:end].rstrip())
                    else:
                        np_end = _np_end(text, end)
                        if np_end is None or (start > 0 and _is_name_number(text, start)):
                            continue
                        amount = match.groupdict().get("amount") or ""
                        if re.fullmatch(r"(?:19|20)\d\d", amount) and text[end:end + 1].isupper():
                            continue  # "2007 Microsoft Office System": a year in a name
                        end = np_end
                if label == "DEFINITION":
                    end = start + len(text[start:end].rstrip("’' "))
                while end > start and text[end - 1].isspace():
                    end -= 1
                near = row.get("unless_near")
                if near and re.search(near, text[max(0, start - 60):end + 60]):
                    continue  # "Section 12.212 of 48 C.F.R.": someone else's section
                if end > start:
                    found.append((label, start, end))
        numeric = [(s, e) for label, s, e in found if label in _NUMERIC]
        found = [
            (label, s, e) for label, s, e in found
            if label != "LIMIT" or not any(s < ne and ns < e for ns, ne in numeric)
        ]
        return self._apply(doc, found)

    def from_parent(self, doc: Doc, parent: Doc, offset: int) -> Doc:
        """Tag ``doc``, whose text is ``parent``'s from ``offset`` on (a sub-item in its clause), with the
        spans this component found in ``parent`` that fall inside it: the text is not read twice."""
        return self._apply(doc, _inside(parent.user_data[self.name], offset, doc))

    def _apply(self, doc: Doc, found: list[tuple[str, int, int]]) -> Doc:
        doc.user_data[self.name] = found
        _split_at(doc, {o for _, s, e in found for o in (s, e)})
        for label, start, end in found:
            _add_span(doc, label, start, end)
        return doc


def _is_name_number(text: str, start: int) -> bool:
    """"SQL Server 2022 Express Edition", "Windows 10 devices": a number right after a capitalised word
    is part of a name, not a count."""
    before = re.search(r"(\S+)\s+$", text[max(0, start - 40):start])
    return bool(before and before.group(1)[:1].isupper() and before.group(1).isalpha()
                and before.group(1).lower() not in STOP_WORDS)


@Language.factory("eula_regex")
def make_regex_tagger(nlp: Language, name: str) -> RegexTagger:
    return RegexTagger(nlp, name)
