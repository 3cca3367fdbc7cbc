"""The index is never lost or corrupted: kills, concurrent writers, readers during writes, damage, bad batches.

Documents here are synthetic (built from the model dataclasses) so child
processes can index many of them quickly; the batch tests parse real PDFs
built with ``tests/pdfgen.py`` in worker processes.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest_search import (
    ADD_SCRIPT,
    ENGINE_PARAMS,
    MARKER_WORD,
    indexed_counts,
    nodes_in,
    run_eula,
    spawn_python,
    synthetic_document,
)
from eula_parse import ClauseIndex, EulaError, IndexCorruptError, NotFoundError
from eula_parse.index import MARKER, SearchResults, rebuild

NODES = nodes_in(synthetic_document(0))


@pytest.fixture(params=ENGINE_PARAMS)
def engine(request):
    """Tests taking this fixture run once per engine: both keep the same guarantees."""
    return request.param


def assert_whole_files(index: ClauseIndex) -> dict[str, int]:
    """Every document in the index has all its nodes; returns the counts.

    Another process may commit between two reads, so the search must see at
    least the files listed before it and at most those listed after it.
    """
    before = {f"{d.document}@{d.version}" for d in index.documents()}
    counts = indexed_counts(index)
    after = {f"{d.document}@{d.version}": d.nodes for d in index.documents()}
    assert all(n == NODES for n in counts.values()), counts
    assert before <= set(counts) <= set(after), (before, counts, after)
    assert all(after[k] == NODES for k in counts)
    return counts


# -- atomic per file --------------------------------------------------------------


def test_killed_writer_leaves_every_file_fully_in_or_out(tmp_path, engine):
    path = tmp_path / "index"
    ClauseIndex(path, engine=engine).close()
    committed: set[int] = set()
    first = 0
    rng = random.Random(4)
    for round_ in range(4):
        proc = spawn_python(ADD_SCRIPT, str(path), str(first), str(first + 200), stdout=subprocess.PIPE, text=True)
        for _ in range(2 + round_):  # let a few commits land, then kill mid-write
            committed.add(int(proc.stdout.readline()))
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        committed.update(int(line) for line in rest.split())
        with ClauseIndex(path) as ix:
            counts = assert_whole_files(ix)
            present = {int(k.split("@")[0].rsplit("-", 1)[1]) for k in counts}
            assert committed <= present
            assert ix.search("licence")  # still searchable
        first += 200
    # and the index still takes writes (no stale lock left by the killed process)
    with ClauseIndex(path) as ix:
        assert ix.add(synthetic_document(10_000)).status == "added"
        assert_whole_files(ix)


@pytest.mark.slow
def test_interrupted_cli_batch_keeps_whole_files(tmp_path):
    from pdfgen import build_eula_pdf, build_plain_pdf

    src = tmp_path / "pdfs"
    src.mkdir()
    build_eula_pdf(src / "a-nordlys.pdf")
    for n in range(6):
        build_plain_pdf(src / f"p{n}.pdf", [f"Paragraph {n} of agreement {n} about licences."] * 3,
                        title=f"Plain Agreement {n}")
    index = tmp_path / "index"
    proc = subprocess.Popen([sys.executable, "-m", "eula_parse", "index", str(src), "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (index / MARKER).exists():
        time.sleep(0.05)
    # wait until at least one file is committed, then kill the whole batch
    while time.time() < deadline:
        try:
            with ClauseIndex(index, create=False) as ix:
                if ix.documents():
                    break
        except EulaError:
            pass
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    with ClauseIndex(index, create=False) as ix:
        docs = ix.documents()
        assert docs
        for d in docs:
            assert len(ix.search("*", document=d.document, limit=10_000)) == d.nodes
    # re-running finishes the job and skips what is already in
    out = run_eula("index", str(src), "--index", str(index))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "unchanged" in out.stdout and "error" not in out.stdout


# -- concurrency --------------------------------------------------------------------


def test_two_writers_at_once_both_succeed(tmp_path, engine):
    path = tmp_path / "index"
    ClauseIndex(path, engine=engine).close()
    procs = [spawn_python(ADD_SCRIPT, str(path), str(first), str(first + 8), stdout=subprocess.PIPE, text=True)
             for first in (0, 100)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert all(len(o.split()) == 8 for o in outs)
    with ClauseIndex(path, create=False) as ix:
        assert len(assert_whole_files(ix)) == 16


def test_search_while_indexing_sees_whole_files(tmp_path, engine):
    path = tmp_path / "index"
    ClauseIndex(path, engine=engine).close()
    proc = spawn_python(ADD_SCRIPT, str(path), "0", "25", stdout=subprocess.PIPE, text=True)
    seen = set()
    with ClauseIndex(path) as ix:
        while proc.poll() is None:
            counts = assert_whole_files(ix)
            seen.add(len(counts))
        proc.wait()
        assert len(assert_whole_files(ix)) == 25
    assert proc.returncode == 0
    assert len(seen) > 2  # the reader really did look at intermediate states


# -- damage -------------------------------------------------------------------------


def _healthy(tmp_path: Path, engine: str = "whoosh") -> Path:
    path = tmp_path / "index"
    with ClauseIndex(path, engine=engine) as ix:
        for n in range(3):
            ix.add(synthetic_document(n))
    return path


def _segment_files(path: Path) -> list[Path]:
    """The engine's data files: Whoosh's segments, or tantivy's per-segment files."""
    if (path / "tantivy").is_dir():
        return [f for f in (path / "tantivy").iterdir() if f.suffix in (".idx", ".term", ".store", ".pos")]
    return list(path.glob("MAIN_*.seg"))


