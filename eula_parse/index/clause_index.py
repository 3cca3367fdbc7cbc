"""A clause index: ask a question of many agreements and land on the exact clause.

``ClauseIndex`` keeps one index record per preamble paragraph, section,
product intro and clause, for every version of every agreement added to it.
Whoosh does the work underneath, but no Whoosh object leaves this package:
callers get :class:`Hit` and :class:`NodeRecord` dataclasses, so another
engine could sit behind the same class later.

Why the index is shaped the way it is:

* **Everything ``eula show`` needs is stored** (text, entities as JSON, pages,
  the breadcrumb), so showing a clause never re-parses a PDF.
* **A file is indexed in one Whoosh commit** (its nodes plus a "file" record
  holding its SHA-256), so a crash or Ctrl-C leaves each file fully in or fully
  out, and re-adding a file whose hash is present is a no-op.
* **Versions live side by side**; searches default to the latest version of
  each document by masking the older ones, which costs nothing when there are
  none.
* **Parsing runs in worker processes** during batch indexing, with a time cap
  per file, so one pathological PDF cannot stall a batch and spaCy/pdfplumber
  never load into the process that searches.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import whoosh.index
from whoosh import query as wq
from whoosh.qparser import AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser, OrGroup
from whoosh.util.filelock import try_for

from eula_parse.errors import IndexCorruptError, IndexLockedError, NotFoundError, QueryError
from eula_parse.index import identity
from eula_parse.index.batch import FILE_TIMEOUT, _run_batch
from eula_parse.index.engines.whoosh import (
    _CORRUPTION,
    _READ_ERRORS,
    FIELD_BOOSTS,
    _cap_fuzzy,
    _fuzzify,
    _highlight_words,
    _lazy_unions,
    _or_terms,
    _query_errors,
    _schema,
    _weighting,
)
from eula_parse.index.paths import MARKER, SOURCES_LOG, _index_owned, default_index_path, is_index_dir
from eula_parse.index.query import DEFAULT_FIELDS, _as_list, _entity_filter, _resolve, check_modality, check_query
from eula_parse.index.records import (
    AddResult,
    DocumentInfo,
    FileResult,
    NodeRecord,
    NodeRef,
    SearchResults,
    _document_sha,
    _hit,
    _order,
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
from eula_parse.model import Document, Entity, Item, slugify


#: Bump when the schema or stored layout changes; older indexes then ask for ``--rebuild``.
INDEX_FORMAT = 1


#: How long a writer waits for another process's write lock before giving up.
LOCK_TIMEOUT = 120.0
#: A batch that leaves more segments than this merges them (searches cost a little per segment).
MAX_SEGMENTS = 4


class ClauseIndex:
    """Clauses of many agreements, searchable; see the module docstring for the why.

    >>> ix = ClauseIndex.open("index")          # created if missing
    >>> ix.add(eula_parse.parse("corpus/milestone-eula-20250425.pdf"))
    >>> ix.search("door licences", product="access")[0].id
    'product/xprotect-access/5'
    """

    def __init__(self, path: Union[str, os.PathLike, None] = None, *, create: bool = True):
        """Open the index at ``path`` (default: :func:`default_index_path`), creating it if allowed.

        Raises :class:`NotFoundError` when there is no index and ``create`` is
        false, :class:`IndexCorruptError` when the directory is damaged,
        foreign or from another format.
        """
        path = Path(path) if path is not None else default_index_path()
        if path.exists() and not path.is_dir():
            raise IndexCorruptError(f"{path}: not a directory, cannot hold an index")
        if not is_index_dir(path):
            if not create:
                raise NotFoundError(f"no index at {path}: create one with `eula index FILES --index {path}`")
            self._create(path)
        self.path = path
        self._ix = self._open_whoosh(path)
        self._searcher: Any = None
        self._registry_cache: Optional[tuple[int, dict[str, DocumentInfo]]] = None
        self._parsers: dict[str, Any] = {}
        self._docsets: dict[tuple[int, str], Any] = {}

    # -- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: Union[str, os.PathLike, None] = None, *, create: bool = True) -> "ClauseIndex":
        """Same as ``ClauseIndex(path, create=create)``."""
        return cls(path, create=create)

    @classmethod
    def exists(cls, path: Union[str, os.PathLike, None] = None) -> bool:
        return is_index_dir(Path(path) if path is not None else default_index_path())

    @staticmethod
    def _create(path: Path) -> None:
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
        from whoosh.filedb.filestore import FileStorage

        storage = FileStorage(str(path))
        lock = storage.lock("MAIN_WRITELOCK")
        if not try_for(lock.acquire, timeout=LOCK_TIMEOUT, delay=0.05):
            raise IndexLockedError(f"{path}: another process holds the index lock for too long")
        try:
            if is_index_dir(path):  # someone else created it while we waited
                return
            if any(re.fullmatch(r"_MAIN_\d+\.toc", n) for n in os.listdir(path)):
                raise IndexCorruptError(
                    f"{path} holds a Whoosh index that eula-parse did not write (no {MARKER}): "
                    f"run `eula index --rebuild` to replace it, or choose another --index"
                )
            whoosh.index.create_in(str(path), _schema())
            tmp = path / f".{MARKER}.{os.getpid()}"
            tmp.write_text(json.dumps({"format": INDEX_FORMAT, "engine": "whoosh"}) + "\n")
            os.replace(tmp, path / MARKER)
        finally:
            lock.release()

    @staticmethod
    def _open_whoosh(path: Path) -> Any:
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
        try:
            ix = whoosh.index.open_dir(str(path))
            reader = ix.reader()
            try:
                missing = {"uid", "docver", "text", "data"} - set(reader.schema.names())
                reader.doc_count()
            finally:
                reader.close()
        except Exception as exc:  # noqa: BLE001 - any failure reading the files means damage
            raise IndexCorruptError(
                f"index at {path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
            ) from exc
        if missing:
            raise IndexCorruptError(
                f"index at {path} was not written by eula-parse (no {sorted(missing)[0]} field): "
                f"run `eula index --rebuild`"
            )
        return ix

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> "ClauseIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ClauseIndex({str(self.path)!r})"

    # -- reading --------------------------------------------------------------

    def _get_searcher(self) -> Any:
        try:
            # A fresh searcher per new generation: Whoosh's refresh(reuse=...) breaks on an empty index.
            if self._searcher is None or not self._searcher.up_to_date():
                old, self._searcher = self._searcher, self._ix.searcher(weighting=_weighting())
                if old is not None:
                    old.close()
            return self._searcher
        except _CORRUPTION as exc:
            self._searcher = None
            raise self._damaged(exc) from exc

    def _damaged(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(
            f"index at {self.path} is damaged ({type(exc).__name__}: {exc}): run `eula index --rebuild`"
        )

    def _registry(self, searcher: Any = None) -> dict[str, DocumentInfo]:
        """docver -> DocumentInfo for every indexed file, cached per index generation."""
        searcher = searcher or self._get_searcher()
        gen = searcher.reader().generation()
        if self._registry_cache and self._registry_cache[0] == gen and gen is not None:
            return self._registry_cache[1]
        registry: dict[str, DocumentInfo] = {}
        try:
            for stored in searcher.documents(rec="file"):
                info = json.loads(stored["data"])
                registry[info["docver"]] = DocumentInfo(
                    document=stored["document"], title=stored.get("title") or "", version=stored["version"],
                    sha256=stored.get("sha256") or "", nodes=info.get("nodes", 0), source=info.get("source"),
                    pages=info.get("pages", 0), indexed_at=info.get("indexed_at", 0.0),
                    date=info.get("date", ""), clauses=info.get("clauses"), vendor=info.get("vendor"),
                )
        except _CORRUPTION as exc:
            raise self._damaged(exc) from exc
        newest: dict[str, DocumentInfo] = {}
        for info in registry.values():
            best = newest.get(info.document)
            if best is None or info.sort_key > best.sort_key:
                newest[info.document] = info
        for info in newest.values():
            info.latest = True
        self._registry_cache = (gen, registry)
        return registry

    def documents(self) -> list[DocumentInfo]:
        """Every indexed file, by document then oldest version first."""
        return sorted(self._registry().values(), key=lambda d: (d.document, d.sort_key))

    def __len__(self) -> int:
        """Number of indexed nodes (all versions)."""
        return sum(d.nodes for d in self._registry().values())

    def has_file(self, sha256: str) -> bool:
        return any(d.sha256 == sha256 for d in self._registry().values())

    def document_for_file(self, sha256: str) -> Optional[Document]:
        """The indexed :class:`Document` of the file with this SHA-256, or None: a parse that need not run again."""
        info = next((d for d in self._registry().values() if d.sha256 == sha256), None)
        return self.document(info.document, info.version) if info is not None else None

    # -- writing --------------------------------------------------------------

    def _writer(self) -> Any:
        try:
            return self._ix.writer(timeout=LOCK_TIMEOUT, delay=0.05)
        except whoosh.index.LockError as exc:
            raise IndexLockedError(
                f"index at {self.path} stayed locked by another process for {LOCK_TIMEOUT:.0f} s"
            ) from exc
        except _CORRUPTION as exc:
            raise self._damaged(exc) from exc

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
        sha = _document_sha(document)
        version = document_version(document)
        signature = identity.signature(document)
        doc_id = slugify(as_document) if as_document else self._identify(document, signature, version)
        docver = f"{doc_id}@{version}"
        records = list(_records(document, doc_id, version, docver))
        info = {
            "docver": docver, "nodes": len(records), "source": source or document.source,
            "pages": document.pages, "indexed_at": time.time(),
            "clauses": sum(1 for _ in document.all_sections()) + len(document.clauses),
            "vendor": _vendor(document),
            "date": version_date(version, Path(document.source).name if document.source else None),
            "identity": signature,
        }
        file_record = dict(
            uid=f"file:{docver}", rec="file", document=doc_id, docver=docver, title=document.title or "",
            version=version, sha256=sha, data=json.dumps(info),
        )
        result = AddResult("added", doc_id, document.title or "", version, len(records), sha)
        writer = self._writer()
        try:
            with writer.searcher() as searcher:
                if any(True for _ in searcher.document_numbers(rec="file", sha256=sha)):
                    writer.cancel()
                    result.status = "unchanged"
                    return result
                if any(True for _ in searcher.document_numbers(uid=f"file:{docver}")):
                    result.status = "replaced"
            writer.delete_by_term("docver", docver)
            for record in records:
                writer.add_document(**record)
            writer.add_document(**file_record)
            writer.commit()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        if info["source"]:
            self._log_source("add", info["source"], docver, sha)
        return result

    def _identify(self, document: Document, signature: dict[str, Any], version: str) -> str:
        """The id of the indexed document ``document`` is a version of, else a new one from its title.

        The title's own id is kept when that document has this version already
        (a re-issued file replaces it), was indexed without a signature, or is
        recognised as the same agreement; a different agreement that only
        shares a title gets the next free ``-2``, ``-3``... id.
        """
        known: dict[str, dict[str, Any]] = {}
        versions: dict[str, set[str]] = {}
        try:
            searcher = self._get_searcher()
            registry = self._registry(searcher)
            for info in registry.values():
                versions.setdefault(info.document, set()).add(info.version)
            latest = {dv for dv, info in registry.items() if info.latest}
            for stored in searcher.documents(rec="file"):
                data = json.loads(stored["data"])
                if data.get("docver") in latest:
                    known[stored["document"]] = data.get("identity") or {}
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc
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

    def _log_source(self, action: str, source: str, docver: str, sha: str = "") -> None:
        """Append to the sources log, which ``rebuild`` reads even when the Whoosh files are damaged."""
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
        """How many Whoosh segments the index has (each search pays a little per segment)."""
        reader = self._get_searcher().reader()
        return len(reader.leaf_readers()) if not reader.is_atomic() else 1

    def optimize(self) -> None:
        """Merge all segments into one, in one commit; ``index_files`` does it after big batches."""
        writer = self._writer()
        try:
            writer.commit(optimize=True)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise

    def remove(self, document: str, version: Optional[str] = None) -> int:
        """Remove one version (or every version) of a document; returns how many files went."""
        infos = [d for d in self._registry().values()
                 if d.document == document and (version is None or d.version == version)]
        if not infos:
            raise NotFoundError(f"no document {document!r}{' version ' + repr(version) if version else ''} in the index")
        writer = self._writer()
        try:
            for info in infos:
                writer.delete_by_term("docver", f"{info.document}@{info.version}")
            writer.commit()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        for info in infos:
            if info.source:
                self._log_source("remove", info.source, info.docver, info.sha256)
        return len(infos)

    # -- searching ------------------------------------------------------------

    def _parser(self, schema: Any, all_words: bool = False) -> Any:
        """Loose words combine with OR (ranked by how many match), or with AND for ``all_words``."""
        key = "and" if all_words else "or"
        parser = self._parsers.get(key)
        if parser is None:
            group = AndGroup if all_words else OrGroup.factory(0.9)
            parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=dict(FIELD_BOOSTS), group=group)
            parser.add_plugin(FuzzyTermPlugin())
            parser.add_plugin(GtLtPlugin())
            self._parsers[key] = parser
        return parser

    def _parse_query(self, text: str, all_words: bool = False) -> wq.Query:
        check_query(text)
        searcher = self._get_searcher()
        try:
            q = self._parser(searcher.schema, all_words).parse(text)
        except Exception as exc:  # noqa: BLE001 - the parser is third-party; any failure is the query's
            raise QueryError(f"cannot read query {text!r} ({exc}): check quotes, brackets and field:value parts") from exc
        error = _query_errors(q)
        if error:
            raise QueryError(f"cannot read query {text!r}: {error}")
        return _cap_fuzzy(q)

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
        ``count=True`` also counts every match into ``.total`` (a second pass
        over the postings); otherwise ``.total`` is ``None``.
        Loose words combine with OR, more matching words ranking higher;
        ``all_words=True`` requires every one (AND).
        A filter that matches no record gives no hits (never the unfiltered ones).
        Raises :class:`QueryError` for a malformed query or filter, an unknown
        entity label or modality, and :class:`NotFoundError` when a filter
        names nothing in the index.
        """
        if limit is None or limit < 1:
            raise QueryError("limit must be at least 1")
        q = self._parse_query(query, all_words)
        searcher = self._get_searcher()
        corrected: dict[str, list[str]] = {}
        try:
            if fuzzy:
                q = _fuzzify(q, searcher.reader(), corrected, query)
            _lazy_unions(q)
            flt, mask = self._filters(searcher, product=product, group=group, general=general, entity=entity,
                                      modality=modality, version=version, document=document, kind=kind)
            if flt is not None and not flt:  # Whoosh ignores an empty filter set and would return everything
                return SearchResults([], query=query, total=0 if count else None, corrected=corrected)
            ranked = [(r.docnum, r.score) for r in searcher.search(q, filter=flt, mask=mask, limit=limit)]
            # Whoosh's len(results) re-runs the whole query, so the exact total is opt-in.
            total = self._count(searcher, q, flt, mask) if count else None
            terms = _highlight_words(q, searcher.reader())
            hits = [_hit(searcher.stored_fields(docnum), score, terms) for docnum, score in ranked]
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc
        return SearchResults(hits, query=query, total=total, corrected=corrected)

    @staticmethod
    def _count(searcher: Any, q: wq.Query, flt: Any, mask: Any) -> int:
        return len(searcher.search(q, filter=flt, mask=mask, limit=None, scored=False))

    def _filters(self, searcher: Any, *, product=None, group=None, general=False, entity=None,
                 modality=None, version=None, document=None, kind=None) -> tuple[Any, Any]:
        reader = searcher.reader()
        parts: list[wq.Query] = []
        masks: list[wq.Query] = [wq.Term("rec", "file")]
        if product:
            parts.append(_or_terms("product_id", _resolve(reader, "product_id", product, "product")))
        if group:
            parts.append(_or_terms("group_id", _resolve(reader, "group_id", group, "group")))
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
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is not None:
            parts.append(_or_terms("docver", docvers))
        elif version is None:
            old = [dv for dv, info in registry.items() if not info.latest]
            masks.extend(wq.Term("docver", dv) for dv in old)
        flt = wq.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
        mask = wq.Or(masks) if len(masks) > 1 else masks[0]
        return self._docset(searcher, flt), self._docset(searcher, mask)

    def _docset(self, searcher: Any, q: Optional[wq.Query]) -> Any:
        """The records ``q`` matches, as a set Whoosh filters by, cached until the index changes.

        Masking the old versions is the same for every search; computing it
        per query cost more than the search itself.
        """
        if q is None:
            return None
        key = (id(searcher), repr(q))
        cached = self._docsets.get(key)
        if cached is None:
            from whoosh.idsets import BitSet

            if len(self._docsets) > 64 or any(k[0] != id(searcher) for k in self._docsets):
                self._docsets.clear()
            cached = self._docsets[key] = BitSet(searcher.docs_for_query(q), size=searcher.doc_count_all())
        return cached

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
        searcher = self._get_searcher()
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document)
        if docvers is None:
            docvers = [dv for dv, info in registry.items() if info.latest]
        try:
            if node_id.startswith("group/"):
                return self._get_group(searcher, registry, node_id, docvers)
            found = [s for s in searcher.documents(id=node_id) if self._docver_of(s) in set(docvers)]
            if not found:
                raise NotFoundError(self._not_found_message(searcher, node_id))
            docs = sorted({s["document"] for s in found})
            if len(docs) > 1:
                named = ", ".join(qualified_id(s["document"], s["version"], node_id) for s in found)
                raise QueryError(f"{node_id} is in {len(docs)} documents: name one, e.g. {named}")
            stored = found[0]
            docver = self._docver_of(stored)
            record = _record_from_stored(stored)
            info = registry.get(docver)
            if info is not None:
                record.source, record.sha256 = info.source, info.sha256
            record.references = self._references(searcher, stored, docver)
            record.referenced_by = [
                _ref(s) for s in sorted(searcher.documents(refs=node_id, docver=docver), key=_order)
            ]
            record.children = self._children(searcher, record, docver)
            return record
        except _READ_ERRORS as exc:
            raise self._damaged(exc) from exc

    @staticmethod
    def _docver_of(stored: dict[str, Any]) -> str:
        return f"{stored['document']}@{stored['version']}"

    def _not_found_message(self, searcher: Any, node_id: str) -> str:
        ids = [t.decode("utf-8") if isinstance(t, bytes) else t for t in searcher.reader().lexicon("id")]
        close = difflib.get_close_matches(node_id, ids, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; find ids with `eula search`"
        return f"no node {node_id!r} in the index{hint}"

    def _references(self, searcher: Any, stored: dict[str, Any], docver: str) -> list[NodeRef]:
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
                match = next(iter(searcher.documents(id=target, docver=docver)), None)
                refs.append(_ref(match) if match else NodeRef(target, e.get("text", ""), found=False))
        return refs

    @staticmethod
    def _children(searcher: Any, record: NodeRecord, docver: str) -> list[NodeRef]:
        return [_ref(s) for s in sorted(searcher.documents(parent=record.id, docver=docver), key=_order)]

    def _get_group(self, searcher: Any, registry, node_id: str, docvers: list[str]) -> NodeRecord:
        products = [s for s in searcher.documents(parent=node_id)
                    if self._docver_of(s) in set(docvers)]
        if not products:
            raise NotFoundError(self._not_found_message(searcher, node_id))
        docs = sorted({s["document"] for s in products})
        if len(docs) > 1:
            raise QueryError(f"{node_id} is in {len(docs)} documents ({', '.join(docs)}): pick one with --document")
        first = products[0]
        info = registry.get(self._docver_of(first))
        return NodeRecord(
            id=node_id, document=first["document"], title=first.get("title") or "", version=first["version"],
            kind="group", text="", group=first.get("group"), group_id=node_id,
            children=[_ref(s) for s in sorted(products, key=_order)],
            source=info.source if info else None, sha256=info.sha256 if info else None,
        )

    def document(self, document: str, version: Optional[str] = None) -> Document:
        """Rebuild a whole :class:`Document` from the index (latest version unless ``version``).

        Everything ``parse()`` produced is stored, so ``eula diff doc@v1
        doc@v2`` can compare indexed versions without the PDFs.
        """
        from eula_parse.model import Clause, Group, Paragraph, Product, Section

        searcher = self._get_searcher()
        registry = self._registry(searcher)
        docvers = self._select_versions(registry, version=version, document=document) or []
        if len({registry[dv].document for dv in docvers}) > 1:
            names = ", ".join(sorted({registry[dv].document for dv in docvers}))
            raise QueryError(f"{document!r} matches several documents ({names}): give the full id")
        if len(docvers) != 1:
            versions = ", ".join(sorted(registry[dv].version for dv in docvers))
            raise QueryError(f"{document!r} has several versions matching {version!r} ({versions}): give one")
        info = registry[docvers[0]]
        try:
            stored = sorted(searcher.documents(docver=docvers[0], rec="node"), key=_order)
        except _READ_ERRORS as exc:
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
        ``timeout`` seconds and a crash stays contained) and added in its own
        commit. ``progress(path, None)`` is called when a file starts and
        ``progress(path, result)`` when it is done. Returns one
        :class:`FileResult` per file, in input order. ``as_document`` files
        them all as versions of that document (see :meth:`add`).
        """
        results = _run_batch(self, [str(p) for p in paths], timeout=timeout, jobs=jobs,
                             max_pages=max_pages, progress=progress, as_document=as_document)
        if any(r.status in ("added", "replaced") for r in results) and self.segments() > MAX_SEGMENTS:
            self.optimize()
        return results
