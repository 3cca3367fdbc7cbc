"""Every form a EULA comes in -- Word, RTF, HTML, Markdown, plain text -- parses to the tree a reader sees.

Two kinds of evidence:

* the non-PDF agreements in ``corpus/real/``: their numbered headings were read
  off each file's own text (``tests/gold/formats/*.json``) and must come back
  as nodes with that number, heading and parent;
* the reference agreement (``corpus/milestone-eula-20250425.txt``, segmented in
  :func:`formgen.reference_spec` without the parser) written by
  :mod:`formgen` as DOCX, HTML and Markdown in the seven layouts the PDF tests
  use: every file must give the reference tree (23 sections, 25 products,
  137 clauses) with the reference texts.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

import eula_parse
from eula_parse.model import normalize_space
from eula_parse.readers import detect

import formgen
from conftest import TXT_2025
from goldcheck import score
from test_parse import GROUPS, SECTIONS, norm

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "corpus" / "real"
GOLD = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "tests" / "gold" / "formats").glob("*.json"))
}
NAMES = sorted(g["file"] for g in GOLD.values())


@pytest.fixture(scope="module")
def real_docs() -> dict:
    return {name: eula_parse.parse(REAL / name, tag=False) for name in NAMES}


@pytest.fixture(scope="module")
def scores(real_docs) -> dict:
    """goldcheck's score per file (the matching rules test_real.py uses for the PDFs)."""
    adapted = {g["file"]: {"furniture": [], "version_has": None, **g, "title": [g["title"]]} for g in GOLD.values()}
    return {name: score(name, real_docs[name], gold) for name, gold in adapted.items()}


# -- the corpus's non-PDF agreements ----------------------------------------------------


def test_every_non_pdf_agreement_in_the_corpus_has_gold():
    forms = {p.name for p in REAL.iterdir() if p.suffix.lower() in (".docx", ".rtf", ".html", ".md", ".txt")}
    assert forms == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_form_is_told_by_content(name):
    want = next(g["form"] for g in GOLD.values() if g["file"] == name)
    assert detect((REAL / name).read_bytes()) == want


@pytest.mark.parametrize("name", NAMES)
def test_title(real_docs, name):
    gold = next(g for g in GOLD.values() if g["file"] == name)
    assert normalize_space(real_docs[name].title) == gold["title"]


@pytest.mark.parametrize("name", NAMES)
def test_numbered_headings_per_file(scores, name):
    """Each file on its own: at most one gold heading in ten missed or misplaced."""
    s = scores[name]
    assert len(s.missing) <= s.headings // 10, s.missing
    assert len(s.wrong_parent) <= s.headings // 10, s.wrong_parent


def test_numbered_headings_recall_and_parents(scores):
    """Over all non-PDF files: recall of the gold headings, and of their parents, at least 98 %."""
    headings = sum(s.headings for s in scores.values())
    found = sum(s.found for s in scores.values())
    parents = sum(s.parent_right for s in scores.values())
    assert headings >= 300
    assert found / headings >= 0.98, f"recall {found}/{headings}"
    assert parents / headings >= 0.98, f"parents {parents}/{headings}"


def test_word_automatic_numbers_appear_as_word_shows_them(real_docs):
    """Juniper's sections are numbered only by Word (w:numPr): the XML holds no "17.", the tree does."""
    name = "juniper_script-software_license-agreement_2018.docx"
    xml = zipfile.ZipFile(REAL / name).read("word/document.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", "", xml)
    assert "Definitions" in text and not re.search(r"\b17\.\s*Definitions", text)
    doc = real_docs[name]
    assert [s.number for s in doc.sections] == [str(n) for n in range(1, 18)]
    assert doc.get("section/17").heading == "Definitions"
    # the restriction list of section 10 is lettered by Word too: a. .. g.
    assert [i.label for i in doc.get("section/10").items] == list("abcdefg")


def test_mojibake_and_code_pages_are_repaired(real_docs):
    simba = real_docs["simba_bigquery-jdbc-driver_eula_2020.txt"]
    text = " ".join(n.text for n in simba.nodes())
    assert "IMPORTANT – READ CAREFULLY" in " ".join(s.heading or "" for s in simba.all_sections()) + text
    assert "PROGRAM’S END USER" in text and not re.search("[\u0400-\u04ff]", text)
    havok = real_docs["havok_project-anarchy_software-license-agreement_2013-10.txt"]
    assert havok.title == "Havok™ Project Anarchy™ Software License Agreement"
    assert "Havok’s logo" in havok.get("section/6.1").text


