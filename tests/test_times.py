"""`coopstats times`: hand-computed figures, working days, every format, exit statuses, and
an independent brute-force implementation compared on random logs.

Every expected value is worked out by hand in a comment or computed by the brute force below
(which lists the requests and computes each figure naively); none is copied from the program.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics, parse_row
from strategies import periods, to_csv, valid_row, valid_rows
from typer.testing import CliRunner

from coopstats.cli import app
from coopstats.days import day_counter
from coopstats.model import Period
from coopstats.read import Source
from coopstats.render.times import times_csv, times_json
from coopstats.stats import working_days_between
from coopstats.summary import summarize
from coopstats.times import TIMES_GROUP_IDS, Times, execution_times

runner = CliRunner()
WriteLog = Callable[..., Path]
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YEAR_2024 = "2024-01-01:2024-12-31"
ONE_DAY = timedelta(days=1)
CSV_COLUMNS = [
    "id", "label", "sent", "executed", "pending",
    "mean_days", "median_days", "p90_days", "min_days", "max_days", "km_median_days",
    "ci_low", "ci_high", "oldest_pending_id", "oldest_pending_age_days",
    "backlog_pending_start", "backlog_sent", "backlog_executed_any", "backlog_pending_end",
    # SPEC §7's measures: percentiles (default 50,90), clearance, default bands 30,90,180,365.
    "percentile_50_days", "percentile_90_days", "cleared", "clearance_pct", "pending_at_as_of",
    "days_0_30", "days_31_90", "days_91_180", "days_181_365", "days_366_plus",
    "age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_366_plus",
]  # fmt: skip


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["id"]: g for g in doc["groups"]}


# A log whose every figure is worked out below (period 2024-01-01:2024-12-31, as of its end;
# 2024 is a leap year).
HAND_LOG = (
    "R1,OTP,RFA,,,2024-01-10,2024-01-10,",  # 0 days
    "R2,OTP,RFA,,,2024-02-01,2024-03-02,",  # Feb 1 -> Mar 1 is 29 days, -> Mar 2: 30
    "R3,OTP,RFA,,,2024-03-01,2024-06-01,negative",  # 31 (Mar) + 30 (Apr) + 31 (May) = 92
    "R4,OTP,mission-notification,,,2024-04-01,2024-04-11,",  # 10 days
    "R5,OTP,RFA,,,2024-10-01,,",  # pending; Oct 1 -> Dec 31: 31 + 30 + 30 = 91 days old
    "R6,OTP,RFA,,,2023-12-15,2024-01-05,",  # before the start, executed within the period
    "R7,OTP,RFA,,,2023-11-01,,",  # before the start, still pending at the end
    "R8,OTP,RFA,,,2023-06-01,2023-07-01,",  # before the start, executed before it: no part
    "R9,OTP,RFA,,,2024-12-01,2025-01-15,",  # executed after the as-of date: pending, 30 days
    "R10,OTP,RFA,,,2025-01-05,,",  # after the end: no part
    "C1,Registry,RFC,HQ,defence,2024-05-01,2024-05-31,negative",  # 30 days
    "C2,Registry,RFC,HQ,defence;arrest-surrender,2024-05-10,2024-07-09,",  # 31 + 29 = 60 days
    "C3,Registry,RFC,country-office,arrest-surrender,2024-07-01,,",  # 31+31+30+31+30+30 = 183
    "C4,Registry,RFC,country-office,,2024-08-01,2024-08-01,",  # 0 days
    "C5,Registry,decision-notification,,,2024-02-02,2024-02-03,",  # in no group of times
    "C6,Registry,RFC,HQ,,2024-03-01,,",  # pending; Mar 1 -> Dec 31: 366 - 61 = 305 days
)


def test_hand_computed_figures_with_notifications(write_log: WriteLog) -> None:
    log = write_log(*HAND_LOG)
    doc = run_json("times", str(log), "--period", YEAR_2024)
    assert doc["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert doc["as_of"] == "2024-12-31" and doc["days"] == "calendar"
    assert doc["notifications"] is True
    assert [g["id"] for g in doc["groups"]] == list(TIMES_GROUP_IDS)
    assert len(TIMES_GROUP_IDS) == 7
    groups = by_id(doc)

    rfa = groups["otp.rfa"]
    # S = R1 R2 R3 R4 R5 R9; E = R1 R2 R3 R4 with days 0, 30, 92, 10; pending R5 (91), R9 (30).
    assert (rfa["sent"], rfa["executed"], rfa["pending"]) == (6, 4, 2)
    assert rfa["mean_days"] == 33.0  # (0 + 10 + 30 + 92) / 4 = 132 / 4
    assert rfa["median_days"] == 20.0  # sorted 0 10 30 92: (10 + 30) / 2
    assert rfa["p90_days"] == pytest.approx(73.4)  # rank 3 * 0.9 = 2.7: 30 + 0.7 * (92 - 30)
    assert (rfa["min_days"], rfa["max_days"]) == (0, 92)
    # Kaplan-Meier, 6 at risk: t=0 S=5/6; t=10 S=5/6*4/5=2/3; t=30 (the event R2 and R9
    # censored there, both at risk) S=2/3*3/4=1/2 <= 1/2: the median is 30, exactly on 1/2.
    assert rfa["km_median_days"] == 30
    # Wilson 4/6: p=2/3, z=1.96, z2=3.8415; centre (2/3 + 3.8415/12) / (1 + 3.8415/6) = 0.60161;
    # half 1.96 * sqrt(2/9/6 + 3.8415/144) / 1.64025 = 0.30163: [30.00, 90.32] %.
    low, high = rfa["executed_pct_ci"]
    assert low == pytest.approx(30.00, abs=0.01) and high == pytest.approx(90.32, abs=0.01)
    assert rfa["oldest_pending"] == {"id": "R5", "age_days": 91}
    # Backlog: pending at start R6 R7 (R8 was executed before it); executed in the period
    # R6 R1 R2 R3 R4 (R9 in 2025); pending at the end R7 R5 R9. 2 + 6 - 5 = 3.
    assert rfa["backlog"] == {"pending_start": 2, "sent": 6, "executed_any": 5, "pending_end": 3}
    assert rfa["histogram"] == [  # SPEC §7's default bands
        {"bucket": "0–30", "count": 3},  # 0, 10, 30
        {"bucket": "31–90", "count": 0},
        {"bucket": "91–180", "count": 1},  # 92
        {"bucket": "181–365", "count": 0},
        {"bucket": "366+", "count": 0},
    ]

    rfi = groups["otp.rfi"]
    assert (rfi["sent"], rfi["executed"], rfi["pending"]) == (0, 0, 0)
    for name in ("mean_days", "median_days", "p90_days", "min_days", "max_days",
                 "km_median_days", "executed_pct_ci", "oldest_pending"):  # fmt: skip
        assert rfi[name] is None, name
    assert all(bucket["count"] == 0 for bucket in rfi["histogram"])

    rfc = groups["registry.rfc"]
    # S = C1 C2 C3 C4 C6; E days 30, 60, 0; pending C3 (183), C6 (305).
    assert (rfc["sent"], rfc["executed"], rfc["pending"]) == (5, 3, 2)
    assert rfc["mean_days"] == 30.0 and rfc["median_days"] == 30.0  # 90 / 3; sorted 0 30 60
    assert rfc["p90_days"] == pytest.approx(54.0)  # rank 1.8: 30 + 0.8 * 30
    # KM, 5 at risk: t=0 4/5; t=30 4/5*3/4 = 3/5; t=60 3/5*2/3 = 2/5 <= 1/2: 60.
    assert rfc["km_median_days"] == 60
    assert rfc["oldest_pending"] == {"id": "C6", "age_days": 305}
    assert rfc["backlog"] == {"pending_start": 0, "sent": 5, "executed_any": 3, "pending_end": 2}

    hq = groups["registry.rfc.hq"]  # C1 (30), C2 (60), C6 pending 305
    assert (hq["sent"], hq["executed"], hq["mean_days"], hq["median_days"]) == (3, 2, 45.0, 45.0)
    assert hq["p90_days"] == pytest.approx(57.0)  # two values: rank 0.9: 30 + 0.9 * 30
    assert hq["km_median_days"] == 60  # t=30: 2/3; t=60: 2/3 * 1/2 = 1/3
    assert hq["oldest_pending"] == {"id": "C6", "age_days": 305}

    office = groups["registry.rfc.country_office"]  # C3 pending 183, C4 (0)
    # One value: mean, median, p90, min and max are all that value.
    assert [office[k] for k in ("mean_days", "median_days", "p90_days", "min_days",
                                "max_days")] == [0, 0, 0, 0, 0]  # fmt: skip
    assert office["km_median_days"] == 0  # 2 at risk at t=0, one event: 1/2
    assert office["oldest_pending"] == {"id": "C3", "age_days": 183}

    defence = groups["registry.hq.defence"]  # C1 (30), C2 (60), none pending
    assert (defence["sent"], defence["executed"], defence["pending"]) == (2, 2, 0)
    assert defence["km_median_days"] == 30  # no censoring: t=30 S=1/2, the lower middle value
    assert defence["oldest_pending"] is None
    assert defence["executed_pct_ci"][1] == 100.0  # every request executed

    arrest = groups["registry.arrest"]  # C2 (60, HQ), C3 (pending 183, country office)
    assert (arrest["sent"], arrest["executed"], arrest["pending"]) == (2, 1, 1)
    assert arrest["km_median_days"] == 60  # t=60: 2 at risk, 1 event: 1/2
    assert arrest["oldest_pending"] == {"id": "C3", "age_days": 183}
    assert arrest["backlog"] == {"pending_start": 0, "sent": 2, "executed_any": 1,
                                 "pending_end": 1}  # fmt: skip


def test_hand_computed_figures_without_notifications(write_log: WriteLog) -> None:
    log = write_log(*HAND_LOG)
    doc = run_json("times", str(log), "--period", YEAR_2024, "--no-notifications")
    assert doc["notifications"] is False
    rfa = by_id(doc)["otp.rfa"]
    # R4 (the mission notification) leaves: S = R1 R2 R3 R5 R9, E days 0 30 92.
    assert (rfa["sent"], rfa["executed"], rfa["pending"]) == (5, 3, 2)
    assert rfa["mean_days"] == pytest.approx(122 / 3)
    assert rfa["median_days"] == 30.0
    assert rfa["p90_days"] == pytest.approx(79.6)  # rank 1.8: 30 + 0.8 * 62
    # KM, 5 at risk: t=0 4/5; t=30 (4 at risk) 3/5; R5 censored at 91; t=92 (1 at risk) 0.
    assert rfa["km_median_days"] == 92
    # R6 and R7 pending at start, R6 R1 R2 R3 executed in the period: 2 + 5 - 4 = 3.
    assert rfa["backlog"] == {"pending_start": 2, "sent": 5, "executed_any": 4, "pending_end": 3}
    assert "left out" in rfa["label"]


def test_mean_matches_the_oracle_average(write_log: WriteLog) -> None:
    rows = list(csv.DictReader(io.StringIO("\n".join(
        ["id,organ,kind,origin,categories,sent,executed,outcome", *HAND_LOG]))))  # fmt: skip
    expected = oracle_metrics(rows, date(2024, 1, 1), date(2024, 12, 31))
    doc = run_json("times", str(write_log(*HAND_LOG)), "--period", YEAR_2024)
    assert by_id(doc)["otp.rfa"]["mean_days"] == float(expected["otp.rfa.avg_days_to_execute"])


# The Kaplan-Meier median with censoring, end to end: --as-of 2024-03-01.
KM_LOG = (
    "I1,OTP,RFI,,,2024-01-01,2024-01-06,",  # 5 days
    "I2,OTP,RFI,,,2024-01-01,2024-01-11,",  # 10 days
    "I3,OTP,RFI,,,2024-01-10,2024-02-19,",  # 31 + 9 = 40 days
    "I4,OTP,RFI,,,2024-01-01,2024-02-20,",  # 31 + 19 = 50 days
    "I5,OTP,RFI,,,2024-02-10,,",  # pending: Feb 10 -> Mar 1 (leap year) = 20 days old
    "I6,OTP,RFI,,,2024-02-01,2024-06-01,",  # executed after the as-of date: 29 days old
    "I7,OTP,RFI,,,2024-05-01,,",  # sent after the as-of date: 0 days old on it
    "A1,Registry,RFC,country-office,arrest-surrender,2024-01-01,2024-01-31,",  # 30 days
    "A2,Registry,RFC,country-office,arrest-surrender,2024-01-05,,",  # 31 + 25 = 56 days old
    "A3,Registry,RFC,country-office,arrest-surrender,2024-01-20,,",  # 31 + 10 = 41 days old
)


def test_kaplan_meier_counts_the_pending_requests(write_log: WriteLog) -> None:
    log = write_log(*KM_LOG)
    doc = run_json("times", str(log), "--period", YEAR_2024, "--as-of", "2024-03-01")
    assert doc["as_of"] == "2024-03-01"
    rfi = by_id(doc)["otp.rfi"]
    assert (rfi["sent"], rfi["executed"], rfi["pending"]) == (7, 4, 3)
    assert rfi["mean_days"] == 26.25  # (5 + 10 + 40 + 50) / 4 = 105 / 4
    assert rfi["median_days"] == 25.0  # (10 + 40) / 2: the executed requests only
    # KM: I7 censored at 0 leaves 6 at risk at t=5: S=5/6; t=10 (5 at risk) 5/6*4/5 = 2/3;
    # I5 (20) and I6 (29) censored; t=40 (2 at risk) 2/3 * 1/2 = 1/3 <= 1/2: 40, not 25.
    assert rfi["km_median_days"] == 40
    assert rfi["oldest_pending"] == {"id": "I6", "age_days": 29}
    arrest = by_id(doc)["registry.arrest"]
    # 3 at risk, t=30: S = 2/3, then only censorings (41, 56): never 1/2.
    assert arrest["km_median_days"] is None
    assert arrest["median_days"] == 30.0
    assert arrest["oldest_pending"] == {"id": "A2", "age_days": 56}

    table = run("times", str(log), "--period", YEAR_2024, "--as-of", "2024-03-01")
    assert table.exit_code == 0, table.output
    assert "not reached" in table.stdout  # registry.rfc, .country_office and .arrest
    assert "40 days" in table.stdout


def test_ties_of_the_oldest_pending_go_to_the_smallest_id(write_log: WriteLog) -> None:
    log = write_log(
        "b2,OTP,RFA,,,2024-03-01,,",
        "a9,OTP,mission-notification,,,2024-03-01,,",  # same age, smaller id, another base group
        "c1,OTP,RFA,,,2024-03-02,,",
    )
    doc = run_json("times", str(log), "--period", YEAR_2024, "--as-of", "2024-03-11")
    assert by_id(doc)["otp.rfa"]["oldest_pending"] == {"id": "a9", "age_days": 10}
    doc = run_json("times", str(log), "--period", YEAR_2024, "--as-of", "2024-03-11",
                   "--no-notifications")  # fmt: skip
    assert by_id(doc)["otp.rfa"]["oldest_pending"] == {"id": "b2", "age_days": 10}


# ------------------------------------------------------------------------------ working days

WORKING_LOG = (  # 2024-03-01 is a Friday; 29/03 (Good Friday) and 01/04 (Easter Monday) off
    "W1,OTP,RFA,,,2024-03-01,2024-03-04,",  # Fri -> Mon: 3 calendar days, 1 working (Mon)
    "W2,OTP,RFA,,,2024-03-28,2024-04-02,",  # Thu -> Tue: 5 calendar; Fri hol, Mon hol: 1 (Tue)
    "W3,OTP,RFA,,,2024-03-04,2024-03-04,",  # same day: 0
    "W4,OTP,RFA,,,2024-04-26,,",  # Fri, pending on Tue 30/04: 4 calendar, 2 working (Mon, Tue)
    "W5,OTP,RFA,,,2024-03-25,2024-04-05,",  # Mon -> Fri: 11 calendar; Tue-Thu 3 + Tue-Fri 4 = 7
    "H1,Registry,RFC,HQ,,2024-03-01,2024-03-08,",  # Fri -> Fri: 7 calendar, 5 working
)
HOLIDAYS = "# Easter 2024\n2024-03-29\n2024-03-30  # a Saturday: no working day to take off\n" \
    "\n2024-04-01\n2024-04-01\n"


def test_working_days_across_weekends_and_holidays(write_log: WriteLog, tmp_path: Path) -> None:
    log = write_log(*WORKING_LOG)
    holidays = tmp_path / "holidays.txt"
    holidays.write_text(HOLIDAYS, encoding="utf-8")
    args = ("times", str(log), "--period", "2024-03-01:2024-04-30")
    doc = run_json(*args, "--days", "working", "--holidays", str(holidays))
    assert doc["days"] == "working"
    rfa = by_id(doc)["otp.rfa"]
    assert rfa["mean_days"] == 2.25  # (1 + 1 + 0 + 7) / 4
    assert rfa["median_days"] == 1.0  # sorted 0 1 1 7
    assert (rfa["min_days"], rfa["max_days"]) == (0, 7)
    assert rfa["oldest_pending"] == {"id": "W4", "age_days": 2}
    assert rfa["km_median_days"] == 1  # 5 at risk: t=0 4/5; t=1 (4 at risk, 2 events) 2/5

    calendar = by_id(run_json(*args))["otp.rfa"]
    assert calendar["mean_days"] == 4.75  # (3 + 5 + 0 + 11) / 4
    assert calendar["oldest_pending"] == {"id": "W4", "age_days": 4}

    weekends_only = by_id(run_json(*args, "--days", "working"))["otp.rfa"]
    # W2 counts Fri 29/03, Mon 01/04 and Tue 02/04 (3); W5 counts 9: (1 + 3 + 0 + 9) / 4
    assert weekends_only["mean_days"] == 3.25

    table = run(*args, "--days", "working", "--holidays", str(holidays))
    assert table.exit_code == 0, table.output
    assert "2.25 working days" in table.stdout and "working days" in table.stdout


def test_summarize_counts_working_days_too(write_log: WriteLog, tmp_path: Path) -> None:
    log = write_log(*WORKING_LOG)
    holidays = tmp_path / "holidays.txt"
    holidays.write_text(HOLIDAYS, encoding="utf-8")
    args = ("summarize", str(log), "--period", "2024-03-01:2024-04-30")
    doc = run_json(*args, "--days", "working", "--holidays", str(holidays))
    values = {m["id"]: m["value"] for m in doc["metrics"]}
    assert doc["days"] == "working"
    assert values["otp.rfa.avg_days_to_execute"] == 2.25  # as in times: (1 + 1 + 0 + 7) / 4
    assert values["registry.rfc.hq_avg_days_to_reply"] == 5.0  # Mon to Fri of the second week
    table = run(*args, "--days", "working", "--holidays", str(holidays))
    assert table.exit_code == 0, table.output
    assert "2.25 working days" in table.stdout and "5.00 working days" in table.stdout
    plain = {m["id"]: m["value"] for m in run_json(*args)["metrics"]}
    assert plain["otp.rfa.avg_days_to_execute"] == 4.75  # calendar days by default


def test_day_counter() -> None:
    fn, name = day_counter("calendar", None)
    assert fn is None and name == "calendar"
    fn, name = day_counter("working", None)
    friday, monday = date(2024, 3, 1).toordinal(), date(2024, 3, 4).toordinal()
    assert fn is not None and name == "working" and fn(friday, monday) == 1


# ------------------------------------------------------------------------------ formats


def test_csv_is_a_row_per_group_with_flattened_columns(write_log: WriteLog) -> None:
    log = write_log(*HAND_LOG)
    result = run("times", str(log), "--period", YEAR_2024, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows] == list(TIMES_GROUP_IDS)
    rfa = rows[0]
    # The figures of test_hand_computed_figures_with_notifications, flattened.
    assert (rfa["sent"], rfa["executed"], rfa["pending"], rfa["mean_days"]) == ("6", "4", "2",
                                                                                "33.0")
    assert (rfa["oldest_pending_id"], rfa["oldest_pending_age_days"]) == ("R5", "91")
    assert [rfa[f"backlog_{k}"] for k in ("pending_start", "sent", "executed_any",
                                          "pending_end")] == ["2", "6", "5", "3"]  # fmt: skip
    assert (rfa["days_0_30"], rfa["days_91_180"], rfa["days_366_plus"]) == ("3", "1", "0")
    assert float(rfa["ci_low"]) == pytest.approx(30.00, abs=0.01)
    rfi = rows[1]  # nothing sent: null figures are empty cells
    assert rfi["mean_days"] == rfi["ci_low"] == rfi["oldest_pending_id"] == ""


def test_markdown_has_a_block_per_group(write_log: WriteLog) -> None:
    log = write_log(*HAND_LOG)
    result = run("times", str(log), "--period", YEAR_2024, "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.count("\n## ") == 7
    assert "| Mean time to execute (executed requests only) | 33.00 days |" in text
    assert "| Oldest pending request | R5 (91 days) |" in text
    assert "| 0–30 | 3 | █" in text
    assert "**Warning:**" in text  # every group has fewer than 10 requests


def test_table_shows_figures_histogram_pending_and_warnings(write_log: WriteLog) -> None:
    rfis = [f"F{i},OTP,RFI,,,2024-01-01,2024-01-{1 + i:02d}," for i in range(9)]  # 0..8 days
    rfis.append("F9,OTP,RFI,,,2024-01-01,,")
    log = write_log(*HAND_LOG, *rfis)
    result = run("times", str(log), "--period", YEAR_2024)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "otp.rfa" in out and "registry.arrest" in out
    assert "33.00 days" in out  # the mean of otp.rfa
    # 10 RFIs now; the six other groups (6, 5, 3, 2, 2 and 2 requests) have fewer than 10.
    assert out.count("fewer than 10") == 6 and out.count("⚠") == 6
    # otp.rfi: 9 executed within 30 days and 1 pending; the longest row is a full 30-cell bar,
    # the pending one 1/9 of it: 30 / 9 = 3.33 cells = 26.67 eighths -> 27 = 3 cells + 3/8.
    assert "█" * 30 in out
    assert re.search(r"pending\s+███▍\s+1\b", out)


def test_export_writes_svg_and_html(write_log: WriteLog, tmp_path: Path) -> None:
    log = write_log(*HAND_LOG)
    for suffix in ("svg", "html"):
        target = tmp_path / f"times.{suffix}"
        result = run("times", str(log), "--period", YEAR_2024, "--export", str(target),
                     "--format", "json")  # fmt: skip
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)  # the chosen format still goes to stdout
        text = target.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg" if suffix == "svg" else "<!DOCTYPE html>")
        assert "Kaplan" in text


# -------------------------------------------------------------------------- exit statuses


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--as-of", "2023-12-31"], "before the period's start"),
        (["--days", "weekly"], ""),
        (["--holidays", "no-such-holidays.txt", "--days", "working"], "no such file"),
        (["--holidays", "HOLIDAYS"], "only count with --days working"),
        (["--holidays", "BAD", "--days", "working"], ":2: invalid holiday date '2024-02-30'"),
        (["--export", "times.pdf"], ".svg or .html"),
        (["--period", "2024-02-30:2024-03-01"], ""),
    ],
)
def test_usage_errors_exit_2(
    write_log: WriteLog, tmp_path: Path, extra: list[str], message: str
) -> None:
    (tmp_path / "HOLIDAYS").write_text("2024-01-01\n", encoding="utf-8")
    (tmp_path / "BAD").write_text("2024-01-01\n2024-02-30\n", encoding="utf-8")
    extra = [str(tmp_path / a) if a in ("HOLIDAYS", "BAD") else a for a in extra]
    log = write_log(*HAND_LOG)
    result = run("times", str(log), "--period", YEAR_2024, *extra)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_invalid_rows_exit_1_and_skip_invalid_warns(write_log: WriteLog) -> None:
    log = write_log(*HAND_LOG, "X1,OTP,RFQ,,,2024-01-01,,")
    result = run("times", str(log), "--period", YEAR_2024)
    assert result.exit_code == 1 and result.stdout == ""
    assert "column 'kind', value 'RFQ'" in result.stderr
    result = run("times", str(log), "--period", YEAR_2024, "--skip-invalid", "-f", "json")
    assert result.exit_code == 0 and "1 invalid row(s) left out" in result.stderr
    assert by_id(json.loads(result.stdout))["otp.rfa"]["sent"] == 6  # as without the bad row


def test_missing_log_exits_2() -> None:
    result = run("times", "no-such-log.csv", "--period", YEAR_2024)
    assert result.exit_code == 2 and "no such file" in result.stderr


# ------------------------------------------------------- brute force, on random logs


def brute_days(sent: date, end: date, holidays: set[date] | None) -> int:
    """Calendar days, or the days d with sent < d <= end, Monday to Friday, not holidays."""
    if holidays is None:
        return (end - sent).days
    count = 0
    d = sent + timedelta(days=1)
    while d <= end:
        if d.weekday() < 5 and d not in holidays:
            count += 1
        d += timedelta(days=1)
    return count


def in_group(gid: str, r: Any, notifications: bool) -> bool:
    rfc = r.organ == "registry" and r.kind == "rfc"
    return {
        "otp.rfa": r.organ == "otp"
        and r.kind in ({"rfa", "mission-notification"} if notifications else {"rfa"}),
        "otp.rfi": r.organ == "otp" and r.kind == "rfi",
        "registry.rfc": rfc,
        "registry.rfc.hq": rfc and r.origin == "hq",
        "registry.rfc.country_office": rfc and r.origin == "country-office",
        "registry.hq.defence": rfc and r.origin == "hq" and "defence" in r.categories,
        "registry.arrest": rfc and "arrest-surrender" in r.categories,
    }[gid]


def brute_percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def brute_km(events: list[int], censored: list[int]) -> int | None:
    survival = Fraction(1)
    for t in sorted(set(events)):
        at_risk = sum(1 for x in events + censored if x >= t)
        survival *= 1 - Fraction(events.count(t), at_risk)
        if survival <= Fraction(1, 2):
            return t
    return None


def brute_wilson(k: int, n: int) -> list[float] | None:
    if n == 0:
        return None
    z = 1.959963984540054
    p = k / n
    middle = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 100 / (1 + z * z / n)
    return [(middle - spread) * scale, (middle + spread) * scale]


def brute_times(
    rows: list[dict[str, str]],
    start: date,
    end: date,
    as_of: date,
    notifications: bool,
    holidays: set[date] | None,
) -> dict[str, dict[str, Any]]:
    """Every figure of every group, from the list of requests, one naive filter at a time."""
    requests = [(row["id"], parse_row(row)) for row in rows]
    # Each request's days to execute and age on the as-of date, counted day by day once.
    taken = {i: brute_days(r.sent, r.executed, holidays) for i, r in requests if r.executed}
    age = {i: brute_days(r.sent, as_of, holidays) if r.sent < as_of else 0 for i, r in requests}
    out = {}
    for gid in TIMES_GROUP_IDS:
        members = [(i, r) for i, r in requests if in_group(gid, r, notifications)]
        s = [(i, r) for i, r in members if start <= r.sent <= end]
        e = [i for i, r in s if r.executed is not None and r.executed <= as_of]
        pending = [i for i, r in s if not (r.executed is not None and r.executed <= as_of)]
        durations = [taken[i] for i in e]
        ages = [(age[i], i) for i in pending]
        oldest = min(ages, key=lambda a: (-a[0], a[1]), default=None)
        buckets = [0] * 5  # SPEC §7's default bands: 0–30, 31–90, 91–180, 181–365, 366+
        for x in durations:
            if x <= 30:
                buckets[0] += 1
            elif x <= 90:
                buckets[1] += 1
            elif x <= 180:
                buckets[2] += 1
            elif x <= 365:
                buckets[3] += 1
            else:
                buckets[4] += 1

        def done_by(r: Any, day: date) -> bool:
            return r.executed is not None and r.executed <= day

        out[gid] = {
            "sent": len(s),
            "executed": len(e),
            "pending": len(pending),
            "mean_days": Fraction(sum(durations), len(durations)) if durations else None,
            "median_days": brute_percentile(durations, 0.5),
            "p90_days": brute_percentile(durations, 0.9),
            "min_days": min(durations, default=None),
            "max_days": max(durations, default=None),
            "km_median_days": brute_km(durations, [a for a, _ in ages]),
            "executed_pct_ci": brute_wilson(len(e), len(s)),
            "oldest_pending": {"id": oldest[1], "age_days": oldest[0]} if oldest else None,
            "backlog": {
                "pending_start": sum(
                    1 for _, r in members if r.sent < start and not done_by(r, start - ONE_DAY)
                ),
                "sent": len(s),
                "executed_any": sum(
                    1 for _, r in members if r.executed is not None and start <= r.executed <= end
                ),
                "pending_end": sum(1 for _, r in members if r.sent <= end and not done_by(r, end)),
            },
            "histogram": buckets,
        }
    return out


HOLIDAY_DATES = st.sets(st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 6, 30)),
                        max_size=40)  # fmt: skip


@st.composite
def boundary_rows(draw: st.DrawFn, marks: list[date]) -> list[dict[str, str]]:
    """Requests sent and executed on the days around the period's ends and the as-of date,
    where an off-by-one error shows (random dates over five years seldom land there)."""
    rows = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        row = draw(valid_row(f"B-{n:03d}"))
        sent = draw(st.sampled_from(marks))
        executed = draw(st.one_of(st.none(), st.sampled_from([m for m in marks if m >= sent])))
        row["sent"] = sent.isoformat()
        row["executed"] = executed.isoformat() if executed else ""
        row["outcome"] = row["outcome"] if executed else ""
        rows.append(row)
    return rows


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, ...]:
    start, end = draw(periods())
    as_of = start + timedelta(days=draw(st.integers(min_value=0, max_value=900)))
    marks = sorted({d + timedelta(days=k) for d in (start, end, as_of) for k in (-1, 0, 1)})
    rows = draw(valid_rows(max_size=30)) + draw(boundary_rows(marks))
    notifications = draw(st.booleans())
    holidays = draw(st.one_of(st.none(), HOLIDAY_DATES))
    return rows, start, end, as_of, notifications, holidays


def _compute(
    folder: str,
    rows: list[dict[str, str]],
    period: Period,
    as_of: date,
    notifications: bool,
    holidays: set[date] | None,
) -> Times:
    """The library's figures for a random case, from files as the command reads them."""
    log = Path(folder) / "log.csv"
    log.write_text(to_csv(rows), encoding="utf-8")
    listing = None
    if holidays is not None:
        listing = Path(folder) / "holidays.txt"
        listing.write_text("".join(f"{d.isoformat()}\n" for d in sorted(holidays)), "utf-8")
    days_fn, name = day_counter("calendar" if listing is None else "working", listing)
    with Source(str(log)) as source:
        return execution_times(source, period, as_of=as_of, notifications=notifications,
                               days=days_fn, days_name=name)  # fmt: skip


