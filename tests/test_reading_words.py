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
from eula_parse.readers.columns import Word, make_line
from readgen import build_display_type_pdf

ENGINES = ("pdfium", "pdfplumber")


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
