"""Structure score of the parser on the real agreements with gold (issue #10's acceptance).

    python bench/structure.py [NAME ...] [--details]

Parses every PDF that has a tests/gold/real/*.json (or those whose file name contains
one of NAME) and prints, per document and over all of them: numbered headings found
with number and heading, parent right, text_start right (percentages of the gold
entries), title and version right, furniture matches in any text, duplicate ids; then
the same figures for sub-items. --details lists what is missing or wrong. The matching
rules are tests/goldcheck.py's, shared with tests/test_real.py.
Goal: found, parent >= 98%, text_start >= 95%, every title and version right, no
furniture, no duplicate ids.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import eula_parse  # noqa: E402
from goldcheck import Score, load_gold, score, subitem_nodes_exist  # noqa: E402


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def short(name: str, width: int = 44) -> str:
    """The file name without .pdf, its middle elided to fit (version pairs differ at the end)."""
    name = name.removesuffix(".pdf")
    return name if len(name) <= width else name[: width - 16] + "~" + name[-15:]


def row(name: str, s: Score) -> str:
    return (
        f"{short(name):44} {s.headings:4} {pct(s.found, s.headings)} {pct(s.parent_right, s.headings)} "
        f"{pct(s.text_start_right, s.text_starts)} {'yes' if s.title_right else 'NO':>5} "
        f"{'yes' if s.version_right else 'NO':>5} {s.furniture_hits:5} {len(s.duplicate_ids):4}"
    )


def item_row(name: str, s: Score) -> str:
    return (
        f"{short(name):44} {s.items:4} {pct(s.items_found, s.items)} {pct(s.items_parent_right, s.items)} "
        f"{pct(s.item_text_start_right, s.item_text_starts)}"
    )


def total(scores: list[Score]) -> Score:
    t = Score("TOTAL")
    for s in scores:
        for key in ("headings", "found", "parent_right", "text_starts", "text_start_right", "items",
                    "items_found", "items_parent_right", "item_text_starts", "item_text_start_right",
                    "inline", "inline_found", "furniture_hits"):
            setattr(t, key, getattr(t, key) + getattr(s, key))
        t.duplicate_ids += [f"{s.name}:{i}" for i in s.duplicate_ids]
    t.title_right = all(s.title_right for s in scores)
    t.version_right = all(s.version_right for s in scores)
    return t


def details(s: Score) -> list[str]:
    out = []
    if not s.title_right:
        out.append(f"    title: {s.title!r}")
    if not s.version_right:
        out.append(f"    version: {s.version!r}")
    out += [f"    missing: {m}" for m in s.missing]
    out += [f"    parent: {w} want {p!r}, got {g}" for w, p, g in s.wrong_parent]
    out += [f"    text_start: {w} got {g}" for w, g in s.wrong_text]
    out += [f"    furniture: {what} x{n}: {ex[:1]}" for what, n, ex in s.furniture]
    out += [f"    duplicate id: {i}" for i in s.duplicate_ids]
    if not subitem_nodes_exist():
        return out + ([f"    ({s.items} sub-items not scored: no sub-item nodes yet)"] if s.items else [])
    out += [f"    item missing: {m}" for m in s.missing_items]
    out += [f"    item parent: {m}" for m in s.wrong_item_parent]
    out += [f"    item text_start: {w} got {g}" for w, g in s.wrong_item_text]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only documents whose file name contains one of these")
    parser.add_argument("--details", action="store_true", help="list every miss")
    args = parser.parse_args()
    gold = load_gold()
    names = [n for n in gold if not args.names or any(part in n for part in args.names)]
    scores = []
    for name in names:
        doc = eula_parse.parse(ROOT / "corpus" / "real" / name, tag=False)
        scores.append(score(name, doc, gold[name]))

    header = f"{'document':44} {'gold':>4} {'found':>6} {'parent':>6} {'start':>6} {'title':>5} {'vers.':>5} {'furn.':>5} {'dup':>4}"
    print("numbered headings (number + heading)")
    print(header)
    for s in scores:
        print(row(s.name, s))
        if args.details:
            print("\n".join(details(s)) or "    (all right)")
    all_ = total(scores)
    print(row(f"TOTAL ({len(scores)} documents)", all_))
    if all_.inline:
        print(f"  of which clause numbers run on inside a paragraph (\"inline\"): {all_.inline_found} of {all_.inline} found")

    print()
    state = "sub-item nodes exist" if subitem_nodes_exist() else "no sub-item nodes in the tree yet: items score 0"
    print(f"sub-items with gold ({state})")
    print(f"{'document':44} {'gold':>4} {'found':>6} {'parent':>6} {'start':>6}")
    for s in scores:
        if s.items:
            print(item_row(s.name, s))
    print(item_row("TOTAL", all_))
    without = sorted(p.name for p in (ROOT / "corpus" / "real").glob("*.pdf") if p.name not in gold)
    if without and not args.names:
        print(f"\nPDFs in corpus/real/ without gold ({len(without)}): " + ", ".join(without))
    return 0


if __name__ == "__main__":
    sys.exit(main())
