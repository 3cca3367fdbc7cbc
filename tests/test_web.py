"""``eula serve``: the web app over an index of the two corpus versions, spoken to over HTTP.

Expected values come from the library API on the same documents (the index,
the diff), never from the pages themselves.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import subprocess
import sys
import time
from urllib.parse import quote, urlencode

import pytest

import eula_parse
from conftest import ROOT
from conftest_web import DOC, NEW, OLD, Server, request

from eula_parse.index import ClauseIndex


@pytest.fixture(scope="module")
def index_dir(corpus_pair_index):
    return corpus_pair_index


@pytest.fixture(scope="module")
def index(index_dir):
    with ClauseIndex(index_dir, create=False) as ix:
        yield ix


@pytest.fixture(scope="module")
def server(index):
    with Server(index) as srv:
        yield srv


@pytest.fixture(scope="module")
def corpus_diff(doc_2024, doc_2025):
    return eula_parse.diff(doc_2024, doc_2025)


def text_of(page: str) -> str:
    """The page as a reader sees it: tags out, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_library_lists_each_version_with_vendor_pages_and_clause_count(server, doc_2024, doc_2025):
    page = server.get("/")
    assert page.status == 200
    seen = text_of(page.body)
    for doc in (doc_2024, doc_2025):
        clauses = sum(1 for _ in doc.all_sections()) + len(doc.clauses)
        vendor = next(e.text for p in doc.preamble for e in sorted(p.entities, key=lambda e: e.start)
                      if e.label == "ORG")
        row = rf"{doc.version}( latest)? {re.escape(vendor)} {doc.pages} {clauses} \d{{4}}-\d\d-\d\d"
        assert re.search(row, seen), seen
    only_old = text_of(server.get("/?" + urlencode({"filter": doc_2024.version})).body)
    assert doc_2024.version in only_old and doc_2025.version not in only_old


def test_search_with_filters_matches_the_python_api_and_lives_in_the_url(server, index):
    params = {"q": "liability", "general": "1", "entity": "money>=50"}
    expected = index.search("liability", general=True, entity=["money>=50"], count=True, limit=20)
    assert expected, "the corpus has a general clause with an amount of money about liability"
    page = server.get("/search?" + urlencode(params))
    assert page.status == 200
    links = re.findall(r'<h2><a href="(/node/[^"]+)">', page.body)
    assert [link.split("?")[0] for link in links] == [f"/node/{h.id}" for h in expected]
    assert f"{expected.total} result" in text_of(page.body)
    assert '<mark class="hit">' in page.body
    hit = expected[0]
    assert f"{hit.title} · {hit.version} › " in text_of(page.body)  # breadcrumb: document › section
    # The form shows the filters it was given, so the URL alone reproduces the page.
    assert 'name="general" type="checkbox" value="1" checked' in page.body
    assert 'value="money&gt;=50"' in page.body


def test_every_cli_filter_is_accepted(server, index):
    params = [("q", "install"), ("product", "corporate"), ("group", "xprotect vms"), ("modality", "restriction"),
              ("modality", "prohibition"), ("version", "20240612"), ("document", DOC), ("entity", "term")]
    expected = index.search("install", product="corporate", group="xprotect vms", modality=["restriction", "prohibition"],
                            version="20240612", document=DOC, entity=["term"], limit=20)
    api = server.get("/api/search?" + urlencode(params)).json()
    assert [h["id"] for h in api["hits"]] == [h.id for h in expected]
    assert {h["version"] for h in api["hits"]} == {"EULA 20240612"}


def test_pages_of_results_follow_the_ranking(server, index):
    ranked = [h.id for h in index.search("product", limit=40)]
    assert len(ranked) == 40
    first = server.get("/api/search?q=product").json()
    second = server.get("/api/search?q=product&page=2").json()
    assert [h["id"] for h in first["hits"]] + [h["id"] for h in second["hits"]] == ranked
    assert first["total"] == second["total"] == index.search("product", count=True).total
    page = server.get("/search?q=product")
    assert 'rel="next" href="/search?q=product&amp;page=2"' in page.body


