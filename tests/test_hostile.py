"""Hostile and broken inputs (issue 6): no input may crash, hang or exhaust memory.

Each test builds its file. Through the Python API, ``parse()`` returns a Document or
raises the right ``eula_parse.errors`` subclass, never anything else. Through the CLI
(``python -m eula_parse parse FILE``), a failure is exactly one stderr line
``error: FILE: <what is wrong>``, exit code 2, no traceback; a success exits 0.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import eula_parse
from eula_parse.errors import EulaError, ExtractionError, InputError

import pdfgen

ROOT = Path(__file__).resolve().parent.parent
SPEC = pdfgen.DEFAULT_SPEC
N_CLAUSES = sum(len(p.clauses) for p in SPEC.products)
#: Tests of what the PDF engine itself must survive run on both engines.
both_engines = pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])


# -- helpers -------------------------------------------------------------------


def cli(*args, timeout=180, memory_limit=None, entities=False, engine=None) -> subprocess.CompletedProcess:
    """``eula parse``; structure only unless ``entities`` (spaCy start-up costs seconds per call)."""
    def limit():  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    flags = ([] if entities else ["--no-entities"]) + (["--engine", engine] if engine else [])
    return subprocess.run(
        [sys.executable, "-m", "eula_parse", "parse", *flags, *map(str, args)],
        capture_output=True, timeout=timeout, cwd=ROOT,
        preexec_fn=limit if memory_limit else None,
    )


def _stderr(proc) -> str:
    return proc.stderr.decode("utf-8", "replace")


def assert_cli_error(proc, path, *fragments):
    """Exit 2 and exactly one line ``error: <file>: ...`` (mentioning ``fragments``), no traceback."""
    err = _stderr(proc)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    assert Path(path).name in lines[0], err
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), err


def assert_cli_ok(proc):
    err = _stderr(proc)
    assert "Traceback" not in err, err
    assert proc.returncode == 0, (proc.returncode, err)
    assert proc.stdout.strip()


def assert_cli_survives(proc, path):
    """Either outcome is acceptable, as long as it is a clean one."""
    if proc.returncode == 0:
        assert_cli_ok(proc)
    else:
        assert_cli_error(proc, path)


def outcome(path, **kw):
    """parse() result or the EulaError it raised; any other exception fails the test."""
    try:
        return eula_parse.parse(path, **kw)
    except EulaError as exc:
        return exc


@pytest.fixture(scope="module")
def eula_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "nordlys.pdf"
    pdfgen.build_eula_pdf(path)
    return path


def _all_text(doc) -> str:
    parts = [doc.title or ""] + [n.text for n in doc.nodes()]
    parts += [s.heading or "" for s in doc.all_sections()]
    return " ".join(" ".join(parts).split())


# -- not a PDF -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "png", "html"])
def test_not_a_pdf(tmp_path, kind):
    path = tmp_path / f"agreement-{kind}.pdf"
    if kind == "text":
        path.write_text("This End-user License Agreement is plain text, not a PDF.\n")
    elif kind == "png":
        path.write_bytes(pdfgen.png_bytes())
    else:
        path.write_text("<!DOCTYPE html><html><body><h1>License</h1></body></html>")
    with pytest.raises(InputError, match="not a PDF"):
        eula_parse.parse(path)
    assert_cli_error(cli(path), path, "not a PDF")


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        eula_parse.parse(path)
    assert "empty" in str(info.value).lower() or "not a pdf" in str(info.value).lower()
    assert_cli_error(cli(path), path)


def test_missing_file(tmp_path):
    path = tmp_path / "does-not-exist.pdf"
    with pytest.raises(InputError):
        eula_parse.parse(path)
    assert_cli_error(cli(path), path)


def test_directory_instead_of_file(tmp_path):
    path = tmp_path / "folder.pdf"
    path.mkdir()
    with pytest.raises(InputError):
        eula_parse.parse(path)
    assert_cli_error(cli(path), path)


# -- damaged PDFs -----------------------------------------------------------------


@both_engines
def test_truncated_to_the_header(tmp_path, eula_pdf, engine):
    """Only the first kilobyte: no page tree, no text -- must fail cleanly."""
    path = tmp_path / "truncated-1k.pdf"
    path.write_bytes(eula_pdf.read_bytes()[:1024])
    with pytest.raises((InputError, ExtractionError)):
        eula_parse.parse(path, engine=engine)
    assert_cli_error(cli(path, engine=engine), path)


@both_engines
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_truncated_midway(tmp_path, eula_pdf, fraction, engine):
    """Cut anywhere: a partial Document or a clean error, nothing else."""
    data = eula_pdf.read_bytes()
    path = tmp_path / f"truncated-{int(fraction * 100)}.pdf"
    path.write_bytes(data[: int(len(data) * fraction)])
    result = outcome(path, tag=False, engine=engine)
    assert isinstance(result, (eula_parse.Document, InputError, ExtractionError))
    assert_cli_survives(cli(path, engine=engine), path)


@both_engines
def test_broken_xref_is_recovered(tmp_path, eula_pdf, engine):
    """Every xref offset wrong: the objects are intact, so the document still parses in full."""
    path = tmp_path / "broken-xref.pdf"
    path.write_bytes(pdfgen.break_xref(eula_pdf.read_bytes()))
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == SPEC.title
    assert len(doc.clauses) == N_CLAUSES
    assert_cli_ok(cli(path, engine=engine))


def test_file_pdfium_refuses_is_read_by_the_fallback(tmp_path, eula_pdf):
    """The trailer names a catalog object that does not exist: PDFium gives up, pdfminer
    finds the catalog by scanning the objects, so the default reading falls back to it."""
    path = tmp_path / "missing-root.pdf"
    path.write_bytes(re.sub(rb"/Root \d+ 0 R", b"/Root 999 0 R", eula_pdf.read_bytes()))
    with pytest.raises(InputError, match="damaged PDF"):
        eula_parse.parse(path, tag=False, engine="pdfium")
    doc = eula_parse.parse(path, tag=False)
    assert doc.title == SPEC.title
    assert len(doc.clauses) == N_CLAUSES
    assert_cli_ok(cli(path))


@both_engines
def test_garbage_after_header(tmp_path, engine):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    with pytest.raises((InputError, ExtractionError)):
        eula_parse.parse(path, engine=engine)
    assert_cli_error(cli(path, engine=engine), path)


# -- encryption ------------------------------------------------------------------


@both_engines
def test_encrypted_with_password(tmp_path, eula_pdf, engine):
    path = tmp_path / "locked.pdf"
    pdfgen.encrypt_pdf(eula_pdf, path, user_password="secret")
    with pytest.raises(InputError, match=r"encrypted PDF \(password required\)"):
        eula_parse.parse(path, engine=engine)
    assert_cli_error(cli(path, engine=engine), path, "encrypted PDF (password required)")


@both_engines
def test_encrypted_with_empty_user_password_parses(tmp_path, eula_pdf, engine):
    """Encrypted only against editing: anyone can open it, so we parse it."""
    path = tmp_path / "owner-locked.pdf"
    pdfgen.encrypt_pdf(eula_pdf, path, user_password="")
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == SPEC.title
    assert len(doc.clauses) == N_CLAUSES
    assert_cli_ok(cli(path, engine=engine))


# -- no text, odd text --------------------------------------------------------------


@both_engines
def test_image_only_pdf(tmp_path, engine):
    path = tmp_path / "scan.pdf"
    pdfgen.build_image_only_pdf(path)
    with pytest.raises(ExtractionError, match="no text layer: OCR is not supported"):
        eula_parse.parse(path, engine=engine)
    assert_cli_error(cli(path, engine=engine), path, "no text layer: OCR is not supported")


def test_one_page_without_headings(tmp_path):
    path = tmp_path / "notice.pdf"
    pdfgen.build_plain_pdf(path, pdfgen.NO_HEADINGS_PARAGRAPHS)
    doc = eula_parse.parse(path, tag=False)
    assert doc.groups == []
    assert pdfgen.NO_HEADINGS_PARAGRAPHS[1] in _all_text(doc)
    assert_cli_ok(cli(path))


@both_engines
def test_type3_font(tmp_path, engine):
    """Glyphs drawn by the file itself; the text comes from the font's encoding."""
    path = tmp_path / "type3.pdf"
    pdfgen.build_type3_pdf(path)
    doc = eula_parse.parse(path, engine=engine)
    text = _all_text(doc)
    for line in pdfgen.TYPE3_LINES[1:]:
        assert line in text
    assert_cli_ok(cli(path, engine=engine))


