"""A warm worker: spaCy loaded once and kept between commands, so a command's parse skips its start-up.

Importing spaCy and building the tagging pipeline costs about a second, more
than reading and tagging two agreements (``eula diff``'s whole job). So the
commands that parse (``eula diff``, ``parse``, ``entities``, ``check``) hand their
files to a background process that keeps the pipeline loaded, as a language
server or Gradle's daemon do. The first command parses its files itself (a
forked helper loads spaCy while they are read) and starts the worker as it
finishes; later ones connect, and their files are parsed at once, one per core,
in forks of the loaded process.

- It listens on a Unix socket in a private directory (``$XDG_RUNTIME_DIR/eula-parse``,
  else ``<tmp>/eula-parse-<uid>``; mode 0700, owned by the user) and serves only
  its own user.
- The socket's name carries the code digest (:func:`eula_parse.pipeline.code_digest`),
  the interpreter and the settings that change a parse, so an upgraded or
  edited parser never gets an old worker's answer; an old worker just idles out.
- Each request is served in a fork: requests never share state, and a crash
  costs one request, after which the command parses the file itself (and meets
  any error in its own words). A parse in the worker is the same code on the same
  bytes as :func:`eula_parse.parse`, so the tree is the same.
- It leaves after ``$EULA_WORKER_IDLE`` seconds without a request (default 600).
  ``EULA_WORKER=off`` turns it off. The library's :func:`eula_parse.parse` never
  starts one; only the CLI asks for it (``parse_all(..., worker=True)``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

from eula_parse.model import Document
from eula_parse.pipeline import DEFAULT_MAX_PAGES, code_digest, parse

ENV_WORKER = "EULA_WORKER"
ENV_IDLE = "EULA_WORKER_IDLE"
#: Seconds a worker stays without requests before it leaves.
DEFAULT_IDLE = 600.0
#: A Unix socket's path must fit in ``sockaddr_un`` (108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 100
#: Environment settings that change what a parse produces; a worker serves one combination.
SETTINGS_ENV = ("EULA_PARSE_SPACY_MODEL",)


# --- the command's side -------------------------------------------------------------------------------

def parse_all(paths: Sequence[Union[str, os.PathLike]], *, tag: bool = True, max_pages: int = DEFAULT_MAX_PAGES,
              engine: Optional[str] = None, worker: bool = False) -> list[Document]:
    """``[parse(path) for path in paths]``, without waiting for spaCy to load where that can be helped.

    With ``worker``, a running warm worker parses every file (one per core,
    nothing to load). Otherwise a fork of this process loads spaCy while the
    files are read, tags them and leaves; with ``worker``, a warm worker is
    started once they are tagged, so that its loading does not take turns with
    this call's. On one core, or where nothing can be forked, the files are
    parsed here. The documents and errors are always those of :func:`eula_parse.parse`.
    """
    paths = [Path(path) for path in paths]
    if not tag or not paths:
        return [parse(path, tag=tag, max_pages=max_pages, engine=engine) for path in paths]
    where = address() if worker else None
    connection = _connect(where) if where is not None else None
    if connection is not None:
        answers = _ask(connection, "parse", paths, {"max_pages": max_pages, "engine": engine})
        return [_answer(answer, lambda: parse(path, max_pages=max_pages, engine=engine))
                for path, answer in zip(paths, answers)]
    helper = _Forked.if_it_pays()
    if helper is None:
        documents = [parse(path, max_pages=max_pages, engine=engine) for path in paths]
    else:
        try:
            documents = [parse(path, tag=False, max_pages=max_pages, engine=engine) for path in paths]
            documents = _tagged(documents, helper.ask("tag", documents))
        finally:
            helper.close()
    if where is not None:
        _start(where)
    return documents


class _Forked:
    """A fork of this process that loads spaCy at once, tags the documents it is sent, and leaves.

    Importing spaCy and building the pipeline costs more than reading two
    agreements, and both are Python work, so a thread would only take turns
    with the reader: the fork loads on the other core.
    """

    @classmethod
    def if_it_pays(cls) -> Optional["_Forked"]:
        """A helper when there is a second core to run it and ``fork`` to start it cheaply."""
        if cores() < 2 or not hasattr(os, "fork"):
            return None
        try:
            return cls()
        except OSError:
            return None

    def __init__(self):
        self.answered = False
        self.connection, theirs = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self.connection.close()
                load()
                _serve_one(theirs, {})
            finally:
                os._exit(0)
        theirs.close()

    def ask(self, kind: str, items: list) -> list:
        answers = _ask(self.connection, kind, items)
        self.answered = True
        return answers

    def close(self) -> None:
        """Let a helper that answered leave; stop one that did not (a file failed to read) at once."""
        self.connection.close()
        if not self.answered:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)


def status() -> Optional[dict[str, Any]]:
    """What the worker for this code says about itself (pid, uptime, requests served), or None."""
    connection = _running()
    return _ask(connection, "status", [None])[0] if connection is not None else None


def stop() -> bool:
    """Ask the worker for this code to leave now; False when none was running."""
    connection = _running()
    return connection is not None and _ask(connection, "stop", [None])[0] is not None


def _running() -> Optional[socket.socket]:
    """A connection to the worker for this code and these settings, or None."""
    where = address()
    return _connect(where) if where is not None else None


def address() -> Optional[Path]:
    """The socket of the worker for this code and these settings; None when workers are off or unsafe here."""
    if os.environ.get(ENV_WORKER, "").lower() in ("off", "0", "no", "false") or not hasattr(socket, "AF_UNIX") \
            or not hasattr(os, "fork"):
        return None
    base = os.environ.get("XDG_RUNTIME_DIR")
    directory = Path(base) / "eula-parse" if base else Path(tempfile.gettempdir()) / f"eula-parse-{os.getuid()}"
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        info = directory.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # not a private directory of ours: another user could answer in our name
    settings = [code_digest(), os.path.realpath(sys.executable)] + [os.environ.get(name, "") for name in SETTINGS_ENV]
    where = directory / f"w-{hashlib.sha256(repr(settings).encode()).hexdigest()[:16]}.sock"
    return where if len(os.fsencode(where)) < MAX_SOCKET_PATH else None


def _connect(where: Path) -> Optional[socket.socket]:
    """A connection to the worker at ``where``, or None when none listens there."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(where))
        return connection
    except OSError:
        connection.close()
        return None


