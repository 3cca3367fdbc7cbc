"""Benchmark: reading one agreement as DOCX, HTML, Markdown and text vs pdfplumber on it as PDF.

    python bench/formats.py [--repeat N]

The agreement is the reference one (corpus/milestone-eula-20250425.txt, 16 A4
pages as PDF), cut into a spec by tests/formgen.py and written by the tests'
own generators: as PDF by tests/pdfgen.py (about 20 pages in the default
layout) and as DOCX/HTML/Markdown by tests/formgen.py; the text form is the
reference .txt itself. Each line prints the median wall time of ``parse(tag=False)``
and its ratio to bare pdfplumber ``extract_words()`` on the PDF (the baseline,
measured in the same run). Goal: every non-PDF form below 1.0x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

import eula_parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import formgen  # noqa: E402
import pdfgen  # noqa: E402
from test_parse import GROUPS, SECTIONS, TXT_2025  # noqa: E402


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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spec = formgen.reference_spec(TXT_2025, SECTIONS, GROUPS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = folder / "reference.pdf"
        rendered = pdfgen.build_eula_pdf(pdf, spec, hyphenation=False, cross_targets=())
        files = {form: formgen.write(form, spec, folder / f"reference{formgen.SUFFIX[form]}") for form in formgen.FORMS}
        files["text"] = TXT_2025
        for path in [pdf, *files.values()]:
            eula_parse.parse(path, tag=False)  # warm up: imports
        base = timed(lambda: bare(pdf), args.repeat)
        print(f"agreement: the reference EULA, {rendered.pages} pages as PDF (median of {args.repeat})")
        print(f"pdfplumber extract_words on the PDF (baseline): {base * 1000:8.1f} ms")
        pdf_parse = timed(lambda: eula_parse.parse(pdf, tag=False), args.repeat)
        print(f"parse(tag=False) PDF:       {pdf_parse * 1000:8.1f} ms   ratio {pdf_parse / base:.2f}x")
        for form, path in files.items():
            seconds = timed(lambda: eula_parse.parse(path, tag=False), args.repeat)
            doc = eula_parse.parse(path, tag=False)
            print(f"parse(tag=False) {form:<9}  {seconds * 1000:8.1f} ms   ratio {seconds / base:.2f}x"
                  f"   ({len(doc.clauses)} clauses; goal < 1.00x)")


if __name__ == "__main__":
    main()
