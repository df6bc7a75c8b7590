"""`coopstats validate`: every problem with its line, column, code and hint; a profile when clean.

Each file of fixtures/defects/ holds one defect, named after it; the expected line, column and
code of each are read off the file by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, HEADER
from typer.testing import CliRunner, Result

from coopstats.cli import app
from coopstats.inspection import validate
from coopstats.read import ReadOptions, Source

runner = CliRunner()
DEFECTS = FIXTURES / "defects"
WriteLog = Callable[..., Path]


def run(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def report(*args: object) -> tuple[int, dict[str, Any]]:
    result = run("validate", *args, "--format", "json")
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, json.loads(result.stdout)


# file -> (line, column, code) of its one problem
DEFECT_PROBLEMS: dict[str, tuple[int | None, str | None, str]] = {
    "missing-column.csv": (1, "sent", "missing-label"),
    "duplicate-column.csv": (1, "sent", "duplicate-label"),
    "blank-id.csv": (3, "id", "missing-value"),
    "blank-sent.csv": (2, "sent", "missing-value"),
    "duplicate-id.csv": (4, "id", "duplicate-id"),
    "bad-organ.csv": (3, "organ", "unknown-organ"),
    "bad-kind.csv": (2, "kind", "unknown-kind"),
    "bad-origin.csv": (2, "origin", "unknown-origin"),
    "bad-category.csv": (2, "categories", "unknown-category"),
    "bad-outcome.csv": (2, "outcome", "unknown-outcome"),
    "kind-organ-mismatch.csv": (2, "kind", "kind-organ-mismatch"),
    "rfc-without-origin.csv": (2, "origin", "missing-origin"),
    "executed-before-sent.csv": (2, "executed", "executed-before-sent"),
    "outcome-without-execution.csv": (2, "outcome", "outcome-without-execution"),
    "too-many-fields.csv": (2, None, "extra-cell"),
    "too-few-fields.csv": (2, None, "missing-cell"),
    "impossible-date.csv": (2, "sent", "invalid-date"),
    "two-digit-year.csv": (2, "sent", "invalid-date"),
    "ambiguous-dates.csv": (2, None, "date-order"),
    "mixed-date-order.csv": (3, None, "date-order"),  # 25/06 on line 3, 06/25 on line 4
    "unclosed-quote.csv": (3, None, "format-error"),
    "not-utf8.csv": (4, None, "encoding-error"),
    "binary.csv": (None, None, "format-error"),
    "empty.csv": (None, None, "empty-file"),
}


def test_every_defect_fixture_is_listed_here() -> None:
    on_disk = {p.name for p in DEFECTS.iterdir()}
    assert on_disk == set(DEFECT_PROBLEMS) | {"header-only.csv"}


@pytest.mark.parametrize("name", sorted(DEFECT_PROBLEMS))
def test_each_defect_is_one_located_problem_with_a_code(name: str) -> None:
    status, doc = report(DEFECTS / name)
    assert status == 1 and doc["valid"] is False and doc["total"] == 1
    (problem,) = doc["problems"]
    assert (problem["line"], problem["column"], problem["code"]) == DEFECT_PROBLEMS[name]
    assert problem["message"] and doc["profile"] is None
    # summarize refuses the same file, with the same exit status, and without a traceback.
    result = run("summarize", DEFECTS / name, "--period", "2024")
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("bad-organ.csv", "did you mean 'Registry'?"),
        ("bad-kind.csv", "did you mean 'RFA'?"),
        ("bad-category.csv", "did you mean 'defence'?"),
        ("bad-outcome.csv", "did you mean 'positive'?"),
        ("missing-column.csv", "--column 'sent=date sent'"),
        ("not-utf8.csv", "--encoding cp1252"),
        ("ambiguous-dates.csv", "--dayfirst"),
        ("kind-organ-mismatch.csv", "RFA, mission-notification, RFI"),
    ],
)
def test_problems_carry_a_fix(name: str, hint: str) -> None:
    _, doc = report(DEFECTS / name)
    assert hint in doc["problems"][0]["hint"]


def test_the_values_and_messages_say_what_was_expected() -> None:
    _, doc = report(DEFECTS / "duplicate-id.csv")
    problem = doc["problems"][0]
    assert problem["value"] == "R-1" and "line 2" in problem["message"]  # both lines named
    _, doc = report(DEFECTS / "missing-column.csv")
    message = doc["problems"][0]["message"]
    assert "'date sent'" in message and "'organ'" in message  # the columns found
    _, doc = report(DEFECTS / "bad-origin.csv")
    assert doc["problems"][0]["value"] == "headquarters"
    assert "HQ or country-office" in doc["problems"][0]["message"]
    _, doc = report(DEFECTS / "mixed-date-order.csv")
    assert "line 3" in doc["problems"][0]["message"] and "line 4" in doc["problems"][0]["message"]


def test_header_only_is_clean_with_an_empty_profile() -> None:
    status, doc = report(DEFECTS / "header-only.csv")
    assert status == 0 and doc["valid"] and doc["total"] == 0 and doc["rows"] == 0
    profile = doc["profile"]
    assert profile["rows"] == 0 and profile["first_sent"] is None and profile["pending"] == 0
    assert [k["rows"] for k in profile["by_kind"]] == [0, 0, 0, 0, 0]


def test_a_clean_log_gets_its_profile() -> None:
    """fixtures/clean-small.csv counted by hand: RFAs OTP-001 002 004 005 007 008 010, mission
    notifications 003 006, the RFI 009; RFCs REG-001..007, 009, 010, the decision 008. Pending
    (no executed date): OTP-002, OTP-008, OTP-010, REG-002, REG-006."""
    status, doc = report(FIXTURES / "clean-small.csv")
    assert status == 0 and doc["problems"] == [] and doc["rows"] == 20
    profile = doc["profile"]
    assert [(k["organ"], k["kind"], k["rows"]) for k in profile["by_kind"]] == [
        ("OTP", "RFA", 7),
        ("OTP", "mission-notification", 2),
        ("OTP", "RFI", 1),
        ("Registry", "RFC", 9),
        ("Registry", "decision-notification", 1),
    ]
    assert (profile["first_sent"], profile["last_sent"]) == ("2021-06-30", "2024-10-21")
    assert profile["pending"] == 5 and profile["dates_after_today"] == 0
    assert profile["date_order"] is None  # ISO dates only: no order was needed
    _, export = report(FIXTURES / "spreadsheet-export.csv")
    assert export["profile"]["by_kind"] == profile["by_kind"]
    assert export["profile"]["date_order"] == "day"


def test_dates_after_today_are_a_warning_not_an_error(write_log: WriteLog) -> None:
    path = write_log(
        "R-1,OTP,RFA,,,2023-10-02,2999-01-01,",
        "R-2,OTP,RFA,,,2998-10-02,,",
        "R-3,OTP,RFA,,,2023-10-02,,",
    )
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "warning: 2 request(s) have a date after today" in result.stderr
    assert "line(s) 2, 3" in result.stderr
    # On 1 December 2998, R-2 (sent 2 October 2998) is in the past, R-1's execution is not.
    with Source(str(path)) as source:
        checked = validate(source, ReadOptions(), today=date(2998, 12, 1))
    assert checked.profile is not None and checked.profile.future == 1
    assert checked.profile.future_lines == (2,)


def test_table_lists_line_column_value_problem_code_hint(write_log: WriteLog) -> None:
    path = write_log("R-1,OTP,RFAX,,,2023-10-02,,", "R-2,Registy,RFC,HQ,,2023-10-02,,")
    result = run("validate", path)
    assert result.exit_code == 1
    for word in ("line", "column", "value", "problem", "code", "hint", "unknown-kind",
                 "unknown-organ", "RFAX", "Registy", "did you mean 'Registry'?"):
        assert word in result.stdout, word
    assert "2 problems in 2 of 2 rows" in result.stdout


def test_every_problem_is_listed_and_max_problems_limits_the_table(write_log: WriteLog) -> None:
    # Thirty different words: problems alike are one row (tests/test_exports.py), these are not.
    rows = [f"R-{n},OTP,bad{n},,,2023-10-02,," for n in range(1, 31)]
    path = write_log(*rows)
    status, doc = report(path)
    assert status == 1 and doc["total"] == 30 and len(doc["problems"]) == 30
    assert [p["line"] for p in doc["problems"]] == list(range(2, 32))
    everything = run("validate", path)
    assert everything.stdout.count("unknown-kind") == 30  # the table lists them all by default
    limited = run("validate", path, "--max-problems", "5")
    assert limited.exit_code == 1 and limited.stdout.count("unknown-kind") == 5
    assert "5 of 30 shown" in limited.stdout


def test_several_problems_in_one_row_are_all_listed(write_log: WriteLog) -> None:
    path = write_log(",OTP,RFC,,,2023-10-02,2023-09-01,maybe")
    _, doc = report(path)
    codes = {p["code"] for p in doc["problems"]}
    assert codes == {"missing-value", "kind-organ-mismatch", "missing-origin",
                     "executed-before-sent", "unknown-outcome"}
    assert doc["invalid_rows"] == 1 and doc["rows"] == 1


def test_cells_from_the_file_cannot_drive_the_terminal(write_log: WriteLog) -> None:
    path = write_log("R-1,OTP,\x1b[31m[bold]RFA[/bold],,,2023-10-02,,")
    result = run("validate", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "\x1b[31m" not in result.stdout and "\\x1b[31m[bold]RFA[/bold]" in result.stdout


def test_validate_reads_workbooks_and_names_the_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Log"
    sheet.append(HEADER.split(","))
    sheet.append(["R-1", "OTP", "RFA", None, None, date(2023, 10, 2), None, "positive"])
    book.save(tmp_path / "log.xlsx")
    status, doc = report(tmp_path / "log.xlsx")
    assert status == 1 and doc["source"] == f"{tmp_path / 'log.xlsx'}[Log]"
    assert (doc["problems"][0]["line"], doc["problems"][0]["code"]) == (
        2, "outcome-without-execution",
    )


def test_input_options_apply(write_log: WriteLog) -> None:
    path = write_log("R-1,OTP,RFA,,,05/06/2023,,", name="amb.csv")
    assert report(path)[0] == 1
    status, doc = report(path, "--dayfirst")
    assert status == 0 and doc["profile"]["first_sent"] == "2023-06-05"
    status, doc = report(path, "--monthfirst")
    assert status == 0 and doc["profile"]["first_sent"] == "2023-05-06"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_format(fmt: str) -> None:
    clean = run("validate", FIXTURES / "clean-small.csv", "--format", fmt)
    bad = run("validate", DEFECTS / "bad-kind.csv", "--format", fmt)
    assert clean.exit_code == 0 and bad.exit_code == 1
    assert "unknown-kind" in bad.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate", tmp_path / "nope.csv").exit_code == 2
    assert run("validate", FIXTURES / "clean-small.csv", "--bogus").exit_code == 2
    both = run("validate", FIXTURES / "clean-small.csv", "--dayfirst", "--monthfirst")
    assert both.exit_code == 2


def test_validate_does_not_need_a_period_and_has_help() -> None:
    result = run("validate", "--help")
    assert result.exit_code == 0 and "--period" not in result.stdout
    assert "Examples" in result.stdout


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (["validate"], "coopstats.inspection.validate"),
        (["explain", "--period", "2024"], "coopstats.inspection.reconcile"),
        (["explain", "--period", "2024", "-m", "otp.rfa.sent"],
         "coopstats.inspection.explain_metric"),
    ],
)
def test_an_internal_error_is_one_line_and_status_3(
    monkeypatch: pytest.MonkeyPatch, command: list[str], target: str
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(target, broken)
    clean = str(FIXTURES / "clean-small.csv")
    result = runner.invoke(app, [command[0], clean, *command[1:]])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert "internal error: RuntimeError: boom" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    debug = runner.invoke(app, [command[0], clean, *command[1:], "--debug"])
    assert debug.exit_code == 3 and "Traceback" in debug.stderr


def test_the_profile_agrees_with_a_plain_count_of_random_rows(tmp_path: Path) -> None:
    """The profile is read from counts by the fast loops (and a second pass for the lines of
    dates after today): held here to a plain loop over the same rows, dates around `today`."""
    import random
    from datetime import timedelta

    today = date(2024, 3, 1)
    rng = random.Random(11)
    kinds = [("OTP", "RFA", ""), ("OTP", "mission-notification", ""), ("OTP", "RFI", ""),
             ("Registry", "RFC", "HQ"), ("Registry", "RFC", "country-office"),
             ("Registry", "decision-notification", "")]  # fmt: skip
    lines, by_kind, pending, future, future_lines = [], {}, 0, 0, []
    for n in range(3000):
        organ, kind, origin = rng.choice(kinds)
        sent = today + timedelta(days=rng.randint(-400, 40))
        executed = sent + timedelta(days=rng.randint(0, 90)) if rng.random() < 0.7 else None
        lines.append(f"R{n:05d},{organ},{kind},{origin},,{sent},{executed or ''},")
        by_kind[organ, kind] = by_kind.get((organ, kind), 0) + 1
        pending += executed is None
        if sent > today or (executed is not None and executed > today):
            future += 1
            if len(future_lines) < 20:
                future_lines.append(n + 2)  # the header is line 1
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with Source(str(path)) as source:
        checked = validate(source, ReadOptions(), today=today)
    profile = checked.profile
    assert profile is not None
    assert {(o, k): n for o, k, n in profile.by_kind if n} == by_kind
    assert (profile.pending, profile.future) == (pending, future)
    assert profile.future_lines == tuple(future_lines)
    assert profile.rows == 3000


def test_a_word_as_near_two_kinds_names_both() -> None:
    """"Notification" alone is as near 'mission-notification' (difflib's ratio 0.75) as
    'decision-notification' (0.73): the problem names both, not the first alone; "Registy"
    is near 'Registry' alone."""
    from coopstats.checks import suggest
    from coopstats.model import KINDS

    assert suggest("Notification", KINDS) == (
        "did you mean 'mission-notification' or 'decision-notification'?"
    )
    assert suggest("Registy", ["OTP", "Registry"]) == "did you mean 'Registry'?"
