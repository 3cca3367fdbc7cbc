"""The spaCy pipeline (built once per process) and :func:`tag_document`, which runs it over a tree."""

from __future__ import annotations

import os
import re
import threading
import warnings
from typing import Any, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from eula_parse.model import Document, Entity, Node, item_spans
# importing a component's module registers its factory with spaCy
from eula_parse.entities import modality, regex, rules, trained  # noqa: F401
from eula_parse.entities.definitions import _collect_definitions
from eula_parse.entities.docs import _TextKeepingTokenizer
from eula_parse.entities.normalize import (normalize_date, normalize_duration, normalize_limit, normalize_money, normalize_url,
                                           normalize_version)
from eula_parse.entities.numbers import QTITLE
from eula_parse.entities.products import ProductTagger
from eula_parse.entities.terms import TermTagger
from eula_parse.entities.xrefs import _ref_values, resolve_xref

#: Every label the tagger emits, in the order entities are reported.


LABELS = (
    "PRODUCT", "LIMIT", "DURATION", "MONEY", "LAW", "COURT", "ORG", "URL", "DATE", "VERSION",
    "XREF", "DEFINITION", "TERM",
)

#: Components that depend on the document as a whole; they run after ``nlp.pipe``.
DOCUMENT_PIPES = ("eula_products", "eula_terms")

if not Doc.has_extension("modality"):
    Doc.set_extension("modality", default=None)


_NLP: Optional[Language] = None
MODEL_ENV = "EULA_PARSE_SPACY_MODEL"


def build_nlp() -> Language:
    """A fresh pipeline: tokenizer + rule components only (no tagger/parser; nothing downloaded),
    plus ORG/LAW candidates from an installed trained pipeline if ``EULA_PARSE_SPACY_MODEL`` names one."""
    nlp = spacy.blank("en")
    nlp.add_pipe("eula_regex")
    nlp.add_pipe("eula_rules")
    model = os.environ.get(MODEL_ENV, "").strip()
    if model:
        if spacy.util.is_package(model):
            nlp.add_pipe("eula_model_candidates", config={"model": model})
        else:
            warnings.warn(f"{MODEL_ENV}={model!r} is not an installed spaCy pipeline; tagging with rules only")
    nlp.add_pipe("eula_modality")
    for name in DOCUMENT_PIPES:
        nlp.add_pipe(name)
    nlp.tokenizer = _TextKeepingTokenizer(nlp.tokenizer)
    return nlp


def get_nlp() -> Language:
    """The pipeline, built once per process."""
    global _NLP
    if _NLP is None:
        _NLP = build_nlp()
    return _NLP


def _value(label: str, span: Span, keep_units: set[str]) -> Optional[dict[str, Any]]:
    text = span.text
    if label == "URL":
        return normalize_url(text)
    if label == "MONEY":
        return normalize_money(text)
    if label == "DURATION":
        return normalize_duration(text)
    if label == "LIMIT":
        return normalize_limit(text, keep_units)
    if label == "VERSION":
        return normalize_version(text)
    if label == "DATE":
        return normalize_date(text)
    if label == "LAW":
        if span.id_.startswith("jurisdiction:"):
            return {"jurisdiction": span.id_.split(":", 1)[1]}
        return {"name": span.id_ or " ".join(text.split())}
    if label in ("ORG", "COURT"):
        return {"name": span.id_ or " ".join(text.split())}
    if label == "TERM":
        return {"term": span.id_}
    return None


def tag_document(doc: Document) -> Document:
    """Fill ``entities`` and ``modality`` on every node of ``doc`` (in place) and return it.

    One ``nlp.pipe`` pass runs the context-free components over all node texts; the
    document-dependent ones (products, defined terms) then run over the same ``Doc`` objects.
    """
    with _LOCK:  # the document pass configures the shared pipeline for this document
        return _tag(doc)


_LOCK = threading.Lock()