def _ask(connection: socket.socket, kind: str, items: list, options: Optional[dict] = None) -> list:
    """Send one request and return one answer per item (None for each when the worker failed).

    The request carries this process's working directory: paths are parsed as
    written here, so a tree's ``source`` and an error's file name read the same.
    """
    try:
        with connection, connection.makefile("rwb") as stream:
            pickle.dump((kind, items, options or {}, os.getcwd()), stream, pickle.HIGHEST_PROTOCOL)
            stream.flush()
            answers = pickle.load(stream)
        if isinstance(answers, list) and len(answers) == len(items):
            return answers
    except (OSError, EOFError, pickle.PickleError, AttributeError, ImportError, TypeError, ValueError):
        pass
    return [None] * len(items)


def _answer(answer: Any, here: Callable[[], Document]) -> Document:
    """The worker's document; its error raised here; ``here()`` when it had no answer."""
    if isinstance(answer, tuple) and answer[0] == "ok":
        return answer[1]
    if isinstance(answer, tuple) and answer[0] == "error":
        raise answer[1]
    return here()


def _tagged(documents: list[Document], answers: list) -> list[Document]:
    return [_answer(answer, lambda: _tag_here(document)) for document, answer in zip(documents, answers)]


def _tag_here(document: Document) -> Document:
    from eula_parse.entities import tag_document

    return tag_document(document)


def _start(where: Path) -> bool:
    """Start a worker for ``where``: detached (its own session, no files of ours), this same code."""
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        return True
    try:  # the first child: a new session, then a grandchild that runs the worker and is nobody's child
        os.setsid()
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, 65536)
            os.chdir("/")  # holds no directory of the command's busy
            os.execve(sys.executable, [sys.executable, "-m", "eula_parse.worker", str(where)], env)
    finally:
        os._exit(0)


# --- the worker's side --------------------------------------------------------------------------------

def serve(where: Path, idle: Optional[float] = None) -> None:
    """Serve requests on the socket ``where`` until ``idle`` seconds pass without one.

    A lock file makes the worker for ``where`` unique: a second one started at the
    same moment leaves at once, and its clients are served by the first.
    """
    import fcntl

    if idle is None:
        idle = float(os.environ.get(ENV_IDLE) or DEFAULT_IDLE)
    if address() != where:
        return  # not the code or settings the socket's name stands for
    lock = os.open(f"{where}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    with contextlib.suppress(FileNotFoundError):
        where.unlink()  # a worker that died left it
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(where))
    server.listen(64)  # a command that comes while the pipeline loads waits in the backlog, not for a new start
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started, served, last, children, warm = time.time(), 0, time.monotonic(), set(), False
    try:
        load()
        while True:
            children = {pid for pid in children if not _ended(pid)}
            server.settimeout(0.01 if not warm else max(0.05, min(5.0, idle - (time.monotonic() - last))))
            try:
                connection, _ = server.accept()
            except socket.timeout:
                if not warm:  # the first quiet moment: a request already waiting was served first
                    _warm_up()
                    gc.freeze()
                    warm = True
                elif time.monotonic() - last >= idle and not children:
                    return
                continue
            last, served = time.monotonic(), served + 1
            if not _same_user(connection):
                connection.close()
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    server.close()
                    _serve_one(connection, {"pid": os.getppid(), "started": started, "served": served, "idle": idle})
                finally:
                    os._exit(0)
            connection.close()
            children.add(pid)
    finally:  # the socket goes before the lock: a successor binds only once it holds the lock
        for name in (where, Path(f"{where}.lock")):
            with contextlib.suppress(OSError):
                name.unlink()
        server.close()
        os.close(lock)


