"""Benchmark: parse() against bare pdfplumber extraction of the same file, in the same run.

    python bench/parse.py [PDF] [--repeat N]

Prints the median wall time of each and the ratio (goal: parse() <= 1.3x bare
``extract_words()``), plus parse() without tagging to show where time goes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pdfplumber

import eula_parse

ROOT = Path(__file__).resolve().parent.parent


def bare(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_words()) for page in pdf.pages)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", nargs="?", default=str(ROOT / "corpus" / "milestone-eula-20250425.pdf"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.pdf)
    eula_parse.parse(path)  # warm up: imports, spaCy pipeline build
    base = timed(lambda: bare(path), args.repeat)
    structure = timed(lambda: eula_parse.parse(path, tag=False), args.repeat)
    full = timed(lambda: eula_parse.parse(path), args.repeat)
    print(f"file: {path.name}  (median of {args.repeat})")
    print(f"pdfplumber extract_words (baseline): {base * 1000:8.1f} ms")
    print(f"parse(tag=False):                   {structure * 1000:8.1f} ms   ratio {structure / base:.2f}x")
    print(f"parse() with entities:              {full * 1000:8.1f} ms   ratio {full / base:.2f}x   (goal <= 1.30x)")


if __name__ == "__main__":
    main()
