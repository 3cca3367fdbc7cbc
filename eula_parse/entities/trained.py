"""Opt-in ORG/LAW candidates from an installed trained spaCy pipeline."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from eula_parse.entities.docs import _text


class ModelCandidates:
    """ORG and LAW candidates from a trained English pipeline that happens to be installed, named by
    ``EULA_PARSE_SPACY_MODEL`` (e.g. ``en_core_web_sm``). Opt-in: it costs far more than the rules
    and its output differs between model versions; nothing requires it and nothing is downloaded."""

    def __init__(self, nlp: Language, name: str, model: str):
        self.model = spacy.load(model, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "textcat"])

    def __call__(self, doc: Doc) -> Doc:
        for ent in self.model(_text(doc)).ents:
            if ent.label_ in ("ORG", "LAW"):
                span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_, alignment_mode="contract")
                if span is not None:
                    doc.spans.setdefault(ent.label_, [])
                    doc.spans[ent.label_].append(span)
        return doc


@Language.factory("eula_model_candidates", default_config={"model": ""})
def make_model_candidates(nlp: Language, name: str, model: str) -> ModelCandidates:
    return ModelCandidates(nlp, name, model)
