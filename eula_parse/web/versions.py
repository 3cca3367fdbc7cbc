"""Versions side by side: diffs between indexed versions, one clause followed through them, uploads.

A clause keeps its id while its number is unchanged, but an inserted clause
renumbers the ones after it; so "the same clause in another version" is read
from the diff's alignment (by content), not from the id. Diffs and rebuilt
documents are cached by content hash: an indexed version never changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Optional

from eula_parse.diff import Change, DocumentDiff, diff
from eula_parse.errors import InputError
from eula_parse.index import FILE_TIMEOUT, ClauseIndex, DocumentInfo
from eula_parse.model import Document


class _Cache:
    """A small thread-safe LRU: rebuilt documents and diffs are worth keeping, not forever."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


@dataclass
class Step:
    """The node in one version of its document, and how it got there from the version before."""

    info: DocumentInfo
    node_id: Optional[str]
    #: ``added``/``modified``/... from the previous version, ``unchanged``, ``absent``, or ``first``.
    status: str
    change: Optional[Change] = None


class Versions:
    """Documents and diffs read from one index, cached by content."""

    def __init__(self, index: ClauseIndex, lock: threading.RLock):
        self.index = index
        self.lock = lock
        self.docs = _Cache(32)
        self.diffs = _Cache(32)

    def versions_of(self, document: str) -> list[DocumentInfo]:
        """Every indexed version of ``document``, oldest first."""
        with self.lock:
            return [d for d in self.index.documents() if d.document == document]

    def find(self, docver: str) -> DocumentInfo:
        """The indexed version named ``document@version`` (the version may be a unique part of the label)."""
        from eula_parse.errors import NotFoundError

        document, _, version = docver.rpartition("@")
        with self.lock:
            infos = [d for d in self.index.documents() if d.document == document]
        if not infos:
            raise NotFoundError(f"no document {document or docver!r} in the index")
        exact = [d for d in infos if d.version == version]
        close = exact or [d for d in infos if version.lower() in d.version.lower()]
        if len(close) != 1:
            known = ", ".join(d.version for d in infos)
            raise NotFoundError(f"no single version {version!r} of {document} in the index (versions: {known})")
        return close[0]

    def document(self, info: DocumentInfo) -> Document:
        def build() -> Document:
            with self.lock:
                return self.index.document(info.document, info.version)

        return self.docs.get((info.docver, info.sha256), build)

    def diff(self, old: DocumentInfo, new: DocumentInfo) -> DocumentDiff:
        return self.diffs.get((old.docver, old.sha256, new.docver, new.sha256),
                              lambda: diff(self.document(old), self.document(new)))

    def counterpart(self, node_id: str, here: DocumentInfo, there: DocumentInfo) -> tuple[Optional[str], str]:
        """Where ``node_id`` of version ``here`` is in version ``there``, and what happened to it.

        Returns ``(id or None, status)``: the change kind between the two
        versions, ``unchanged``, or ``absent``.
        """
        forward = here.sort_key <= there.sort_key
        result = self.diff(here, there) if forward else self.diff(there, here)
        for change in result.changes:
            mine, theirs = (change.old_id, change.new_id) if forward else (change.new_id, change.old_id)
            if mine == node_id:
                if theirs is None:
                    return None, change.kind
                return theirs, change.kind
        # A node of a whole added/removed product or section is not listed on its own.
        if self.document(there).get(node_id) is not None:
            return node_id, "unchanged"
        # Nor is a sub-item whose clause was renumbered around it: follow the parent.
        parent, _, last = node_id.rpartition("/")
        if "/" in parent:
            moved, status = self.counterpart(parent, here, there)
            if moved and moved != parent and self.document(there).get(f"{moved}/{last}") is not None:
                return f"{moved}/{last}", status
        return None, "absent"

    def history(self, node_id: str, here: DocumentInfo) -> list[Step]:
        """The node through every version of its document, oldest first, each against the one before."""
        infos = self.versions_of(here.document)
        at = next(i for i, d in enumerate(infos) if d.docver == here.docver)
        ids: dict[int, Optional[str]] = {at: node_id}
        for direction in (-1, 1):  # follow it away from the version the reader is on, both ways
            current, i = node_id, at
            while 0 <= i + direction < len(infos):
                j = i + direction
                current = self.counterpart(current, infos[i], infos[j])[0] if current else None
                ids[j], i = current, j
        steps: list[Step] = []
        for i, info in enumerate(infos):
            now, before = ids[i], ids[i - 1] if i else None
            change = None
            if i == 0:
                status = "first" if now else "absent"
            elif now and before:
                result = self.diff(infos[i - 1], info)
                change = next((c for c in result.changes if c.old_id == before and c.new_id == now), None)
                status = change.kind if change else "unchanged" if now == before else "renumbered"
            else:
                status = "added" if now else "removed" if before else "absent"
            steps.append(Step(info, now, status, change))
        return steps


def parse_upload(data: bytes, name: str, *, timeout: float = FILE_TIMEOUT) -> Document:
    """Parse uploaded bytes in a worker process, with ``eula index``'s time cap; never touches the index.

    The worker is ``python -m eula_parse parse --json``, so spaCy and
    pdfplumber never load into the server and a pathological file is killed
    at the cap. Raises :class:`InputError` with the parser's one-line reason.
    """
    suffix = os.path.splitext(name)[1][:10] if name else ""
    with tempfile.TemporaryDirectory(prefix="eula-upload-") as tmp:
        path = os.path.join(tmp, "upload" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            proc = subprocess.run([sys.executable, "-m", "eula_parse", "parse", "--json", path],
                                  capture_output=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired as exc:
            raise InputError(f"{name}: gave up after {timeout:g} s (per-file time cap)") from exc
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        message = lines[-1] if lines else f"parser exited with code {proc.returncode}"
        message = message.removeprefix("error: ").replace(path, name)
        raise InputError(message if message.startswith(name) else f"{name}: {message}")
    document = Document.from_dict(json.loads(proc.stdout))
    document.source = name
    return document
