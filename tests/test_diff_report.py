"""The HTML report, rendered by a real browser (headless Chromium) and read back."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser

import pytest

import eula_parse
from eula_parse.diff.report import render_html


def chromium(chromium_path: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium_path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


class Tables(HTMLParser):
    """Rows of every table by id: ``{"summary": [["kind", "changes"], ["added", "3"], ...]}``."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def corpus_diff(doc_2024, doc_2025):
    return eula_parse.diff(doc_2024, doc_2025)


def test_summary_table_read_back_from_chromium(corpus_diff, tmp_path, chromium_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(corpus_diff), encoding="utf-8")
    dom = chromium(chromium_path, tmp_path, "--dump-dom", page.as_uri()).stdout
    parser = Tables()
    parser.feed(dom)
    summary = parser.tables["summary"]
    assert summary[0] == ["kind", "changes"]
    counts = {row[0].replace(" (not substantive)", ""): int(row[1]) for row in summary[1:]}
    expected = corpus_diff.counts()
    assert {k: counts[k] for k in expected} == expected
    assert counts["substantive changes"] == len(corpus_diff.substantive)
    # the index lists every substantive change, in order, with its kind
    rows = parser.tables["changes"][1:]
    assert [row[1] for row in rows] == [c.kind for c in corpus_diff.substantive]
    assert any("Smart Wall" in row[2] and row[1] == "moved" for row in rows)
    # side-by-side redline: the old column strikes 2019, the new one inserts 2022
    assert "<del>2019</del>" in dom and "<ins>2022</ins>" in dom


def test_report_prints_with_redlines(corpus_diff, tmp_path, chromium_path):
    """Printed to PDF by the browser, the page shows the summary and both sides of a redline."""
    import pdfplumber

    page = tmp_path / "report.html"
    page.write_text(render_html(corpus_diff), encoding="utf-8")
    pdf_path = tmp_path / "report.pdf"
    chromium(chromium_path, tmp_path, f"--print-to-pdf={pdf_path}", "--no-pdf-header-footer", page.as_uri())
    with pdfplumber.open(pdf_path) as pdf:
        text = " ".join((p.extract_text() or "") for p in pdf.pages)
        chars = sum(len(p.chars) for p in pdf.pages)
    words = " ".join(text.split())
    assert "Summary" in words and "substantive changes" in words
    assert "SQL Server 2019 Express" in words and "SQL Server 2022 Express" in words
    assert "Copenhagen Clause" in words
    assert chars > 1000  # real text, not an image


def test_report_is_self_contained(corpus_diff):
    html = render_html(corpus_diff)
    assert "<script" not in html
    for needle in ("src=", "href=\"http", "@import", "url("):
        assert needle not in html.split("<body>")[0]  # head: no external stylesheet, font or script
    assert 'href="http' not in html


def test_report_escapes_text(doc_2025):
    import copy

    new = copy.deepcopy(doc_2025)
    new.sections[0].text += " <script>alert(1)</script> & more"
    html = render_html(eula_parse.diff(doc_2025, new))
    assert "<script>" not in html and "&lt;script&gt;" in html
