"""Benchmark: the clause index on both engines beside bare Whoosh and SQLite FTS5, same records, same run.

    python bench/search.py [--agreements 200] [--queries 200] [--rounds 3] [--runs 10]
    python bench/search.py --agreements 50,200,2000 --rounds 3,3,1 --engines whoosh,tantivy,fts5  # growth

Builds N agreements from the two corpus versions (each copy with its own
vendor and brand names, some sentences dropped or borrowed from elsewhere and
numbers changed, so the vocabulary grows as it would) and indexes the same
records four ways, interleaved round by round so a busy machine slows them
alike:

* ``whoosh``  -- ``ClauseIndex`` with the default engine, files added in
  batches of 64 as ``eula index`` does;
* ``tantivy`` -- ``ClauseIndex(engine="tantivy")``, the same way;
* ``bare``    -- bare Whoosh: a minimal schema (id and text stored; product,
  heading, text indexed with the project's analyser), one writer, one commit;
* ``fts5``    -- SQLite FTS5 (porter stemming, one transaction).

Then the same queries through all four (words OR'd, top 10): the known-item
questions plus questions made from random clauses, some with typos; each
query runs through every contender in turn, for ``--rounds`` rounds. Prints
build time, index size, p50/p95 query latency, the ratios the acceptance
asks for (medians over rounds), known-item ranking per engine, and the wall
time of whole ``eula search`` processes on the bundled corpus per engine.
With several sizes, prints how build and query time grow between them.
CPU times (build, median query, ``eula search`` process) are printed beside
the wall times: on a shared machine a short query waits for a core longer
than it runs, CPU time hardly depends on that.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from copy import deepcopy
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import eula_parse  # noqa: E402
from eula_parse.index import ClauseIndex  # noqa: E402
from eula_parse.index.engines import engine_class  # noqa: E402

try:  # load both engines now, so later edits to the source cannot mix into a long run
    engine_class("tantivy")
except eula_parse.EulaError:
    pass
from eula_parse.model import Document, slugify  # noqa: E402

SYLLABLES = "ka lo mi ra ven tor sul dex na qui bar zel ost mar lin vo pre tek".split()
FILLER = ("subject to the terms set out above the licensee shall keep records of every installation "
          "and make them available on request within a reasonable time").split()
BATCH = 64  # files per commit, as `eula index` batches them


def word(rng: random.Random, parts: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def vary(doc: Document, k: int) -> Document:
    """Copy ``k`` of ``doc``: its own vendor and brand, sentences dropped/borrowed, numbers changed."""
    rng = random.Random(k)
    vendor, brand = word(rng), word(rng, 2)
    copy = deepcopy(doc)
    copy.title = f"{vendor} End-user License Agreement"
    copy.version = f"{doc.version} r{k}"
    copy.sha256 = hashlib.sha256(f"synthetic-{k}".encode()).hexdigest()  # as parse() hashes the file
    copy.source = f"synthetic/{slugify(vendor)}-{k}.pdf"
    sentences = [s for n in doc.nodes() for s in re.split(r"(?<=[.;])\s+", n.text) if len(s) > 40]

    def rewrite(text: str) -> str:
        text = text.replace("Milestone", vendor).replace("XProtect", brand)
        text = re.sub(r"\b\d+\b", lambda m: str(rng.randint(1, 99)), text)
        parts = re.split(r"(?<=[.;])\s+", text)
        if len(parts) > 1 and rng.random() < 0.3:
            parts.pop(rng.randrange(len(parts)))
        if rng.random() < 0.3:
            parts.append(rng.choice(sentences).replace("Milestone", vendor))
        if rng.random() < 0.3:
            parts.append(" ".join(rng.sample(FILLER, 8)).capitalize() + ".")
        return " ".join(parts)

    for node in copy.nodes():
        node.text = rewrite(node.text)
        node.entities = [e for e in node.entities if e.end <= len(node.text)]
    for group in copy.groups:
        group.name = group.name.replace("Milestone", vendor).replace("XProtect", brand)
        for product in group.products:
            product.name = product.name.replace("Milestone", vendor).replace("XProtect", brand)
    return copy


def make_queries(docs: list[Document], n: int) -> list[str]:
    gold = [g["q"] for g in json.loads((ROOT / "tests" / "gold" / "queries.json").read_text())["queries"]]
    rng = random.Random(7)
    nodes = [node for doc in docs[:20] for node in doc.nodes()]
    queries = list(gold)
    while len(queries) < n:
        words = [w for w in re.findall(r"[A-Za-z]{4,}", rng.choice(nodes).text)]
        if len(words) < 3:
            continue
        picked = rng.sample(words, min(len(words), rng.randint(2, 5)))
        if rng.random() < 0.15:  # a typo
            w = picked[0]
            i = rng.randrange(1, len(w))
            picked[0] = w[:i] + w[i + 1:]
        queries.append(" ".join(picked).lower())
    return queries[:n]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def dir_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- the four contenders -------------------------------------------------------------


class Engine:
    """A ClauseIndex on one engine."""

    def __init__(self, name: str):
        self.name = name

    def build(self, docs: list[Document], path: Path) -> None:
        self.ix = ClauseIndex(path, engine=self.name)
        for start in range(0, len(docs), BATCH):
            self.ix.add_many([(doc, doc.source) for doc in docs[start:start + BATCH]])
        self.ix.tidy()  # what `eula index` does at the end of a run

    def query(self, q: str) -> list[str]:
        return [h.id for h in self.ix.search(q, limit=10)]

    def close(self) -> None:
        self.ix.close()


class BareWhoosh:
    """Whoosh at its floor: minimal schema, one writer, one commit, the same analyser and ranking."""

    name = "bare"

    def build(self, docs: list[Document], path: Path) -> None:
        import whoosh.index
        from whoosh.fields import ID, TEXT, Schema

        from eula_parse.index.engines.whoosh import _analyzer

        ana = _analyzer()
        path.mkdir()
        schema = Schema(id=ID(stored=True), product=TEXT(analyzer=ana), heading=TEXT(analyzer=ana),
                        text=TEXT(analyzer=ana, stored=True))
        ix = whoosh.index.create_in(str(path), schema)
        writer = ix.writer()
        for doc in docs:
            for node in doc.nodes():
                writer.add_document(id=node.id, product=getattr(node, "name", "") or "",
                                    heading=getattr(node, "heading", None) or "", text=node.text)
        writer.commit()
        self.ix = ix
        self.searcher = ix.searcher(weighting=_weighting())
        from whoosh.qparser import MultifieldParser, OrGroup

        from eula_parse.index.engines.whoosh import FIELD_BOOSTS
        self.parser = MultifieldParser(["text", "heading", "product"], schema, fieldboosts=dict(FIELD_BOOSTS),
                                       group=OrGroup.factory(0.9))

    def query(self, q: str) -> list[str]:
        return [r["id"] for r in self.searcher.search(self.parser.parse(q), limit=10)]

    def close(self) -> None:
        self.searcher.close()


def _weighting():
    from eula_parse.index.engines.whoosh import _weighting as weighting

    return weighting()


class Fts5:
    name = "fts5"
    SQL = ("SELECT id, document, snippet(clauses, 4, '[', ']', '…', 24), bm25(clauses, 0, 0, 2.0, 1.0, 1.0) AS s"
           " FROM clauses WHERE clauses MATCH ? ORDER BY s LIMIT 10")

    def build(self, docs: list[Document], path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE VIRTUAL TABLE clauses USING fts5(id UNINDEXED, document UNINDEXED, product, "
                        "heading, text, tokenize='porter unicode61')")
        with self.db:
            for doc in docs:
                for node in doc.nodes():
                    self.db.execute("INSERT INTO clauses VALUES (?,?,?,?,?)",
                                    (node.id, doc.id, getattr(node, "name", "") or "",
                                     getattr(node, "heading", None) or "", node.text))

    def query(self, q: str) -> list[str]:
        words = re.findall(r"\w+", q.lower())
        match = " OR ".join(f'"{w}"' for w in words) or '""'
        return [row[0] for row in self.db.execute(self.SQL, (match,)).fetchall()]

    def close(self) -> None:
        self.db.close()


def contenders(names: list[str]) -> list:
    made = {"whoosh": lambda: Engine("whoosh"), "tantivy": lambda: Engine("tantivy"),
            "bare": BareWhoosh, "fts5": Fts5}
    return [made[name]() for name in names]


# -- measuring ------------------------------------------------------------------------


def measure(docs: list[Document], queries: list[str], names: list[str], rounds: int, work: Path) -> dict:
    """Build and query times per contender, interleaved round by round; medians over rounds."""
    builds = {n: [] for n in names}
    lat = {n: [] for n in names}
    p50s = {n: [] for n in names}
    p95s = {n: [] for n in names}
    build_cpu = {n: [] for n in names}
    cpu50s = {n: [] for n in names}
    sizes: dict[str, int] = {}
    for r in range(rounds):
        order = names if r % 2 == 0 else list(reversed(names))  # no contender always goes first
        built = []
        for c in contenders(order):
            path = work / f"{c.name}-{len(docs)}-{r}"
            started, cpu = time.perf_counter(), time.process_time()
            c.build(docs, path)
            builds[c.name].append(time.perf_counter() - started)
            build_cpu[c.name].append(time.process_time() - cpu)
            built.append((c, path))
            print(f"  round {r + 1}: {c.name} built in {builds[c.name][-1]:.1f} s", file=sys.stderr)
        # the generated documents (millions of objects) are no part of a searching process: keep the
        # garbage collector from walking them in the middle of someone's query
        gc.collect()
        gc.freeze()
        for c, _ in built:
            for q in queries[:20]:  # warm caches, as a long-lived process would have them
                c.query(q)
        per_round = {c.name: [] for c, _ in built}
        cpu_round = {c.name: [] for c, _ in built}
        for q in queries:
            for c, _ in built:
                t, cpu = time.perf_counter(), time.thread_time()
                c.query(q)
                per_round[c.name].append((time.perf_counter() - t) * 1000)
                cpu_round[c.name].append((time.thread_time() - cpu) * 1000)
        for c, path in built:
            c.close()
            sizes[c.name] = dir_size(path)  # closed: SQLite's write-ahead log is folded in, as after `eula index`
        for name, values in per_round.items():
            lat[name].extend(values)
            p50s[name].append(statistics.median(values))
            p95s[name].append(percentile(values, 95))
            cpu50s[name].append(statistics.median(cpu_round[name]))
            print(f"  round {r + 1}: {name} query p50 {p50s[name][-1]:.2f} ms (CPU {cpu50s[name][-1]:.2f}), "
                  f"p95 {p95s[name][-1]:.2f} ms, size {sizes[name] / 1e6:.1f} MB", file=sys.stderr)
        for path in work.glob(f"*-{len(docs)}-{r}"):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    return {
        "build": {n: statistics.median(v) for n, v in builds.items()},
        "p50": {n: statistics.median(v) for n, v in p50s.items()},
        "p95": {n: statistics.median(v) for n, v in p95s.items()},
        "build_cpu": {n: statistics.median(v) for n, v in build_cpu.items()},
        "cpu50": {n: statistics.median(v) for n, v in cpu50s.items()},
        "size": sizes,
    }


def ranking(docs: list[Document], names: list[str], work: Path) -> dict[str, tuple[int, int, int]]:
    """Known-item gold on the bundled agreement (both versions indexed): (first, top 3, questions).

    A hit on a sub-item of the answer counts, as in tests/test_search.py.
    """
    gold = json.loads((ROOT / "tests" / "gold" / "queries.json").read_text())["queries"]
    out = {}
    for name in names:
        with ClauseIndex(work / f"gold-{name}", engine=name) as ix:
            ix.add_many([(doc, doc.source) for doc in docs])
            first = top3 = 0
            for g in gold:
                hits = [h.id == g["id"] or h.id.startswith(g["id"] + "/") for h in ix.search(g["q"], limit=3)]
                first += hits[:1] == [True]
                top3 += any(hits)
        out[name] = (first, top3, len(gold))
    return out


def bench_cli(index: Optional[Path], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of whole ``eula search`` processes; a bare ``python`` when no index.

    CPU time hardly depends on the machine's load; wall time does (on a busy
    2-core machine a process waits for a core as long as it runs).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "eula_parse", "search", "unrestricted number of computers",
               "--index", str(index)] if index is not None else [sys.executable, "-c", "pass"]
    walls, cpus = [], []
    for _ in range(runs + 1):  # the first run compiles and caches bytecode
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run(command, capture_output=True, env=env)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert out.returncode == 0, out.stderr
    return walls[1:], cpus[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", default="200", help="agreements to index; several as 50,200,2000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", default="3",
                        help="interleaved build+query rounds per size; one per size as 3,3,1 (fewer at 2,000)")
    parser.add_argument("--runs", type=int, default=10, help="whole `eula search` processes to time per engine")
    parser.add_argument("--engines", default="whoosh,tantivy,bare,fts5",
                        help="contenders (whoosh, tantivy, bare, fts5); e.g. leave whoosh out at 2,000")
    args = parser.parse_args()
    sizes = [int(n) for n in args.agreements.split(",")]
    rounds = [int(n) for n in args.rounds.split(",")]
    rounds = dict(zip(sizes, rounds + [rounds[-1]] * (len(sizes) - len(rounds))))
    names = [n for n in args.engines.split(",") if n]
    engines = [n for n in names if n in ("whoosh", "tantivy")]

    t = time.perf_counter()
    base = [eula_parse.parse(ROOT / "corpus" / "milestone-eula-20250425.pdf"),
            eula_parse.parse(ROOT / "corpus" / "milestone-eula-20240612.pdf")]
    print(f"2 PDFs parsed in {time.perf_counter() - t:.1f} s; interleaved rounds per size: "
          f"{', '.join(f'{n}: {k}' for n, k in rounds.items())}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    work = Path(tempfile.mkdtemp(prefix="eula-bench-"))
    results = {}
    try:
        for n in sizes:
            docs = [vary(base[k % 2], k) for k in range(n)]
            queries = make_queries(docs, args.queries)
            records = sum(1 for d in docs for _ in d.nodes())
            print(f"\n{n} agreements, {records} records, {len(queries)} queries, {rounds[n]} round(s), medians",
                  flush=True)
            res = results[n] = measure(docs, queries, names, rounds[n], work)
            print(f"{'':18}" + "".join(f"{name:>12}" for name in names))
            print(f"{'build (s)':18}" + "".join(f"{res['build'][x]:>12.2f}" for x in names))
            print(f"{'build CPU (s)':18}" + "".join(f"{res['build_cpu'][x]:>12.2f}" for x in names))
            print(f"{'index size (MB)':18}" + "".join(f"{res['size'][x] / 1e6:>12.1f}" for x in names))
            print(f"{'query p50 (ms)':18}" + "".join(f"{res['p50'][x]:>12.2f}" for x in names))
            print(f"{'query p95 (ms)':18}" + "".join(f"{res['p95'][x]:>12.2f}" for x in names))
            print(f"{'query CPU p50 (ms)':18}" + "".join(f"{res['cpu50'][x]:>12.2f}" for x in names))
            ratio = lambda key, a, b: res[key][a] / res[key][b]  # noqa: E731
            if {"whoosh", "bare"} <= set(names):
                print(f"build  whoosh / bare whoosh: {ratio('build', 'whoosh', 'bare'):.2f}  (goal <= 1.5)")
                print(f"query  whoosh / bare whoosh: {ratio('p50', 'whoosh', 'bare'):.2f}  (goal <= 1.2, p50)")
            if {"tantivy", "fts5"} <= set(names):
                print(f"build  tantivy / FTS5:       {ratio('build', 'tantivy', 'fts5'):.2f}  (goal <= 10)")
            if "tantivy" in names:
                print(f"query  tantivy p50 {res['p50']['tantivy']:.2f} ms (goal < 2), "
                      f"p95 {res['p95']['tantivy']:.2f} ms (goal < 10)")
        if len(sizes) > 1:
            print("\ngrowth (time at the larger size / time at the smaller; agreements grow "
                  + ", ".join(f"{b / a:g}x" for a, b in zip(sizes, sizes[1:])) + ")")
            for name in names:
                steps = []
                for a, b in zip(sizes, sizes[1:]):
                    steps.append(f"{a}->{b}: build {results[b]['build'][name] / results[a]['build'][name]:.1f}x, "
                                 f"query p50 {results[b]['p50'][name] / results[a]['p50'][name]:.1f}x")
                print(f"  {name:8} " + "; ".join(steps))
        if engines:
            print("\nknown-item questions on the bundled agreement (both versions indexed):")
            for name, (first, top3, total) in ranking(base, engines, work).items():
                print(f"  {name:8} first {first}/{total} ({first / total:.0%}), top 3 {top3}/{total} "
                      f"({top3 / total:.0%})")
            print("\nwhole `eula search` process on the bundled reference agreement, both versions "
                  "(bytecode cached):")
            for name in engines:
                index = work / f"corpus-{name}"
                with ClauseIndex(index, engine=name) as ix:  # the PDFs parsed above: no second parse
                    ix.add_many([(doc, doc.source) for doc in base])
                times, cpu = bench_cli(index, args.runs)
                print(f"  {name:8} median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
                      f"CPU {statistics.median(cpu):.2f} s  "
                      f"(goal < 0.5 s: {'met' if statistics.median(times) < 0.5 else 'NOT met'})")
            times, cpu = bench_cli(None, args.runs)
            print(f"  {'python -c pass':8} median {statistics.median(times):.2f} s, CPU {statistics.median(cpu):.2f} s "
                  f"(the interpreter alone, same moment)")
        print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