def _first_pass(nlp: Language, nodes: list[Node], origins: dict[str, tuple[str, int]]) -> list[Doc]:
    """The context-free components over every node text, in reading order (what ``nlp.pipe`` would do).

    A sub-item's text is a slice of its parent's (``Document.walk`` yields the parent first): components
    that offer ``from_parent`` (the regex and rule taggers, the costly part) take the spans they found
    in the parent that fall inside the slice instead of reading the text again. Checked on every agreement
    of the corpus: the same spans as reading the item on its own (bench/entities_snapshot.py)."""
    steps = [(name, pipe) for name, pipe in nlp.pipeline if name not in DOCUMENT_PIPES]
    docs: list[Doc] = []
    by_id: dict[str, Doc] = {}
    for node in nodes:
        sdoc = nlp.make_doc(node.text)
        parent_id, offset = origins.get(node.id, (None, 0))
        parent = by_id.get(parent_id) if parent_id else None
        for name, pipe in steps:
            if parent is not None and hasattr(pipe, "from_parent") and name in parent.user_data:
                pipe.from_parent(sdoc, parent, offset)
            else:
                pipe(sdoc)
        by_id[node.id] = sdoc
        docs.append(sdoc)
    return docs


def _item_origins(document: Document) -> dict[str, tuple[str, int]]:
    """Sub-item id -> (parent id, where the item's text starts in the parent's text), for every item
    whose text is found in its parent's."""
    out = {}
    for node, _parent in document.walk():
        for item, _start, end in item_spans(node.text or "", getattr(node, "items", None) or []):
            at = end - len(item.text)
            if item.text and node.text[at:end] == item.text:
                out[item.id] = (node.id, at)
    return out


def _tag(doc: Document) -> Document:
    nlp = get_nlp()
    nodes = list(doc.nodes())
    docs = _first_pass(nlp, nodes, _item_origins(doc))
    definitions = _collect_definitions(nodes, docs)
    parents = {node.id: parent.id for node, parent in doc.walk() if parent is not None}
    # A sub-item reads its references the way the clause or section it belongs to does.
    scope = {}
    for node in nodes:
        parent = parents.get(node.id)
        scope[node.id] = scope.get(parent, parent) if getattr(node, "kind", "") == "item" else node.id
    products: ProductTagger = nlp.get_pipe("eula_products")
    terms: TermTagger = nlp.get_pipe("eula_terms")
    products.configure(doc, definitions)
    terms.configure(definitions, [(node.id, parents.get(node.id)) for node in nodes])
    keep_units = {d.term for d in definitions}
    by_node = {}
    for d in definitions:
        by_node.setdefault((d.node_index, d.start), d)
    for index, (node, sdoc) in enumerate(zip(nodes, docs)):
        sdoc.user_data["eula_node_index"] = index
        products(sdoc)
        terms(sdoc)
        entities: list[Entity] = []
        tagged = set(sdoc.spans.keys())
        for label in LABELS:
            if label not in tagged:
                continue
            for span in filter_spans(sdoc.spans[label]):
                if label == "ORG" and span.text in keep_units:
                    continue  # a party's defined short name ("Esri") is a TERM; its full name stays ORG
                value = _value(label, span, keep_units)
                target: Any = None
                if label == "XREF":
                    home = scope.get(node.id, node.id)
                    target = resolve_xref(span.text, home, doc, parents.get(home))
                    if target is None and home != node.id:
                        target = resolve_xref(span.text, node.id, doc, parents.get(node.id))
                    title = re.search(QTITLE, span.text)
                    value = {"title": title.group("title")} if title else {"refs": _ref_values(span.text)}
                elif label in ("PRODUCT", "TERM"):
                    target = span.kb_id_ or None
                elif label == "DEFINITION":
                    found = by_node.get((index, span.start_char))
                    value = {"term": found.term, "definition": found.definition} if found else {"term": span.text}
                entities.append(Entity(label, node.text[span.start_char:span.end_char], span.start_char, span.end_char,
                                       value, target))
        entities.sort(key=lambda e: (e.start, LABELS.index(e.label), -e.end))
        node.entities = entities
        node.modality = list(sdoc._.modality or [])
    return doc