@both_engines
def test_custom_encoding(tmp_path, engine):
    """Byte codes remapped through /Differences: the text is what the encoding says."""
    path = tmp_path / "remapped.pdf"
    pdfgen.build_custom_encoding_pdf(path)
    doc = eula_parse.parse(path, engine=engine)
    assert "The licensee may install the software on one computer." in _all_text(doc)
    assert_cli_ok(cli(path, engine=engine))


@both_engines
def test_landscape_page_stored_rotated(tmp_path, engine):
    """Text drawn turned and /Rotate 90 to show it upright: it reads like any page."""
    path = tmp_path / "landscape.pdf"
    pdfgen.build_landscape_rotated_pdf(path)
    doc = eula_parse.parse(path, engine=engine)
    text = _all_text(doc)
    assert "The licensee may install the software on one computer per license." in text
    assert "The licensee may not rent, lease or lend the software to third parties." in text
    assert_cli_ok(cli(path, engine=engine))


@both_engines
def test_pages_displayed_sideways(tmp_path, eula_pdf, engine):
    """Upright content on pages marked /Rotate 90: read along its lines, like the upright original."""
    path = tmp_path / "sideways.pdf"
    pdfgen.rotate_pdf(eula_pdf, path, 90)
    doc = eula_parse.parse(path, tag=False, engine=engine)
    assert doc.title == SPEC.title
    assert len(doc.clauses) == N_CLAUSES
    assert_cli_ok(cli(path, engine=engine))


