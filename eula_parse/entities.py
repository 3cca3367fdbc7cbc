"""Tag the facts in every clause: products, limits, durations, money, laws, courts,
organisations, URLs, dates, versions, cross-references and defined terms.

A lawyer reading a EULA asks *which products, how many, how long, how much, under
which law*, and what "paragraph 9 below" points at. :func:`tag_document` answers
those questions on the parsed tree: every node from ``Document.nodes()`` gets
``entities`` (character offsets into its ``text``, a normalised ``value`` and, for
references, a ``target`` node id) and ``modality``.

Why rules and not a statistical model: the agreements are drafted in a narrow,
repetitive register, the answers must be explainable and stable across versions
(the diff compares them), and nothing may be downloaded at run time. So the
pipeline is ``spacy.blank("en")`` plus rule components registered the spaCy way;
the rules themselves are data in ``eula_parse/patterns/``:

``regex.jsonl``    character patterns (URL, MONEY, DURATION, VERSION, DATE, LIMIT, XREF, DEFINITION)
``rules.jsonl``    phrase and token patterns for ``PhraseMatcher``/``Matcher`` (ORG, LAW, COURT)
``modality.jsonl`` ``Matcher`` cues for the deontic force of a clause; ``modality.json`` the modal-verb table

Two labels depend on the document itself and run as a second pass over the same
``Doc`` objects: PRODUCT (the gazetteer is built from the document's own product
and group headings and its product-naming defined terms, never a fixed list) and
TERM (uses of the terms the document defines). The span conventions are written
down in ``tests/gold/entities.json``.

spaCy is imported here and only here; ``import eula_parse`` does not pay for it.
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import numpy as np
import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from eula_parse.model import Document, Entity, Node, own_entities, slugify

PATTERNS = Path(__file__).with_name("patterns")

#: Every label the tagger emits, in the order entities are reported.
LABELS = (
    "PRODUCT", "LIMIT", "DURATION", "MONEY", "LAW", "COURT", "ORG", "URL", "DATE", "VERSION",
    "XREF", "DEFINITION", "TERM",
)

#: Components that depend on the document as a whole; they run after ``nlp.pipe``.
DOCUMENT_PIPES = ("eula_products", "eula_terms")

if not Doc.has_extension("modality"):
    Doc.set_extension("modality", default=None)


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = {**_UNITS, **_TENS, **_SCALES}

_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
#: A number written in words: "ninety", "one hundred", "twenty-five", "one hundred and twenty".
WORDNUM = rf"(?i:\b{_WORD}\b(?:(?:\s+and\s+|\s+|-){_WORD}\b)*)"
DIGITNUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
NUM = rf"(?:{DIGITNUM}|{WORDNUM})"
AMOUNT = r"(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
#: A clause/section number in a cross-reference: "9", "4.1.4", "3(b)", "4(a)(ii)".
REF = r"(?:\d+(?:\.\d+)*(?:-\d+)?[a-z]?(?:\s?\([a-z0-9]{1,4}\))*)"
#: A sub-item named on its own, within the clause that mentions it: "subsection (c)", "paragraph (a)(ii)".
ITEM_REF = r"(?:\([a-z0-9]{1,4}\))+"
#: A quoted title: “Limitation of Liability”, 'No Warranties'.
QTITLE = r"(?<!\w)[“\"‘'](?P<title>[^“”\"‘’'\n]{2,120}?)[”\"’'](?!\w)"

_PLACEHOLDERS = {"{NUM}": NUM, "{WORDNUM}": WORDNUM, "{AMOUNT}": AMOUNT, "{REF}": REF, "{QTITLE}": QTITLE,
                 "{ITEM_REF}": ITEM_REF}


def _digits(text: str) -> Optional[float]:
    """'1,000' -> 1000, '2.5' -> 2.5, '1.000,50' -> 1000.5 (the last separator is the decimal one)."""
    text = text.strip()
    if not re.fullmatch(r"\d[\d,.]*", text):
        return None
    if "," in text and "." in text:
        decimal = max(text.rfind(","), text.rfind("."))
        whole = re.sub(r"[,.]", "", text[:decimal])
        return float(f"{whole}.{text[decimal + 1:]}")
    sep = "," if "," in text else "." if "." in text else ""
    if sep:
        groups = text.split(sep)
        # "1,000" and "10.000" group thousands (amounts never carry three decimals); "2.5" is a fraction
        if len(groups) > 2 or all(len(g) == 3 for g in groups[1:]):
            return float("".join(groups))
        return float(text.replace(",", "."))
    return float(text)


def _tidy(number: float) -> Union[int, float]:
    return int(number) if float(number).is_integer() else number


def parse_number(text: str) -> Optional[Union[int, float]]:
    """A number written in digits, words or both: ``"ninety"`` -> 90, ``"one hundred"`` -> 100,
    ``"1,000"`` -> 1000, ``"2.5 million"`` -> 2500000, ``"a hundred"`` -> 100. ``None`` if it is not one."""
    text = text.strip().lower()
    if not text:
        return None
    value = _digits(text)
    if value is not None:
        return _tidy(value)
    total, current, seen, last = 0.0, 0.0, False, ""
    words = [w for w in re.split(r"[\s-]+", text) if w and w != "and"]
    for i, word in enumerate(words):
        if word in ("a", "an") and i + 1 < len(words) and words[i + 1] in _SCALES:
            current, seen = 1, True
            continue
        number = _digits(word)
        kind = "unit" if word in _UNITS else "tens" if word in _TENS else word
        if kind in ("unit", "tens") and last in ("unit", "digits") or kind == "tens" and last == "tens":
            return None  # "two three", "five twenty": a list or a range, not one number
        last = "digits" if number is not None else kind
        if number is not None:
            current += number
        elif word in _UNITS or word in _TENS:
            current += _UNITS.get(word, _TENS.get(word, 0))
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return _tidy(total + current) if seen else None


def _with_duplicate(primary: str, duplicate: Optional[str]) -> dict[str, Any]:
    """'90 (ninety)': the bracketed form repeats the number; record a disagreement instead of guessing."""
    amount = parse_number(primary)
    out: dict[str, Any] = {"amount": amount}
    if duplicate:
        match = re.match(rf"\s*({NUM})", duplicate)
        other = parse_number(match.group(1)) if match else None
        if other is not None and amount is not None and other != amount:
            out["conflict"] = [amount, other]
        if amount is None:
            out["amount"] = other
    return out


def _singular(word: str) -> str:
    low = word.lower()
    if low.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(sses|shes|ches|xes)$", low):
        return word[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(word) > 2:
        return word[:-1]
    return word


# ---------------------------------------------------------------------------
# Normalisers: span text in, JSON-ready dict out. Pure functions (no spaCy).
# ---------------------------------------------------------------------------

_TIME_UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "hour": "H", "minute": "M", "second": "S"}
_ISO_FIELDS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "S": "second"}


def iso_duration(amount: Union[int, float], unit: str) -> str:
    """ISO 8601 duration: (90, "day") -> "P90D", (24, "hour") -> "PT24H"."""
    code = _TIME_UNITS[unit]
    number = _tidy(amount)
    return f"PT{number}{code}" if unit in ("hour", "minute", "second") else f"P{number}{code}"


def _parse_iso(text: str) -> Optional[dict[str, Any]]:
    match = re.fullmatch(
        r"P(?:(?P<Y>[\d.,]+)Y)?(?:(?P<M>[\d.,]+)M)?(?:(?P<W>[\d.,]+)W)?(?:(?P<D>[\d.,]+)D)?"
        r"(?:T(?:(?P<H>[\d.,]+)H)?(?:(?P<TM>[\d.,]+)M)?(?:(?P<S>[\d.,]+)S)?)?",
        text,
    )
    if not match or text in ("P", "PT"):
        return None
    parts = {k: v for k, v in match.groupdict().items() if v}
    if not parts:
        return None
    out: dict[str, Any] = {"iso": text}
    if len(parts) == 1:
        key, raw = next(iter(parts.items()))
        out["amount"] = _tidy(float(raw.replace(",", ".")))
        out["unit"] = "minute" if key == "TM" else _ISO_FIELDS[key]
    else:
        out["parts"] = {("minute" if k == "TM" else _ISO_FIELDS[k]): _tidy(float(v.replace(",", "."))) for k, v in parts.items()}
    return out


def normalize_duration(text: str) -> Optional[dict[str, Any]]:
    """``"90 (ninety) days"`` -> {amount 90, unit "day", iso "P90D"}; ``"three business days"`` adds
    ``business: True``; ``"30 to 60 days"`` -> {min 30, max 60, ...}; an ISO 8601 string is read back."""
    text = " ".join(text.split())
    iso = _parse_iso(text)
    if iso:
        return iso
    unit_re = r"(?P<unit>days?|weeks?|months?|years?|hours?|minutes?|seconds?)"
    kind_re = r"(?:(?P<kind>business|working|calendar|consecutive)\s+)?"
    one = re.fullmatch(rf"(?P<amount>{NUM})(?:\s*\(\s*(?P<dup>{NUM})\s*\))?(?:\s+|-){kind_re}{unit_re}", text, re.I)
    if one and parse_number(one.group("amount")) is None:
        one = None  # "two-three weeks" is a range, "twenty-four hours" a number
    rng = None if one else re.fullmatch(
        rf"(?:between\s+)?(?P<min>{NUM})\s*(?:-|–|—|to|through|and)\s*(?P<max>{NUM})\s+{kind_re}{unit_re}", text, re.I)
    if not (rng or one):
        return None
    match = one or rng
    unit = _singular(match.group("unit").lower())
    out: dict[str, Any] = {}
    if rng:
        low, high = parse_number(rng.group("min")), parse_number(rng.group("max"))
        out.update({"amount": None, "min": low, "max": high, "unit": unit})
        if low is not None and high is not None:
            out["iso_range"] = [iso_duration(low, unit), iso_duration(high, unit)]
    else:
        out.update(_with_duplicate(one.group("amount"), one.group("dup")))
        out["unit"] = unit
        if out["amount"] is not None:
            out["iso"] = iso_duration(out["amount"], unit)
    kind = (match.group("kind") or "").lower()
    if kind in ("business", "working"):
        out["business"] = True
    return out


_CURRENCIES = {
    "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR", "usd": "USD", "$": "USD", "us$": "USD",
    "dollar": "USD", "dollars": "USD", "us dollar": "USD", "us dollars": "USD", "dkk": "DKK", "kroner": "DKK",
    "danish kroner": "DKK", "gbp": "GBP", "£": "GBP", "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP",
    "sek": "SEK", "nok": "NOK", "chf": "CHF", "jpy": "JPY", "cad": "CAD", "aud": "AUD",
}


def normalize_money(text: str) -> Optional[dict[str, Any]]:
    """``"EUR 100 (one hundred Euro)"`` -> {currency "EUR", amount 100}; ``"$1,000"`` -> USD 1000;
    ``"2.5 million euros"`` -> EUR 2500000."""
    text = " ".join(text.split())
    cur = r"(?P<cur>EUR|USD|DKK|GBP|SEK|NOK|CHF|JPY|CAD|AUD|US\$|\$|€|£|euros?|(?:US\s)?dollars?|pounds(?: sterling)?|(?:Danish\s)?kroner)"
    amount = rf"(?P<amount>{AMOUNT}|{WORDNUM})(?:\s(?P<scale>million|thousand|billion))?"
    dup = r"(?:\s*\(\s*(?P<dup>[^()]*)\))?"
    match = re.fullmatch(rf"{cur}\s?{amount}{dup}", text, re.I) or re.fullmatch(rf"{amount}\s?{cur}{dup}", text, re.I)
    if not match:
        return None
    out = _with_duplicate(match.group("amount"), match.group("dup"))
    if out["amount"] is not None and match.group("scale"):
        out["amount"] = _tidy(out["amount"] * _SCALES[match.group("scale").lower()])
        out.pop("conflict", None)
    return {"currency": _CURRENCIES[match.group("cur").lower()], **out}


_BOUNDS = {
    "up to": "max", "no more than": "max", "not more than": "max", "at most": "max", "a maximum of": "max",
    "maximum of": "max", "as many": "max", "more than": "min_exclusive", "over": "min_exclusive",
    "in excess of": "min_exclusive", "exceeding": "min_exclusive", "at least": "min", "no less than": "min",
    "not less than": "min", "no fewer than": "min", "a minimum of": "min", "minimum of": "min",
    "less than": "max_exclusive", "fewer than": "max_exclusive", "under": "max_exclusive", "between": "range",
    "unrestricted": "unlimited", "unlimited": "unlimited", "infinite": "unlimited", "indefinite": "unlimited",
    "or more": "min", "or fewer": "max", "or less": "max",
}

#: Words that end a counted noun phrase although they are not stop words.
_NP_STOP = {
    "apply", "applies", "count", "counts", "require", "requires", "include", "includes", "exist", "exists",
    "remain", "remains", "need", "needs", "cover", "covers", "support", "supports", "run", "runs",
    "designated", "connected", "running", "using", "following", "below", "above", "hereunder", "thereof",
}
_TIME_WORDS = {"day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute",
               "minutes", "second", "seconds"}
_MONEY_WORDS = {"euro", "euros", "dollar", "dollars", "pound", "pounds", "eur", "usd", "dkk", "gbp", "kroner"}
#: Last words that make "<number> <Words>" an address or a citation, not a count ("380 New York Street").
_NOT_UNITS = {"street", "st", "avenue", "road", "boulevard", "drive", "suite", "floor", "lane", "way"}
_NP_WORD = re.compile(r"[A-Za-z0-9][\w+®™º]*(?:-[\w+®™º]+)*")


def _np_end(text: str, pos: int, allow_per: bool = True) -> Optional[int]:
    """End of the counted noun phrase that starts at ``pos``: leading participles ("enabled"), then up to
    six words that are not stop words, verbs or time/currency words; then an optional "per <noun phrase>"."""
    end, words, i = None, 0, pos
    leading = True
    while words < 7:
        match = _NP_WORD.match(text, i)
        if not match:
            break
        word = match.group()
        low = word.lower()
        is_participle = low.endswith("ed") and word.islower()
        if leading and is_participle and low not in _NP_STOP - {"designated", "connected"}:
            pass
        elif low in STOP_WORDS or low in _NP_STOP or low in _NUMBER_WORDS or re.fullmatch(r"[\d.,]+", word) \
                or (word.islower() and (low.endswith("ing") or is_participle)):
            break
        else:
            if low in _TIME_WORDS or low in _MONEY_WORDS:
                return None
            leading = False
            end = match.end()
            words += 1
        i = match.end()
        nxt = re.match(r" (?=\S)", text[i:])
        if not nxt:
            break
        i += 1
    if end is None:
        return None
    phrase = text[pos:end].split()
    if phrase[-1].lower() in _NOT_UNITS or (len(phrase) == 1 and phrase[0].isupper() and len(phrase[0]) <= 3):
        return None  # "380 New York Street", "41 USC", "48 C(.F.R.)"
    if allow_per:
        per = re.match(r"\s+per\s+", text[end:])
        if per:
            per_end = _np_end(text, end + per.end(), allow_per=False)
            if per_end:
                return per_end
    return end


#: Words that describe the state of what is counted, not what it is: "one device license per *enabled*
#: video channel" counts video channels. ("named user" keeps "named": it is a kind of licence.)
_STATE_WORDS = {"enabled", "connected", "activated", "attached", "installed", "registered", "used", "licensed",
                "supported", "purchased", "deployed", "designated", "additional", "separate", "active"}


def _unit(phrase: str, keep: Iterable[str] = ()) -> str:
    words = phrase.split()
    if " ".join(words).lower() not in {k.lower() for k in keep}:
        while len(words) > 1 and words[0] in _STATE_WORDS:
            words = words[1:]
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def normalize_limit(text: str, keep_units: Iterable[str] = ()) -> Optional[dict[str, Any]]:
    """``"one (1) computer"`` -> {amount 1, unit "computer", bound "exact"}; ``"unlimited number of
    computers"`` -> {bound "unlimited"}; ``"up to 16 connected analog cameras"`` -> {16, "max", "analog
    camera"}; ``"one device license per enabled video channel"`` adds per "video channel".
    ``keep_units`` are phrases kept whole (defined terms such as "designated system")."""
    text = " ".join(text.split())
    head = None
    for pattern in _limit_heads():
        match = pattern.match(text)
        if match and (head is None or match.end() > head.end()):
            head = match
    if head is None:
        return None
    groups = {k: v for k, v in head.groupdict().items() if v}
    rest = text[head.end():].strip()
    bound = _BOUNDS.get(" ".join(groups.get("bound", "").lower().split()), "exact")
    if groups.get("orbound"):
        bound = _BOUNDS[" ".join(groups["orbound"].lower().split())]
    out: dict[str, Any] = {"amount": None, "bound": bound}
    if "amount" in groups:
        out.update(_with_duplicate(groups["amount"], groups.get("dup")))
    if groups.get("max"):
        out.update({"bound": "range", "min": out["amount"], "max": parse_number(groups["max"]), "amount": None})
    if groups.get("pct"):
        out["unit"] = "percent"
        rest = ""
    if rest:
        unit, _, per = rest.partition(" per ")
        out["unit"] = _unit(unit, keep_units)
        if per:
            out["per"] = _unit(per, keep_units)
    elif "unit" not in out:
        return None
    return out


_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}


def normalize_date(text: str) -> Optional[dict[str, Any]]:
    """``"June 12, 2024"`` / ``"12 June 2024"`` / ``"2024-06-12"`` / ``"06/12/2024"`` -> {date "2024-06-12"};
    ``"date of your purchase"`` -> {anchor "purchase"} (a date fixed by an event, not the calendar)."""
    text = " ".join(text.split())
    anchored = re.fullmatch(r"(?i:date)\s+of\s+(?:(?:your|the|this|its|such|their|first)\s+)*(?P<anchor>[a-z][a-z-]+)", text)
    if anchored:
        return {"anchor": anchored.group("anchor")}
    for pattern in (
        r"(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>[A-Za-z]+),?\s+(?P<year>\d{4})",
        r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})",
        r"(?P<mon>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})",
    ):
        match = re.fullmatch(pattern, text)
        if not match:
            continue
        parts = match.groupdict()
        month = _MONTHS.get((parts.get("month") or "").lower()) or int(parts.get("mon") or 0)
        day, year = int(parts["day"]), int(parts["year"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return {"date": f"{year:04d}-{month:02d}-{day:02d}"}
    return None


def normalize_version(text: str) -> Optional[dict[str, Any]]:
    """``"version 2022 R2"`` / ``"R1 2022 version"`` -> {version "2022 R2"/"2022 R1", year, release};
    ``"2024 versions"`` -> {version "2024"}; ``"version 2.1"`` -> {version "2.1"};
    ``"SQL Server 2022"`` -> {version "2022", year 2022, product "SQL Server"}."""
    text = " ".join(text.split())
    year = re.search(r"\b((?:19|20)\d\d)\b", text)
    release = re.search(r"\bR(\d{1,2})\b", text)
    if year:
        out: dict[str, Any] = {"year": int(year.group(1))}
        product = text[: year.start()].strip()
        if product[:1].isupper() and not re.search(r"(?i)\b(?:versions?|R\d{1,2})\b", product):
            out["product"] = product
        if release:
            out["release"] = int(release.group(1))
            out["version"] = f"{year.group(1)} R{release.group(1)}"
        else:
            out["version"] = year.group(1)
        return {"version": out.pop("version"), **out}
    dotted = re.search(r"\d+(?:\.\d+)+", text)
    return {"version": dotted.group()} if dotted else None


def normalize_url(text: str) -> dict[str, Any]:
    """The address without the white space a line break left in it, and its host."""
    url = re.sub(r"\s+", "", text)
    host = re.sub(r"^[a-z]+://", "", url, flags=re.I).split("/")[0].lower()
    return {"url": url, "host": host}


# ---------------------------------------------------------------------------
# Pattern data
# ---------------------------------------------------------------------------


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    with (PATTERNS / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _expand(pattern: str) -> str:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return pattern


@lru_cache(maxsize=1)
def _regex_patterns() -> tuple[tuple[dict[str, Any], re.Pattern, Optional[re.Pattern]], ...]:
    """(row, pattern, cheap pre-check): ``needs`` is a simple regex a text must contain for the full
    pattern to be worth running (no time word, no DURATION)."""
    return tuple(
        (row, re.compile(_expand(row["pattern"])), re.compile(row["needs"]) if row.get("needs") else None)
        for row in _read_jsonl("regex.jsonl")
    )


@lru_cache(maxsize=1)
def _limit_heads() -> tuple[re.Pattern, ...]:
    return tuple(p for row, p, _ in _regex_patterns() if row["label"] == "LIMIT")


# ---------------------------------------------------------------------------
# Components (registered the spaCy way; patterns from data files)
# ---------------------------------------------------------------------------


def _split_at(doc: Doc, offsets: Iterable[int]) -> None:
    """Split tokens so every offset falls on a token boundary: a match's edge may sit inside a token
    ("…/supported-devices.The" is one token to the tokenizer but a URL, a full stop and a word)."""
    cuts: dict[int, set[int]] = {}
    for offset in offsets:
        token = _token_at(doc, offset)
        if token is not None and token.idx < offset < token.idx + len(token):
            cuts.setdefault(token.i, set()).add(offset - token.idx)
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for i, points in cuts.items():
            token = doc[i]
            edges = [0, *sorted(points), len(token.text)]
            orths = [token.text[a:b] for a, b in zip(edges, edges[1:])]
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


def _text(doc: Doc) -> str:
    """``doc.text`` rebuilds the string from every token on each access; keep it once per doc."""
    text = doc.user_data.get("eula_text")
    if text is None:
        text = doc.user_data["eula_text"] = doc.text
    return text


def _token_at(doc: Doc, offset: int):
    lo, hi = 0, len(doc) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        token = doc[mid]
        if offset < token.idx:
            hi = mid - 1
        elif offset >= token.idx + len(token):
            lo = mid + 1
        else:
            return token
    return None


def _add_span(doc: Doc, label: str, start: int, end: int) -> Optional[Span]:
    span = doc.char_span(start, end, label=label)
    if span is None:
        return None
    doc.spans.setdefault(label, [])
    doc.spans[label].append(span)
    return span


_URL_TAIL = re.compile(r"[.,;:!?'’”)\]]+$")
_NUMERIC = {"DURATION", "MONEY", "VERSION", "DATE", "XREF", "URL"}


class RegexTagger:
    """Character-level patterns (``regex.jsonl``): URL, MONEY, DURATION, VERSION, DATE, LIMIT, XREF,
    DEFINITION. A LIMIT pattern matches the quantity; the counted noun phrase is then read word by word
    (``_np_end``) because where it stops ("computers | designated as ...") is not a regular language."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = _text(doc)
        found: list[tuple[str, int, int]] = []
        present: dict[re.Pattern, bool] = {}
        for row, pattern, needs in _regex_patterns():
            label = row["label"]
            if needs is not None:
                if needs not in present:
                    present[needs] = needs.search(text) is not None
                if not present[needs]:
                    continue
            for match in pattern.finditer(text):
                start, end = match.span(row.get("span", 0))
                if row.get("trim") == "url":
                    cut = re.search(r"\.(?=[A-Z][a-z])", text[start:end])
                    if cut and "/" in text[start:start + cut.start()]:
                        end = start + cut.start()
                    end = start + len(_URL_TAIL.sub("", text[start:end]))
                if row.get("np"):
                    if match.group("pct") if "pct" in pattern.groupindex else False:
                        end = len(text[:end].rstrip())
                    else:
                        np_end = _np_end(text, end)
                        if np_end is None or (start > 0 and _is_name_number(text, start)):
                            continue
                        amount = match.groupdict().get("amount") or ""
                        if re.fullmatch(r"(?:19|20)\d\d", amount) and text[end:end + 1].isupper():
                            continue  # "2007 Microsoft Office System": a year in a name
                        end = np_end
                if label == "DEFINITION":
                    end = start + len(text[start:end].rstrip("’' "))
                while end > start and text[end - 1].isspace():
                    end -= 1
                near = row.get("unless_near")
                if near and re.search(near, text[max(0, start - 60):end + 60]):
                    continue  # "Section 12.212 of 48 C.F.R.": someone else's section
                if end > start:
                    found.append((label, start, end))
        numeric = [(s, e) for label, s, e in found if label in _NUMERIC]
        found = [
            (label, s, e) for label, s, e in found
            if label != "LIMIT" or not any(s < ne and ns < e for ns, ne in numeric)
        ]
        _split_at(doc, {o for _, s, e in found for o in (s, e)})
        for label, start, end in found:
            _add_span(doc, label, start, end)
        return doc


