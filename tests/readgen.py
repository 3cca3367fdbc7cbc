"""PDFs set the way real agreements set their type, for the reading rules (tests/test_reading_words.py).

Each builder draws on a ReportLab canvas with its own positioning, so a test can
make the cases a word processor makes: small capitals (a full-size first letter
then smaller capitals, each run placed on its own), tracked (letter-spaced)
headings, a font whose ligature glyphs carry a wrong Unicode value, URLs broken
at a line end, and columns under a full-width title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

PathLike = Union[str, Path]
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
REGULAR, BOLD = "ReadSans", "ReadSans-Bold"


def _register() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "LiberationSans-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "LiberationSans-Bold.ttf")))


def width(text: str, font: str, size: float, tracking: float = 0.0) -> float:
    return pdfmetrics.stringWidth(text, font, size) + tracking * len(text)


def run(c, x: float, y: float, text: str, font: str, size: float, tracking: float = 0.0) -> float:
    """Draw one run of text (one text object) at ``x``; return the x where it ends."""
    t = c.beginText(x, y)
    t.setFont(font, size)
    t.setCharSpace(tracking)
    t.textOut(text)
    c.drawText(t)
    return x + width(text, font, size, tracking)


def small_caps(c, x: float, y: float, text: str, size: float, *, font: str = BOLD,
               ratio: float = 0.8, tracking: float = 0.0, drift: float = 0.0) -> float:
    """Set ``text`` in small capitals as a word processor emulates them: each word's first letter
    at ``size``, the rest as capitals at ``ratio * size``, each run placed on its own
    (``drift``: the small run starts that far after the capital, as a producer's rounding leaves it)."""
    space = width(" ", font, size)
    for word in text.split():
        x = run(c, x, y, word[0], font, size, tracking) + drift
        if word[1:]:
            x = run(c, x, y, word[1:].upper(), font, size * ratio, tracking)
        x += space + tracking
    return x


def wrap(text: str, font: str, size: float, measure: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and width(candidate, font, size) > measure:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current] if current else lines


def body(c, x: float, y: float, text: str, *, measure: float = 451, size: float = 10,
         leading: float = 13, font: str = REGULAR) -> float:
    """A paragraph wrapped to ``measure`` points; returns the y below it."""
    for line in wrap(text, font, size, measure):
        run(c, x, y, line, font, size)
        y -= leading
    return y - 6


def canvas(path: PathLike, pagesize=A4):
    _register()
    return rl_canvas.Canvas(str(path), pagesize=pagesize, invariant=1)


SECTIONS = [
    ("Definitions", "In this Agreement the Software means the programs and the documentation that "
     "the Licensor delivers with them, and the Licensee means the person who accepts this Agreement."),
    ("License Grant", "The Licensor grants the Licensee a non-exclusive and non-transferable license "
     "to install and use the Software on the computers the Licensee owns or controls."),
    ("Termination", "This Agreement ends when the Licensee stops using the Software or fails to "
     "comply with any of its terms, and the Licensee must then delete every copy of the Software."),
]


def build_display_type_pdf(path: PathLike, heading_style: str, *, drift: float = 0.0,
                           tracking: float = 0.0) -> None:
    """An agreement whose title and numbered headings are set in small capitals
    (``heading_style="small-caps"``) or letter-spaced capitals (``"tracked"``)."""
    c = canvas(path)
    x, y = 72.0, 770.0

    def display(x: float, y: float, text: str, size: float) -> float:
        if heading_style == "small-caps":
            return small_caps(c, x, y, text, size, tracking=tracking, drift=drift)
        return run(c, x, y, text.upper(), BOLD, size, tracking)

    display(x, y, "Software License Agreement", 16)
    y -= 30
    y = body(c, x, y, "Please read this agreement carefully before you install the software.")
    for number, (heading, text) in enumerate(SECTIONS, start=1):
        y -= 6
        after = run(c, x, y, f"{number}.", BOLD, 11)
        display(max(after + 6, x + 20), y, heading, 11)
        y = body(c, x, y - 16, text)
    c.save()


# -- words placed one by one, without space glyphs -----------------------------------------


def placed(c, x: float, y: float, text: str, font: str, size: float, *, word_gap: float,
           letter_gap: float) -> float:
    """Set ``text`` as browsers print justified text: every glyph its own run at its own x, no
    space glyph; letters ``letter_gap`` em apart, words ``word_gap`` em apart. Returns the end x."""
    for word in text.split():
        for letter in word:
            x = run(c, x, y, letter, font, size) + letter_gap * size
        x += (word_gap - letter_gap) * size
    return x


def build_placed_words_pdf(path: PathLike, size: float, *, word_gap: float = 0.15,
                           letter_gap: float = 0.04) -> list[str]:
    """An agreement whose words are placed without space glyphs (Chromium's print to PDF), at type
    ``size``; the word gap is a kerned space of that size. Returns the lines drawn."""
    c = canvas(path)
    x, y = 72.0, 770.0
    lines = []

    def line(text: str, font: str, type_size: float) -> None:
        placed(c, x, y, text, font, type_size, word_gap=word_gap, letter_gap=letter_gap)
        lines.append(text)

    line("SOFTWARE LICENSE AGREEMENT", BOLD, size * 1.6)
    y -= size * 3
    for number, (heading, text) in enumerate(SECTIONS, start=1):
        line(f"{number}. {heading.upper()}", BOLD, size)
        y -= size * 1.5
        for words in wrap(text, REGULAR, size, 451 * size / 10):
            line(words, REGULAR, size)
            y -= size * 1.4
        y -= size
    c.save()
    return lines


# -- a font whose ligature glyphs map to the wrong text ------------------------------------

LIGATURE_TEXT = [
    "The Licensee may install the software on the computers in its office and may configure the "
    "software for its staff. The first copy of the software is free of charge.",
    "The Licensor will notify the Licensee of each modification of the software in a written notice "
    "and will specify the effective date of the modification in that notice.",
    "Without affecting any other right, the Licensor may terminate this agreement after notice if the "
    "Licensee fails to pay the fees or to fulfil its obligations, and the termination is final.",
    "The Licensee shall not reflect the software in other products, nor shift the liability for "
    "different uses of the software to the Licensor, which is not liable for any lost profits.",
    "Support for version 1st edition files, the MP3 and x86 formats, licence(s) and/or add-ons is "
    "offered as stated in the offer, and a certification is sufficient proof of the order.",
]
#: Each ligature's glyph, the text a damaged font's ToUnicode map gives it, and what the words
#: are set with. DejaVu Sans has no "ft" or "ti" glyph: the long-s-t and s-t ligature glyphs
#: stand in for them (only the text matters to the reader; the page shows those shapes).
DAMAGE = {
    "ffi": ("\ufb03", "\ue001"),  # private use
    "ff": ("\ufb00", "\ue002"),
    "fi": ("\ufb01", "\x0c"),  # a control character the engines read as white space
    "fl": ("\ufb02", "\ue003"),
    "ft": ("\ufb05", "("),
    "ti": ("\ufb06", "0"),
}


def build_ligature_damage_pdf(path: PathLike, paragraphs: Sequence[str] = LIGATURE_TEXT,
                              damage: dict = DAMAGE, *, title: str = "") -> None:
    """Paragraphs set with ligature glyphs in a font whose ToUnicode map sends them to the wrong
    text (:data:`DAMAGE`), as some producers' fonts do. The map is edited in the written file.
    A ``title`` is set in a sound font above them."""
    import re

    _register()
    if "ReadDejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("ReadDejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=0)
    y = 770.0
    if title:
        run(c, 72, y, title, BOLD, 14)
        y -= 28
    pattern = re.compile("|".join(sorted(damage, key=len, reverse=True)))
    for text in paragraphs:
        for line in wrap(text, "ReadDejaVu", 10, 440):
            run(c, 72, y, pattern.sub(lambda m: damage[m.group()][0], line), "ReadDejaVu", 10)
            y -= 13
        y -= 8
    c.save()
    data = Path(path).read_bytes()
    for glyph, wrong in damage.values():
        code = f"<{ord(glyph):04X}>".encode()
        assert code in data, glyph
        data = data.replace(b"> " + code, b"> " + f"<{ord(wrong):04X}>".encode())
    Path(path).write_bytes(data)  # same length: the cross-reference offsets still hold


