"""Numbers that open a table row or continue a wrapped sentence are not clause numbers.

Movesense's Appendix 2 reproduces Python's licence with its release table ("1.6.1 1.6 2001
CNRI yes", ..., "2.2 and above 2.1.1 2001-now PSF yes") and a CNRI clause whose second line
begins "1.6.1 FOR ANY INCIDENTAL ..." after a full-width line that ends mid-sentence. A reader
sees a table and a wrapped sentence, in both versions of the agreement, however the producer
set them (the 2017 rows are indented and run together in the text layer, the 2023 rows sit at
the text's left edge one per line).
"""

from __future__ import annotations

import pytest

import eula_parse
from eula_parse.diff import comparable

from conftest import REAL

MOVESENSE = sorted(REAL.glob("movesense_*.pdf"))


@pytest.fixture(scope="module", params=MOVESENSE, ids=[p.stem[-7:] for p in MOVESENSE])
def movesense(request):
    return eula_parse.parse(request.param, tag=False)


def _python(doc):
    """Appendix 2's "C. [PYTHON]", the reproduced Python licence."""
    (python,) = [s for s in doc.all_sections() if s.number == "C" and s.heading == "[PYTHON]"]
    return python


def test_release_table_rows_and_wrapped_numbers_open_no_section(movesense):
    numbers = {s.number.rstrip(".") for s in movesense.all_sections() if s.number}
    assert not numbers & {"0.9.0", "1.6", "1.6.1", "2.0", "2.0.1", "2.1", "2.1.1", "2.1.2", "2.1.3", "2.2"}
    # the whole table is the text of C, row after row
    assert comparable("2.1.3 2.1.2 2002 PSF yes 2.2 and above 2.1.1 2001-now PSF yes Footnotes:") in comparable(_python(movesense).text)
    # and the CNRI licence's clause 5 reads on across its wrapped line
    wrapped = "OR ANY OTHER USERS OF PYTHON 1.6.1 FOR ANY INCIDENTAL, SPECIAL, OR CONSEQUENTIAL DAMAGES"
    (clause,) = [n for n in movesense.nodes() if comparable(wrapped) in comparable(n.text)]
    assert clause.number == "5" and movesense.parent_of(clause.id) is _python(movesense)


def test_the_licences_after_the_table_stay_under_the_appendix(movesense):
    """The PSF, BeOpen and CNRI licences' numbered conditions hang under C, not under a "2.2"."""
    python = _python(movesense)
    assert [c.number for c in python.children][:8] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    appendix = movesense.sections[-1]
    assert appendix.number.upper() == "APPENDIX 2" and [c.number for c in appendix.children] == ["A", "B", "C", "D"]