def test_api_mirrors_the_cli_json(server, index, index_dir, corpus_diff):
    shown = subprocess.run([sys.executable, "-m", "eula_parse", "show", "product/xprotect-corporate/5",
                            "--index", str(index_dir), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    assert server.get("/api/node/product/xprotect-corporate/5").json() == json.loads(shown.stdout)
    searched = subprocess.run([sys.executable, "-m", "eula_parse", "search", "install", "--product", "corporate",
                               "--modality", "restriction", "--limit", "20", "--index", str(index_dir), "--json"],
                              capture_output=True, text=True, cwd=ROOT)
    assert searched.returncode == 0, searched.stderr
    api = server.get("/api/search?" + urlencode({"q": "install", "product": "corporate", "modality": "restriction"}))
    assert {k: v for k, v in api.json().items() if k not in ("page", "page_size")} == json.loads(searched.stdout)
    qualified = server.get("/api/node/" + quote(f"{OLD}:product/xprotect-corporate/5")).json()
    assert qualified == json.loads(json.dumps(index.get("product/xprotect-corporate/5", version="EULA 20240612").to_dict()))
    api_diff = server.get("/api/diff?" + urlencode({"old": OLD, "new": NEW})).json()
    assert api_diff == json.loads(json.dumps(corpus_diff.to_dict()))
    document = server.get(f"/api/document/{DOC}?version=" + quote("EULA 20240612")).json()
    assert document == json.loads(json.dumps(index.document(DOC, "EULA 20240612").to_dict()))
    listed = server.get("/api/documents").json()["documents"]
    assert [d["docver"] for d in listed] == [OLD, NEW]


def test_clause_page_marks_entities_and_links_references_both_ways(server, index):
    rec = index.get("product/xprotect-corporate/5")
    page = server.get(f"/node/{rec.id}?" + urlencode({"document": rec.document, "version": rec.version}))
    assert page.status == 200
    xref = next(e for e in rec.entities if e.label == "XREF" and isinstance(e.target, list))
    link = re.search(r'<a class="ent ent-xref" href="([^"]+)"[^>]*>([^<]+)</a>', page.body)
    assert html.unescape(link.group(2)) == xref.text
    assert html.unescape(link.group(1)).startswith(f"/node/{xref.target[0]}?")
    term = next(e for e in rec.entities if e.label == "TERM" and e.target)
    assert re.search(rf'<a class="ent ent-term" href="/node/{term.target}\?[^"]*"[^>]*>{re.escape(term.text)}</a>',
                     page.body)
    pages = f"pages {rec.page_start}–{rec.page_end}" if rec.page_end != rec.page_start else f"page {rec.page_start}"
    assert pages in text_of(page.body)
    # The clause it names lists it under "referenced by".
    target = server.get(f"/node/general/affiliated-companies?version=" + quote(rec.version))
    backlinks = target.body[target.body.index('id="referenced-by"'):]
    assert f"<code>{rec.id}</code>" in backlinks.split("</section>")[0]


def test_hover_shows_the_normalised_value(server, index):
    rec = index.get("general/milestone-product-lifecycle")
    duration = next(e for e in rec.entities if e.label == "DURATION")
    page = server.get(f"/node/{rec.id}")
    mark = re.search(r'<mark class="ent ent-duration" title="([^"]+)"[^>]*>([^<]+)</mark>', page.body)
    assert mark.group(2) == duration.text
    assert mark.group(1) == f"DURATION: {duration.value['iso']}"


def test_other_versions_follow_the_clause_by_content_not_number(server, corpus_diff):
    renumbered = next(c for c in corpus_diff.changes if c.kind == "renumbered" and c.new_id.startswith("product/"))
    page = server.get(f"/node/{renumbered.new_id}")
    versions = page.body[page.body.index('id="versions"'):].split("</section>")[0]
    old_link = f'/node/{renumbered.old_id}?document={DOC}&amp;version=EULA+20240612'
    assert old_link in versions and "renumbered" in versions
    back = server.get(html.unescape(old_link))
    assert f'/node/{renumbered.new_id}?document={DOC}&amp;version=EULA+20250425' in back.body


def test_sub_items_are_followed_through_their_renumbered_clause(server, doc_2024, doc_2025, corpus_diff):
    renumbered = {c.new_id: c.old_id for c in corpus_diff.changes if c.kind == "renumbered"}
    item = next(i for n in doc_2025.nodes() if n.id in renumbered for i in getattr(n, "items", []) if i.id
                and doc_2024.get(f"{renumbered[n.id]}/{i.id.rsplit('/', 1)[1]}") is not None)
    old_id = f"{renumbered[item.id.rsplit('/', 1)[0]]}/{item.id.rsplit('/', 1)[1]}"
    page = server.get(f"/node/{item.id}")
    versions = page.body[page.body.index('id="versions"'):].split("</section>")[0]
    assert f"/node/{old_id}?" in versions and "renumbered" in versions
    history = text_of(server.get(f"/history/{item.id}").body)
    assert f"{doc_2024.version} first indexed version as {old_id}" in history
    assert f"{doc_2025.version} renumbered" in history


def test_history_shows_each_version_with_its_redline(server, corpus_diff):
    change = next(c for c in corpus_diff.changes if c.kind == "modified" and c.entity_changes
                  and c.new_id.startswith("product/"))
    page = server.get(f"/history/{change.new_id}")
    assert page.status == 200
    seen = text_of(page.body)
    assert "EULA 20240612 first indexed version" in seen and "EULA 20250425 modified" in seen
    deleted = next(text for op, text in change.redline if op == "delete")
    assert f"<del>{html.escape(deleted, quote=False)}</del>" in page.body
    assert str(change.entity_changes[0]) in seen


def test_compare_page_is_the_report_with_filters(server, corpus_diff):
    page = server.get("/compare?" + urlencode({"old": OLD, "new": NEW}))
    assert page.status == 200
    counts = dict(re.findall(r'<tr data-kind="(\w+)">.*?<td class="count">(\d+)</td>', page.body))
    assert counts == {k: str(n) for k, n in corpus_diff.counts().items()}
    seen = text_of(page.body)
    for change in corpus_diff.substantive:
        for entity in change.entity_changes:
            assert str(entity) in seen
    added = server.get("/compare?" + urlencode({"old": OLD, "new": NEW, "kind": "added"})).body
    kinds = set(re.findall(r'<section class="change" id="change-\d+"><h3><span class="kind kind-(\w+)"', added))
    assert kinds == {"added"}
    corporate = server.get("/compare?" + urlencode({"old": OLD, "new": NEW, "product": "corporate"})).body
    ids = re.findall(r'<section class="change" id="change-(\d+)"', corporate)
    assert len(ids) == len(corpus_diff.for_product("corporate").substantive)


def test_bad_requests_get_a_page_not_a_traceback(server, index):
    from eula_parse.errors import QueryError

    with pytest.raises(QueryError) as raised:
        index.search('"door licence')
    page = server.get("/search?" + urlencode({"q": '"door licence'}))
    assert page.status == 400 and str(raised.value) in text_of(page.body)
    assert 'id="q"' in page.body  # the box is still there to fix the query
    api = server.get("/api/search?" + urlencode({"q": '"door licence'}))
    assert api.status == 400 and api.json()["error"] == str(raised.value)
    unknown = server.get("/node/product/xprotect-corporate/99")
    assert unknown.status == 404 and "no node" in unknown.body
    assert 'href="/search?q=product+xprotect+corporate+99"' in unknown.body
    assert server.get("/no/such/page").status == 404
    assert server.get("/search?q=refund&page=zero").status == 400
    assert server.get("/search?" + urlencode({"q": "refund", "product": "no such thing"})).status == 404
    assert server.get("/compare?" + urlencode({"old": OLD, "new": f"{DOC}@1999"})).status == 404
    assert "<script>" not in server.get("/search?" + urlencode({"q": "<script>alert(1)</script>"})).body
    assert "Traceback" not in unknown.body


def test_uploads_are_capped_and_checked_and_never_indexed(index_dir, index):
    before = [d.docver for d in index.documents()]
    with Server(index, max_upload_bytes=4096) as small:
        big = small.post_files("/compare", {"old": ("a.pdf", b"%PDF-1.4\n" + b"x" * 5000),
                                            "new": ("b.pdf", b"%PDF-1.4\n")})
        assert big.status == 413 and "too large" in big.body
        junk = small.post_files("/compare", {"old": ("notes.bin", bytes(range(256)) * 4),
                                             "new": ("b.pdf", b"%PDF-1.4\n")})
        assert junk.status == 422 and "notes.bin" in text_of(junk.body)
        missing = small.post_files("/compare", {"old": ("a.pdf", b"%PDF-1.4\n")})
        assert missing.status == 422 and "choose a file for the new version" in missing.body
        # A body of unknown length (chunked) is refused before it is read.
        conn = http.client.HTTPConnection(small.url.removeprefix("http://"), timeout=30)
        conn.request("POST", "/compare", body=iter([b"--x\r\n"] * 3), encode_chunked=True,
                     headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert conn.getresponse().status == 411
        conn.close()
    assert [d.docver for d in ClauseIndex(index_dir, create=False).documents()] == before


def test_uploaded_pair_is_compared(server, index, tmp_path):
    from pdfgen import build_plain_pdf

    terms = ["Licence Terms", "1. The licence is granted for {} days from delivery.",
             "2. Support is provided by e-mail on working days."]
    for name, days in (("old.pdf", 30), ("new.pdf", 90)):
        build_plain_pdf(tmp_path / name, [terms[1].format(days), terms[2]], title=terms[0])
    expected = eula_parse.diff(eula_parse.parse(tmp_path / "old.pdf"), eula_parse.parse(tmp_path / "new.pdf"))
    entity = next(e for c in expected.substantive for e in c.entity_changes)
    reply = server.post_files("/compare", {"old": ("old.pdf", (tmp_path / "old.pdf").read_bytes()),
                                           "new": ("new.pdf", (tmp_path / "new.pdf").read_bytes())})
    assert reply.status == 200, reply.body[:500]
    seen = text_of(reply.body)
    assert "old.pdf → new.pdf" in seen
    assert str(entity) in seen
    assert len(index.documents()) == 2


def test_new_versions_show_up_without_a_restart(tmp_path, doc_2024, doc_2025):
    path = tmp_path / "index"
    with ClauseIndex(path) as writer:
        writer.add(doc_2024)
    with ClauseIndex(path, create=False) as reader, Server(reader) as srv:
        assert doc_2025.version not in srv.get("/").body
        with ClauseIndex(path, create=False) as writer:
            writer.add(doc_2025)
        assert doc_2025.version in srv.get("/").body
        assert srv.get("/api/node/" + quote(f"{doc_2025.id}@{doc_2025.version}:product/xprotect-corporate/6")).status == 200


def test_only_own_assets(server):
    page = server.get("/search?q=refund")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for url in re.findall(r'(?:src|href)="([^"#]+)"', page.body):
        assert url.startswith("/"), url
        if url.startswith("/static/"):
            assert server.get(url).status == 200


def test_serve_command_starts_on_localhost_and_refuses_a_missing_index(index_dir, tmp_path):
    missing = subprocess.run([sys.executable, "-m", "eula_parse", "serve", "--index", str(tmp_path / "none")],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no index at")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "eula_parse", "serve", "--index", str(index_dir), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = request(url)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.05)
        assert reply.status == 200 and "Library" in reply.body
        assert time.monotonic() - started < 30
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


WEB_MODULES_CHECK = """
import sys
from eula_parse.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print('WEB', sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'jinja2', 'multipart')
                    or m.startswith('eula_parse.web')), file=sys.stderr)
"""


def test_search_does_not_load_the_web_app(index_dir):
    proc = subprocess.run([sys.executable, "-c", WEB_MODULES_CHECK, "search", "refund", "--index", str(index_dir)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "WEB []" in proc.stderr, proc.stderr
