"""What the PDFium engine reads and what it leaves out, on pages built here.

A reader of the page sees neither text drawn outside the page nor invisible
text laid over visible text; a scanned page whose only text is an invisible
OCR layer is read from that layer.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from eula_parse.readers import pdfium, plumber

VISIBLE = "The licensee may install the software on one computer."
HIDDEN = "Hidden keywords nobody sees on the page."
OUTSIDE = "Clipped text set beyond the right edge."


def _page_text(module, path) -> list[str]:
    return [" ".join(w.text for w in words) for _, _, words, _ in module.pages(path, max_pages=10)]


def test_invisible_and_off_page_text_is_not_read(tmp_path):
    path = tmp_path / "hidden.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(72, 700, VISIBLE)
    text = c.beginText(72, 650)
    text.setFont("Helvetica", 10)
    text.setTextRenderMode(3)  # invisible
    text.textLine(HIDDEN)
    c.drawText(text)
    c.drawString(A4[0] + 40, 600, OUTSIDE)
    c.showPage()
    c.save()

    (page,) = _page_text(pdfium, path)
    assert page == VISIBLE
    (reference,) = _page_text(plumber, path)  # the reference engine keeps both
    assert HIDDEN in reference and OUTSIDE in reference


def test_a_page_of_invisible_text_only_is_read(tmp_path):
    """An OCR layer: the scan is an image, its words are invisible text over it."""
    path = tmp_path / "ocr.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    text = c.beginText(72, 700)
    text.setFont("Helvetica", 10)
    text.setTextRenderMode(3)
    text.textLine(VISIBLE)
    c.drawText(text)
    c.showPage()
    c.save()

    assert _page_text(pdfium, path) == [VISIBLE]


def test_text_scaled_by_its_matrix_has_its_shown_size(tmp_path):
    """Size 1 type scaled 12x by the text matrix is 12 pt type, as the reference engine says."""
    path = tmp_path / "scaled.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    text = c.beginText()
    text.setTextTransform(12, 0, 0, 12, 72, 700)
    text.setFont("Helvetica-Bold", 1)
    text.textOut("Limitation of Liability")
    c.drawText(text)
    c.showPage()
    c.save()

    ((_, _, words, _),) = list(pdfium.pages(path, max_pages=1))
    ((_, _, reference, _),) = list(plumber.pages(path, max_pages=1))
    assert [(w.text, w.size, w.bold) for w in words] == [(w.text, w.size, w.bold) for w in reference]
    assert {w.size for w in words} == {12.0}


def test_documents_read_from_several_threads_at_once(tmp_path):
    """PDFium is not thread-safe; a web server parsing uploads in threads must still get whole trees."""
    import threading
    from pathlib import Path

    import eula_parse

    path = Path(__file__).resolve().parent.parent / "corpus" / "milestone-eula-20250425.pdf"
    trees = []
    threads = [threading.Thread(target=lambda: trees.append(eula_parse.parse(path, tag=False).to_dict()))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(trees) == 3 and trees[0] == trees[1] == trees[2]
    assert len(trees[0]["groups"]) > 0
