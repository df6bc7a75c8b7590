"""Fuzzing the command line: whatever the bytes, every run ends with status 0, 1 or 2, with a
message and never a traceback or an "internal error" (status 3).

Three kinds of input: random bytes (binary, broken encodings, zip and BOM prefixes), in a file
and on standard input; real workbooks with a member mangled; and random CSV-shaped text whose
header and cells mix the SPEC's words, near misses, dates in many spellings, quotes,
delimiters, line breaks and control characters.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from coopstats.cli import app

runner = CliRunner()
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("summarize", "--period", "2024"),
    ("validate",),
    ("validate", "--format", "json"),
)


def assert_clean_result(result: Result, command: tuple[str, ...]) -> None:
    shown = f"{command}: {result.exit_code}\n{result.output}"
    assert result.exit_code != 3, shown  # "internal error: this is a bug in coopstats"
    assert result.exit_code in (0, 1, 2), shown
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.output, shown
    assert "internal error" not in result.output, shown


def assert_clean_exit(data: bytes, *commands: tuple[str, ...], suffix: str = ".csv") -> None:
    handle, name = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    try:
        for command in commands:
            assert_clean_result(runner.invoke(app, [command[0], name, *command[1:]]), command)
    finally:
        Path(name).unlink()


PREFIXES = st.sampled_from(
    [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0",
     b"id,organ,kind,sent\n", b"sep=;\n"]
)


@FUZZ
@given(prefix=PREFIXES, body=st.binary(max_size=400))
def test_random_bytes(prefix: bytes, body: bytes) -> None:
    assert_clean_exit(prefix + body, *COMMANDS)


@FUZZ
@given(body=st.binary(max_size=300))
def test_random_bytes_named_as_a_workbook(body: bytes) -> None:
    assert_clean_exit(body, ("summarize", "--period", "2024"), ("validate",), suffix=".xlsx")


@FUZZ
@given(prefix=PREFIXES, body=st.binary(max_size=400))
def test_random_bytes_on_standard_input(prefix: bytes, body: bytes) -> None:
    for command in COMMANDS:
        result = runner.invoke(app, [command[0], "-", *command[1:]], input=prefix + body)
        assert_clean_result(result, command)


def _workbook() -> bytes:
    """A small valid workbook, written once: the members that the next test mangles."""
    import io

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["id", "organ", "kind", "origin", "categories", "sent", "executed"])
    book.active.append(["R-1", "OTP", "RFA", None, None, "2023-10-02", "2023-10-05"])
    book.active.append(["R-2", "Registry", "RFC", "HQ", "defence", "2023-11-02", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WORKBOOK: list[bytes] = []


@FUZZ
@given(member=st.integers(0, 20), cut=st.floats(0, 1), junk=st.binary(max_size=40))
def test_mangled_workbooks(member: int, cut: float, junk: bytes) -> None:
    """A member of a real workbook cut short and followed by junk: broken XML, a broken zip."""
    import io
    import zipfile

    if not WORKBOOK:
        WORKBOOK.append(_workbook())
    source = zipfile.ZipFile(io.BytesIO(WORKBOOK[0]))
    items = source.infolist()
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w") as target:
        for k, item in enumerate(items):
            data = source.read(item.filename)
            if k == member % len(items):
                data = data[: int(len(data) * cut)] + junk
            target.writestr(item, data)
    assert_clean_exit(
        target_bytes.getvalue(), ("summarize", "--period", "2024"), ("validate",), suffix=".xlsx"
    )


HEADERS = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome",
           "ID", " Sent ", "notes", "", "id", "date sent"]
WORDS = [
    "", " ", "OTP", "otp ", "Registry", "registy", "RFA", "rfc", "RFI", "mission-notification",
    "decision-notification", "HQ", "country-office", "hq ", "defence", "victims;defence",
    "arrest-surrender; judicial-support", "witness-protection", "positive", "negative",
    "maybe", "2023-10-02", "2024-02-30", "05/06/2023", "25/12/2023", "12/25/2023",
    "16.09.2023", "16 Sep 2023", "Sep 16, 2023", "2023-09-16 00:00:00", "45185", "16/09/23",
    "0000-01-01", "9999-12-31", "00/00/2023", "13/13/2023", "31/02/2023", "R-1", "R-2", "R-1",
    "=1+2", "-5", "[bold]x[/bold]", "\x1b[31m", "a\nb", 'say "hi"', "a;b,c\tb", "\x00",
    "\u2028", "é", "\ufeff",
]
CELLS = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))


@st.composite
def csv_shaped(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=10))
    if draw(st.booleans()):
        header = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"]
    lines = [header] + draw(st.lists(st.lists(CELLS, max_size=10), max_size=12))

    def cell(text: str) -> str:
        if any(c in text for c in (delimiter, '"', "\n", "\r")) or draw(st.booleans()):
            return '"' + text.replace('"', '""') + '"'
        return text

    body = newline.join(delimiter.join(cell(c) for c in line) for line in lines)
    if draw(st.booleans()):
        body += draw(st.sampled_from(['"', newline, '"unclosed', delimiter]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return body.encode(encoding, errors="replace")


@FUZZ
@given(data=csv_shaped())
def test_random_csv_shaped_text(data: bytes) -> None:
    assert_clean_exit(
        data,
        *COMMANDS,
        ("summarize", "--period", "2024", "--skip-invalid", "--format", "csv"),
        ("explain", "--period", "2024", "--skip-invalid", "--format", "json"),
        ("explain", "--period", "2024", "--skip-invalid", "-m", "otp.rfa.avg_days_to_execute"),
    )


@FUZZ
@given(data=csv_shaped(), option=st.sampled_from(
    [["--dayfirst"], ["--monthfirst"], ["--encoding", "cp1252"], ["--encoding", "utf-16"],
     ["--delimiter", ";"], ["--delimiter", "\\t"], ["--column", "sent=date sent"],
     ["--sheet", "x"], ["--encoding", "rot13"], ["--encoding", "base64"],
     ["--encoding", "utf-32"], ["--encoding", "utf-16-le"]]
))
def test_random_csv_with_input_options(data: bytes, option: list[str]) -> None:
    assert_clean_exit(data, ("validate", *option), ("summarize", "--period", "2024", *option))
