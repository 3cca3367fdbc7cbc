"""The README's set-up is what CI runs, and the test suite runs the way the README says.

Guards issue #9 "Set-up and tests": CI used to call ``python -m pytest``, which
hid tests that only import under it; tests needing Chromium or fonts failed (or
silently swapped the font) instead of skipping locally and failing in CI.
"""

from __future__ import annotations

import ast
import re

import pytest

from conftest import REQUIRE_SYSTEM_DEPS, ROOT, RUN_SLOW, require_system

CI = ROOT / ".ci" / "run"
README = ROOT / "README.md"


def readme_setup_commands() -> list[str]:
    """The ``$ ...`` lines of the README's Set-up section, as a user would type them."""
    setup = README.read_text(encoding="utf-8").split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in setup.splitlines() if line.startswith("$ ")]


def ci_commands() -> list[str]:
    """Lines of .ci/run that run something, without the `|| exit $?` that makes bash stop on them."""
    lines = []
    for line in CI.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line.removesuffix(" || exit $?"))
    return lines


def test_ci_runs_exactly_the_readme_commands_last():
    commands = readme_setup_commands()
    assert commands == ['pip install -e . && eula search "unrestricted number of computers"',
                        'pip install -e ".[test]" && pytest']
    assert ci_commands()[-len(commands):] == commands


def test_ci_installs_the_system_packages_the_readme_names():
    ci = CI.read_text(encoding="utf-8")
    install = next(line for line in ci.splitlines() if line.startswith("apt-get install"))
    assert "--no-install-recommends" in install
    readme = README.read_text(encoding="utf-8")
    for package in ("chromium", "fonts-liberation"):
        assert re.search(rf"\b{package}\b", install)
        assert f"`{package}`" in readme
    assert f"export {REQUIRE_SYSTEM_DEPS}=1" in ci
    assert f"export {RUN_SLOW}=1" in ci


def test_ci_stops_when_a_readme_command_fails(tmp_path):
    """Each README line stops the script on failure, even the part before `&&` (bash's -e skips it)."""
    import subprocess

    for line in CI.read_text(encoding="utf-8").splitlines():
        if line.startswith(("pip ", "eula ", "pytest")):
            assert line.endswith(" || exit $?"), line
    script = tmp_path / "run"
    script.write_text("set -euo pipefail\nfalse && true || exit $?\necho reached\n")
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert result.returncode == 1 and "reached" not in result.stdout


def test_no_test_imports_the_tests_package():
    """``from tests.conftest import X`` works under ``python -m pytest`` only; bare ``pytest`` must pass."""
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}:{node.lineno}" for n in names if n == "tests" or n.startswith("tests.")]
    assert offenders == []


def test_missing_system_package_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv(REQUIRE_SYSTEM_DEPS, raising=False)
    require_system("/usr/bin/chromium", "Chromium")  # found: nothing happens
    with pytest.raises(pytest.skip.Exception, match="needs Chromium"):
        require_system(None, "Chromium")
    monkeypatch.setenv(REQUIRE_SYSTEM_DEPS, "1")
    with pytest.raises(pytest.fail.Exception, match="needs Chromium.*failure, not a skip"):
        require_system(None, "Chromium")


def test_plain_pytest_leaves_slow_tests_out_and_ci_runs_them():
    """The README's `pytest` stays short; with EULA_SLOW=1 (CI) the slow fuzz and stress tests run too."""
    import os
    import subprocess
    import sys

    def collected(**env: str) -> list[str]:
        full = {k: v for k, v in os.environ.items() if k != RUN_SLOW}
        full.update(env)
        out = subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-q", "--collect-only", "-p",
                              "no:cacheprovider", "tests/test_hostile.py"], capture_output=True, text=True,
                             cwd=ROOT, env=full, timeout=120)
        return [line for line in out.stdout.splitlines() if "::" in line]

    plain, everything = collected(), collected(**{RUN_SLOW: "1"})
    slow = set(everything) - set(plain)
    assert slow and set(plain) < set(everything)