def load() -> None:
    """Import spaCy and build the pipeline."""
    _import_spacy_without_its_cli()
    from eula_parse.entities import get_nlp

    get_nlp()
    gc.freeze()  # collections in the forks skip what is loaded: fewer pages copied, less to scan


def _warm_up() -> None:
    """Run every stage once, so that the forks serving requests find lazy tables filled and PDFium imported."""
    from eula_parse.readers import pdfium  # noqa: F401

    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "warm-up.txt"
        sample.write_text("Warm-up Licence Agreement\n\n1. Licence. You may install the Software on one (1) "
                          "computer for 90 (ninety) days, see section 2.\n\n2. Law. The laws of Denmark apply.\n")
        parse(sample)


def _serve_one(connection: socket.socket, about: dict[str, Any]) -> None:
    """Answer one request: ``parse`` paths or ``tag`` documents (one answer each), ``status`` or ``stop``."""
    with connection, connection.makefile("rwb") as stream:
        kind, items, options, cwd = pickle.load(stream)
        os.chdir(cwd)  # this fork serves one request: its paths are the command's
        if kind == "parse":
            answers = on_cores(lambda path: parse(path, **options), items)
        elif kind == "tag":
            answers = on_cores(_tag_here, items)
        elif kind == "stop":
            os.kill(about["pid"], signal.SIGTERM)
            answers = [about]
        else:
            answers = [about]
        pickle.dump(answers, stream, pickle.HIGHEST_PROTOCOL)
        stream.flush()


def on_cores(job: Callable[[Any], Document], items: Sequence[Any]) -> list[Optional[tuple]]:
    """``job`` of each item, spread over the cores (forks of this process: a loaded pipeline comes free).

    Each answer is ``("ok", document)``, ``("error", EulaError)`` or None (anything
    else went wrong: the caller redoes that item itself and meets the error there).
    """
    ways = min(cores(), len(items))
    shares = [list(range(start, len(items), ways)) for start in range(ways)]
    forks = []
    for share in shares[1:]:
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # a fork: do its share, write it back, leave without the parent's exit handlers
            try:
                os.close(reading)
                with os.fdopen(writing, "wb") as out:
                    pickle.dump([_attempt(job, items[i]) for i in share], out, pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(0)
        os.close(writing)
        forks.append((pid, reading, share))
    answers: list[Optional[tuple]] = [None] * len(items)
    for i in shares[0] if shares else ():
        answers[i] = _attempt(job, items[i])
    for pid, reading, share in forks:
        try:
            with os.fdopen(reading, "rb") as back:
                for i, answer in zip(share, pickle.load(back)):
                    answers[i] = answer
        except (EOFError, OSError, pickle.PickleError):
            pass  # that fork died: its items stay None
        finally:
            os.waitpid(pid, 0)
    return answers


def _attempt(job: Callable[[Any], Document], item: Any) -> Optional[tuple]:
    from eula_parse.errors import EulaError

    try:
        return ("ok", job(item))
    except EulaError as exc:
        return ("error", exc)
    except Exception:  # noqa: BLE001  (the caller redoes it and meets the error in its own process)
        return None


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer runs as this user (checked where the system says; the directory is private anyway)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1] == os.getuid()


def cores() -> int:
    """The cores this process may use (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def _ended(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _import_spacy_without_its_cli() -> None:
    """Import spaCy without its command line (typer, weasel, requests: a third of its import time).

    ``spacy/__init__.py`` imports ``spacy.cli.info`` only to offer ``spacy.info()``,
    and tagging never runs spaCy's CLI. Stand-ins take its place for the import
    and are taken away after it, so a later ``import spacy.cli`` finds the real
    one. Used in helper processes only: should spaCy's layout differ and the
    import fail, the helper fails and the caller tags with spaCy imported as usual.
    """
    if "spacy" in sys.modules:
        return
    cli, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli.__path__ = []  # a package, so that spacy.cli.info can be imported from it
    info.info = None
    sys.modules.update({"spacy.cli": cli, "spacy.cli.info": info})
    try:
        import spacy
    finally:
        for name, stand_in in (("spacy.cli.info", info), ("spacy.cli", cli)):
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    if getattr(spacy, "cli", None) is cli:
        del spacy.cli


if __name__ == "__main__":  # started by _start(): python -m eula_parse.worker SOCKET
    serve(Path(sys.argv[1]))
