"""The structure gold of tests/gold/real/ agrees with the pages it was read from.

Not a test of the parser: pdfplumber's words of each PDF must show every gold number,
heading and text start on the page the gold names, in document order (tests/goldpage.py).
An edit to the gold therefore cannot drift from the page, and a gold written from the
parser's output instead of the page would show. A file of its own so that it runs on
another worker than tests/test_real.py; marked slow (it reads every page of 20 PDFs).
"""

from __future__ import annotations

import pytest
from goldcheck import ROOT, load_gold
from goldpage import problems

GOLD = load_gold()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_agrees_with_the_page(name):
    assert not problems(ROOT / "corpus" / "real" / name, GOLD[name])


def test_a_gold_entry_off_the_page_is_caught():
    """A number, heading or text start that the page does not show, in the order it shows them, is reported."""
    name = "countersoft_gemini_eula_2013-04.pdf"
    gold = dict(GOLD[name], headings=[
        {"number": "5", "heading": "Limited Warranty", "page": 2},
        {"number": "5.9", "heading": None, "parent": "5", "page": 2},
        {"number": "5.1", "heading": None, "parent": "5", "text_start": "The Licensor warrants", "page": 2},
        {"number": "4", "heading": "Transferring the Software", "page": 2},
    ])
    assert problems(ROOT / "corpus" / "real" / name, gold) == [
        "not on its page after the previous entry: 5/5.9  (page 2)",
        "text_start not right after number and heading: 5/5.1  (page 2)",
        "not on its page after the previous entry: /4 Transferring the Software (page 2)",
    ]
