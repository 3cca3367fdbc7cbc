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
a whole process, beside ``python -c "import eula_parse"``, a bare ``python`` and
``import spacy; spacy.blank("en")`` (the floor of any process that loads spaCy),
in interleaved rounds. Every ``eula diff`` but the last parses both files (no
index, ``EULA_CACHE=off``):

* with no warm worker (``EULA_WORKER=off``: a forked helper loads spaCy beside the reading);
* the first command, which parses as the one above and starts the warm worker as it finishes;
* with the warm worker running (goal: under 1 s wall);
* from the parse cache, nothing parsed.

The worker runs in a private runtime directory, is waited for (untimed) until it has loaded
before the warm run, and is stopped after each round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def wall(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, capture_output=True, env=env)
    return time.perf_counter() - start


def process_walls(rounds: int) -> None:
    """Whole-process walls, interleaved: each round runs every command once."""
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as scratch:
        times = _process_walls(Path(scratch), rounds)
    print(f"\nwhole processes, corpus pair, median of {rounds} interleaved rounds")
    for name, values in times.items():
        goal = "  (goal < 1.0 s)" if name == "eula diff, warm worker" else ""
        print(f"  {name:<34} {statistics.median(values):6.2f} s wall{goal}")


def _process_walls(scratch: Path, rounds: int) -> dict[str, list[float]]:
    old, new = ROOT / "corpus" / "milestone-eula-20240612.pdf", ROOT / "corpus" / "milestone-eula-20250425.pdf"
    python = sys.executable
    runtime = Path(tempfile.mkdtemp(prefix="eula-bench-"))  # short: the worker's socket path must fit
    base = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                EULA_INDEX=str(scratch / "no-index"), XDG_RUNTIME_DIR=str(runtime), EULA_WORKER="on")
    parsing = dict(base, EULA_CACHE="off")
    cached = dict(base, EULA_CACHE=str(scratch / "cache"))
    diff = [python, "-m", "eula_parse", "diff", str(old), str(new)]
    stop = ([python, "-m", "eula_parse", "worker", "--stop"], base)
    ready = ([python, "-m", "eula_parse", "worker"], base)  # answers once the worker has loaded
    wall(diff, dict(cached, EULA_WORKER="off"))  # fills the cache
    commands = {
        "python -c pass": ([python, "-c", "pass"], base),
        "python -c 'import eula_parse'": ([python, "-c", "import eula_parse"], base),
        "import spacy; spacy.blank('en')": ([python, "-c", "import spacy; spacy.blank('en')"], base),
        "eula diff, no worker": (diff, dict(parsing, EULA_WORKER="off")),
        "eula diff, starting the worker": (diff, parsing),
        "eula diff, warm worker": (diff, parsing),
        "eula diff, from the parse cache": (diff, dict(cached, EULA_WORKER="off")),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for _ in range(rounds):
            for name, (args, env) in commands.items():
                if name == "eula diff, warm worker":
                    wall(*ready)  # not timed: the worker the command before started has loaded
                times[name].append(wall(args, env))
            wall(*stop)
    finally:
        wall(*stop)
        shutil.rmtree(runtime, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdfs", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--processes-only", action="store_true", help="Only the whole-process walls.")
    args = parser.parse_args()
    if args.processes_only:
        process_walls(args.rounds)
        return

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

    process_walls(args.rounds)


if __name__ == "__main__":
    main()
