"""Benchmark: entity tagging on the reference agreement, and its share of parse() time.

    python bench/entities.py [PDF] [--repeat N]

Prints, as medians over N paired rounds in one process (each round parses the file with
tag=False, then tags that tree):
  * parse(tag=False) — extraction + structure;
  * tag_document() on that tree (pipeline already built), with nodes/s and clauses/s;
  * the same split into the one ``nlp.pipe`` pass and the document-dependent second pass;
  * the one-off cost of building the spaCy pipeline (first call in a process);
  * tagging as a share of parse() and as overhead on parse(tag=False) (goal: <= 15 %).
Wall time (perf_counter) and CPU time (process_time) are both shown: on a busy
machine wall time is noisy, CPU time is what the code costs.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn()``."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


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
    clauses = len(plain.clauses)

    start = time.perf_counter()
    entities.get_nlp()
    build = time.perf_counter() - start
    entities.tag_document(copy.deepcopy(plain))  # warm: first run compiles patterns

    # Paired runs: parse the file without tagging, then tag that very tree, in each round, so
    # that machine load drifting between rounds cannot favour one side.
    rounds = []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        doc = eula_parse.parse(path, tag=False)
        w1, c1 = time.perf_counter(), time.process_time()
        entities.tag_document(doc)
        w2, c2 = time.perf_counter(), time.process_time()
        rounds.append((w1 - w0, c1 - c0, w2 - w1, c2 - c1))
    parse_wall, parse_cpu, tag_wall, tag_cpu = (statistics.median(r[k] for r in rounds) for k in range(4))
    share_wall = statistics.median(r[2] / (r[0] + r[2]) for r in rounds)
    share_cpu = statistics.median(r[3] / (r[1] + r[3]) for r in rounds)

    nlp = entities.get_nlp()
    texts = [n.text for n in nodes]

    def first_pass():
        with nlp.select_pipes(disable=list(entities.DOCUMENT_PIPES)):
            list(nlp.pipe(texts, batch_size=64))

    pipe_wall, pipe_cpu = measure(first_pass, args.repeat)

    chars = sum(len(t) for t in texts)
    print(f"file: {path.name}  ({len(nodes)} nodes, {clauses} clauses, {chars} chars; median of {args.repeat})")
    print(f"{'':34}{'wall ms':>9}{'cpu ms':>9}")
    print(f"{'parse(tag=False)':34}{parse_wall * 1e3:9.1f}{parse_cpu * 1e3:9.1f}")
    print(f"{'tag_document()':34}{tag_wall * 1e3:9.1f}{tag_cpu * 1e3:9.1f}")
    print(f"{'  nlp.pipe pass (context-free)':34}{pipe_wall * 1e3:9.1f}{pipe_cpu * 1e3:9.1f}")
    print(f"{'  document pass (products, terms)':34}{(tag_wall - pipe_wall) * 1e3:9.1f}{(tag_cpu - pipe_cpu) * 1e3:9.1f}")
    print(f"{'pipeline build (once per process)':34}{build * 1e3:9.1f}")
    print(f"throughput: {len(nodes) / tag_cpu:,.0f} nodes/s, {clauses / tag_cpu:,.0f} clauses/s (CPU); "
          f"{len(nodes) / tag_wall:,.0f} nodes/s wall")
    for name, share in (("cpu", share_cpu), ("wall", share_wall)):
        print(f"tagging share of parse() [{name}]: {share:.1%}   "
              f"overhead on parse(tag=False): {share / (1 - share):.1%}   (goal <= 15%)")


if __name__ == "__main__":
    main()