@SETTINGS
@given(case=cases())
def test_every_figure_agrees_with_a_brute_force(case: tuple[Any, ...]) -> None:
    rows, start, end, as_of, notifications, holidays = case
    with tempfile.TemporaryDirectory() as folder:
        result = _compute(folder, rows, Period(start, end), as_of, notifications, holidays)
    doc = json.loads(times_json(result))  # what --format json prints
    text = times_csv(result)  # and --format csv
    expected = brute_times(rows, start, end, as_of, notifications, holidays)
    assert doc["days"] == ("calendar" if holidays is None else "working")
    for group, row in zip(doc["groups"], csv.DictReader(io.StringIO(text)), strict=True):
        want = expected[group["id"]]
        for name in ("sent", "executed", "pending", "min_days", "max_days", "km_median_days",
                     "oldest_pending", "backlog"):  # fmt: skip
            assert group[name] == want[name], (group["id"], name)
        for name in ("mean_days", "median_days", "p90_days"):
            assert group[name] == pytest.approx(want[name]), (group["id"], name)
        assert group["executed_pct_ci"] == pytest.approx(want["executed_pct_ci"])
        assert [b["count"] for b in group["histogram"]] == want["histogram"]
        # The CSV row carries the same figures.
        assert row["id"] == group["id"] and int(row["sent"]) == group["sent"]
        assert row["mean_days"] == ("" if group["mean_days"] is None
                                    else repr(group["mean_days"]))  # fmt: skip
        km = group["km_median_days"]
        assert row["km_median_days"] == ("" if km is None else str(km))
        assert int(row["backlog_pending_end"]) == group["backlog"]["pending_end"]


