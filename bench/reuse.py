"""Time ``eula diff OLD.pdf NEW.pdf`` as a user runs it: files already in the index vs not indexed.

    python bench/reuse.py [--repeat N]

The index stores everything a parse produced, keyed by the file's SHA-256, so a
diff of two indexed files reads both documents back instead of parsing them
(goal: well under a second). Each run is a fresh ``python -m eula_parse``
process, start-up included; the parse-every-time run in the same session is the
baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import eula_parse  # noqa: E402
from eula_parse.index import ClauseIndex  # noqa: E402

OLD = ROOT / "corpus/milestone-eula-20240612.pdf"
NEW = ROOT / "corpus/milestone-eula-20250425.pdf"
GOAL = 1.0


def timed_diff(index: Path, repeat: int) -> list[float]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "eula_parse", "diff", str(OLD), str(NEW), "--stat",
                               "--index", str(index)], capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 1:
            raise SystemExit(f"eula diff failed ({proc.returncode}): {proc.stderr}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        indexed, empty = Path(tmp) / "indexed", Path(tmp) / "empty"
        with ClauseIndex(indexed) as ix:
            for pdf in (OLD, NEW):
                ix.add(eula_parse.parse(pdf), source=str(pdf))
        ClauseIndex(empty).close()
        reused = timed_diff(indexed, args.repeat)
        parsed = timed_diff(empty, max(1, args.repeat // 2))
    r, p = statistics.median(reused), statistics.median(parsed)
    print(f"eula diff, both files indexed (parse reused): median {r:.2f} s, best {min(reused):.2f} s "
          f"over {len(reused)} runs")
    print(f"eula diff, files not indexed (parsed):       median {p:.2f} s, best {min(parsed):.2f} s "
          f"over {len(parsed)} runs")
    print(f"parsed / reused: {p / r:.1f}x; goal: reused under {GOAL:.1f} s -> {'met' if r < GOAL else 'NOT met'}")
    return 0 if r < GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