def _garbage_toc(path: Path) -> None:
    tantivy_meta = path / "tantivy" / "meta.json"
    toc = tantivy_meta if tantivy_meta.exists() else max(path.glob("_MAIN_*.toc"))
    toc.write_bytes(b"\x00garbage" * 10)


def _truncated_segment(path: Path) -> None:
    for seg in _segment_files(path):
        seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 3])


def _missing_segment(path: Path) -> None:
    for seg in _segment_files(path):
        seg.unlink()


def _garbage_store(path: Path) -> None:
    for extra in path.glob("eula-records.sqlite-*"):
        extra.unlink()
    (path / "eula-records.sqlite").write_bytes(b"\x00garbage" * 100)


def _scrambled_marker(path: Path) -> None:
    (path / MARKER).write_text("{not json")


def _old_format(path: Path) -> None:
    (path / MARKER).write_text(json.dumps({"format": 0}))


@pytest.mark.parametrize("damage, message", [
    (_garbage_toc, "damaged"),
    (_truncated_segment, "damaged"),
    (_missing_segment, "damaged"),
    (_garbage_store, "damaged"),
    (_scrambled_marker, "damaged"),
    (_old_format, "has format 0"),
])
def test_damaged_index_gives_a_clear_error(tmp_path, engine, damage, message):
    path = _healthy(tmp_path, engine)
    damage(path)
    with pytest.raises(IndexCorruptError, match=message) as info:
        with ClauseIndex(path) as ix:
            ix.search("licence")
    assert "--rebuild" in str(info.value) and "\n" not in str(info.value)
    out = run_eula("search", "licence", "--index", str(path))
    assert out.returncode == 2 and out.stderr.startswith("error: index at") and "--rebuild" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    # nothing was "repaired" behind the user's back
    with pytest.raises(IndexCorruptError):
        ClauseIndex(path)


def test_tantivy_files_from_an_older_schema_ask_for_a_rebuild(tmp_path):
    tantivy = pytest.importorskip("tantivy")
    path = _healthy(tmp_path, "tantivy")
    engine_dir = path / "tantivy"
    shutil.rmtree(engine_dir)
    engine_dir.mkdir()
    builder = tantivy.SchemaBuilder()  # what an earlier version wrote: no stored words per record
    builder.add_text_field("uid", stored=True, tokenizer_name="raw")
    builder.add_text_field("file", tokenizer_name="raw")
    tantivy.Index(builder.build(), path=str(engine_dir))
    with pytest.raises(IndexCorruptError, match="older version of eula-parse") as info:
        ClauseIndex(path)
    assert "--rebuild" in str(info.value) and "\n" not in str(info.value)
    out = run_eula("search", "licence", "--index", str(path))
    assert out.returncode == 2 and out.stderr.startswith("error: index at") and len(out.stderr.splitlines()) == 1


