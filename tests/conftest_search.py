"""Helpers shared by the search and index tests (``tests/test_search*.py``, ``tests/test_index*.py``).

Not a conftest proper (the lead owns ``tests/conftest.py``): test modules
import what they need from here. Synthetic documents are built straight from
the model dataclasses, so the integrity tests can index hundreds of nodes in
child processes in a fraction of a second, without parsing PDFs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from eula_parse.index import ENGINES, ClauseIndex
from eula_parse.model import Clause, Document, Entity, Group, Paragraph, Product, Section

try:
    import tantivy  # noqa: F401
    HAS_TANTIVY = True
except ImportError:
    HAS_TANTIVY = False

#: Every engine as a pytest parameter; tantivy is skipped, saying why, where the optional package is missing.
ENGINE_PARAMS = [
    pytest.param(name, marks=pytest.mark.skipif(
        name == "tantivy" and not HAS_TANTIVY,
        reason="the tantivy engine needs the optional package: pip install 'eula-parse[tantivy]'"))
    for name in ENGINES
]

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLD_QUERIES = TESTS / "gold" / "queries.json"

#: Word every synthetic node contains, so one query returns all of a document's nodes.
MARKER_WORD = "zebracorn"

_VOCAB = (
    "licence install computer server camera device warranty liability refund court data privacy export "
    "backup copy transfer terminate product user partner channel update support video record client "
    "mobile access door plate failover network bridge dashboard consent report audit invoice fee"
).split()


def synthetic_document(n: int, *, version: str = "v1", products: int = 3, clauses: int = 6) -> Document:
    """Agreement number ``n``: 2 preamble paragraphs, 3 sections, ``products`` x ``clauses`` clauses.

    Texts differ per ``n`` (words drawn from a small vocabulary by ``n``) and
    all contain :data:`MARKER_WORD`.
    """

    def words(seed: int, k: int = 12) -> str:
        picked = [_VOCAB[(seed * 7 + i * 13) % len(_VOCAB)] for i in range(k)]
        return f"The {MARKER_WORD} " + " ".join(picked) + f" clause{seed}."

    doc = Document(title=f"Synthetic Agreement {n}", version=version, pages=1, sha256=None)
    doc.preamble = [Paragraph(id=f"preamble/{i}", text=words(n * 100 + i)) for i in (1, 2)]
    doc.sections = [
        Section(id=f"general/topic-{i}", text=words(n * 100 + 10 + i), heading=f"Topic {i}")
        for i in range(1, 4)
    ]
    group = Group(id="group/tools", name="Tools")
    for p in range(1, products + 1):
        product = Product(id=f"product/tool-{p}", name=f"Tool {p}", text=words(n * 100 + 20 + p))
        product.clauses = [
            Clause(id=f"product/tool-{p}/{c}", number=str(c), text=words(n * 1000 + p * 50 + c),
                   entities=[Entity("DURATION", f"{c * 10} days", 0, 0, {"amount": c * 10, "unit": "day",
                                                                         "iso": f"P{c * 10}D"})],
                   modality=["permission"] if c % 2 else ["restriction"])
            for c in range(1, clauses + 1)
        ]
        group.products.append(product)
    doc.groups = [group]
    return doc


def nodes_in(document: Document) -> int:
    return sum(1 for _ in document.nodes())


def indexed_counts(index: ClauseIndex) -> dict[str, int]:
    """``document@version`` -> number of its nodes a search for the marker word returns."""
    counts: dict[str, int] = {}
    for hit in index.search(MARKER_WORD, version="all", limit=100000, fuzzy=False):
        key = f"{hit.document}@{hit.version}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT), env.get("PYTHONPATH", "")])
    return env


def spawn_python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """Start ``python -c code args...`` with the tests directory importable."""
    return subprocess.Popen([sys.executable, "-c", code, *args], env=child_env(), **kwargs)


def run_eula(*args: str, env: Optional[dict] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``eula`` command as a user would (``python -m eula_parse``), capturing output."""
    full_env = child_env()
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "eula_parse", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=str(ROOT))


#: Child script: add synthetic documents FIRST..LAST-1 to the index at PATH, printing each n once committed.
ADD_SCRIPT = """
import sys
from conftest_search import synthetic_document
from eula_parse.index import ClauseIndex
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ix = ClauseIndex(path)
for n in range(first, last):
    ix.add(synthetic_document(n))
    print(n, flush=True)
"""


def gold_queries() -> list[dict]:
    return json.loads(GOLD_QUERIES.read_text())["queries"]
