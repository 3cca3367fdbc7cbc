"""The real Esri Master Agreement pair (2018-03-30 -> 2019-09-26).

The changes asserted here were found by reading the two PDFs' text side by side
(pdfplumber extraction, independent of the parser); each is checked against that
raw text too, so the test says what the documents say, not what the parser made of them.
"""

from __future__ import annotations

import re

import pytest

import eula_parse
from eula_parse.diff import comparable

from conftest import REAL

OLD = REAL / "esri_master-agreement-E204CW_2018-03-30.pdf"
NEW = REAL / "esri_master-agreement-E204CW_2019-09-26.pdf"
#: The running footer, e.g. "E204CW Page 1 of 15 March 30, 2018".
FOOTER = re.compile(r"^E204CW Page \d+ of \d+ .*$", re.M)


def raw_text(path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return comparable(FOOTER.sub("", text))


@pytest.fixture(scope="module")
def esri():
    old, new = eula_parse.parse(OLD, tag=False), eula_parse.parse(NEW, tag=False)
    return eula_parse.diff(old, new), raw_text(OLD), raw_text(NEW)


def lines(text: str) -> list[str]:
    return [comparable(line) for line in text.split("\n") if line.strip()]


def find(result, kind, *, old=None, new=None):
    """The change of ``kind`` whose old text contains ``old`` and new text contains ``new``."""
    found = [
        c for c in result.substantive
        if c.kind == kind
        and (old is None or old in comparable(c.old_text))
        and (new is None or new in comparable(c.new_text))
    ]
    assert found, f"no {kind} change with old {old!r} / new {new!r}"
    return found[0]


# (kind, phrase only in the 2018 text, phrase only in the 2019 text), each read off the PDFs.
CONFIRMED = [
    # 1.1 Grant of Rights: "Deliverables or" dropped
    ("modified", "authorized use of Deliverables or Esri Offerings", "authorized use of Esri Offerings"),
    # B.7.4 Privacy: a new section
    ("added", None, "Esri will process personal data according to the terms of the Data Processing Addendum"),
    # 8.1 Prohibited Uses, item a
    ("modified", "Spams, spoofs, or phishes email", "Creates or transmits spam, spoofings, or phishing email"),
    # 9.11 US Government Customer: FISMA -> FedRAMP
    ("modified", "Online Services are FISMA-Low authorized", "has been granted FedRAMP tailored low authorization"),
    # Article 6 Insurance: currency spelled out
    ("modified", None, "(US dollars) combined single limit per occurrence"),
]


@pytest.mark.parametrize("kind, before, after", CONFIRMED)
def test_confirmed_change_is_reported(esri, kind, before, after):
    result, old_raw, new_raw = esri
    before, after = (comparable(p) if p else None for p in (before, after))
    # what the eye saw is really in the PDFs
    if before:
        assert before in old_raw and before not in new_raw
    if after:
        assert after in new_raw and after not in old_raw
    change = find(result, kind, old=before, new=after)
    if kind == "modified":
        assert any(op != "equal" for op, _ in change.redline)


def test_no_unchanged_node_is_reported(esri):
    """Every node reported changed really reads differently in the two PDFs."""
    result, old_raw, new_raw = esri
    assert len(result.substantive) >= len(CONFIRMED)
    for change in result.substantive:
        if change.kind == "added":
            # some of what was added (a node, or a line of its subtree) is not in the old PDF
            assert any(line not in old_raw for line in lines(change.new_text)), change.new_id
        elif change.kind == "removed":
            assert any(line not in new_raw for line in lines(change.old_text)), change.old_id
        elif change.kind == "modified":
            assert comparable(change.old_text) != comparable(change.new_text)
            # the new wording is not in the old PDF, or the old wording is gone from the new one
            assert comparable(change.new_text) not in old_raw or comparable(change.old_text) not in new_raw, (
                change.new_id
            )
    for change in result.changes:
        if change.kind == "renumbered":
            assert comparable(change.old_text) == comparable(change.new_text)
