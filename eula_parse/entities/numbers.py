"""Numbers as agreements write them: digits, words ("ninety", "one hundred and twenty"), both
("90 (ninety)"), and the regex building blocks the pattern data refers to as ``{NUM}``, ``{REF}`` ..."""

from __future__ import annotations

import re
from typing import Any, Optional, Union

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



def _trie(words: list[str]) -> str:
    """An alternation of ``words`` written as a prefix tree: "e(?:ight(?:een|y)?|leven)" for "eight",
    "eighteen", "eighty", "eleven".

    Why: the matcher tries an alternation's branches one by one at every position it reaches, and a
    case-insensitive branch has no quick first-letter test; thirty-two number words cost thirty-two
    attempts at each word start of every text, a prefix tree about a dozen (the patterns using
    ``{NUM}`` and ``{WORDNUM}`` run about twice as fast). Only where a ``\\b`` follows, as in
    :data:`WORDNUM`, is it the same expression: then a match is the whole word, so which branch comes
    first cannot change it."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here and longer ones go on
            body = (body if body.startswith("(?:") else f"(?:{body})") + "?"
        return body

    return emit(tree)


_WORD = "(?:" + _trie(list(_NUMBER_WORDS)) + ")"
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