def test_an_index_keeps_its_engine_and_refuses_another(tmp_path, engine):
    path = _healthy(tmp_path, engine)
    with ClauseIndex(path) as ix:  # no engine named: the one recorded in the index
        assert ix.engine_name == engine
        assert ix.search(MARKER_WORD, limit=1)
    other = "tantivy" if engine == "whoosh" else "whoosh"
    with pytest.raises(EulaError, match=f"uses the {engine} engine"):
        ClauseIndex(path, engine=other)


def test_foreign_directory_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "notes"
    path.mkdir()
    (path / "thesis.txt").write_text("precious")
    with pytest.raises(IndexCorruptError, match="not an eula-parse index"):
        ClauseIndex(path)
    with pytest.raises(IndexCorruptError, match="refusing to replace"):
        rebuild(path, [tmp_path])
    assert (path / "thesis.txt").read_text() == "precious"
    out = run_eula("index", str(tmp_path / "nothing.pdf"), "--index", str(path))
    assert out.returncode == 2 and "not an eula-parse index" in out.stderr


def test_foreign_whoosh_index_is_refused_and_rebuild_replaces_it(tmp_path):
    import whoosh.index
    from whoosh.fields import TEXT, Schema

    path = tmp_path / "index"
    path.mkdir()
    other = whoosh.index.create_in(str(path), Schema(body=TEXT(stored=True)))
    with other.writer() as w:
        w.add_document(body="someone else's data")
    with pytest.raises(IndexCorruptError, match="did not write"):
        ClauseIndex(path)
    from pdfgen import build_plain_pdf

    build_plain_pdf(tmp_path / "a.pdf", ["The licensee may copy the software for backup."] * 2, title="Own")
    ix, results = rebuild(path, [tmp_path / "a.pdf"])
    with ix:
        assert ix.search("backup")[0].document == "own"


def test_cli_rebuild_recovers_from_recorded_sources(tmp_path, engine):
    from pdfgen import build_plain_pdf

    pdf = tmp_path / "agreement one.pdf"  # a space in the name, on purpose
    build_plain_pdf(pdf, ["The licensee may install the software on one computer only."] * 2,
                    title="Rebuilt Agreement")
    index = tmp_path / "index"
    out = run_eula("index", str(pdf), "--index", str(index), "--engine", engine)
    assert out.returncode == 0, out.stdout + out.stderr
    for damage in (_truncated_segment, _garbage_toc, _scrambled_marker):  # every kind at once
        damage(index)
    assert run_eula("search", "computer", "--index", str(index)).returncode == 2
    out = run_eula("index", "--rebuild", "--index", str(index))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "added" in out.stdout
    found = run_eula("search", "computer", "--json", "--index", str(index))
    assert json.loads(found.stdout)["hits"][0]["document"] == "rebuilt-agreement"
    with ClauseIndex(index, create=False) as ix:
        assert ix.engine_name == engine  # the rebuilt index keeps its engine


# -- batches with bad and slow files ----------------------------------------------------


def test_index_dir_with_good_and_bad_files(tmp_path):
    from pdfgen import build_eula_pdf

    folder = tmp_path / "inbox ü"
    (folder / "sub").mkdir(parents=True)
    build_eula_pdf(folder / "sub" / "Nordlys EULA.pdf")
    (folder / "notes.pdf").write_text("this is not a PDF at all\n")
    (folder / "empty.pdf").write_bytes(b"")
    good = (folder / "sub" / "Nordlys EULA.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n not an agreement form")
    index = tmp_path / "index"
    out = run_eula("index", str(folder), "--index", str(index))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(line.startswith("added") and "Nordlys EULA.pdf" in line for line in lines)
    # each failure is printed once, on stderr (issue #9), and nowhere on stdout
    assert not [line for line in lines if "error" in line]
    bad = out.stderr.strip().splitlines()
    for name in ("empty.pdf", "notes.pdf", "truncated.pdf"):
        assert len([line for line in bad if f"{name}: " in line]) == 1, (name, bad)
    assert len(bad) == 3 and all(line.startswith("error: ") for line in bad)
    assert [line.split()[0] for line in lines if "photo.png" in line] == ["skipped"]  # listed, not parsed
    with ClauseIndex(index, create=False) as ix:
        assert [d.title for d in ix.documents()] and len(ix.documents()) == 1
    again = run_eula("index", str(folder / "sub"), "--index", str(index))
    assert again.returncode == 0 and again.stdout.startswith("unchanged")


