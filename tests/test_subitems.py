"""Sub-items are nodes: lettered and roman items ("a.", "(b)", "(iii)", "1." under a lettered
item) nest as the page nests them, with citation ids, their own text, pages and entities.

Expectations on the real agreements were read off the pages (pdfplumber lines with their
left edge, and the bold font of "(i) OWNERSHIP"), not off the parser: "a." to "k." sit at
x=54 in Esri's 2.1, "1." to "4." at x=72 under "h.", "k." is the first line of page 3.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import pytest

import eula_parse
from eula_parse.model import Document, Item, Section, item_spans, own_text
from pdfgen import ItemSpec, NumberedSpec, build_items_pdf

from conftest import REAL

ESRI_2018 = REAL / "esri_master-agreement-E204CW_2018-03-30.pdf"
LIDOR = REAL / "lidorsystems_integralui-web_license-agreement_2024-04.pdf"


@lru_cache(maxsize=None)
def structure_of(path) -> Document:
    return eula_parse.parse(path, tag=False)


def labels(node) -> list[str]:
    return [item.label for item in node.items]


# -- real agreements ------------------------------------------------------------------

ESRI_LICENSE_TYPES = [
    ("a", "Concurrent Use License"), ("b", "Deployment License"), ("c", "Deployment Server License"),
    ("d", "Development Server License"), ("e", "Development Use"), ("f", "Dual Use License"),
    ("g", "Failover License"), ("h", "Redistribution License"), ("i", "Server License"),
    ("j", "Single Use License"), ("k", "Staging Server License"),
]


def test_lettered_items_with_run_in_headings_are_nodes_of_their_section():
    doc = structure_of(ESRI_2018)
    types = doc.get("section/2.1")
    assert [(i.label, i.heading) for i in types.items] == ESRI_LICENSE_TYPES
    concurrent = doc.get("section/2.1/a")
    assert concurrent.text.startswith("Customer may install and use the Software on computer(s) on a network")
    assert doc.parent_of("section/2.1/a") is types
    # the section's text is still its whole text, items included
    assert "a. Concurrent Use License. Customer may install" in types.text
    assert concurrent.text in types.text
    # "i." after "h." is the next letter, not a roman one
    assert doc.get("section/2.1/i").heading == "Server License"


def test_numbered_list_under_a_lettered_item_nests_in_it():
    doc = structure_of(ESRI_2018)
    redistribution = doc.get("section/2.1/h")
    assert labels(redistribution) == ["1", "2", "3", "4"]
    assert doc.get("section/2.1/h/1").text.startswith("Customer reproduces and distributes the Software in its entirety")
    assert doc.get("section/2.1/h/4").text.startswith("Customer does not charge a fee")
    assert doc.parent_of("section/2.1/h/4").id == "section/2.1/h"
    # the item's text holds its nested list; "1." is not a section of its own
    assert doc.get("section/2.1/h/4").text in redistribution.text
    assert all(s.number not in {"1", "2", "3", "4", "5", "6"} for s in doc.all_sections())
    permitted = doc.get("section/2.2/a")
    assert permitted.text.startswith("Customer may") and labels(permitted) == ["1", "2", "3", "4", "5", "6"]
    assert labels(doc.get("section/2.2")) == ["a", "b", "c", "d"]


def test_sub_item_pages_come_from_their_lines():
    doc = structure_of(ESRI_2018)
    assert (doc.get("section/2.1/j").page_start, doc.get("section/2.1/k").page_start) == (2, 3)
    assert doc.get("section/2.1/h/1").page_start == 2
    assert doc.get("section/2.2/a/6").page_start == 3
    types = doc.get("section/2.1")
    assert (types.page_start, types.page_end) == (2, 3)


def test_roman_items_set_as_bold_headings_stay_under_their_numbered_section():
    doc = structure_of(LIDOR)
    grant = doc.get("section/1")
    assert [(i.label, i.heading) for i in grant.items] == [
        ("i", "OWNERSHIP"), ("ii", "LICENSE GRANT"), ("iii", "SOURCE CODE"), ("iv", "BETA, TRIAL or EVALUATION VERSIONS"),
    ]
    assert doc.get("section/1/i").text.startswith("This is a license agreement and NOT an agreement for sale")
    assert [doc.get(f"section/1/{n}").page_start for n in ("i", "ii", "iii", "iv")] == [1, 2, 2, 3]
    assert [i.heading for i in doc.get("section/3").items] == ["RESTRICTIONS", "SUPPORT SERVICES", "The SOFTWARE PRODUCT", "TERMINATION"]
    assert not any(s.heading and s.heading.startswith("(i)") for s in doc.all_sections())
    # a bullet list set deeper belongs to the item it follows
    assert "Lidor Systems grants you the non-exclusive license to view and modify" in doc.get("section/1/iii").text


def test_reference_clause_items_have_citation_ids(doc_2025):
    interconnect = doc_2025.get("product/xprotect-corporate/8")
    item = doc_2025.get("product/xprotect-corporate/8/a")
    assert item is interconnect.items[0]
    assert doc_2025.parent_of(item.id) is interconnect
    assert interconnect.page_start <= item.page_start <= item.page_end <= interconnect.page_end
    assert [i.id for i in doc_2025.get("product/customer-dashboard/1").items] == [
        f"product/customer-dashboard/1/{n}" for n in ("i", "ii", "iii", "iv")
    ]


def test_no_duplicate_ids_with_sub_items(doc_2025):
    for doc in (doc_2025, structure_of(ESRI_2018), structure_of(LIDOR)):
        ids = [n.id for n in doc.nodes()]
        assert len(ids) == len(set(ids))


# -- an agreement built here --------------------------------------------------------------

LICENSE = NumberedSpec("2.", "License", "Subject to the terms of this Agreement, the Licensor grants you the following licenses.", [
    ItemSpec("a.", "You may install the Software on any number of computers owned by you and let any number "
                   "of users run it at the same time.", "Concurrent Use License"),
    ItemSpec("b.", "You may reproduce and distribute the Software only if all of the following conditions are met:",
             "Redistribution License", [
                 ItemSpec("(i)", "you distribute the Software in its entirety and with its documentation;"),
                 ItemSpec("(ii)", "you do not charge a fee to others for the use of the Software; and"),
                 ItemSpec("(iii)", "you keep all copyright notices in place."),
             ]),
    ItemSpec("c.", "You may install one copy of the Software on a test server that is not used for production.",
             "Staging Server License"),
])
REVERSE_ENGINEERING = ItemSpec("b.", "reverse engineer the Software, except to the extent that the law allows it "
                                     "despite this limitation, as paragraph 2(a) explains;")
SECTIONS = [
    NumberedSpec("1.", "Definitions", "In this Agreement the words below have the meanings given to them here."),
    LICENSE,
    NumberedSpec("3.", "Restrictions", "You may not do any of the following, except as Section 2(b)(ii) and "
                                      "subsection (c) of Section 2 allow:", [
        ItemSpec("a.", "sell, rent or lease the Software to any third party;"),
        REVERSE_ENGINEERING,
    ]),
    NumberedSpec("4.", "Term", "This Agreement lasts until it is terminated as set out in subsection (b) of this section.", [
        ItemSpec("a.", "You may terminate it at any time by deleting every copy of the Software."),
        ItemSpec("b.", "The Licensor may terminate it if you breach it and do not cure the breach within thirty (30) "
                       "days, subject to Section 9(c)."),
    ]),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Document:
    path = tmp_path_factory.mktemp("items") / "items.pdf"
    build_items_pdf(path, "Software License Agreement", SECTIONS, page_break_before=["c."])
    return eula_parse.parse(path)


def test_built_items_nest_by_label_and_indent(built):
    assert [(i.label, i.heading) for i in built.get("section/2").items] == [
        ("a", "Concurrent Use License"), ("b", "Redistribution License"), ("c", "Staging Server License"),
    ]
    # "(iii)" printed at the start of a line after "...; and" is the next item, not part of (ii)
    assert [i.text for i in built.get("section/2/b").items] == [
        "you distribute the Software in its entirety and with its documentation;",
        "you do not charge a fee to others for the use of the Software; and",
        "you keep all copyright notices in place.",
    ]
    assert built.get("section/2/b/iii").id == "section/2/b/iii"
    assert (built.get("section/2/b").page_start, built.get("section/2/c").page_start) == (1, 2)
    assert built.get("section/2").page_end == 2


def test_cross_references_resolve_to_sub_items(built):
    refs = {(node.id, e.text): e.target for node in built.nodes() for e in node.entities if e.label == "XREF"}
    assert refs[("section/3", "Section 2(b)(ii)")] == "section/2/b/ii"
    assert refs[("section/3", "subsection (c) of Section 2")] == "section/2/c"
    assert refs[("section/4", "subsection (b) of this section")] == "section/4/b"
    # the item reports the reference in its own text, with offsets into that text
    item = built.get("section/3/b")
    (xref,) = [e for e in item.entities if e.label == "XREF"]
    assert (xref.target, item.text[xref.start:xref.end]) == ("section/2/a", "paragraph 2(a)")


def test_entities_and_modality_on_sub_items(built):
    term = built.get("section/4/b")
    (duration,) = [e for e in term.entities if e.label == "DURATION"]
    assert term.text[duration.start:duration.end] == "thirty (30) days" and duration.value["iso"] == "P30D"
    assert "permission" in built.get("section/4/a").modality


def test_check_reports_a_dangling_reference_once_on_the_item(built):
    from eula_parse.entities import check_document

    report = check_document(built)
    assert [(node_id, e.text) for node_id, e in report.dangling] == [("section/4/b", "Section 9(c)")]


def test_json_round_trip_keeps_nested_items(built):
    data = built.to_dict()
    section = next(s for s in data["sections"] if s["id"] == "section/2")
    assert section["items"][1]["items"][2]["id"] == "section/2/b/iii"
    assert section["items"][0]["heading"] == "Concurrent Use License"
    assert Document.from_dict(data) == built
    # JSON written before sub-items were nodes ({label, text} only) still loads
    old = copy.deepcopy(data)
    for s in old["sections"]:
        s["items"] = [{"label": i["label"], "text": i["text"]} for i in s["items"]]
    assert [i.label for i in Document.from_dict(old).get("section/2").items] == ["a", "b", "c"]


def test_own_text_leaves_out_the_items():
    section = Section(id="section/9", text="You may not: a) copy the Software; b) sell it. Nothing else applies.",
                      items=[Item("a", "copy the Software;", id="section/9/a"), Item("b", "sell it.", id="section/9/b")])
    assert [(i.id, section.text[start:end]) for i, start, end in item_spans(section.text, section.items)] == [
        ("section/9/a", "a) copy the Software;"), ("section/9/b", "b) sell it."),
    ]
    assert own_text(section) == "You may not: Nothing else applies."


# -- diff ------------------------------------------------------------------------------------


def _version_2(tmp_path) -> Document:
    """Version 2: a new first licence (a) shifts a-c to b-d, (ii) says "royalty", and the
    reverse-engineering restriction moved from section 3 to section 4 as item c."""
    license2 = copy.deepcopy(LICENSE)
    license2.items.insert(0, ItemSpec("a.", "You may use the Software for thirty (30) days to evaluate it.", "Evaluation License"))
    for spec, label in zip(license2.items, "abcd"):
        spec.label = f"{label}."
    license2.items[2].items[1].text = "you do not charge a royalty to others for the use of the Software; and"
    sections = copy.deepcopy(SECTIONS)
    sections[1] = license2
    moved = sections[2].items.pop(1)
    moved.label = "c."
    sections[3].items.append(moved)
    path = tmp_path / "items-2.pdf"
    build_items_pdf(path, "Software License Agreement", sections)
    return eula_parse.parse(path)


def test_diff_reports_a_change_once_on_the_deepest_node(built, tmp_path):
    new = _version_2(tmp_path)
    result = eula_parse.diff(built, new)
    changes = sorted((c.kind, c.old_id, c.new_id) for c in result.substantive)
    assert changes == [
        ("added", None, "section/2/a"),
        ("modified", "section/2/b/ii", "section/2/c/ii"),
        ("moved", "section/3/b", "section/4/c"),
    ]
    # the letters that only shifted are renumbered, which is not a substantive change
    renumbered = {(c.old_id, c.new_id) for c in result.changes if c.kind == "renumbered"}
    assert {("section/2/a", "section/2/b"), ("section/2/c", "section/2/d")} <= renumbered
    (modified,) = [c for c in result.substantive if c.kind == "modified"]
    assert ("delete", "fee") in modified.redline and ("insert", "royalty") in modified.redline


# -- search ------------------------------------------------------------------------------------


def test_search_hits_land_on_sub_items(built, tmp_path):
    index = eula_parse.ClauseIndex.open(tmp_path / "index")
    index.add(built)
    hits = list(index.search('"copyright notices in place"', limit=3))
    assert hits[0].id == "section/2/b/iii" and hits[0].kind == "item"
    record = index.get("section/2/b/iii")
    assert [label for _, label in record.path] == ["2 License", "(b) Redistribution License"]
    assert record.text == "you keep all copyright notices in place."
    general = {h.id for h in index.search("terminate", general=True, limit=10)}
    assert {"section/4/a", "section/4/b"} <= general
