"""Parse time and peak memory on long generated agreements (issue 6: "memory stays bounded").

Builds EULAs of about N pages with tests/pdfgen.py (100 products, numbered clauses),
then, each in a fresh child process so the figures do not mix, measures

* ``parse(path, tag=False)`` -- structure only, and ``parse(path)`` with entity tagging,
  on the default engine (PDFium), and ``parse(path, tag=False, engine="pdfplumber")``;
* bare ``pdfplumber`` ``extract_words()`` over every page, the reference engine's floor;
* bare pypdfium2 character extraction, the default engine's floor;

and prints wall time and peak RSS for each, plus seconds per page. Several sizes show
whether time grows linearly with the page count (it should) and whether memory stays
flat (pages are processed one at a time and released).

    python bench/stress.py                    # 500 pages
    python bench/stress.py --pages 50 100 200 # scaling
    python bench/stress.py --pages 500 --no-tag
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pdfgen  # noqa: E402

WORDS_PER_PAGE = 980  # measured: 480k clause words fill 488 A4 pages at 9 pt

CHILD = {
    "parse": "import eula_parse; d = eula_parse.parse({path!r}, tag=False); out = dict(pages=d.pages, clauses=len(d.clauses))",
    "parse/plumber": (
        "import eula_parse; d = eula_parse.parse({path!r}, tag=False, engine='pdfplumber'); "
        "out = dict(pages=d.pages, clauses=len(d.clauses))"
    ),
    "pypdfium2": "from eula_parse.readers import pdfium; out = dict(chars=pdfium.chars_only({path!r}))",
    "parse+tag": "import eula_parse; d = eula_parse.parse({path!r}); out = dict(pages=d.pages, clauses=len(d.clauses))",
    "pdfplumber": (
        "import pdfplumber\n"
        "with pdfplumber.open({path!r}) as pdf:\n"
        "    n = 0\n"
        "    for page in pdf.pages:\n"
        "        n += len(page.extract_words())\n"
        "        page.close()\n"
        "out = dict(pages=len(pdf.pages), words=n)"
    ),
}


def build(pages: int, directory: Path) -> tuple[Path, int, float]:
    clauses = max(1, math.ceil(pages * WORDS_PER_PAGE / (100 * 120)))
    spec = pdfgen.big_spec(groups=10, products_per_group=10, clauses_per_product=clauses, clause_words=120)
    path = directory / f"stress-{pages}.pdf"
    start = time.perf_counter()
    rendered = pdfgen.build_eula_pdf(path, spec)
    return path, rendered.pages, time.perf_counter() - start


def measure(kind: str, path: Path, timeout: float) -> dict:
    """Run one measurement in a child process; the time is taken inside it."""
    code = (
        "import json, time\n"
        "t = time.perf_counter()\n"
        + CHILD[kind].format(path=str(path))
        + "\nout['seconds'] = time.perf_counter() - t\nprint(json.dumps(out))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    start = time.perf_counter()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout:.0f} s"}
    finally:
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"error": stderr.decode(errors="replace").strip().splitlines()[-1:]}
    result = json.loads(stdout)
    result["wall"] = wall
    return result


def peak_rss_mb(kind: str, path: Path, timeout: float) -> tuple[dict, float]:
    """Measure in a fresh helper process so RUSAGE_CHILDREN's maximum belongs to this run alone."""
    helper = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import stress\n"
        f"r = stress.measure({kind!r}, stress.Path({str(path)!r}), {timeout!r})\n"
        "r['rss_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(r))\n"
    )
    out = subprocess.run([sys.executable, "-c", helper], capture_output=True, cwd=ROOT)
    if out.returncode != 0:
        return {"error": out.stderr.decode(errors="replace")[-300:]}, float("nan")
    result = json.loads(out.stdout)
    return result, result.pop("rss_mb", float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[500])
    ap.add_argument("--no-tag", action="store_true", help="skip the parse-with-entities run")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    ap.add_argument("--keep", type=Path, help="write the PDFs to this directory and keep them")
    args = ap.parse_args()

    kinds = ["pdfplumber", "pypdfium2", "parse/plumber", "parse"] + ([] if args.no_tag else ["parse+tag"])
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        print(f"{'pages':>5}  {'run':<13} {'seconds':>8} {'s/page':>7} {'peak RSS MB':>11}  notes")
        for target in args.pages:
            path, pages, built = build(target, directory)
            size = os.path.getsize(path) / 1e6
            print(f"{pages:>5}  {'build':<13} {built:>8.1f} {built / pages:>7.3f} {'':>11}  {size:.1f} MB PDF")
            base = None
            for kind in kinds:
                result, rss = peak_rss_mb(kind, path, args.timeout)
                if "error" in result:
                    print(f"{pages:>5}  {kind:<13} {'-':>8} {'-':>7} {rss:>11.0f}  {result['error']}")
                    continue
                seconds = result["seconds"]
                note = ""
                if kind == "pdfplumber":
                    base = seconds
                elif base:
                    note = f"{seconds / base:.2f}x pdfplumber"
                    if "clauses" in result:
                        note += f"; {result['clauses']} clauses"
                print(f"{pages:>5}  {kind:<13} {seconds:>8.1f} {seconds / pages:>7.3f} {rss:>11.0f}  {note}")


if __name__ == "__main__":
    main()
