"""URLs a line end broke read whole again, wherever the line ended inside them.

Word processors break a URL too long for its line anywhere: in the scheme, after
a slash, inside a word of the path. The tests set the lines themselves so that
each break falls where the case needs it, and read the PDF with both engines.
"""

from __future__ import annotations

import pytest

import eula_parse
from readgen import build_broken_lines_pdf

SECTIONS = [
    ("Downloads", ["The installer is published at the download page htt",
                   "ps://www.example.com/sql-s",
                   "erver-downloads and nowhere else."]),
    ("Licence Terms", ["The licence terms are published at https://example.com/legal/",
                       "eula and form part of this Agreement."]),
    ("Updates", ["Updates are announced at https://example.com/news",
                 "for every release, and at https://example.com/",
                 "to registered users."]),
    ("Support", ["Support requests go to https://support.example.com/docs/contact-",
                 "form.html or by mail to the address in https://example.com/terms.",
                 "The Licensor answers within two working days."]),
]


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_urls_broken_at_a_line_end_read_whole(tmp_path, engine):
    path = tmp_path / "urls.pdf"
    build_broken_lines_pdf(path, "SOFTWARE LICENSE AGREEMENT", SECTIONS)
    doc = eula_parse.parse(path, tag=False, engine=engine)
    text = {s.heading: s.text for s in doc.sections}
    assert text["Downloads"] == (
        "The installer is published at the download page https://www.example.com/sql-server-downloads "
        "and nowhere else."
    )
    assert text["Licence Terms"].startswith("The licence terms are published at https://example.com/legal/eula and form")
    # a URL that ends its line before the sentence goes on keeps the space
    assert text["Updates"] == (
        "Updates are announced at https://example.com/news for every release, and at https://example.com/ "
        "to registered users."
    )
    assert "https://support.example.com/docs/contact-form.html or by mail" in text["Support"]
    assert "https://example.com/terms. The Licensor" in text["Support"]


def test_the_url_entity_is_the_whole_url(tmp_path):
    path = tmp_path / "urls.pdf"
    build_broken_lines_pdf(path, "SOFTWARE LICENSE AGREEMENT", SECTIONS[:1])
    doc = eula_parse.parse(path)
    urls = [e.text for s in doc.sections for e in s.entities if e.label == "URL"]
    assert "https://www.example.com/sql-server-downloads" in urls
