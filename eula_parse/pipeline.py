"""``parse()``: a EULA file in, a tagged ``Document`` out (readers -> structure -> entities)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import types
from pathlib import Path
from typing import Optional, Sequence, Union

from eula_parse.model import Document

#: Refuse documents longer than this many pages unless the caller raises it.
DEFAULT_MAX_PAGES = 2000


def parse(
    path: Union[str, os.PathLike],
    *,
    tag: bool = True,
    max_pages: int = DEFAULT_MAX_PAGES,
    engine: Optional[str] = None,
) -> Document:
    """Parse the agreement at ``path`` (PDF, DOCX, RTF, HTML, Markdown or text) into a :class:`Document`.

    ``tag=False`` skips the spaCy entity tagging (structure only, faster);
    ``engine`` picks the PDF engine (see :data:`eula_parse.readers.pdf.ENGINES`).
    Raises :class:`~eula_parse.errors.InputError` or
    :class:`~eula_parse.errors.ExtractionError` for files that cannot be parsed.
    """
    from eula_parse import readers, structure

    path = Path(path)
    layout = readers.read(path, max_pages=max_pages, engine=engine)
    document = structure.build(layout)
    document.source = str(path)
    document.sha256 = layout.sha256
    if tag:
        from eula_parse.entities import tag_document

        tag_document(document)
    return document


def parse_all(
    paths: Sequence[Union[str, os.PathLike]],
    *,
    tag: bool = True,
    max_pages: int = DEFAULT_MAX_PAGES,
    engine: Optional[str] = None,
) -> list[Document]:
    """``[parse(path) for path in paths]``, sooner in a fresh process: spaCy loads beside the reading.

    Importing spaCy and building the pipeline costs more than reading two
    agreements, and both are Python work, so a thread would only take turns
    with the reader. A forked helper process loads spaCy while this one reads
    and builds the trees, then tags them (with two or more files, half of them
    in a fork of itself: both cores tag). Where there is no second core or no
    ``fork``, or the helper fails in any way, tagging runs here: the result is
    always that of :func:`parse`, errors included.
    """
    if not tag or not paths or not _helper_pays():
        return [parse(path, tag=tag, max_pages=max_pages, engine=engine) for path in paths]
    helper = _Tagger()
    try:
        documents = [parse(path, tag=False, max_pages=max_pages, engine=engine) for path in paths]
        return helper.tag(documents)
    finally:
        helper.close()


def _helper_pays() -> bool:
    """A helper process runs beside this one only with a second core (and ``fork``: no re-import)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1 and "fork" in multiprocessing.get_all_start_methods()


def _import_spacy_without_its_cli() -> None:
    """Import spaCy without its command line (typer, weasel, requests: a third of its import time).

    ``spacy/__init__.py`` imports ``spacy.cli.info`` only to offer ``spacy.info()``,
    and tagging never runs spaCy's CLI. Stand-ins take its place for the import
    and are taken away after it, so a later ``import spacy.cli`` finds the real
    one. Used in the helper process only: should spaCy's layout differ and the
    import fail, the helper reports failure and the caller tags with spaCy
    imported as usual.
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


def _tag_in_helper(connection) -> None:
    """The helper: load the pipeline, then tag the documents it is sent (None back on any failure)."""
    try:
        _import_spacy_without_its_cli()
        from eula_parse.entities import get_nlp, tag_document

        get_nlp()
        documents = connection.recv()
        connection.send(_tag_on_two_cores(documents, tag_document))
    except BaseException:  # noqa: BLE001  (the caller tags in its own process and meets the error there)
        try:
            connection.send(None)
        except BaseException:  # noqa: BLE001
            pass
    finally:
        connection.close()


def _tag_on_two_cores(documents: list[Document], tag_document) -> list[Document]:
    """Tag ``documents``, the second half in a fork of this process (the pipeline is built: a fork
    costs nothing), the first half here. Raises when the fork's half does not come back."""
    half = len(documents) // 2
    if not half:
        return [tag_document(document) for document in documents]
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the fork: tag, write, leave without running the parent's exit handlers
        try:
            os.close(reading)
            with os.fdopen(writing, "wb") as out:
                pickle.dump([tag_document(document) for document in documents[half:]], out, pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as back:  # closed before the wait, so a fork blocked in write ends
            first = [tag_document(document) for document in documents[:half]]
            second = pickle.load(back)  # EOFError when the fork died
    finally:
        os.waitpid(pid, 0)
    return first + second


class _Tagger:
    """A forked process that loads spaCy at once and tags what :meth:`tag` sends it."""

    def __init__(self):
        self.answered = False
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        for stream in (sys.stdout, sys.stderr):  # a buffered line must not be written twice
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        self.process = context.Process(target=_tag_in_helper, args=(theirs,), daemon=True)
        try:
            self.process.start()
        except OSError:
            self.process = None
        theirs.close()

    def tag(self, documents: list[Document]) -> list[Document]:
        tagged = None
        if self.process is not None:
            try:
                self.connection.send(documents)
                tagged = self.connection.recv()
                self.answered = True
            except (EOFError, OSError):
                tagged = None
        if tagged is None or len(tagged) != len(documents):
            from eula_parse.entities import tag_document

            return [tag_document(document) for document in documents]
        return tagged

    def close(self) -> None:
        """Let a helper that answered leave; stop one that did not (a file failed to read) at once."""
        self.connection.close()
        if self.process is not None:
            if not self.answered:
                self.process.kill()
            self.process.join(timeout=1)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