# -- lines broken where the test says ---------------------------------------------------------


def build_broken_lines_pdf(path: PathLike, title: str, sections: Sequence[tuple[str, Sequence[str]]],
                           *, size: float = 10, leading: float = 13) -> None:
    """Numbered sections ("1. Heading" in bold, then body lines set exactly as given, so the
    test decides where each line ends, e.g. inside a URL)."""
    c = canvas(path)
    y = 770.0
    run(c, 72, y, title, BOLD, 16)
    y -= 32
    for number, (heading, lines) in enumerate(sections, start=1):
        run(c, 72, y, f"{number}. {heading}", BOLD, 11)
        y -= 17
        for line in lines:
            run(c, 72, y, line, REGULAR, size)
            y -= leading
        y -= 10
    c.save()


# -- two columns under a full-width title ---------------------------------------------------------

WORDS = ("licence software agreement party rights licensor licensee copy install use term notice "
         "written support update fee payment warranty liability damages law court data service "
         "product customer vendor period month year delivery order invoice records audit affiliate "
         "subsidiary contractor employee server device network backup archive release version patch "
         "defect remedy refund credit claim loss profit revenue territory country region language "
         "document manual training consultant premises facility schedule exhibit").split()


def filler(seed: int, sentences: int) -> str:
    """Deterministic agreement-like sentences (every section its own text, no two lines alike,
    so that nothing repeats at the top of pages the way a running header does)."""
    import random

    rng = random.Random(seed)
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 16))).capitalize() + "." for _ in range(sentences)
    )


def build_columns_pdf(path: PathLike, title: str, intro: Sequence[str], sections: Sequence[tuple[str, str]],
                      *, column_rows: int = 48, size: float = 9, leading: float = 11.5) -> None:
    """A full-width title and intro paragraphs, then numbered sections flowing through two
    columns of ``column_rows`` rows each, column after column and page after page (so a column
    may end mid-sentence, and the last column is as short as the text leaves it)."""
    c = canvas(path)
    page_width, page_height = A4
    left, gutter = 57.0, 18.0
    column = (page_width - 2 * left - gutter) / 2
    y = page_height - 70
    run(c, left, y, title, BOLD, 16)
    y -= 28
    for text in intro:
        for line in wrap(text, REGULAR, size, page_width - 2 * left):
            run(c, left, y, line, REGULAR, size)
            y -= leading
        y -= leading / 2
    flow: list = []
    for number, (heading, text) in enumerate(sections, start=1):
        flow.append((f"{number}. {heading}", BOLD))
        flow.extend((line, REGULAR) for line in wrap(text, REGULAR, size, column))
        flow.append(None)  # a blank row between sections
    top, frame, row = y - 6, 0, 0
    for item in flow:
        if row >= column_rows:
            frame, row = frame + 1, 0
            if frame == 2:
                c.showPage()
                top, frame = page_height - 70, 0
        if item is None:
            if row:
                row += 1
            continue
        text, font = item
        run(c, left + frame * (column + gutter), top - row * leading, text, font, size)
        row += 1
    c.save()
