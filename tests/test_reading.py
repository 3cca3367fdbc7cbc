"""What a reader sees on a real agreement's pages, and what a careful reader flags in it.

The structure rules are general (weight, size, indentation, numbering, position on the
page); these tests run them on real agreements in ``corpus/real/`` whose pages show the
case (see each file's gold in ``tests/gold/real/`` for how the page is set), and on PDFs
built here. ``eula check``'s numbering and heading findings run on every corpus PDF.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import eula_parse
from conftest import CORPUS, REAL
from eula_parse.checks import structure_findings
from eula_parse.model import Document, Section
from pdfgen import build_plain_pdf


@lru_cache(maxsize=None)
def parsed(name: str) -> Document:
    return eula_parse.parse(REAL / name, tag=False)


def section(doc: Document, number: str) -> Section:
    found = [s for s in doc.all_sections() if s.number == number]
    assert len(found) == 1, [s.id for s in found]
    return found[0]


# -- what a reader sees ---------------------------------------------------------------


def test_a_regular_number_before_a_bold_heading_makes_a_numbered_heading():
    """'2.' in the regular face, 'Nature of the Software' bold, on a line of its own."""
    doc = parsed("countersoft_gemini_eula_2013-04.pdf")
    two = section(doc, "2")
    assert two.heading == "Nature of the Software"
    assert two.text.startswith("The Software is commercially licensed software.")
    assert [c.number for c in section(doc, "3").children][:2] == ["3.1", "3.2"]


def test_a_plain_heading_on_a_line_of_its_own_heads_what_follows():
    """'3. Termination.' and '6. Injunctive relief' are set like body text, alone on their line."""
    doc = parsed("noobaa_community-edition_license-agreement_2016-08.pdf")
    assert section(doc, "3").heading == "Termination"
    assert section(doc, "6").heading == "Injunctive relief"
    assert section(doc, "6").text.startswith("The Licensee understands")
    assert section(doc, "5").heading == "Confidentiality"
    assert [c.number for c in section(doc, "5").children] == ["5.1", "5.2"]


def test_run_in_headings_joined_by_semicolons():
    doc = parsed("ti_cc254x-ble-stack_software-license-agreement_2013.pdf")
    assert section(doc, "9").heading == "GOVERNING LAW; SEVERABILITY"
    assert section(doc, "14").heading == "ENTIRE AGREEMENT; AMENDMENTS; ASSIGNMENT"
    assert section(doc, "11").heading == "SURVIVAL"  # bold word, no period, regular number


def test_italic_run_in_headings_after_a_number():
    doc = parsed("radaee_pdf-sdk_eula_v1.6.1_2015-09.pdf")
    assert section(doc, "7.1").heading == "Severability"
    assert section(doc, "6.1").heading == "Inactive licenses (activation key was not issued) within 25 days from purchase"
    assert section(doc, "6.1").text.startswith("customers should send a refund request")


def test_sub_clause_numbers_running_on_inside_a_paragraph_start_clauses():
    """'... set out below. 3.2 You agree ...' as the page prints it."""
    doc = parsed("sportradar_unified-odds-sdk_license-agreement_2018-01.pdf")
    three = section(doc, "3")
    assert [c.number for c in three.children] == ["3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8"]
    assert three.text.endswith("set out below.")
    assert section(doc, "3.2").text.startswith("You agree that Sportradar or third parties own")


def test_numbers_nest_by_their_numbering():
    """6.6.1 follows 6.5 on the page (no 6.6 printed): it belongs to 6; a table row '3 Standard
    licenses' in small type is no clause; 7.11 follows a numbered list inside 7.10."""
    doc = parsed("radaee_pdf-sdk_eula_v1.6.1_2015-09.pdf")
    assert doc.parent_of(section(doc, "6.6.1").id).number == "6"
    assert doc.parent_of(section(doc, "7.11").id).number == "7"
    assert not [s for s in doc.all_sections() if s.number == "3" and "Standard licenses" in s.text]


def test_the_title_block_is_title_and_preamble_not_sections():
    lidor = parsed("lidorsystems_integralui-web_license-agreement_2024-04.pdf")
    assert lidor.title == "LICENSE AGREEMENT"
    assert [s.number for s in lidor.sections] == [str(n) for n in range(1, 13)]
    assert any("THIS IS A LEGAL DOCUMENT" in p.text for p in lidor.preamble)
    countersoft = parsed("countersoft_gemini_eula_2013-04.pdf")
    assert [s.number for s in countersoft.sections] == [str(n) for n in range(1, 15)]
    assert countersoft.preamble[0].text == "PLEASE READ THIS CAREFULLY BEFORE CONTINUING"


def test_a_title_centred_over_several_lines_and_a_centred_regular_title():
    movesense = parsed("movesense_sdk-license-and-evaluation-agreement_2017-09.pdf")
    assert movesense.title.startswith("MOVESENSE SOFTWARE DEVELOPMENT (“SDK”) LICENSE AND EVALUATION AGREEMENT")
    assert parsed("nxp_software-license-agreement_v48_2023-07.pdf").title == "NXP SOFTWARE LICENSE AGREEMENT"


def test_version_label_from_a_closing_last_updated_line():
    assert parsed("noobaa_community-edition_license-agreement_2016-08.pdf").version == "Last Updated: August 2016"