@SETTINGS
@given(case=cases())
def test_backlog_identity(case: tuple[Any, ...]) -> None:
    rows, start, end, as_of, notifications, holidays = case
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "log.csv"
        log.write_text(to_csv(rows), encoding="utf-8")
        with Source(str(log)) as source:
            result = execution_times(source, Period(start, end), as_of=as_of,
                                     notifications=notifications)  # fmt: skip
    for g in result.groups:
        b = g.backlog
        assert b.pending_start + b.sent - b.executed_any == b.pending_end, g.id
        assert b.sent == g.sent and g.executed + g.pending == g.sent


MATCHING = {
    "otp.rfa": "otp.rfa.avg_days_to_execute",
    "registry.rfc.hq": "registry.rfc.hq_avg_days_to_reply",
    "registry.hq.defence": "registry.hq.defence_avg_days_to_reply",
    "registry.arrest": "registry.arrest.avg_days_to_reply",
}


@SETTINGS
@given(case=cases())
def test_mean_days_equals_summarize_averages(case: tuple[Any, ...]) -> None:
    rows, start, end, as_of, notifications, holidays = case
    period = Period(start, end)
    with tempfile.TemporaryDirectory() as folder:
        times = _compute(folder, rows, period, as_of, notifications, holidays)
        with Source(str(Path(folder) / "log.csv")) as source:
            summary = summarize(source, period, as_of=as_of, notifications=notifications,
                                days=_days_fn(holidays))  # fmt: skip
    means = {g.id: g.mean_days for g in times.groups}
    for gid, metric in MATCHING.items():
        assert means[gid] == summary.values[metric], gid  # exact Fractions, both sides


