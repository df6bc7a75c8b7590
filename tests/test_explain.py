"""`coopstats explain`: the requests behind each figure, and a reconciliation of every row.

By hand on fixtures/clean-small.csv (its rows are in fixtures/make_export_fixtures.py), and on
random logs against the oracle: the listed requests must reproduce the figure, and the
reconciliation must add up to the rows read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics, oracle_prior_period
from strategies import periods, to_csv, valid_rows
from typer.testing import CliRunner, Result

from coopstats.catalogue import FIGURES as METRICS
from coopstats.catalogue import figure_ids
from coopstats.cli import app
from coopstats.inspection import Explanation, explain_metric, reconcile
from coopstats.model import Period
from coopstats.read import ReadOptions, Source
from coopstats.render.machine import safe_cell

METRIC_IDS = figure_ids()

runner = CliRunner()
CLEAN = FIXTURES / "clean-small.csv"
WriteLog = Callable[..., Path]
PERIOD = Period(date(2023, 9, 16), date(2024, 9, 15))


def run(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def explained(*args: object) -> dict[str, Any]:
    result = run("explain", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def listed_ids(doc: dict[str, Any]) -> list[str]:
    return [r["id"] for r in doc["requests"]]


@contextmanager
def log_file(text: str) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    try:
        yield Path(name)
    finally:
        os.unlink(name)


# --- --metric, by hand ---------------------------------------------------------------------


def test_average_lists_the_period_s_requests_and_the_days_used() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.avg_days_to_execute")
    rows = [(r["id"], r["days"], r["in_e"], r["counted"]) for r in doc["requests"]]
    assert rows == [
        ("OTP-004", 30, True, True),
        ("OTP-005", 70, True, True),
        ("OTP-006", 0, True, True),
        ("OTP-007", None, False, False),  # executed 2024-10-01, after the as-of date
        ("OTP-008", None, False, False),  # pending
    ]
    assert doc["value"] == pytest.approx(100 / 3)  # (30 + 70 + 0) / 3
    table = run("explain", CLEAN, "-p", "2024", "-m", "otp.rfa.avg_days_to_execute")
    assert "otp.rfa.avg_days_to_execute = 33.33 days" in table.stdout
    assert "5 request(s) listed, 3 counted" in table.stdout


def test_executed_lists_only_e_and_the_as_of_date_moves_it() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.executed")
    assert listed_ids(doc) == ["OTP-004", "OTP-005", "OTP-006"] and doc["value"] == 3
    later = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.executed", "--as-of", "2024-10-01")
    assert listed_ids(later) == ["OTP-004", "OTP-005", "OTP-006", "OTP-007"]
    assert later["as_of"] == "2024-10-01"


def test_positive_rate_counts_executed_positive_replies() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "registry.rfc.hq_positive_pct")
    counted = {r["id"]: r["counted"] for r in doc["requests"]}
    # REG-003 positive, REG-007 executed with no outcome (positive), REG-004 negative,
    # REG-006 pending, REG-009 executed after the as-of date.
    assert counted == {"REG-003": True, "REG-004": False, "REG-006": False, "REG-007": True,
                       "REG-009": False}
    assert doc["value"] == 40.0


def test_evolution_lists_both_periods() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.evolution_pct")
    periods_of = [(r["period"], r["id"]) for r in doc["requests"]]
    assert periods_of == [
        ("prior", "OTP-001"), ("prior", "OTP-002"), ("prior", "OTP-003"),
        ("current", "OTP-004"), ("current", "OTP-005"), ("current", "OTP-006"),
        ("current", "OTP-007"), ("current", "OTP-008"),
    ]
    assert doc["prior_period"] == {"start": "2022-09-16", "end": "2023-09-15"}
    assert doc["value"] == pytest.approx(200 / 3)  # 100 * (5 - 3) / 3
    table = run("explain", CLEAN, "-p", "2024", "-m", "otp.rfa.evolution_pct")
    assert "+66.67%" in table.stdout and "prior" in table.stdout


def test_categories_and_origins_are_listed() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "registry.arrest.sent")
    assert [(r["id"], r["origin"], r["categories"]) for r in doc["requests"]] == [
        ("REG-004", "HQ", ["judicial-support", "arrest-surrender"]),
        ("REG-005", "country-office", ["arrest-surrender"]),
    ]


def test_notifications_toggle() -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.mission_notifications",
                    "--no-notifications")
    assert doc["requests"] == [] and doc["value"] == 0 and doc["notifications"] is False
    doc = explained(CLEAN, "-p", "2024", "-m", "otp.rfa.sent", "--no-notifications")
    assert "OTP-006" not in listed_ids(doc) and doc["value"] == 4


def test_unknown_metric_lists_the_valid_ids() -> None:
    result = run("explain", CLEAN, "-p", "2024", "-m", "otp.rfa.sends")
    assert result.exit_code == 2
    assert all(metric in result.stderr for metric in METRIC_IDS)


@pytest.mark.parametrize("metric", METRIC_IDS)
def test_every_metric_works_in_every_format(metric: str) -> None:
    doc = explained(CLEAN, "-p", "2024", "-m", metric)
    summary = run("summarize", CLEAN, "-p", "2024", "-f", "json")
    value = {m["id"]: m["value"] for m in json.loads(summary.stdout)["metrics"]}[metric]
    assert doc["value"] == value and doc["metric"]["id"] == metric
    check_reproduces(doc)
    for fmt in ("table", "csv", "markdown"):
        result = run("explain", CLEAN, "-p", "2024", "-m", metric, "-f", fmt)
        assert result.exit_code == 0, result.output
    text = run("explain", CLEAN, "-p", "2024", "-m", metric, "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == listed_ids(doc)


def check_reproduces(doc: dict[str, Any]) -> None:
    """The figure follows from the rows listed alone, by the rule of its kind."""
    rows = doc["requests"]
    counted = [r for r in rows if r["counted"]]
    metric = next(m for m in METRICS if m.id == doc["metric"]["id"])
    value = doc["value"]
    if "evolution" in metric.id:
        now = sum(1 for r in rows if r["period"] == "current")
        before = sum(1 for r in rows if r["period"] == "prior")
        want = None if before == 0 else Fraction(100 * (now - before), before)
    elif metric.unit == "count":
        assert len(counted) == len(rows)
        want = Fraction(len(rows))
    elif metric.unit == "pct":
        want = None if not rows else Fraction(100 * len(counted), len(rows))
    else:
        assert all(r["days"] is not None for r in counted)
        days = [r["days"] for r in counted]
        want = None if not days else Fraction(sum(days), len(days))
    if want is None:
        assert value is None
    else:
        assert value == pytest.approx(float(want))
    assert [(r["sent"], r["line"]) for r in rows] == sorted((r["sent"], r["line"]) for r in rows)


def test_csv_neutralises_formula_cells(write_log: WriteLog) -> None:
    path = write_log(
        "=HYPERLINK(1),OTP,RFA,,,2023-10-02,2023-10-02,",
        "-5,OTP,RFA,,,2023-10-03,,",
        "+7,OTP,RFA,,,2023-10-04,,",
        "@x,OTP,RFA,,,2023-10-05,,",
    )
    text = run("explain", path, "-p", "2024", "-m", "otp.rfa.sent", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["'=HYPERLINK(1)", "'-5", "'+7", "'@x"]
    assert rows[0]["days"] == "0"  # numbers are never touched, only text from the file
    assert safe_cell(-3) == "-3" and safe_cell(-2.5) == "-2.5" and safe_cell("-3") == "'-3"


def test_invalid_rows_stop_explain_unless_skipped(write_log: WriteLog) -> None:
    path = write_log("R-1,OTP,RFA,,,2023-10-02,,", "R-2,OTP,bad,,,2023-10-02,,")
    assert run("explain", path, "-p", "2024", "-m", "otp.rfa.sent").exit_code == 1
    result = run("explain", path, "-p", "2024", "-m", "otp.rfa.sent", "--skip-invalid")
    assert result.exit_code == 0
    assert "1 invalid row(s) left out of 2: line 3 (unknown-kind)" in result.stderr


def test_as_of_before_the_start_is_a_usage_error() -> None:
    result = run("explain", CLEAN, "-p", "2024", "--as-of", "2023-01-01")
    assert result.exit_code == 2


# --- --metric on random logs, against the oracle ----------------------------------------------


def explain_on(text: str, period: tuple[date, date], metric: str, notifications: bool,
               as_of: date | None) -> Explanation:
    with log_file(text) as path, Source(str(path)) as source:
        return explain_metric(source, Period(*period), metric, as_of=as_of,
                              notifications=notifications, options=ReadOptions())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=valid_rows(max_size=30),
    period=periods(),
    metric=st.sampled_from(METRIC_IDS),
    notifications=st.booleans(),
    late=st.integers(min_value=0, max_value=200),
)
def test_listed_rows_reproduce_the_figure_and_the_oracle(
    rows: list[dict[str, str]], period: tuple[date, date], metric: str, notifications: bool,
    late: int,
) -> None:
    start, end = period
    as_of = date.fromordinal(end.toordinal() + late)
    e = explain_on(to_csv(rows), period, metric, notifications, as_of)
    expected = oracle_metrics(rows, start, end, as_of=as_of, notifications=notifications,
                              prior=oracle_prior_period(start, end))[metric]
    assert e.value == expected
    doc = json.loads(render_json(e))
    check_reproduces(doc)
    # Every request listed was sent in its side's period, and no request is listed twice.
    prior = e.prior or e.period
    for row in e.rows:
        side = e.period if row.period == "current" else prior
        assert side.start <= row.sent <= side.end
    assert len({(r.period, r.id) for r in e.rows}) == len(e.rows)


def render_json(e: Explanation) -> str:
    from coopstats.render.inspect import explanation_json

    return explanation_json(e)


# --- the reconciliation -----------------------------------------------------------------------


def test_reconciliation_of_clean_small_by_hand() -> None:
    doc = explained(CLEAN, "-p", "2024")
    # Before 16/09/2023: OTP-001 002 003, REG-001 002 010. After 15/09/2024: OTP-010.
    assert (doc["rows_read"], doc["invalid"], doc["sent_before"], doc["sent_after"]) == (
        20, 0, 6, 1,
    )
    by_kind = {
        (k["organ"], k["kind"]): (k["executed_as_of"], k["executed_later"], k["pending"])
        for k in doc["sent_within"]["by_kind"]
    }
    assert by_kind == {
        ("OTP", "RFA"): (2, 1, 1),  # 004 005 | 007 | 008
        ("OTP", "mission-notification"): (1, 0, 0),  # 006
        ("OTP", "RFI"): (1, 0, 0),  # 009
        ("Registry", "RFC"): (4, 1, 1),  # 003 004 005 007 | 009 | 006
        ("Registry", "decision-notification"): (1, 0, 0),  # 008
    }
    assert doc["sent_within"]["rows"] == 13 and doc["accounted"] == 20 and doc["balanced"]
    table = run("explain", CLEAN, "-p", "2024")
    assert "Adds up: 0 invalid + 6 before + 1 after + 13 within = 20 = the 20 rows read" in (
        table.stdout.replace("\n", " ")
    )


def test_reconciliation_counts_invalid_rows(write_log: WriteLog) -> None:
    path = write_log(
        "R-1,OTP,RFA,,,2023-10-02,,",
        "",
        "R-2,OTP,bad,,,2023-10-02,,",
        "R-1,OTP,RFA,,,2023-10-03,,",
        "R-3,Registry,RFC,HQ,,2022-10-02,2022-10-09,",
    )
    # The account goes on past invalid rows, with or without --skip-invalid: they are a line.
    plain = run("explain", path, "-p", "2024", "-f", "json")
    assert plain.exit_code == 0 and "2 invalid row(s) left out" in plain.stderr
    result = run("explain", path, "-p", "2024", "--skip-invalid", "-f", "json")
    assert result.stdout == plain.stdout
    doc = json.loads(result.stdout)
    # Four rows read (the blank line aside): R-2 invalid, the second R-1 a duplicate.
    assert (doc["rows_read"], doc["invalid"], doc["invalid_lines"]) == (4, 2, [4, 5])
    assert (doc["sent_before"], doc["sent_after"], doc["sent_within"]["rows"]) == (1, 0, 1)
    assert doc["balanced"] and "2 invalid row(s) left out of 4" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_reconciliation_formats_say_it_adds_up(fmt: str) -> None:
    result = run("explain", CLEAN, "-p", "2024", "-f", fmt)
    assert result.exit_code == 0
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["part", "organ", "kind", "executed_as_of", "executed_later",
                           "pending", "rows"]
        assert rows[1] == ["rows read", "", "", "", "", "", "20"]
        assert rows[-1] == ["accounted for", "", "", "", "", "", "20"]
    else:
        assert "Adds up" in result.stdout


@st.composite
def messy_logs(draw: st.DrawFn) -> tuple[str, int, list[dict[str, str]]]:
    """Valid rows, then invalid ones and repeats of earlier ids: (CSV, bad rows, good rows)."""
    rows = draw(valid_rows(max_size=25))
    bad = draw(st.integers(min_value=0, max_value=4))
    repeats = draw(st.lists(st.sampled_from(rows), max_size=3)) if rows else []
    junk = [dict(rows[0] if rows else {}, id=f"BAD-{n}", kind="nonsense") for n in range(bad)]
    extra = [dict(r, sent="2022-01-01") for r in repeats]  # same id: a duplicate
    text = to_csv(rows + junk + extra)
    return text, len(junk) + len(extra), rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=messy_logs(), period=periods(), late=st.integers(min_value=0, max_value=100))
def test_reconciliation_adds_up_on_any_log(
    log: tuple[str, int, list[dict[str, str]]], period: tuple[date, date], late: int
) -> None:
    text, invalid, good = log
    start, end = period
    as_of = date.fromordinal(end.toordinal() + late)
    with log_file(text) as path, Source(str(path)) as source:
        r = reconcile(source, Period(start, end), as_of=as_of,
                      options=ReadOptions(skip_invalid=True))
    assert r.records == len(good) + invalid and r.invalid == invalid
    assert r.balanced and r.accounted == r.records
    sent = [date.fromisoformat(row["sent"]) for row in good]
    assert r.before == sum(1 for d in sent if d < start)
    assert r.after == sum(1 for d in sent if d > end)
    for k in r.within:
        mine = [row for row in good if row["organ"].strip().lower() == k.organ.lower()
                and row["kind"].strip().lower() == k.kind.lower()
                and start <= date.fromisoformat(row["sent"]) <= end]
        done = [date.fromisoformat(row["executed"]) for row in mine if row["executed"]]
        assert k.executed == sum(1 for d in done if d <= as_of)
        assert k.executed_later == sum(1 for d in done if d > as_of)
        assert k.pending == len(mine) - len(done)
