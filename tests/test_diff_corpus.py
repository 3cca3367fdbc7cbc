"""Acceptance on the corpus: the Milestone pair against its reference change list, self-diffs,
and the same text re-typeset in two columns."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

import eula_parse
from eula_parse.model import Document

from conftest import CORPUS

CHANGES = CORPUS / "milestone-eula-20240612-to-20250425.changes.json"
REFERENCE = json.loads(CHANGES.read_text(encoding="utf-8"))["changes"]


@pytest.fixture(scope="module")
def corpus_diff(doc_2024, doc_2025):
    return eula_parse.diff(doc_2024, doc_2025)


def resolve(where: list, doc: Document) -> str:
    """The node id a ``where`` entry of the reference change list designates in ``doc``."""
    if where[0] == "general":
        (section,) = [s for s in doc.all_sections() if s.heading and s.heading.rstrip(".") == where[1]]
        return section.id
    (product,) = [p for p in doc.products if p.name == where[0]]
    if len(where) == 1:
        return product.id
    (clause,) = [c for c in product.clauses if c.number == str(where[1])]
    return clause.id


def test_corpus_pair_reports_exactly_the_reference_changes(corpus_diff, doc_2024, doc_2025):
    expected = set()
    for change in REFERENCE:
        # "where" numbers the newer version, except for what only the older one has.
        doc = doc_2024 if change["kind"] == "removed" else doc_2025
        expected.add((change["kind"], resolve(change["where"], doc)))
    actual = [(c.kind, c.new_id or c.old_id) for c in corpus_diff.substantive]
    assert len(actual) == len(set(actual))
    assert set(actual) == expected


def test_corporate_clauses_after_the_insertion_are_only_renumbered(corpus_diff):
    for number in range(7, 14):
        node = f"product/xprotect-corporate/{number}"
        changes = [c for c in corpus_diff.changes if node in (c.new_id, c.old_id)]
        assert [(c.kind, c.old_id, c.new_id) for c in changes if c.new_id == node] == [
            ("renumbered", f"product/xprotect-corporate/{number - 1}", node)
        ]
        assert not [c for c in changes if c.substantive]


def test_modified_clauses_carry_their_redline(corpus_diff):
    by_id = {c.new_id: c for c in corpus_diff.substantive}
    corporate = by_id["product/xprotect-corporate/4"]
    assert [s for s in corporate.redline if s[0] != "equal"] == [("delete", "2019"), ("insert", "2022")]
    lifecycle = by_id["general/milestone-product-lifecycle"]
    assert [s for s in lifecycle.redline if s[0] != "equal"] == [("delete", "7"), ("insert", "10")] * 2
    hospital = by_id["product/xprotect-hospital-assist"]
    assert hospital.kind == "added" and "Fall Detection" in hospital.new_text


@pytest.mark.parametrize("change", [
    pytest.param(c, id=f"{c['where'][0]}-{c['where'][1]}")
    for c in REFERENCE if c["kind"] == "modified"
])
def test_entity_changes_name_the_substance(corpus_diff, doc_2025, change):
    """"7 years -> 10 years" in the reference note is a DURATION change in the diff, and so on."""
    by_id = {c.new_id: c for c in corpus_diff.substantive}
    old_part, new_part = change["note"].split("->")
    old_number = re.findall(r"\d+", old_part)[-1]
    new_number = re.findall(r"\d+", new_part)[-1]
    found = by_id[resolve(change["where"], doc_2025)].entity_changes
    assert any(
        e.old and e.new and old_number in e.old and new_number in e.new for e in found
    ), [str(e) for e in found]


def test_self_diff_is_empty(doc_2025, doc_2024):
    assert eula_parse.diff(doc_2025, doc_2025).changes == []
    assert eula_parse.diff(doc_2024, copy.deepcopy(doc_2024)).changes == []


# -- the same text, typeset again in two columns ------------------------------------------

def two_column_pdf(doc: Document, path: Path, fonts: Path) -> None:
    """Typeset ``doc``'s text afresh: landscape A4 in two columns, another font, sizes and margins.

    Columns are wide enough for the longest unbreakable word (URLs), so no word is
    split without a hyphen: that would change the text, not just its layout.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    pdfmetrics.registerFont(TTFont("Narrow", str(fonts / "LiberationSansNarrow-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("Narrow-Bold", str(fonts / "LiberationSansNarrow-Bold.ttf")))
    regular, bold = "Narrow", "Narrow-Bold"

    width, height = landscape(A4)
    margin, gutter, indent = 10 * mm, 8 * mm, 12
    column = (width - 2 * margin - gutter) / 2
    # Type size chosen so the longest unbreakable word (a URL) fits an indented column line.
    longest = max(pdfmetrics.stringWidth(w, regular, 1) for n in doc.nodes() for w in n.text.split())
    size = min(8.0, int((column - indent - 6) / longest * 4) / 4)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.25, spaceAfter=5,
                          splitLongWords=0)
    clause = ParagraphStyle("clause", parent=body, leftIndent=indent, firstLineIndent=-indent, spaceAfter=2)
    product_h = ParagraphStyle("product", fontName=bold, fontSize=9.5, leading=12, spaceBefore=8, spaceAfter=3)
    group_h = ParagraphStyle("group", fontName=bold, fontSize=12, leading=15, spaceBefore=12, spaceAfter=4)
    title = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, spaceAfter=10)

    story = [Paragraph(esc(doc.title), title)]
    story += [Paragraph(esc(p.text), body) for p in doc.preamble]
    for section in doc.all_sections():
        heading = section.heading or ""
        head = f"<font name='{bold}'>{esc(heading)}.</font> " if heading else ""
        story.append(Paragraph(head + esc(section.text), body))
    for group in doc.groups:
        story.append(Paragraph(esc(group.name), group_h))
        for product in group.products:
            story.append(Paragraph(esc(product.name), product_h))
            if product.text:
                story.append(Paragraph(esc(product.text), body))
            for c in product.clauses:
                story.append(Paragraph(f"{c.number}.&nbsp;&nbsp;{esc(c.text)}", clause))

    frames = [
        Frame(margin, margin, column, height - 2 * margin, id="left"),
        Frame(margin + column + gutter, margin, column, height - 2 * margin, id="right"),
    ]

    def footer(canvas, template):
        canvas.setFont(regular, 7)
        # Frames pad their text by 6 pt; the footer lines up with the text, not the frame.
        canvas.drawString(margin + 6, 9 * mm, f"{doc.version or ''} Page {canvas.getPageNumber()}")

    pdf = BaseDocTemplate(str(path), pagesize=landscape(A4), pageTemplates=[PageTemplate("two", frames, onPage=footer)])
    pdf.build(story)


def test_two_column_retypeset_reports_no_change(doc_2025, tmp_path, liberation_fonts):
    """In Liberation Sans Narrow (skips without fonts-liberation; never silently another font)."""
    path = tmp_path / "two-column.pdf"
    two_column_pdf(doc_2025, path, liberation_fonts)
    retypeset = eula_parse.parse(path, tag=False)
    assert len(retypeset.clauses) == len(doc_2025.clauses)  # the re-typeset really was parsed
    result = eula_parse.diff(doc_2025, retypeset)
    assert [(c.kind, c.old_id, c.new_id) for c in result.changes] == []
