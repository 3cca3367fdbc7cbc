"""``eula serve``'s web app: library, search, clause, compare pages and a JSON API over one index.

Starlette + Jinja2 (see the README for why): pages are rendered on the
server and work without JavaScript; ``static/search.js`` only adds
search-as-you-type. The app only reads the index, through
:class:`~eula_parse.ClauseIndex`; ``ClauseIndex`` notices new commits, so
versions added with ``eula index`` show up without a restart.

Whoosh searchers are not shared safely between threads, and Starlette runs
plain handlers in a thread pool, so every index call holds one lock; a
search takes milliseconds, so readers barely wait.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, urlencode

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from eula_parse.diff import KINDS, SUBSTANTIVE
from eula_parse.errors import EulaError, IndexCorruptError, IndexLockedError, InputError, NotFoundError, QueryError
from eula_parse.index import FILE_TIMEOUT, ClauseIndex, DocumentInfo
from eula_parse.readers import MAX_FILE_BYTES
from eula_parse.diff.report import CSS as REPORT_CSS
from eula_parse.diff.report import change_html, render_body
from eula_parse.web.markup import entity_rows, highlighted, marked_text, value_summary
from eula_parse.web.versions import Versions, parse_upload

HERE = Path(__file__).resolve().parent
#: Hits per search page.
PAGE_SIZE = 20
#: Deepest hit a search page reaches (the index's own cap on one request).
MAX_HITS = 1000
MODALITIES = ("permission", "obligation", "prohibition", "restriction", "disclaimer")

#: Status of each refusal, for pages and the API alike.
_STATUS = {NotFoundError: 404, QueryError: 400, InputError: 422, IndexLockedError: 503, IndexCorruptError: 500}


class UploadTooLarge(EulaError):
    """An upload over the size cap ``eula index`` applies to files."""


def node_url(node_id: str, document: Optional[str] = None, version: Optional[str] = None) -> str:
    """The page of a node: ``/node/ID?document=DOC&version=VERSION`` (latest version when not given)."""
    params = {k: v for k, v in (("document", document), ("version", version)) if v}
    return "/node/" + quote(node_id, safe="/") + ("?" + urlencode(params) if params else "")


def document_url(document: str, version: Optional[str] = None) -> str:
    return "/document/" + quote(document, safe="") + ("?" + urlencode({"version": version}) if version else "")


def compare_url(old: DocumentInfo, new: DocumentInfo, **extra: Any) -> str:
    return "/compare?" + urlencode({"old": old.docver, "new": new.docver, **extra}, doseq=True)


def _pages(start: int, end: int) -> str:
    if not start:
        return ""
    return f"page {start}" if end in (0, start) else f"pages {start}–{end}"


def _node_name(rec: Any) -> str:
    """What a reader calls the node: "4.1 Licence", "XProtect Corporate, clause 5", a product's name."""
    if rec.heading:
        return f"{rec.number} {rec.heading}" if rec.number else rec.heading
    if rec.kind == "clause":
        return f"{rec.product}, clause {rec.number}" if rec.product else f"clause {rec.number}"
    if rec.kind == "item" and rec.path:  # "XProtect Corporate, clause 8 (a)", "2.5 Licence (b)"
        parent = rec.path[-1][1]
        if rec.product and not any(ch.isalpha() for ch in parent):
            parent = f"{rec.product}, clause {parent}"
        return f"{parent} ({rec.number})"
    if rec.kind == "product" and rec.product:
        return rec.product
    if rec.kind == "group" and rec.group:
        return rec.group
    return rec.number or rec.id


def _hit_trail(hit: Any) -> list[str]:
    """Breadcrumb of a hit: document > group > product > clause, or document > section."""
    trail = [f"{hit.title or hit.document} · {hit.version}"]
    if hit.group:
        trail.append(hit.group)
    if hit.product:
        trail.append(hit.product)
    if hit.kind == "clause":
        trail.append(f"clause {hit.number}")
    elif hit.kind == "section":
        trail.append(" ".join(x for x in (hit.number, hit.heading) if x) or hit.id)
    elif hit.kind == "preamble":
        trail.append("preamble")
    return trail


