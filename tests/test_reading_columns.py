"""Two-column pages read column by column, region by region, with either engine.

A reader reads a full-width title and introduction first, then the left column,
then the right one; a column that ends mid-sentence goes on at the top of the
next column or page; the last column of an agreement is as short as its text.
Never is a line made of words from two columns.
"""

from __future__ import annotations

import pytest

import eula_parse
from readgen import build_columns_pdf, filler

ENGINES = ("pdfium", "pdfplumber")
HEADINGS = ["Definitions", "Grant of Licence", "Restrictions", "Fees and Payment", "Support",
            "Warranty", "Liability", "Term and Termination", "Governing Law"]
SECTIONS = [(heading, filler(n, 6 + n % 4)) for n, heading in enumerate(HEADINGS)]
INTRO = ["This agreement is made between the Licensor and the Licensee named in the order. " + filler(99, 3)]


def check(doc, sections):
    assert [s.number for s in doc.sections] == [str(n) for n in range(1, len(sections) + 1)]
    assert [s.heading for s in doc.sections] == [h for h, _ in sections]
    for section, (_, text) in zip(doc.sections, sections):
        assert section.text == text


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rows", [48, 31])  # the last column is short: 17 rows, 5 rows
def test_full_width_title_and_intro_above_two_columns(tmp_path, engine, rows):
    path = tmp_path / "columns.pdf"
    build_columns_pdf(path, "SOFTWARE LICENSE AGREEMENT", INTRO, SECTIONS, column_rows=rows)
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == "SOFTWARE LICENSE AGREEMENT"
    assert " ".join(p.text for p in doc.preamble) == INTRO[0]
    check(doc, SECTIONS)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_short_last_column_is_still_a_column(tmp_path, engine):
    """One page: the left column full, the right one a few lines."""
    sections = SECTIONS[:3]
    path = tmp_path / "short.pdf"
    build_columns_pdf(path, "SOFTWARE LICENSE AGREEMENT", INTRO, sections, column_rows=30)
    doc = eula_parse.parse(path, tag=False, engine=engine)
    check(doc, sections)


@pytest.mark.parametrize("engine", ENGINES)
def test_no_line_is_made_of_words_from_two_columns(tmp_path, engine):
    from eula_parse.readers import read

    path = tmp_path / "columns.pdf"
    build_columns_pdf(path, "SOFTWARE LICENSE AGREEMENT", INTRO, SECTIONS, column_rows=31)
    layout = read(path, max_pages=10, engine=engine)
    middle = layout.pages[0].width / 2
    lines = layout.lines
    first = next(i for i, line in enumerate(lines) if line.text == "1. Definitions")
    body = lines[first:]  # below the full-width title and introduction
    assert body and all(line.x1 < middle or line.x0 > middle for line in body)
    assert {line.column for line in body} == {0, 1}
