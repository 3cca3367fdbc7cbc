"""The same agreement typeset seven ways must parse to the same tree.

`pdfgen.DEFAULT_SPEC` is one EULA (fictitious vendor "Nordlys") with everything the
parser has to infer from typography: title, version label in the footer, preamble,
run-in headed general sections, groups > products > numbered clauses with inline and
indented sub-items, text running across line, column and page breaks, compounds and
URLs broken at line ends, hyphenated words, running header and footer. Each layout
changes only the look (two columns, headings by size alone, US Letter, a serif face,
a product heading wrapping over two lines), so every expectation below comes from the
spec itself, not from what any parser happens to return.
"""

from __future__ import annotations

import re

import pytest

import eula_parse
from eula_parse.model import normalize_space

import pdfgen
from pdfgen import DEFAULT_SPEC as SPEC

LAYOUTS = list(pdfgen.LAYOUTS)


@pytest.fixture(scope="module", params=LAYOUTS)
def parsed(request, tmp_path_factory):
    """(layout name, Rendered, Document) for each layout."""
    name = request.param
    path = tmp_path_factory.mktemp("layouts") / f"nordlys-{name}.pdf"
    rendered = pdfgen.build_eula_pdf(path, SPEC, **pdfgen.LAYOUTS[name])
    # The fixture must exercise what it claims to; if a spec edit breaks this, fix the spec.
    clauses_crossing = [k for k in rendered.crossing("product/") if k.count("/") == 2]
    assert clauses_crossing, f"{name}: no clause runs across a page break"
    assert rendered.crossing("general/"), f"{name}: no general section runs across a page break"
    kinds = {kind for kind, _, _ in rendered.splits}
    assert {"hyphen", "soft", "url"} <= kinds, f"{name}: line-end breaks drawn: {kinds}"
    return name, rendered, eula_parse.parse(path, tag=False)


def _heading(text) -> str:
    """Headings compare without case, spacing and a trailing period."""
    return normalize_space(text or "").rstrip(".:").strip().lower()


def _core(text: str) -> str:
    """Sub-item text without its trailing punctuation and "and"/"or" connector."""
    text = normalize_space(text)
    while True:
        stripped = re.sub(r"(\s+(and|or))$|[\s,;.:]+$", "", text)
        if stripped == text:
            return text
        text = stripped


def _section_body(section) -> str:
    """A run-in section's text, with or without its heading ("Miscellaneous.") in front."""
    text = normalize_space(section.text)
    heading = normalize_space(section.heading or "").rstrip(".")
    if heading and text.startswith(heading + "."):
        text = text[len(heading) + 1:].strip()
    return text


# -- document level ------------------------------------------------------------


def test_title_and_version(parsed):
    name, rendered, doc = parsed
    assert normalize_space(doc.title) == SPEC.title
    assert doc.version == SPEC.version
    assert doc.pages == rendered.pages


def test_preamble(parsed):
    name, rendered, doc = parsed
    assert [p.id for p in doc.preamble] == [f"preamble/{i}" for i in range(1, len(SPEC.preamble) + 1)]
    assert [normalize_space(p.text) for p in doc.preamble] == [pdfgen.clean(t) for t in SPEC.preamble]


# -- general sections -----------------------------------------------------------


def test_general_section_headings(parsed):
    name, rendered, doc = parsed
    assert [s.id for s in doc.sections] == [s.id for s in SPEC.sections]
    assert [_heading(s.heading) for s in doc.sections] == [_heading(s.heading) for s in SPEC.sections]
    assert all(s.number is None for s in doc.sections)


def test_general_section_texts(parsed):
    """Text runs across lines and pages; a second paragraph belongs to the section it follows."""
    name, rendered, doc = parsed
    got = {s.id: _section_body(s) for s in doc.sections}
    for spec in SPEC.sections:
        assert got.get(spec.id) == spec.expected_text, spec.id


def test_general_section_items(parsed):
    name, rendered, doc = parsed
    for spec in SPEC.sections:
        section = doc.get(spec.id)
        assert section is not None, spec.id
        got = [(i.label, _core(i.text)) for i in section.items]
        assert got == [(label, _core(text)) for label, text in spec.expected_items], spec.id


# -- groups, products, clauses --------------------------------------------------


def test_groups(parsed):
    name, rendered, doc = parsed
    assert [normalize_space(g.name) for g in doc.groups] == [g.name for g in SPEC.groups]
    assert [g.id for g in doc.groups] == [SPEC.group_id(g) for g in SPEC.groups]


def test_products(parsed):
    """Product names come out whole even when the heading wraps over two lines."""
    name, rendered, doc = parsed
    got = [[normalize_space(p.name) for p in g.products] for g in doc.groups]
    assert got == [[p.name for p in g.products] for g in SPEC.groups]
    assert [p.id for p in doc.products] == [SPEC.product_id(p) for p in SPEC.products]


def test_product_intro(parsed):
    name, rendered, doc = parsed
    for spec in SPEC.products:
        product = doc.get(SPEC.product_id(spec))
        assert product is not None, spec.name
        assert normalize_space(product.intro) == spec.expected_intro, spec.name


