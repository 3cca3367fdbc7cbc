"""Guard for tagging work: every entity of every corpus document, before and after a change.

    python bench/entities_snapshot.py write SNAPSHOT.json [FILE ...]
    python bench/entities_snapshot.py check SNAPSHOT.json [--rounds N]

``write`` parses each file (default: every agreement in corpus/ and corpus/real/) with
``tag=False``, keeps that untagged tree, tags it and records every node's entities
(label, text, value, start, end, target) and modality. ``check`` tags the stored
untagged trees again with the current code and prints every difference, so a change to
the tagger is compared on the very same trees even when the reader or the structure
stage has changed meanwhile. Exit status 1 if anything differs.

The snapshot is the tagger's own output, a regression guard for speed work: it is not
gold data (that is written from the page, in tests/gold/) and is not kept in the repo.
Both commands print the tagging time per file and in total (CPU seconds; ``check --rounds N``
tags each tree N times and keeps the least, which steadies the figure on a busy machine). As
``check`` needs only ``tag_document``, it also times an older checkout on the same trees:
``PYTHONPATH=OLD_CHECKOUT python bench/entities_snapshot.py check SNAPSHOT.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMS = {".pdf", ".docx", ".rtf", ".html", ".htm", ".md", ".txt"}


def corpus_files() -> list[Path]:
    files = [p for p in sorted((ROOT / "corpus").glob("*")) + sorted((ROOT / "corpus" / "real").glob("*"))
             if p.suffix.lower() in FORMS and p.name != "README.md"]
    return files


def tagged(tree: dict, rounds: int = 1) -> tuple[dict, float]:
    """Tag a copy of an untagged tree; (node id -> entities and modality, least CPU seconds of ``rounds``)."""
    from eula_parse.entities import tag_document
    from eula_parse.model import Document

    spent = float("inf")
    for _ in range(rounds):
        doc = Document.from_dict(tree)
        start = time.process_time()
        tag_document(doc)
        spent = min(spent, time.process_time() - start)
    return {node.id: {"entities": [asdict(e) for e in node.entities], "modality": list(node.modality)}
            for node in doc.nodes()}, spent


def write(snapshot: Path, files: list[Path]) -> None:
    import eula_parse

    out, total = {}, 0.0
    for path in files:
        tree = eula_parse.parse(path, tag=False).to_dict()
        nodes, spent = tagged(tree)
        total += spent
        out[str(path.relative_to(ROOT))] = {"tree": tree, "nodes": nodes}
        print(f"{path.name:70} {len(nodes):5} nodes {sum(len(n['entities']) for n in nodes.values()):6} entities"
              f" {spent * 1e3:8.1f} ms")
    snapshot.write_text(json.dumps(out, ensure_ascii=False, default=str))
    print(f"total tagging {total:.2f} s CPU, {len(out)} files -> {snapshot}")


def check(snapshot: Path, rounds: int = 1) -> int:
    data = json.loads(snapshot.read_text())
    bad, total = 0, 0.0
    if data:
        tagged(next(iter(data.values()))["tree"])  # builds the pipeline and compiles the patterns
    for name, stored in data.items():
        nodes, spent = tagged(stored["tree"], rounds)
        total += spent
        # through JSON like the stored side, so tuples and lists compare alike
        nodes = json.loads(json.dumps(nodes, ensure_ascii=False, default=str))
        diffs = [node_id for node_id in stored["nodes"].keys() | nodes.keys()
                 if stored["nodes"].get(node_id) != nodes.get(node_id)]
        print(f"{Path(name).name:70} {spent * 1e3:8.1f} ms  {'OK' if not diffs else f'{len(diffs)} nodes differ'}")
        for node_id in sorted(diffs)[:5]:
            before, after = stored["nodes"].get(node_id) or {}, nodes.get(node_id) or {}
            print(f"  {node_id}:")
            print(f"    before: {json.dumps(before, ensure_ascii=False)[:600]}")
            print(f"    after:  {json.dumps(after, ensure_ascii=False)[:600]}")
        bad += bool(diffs)
    print(f"total tagging {total:.2f} s CPU; {bad} of {len(data)} files differ")
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("write", "check"))
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=1, help="check: tag each tree N times, report the least time")
    args = parser.parse_args()
    if args.command == "write":
        write(args.snapshot, [p.resolve() for p in args.files] or corpus_files())
    else:
        sys.exit(check(args.snapshot, args.rounds))


if __name__ == "__main__":
    main()
