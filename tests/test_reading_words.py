"""Display type reads as the words a reader sees, with either PDF engine.

Titles and headings are often set in small capitals (a full-size first letter,
then smaller capitals, each a separate run) or letter-spaced ("tracked")
capitals, where every glyph is its own word box. A reader still sees
"SOFTWARE LICENSE AGREEMENT"; so must the parser, from geometry and type size
alone (the gap between glyphs against the word gap, the size step inside a word).
"""

from __future__ import annotations

import pytest

import eula_parse
from conftest import CORPUS, REAL
from eula_parse.readers import ligatures, pdfium, plumber
from eula_parse.readers import read as read_document
from eula_parse.readers.columns import Word, make_line, page_lines
from eula_parse.readers.layout import Page
from readgen import LIGATURE_TEXT, build_display_type_pdf, build_ligature_damage_pdf, build_placed_words_pdf

ENGINES = ("pdfium", "pdfplumber")


def read(path, engine):
    return read_document(path, max_pages=50, engine=engine)


def headings(doc) -> list[str]:
    return [s.heading for s in doc.sections]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "style, tracking, drift",
    [
        ("small-caps", 0.0, 0.0),  # runs that touch
        ("small-caps", 0.0, 1.6),  # the small run placed a little after the capital
        ("small-caps", 2.0, 0.0),  # small capitals, tracked as well
        ("tracked", 2.5, 0.0),  # "L I C E N S E": tracking narrower than a space
        ("tracked", 5.0, 0.0),  # tracking wider than a space
    ],
)
def test_small_caps_and_letter_spaced_headings_read_as_words(tmp_path, engine, style, tracking, drift):
    path = tmp_path / "display.pdf"
    build_display_type_pdf(path, style, tracking=tracking, drift=drift)
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == "SOFTWARE LICENSE AGREEMENT"
    assert [s.number for s in doc.sections] == ["1", "2", "3"]
    assert headings(doc) == ["DEFINITIONS", "LICENSE GRANT", "TERMINATION"]
    assert doc.sections[1].text.startswith("The Licensor grants the Licensee a non-exclusive")


def letters(text: str, x: float, size: float, gap: float, space: float) -> list[Word]:
    """One word box per glyph of ``text`` (0.6 em wide), ``gap`` apart, ``space`` more at a space."""
    out = []
    for ch in text:
        if ch == " ":
            x += space
            continue
        out.append(Word(ch, x, x + 0.6 * size, 100, 100 + size, size, False, False))
        x += 0.6 * size + gap
    return out


def test_ordinary_text_keeps_its_spaces():
    """Single letters in running text ("a b c d" as options) are words, not tracking."""
    spaced = [Word("options", 72, 110, 100, 110, 10, False, False)] + letters("a b c d", 112.8, 10, 0, 2.8)
    assert make_line(spaced, 1).text == "options a b c d"


def test_a_capital_before_a_smaller_word_with_a_real_space_stays_apart():
    """'I AGREE' in small capitals: a full-size 'I', a space of the large type, then small capitals."""
    words = [Word("I", 72, 76, 100, 114, 14, True, False), Word("AGREE", 79.5, 120, 102.8, 114, 11.2, True, False)]
    assert make_line(words, 1).text == "I AGREE"
    touching = [Word("I", 72, 76, 100, 114, 14, True, False), Word("TEM", 76.5, 100, 102.8, 114, 11.2, True, False)]
    assert make_line(touching, 1).text == "ITEM"


# -- ligature glyphs mapped to the wrong text ---------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_ligatures_a_font_maps_wrongly_are_repaired(tmp_path, engine):
    """'so(ware', 'no0ce', 'o\\ue001ce' and 'o ce' (a glyph read as white space) read as the
    words on the page; '1st', 'MP3', 'x86', 'licence(s)' and 'and/or' keep their spelling."""
    path = tmp_path / "ligatures.pdf"
    build_ligature_damage_pdf(path)
    layout = read(path, engine=engine)
    text = " ".join(line.text for line in layout.lines)
    assert text == " ".join(LIGATURE_TEXT)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_word_the_document_prints_whole_elsewhere_is_repaired_from_the_document(tmp_path, engine):
    """'Nordfield' is no English word; the title prints it whole in another font, so the body's
    'Nord\ue010eld' (a damaged 'fi') is read as the document's own word."""
    path = tmp_path / "own-words.pdf"
    paragraphs = ["Nordfield grants the Licensee the rights in this agreement.",
                  "Nordfield may end the agreement by notice in writing."]
    build_ligature_damage_pdf(path, paragraphs, {"fi": ("\ufb01", "\ue010")}, title="Nordfield Agreement")
    text = " ".join(line.text for line in read(path, engine=engine).lines)
    assert text == "Nordfield Agreement " + " ".join(paragraphs)


@pytest.mark.parametrize("name", ["milestone-eula-20250425.pdf", "nxp_software-license-agreement_v48_2023-07.pdf"])
def test_clean_agreements_are_not_touched(name):
    """Real agreements without damage: 'A/S', 'Product(s)', '(re)distribute', 'slf4j', 'LC3plus'
    and 'XProtect®' are what the pages print, and no line is changed."""
    path = CORPUS / name if (CORPUS / name).exists() else REAL / name
    pages = [Page(n, w, h, page_lines(n, words, rw))
             for n, (w, h, words, rw) in enumerate(pdfium.pages(path, max_pages=100), start=1)]
    before = [line.text for page in pages for line in page.lines]
    assert ligatures.repair(pages) == 0
    assert [line.text for page in pages for line in page.lines] == before


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size", [9.5, 6.3])
def test_words_placed_without_space_glyphs_read_apart(tmp_path, engine, size):
    """Browsers print justified text glyph by glyph with no space glyph (issue #10): at 9.5 pt a
    kerned word gap (0.15 em) is under 1.5 pt, yet "DELIVERY AND" must not read "DELIVERYAND";
    letters 0.04 em apart (as around an apostrophe) stay one word."""
    path = tmp_path / "placed.pdf"
    lines = build_placed_words_pdf(path, size)
    reader = pdfium if engine == "pdfium" else plumber
    words = [w.text for _, _, page_words, _ in reader.pages(path, max_pages=1) for w in page_words]
    assert words == " ".join(lines).split()
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == "SOFTWARE LICENSE AGREEMENT"
    assert headings(doc) == ["DEFINITIONS", "LICENSE GRANT", "TERMINATION"]
    assert doc.sections[1].text.startswith("The Licensor grants the Licensee a non-exclusive")