def test_clause_numbers(parsed):
    """'1.' at the start of a wrapped line inside clause 2 is not a new clause."""
    name, rendered, doc = parsed
    got = {p.id: [c.number for c in p.clauses] for p in doc.products}
    want = {SPEC.product_id(p): [c.number for c in p.clauses] for p in SPEC.products}
    assert got == want
    for product in SPEC.products:
        for clause in product.clauses:
            cid = f"{SPEC.product_id(product)}/{clause.number}"
            assert doc.get(cid) is not None, cid


def test_clause_texts(parsed):
    name, rendered, doc = parsed
    for product in SPEC.products:
        for clause in product.clauses:
            cid = f"{SPEC.product_id(product)}/{clause.number}"
            node = doc.get(cid)
            assert node is not None, cid
            assert normalize_space(node.text) == clause.expected_text, cid


def test_clause_items(parsed):
    """Inline a)/b) and (i)/(ii) and an indented a) b) c) list: kept in the text, listed as items."""
    name, rendered, doc = parsed
    for product in SPEC.products:
        for clause in product.clauses:
            cid = f"{SPEC.product_id(product)}/{clause.number}"
            node = doc.get(cid)
            assert node is not None, cid
            got = [(i.label, _core(i.text)) for i in node.items]
            assert got == [(label, _core(text)) for label, text in clause.expected_items], cid


# -- line ends, page spans, furniture ------------------------------------------


def _all_text(doc) -> str:
    return " ".join(normalize_space(n.text) for n in doc.nodes())


def test_broken_words_and_urls(parsed):
    """Every word the layout broke at a line end comes back whole, as the spec writes it.

    Compounds keep their hyphen ("third-party"), hyphenated words lose the added one
    ("installation"), URLs are not split by a space.
    """
    name, rendered, doc = parsed
    text = _all_text(doc)
    for kind, head, word in rendered.splits:
        word = word.rstrip(".,;:")
        assert word in text, (kind, head, word)
        if kind == "soft":
            rest = word[len(head) - 1:]
            assert f"{head}{rest}" not in text and f"{head} {rest}" not in text, (head, word)
        else:
            rest = word[len(head):]
            assert f"{head} {rest}" not in text, (head, word)
    assert "https://www.nordlys.example/legal/third-party-notices.html" in text


def test_page_spans(parsed):
    """page_start/page_end are where the node's lines were drawn (1-based)."""
    name, rendered, doc = parsed
    leaves = [p.id for p in doc.preamble] + [s.id for s in doc.sections] + [c.id for c in doc.clauses]
    for node_id, (first, last) in rendered.spans.items():
        if node_id in leaves:
            node = doc.get(node_id)
            assert (node.page_start, node.page_end) == (first, last), node_id
    for product in doc.products:
        assert product.page_start == rendered.spans[product.id][0], product.id
    assert [k for k in rendered.crossing("product/") if k.count("/") == 2]


def test_no_page_furniture_in_text(parsed):
    """Running header (the title), footer (version label) and "Page N of M" are gone."""
    name, rendered, doc = parsed
    for node in doc.nodes():
        text = normalize_space(node.text)
        assert not re.search(r"Page \d+ of \d+", text), node.id
        assert SPEC.version not in text, node.id
        assert SPEC.title not in text, node.id
    names = [g.name for g in doc.groups] + [p.name for p in doc.products]
    names += [s.heading or "" for s in doc.sections]
    for value in names:
        assert "Page " not in value and SPEC.version not in value and SPEC.title not in value, value


def test_node_ids_unique(parsed):
    name, rendered, doc = parsed
    ids = [n.id for n in doc.nodes()] + [g.id for g in doc.groups]
    assert len(ids) == len(set(ids))


def test_round_trip(parsed):
    name, rendered, doc = parsed
    again = eula_parse.Document.from_dict(doc.to_dict())
    assert again.to_dict() == doc.to_dict()


# -- documents that are not shaped like a EULA ------------------------------------


def test_one_page_without_headings_parses_flat(tmp_path):
    path = tmp_path / "notice.pdf"
    pdfgen.build_plain_pdf(path, pdfgen.NO_HEADINGS_PARAGRAPHS)
    doc = eula_parse.parse(path, tag=False)
    assert isinstance(doc, eula_parse.Document)
    assert doc.pages == 1
    assert doc.groups == [] and doc.products == [] and doc.clauses == []
    assert all(not s.children for s in doc.sections)
    text = " ".join([normalize_space(doc.title)] + [normalize_space(n.text) for n in doc.nodes()])
    for paragraph in pdfgen.NO_HEADINGS_PARAGRAPHS:
        assert normalize_space(paragraph) in text


def test_not_a_eula_parses_flat(tmp_path):
    """A recipe: numbered steps and bold headings, but no products and no clauses."""
    path = tmp_path / "recipe.pdf"
    pdfgen.build_recipe_pdf(path)
    doc = eula_parse.parse(path, tag=False)
    assert isinstance(doc, eula_parse.Document)
    assert doc.pages == 1
    assert doc.groups == [] and doc.products == []
    text = " ".join([normalize_space(doc.title)] + [normalize_space(n.text) for n in doc.nodes()]
                    + [normalize_space(s.heading or "") for s in doc.all_sections()])
    for word in ("flour", "Preheat the oven to 180 degrees", "Bake for 40 minutes"):
        assert word in text
