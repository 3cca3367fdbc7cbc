"""Hostile Word, RTF, HTML and text files: each is a parse or one line of error, never a traceback or a hang.

The files are built here (truncated and bomb ZIPs, unbalanced RTF, HTML nested
100,000 deep, a 50 MB line of text, bytes that are not UTF-8), the way
test_hostile.py builds its broken PDFs. The library must raise an
``EulaError`` with a one-line message; the CLI must print ``error: FILE: ...``
and exit 2.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import eula_parse
from eula_parse.errors import EulaError, InputError

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "corpus" / "real"
WORD = REAL / "juniper_script-software_license-agreement_2018.docx"


def cli_parse(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eula_parse", "parse", "--no-entities", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def assert_one_line_error(path: Path, *fragments: str) -> None:
    """The library raises an EulaError with a one-line message naming the file, quickly."""
    start = time.monotonic()
    with pytest.raises(EulaError) as info:
        eula_parse.parse(path, tag=False)
    message = str(info.value)
    assert "\n" not in message and path.name in message, message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    assert time.monotonic() - start < 20


def assert_cli_one_line(path: Path, *fragments: str) -> None:
    proc = cli_parse(path)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), lines[0]


def _rezip(src: Path, dst: Path, *, drop=(), replace=None) -> Path:
    """Copy a .docx leaving out the parts in ``drop`` and swapping in ``replace`` {name: bytes}."""
    replace = replace or {}
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
    return dst


# -- Word -------------------------------------------------------------------------------


def test_truncated_docx(tmp_path):
    path = tmp_path / "truncated.docx"
    data = WORD.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_one_line_error(path, "docx")
    assert_cli_one_line(path, "damaged DOCX")


def test_docx_without_its_document_part(tmp_path):
    path = _rezip(WORD, tmp_path / "no-document.docx", drop={"word/document.xml"})
    assert_one_line_error(path, "word/document.xml")


def test_docx_without_numbering_and_styles_still_parses(tmp_path):
    """Missing optional parts cost the automatic numbers and the styles, not the text."""
    path = _rezip(WORD, tmp_path / "no-numbering.docx", drop={"word/numbering.xml", "word/styles.xml"})
    doc = eula_parse.parse(path, tag=False)
    text = " ".join(n.text for n in doc.nodes())
    assert "Juniper shall not provide any support" in text
    assert not doc.get("section/17")  # the numbers existed only in numbering.xml


def test_docx_zip_bomb(tmp_path):
    """200 MB of zeros packed into a few hundred KB as word/document.xml: refused before inflating."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(200):
                part.write(block)
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb.getvalue())
    assert path.stat().st_size < 2 * 2**20
    assert_one_line_error(path, "zip bomb")
    assert_cli_one_line(path, "zip bomb")


def test_docx_xml_entity_expansion_is_not_performed(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b'<w:p><w:r><w:t>License Agreement &e;&e;&e;&e;&e;&e;&e;&e;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = _rezip(WORD, tmp_path / "laughs.docx", replace={"word/document.xml": laughs})
    try:
        doc = eula_parse.parse(path, tag=False)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(doc.title or "") < 1000


# -- RTF --------------------------------------------------------------------------------


def test_rtf_with_unbalanced_braces(tmp_path):
    path = tmp_path / "unbalanced.rtf"
    path.write_bytes(b"{\\rtf1\\ansi {\\fs32\\b License Agreement}}}}}\\par 1. {{{\\b Grant.} You may use it.\\par "
                     b"2. {\\b Term.} It ends.\\par {{{{ unclosed")
    doc = eula_parse.parse(path, tag=False)
    assert doc.title == "License Agreement"
    assert [s.number for s in doc.sections] == ["1", "2"]


def test_rtf_nested_a_million_deep(tmp_path):
    path = tmp_path / "deep.rtf"
    path.write_bytes(b"{\\rtf1 " + b"{" * 1_000_000 + b"License text\\par " + b"}" * 1_000_000 + b"}")
    start = time.monotonic()
    doc = eula_parse.parse(path, tag=False)
    assert doc.title == "License text" and time.monotonic() - start < 20


# -- HTML -------------------------------------------------------------------------------


def test_html_nested_100k_deep(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(b"<html><body><p>License Agreement</p>" + b"<div>" * 100_000 + b"deep text"
                     + b"</div>" * 100_000 + b"</body></html>")
    assert_one_line_error(path, "nested deeper")
    assert_cli_one_line(path, "nested deeper")


def test_html_that_is_named_pdf_is_refused_with_what_it_is(tmp_path):
    path = tmp_path / "eula.pdf"
    path.write_text("<!DOCTYPE html><html><body><h1>License</h1><p>1. Use it.</p></body></html>")
    assert_one_line_error(path, "not a PDF", "HTML")


# -- text -------------------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_megabytes_of_one_line(tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"licence " * (50 * 2**20 // 8))
    assert_one_line_error(path, "not one agreement")
    assert_cli_one_line(path, "not one agreement")


def test_invalid_utf8_is_read(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"Software Licence Agreement\n\n1. Grant. You may use the \xff\xfe software \xc3\x28 freely.\n\n"
                     b"2. Term. This agreement ends \x93now\x94.\n")
    doc = eula_parse.parse(path, tag=False)
    assert [s.number for s in doc.sections] == ["1", "2"]
    assert doc.get("section/2").heading == "Term"


def test_binary_is_refused_in_one_line(tmp_path):
    path = tmp_path / "program.txt"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40)
    assert_one_line_error(path, "binary")
    assert_cli_one_line(path, "binary")


def test_zip_that_is_not_word_is_refused(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert_one_line_error(path, "without word/document.xml")


# -- mutated real files ---------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEEDS = sorted(p for p in REAL.iterdir() if p.suffix in (".docx", ".rtf", ".html", ".md", ".txt"))
_INSERTS = [b"{", b"}", b"\\", b"<div>", b"</", b"**", b"# ", b"1. ", b"\n", b"\r", b"\x00", b"\\u-5 ", b"\\'9"]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(SEEDS), edits=st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(_INSERTS), st.integers(0, 300)), min_size=1, max_size=20))
def test_mutated_files_parse_or_fail_in_one_line(tmp_path, seed, edits):
    data = bytearray(seed.read_bytes())
    for where, insert, cut in edits:
        pos = int(where * len(data))
        if cut % 3 == 0:
            del data[pos:pos + cut]
        else:
            data[pos:pos] = insert
    path = tmp_path / f"mutated{seed.suffix}"
    path.write_bytes(bytes(data))
    try:
        eula_parse.parse(path, tag=False)
    except EulaError as exc:
        assert "\n" not in str(exc)
