"""A clause index: ask a question of many agreements and land on the exact clause.

``ClauseIndex`` keeps one index record per preamble paragraph, section,
product intro and clause, for every version of every agreement added to it.
A search engine (Whoosh by default, or tantivy) ranks and filters; the
records themselves live in a SQLite record store beside it
(:mod:`.store`). No engine object leaves this package: callers get
:class:`Hit` and :class:`NodeRecord` dataclasses.

Why the index is shaped the way it is:

* **Everything ``eula show`` needs is stored** (text, entities as JSON, pages,
  the breadcrumb), so showing a clause never re-parses a PDF.
* **Files are written in batches, engine first, then the store**; a record
  counts once its file is in the store, so a crash or Ctrl-C leaves each
  file fully in or fully out (see :mod:`.store`), and re-adding a file whose
  hash is present is a no-op. One writer at a time holds the index's lock.
* **Versions live side by side**; searches default to the latest version of
  each document by masking the older ones, which costs nothing when there are
  none.
* **Parsing runs in worker processes** during batch indexing, with a time cap
  per file, so one pathological PDF cannot stall a batch and spaCy/pdfplumber
  never load into the process that searches.
"""

from __future__ import annotations

import difflib
import fcntl
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from whoosh import query as wq

from eula_parse.errors import IndexCorruptError, IndexLockedError, NotFoundError, QueryError
from eula_parse.index import identity
from eula_parse.index.batch import FILE_TIMEOUT, _run_batch
from eula_parse.index.engines import DEFAULT_ENGINE, ENGINES, engine_class
from eula_parse.index.engines.whoosh import _or_terms, parse_query
from eula_parse.index.paths import LOCK_FILE, MARKER, SOURCES_LOG, _index_owned, default_index_path, is_index_dir
from eula_parse.index.query import _as_list, _entity_filter, _resolve, by_file, check_modality
from eula_parse.index.records import (
    AddResult,
    DocumentInfo,
    FileResult,
    NodeRecord,
    NodeRef,
    SearchResults,
    _document_sha,
    _hit,
    _record_from_stored,
    _records,
    _ref,
    _vendor,
    document_version,
    qualified_id,
    split_qualified,
    version_date,
    version_token,
)
from eula_parse.pipeline import code_digest
from eula_parse.index.store import STORE_NAME, RecordStore
from eula_parse.model import Document, Entity, Item, slugify

#: Bump when the schema or stored layout changes; older indexes then ask for ``--rebuild``.
INDEX_FORMAT = 3
#: How long a writer waits for another process's write lock before giving up.
LOCK_TIMEOUT = 120.0
#: A batch that leaves more segments than this merges them (searches cost a little per segment).
MAX_SEGMENTS = 4
#: Commits merge the engine's small segments once there are this many.
MERGE_AT = 16


