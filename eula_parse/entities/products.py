"""PRODUCT: a gazetteer built from the document's own product and group headings (document-dependent)."""

from __future__ import annotations

import re
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.attrs import ORTH
from spacy.tokens import Doc, Span

from eula_parse.model import Document, slugify
from eula_parse.entities.definitions import _COMPANY_SUFFIX, Definition
from eula_parse.entities.numbers import _singular


_MARKS = re.compile(r"[®™©º°]|\bTM\b")
#: a word and the trade mark written after it ("XProtect®", "IVO ™")
_MARKED = re.compile(r"(\S+?)\s?([®™])")
_TM_TOKENS = {"®", "™", "©", "TM"}


_TRADEMARKS = re.compile(r"[®™©]|\bTM\b")


def _clean_name(name: str, vendor: Optional[str]) -> str:
    """Heading -> gazetteer name: trade marks and the vendor go ("360º" stays: the text spells it so)."""
    name = " ".join(_TRADEMARKS.sub(" ", name).split())
    if vendor and name.startswith(vendor + " "):
        name = name[len(vendor) + 1:]
    return name


def _vendor(document: Document) -> Optional[str]:
    """The licensor's name as it leads product headings: the first word that the node ids drop."""
    votes: dict[str, int] = {}
    for product in document.products:
        first = product.name.split()[0] if product.name.split() else ""
        clean = _MARKS.sub("", first)
        if clean and not product.id.split("/", 1)[1].startswith(slugify(clean)):
            votes[clean] = votes.get(clean, 0) + 1
    return max(votes, key=votes.get) if votes else None


def _is_name_token(token) -> bool:
    text = token.text
    if text in _TM_TOKENS or text == "+":
        return True
    if token.lower_ in STOP_WORDS:
        return False
    return bool(text[:1].isupper() or (re.search(r"\d", text) and re.fullmatch(r"[\w+º]+", text) and not text.isdigit()))


