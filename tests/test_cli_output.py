"""Output conventions of every ``eula`` command (issue #9, "Output that reads well").

Colour follows ``--color`` and ``NO_COLOR``; data comes as ``--json`` (and
``--jsonl`` for streams) with every key present; a closed pipe ends quietly;
progress shows only on a terminal; ``eula diff`` reads well in a terminal and
``--html`` prints one line; ``eula parse``'s outline names heading-less sections.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from eula_parse.cli import main

from conftest import PDF_2024, PDF_2025, REAL, ROOT

ESRI_2018 = REAL / "esri_master-agreement-E204CW_2018-03-30.pdf"
ESRI_2019 = REAL / "esri_master-agreement-E204CW_2019-09-26.pdf"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cli(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


# -- every command ---------------------------------------------------------------------


def test_every_command_takes_color():
    """git/ripgrep convention: --color=auto|always|never on the group and on each command."""
    assert any(p.name == "color" for p in main.params)
    names = main.list_commands(None)
    assert {"parse", "diff", "search", "index", "show", "entities", "check", "serve", "export"} <= set(names)
    for name in names:
        command = main.get_command(None, name)
        option = next((p for p in command.params if p.name == "color"), None)
        assert option is not None, name
        assert list(option.type.choices) == ["auto", "always", "never"], name


def test_color_always_never_and_no_color(tmp_path):
    """``--color=always`` colours even into a pipe; NO_COLOR turns the default off; never wins over all."""
    from pdfgen import build_plain_pdf

    pdf = tmp_path / "tiny.pdf"
    build_plain_pdf(pdf, ["Preamble text of the tiny agreement.", "Warranty", "The software is provided as is."],
                    title="Tiny Agreement", headings=[1])
    runner = CliRunner()
    coloured = runner.invoke(main, ["--color=always", "diff", str(pdf), str(pdf)], env={"NO_COLOR": ""})
    plain = runner.invoke(main, ["diff", str(pdf), str(pdf)], env={"NO_COLOR": "1"})
    never = runner.invoke(main, ["--color=always", "diff", "--color=never", str(pdf), str(pdf)])
    assert ANSI.search(coloured.output), coloured.output
    assert not ANSI.search(plain.output) and "no substantive change" in plain.output
    assert not ANSI.search(never.output) and "no substantive change" in never.output


def test_broken_pipe_exits_quietly():
    """``eula entities FILE | head -c 1``: no traceback, no 'Exception ignored', status 141 like git."""
    import fcntl

    proc = subprocess.Popen([sys.executable, "-m", "eula_parse", "entities", str(PDF_2025)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(), cwd=ROOT)
    fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)  # the output cannot all fit in the pipe
    first = os.read(proc.stdout.fileno(), 1)
    proc.stdout.close()  # the reader goes away, as head does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141, stderr
    assert first == b"p"  # product/... or preamble/...
    assert stderr == ""


def read_terminal(argv: list[str], env: dict) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stderr on a pseudo-terminal: (exit status, stdout, what the terminal showed)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    return proc.returncode, out, seen


def test_progress_shows_on_a_terminal_after_a_second():
    """What `eula parse` and `eula diff` wrap a parse in: silent for a quick one, a line once it is slow."""
    code = ("import sys, time\nfrom eula_parse.cli.output import slow_progress\n"
            "with slow_progress('parsing big.pdf', delay=float(sys.argv[1])):\n    time.sleep(1.0)\n")
    env = child_env(TERM="xterm")
    status, _, slow = read_terminal([sys.executable, "-c", code, "0.2"], env)
    assert status == 0 and b"parsing big.pdf" in slow
    status, _, quick = read_terminal([sys.executable, "-c", code, "5"], env)
    assert status == 0 and quick == b""


def test_no_progress_in_a_pipe():
    """Without a terminal, stderr stays empty and stdout holds only the outline."""
    piped = subprocess.run([sys.executable, "-m", "eula_parse", "parse", str(ESRI_2018)],
                           capture_output=True, env=child_env(EULA_CACHE="off"), cwd=ROOT, timeout=300)
    assert piped.returncode == 0 and piped.stderr == b""
    assert piped.stdout.startswith(b"Master Agreement") and b"parsing" not in piped.stdout


# -- eula parse --------------------------------------------------------------------------


def test_outline_names_sections_without_heading_by_their_first_words():
    """Esri's lettered/numbered sub-sections have no heading: the outline shows what they say."""
    import eula_parse

    doc = eula_parse.parse(ESRI_2019, tag=False)
    untitled = [s for s in doc.all_sections() if not s.heading and s.text]
    assert untitled
    result = cli("parse", "--no-entities", ESRI_2019)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for section in untitled:
        words = " ".join(section.text.split()[:3])
        assert any(line.lstrip().startswith(f"§ {section.number} {words}") for line in lines), section.id


