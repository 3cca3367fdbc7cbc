"""``eula diff``: output forms, filters and diff(1)-style exit codes, on the corpus PDFs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from eula_parse.cli import main

from conftest import PDF_2024, PDF_2025


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def as_json(tmp_path_factory):
    html = tmp_path_factory.mktemp("report") / "diff.html"
    result = run(PDF_2024, PDF_2025, "--json", "--html", html)
    return result, html


def test_json_output_and_exit_code(as_json, doc_2024, doc_2025):
    result, _ = as_json
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["old"] == {"title": doc_2024.title, "version": doc_2024.version}
    assert data["new"] == {"title": doc_2025.title, "version": doc_2025.version}
    keys = ["kind", "old_id", "new_id", "path", "old_number", "new_number", "old_text", "new_text", "redline",
            "entity_changes"]
    assert all(list(change) == keys for change in data["changes"])
    assert "renumbered" not in {c["kind"] for c in data["changes"]}
    corporate = next(c for c in data["changes"] if c["new_id"] == "product/xprotect-corporate/4")
    assert {"op": "delete", "text": "2019"} in corporate["redline"]
    assert {"op": "insert", "text": "2022"} in corporate["redline"]


def test_html_written_alongside(as_json):
    _, html = as_json
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'id="summary"' in text


def test_terminal_output_groups_by_product_with_redlines():
    result = run(PDF_2024, PDF_2025)
    assert result.exit_code == 1
    out = result.output
    # no colour when not a terminal: git-style word-diff marks
    assert "SQL Server [-2019-]{+2022+} Express" in out
    assert "EUR [-50-]{+100+}" in out
    corporate = out.index("Milestone XProtect® VMS › Milestone XProtect® Corporate")
    assert corporate < out.index("+ added     clause 6") < out.index("Milestone XProtect® Expert")
    assert "renumbered     " not in out and "(8 renumbered, not shown)" in out


def test_stat_and_product_filter():
    result = run(PDF_2024, PDF_2025, "--stat", "--product", "XProtect Corporate", "--include-renumbered")
    assert result.exit_code == 1
    counts = dict(line.split() for line in result.output.splitlines())
    assert counts == {"added": "1", "removed": "0", "modified": "1", "renamed": "0", "moved": "0",
                      "renumbered": "7", "total": "9"}


def test_unchanged_document_exits_zero():
    result = run(PDF_2025, PDF_2025, "--stat")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].split() == ["total", "0"]
    result = run(PDF_2025, PDF_2025)
    assert result.exit_code == 0 and "no substantive change" in result.output


@pytest.mark.parametrize("args, message", [
    (["missing.pdf", PDF_2025], "missing.pdf"),
    ([PDF_2025, PDF_2025, "--product", "No Such Product"], "no product matching"),
])
def test_errors_exit_two(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output  # CliRunner mixes stderr in


def test_not_a_pdf_exits_two(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_text("this is not a PDF")
    result = run(junk, PDF_2025)
    assert result.exit_code == 2 and result.output.startswith("error:")


def test_versions_from_the_index(tmp_path, doc_2024, doc_2025):
    """``doc@version`` diffs documents rebuilt from the index, with the same result as the PDFs."""
    import eula_parse
    from eula_parse.index import ClauseIndex

    index_dir = tmp_path / "index"
    with ClauseIndex(index_dir) as index:
        index.add(doc_2024)
        index.add(doc_2025)
        rebuilt = index.document(doc_2025.id, doc_2025.version)
    assert eula_parse.diff(doc_2025, rebuilt).changes == []

    old, new = f"{doc_2024.id}@{doc_2024.version}", f"{doc_2025.id}@{doc_2025.version}"
    result = run(old, new, "--json", "--index", index_dir)
    assert result.exit_code == 1
    from_index = [(c["kind"], c["old_id"], c["new_id"]) for c in json.loads(result.output)["changes"]]
    expected = eula_parse.diff(doc_2024, doc_2025).to_dict()["changes"]
    assert from_index == [(c["kind"], c["old_id"], c["new_id"]) for c in expected]

    missing = run(f"{doc_2025.id}@EULA 19990101", new, "--index", index_dir)
    assert missing.exit_code == 2 and missing.output.startswith("error:")