def _is_name_number(text: str, start: int) -> bool:
    """"SQL Server 2022 Express Edition", "Windows 10 devices": a number right after a capitalised word
    is part of a name, not a count."""
    before = re.search(r"(\S+)\s+$", text[max(0, start - 40):start])
    return bool(before and before.group(1)[:1].isupper() and before.group(1).isalpha()
                and before.group(1).lower() not in STOP_WORDS)


@Language.factory("eula_regex")
def make_regex_tagger(nlp: Language, name: str) -> RegexTagger:
    return RegexTagger(nlp, name)


class RuleTagger:
    """ORG, LAW and COURT from ``rules.jsonl``: names as phrases (``PhraseMatcher``), shapes as token
    patterns (``Matcher``) such as "<Capitalised words> Court of <Place>" or "<Name>, Inc.".

    Token patterns are anchored on their keyword ("Court", "Inc.", "Declaration"); the capitalised
    words of the name before the keyword are taken here (pattern id ``extend_left:<min words>``),
    because a leading "one or more capitalised tokens" would start a partial match at every
    capitalised token of every clause. For the same reason the ``Matcher`` only runs on texts that
    contain one of the anchors at all. A bracketed acronym after an organisation is an ORG too
    ("Office of Foreign Assets Control (OFAC)"); a leading article is dropped."""

    def __init__(self, nlp: Language, name: str):
        self.phrases = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.matcher = Matcher(nlp.vocab)
        anchors: dict[str, set[int]] = {"ORTH": set(), "LOWER": set()}
        for n, row in enumerate(_read_jsonl("rules.jsonl")):
            key = f"{row['label']}|{row.get('id', '')}|{n}"
            if isinstance(row["pattern"], str):
                self.phrases.add(key, [nlp.make_doc(row["pattern"])])
                continue
            self.matcher.add(key, [row["pattern"]])
            first = row["pattern"][0]
            for attr in ("ORTH", "LOWER"):
                values = first.get(attr)
                if values is not None:
                    values = values["IN"] if isinstance(values, dict) else [values]
                    anchors[attr].update(nlp.vocab.strings.add(v) for v in values)
        self.anchors = {attr: np.array(sorted(ids), dtype="uint64") for attr, ids in anchors.items()}

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.phrases(doc))
        if len(doc):
            table = doc.to_array(["ORTH", "LOWER"])
            if np.isin(table[:, 0], self.anchors["ORTH"]).any() or np.isin(table[:, 1], self.anchors["LOWER"]).any():
                matches += self.matcher(doc)
        for match_id, start, end in matches:
            label, span_id, _ = doc.vocab.strings[match_id].split("|")
            if span_id.startswith("extend_left:"):
                need, span_id, anchor = int(span_id.split(":")[1]), "", start
                if start > 1 and doc[start - 1].text == "," and _capitalised(doc[start - 2], glued=True):
                    start -= 2
                while start > 0 and _capitalised(doc[start - 1]):
                    start -= 1
                if anchor - start < need:
                    continue
            while start < end and doc[start].lower_ in ("the", "a", "an"):
                start += 1
            if start >= end:
                continue
            span = Span(doc, start, end, label=label, span_id=span_id)
            doc.spans.setdefault(label, [])
            doc.spans[label].append(span)
            if label == "ORG" and end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" \
                    and doc[end + 1].is_upper and len(doc[end + 1]) > 1:
                doc.spans["ORG"].append(Span(doc, end + 1, end + 2, label="ORG", span_id=span_id or span.text))
        return doc


