"""The tests' agreements written as Word, HTML and Markdown, in the same seven layouts as the PDFs.

:mod:`pdfgen` typesets an :class:`~pdfgen.EulaSpec` as PDF in seven layouts
(:data:`pdfgen.LAYOUTS`). This module writes the same spec in the other forms,
each layout changing what it changes in that form, so that one expected tree
(the spec's) must come back from every file:

* ``default`` -- Word: Title / Heading 1 / Heading 2 styles, run-in bold section
  headings, clauses as Word *automatic* numbering (numbering.xml, restarting per
  product; list items at the second level "a)"), the version label in the page
  footer. HTML: ``h1``/``h2``/``h3``, ``<strong>`` leads, ``<ol>`` lists, inside a
  page with a navigation bar, a cookie banner and a script. Markdown: ATX ``#``.
* ``two_column`` -- Word: a two-column section; HTML: CSS columns; Markdown:
  ``__bold__`` and ``_italic_`` spellings.
* ``size_only`` -- no bold anywhere: section headings on their own line, levels
  by type size (Word: direct sizes; HTML/Markdown: ``h4``/``####``).
* ``letter`` -- Word: US Letter and *typed* clause numbers; HTML: typed numbers in
  ``<p>``; Markdown: ``1)`` list delimiters.
* ``serif`` -- Word: Times New Roman, headings by direct bold formatting (no
  styles); HTML: serif CSS and ``<b>``; Markdown: setext headings.
* ``multiline_product`` -- product names broken over two lines (Word ``w:br``,
  HTML ``<br>``, Markdown a bold paragraph over two source lines).
* ``letter_serif_two_column_size_only`` -- the combination.

:func:`reference_spec` turns the reference agreement's text
(``corpus/milestone-eula-20250425.txt``) into a spec, segmented here from the
text alone, so its expected tree (23 sections, 25 products, 137 clauses) is
independent of the parser.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Union

from pdfgen import LAYOUTS, ClauseSpec, EulaSpec, GroupSpec, ProductSpec, SectionSpec, clean

PathLike = Union[str, Path]
FORMS = ("docx", "html", "markdown")
SUFFIX = {"docx": ".docx", "html": ".html", "markdown": ".md"}


def _opts(layout: str) -> dict:
    options = LAYOUTS[layout]
    return {
        "two_column": bool(options.get("two_column")),
        "size_only": bool(options.get("headings_by_size_only")),
        "letter": "pagesize" in options,
        "serif": bool(options.get("serif")),
        "multiline": bool(options.get("multiline_product_heading")),
    }


def _split_name(name: str) -> tuple[str, str]:
    """A product name cut in two near its middle, at a space (for multi-line headings)."""
    words = name.split()
    cut = max(1, len(words) // 2)
    return " ".join(words[:cut]), " ".join(words[cut:])


def _product_intro(product: ProductSpec) -> list[str]:
    return [t for t in (clean(product.lead), clean(product.grant)) if t]


# -- Word ----------------------------------------------------------------------------


def _numbering(document) -> int:
    """An abstract list "1." / "a)" in numbering.xml; returns its abstractNumId."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    abstract_id = 90
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="hybridMultilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="400" w:hanging="400"/></w:pPr></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="760" w:hanging="360"/></w:pPr></w:lvl>'
        '</w:abstractNum>'
    ))
    return abstract_id


