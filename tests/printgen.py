"""Print the corpus's HTML, Markdown and text agreements to PDF with headless Chromium.

A producer the parser was never tuned on (Chromium's Skia/PDF), in the layouts
vendors' web-to-PDF exports show: the page as is with a running header and a
"Page N of M" footer, two CSS columns under a full-width title, a plain-text
EULA printed as it is (monospace, ``white-space: pre-wrap``), and a large type
on a narrow page so headings wrap. The agreement's gold
(``tests/gold/formats/*.json``) is about the agreement, not its form, so it
scores these PDFs unchanged; only the furniture is added here, from what this
module itself prints in the margins (see :func:`furniture`).

Used by ``tests/test_printed.py`` and ``bench/printed.py``.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from cdp import Browser

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "corpus" / "real"
GOLD_DIR = ROOT / "tests" / "gold" / "formats"
SOURCES = (".html", ".md", ".txt")
#: the running footer's address, printed on every page (as browsers print a page's URL)
SITE = "https://legal.example.com/agreements/"


@dataclass(frozen=True)
class Layout:
    """One way a vendor's web page ends up as a PDF."""

    name: str
    paper: tuple[float, float]  # inches (printToPDF takes inches)
    margin: float  # inches, all four sides (header/footer print inside it)
    css: str
    #: text files keep their line breaks and fixed-width type
    preformatted: bool = False


BASE = "body { font-family: 'Liberation Serif', 'DejaVu Serif', serif; font-size: 11pt; line-height: 1.35; }"
LETTER = (8.5, 11.0)
A4 = (8.27, 11.69)

LAYOUTS = {
    "as-is": Layout("as-is", LETTER, 0.8, BASE),
    "two-column": Layout(
        "two-column", A4, 0.7,
        BASE + " body { column-count: 2; column-gap: 0.35in; font-size: 9.5pt; }"
        " .doc-title { column-span: all; text-align: center; font-size: 15pt; font-weight: bold; }"
        " p, li { text-align: justify; }",
    ),
    "plain-text": Layout(
        "plain-text", LETTER, 0.75,
        "pre { font-family: 'Liberation Mono', 'DejaVu Sans Mono', monospace; font-size: 9.5pt;"
        " white-space: pre-wrap; margin: 0; }",
        preformatted=True,
    ),
    "large-narrow": Layout(
        "large-narrow", (5.5, 8.5), 0.6,
        "body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 14pt; line-height: 1.3; }",
    ),
}


def gold(name: str) -> dict:
    """The file's heading gold in the shape ``goldcheck.score`` reads, with this module's furniture."""
    for path in GOLD_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["file"] == name:
            return {"version_has": None, **data, "title": [data["title"]], "furniture": furniture(name)}
    raise KeyError(name)


def sources() -> list[str]:
    """The corpus files with heading gold that a browser can show: HTML, Markdown, text."""
    names = []
    for path in GOLD_DIR.glob("*.json"):
        name = json.loads(path.read_text(encoding="utf-8"))["file"]
        if Path(name).suffix.lower() in SOURCES:
            names.append(name)
    return sorted(names)


def layouts_for(name: str) -> list[str]:
    """Text files print as they are (monospace) and as paragraphs; HTML and Markdown in the page layouts."""
    if name.endswith(".txt"):
        return ["plain-text", "as-is", "two-column"]
    return ["as-is", "two-column", "large-narrow"]


# -- the page -----------------------------------------------------------------------


