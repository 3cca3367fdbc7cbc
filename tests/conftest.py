"""Shared fixtures: the corpus parsed once per test session, and system tools some tests need.

Test modules take paths from here by name (``from conftest import PDF_2025``
works under bare ``pytest``, since pytest puts tests/ on ``sys.path``); never
``from tests.conftest import ...``, which only works under ``python -m pytest``.
"""

import os
import shutil
from pathlib import Path
from typing import Optional

import pytest

import eula_parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PDF_2025 = CORPUS / "milestone-eula-20250425.pdf"
PDF_2024 = CORPUS / "milestone-eula-20240612.pdf"
TXT_2025 = CORPUS / "milestone-eula-20250425.txt"
REAL = CORPUS / "real"

#: Set by CI (``.ci/run``): a test whose system package is missing fails instead of skipping.
REQUIRE_SYSTEM_DEPS = "EULA_REQUIRE_SYSTEM_DEPS"
#: Set by CI (``.ci/run``): the long tests marked ``slow`` run too (``pytest -m slow`` runs only them).
RUN_SLOW = "EULA_SLOW"
#: Debian's fonts-liberation, used to typeset test PDFs in a font other than the corpus's.
LIBERATION_FONTS = Path("/usr/share/fonts/truetype/liberation")


def pytest_collection_modifyitems(config, items) -> None:
    """Leave ``slow`` tests out of a plain ``pytest`` (the README's command stays under ~5 minutes)."""
    if config.getoption("markexpr") or os.environ.get(RUN_SLOW, "") not in ("", "0"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def require_system(found: Optional[object], what: str) -> None:
    """Skip the calling test when ``found`` is falsy, naming the package; in CI, fail instead.

    Locally a missing browser or font is not the code's fault, so the test
    skips with the reason; CI installs them, so there a missing one is a broken
    set-up and must not pass unnoticed as a skip.
    """
    if found:
        return
    reason = f"needs {what} (see README, Set-up)"
    if os.environ.get(REQUIRE_SYSTEM_DEPS, "") not in ("", "0"):
        pytest.fail(f"{reason}; {REQUIRE_SYSTEM_DEPS} is set, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_pair_index(tmp_path_factory, doc_2024, doc_2025) -> Path:
    """An index holding both Milestone versions, parsed from the corpus PDFs (tests only read it)."""
    from eula_parse.index import ClauseIndex

    path = tmp_path_factory.mktemp("corpus-pair") / "index"
    with ClauseIndex(path) as ix:
        ix.add(doc_2024, source=str(PDF_2024))
        ix.add(doc_2025, source=str(PDF_2025))
    return path


@pytest.fixture(scope="session", autouse=True)
def private_default_index(tmp_path_factory) -> Path:
    """``$EULA_INDEX`` for the session: tests never read or write the checkout's own index/.

    Commands reuse the parse of any file the default index holds, and the first
    search builds that index; a user's index (or the one CI's first command
    built) must not change what a test sees.
    """
    path = tmp_path_factory.mktemp("default-index") / "index"
    os.environ["EULA_INDEX"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def private_parse_cache(tmp_path_factory) -> Path:
    """``$EULA_CACHE`` for the session: a user's cached parses never answer for the code under test."""
    path = tmp_path_factory.mktemp("parse-cache")
    os.environ["EULA_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def no_warm_worker() -> None:
    """``EULA_WORKER=off`` for the session: no test leaves a background worker behind
    (tests/test_worker.py turns it on in a private runtime directory and stops it)."""
    os.environ["EULA_WORKER"] = "off"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of headless Chromium (Debian package ``chromium``)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require_system(path, "Chromium (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def liberation_fonts() -> Path:
    """Directory of the Liberation TrueType fonts (Debian package ``fonts-liberation``)."""
    found = (LIBERATION_FONTS / "LiberationSansNarrow-Regular.ttf").is_file()
    require_system(found, "the Liberation fonts (apt-get install fonts-liberation)")
    return LIBERATION_FONTS


@pytest.fixture(scope="session")
def doc_2025() -> eula_parse.Document:
    return eula_parse.parse(PDF_2025)


@pytest.fixture(scope="session")
def doc_2024() -> eula_parse.Document:
    return eula_parse.parse(PDF_2024)
