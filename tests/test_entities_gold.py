"""Precision and recall per label against the hand-labelled gold (tests/gold/entities.json).

The gold was labelled from the reference text before the tagger existed; its header
states the span conventions. A node is scored only for the labels listed for it, and
for those it is labelled exhaustively, so a tagged span the gold does not have is a
false positive. Spans are compared on label + text with white space removed.

Run ``python tests/test_entities_gold.py`` to print the table.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parent / "gold" / "entities.json"
LABELS = ("PRODUCT", "LIMIT", "DURATION", "MONEY", "LAW", "COURT", "ORG", "URL", "DATE", "VERSION", "XREF",
          "DEFINITION", "TERM")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load_gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def score(doc, gold: dict) -> dict:
    """Per label: tp/fp/fn, and how many matched spans carry the gold target / value."""
    stats: dict[str, Counter] = defaultdict(Counter)
    misses: list[str] = []
    for gnode in gold["nodes"]:
        node = doc.get(gnode["id"])
        for label in gnode["labels"]:
            want = defaultdict(list)
            got = defaultdict(list)
            for e in gnode["entities"]:
                if e["label"] == label:
                    want[_squash(e["text"])].append(e)
            for e in node.entities:
                if e.label == label:
                    got[_squash(e.text)].append(e)
            s = stats[label]
            for key in set(want) | set(got):
                pairs = list(zip(want[key], got[key]))
                s["tp"] += len(pairs)
                s["fn"] += len(want[key]) - len(pairs)
                s["fp"] += len(got[key]) - len(pairs)
                if len(want[key]) > len(pairs):
                    misses.append(f"missed {label} {key!r} in {gnode['id']}")
                if len(got[key]) > len(pairs):
                    misses.append(f"spurious {label} {key!r} in {gnode['id']}")
                for g, p in pairs:
                    if "target" in g:
                        s["targets"] += 1
                        if p.target == g["target"]:
                            s["targets_ok"] += 1
                        else:
                            misses.append(f"{label} {key!r} in {gnode['id']}: target {p.target!r} != {g['target']!r}")
                    if g.get("value"):
                        s["values"] += 1
                        if all((p.value or {}).get(k) == v for k, v in g["value"].items()):
                            s["values_ok"] += 1
                        else:
                            misses.append(f"{label} {key!r} in {gnode['id']}: value {p.value!r} lacks {g['value']!r}")
    return {"stats": stats, "misses": misses}


def prf(s: Counter) -> tuple[float, float]:
    precision = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
    recall = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
    return precision, recall


def table(result: dict) -> str:
    lines = [f"{'label':11} {'P':>5} {'R':>5} {'tp':>4} {'fp':>3} {'fn':>3}  targets  values"]
    for label in LABELS:
        s = result["stats"][label]
        p, r = prf(s)
        lines.append(f"{label:11} {p:5.2f} {r:5.2f} {s['tp']:4} {s['fp']:3} {s['fn']:3}  "
                     f"{s['targets_ok']:3}/{s['targets']:<4} {s['values_ok']:3}/{s['values']}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def gold():
    return load_gold()


@pytest.fixture(scope="module")
def result(doc_2025, gold):
    return score(doc_2025, gold)


def test_gold_is_big_enough_and_covers_every_label(gold):
    entities = [e for n in gold["nodes"] for e in n["entities"]]
    assert len(entities) >= 60
    assert len(gold["nodes"]) >= 40
    assert {e["label"] for e in entities} == set(LABELS)
    for node in gold["nodes"]:
        assert {e["label"] for e in node["entities"]} <= set(node["labels"]), node["id"]


def test_gold_nodes_exist_with_the_text_they_were_labelled_on(doc_2025, gold):
    for gnode in gold["nodes"]:
        node = doc_2025.get(gnode["id"])
        assert node is not None, gnode["id"]
        assert _squash(node.text).startswith(_squash(gnode["starts_with"])), gnode["id"]


@pytest.mark.parametrize("label", LABELS)
def test_precision_and_recall_per_label(result, label):
    p, r = prf(result["stats"][label])
    detail = "\n".join(m for m in result["misses"] if f" {label} " in f" {m} ")
    assert p >= 0.9 and r >= 0.9, f"{label}: P={p:.2f} R={r:.2f}\n{detail}\n{table(result)}"


def test_xref_targets_are_all_exact(result):
    s = result["stats"]["XREF"]
    assert s["fn"] == 0 and s["targets"] == s["tp"] > 0
    assert s["targets_ok"] == s["targets"], [m for m in result["misses"] if "XREF" in m]


@pytest.mark.parametrize("label", LABELS)
def test_targets_and_values_of_matched_spans(result, label):
    s = result["stats"][label]
    if s["targets"]:
        assert s["targets_ok"] / s["targets"] >= 0.95, [m for m in result["misses"] if label in m]
    if s["values"]:
        assert s["values_ok"] / s["values"] >= 0.95, [m for m in result["misses"] if label in m]


def test_definitions_say_what_they_define(doc_2025, gold):
    for gnode in gold["nodes"]:
        for e in doc_2025.get(gnode["id"]).entities:
            if e.label == "DEFINITION":
                assert e.value["term"] and e.value["definition"], (gnode["id"], e)


def test_modality_on_labelled_clauses(doc_2025, gold):
    labelled = [n for n in gold["nodes"] if "modality" in n]
    wrong = [(n["id"], doc_2025.get(n["id"]).modality, n["modality"]) for n in labelled
             if set(doc_2025.get(n["id"]).modality) != set(n["modality"])]
    assert len(labelled) >= 15
    assert len(wrong) <= 0.2 * len(labelled), wrong


# -- held-out agreement ----------------------------------------------------------------------------

HELDOUT = Path(__file__).resolve().parent / "gold" / "entities_heldout.json"


def build_heldout(gold: dict) -> "Document":
    """The MIP SDK NuGet agreement exists only as text: cut it into nodes at each gold node's
    ``starts_with`` (dropping the heading line before it and the page footer at the end)."""
    from eula_parse.model import Clause, Document, Group, Paragraph, Product, Section, normalize_space

    text = (Path(__file__).resolve().parent.parent / gold["source"]).read_text(encoding="utf-8")
    info = gold["product"]
    markers = [(n["id"], n["starts_with"], n.get("heading")) for n in gold["nodes"]]
    markers.append((f"{info['id']}/7", "The Product includes software components that enable", None))
    starts = sorted((text.index(start), node_id, heading) for node_id, start, heading in markers)
    end_of_text = text.index("License Agreement 02.09.2021")
    texts = {}
    for k, (i, node_id, _) in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else (end_of_text, None, None)
        chunk = text[i:nxt[0]].rstrip()
        if nxt[2]:
            chunk = re.sub(re.escape(nxt[2]) + r"\.?$", "", chunk).rstrip()
        texts[node_id] = normalize_space(re.sub(r"\n\s*\d+\.$", "", chunk))
    clauses = [Clause(id=f"{info['id']}/{n}", number=str(n), text=texts[f"{info['id']}/{n}"])
               for n in range(1, 10) if f"{info['id']}/{n}" in texts]
    return Document(
        title="User License Agreement",
        preamble=[Paragraph(id=i, text=texts[i]) for i in ("preamble/1", "preamble/2")],
        sections=[Section(id=n["id"], heading=n["heading"], text=texts[n["id"]])
                  for n in gold["nodes"] if n["id"].startswith("general/")],
        groups=[Group(id=info["group"], name=info["name"], products=[
            Product(id=info["id"], name=info["name"], text=texts[info["id"]], clauses=clauses)])],
    )


def test_heldout_agreement():
    """Labelled before the tagger first ran on it. That first run scored LIMIT P=0.40 ("3rd parties"
    read as a count), URL R=0.50 ("NuGet.org" in capitals), XREF P=R=0.50 ("paragraph 4 of this
    section" cut short; a section named by its run-in opening not resolved) and TERM P=0.95 ("License
    Agreement" inside "End-user License Agreement"); everything else 1.00. The rules were fixed in
    general form and this now guards them, so it is no longer a blind test."""
    from eula_parse.entities import tag_document

    gold = json.loads(HELDOUT.read_text(encoding="utf-8"))
    result = score(tag_document(build_heldout(gold)), gold)
    for label in LABELS:
        p, r = prf(result["stats"][label])
        assert p >= 0.9 and r >= 0.9, (label, result["misses"])
    assert result["stats"]["XREF"]["targets_ok"] == result["stats"]["XREF"]["targets"]


if __name__ == "__main__":  # pragma: no cover - a reading aid
    import eula_parse

    print(table(score(eula_parse.parse(Path(__file__).resolve().parent.parent / "corpus" / "milestone-eula-20250425.pdf"),
                      load_gold())))
