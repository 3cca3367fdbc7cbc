"""A new user's first run (issue #9): the sample agreements and the default index are found from
anywhere, also after a plain ``pip install .``; a file the index holds is not parsed again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eula_parse import ClauseIndex

from conftest import PDF_2024, PDF_2025, ROOT

PARSER_CHECK = """
import sys
from eula_parse.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
parser = sorted(m for m in sys.modules if m.split('.')[0] in ('pdfplumber', 'pdfminer'))
print('PARSER', parser, file=sys.stderr)
"""


def eula(*args: str, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eula_parse", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


# -- a parse the index already has -----------------------------------------------------------




@pytest.mark.parametrize("command", [
    ["diff", PDF_2024, PDF_2025, "--stat", "--json"],
    ["entities", PDF_2025, "--label", "money", "--json"],
    ["check", PDF_2025, "--json"],
])
def test_indexed_files_are_not_parsed_again(corpus_pair_index, command, doc_2024, doc_2025):
    """The file's SHA-256 is in the index: its parse comes from there (the PDF reader never loads)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", PARSER_CHECK, *map(str, command), "--index", str(corpus_pair_index)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert "PARSER []" in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    if command[0] == "diff":
        assert data["total"] == 10 and data["counts"]["added"] == 3
    elif command[0] == "entities":
        expected = [(n.id, e.text) for n in doc_2025.nodes() for e in n.entities if e.label == "MONEY"]
        assert [(r["node"], r["text"]) for r in data] == expected and expected
    else:
        assert data["dangling"] == [] and "XProtect Essential+" in data["undefined_products"]


# -- outside a checkout, as after `pip install .` ----------------------------------------------


@pytest.fixture()
def installed(tmp_path):
    """The package as a wheel installs it (samples copied in, no checkout around), a home and a CWD."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "eula_parse", site / "eula_parse", symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "samples"))
    (site / "eula_parse" / "samples").mkdir()
    shutil.copy(PDF_2025, site / "eula_parse" / "samples" / PDF_2025.name)
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("EULA_INDEX", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    return site, work, env


def test_help_names_the_real_default_index(installed):
    site, work, env = installed
    out = eula("search", "--help", cwd=work, env=env)
    assert out.returncode == 0
    assert "$EULA_INDEX, else index/ in a checkout, else the user cache" in " ".join(out.stdout.split())
    assert str(Path(env["XDG_CACHE_HOME"]) / "eula-parse" / "index") in out.stdout.replace("\n", "").replace(" ", "")
    with_env = eula("index", "--help", cwd=work, env=dict(env, EULA_INDEX=str(work / "mine")))
    assert str(work / "mine") in with_env.stdout.replace("\n", "").replace(" ", "")


def test_no_index_and_no_samples_says_how_to_build_one(installed):
    site, work, env = installed
    shutil.rmtree(site / "eula_parse" / "samples")
    out = eula("search", "licence", cwd=work, env=env)
    assert out.returncode == 2
    assert out.stderr.startswith("error: no index at ") and "eula index FOLDER" in out.stderr
    assert "eula index --samples" in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.slow
def test_samples_and_folders_index_from_anywhere(installed, tmp_path):
    site, work, env = installed
    out = eula("index", "--samples", cwd=work, env=env)
    assert out.returncode == 0, out.stderr
    cache = Path(env["XDG_CACHE_HOME"]) / "eula-parse" / "index"
    with ClauseIndex(cache, create=False) as ix:
        assert [d.version for d in ix.documents()] == ["EULA 20250425"]
    found = eula("search", "unrestricted number of computers", "--json", cwd=work, env=env)
    assert found.returncode == 0 and json.loads(found.stdout)["hits"]
    folder = work / "mine"
    folder.mkdir()
    shutil.copy(PDF_2024, folder / "old.pdf")
    added = eula("index", "mine", cwd=work, env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.split()[:2] == ["added", "mine/old.pdf"]
    assert added.stderr == ""  # no progress bar residue when stderr is not a terminal
