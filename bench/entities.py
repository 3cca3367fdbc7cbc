"""Benchmark: entity tagging on the reference agreement, and its share of parse() time.

    python bench/entities.py [PDF] [--repeat N]

Each of N rounds parses the file with ``tag=False``, runs the context-free first pass
on its node texts, then tags that very tree; the figures are medians over the rounds
(paired, so load drifting between rounds favours no side):
  * parse(tag=False) — extraction + structure;
  * tag_document() (pipeline already built), with nodes/s and clauses/s;
  * of which the first pass (regex, rules, modality; sub-items take their parent's
    spans); the rest is the document pass (products, defined terms) and turning spans
    into ``Entity`` values;
  * the one-off cost of building the spaCy pipeline (first call in a process);
  * tagging as a share of parse() (goal, issue #12: < 40 %).
Wall time (perf_counter) and CPU time (process_time) are both shown: on a busy machine
wall time is noisy, CPU time is what the code costs.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", nargs="?", default=str(ROOT / "corpus" / "milestone-eula-20250425.pdf"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.pdf)

    import eula_parse
    from eula_parse import entities

    plain = eula_parse.parse(path, tag=False)
    nodes = list(plain.nodes())
    texts = [n.text for n in nodes]

    start = time.perf_counter()
    nlp = entities.get_nlp()
    build = time.perf_counter() - start
    entities.tag_document(copy.deepcopy(plain))  # warm-up: the first run compiles the patterns

    from eula_parse.entities.pipeline import _first_pass, _item_origins

    origins = _item_origins(plain)

    def first_pass():
        _first_pass(nlp, nodes, origins)

    rounds = []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        doc = eula_parse.parse(path, tag=False)
        w1, c1 = time.perf_counter(), time.process_time()
        first_pass()
        w2, c2 = time.perf_counter(), time.process_time()
        entities.tag_document(doc)
        w3, c3 = time.perf_counter(), time.process_time()
        rounds.append({"parse": (w1 - w0, c1 - c0), "pipe": (w2 - w1, c2 - c1), "tag": (w3 - w2, c3 - c2)})

    def med(key: str, k: int) -> float:
        return statistics.median(r[key][k] for r in rounds)

    def share(k: int) -> float:
        return statistics.median(r["tag"][k] / (r["parse"][k] + r["tag"][k]) for r in rounds)

    clauses = len(plain.clauses)
    print(f"file: {path.name}  ({len(nodes)} nodes, {clauses} clauses, {sum(map(len, texts))} chars; "
          f"median of {args.repeat} rounds)")
    print(f"{'':36}{'wall ms':>9}{'cpu ms':>9}")
    rows = [
        ("parse(tag=False)", med("parse", 0), med("parse", 1)),
        ("tag_document()", med("tag", 0), med("tag", 1)),
        ("  of which the first pass", med("pipe", 0), med("pipe", 1)),
        ("  rest: products, terms, values", med("tag", 0) - med("pipe", 0), med("tag", 1) - med("pipe", 1)),
    ]
    for name, wall, cpu in rows:
        print(f"{name:36}{wall * 1e3:9.1f}{cpu * 1e3:9.1f}")
    print(f"{'pipeline build (once per process)':36}{build * 1e3:9.1f}")
    print(f"throughput: {len(nodes) / med('tag', 1):,.0f} nodes/s, {clauses / med('tag', 1):,.0f} clauses/s (CPU); "
          f"{len(nodes) / med('tag', 0):,.0f} nodes/s, {clauses / med('tag', 0):,.0f} clauses/s (wall)")
    for name, k in (("cpu", 1), ("wall", 0)):
        s = share(k)
        print(f"tagging share of parse() [{name}]: {s:.1%}   (goal < 40%)   overhead on parse(tag=False): {s / (1 - s):.1%}")
    first = build + med("tag", 0)
    print(f"first parse() in a fresh process also builds the pipeline: overhead "
          f"{first / med('parse', 0):.1%} (wall) for that one call")


if __name__ == "__main__":
    main()
