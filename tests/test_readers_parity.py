"""Both PDF engines read every PDF we have into the same tree.

PDFium (the default) and pdfplumber (the reference) are asked for the same
words; the shared column, furniture and structure code then builds the tree.
Equal trees mean equal ids, numbers, headings, texts and page spans for every
node. The reference agreement, three real agreements and one re-typeset layout
run by default; every other corpus PDF and layout is marked slow.

Accepted differences: none on these files. Where the engines may differ by
design (see ``eula_parse/readers/pdfium.py``): text outside the crop box,
invisible text on pages that also show visible text, characters without a
Unicode value and text set across the page's reading direction are dropped by
PDFium; pdfplumber keeps them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import eula_parse
from eula_parse.readers import plumber, pdfium
from eula_parse.readers.columns import page_lines

import pdfgen

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus").glob("*.pdf")) + sorted((ROOT / "corpus" / "real").glob("*.pdf"))
#: Run by default: the reference agreement and three real ones of different make.
DEFAULT = {
    "milestone-eula-20250425.pdf",
    "esri_license-agreement-E204-E300_2015-06.pdf",  # Times without embedded fonts, italics
    "radaee_pdf-sdk_eula_v1.6.1_2015-09.pdf",  # text drawn at size 1, scaled by the matrix
    "sportradar_unified-odds-sdk_license-agreement_2018-01.pdf",
}


def _tree(path: Path, engine: str) -> dict:
    data = eula_parse.parse(path, tag=False, engine=engine).to_dict()
    data.pop("source", None)
    return data


def _lines(module, path: Path) -> list[tuple]:
    return [
        (number, line.text, line.size, line.bold, line.bold_prefix, line.italic)
        for number, (_, _, words, width) in enumerate(module.pages(path, max_pages=2000), start=1)
        for line in page_lines(number, words, width)
    ]


def _assert_same_tree(path: Path):
    reference, fast = _tree(path, "pdfplumber"), _tree(path, "pdfium")
    if reference != fast:
        # Show the first line the engines read differently: that is where to look.
        for ours, theirs in zip(_lines(plumber, path), _lines(pdfium, path)):
            assert ours == theirs
    assert fast == reference


@pytest.mark.parametrize(
    "path",
    [p if p.name in DEFAULT else pytest.param(p, marks=pytest.mark.slow) for p in CORPUS],
    ids=lambda p: p.name,
)
def test_corpus_pdf_reads_the_same_with_both_engines(path):
    _assert_same_tree(path)


@pytest.mark.parametrize(
    "layout",
    [name if i == 0 else pytest.param(name, marks=pytest.mark.slow) for i, name in enumerate(pdfgen.LAYOUTS)],
)
def test_layout_reads_the_same_with_both_engines(tmp_path, layout):
    path = tmp_path / f"nordlys-{layout}.pdf"
    pdfgen.build_eula_pdf(path, pdfgen.DEFAULT_SPEC, **pdfgen.LAYOUTS[layout])
    _assert_same_tree(path)


def test_words_carry_the_same_fonts():
    """Word by word on the reference agreement: text, size, weight and slant agree, boxes within 1 pt.

    Boxes agree to hundredths of a point at the start of a line; along a
    justified line the engines' word positions drift apart by up to half a
    point, well inside the gap that separates words (1.5 pt, or a tenth of the type size if less).
    """
    path = ROOT / "corpus" / "milestone-eula-20250425.pdf"
    reference = list(plumber.pages(path, max_pages=100))
    fast = list(pdfium.pages(path, max_pages=100))
    assert len(fast) == len(reference) == 16
    for (_, _, theirs, _), (_, _, ours) in zip(reference, ((w, h, words) for w, h, words, _ in fast)):
        theirs = sorted(theirs, key=lambda w: (round(w.top), w.x0))
        ours = sorted(ours, key=lambda w: (round(w.top), w.x0))
        assert [(w.text, w.size, w.bold, w.italic) for w in ours] == [(w.text, w.size, w.bold, w.italic) for w in theirs]
        for a, b in zip(ours, theirs):
            assert max(abs(a.x0 - b.x0), abs(a.x1 - b.x1), abs(a.top - b.top), abs(a.bottom - b.bottom)) < 1.0, (a, b)


def test_default_engine_is_pdfium_and_unknown_engine_is_refused(tmp_path):
    from eula_parse.readers.pdf import ENGINES

    assert ENGINES[0] == "pdfium" and "pdfplumber" in ENGINES
    with pytest.raises(eula_parse.InputError, match="unknown PDF engine"):
        eula_parse.parse(ROOT / "corpus" / "milestone-eula-20250425.pdf", engine="xpdf")
