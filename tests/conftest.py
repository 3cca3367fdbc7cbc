"""Shared fixtures: the corpus parsed once per test session."""

from pathlib import Path

import pytest

import eula_parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PDF_2025 = CORPUS / "milestone-eula-20250425.pdf"
PDF_2024 = CORPUS / "milestone-eula-20240612.pdf"
TXT_2025 = CORPUS / "milestone-eula-20250425.txt"
REAL = CORPUS / "real"


@pytest.fixture(scope="session")
def doc_2025() -> eula_parse.Document:
    return eula_parse.parse(PDF_2025)


@pytest.fixture(scope="session")
def doc_2024() -> eula_parse.Document:
    return eula_parse.parse(PDF_2024)
