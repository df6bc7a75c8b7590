"""`trend`: consecutive periods side by side, worked out by hand on small logs, and checked
against `summarize` and the oracle period by period on random ones.

Every expected value is computed in a comment or by the oracle; none is copied from the output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics, oracle_period_before
from strategies import periods, to_csv, valid_rows
from typer.testing import CliRunner

from coopstats.catalogue import FIGURES as METRICS
from coopstats.catalogue import figure_ids
from coopstats.cli import app
from coopstats.comparison import Trend, trend
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.read import Source
from coopstats.render.compare import trend_spark
from coopstats.summary import summarize

WriteLog = Callable[..., Path]
runner = CliRunner()
CALENDAR = ["--year-start", "01-01"]


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31))


# Calendar years 2022, 2023 (empty) and 2024, and 2021 for 2022's evolutions.
LOG = (
    "a1,OTP,RFA,,,2021-05-01,,",
    "a2,Registry,RFC,HQ,,2021-06-01,,",
    "b1,OTP,RFA,,,2022-03-01,2022-03-11,",  # 10 days
    "b2,OTP,RFA,,,2022-04-01,2023-01-10,",  # executed after 2022's end: pending in 2022
    "b3,Registry,RFC,HQ,,2022-05-01,2022-05-05,positive",  # 4 days
    "b4,Registry,RFC,HQ,arrest-surrender,2022-06-01,,",
    "c1,OTP,RFA,,,2024-01-15,2024-01-20,",  # 5 days
    "c2,OTP,mission-notification,,,2024-02-01,,",
    "c3,OTP,RFA,,,2024-03-01,2025-01-01,",  # pending as of 2024-12-31
    "c4,Registry,RFC,country-office,,2024-04-01,,",
)

METRIC_IDS = figure_ids()
BY_ID = {m.id: m for m in METRICS}

# metric: (2022, 2023, 2024), by hand from the log above.
EXPECTED: dict[str, tuple[Any, Any, Any]] = {
    "otp.rfa.sent": (2, 0, 3),
    "otp.rfa.mission_notifications": (0, 0, 1),
    "otp.rfa.sent_without_notifications": (2, 0, 2),
    "otp.rfa.evolution_pct": (100, -100, None),  # 2 against 1; 0 against 2; 3 against 0
    "otp.rfa.evolution_pct_without_notifications": (100, -100, None),
    "otp.rfa.executed": (1, 0, 1),  # b1 (not b2); none; c1
    "otp.rfa.executed_pct": (50, None, Fraction(100, 3)),
    "otp.rfa.avg_days_to_execute": (10, None, 5),
    "otp.rfi.sent": (0, 0, 0),
    "registry.rfc.sent": (2, 0, 1),
    "registry.rfc.hq": (2, 0, 0),
    "registry.rfc.country_office": (0, 0, 1),
    "registry.rfc.evolution_pct": (100, -100, None),  # 2 against 1; 0 against 2; 1 against 0
    "registry.rfc.hq_evolution_pct": (100, -100, None),
    "registry.rfc.hq_avg_days_to_reply": (4, None, None),
    "registry.rfc.hq_positive_pct": (50, None, None),  # b3 of b3, b4
    "registry.decision_notifications": (0, 0, 0),
    "registry.hq.defence": (0, 0, 0),
    "registry.hq.victims": (0, 0, 0),
    "registry.hq.witness_protection": (0, 0, 0),
    "registry.hq.judicial_support": (0, 0, 0),
    "registry.hq.defence_avg_days_to_reply": (None, None, None),
    "registry.arrest.sent": (1, 0, 0),
    "registry.arrest.avg_days_to_reply": (None, None, None),
    "registry.arrest.positive_pct": (0, None, None),
}


def run(path: Path, last: Period | None = None, n: int = 3, **options: Any) -> Trend:
    with Source(str(path)) as source:
        return trend(source, last or year(2024), n, **options)


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["trend", *args])


def as_json(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def spans(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["start"], p["end"]) for p in document["periods"]]


# --- the library, by hand ----------------------------------------------------------------


def test_a_trend_whose_middle_period_is_empty(write_log: WriteLog) -> None:
    result = run(write_log(*LOG))
    assert [f.period for f in result.figures] == [year(2022), year(2023), year(2024)]
    assert [f.as_of for f in result.figures] == [date(2022, 12, 31), date(2023, 12, 31),
                                                 date(2024, 12, 31)]  # fmt: skip
    assert result.before == year(2021)
    for metric_id, values in EXPECTED.items():
        assert tuple(result.series(metric_id)) == values, metric_id
    assert set(EXPECTED) == set(METRIC_IDS)


def test_as_of_moves_the_last_period_only(write_log: WriteLog) -> None:
    result = run(write_log(*LOG), as_of=date(2025, 1, 10))
    assert [f.as_of for f in result.figures][-1] == date(2025, 1, 10)
    # c3 is now executed: 2024-03-01 to 2025-01-01 = 366 - (31 + 29) = 306 days; (5 + 306) / 2.
    assert result.series("otp.rfa.executed") == [1, 0, 2]  # b2 still pending in 2022
    assert result.series("otp.rfa.avg_days_to_execute") == [10, None, Fraction(311, 2)]


def test_one_period_is_a_summary_with_its_evolutions(write_log: WriteLog) -> None:
    result = run(write_log(*LOG), last=year(2022), n=1)
    assert [f.period for f in result.figures] == [year(2022)]
    assert result.series("otp.rfa.evolution_pct") == [100]  # 2 against 2021's 1


def test_the_number_of_periods_is_checked(write_log: WriteLog) -> None:
    for n in (0, 51, -1):
        with pytest.raises(UsageError):
            run(write_log(*LOG), n=n)
    with pytest.raises(UsageError):
        run(write_log(*LOG), as_of=date(2023, 12, 31))


def test_incomplete_periods_are_said(write_log: WriteLog) -> None:
    # The log starts on 2021-05-01, after 2021-01-01, the start of the first period's prior.
    evolutions = run(write_log(*LOG)).warnings
    assert len(evolutions) == 1
    assert "2021-05-01" in evolutions[0] and "first period's evolutions" in evolutions[0]
    assert run(write_log(*LOG), last=year(2025)).warnings == []  # 2023-2025, prior 2022
    # 2021 is now a trend period and starts before the log: its figures are incomplete.
    late = run(write_log(*LOG), n=4).warnings
    assert len(late) == 1 and "figures of the first period" in late[0]
    later = run(write_log(*LOG), n=5).warnings
    assert "figures of the first 2 periods" in later[0] and "2021-01-01:2021-12-31" in later[0]
    complete = write_log("z,OTP,RFA,,,2021-01-01,,", *LOG)
    assert run(complete).warnings == []


def test_months_stay_on_the_calendar(write_log: WriteLog) -> None:
    log = write_log(
        "z,OTP,RFA,,,2023-12-01,,",
        "a,OTP,RFA,,,2024-01-29,,",
        "b,OTP,RFA,,,2024-01-30,,",
        "c,OTP,RFA,,,2024-01-31,,",
        "d,OTP,RFA,,,2024-02-29,,",
        "e,OTP,RFA,,,2024-03-01,,",
        "f,OTP,RFA,,,2024-03-31,,",
    )
    result = run(log, Period(date(2024, 3, 1), date(2024, 3, 31)))
    # SPEC §2: each k-th month counted back from 2024-03-01, never chained: whole months.
    assert [f.period for f in result.figures] == [
        Period(date(2024, 1, 1), date(2024, 1, 31)),
        Period(date(2024, 2, 1), date(2024, 2, 29)),
        Period(date(2024, 3, 1), date(2024, 3, 31)),
    ]
    assert result.before == Period(date(2023, 12, 1), date(2023, 12, 31))
    assert result.series("otp.rfa.sent") == [3, 1, 2]
    # Each evolution against the month before it: 1 → 3 (+200%), 3 → 1, 1 → 2.
    assert result.series("otp.rfa.evolution_pct") == [200, Fraction(-200, 3), 100]
    assert result.warnings == []


def test_a_quarterly_trend_stays_on_the_calendar(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2022-01-01,,", "b,OTP,RFA,,,2023-12-31,,")
    result = run(log, Period(date(2024, 1, 1), date(2024, 3, 31)), n=8)
    # The case: today it drifted to 2022-04-09:2022-07-06; SPEC §2 keeps quarters.
    quarters = [
        ("2022-04-01", "2022-06-30"), ("2022-07-01", "2022-09-30"),
        ("2022-10-01", "2022-12-31"), ("2023-01-01", "2023-03-31"),
        ("2023-04-01", "2023-06-30"), ("2023-07-01", "2023-09-30"),
        ("2023-10-01", "2023-12-31"), ("2024-01-01", "2024-03-31"),
    ]  # fmt: skip
    assert [(str(f.period.start), str(f.period.end)) for f in result.figures] == quarters
    assert result.before == Period(date(2022, 1, 1), date(2022, 3, 31))
    assert result.series("otp.rfa.sent") == [0, 0, 0, 0, 0, 0, 1, 0]
    # The first quarter's evolution is against 2022-01-01:2022-03-31, which holds "a".
    assert result.series("otp.rfa.evolution_pct")[0] == -100


def test_ten_day_periods(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFI,,,2023-12-02,,",  # in the prior of the first period
        "b,OTP,RFI,,,2023-12-12,,",
        "c,OTP,RFI,,,2023-12-22,,",
        "d,OTP,RFI,,,2023-12-31,,",
        "e,OTP,RFI,,,2024-01-10,,",
    )
    result = run(log, Period(date(2024, 1, 1), date(2024, 1, 10)))
    assert [(f.period.start, f.period.end) for f in result.figures] == [
        (date(2023, 12, 12), date(2023, 12, 21)),
        (date(2023, 12, 22), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 1, 10)),
    ]
    assert result.series("otp.rfi.sent") == [1, 2, 1]
    assert result.warnings == []  # consecutive days: no gap; the log starts before all


# --- sparklines ----------------------------------------------------------------------------


def test_sparklines_for_constant_rising_and_missing_values(write_log: WriteLog) -> None:
    log = write_log(
        "r1,OTP,RFI,,,2022-01-01,,",
        "r2,OTP,RFI,,,2023-01-01,,",
        "r3,OTP,RFI,,,2024-01-01,,",
        "d1,Registry,decision-notification,,,2022-02-01,,",
        "d2,Registry,decision-notification,,,2023-02-01,,",
        "d3,Registry,decision-notification,,,2023-02-02,,",
        "d4,Registry,decision-notification,,,2024-02-01,,",
        "d5,Registry,decision-notification,,,2024-02-02,,",
        "d6,Registry,decision-notification,,,2024-02-03,,",
        "h1,Registry,RFC,HQ,,2022-03-01,2022-03-03,",  # 2 days
        "h2,Registry,RFC,HQ,,2024-03-01,2024-03-07,",  # 6 days
    )
    result = run(log)
    # Heights from zero, in eighths of the largest value, rounded half up.
    # 1, 1, 1: each is the largest, a full block.
    assert trend_spark(result, BY_ID["otp.rfi.sent"]) == "███"
    # 1, 2, 3: 8/3 = 2.67 → 3 (▃), 16/3 = 5.33 → 5 (▅), 8 (█).
    assert trend_spark(result, BY_ID["registry.decision_notifications"]) == "▃▅█"
    # 2 days, N/A (no HQ RFC in 2023), 6 days: 16/6 = 2.67 → 3; a blank keeps the gap.
    assert trend_spark(result, BY_ID["registry.rfc.hq_avg_days_to_reply"]) == "▃ █"
    # Never a value: all blank.
    assert trend_spark(result, BY_ID["registry.arrest.avg_days_to_reply"]) == "   "


def test_sparklines_of_the_empty_middle(write_log: WriteLog) -> None:
    result = run(write_log(*LOG))
    # 2, 0, 3: 16/3 = 5.33 → 5 (▅), zero (_), 8 (█).
    assert trend_spark(result, BY_ID["otp.rfa.sent"]) == "▅_█"
    # +100, -100, N/A: a negative value, so lowest to highest, and the scale is stated.
    assert trend_spark(result, BY_ID["otp.rfa.evolution_pct"]) == "█▁  (-100% to +100%)"
    assert trend_spark(result, BY_ID["otp.rfa.avg_days_to_execute"]) == "█ ▄"  # 10, N/A, 5 = 4/8


# --- the command line in every format --------------------------------------------------------


def test_json(write_log: WriteLog) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024", "--periods", "3", *CALENDAR)
    assert list(doc) == ["periods", "notifications", "warnings"]
    assert doc["notifications"] is True
    assert spans(doc) == [("2022-01-01", "2022-12-31"), ("2023-01-01", "2023-12-31"),
                          ("2024-01-01", "2024-12-31")]  # fmt: skip
    for i, period in enumerate(doc["periods"]):
        assert list(period) == ["start", "end", "as_of", "metrics"]
        assert period["as_of"] == period["end"]
        assert [m["id"] for m in period["metrics"]] == list(METRIC_IDS)
        for m in period["metrics"]:
            assert list(m) == ["id", "section", "label", "value"]
            assert (m["section"], m["label"]) == (BY_ID[m["id"]].section, BY_ID[m["id"]].label)
            expected = EXPECTED[m["id"]][i]
            assert m["value"] == (None if expected is None else float(expected)), m["id"]
            if BY_ID[m["id"]].unit == "count":
                assert type(m["value"]) is int


def test_csv_in_long_form(write_log: WriteLog) -> None:
    result = invoke(str(write_log(*LOG)), "--period", "2024", "-n", "3", "-f", "csv", *CALENDAR)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["period_start", "period_end", "id", "label", "value"]
    assert len(rows) == 1 + 3 * 25
    assert rows[1] == ["2022-01-01", "2022-12-31", "otp.rfa.sent", BY_ID["otp.rfa.sent"].label,
                       "2"]  # fmt: skip
    cells = {(r[0], r[2]): r[4] for r in rows[1:]}
    assert cells[("2023-01-01", "otp.rfa.evolution_pct")] == "-100.0"
    assert cells[("2024-01-01", "otp.rfa.evolution_pct")] == ""  # no base: empty
    assert float(cells[("2024-01-01", "otp.rfa.executed_pct")]) == 100 / 3


def test_markdown(write_log: WriteLog) -> None:
    result = invoke(str(write_log(*LOG)), "--period", "2024", "-n", "3", "-f", "markdown",
                    *CALENDAR)  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# Trend over 3 periods, from 01/01/2022 to 31/12/2024"
    assert lines[2].startswith("_Periods oldest first, each counted as of its own end;")
    assert "01/01/2021 to 31/12/2021" in lines[2]  # the first period's prior
    # The warning travels with the table: the log starts after 2021's start.
    assert lines[4].startswith("> **Warning:** the log's earliest request was sent on 2021-05-01")
    assert lines[6] == (
        "| § | Indicator | 01/01/2022 to 31/12/2022 | 01/01/2023 to 31/12/2023 | "
        "01/01/2024 to 31/12/2024 | Trend |"
    )
    body = lines[8:]
    assert len(body) == 25
    assert body[0] == (
        "| 1 | Total number of RFAs sent during the reporting period | 2 | 0 | 3 | `▅_█` |"
    )
    b = blank = "\u2007"  # a figure space: Markdown would trim a plain one
    expected = {
        "Evolution based on the last reporting period (with notifications)":
            f"| +100.00% | -100.00% | N/A | `█▁{b}{b}(-100%{b}to{b}+100%)` |",
        "% of replies for the RFAs during the reporting period":
            f"| 50.00% | N/A | 33.33% | `█{blank}▅` |",  # 50, N/A, 100/3: 8 × 2/3 = 5.33 → 5
        "Average time needed to execute an RFA": f"| 10.00 days | N/A | 5.00 days | `█{blank}▄` |",
        "Witness protection requests": "| 0 | 0 | 0 | `___` |",
    }  # fmt: skip
    for label, cells in expected.items():
        assert any(line.endswith(f" {label} {cells}") for line in body), label


def test_table(write_log: WriteLog) -> None:
    result = runner.invoke(app, ["trend", str(write_log(*LOG)), "--period", "2024", "-n", "3",
                                 *CALENDAR, "--as-of", "2025-01-10"],
                           env={"COLUMNS": None})  # piped: as wide as it needs, nothing wraps
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Trend over 3 periods, from 01/01/2022 to 31/12/2024" in out
    assert "(as of 10/01/2025)" in out  # the last column says its own as-of date
    lines = out.splitlines()
    (line,) = [x for x in lines if "Total number of RFAs sent during the reporting period" in x]
    assert line.split("period", 1)[1].split() == ["2", "0", "3", "▅_█"]
    (line,) = [x for x in lines if "% of replies for the RFAs during the reporting" in x]
    # As of 10/01/2025, c1 and c3 of 3: 66.67%; the gap stays a blank in the sparkline.
    assert line.split("reporting period", 1)[1].split() == ["50.00%", "N/A", "66.67%", "▆", "█"]
    caption = " ".join(out.split())
    assert "each counted as of its own end (the last as of 10/01/2025)" in caption


def test_the_default_is_five_court_years(write_log: WriteLog) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024")
    assert spans(doc) == [
        ("2019-09-16", "2020-09-15"),
        ("2020-09-16", "2021-09-15"),
        ("2021-09-16", "2022-09-15"),
        ("2022-09-16", "2023-09-15"),
        ("2023-09-16", "2024-09-15"),
    ]


def test_a_us_fiscal_year(write_log: WriteLog) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024", "-n", "2", "--year-start", "10-01")
    assert spans(doc) == [("2022-10-01", "2023-09-30"), ("2023-10-01", "2024-09-30")]


def test_export_and_help(write_log: WriteLog, tmp_path: Path) -> None:
    page = tmp_path / "trend.html"
    result = invoke(str(write_log(*LOG)), "--period", "2024", "-f", "csv", "--export", str(page))
    assert result.exit_code == 0, result.output
    assert "Trend over 5 periods" in page.read_text(encoding="utf-8")
    help_text = runner.invoke(app, ["trend", "--help"]).stdout
    assert "Examples:" in help_text and "coopstats trend requests.csv" in help_text
    assert "--periods" in help_text and "--against" not in help_text


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2024", "--periods", "0"],
        ["--period", "2024", "--periods", "51"],
        ["--period", "2024", "--periods", "five"],
        ["--period", "2024-02-30:2024-03-31"],
        ["--period", "2024-09-15:2023-09-16"],
        ["--period", "next year"],
        ["--period", "0010", "--periods", "50"],  # reaches before year 1
        ["--period", "2024", "--as-of", "2023-01-01"],
    ],
)
def test_usage_errors_exit_2(write_log: WriteLog, args: list[str]) -> None:
    result = invoke(str(write_log(*LOG)), *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "internal error" not in result.output
    if "--period" in args and args[1] not in ("2024", "0010"):
        assert "2023-09-16:2024-09-15" in result.stderr  # an accepted example


def test_periods_from_a_config_file_are_checked(write_log: WriteLog, tmp_path: Path) -> None:
    config = tmp_path / "coopstats.toml"
    config.write_text("[defaults]\nperiods = 0\n", encoding="utf-8")
    result = invoke(str(write_log(*LOG)), "--period", "2024", "--config", str(config))
    assert result.exit_code == 2
    assert "[defaults] periods must be a whole number from 1 to 50, not 0" in result.stderr
    config.write_text("[defaults]\nperiods = 2\n", encoding="utf-8")
    doc = as_json(str(write_log(*LOG)), "--period", "2024", "--config", str(config))
    assert len(doc["periods"]) == 2


def test_invalid_rows_exit_1(write_log: WriteLog) -> None:
    result = invoke(str(write_log("a,OTP,RFA,,,2024-01-01,2023-01-01,")), "--period", "2024")
    assert result.exit_code == 1 and result.stdout == ""


# --- agreement with `summarize` and the oracle, period by period -------------------------------


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=valid_rows(),
    last=periods(),
    n=st.integers(1, 4),
    notifications=st.booleans(),
    late=st.one_of(st.none(), st.integers(0, 400)),
)
def test_trend_agrees_with_summarize_and_the_oracle(
    tmp_path: Path,
    rows: list[dict[str, str]],
    last: tuple[date, date],
    n: int,
    notifications: bool,
    late: int | None,
) -> None:
    path = tmp_path / "random.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    as_of = None if late is None else last[1] + timedelta(days=late)
    with Source(str(path)) as source:
        result = trend(source, Period(*last), n, as_of=as_of, notifications=notifications)
        assert len(result.figures) == n and result.figures[-1].period == Period(*last)
        for i, figures in enumerate(result.figures):
            when = as_of if i == n - 1 else None
            p = figures.period
            expected = summarize(source, p, as_of=when, notifications=notifications)
            assert figures.values == expected.values
            assert figures.as_of == expected.as_of
            oracle = oracle_metrics(rows, p.start, p.end, as_of=when, notifications=notifications)
            assert figures.values == oracle
            # The k-th period before the last, counted from its START (SPEC §2), oldest first.
            k = n - 1 - i
            assert (p.start, p.end) == (last if k == 0 else oracle_period_before(*last, k))
        assert (result.before.start, result.before.end) == oracle_period_before(*last, n)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=valid_rows(max_size=25), last=periods(), n=st.integers(1, 3))
def test_the_csv_of_the_command_is_the_oracles(
    tmp_path: Path, rows: list[dict[str, str]], last: tuple[date, date], n: int
) -> None:
    path = tmp_path / "random.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    result = invoke(str(path), "--period", f"{last[0]}:{last[1]}", "-n", str(n), "-f", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 25 * n
    for start_text in dict.fromkeys(r["period_start"] for r in table):
        mine = [r for r in table if r["period_start"] == start_text]
        start, end = date.fromisoformat(start_text), date.fromisoformat(mine[0]["period_end"])
        oracle = oracle_metrics(rows, start, end)
        assert [r["id"] for r in mine] == [m.id for m in METRICS]
        for r in mine:
            value = oracle[r["id"]]
            assert r["value"] == ("" if value is None else str(value) if isinstance(value, int)
                                  else repr(float(value))), r["id"]  # fmt: skip
