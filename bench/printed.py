"""Structure score on PDFs a producer the parser never saw: Chromium's print of the corpus's web and text agreements.

    python bench/printed.py [NAME ...] [--details] [--cache DIR]

Prints every HTML, Markdown and text agreement of corpus/real/ that has heading
gold (tests/gold/formats/*.json) to PDF with headless Chromium in the layouts of
tests/printgen.py (page as is with running header and "Page N of M" footer, two
CSS columns, plain text in monospace, large type on a narrow page), parses each
PDF with the default engine and scores it against the same gold with
tests/goldcheck.py: the figures bench/structure.py prints, per file x layout,
per layout and in total. The PDFs are cached in DIR (default: a folder in the
system temp dir), so a second run only parses.
The format gold records no version labels: the "vers." column says the version
label (if any) was not taken from the print's furniture (page address, print date).
The gold has no text_start entries, so that column shows "-".
Goal: found, parent >= 98%, every title right, no furniture, no duplicate ids.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import eula_parse  # noqa: E402
import printgen  # noqa: E402
from cdp import Browser, find_chromium  # noqa: E402
from goldcheck import score  # noqa: E402
from structure import details, row, total  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only files whose name contains one of these")
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--layout", action="append", help="only these layouts")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "eula-printed")
    args = parser.parse_args()
    jobs = [(name, layout) for name in printgen.sources() for layout in printgen.layouts_for(name)
            if (not args.names or any(part in name for part in args.names))
            and (not args.layout or layout in args.layout)]
    missing = [job for job in jobs if not (args.cache / f"{Path(job[0]).stem}.{job[1]}.pdf").exists()]
    if missing:
        chromium = find_chromium()
        if not chromium:
            print("error: Chromium is needed to print the PDFs (apt-get install chromium)", file=sys.stderr)
            return 2
        with Browser(chromium) as browser:
            printgen.print_all(browser, missing, args.cache)
    pdfs = printgen.print_all(None, jobs, args.cache)  # all cached now

    header = (f"{'document [layout]':44} {'gold':>4} {'found':>6} {'parent':>6} {'start':>6} "
              f"{'title':>5} {'vers.':>5} {'furn.':>5} {'dup':>4}")
    print(f"numbered headings (number + heading); PDFs in {args.cache}")
    print(header)
    by_layout: dict[str, list] = {}
    for name, layout in jobs:
        doc = eula_parse.parse(pdfs[name, layout], tag=False)
        gold = printgen.gold(name)
        s = score(f"{Path(name).stem[:30]} [{layout}]", doc, gold)
        s.version_right = printgen.version_clean(doc, gold)
        by_layout.setdefault(layout, []).append(s)
        print(row(s.name, s))
        if args.details:
            print("\n".join(details(s)) or "    (all right)")
    print()
    for layout, scores in by_layout.items():
        print(row(f"{layout} ({len(scores)} files)", total(scores)))
    everything = [s for scores in by_layout.values() for s in scores]
    print(row(f"TOTAL ({len(everything)} PDFs)", total(everything)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