def test_run_on_numbers_in_wrapped_text_are_split(real_docs):
    """Axway runs "1.1." on after its article heading and "5.5." on after a sentence."""
    doc = real_docs["axway_license-support-and-services-agreement_2019.txt"]
    assert doc.get("section/article-1").heading == "DEFINITIONS AND INTERPRETATION"
    assert doc.get("section/1.1").text.startswith("In this Agreement and any Schedules")
    assert doc.get("section/5.5").text.startswith("EXCEPT FOR THE EXPRESS WARRANTIES")
    assert "Section 3.3 apply" in doc.get("section/3.3").text  # a reference is not a new clause


def test_html_page_chrome_and_contents_are_dropped(real_docs):
    doc = eula_parse.parse(REAL / "yellowdogman_resonite_eula_2024-01-05.html", tag=False)
    text = " ".join([n.text for n in doc.nodes()] + [s.heading or "" for s in doc.all_sections()])
    assert "Policies Page" not in text and "TABLE OF CONTENTS" not in text
    assert [s.number for s in doc.sections if s.number] == [str(n) for n in range(1, 18)]


# -- the reference agreement in every form and layout ---------------------------------

SPEC = formgen.reference_spec(TXT_2025, SECTIONS, GROUPS)
CASES = [(form, layout) for form in formgen.FORMS for layout in formgen.LAYOUTS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    out = {}
    folder = tmp_path_factory.mktemp("forms")
    for form, layout in CASES:
        path = formgen.write(form, SPEC, folder / f"reference-{layout}{formgen.SUFFIX[form]}", layout)
        out[form, layout] = eula_parse.parse(path, tag=False)
    return out


def test_reference_spec_is_the_reference_tree():
    """The spec the forms are written from has the reference counts (segmented without the parser)."""
    assert len(SPEC.sections) == 23 and len(SPEC.products) == 25
    assert sum(len(p.clauses) for p in SPEC.products) == 137


@pytest.mark.parametrize("form,layout", CASES, ids=[f"{f}-{l}" for f, l in CASES])
def test_reference_tree_in_every_form(rendered, form, layout):
    doc = rendered[form, layout]
    assert doc.title == SPEC.title
    assert [s.heading for s in doc.sections] == SECTIONS
    assert {g.name: [p.name for p in g.products] for g in doc.groups} == GROUPS
    assert len(doc.products) == 25 and len(doc.clauses) == 137
    assert [s.id for s in doc.sections][:2] == ["general/affiliated-companies", "general/acceptance-of-unattended-remote-updating"]
    for spec in SPEC.products:
        product = next(p for p in doc.products if p.name == spec.name)
        assert [c.number for c in product.clauses] == [c.number for c in spec.clauses], spec.name
        for clause, want in zip(product.clauses, spec.clauses):
            assert norm(clause.text) == norm(want.text), clause.id  # test_parse's comparison of the reference
    for section, want in zip(doc.sections, SPEC.sections):
        assert norm(section.text) == norm(" ".join(want.paragraphs)), section.id


@pytest.mark.parametrize("layout", list(formgen.LAYOUTS))
def test_word_footer_is_furniture_and_gives_the_version(rendered, layout):
    doc = rendered["docx", layout]
    assert doc.version == SPEC.version
    assert all(SPEC.version not in n.text for n in doc.nodes())


def test_same_ids_in_every_form(rendered):
    ids = {key: [n.id for n in doc.nodes()] for key, doc in rendered.items()}
    first = ids[CASES[0]]
    assert all(value == first for value in ids.values())


# -- a folder of agreements in mixed forms ---------------------------------------------


def test_index_a_folder_of_every_form(tmp_path):
    """``eula index DIR`` takes each supported file by its content and lists what it skipped."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "agreements"
    folder.mkdir()
    for name in ("gooddata_lcm_eula_2021-03.docx", "vmware_vsphere-sdk_license-agreement.rtf",
                 "siemens_royalty-free-software-license_v1.2_2023-07.md"):
        shutil.copy(REAL / name, folder / name)
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    proc = subprocess.run(
        [sys.executable, "-m", "eula_parse", "index", str(folder), "--index", str(tmp_path / "index")],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = {line.split()[1].rsplit("/", 1)[-1]: line.split()[0] for line in proc.stdout.splitlines()
              if line.split() and line.split()[0] in ("added", "skipped", "error")}
    assert status == {"gooddata_lcm_eula_2021-03.docx": "added", "vmware_vsphere-sdk_license-agreement.rtf": "added",
                      "siemens_royalty-free-software-license_v1.2_2023-07.md": "added", "logo.png": "skipped"}
