"""Builders for the PDFs the tests parse: EULAs in many layouts, and hostile files.

The parser must infer structure from typography and numbering, not from the
look of one vendor's file, so the tests typeset the *same* agreement
(:data:`DEFAULT_SPEC`, a fictitious vendor "Nordlys") in several layouts and
expect the same tree back from each. ReportLab's Platypus would hide where lines
break, so this module has its own small line-filler on top of the canvas: it
decides every line break itself, which lets a spec force the hard cases real
PDFs have (a compound "third-party" broken at its hyphen, a word split by
hyphenation, a URL broken at a slash, a line that starts with "2." in the middle
of a sentence) and lets :func:`build_eula_pdf` report on which page each node
starts and ends.

Line breaking works like a word processor's: a word may end a line after the
hyphen of a compound ("third-" / "party", which must stay "third-party"), after a
slash inside a URL (which must stay whole), or at a hyphenation point of the words
in :data:`HYPHENATION` ("installa-" / "tion", which must become "installation";
each of those words also occurs unbroken elsewhere, as in any real agreement).
:class:`Rendered` records which breaks actually happened in each layout. Spec text
may also carry markers (removed from the expected text by :func:`clean`):

* ``SOFT`` (U+00AD) -- an extra hyphenation point;
* ``SPLIT`` (U+200B) -- a break point that adds nothing;
* ``BREAK`` (newline) -- the line must end at this space (used to put "1." at the
  start of a line in the middle of a sentence, a trap for numbering detection).

Hostile inputs (encrypted, Type3 fonts, decompression bombs, ...) are built here
too, several by writing PDF objects by hand, because no PDF library will write a
broken or malicious file on purpose.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from eula_parse.model import normalize_space, slugify

SOFT = "\u00ad"
SPLIT = "\u200b"
BREAK = "\n"

PathLike = Union[str, Path]


def clean(text: str) -> str:
    """The text a correct parser returns for spec ``text``: markers removed, spaces normalised."""
    text = text.replace(SOFT, "").replace(SPLIT, "").replace(BREAK, " ")
    return normalize_space(text)


#: Hyphenation points (as a word processor with hyphenation on would use them).
HYPHENATION = {
    "installation": "in-stal-la-tion",
    "Management": "Man-age-ment",
    "documentation": "doc-u-men-ta-tion",
    "compliance": "com-pli-ance",
    "responsible": "re-spon-si-ble",
    "Affiliated": "Af-fil-i-at-ed",
    "surveillance": "sur-veil-lance",
    "permissions": "per-mis-sions",
    "designated": "des-ig-nat-ed",
    "accordance": "ac-cor-dance",
    "applicable": "ap-pli-ca-ble",
    "requirements": "re-quire-ments",
    "licenses": "li-cens-es",
    "computers": "com-put-ers",
    "purchasing": "pur-chas-ing",
    "confidentiality": "con-fi-den-tial-i-ty",
    "incidental": "in-ci-den-tal",
    "consequential": "con-se-quen-tial",
}
_HYPHEN_RE = re.compile(r"\b(" + "|".join(HYPHENATION) + r")\b")


def hyphenate(text: str) -> str:
    """Insert soft hyphens at the hyphenation points of the words in :data:`HYPHENATION`."""
    return _HYPHEN_RE.sub(lambda m: HYPHENATION[m.group(1)].replace("-", SOFT), text)


# ---------------------------------------------------------------------------
# The agreement, independent of layout
# ---------------------------------------------------------------------------


@dataclass
class ClauseSpec:
    """A numbered clause. ``items`` are sub-items written inline in ``text``;
    ``list_items`` are set as an indented list after ``text``. Both are
    ``(printed label, text)`` pairs, e.g. ``("a)", "...")`` or ``("(ii)", "...")``."""

    number: str
    text: str
    items: list[tuple[str, str]] = field(default_factory=list)
    list_items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def expected_text(self) -> str:
        listed = " ".join(f"{label} {text}" for label, text in self.list_items)
        return clean(f"{self.text} {listed}")

    @property
    def expected_items(self) -> list[tuple[str, str]]:
        return [(label.strip("()"), clean(text)) for label, text in self.items + self.list_items]


@dataclass
class SectionSpec:
    """A general-terms section opened by a run-in heading ("Limitation of Liability.")."""

    heading: str
    paragraphs: list[str]
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "general/" + slugify(self.heading.rstrip("."))

    @property
    def expected_text(self) -> str:
        return clean(" ".join(self.paragraphs))

    @property
    def expected_items(self) -> list[tuple[str, str]]:
        return [(label.strip("()"), clean(text)) for label, text in self.items]


@dataclass
class ProductSpec:
    name: str
    lead: str  # the italic "Installation and Use – for the X product the following applies:"
    grant: str  # "Nordlys hereby grants you ..."
    clauses: list[ClauseSpec]

    @property
    def expected_intro(self) -> str:
        return clean(f"{self.lead} {self.grant}")


@dataclass
class GroupSpec:
    name: str
    products: list[ProductSpec]


@dataclass
class EulaSpec:
    vendor: str
    title: str
    version: str
    preamble: list[str]
    sections: list[SectionSpec]
    groups: list[GroupSpec]

    def slug(self, name: str) -> str:
        """Product/group slug per the team's id rule: the vendor's name is dropped when it leads."""
        if name.startswith(self.vendor + " "):
            name = name[len(self.vendor) + 1 :]
        return slugify(name)

    def group_id(self, group: GroupSpec) -> str:
        return "group/" + self.slug(group.name)

    def product_id(self, product: ProductSpec) -> str:
        return "product/" + self.slug(product.name)

    @property
    def products(self) -> list[ProductSpec]:
        return [p for g in self.groups for p in g.products]


def _grant(vendor: str) -> str:
    return (
        f"{vendor} hereby grants you the right to install and use the Product with the following "
        "conditions and restrictions:"
    )


def default_spec() -> EulaSpec:
    """A short but complete EULA: 3 preamble paragraphs, 6 general sections, 3 groups, 5 products."""
    v = "Nordlys"
    long_tail = (
        "The Product may therefore, for instance, not be operated or used in any way by customers of "
        "you or other third parties, except for your Affiliated Companies as specified in the general "
        "terms of this EULA, and any operation by a third-party service provider on your behalf requires "
        "that the service provider is bound by obligations of confidentiality and use no less protective than "
        "those set out in this EULA, and that you remain responsible for every act and omission of "
        "such service provider as if it were your own."
    )
    enterprise = ProductSpec(
        name="Nordlys Vision® Enterprise",
        lead="Installation and Use – for the Vision Enterprise product the following applies:",
        grant=_grant(v),
        clauses=[
            ClauseSpec(
                "1",
                "The “Management Server” component of the Product may be installed on an unrestricted "
                "number of computers designated as Management Servers and possible clustered failover "
                "Management Servers per Software License Code.",
            ),
            ClauseSpec(
                "2",
                "The “Recording Server” component of the Product may be installed on an unrestricted "
                "number of computers designated as Recording Servers and Failover Recording Servers, "
                "which must be managed by the designated Management Server(s) specified in clause\n"
                "1. of these product terms, and the installation of each Recording Server "
                "requires a valid device license for every camera it records.",
            ),
            ClauseSpec(
                "3",
                "The Product may be remotely operated and managed by you or a third-party using Nordlys "
                "Interconnect, provided that: a) you or the third-party have purchased Interconnect "
                "camera licenses for the cameras that shall be accessible in the central Vision "
                "Enterprise system, and b) you have acquired and maintain the required legal "
                "permissions to conduct the surveillance.",
                items=[
                    ("a)", "you or the third-party have purchased Interconnect camera licenses for the "
                           "cameras that shall be accessible in the central Vision Enterprise system, and"),
                    ("b)", "you have acquired and maintain the required legal permissions to conduct the "
                           "surveillance."),
                ],
            ),
            ClauseSpec(
                "4",
                "The Product may, with the exceptions stated in paragraphs 6 and 7 below, only be "
                "operated, regardless of whether this is directly or in some indirect form, by you, your "
                "employees or other people working for you, including law enforcement authorities "
                "investigating incidents for you. " + long_tail,
            ),
            ClauseSpec(
                "5",
                "Before the Product is taken into production use, you shall ensure that:",
                list_items=[
                    ("a)", "every Recording Server is installed on hardware that meets the minimum "
                           "system requirements published for the installed version of the Product;"),
                    ("b)", "the end-user accounts of the Product are protected by passwords "
                           "or other credentials that are not shared between persons; and"),
                    ("c)", "the installation is registered with the Software License Code you received "
                           "when purchasing the Product."),
                ],
            ),
            ClauseSpec(
                "6",
                "The Product may only be used for on-premises surveillance of property or land that is owned "
                "or controlled by you, or by your Affiliated Companies, or where you have acquired and "
                "maintain the required legal permissions when monitoring property or land not owned or "
                "controlled by you, and you shall keep records of such permissions for as long as the "
                "Product is used for such monitoring and for two years thereafter.",
            ),
            ClauseSpec(
                "7",
                "Using Nordlys Federated Architecture, the Product may without being subject to "
                "additional licensing be used to connect other Vision Enterprise systems, provided that "
                "the federated system is covered by its own Software License Code. " + long_tail,
            ),
            ClauseSpec(
                "8",
                "You acknowledge that the Product may only be used with as many IP devices as you have "
                "acquired device licenses for, in accordance with the rules specified in the general "
                "terms of this EULA.",
            ),
        ],
    )
    professional = ProductSpec(
        name="Nordlys Vision® Professional+",
        lead="Installation and Use – for the Vision Professional+ product the following applies:",
        grant=_grant(v),
        clauses=[
            ClauseSpec(
                "1",
                "The Product may be installed on one computer designated as Management Server per "
                "Software License Code, and on any number of stand-by computers kept for fail-over use.",
            ),
            ClauseSpec(
                "2",
                "The Product may only be used on computers running operating systems for which the "
                "Product was designed. " + long_tail,
            ),
            ClauseSpec(
                "3",
                "The Product may be connected to a Vision Enterprise system as a federated site, in "
                "which case the terms for Vision Enterprise apply to the federation, including any "
                "cross-border transfer of recordings between the federated sites.",
            ),
        ],
    )
    smart_client = ProductSpec(
        name="Nordlys Vision® Smart Client",
        lead="Installation and Use – for the Vision Smart Client product the following applies:",
        grant=_grant(v),
        clauses=[
            ClauseSpec(
                "1",
                "The Product may be installed on an unrestricted number of computers, including pre-installed "
                "client workstations delivered by a third-party, and may only be used together with licensed Vision Enterprise or Vision Professional+ systems.",
            ),
            ClauseSpec(
                "2",
                "The Product may only be used by persons who have been granted access by the system "
                "administrator through role-based access control, and (i) each person shall use individual credentials, and (ii) exported "
                "evidence shall be handled in accordance with applicable law.",
                items=[
                    ("(i)", "each person shall use individual credentials, and"),
                    ("(ii)", "exported evidence shall be handled in accordance with applicable law."),
                ],
            ),
            ClauseSpec(
                "3",
                "You may not use the Product to circumvent the access rights configured in the "
                "Management Server. " + long_tail,
            ),
        ],
    )
    analytics = ProductSpec(
        name="Nordlys Vision® Analytics Add-on for Licence Plate Recognition",
        lead="Installation and Use – for the Vision Analytics Add-on product the following applies:",
        grant=_grant(v),
        clauses=[
            ClauseSpec(
                "1",
                "The Product may only be used with Vision Enterprise or Vision Professional+ systems for "
                "which licenses have rightfully been obtained through purchase or subscription, and only "
                "with the camera-side recognition models supplied by Nordlys or a third-party partner.",
            ),
            ClauseSpec(
                "2",
                "Recognition data produced by the Product is personal data in many jurisdictions, and "
                "you are solely responsible for its lawful processing, storage and deletion. "
                + long_tail,
            ),
        ],
    )
    updater = ProductSpec(
        name="Nordlys Update Manager",
        lead="Installation and Use – for the Update Manager utility the following applies:",
        grant=_grant(v),
        clauses=[
            ClauseSpec(
                "1",
                "The Product may be installed on an unrestricted number of computers within your "
                "organization and used to deploy updates of other Nordlys products.",
            ),
            ClauseSpec(
                "2",
                "The Product is provided free of charge and “as is”, and the installation of updates "
                "with the Product is at your own risk. Release notes for each update are published at "
                "https://www.nordlys.example/support/update-manager/release-notes/latest-version.html "
                "before the update is offered to end-user computers.",
            ),
        ],
    )
    sections = [
        SectionSpec(
            "Affiliated Companies.",
            [
                "The license you have been granted under this EULA for Vision Enterprise and Vision "
                "Professional+ allows you to grant access to and permit the use of such Product by your "
                "Affiliated Companies and their respective employees, provided that you will at all "
                "times remain fully responsible for the Affiliated Companies’ access and use of the "
                "Product, including the end-user accounts they create. You shall ensure that (i) your Affiliated Companies each submit to this EULA "
                "before they are granted access to the Product, and (ii) your Affiliated Companies are "
                "in compliance with the terms of this EULA."
            ],
            items=[
                ("(i)", "your Affiliated Companies each submit to this EULA before they are granted "
                        "access to the Product, and"),
                ("(ii)", "your Affiliated Companies are in compliance with the terms of this EULA."),
            ],
        ),
        SectionSpec(
            "License, Installation and Use Conditions and Restrictions.",
            [
                "The Product is licensed per device, per door or per user as stated in the product "
                "specific terms below. The installation of the Product on more computers than permitted "
                "by the Software License Code requires additional licenses. You may transfer a license "
                "from one computer to another once per calendar quarter, provided that the Product is "
                "removed from the first computer. Nordlys may verify your compliance with this section "
                "by requesting a report from the Management Server, which you shall provide within "
                "thirty days of the request.",
                "Licenses purchased for a specific version of the Product may be used with later "
                "versions only if you hold a valid care plan for the Product on the release date of "
                "the later version.",
            ],
        ),
        SectionSpec(
            "Intellectual Property Rights.",
            [
                "All title and rights, including but not limited to copyrights, in and to the Product "
                "and any copies thereof are owned by Nordlys or its licensors. The Product contains "
                "third-party components that are licensed under their own terms, which are listed at "
                "https://www.nordlys.example/legal/third-party-notices.html and in the "
                "documentation of the Product. Written offers for the source code of open-source components "
                "are available at https://www.nordlys.example/legal/open-source/vision-enterprise/2024/"
                "written-offer-for-source-code.html for three years after delivery. All rights not "
                "expressly granted are reserved by Nordlys."
            ],
        ),
        SectionSpec(
            "Test and Pilot Licenses, Beta Version of Product.",
            [
                "If you are granted a time-limited test or pilot license, your usage rights under this EULA are "
                "limited solely to the purpose of and only for the term defined in such license, the "
                "Product is provided “as is” without any warranty, express or implied, and no remedies "
                "shall be available. Whereas all restrictions and requirements for the use of the "
                "Product set forth in this EULA shall apply equally to your use of the Product, "
                "Nordlys expressly disclaims any responsibility and liability for the Product on any "
                "basis under the temporary license."
            ],
        ),
        SectionSpec(
            "Limitation of Liability.",
            [
                "The provisions of this section apply to the fullest extent permitted by applicable law. "
                "Nordlys shall not be liable for any indirect, incidental or consequential damages, "
                "including loss of profit, loss of data or business interruption, arising out of the use "
                "of or inability to use the Product, even if Nordlys has been advised of the possibility "
                "of such damages. Nordlys’ total liability under this EULA shall in no event exceed the "
                "amount you have paid for the Product. Some jurisdictions do not allow the exclusion or "
                "limitation of liability for consequential or incidental damages, so the above "
                "limitation may not apply to you.",
                "Nothing in this EULA limits liability for death or personal injury caused by gross "
                "negligence or wilful misconduct, or liability towards consumers under mandatory "
                "consumer-protection law.",
            ],
        ),
        SectionSpec(
            "Miscellaneous.",
            [
                "(a) You may make as many copies of the Product as may be necessary for backup and "
                "archival purposes. (b) You may not distribute, sublicense or otherwise make available "
                "the Product to third parties except as expressly permitted in this EULA. (c) This EULA "
                "is governed by the laws of Norway, and the courts of Oslo shall have exclusive "
                "jurisdiction."
            ],
            items=[
                ("(a)", "You may make as many copies of the Product as may be necessary for backup and "
                        "archival purposes."),
                ("(b)", "You may not distribute, sublicense or otherwise make available the Product to "
                        "third parties except as expressly permitted in this EULA."),
                ("(c)", "This EULA is governed by the laws of Norway, and the courts of Oslo shall have "
                        "exclusive jurisdiction."),
            ],
        ),
    ]
    preamble = [
        "NOTE: If you are a reseller, systems integrator or are otherwise installing this Product on "
        "behalf of a third-party, you shall ensure that you have their acceptance of this "
        "End-user License Agreement before the Product is installed.",
        "This End-user License Agreement (“EULA”) is a legally binding agreement between you (either an "
        "individual or a single legal entity) and Nordlys Software AS (“Nordlys”) for the Nordlys product "
        "or utility, which may include associated software and hardware components, media, printed "
        "materials, online or electronic documentation and any updates or corrections (“Product”). By "
        "installing, copying or otherwise using the Product, you agree to be bound by the terms of this "
        "EULA, and the non-exclusive, non-transferable licensing of the Product does not constitute a "
        "sale of intellectual property rights. The current version of this EULA is published at https://www.nordlys.example/"
        "legal/eula-current.pdf together with earlier versions.",
        "For Nordlys products where a Software License Code (“SLC”) is required, the license you have "
        "been granted is identified by the Software License Code you have received when purchasing the "
        "Product.",
    ]
    groups = [
        GroupSpec("Nordlys Vision® VMS", [enterprise, professional]),
        GroupSpec("Vision® Clients and Extensions", [smart_client, analytics]),
        GroupSpec("Tools", [updater]),
    ]
    return EulaSpec(
        vendor=v,
        title="Nordlys End-user License Agreement",
        version="EULA 20240301",
        preamble=preamble,
        sections=sections,
        groups=groups,
    )


DEFAULT_SPEC = default_spec()

_WORDS = (
    "licensee shall use the product only in accordance with documentation and applicable law "
    "including data protection rules export control and the terms of the relevant order form "
    "while the vendor keeps all title and rights in the software its updates and copies"
).split()


def big_spec(groups: int = 10, products_per_group: int = 10, clauses_per_product: int = 12,
             clause_words: int = 90) -> EulaSpec:
    """A long agreement for stress tests (about 500 A4 pages with the defaults x5)."""
    spec = default_spec()

    def words(seed: int, n: int) -> str:
        out = [_WORDS[(seed * 7 + i * 3) % len(_WORDS)] for i in range(n)]
        out[0] = out[0].capitalize()
        return " ".join(out) + "."

    spec.groups = []
    for g in range(1, groups + 1):
        products = []
        for p in range(1, products_per_group + 1):
            name = f"Nordlys Module {g}-{p}"
            clauses = [ClauseSpec(str(c), words(g * 1000 + p * 50 + c, clause_words))
                       for c in range(1, clauses_per_product + 1)]
            products.append(ProductSpec(
                name, f"Installation and Use – for the Module {g}-{p} product the following applies:",
                _grant("Nordlys"), clauses))
        spec.groups.append(GroupSpec(f"Module Family {g}", products))
    return spec


# ---------------------------------------------------------------------------
# Line filler
# ---------------------------------------------------------------------------


@dataclass
class Fonts:
    regular: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    italic: str = "Helvetica-Oblique"


SANS = Fonts()
SERIF = Fonts("Times-Roman", "Times-Bold", "Times-Italic")

Run = tuple[str, str]  # (text, font name)


def _tokens(runs: Sequence[Run]) -> list[tuple[str, str]]:
    """Split runs into (word, font); ``BREAK`` becomes its own token."""
    out: list[tuple[str, str]] = []
    for text, font in runs:
        for word in text.replace(BREAK, f" {BREAK} ").split(" "):
            if word:
                out.append((word, font))
    return out


def _break_points(word: str) -> list[tuple[int, str, str]]:
    """Where a word may end a line: ``(index, added text, kind)``.

    Like a word processor: after a hyphen inside a compound ("third-|party"), at a soft
    hyphen (adds "-"), after a slash inside a URL, and at an explicit ``SPLIT``.
    """
    points = []
    url = word.startswith(("http://", "https://", "www."))
    for i, ch in enumerate(word[:-1]):
        if ch == SOFT:
            points.append((i, "-", "soft"))
        elif ch == SPLIT:
            points.append((i, "", "split"))
        elif ch == "-" and i > 0 and word[i - 1].isalpha() and word[i + 1].isalpha() and not url:
            points.append((i + 1, "", "hyphen"))
        elif ch == "/" and url and word[i + 1] != "/" and word[i - 1] != "/" and i > 8:
            points.append((i + 1, "", "url"))
    return points


def _strip(piece: str) -> str:
    return piece.replace(SOFT, "").replace(SPLIT, "")


def fill_lines(runs: Sequence[Run], size: float, first_width: float, width: float,
               splits: Optional[list[tuple[str, str, str]]] = None) -> list[list[Run]]:
    """Greedy ragged-right line filling; words break only at :func:`_break_points`.

    ``splits`` collects ``(kind, text before the break, whole word)`` for every word broken
    at a line end (the whole word without markers, as the parser must return it).
    """
    lines: list[list[Run]] = []
    cur: list[Run] = []
    cur_w = 0.0

    def avail() -> float:
        return first_width if not lines else width

    def flush():
        nonlocal cur, cur_w
        lines.append(cur)
        cur, cur_w = [], 0.0

    def need(piece: str, font: str) -> float:
        return (stringWidth(" ", font, size) if cur else 0) + stringWidth(piece, font, size)

    def add(piece: str, font: str):
        nonlocal cur_w
        cur_w += need(piece, font)
        cur.append((piece, font))

    for word, font in _tokens(runs):
        if word == BREAK:
            if cur:
                flush()
            continue
        original = _strip(word)
        while True:
            whole = _strip(word)
            if cur_w + need(whole, font) <= avail():
                add(whole, font)
                break
            for i, added, kind in reversed(_break_points(word)):
                head = _strip(word[:i]) + added
                if cur_w + need(head, font) <= avail():
                    add(head, font)
                    flush()
                    if splits is not None:
                        splits.append((kind, head, original))
                    word = word[i + (1 if kind in ("soft", "split") else 0):]
                    break
            else:
                if not cur:  # too long even for an empty line: let it overflow
                    add(whole, font)
                    break
                flush()
    if cur:
        flush()
    return lines


def _merge(line: list[Run]) -> list[Run]:
    """Join consecutive pieces of one font into one run, with the separating spaces."""
    out: list[list[str]] = []
    for i, (text, font) in enumerate(line):
        text = text if i == 0 else " " + text
        if out and out[-1][1] == font:
            out[-1][0] += text
        else:
            out.append([text, font])
    return [(t, f) for t, f in out]


@dataclass
class Rendered:
    """What :func:`build_eula_pdf` drew: expected page spans and the page furniture."""

    path: Path
    pages: int
    spans: dict[str, tuple[int, int]]
    furniture: list[str]
    spec: Optional[EulaSpec] = None
    #: ``(kind, text before the break, whole word)`` for every word broken at a line end;
    #: kind is "hyphen" (compound), "soft" (hyphenation), "url" or "split".
    splits: list[tuple[str, str, str]] = field(default_factory=list)

    def crossing(self, prefix: str = "") -> list[str]:
        """Ids of nodes whose text runs across a page break."""
        return [k for k, (a, b) in self.spans.items() if b > a and k.startswith(prefix)]


class _Page:
    def __init__(self):
        self.ops: list[tuple[float, float, float, list[Run]]] = []  # x, y from top, size, runs


class Typesetter:
    """Flows blocks into one or two columns per page; records which page each node lands on."""

    def __init__(self, pagesize=A4, *, two_column=False, margins=(57, 57, 62, 62), gutter=18):
        self.width, self.height = pagesize
        self.left, self.right, self.top, self.bottom = margins
        self.two_column = two_column
        self.gutter = gutter
        self.pages: list[_Page] = []
        self.spans: dict[str, list[int]] = {}
        self.splits: list[tuple[str, str, str]] = []
        #: nodes that may be pushed down so that they run across a page break (see paragraph()).
        self.cross_targets: list[str] = []
        self.frame_top = self.top
        self._new_page()

    # -- frames ---------------------------------------------------------------
    @property
    def frames(self) -> list[tuple[float, float]]:
        full = self.width - self.left - self.right
        if not self.two_column:
            return [(self.left, full)]
        col = (full - self.gutter) / 2
        return [(self.left, col), (self.left + col + self.gutter, col)]

    @property
    def x(self) -> float:
        return self.frames[self.frame][0]

    @property
    def measure(self) -> float:
        return self.frames[self.frame][1]

    def _new_page(self):
        self.pages.append(_Page())
        self.frame = 0
        self.frame_top = self.top
        self.y = self.top

    def next_frame(self):
        if self.frame + 1 < len(self.frames):
            self.frame += 1
            self.y = self.frame_top
        else:
            self._new_page()

    def room(self) -> float:
        return self.height - self.bottom - self.y

    def space(self, pts: float):
        if self.y > self.frame_top + 0.1:
            self.y += pts

    def _mark(self, node: Optional[str]):
        if node:
            page = len(self.pages)
            span = self.spans.setdefault(node, [page, page])
            span[0] = min(span[0], page)
            span[1] = max(span[1], page)

    def draw_line(self, dx: float, size: float, leading: float, runs: list[Run], node=None):
        if self.room() < leading:
            self.next_frame()
        self.y += leading
        self.pages[-1].ops.append((self.x + dx, self.y, size, runs))
        self._mark(node)

    # -- blocks ---------------------------------------------------------------
    def full_width_title(self, text: str, font: str, size: float):
        """Title across both columns at the top of the first page."""
        assert len(self.pages) == 1 and self.frame == 0
        self.y += size * 1.2
        self.pages[-1].ops.append((self.left, self.y, size, [(text, font)]))
        self.y += size * 0.9
        self.frame_top = self.y

    def paragraph(self, runs: Sequence[Run], size=9.0, leading=11.3, *, indent=0.0, first_indent=None,
                  label: Optional[Run] = None, label_dx=0.0, space_before=6.0, node=None, keep_lines=0):
        """A paragraph; ``label`` (e.g. "1.") is set at ``indent`` - hanging before the text."""
        first_indent = indent if first_indent is None else first_indent
        lines = fill_lines(runs, size, self.measure - first_indent, self.measure - indent, self.splits)
        self.space(space_before)
        if keep_lines and self.room() < leading * min(keep_lines, len(lines)):
            self.next_frame()
        for i, line in enumerate(lines):
            dx = first_indent if i == 0 else indent
            if i == 0 and label is not None:
                if self.room() < leading:
                    self.next_frame()
                self.pages[-1].ops.append((self.x + label_dx, self.y + leading, size, [label]))
            self.draw_line(dx, size, leading, _merge(line), node)

    def count_lines(self, runs: Sequence[Run], size=9.0, indent=0.0) -> int:
        return len(fill_lines(runs, size, self.measure - indent, self.measure - indent))

    def push_to_cross(self, node: str, height: float, keep: float):
        """Make sure the layout has a section and a clause that run across a page break.

        ``node`` is about to be drawn, ``height`` tall; if it is a cross target, no node
        of its kind has crossed a page yet, and the whole block would fit on this page,
        start it lower so that only ``keep`` points of it fit here and the rest goes
        overleaf. Only in a page's last column, so the break is a page break.
        """
        if node not in self.cross_targets or self.frame != len(self.frames) - 1:
            return
        depth = node.count("/")  # clauses: product/x/1 -> 2, sections: general/x -> 1
        kind = node.split("/")[0] + "/"
        if any(k.startswith(kind) and k.count("/") == depth and a != b for k, (a, b) in self.spans.items()):
            return
        if height > keep + 2 * 11.3 and self.room() >= height:
            self.y += self.room() - keep

    def heading(self, text: str, font: str, size: float, *, space_before=10.0, max_fraction=1.0,
                node=None, keep=3 * 11.3):
        lines = fill_lines([(text, font)], size, self.measure * max_fraction, self.measure * max_fraction)
        leading = size * 1.25
        self.space(space_before)
        if self.room() < leading * len(lines) + keep:
            self.next_frame()
        for line in lines:
            self.draw_line(0, size, leading, _merge(line), node)

    # -- output ---------------------------------------------------------------
    def save(self, path: PathLike, *, header: Optional[str] = None, footer: Optional[str] = None,
             furniture_font="Helvetica", title: str = "Document") -> list[str]:
        """Write the PDF; header from page 2 and footer "<footer>  Page N of M" on every page."""
        path = Path(path)
        c = rl_canvas.Canvas(str(path), pagesize=(self.width, self.height), invariant=1)
        c.setTitle(title)
        total = len(self.pages)
        furniture: list[str] = []
        for n, page in enumerate(self.pages, 1):
            for x, y, size, runs in page.ops:
                cx = x
                for text, font in runs:
                    c.setFont(font, size)
                    c.drawString(cx, self.height - y, text)
                    cx += stringWidth(text, font, size)
            if header and n > 1:
                c.setFont(furniture_font, 7.5)
                c.drawString(self.left, self.height - 30, header)
                furniture.append(header)
            if footer is not None:
                c.setFont(furniture_font, 7.5)
                c.drawString(self.left, 32, footer)
                pn = f"Page {n} of {total}"
                c.drawRightString(self.width - self.right, 32, pn)
                furniture += [footer, pn]
            c.showPage()
        c.save()
        return furniture


# ---------------------------------------------------------------------------
# EULA builder
# ---------------------------------------------------------------------------

#: Layouts the layout tests run; each must give the same tree.
LAYOUTS: dict[str, dict] = {
    "default": {},
    "two_column": {"two_column": True},
    "size_only": {"headings_by_size_only": True},
    "letter": {"pagesize": letter},
    "serif": {"serif": True},
    "multiline_product": {"multiline_product_heading": True},
    "letter_serif_two_column_size_only": {"pagesize": letter, "serif": True, "two_column": True,
                                          "headings_by_size_only": True},
}


#: Nodes that may be pushed down to make sure a section and a clause cross a page break.
CROSS_TARGETS = (
    "general/limitation-of-liability",
    "general/license-installation-and-use-conditions-and-restrictions",
    "product/vision-enterprise/4",
    "product/vision-enterprise/7",
    "product/vision-professional-plus/2",
    "product/vision-smart-client/3",
    "product/vision-analytics-add-on-for-licence-plate-recognition/2",
)


def build_eula_pdf(path: PathLike, spec: Optional[EulaSpec] = None, *, two_column: bool = False,
                   headings_by_size_only: bool = False, pagesize=A4, serif: bool = False,
                   multiline_product_heading: bool = False, furniture: bool = True,
                   hyphenation: bool = True, cross_targets: Sequence[str] = CROSS_TARGETS) -> Rendered:
    """Typeset ``spec`` (default :data:`DEFAULT_SPEC`) to ``path``.

    Default layout: A4, Helvetica 9 pt body, bold 16 pt title, bold run-in section headings,
    bold 13 pt group and 10.5 pt product headings, italic product lead-in, numbered clauses with
    hanging indent, running header (the title, from page 2) and footer (version label and
    "Page N of M") on every page -- the shape of the Milestone reference PDF.

    ``headings_by_size_only``: no bold anywhere. A document styled without bold cannot show a
    run-in heading by weight, and real ones (word-processor "Heading" styles set in the body
    face) then put section headings on their own line at a larger size; so here the general
    sections get 10.5 pt display headings (without the trailing period), products 11.5 pt,
    groups 14 pt, the title 18 pt, all regular weight.

    ``multiline_product_heading``: product headings are set on a narrow measure, so the long
    product name wraps onto a second line.
    """
    spec = spec or DEFAULT_SPEC
    fonts = SERIF if serif else SANS
    bold = fonts.regular if headings_by_size_only else fonts.bold
    body, lead = 9.0, 11.3
    ts = Typesetter(pagesize, two_column=two_column)
    ts.cross_targets = list(cross_targets)
    h = hyphenate if hyphenation else (lambda text: text)

    title_size = 18 if headings_by_size_only else 16
    if two_column:
        ts.full_width_title(spec.title, bold, title_size)
    else:
        ts.heading(spec.title, bold, title_size, space_before=0, keep=0)
        ts.y += 8

    for n, text in enumerate(spec.preamble, 1):
        ts.paragraph([(h(text), fonts.regular)], body, lead, node=f"preamble/{n}", space_before=7)

    for section in spec.sections:
        n = ts.count_lines([(section.heading + " " + section.paragraphs[0], fonts.regular)], body)
        if headings_by_size_only:
            ts.space(12)
            ts.push_to_cross(section.id, 10.5 * 1.25 + 4 + n * lead, 10.5 * 1.25 + 4 + 3 * lead + 1)
            ts.heading(section.heading.rstrip("."), fonts.regular, 10.5, space_before=0, node=section.id)
            first = [(h(section.paragraphs[0]), fonts.regular)]
            ts.paragraph(first, body, lead, node=section.id, space_before=4)
        else:
            ts.space(7)
            ts.push_to_cross(section.id, n * lead, 2 * lead + 1)
            first = [(section.heading, fonts.bold), (h(section.paragraphs[0]), fonts.regular)]
            ts.paragraph(first, body, lead, node=section.id, space_before=0, keep_lines=2)
        for para in section.paragraphs[1:]:
            ts.paragraph([(h(para), fonts.regular)], body, lead, node=section.id, space_before=7)

    group_size, product_size = (14, 11.5) if headings_by_size_only else (13, 10.5)
    for group in spec.groups:
        gid = spec.group_id(group)
        ts.heading(group.name, bold, group_size, space_before=18, node=gid, keep=60)
        for product in group.products:
            pid = spec.product_id(product)
            fraction = 0.45 if multiline_product_heading else 1.0
            ts.heading(product.name, bold, product_size, space_before=12, node=pid,
                       max_fraction=fraction, keep=50)
            ts.paragraph([(product.lead, fonts.italic)], body, lead, node=pid, space_before=4)
            ts.paragraph([(h(product.grant), fonts.regular)], body, lead, node=pid, space_before=4)
            for clause in product.clauses:
                cid = f"{pid}/{clause.number}"
                ts.space(6)
                ts.push_to_cross(cid, ts.count_lines([(clause.text, fonts.regular)], body, 20) * lead,
                                 2 * lead + 1)
                ts.paragraph([(h(clause.text), fonts.regular)], body, lead, indent=20,
                             label=(f"{clause.number}.", fonts.regular), node=cid, space_before=0)
                for label, text in clause.list_items:
                    ts.paragraph([(h(text), fonts.regular)], body, lead, indent=38, label_dx=20,
                                 label=(label, fonts.regular), node=cid, space_before=3)

    furniture_strings = ts.save(
        path,
        header=spec.title if furniture else None,
        footer=spec.version if furniture else None,
        furniture_font=fonts.regular,
        title=spec.title,
    )
    spans = {k: (v[0], v[1]) for k, v in ts.spans.items()}
    return Rendered(Path(path), len(ts.pages), spans, furniture_strings, spec, ts.splits)


def build_plain_pdf(path: PathLike, paragraphs: Sequence[str], *, title: Optional[str] = None,
                    headings: Iterable[int] = (), pagesize=A4, fonts: Fonts = SANS) -> Rendered:
    """Plain paragraphs (``headings`` = indexes of paragraphs set as bold headings), no furniture."""
    ts = Typesetter(pagesize)
    heads = set(headings)
    if title:
        ts.heading(title, fonts.bold, 16, space_before=0, keep=0)
    for i, text in enumerate(paragraphs):
        if i in heads:
            ts.heading(text, fonts.bold, 11, space_before=12)
        else:
            ts.paragraph([(text, fonts.regular)], 10, 12.5, space_before=8)
    ts.save(path, title=title or "Untitled")
    return Rendered(Path(path), len(ts.pages), {}, [])


NO_HEADINGS_PARAGRAPHS = [
    "Thank you for downloading the sample files. The files are provided for evaluation only and may "
    "be deleted at any time. Please keep a copy of your own data before you install anything.",
    "The sample files were prepared by the support team to show how the import works with a "
    "typical configuration, and they contain no personal data of any kind.",
    "Questions about the samples can be sent to the support team, who will answer within two "
    "working days.",
]

RECIPE = dict(
    title="Grandmother’s Apple Cake",
    paragraphs=[
        "This moist apple cake has been baked in our family for three generations and is best "
        "served warm with whipped cream.",
        "Ingredients",
        "200 g flour, 150 g sugar, 100 g butter, 2 eggs, 3 apples, 1 teaspoon baking powder and "
        "a pinch of cinnamon.",
        "Method",
        "1. Preheat the oven to 180 degrees and butter a round tin.",
        "2. Beat the butter and sugar until pale, then add the eggs one at a time.",
        "3. Fold in the flour and baking powder, pour the batter into the tin and press the apple "
        "slices into the top. Bake for 40 minutes.",
    ],
    headings=(1, 3),
)


def build_recipe_pdf(path: PathLike) -> Rendered:
    """Not a EULA at all: it must still parse, flat."""
    return build_plain_pdf(path, RECIPE["paragraphs"], title=RECIPE["title"], headings=RECIPE["headings"])


# ---------------------------------------------------------------------------
# Hostile files
# ---------------------------------------------------------------------------


def write_raw_pdf(path: PathLike, objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Write objects ``1..n`` (bodies without ``obj``/``endobj``) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, trailer_extra, xref))
    data = out.getvalue()
    Path(path).write_bytes(data)
    return data


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _text_ops(lines: Sequence[str], font=b"/F1", size=11, x=72, y=760, leading=15) -> bytes:
    ops = [b"BT %s %d Tf %d TL %d %d Td" % (font, size, leading, x, y)]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + esc.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


TYPE3_LINES = [
    "Software License Agreement",
    "This agreement is set in a Type3 font whose glyphs are drawn by the file itself.",
    "The licensee may install the software on one computer.",
]


def build_type3_pdf(path: PathLike, lines: Sequence[str] = TYPE3_LINES) -> bytes:
    """Text in a Type3 font (glyphs are PDF drawing procedures; codes map to standard glyph names).

    Every glyph draws the same box; the text is recoverable only through the font's
    /Encoding /Differences, as in PDFs made by old TeX and scanning software.
    """
    chars = sorted({ch for line in lines for ch in line})
    first, last = min(ord(c) for c in chars), max(ord(c) for c in chars)
    names = {ord(c): c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    names.update({ord(c): n for c, n in zip("0123456789", "zero one two three four five six seven eight nine".split())})
    names.update({ord(c): n for c, n in [(" ", "space"), (".", "period"), (",", "comma"), ("-", "hyphen"),
                                         (":", "colon"), (";", "semicolon"), ("(", "parenleft"),
                                         (")", "parenright"), ("'", "quotesingle")]})
    diffs, procs = [], []
    objs: list[bytes] = []
    # 1 catalog, 2 pages, 3 page, 4 content, 5 font, 6 charprocs dict, 7 box glyph proc
    glyph = stream(b"600 0 0 0 500 700 d1\n50 0 400 700 re f")
    for ch in chars:
        name = names.get(ord(ch))
        if name is None:
            raise ValueError(f"no glyph name for {ch!r}")
        diffs.append(b"%d /%s" % (ord(ch), name.encode()))
        procs.append(b"/%s 7 0 R" % name.encode())
    widths = b" ".join(b"600" for _ in range(first, last + 1))
    content = _text_ops(lines, b"/T3", 11)
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /T3 5 0 R >> >> >>")
    objs.append(stream(content))
    objs.append(b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] "
                b"/FontMatrix [0.001 0 0 0.001 0 0] /CharProcs 6 0 R "
                b"/Encoding << /Type /Encoding /Differences [" + b" ".join(diffs) + b"] >> "
                b"/FirstChar %d /LastChar %d /Widths [%s] >>" % (first, last, widths))
    objs.append(b"<< " + b" ".join(procs) + b" >>")
    objs.append(glyph)
    return write_raw_pdf(path, objs)


def build_custom_encoding_pdf(path: PathLike) -> bytes:
    """Type1 Helvetica whose /Differences map the byte codes to *other* letters, no ToUnicode.

    The page shows a rotated alphabet: an extractor that follows the encoding reads the
    intended words, one that assumes WinAnsi reads garbage. Either way nothing may crash.
    """
    plain = "The licensee may install the software on one computer."
    shifted = "".join(chr(ord(c) + 1) if c.isalpha() else c for c in plain)
    diffs = b" ".join(b"%d /%s" % (ord(s), p.encode()) for s, p in zip(shifted, plain) if p.isalpha())
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(_text_ops([shifted])),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [" + diffs + b"] >> >>",
    ]
    return write_raw_pdf(path, objs)


def deflate_bomb(size: int, chunk: int = 64 << 20) -> bytes:
    """A valid zlib stream inflating to ``size`` bytes of spaces, built without compressing ``size`` bytes.

    A chunk of spaces is compressed once with a full flush (so the block is
    independent of what precedes it) and repeated; the Adler-32 of ``size``
    equal bytes has a closed form. 4 GiB cost 4 MB and a fraction of a second.
    """
    assert size % chunk == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(b" " * chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    mod, c = 65521, ord(" ")
    a = (1 + size * c) % mod
    b = (size + c * size * (size + 1) // 2) % mod
    return b"\x78\xda" + block * (size // chunk) + end + ((b << 16) | a).to_bytes(4, "big")


def build_bomb_pdf(path: PathLike, size: int = 4 << 30) -> bytes:
    """One page whose content stream inflates to ``size`` bytes (4 GiB by default)."""
    bomb = deflate_bomb(size)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [4 0 R 5 0 R] "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        stream(_text_ops(["License Agreement", "The licensee may install the software."])),
        stream(bomb, b"/Filter /FlateDecode "),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return write_raw_pdf(path, objs)


def build_image_only_pdf(path: PathLike, pages: int = 2) -> None:
    """A "scan": each page is one raster image of text, with no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for n in range(pages):
        img = Image.new("L", (620, 877), 255)
        draw = ImageDraw.Draw(img)
        for row in range(40):
            draw.text((40, 40 + row * 20), f"Clause {row + 1}. The licensee may install the software, page {n + 1}.",
                      fill=0)
        c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()