def _capitalised(token, glued: bool = False) -> bool:
    """A word of a proper name: capitalised, not a function word, followed by a space (or a comma)."""
    return bool(token.text[:1].isupper() and (token.whitespace_ or glued) and token.lower_ not in STOP_WORDS
                and not token.is_punct)


@Language.factory("eula_rules")
def make_rule_tagger(nlp: Language, name: str) -> RuleTagger:
    return RuleTagger(nlp, name)


class ModalityTagger:
    """The deontic force of a clause: ``permission`` ("may"), ``obligation`` ("must", "shall", "you agree"),
    ``prohibition`` ("may not", "shall not"), ``restriction`` ("may only"), ``disclaimer`` ("disclaims",
    "as is", "no liability"). Fixed phrases come from ``modality.jsonl``; a modal verb is read with what
    follows it, skipping asides ("may, with the exceptions stated in paragraph 6 below, only be ...")."""

    def __init__(self, nlp: Language, name: str):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        #: cue key -> (word that must come earlier, how many tokens back): "liability ... shall be limited"
        self.context: dict[str, tuple[str, int]] = {}
        for n, row in enumerate(_read_jsonl("modality.jsonl")):
            key = f"{row['label']}:{n}"
            self.matcher.add(key, list(nlp.tokenizer.pipe(row["phrases"])))
            if row.get("after"):
                self.context[key] = (row["after"], row.get("window", 20))
        config = json.loads((PATTERNS / "modality.json").read_text(encoding="utf-8"))
        self.modals: dict[str, str] = config["modals"]
        self.negations = set(config["negations"])
        self.restrictive = set(config["restrictive"])
        self.skip = set(config["skip_after_modal"])
        self.epistemic = set(config["epistemic_verbs"])
        self.epistemic_after_be = set(config["epistemic_after_be"])
        self.relative = set(config["relative_markers"])
        self.declarative = set(config["declarative_after_be"])
        self.complement_heads = set(config["complement_heads"])
        self.definitional = set(config["definitional_verbs"])

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, str]] = []
        cues = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key in self.context:
                word, window = self.context[key]
                if word not in {t.lower_ for t in doc[max(0, start - window):start]}:
                    continue
            cues.append(Span(doc, start, end, label=key.split(":")[0]))
        cues = filter_spans(cues)
        covered = {i for span in cues for i in range(span.start, span.end)}
        found.extend((span.start, span.label_) for span in cues)
        for token in doc:
            kind = self.modals.get(token.lower_)
            if kind is None or token.i in covered:
                continue
            reading = self._read_modal(doc, token.i, kind)
            if reading:
                found.append((token.i, reading))
        seen: list[str] = []
        for _, kind in sorted(found):
            if kind not in seen:
                seen.append(kind)
        doc._.modality = seen
        return doc

    def _read_modal(self, doc: Doc, i: int, kind: str) -> Optional[str]:
        window = doc[max(0, i - 3):i]
        if any(t.is_punct for t in window):
            window = window[-1:]
        for t in window:
            # "software updates that Microsoft may release" is not what the clause grants or requires;
            # "you acknowledge the requirement that the Product may only be used" is
            if t.lower_ in self.relative and not (t.i > 0 and doc[t.i - 1].lower_ in self.complement_heads):
                return None
        j = i + 1
        while j < len(doc):
            token = doc[j]
            if token.text == ",":
                close = next((k for k in range(j + 1, min(len(doc), j + 30)) if doc[k].text == ","), None)
                if close is None:
                    break
                j = close + 1
            elif token.lower_ in self.skip:
                j += 1
            else:
                break
        if j >= len(doc):
            return None
        word = doc[j].lower_
        if word == "be" and j + 1 < len(doc) and doc[j + 1].lower_ in self.declarative:
            return None  # "the forum shall be the City Court": a stipulation, not a duty
        if kind == "obligation" and word in self.definitional:
            return None  # "“designated system” shall mean ...": a definition
        if word in self.negations:
            if kind == "permission" and self._epistemic(doc, j + 1):
                return None
            return "prohibition"
        if word in self.restrictive:
            return "restriction"
        if kind == "permission" and self._epistemic(doc, j):
            return None
        return kind

    def _epistemic(self, doc: Doc, j: int) -> bool:
        """"may contain errors", "may not be fully functional": possibility, not permission."""
        if j >= len(doc):
            return False
        word = doc[j].lower_
        if word in self.epistemic:
            return True
        if word == "be" and j + 1 < len(doc):
            k = j + 1
            while k + 1 < len(doc) and doc[k].lower_.endswith("ly") and doc[k].lower_ not in self.epistemic_after_be:
                k += 1  # "may be remotely operated"
            nxt = doc[k].lower_
            return nxt in self.epistemic_after_be or (not nxt.endswith(("ed", "en", "wn", "ld", "nt")) and nxt not in (
                "run", "made", "sold", "given", "held", "done", "built", "taken", "granted", "installed", "used"))
        return False


