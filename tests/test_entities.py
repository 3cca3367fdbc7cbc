"""The tagger on an agreement written for these tests (none of its sentences is in the corpus),
plus the contract with the rest of the code: offsets, span groups, one pipeline per process,
no spaCy on ``import eula_parse``, JSON round trip, and the two CLI commands."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from eula_parse.model import Clause, Document, Group, Paragraph, Product, Section, own_entities

from conftest import PDF_2025


def acme() -> Document:
    """A small agreement in the same drafting style as the reference one, about another vendor."""

    def clauses(pid, texts):
        return [Clause(id=f"{pid}/{n}", number=str(n), text=t) for n, t in enumerate(texts, 1)]

    planner = "product/robosuite-planner"
    viewer = "product/robosuite-viewer"
    return Document(
        title="Acme Robotics Licence",
        preamble=[Paragraph(id="preamble/1", text=(
            "This Licence Agreement (“Licence”) is made between you and Acme Robotics GmbH (“Acme”) for the "
            "Acme software and its documentation (“Software”). Acme licenses the Software, it does not sell it."))],
        sections=[
            Section(id="general/warranty", heading="Warranty", text=(
                "The Software is provided “as is”. Acme disclaims all other warranties, and the entire risk "
                "stays with you.")),
            Section(id="general/returns-and-refunds", heading="Returns and Refunds", text=(
                "You may return the Software within 45 (forty-five) days from the date of delivery for a refund "
                "of up to USD 2,500.")),
            Section(id="general/governing-law", heading="Governing Law", text=(
                "This Licence is governed by Swiss law and any dispute goes to the Commercial Court of Zurich. "
                "Acme complies with the GDPR and with rules of the Bureau of Industry and Security (BIS).")),
        ],
        groups=[Group(id="group/robosuite", name="Acme RoboSuite®", products=[
            Product(id=planner, name="Acme RoboSuite® Planner", text=(
                "Use – for the Acme RoboSuite Planner product (“Planner”) the following applies: Acme hereby "
                "grants you the right to use the Planner on the conditions below."),
                clauses=clauses(planner, [
                    "The Planner may be installed on up to 4 (four) workstations and on an unlimited number of laptops.",
                    "The Planner may, except as stated in paragraph 3 below, only be used with RoboSuite Viewer "
                    "version 2021 R2 or with RoboSuite Cloud.",
                    "Support requests must be answered within ten (10) business days; see "
                    "https://support.example.com/robo- suite/faq/.",
                    "Acme shall not be liable beyond EUR 500 (five hundred euros), cf. section “Warranty” above "
                    "and section “Returns Policy” above; see also paragraphs 1 and 2 above.",
                ])),
            Product(id=viewer, name="Acme RoboSuite® Viewer", text=(
                "Installation and Use – for the RoboSuite Viewer product the following applies:"),
                clauses=clauses(viewer, [
                    "The Viewer may not be used with more than 16 robots per controller.",
                    "You agree to keep one (1) backup of the Planner settings, cf. the general terms of this "
                    "Licence, “Returns and Refunds”.",
                ])),
        ])],
    )


@pytest.fixture(scope="module")
def tagged():
    from eula_parse.entities import tag_document

    return tag_document(acme())


def ents(doc, node_id, label):
    return [e for e in doc.get(node_id).entities if e.label == label]


def texts(doc, node_id, label):
    return [e.text for e in ents(doc, node_id, label)]


def test_offsets_point_into_the_node_text(tagged):
    for node in tagged.nodes():
        for e in node.entities:
            assert node.text[e.start:e.end] == e.text, (node.id, e)


def test_within_a_label_spans_do_not_overlap_but_across_labels_they_may(tagged):
    crossed = False
    for node in tagged.nodes():
        for a in node.entities:
            for b in node.entities:
                if a is b or not (a.start < b.end and b.start < a.end):
                    continue
                assert a.label != b.label, (node.id, a, b)
                crossed = True
    assert crossed  # "Planner" is a PRODUCT and a use of the defined term


def test_products_come_from_the_documents_own_headings(tagged):
    clause = ents(tagged, "product/robosuite-planner/2", "PRODUCT")
    assert [(e.text, e.target) for e in clause] == [
        ("Planner", "product/robosuite-planner"),
        ("RoboSuite Viewer", "product/robosuite-viewer"),
        ("RoboSuite Cloud", None),  # same brand, no section of its own
    ]
    assert ("Acme RoboSuite Planner", "product/robosuite-planner") in [
        (e.text, e.target) for e in ents(tagged, "product/robosuite-planner", "PRODUCT")]


def test_a_defined_term_that_names_a_product_is_a_product_and_a_term(tagged):
    node = "product/robosuite-planner/1"
    assert [(e.text, e.target) for e in ents(tagged, node, "PRODUCT")] == [("Planner", "product/robosuite-planner")]
    assert [(e.text, e.target) for e in ents(tagged, node, "TERM")] == [("Planner", "product/robosuite-planner")]


def test_limits(tagged):
    values = {e.text: e.value for e in ents(tagged, "product/robosuite-planner/1", "LIMIT")}
    assert values == {
        "up to 4 (four) workstations": {"amount": 4, "bound": "max", "unit": "workstation"},
        "unlimited number of laptops": {"amount": None, "bound": "unlimited", "unit": "laptop"},
    }
    (limit,) = ents(tagged, "product/robosuite-viewer/1", "LIMIT")
    assert limit.text == "more than 16 robots per controller"
    assert limit.value == {"amount": 16, "bound": "min_exclusive", "unit": "robot", "per": "controller"}


def test_durations_money_dates_versions_urls(tagged):
    (duration,) = ents(tagged, "product/robosuite-planner/3", "DURATION")
    assert duration.value == {"amount": 10, "unit": "day", "iso": "P10D", "business": True}
    (url,) = ents(tagged, "product/robosuite-planner/3", "URL")
    assert url.text == "https://support.example.com/robo- suite/faq/"  # the line break stays in the text ...
    assert url.value["url"] == "https://support.example.com/robo-suite/faq/"  # ... not in the address
    (money,) = ents(tagged, "product/robosuite-planner/4", "MONEY")
    assert (money.text, money.value) == ("EUR 500 (five hundred euros)", {"currency": "EUR", "amount": 500})
    returns = "general/returns-and-refunds"
    assert [e.value for e in ents(tagged, returns, "DURATION")] == [{"amount": 45, "unit": "day", "iso": "P45D"}]
    assert [e.value for e in ents(tagged, returns, "DATE")] == [{"anchor": "delivery"}]
    assert [e.value for e in ents(tagged, returns, "MONEY")] == [{"currency": "USD", "amount": 2500}]
    assert [e.value["version"] for e in ents(tagged, "product/robosuite-planner/2", "VERSION")] == ["2021 R2"]


def test_law_court_org(tagged):
    node = "general/governing-law"
    assert [(e.text, e.value) for e in ents(tagged, node, "LAW")] == [
        ("Swiss law", {"jurisdiction": "Switzerland"}),
        ("GDPR", {"name": "General Data Protection Regulation"}),
    ]
    assert texts(tagged, node, "COURT") == ["Commercial Court of Zurich"]
    assert texts(tagged, node, "ORG") == ["Bureau of Industry and Security", "BIS"]
    assert texts(tagged, "preamble/1", "ORG") == ["Acme Robotics GmbH"]


def test_cross_references_resolve_to_node_ids(tagged):
    refs = {e.text: e.target for e in ents(tagged, "product/robosuite-planner/4", "XREF")}
    assert refs == {
        "section “Warranty” above": "general/warranty",
        "section “Returns Policy” above": None,  # no such section: dangling
        "paragraphs 1 and 2 above": ["product/robosuite-planner/1", "product/robosuite-planner/2"],
    }
    assert [e.target for e in ents(tagged, "product/robosuite-planner/2", "XREF")] == ["product/robosuite-planner/3"]
    (general,) = ents(tagged, "product/robosuite-viewer/2", "XREF")
    assert general.text == "general terms of this Licence, “Returns and Refunds”"
    assert general.target == "general/returns-and-refunds"


def test_definitions_and_their_uses(tagged):
    defs = {e.text: e.value for e in ents(tagged, "preamble/1", "DEFINITION")}
    assert defs["Acme"] == {"term": "Acme", "definition": "Acme Robotics GmbH"}
    assert defs["Licence"]["definition"] == "Licence Agreement"
    assert set(defs) == {"Licence", "Acme", "Software"}
    uses = [(e.text, e.target) for e in ents(tagged, "general/warranty", "TERM")]
    assert uses == [("Software", "preamble/1"), ("Acme", "preamble/1")]
    # the defined short name of a party is a TERM, never an ORG
    assert all(e.text != "Acme" for node in tagged.nodes() for e in node.entities if e.label == "ORG")


def test_modality(tagged):
    assert tagged.get("product/robosuite-planner/1").modality == ["permission"]
    assert tagged.get("product/robosuite-planner/2").modality == ["restriction"]
    assert tagged.get("product/robosuite-planner/3").modality == ["obligation"]
    assert tagged.get("product/robosuite-viewer/1").modality == ["prohibition"]
    assert set(tagged.get("general/warranty").modality) == {"disclaimer"}
    assert tagged.get("product/robosuite-planner/4").modality == ["disclaimer"]


def test_check_reports_dangling_references_and_products_without_a_section(tagged):
    from eula_parse.entities import check_document

    report = check_document(tagged)
    assert [(node, e.text) for node, e in report.dangling] == [
        ("product/robosuite-planner/4", "section “Returns Policy” above")]
    assert report.undefined_products == {"RoboSuite Cloud": ["product/robosuite-planner/2"]}
    assert not report.ok


def test_tagging_twice_gives_the_same_answer_and_survives_json(tagged):
    from eula_parse.entities import tag_document
    from eula_parse.model import Document

    again = tag_document(acme())
    assert again.to_dict() == tagged.to_dict()
    data = json.loads(json.dumps(tagged.to_dict()))
    assert Document.from_dict(data).to_dict() == tagged.to_dict()
    assert data["groups"][0]["products"][0]["clauses"][0]["entities"]
    assert data["groups"][0]["products"][0]["clauses"][0]["modality"] == ["permission"]


def test_one_rule_pipeline_per_process():
    from eula_parse.entities import DOCUMENT_PIPES, get_nlp

    nlp = get_nlp()
    assert get_nlp() is nlp
    assert "ner" not in nlp.pipe_names and "parser" not in nlp.pipe_names
    assert nlp.pipe_names[:2] == ["eula_regex", "eula_rules"] and set(DOCUMENT_PIPES) <= set(nlp.pipe_names)


def test_import_eula_parse_does_not_import_spacy():
    code = "import sys, eula_parse; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_empty_and_odd_texts_do_not_break_tagging():
    from eula_parse.entities import tag_document

    doc = Document(preamble=[Paragraph(id="preamble/1", text=""), Paragraph(id="preamble/2", text="“”()“ ” 0 (")])
    tag_document(doc)
    assert all(node.entities == [] for node in doc.nodes())


# -- CLI ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli():
    from eula_parse.cli import main

    return main


def test_eula_entities_filters_by_label_and_prints_json(cli, doc_2025):
    result = CliRunner().invoke(cli, ["entities", str(PDF_2025), "--label", "xref", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    expected = [(n.id, e.text) for n in doc_2025.nodes() for e in own_entities(n) if e.label == "XREF"]
    assert [(r["node"], r["text"]) for r in rows] == expected and rows
    assert {"node": "product/xprotect-corporate/5", "label": "XREF", "text": "paragraphs 9 and 10 below"}.items() \
        <= rows[2].items()
    assert rows[2]["target"] == ["product/xprotect-corporate/9", "product/xprotect-corporate/10"]

    plain = CliRunner().invoke(cli, ["entities", str(PDF_2025), "--label", "DURATION"])
    assert plain.exit_code == 0
    assert "general/correction-of-errors\tDURATION\t90 (ninety) days\tamount=90 unit=day iso=P90D" in plain.output.splitlines()


def test_eula_check_on_the_reference_agreement(cli):
    result = CliRunner().invoke(cli, ["check", str(PDF_2025)])
    assert result.exit_code == 0, result.output
    assert "dangling cross-references: 0" in result.output
    assert "  XProtect Essential+: product/xprotect-access/1" in result.output
    strict = CliRunner().invoke(cli, ["check", str(PDF_2025), "--strict"])
    assert strict.exit_code == 1


def test_eula_entities_on_a_missing_file_is_a_one_line_error(cli, tmp_path):
    result = CliRunner().invoke(cli, ["entities", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2
    assert result.output.startswith("error:")


def test_a_model_named_but_not_installed_is_not_required(monkeypatch):
    from eula_parse.entities import MODEL_ENV, build_nlp

    monkeypatch.setenv(MODEL_ENV, "en_core_web_nonexistent")
    with pytest.warns(UserWarning, match="not an installed spaCy pipeline"):
        nlp = build_nlp()
    assert "eula_model_candidates" not in nlp.pipe_names


def test_names_far_apart_in_one_long_clause_are_all_found():
    from eula_parse.entities import tag_document

    filler = "The licensee may use the software on its own computers and must keep the documentation safe. " * 40
    text = ("This agreement is made with Acme Software Inc. and its affiliates. " + filler +
            "Disputes go to the Superior Court of California, and personal data is processed under Regulation (EU) "
            "2016/679 and the Data Protection Act of 2018. " + filler +
            "The Office of Foreign Assets Control (OFAC) lists apply.")
    doc = tag_document(Document(preamble=[Paragraph(id="preamble/1", text=text)]))
    found = [(e.label, e.text) for e in doc.preamble[0].entities if e.label in ("ORG", "LAW", "COURT")]
    assert found == [
        ("ORG", "Acme Software Inc."), ("COURT", "Superior Court of California"),
        ("LAW", "Regulation (EU) 2016/679"), ("LAW", "Data Protection Act of 2018"),
        ("ORG", "Office of Foreign Assets Control"), ("ORG", "OFAC"),
    ]


def test_a_sub_item_is_tagged_as_its_text_reads_on_its_own():
    """Sub-items take the spans their clause's text gave (the text is read once); what they get is what
    the same words get as a paragraph of their own."""
    from eula_parse.entities import tag_document
    from eula_parse.model import Item

    first = "on up to 4 (four) workstations for 30 days from the date of delivery; and"
    second = "with Acme Viewer version 2021 R2 only, see section 2, or as Acme GmbH agrees in writing."
    text = f"You may use the Software: (a) {first} (b) {second}"
    items = [Item("a", first, id="section/1/a"), Item("b", second, id="section/1/b")]
    nested = tag_document(Document(sections=[Section(id="section/1", number="1", text=text, items=items)]))
    alone = tag_document(Document(preamble=[Paragraph(id="preamble/1", text=first),
                                            Paragraph(id="preamble/2", text=second)]))

    def plain(entities):
        return [(e.label, e.text, e.start, e.end, e.value) for e in entities]

    items = nested.sections[0].items
    assert plain(items[0].entities) == plain(alone.preamble[0].entities)
    assert plain(items[1].entities) == plain(alone.preamble[1].entities)
    assert {"LIMIT", "DURATION", "DATE"} <= {e.label for e in items[0].entities}
    assert {"VERSION", "XREF", "ORG"} <= {e.label for e in items[1].entities}
