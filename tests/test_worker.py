"""The warm worker keeps spaCy loaded between commands; what a command gets from it is what parse() gives.

Each test has its own runtime directory (``$XDG_RUNTIME_DIR``), so its worker is its
own, and stops it at the end. The rest of the suite runs with ``EULA_WORKER=off``
(conftest), where commands use a one-off forked helper instead.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import PDF_2024, PDF_2025, ROOT

from eula_parse import parse, worker
from eula_parse.errors import InputError


@pytest.fixture
def runtime(monkeypatch):
    """A private runtime directory with workers on; the worker started in it is stopped afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="eula-w-"))  # short: a socket's path must fit in ~100 bytes
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    monkeypatch.delenv(worker.ENV_WORKER, raising=False)
    monkeypatch.setenv(worker.ENV_IDLE, "120")
    monkeypatch.setenv("EULA_CACHE", "off")
    yield directory
    worker.stop()
    _wait_for(lambda: not list(directory.glob("eula-parse/*.sock")))
    shutil.rmtree(directory, ignore_errors=True)


def _wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def eula(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # the timeout also proves the command does not wait for the worker it leaves running
    return subprocess.run([sys.executable, "-m", "eula_parse", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_the_first_command_starts_a_worker_and_the_next_ones_are_served_by_it(runtime):
    assert worker.status() is None
    first = eula("diff", "--json", str(PDF_2024), str(PDF_2025))
    assert first.returncode == 1, first.stderr  # 1: the versions differ, as diff(1)
    assert _wait_for(lambda: worker.status() is not None)  # started as the command finished
    about = worker.status()
    assert about["pid"] != os.getpid()
    second = eula("diff", "--json", str(PDF_2024), str(PDF_2025))
    assert second.stdout == first.stdout
    assert any(change["entity_changes"] for change in json.loads(second.stdout)["changes"])
    assert worker.status()["served"] >= about["served"] + 2  # this diff, then this question
    assert "request(s) served" in eula("worker").stdout


def test_a_command_served_by_the_worker_loads_neither_spacy_nor_a_pdf_engine(runtime):
    code = ("import sys; from eula_parse import worker\n"
            f"doc, = worker.parse_all([{str(PDF_2025)!r}], max_pages=2000, engine=None, worker=True)\n"
            "print(sum(len(n.entities) for n in doc.nodes()), 'spacy' in sys.modules, 'pypdfium2' in sys.modules)")
    eula("entities", str(PDF_2024))  # starts the worker
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    assert int(out[0]) > 100 and out[1:] == ["False", "False"]


def test_a_parse_by_the_worker_is_the_parse(runtime, doc_2024, doc_2025):
    """Same tree, entities and modality as ``parse()``, with the path as the caller wrote it."""
    relative = os.path.relpath(PDF_2025)
    started = worker.parse_all([PDF_2024, relative], max_pages=2000, engine=None, worker=True)  # starts it
    assert _wait_for(lambda: worker.status() is not None)
    served = worker.parse_all([PDF_2024, relative], max_pages=2000, engine=None, worker=True)  # it parses these
    for documents in (started, served):
        assert [d.to_dict() for d in documents] == [doc_2024.to_dict(), parse(relative).to_dict()]
        assert documents[1].source == relative
    assert sum(len(node.entities) for node in served[1].nodes()) > 100


def test_an_error_met_in_the_worker_is_the_commands_one_line(runtime, tmp_path):
    eula("entities", str(PDF_2025))  # starts the worker
    assert _wait_for(lambda: worker.status() is not None)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"hello")
    result = eula("parse", "bad.pdf", cwd=tmp_path)  # named as the user wrote it, not as the worker sees it
    assert result.returncode == 2 and result.stderr.startswith("error: bad.pdf: not a PDF")
    assert result.stderr.count("\n") == 1
    with pytest.raises(InputError, match="not a PDF"):
        worker.parse_all([PDF_2025, bad], max_pages=2000, engine=None, worker=True)
    assert worker.status() is not None  # a bad file costs the worker nothing


def test_the_worker_leaves_when_idle(runtime, monkeypatch):
    monkeypatch.setenv(worker.ENV_IDLE, "1")
    worker.parse_all([PDF_2025], max_pages=2000, engine=None, worker=True)
    where = worker.address()
    assert _wait_for(where.exists)
    assert _wait_for(lambda: not where.exists(), seconds=30)
    assert worker.status() is None


def test_a_worker_that_dies_mid_request_costs_only_time(runtime, doc_2025):
    """Something at the worker's address that hangs up on every request: the file is parsed here."""
    where = worker.address()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(where))
    server.listen(4)

    def hang_up():
        connection, _ = server.accept()
        connection.recv(16)
        connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        document, = worker.parse_all([PDF_2025], max_pages=2000, engine=None, worker=True)
    finally:
        server.close()
        where.unlink()
    assert document.to_dict() == doc_2025.to_dict()


def test_a_socket_left_by_a_killed_worker_is_replaced(runtime, doc_2025):
    where = worker.address()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(where))  # bound, never listening, closed without removing the file: what a kill leaves
    stale.close()
    document, = worker.parse_all([PDF_2025], max_pages=2000, engine=None, worker=True)
    assert document.to_dict() == doc_2025.to_dict()
    assert _wait_for(lambda: worker.status() is not None)


def test_no_worker_where_the_runtime_directory_is_not_private(runtime):
    (runtime / "eula-parse").mkdir(mode=0o755)
    os.chmod(runtime / "eula-parse", 0o755)  # whatever the umask: readable by others
    assert worker.address() is None
    result = eula("diff", "--stat", str(PDF_2024), str(PDF_2025))
    assert result.returncode == 1 and "modified" in result.stdout
    assert not list((runtime / "eula-parse").iterdir())


def test_eula_worker_off_starts_none(runtime, monkeypatch):
    monkeypatch.setenv(worker.ENV_WORKER, "off")
    assert worker.address() is None
    eula("entities", str(PDF_2025))
    assert not (runtime / "eula-parse").exists()
    assert "off" in eula("worker").stdout


def test_another_code_or_setting_gets_another_worker(runtime, monkeypatch):
    """A worker answers only for the code and settings its socket is named after."""
    ours = worker.address()
    monkeypatch.setenv("EULA_PARSE_SPACY_MODEL", "en_core_web_sm")
    assert worker.address() not in (None, ours)
