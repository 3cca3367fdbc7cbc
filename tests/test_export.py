"""``eula export --jsonl`` and ``ClauseIndex.records()``: every node, once, in a shape other engines ingest."""

from __future__ import annotations

import json

import pytest

from conftest_search import ENGINE_PARAMS, run_eula
from eula_parse import ClauseIndex

KEYS = {"document", "version", "title", "id", "kind", "number", "heading", "product", "product_id", "group",
        "group_id", "path", "path_ids", "text", "pages", "entities", "modality", "items", "source", "sha256"}


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def index_dir(tmp_path_factory, doc_2025, doc_2024, request):
    path = tmp_path_factory.mktemp(f"export-{request.param}") / "index"
    with ClauseIndex(path, engine=request.param) as ix:
        ix.add(doc_2024)
        ix.add(doc_2025)
    return path


def test_cli_export_writes_every_node_of_the_latest_version_once(index_dir, doc_2025):
    out = run_eula("export", "--jsonl", "--index", str(index_dir))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in lines] == [n.id for n in doc_2025.nodes()]  # reading order, nothing twice
    assert all(set(r) == KEYS for r in lines)
    assert {r["version"] for r in lines} == {"EULA 20250425"}
    by_id = {r["id"]: r for r in lines}
    for node in doc_2025.nodes():
        record = by_id[node.id]
        assert record["text"] == node.text
        assert record["pages"] == [node.page_start, node.page_end]
        assert [(e["label"], e["text"], e["value"]) for e in record["entities"]] == \
            [(e.label, e.text, e.value) for e in node.entities]
        assert record["modality"] == list(node.modality)
    clause = by_id["product/xprotect-corporate/5"]
    assert clause["kind"] == "clause" and clause["number"] == "5"
    assert clause["path"] == ["Milestone XProtect® VMS", "Milestone XProtect® Corporate"]
    assert clause["path_ids"] == ["group/xprotect-vms", "product/xprotect-corporate"]
    assert clause["sha256"] == doc_2025.sha256 and clause["source"].endswith("milestone-eula-20250425.pdf")
    section = next(r for r in lines if r["kind"] == "section")
    assert section["heading"] and section["product"] is None  # absent values are present and null


def test_export_all_versions_to_a_file_matches_the_python_api(index_dir, doc_2025, doc_2024, tmp_path):
    target = tmp_path / "nodes.jsonl"
    out = run_eula("export", "--jsonl", "--version", "all", "--output", str(target), "--index", str(index_dir))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    total = sum(1 for _ in doc_2025.nodes()) + sum(1 for _ in doc_2024.nodes())
    assert len(lines) == total and f"{total} node(s)" in out.stderr
    assert {r["version"] for r in lines} == {"EULA 20240612", "EULA 20250425"}
    with ClauseIndex(index_dir, create=False) as ix:
        assert [r.to_export() for r in ix.records(version="all")] == lines
        old = list(ix.records(version="20240612"))
    assert {r.version for r in old} == {"EULA 20240612"} and len(old) == sum(1 for _ in doc_2024.nodes())


def test_export_without_an_index_is_one_line_error(tmp_path):
    out = run_eula("export", "--jsonl", "--index", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and out.stderr.startswith("error: no index at")
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()
