"""The rule data in ``eula_parse/patterns/``, read and compiled once per process."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from eula_parse.entities.numbers import _PLACEHOLDERS

#: ``eula_parse/patterns/``: kept beside the package, as data (shipped through package-data).
PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


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