def _dense_pdf(path: Path, pages: int) -> None:
    """``pages`` pages of 60 numbered lines each: far more work to parse than the time cap allows."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for n in range(pages):
        c.setFont("Helvetica", 9)
        for line in range(60):
            c.drawString(50, 800 - line * 12, f"{line + 1}. The licensee may install the software on "
                                              f"computer {n * 100 + line} for ninety days.")
        c.showPage()
    c.save()


def test_per_file_time_cap_does_not_stall_the_batch(tmp_path):
    from pdfgen import build_eula_pdf

    _dense_pdf(tmp_path / "huge.pdf", 500)  # ~15 s of parsing: well past the cap on any machine
    build_eula_pdf(tmp_path / "small.pdf")
    with ClauseIndex(tmp_path / "index") as ix:
        started = time.monotonic()
        results = ix.index_files([tmp_path / "huge.pdf", tmp_path / "small.pdf"], timeout=3.0)
        elapsed = time.monotonic() - started
        by_name = {Path(r.path).name: r for r in results}
        assert by_name["huge.pdf"].status == "error" and "gave up after 3 s" in by_name["huge.pdf"].error
        assert by_name["small.pdf"].status == "added"
        assert [d.source for d in ix.documents()] == [str((tmp_path / "small.pdf").resolve())]
    assert elapsed < 60


def test_missing_path_reported_and_batch_continues(tmp_path):
    with ClauseIndex(tmp_path / "index") as ix:
        results = ix.index_files([tmp_path / "nope.pdf"])
    assert [(r.status, r.error) for r in results] == [("error", "no such file or directory")]


# -- query fuzzing ------------------------------------------------------------------------

TOKENS = ["AND", "OR", "NOT", "ANDNOT", "TO", "(", ")", '"', "[", "]", "{", "}", "*", "?", "~", "^", ":",
          "product:", "text:", "nosuch:", "id:", "v_duration:", "v_duration:>=", "kind:clause", "heading:",
          "licence", "unrestriced", "computers", "smart", "wall", "2", "-", "+", "\\", "/", "'", "é", "®", "☃",
          "\x00", "\t", "\n"]

queries = st.lists(st.tuples(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), st.booleans()),
                   max_size=8).map(lambda parts: "".join(p + (" " if space else "") for p, space in parts))


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def fuzz_index(tmp_path_factory, request):
    path = tmp_path_factory.mktemp(f"fuzz-{request.param}") / "index"
    with ClauseIndex(path, engine=request.param) as ix:
        for n in range(4):
            ix.add(synthetic_document(n))
    return path


def _search_or_eula_error(ix, query, **filters):
    started = time.monotonic()
    try:
        result = ix.search(query, limit=5, **filters)
        assert isinstance(result, SearchResults)
    except EulaError as exc:
        assert str(exc) and "\n" not in str(exc)
    assert time.monotonic() - started < 5.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
@example(query="u\x9c~7A")  # found by the long run: a 7-edit fuzzy term took 14 s before edits were capped
@example(query="computers~9")
def test_query_fuzzer_only_returns_or_raises_eula_error(fuzz_index, query):
    with ClauseIndex(fuzz_index, create=False) as ix:
        _search_or_eula_error(ix, query)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, product=st.one_of(st.none(), st.text(max_size=8)), entity=st.one_of(st.none(), queries),
       version=st.one_of(st.none(), st.sampled_from(["v1", "all", "v9", ""]), st.text(max_size=4)),
       modality=st.one_of(st.none(), st.text(max_size=6)))
def test_filter_fuzzer_only_returns_or_raises_eula_error(fuzz_index, query, product, entity, version, modality):
    with ClauseIndex(fuzz_index, create=False) as ix:
        _search_or_eula_error(ix, query or MARKER_WORD, product=product, entity=entity, version=version,
                              modality=modality)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_query_fuzzer_long_run(fuzz_index, query):
    with ClauseIndex(fuzz_index, create=False) as ix:
        _search_or_eula_error(ix, query)


def test_not_found_is_an_eula_error(tmp_path):
    with pytest.raises(NotFoundError, match="no index at"):
        ClauseIndex(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()