# -- size and resource limits ---------------------------------------------------------

#: Address-space limit for children that parse a bomb: far above what parsing needs
#: (a few hundred MB), far below what inflating the 4 GiB stream would take.
MEMORY_LIMIT = 1536 << 20


@pytest.fixture(scope="module")
def bomb_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.pdf"
    pdfgen.build_bomb_pdf(path)  # a 4 MB file whose second content stream inflates to 4 GiB
    return path


@both_engines
def test_decompression_bomb_api(bomb_pdf, engine):
    """parse() refuses or caps the stream: no MemoryError, no kill, within a minute."""
    code = textwrap.dedent(f"""
        import sys, eula_parse
        try:
            doc = eula_parse.parse({str(bomb_pdf)!r}, engine={engine!r})
        except eula_parse.EulaError as exc:
            print("EulaError", type(exc).__name__, exc)
        else:
            print("Document", doc.pages)
    """)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                          cwd=ROOT, preexec_fn=limit)
    assert proc.returncode == 0, _stderr(proc)[-2000:]
    assert proc.stdout.decode().startswith(("EulaError", "Document")), proc.stdout


@both_engines
def test_decompression_bomb_cli(bomb_pdf, engine):
    assert_cli_survives(cli(bomb_pdf, timeout=60, memory_limit=MEMORY_LIMIT, engine=engine), bomb_pdf)


@both_engines
def test_page_cap(tmp_path, engine):
    """More pages than max_pages: a clear InputError before any real work."""
    path = tmp_path / "long.pdf"
    pdfgen.build_many_pages_pdf(path, 150)
    with pytest.raises(InputError) as info:
        eula_parse.parse(path, max_pages=100, engine=engine)
    assert "page" in str(info.value).lower()
    assert_cli_error(cli("--max-pages", "100", path, engine=engine), path, "page")
    assert eula_parse.parse(path, tag=False, engine=engine).pages == 150  # the default cap is generous


@pytest.mark.slow
def test_500_pages(tmp_path):
    """A 500-page agreement parses completely (time and memory: bench/stress.py)."""
    path = tmp_path / "long-eula.pdf"
    spec = pdfgen.big_spec(groups=10, products_per_group=10, clauses_per_product=42, clause_words=120)
    rendered = pdfgen.build_eula_pdf(path, spec)
    assert rendered.pages >= 500
    doc = eula_parse.parse(path, tag=False)
    assert doc.pages == rendered.pages
    assert len(doc.products) == 100
    assert len(doc.clauses) == 100 * 42
    last = spec.groups[-1].products[-1]
    node = doc.get(f"{spec.product_id(last)}/42")
    assert node is not None and " ".join(node.text.split()) == last.clauses[-1].expected_text


# -- file names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "licence agreement (final copy).pdf",
    "lisensavtale – ÆØÅ æøå.pdf",
    "使用許諾契約書 ü.pdf",
])
def test_file_names_with_spaces_and_non_ascii(tmp_path, eula_pdf, name):
    path = tmp_path / name
    shutil.copy(eula_pdf, path)
    doc = eula_parse.parse(path, tag=False)
    assert len(doc.clauses) == N_CLAUSES
    assert doc.source and Path(doc.source).name == name
    assert_cli_ok(cli(path, entities=name.startswith("lisensavtale")))
    bad = tmp_path / ("not a pdf " + name)
    bad.write_text("plain text")
    assert_cli_error(cli(bad), bad, "not a PDF")


def test_library_warnings_do_not_reach_stderr(tmp_path):
    """A damaged font descriptor makes pdfminer log warnings; the user sees only the result."""
    path = tmp_path / "damaged-font.pdf"
    data = (ROOT / "corpus" / "milestone-eula-20250425.pdf").read_bytes()
    path.write_bytes(data.replace(b"/FontBBox", b"/FontBBoy"))
    doc = eula_parse.parse(path, tag=False)
    assert len(doc.clauses) == 137
    proc = cli(path)
    assert_cli_ok(proc)
    assert _stderr(proc) == ""


def test_debug_flag_shows_the_traceback(tmp_path):
    """``eula --debug parse`` re-raises, so a developer sees where it failed."""
    path = tmp_path / "notes.pdf"
    path.write_text("not a pdf")
    proc = subprocess.run([sys.executable, "-m", "eula_parse", "--debug", "parse", str(path)],
                          capture_output=True, timeout=120, cwd=ROOT)
    assert proc.returncode != 0
    assert "Traceback" in _stderr(proc) and "InputError" in _stderr(proc)
