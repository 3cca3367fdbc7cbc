"""Benchmark: ``eula serve`` at 200 agreements: search page server time, other pages, app start.

    python bench/serve.py [--agreements 200] [--queries 200]

Builds the same 200 agreements as ``bench/search.py`` (its generator, not a
second one), indexes them, and asks the app for pages in-process through
its ASGI interface, so the time is the server's (routing, index, templates)
without a network or a browser. The baseline in the same run is the bare
``ClauseIndex.search`` the page calls (same query, same limit, with the total
count): the ratio is what the page adds. Then whole ``eula serve`` processes
are started until they answer their first page. Goals (issue #14): search
page under 200 ms server time at 200 agreements; the app starts in under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eula_parse  # noqa: E402
from eula_parse.index import ClauseIndex  # noqa: E402
from eula_parse.web.app import PAGE_SIZE, create_app  # noqa: E402
from search import make_queries, percentile, vary  # noqa: E402  (bench/search.py's generator)


def asgi_get(app, path: str) -> tuple[int, bytes]:
    """One GET through the app's ASGI interface, as uvicorn would call it."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status, body = 0, []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    asyncio.run(app(scope, receive, send))
    return status, b"".join(body)


def timed_ms(fn) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def serve_start(index: Path, runs: int) -> list[float]:
    """Seconds from starting ``eula serve`` to its first library page."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "eula_parse", "serve", "--index", str(index), "--port", "0"],
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            url = None
            for line in proc.stderr:  # the line naming the address (warnings may come first)
                match = re.search(r"http://\S+/", line)
                if match:
                    url = match.group(0)
                    break
            if url is None:
                raise SystemExit("error: `eula serve` exited without naming its address")
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=30) as reply:
                        assert reply.status == 200
                        break
                except OSError:
                    time.sleep(0.01)
            times.append(time.perf_counter() - started)
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stderr.close()
    return times


def interpreter_start(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5, help="whole `eula serve` processes to time")
    parser.add_argument("--keep", metavar="DIR", help="build the index in DIR and keep it; reuse it if it is there")
    args = parser.parse_args()

    base = [eula_parse.parse(ROOT / "corpus" / "milestone-eula-20250425.pdf"),
            eula_parse.parse(ROOT / "corpus" / "milestone-eula-20240612.pdf")]
    docs = [vary(base[k % 2], k) for k in range(args.agreements)]
    queries = make_queries(docs, args.queries)
    work = Path(tempfile.mkdtemp(prefix="eula-bench-serve-"))
    try:
        path = Path(args.keep) if args.keep else work / "index"
        if ClauseIndex.exists(path) and len(ClauseIndex(path, create=False).documents()) == len(docs):
            print(f"index: reusing {path}")
        else:
            t = time.perf_counter()
            with ClauseIndex(path) as ix:
                for doc in docs:
                    ix.add(doc)
                ix.optimize()
            print(f"index: built in {time.perf_counter() - t:.0f} s")
        print(f"index: {args.agreements} agreements, {len(ClauseIndex(path, create=False))} records")

        index = ClauseIndex(path, create=False)
        t = time.perf_counter()
        app = create_app(index)
        create_ms = (time.perf_counter() - t) * 1000
        for q in queries[:20]:  # warm caches, as a running server has them
            asgi_get(app, "/search?" + urlencode({"q": q}))
            index.search(q, limit=PAGE_SIZE, count=True)

        bare, page, api, filtered = [], [], [], []
        for q in queries:  # interleaved, so a busy machine slows them alike
            bare.append(timed_ms(lambda: index.search(q, limit=PAGE_SIZE, count=True)))
            page.append(timed_ms(lambda: asgi_get(app, "/search?" + urlencode({"q": q}))))
            api.append(timed_ms(lambda: asgi_get(app, "/api/search?" + urlencode({"q": q}))))
            filtered.append(timed_ms(lambda: asgi_get(app, "/search?" + urlencode(
                {"q": q, "general": "1", "modality": "restriction", "entity": "duration>=P30D"}))))
        status, body = asgi_get(app, "/search?" + urlencode({"q": queries[0]}))
        assert status == 200 and b'class="hit"' in body

        first = docs[0]
        other_pages = {
            "library (all versions)": "/",
            "clause page": f"/node/product/xprotect-corporate/5?document={first.id}",
            "page 2 of a search": "/search?" + urlencode({"q": queries[1], "page": 2}),
        }
        others = {}
        for label, url in other_pages.items():
            status, _ = asgi_get(app, url)
            assert status == 200, (url, status)
            others[label] = [timed_ms(lambda: asgi_get(app, url)) for _ in range(20)]

        def stats(values: list[tuple[float, float]], which: int) -> tuple[float, float]:
            column = [v[which] for v in values]
            return statistics.median(column), percentile(column, 95)

        base_wall, base_cpu = stats(bare, 0)[0], stats(bare, 1)[0]

        def row(label: str, values: list[tuple[float, float]]) -> None:
            (wm, wp), (cm, cp) = stats(values, 0), stats(values, 1)
            print(f"{label:32}{wm:>8.1f}{wp:>8.1f}{cm:>8.1f}{cp:>8.1f}{wm / base_wall:>8.1f}{cm / base_cpu:>8.1f}")

        print(f"\nserver time per request at {args.agreements} agreements ({len(queries)} queries), ms:")
        print(f"{'':32}{'wall':>8}{'p95':>8}{'CPU':>8}{'p95':>8}{'ratio':>8}{'(CPU)':>8}")
        row("ClauseIndex.search (baseline)", bare)
        row("search page (HTML)", page)
        row("/api/search (JSON)", api)
        row("search page, 3 filters", filtered)
        for label, values in others.items():
            row(label, values)
        worst_wall = max(stats(page, 0)[1], stats(filtered, 0)[1])
        worst_cpu = max(stats(page, 1)[1], stats(filtered, 1)[1])
        print(f"goal search page < 200 ms (p95): wall {worst_wall:.0f} ms {'met' if worst_wall < 200 else 'NOT met'}, "
              f"CPU {worst_cpu:.0f} ms {'met' if worst_cpu < 200 else 'NOT met'}")
        index.close()

        starts = serve_start(path, args.starts)
        python = interpreter_start(args.starts)
        print(f"\napp start: create_app() {create_ms:.0f} ms in-process; whole `eula serve` to its first page: "
              f"median {statistics.median(starts):.2f} s, max {max(starts):.2f} s "
              f"(bare Python start {statistics.median(python):.2f} s, ratio "
              f"{statistics.median(starts) / statistics.median(python):.1f})")
        print(f"goal start < 2 s: {'met' if max(starts) < 2 else 'NOT met'}")
        print(f"(load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
