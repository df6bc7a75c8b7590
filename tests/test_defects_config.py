"""Column mappings, [values.*], [defaults] and missing columns, as a user meets them.

Each test is one case of the defects issue (items 7, 10, 11, 12, 19) or of the exports issue
(words onto empty, the config file named). Expected figures come from the tests' oracle over
the same rows as the SPEC reads them, or are worked out by hand in comments.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES
from oracle import oracle_metrics
from typer.testing import CliRunner, Result

from coopstats.cli import app

runner = CliRunner()
CLEAN = FIXTURES / "clean-small.csv"
START, END = date(2023, 9, 16), date(2024, 9, 15)


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: a coopstats.toml there is the test's own."""
    monkeypatch.chdir(tmp_path)


def run(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def clean_rows() -> list[dict[str, str]]:
    with open(CLEAN, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def summary(*args: object) -> dict[str, object]:
    result = run("summarize", *args, "--period", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def values_of(doc: dict[str, object]) -> dict[str, object]:
    metrics = doc["metrics"]
    assert isinstance(metrics, list)
    return {m["id"]: m["value"] for m in metrics}


def expected(rows: list[dict[str, str]]) -> dict[str, object]:
    """The oracle's figures for the Court's 2024 year, as JSON gives them (floats)."""
    return {
        k: (float(v) if v is not None and not isinstance(v, int) else v)
        for k, v in oracle_metrics(rows, START, END).items()
    }


def config(text: str, name: str = "coopstats.toml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


# --- item 7: one header, two canonical names ---------------------------------------------------


def test_column_executed_from_the_sent_header_is_refused() -> None:
    result = run("summarize", CLEAN, "--period", "2024", "--column", "executed=sent")
    assert result.exit_code == 2, result.output
    assert "executed (by --column executed=sent)" in result.stderr
    assert "sent (by its own name)" in result.stderr and "'sent'" in result.stderr


def test_two_names_onto_one_header_in_columns_is_refused() -> None:
    log = write_rows(Path("db.csv"), clean_rows(), ["id", "organ", "kind", "sent"])
    config('[columns]\nsent = "Date sent"\nexecuted = "date sent "\n')
    result = run("summarize", log, "--period", "2024")
    assert result.exit_code == 2, result.output
    assert "./coopstats.toml: [columns] reads both sent and executed" in result.stderr
    assert "'Date sent'" in result.stderr


def test_columns_taking_another_names_own_header_is_refused() -> None:
    """`[columns] executed = "sent"` leaves `sent` reading its own header, `sent`: both would
    be read from one column."""
    given = config('[columns]\nexecuted = "Sent"\n', name="mine.toml")
    result = run("summarize", CLEAN, "--period", "2024", "--config", given)
    assert result.exit_code == 2, result.output
    assert "executed (by [columns] executed in mine.toml)" in result.stderr
    assert "sent (by its own name)" in result.stderr


def test_command_line_and_config_onto_one_header_are_refused() -> None:
    rows = clean_rows()
    for row in rows:
        row["Date sent"] = row["sent"]
    log = write_rows(Path("db.csv"), rows, ["id", "organ", "kind", "Date sent", "executed"])
    config('[columns]\nsent = "Date sent"\n')
    result = run("validate", log, "--column", "executed=DATE SENT")
    assert result.exit_code == 2, result.output
    assert "sent (by [columns] sent in ./coopstats.toml)" in result.stderr
    assert "executed (by --column executed=DATE SENT)" in result.stderr


def test_swapping_two_columns_is_not_a_clash() -> None:
    """Each name onto a header of its own, even another name's, is allowed: a file whose
    `organ` and `kind` cells sit under each other's headers gives the clean log's figures."""
    rows = clean_rows()
    for row in rows:
        row["organ"], row["kind"] = row["kind"], row["organ"]
    log = write_rows(Path("swapped.csv"), rows, list(rows[0]))
    v = values_of(summary(log, "--column", "organ=kind", "--column", "kind=organ"))
    assert v == expected(clean_rows())


# --- items 10 and 11: missing optional columns ------------------------------------------------

POSITIVE_IDS = ["registry.rfc.hq_positive_pct", "registry.arrest.positive_pct"]
CATEGORY_IDS = [
    "registry.hq.defence", "registry.hq.victims", "registry.hq.witness_protection",
    "registry.hq.judicial_support", "registry.hq.defence_avg_days_to_reply",
    "registry.arrest.sent", "registry.arrest.avg_days_to_reply", "registry.arrest.positive_pct",
]
EXECUTED_IDS = [
    "otp.rfa.executed", "otp.rfa.executed_pct", "otp.rfa.avg_days_to_execute",
    "registry.rfc.hq_avg_days_to_reply", "registry.rfc.hq_positive_pct",
    "registry.hq.defence_avg_days_to_reply", "registry.arrest.avg_days_to_reply",
    "registry.arrest.positive_pct",
]
ALL = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"]


def named_ids(warning: str) -> list[str]:
    return [word.strip(",()") for word in warning.split() if word.startswith(("otp.", "regi"))]


def without(column: str) -> tuple[Path, list[dict[str, str]]]:
    rows = clean_rows()
    log = write_rows(Path(f"no-{column}.csv"), rows, [c for c in ALL if c != column])
    blanked = [{**row, column: ""} for row in rows]  # what the SPEC makes of the rows
    return log, blanked


def test_without_outcome_every_reply_is_positive_and_a_warning_says_so() -> None:
    log, rows = without("outcome")
    doc = summary(log)
    assert values_of(doc) == expected(rows)
    # By hand: HQ RFCs of the year REG-003, 004, 006, 007, 009; executed by 2024-09-15:
    # 003, 004, 007 (009 on 27 September is later): 3 of 5 positive without outcomes.
    assert values_of(doc)["registry.rfc.hq_positive_pct"] == 60.0
    warnings = doc["warnings"]
    assert isinstance(warnings, list)
    [warning] = [w for w in warnings if "no outcome column" in w]
    assert named_ids(warning) == POSITIVE_IDS
    table = run("summarize", log, "--period", "2024")
    assert "warning: the log has no outcome column" in table.stderr


def test_without_categories_the_breakdown_is_zero_and_a_warning_names_it() -> None:
    log, rows = without("categories")
    doc = summary(log)
    v = values_of(doc)
    assert v == expected(rows)
    assert v["registry.hq.defence"] == 0 and v["registry.arrest.sent"] == 0
    [warning] = [w for w in doc["warnings"] if "no categories column" in w]  # type: ignore[union-attr]
    assert named_ids(warning) == CATEGORY_IDS


def test_without_executed_everything_is_pending_and_a_warning_names_it() -> None:
    rows = clean_rows()
    log = write_rows(Path("no-executed.csv"), rows, [c for c in ALL if c not in ("executed",
                                                                                 "outcome")])
    doc = summary(log)
    v = values_of(doc)
    assert v == expected([{**row, "executed": "", "outcome": ""} for row in rows])
    assert v["otp.rfa.executed"] == 0 and v["otp.rfa.executed_pct"] == 0.0
    warnings = doc["warnings"]
    assert isinstance(warnings, list)
    [warning] = [w for w in warnings if "no executed column" in w]
    assert named_ids(warning) == EXECUTED_IDS
    assert not [w for w in warnings if "no outcome column" in w]  # moot without executions


def test_the_same_warnings_in_compare_and_trend() -> None:
    log, _ = without("categories")
    for command in ("compare", "trend"):
        result = run(command, log, "--period", "2024", "--format", "json")
        assert result.exit_code == 0, result.output
        assert any("no categories column" in w for w in json.loads(result.stdout)["warnings"])


def test_the_same_warnings_in_times_and_explain() -> None:
    log, _ = without("outcome")
    runs = {
        "times": ["times", log, "--period", "2024", "--format", "json"],
        "explain": ["explain", log, "--period", "2024", "--metric",
                    "registry.rfc.hq_positive_pct", "--format", "json"],
    }  # fmt: skip
    for command, args in runs.items():
        result = run(*args)
        assert result.exit_code == 0, (command, result.output)
        warnings = json.loads(result.stdout)["warnings"]
        assert any("no outcome column" in w for w in warnings), command
        assert "no outcome column" in result.stderr, command


def test_a_complete_log_has_no_missing_column_warning() -> None:
    assert not [w for w in summary(CLEAN)["warnings"] if "column" in w]  # type: ignore[union-attr]


def test_outcomes_without_an_executed_column_are_said_once() -> None:
    """1,300 rows with an outcome and no executed column: one message, not 1,300."""
    rows = [
        {"id": f"R-{n}", "organ": "Registry", "kind": "RFC", "origin": "HQ",
         "sent": "2024-01-02", "outcome": "positive" if n % 2 else "negative"}
        for n in range(1300)
    ]
    log = write_rows(Path("no-exec.csv"), rows, ["id", "organ", "kind", "origin", "sent",
                                                 "outcome"])
    result = run("summarize", log, "--period", "2024")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "no executed column" in lines[0] and "no-exec.csv:2" in lines[0]
    assert "--column executed=HEADER" in lines[0]
    checked = run("validate", log, "--format", "json")
    assert checked.exit_code == 1
    problems = json.loads(checked.stdout)["problems"]
    assert len(problems) == 1 and problems[0]["line"] == 2


# --- item 12: [defaults] typed by the options' declarations -----------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('periods = "three"', "[defaults] periods must be a whole number from 1 to 50"),
        ("metric = 7", "[defaults] metric must be a string"),
        ("decimals = 13", "[defaults] decimals"),
        ("decimals = 2.5", "whole number"),
        ("max-problems = 0", "[defaults] max-problems"),
        ('dayfirst = "yes"', "true or false"),
        ("notifications = 1", "true or false"),
        ('format = "xml"', "[defaults] format"),
        ('days = "weekly"', "[defaults] days"),
        ('column = "sent=Date"', "must be a list"),
        ("column = [1]", "must be a string"),
        ("period = 2024", "must be a string"),
        ('period = ""', "is empty"),
        ('config = "other.toml"', "cannot name another"),
    ],
)
def test_defaults_of_the_wrong_type_are_usage_errors(text: str, words: str) -> None:
    config(f"[defaults]\n{text}\n")
    result = run("summarize", CLEAN, "--period", "2024")
    assert result.exit_code == 2, result.output
    assert "./coopstats.toml" in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_defaults_of_the_right_type_are_taken() -> None:
    config('[defaults]\nperiods = 3\ndecimals = 0\nformat = "json"\ncolumn = ["id=id"]\n')
    result = run("trend", CLEAN, "--period", "2024")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["periods"]) == 3


# --- item 19: config quirks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[values.outcome]\n'' = 'negative'\n", "[values.outcome] maps the empty word"),
        ("[values.outcome]\n'  ' = 'negative'\n", "[values.outcome] maps the empty word"),
        ("[defaults]\nholidays = 0\n", "[defaults] holidays must be a string"),
        ("[defaults]\nholidays = '-'\n", "[defaults] holidays may not be '-'"),
        ("[defaults]\ndelimiter = ''\n", "[defaults] delimiter is empty"),
        (
            "[values.kind]\n'Request for Assistance' = 'RFA'\n' request for ASSISTANCE' = 'RFC'\n",
            "'Request for Assistance' and ' request for ASSISTANCE'",
        ),
        ("[columns]\nsent = ''\n", "[columns] sent is empty"),
        # SPEC §6: [values.COLUMN] maps any column's spellings (for --by), but not the empty word.
        ("[values.State]\n' ' = 'France'\n", "[values.State] maps the empty word"),
    ],
)
def test_config_quirks_are_refused_naming_file_and_key(text: str, words: str) -> None:
    config(text)
    result = run("summarize", CLEAN, "--period", "2024")
    assert result.exit_code == 2, result.output
    assert "./coopstats.toml" in result.stderr and words in result.stderr, result.stderr