def _new_list(document, abstract_id: int, num_id: int) -> None:
    """A list instance restarting at 1 (Word's w:num with a start override)."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.part.numbering_part.element.append(parse_xml(
        f'<w:num {ns} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    ))


def _numbered(paragraph, num_id: int, level: int) -> None:
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {ns}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def write_docx(spec: EulaSpec, path: PathLike, layout: str = "default") -> Path:
    """Write ``spec`` as a .docx in ``layout`` (see the module doc)."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.oxml import parse_xml
    from docx.shared import Inches, Pt

    o = _opts(layout)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(9)
    normal.font.name = "Times New Roman" if o["serif"] else "Arial"
    section = document.sections[0]
    if o["letter"]:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
    if o["two_column"]:
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        section._sectPr.append(parse_xml(f'<w:cols {ns} w:num="2" w:space="360"/>'))
    section.footer.paragraphs[0].text = spec.version
    styles = not (o["size_only"] or o["serif"])
    automatic = not o["letter"]
    abstract_id = _numbering(document) if automatic else 0

    def heading(text: str, size: float, style: str):
        if styles:
            paragraph = document.add_paragraph(style=style)
        else:
            paragraph = document.add_paragraph()
        parts = _split_name(text) if style == "Heading 2" and o["multiline"] else (text,)
        for i, part in enumerate(parts):
            run = paragraph.add_run(part)
            if i + 1 < len(parts):
                run.add_break()
            run.font.size = Pt(size)
            run.bold = not o["size_only"]
        return paragraph

    heading(spec.title, 18 if o["size_only"] else 16, "Title")
    for text in spec.preamble:
        document.add_paragraph(clean(text))
    for sect in spec.sections:
        first, rest = sect.paragraphs[0], sect.paragraphs[1:]
        if o["size_only"]:
            heading(sect.heading.rstrip("."), 10.5, "Heading 3")
            document.add_paragraph(clean(first))
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(sect.heading).bold = True
            paragraph.add_run(" " + clean(first))
        for text in rest:
            document.add_paragraph(clean(text))
    num_id = 100
    for group in spec.groups:
        heading(group.name, 14 if o["size_only"] else 13, "Heading 1")
        for product in group.products:
            heading(product.name, 11.5 if o["size_only"] else 10.5, "Heading 2")
            intro = _product_intro(product)
            if intro:
                document.add_paragraph().add_run(intro[0]).italic = True
                for text in intro[1:]:
                    document.add_paragraph(text)
            if automatic:
                num_id += 1
                _new_list(document, abstract_id, num_id)
            for clause in product.clauses:
                if automatic:
                    _numbered(document.add_paragraph(clean(clause.text)), num_id, 0)
                else:
                    document.add_paragraph(f"{clause.number}. {clean(clause.text)}")
                for label, text in clause.list_items:
                    if automatic and re.fullmatch(r"[a-z]\)", label):
                        _numbered(document.add_paragraph(clean(text)), num_id, 1)
                    else:
                        paragraph = document.add_paragraph(f"{label} {clean(text)}")
                        paragraph.paragraph_format.left_indent = Pt(38)
    if o["two_column"]:
        document.add_section(WD_SECTION.CONTINUOUS)
    path = Path(path)
    document.save(str(path))
    return path


# -- HTML ----------------------------------------------------------------------------

_PAGE_TOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: {face}; }} {columns}</style>
<script>window.analytics = {{ track: function () {{ return "1. not a clause"; }} }};</script></head>
<body>
<nav class="site-menu"><a href="/">Home</a> | <a href="/legal">Legal</a> | <a href="/contact">1. Contact</a></nav>
<div id="cookie-consent" class="cookie-banner"><p><strong>We use cookies.</strong> Accept all cookies?</p><button>Accept</button></div>
<main><article{article}>
"""
_PAGE_END = """</article></main>
<footer><p>© 2025 Example Legal Pages. All rights reserved.</p></footer>
</body></html>
"""


def write_html(spec: EulaSpec, path: PathLike, layout: str = "default") -> Path:
    """Write ``spec`` as an HTML page in ``layout`` (see the module doc)."""
    o = _opts(layout)
    e = html_lib.escape
    bold = "b" if o["serif"] else "strong"
    out = [_PAGE_TOP.format(
        title=e(spec.title),
        face="Times, serif" if o["serif"] else "Arial, sans-serif",
        columns="article { column-count: 2; }" if o["two_column"] else "",
        article=' class="two-columns"' if o["two_column"] else "",
    )]
    out.append(f"<h1>{e(spec.title)}</h1>")
    out += [f"<p>{e(clean(t))}</p>" for t in spec.preamble]
    for sect in spec.sections:
        first, rest = sect.paragraphs[0], sect.paragraphs[1:]
        if o["size_only"]:
            out.append(f"<h4>{e(sect.heading.rstrip('.'))}</h4>")
            out.append(f"<p>{e(clean(first))}</p>")
        else:
            out.append(f"<p><{bold}>{e(sect.heading)}</{bold}> {e(clean(first))}</p>")
        out += [f"<p>{e(clean(t))}</p>" for t in rest]
    typed = o["letter"]
    for group in spec.groups:
        out.append(f"<h2>{e(group.name)}</h2>")
        for product in group.products:
            name = "<br>".join(e(p) for p in _split_name(product.name)) if o["multiline"] else e(product.name)
            out.append(f"<h3>{name}</h3>")
            intro = _product_intro(product)
            if intro:
                out.append(f"<p><em>{e(intro[0])}</em></p>")
                out += [f"<p>{e(t)}</p>" for t in intro[1:]]
            if not typed:
                out.append("<ol>")
            for clause in product.clauses:
                items = "".join(f"<p>{e(label)} {e(clean(text))}</p>" for label, text in clause.list_items)
                if typed:
                    out.append(f"<p>{e(clause.number)}. {e(clean(clause.text))}</p>{items}")
                else:
                    out.append(f"<li>{e(clean(clause.text))}{items}</li>")
            if not typed:
                out.append("</ol>")
    out.append(_PAGE_END)
    path = Path(path)
    path.write_text("\n".join(out), encoding="utf-8")
    return path


# -- Markdown ------------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape what Markdown would read as markup in running text."""
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # a sentence that starts "2." is not a list


