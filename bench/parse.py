"""Benchmark: parse() against the bare PDF engines on the same files, in the same run.

    python bench/parse.py [PDF ...] [--rounds N]

For each file (default: the reference agreement and two real ones) it times, in
interleaved rounds so that a noisy machine slows every figure alike,

* pdfplumber ``extract_words()`` over every page (what the reference engine costs);
* bare pypdfium2 character extraction (text, box, font name, size: what the
  default engine cannot do without);
* ``parse(tag=False)`` and ``parse()`` on the default engine;

and prints the medians and the ratios the issue sets as goals: ``parse()`` <=
0.15x pdfplumber ``extract_words()``, ``parse(tag=False)`` <= 3x bare pypdfium2,
tagging < 40 % of ``parse()``. Then ``eula diff`` of the two corpus versions as
a whole process, beside ``python -c "import eula_parse"`` (goal: under 1 s wall).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber

import eula_parse
from eula_parse.readers import pdfium

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [
    ROOT / "corpus" / "milestone-eula-20250425.pdf",
    ROOT / "corpus" / "real" / "esri_license-agreement-E204-E300_2015-06.pdf",
    ROOT / "corpus" / "real" / "movesense_sdk-license-and-evaluation-agreement_2023-10.pdf",
]


def plumber_words(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_words()) for page in pdf.pages)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def wall(args: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdfs", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    runs = {
        "pdfplumber extract_words": plumber_words,
        "pypdfium2 bare chars": pdfium.chars_only,
        "parse(tag=False)": lambda p: eula_parse.parse(p, tag=False),
        "parse()": eula_parse.parse,
    }
    eula_parse.parse(args.pdfs[0])  # warm up: imports, spaCy pipeline build
    print(f"median of {args.rounds} interleaved rounds; ratios within the same run")
    for path in args.pdfs:
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, fn in runs.items():
                times[name].append(timed(lambda: fn(path)))
        median = {name: statistics.median(values) for name, values in times.items()}
        base, chars = median["pdfplumber extract_words"], median["pypdfium2 bare chars"]
        structure, full = median["parse(tag=False)"], median["parse()"]
        print(f"\n{path.name}")
        print(f"  pdfplumber extract_words  {base * 1000:8.1f} ms")
        print(f"  pypdfium2 bare chars      {chars * 1000:8.1f} ms   {chars / base:.3f}x pdfplumber")
        print(f"  parse(tag=False)          {structure * 1000:8.1f} ms   {structure / chars:.2f}x bare pypdfium2 (goal <= 3)")
        print(f"  parse()                   {full * 1000:8.1f} ms   {full / base:.3f}x pdfplumber (goal <= 0.15)")
        print(f"  tagging share of parse()  {max(full - structure, 0) / full:8.0%}        (goal < 40%)")

    old, new = ROOT / "corpus" / "milestone-eula-20240612.pdf", ROOT / "corpus" / "milestone-eula-20250425.pdf"
    python = sys.executable
    imports = wall([python, "-c", "import eula_parse"], args.rounds)
    diff = wall([python, "-m", "eula_parse", "diff", str(old), str(new)], args.rounds)
    print(f"\npython -c 'import eula_parse'  {imports:6.2f} s wall")
    print(f"eula diff (corpus pair)         {diff:6.2f} s wall  (goal < 1.0 s)")


if __name__ == "__main__":
    main()
