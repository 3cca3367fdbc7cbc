"""Time ``eula_parse.diff`` on the corpus pairs, parsing excluded (goal: under 0.5 s).

    python bench/diff.py [--repeat N]

Prints, per pair, the parse time (for reference only), then the best and median of N
diff runs and the HTML report rendering time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import eula_parse  # noqa: E402
from eula_parse.diff.report import render_html  # noqa: E402

PAIRS = [
    ("milestone 20240612 -> 20250425", ROOT / "corpus/milestone-eula-20240612.pdf",
     ROOT / "corpus/milestone-eula-20250425.pdf"),
    ("esri E204CW 2018 -> 2019", ROOT / "corpus/real/esri_master-agreement-E204CW_2018-03-30.pdf",
     ROOT / "corpus/real/esri_master-agreement-E204CW_2019-09-26.pdf"),
]
GOAL = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    worst = 0.0
    for name, old_path, new_path in PAIRS:
        start = time.perf_counter()
        old, new = eula_parse.parse(old_path), eula_parse.parse(new_path)
        parse_s = time.perf_counter() - start
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = eula_parse.diff(old, new)
            runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_html(result)
        html_s = time.perf_counter() - start
        nodes = sum(1 for _ in old.nodes()) + sum(1 for _ in new.nodes())
        worst = max(worst, statistics.median(runs))
        print(f"{name}: {nodes} nodes, {len(result.substantive)} substantive changes "
              f"({len(result.changes)} with renumbered)")
        print(f"  parse (excluded)  {parse_s:8.3f} s")
        print(f"  diff best         {min(runs):8.4f} s")
        print(f"  diff median       {statistics.median(runs):8.4f} s   (goal < {GOAL} s, {args.repeat} runs)")
        print(f"  html report       {html_s:8.4f} s")
    print("goal met" if worst < GOAL else "GOAL MISSED")
    return 0 if worst < GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
