"""Defined terms: what each DEFINITION span defines and what it stands for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc
from spacy.util import filter_spans

from eula_parse.model import Node
from eula_parse.entities.docs import _text


_COMPANY_SUFFIX = re.compile(r"(?<!\w)(?:A/S|ApS|Inc\.?|Ltd\.?|LLC|GmbH|AG|AB|plc|Corp\.?|Corporation|Limited|S\.A\.|B\.V\.)$")


@dataclass
class Definition:
    term: str
    node_id: str
    node_index: int
    start: int
    end: int
    definition: str
    kind: str


_BACK_STOP = {"and", "for", "of", "as", "by", "with", "under", "in", "on", "to", "from", "where", "which", "that", "is", "are",
              "be", "was", "were", "between", "using", "via", "including", "called", "named"}
_LEADING = {"the", "this", "a", "an", "any", "such", "each", "its", "your", "our", "and", "or", "their"}


def _definiens(text: str, start: int, end: int) -> str:
    """What a defined term stands for: the phrase before "(“Term”)", or the text after "means"."""
    opening = text.rfind("(", 0, start)
    prefix = r"\(\s*(?:the\s+|hereinafter(?:\s+referred\s+to\s+as)?\s+|each\s+an?\s+|together\s+the\s+|collectively\s+)?[“\"]"
    if opening != -1 and re.fullmatch(prefix, text[opening:start]):
        pieces = re.split(r"[,;:()]|\.\s", text[:opening].rstrip())
        segment = pieces[-1]
        if _COMPANY_SUFFIX.fullmatch(segment.strip()) and len(pieces) > 1:
            segment = pieces[-2] + "," + segment  # "Environmental Systems Research Institute, Inc."
        words = segment.split()
        phrase: list[str] = []
        for word in reversed(words[-14:]):
            if word.lower() in _BACK_STOP:
                break
            phrase.insert(0, word)
        while phrase and phrase[0].lower() in _LEADING:
            phrase.pop(0)
        return " ".join(phrase)
    after = text[end:]
    verb = re.match(r"[’'”\"]*\s+(?:shall\s+mean|means|shall\s+include|includes?|refers?\s+to|shall\s+have\s+the\s+meaning)\s+", after)
    rest = after[verb.end():] if verb else after
    stop = re.search(r"[.;](?:\s|$)|,\s+where\b", rest)
    return rest[: stop.start() if stop else 300].strip()


def _collect_definitions(nodes: list[Node], docs: list[Doc]) -> list[Definition]:
    out = []
    for index, (node, doc) in enumerate(zip(nodes, docs)):
        for span in filter_spans(doc.spans["DEFINITION"]) if "DEFINITION" in doc.spans else ():
            term = span.text.strip("’'\" ")
            if not term:
                continue
            text = _text(doc)
            kind = "parenthetical" if text.rfind("(", 0, span.start_char) > text.rfind(")", 0, span.start_char) else "inline"
            out.append(Definition(term, node.id, index, span.start_char, span.end_char,
                                  _definiens(text, span.start_char, span.end_char), kind))
    return out
