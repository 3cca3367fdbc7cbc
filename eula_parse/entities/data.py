"""The rule data in ``eula_parse/patterns/``, read and compiled once per process."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from eula_parse.entities.numbers import _PLACEHOLDERS
from eula_parse.entities.prefilter import Hint, required_words

#: ``eula_parse/patterns/``: kept beside the package, as data (shipped through package-data).
PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    with (PATTERNS / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _expand(pattern: str) -> str:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return pattern


@dataclass
class RegexRow:
    """One row of ``regex.jsonl``, compiled: the row, its pattern, its ``needs`` pre-check (a simple regex
    a text must contain for the pattern to be worth running), and the words each of them requires
    (:mod:`~eula_parse.entities.prefilter`), tested before either regex runs."""

    row: dict[str, Any]
    pattern: re.Pattern
    hints: tuple[Hint, ...]
    needs: Optional[re.Pattern] = None
    needs_hints: tuple[Hint, ...] = ()


@lru_cache(maxsize=1)
def _regex_patterns() -> tuple[RegexRow, ...]:
    rows = []
    for row in _read_jsonl("regex.jsonl"):
        pattern = _expand(row["pattern"])
        needs = row.get("needs")
        rows.append(RegexRow(row, re.compile(pattern), required_words(pattern),
                             re.compile(needs) if needs else None, required_words(needs) if needs else ()))
    return tuple(rows)


@lru_cache(maxsize=1)
def _limit_heads() -> tuple[re.Pattern, ...]:
    return tuple(r.pattern for r in _regex_patterns() if r.row["label"] == "LIMIT")