def build_many_pages_pdf(path: PathLike, pages: int) -> None:
    """A quick ``pages``-page PDF, one short paragraph per page (for page-cap tests)."""
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for n in range(1, pages + 1):
        c.setFont("Helvetica", 10)
        c.drawString(72, 770, f"{n}. The licensee may install the software on page {n}.")
        c.showPage()
    c.save()


def encrypt_pdf(src: PathLike, dst: PathLike, user_password: str, owner_password: str = "owner") -> None:
    """Copy ``src`` to ``dst`` encrypted (RC4-128, which every reader supports)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    with open(dst, "wb") as fh:
        writer.write(fh)


def rotate_pdf(src: PathLike, dst: PathLike, degrees: int = 90) -> None:
    """Set /Rotate on every page: the page is *displayed* turned, the content is unchanged."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    for page in writer.pages:
        page.rotate(degrees)
    with open(dst, "wb") as fh:
        writer.write(fh)


LANDSCAPE_LINES = [
    "Software License Agreement",
    "1. The licensee may install the software on one computer per license.",
    "2. The licensee may not rent, lease or lend the software to third parties.",
]


def build_landscape_rotated_pdf(path: PathLike, lines: Sequence[str] = LANDSCAPE_LINES) -> None:
    """A portrait page whose text is drawn turned by 90 degrees, with /Rotate 90 so it *displays* upright.

    This is how many "landscape" pages are stored; a reader that honours /Rotate reads it normally.
    """
    from pypdf import PdfReader, PdfWriter

    buf = io.BytesIO()
    w, h = A4
    c = rl_canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.translate(w, 0)
    c.rotate(90)  # now x runs up the page, y runs leftwards; the landscape width is h
    c.setFont("Helvetica", 11)
    for i, line in enumerate(lines):
        c.drawString(72, w - 72 - 16 * i, line)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    writer.pages[0].rotate(90)
    with open(path, "wb") as fh:
        writer.write(fh)


