"""The Whoosh engine's segment merges: bounded segments, nothing lost, a kill mid-merge harmless.

Every commit writes a segment; the engine merges segments of one size once
``MERGE_FACTOR`` of them pile up. The constants are made small here so a
few synthetic agreements go through several rounds of merging, merges of
merged segments included.
"""

from __future__ import annotations

import signal
import subprocess

import pytest

from conftest_search import MARKER_WORD, indexed_counts, nodes_in, spawn_python, synthetic_document
from eula_parse import ClauseIndex
from eula_parse.index.engines import whoosh as whoosh_engine

QUERIES = [MARKER_WORD, "licence server", "warranty refund court", "door plate failover", "tool"]


def hits(ix: ClauseIndex, query: str) -> set[tuple[str, str]]:
    return {(h.document, h.id) for h in ix.search(query, version="all", limit=100000, fuzzy=False)}


@pytest.fixture
def small_tiers(monkeypatch):
    """Merge every 3 segments of one size; sizes counted from 20 records (one agreement is 23)."""
    monkeypatch.setattr(whoosh_engine, "MERGE_FACTOR", 3)
    monkeypatch.setattr(whoosh_engine, "MERGE_FLOOR", 20)


def test_many_small_commits_stay_few_segments_and_find_what_one_commit_finds(tmp_path, small_tiers):
    docs = [synthetic_document(n) for n in range(30)]
    with ClauseIndex(tmp_path / "one-batch") as whole:
        whole.add_many([(doc, None) for doc in docs])
        expected = {q: hits(whole, q) for q in QUERIES}
    with ClauseIndex(tmp_path / "file-by-file") as ix:
        most = 0
        for doc in docs:
            ix.add(doc)
            most = max(most, ix.segments())
        # segments of 1, 3, 9 and 27 agreements (23 records each): at most 3 of each size
        assert 1 < ix.segments() <= most <= 3 * 4
        assert set(indexed_counts(ix).values()) == {nodes_in(docs[0])}
        assert len(indexed_counts(ix)) == 30
        for q in QUERIES:
            assert hits(ix, q) == expected[q], q
        # a replaced file's old records are deleted, and merges drop them for good
        changed = synthetic_document(7)
        changed.sha256 = "0" * 64
        assert ix.add(changed).status == "replaced"
        for n in range(30, 40):
            ix.add(synthetic_document(n))
        assert set(indexed_counts(ix).values()) == {nodes_in(docs[0])}
        assert len(indexed_counts(ix)) == 40
        ix.optimize()
        assert ix.segments() == 1
        assert len(ix) == 40 * nodes_in(docs[0])
        assert set(indexed_counts(ix).values()) == {nodes_in(docs[0])}
        for q in QUERIES:
            assert expected[q] <= hits(ix, q), q


def test_no_merge_below_the_factor(tmp_path, small_tiers):
    with ClauseIndex(tmp_path / "index") as ix:
        ix.add(synthetic_document(0))
        ix.add(synthetic_document(1))
        ix.add(synthetic_document(2))
        assert ix.segments() == 3  # three of one size: the next commit merges them with its own
        ix.add(synthetic_document(3))
        assert ix.segments() == 1


MERGING_ADD_SCRIPT = """
import sys
from conftest_search import synthetic_document
from eula_parse.index import ClauseIndex
from eula_parse.index.engines import whoosh
whoosh.MERGE_FACTOR, whoosh.MERGE_FLOOR = 2, 20  # nearly every commit merges
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ix = ClauseIndex(path)
for n in range(first, last):
    ix.add(synthetic_document(n))
    print(n, flush=True)
"""


def test_writer_killed_mid_merge_leaves_every_file_fully_in_or_out(tmp_path):
    path = tmp_path / "index"
    ClauseIndex(path).close()
    committed: set[int] = set()
    for round_, first in enumerate(range(0, 400, 100)):
        proc = spawn_python(MERGING_ADD_SCRIPT, str(path), str(first), str(first + 100),
                            stdout=subprocess.PIPE, text=True)
        for _ in range(3 + 2 * round_):
            committed.add(int(proc.stdout.readline()))
        proc.send_signal(signal.SIGKILL)
        committed.update(int(line) for line in proc.stdout.read().split())
        proc.wait()
        with ClauseIndex(path) as ix:
            counts = indexed_counts(ix)
            assert set(counts.values()) == {nodes_in(synthetic_document(0))}
            present = {int(k.split("@")[0].rsplit("-", 1)[1]) for k in counts}
            assert committed <= present
    with ClauseIndex(path) as ix:  # and the next writer carries on
        assert ix.add(synthetic_document(10_000)).status == "added"
        ix.optimize()
        assert ix.segments() == 1
        assert len(indexed_counts(ix)) == len(ix.documents())