def _days_fn(holidays: set[date] | None) -> Callable[[int, int], int] | None:
    """Working days counted with the engine's function, for summarize in the test above."""
    if holidays is None:
        return None
    ordinals = sorted(d.toordinal() for d in holidays)
    return lambda sent, executed: working_days_between(sent, executed, ordinals)


# ------------------------------------------------------------------- the held-out fixture


@pytest.mark.parametrize("working", [False, True])
def test_the_report_fixture_agrees_with_the_brute_force(working: bool, tmp_path: Path) -> None:
    """fixtures/report-2024.csv, which the program was not written against, through the CLI."""
    report = Path(__file__).resolve().parent.parent / "fixtures" / "report-2024.csv"
    with report.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    start, end = date(2023, 9, 16), date(2024, 9, 15)
    holidays = {date(2023, 12, 25), date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1)}
    args = ["times", str(report), "--period", "2024"]
    if working:
        listing = tmp_path / "holidays.txt"
        listing.write_text("".join(f"{d}\n" for d in sorted(holidays)), encoding="utf-8")
        args += ["--days", "working", "--holidays", str(listing)]
    groups = by_id(run_json(*args))
    expected = brute_times(rows, start, end, end, True, holidays if working else None)
    for gid, want in expected.items():
        got = groups[gid]
        for name in ("sent", "executed", "pending", "min_days", "max_days", "km_median_days",
                     "oldest_pending", "backlog"):  # fmt: skip
            assert got[name] == want[name], (gid, name)
        for name in ("mean_days", "median_days", "p90_days", "executed_pct_ci"):
            assert got[name] == pytest.approx(want[name]), (gid, name)
        assert [b["count"] for b in got["histogram"]] == want["histogram"], gid
    if not working:
        # What the 2024 report printed (SPEC §5): 519 RFAs, 204 executed, 53.95 days; 412 HQ
        # RFCs, 36 days; 261 arrest and surrender RFCs, N/A (none executed).
        rfa = groups["otp.rfa"]
        assert (rfa["sent"], rfa["executed"]) == (519, 204)
        assert round(rfa["mean_days"], 2) == 53.95
        assert groups["registry.rfc.hq"]["sent"] == 412
        assert round(groups["registry.rfc.hq"]["mean_days"]) == 36
        assert groups["registry.arrest"]["sent"] == 261
        assert groups["registry.arrest"]["mean_days"] is None
