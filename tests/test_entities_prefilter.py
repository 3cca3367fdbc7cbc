"""The regex tagger's pre-test: words a pattern cannot match without (eula_parse.entities.prefilter).

The pre-test may only ever skip a text the regex would not match; these tests hold it to that on
every pattern of regex.jsonl against real agreement texts, and on the letters where Python's
case-insensitive matching and ``str.lower()`` part ways.
"""

from pathlib import Path

import pytest

from eula_parse.entities.data import _regex_patterns
from eula_parse.entities.prefilter import holds, lowered, required_words

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [ROOT / "corpus" / "milestone-eula-20250425.txt", *sorted((ROOT / "corpus" / "real").glob("*.txt")),
         *sorted((ROOT / "corpus" / "real").glob("*.md"))]


def test_words_are_read_off_the_regex():
    assert required_words(r"(?i)\bversions?\s+(?:19|20)\d\d") == (
        (True, frozenset({"version"})), (True, frozenset({"19", "20"})))
    # each branch gives its most telling words; a character class gives its characters
    assert required_words(r"(?i)EUR|USD|[$€£]|euro") == ((True, frozenset({"eur", "usd", "$", "€", "£", "euro"})),)
    # a case-sensitive branch beside a case-insensitive one is tested on the lower-cased text
    assert required_words(r"Section|(?i:article)") == ((True, frozenset({"section", "article"})),)


def test_what_it_cannot_read_adds_nothing():
    assert required_words(r"\d{4}") == ()  # \d is any Unicode digit, not only 0-9
    assert required_words(r"(?:version)?\s+\w+") == ()  # optional
    assert required_words(r"\d+|day") == ()  # one branch without a word: the alternation says nothing
    assert required_words(r"(?<=Esri )\w+") == ()  # look-arounds


def test_a_text_without_the_words_is_skipped_and_one_with_them_is_not():
    hints = required_words(r"(?i)\b(?:day|week|month)s?\b")
    for text, expected in [("within thirty (30) Days of delivery", True), ("promptly after delivery", False)]:
        assert holds(hints, text, lowered(text)) is expected


@pytest.mark.parametrize("text, pattern", [
    ("ſection 5", r"(?i)section"),  # long s folds to s in re
    ("SECTİON 5", r"(?i)section"),  # dotted capital I lower-cases to two characters
    ("ıtem (a)", r"(?i)item"),  # dotless i
    ("5 \u212aG", r"(?i)kg"),  # Kelvin sign
])
def test_letters_where_re_and_lower_part_ways_are_never_skipped(text, pattern):
    import re

    assert re.search(pattern, text)
    assert holds(required_words(pattern), text, lowered(text))


def test_no_pattern_is_skipped_on_a_text_it_matches():
    import eula_parse

    texts = [node.text for path in TEXTS for node in eula_parse.parse(path, tag=False).nodes()]
    assert len(texts) > 500
    rows = _regex_patterns()
    skipped = matched = 0
    for text in texts:
        lower = lowered(text)
        for row in rows:
            for regex, hints in ((row.pattern, row.hints), (row.needs, row.needs_hints)):
                if regex is None:
                    continue
                if regex.search(text):
                    matched += 1
                    assert holds(hints, text, lower), (regex.pattern, text[:200])
                elif not holds(hints, text, lower):
                    skipped += 1
    assert matched > 100 and skipped > 1000  # the test saw both sides
