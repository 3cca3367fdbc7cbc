"""Number words in the tagger's patterns (eula_parse.entities.numbers): written as a prefix tree for
speed, they must find exactly what the plain list of words finds, in real agreement texts."""

import re
from pathlib import Path

from eula_parse.entities.numbers import _NUMBER_WORDS, WORDNUM, _trie, parse_number

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [ROOT / "corpus" / "milestone-eula-20250425.txt", *sorted((ROOT / "corpus" / "real").glob("*.txt"))]


def test_the_prefix_tree_matches_each_word_and_nothing_else():
    tree = re.compile(rf"(?i)\b(?:{_trie(['eight', 'eighteen', 'eighty', 'eleven'])})\b")
    assert [m.group() for m in tree.finditer("Eighteen, eighty-eight, eleventh, eigh, EIGHT")] == \
        ["Eighteen", "eighty", "eight", "EIGHT"]


def test_number_words_are_found_as_the_plain_word_list_finds_them():
    plain = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
    before = re.compile(rf"(?i:\b{plain}\b(?:(?:\s+and\s+|\s+|-){plain}\b)*)")
    now = re.compile(WORDNUM)
    found = 0
    for path in TEXTS:
        text = path.read_bytes().decode("utf-8", "replace")  # one file is in cp1252
        spans = [m.span() for m in now.finditer(text)]
        assert spans == [m.span() for m in before.finditer(text)], path.name
        found += len(spans)
    assert found > 50  # the agreements do write numbers in words ("thirty (30) days")


def test_a_number_in_words_reads_as_its_value():
    match = re.search(WORDNUM, "within ninety-five (95) days")
    assert match.group() == "ninety-five" and parse_number(match.group()) == 95
