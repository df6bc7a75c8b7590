"""The command line: exit statuses, what goes to stdout and stderr, and every format."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from coopstats import __version__
from coopstats.catalogue import figure_ids
from coopstats.cli import app

METRIC_IDS = figure_ids()

runner = CliRunner()
REPORT = str(FIXTURES / "report-2024.csv")
WriteLog = Callable[..., Path]


def run(*args: str, **kwargs: object) -> object:
    return runner.invoke(app, list(args), **kwargs)  # type: ignore[arg-type]


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"coopstats {__version__}"
    result = runner.invoke(app, ["summarize", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout and "--period" in result.stdout


def test_json_has_the_spec_shape() -> None:
    result = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["period"] == {"start": "2023-09-16", "end": "2024-09-15"}
    assert doc["prior_period"] == {"start": "2022-09-16", "end": "2023-09-15"}
    assert doc["as_of"] == "2024-09-15" and doc["notifications"] is True
    assert [m["id"] for m in doc["metrics"]] == list(METRIC_IDS)
    values = {m["id"]: m["value"] for m in doc["metrics"]}
    assert values["otp.rfa.sent"] == 519 and isinstance(values["otp.rfa.sent"], int)
    assert values["registry.arrest.avg_days_to_reply"] is None
    assert values["otp.rfa.executed_pct"] == pytest.approx(100 * 204 / 519)  # unrounded
    assert all({"id", "section", "label", "value"} <= set(m) for m in doc["metrics"])


def test_csv_has_the_spec_shape() -> None:
    result = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "section", "label", "value"]
    assert [r[0] for r in rows[1:]] == list(METRIC_IDS)
    values = {r[0]: r[3] for r in rows[1:]}
    assert values["registry.rfc.sent"] == "793"
    assert values["registry.arrest.avg_days_to_reply"] == ""  # null is an empty cell


def test_markdown_has_the_three_sections() -> None:
    result = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n## ") == 3
    assert "| Witness protection requests | 10 |" in result.stdout


def test_decimals() -> None:
    result = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "-f", "markdown",
                                 "--decimals", "0"])  # fmt: skip
    assert "| Average time needed to execute an RFA | 54 days |" in result.stdout  # 53.95 → 54
    result = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "-f", "markdown",
                                 "--decimals", "3"])  # fmt: skip
    assert "+8.577% (with notifications) and -4.638% (without notifications)" in result.stdout


def test_same_input_same_bytes() -> None:
    for fmt in ("table", "json", "csv", "markdown"):
        first = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "-f", fmt])
        second = runner.invoke(app, ["summarize", REPORT, "--period", "2024", "-f", fmt])
        assert first.stdout == second.stdout, fmt


def test_standard_input(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2024-01-01,,")
    result = runner.invoke(
        app, ["summarize", "-", "--period", "2024", "-f", "json"], input=log.read_text()
    )
    assert result.exit_code == 0, result.output
    values = {m["id"]: m["value"] for m in json.loads(result.stdout)["metrics"]}
    assert values["otp.rfa.sent"] == 1


def test_invalid_rows_exit_1_with_file_line_column_value(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2024-01-01,,", "b,OTP,RFQ,,,2024-01-01,,", "c,OTP,RFA,,,2024-13-01,,"
    )
    result = runner.invoke(app, ["summarize", str(log), "--period", "2024"])
    assert result.exit_code == 1
    assert result.stdout == ""  # no table printed
    assert f"{log}:3: column 'kind', value 'RFQ'" in result.stderr
    assert f"{log}:4: column 'sent', value '2024-13-01'" in result.stderr
    assert "Traceback" not in result.output


def test_warnings_go_to_stderr_and_figures_still_print(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2024-01-01,,")  # the log starts after the prior period's start
    result = runner.invoke(app, ["summarize", str(log), "--period", "2024", "-f", "json"])
    assert result.exit_code == 0
    assert "incomplete" in result.stderr
    assert json.loads(result.stdout)["warnings"]


@pytest.mark.parametrize(
    "args",
    [
        ["summarize", "no-such-file.csv", "--period", "2024"],
        ["summarize", REPORT, "--period", "2024-13-01:2025-01-01"],
        ["summarize", REPORT, "--period", "2024", "--as-of", "2020-01-01"],
        ["summarize", REPORT, "--period", "2024", "--format", "yaml"],
        ["summarize", REPORT, "--period", "2024", "--dayfirst", "--monthfirst"],
        ["summarize", REPORT, "--period", "2024", "--column", "nonsense=x"],
        ["summarize", REPORT, "--period", "2024", "--export", "out.pdf"],
        ["summarize", REPORT],
        ["summarize", REPORT, "--period", "2024", "--bogus"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_export_writes_svg_and_html(tmp_path: Path) -> None:
    for suffix in ("svg", "html"):
        target = tmp_path / f"table.{suffix}"
        result = runner.invoke(
            app, ["summarize", REPORT, "--period", "2024", "-f", "json", "--export", str(target)]
        )
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        assert "519 RFAs" in text.replace("&#160;", " ").replace("\xa0", " ")


def test_export_never_overwrites_the_log(write_log: WriteLog, tmp_path: Path) -> None:
    log = write_log("a,OTP,RFA,,,2024-01-01,,", name="log.html")
    before = log.read_bytes()
    result = runner.invoke(app, ["summarize", str(log), "--period", "2024", "--export", str(log)])
    assert result.exit_code == 2
    assert log.read_bytes() == before


def test_colour_only_on_a_terminal_and_no_color_honoured() -> None:
    """Run as a real process: piped output has no escape codes; NO_COLOR wins over a terminal."""
    base = [sys.executable, "-m", "coopstats", "summarize", REPORT, "--period", "2024"]
    piped = subprocess.run(base, capture_output=True, text=True, check=True)
    assert "\x1b[" not in piped.stdout
    forced = subprocess.run(
        base, capture_output=True, text=True, check=True,
        env={"FORCE_COLOR": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )  # fmt: skip
    assert "36m" in forced.stdout  # the section titles' cyan
    no_color = subprocess.run(
        base, capture_output=True, text=True, check=True,
        env={"FORCE_COLOR": "1", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )  # fmt: skip
    assert "36m" not in no_color.stdout  # no colour (bold and italic may remain)


def test_config_defaults_reach_paths_and_the_period(
    write_log: WriteLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = write_log("a,OTP,RFA,,,2024-01-01,,")
    export = tmp_path / "table.svg"
    (tmp_path / "coopstats.toml").write_text(
        f'[defaults]\nperiod = "2024"\nexport = "{export}"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["summarize", str(log), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"] == {"start": "2023-09-16", "end": "2024-09-15"}
    assert export.exists()


def test_a_missing_period_is_a_usage_error(write_log: WriteLog) -> None:
    result = runner.invoke(app, ["summarize", str(write_log())])
    assert result.exit_code == 2
    assert "missing option --period" in result.stderr


def test_sheet_on_a_csv_and_an_export_to_no_folder_are_usage_errors(write_log: WriteLog) -> None:
    log = str(write_log("a,OTP,RFA,,,2024-01-01,,"))
    result = runner.invoke(app, ["summarize", log, "-p", "2024", "--sheet", "X"])
    assert result.exit_code == 2 and "read as CSV" in result.stderr
    result = runner.invoke(app, ["summarize", log, "-p", "2024", "--export", "/no/such/dir/t.svg"])
    assert result.exit_code == 2 and result.stdout == ""  # refused before any output


def test_months_leave_no_day_out_in_any_command(write_log: WriteLog) -> None:
    # SPEC §2: the periods before 2024-03-01:2024-03-31 are February, then the whole of January
    # (counted from START, never chained): no day lies in no period, and nothing is said.
    log = str(write_log("a,OTP,RFA,,,2023-12-01,,", "b,OTP,RFA,,,2024-03-10,,"))
    trend = runner.invoke(app, ["trend", log, "-p", "2024-03-01:2024-03-31", "-n", "2"])
    assert trend.exit_code == 0 and "no period covers" not in trend.stderr
    sql = runner.invoke(app, ["sql", "-p", "2024-02-01:2024-02-29"])
    assert sql.exit_code == 0 and sql.stderr == ""
    assert "2024-01-31" in sql.stdout  # the prior period's end