def test_an_empty_delimiter_on_the_command_line_is_refused() -> None:
    result = run("summarize", CLEAN, "--period", "2024", "--delimiter", "")
    assert result.exit_code == 2, result.output
    assert "--delimiter" in result.stderr and "empty" in result.stderr


# --- words onto empty (SPEC §8) ---------------------------------------------------------------


def test_pending_outcome_mapped_onto_empty() -> None:
    rows = clean_rows()
    worded = [{**row, "outcome": row["outcome"] or ("Pending" if not row["executed"] else "")}
              for row in rows]
    log = write_rows(Path("pending.csv"), worded, ALL)
    refused = run("summarize", log, "--period", "2024")
    assert refused.exit_code == 1 and "'Pending'" in refused.stderr
    config('[values.outcome]\n"Pending" = ""\n')
    assert values_of(summary(log)) == expected(rows)


def test_executed_words_mapped_onto_empty_before_dates_are_read() -> None:
    rows = clean_rows()
    words = ("not executed", "N/A", "Not Executed ")
    worded = [{**row, "executed": row["executed"] or words[n % 3]} for n, row in enumerate(rows)]
    log = write_rows(Path("words.csv"), worded * 1, ALL)
    config('[values.executed]\n"not executed" = ""\n"n/a" = ""\n')
    assert values_of(summary(log)) == expected(rows)


