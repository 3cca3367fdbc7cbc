"""``eula diff`` on agreements that are not PDFs, and across forms.

The expected changes are the ones corpus/real/SOURCES.tsv describes for each
version pair (found there by a word diff of the files, not from this parser):

* Havok 2013-10 -> 2014-04: a new sentence in section 2 (mp3/music files),
  section 6 retitled "Notice and Attribution" with a new 6.1, so the old
  6.1-6.5 become 6.2-6.6 and are otherwise the same; in the third-party terms
  'Scaleform' becomes 'Autodesk'.
* Siemens v1.2 -> v1.4: the defined term 'Software' becomes 'Licensed Material'
  throughout and the scope adds documentation.

Changing only how headings are marked up (bold paragraphs -> ``#`` headings), or
saving the same agreement as PDF and as DOCX, changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import eula_parse
from eula_parse.model import normalize_space

import formgen
import pdfgen

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "corpus" / "real"


def parse(path):
    return eula_parse.parse(path, tag=False)


@pytest.fixture(scope="module")
def havok():
    old = parse(REAL / "havok_project-anarchy_software-license-agreement_2013-10.txt")
    new = parse(REAL / "havok_project-anarchy_software-license-agreement_2014-04.txt")
    return eula_parse.diff(old, new)


def _by_kind(changes, kind):
    return [c for c in changes if c.kind == kind]


def test_havok_one_clause_added_and_the_following_renumbered(havok):
    added = _by_kind(havok.changes, "added")
    assert [c.new_number for c in added] == ["6.1"]
    assert added[0].new_text.startswith("Written notice to Havok") or "Written notice to Havok" in added[0].new_text
    renumbered = sorted((c.old_number, c.new_number) for c in _by_kind(havok.changes, "renumbered"))
    assert renumbered == [("6.1", "6.2"), ("6.2", "6.3"), ("6.3", "6.4"), ("6.4", "6.5"), ("6.5", "6.6")]
    assert not _by_kind(havok.changes, "removed")


def test_havok_wording_changes_are_the_described_ones(havok):
    """Section 2 gains the mp3 sentence, 6 is retitled; in the third-party terms only 'Scaleform'
    -> 'Autodesk'; the closing line "V10.16.2013" is the version label, not clause text."""
    assert (havok.old_version, havok.new_version) == ("V10.16.2013", "V03312014.2")
    modified = {c.new_id: c for c in _by_kind(havok.changes, "modified")}
    assert "mp3" in modified.pop("section/2").new_text
    assert "notice and" in modified.pop("section/6").new_text
    assert [c.new_id for c in _by_kind(havok.changes, "renamed")] == ["section/6"]
    third = "section/additional-license-terms-for-third-party-software"
    assert set(modified) == {"section/1.2", "section/1.5", "section/1.7", "section/1.8", "section/1.9", f"{third}/5"}
    for change in modified.values():
        deleted = " ".join(text for op, text in change.redline if op == "delete")
        inserted = " ".join(text for op, text in change.redline if op == "insert")
        assert "Scaleform" in deleted or "Autodesk" in inserted or "Third Party Software" in inserted, change.new_id


def test_siemens_term_change_and_widened_scope():
    old = parse(REAL / "siemens_royalty-free-software-license_v1.2_2023-07.md")
    new = parse(REAL / "siemens_royalty-free-licensed-material_v1.4_2025-03.md")
    result = eula_parse.diff(old, new)
    use = next(c for c in result.changes if c.kind == "modified" and c.new_id == "section/1.1")
    inserted = " ".join(text for op, text in use.redline if op == "insert")
    deleted = " ".join(text for op, text in use.redline if op == "delete")
    assert "documentation" in inserted and "Licensed Material" in inserted and "Software" in deleted
    renamed = {c.new_id: c for c in result.changes if c.kind == "renamed"}
    assert "section/1.1" in renamed  # "Use of the Software" -> "Use of the Licensed Material"
    # the version line moved from the bottom to the top is a label, not a section
    assert all("Version 1.4" not in (s.heading or "") for s in new.all_sections())


def test_heading_markup_alone_changes_nothing(tmp_path):
    """The v1.2 file with its bold-paragraph headings rewritten as # headings: no change at all."""
    source = (REAL / "siemens_royalty-free-software-license_v1.2_2023-07.md").read_text(encoding="utf-8")

    def atx(match):
        text = match.group(1)
        level = 1 if not re.match(r"\d", text) else 2 + text.split()[0].count(".")
        return "#" * level + " " + text

    rewritten = re.sub(r"^\*\*(.+?)\*\*\s*$", atx, source, flags=re.M)
    assert rewritten != source and "## 1. General information" in rewritten
    path = tmp_path / "siemens-atx.md"
    path.write_text(rewritten, encoding="utf-8")
    result = eula_parse.diff(parse(REAL / "siemens_royalty-free-software-license_v1.2_2023-07.md"), parse(path))
    assert result.changes == []


@pytest.fixture(scope="module")
def nordlys_pdf(tmp_path_factory):
    """The tests' agreement typeset as PDF, and its tree (parsed once for the module)."""
    path = tmp_path_factory.mktemp("cross") / "nordlys.pdf"
    pdfgen.build_eula_pdf(path)
    return path, parse(path)


def _items(doc):
    return [(c.id, [(i.label, normalize_space(i.text)) for i in c.items]) for c in doc.clauses]


@pytest.mark.parametrize("form", formgen.FORMS)
def test_same_agreement_as_pdf_and_other_forms_diffs_as_nothing(tmp_path, nordlys_pdf, form):
    """The test agreement typeset as PDF and written as DOCX/HTML/Markdown: same tree, empty diff."""
    _, old = nordlys_pdf
    other = formgen.write(form, pdfgen.DEFAULT_SPEC, tmp_path / f"nordlys{formgen.SUFFIX[form]}")
    new = parse(other)
    assert (new.title, len(new.sections), len(new.products), len(new.clauses)) == (old.title, 6, 5, 18)
    assert [n.id for n in old.nodes()] == [n.id for n in new.nodes()]
    assert [normalize_space(n.text) for n in old.nodes()] == [normalize_space(n.text) for n in new.nodes()]
    assert _items(old) == _items(new)
    assert eula_parse.diff(old, new).changes == []


def test_cli_diff_across_forms_exits_zero(tmp_path, nordlys_pdf):
    import subprocess
    import sys

    pdf, _ = nordlys_pdf
    docx = formgen.write_docx(pdfgen.DEFAULT_SPEC, tmp_path / "nordlys.docx")
    proc = subprocess.run([sys.executable, "-m", "eula_parse", "diff", str(pdf), str(docx), "--stat"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