@Language.factory("eula_modality")
def make_modality_tagger(nlp: Language, name: str) -> ModalityTagger:
    return ModalityTagger(nlp, name)


# ---------------------------------------------------------------------------
# Document-dependent components: PRODUCT gazetteer and TERM uses
# ---------------------------------------------------------------------------

_MARKS = re.compile(r"[®™©º°]|\bTM\b")
_TM_TOKENS = {"®", "™", "©", "TM"}
_COMPANY_SUFFIX = re.compile(r"(?<!\w)(?:A/S|ApS|Inc\.?|Ltd\.?|LLC|GmbH|AG|AB|plc|Corp\.?|Corporation|Limited|S\.A\.|B\.V\.)$")


@dataclass
class Definition:
    term: str
    node_id: str
    node_index: int
    start: int
    end: int
    definition: str
    kind: str


_TRADEMARKS = re.compile(r"[®™©]|\bTM\b")


def _clean_name(name: str, vendor: Optional[str]) -> str:
    """Heading -> gazetteer name: trade marks and the vendor go ("360º" stays: the text spells it so)."""
    name = " ".join(_TRADEMARKS.sub(" ", name).split())
    if vendor and name.startswith(vendor + " "):
        name = name[len(vendor) + 1:]
    return name


def _vendor(document: Document) -> Optional[str]:
    """The licensor's name as it leads product headings: the first word that the node ids drop."""
    votes: dict[str, int] = {}
    for product in document.products:
        first = product.name.split()[0] if product.name.split() else ""
        clean = _MARKS.sub("", first)
        if clean and not product.id.split("/", 1)[1].startswith(slugify(clean)):
            votes[clean] = votes.get(clean, 0) + 1
    return max(votes, key=votes.get) if votes else None


