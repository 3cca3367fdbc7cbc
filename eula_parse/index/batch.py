"""Batch indexing: parse files in worker processes, add them in this one.

A worker per job parses PDFs with a time cap per file, so one pathological
PDF cannot stall a batch, a crash stays contained, and spaCy/pdfplumber
never load into the process that searches.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from eula_parse.errors import EulaError
from eula_parse.index.records import FileResult

if TYPE_CHECKING:
    from eula_parse.index.clause_index import ClauseIndex


#: Default per-file time cap for batch indexing (seconds).
FILE_TIMEOUT = 120.0


#: What a directory walk picks up: the forms eula_parse.readers reads (each file is then read by content).
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".rtf", ".html", ".htm", ".xhtml", ".md", ".markdown", ".txt", ".text")


def expand_paths(paths: Iterable[Union[str, os.PathLike]]) -> tuple[list[str], list[FileResult]]:
    """Files named as given; directories searched recursively for the supported forms.

    Returns the files to index (no duplicates, in order), an error result for
    every path that does not exist and a ``skipped`` result for every other
    file found in a directory.
    """
    files: list[str] = []
    problems: list[FileResult] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                listed = sorted(p for p in path.rglob("*") if p.is_file())
                found = [p for p in listed if p.suffix.lower() in SUPPORTED_SUFFIXES]
                problems += [
                    FileResult(str(p), "skipped", error=f"not a supported form ({p.suffix or 'no suffix'})")
                    for p in listed if p.suffix.lower() not in SUPPORTED_SUFFIXES
                ]
            except OSError as exc:
                problems.append(FileResult(str(raw), "error", error=f"cannot list directory ({exc.strerror or exc})"))
                continue
        elif path.exists():
            found = [path]
        else:
            problems.append(FileResult(str(raw), "error", error="no such file or directory"))
            continue
        for p in found:
            key = str(p.resolve())
            if key not in seen:
                seen.add(key)
                files.append(str(p))
    return files, problems


def file_sha256(path: Union[str, os.PathLike]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tiny_pdf() -> bytes:
    """A one-page PDF built by hand, parsed once by each worker so start-up cost is not billed to a file."""
    content = b"BT /F1 14 Tf 72 760 Td (Sample Agreement) Tj 0 -24 Td /F1 10 Tf " \
              b"(1. The Product may be installed on one computer for 30 days.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _send(stream: Any, message: Any) -> None:
    import pickle

    blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(blob)) + blob)
    stream.flush()


def _read_message(stream: Any) -> Any:
    import pickle

    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    return pickle.loads(stream.read(size))


def _worker_loop() -> None:
    """Body of a parse worker: read paths on stdin, write (status, Document|message) on stdout."""
    import signal
    import sys
    import tempfile

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray writes to stdout must not corrupt the message stream
    max_pages = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    from eula_parse.pipeline import parse

    kwargs = {"max_pages": max_pages} if max_pages else {}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm-up.pdf"
        warm.write_bytes(_tiny_pdf())
        try:
            parse(warm)
        except Exception:  # noqa: BLE001 - warming up only; real files report their own errors
            pass
    _send(out, ("ready", None))
    while True:
        path = _read_message(sys.stdin.buffer)
        if path is None:
            return
        try:
            reply = ("ok", parse(path, **kwargs))
        except EulaError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", "out of memory while parsing")
        except RecursionError:
            reply = ("error", "document nesting too deep to parse")
        except Exception as exc:  # noqa: BLE001 - report a parser bug for this file, keep the batch going
            reply = ("error", f"internal error while parsing ({type(exc).__name__}: {exc})")
        try:
            _send(out, reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value on the Document
            _send(out, ("error", f"internal error while returning the document ({type(exc).__name__}: {exc})"))


class _Worker:
    """One parse worker process and the file it is busy with."""

    def __init__(self, max_pages: Optional[int]):
        import subprocess
        import sys

        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from eula_parse.index.batch import _worker_loop; _worker_loop()",
             str(max_pages or "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if os.environ.get("EULA_DEBUG") else subprocess.DEVNULL,
        )
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.buffer = bytearray()
        self.ready = False
        self.started = time.monotonic()
        self.task: Optional[tuple[int, str, float]] = None

    def give(self, index: int, path: str) -> None:
        self.task = (index, path, time.monotonic())
        _send(self.proc.stdin, os.path.abspath(path))

    def messages(self) -> Iterator[Any]:
        """Messages complete in the pipe; raises EOFError when the worker is gone."""
        import pickle

        while True:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                raise EOFError
            self.buffer += chunk
        while len(self.buffer) >= 8:
            (size,) = struct.unpack(">Q", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                break
            blob = bytes(self.buffer[8:8 + size])
            del self.buffer[:8 + size]
            yield pickle.loads(blob)

    def stop(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def default_jobs() -> int:
    """Worker processes for a batch when the caller does not say: one per core this process may use."""
    from eula_parse.worker import cores

    return cores()


#: Parsed files wait for at most this many others, or this many seconds, before they are committed together.
BATCH_FILES = 64
BATCH_SECONDS = 15.0
#: Seconds a worker may take to start (import spaCy, pdfplumber) before it counts as broken.
WORKER_START_TIMEOUT = 120.0


def _run_batch(index: ClauseIndex, paths: list[str], *, timeout: float, jobs: int,
               max_pages: Optional[int], progress: Optional[Callable],
               as_document: Optional[str] = None) -> list[FileResult]:
    import selectors

    files, problems = expand_paths(paths)
    results: dict[int, FileResult] = {}
    order = list(range(len(files)))
    notify = progress or (lambda path, result: None)
    for problem in problems:
        notify(problem.path, problem)

    def finish(i: int, result: FileResult) -> None:
        results[i] = result
        notify(result.path, result)

    pending: list[tuple[int, str, str]] = []
    known = {d.sha256: d for d in index.documents()}
    for i, path in enumerate(files):
        try:
            sha = file_sha256(path)
        except OSError as exc:
            finish(i, FileResult(path, "error", error=f"cannot read file ({exc.strerror or exc})"))
            continue
        if sha in known:
            info = known[sha]
            finish(i, FileResult(path, "unchanged", document=info.document, title=info.title,
                                 version=info.version, nodes=info.nodes))
        else:
            pending.append((i, path, sha))
    pending.reverse()  # pop() from the end keeps input order

    workers: list[_Worker] = []
    start_failures = 0
    selector = selectors.DefaultSelector()

    def start_worker() -> None:
        worker = _Worker(max_pages)
        workers.append(worker)
        selector.register(worker.fd, selectors.EVENT_READ, worker)

    parsed: list[tuple[int, str, float, Any]] = []

    def commit() -> None:
        """Add the files parsed so far in one commit; their results are final only once it is in."""
        batch = parsed[:]
        parsed.clear()
        try:
            added = index.add_many([(doc, os.path.abspath(path)) for _, path, _, doc in batch],
                                   as_document=as_document)
        except EulaError as exc:
            for i, path, began, _ in batch:
                finish(i, FileResult(path, "error", time.monotonic() - began, error=str(exc)))
            return
        for (i, path, began, _), a in zip(batch, added):
            finish(i, FileResult(path, a.status, time.monotonic() - began, a.document, a.title, a.version, a.nodes))

    def drop(worker: _Worker) -> None:
        selector.unregister(worker.fd)
        workers.remove(worker)
        worker.stop()

    try:
        for _ in range(max(1, min(jobs, len(pending)))):
            if pending:
                start_worker()
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.ready and worker.task is None and pending:
                    i, path, _sha = pending.pop()
                    notify(path, None)
                    worker.give(i, path)
            now = time.monotonic()
            deadlines = [w.task[2] + timeout if w.task else w.started + WORKER_START_TIMEOUT
                         for w in workers if w.task or not w.ready]
            wait = max(0.0, min(deadlines) - now) if deadlines else 0.5
            for key, _ in selector.select(timeout=min(wait, 0.5)):
                worker = key.data
                try:
                    for kind, payload in worker.messages():
                        if kind == "ready":
                            worker.ready = True
                            continue
                        i, path, began = worker.task
                        worker.task = None
                        seconds = time.monotonic() - began
                        if kind == "error":
                            prefix = os.path.abspath(path) + ": "  # the parser names the file; we do too
                            message = payload[len(prefix):] if payload.startswith(prefix) else payload
                            finish(i, FileResult(path, "error", seconds, error=message))
                            continue
                        parsed.append((i, path, began, payload))
                except EOFError:
                    code = worker.proc.poll()
                    if worker.task:
                        i, path, began = worker.task
                        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                        finish(i, FileResult(path, "error", time.monotonic() - began,
                                             error=f"parser process crashed ({how})"))
                    elif not worker.ready:
                        start_failures += 1
                    drop(worker)
            now = time.monotonic()
            for worker in list(workers):
                if worker.task and now - worker.task[2] > timeout:
                    i, path, began = worker.task
                    finish(i, FileResult(path, "error", now - began,
                                         error=f"gave up after {timeout:g} s (per-file time cap)"))
                    drop(worker)
                elif not worker.ready and now - worker.started > WORKER_START_TIMEOUT:
                    start_failures += 1
                    drop(worker)
            if start_failures >= 3:
                while pending:
                    i, path, _sha = pending.pop()
                    finish(i, FileResult(path, "error", error="the parser process failed to start"))
            busy = pending or any(w.task for w in workers)
            if parsed and (not busy or len(parsed) >= BATCH_FILES or
                           time.monotonic() - parsed[0][2] > BATCH_SECONDS):
                commit()
            wanted = min(max(1, jobs), len(pending) + sum(1 for w in workers if w.task))
            while len(workers) < wanted:
                start_worker()
        if parsed:
            commit()
    finally:
        for worker in list(workers):
            drop(worker)
        selector.close()
    return problems + [results[i] for i in order if i in results]
