"""Output that never destroys a file and never fails in silence (SPEC §9; issue 10 items 1-4,
12 and 13; -o of issue 14): each case in the shape a user meets it (a hard link, a redirect of
standard input, a closed standard output, a size limit, Ctrl-C at start-up)."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from typer.testing import CliRunner

from coopstats.cli import app

runner = CliRunner()
REPORT = str(FIXTURES / "report-2024.csv")
SMALL = str(FIXTURES / "clean-small.csv")
WriteLog = Callable[..., Path]
REFUSED = "never writes over its inputs"
# A child process runs the package from this checkout, without writing bytecode (a .pyc written
# under a file-size limit would be the first write to fail).
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT / "src"),
    "PYTHONDONTWRITEBYTECODE": "1",
    "COLUMNS": "120",
}
COOPSTATS = [sys.executable, "-m", "coopstats"]


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


def child(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """coopstats in a process of its own; standard output and error captured unless given."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*COOPSTATS, *args], text=True, env=ENV, **{**streams, **kwargs}
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- item 1: an output onto any input, by any name, is refused --------------------------------


def link(kind: str, source: Path, name: Path) -> None:
    if kind == "hard":
        os.link(source, name)
    else:
        name.symlink_to(source.name)  # relative, as `ln -s log.csv t.svg` makes it