def _is_name_token(token) -> bool:
    text = token.text
    if text in _TM_TOKENS or text == "+":
        return True
    if token.lower_ in STOP_WORDS:
        return False
    return bool(text[:1].isupper() or (re.search(r"\d", text) and re.fullmatch(r"[\w+º]+", text) and not text.isdigit()))


class ProductTagger:
    """PRODUCT mentions, from a gazetteer built out of the parsed document (see ``configure``) plus runs led
    by one of the document's product brands ("XProtect Essential+", "Milestone Husky NVR")."""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.matcher: Optional[PhraseMatcher] = None
        self.marked: set[tuple[str, str]] = set()
        self.entries: dict[str, dict[tuple[str, ...], Optional[str]]] = {"product": {}, "group": {}, "other": {}}
        self.brands: set[str] = set()
        self.vendor: Optional[str] = None

    # -- gazetteer -----------------------------------------------------------
    def _key(self, text: str) -> tuple[str, ...]:
        return tuple(t.lower_ for t in self.nlp.make_doc(text) if t.text not in _TM_TOKENS)

    def configure(self, document: Document, definitions: list[Definition]) -> None:
        """Gazetteer: every product and group heading without the vendor and trade marks, a product's
        distinctive short form (heading cut at its first lower-case word: "Husky IVO"), brackets a
        product's own intro puts after its name ("(Milestone Software Development Kit Tools)"), and
        defined terms whose definition names a product ("Download Manager", "MIP SDK")."""
        self.vendor = _vendor(document)
        self.entries = {"product": {}, "group": {}, "other": {}}
        #: (word, mark) pairs the document writes ("XProtect®", "IVO™"): the only places a name needs a variant
        self.marked = {(m.group(1).lower(), m.group(2)) for node in document.nodes()
                       for m in re.finditer(r"(\S+?)\s?([®™])", node.text)}
        firsts: dict[str, int] = {}
        for group in document.groups:
            clean = _clean_name(group.name, self.vendor)
            if clean:
                self.entries["group"][self._key(clean)] = group.id
                firsts[clean.split()[0]] = firsts.get(clean.split()[0], 0) + 1
            for product in group.products:
                clean = _clean_name(product.name, self.vendor)
                if not clean:
                    continue
                self.entries["product"][self._key(clean)] = product.id
                words = clean.split()
                firsts[words[0]] = firsts.get(words[0], 0) + 1
                cut = next((k for k, w in enumerate(words) if w.islower() and w not in STOP_WORDS), None)
                if cut and cut >= 2:
                    self.entries["product"].setdefault(self._key(" ".join(words[:cut])), product.id)
        self.brands = {w for w, n in firsts.items() if n >= 2 and w[:1].isupper()}
        self._build()
        for product in document.products:
            self._aliases(product)
        for definition in definitions:
            target = self._names_product(definition.definition)
            if target is not False:
                self.entries["other"].setdefault(self._key(definition.term), target)
                if target is None:
                    self.entries["other"].setdefault(self._key(_clean_name(definition.definition, self.vendor)), None)
        self._build()

    def _names_product(self, definiens: str):
        """Target id if the definition names a product; ``None`` for a vendor-named thing without a
        section ("Milestone Integration Platform Software Development Kit"); ``False`` if no product."""
        doc = self.nlp.make_doc(definiens)
        spans = self._candidates(doc)
        if spans:
            return max(spans, key=len).kb_id_ or None
        words = definiens.split()
        if self.vendor and len(words) >= 2 and words[0] == self.vendor and not _COMPANY_SUFFIX.search(definiens) \
                and all(w[:1].isupper() for w in words):
            return None
        return False

    def _aliases(self, product) -> None:
        doc = self.nlp.make_doc(product.text)
        for span in self._candidates(doc):
            if span.kb_id_ != product.id:
                continue
            match = re.match(r"\s*\(((?:[A-Z][\w+-]*\s?)+)\)", product.text[span.end_char:])
            if match:
                self.entries["product"].setdefault(self._key(_clean_name(match.group(1).strip(), self.vendor)), product.id)

    def _build(self) -> None:
        """One ``PhraseMatcher`` over lower-case tokens. Headings carry trade marks the running text
        usually drops ("XProtect® VMS" / "XProtect VMS") and the vendor name comes and goes, so each
        name is added as it is, with a mark after any one word, with a plural last word and with the
        vendor in front."""
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.targets: dict[str, Optional[str]] = {}
        for kind, entries in self.entries.items():
            for n, (key, target) in enumerate(entries.items()):
                if not key:
                    continue
                name = f"{kind}:{n}"
                self.targets[name] = target
                forms = [list(key)]
                if key[-1][-1:].isalpha():
                    forms.append([*key[:-1], key[-1] + "s"])
                marked = [f[: k + 1] + [mark] + f[k + 1:] for f in forms for k in range(len(f))
                          for mark in ("®", "™") if (f[k], mark) in self.marked]
                forms += marked
                if self.vendor:
                    forms += [[self.vendor.lower(), *f] for f in forms]
                self.matcher.add(name, [Doc(self.nlp.vocab, words=f) for f in forms])

    # -- tagging -------------------------------------------------------------
    def _lookup(self, tokens: list[str]):
        """Target of a name: an exact product/group/defined-term entry, else the longest product whose
        name the mention starts with ("XProtect LPR Servers" -> XProtect LPR), else None."""
        key = tuple(tokens)
        singular = key[:-1] + (_singular(key[-1]),) if key else key
        for kind in ("product", "group", "other"):
            for candidate in (key, singular):
                if candidate in self.entries[kind]:
                    return self.entries[kind][candidate]
        for n in range(len(key) - 1, 0, -1):
            if key[:n] in self.entries["product"]:
                return self.entries["product"][key[:n]]
        return None

    def _candidates(self, doc: Doc) -> list[Span]:
        spans = []
        if self.matcher is not None:
            for match_id, start, end in self.matcher(doc):
                name = self.nlp.vocab.strings[match_id]
                spans.append((start, end, self.targets.get(name), 1))
        for token in doc:
            if token.text not in self.brands:
                continue
            start = token.i
            if start > 0 and doc[start - 1].text == self.vendor:
                start -= 1
            end = token.i + 1
            while end < len(doc):
                nxt = doc[end]
                glued = not doc[end - 1].whitespace_
                if nxt.text == "-" and glued and not nxt.whitespace_ and end + 1 < len(doc):
                    end += 2
                elif nxt.text.isdigit() and not nxt.whitespace_ and end + 1 < len(doc) and doc[end + 1].text.isalpha():
                    end += 2  # a model number the tokenizer split: "350" "T"
                elif _is_name_token(nxt) and (glued or nxt.text not in ("+",)):
                    end += 1
                else:
                    break
            words = [t.lower_ for t in doc[start:end] if t.text not in _TM_TOKENS and t.text != self.vendor]
            spans.append((start, end, self._lookup(words), 0))
        spans.sort(key=lambda s: (-(s[1] - s[0]), -s[3], s[0]))
        chosen: list[Span] = []
        taken: set[int] = set()
        for start, end, target, _ in spans:
            if taken.intersection(range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append(Span(doc, start, end, label="PRODUCT", kb_id=target or ""))
        return sorted(chosen, key=lambda s: s.start)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["PRODUCT"] = self._candidates(doc)
        return doc


@Language.factory("eula_products")
def make_product_tagger(nlp: Language, name: str) -> ProductTagger:
    return ProductTagger(nlp, name)


_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"|(?<!\w)‘[^‘’]*’(?!\w)")