def test_a_word_mapped_for_executed_is_still_no_sent_date() -> None:
    """The date cache is shared by both date columns: a `sent` of "none" is an error even
    after rows whose `executed` "none" was read as empty."""
    text = CLEAN.read_text(encoding="utf-8").replace(",2024-09-15,,", ",2024-09-15,none,")
    text += "LATE-1,OTP,RFA,,,none,,\n"
    log = Path("late.csv")
    log.write_text(text, encoding="utf-8")
    config('[values.executed]\n"none" = ""\n')
    result = run("validate", log, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["column"], p["code"]) for p in problems] == [
        (22, "sent", "invalid-date")
    ]


def test_a_date_word_mapped_onto_a_date() -> None:
    rows = clean_rows()
    worded = [{**row, "executed": "same day" if row["id"] == "OTP-006" else row["executed"]}
              for row in rows]
    log = write_rows(Path("same.csv"), worded, ALL)
    config('[values.executed]\n"same day" = "2024-02-14"\n')
    assert values_of(summary(log)) == expected(rows)


# --- the config file named (SPEC §8) ----------------------------------------------------------


def test_a_config_found_here_is_named_on_stderr_and_in_json() -> None:
    config('[defaults]\ndecimals = 1\n')
    table = run("summarize", CLEAN, "--period", "2024")
    assert table.exit_code == 0
    assert table.stderr.splitlines()[0] == "note: using ./coopstats.toml"
    assert summary(CLEAN)["config"] == "./coopstats.toml"


def test_a_config_given_is_not_announced_but_is_in_json() -> None:
    given = config('[defaults]\ndecimals = 1\n', name="team.toml")
    table = run("summarize", CLEAN, "--period", "2024", "--config", given)
    assert table.exit_code == 0 and "note:" not in table.stderr
    assert summary(CLEAN, "--config", given)["config"] == "team.toml"


def test_no_config_is_null_in_json() -> None:
    doc = summary(CLEAN)
    assert "config" in doc and doc["config"] is None


def test_a_read_error_from_the_config_names_it() -> None:
    config('[columns]\nsent = "Date sent"\n')
    result = run("summarize", CLEAN, "--period", "2024")
    assert result.exit_code == 1
    assert "no column 'Date sent' (given for sent by [columns] sent in ./coopstats.toml)" in (
        result.stderr
    )
