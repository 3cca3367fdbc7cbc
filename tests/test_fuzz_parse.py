"""Fuzzing parse() with mutated bytes of the reference PDF (issue 6).

Whatever the bytes, ``parse()`` returns a Document or raises an ``EulaError``: never
another exception, never a hang. Mutations aim at the places where a PDF reader
trusts the file: stream lengths and filters, object headers, the xref table and
trailer, compressed stream data, plus random flips, cuts and insertions anywhere.

The default run tries a handful of cases (each parse of the 16-page file takes
seconds) plus fixed regressions; ``-m slow`` runs many more, with entity tagging.
A case must finish within ``DEADLINE``; a SIGALRM at twice that turns a hang into
a failure instead of a stuck test run. Failing cases print as the list of
mutations applied, not as 120 kB of bytes.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import eula_parse
from eula_parse.errors import EulaError

ROOT = Path(__file__).resolve().parent.parent
DATA = (ROOT / "corpus" / "milestone-eula-20250425.pdf").read_bytes()

#: Seconds one case may take. A clean parse takes 2-10 s depending on machine load;
#: what this catches is a parse that spins (minutes) or never ends.
DEADLINE = 90

#: Offsets worth hitting: where lengths, filters, object numbers and offsets live.
HOTSPOTS = sorted({
    m.start()
    for token in (rb"stream\r?\n", rb"/Length", rb"/Filter", rb"\d+ 0 obj", rb"xref", rb"startxref",
                  rb"trailer", rb"/Root", rb"/Pages", rb"/Font", rb"/Contents", rb"/Kids", rb"/Count")
    for m in re.finditer(token, DATA)
})
NUMBERS = [m.span(1) for m in re.finditer(rb"/Length (\d+)", DATA)]
NUMBERS += [m.span(1) for m in re.finditer(rb"(\d{10}) \d{5} [nf]", DATA)]
NUMBERS += [m.span(1) for m in re.finditer(rb"startxref\s+(\d+)", DATA)]


class CaseTimeout(Exception):
    """A fuzz case ran past the hard limit (raised from SIGALRM)."""


@contextmanager
def hard_limit(seconds: float):
    def on_alarm(signum, frame):
        raise CaseTimeout(f"parse() still running after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Mutant:
    """Mutated bytes that print as the mutations that made them."""

    def __init__(self, data: bytes, ops: list[str]):
        self.data, self.ops = data, ops

    def __repr__(self) -> str:
        return f"Mutant({len(self.data)} bytes: {'; '.join(self.ops)})"


@st.composite
def mutated_pdf(draw) -> Mutant:
    data = bytearray(DATA)
    ops: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "byte", "delete", "insert", "truncate", "dup", "number", "zero"]))
        if op == "number":  # rewrite a /Length, an xref offset or startxref
            start, end = draw(st.sampled_from(NUMBERS))
            if end <= len(data):
                value = draw(st.sampled_from([0, 1, 7, 10**9, 2**31 - 1, 2**63])
                             | st.integers(0, 2 * len(DATA)))
                ops.append(f"number@{start}:{bytes(data[start:end]).decode()}->{value}")
                data[start:end] = str(value).encode()
            continue
        pos = draw(st.sampled_from(HOTSPOTS) | st.integers(0, len(DATA) - 1)) % max(1, len(data))
        if op == "flip":
            bit = draw(st.integers(0, 7))
            data[pos] ^= 1 << bit
            ops.append(f"flip@{pos}.{bit}")
        elif op == "byte":
            data[pos] = draw(st.integers(0, 255))
            ops.append(f"byte@{pos}={data[pos]}")
        elif op == "delete":
            n = draw(st.integers(1, 4096))
            del data[pos:pos + n]
            ops.append(f"delete@{pos}+{n}")
        elif op == "insert":
            chunk = draw(st.binary(min_size=1, max_size=64))
            data[pos:pos] = chunk
            ops.append(f"insert@{pos}:{chunk!r}")
        elif op == "truncate":
            del data[max(pos, 8):]
            ops.append(f"truncate@{max(pos, 8)}")
        elif op == "dup":
            length = draw(st.integers(1, 8192))
            chunk = data[pos:pos + length]
            at = draw(st.integers(0, len(data)))
            data[at:at] = chunk
            ops.append(f"dup@{pos}+{length}->{at}")
        elif op == "zero":  # wipe a run, e.g. the middle of a compressed stream
            length = draw(st.integers(1, 2048))
            data[pos:pos + length] = bytes(len(data[pos:pos + length]))
            ops.append(f"zero@{pos}+{length}")
    return Mutant(bytes(data), ops)


def check(mutant: Mutant, *, tag: bool) -> None:
    fd, name = tempfile.mkstemp(suffix=".pdf", prefix="fuzz-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(mutant.data)
        with hard_limit(2 * DEADLINE):
            try:
                result = eula_parse.parse(name, tag=tag)
            except EulaError:
                return
        assert isinstance(result, eula_parse.Document)
    finally:
        os.unlink(name)


COMMON = dict(
    deadline=timedelta(seconds=DEADLINE),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

_cut = DATA.index(b"stream", len(DATA) // 2) + 200
_pages = DATA.index(b"/Count 16 /Kids")


@settings(max_examples=4, **COMMON)
@given(mutated_pdf())
@example(Mutant(DATA[:_cut], ["truncate inside a compressed stream"]))
@example(Mutant(DATA.replace(b"/FlateDecode", b"/LZWDecode", 3), ["wrong filter on 3 streams"]))
@example(Mutant(DATA[:_pages + 10] + b"/\xeb " + DATA[_pages + 10:],
                ["key without value in the /Pages dictionary (found by the slow run)"]))
def test_mutated_pdf_parses_or_raises_eula_error(mutant):
    check(mutant, tag=False)


@pytest.mark.slow
@settings(max_examples=150, **COMMON)
@given(mutated_pdf())
def test_mutated_pdf_parses_or_raises_eula_error_many(mutant):
    check(mutant, tag=True)