class SearchForm:
    """The search page's query string: every filter ``eula search`` has, plus the page number."""

    def __init__(self, request: Request):
        p = request.query_params
        self.q = p.get("q", "").strip()
        self.product = p.get("product", "").strip()
        self.group = p.get("group", "").strip()
        self.general = p.get("general", "") not in ("", "0")
        self.all_words = p.get("all_words", "") not in ("", "0")
        self.entity = [e.strip() for e in p.getlist("entity") if e.strip()]
        self.modality = [m for m in p.getlist("modality") if m.strip()]
        self.version = p.get("version", "").strip()
        self.document = p.get("document", "").strip()
        raw_page = p.get("page", "1")
        if not raw_page.isdigit() or int(raw_page) < 1:
            raise QueryError(f"page must be a whole number from 1, not {raw_page!r}")
        self.page = min(int(raw_page), MAX_HITS // PAGE_SIZE)

    def filters(self) -> dict[str, Any]:
        return dict(product=self.product or None, group=self.group or None, general=self.general,
                    entity=self.entity, modality=self.modality, version=self.version or None,
                    document=self.document or None, all_words=self.all_words)

    def url(self, **change: Any) -> str:
        params = {"q": self.q, "product": self.product, "group": self.group, "general": "1" if self.general else "",
                  "all_words": "1" if self.all_words else "",
                  "entity": self.entity, "modality": self.modality, "version": self.version,
                  "document": self.document, "page": self.page}
        params.update(change)
        kept = {k: v for k, v in params.items() if v not in ("", [], None) and not (k == "page" and v == 1)}
        return "/search?" + urlencode(kept, doseq=True)


class _OwnAssetsOnly:
    """Every asset comes from this server: the browser is told so (CSP), and refuses anything else."""

    HEADERS = [(b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline'"),
               (b"x-content-type-options", b"nosniff")]

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(index: ClauseIndex, *, max_upload_bytes: int = MAX_FILE_BYTES,
               upload_timeout: float = FILE_TIMEOUT) -> Starlette:
    """The app over ``index`` (kept open; read-only). Uploads are capped like ``eula index`` caps files."""
    lock = threading.RLock()
    versions = Versions(index, lock)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(node_url=node_url, document_url=document_url, pages=_pages,
                                 value_summary=value_summary, kinds=KINDS, modalities=MODALITIES)

    def documents() -> list[DocumentInfo]:
        with lock:
            return index.documents()

    def page(request: Request, template: str, code: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, template, context, status_code=code)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    # -- library and documents -------------------------------------------------

    def clause_count(info: DocumentInfo) -> int:
        if info.clauses is not None:
            return info.clauses
        doc = versions.document(info)  # indexes written before the count was recorded
        return sum(1 for _ in doc.all_sections()) + len(doc.clauses)

    def library(request: Request) -> Response:
        wanted = request.query_params.get("filter", "").strip()
        rows = []
        for info in documents():
            haystack = " ".join(str(x) for x in (info.title, info.vendor, info.document, info.version) if x).lower()
            if wanted and not all(w in haystack for w in wanted.lower().split()):
                continue
            rows.append({"info": info, "clauses": clause_count(info),
                         "indexed": time.strftime("%Y-%m-%d", time.localtime(info.indexed_at))
                         if info.indexed_at else ""})
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(row["info"].document, []).append(row)
        compares = {}
        for doc, group in grouped.items():
            if len(group) > 1:
                compares[doc] = compare_url(group[-2]["info"], group[-1]["info"])
        return page(request, "library.html", grouped=grouped, compares=compares, filter=wanted,
                    total=len(rows))

    def document_page(request: Request) -> Response:
        document = request.path_params["document"]
        version = request.query_params.get("version") or None
        with lock:
            doc = index.document(document, version)
        infos = versions.versions_of(doc.id)
        here = next((i for i in infos if i.version == doc.version), None)
        if wants_json(request):
            return JSONResponse(doc.to_dict())
        return page(request, "document.html", doc=doc, here=here, infos=infos, document=doc.id,
                    compare_latest=compare_url(infos[-2], infos[-1]) if len(infos) > 1 else None)

    def documents_api(request: Request) -> Response:
        return JSONResponse({"documents": [{**asdict(i), "docver": i.docver} for i in documents()]})

    # -- search ------------------------------------------------------------------

    def run_search(form: SearchForm) -> dict[str, Any]:
        started = time.perf_counter()
        with lock:
            hits = index.search(form.q, limit=form.page * PAGE_SIZE, count=True, **form.filters())
        shown = hits[(form.page - 1) * PAGE_SIZE:]
        return {"hits": hits, "shown": shown, "total": hits.total, "corrected": hits.corrected,
                "ms": (time.perf_counter() - started) * 1000,
                "last_page": max(1, min(-(-(hits.total or 0) // PAGE_SIZE), MAX_HITS // PAGE_SIZE))}

    def search(request: Request) -> Response:
        form = SearchForm(request)
        partial = request.query_params.get("partial") == "1"
        result, error, status = None, None, 200
        if form.q:
            try:
                result = run_search(form)
            except (QueryError, NotFoundError) as exc:
                error, status = str(exc), _STATUS[type(exc)]
        context = dict(form=form, result=result, error=error, trail=_hit_trail, highlighted=highlighted,
                       docs=documents())
        return page(request, "results.html" if partial else "search.html", status, **context)

    def search_api(request: Request) -> Response:
        form = SearchForm(request)
        if not form.q:
            raise QueryError('empty query: give some words to search for, e.g. /api/search?q=refund')
        result = run_search(form)
        # `eula search --json`'s shape: every key present, an empty value is null.
        return JSONResponse({
            "query": form.q, "total": result["total"], "corrected": result["corrected"] or None,
            "hits": [{k: (None if v == "" else v) for k, v in h.to_dict().items()} for h in result["shown"]],
            "page": form.page, "page_size": PAGE_SIZE,
        })

    # -- nodes -------------------------------------------------------------------

    def get_record(request: Request):
        # The id may be qualified (DOC@VERSION:ID) as search hits print it; the index reads that.
        with lock:
            return index.get(request.path_params["node_id"], document=request.query_params.get("document") or None,
                             version=request.query_params.get("version") or None)

    def node_page(request: Request) -> Response:
        rec = get_record(request)
        if wants_json(request):
            return JSONResponse(rec.to_dict())
        infos = versions.versions_of(rec.document)
        here = next(i for i in infos if i.version == rec.version)
        others = []
        if rec.kind != "group":
            for info in infos:
                if info.docver != here.docver:
                    other_id, status = versions.counterpart(rec.id, here, info)
                    others.append({"info": info, "id": other_id, "status": status})

        def link(target: str) -> str:
            return node_url(target, rec.document, rec.version)

        items = [{"label": i.label, "heading": getattr(i, "heading", None), "id": getattr(i, "id", None),
                  "text": marked_text(i.text, getattr(i, "entities", None) or [], link)} for i in rec.items]
        return page(request, "node.html", rec=rec, name=_node_name(rec), here=here, text=marked_text(rec.text, rec.entities, link),
                    items=items, entities=entity_rows(rec.entities), others=others,
                    terms=sorted({(e.text, str(e.target)) for e in rec.entities if e.label == "TERM" and e.target}))

    def history_page(request: Request) -> Response:
        rec = get_record(request)
        infos = versions.versions_of(rec.document)
        here = next(i for i in infos if i.version == rec.version)
        steps = versions.history(rec.id, here)
        rendered = [{"step": s, "html": change_html(n, s.change) if s.change else None,
                     "url": node_url(s.node_id, s.info.document, s.info.version) if s.node_id else None}
                    for n, s in enumerate(steps, 1)]
        return page(request, "history.html", rec=rec, steps=rendered, report_css=REPORT_CSS)

    # -- compare -----------------------------------------------------------------

    def compare_context(request: Request, result, kinds: list[str], product: str, **extra: Any) -> dict[str, Any]:
        body = None
        if result is not None:
            if product:
                result = result.for_product(product)
            body = render_body(result, kinds=kinds)
        return dict(result=result, body=body, chosen_kinds=kinds, product=product, docs=documents(),
                    report_css=REPORT_CSS, **extra)

    def compare_params(request: Request) -> tuple[list[str], str]:
        p = request.query_params
        kinds = [k for k in p.getlist("kind") if k in KINDS] or [k for k in KINDS if k in SUBSTANTIVE]
        return kinds, p.get("product", "").strip()

    def compare(request: Request) -> Response:
        p = request.query_params
        kinds, product = compare_params(request)
        old_ref, new_ref = p.get("old", ""), p.get("new", "")
        result = old = new = None
        if old_ref or new_ref:
            if not (old_ref and new_ref):
                raise QueryError("pick two versions to compare (old and new)")
            old, new = versions.find(old_ref), versions.find(new_ref)
            result = versions.diff(old, new)
        if wants_json(request):
            if result is None:
                raise QueryError("give old=DOC@VERSION and new=DOC@VERSION")
            include = "renumbered" in kinds
            shown = result.for_product(product) if product else result
            return JSONResponse(shown.to_dict(include_renumbered=include))
        return page(request, "compare.html", **compare_context(request, result, kinds, product, old=old, new=new))

    async def compare_upload(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if not length.isdigit():  # a body of unknown length could fill the disk before the cap is seen
            raise HTTPException(411, "an upload needs a Content-Length (send the form from a browser)")
        if int(length) > 2 * max_upload_bytes + 65536:
            raise UploadTooLarge(f"upload too large ({int(length) // 2**20} MiB; limit "
                                 f"{max(1, max_upload_bytes // 2**20)} MiB per file)")
        async with request.form(max_files=2, max_fields=10) as form:
            files = {}
            for side in ("old", "new"):
                upload = form.get(side)
                if upload is None or isinstance(upload, str) or not upload.filename:
                    raise InputError(f"choose a file for the {side} version")
                data = await upload.read(max_upload_bytes + 1)
                if len(data) > max_upload_bytes:
                    raise UploadTooLarge(f"{upload.filename}: file too large (limit "
                                         f"{max(1, max_upload_bytes // 2**20)} MiB)")
                files[side] = (data, upload.filename)
        parsed: dict[str, Any] = {}

        async def parse_side(side: str) -> None:
            try:
                parsed[side] = await run_in_threadpool(parse_upload, *files[side], timeout=upload_timeout)
            except EulaError as exc:
                parsed[side] = exc

        async with anyio.create_task_group() as group:  # two worker processes at once
            for side in ("old", "new"):
                group.start_soon(parse_side, side)
        for side in ("old", "new"):
            if isinstance(parsed[side], EulaError):
                raise parsed[side]
        old, new = parsed["old"], parsed["new"]
        from eula_parse.diff import diff

        result = await run_in_threadpool(diff, old, new)
        kinds, product = compare_params(request)
        return page(request, "compare.html",
                    **compare_context(request, result, kinds, product, old=None, new=None,
                                      uploaded=(files["old"][1], files["new"][1])))

    # -- errors ------------------------------------------------------------------

    def eula_error(request: Request, exc: Exception) -> Response:
        status = 413 if isinstance(exc, UploadTooLarge) else next(
            (code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        message = str(exc)
        if wants_json(request):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        words = " ".join(request.path_params.get("node_id", "").replace("/", " ").replace("-", " ").split())
        return page(request, "error.html", status, status=status, message=message,
                    search_link="/search?" + urlencode({"q": words}) if words else "/search")

    def http_error(request: Request, exc: HTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        if wants_json(request):
            return JSONResponse({"error": message, "status": exc.status_code}, status_code=exc.status_code)
        return page(request, "error.html", exc.status_code, status=exc.status_code, message=message,
                    search_link="/search")

    routes = [
        Route("/", library),
        Route("/search", search),
        Route("/document/{document}", document_page),
        Route("/node/{node_id:path}", node_page),
        Route("/history/{node_id:path}", history_page),
        Route("/compare", compare),
        Route("/compare", compare_upload, methods=["POST"]),
        Route("/api/documents", documents_api),
        Route("/api/search", search_api),
        Route("/api/document/{document}", document_page),
        Route("/api/node/{node_id:path}", node_page),
        Route("/api/diff", compare),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={EulaError: eula_error, HTTPException: http_error},
                    middleware=[Middleware(_OwnAssetsOnly)])
    app.state.index = index
    return app