class ProductTagger:
    """PRODUCT mentions, from a gazetteer built out of the parsed document (see ``configure``) plus runs led
    by one of the document's product brands ("XProtect Essential+", "Milestone Husky NVR")."""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.matcher: Optional[PhraseMatcher] = None
        self.marked: set[tuple[str, str]] = set()
        self.entries: dict[str, dict[tuple[str, ...], Optional[str]]] = {"product": {}, "group": {}, "other": {}}
        self.brands: set[str] = set()
        self.vendor: Optional[str] = None

    # -- gazetteer -----------------------------------------------------------
    def _key(self, text: str) -> tuple[str, ...]:
        return tuple(t.lower_ for t in self.nlp.make_doc(text) if t.text not in _TM_TOKENS)

    def configure(self, document: Document, definitions: list[Definition]) -> None:
        """Gazetteer: every product and group heading without the vendor and trade marks, a product's
        distinctive short form (heading cut at its first lower-case word: "Husky IVO"), brackets a
        product's own intro puts after its name ("(Milestone Software Development Kit Tools)"), and
        defined terms whose definition names a product ("Download Manager", "MIP SDK")."""
        self.vendor = _vendor(document)
        self.entries = {"product": {}, "group": {}, "other": {}}
        #: (word, mark) pairs the document writes ("XProtect®", "IVO™"): the only places a name needs a variant
        self.marked = {(m.group(1).lower(), m.group(2)) for node in document.nodes()
                       if "®" in node.text or "™" in node.text for m in _MARKED.finditer(node.text)}
        firsts: dict[str, int] = {}
        for group in document.groups:
            clean = _clean_name(group.name, self.vendor)
            if clean:
                self.entries["group"][self._key(clean)] = group.id
                firsts[clean.split()[0]] = firsts.get(clean.split()[0], 0) + 1
            for product in group.products:
                clean = _clean_name(product.name, self.vendor)
                if not clean:
                    continue
                self.entries["product"][self._key(clean)] = product.id
                words = clean.split()
                firsts[words[0]] = firsts.get(words[0], 0) + 1
                cut = next((k for k, w in enumerate(words) if w.islower() and w not in STOP_WORDS), None)
                if cut and cut >= 2:
                    self.entries["product"].setdefault(self._key(" ".join(words[:cut])), product.id)
        self.brands = {w for w, n in firsts.items() if n >= 2 and w[:1].isupper()}
        self._build()
        for product in document.products:
            self._aliases(product)
        for definition in definitions:
            target = self._names_product(definition.definition)
            if target is not False:
                self.entries["other"].setdefault(self._key(definition.term), target)
                if target is None:
                    self.entries["other"].setdefault(self._key(_clean_name(definition.definition, self.vendor)), None)
        self._build()

    def _names_product(self, definiens: str):
        """Target id if the definition names a product; ``None`` for a vendor-named thing without a
        section ("Milestone Integration Platform Software Development Kit"); ``False`` if no product."""
        doc = self.nlp.make_doc(definiens)
        spans = self._candidates(doc)
        if spans:
            return max(spans, key=len).kb_id_ or None
        words = definiens.split()
        if self.vendor and len(words) >= 2 and words[0] == self.vendor and not _COMPANY_SUFFIX.search(definiens) \
                and all(w[:1].isupper() for w in words):
            return None
        return False

    def _aliases(self, product) -> None:
        doc = self.nlp.make_doc(product.text)
        for span in self._candidates(doc):
            if span.kb_id_ != product.id:
                continue
            match = re.match(r"\s*\(((?:[A-Z][\w+-]*\s?)+)\)", product.text[span.end_char:])
            if match:
                self.entries["product"].setdefault(self._key(_clean_name(match.group(1).strip(), self.vendor)), product.id)

    def _build(self) -> None:
        """One ``PhraseMatcher`` over lower-case tokens. Headings carry trade marks the running text
        usually drops ("XProtect® VMS" / "XProtect VMS") and the vendor name comes and goes, so each
        name is added as it is, with a mark after any one word, with a plural last word and with the
        vendor in front."""
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.targets: dict[str, Optional[str]] = {}
        for kind, entries in self.entries.items():
            for n, (key, target) in enumerate(entries.items()):
                if not key:
                    continue
                name = f"{kind}:{n}"
                self.targets[name] = target
                forms = [list(key)]
                if key[-1][-1:].isalpha():
                    forms.append([*key[:-1], key[-1] + "s"])
                marked = [f[: k + 1] + [mark] + f[k + 1:] for f in forms for k in range(len(f))
                          for mark in ("®", "™") if (f[k], mark) in self.marked]
                forms += marked
                if self.vendor:
                    forms += [[self.vendor.lower(), *f] for f in forms]
                self.matcher.add(name, [Doc(self.nlp.vocab, words=f) for f in forms])

    # -- tagging -------------------------------------------------------------
    def _lookup(self, tokens: list[str]):
        """Target of a name: an exact product/group/defined-term entry, else the longest product whose
        name the mention starts with ("XProtect LPR Servers" -> XProtect LPR), else None."""
        key = tuple(tokens)
        singular = key[:-1] + (_singular(key[-1]),) if key else key
        for kind in ("product", "group", "other"):
            for candidate in (key, singular):
                if candidate in self.entries[kind]:
                    return self.entries[kind][candidate]
        for n in range(len(key) - 1, 0, -1):
            if key[:n] in self.entries["product"]:
                return self.entries["product"][key[:n]]
        return None

    def _candidates(self, doc: Doc) -> list[Span]:
        spans = []
        if self.matcher is not None:
            for match_id, start, end in self.matcher(doc):
                name = self.nlp.vocab.strings[match_id]
                spans.append((start, end, self.targets.get(name), 1))
        brands = {self.nlp.vocab.strings.add(brand) for brand in self.brands}
        orths = doc.to_array(ORTH).tolist() if brands and len(doc) else []
        for i in (i for i, orth in enumerate(orths) if orth in brands):  # no Token made for the other words
            token = doc[i]
            start = token.i
            if start > 0 and doc[start - 1].text == self.vendor:
                start -= 1
            end = token.i + 1
            while end < len(doc):
                nxt = doc[end]
                glued = not doc[end - 1].whitespace_
                if nxt.text == "-" and glued and not nxt.whitespace_ and end + 1 < len(doc):
                    end += 2
                elif nxt.text.isdigit() and not nxt.whitespace_ and end + 1 < len(doc) and doc[end + 1].text.isalpha():
                    end += 2  # a model number the tokenizer split: "350" "T"
                elif _is_name_token(nxt) and (glued or nxt.text not in ("+",)):
                    end += 1
                else:
                    break
            words = [t.lower_ for t in doc[start:end] if t.text not in _TM_TOKENS and t.text != self.vendor]
            spans.append((start, end, self._lookup(words), 0))
        spans.sort(key=lambda s: (-(s[1] - s[0]), -s[3], s[0]))
        chosen: list[Span] = []
        taken: set[int] = set()
        for start, end, target, _ in spans:
            if taken.intersection(range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append(Span(doc, start, end, label="PRODUCT", kb_id=target or ""))
        return sorted(chosen, key=lambda s: s.start)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["PRODUCT"] = self._candidates(doc)
        return doc


@Language.factory("eula_products")
def make_product_tagger(nlp: Language, name: str) -> ProductTagger:
    return ProductTagger(nlp, name)