class ClauseIndex:
    """Clauses of many agreements, searchable; see the module docstring for the why.

    >>> ix = ClauseIndex.open("index")          # created if missing (engine="tantivy" to choose)
    >>> ix.add(eula_parse.parse("corpus/milestone-eula-20250425.pdf"))
    >>> ix.search("door licences", product="access")[0].id
    'product/xprotect-access/5'
    """

    def __init__(self, path: Union[str, os.PathLike, None] = None, *, create: bool = True,
                 engine: Optional[str] = None):
        """Open the index at ``path`` (default: :func:`default_index_path`), creating it if allowed.

        ``engine`` chooses the engine of a new index (default Whoosh); an
        existing index uses the engine recorded in it, and naming another
        one is an error. Raises :class:`NotFoundError` when there is no
        index and ``create`` is false, :class:`IndexCorruptError` when the
        directory is damaged, foreign or from another format.
        """
        path = Path(path) if path is not None else default_index_path()
        if path.exists() and not path.is_dir():
            raise IndexCorruptError(f"{path}: not a directory, cannot hold an index")
        if not is_index_dir(path):
            if not create:
                raise NotFoundError(f"no index at {path}: create one with `eula index FILES --index {path}`")
            self._create(path, engine or DEFAULT_ENGINE)
        self.path = path
        meta = self._read_marker(path)
        self.engine_name = meta.get("engine", "whoosh")
        if self.engine_name not in ENGINES:
            raise IndexCorruptError(f"index at {path} names an unknown engine {self.engine_name!r}: "
                                    f"run `eula index --rebuild`")
        if engine is not None and engine != self.engine_name:
            raise QueryError(
                f"index at {path} uses the {self.engine_name} engine: leave out --engine, or run "
                f"`eula index --rebuild --engine {engine} --index {path}` to change it"
            )
        self._engine = engine_class(self.engine_name)(path)
        try:
            self._store = RecordStore(path / STORE_NAME)
            self._store.check()
        except sqlite3.Error as exc:
            self._engine.close()
            raise self._damaged(exc) from exc
        self._registry_cache: Optional[tuple[Any, dict[str, DocumentInfo]]] = None

    # -- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: Union[str, os.PathLike, None] = None, *, create: bool = True,
             engine: Optional[str] = None) -> "ClauseIndex":
        """Same as ``ClauseIndex(path, create=create, engine=engine)``."""
        return cls(path, create=create, engine=engine)

    @classmethod
    def exists(cls, path: Union[str, os.PathLike, None] = None) -> bool:
        return is_index_dir(Path(path) if path is not None else default_index_path())

    @staticmethod
    def _create(path: Path, engine: str) -> None:
        cls = engine_class(engine)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexCorruptError(f"{path}: cannot create index directory ({exc.strerror})") from exc
        names = [p.name for p in path.iterdir()]
        foreign = sorted(n for n in names if not _index_owned(n))
        if foreign:
            raise IndexCorruptError(
                f"{path} is not an eula-parse index (it holds {len(foreign)} other file(s), e.g. "
                f"{foreign[0]!r}): choose an empty directory with --index"
            )
        with _write_lock(path):
            if is_index_dir(path):  # someone else created it while we waited
                return
            for other in engine_class("whoosh"), cls:
                if other.foreign_index(path):
                    raise IndexCorruptError(
                        f"{path} holds a {other.name} index that eula-parse did not write (no {MARKER}): "
                        f"run `eula index --rebuild` to replace it, or choose another --index"
                    )
            cls.create(path)
            RecordStore.create(path / STORE_NAME).close()
            tmp = path / f".{MARKER}.{os.getpid()}"
            tmp.write_text(json.dumps({"format": INDEX_FORMAT, "engine": engine}) + "\n")
            os.replace(tmp, path / MARKER)

    @staticmethod
    def _read_marker(path: Path) -> dict[str, Any]:
        try:
            meta = json.loads((path / MARKER).read_text())
            fmt = int(meta.get("format", -1))
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise IndexCorruptError(
                f"index at {path} is damaged (unreadable {MARKER}): run `eula index --rebuild`"
            ) from exc
        if fmt != INDEX_FORMAT:
            raise IndexCorruptError(
                f"index at {path} has format {fmt}, this version reads {INDEX_FORMAT}: run `eula index --rebuild`"
            )
        return meta

    def close(self) -> None:
        self._engine.close()
        self._store.close()

    def __enter__(self) -> "ClauseIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ClauseIndex({str(self.path)!r}, engine={self.engine_name!r})"

    def _damaged(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(
            f"index at {self.path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
        )

    # -- reading --------------------------------------------------------------

    def _registry(self) -> dict[str, DocumentInfo]:
        """docver -> DocumentInfo for every indexed file, cached until another connection commits."""
        try:
            version = (self._store.db.execute("PRAGMA data_version").fetchone()[0], self._store.db.total_changes)
            if self._registry_cache and self._registry_cache[0] == version:
                return self._registry_cache[1]
            rows = self._store.files()
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        registry: dict[str, DocumentInfo] = {}
        for row in rows:
            registry[row["docver"]] = DocumentInfo(
                document=row["document"], title=row["title"] or "", version=row["version"],
                sha256=row["sha256"] or "", nodes=row["nodes"] or 0, source=row["source"],
                pages=row["pages"] or 0, indexed_at=row["indexed_at"] or 0.0, date=row["date"] or "",
                clauses=row["clauses"], vendor=row["vendor"], key=row["key"], parser=row["parser"],
            )
        newest: dict[str, DocumentInfo] = {}
        for info in registry.values():
            best = newest.get(info.document)
            if best is None or info.sort_key > best.sort_key:
                newest[info.document] = info
        for info in newest.values():
            info.latest = True
        self._registry_cache = (version, registry)
        return registry

    def documents(self) -> list[DocumentInfo]:
        """Every indexed file, by document then oldest version first."""
        return sorted(self._registry().values(), key=lambda d: (d.document, d.sort_key))

    def __len__(self) -> int:
        """Number of indexed nodes (all versions)."""
        return sum(d.nodes for d in self._registry().values())

    def has_file(self, sha256: str) -> bool:
        return any(d.sha256 == sha256 for d in self._registry().values())

    # -- writing --------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the index's write lock; deletes what a killed writer or a replaced file left in the engine."""
        with _write_lock(self.path):
            self._sweep()
            yield
            self._sweep()

    def _sweep(self) -> None:
        stray = self._store.stray_keys()
        if stray:
            writer = self._engine.writer()
            writer.delete_files(stray)
            writer.commit()
            self._store.clear_stray(stray)

    def add(self, document: Document, *, source: Optional[str] = None,
            as_document: Optional[str] = None) -> AddResult:
        """Index every node of ``document`` in one commit (all or nothing).

        A file whose SHA-256 is already indexed is left alone (``unchanged``);
        the same document and version with other content replaces the old
        records (``replaced``); a new version is added beside the others.
        The document it is a version of is ``as_document`` when given, else
        the indexed one it is recognised as (see :func:`identity.same_agreement`),
        else a new one named after its title.
        """
        return self.add_many([(document, source)], as_document=as_document)[0]

    def add_many(self, documents: Sequence[tuple[Document, Optional[str]]], *,
                 as_document: Optional[str] = None) -> list[AddResult]:
        """Index several documents ``(document, source)`` in one commit: all of them or none.

        Much cheaper per file than :meth:`add` (one engine commit, no merge
        per file); ``eula index`` adds its files in batches of these. Each
        file is identified as :meth:`add` says, the earlier files of the
        batch included.
        """
        results: list[AddResult] = []
        with self._writing():
            registry = self._registry()
            shas = {d.sha256 for d in registry.values()}
            known, versions = self._identities(registry)
            planned: dict[str, tuple[AddResult, dict[str, Any], list[dict[str, Any]]]] = {}
            for document, source in documents:
                sha = _document_sha(document)
                version = document_version(document)
                signature = identity.signature(document)
                doc_id = slugify(as_document) if as_document else \
                    self._identify(document, signature, version, known, versions)
                docver = f"{doc_id}@{version}"
                result = AddResult("added", doc_id, document.title or "", version, 0, sha)
                results.append(result)
                if sha in shas:
                    info = next(d for d in registry.values() if d.sha256 == sha)
                    result.status, result.document, result.nodes = "unchanged", info.document, info.nodes
                    continue
                shas.add(sha)
                known[doc_id] = signature
                versions.setdefault(doc_id, set()).add(version)
                records = list(_records(document, doc_id, version, docver, sha))
                result.nodes = len(records)
                source = str(source or document.source or "") or None
                info = {
                    "key": sha, "docver": docver, "document": doc_id, "version": version,
                    "title": document.title or "", "sha256": sha, "source": source, "pages": document.pages,
                    "indexed_at": time.time(), "nodes": len(records),
                    "date": version_date(version, Path(document.source).name if document.source else None),
                    "clauses": sum(1 for _ in document.all_sections()) + len(document.clauses),
                    "vendor": _vendor(document), "identity": json.dumps(signature),
                    "parser": code_digest(),
                }
                if docver in planned:  # a later file of the same version in this batch wins
                    planned[docver][0].status = "replaced"
                planned[docver] = (result, info, records)
            files, drop = [], []
            for docver, (result, info, records) in planned.items():
                old = registry.get(docver)
                if old is not None:
                    result.status = "replaced"
                    drop.append(old.key)
                files.append((info, records))
            if files:
                self._store.mark_stray(info["key"] for info, _ in files)
                writer = self._engine.writer()
                try:
                    for _, records in files:
                        for record in records:
                            writer.add(record)
                    # small segments are merged (log-structured) only once they pile up: merging at
                    # every commit, or rewriting everything, cost more than indexing
                    writer.commit(merge=self._engine.segments() >= MERGE_AT)
                except BaseException:
                    writer.cancel()
                    raise
                self._store.commit_files(files, drop)
        for info, _ in files:
            if info["source"]:
                self._log_source("add", info["source"], info["docver"], info["sha256"])
        return results

    def _identities(self, registry: dict[str, DocumentInfo]) -> tuple[dict[str, dict[str, Any]], dict[str, set[str]]]:
        """Signatures of the latest version of each indexed document, and the versions of each."""
        versions: dict[str, set[str]] = {}
        for info in registry.values():
            versions.setdefault(info.document, set()).add(info.version)
        latest = {info.key for info in registry.values() if info.latest}
        known: dict[str, dict[str, Any]] = {}
        try:
            for row in self._store.files():
                if row["key"] in latest:
                    known[row["document"]] = json.loads(row["identity"] or "{}")
        except (sqlite3.Error, ValueError) as exc:
            raise self._damaged(exc) from exc
        return known, versions

    @staticmethod
    def _identify(document: Document, signature: dict[str, Any], version: str,
                  known: dict[str, dict[str, Any]], versions: dict[str, set[str]]) -> str:
        """The id of the indexed document ``document`` is a version of, else a new one from its title.

        The title's own id is kept when that document has this version already
        (a re-issued file replaces it), was indexed without a signature, or is
        recognised as the same agreement; a different agreement that only
        shares a title gets the next free ``-2``, ``-3``... id.
        """
        own = document.id
        if own in known and (version in versions.get(own, ()) or not known[own]
                             or identity.same_agreement(signature, known[own]) > 0):
            return own
        match = identity.best_match(signature, {k: v for k, v in known.items() if k != own})
        if match:
            return match
        taken = set(versions)
        candidate, n = own, 1
        while candidate in taken:
            n += 1
            candidate = f"{own}-{n}"
        return candidate

    def document_for_file(self, sha256: str) -> Optional[Document]:
        """The indexed :class:`Document` of the file with this SHA-256, or None: a parse that need not run again.

        Only a tree this very parser produced is handed out: one stored by an older
        version of the code would bring back whatever that version read wrong.
        """
        parser = code_digest()
        info = next((d for d in self._registry().values() if d.sha256 == sha256 and d.parser == parser), None)
        return self.document(info.document, info.version) if info is not None else None

    def _log_source(self, action: str, source: str, docver: str, sha: str = "") -> None:
        """Append to the sources log, which ``rebuild`` reads even when the index files are damaged."""
        line = json.dumps({"action": action, "source": str(source), "docver": docver, "sha256": sha}) + "\n"
        try:
            fd = os.open(self.path / SOURCES_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError:
            pass  # a hint for rebuilding only; the index itself is committed

    def segments(self) -> int:
        """How many segments the engine has (each search pays a little per segment)."""
        return self._engine.segments()

    def optimize(self) -> None:
        """Merge all segments into one (a rewrite of the whole engine index)."""
        with _write_lock(self.path):
            self._engine.optimize()

    def tidy(self) -> None:
        """Merge the segments when a batch left more than :data:`MAX_SEGMENTS`; ``index_files`` ends with it."""
        if self.segments() > MAX_SEGMENTS:
            self.optimize()

    def remove(self, document: str, version: Optional[str] = None) -> int:
        """Remove one version (or every version) of a document; returns how many files went."""
        infos = [d for d in self._registry().values()
                 if d.document == document and (version is None or d.version == version)]
        if not infos:
            raise NotFoundError(f"no document {document!r}{' version ' + repr(version) if version else ''} in the index")
        with self._writing():
            self._store.commit_files([], [info.key for info in infos])
        for info in infos:
            if info.source:
                self._log_source("remove", info.source, info.docver, info.sha256)
        return len(infos)

    # -- searching ------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        product: Optional[str] = None,
        group: Optional[str] = None,
        general: bool = False,
        entity: Union[str, Sequence[str], None] = None,
        modality: Union[str, Sequence[str], None] = None,
        version: Optional[str] = None,
        document: Optional[str] = None,
        kind: Optional[str] = None,
        limit: int = 10,
        fuzzy: bool = True,
        count: bool = False,
        all_words: bool = False,
    ) -> SearchResults:
        """Ranked hits for ``query`` (Whoosh syntax), newest version of each document unless ``version``.

        ``product``/``group`` accept a name or id fragment ("smart wall",
        "xprotect-clients"); ``general`` keeps only text outside product
        terms; ``entity`` takes labels or value filters (``"duration>=P30D"``),
        several meaning all; ``version="all"`` searches every version.
        ``count=True`` also counts every match into ``.total``; otherwise
        ``.total`` is ``None``.
        Loose words combine with OR, more matching words ranking higher;
        ``all_words=True`` requires every one (AND).
        A filter that matches no record gives no hits (never the unfiltered ones).
        Raises :class:`QueryError` for a malformed query or filter, an unknown
        entity label or modality, and :class:`NotFoundError` when a filter
        names nothing in the index.
        """
        if limit is None or limit < 1:
            raise QueryError("limit must be at least 1")
        q = parse_query(query, all_words=all_words)
        if "document:" in query or "version:" in query:
            files: dict[str, list[str]] = {}
            for info in self._registry().values():
                files.setdefault(f"document:{info.document}", []).append(info.key)
                files.setdefault(f"version:{info.version}", []).append(info.key)
            q = by_file(q, files)
        flt, mask = self._filters(product=product, group=group, general=general, entity=entity,
                                  modality=modality, version=version, document=document, kind=kind)
        ranked = self._engine.search(q, query, flt=flt, mask=mask, limit=limit, fuzzy=fuzzy, count=count)
        try:
            nodes = self._store.nodes([uid for uid, _ in ranked.hits])
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        # a hit whose file was replaced since the engine's reader opened is skipped
        hits = [_hit(nodes[uid], score, ranked.terms) for uid, score in ranked.hits if uid in nodes]
        return SearchResults(hits, query=query, total=ranked.total, corrected=ranked.corrected)

    def _filters(self, *, product=None, group=None, general=False, entity=None, modality=None, version=None,
                 document=None, kind=None) -> tuple[Optional[wq.Query], set[str]]:
        """The filter (a query tree every engine reads) and the file keys to mask."""
        parts: list[wq.Query] = []
        if product:
            parts.append(_or_terms("product_id", _resolve(self._distinct("product_id"), product, "product")))
        if group:
            parts.append(_or_terms("group_id", _resolve(self._distinct("group_id"), group, "group")))
        if general:
            parts.append(wq.Or([wq.Term("kind", "section"), wq.Term("kind", "preamble"),
                                wq.And([wq.Term("kind", "item"), wq.Not(wq.Every("product_id"))])]))
        if kind:
            parts.append(wq.Term("kind", str(kind).lower()))
        for spec in _as_list(entity):
            parts.append(_entity_filter(spec))
        mods = [check_modality(m) for m in _as_list(modality)]
        if mods:
            parts.append(wq.Or([wq.Term("modality", m) for m in mods]))
        registry = self._registry()
        mask = self._store.stray_keys()
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is not None:
            parts.append(_or_terms("file", sorted(registry[dv].key for dv in docvers)))
        elif version is None:
            mask |= {info.key for info in registry.values() if not info.latest}
        flt = wq.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
        return flt, mask

    def _distinct(self, column: str) -> list[str]:
        try:
            return self._store.distinct(column)
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc

    def _select_versions(self, registry: dict[str, DocumentInfo], *, version=None,
                         document=None) -> Optional[list[str]]:
        """docvers to search when a version or document is named; ``None`` means "latest of each"."""
        if version is None and document is None:
            return None
        infos = list(registry.values())
        if document is not None:
            wanted = slugify(document)
            exact = [i for i in infos if i.document == document or i.document == wanted]
            infos = exact or [i for i in infos if wanted in i.document]
            if not infos:
                known = ", ".join(sorted({i.document for i in registry.values()})) or "none"
                raise NotFoundError(f"no document matching {document!r} in the index (documents: {known})")
        if version is None:
            return [f"{i.document}@{i.version}" for i in infos if i.latest] or None
        if str(version).lower() == "all":
            return [f"{i.document}@{i.version}" for i in infos] if document is not None else None
        want = " ".join(str(version).split()).lower()
        chosen = [i for i in infos if i.version.lower() == want] or \
            [i for i in infos if version_token(i.version) == want or slugify(i.version) == slugify(want)] or \
            [i for i in infos if want in i.version.lower() or (len(want) == 8 and i.date == want)]
        if not chosen:
            known = ", ".join(sorted({i.version for i in infos})) or "none"
            raise NotFoundError(f"no version matching {version!r} in the index (versions: {known})")
        return [f"{i.document}@{i.version}" for i in chosen]

    def _selected_files(self, *, document=None, version=None) -> tuple[dict[str, DocumentInfo], list[str]]:
        registry = self._registry()
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is None:
            docvers = [dv for dv, info in registry.items() if info.latest or str(version).lower() == "all"]
        return registry, docvers

    # -- showing --------------------------------------------------------------

    def get(self, node_id: str, *, document: Optional[str] = None, version: Optional[str] = None) -> NodeRecord:
        """The node ``node_id`` with its context; latest version unless ``version`` is given.

        ``node_id`` may be qualified as search hits print it,
        ``DOCUMENT@VERSION:ID`` (or ``DOCUMENT:ID`` for the latest version).
        Raises :class:`NotFoundError` (with close ids as a hint) when no such
        node exists, :class:`QueryError` when the id is in several documents
        and ``document`` does not say which.
        """
        qualified_doc, qualified_version, node_id = split_qualified(str(node_id))
        document = document or qualified_doc
        version = version or qualified_version
        registry, docvers = self._selected_files(document=document, version=version)
        keys = [registry[dv].key for dv in docvers]
        store = self._store
        try:
            if node_id.startswith("group/"):
                return self._get_group(registry, node_id, keys)
            found = store.find(keys, id=node_id)
            if not found:
                raise NotFoundError(self._not_found_message(node_id))
            docs = sorted({s["document"] for s in found})
            if len(docs) > 1:
                named = ", ".join(qualified_id(s["document"], s["version"], node_id) for s in found)
                raise QueryError(f"{node_id} is in {len(docs)} documents: name one, e.g. {named}")
            stored = found[0]
            record = _record_from_stored(stored)
            info = registry.get(f"{stored['document']}@{stored['version']}")
            if info is not None:
                record.source, record.sha256 = info.source, info.sha256
            record.references = self._references(stored)
            record.referenced_by = [_ref(s) for s in store.referencing(stored["file"], node_id)]
            record.children = [_ref(s) for s in store.find([stored["file"]], parent=record.id)]
            return record
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc

    def _not_found_message(self, node_id: str) -> str:
        close = difflib.get_close_matches(node_id, self._distinct("id"), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; find ids with `eula search`"
        return f"no node {node_id!r} in the index{hint}"

    def _references(self, stored: dict[str, Any]) -> list[NodeRef]:
        data = json.loads(stored["data"])
        refs: list[NodeRef] = []
        seen: set[str] = set()
        for e in data.get("entities", []):
            if str(e.get("label", "")).upper() != "XREF" or not e.get("target"):
                continue
            targets = e["target"] if isinstance(e["target"], list) else [e["target"]]
            for target in targets:
                if target in seen:
                    continue
                seen.add(target)
                match = next(iter(self._store.find([stored["file"]], id=target)), None)
                refs.append(_ref(match) if match else NodeRef(target, e.get("text", ""), found=False))
        return refs

    def _get_group(self, registry, node_id: str, keys: list[str]) -> NodeRecord:
        products = self._store.find(keys, parent=node_id)
        if not products:
            raise NotFoundError(self._not_found_message(node_id))
        docs = sorted({s["document"] for s in products})
        if len(docs) > 1:
            raise QueryError(f"{node_id} is in {len(docs)} documents ({', '.join(docs)}): pick one with --document")
        first = products[0]
        info = registry.get(f"{first['document']}@{first['version']}")
        return NodeRecord(
            id=node_id, document=first["document"], title=first.get("title") or "", version=first["version"],
            kind="group", text="", group=first.get("group"), group_id=node_id,
            children=[_ref(s) for s in products],
            source=info.source if info else None, sha256=info.sha256 if info else None,
        )

    def records(self, *, document: Optional[str] = None, version: Optional[str] = None) -> Iterator[NodeRecord]:
        """Every node as a :class:`NodeRecord`, document by document in reading order.

        Latest version of each document unless ``version`` (``"all"`` for
        every version); what ``eula export --jsonl`` writes. References and
        children are left empty (each record names its own place in ``path``).
        """
        registry, docvers = self._selected_files(document=document, version=version)
        infos = sorted((registry[dv] for dv in docvers), key=lambda d: (d.document, d.sort_key))
        try:
            by_key = {info.key: info for info in infos}
            for stored in self._store.iter_nodes(list(by_key)):
                record = _record_from_stored(stored)
                info = by_key[stored["file"]]
                record.source, record.sha256 = info.source, info.sha256
                yield record
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc

    def document(self, document: str, version: Optional[str] = None) -> Document:
        """Rebuild a whole :class:`Document` from the index (latest version unless ``version``).

        Everything ``parse()`` produced is stored, so ``eula diff doc@v1
        doc@v2`` can compare indexed versions without the PDFs.
        """
        from eula_parse.model import Clause, Group, Paragraph, Product, Section

        registry = self._registry()
        docvers = self._select_versions(registry, version=version, document=document) or []
        if len({registry[dv].document for dv in docvers}) > 1:
            names = ", ".join(sorted({registry[dv].document for dv in docvers}))
            raise QueryError(f"{document!r} matches several documents ({names}): give the full id")
        if len(docvers) != 1:
            versions = ", ".join(sorted(registry[dv].version for dv in docvers))
            raise QueryError(f"{document!r} has several versions matching {version!r} ({versions}): give one")
        info = registry[docvers[0]]
        try:
            stored = list(self._store.iter_nodes([info.key]))
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        doc = Document(title=info.title, version=info.version, pages=info.pages, source=info.source,
                       sha256=info.sha256)
        sections: dict[str, Section] = {}
        groups: dict[str, Group] = {}
        products: dict[str, Product] = {}
        for s in stored:
            data = json.loads(s["data"])
            common = dict(
                id=s["id"], text=s.get("text") or "", page_start=data["pages"][0], page_end=data["pages"][1],
                entities=[Entity(**e) for e in data.get("entities", [])], modality=list(data.get("modality", [])),
            )
            items = [Item.from_dict(i) for i in data.get("items", [])]
            kind = s["kind"]  # "item" records are for search; the tree keeps items in their parent
            if kind == "preamble":
                doc.preamble.append(Paragraph(**common))
            elif kind == "section":
                section = Section(**common, number=s.get("number"), heading=s.get("heading"), items=items)
                sections[s["id"]] = section
                parent = sections.get(s.get("parent") or "")
                (parent.children if parent else doc.sections).append(section)
            elif kind == "product":
                gid = s.get("group_id") or "group/untitled"
                if gid not in groups:
                    g = data.get("group") or {}
                    pages = g.get("pages") or [0, 0]
                    groups[gid] = Group(id=gid, name=s.get("group") or "", text=g.get("text") or "",
                                        page_start=pages[0], page_end=pages[1],
                                        entities=[Entity(**e) for e in g.get("entities", [])],
                                        modality=list(g.get("modality", [])))
                    doc.groups.append(groups[gid])
                products[s["id"]] = Product(**common, name=s.get("product") or "")
                groups[gid].products.append(products[s["id"]])
            elif kind == "clause" and s.get("product_id") in products:
                products[s["product_id"]].clauses.append(Clause(**common, number=s.get("number") or "", items=items))
        return doc

    # -- batch indexing -------------------------------------------------------

    def index_files(
        self,
        paths: Iterable[Union[str, os.PathLike]],
        *,
        timeout: float = FILE_TIMEOUT,
        jobs: int = 1,
        max_pages: Optional[int] = None,
        progress: Optional[Callable[[str, Optional[FileResult]], None]] = None,
        as_document: Optional[str] = None,
    ) -> list[FileResult]:
        """Parse and add many files; one bad or slow file never stops the batch.

        Each file is parsed in a worker process (so a hang can be killed after
        ``timeout`` seconds and a crash stays contained); parsed files are
        added in batches (:meth:`add_many`, a few seconds' worth each), so an
        interrupted run keeps every batch committed before it.
        ``progress(path, None)`` is called when a file starts and
        ``progress(path, result)`` when it is committed. Returns one
        :class:`FileResult` per file, in input order. ``as_document`` files
        them all as versions of that document (see :meth:`add`).
        """
        results = _run_batch(self, [str(p) for p in paths], timeout=timeout, jobs=jobs,
                             max_pages=max_pages, progress=progress, as_document=as_document)
        if any(r.status in ("added", "replaced") for r in results):
            self.tidy()
        return results


@contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    """The index's write lock: an OS file lock, so a killed writer never leaves it held."""
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexLockedError(
                        f"index at {path} stayed locked by another process for {LOCK_TIMEOUT:.0f} s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