class TermTagger:
    """Later uses of the document's defined terms (TERM, target = the defining node). Capitalised terms
    count everywhere; lower-case ones ("designated system") only after their definition in its node and
    in later clauses of the same product, where an ordinary word would otherwise be mistaken for them."""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.matcher: Optional[PhraseMatcher] = None
        self.definitions: dict[str, Definition] = {}
        self.nodes: list[tuple[str, Optional[str]]] = []

    def configure(self, definitions: list[Definition], nodes: list[tuple[str, Optional[str]]]) -> None:
        """``nodes``: (id, parent id) of every node, in the order the documents are tagged."""
        self.definitions, self.nodes = {}, nodes
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for definition in definitions:
            if definition.term in self.definitions or definition.term.lower() in STOP_WORDS:
                continue  # "You"/"Your" are defined in some agreements; tagging every "you" says nothing
            self.definitions[definition.term] = definition
            term = definition.term
            variants = {term, term + "s", term + "es" if re.search(r"(s|x|ch|sh)$", term) else term + "s"}
            if term.endswith("s"):
                variants.add(_singular(term))
            self.matcher.add(term, [self.nlp.make_doc(v) for v in variants])

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        if not self.matcher or not self.definitions:
            doc.spans["TERM"] = spans
            return doc
        index = doc.user_data.get("eula_node_index", -1)
        node_id, parent = self.nodes[index] if 0 <= index < len(self.nodes) else ("", None)
        raw = [(self.nlp.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        raw = [(t, s, e) for t, s, e in raw if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for _, s2, e2 in raw)]
        covered = {i for _, s, e in raw for i in range(s, e)}
        quoted = [m.span() for m in _QUOTED.finditer(_text(doc))]
        defined = [(s.start_char, s.end_char) for s in doc.spans.get("DEFINITION", [])]
        for term, start, end in raw:
            span = doc[start:end]
            definition = self.definitions[term]
            if any(a <= span.start_char and span.end_char <= b for a, b in quoted + defined):
                continue
            if (start > 0 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_) or \
                    (end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_):
                continue
            if term[:1].islower() and not self._in_scope(definition, index, node_id, parent, span.start_char):
                continue
            left, right = start, end
            while left > 0 and _is_name_token(doc[left - 1]) and doc[left - 1].whitespace_:
                left -= 1
            while right < len(doc) and _is_name_token(doc[right]) and doc[right - 1].whitespace_:
                right += 1
            if any(i not in covered for i in range(left, right)):
                continue
            if left >= 3 and doc[left - 2].text == "-" and not doc[left - 2].whitespace_ \
                    and not doc[left - 3].whitespace_ and doc[left - 3].text[:1].isupper():
                continue  # "End-user License Agreement": the term ends a longer hyphenated name
            spans.append(Span(doc, start, end, label="TERM", kb_id=definition.node_id, span_id=term))
        doc.spans["TERM"] = spans
        return doc

    def _in_scope(self, definition: Definition, index: int, node_id: str, parent: Optional[str], start: int) -> bool:
        if index == definition.node_index:
            return start >= definition.end
        def_parent = self.nodes[definition.node_index][1] if definition.node_index < len(self.nodes) else None
        return bool(parent and parent == def_parent and parent.startswith("product/") and index > definition.node_index)


@Language.factory("eula_terms")
def make_term_tagger(nlp: Language, name: str) -> TermTagger:
    return TermTagger(nlp, name)


class ModelCandidates:
    """ORG and LAW candidates from a trained English pipeline that happens to be installed, named by
    ``EULA_PARSE_SPACY_MODEL`` (e.g. ``en_core_web_sm``). Opt-in: it costs far more than the rules
    and its output differs between model versions; nothing requires it and nothing is downloaded."""

    def __init__(self, nlp: Language, name: str, model: str):
        self.model = spacy.load(model, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "textcat"])

    def __call__(self, doc: Doc) -> Doc:
        for ent in self.model(_text(doc)).ents:
            if ent.label_ in ("ORG", "LAW"):
                span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_, alignment_mode="contract")
                if span is not None:
                    doc.spans.setdefault(ent.label_, [])
                    doc.spans[ent.label_].append(span)
        return doc