@pytest.mark.parametrize("kind", ["hard", "symbolic"])
@pytest.mark.parametrize("option", ["--output", "-o", "--export"])
@pytest.mark.parametrize("what", ["log", "config", "local config", "holidays"])
def test_an_output_onto_a_link_of_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, option: str, what: str
) -> None:
    log = tmp_path / "log.csv"
    shutil.copy(SMALL, log)
    args = ["summarize", str(log), "--period", "2024"]
    if what == "log":
        victim = log
    elif what == "holidays":
        victim = tmp_path / "holidays.txt"
        victim.write_text("2024-01-01\n", encoding="utf-8")
        args += ["--days", "working", "--holidays", str(victim)]
    else:
        victim = tmp_path / ("coopstats.toml" if what == "local config" else "settings.toml")
        victim.write_text("[columns]\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        if what == "config":
            args += ["--config", str(victim)]
    before = victim.read_bytes()
    target = tmp_path / "t.html"
    link(kind, victim, target)
    result = runner.invoke(app, [*args, option, str(target)])
    assert result.exit_code == 2, result.output
    assert REFUSED in result.stderr and str(target) in result.stderr
    assert f"({victim}" in result.stderr or victim.name in result.stderr  # names the input
    assert result.stdout == ""  # refused before anything is printed
    assert victim.read_bytes() == before
    assert target.is_symlink() == (kind == "symbolic")


def test_the_log_by_another_path_is_refused(write_log: WriteLog, tmp_path: Path) -> None:
    log = write_log("a,OTP,RFA,,,2024-01-01,,", name="log.json")
    before = log.read_bytes()
    other = tmp_path / "." / ".." / tmp_path.name / "log.json"
    result = invoke("summarize", str(log), "--period", "2024", "-o", str(other))
    assert result.exit_code == 2 and REFUSED in result.stderr
    assert log.read_bytes() == before


def test_a_link_to_another_file_is_written_through(tmp_path: Path) -> None:
    """A symbolic link that is no input keeps being a link; the file it points to is replaced."""
    real = tmp_path / "real.json"
    real.write_text("old\n", encoding="utf-8")
    target = tmp_path / "t.json"
    target.symlink_to(real.name)
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["metrics"][0]["value"] == 519


# --- item 2: standard input's file is an input too --------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--export"])
def test_standard_input_s_file_is_refused(tmp_path: Path, option: str) -> None:
    requests = tmp_path / "requests.html"
    shutil.copy(SMALL, requests)
    before = requests.read_bytes()
    with requests.open("rb") as stdin:
        result = child("summarize", "-", "--period", "2024", option, str(requests), stdin=stdin)
    assert result.returncode == 2
    assert "standard input" in one_line(result.stderr) and REFUSED in result.stderr
    assert result.stdout == ""
    assert requests.read_bytes() == before


def test_standard_input_from_a_pipe_is_no_file_to_protect(tmp_path: Path) -> None:
    target = tmp_path / "figures.json"
    result = child(
        "summarize", "-", "--period", "2024", "-o", str(target),
        input=Path(REPORT).read_text(encoding="utf-8"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["metrics"][0]["value"] == 519


# --- item 3: a write that fails half-way keeps the old file -----------------------------------

LIMIT = 4096  # bytes: the JSON (5 kB) and the pictures (8 and 42 kB) of the report are bigger


def size_limited(ignore_sigxfsz: bool) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
        if ignore_sigxfsz:  # the write then fails with EFBIG instead of the child being killed
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return limit


@pytest.mark.parametrize("ignore_sigxfsz", [True, False], ids=["EFBIG", "SIGXFSZ"])
@pytest.mark.parametrize(
    "option, name", [("-o", "out.json"), ("-o", "out.svg"), ("--export", "out.html")]
)
def test_a_write_that_fails_half_way_keeps_the_old_file(
    tmp_path: Path, option: str, name: str, ignore_sigxfsz: bool
) -> None:
    """Without the child ignoring SIGXFSZ, coopstats ignores it itself while it writes a file:
    the kernel would otherwise kill it at the limit, leaving its temporary file behind."""
    target = tmp_path / name
    target.write_bytes(b"the previous output\n")
    before = sorted(os.listdir(tmp_path))
    result = child(
        "summarize", REPORT, "--period", "2024", option, str(target),
        preexec_fn=size_limited(ignore_sigxfsz),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    message = one_line(result.stderr)
    assert str(target) in message and "File too large" in message and "as it was" in message
    assert target.read_bytes() == b"the previous output\n"
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file left


def test_a_new_file_that_fails_half_way_is_not_left_half_written(tmp_path: Path) -> None:
    target = tmp_path / "new.svg"
    result = child(
        "summarize", REPORT, "--period", "2024", "-o", str(target),
        preexec_fn=size_limited(True),
    )  # fmt: skip
    assert result.returncode == 2 and "File too large" in one_line(result.stderr)
    assert os.listdir(tmp_path) == []


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "figures.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("id,section,label,value\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_pipe_as_output_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "figures.json"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(fifo))
    out, _ = reader.communicate(timeout=60)
    assert result.exit_code == 0, result.output
    assert json.loads(out)["metrics"][0]["value"] == 519
    assert fifo.is_fifo()


@pytest.mark.parametrize(
    "name, said", [("no/such/folder/out.json", "no folder"), ("out.json", "is a folder")]
)
def test_an_output_that_cannot_be_written_is_refused_before_any_output(
    tmp_path: Path, name: str, said: str
) -> None:
    (tmp_path / "out.json").mkdir()
    export = str(tmp_path / "t.svg")
    target = str(tmp_path / name)
    result = invoke("summarize", REPORT, "--period", "2024", "-o", target, "--export", export)
    assert result.exit_code == 2 and said in result.stderr
    assert result.stdout == ""


# --- items 4 and 12: standard output closed or full -------------------------------------------

STDOUT_CASES = [
    *(["summarize", REPORT, "--period", "2024", "-f", fmt]
      for fmt in ("table", "json", "csv", "markdown", "html")),
    ["compare", SMALL, "--period", "2024"],
    ["validate", SMALL, "-f", "json"],
    ["sql", "--period", "2024"],
]  # fmt: skip


@pytest.mark.parametrize("args", STDOUT_CASES, ids=lambda a: f"{a[0]}-{a[-1]}")
def test_a_closed_standard_output_is_an_error(args: list[str]) -> None:
    result = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *COOPSTATS, *args],
        capture_output=True, text=True, env=ENV,
    )  # fmt: skip
    assert result.returncode == 2
    assert "standard output is closed" in one_line(result.stderr)


@pytest.mark.parametrize("args", STDOUT_CASES, ids=lambda a: f"{a[0]}-{a[-1]}")
def test_a_full_standard_output_is_an_error_not_a_bug(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = child(*args, stdout=full)
    assert result.returncode == 2  # neither 0 nor 3 ("internal error")
    assert one_line(result.stderr) == (
        "error: cannot write to standard output (No space left on device)"
    )


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_reader_that_goes_away_ends_the_run_quietly(fmt: str) -> None:
    """`coopstats ... | head`: the reader left, nothing is wrong with the figures."""
    process = subprocess.Popen(
        [*COOPSTATS, "summarize", REPORT, "--period", "2024", "-f", fmt],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before the first byte is written
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


# --- item 13: Ctrl-C at start-up --------------------------------------------------------------

# The console script and `python -m coopstats` import coopstats.script first; this child does
# the same, then says so on a pipe, so that the delays below start where coopstats' own code
# does (before it, the interpreter's start-up is out of any program's hands).
READY_CHILD = """\
import os, sys
import coopstats.script
os.write(int(sys.argv[1]), b"!")
sys.argv[:2] = ["coopstats"]
coopstats.script.main()
"""


@pytest.mark.parametrize("delay_ms", [0, 1, 3, 5, 10, 20, 40, 80, 160])
def test_ctrl_c_at_start_up_exits_130_without_a_word(tmp_path: Path, delay_ms: int) -> None:
    """From the first line of coopstats' code on: during the imports of typer and rich, the
    parsing of the command line, and (from about 150 ms) the read of standard input, which
    this test keeps open so that the run cannot end before the signal."""
    ready, ready_w = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", READY_CHILD, str(ready_w), "summarize", "-", "--period", "2024"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**ENV, "TMPDIR": str(tmp_path)}, cwd=tmp_path, pass_fds=(ready_w,),
    )  # fmt: skip
    os.close(ready_w)
    try:
        assert os.read(ready, 1) == b"!"
        time.sleep(delay_ms / 1000)
        process.send_signal(signal.SIGINT)
        # Standard input stays open until the run has ended: were it closed first, the run
        # could read its end, and say the log is empty, before the signal's handler ran.
        process.wait(timeout=120)
        out, err = process.communicate()
    finally:
        os.close(ready)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert err == b"", err.decode()
    assert out == b""
    assert process.returncode == 130  # an exit status, not a death by signal (-2)


# Python drops an exception raised in a `__del__` or in the callback that importlib runs when
# a module's import lock goes ("Exception ignored in ...") and goes on; a Ctrl-C handled there
# would be lost. Each child below has the signal come in exactly there.
DROPPED_CHILD = {
    "import lock": """\
import os, signal, sys
import coopstats.script
def profile(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_name == "cb" and "importlib" in code.co_filename:
        sys.setprofile(None)
        os.kill(os.getpid(), signal.SIGINT)
sys.argv[:1] = ["coopstats"]
sys.setprofile(profile)
coopstats.script.main()
""",
    "__del__": """\
import os, signal, sys
import coopstats.script
class Finalized:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs in here, where its exception would be lost
            pass
Finalized()
os.write(2, b"not stopped")
""",
}


@pytest.mark.parametrize("where", list(DROPPED_CHILD))
def test_ctrl_c_where_python_drops_exceptions_still_exits_130(where: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", DROPPED_CHILD[where], "summarize", "-", "--period", "2024"],
        stdin=subprocess.DEVNULL, capture_output=True, env=ENV, timeout=120,
    )  # fmt: skip
    assert result.stderr == b"", result.stderr.decode()
    assert result.stdout == b""
    assert result.returncode == 130


def imported_before(args: list[str], first: str) -> list[str]:
    """The modules `python -X importtime` finishes importing before `first`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args, "--version"],
        capture_output=True, text=True, env=ENV, check=True,
    )  # fmt: skip
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    ]
    assert first in names, result.stderr
    return names[: names.index(first)]


def test_the_handler_comes_before_typer_and_rich_in_both_entry_points() -> None:
    (script,) = entry_points(group="console_scripts", name="coopstats")
    assert script.value == "coopstats.script:main"  # reinstall (pip install -e .) if not
    wrapper = Path(sys.executable).with_name("coopstats")
    launchers = [["-m", "coopstats"]] + ([[str(wrapper)]] if wrapper.exists() else [])
    for launcher in launchers:
        earlier = imported_before(launcher, "coopstats.script")
        heavy = [name for name in earlier if re.match(r"(typer|rich|click|coopstats\.cli)\b", name)]
        assert heavy == [], (launcher, heavy)


# --- -o FILE on every command (issue 14 item 2) -----------------------------------------------

COMMANDS = {
    "summarize": ["summarize", SMALL, "--period", "2024"],
    "compare": ["compare", SMALL, "--period", "2024"],
    "trend": ["trend", SMALL, "--period", "2024", "-n", "2"],
    "times": ["times", SMALL, "--period", "2024"],
    "validate": ["validate", SMALL],
    "explain": ["explain", SMALL, "--period", "2024"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("extension, fmt", [("json", "json"), ("csv", "csv"), ("md", "markdown")])
def test_output_writes_what_standard_output_would_show(
    tmp_path: Path, command: str, extension: str, fmt: str
) -> None:
    target = tmp_path / f"out.{extension}"
    written = invoke(*COMMANDS[command], "-o", str(target))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    printed = invoke(*COMMANDS[command], "--format", fmt)
    assert target.read_text(encoding="utf-8") == printed.stdout != ""


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_pictures_and_text_of_every_command(tmp_path: Path, command: str) -> None:
    for name, start in (("t.html", "<!DOCTYPE html>"), ("t.svg", "<svg"), ("t.txt", "")):
        target = tmp_path / name
        result = invoke(*COMMANDS[command], "-o", str(target))
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        text = target.read_text(encoding="utf-8")
        assert text.startswith(start) and text.strip()
        assert "\x1b[" not in text


def test_output_of_the_sql_query(tmp_path: Path) -> None:
    target = tmp_path / "figures.sql"
    written = invoke("sql", "--period", "2024", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    printed = invoke("sql", "--period", "2024")
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert "SELECT" in printed.stdout


def test_format_wins_over_the_extension_and_dash_is_standard_output(tmp_path: Path) -> None:
    target = tmp_path / "figures.txt"
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["metrics"][0]["value"] == 519
    result = invoke("summarize", REPORT, "--period", "2024", "-o", "-", "-f", "csv")
    assert result.stdout.startswith("id,section,label,value\n")


def test_an_unknown_extension_needs_a_format(tmp_path: Path) -> None:
    target = tmp_path / "figures.dat"
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target))
    assert result.exit_code == 2
    message = one_line(result.stderr)
    assert all(ext in message for ext in (".json", ".csv", ".md", ".html", ".svg", ".txt"))
    assert not target.exists()
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target), "-f", "csv")
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("id,")


def _figures(metrics: list[dict[str, object]]) -> list[str]:
    """Each metric's value as the report's tables write it: counts whole, the rest half-up
    to 2 places (the default --decimals), without its sign."""
    shown = []
    for metric in metrics:
        value = metric["value"]
        if value is None:
            shown.append("N/A")
        elif isinstance(value, int):
            shown.append(str(value))
        else:
            exact = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            shown.append(str(abs(exact)))
    return shown


def test_a_text_file_is_as_wide_as_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal 40 columns wide changes nothing: every figure of the JSON is in the file,
    whole, and the longest of the report's values stays on one line."""
    monkeypatch.setenv("COLUMNS", "40")
    target = tmp_path / "figures.txt"
    result = invoke("summarize", REPORT, "--period", "2024", "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    tokens = {token.lstrip("+-") for token in re.findall(r"[+-]?\d+(?:\.\d+)?|N/A", text)}
    metrics = json.loads(invoke("summarize", REPORT, "--period", "2024", "-f", "json").stdout)
    # The report's layout writes the RFAs without notifications as 519 "including 190", not 329.
    shown = [m for m in metrics["metrics"] if m["id"] != "otp.rfa.sent_without_notifications"]
    missing = [f for f in _figures(shown) if f not in tokens]
    assert missing == []
    assert "519 RFAs (including 190 notifications of missions)" in text
    assert "+8.58% (with notifications) and -4.64% (without notifications)" in text
    assert max(len(line) for line in text.splitlines()) > 120  # not cut at any terminal width


def test_export_still_writes_the_table_beside_standard_output(tmp_path: Path) -> None:
    target = tmp_path / "table.svg"
    target.write_text("old", encoding="utf-8")
    result = invoke("summarize", REPORT, "--period", "2024", "-f", "csv", "--export", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("id,section,label,value\n")
    assert "519" in target.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["table.svg"]


def test_output_and_export_on_one_file_and_output_in_a_config_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = str(tmp_path / "t.html")
    result = invoke("summarize", REPORT, "--period", "2024", "-o", target, "--export", target)
    assert result.exit_code == 2 and "both name" in result.stderr
    (tmp_path / "coopstats.toml").write_text('[defaults]\noutput = "x.json"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("summarize", REPORT, "--period", "2024")
    assert result.exit_code == 2 and "[defaults] output" in result.stderr
    assert not (tmp_path / "x.json").exists()