def _text_paragraphs(text: str) -> str:
    """A text file as a web page shows it: blank-line paragraphs, hard line breaks and indents kept
    (an indented "1." under "1. DEFINITIONS" is its sub-clause: the page must still show that)."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        lines = []
        for line in para.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            lines.append("&nbsp;" * indent + html.escape(line.strip()))
        out.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(out)


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # a Windows-1252 text file ("Havok\x99"), as a browser would guess it
        return data.decode("cp1252", errors="replace")


def body_html(path: Path, layout: Layout) -> str:
    """The agreement's body as HTML, its title marked so a layout can set it apart."""
    raw = _decoded(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        if layout.preformatted:
            return f"<pre>{html.escape(raw)}</pre>"
        return _text_paragraphs(raw)
    if suffix == ".md":
        from markdown_it import MarkdownIt

        return MarkdownIt("commonmark").render(raw)
    match = re.search(r"<body[^>]*>(.*)</body>", raw, re.S | re.I)
    return match.group(1) if match else raw


TITLE_MARK = """
<script>
// the first block of the page is its title block: set it apart the way a layout asks
(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (node.textContent.trim()) {
      let el = node.parentElement;
      while (el.parentElement && el.parentElement !== document.body
             && el.parentElement.textContent.trim() === el.textContent.trim()) el = el.parentElement;
      if (!el.closest('pre')) el.classList.add('doc-title');
      break;
    }
  }
})();
</script>
"""


def page_html(path: Path, layout: Layout, title: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{layout.css}</style></head><body>{body_html(path, layout)}{TITLE_MARK}</body></html>"
    )


def running_title(name: str) -> str:
    """The running header: the vendor's site name and the document's kind, as a web page's title."""
    vendor = name.split("_")[0].capitalize()
    return f"{vendor} Legal \u2013 License Terms"


def header_footer(name: str) -> tuple[str, str]:
    style = "font-size: 8pt; font-family: sans-serif; width: 100%; margin: 0 0.5in; display: flex; justify-content: space-between;"
    header = f"<div style=\"{style}\"><span>{html.escape(running_title(name))}</span><span>Printed 11/30/2026</span></div>"
    footer = (f"<div style=\"{style}\"><span>{SITE}{html.escape(Path(name).stem)}</span>"
              "<span>Page <span class='pageNumber'></span> of <span class='totalPages'></span></span></div>")
    return header, footer


def furniture(name: str) -> list[dict]:
    """What this module prints in the margins of every page: none of it may reach a text
    (beyond what the file itself says: a text export may carry a stray "Page 2 of 5")."""
    source = " ".join(_decoded(REAL / name).split())
    regexes = [
        ("running header", re.escape(running_title(name))),
        ("print date", r"Printed\s+11/30/2026"),
        ("page address", re.escape(SITE)),
        ("page numbers", r"Page\s+\d+\s+of\s+\d+"),
    ]
    return [{"what": what, "regex": regex, "max": len(re.findall(regex, source))} for what, regex in regexes]


def print_pdf(browser: Browser, name: str, layout_name: str, out: Path) -> Path:
    """Print corpus/real/``name`` in ``layout_name`` to ``out`` (a PDF) and return it."""
    layout = LAYOUTS[layout_name]
    title = gold(name)["title"][0]
    page = out.with_suffix(".html")
    page.write_text(page_html(REAL / name, layout, title), encoding="utf-8")
    browser.goto(page.as_uri())
    header, footer = header_footer(name)
    width, height = layout.paper
    data = browser.call(
        "Page.printToPDF", session=True, timeout=120,
        paperWidth=width, paperHeight=height,
        marginTop=layout.margin, marginBottom=layout.margin,
        marginLeft=layout.margin, marginRight=layout.margin,
        displayHeaderFooter=True, headerTemplate=header, footerTemplate=footer,
        printBackground=False, preferCSSPageSize=False,
    )["data"]
    out.write_bytes(base64.b64decode(data))
    return out


def print_all(browser: Browser, jobs: list[tuple[str, str]], folder: Path) -> dict[tuple[str, str], Path]:
    """Print each (file, layout) once into ``folder``, reusing a PDF already there."""
    folder.mkdir(parents=True, exist_ok=True)
    done = {}
    for name, layout_name in jobs:
        out = folder / f"{Path(name).stem}.{layout_name}.pdf"
        if not out.exists():
            print_pdf(browser, name, layout_name, out)
        done[name, layout_name] = out
    return done


def version_clean(doc, gold_: dict) -> bool:
    """The format gold records no version label, so what a printed PDF can get wrong is taking
    one from the furniture this module adds (a page address, the print date): it must not."""
    return not any(re.search(f["regex"], doc.version or "") for f in gold_["furniture"])