@Language.factory("eula_model_candidates", default_config={"model": ""})
def make_model_candidates(nlp: Language, name: str, model: str) -> ModelCandidates:
    return ModelCandidates(nlp, name, model)


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------

_NLP: Optional[Language] = None
MODEL_ENV = "EULA_PARSE_SPACY_MODEL"


def build_nlp() -> Language:
    """A fresh pipeline: tokenizer + rule components only (no tagger/parser; nothing downloaded),
    plus ORG/LAW candidates from an installed trained pipeline if ``EULA_PARSE_SPACY_MODEL`` names one."""
    nlp = spacy.blank("en")
    nlp.add_pipe("eula_regex")
    nlp.add_pipe("eula_rules")
    model = os.environ.get(MODEL_ENV, "").strip()
    if model:
        if spacy.util.is_package(model):
            nlp.add_pipe("eula_model_candidates", config={"model": model})
        else:
            warnings.warn(f"{MODEL_ENV}={model!r} is not an installed spaCy pipeline; tagging with rules only")
    nlp.add_pipe("eula_modality")
    for name in DOCUMENT_PIPES:
        nlp.add_pipe(name)
    nlp.tokenizer = _TextKeepingTokenizer(nlp.tokenizer)
    return nlp


class _TextKeepingTokenizer:
    """The tokenizer, keeping each doc's text for :func:`_text` (performance only).

    ``doc.text`` joins every token's text on each access, which cost a fifth of
    tagging; the tokenizer already holds the string.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["eula_text"] = text
        return doc

    def pipe(self, texts, **kwargs):
        for text in texts:
            yield self(text)

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def get_nlp() -> Language:
    """The pipeline, built once per process."""
    global _NLP
    if _NLP is None:
        _NLP = build_nlp()
    return _NLP


# ---------------------------------------------------------------------------
# Cross-references
# ---------------------------------------------------------------------------


def _headings(document: Document) -> dict[str, str]:
    out: dict[str, str] = {}
    for section in document.all_sections():
        if section.heading:
            out.setdefault(slugify(section.heading.rstrip(".")), section.id)
        if section.number:
            out.setdefault(slugify(section.number), section.id)
    leads: dict[str, list[str]] = {}
    for product in document.products:
        out.setdefault(slugify(product.name), product.id)
        # the run-in opening of a product section ("Download, Installation and Use - for the ...") is its
        # title when no other product section opens the same way
        lead = re.match(r"(.{3,80}?)\s+[–-]\s+for\b", product.text)
        if lead:
            leads.setdefault(slugify(lead.group(1)), []).append(product.id)
    for slug, ids in leads.items():
        if len(ids) == 1:
            out.setdefault(slug, ids[0])
    return out


def resolve_xref(text: str, node_id: str, document: Document, parent_id: Optional[str] = None) -> Optional[Union[str, list[str]]]:
    """The node id(s) a reference names, or ``None``: "paragraphs 9 and 10 below" inside
    ``product/x/5`` -> ["product/x/9", "product/x/10"]; a quoted title -> the section with that heading
    (exact slug, else a close fuzzy match); "section 4.1" -> ``section/4.1``."""
    title = re.search(QTITLE, text)
    if title:
        wanted = slugify(title.group("title").rstrip("."))
        headings = _headings(document)
        if wanted in headings:
            return headings[wanted]
        from rapidfuzz import fuzz, process

        best = process.extractOne(wanted, list(headings), scorer=fuzz.ratio, score_cutoff=90)
        return headings[best[0]] if best else None
    alone = re.match(rf"(?i:sub-?(?:section|paragraph|clause)|paragraph|clause|item)s?\s+(?P<labels>{ITEM_REF})"
                     rf"(?:\s+of\s+(?i:section|paragraph|clause|article)\s+(?P<of>{REF}))?", text)
    if alone:  # "subsection (c)", "paragraph (a)(ii) of Section 4"
        labels = _labels(alone.group("labels"))
        if alone.group("of"):
            base = resolve_xref(f"Section {alone.group('of')}", node_id, document, parent_id)
            return _descend(base, labels, document) if isinstance(base, str) else None
        return _item_in_scope(labels, node_id, document)
    match = re.search(rf"(?i:(paragraph|section|clause|article))s?\s+(?P<refs>{REF}(?:\s*(?:,|and|or|&|to|through|-|–)\s*{REF})*)", text)
    if not match:
        return None
    refs = re.findall(r"(\d+(?:\.\d+)*)([a-z]?)((?:\s?\([a-z0-9]{1,4}\))*)", match.group("refs"))
    if re.search(r"\d\s*(?:to|through|-|–)\s*\d", match.group("refs")) and len(refs) == 2 and all(not (r[1] or r[2]) and r[0].isdigit() for r in refs):
        refs = [(str(n), "", "") for n in range(int(refs[0][0]), int(refs[1][0]) + 1)]
    targets = []
    for number, letter, labels in refs:
        candidates = []
        for ref in ([number + letter, number] if letter else [number]):
            if parent_id and parent_id.startswith("product/"):
                candidates.append(f"{parent_id}/{ref}")
            if node_id.startswith("product/") and node_id.count("/") == 1:
                candidates.append(f"{node_id}/{ref}")
            candidates.append(f"section/{ref}")
        found = next((c for c in candidates if document.get(c) is not None), None)
        if found is None:
            return None
        if letter and not found.endswith(letter):  # "4a": item a of clause 4
            labels = f"({letter}){labels}"
        targets.append(_descend(found, _labels(labels), document))
    if not targets:
        return None
    return targets[0] if len(targets) == 1 else targets


def _ref_values(text: str) -> list[str]:
    """The numbers a reference cites ("Sections 2.5(b) and 4" -> ["2.5", "4"]), or its item labels
    ("subsection (c)" -> ["(c)"]); ``target`` says which nodes they are."""
    return re.findall(r"\d+(?:\.\d+)*[a-z]?", text) or ["".join(f"({label})" for label in _labels(text))]


def _labels(text: str) -> list[str]:
    """ "(a)(ii)" -> ["a", "ii"]"""
    return re.findall(r"\(([a-z0-9]{1,4})\)", text or "")


def _descend(node_id: str, labels: list[str], document: Document) -> str:
    """The sub-item ``node_id/a/ii`` as deep as the document has it: "Section 2.5(b)" names item b of 2.5."""
    for label in labels:
        if document.get(f"{node_id}/{label}") is None:
            break
        node_id = f"{node_id}/{label}"
    return node_id


def _item_in_scope(labels: list[str], node_id: str, document: Document) -> Optional[str]:
    """"subsection (c)" names a sub-item of the node that mentions it, or of the nearest
    enclosing node that has such an item."""
    if not labels:
        return None
    scope: Optional[str] = node_id
    while scope:
        if document.get(f"{scope}/{labels[0]}") is not None:
            return _descend(scope, labels, document)
        parent = document.parent_of(scope)
        scope = parent.id if parent is not None and not parent.id.startswith("group/") else None
    return None


# ---------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------

_BACK_STOP = {"and", "for", "of", "as", "by", "with", "under", "in", "on", "to", "from", "where", "which", "that", "is", "are",
              "be", "was", "were", "between", "using", "via", "including", "called", "named"}
_LEADING = {"the", "this", "a", "an", "any", "such", "each", "its", "your", "our", "and", "or", "their"}


def _definiens(text: str, start: int, end: int) -> str:
    """What a defined term stands for: the phrase before "(“Term”)", or the text after "means"."""
    opening = text.rfind("(", 0, start)
    prefix = r"\(\s*(?:the\s+|hereinafter(?:\s+referred\s+to\s+as)?\s+|each\s+an?\s+|together\s+the\s+|collectively\s+)?[“\"]"
    if opening != -1 and re.fullmatch(prefix, text[opening:start]):
        pieces = re.split(r"[,;:()]|\.\s", text[:opening].rstrip())
        segment = pieces[-1]
        if _COMPANY_SUFFIX.fullmatch(segment.strip()) and len(pieces) > 1:
            segment = pieces[-2] + "," + segment  # "Environmental Systems Research Institute, Inc."
        words = segment.split()
        phrase: list[str] = []
        for word in reversed(words[-14:]):
            if word.lower() in _BACK_STOP:
                break
            phrase.insert(0, word)
        while phrase and phrase[0].lower() in _LEADING:
            phrase.pop(0)
        return " ".join(phrase)
    after = text[end:]
    verb = re.match(r"[’'”\"]*\s+(?:shall\s+mean|means|shall\s+include|includes?|refers?\s+to|shall\s+have\s+the\s+meaning)\s+", after)
    rest = after[verb.end():] if verb else after
    stop = re.search(r"[.;](?:\s|$)|,\s+where\b", rest)
    return rest[: stop.start() if stop else 300].strip()


def _collect_definitions(nodes: list[Node], docs: list[Doc]) -> list[Definition]:
    out = []
    for index, (node, doc) in enumerate(zip(nodes, docs)):
        for span in filter_spans(doc.spans.get("DEFINITION", [])):
            term = span.text.strip("’'\" ")
            if not term:
                continue
            text = _text(doc)
            kind = "parenthetical" if text.rfind("(", 0, span.start_char) > text.rfind(")", 0, span.start_char) else "inline"
            out.append(Definition(term, node.id, index, span.start_char, span.end_char,
                                  _definiens(text, span.start_char, span.end_char), kind))
    return out


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def _value(label: str, span: Span, keep_units: set[str]) -> Optional[dict[str, Any]]:
    text = span.text
    if label == "URL":
        return normalize_url(text)
    if label == "MONEY":
        return normalize_money(text)
    if label == "DURATION":
        return normalize_duration(text)
    if label == "LIMIT":
        return normalize_limit(text, keep_units)
    if label == "VERSION":
        return normalize_version(text)
    if label == "DATE":
        return normalize_date(text)
    if label == "LAW":
        if span.id_.startswith("jurisdiction:"):
            return {"jurisdiction": span.id_.split(":", 1)[1]}
        return {"name": span.id_ or " ".join(text.split())}
    if label in ("ORG", "COURT"):
        return {"name": span.id_ or " ".join(text.split())}
    if label == "TERM":
        return {"term": span.id_}
    return None


def tag_document(doc: Document) -> Document:
    """Fill ``entities`` and ``modality`` on every node of ``doc`` (in place) and return it.

    One ``nlp.pipe`` pass runs the context-free components over all node texts; the
    document-dependent ones (products, defined terms) then run over the same ``Doc`` objects.
    """
    with _LOCK:  # the document pass configures the shared pipeline for this document
        return _tag(doc)


_LOCK = threading.Lock()


def _tag(doc: Document) -> Document:
    nlp = get_nlp()
    nodes = list(doc.nodes())
    with nlp.select_pipes(disable=list(DOCUMENT_PIPES)):
        docs = list(nlp.pipe((node.text for node in nodes), batch_size=64))
    definitions = _collect_definitions(nodes, docs)
    parents = {node.id: parent.id for node, parent in doc.walk() if parent is not None}
    # A sub-item reads its references the way the clause or section it belongs to does.
    scope = {}
    for node in nodes:
        parent = parents.get(node.id)
        scope[node.id] = scope.get(parent, parent) if getattr(node, "kind", "") == "item" else node.id
    products: ProductTagger = nlp.get_pipe("eula_products")
    terms: TermTagger = nlp.get_pipe("eula_terms")
    products.configure(doc, definitions)
    terms.configure(definitions, [(node.id, parents.get(node.id)) for node in nodes])
    keep_units = {d.term for d in definitions}
    by_node = {}
    for d in definitions:
        by_node.setdefault((d.node_index, d.start), d)
    for index, (node, sdoc) in enumerate(zip(nodes, docs)):
        sdoc.user_data["eula_node_index"] = index
        products(sdoc)
        terms(sdoc)
        entities: list[Entity] = []
        for label in LABELS:
            for span in filter_spans(sdoc.spans.get(label, [])):
                if label == "ORG" and span.text in keep_units:
                    continue  # a party's defined short name ("Esri") is a TERM; its full name stays ORG
                value = _value(label, span, keep_units)
                target: Any = None
                if label == "XREF":
                    home = scope.get(node.id, node.id)
                    target = resolve_xref(span.text, home, doc, parents.get(home))
                    if target is None and home != node.id:
                        target = resolve_xref(span.text, node.id, doc, parents.get(node.id))
                    title = re.search(QTITLE, span.text)
                    value = {"title": title.group("title")} if title else {"refs": _ref_values(span.text)}
                elif label in ("PRODUCT", "TERM"):
                    target = span.kb_id_ or None
                elif label == "DEFINITION":
                    found = by_node.get((index, span.start_char))
                    value = {"term": found.term, "definition": found.definition} if found else {"term": span.text}
                entities.append(Entity(label, node.text[span.start_char:span.end_char], span.start_char, span.end_char,
                                       value, target))
        entities.sort(key=lambda e: (e.start, LABELS.index(e.label), -e.end))
        node.entities = entities
        node.modality = list(sdoc._.modality or [])
    return doc


@dataclass
class CheckReport:
    """What ``eula check`` reports: references that point nowhere and products without a section."""

    dangling: list[tuple[str, Entity]] = field(default_factory=list)
    undefined_products: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.dangling


def check_document(doc: Document) -> CheckReport:
    """Dangling cross-references and product names used without a section of their own (tags first
    if the document has not been tagged)."""
    if not any(node.entities for node in doc.nodes()):
        tag_document(doc)
    report = CheckReport()
    vendor = _vendor(doc)
    names: dict[str, str] = {}
    for node in doc.nodes():
        for entity in own_entities(node):  # what a sub-item says is reported once, on the sub-item
            if entity.label == "XREF" and not entity.target:
                report.dangling.append((node.id, entity))
            elif entity.label == "PRODUCT" and not entity.target:
                # one finding per product however it is written: "Milestone XProtect Management Client(s)"
                name = _clean_name(entity.text, vendor)
                key = " ".join(name.split()[:-1] + [_singular(name.split()[-1])]).lower() if name else ""
                shown = names.setdefault(key, name)
                report.undefined_products.setdefault(shown, [])
                if node.id not in report.undefined_products[shown]:
                    report.undefined_products[shown].append(node.id)
    return report
