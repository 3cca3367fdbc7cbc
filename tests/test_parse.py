"""The reference agreement parses into exactly the tree its text shows.

The expected names below were read off ``corpus/milestone-eula-20250425.txt``
by hand; clause and section texts are compared, clause by clause, with that
text file, segmented here independently of the parser.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PDF_2024, PDF_2025, TXT_2025
from eula_parse import Document, parse

SECTIONS = [
    "Affiliated Companies", "Acceptance of Unattended Remote Updating", "AWS Cloud Deployment",
    "Intellectual Property Rights", "Infringement of Third-party Rights", "Correction of Errors",
    "No Warranties", "Test and Pilot Licenses, Beta Version of Product", "Prohibited Use",
    "Data privacy and protection", "Copenhagen Clause", "Limitation of Liability", "Third-party Licenses",
    "Milestone Product Lifecycle", "Miscellaneous", "Export control", "Termination", "Severability",
    "Entire Agreement", "Governing Law", "License, Installation and Use Conditions and Restrictions",
    "Collection and registration of system data", "End-user Data, General Data Protection Regulation",
]
GROUPS = {
    "Milestone XProtect® VMS": [
        "Milestone XProtect® Corporate", "Milestone XProtect® Expert",
        "Milestone XProtect® Professional+", "Milestone XProtect® Express+",
    ],
    "XProtect® Clients": [
        "Milestone XProtect® Smart Client", "Milestone XProtect® Web Client",
        "Milestone XProtect® Mobile", "Milestone XProtect® Mobile Server",
    ],
    "Milestone XProtect Extensions and Components": [
        "Milestone XProtect® Access", "Milestone XProtect® LPR", "Milestone XProtect® Management Server Failover",
        "Milestone XProtect® Hospital Assist", "Milestone XProtect® Incident Manager", "Milestone XProtect® Transact",
        "Milestone XProtect® Smart Wall", "Milestone XProtect® 360º Split View Plug-in",
        "Milestone XProtect® Input Unit Plug-ins", "Milestone XProtect® Device Pack",
        "Milestone Open Network Bridge", "Milestone XProtect® Download Manager", "XProtect Update Manager",
    ],
    "Husky": ["Milestone Husky IVO™ series Video Surveillance Appliances"],
    "MIP SDK Tools": ["Milestone StableFPS", "Milestone SDK Tools", "Milestone Customer Dashboard"],
}


def norm(text: str) -> str:
    """Whitespace-blind comparison form; a hyphen at a line end counts as joined."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def reference() -> dict:
    """Segment the reference text: preamble, sections by heading, clauses by product."""
    lines = TXT_2025.read_text(encoding="utf-8").splitlines()
    headings = {name: group for group, names in GROUPS.items() for name in names}
    out = {"sections": {}, "clauses": {}}
    current: list[str] | None = None
    product = None
    expected = 1
    for raw in lines[1:]:
        stripped = raw.strip()
        if stripped == "EULA 20250425":  # one page footer leaked into the vendor's text export
            continue
        if stripped in GROUPS:
            current = None
            continue
        if stripped in headings:
            product, expected, current = stripped, 1, None
            continue
        if product is None:
            heading = next((h for h in SECTIONS if stripped.startswith(h + ".")), None)
            if heading and heading not in out["sections"]:
                current = out["sections"][heading] = [stripped[len(heading) + 1 :]]
                continue
        else:
            m = re.match(r"(\d+)\.\s", stripped)
            if m and int(m.group(1)) == expected:
                current = out["clauses"][(product, m.group(1))] = [stripped[m.end() :]]
                expected += 1
                continue
        if current is not None:
            current.append(raw)
    return {kind: {k: norm(" ".join(v)) for k, v in d.items()} for kind, d in out.items()}


REF = reference()


def test_reference_counts(doc_2025: Document):
    assert doc_2025.title == "Milestone End-user License Agreement"
    assert doc_2025.version == "EULA 20250425"
    assert doc_2025.pages == 16
    assert [s.heading for s in doc_2025.sections] == SECTIONS
    assert [g.name for g in doc_2025.groups] == list(GROUPS)
    assert {g.name: [p.name for p in g.products] for g in doc_2025.groups} == GROUPS
    assert len(doc_2025.products) == 25
    assert len(doc_2025.clauses) == 137
    corporate = doc_2025.get("product/xprotect-corporate")
    assert [c.number for c in corporate.clauses] == [str(n) for n in range(1, 14)]


def test_every_clause_matches_reference_text(doc_2025: Document):
    assert len(REF["clauses"]) == 137
    got = {(p.name, c.number): norm(c.text) for p in doc_2025.products for c in p.clauses}
    assert got.keys() == REF["clauses"].keys()
    for key, text in REF["clauses"].items():
        assert got[key] == text, key


def test_every_general_section_matches_reference_text(doc_2025: Document):
    got = {s.heading: norm(s.text) for s in doc_2025.sections}
    for heading in SECTIONS[:-1]:  # the last one runs into the product part's lead-in sentence
        assert got[heading] == REF["sections"][heading], heading
    assert got[SECTIONS[-1]].startswith(REF["sections"][SECTIONS[-1]][:200])


def test_no_page_furniture_in_any_text(doc_2025: Document):
    for node in doc_2025.nodes():
        assert "EULA 20250425" not in node.text, node.id
        assert not re.search(r"\bPage \d+\b", node.text), node.id
        assert "Milestone End-user License Agreement" not in node.text, node.id


