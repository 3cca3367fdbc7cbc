"""The parse cache: files seen before are not parsed again, and a cache never serves a wrong tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from eula_parse.cache import cache_dir, cached_parse
from eula_parse.pipeline import parse

from conftest import PDF_2024, REAL

SMALL = REAL / "st_sla0051_software-license-agreement_rev3_2020-05.pdf"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test starts from an empty cache of its own (the session's holds other tests' parses)."""
    monkeypatch.setenv("EULA_CACHE", str(tmp_path / "cache"))


def entries():
    return sorted(cache_dir().glob("*.json"))


def test_second_parse_comes_from_the_cache_and_equals_a_fresh_parse():
    first = cached_parse(SMALL, tag=False, max_pages=2000)
    stored = entries()
    again = cached_parse(SMALL, tag=False, max_pages=2000)
    assert entries() == stored and stored  # nothing new written: the entry answered
    assert again.to_dict() == first.to_dict() == parse(SMALL, tag=False).to_dict()


def test_a_damaged_entry_is_parsed_again_and_rewritten():
    cached_parse(SMALL, tag=False, max_pages=2000)
    for entry in entries():
        entry.write_text('{"title": ', encoding="utf-8")
    document = cached_parse(SMALL, tag=False, max_pages=2000)
    assert document.to_dict() == parse(SMALL, tag=False).to_dict()
    assert all(json.loads(e.read_text(encoding="utf-8")) for e in entries())


def test_tagging_and_engine_are_part_of_the_key():
    untagged = cached_parse(SMALL, tag=False, max_pages=2000)
    tagged = cached_parse(SMALL, tag=True, max_pages=2000)
    assert not any(n.entities for n in untagged.nodes())
    assert any(n.entities for n in tagged.nodes())
    plumber = cached_parse(SMALL, tag=False, max_pages=2000, engine="pdfplumber")
    assert plumber.to_dict() == untagged.to_dict()  # same tree, read by the other engine
    assert len(entries()) >= 3


def test_cache_off_writes_nothing(monkeypatch):
    monkeypatch.setenv("EULA_CACHE", "off")
    assert cache_dir() is None
    assert cached_parse(SMALL, tag=False, max_pages=2000).sections


def test_a_cached_diff_loads_neither_spacy_nor_a_pdf_engine():
    """`eula diff` of files parsed before answers without importing the heavy libraries."""
    code = (
        "import sys; from eula_parse.cli import main\n"
        "try:\n    main(%r)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('spacy', 'pdfplumber', 'pypdfium2') if m in sys.modules))"
    )
    env = dict(os.environ)  # an empty cache: the first run must parse
    args = ["diff", str(PDF_2024), str(PDF_2024)]
    cold = subprocess.run([sys.executable, "-c", code % args], env=env, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", code % args], env=env, capture_output=True, text=True)
    assert "pypdfium2" in cold.stdout.splitlines()[-1]  # the first run parses (spaCy loads in a helper process)
    assert warm.stdout.splitlines()[-1] == "[]", warm.stdout + warm.stderr


def test_an_index_hands_out_only_trees_this_parser_made(tmp_path):
    """A tree stored by another version of the code is not reused: the file is parsed again."""
    import sqlite3

    from eula_parse.index import ClauseIndex, file_sha256
    from eula_parse.index.store import STORE_NAME

    document = parse(SMALL)
    with ClauseIndex(tmp_path / "index") as index:
        index.add(document, source=str(SMALL))
        assert index.document_for_file(file_sha256(SMALL)).to_dict()["sections"] == document.to_dict()["sections"]
    with sqlite3.connect(tmp_path / "index" / STORE_NAME) as db:  # as an older eula-parse would have left it
        db.execute("UPDATE files SET parser = 'an older parser'")
    with ClauseIndex(tmp_path / "index", create=False) as index:
        assert index.document_for_file(file_sha256(SMALL)) is None
