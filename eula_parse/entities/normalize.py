"""Normalisers: the text of one tagged span in, a JSON-ready value out ("how many", "how long",
"how much", which date, which version, which address). Pure functions on strings (no spaCy objects)."""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Union

from spacy.lang.en.stop_words import STOP_WORDS

from eula_parse.entities.data import _limit_heads
from eula_parse.entities.numbers import _NUMBER_WORDS, _SCALES, AMOUNT, NUM, WORDNUM, _singular, _tidy, _with_duplicate, parse_number


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