def test_ids_and_page_spans(doc_2025: Document):
    ids = [n.id for n in doc_2025.nodes()]
    assert len(ids) == len(set(ids))
    assert doc_2025.get("general/limitation-of-liability").heading == "Limitation of Liability"
    assert doc_2025.get("group/xprotect-clients").name == "XProtect® Clients"
    clause = doc_2025.get("product/xprotect-corporate/5")
    assert clause.text.startswith("The Product may, with the exceptions stated in paragraphs 9 and 10 below")
    assert (clause.page_start, clause.page_end) == (5, 6)  # clause 5 runs across the page break
    for node in doc_2025.nodes():
        assert 1 <= node.page_start <= node.page_end <= 16, node.id


def test_sub_items_are_kept_in_their_clause(doc_2025: Document):
    interconnect = doc_2025.get("product/xprotect-corporate/8")
    assert [i.label for i in interconnect.items] == ["a", "b"]
    assert interconnect.items[0].text.startswith("any interconnected system must be fully licensed")
    assert "a) any interconnected system" in interconnect.text
    dashboard = doc_2025.get("product/customer-dashboard/1")
    assert [i.label for i in dashboard.items] == ["i", "ii", "iii", "iv"]


def test_urls_and_hyphenated_words_survive_line_breaks(doc_2025: Document):
    interconnect = doc_2025.get("product/xprotect-corporate/8").text
    assert (
        "https://www.milestonesys.com/products/expand-your-solution/milestone-extensions/interconnect/"
        "milestone-interconnect-compatibility/" in interconnect
    )
    husky = doc_2025.get("product/husky-ivo-series-video-surveillance-appliances/6").text
    assert "https://www.dell.com/learn/us/en/uscorp1/legal_terms-conditions_dellgrmwebpage/" in husky


def test_line_end_hyphens():
    from eula_parse.structure import join_lines

    vocabulary = {"component", "third-party", "third", "party"}
    assert join_lines(["a compo-", "nent of"], vocabulary) == "a component of"
    assert join_lines(["any third-", "party code"], vocabulary) == "any third-party code"
    assert join_lines(["non-", "Milestone products"], vocabulary) == "non-Milestone products"
    assert join_lines(["see https://example.com/a/", "b/c.html for"], vocabulary) == "see https://example.com/a/b/c.html for"


def test_earlier_version_counts(doc_2024: Document):
    assert doc_2024.version == "EULA 20240612"
    assert (len(doc_2024.sections), len(doc_2024.products), len(doc_2024.clauses)) == (22, 24, 128)


def test_round_trip_to_dict(doc_2025: Document):
    data = doc_2025.to_dict()
    assert Document.from_dict(json.loads(json.dumps(data))) == doc_2025
    product = data["groups"][0]["products"][0]
    assert product["intro"].startswith("Installation and Use – for the XProtect Corporate product")
    assert set(data) >= {"title", "version", "pages", "preamble", "sections", "groups"}
    assert set(data["sections"][0]) >= {"id", "number", "heading", "text", "page_start", "page_end", "children"}
    assert set(product["clauses"][0]) >= {"id", "number", "text", "items"}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "eula_parse", *args], capture_output=True, text=True)


def test_cli_outline_and_json():
    outline = run_cli("parse", "--no-entities", str(PDF_2025))
    assert outline.returncode == 0
    assert "▪ Milestone XProtect® Corporate" in outline.stdout
    assert "13. You acknowledge the requirement" in outline.stdout
    data = json.loads(run_cli("parse", "--json", "--no-entities", str(PDF_2024)).stdout)
    assert data["version"] == "EULA 20240612"
    assert sum(len(p["clauses"]) for g in data["groups"] for p in g["products"]) == 128


def test_cli_markdown():
    md = run_cli("parse", "--format", "markdown", "--no-entities", str(PDF_2025)).stdout
    assert md.startswith("# Milestone End-user License Agreement")
    assert "### Milestone XProtect® Smart Wall" in md


@pytest.mark.parametrize("content,message", [(b"", "empty file"), (b"hello", "not a PDF")])
def test_cli_bad_input_is_one_line(tmp_path, content, message):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    result = run_cli("parse", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_all_tags_beside_the_reading_and_gives_what_parse_gives(doc_2024: Document, doc_2025: Document):
    """``parse_all`` tags in a helper process that loads spaCy while the files are read: same trees,
    entities and modality included, as one ``parse()`` after the other."""
    from eula_parse.worker import parse_all

    both = parse_all([PDF_2024, PDF_2025])
    assert [d.to_dict() for d in both] == [doc_2024.to_dict(), doc_2025.to_dict()]
    assert sum(len(node.entities) for node in both[1].nodes()) > 100


def test_parse_all_leaves_spacy_to_the_helper_process():
    """The calling process reads; spaCy is imported and run in the helper only."""
    code = (
        "import sys; from eula_parse.worker import parse_all\n"
        f"doc, = parse_all([{str(PDF_2025)!r}])\n"
        "print(sum(len(n.entities) for n in doc.nodes()), 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) > 100 and out[1] == "False"


def test_parse_all_reports_a_bad_file_in_one_line(tmp_path):
    """A file that cannot be read stops the batch with its own error; the helper process goes away."""
    from eula_parse.errors import InputError
    from eula_parse.worker import parse_all

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"hello")
    before = _children()
    with pytest.raises(InputError, match="not a PDF"):
        parse_all([PDF_2025, bad])
    assert _children() <= before  # the helper is gone, not even left to reap


def _children() -> set[int]:
    """This process's child processes, running or not yet reaped (Linux: /proc)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    if not tasks.is_dir():
        pytest.skip("needs /proc")
    return {int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()}