def test_outline_counts_one_preamble_paragraph_in_the_singular(tmp_path):
    from pdfgen import build_plain_pdf

    pdf = tmp_path / "one-paragraph.pdf"
    build_plain_pdf(pdf, ["This agreement is between you and the Licensor of the software.", "Licence grant",
                          "You may install the software on one computer."],
                    title="Simple Licence Agreement", headings=[1])
    result = cli("parse", "--no-entities", pdf)
    assert result.exit_code == 0, result.output
    assert "  preamble: 1 paragraph" in result.output.splitlines()


# -- eula diff ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def esri_terminal(tmp_path_factory):
    """The Esri 2018 -> 2019 diff as a 100-column terminal shows it, trimmed and in full.

    Both files are indexed first, so the two diffs reuse one parse of each.
    """
    import eula_parse
    from eula_parse import ClauseIndex

    index = tmp_path_factory.mktemp("esri") / "index"
    with ClauseIndex(index) as ix:
        for pdf in (ESRI_2018, ESRI_2019):
            ix.add(eula_parse.parse(pdf), source=str(pdf))
    env = {"COLUMNS": "100"}
    return (cli("diff", "--color=always", ESRI_2018, ESRI_2019, "--index", index, env=env),
            cli("diff", "--color=always", "--full", ESRI_2018, ESRI_2019, "--index", index, env=env))


def test_diff_lists_each_section_under_one_header_in_document_order(esri_terminal):
    trimmed, _ = esri_terminal
    assert trimmed.exit_code == 1
    lines = ANSI.sub("", trimmed.output).splitlines()
    headers = [line for line in lines[1:-1] if line and not line.startswith(" ")]
    assert len(headers) == len(set(headers)), headers
    order = ["1.0 GENERAL GRANT OF RIGHTS AND RESTRICTIONS", "2.0 SOFTWARE AND ONLINE SERVICES",
             "ATTACHMENT A GLOSSARY OF TERMS"]
    assert [h for h in headers if h in order] == order


def test_diff_wraps_and_trims_long_redlines(esri_terminal):
    trimmed, full = esri_terminal
    short = ANSI.sub("", trimmed.output)
    whole = ANSI.sub("", full.output)
    assert max(len(line) for line in short.splitlines()) <= 100
    assert "(--full shows them)" in short and "(--full shows them)" not in whole
    assert len(whole) > 1.5 * len(short)
    # a long rewritten run shows its first and last words and how many are left out (2.1's
    # definition list, once one 300-word change, is a change per lettered item since sub-items are nodes)
    assert re.search(r"…\(\d{2,3} words\)…", " ".join(short.split()))
    assert not re.search(r"…\(\d+ words\)…", whole)


def test_diff_html_prints_one_line(tmp_path):
    report = tmp_path / "report.html"
    result = cli("diff", PDF_2024, PDF_2025, "--html", report)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"wrote {report}: 10 change(s), EULA 20240612 -> EULA 20250425"]
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_diff_stat_json(tmp_path):
    result = cli("diff", PDF_2024, PDF_2025, "--stat", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["counts"] == {"added": 3, "removed": 0, "modified": 6, "renamed": 0, "moved": 1}
    assert data["total"] == 10 and data["new"]["version"] == "EULA 20250425"


# -- eula check / entities -----------------------------------------------------------------


def test_check_json_and_entities_jsonl():
    check = cli("check", PDF_2025, "--json")
    assert check.exit_code == 0
    data = json.loads(check.output)
    assert data["dangling"] == []
    assert data["undefined_products"]["XProtect Essential+"][0] == "product/xprotect-access/1"

    lines = cli("entities", PDF_2025, "--label", "duration", "--jsonl").output.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) > 3 and all(r["label"] == "DURATION" for r in records)
    assert all(list(r) == ["node", "label", "text", "start", "end", "value", "target"] for r in records)
    assert {"node": "general/correction-of-errors", "text": "90 (ninety) days"}.items() <= records[0].items() \
        or any(r["node"] == "general/correction-of-errors" for r in records)
    assert all(r["target"] is None for r in records)  # durations point nowhere: null, not absent or []


def test_paths_fit_the_terminal(tmp_path, monkeypatch):
    """`eula index` names files relative to the CWD and shortens them in the middle, file name kept."""
    from eula_parse.cli.output import fit_path

    monkeypatch.chdir(tmp_path)
    deep = tmp_path / "inbox" / ("very-long-folder-name-" * 4) / "Vendor EULA 2024.pdf"
    assert fit_path(str(deep), 200) == str(deep.relative_to(tmp_path))
    short = fit_path(str(deep), 40)
    assert len(short) <= 40 and short.endswith("/Vendor EULA 2024.pdf") and "\u2026" in short
    assert fit_path("/elsewhere/a.pdf", 40) == "/elsewhere/a.pdf"
