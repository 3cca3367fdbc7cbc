"""Benchmark: `eula index` of many PDFs with one worker process against several.

    python bench/index_jobs.py [--files 200] [--jobs 2] [--rounds 3]

Generates ``--files`` distinct agreements with tests/pdfgen.py (the same
agreement, each copy with its own bytes, so none is skipped as already
indexed), then indexes them into a fresh index as whole ``eula index``
processes, ``--jobs 1`` and ``--jobs N`` taking turns round by round, and
prints the median wall times and their ratio (goal: ``--jobs 2`` <= 0.6x
``--jobs 1`` on two cores).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pdfgen  # noqa: E402


def build(directory: Path, files: int) -> None:
    first = directory / "agreement-0000.pdf"
    pdfgen.build_eula_pdf(first)
    data = first.read_bytes()
    for n in range(1, files):
        (directory / f"agreement-{n:04d}.pdf").write_bytes(data + f"% copy {n}\n".encode())


def index_time(sources: Path, jobs: int, scratch: Path) -> float:
    target = scratch / f"index-{jobs}"
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "eula_parse", "index", str(sources), "--index", str(target), "--jobs", str(jobs)],
        cwd=ROOT, capture_output=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"eula index --jobs {jobs} failed: {proc.stderr.decode(errors='replace')[-500:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        sources = scratch / "pdfs"
        sources.mkdir()
        build(sources, args.files)
        times: dict[int, list[float]] = {1: [], args.jobs: []}
        for _ in range(args.rounds):
            for jobs in times:
                times[jobs].append(index_time(sources, jobs, scratch))
        one, many = statistics.median(times[1]), statistics.median(times[args.jobs])
        print(f"{args.files} PDFs, median of {args.rounds} interleaved rounds")
        print(f"eula index --jobs 1         {one:7.1f} s   {args.files / one:5.1f} files/s")
        print(f"eula index --jobs {args.jobs:<2}        {many:7.1f} s   {args.files / many:5.1f} files/s   "
              f"{many / one:.2f}x --jobs 1 (goal <= 0.6)")


if __name__ == "__main__":
    main()