def break_xref(data: bytes) -> bytes:
    """Garble every offset in the xref table and point startxref at nonsense."""
    start = data.rindex(b"startxref")
    xref = data.rindex(b"\nxref", 0, start) + 1
    table = re.sub(rb"\d{10} (\d{5}) n", lambda m: b"0000000999 " + m.group(1) + b" n", data[xref:start])
    tail = re.sub(rb"startxref\s+\d+", b"startxref\n123", data[start:])
    return data[:xref] + table + tail


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Agreements with lettered and roman sub-items
# ---------------------------------------------------------------------------


@dataclass
class ItemSpec:
    """A sub-item as printed: ``label`` ("a.", "(ii)", "1."), an optional bold run-in ``heading``,
    its ``text``, and the items set under it, one indent step deeper."""

    label: str
    text: str
    heading: Optional[str] = None
    items: list["ItemSpec"] = field(default_factory=list)


@dataclass
class NumberedSpec:
    """A numbered section ("2.5 Restrictions."): run-in bold heading, text, then its items."""

    number: str
    heading: str
    text: str
    items: list[ItemSpec] = field(default_factory=list)


def build_items_pdf(path: PathLike, title: str, sections: Sequence[NumberedSpec], *,
                    page_break_before: Sequence[str] = (), fonts: Fonts = SANS) -> Rendered:
    """A one-column agreement of numbered sections whose lettered items hang at an indent
    (label at the left, text after it), each deeper level 18 points further in.
    ``page_break_before`` names item labels ("b.") that start a new page, so items run
    across pages."""
    ts = Typesetter(letter)
    ts.heading(title, fonts.bold, 16, space_before=0, keep=0)
    breaks = set(page_break_before)

    def items(specs: Sequence[ItemSpec], depth: int) -> None:
        for spec in specs:
            if spec.label in breaks and depth == 1:
                ts.next_frame()
            runs = ([(f"{spec.heading}. ", fonts.bold)] if spec.heading else []) + [(spec.text, fonts.regular)]
            ts.paragraph(runs, 10, 12.5, indent=18 * depth + 18, label=(spec.label, fonts.regular),
                         label_dx=18 * depth, space_before=4)
            items(spec.items, depth + 1)

    for section in sections:
        ts.paragraph([(f"{section.number} {section.heading}. ", fonts.bold), (section.text, fonts.regular)],
                     10, 12.5, space_before=10)
        items(section.items, 1)
    ts.save(path, title=title)
    return Rendered(Path(path), len(ts.pages), {}, [])
