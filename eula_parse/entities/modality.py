"""The modality component: the deontic force of a clause (``modality.jsonl``, ``modality.json``)."""

from __future__ import annotations

import json
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.attrs import LOWER
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from eula_parse.entities.data import PATTERNS, _read_jsonl


class ModalityTagger:
    """The deontic force of a clause: ``permission`` ("may"), ``obligation`` ("must", "shall", "you agree"),
    ``prohibition`` ("may not", "shall not"), ``restriction`` ("may only"), ``disclaimer`` ("disclaims",
    "as is", "no liability"). Fixed phrases come from ``modality.jsonl``; a modal verb is read with what
    follows it, skipping asides ("may, with the exceptions stated in paragraph 6 below, only be ...")."""

    def __init__(self, nlp: Language, name: str):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        #: cue key -> (word that must come earlier, how many tokens back): "liability ... shall be limited"
        self.context: dict[str, tuple[str, int]] = {}
        for n, row in enumerate(_read_jsonl("modality.jsonl")):
            key = f"{row['label']}:{n}"
            self.matcher.add(key, list(nlp.tokenizer.pipe(row["phrases"])))
            if row.get("after"):
                self.context[key] = (row["after"], row.get("window", 20))
        config = json.loads((PATTERNS / "modality.json").read_text(encoding="utf-8"))
        self.modals: dict[str, str] = config["modals"]
        #: the modal verbs by their lower-case hash: one array lookup finds them without making a Token per word
        self.modal_ids = {nlp.vocab.strings.add(word): kind for word, kind in self.modals.items()}
        self.negations = set(config["negations"])
        self.restrictive = set(config["restrictive"])
        self.skip = set(config["skip_after_modal"])
        self.epistemic = set(config["epistemic_verbs"])
        self.epistemic_after_be = set(config["epistemic_after_be"])
        self.relative = set(config["relative_markers"])
        self.declarative = set(config["declarative_after_be"])
        self.complement_heads = set(config["complement_heads"])
        self.definitional = set(config["definitional_verbs"])

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, str]] = []
        cues = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key in self.context:
                word, window = self.context[key]
                if word not in {t.lower_ for t in doc[max(0, start - window):start]}:
                    continue
            cues.append(Span(doc, start, end, label=key.split(":")[0]))
        cues = filter_spans(cues)
        covered = {i for span in cues for i in range(span.start, span.end)}
        found.extend((span.start, span.label_) for span in cues)
        lowers = doc.to_array(LOWER).tolist() if len(doc) else []
        for i, lower in enumerate(lowers):
            kind = self.modal_ids.get(lower)
            if kind is None or i in covered:
                continue
            reading = self._read_modal(doc, i, kind)
            if reading:
                found.append((i, reading))
        seen: list[str] = []
        for _, kind in sorted(found):
            if kind not in seen:
                seen.append(kind)
        doc._.modality = seen
        return doc

    def _read_modal(self, doc: Doc, i: int, kind: str) -> Optional[str]:
        window = doc[max(0, i - 3):i]
        if any(t.is_punct for t in window):
            window = window[-1:]
        for t in window:
            # "software updates that Microsoft may release" is not what the clause grants or requires;
            # "you acknowledge the requirement that the Product may only be used" is
            if t.lower_ in self.relative and not (t.i > 0 and doc[t.i - 1].lower_ in self.complement_heads):
                return None
        j = i + 1
        while j < len(doc):
            token = doc[j]
            if token.text == ",":
                close = next((k for k in range(j + 1, min(len(doc), j + 30)) if doc[k].text == ","), None)
                if close is None:
                    break
                j = close + 1
            elif token.lower_ in self.skip:
                j += 1
            else:
                break
        if j >= len(doc):
            return None
        word = doc[j].lower_
        if word == "be" and j + 1 < len(doc) and doc[j + 1].lower_ in self.declarative:
            return None  # "the forum shall be the City Court": a stipulation, not a duty
        if kind == "obligation" and word in self.definitional:
            return None  # "“designated system” shall mean ...": a definition
        if word in self.negations:
            if kind == "permission" and self._epistemic(doc, j + 1):
                return None
            return "prohibition"
        if word in self.restrictive:
            return "restriction"
        if kind == "permission" and self._epistemic(doc, j):
            return None
        return kind

    def _epistemic(self, doc: Doc, j: int) -> bool:
        """"may contain errors", "may not be fully functional": possibility, not permission."""
        if j >= len(doc):
            return False
        word = doc[j].lower_
        if word in self.epistemic:
            return True
        if word == "be" and j + 1 < len(doc):
            k = j + 1
            while k + 1 < len(doc) and doc[k].lower_.endswith("ly") and doc[k].lower_ not in self.epistemic_after_be:
                k += 1  # "may be remotely operated"
            nxt = doc[k].lower_
            return nxt in self.epistemic_after_be or (not nxt.endswith(("ed", "en", "wn", "ld", "nt")) and nxt not in (
                "run", "made", "sold", "given", "held", "done", "built", "taken", "granted", "installed", "used"))
        return False


@Language.factory("eula_modality")
def make_modality_tagger(nlp: Language, name: str) -> ModalityTagger:
    return ModalityTagger(nlp, name)