def test_a_bold_lead_in_inside_a_numbered_section_does_not_swallow_the_next_numbers():
    """Countersoft's 'Product Support for different versions' is set bold inside clause 11."""
    doc = parsed("countersoft_gemini_eula_2013-04.pdf")
    assert "Product Support for different versions" in section(doc, "11").text
    assert section(doc, "12") in doc.sections


def test_roman_headings_under_a_section_are_its_sub_nodes():
    doc = parsed("lidorsystems_integralui-web_license-agreement_2024-04.pdf")
    one = section(doc, "1")
    heads = [(n.id, getattr(n, "heading", None)) for n, parent in doc.walk() if parent is one]
    assert ("section/1/i", "OWNERSHIP") in heads and ("section/1/iv", "BETA, TRIAL or EVALUATION VERSIONS") in heads


def test_part_words_nest_as_printed():
    """Addendum 3 opens 'SECTION 1—COMMON TERMS' and then ARTICLE 1-6 inside it."""
    doc = parsed("esri_license-agreement-E204-E300_2015-06.pdf")
    addendum = next(s for s in doc.all_sections() if s.number == "ADDENDUM 3")
    assert [s.number for s in addendum.children] == ["SECTION 1", "SECTION 2"]
    assert [s.number for s in addendum.children[0].children][:2] == ["ARTICLE 1", "ARTICLE 2"]
    exhibit = next(s for s in doc.all_sections() if s.number == "EXHIBIT 1")
    assert [s.number for s in exhibit.children] == ["ADDENDUM 1", "ADDENDUM 2", "ADDENDUM 3", "ADDENDUM 4"]


def test_a_footer_that_varies_on_the_first_page_is_still_furniture():
    doc = parsed("st_sla0051_software-license-agreement_rev3_2020-05.pdf")
    texts = " ".join(n.text for n in doc.nodes())
    assert "www.st.com" not in texts and "For further information contact" not in texts


# -- line-end hyphens ---------------------------------------------------------------


CORPUS_PDFS = sorted(CORPUS.glob("*.pdf")) + sorted(REAL.glob("*.pdf"))


def test_a_hyphen_left_with_a_space_joins_its_word(doc_2025):
    """The reference PDF prints 'non- beta' and 'non- Milestone' where Word's optional hyphen stood."""
    beta = doc_2025.get("general/test-and-pilot-licenses-beta-version-of-product")
    assert "a non-beta version" in beta.text
    texts = [n.text for n in doc_2025.nodes()]
    assert not [m.group() for t in texts for m in re.finditer(r"\b\w+- (?!and\b|or\b|to\b)\w+", t)]


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS_PDFS, ids=[p.name for p in CORPUS_PDFS])
def test_no_word_keeps_a_space_after_its_hyphen(path):
    doc = eula_parse.parse(path, tag=False)
    stray = [m.group() for n in doc.nodes() for m in re.finditer(r"\b[A-Za-z]+- (?!and\b|or\b|to\b)[A-Za-z]+", n.text)]
    assert not stray


# -- eula check: numbering and headings -------------------------------------------------


def test_eula_check_reports_numbering_slips_in_a_pdf(tmp_path):
    from eula_parse.cli import main as cli

    path = tmp_path / "slips.pdf"
    build_plain_pdf(path, [
        "1. Grant of License", "The Vendor grants you a licence to use the Software on one computer.",
        "2. Restrictions", "You may not rent or lend the Software to anyone.",
        "4. Termination", "This licence ends when you stop using the Software.",
        "4. Governing Law", "This agreement is governed by the laws of Norway.",
    ], title="Software License Agreement", headings=(0, 2, 4, 6))
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    findings = json.loads(result.output)["structure"]
    assert {"kind": "gap", "node": "section/4", "message": "3 is missing between 2 and 4"} in findings
    assert any(f["kind"] == "duplicate" and f["message"] == "4 appears twice" for f in findings)
    plain = CliRunner().invoke(cli, ["check", str(path)])
    assert "numbering and headings to check: 2" in plain.output
    assert CliRunner().invoke(cli, ["check", str(path), "--strict"]).exit_code == 1


def test_findings_name_empty_paragraphs_sentence_headings_and_respect_printed_ranges():
    doc = Document(title="T", sections=[
        Section(id="section/1", number="1", heading="Scope", text="The terms apply."),
        Section(id="section/2", number="2", text="Not for use in navigation. 3–9. Reserved."),
        Section(id="section/10", number="10", text=""),
        Section(id="section/11", number="11", heading="the licensee shall keep all copies of the software safe",
                text="Always."),
    ])
    found = [(f.kind, f.node, f.message) for f in structure_findings(doc)]
    assert found == [
        ("empty", "section/10", "10 has no text"),
        ("heading", "section/11", "heading reads like body text: 'the licensee shall keep all copies of the software safe'"),
    ]


def test_the_reference_agreement_reads_without_findings(doc_2025, doc_2024):
    assert structure_findings(doc_2025) == []
    assert structure_findings(doc_2024) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(REAL.glob("*.pdf")), ids=[p.name for p in sorted(REAL.glob("*.pdf"))])
def test_real_agreements_read_without_findings(path):
    """Every slip the check found on these pages was a parsing error, and is fixed: the pages
    themselves number consistently (ranges such as '3–9. Reserved.' included)."""
    assert [(f.node, f.message) for f in structure_findings(eula_parse.parse(path, tag=False))] == []