def write_markdown(spec: EulaSpec, path: PathLike, layout: str = "default") -> Path:
    """Write ``spec`` as Markdown in ``layout`` (see the module doc)."""
    o = _opts(layout)
    strong = "__" if o["two_column"] else "**"
    em = "_" if o["two_column"] else "*"
    delimiter = ")" if o["letter"] else "."
    out: list[str] = []

    def heading(text: str, level: int):
        if o["serif"] and level <= 2:
            out.append(f"{_md(text)}\n{'=' if level == 1 else '-' * 3}")
        else:
            out.append(f"{'#' * level} {_md(text)}")

    heading(spec.title, 1)
    out += [_md(clean(t)) for t in spec.preamble]
    for sect in spec.sections:
        first, rest = sect.paragraphs[0], sect.paragraphs[1:]
        if o["size_only"]:
            heading(sect.heading.rstrip("."), 4)
            out.append(_md(clean(first)))
        else:
            out.append(f"{strong}{_md(sect.heading)}{strong} {_md(clean(first))}")
        out += [_md(clean(t)) for t in rest]
    for group in spec.groups:
        heading(group.name, 2)
        for product in group.products:
            if o["multiline"]:
                top, bottom = _split_name(product.name)
                out.append(f"{strong}{_md(top)}\n{_md(bottom)}{strong}")
            else:
                heading(product.name, 3)
            intro = _product_intro(product)
            if intro:
                out.append(f"{em}{_md(intro[0])}{em}")
                out += [_md(t) for t in intro[1:]]
            for clause in product.clauses:
                item = f"{clause.number}{delimiter} {_md(clean(clause.text))}"
                for label, text in clause.list_items:
                    item += f"\n\n    {_md(label)} {_md(clean(text))}"
                out.append(item)
    path = Path(path)
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


WRITERS = {"docx": write_docx, "html": write_html, "markdown": write_markdown}


def write(form: str, spec: EulaSpec, path: PathLike, layout: str = "default") -> Path:
    return WRITERS[form](spec, path, layout)


# -- the reference agreement as a spec ------------------------------------------------


def _joined(lines: list[str]) -> str:
    """Lines of the text export as one paragraph. A hyphen followed by a space continues its
    word ("milestone-" / "extensions/..." at a line end, "non- Milestone" where Word's optional
    hyphen stood), as a reader of the page reads it; "pre- and post-" keeps its space."""
    return re.sub(r"(?<=[A-Za-z])- (?!(?:and|or|nor|to)\b)(?=[A-Za-z])", "-", " ".join(" ".join(lines).split()))


def reference_spec(text_path: PathLike, sections: list[str], groups: dict[str, list[str]]) -> EulaSpec:
    """The reference agreement from its text export, cut at the section headings and product
    names the text shows (``sections``, ``groups``) and at each product's clause numbers 1, 2, 3 ..."""
    lines = Path(text_path).read_text(encoding="utf-8").splitlines()
    title = lines[0].strip()
    products = {name: group for group, names in groups.items() for name in names}
    preamble: list[list[str]] = [[]]
    section_text: dict[str, list[list[str]]] = {}
    current: list[list[str]] = preamble
    product_specs: dict[str, ProductSpec] = {}
    product = None
    clause_lines: list[str] = []
    intro: list[str] = []
    expected = 1

    def close_clause():
        nonlocal clause_lines
        if product is not None and clause_lines:
            product_specs[product].clauses.append(ClauseSpec(str(expected - 1), _joined(clause_lines)))
        clause_lines = []

    for raw in lines[1:]:
        stripped = raw.strip()
        if stripped == "EULA 20250425":  # one page footer leaked into the vendor's text export
            continue
        if stripped in groups:
            close_clause()
            continue
        if stripped in products:
            close_clause()
            product, expected, intro = stripped, 1, []
            product_specs[product] = ProductSpec(stripped, "", "", [])
            continue
        if product is None:
            heading = next((h for h in sections if stripped.startswith(h + ".")), None)
            if heading and heading not in section_text:
                current = section_text[heading] = [[stripped[len(heading) + 1 :]]]
                continue
            if not stripped:
                if current[-1]:
                    current.append([])
                continue
            current[-1].append(stripped)
            continue
        m = re.match(r"(\d+)\.\s", stripped)
        if m and int(m.group(1)) == expected:
            close_clause()
            if expected == 1:
                spec = product_specs[product]
                spec.lead, spec.grant = (" ".join(intro[:1]), " ".join(intro[1:])) if intro else ("", "")
            clause_lines = [stripped[m.end() :]]
            expected += 1
        elif expected == 1:
            if stripped:
                intro.append(stripped)
        elif stripped:
            clause_lines.append(stripped)
    close_clause()

    def paragraphs(chunks: list[list[str]]) -> list[str]:
        return [_joined(c) for c in chunks if " ".join(c).strip()]

    return EulaSpec(
        vendor=title.split()[0],
        title=title,
        version="EULA 20250425",
        preamble=paragraphs(preamble),
        sections=[SectionSpec(h + ".", paragraphs(section_text[h])) for h in sections],
        groups=[GroupSpec(g, [product_specs[n] for n in names]) for g, names in groups.items()],
    )
