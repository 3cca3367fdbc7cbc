"""diff() on small documents built from the model: each kind of change, and what must not be one."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eula_parse
from eula_parse import NotFoundError
from eula_parse.diff import KINDS, comparable, entity_changes, redline
from eula_parse.model import Clause, Document, Entity, Group, Item, Paragraph, Product, Section, slugify

CLAUSES = [
    "The Product may only be used on computers running operating systems for which it was designed.",
    "You may not reverse engineer, decompile or disassemble the Product except as permitted by law.",
    "The Product may be used with as many IP devices as you have purchased device licenses for.",
    "Milestone may collect anonymous usage statistics to improve the quality of its products.",
    "Installing the Product you agree to the license terms for Microsoft SQL Server 2019 Express Edition.",
    "You shall keep the Software License Code confidential and not share it with any third party.",
]


def product(name: str, texts: list[str], intro: str = "Installation and Use - the following applies:") -> Product:
    pid = "product/" + slugify(name)
    clauses = [Clause(id=f"{pid}/{i}", number=str(i), text=t) for i, t in enumerate(texts, 1)]
    return Product(id=pid, name=name, text=intro, clauses=clauses)


def document(version: str = "EULA 1", products=None, sections=None, preamble=None) -> Document:
    products = products if products is not None else [product("XProtect Corporate", CLAUSES)]
    sections = sections if sections is not None else [
        Section(id="general/termination", heading="Termination", text="Milestone may terminate this EULA."),
        Section(id="general/governing-law", heading="Governing Law", text="This EULA is governed by Danish law."),
    ]
    preamble = preamble if preamble is not None else [
        Paragraph(id="preamble/1", text="This EULA is a legally binding agreement between you and Milestone.")
    ]
    return Document(
        title="Test Agreement", version=version, preamble=preamble, sections=sections,
        groups=[Group(id="group/vms", name="VMS", products=products)],
    )


def kinds(result) -> list[tuple[str, str | None, str | None]]:
    return [(c.kind, c.old_id, c.new_id) for c in result.changes]


def renumber(doc: Document) -> Document:
    for p in doc.products:
        for i, c in enumerate(p.clauses, 1):
            c.number, c.id = str(i), f"{p.id}/{i}"
    return doc


def test_identical_documents_have_no_change():
    old = document()
    assert eula_parse.diff(old, copy.deepcopy(old)).changes == []


def test_layout_differences_are_not_changes():
    old = document()
    new = copy.deepcopy(old)
    clause = new.products[0].clauses[1]
    clause.text = clause.text.replace("engineer, decompile", "engi- neer ,  decom-\npile").replace(" ", "  ")
    new.sections[0].text = "Milestone may termi\u00adnate this\nEULA ."
    assert eula_parse.diff(old, new).changes == []


def test_insertion_does_not_cascade():
    old = document()
    new = renumber(copy.deepcopy(old))
    new.products[0].clauses.insert(2, Clause(id="x", number="x", text="A brand new clause about drones and kites."))
    renumber(new)
    result = eula_parse.diff(old, new)
    assert [(c.kind, c.new_id) for c in result.substantive] == [("added", "product/xprotect-corporate/3")]
    renumbered = [(c.old_number, c.new_number) for c in result.changes if c.kind == "renumbered"]
    assert renumbered == [("3", "4"), ("4", "5"), ("5", "6"), ("6", "7")]


def test_modified_clause_has_redline_and_numbers():
    old = document()
    new = copy.deepcopy(old)
    new.products[0].clauses[4].text = CLAUSES[4].replace("2019", "2022")
    (change,) = eula_parse.diff(old, new).changes
    assert change.kind == "modified"
    assert (change.old_number, change.new_number) == ("5", "5")
    assert change.path == ["VMS", "XProtect Corporate", "5"]
    assert [seg for seg in change.redline if seg[0] != "equal"] == [("delete", "2019"), ("insert", "2022")]


def test_deletion_removed_and_later_clauses_renumbered():
    old = document()
    new = copy.deepcopy(old)
    del new.products[0].clauses[0]
    renumber(new)
    result = eula_parse.diff(old, new)
    assert [(c.kind, c.old_id) for c in result.substantive] == [("removed", "product/xprotect-corporate/1")]
    assert result.substantive[0].old_text == "1. " + CLAUSES[0]
    assert {c.kind for c in result.changes} == {"removed", "renumbered"}


def test_move_reports_only_the_moved_clause():
    old = document()
    new = copy.deepcopy(old)
    clauses = new.products[0].clauses
    clauses.insert(4, clauses.pop(0))  # first clause now fifth, jumping over four
    renumber(new)
    result = eula_parse.diff(old, new)
    assert [(c.kind, c.old_number, c.new_number) for c in result.substantive] == [("moved", "1", "5")]


def test_swap_is_one_move():
    old = document()
    new = copy.deepcopy(old)
    clauses = new.products[0].clauses
    clauses[0], clauses[1] = clauses[1], clauses[0]
    renumber(new)
    result = eula_parse.diff(old, new)
    assert len(result.substantive) == 1 and result.substantive[0].kind == "moved"
    assert len([c for c in result.changes if c.kind == "renumbered"]) == 1


def test_clause_moved_to_another_product():
    old = document(products=[product("XProtect Corporate", CLAUSES[:3]), product("XProtect Expert", CLAUSES[3:])])
    new = copy.deepcopy(old)
    new.products[1].clauses.append(new.products[0].clauses.pop(1))
    renumber(new)
    result = eula_parse.diff(old, new)
    assert kinds(result)[0] == ("renumbered", "product/xprotect-corporate/3", "product/xprotect-corporate/2")
    assert ("moved", "product/xprotect-corporate/2", "product/xprotect-expert/4") in kinds(result)
    assert len(result.substantive) == 1


def test_whole_product_added_is_one_change():
    old = document(products=[product("XProtect Corporate", CLAUSES[:3])])
    new = copy.deepcopy(old)
    new.groups[0].products.append(product("XProtect Hospital Assist", ["Fall detection only.", "Not a medical device."]))
    result = eula_parse.diff(old, new)
    assert kinds(result) == [("added", None, "product/xprotect-hospital-assist")]
    assert "Not a medical device." in result.changes[0].new_text


def test_whole_group_removed_is_one_change():
    old = document()
    old.groups.append(Group(id="group/husky", name="Husky", products=[product("Husky IVO", CLAUSES[:2])]))
    new = copy.deepcopy(old)
    del new.groups[1]
    assert kinds(eula_parse.diff(old, new)) == [("removed", "group/husky", None)]


def test_renamed_product_keeps_its_clauses():
    old = document()
    new = copy.deepcopy(old)
    p = new.products[0]
    p.name, p.id = "XProtect Corporate Plus", "product/xprotect-corporate-plus"
    for c in p.clauses:
        c.id = c.id.replace("xprotect-corporate", "xprotect-corporate-plus")
    p.clauses[0].text += " Really."
    result = eula_parse.diff(old, new)
    assert [(c.kind, c.old_id, c.new_id) for c in result.changes] == [
        ("renamed", "product/xprotect-corporate", "product/xprotect-corporate-plus"),
        ("modified", "product/xprotect-corporate/1", "product/xprotect-corporate-plus/1"),
    ]
    assert result.changes[0].old_text == "XProtect Corporate"


def test_renamed_section_with_same_text():
    old = document()
    new = copy.deepcopy(old)
    new.sections[1].heading, new.sections[1].id = "Applicable Law", "general/applicable-law"
    assert kinds(eula_parse.diff(old, new)) == [("renamed", "general/governing-law", "general/applicable-law")]


def test_heading_punctuation_and_numbering_are_not_renames():
    old = document(sections=[Section(id="section/4", number="4", heading="4.0 DATA", text="Data terms."),
                             Section(id="section/5", number="5", heading="Warranty.", text="As is.")])
    new = document(sections=[Section(id="section/3", number="3", heading="3.0 DATA", text="Data terms."),
                             Section(id="section/4", number="4", heading="Warranty", text="As is.")])
    assert [c.kind for c in eula_parse.diff(old, new).changes] == ["renumbered", "renumbered"]


def test_numbered_sections_align_by_text_not_number():
    texts = ["Definitions apply.", "Grant of licence to use.", "Restrictions on use apply.", "Termination rights."]
    old_secs = [Section(id=f"section/{i}", number=str(i), text=t) for i, t in enumerate(texts, 1)]
    new_texts = texts[:1] + ["A wholly new article on export control."] + texts[1:]
    new_secs = [Section(id=f"section/{i}", number=str(i), text=t) for i, t in enumerate(new_texts, 1)]
    result = eula_parse.diff(document(sections=old_secs), document(sections=new_secs))
    assert [(c.kind, c.new_id) for c in result.substantive] == [("added", "section/2")]


def test_nested_section_change_reports_the_child_only():
    child = Section(id="section/1.1", number="1.1", heading="Scope", text="Applies to all software.")
    parent = Section(id="section/1", number="1", heading="GENERAL", children=[child])
    old = document(sections=[parent])
    new = copy.deepcopy(old)
    new.sections[0].children[0].text = "Applies to all software and services."
    new.sections[0].children.append(Section(id="section/1.2", number="1.2", heading="Fees", text="Fees are due."))
    result = eula_parse.diff(old, new)
    assert kinds(result) == [("modified", "section/1.1", "section/1.1"), ("added", None, "section/1.2")]
    assert result.changes[1].path == ["1 GENERAL", "1.2 Fees"]


def test_a_changed_sub_item_is_reported_on_the_item_only():
    old = document()
    clause = old.products[0].clauses[0]
    clause.items = [Item("a", "on one server", id=f"{clause.id}/a"), Item("b", "on one client", id=f"{clause.id}/b")]
    clause.text += " a) on one server; b) on one client."
    new = copy.deepcopy(old)
    new.products[0].clauses[0].items[1].text = "on two clients"
    new.products[0].clauses[0].text = new.products[0].clauses[0].text.replace("one client", "two clients")
    (change,) = eula_parse.diff(old, new).changes
    assert (change.kind, change.new_id, change.new_text) == ("modified", f"{clause.id}/b", "on two clients")
    assert change.path[-1] == "(b)"


def test_preamble_paragraph_inserted():
    old = document()
    new = copy.deepcopy(old)
    new.preamble.insert(0, Paragraph(id="preamble/1", text="NOTE: dealers must obtain the end user's consent."))
    new.preamble[1].id = "preamble/2"
    assert kinds(eula_parse.diff(old, new)) == [("added", None, "preamble/1")]


def test_version_label_leaking_into_text_is_not_a_change():
    old = document(version="EULA 20240612")
    new = copy.deepcopy(old)
    new.version = "EULA 20250425"
    old.products[0].clauses[-1].text += " EULA 20240612"
    assert eula_parse.diff(old, new).changes == []


def test_entity_changes_from_tagged_entities():
    old_text = "Activation is available for 7 years, for EUR 50."
    new_text = "Activation is available for 10 years, for EUR 100 (one hundred Euro)."

    def tag(text, spans):
        out = []
        for label, surface in spans:
            start = text.index(surface)
            out.append(Entity(label, surface, start, start + len(surface)))
        return out

    old = tag(old_text, [("DURATION", "7 years"), ("MONEY", "EUR 50")])
    new = tag(new_text, [("DURATION", "10 years"), ("MONEY", "EUR 100")])
    assert [str(e) for e in entity_changes(old, new)] == ["DURATION 7 years -> 10 years", "MONEY EUR 50 -> EUR 100"]
    # the same value written differently is no change
    same = [Entity("DURATION", "seven (7) years", 0, 15, value={"years": 7})]
    assert entity_changes(same, [Entity("DURATION", "7 years", 3, 10, value={"years": 7})]) == []
    # an entity only on one side
    assert [str(e) for e in entity_changes([], new[:1])] == ["DURATION + 10 years"]

    doc_old = document()
    doc_old.sections[0].text, doc_old.sections[0].entities = old_text, old
    doc_new = copy.deepcopy(doc_old)
    doc_new.sections[0].text, doc_new.sections[0].entities = new_text, new
    (change,) = eula_parse.diff(doc_old, doc_new).changes
    assert [str(e) for e in change.entity_changes] == ["DURATION 7 years -> 10 years", "MONEY EUR 50 -> EUR 100"]


def test_json_shape_and_filters():
    old = document(products=[product("XProtect Corporate", CLAUSES[:3]), product("XProtect Expert", CLAUSES[3:])])
    new = copy.deepcopy(old)
    new.products[0].clauses[0].text += " Changed."
    new.products[1].clauses[0].text += " Changed too."
    del new.products[1].clauses[1]
    renumber(new)
    result = eula_parse.diff(old, new)
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"old", "new", "changes"}
    assert data["old"] == {"title": "Test Agreement", "version": "EULA 1"}
    assert {tuple(sorted(c)) for c in data["changes"]} == {tuple(sorted(
        ["kind", "old_id", "new_id", "path", "old_number", "new_number", "old_text", "new_text", "redline",
         "entity_changes"]))}
    assert [c["kind"] for c in data["changes"]] == ["modified", "modified", "removed"]
    assert len(result.to_dict(include_renumbered=True)["changes"]) == 4
    assert result.counts() == {"added": 0, "removed": 1, "modified": 2, "renamed": 0, "moved": 0, "renumbered": 1}
    assert list(result.counts()) == list(KINDS)

    expert = result.for_product("Expert")
    assert [c.kind for c in expert.changes] == ["modified", "removed", "renumbered"]
    assert [c.kind for c in result.for_product("Milestone XProtect® Corporate").changes] == ["modified"]
    with pytest.raises(NotFoundError):
        result.for_product("Smart Wall")


def test_comparable_erases_layout_only():
    assert comparable("Plug-in") == comparable("Plug- in") == comparable("Plugin") == comparable("Plug\u00adin")
    assert comparable("end-user  license\n( EULA ) .") == comparable("enduser license (EULA).")
    assert comparable("Product") != comparable("product")
    assert comparable("EUR 50") != comparable("EUR 5")
    # Word's Symbol-font bullet (U+F0B7 in one producer's text layer) is the bullet another prints
    assert comparable("\uf0b7 Movesense device library") == comparable("\u2022 Movesense device library")
    # a typed rule is drawing: where it lands at a page seam is no change of the words
    assert comparable("packages. ----- NOTE: the exception.") == comparable("packages. NOTE: the exception. =====")
    assert comparable("***NOTE*** terms -- as set") == "***NOTE*** terms -- as set"  # short runs are marks, kept


words = st.lists(st.sampled_from(["the", "Product", "may", "not", "be", "used", "EUR", "50", "7", "years", ",",
                                  ".", "(", ")", "end-user", "licence", "Milestone"]), max_size=40)


@given(words, words)
@settings(max_examples=200, deadline=None)
def test_redline_rebuilds_both_texts(a, b):
    old, new = " ".join(a), " ".join(b)
    segments = redline(old, new)
    assert all(op in ("equal", "delete", "insert") and text for op, text in segments)
    assert comparable("".join(t for op, t in segments if op != "insert")) == comparable(old)
    assert comparable("".join(t for op, t in segments if op != "delete")) == comparable(new)
    if comparable(old) == comparable(new):
        assert all(op == "equal" for op, _ in segments)


def test_subsection_carried_out_of_a_removed_article_is_moved():
    failover = "Customer may install the Software on redundant systems for failover operations only."
    access = "Online Services are available to Named Users from the date of the order."
    old = document(sections=[
        Section(id="section/article-1", number="ARTICLE 1", heading="SOFTWARE", children=[
            Section(id="section/1.1", number="1.1", heading="Failover", text=failover),
            Section(id="section/1.2", number="1.2", heading="Reserved", text="Reserved."),
        ]),
        Section(id="section/article-2", number="ARTICLE 2", heading="ONLINE SERVICES", children=[
            Section(id="section/2.1", number="2.1", heading="Access", text=access),
            Section(id="section/2.2", number="2.2", heading="Fees", text="Fees are due in advance."),
        ]),
    ])
    new = document(sections=[
        Section(id="section/article-1", number="ARTICLE 1", heading="SOFTWARE", children=[
            Section(id="section/1.1", number="1.1", heading="Access", text=access),
            Section(id="section/1.2", number="1.2", heading="Failover", text=failover),
        ]),
    ])
    result = eula_parse.diff(old, new)
    by_kind = {(c.kind, c.old_id, c.new_id): c for c in result.substantive}
    assert set(by_kind) == {
        ("removed", "section/1.2", None),
        ("removed", "section/article-2", None),
        ("moved", "section/2.1", "section/1.1"),  # out of the removed article
    }
    removed = by_kind[("removed", "section/article-2", None)]
    assert "Fees are due" in removed.old_text and access not in removed.old_text
