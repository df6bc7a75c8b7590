"""SPEC §7's time measures in `times`: percentiles, shares within N days, the clearance rate, the
ageing of every pending request and the oldest of them; with --by, --where and working days.

Every expected value comes from a brute force over the rows written here (a plain loop, exact
fractions, days counted one by one), or is worked out by hand in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import parse_row
from strategies import COLUMNS, periods, to_csv, valid_rows
from typer.testing import CliRunner

from coopstats.breakdown import Breakdown
from coopstats.cli import app
from coopstats.days import day_counter
from coopstats.model import Period
from coopstats.read import Source
from coopstats.render.times import times_csv, times_json
from coopstats.stats import bands_of
from coopstats.times import TIMES_GROUP_IDS, Measures, Times, execution_times

Row = dict[str, str]
runner = CliRunner()
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
WriteLog = Callable[..., Path]


# --- brute force -------------------------------------------------------------------------------


def days_between(sent: date, end: date, holidays: set[date] | None) -> int:
    """Calendar days, or the days d with sent < d <= end, Monday to Friday, not holidays."""
    if holidays is None:
        return (end - sent).days
    count, d = 0, sent + timedelta(days=1)
    while d <= end:
        count += d.weekday() < 5 and d not in holidays
        d += timedelta(days=1)
    return count


def member(gid: str, r: Any, notifications: bool) -> bool:
    rfc = r.organ == "registry" and r.kind == "rfc"
    rfa = {"rfa", "mission-notification"} if notifications else {"rfa"}
    return {
        "otp.rfa": r.organ == "otp" and r.kind in rfa,
        "otp.rfi": r.organ == "otp" and r.kind == "rfi",
        "registry.rfc": rfc,
        "registry.rfc.hq": rfc and r.origin == "hq",
        "registry.rfc.country_office": rfc and r.origin == "country-office",
        "registry.hq.defence": rfc and r.origin == "hq" and "defence" in r.categories,
        "registry.arrest": rfc and "arrest-surrender" in r.categories,
    }[gid]


def linear(values: list[int], p: Fraction) -> Fraction | None:
    """numpy's default percentile ('linear'), exactly: between the two closest ranks."""
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def band_of(days: int, ends: tuple[int, ...]) -> int:
    for i, end in enumerate(ends):
        if days <= end:
            return i
    return len(ends)


def brute(
    rows: list[Row],
    period: Period,
    as_of: date,
    measures: Measures,
    ends: tuple[int, ...],
    notifications: bool = True,
    holidays: set[date] | None = None,
) -> dict[str, dict[str, Any]]:
    """SPEC §7's measures of each group, one naive filter at a time."""
    out = {}
    requests = [(row["id"], parse_row(row)) for row in rows]
    for gid in TIMES_GROUP_IDS:
        members = [(i, r) for i, r in requests if member(gid, r, notifications)]
        s = [(i, r) for i, r in members if period.start <= r.sent <= period.end]
        e = [r for _, r in s if r.executed is not None and r.executed <= as_of]
        taken = [days_between(r.sent, r.executed, holidays) for r in e if r.executed]
        last = min(period.end, as_of)
        cleared = sum(
            1 for _, r in members if r.executed is not None and period.start <= r.executed <= last
        )
        pending = [
            (i, r) for i, r in members
            if r.sent <= as_of and not (r.executed is not None and r.executed <= as_of)
        ]  # fmt: skip
        ages = [(days_between(r.sent, as_of, holidays), i, r.sent) for i, r in pending]
        bands = [0] * (len(ends) + 1)
        for age, _, _ in ages:
            bands[band_of(age, ends)] += 1
        histogram = [0] * (len(ends) + 1)
        for d in taken:
            histogram[band_of(d, ends)] += 1
        oldest = sorted(ages, key=lambda a: (-a[0], a[1]))[: measures.oldest]
        out[gid] = {
            "percentiles": [(p, linear(taken, p)) for p in measures.percentiles],
            "within": [
                (n, sum(1 for d in taken if d <= n),
                 Fraction(100 * sum(1 for d in taken if d <= n), len(s)) if s else None)
                for n in measures.within
            ],  # fmt: skip
            "cleared": cleared,
            "clearance_pct": Fraction(100 * cleared, len(s)) if s else None,
            "ageing": bands,
            "pending": len(ages),
            "histogram": histogram,
            "oldest": [(i, sent, age) for age, i, sent in oldest],
        }
    return out


def measured(result: Times) -> dict[str, dict[str, Any]]:
    """The same measures from the library's result."""
    return {
        g.id: {
            "percentiles": list(g.percentiles),
            "within": list(g.within),
            "cleared": g.cleared,
            "clearance_pct": g.clearance_pct,
            "ageing": [n for _, n in g.ageing_bands],
            "pending": g.aged,
            "histogram": [n for _, n in g.histogram],
            "oldest": [(a.id, a.sent, a.age_days) for a in g.oldest],
        }
        for g in result.groups
    }


@st.composite
def measure_sets(draw: st.DrawFn) -> tuple[Measures, tuple[int, ...]]:
    percentiles = draw(
        st.lists(st.fractions(0, 100, max_denominator=10), min_size=1, max_size=4, unique=True)
    )
    within = sorted(draw(st.sets(st.integers(0, 400), max_size=3)))
    ends = tuple(sorted(draw(st.sets(st.integers(0, 500), max_size=5))))
    oldest = draw(st.integers(0, 6))
    return Measures(tuple(percentiles), tuple(within), bands_of(ends), oldest), ends


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, ...]:
    start, end = draw(periods())
    as_of = start + timedelta(days=draw(st.integers(0, 900)))
    rows = draw(valid_rows(max_size=30))
    # Requests sent and executed on the days around the period's ends and the as-of date.
    marks = sorted({d + timedelta(days=k) for d in (start, end, as_of) for k in (-1, 0, 1)})
    for n, row in enumerate(draw(valid_rows(max_size=8))):
        sent = draw(st.sampled_from(marks))
        done = draw(st.one_of(st.none(), st.sampled_from([m for m in marks if m >= sent])))
        row.update(id=f"B{n}", sent=sent.isoformat(), executed=done.isoformat() if done else "",
                   outcome=row["outcome"] if done else "")  # fmt: skip
        rows.append(row)
    holidays = draw(st.one_of(st.none(), st.sets(st.dates(date(2021, 1, 1), date(2027, 6, 30)),
                                                max_size=30)))  # fmt: skip
    return rows, Period(start, end), as_of, holidays


def run_times(
    folder: str,
    rows: list[Row],
    period: Period,
    as_of: date,
    measures: Measures,
    holidays: set[date] | None = None,
    notifications: bool = True,
    breakdown: Breakdown | None = None,
    header: list[str] | None = None,
) -> Times:
    log = Path(folder) / "log.csv"
    log.write_text(to_csv(rows, header), encoding="utf-8")
    listing = None
    if holidays is not None:
        listing = Path(folder) / "holidays.txt"
        listing.write_text("".join(f"{d}\n" for d in sorted(holidays)), encoding="utf-8")
    days_fn, name = day_counter("calendar" if listing is None else "working", listing)
    with Source(str(log)) as source:
        return execution_times(source, period, as_of=as_of, notifications=notifications,
                               days=days_fn, days_name=name, measures=measures,
                               breakdown=breakdown)  # fmt: skip


@SETTINGS
@given(case=cases(), chosen=measure_sets(), notifications=st.booleans())
def test_every_measure_agrees_with_a_brute_force(
    case: tuple[Any, ...], chosen: tuple[Measures, tuple[int, ...]], notifications: bool
) -> None:
    rows, period, as_of, holidays = case
    measures, ends = chosen
    with tempfile.TemporaryDirectory() as folder:
        result = run_times(folder, rows, period, as_of, measures, holidays, notifications)
    expected = brute(rows, period, as_of, measures, ends, notifications, holidays)
    assert measured(result) == expected
    # JSON and CSV carry the exact values as the nearest floats: no float noise.
    doc = json.loads(times_json(result))
    table = list(csv.DictReader(io.StringIO(times_csv(result))))
    for group, row in zip(doc["groups"], table, strict=True):
        want = expected[group["id"]]
        assert [(Fraction(p["percentile"]).limit_denominator(10), p["days"])
                for p in group["percentiles"]] == [
            (p, None if v is None else float(v)) for p, v in want["percentiles"]
        ]  # fmt: skip
        clearance = want["clearance_pct"]
        assert group["clearance_pct"] == (None if clearance is None else float(clearance))
        assert row["clearance_pct"] == ("" if clearance is None else repr(float(clearance)))
        assert group["ageing"]["pending"] == want["pending"] == int(row["pending_at_as_of"])
        assert [o["id"] for o in group["ageing"]["oldest"]] == [o[0] for o in want["oldest"]]


# --- --by and --where: each group's measures over its rows alone ---------------------------------


@SETTINGS
@given(case=cases(), chosen=measure_sets(), states=st.lists(
    st.sampled_from(["France", " France", "", "Kenya"]), min_size=60, max_size=60))
def test_by_and_where_are_the_measures_of_the_rows_alone(
    case: tuple[Any, ...], chosen: tuple[Measures, tuple[int, ...]], states: list[str]
) -> None:
    rows, period, as_of, holidays = case
    measures, ends = chosen
    for row, state in zip(rows, states, strict=False):
        row["state"] = state
    header = [*COLUMNS, "state"]
    with tempfile.TemporaryDirectory() as folder:
        by = run_times(folder, rows, period, as_of, measures, holidays,
                       breakdown=Breakdown("State"), header=header)  # fmt: skip
        where = run_times(folder, rows, period, as_of, measures, holidays,
                          breakdown=Breakdown(None, (("state", "France"),)), header=header)
    assert by.by == "state"
    for b in by.breakdown:
        mine = [r for r in rows if r.get("state", "").strip() == b.value]
        want = brute(mine, period, as_of, measures, ends, holidays=holidays)
        assert measured(Times(**{**by.__dict__, "groups": b.groups})) == want, b.value
    france = [r for r in rows if r.get("state", "").strip() == "France"]
    assert measured(where) == brute(france, period, as_of, measures, ends, holidays=holidays)
    # A group is shown when a request of it counts in some figure of the seven groups.
    counted = {r.get("state", "").strip() for r in rows if counts(parse_row(r), period, as_of)}
    assert {b.value for b in by.breakdown} == counted


def counts(r: Any, period: Period, as_of: date) -> bool:
    """Whether `times` counts a request anywhere: sent in the period, pending on the as-of
    date, executed during the period, or pending at the period's start (the backlog)."""
    if not any(member(gid, r, True) for gid in TIMES_GROUP_IDS):
        return False  # a decision notification: in none of the seven groups
    done = r.executed
    return (
        period.start <= r.sent <= period.end
        or (r.sent <= as_of and not (done is not None and done <= as_of))
        or (done is not None and period.start <= done <= min(period.end, as_of))
        or (r.sent < period.start and not (done is not None and done < period.start))
    )


# --- by hand --------------------------------------------------------------------------------------

YEAR = ("--period", "2024-01-01:2024-12-31")
LOG = (
    "A1,OTP,RFA,,,2024-01-01,2024-01-01,",  # 0 days
    "A2,OTP,RFA,,,2024-02-01,2024-02-04,",  # 3 days
    "A3,OTP,RFA,,,2024-03-01,2024-06-08,",  # 99 days (31 + 30 + 31 + 7)
    "A4,OTP,RFA,,,2024-11-01,,",  # pending: 60 days old on 31 December
    "A5,OTP,RFA,,,2023-01-01,2024-06-01,",  # sent before: executed in the period (clearance)
    "A6,OTP,RFA,,,2022-12-31,,",  # sent before, still pending: 731 days old
    "A7,OTP,RFA,,,2023-06-01,2025-01-05,",  # pending on 31 December: 579 days old
    "A0,OTP,RFA,,,2023-06-01,,",  # as old as A7: ties by id, A0 first
)


def test_the_measures_worked_out_by_hand(write_log: WriteLog) -> None:
    log = write_log(*LOG)
    result = runner.invoke(app, ["times", str(log), *YEAR, "--percentiles", "50,90,5",
                                 "--within", "3,99", "--oldest", "3", "-f", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rfa = json.loads(result.stdout)["groups"][0]
    # Days of E: 0, 3, 99. P50 = 3; P90: rank 1.8, 3 + 0.8 * 96 = 79.8; P5: rank 0.1: 0.3.
    assert rfa["percentiles"] == [
        {"percentile": 50, "days": 3}, {"percentile": 90, "days": 79.8},
        {"percentile": 5, "days": 0.3},
    ]  # fmt: skip
    # Sent in 2024: A1-A4; within 3 days: A1, A2 (2 of 4); within 99: A1-A3.
    assert rfa["within"] == [{"days": 3, "requests": 2, "pct": 50.0},
                             {"days": 99, "requests": 3, "pct": 75.0}]  # fmt: skip
    # Executed during 2024, whenever sent: A1, A2, A3, A5: 4 of the 4 sent.
    assert (rfa["cleared"], rfa["clearance_pct"]) == (4, 100.0)
    # Pending on 31 December, any period: A4 (60), A6 (731), A7 and A0 (579).
    assert rfa["ageing"]["pending"] == 4
    assert [b["count"] for b in rfa["ageing"]["bands"]] == [0, 1, 0, 0, 3]
    assert rfa["ageing"]["oldest"] == [
        {"id": "A6", "sent": "2022-12-31", "age_days": 731},
        {"id": "A0", "sent": "2023-06-01", "age_days": 579},
        {"id": "A7", "sent": "2023-06-01", "age_days": 579},
    ]
    table = runner.invoke(app, ["times", str(log), *YEAR, "--within", "3"]).stdout
    for words in ("50th percentile (median) of the time to execute", "79.80 days",
                  "Executed within 3 days", "2 (50.00%)", "Clearance rate", "100.00% (4 ÷ 4)",
                  "Ageing: 4 pending on 31/12/2024", "A6", "731 days"):  # fmt: skip
        assert words in table, words


def test_no_float_noise(write_log: WriteLog) -> None:
    # Days 0 and 3: P5 = 0 + 3 * 0.05 = 0.15 exactly; float arithmetic gives 0.15000000000000002.
    log = write_log("a,OTP,RFI,,,2024-01-01,2024-01-01,", "b,OTP,RFI,,,2024-01-01,2024-01-04,")
    for fmt in ("json", "csv"):
        out = runner.invoke(app, ["times", str(log), *YEAR, "--percentiles", "5", "-f", fmt])
        assert out.exit_code == 0, out.output
        assert "0.15" in out.stdout and "0.15000000000000002" not in out.stdout


def test_a_clearance_with_an_early_as_of(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFI,,,2024-01-01,2024-02-01,",  # executed by the as-of date
        "b,OTP,RFI,,,2024-01-01,2024-05-01,",  # after it: not yet executed
        "c,OTP,RFI,,,2024-01-01,,",
    )
    doc = json.loads(runner.invoke(app, ["times", str(log), *YEAR, "--as-of", "2024-03-01",
                                         "-f", "json"]).stdout)  # fmt: skip
    rfi = doc["groups"][1]
    # Executed from START to min(END, as-of) = 2024-03-01: a alone, of 3 sent.
    assert (rfi["cleared"], rfi["clearance_pct"]) == (1, 100 / 3)
    # Pending on 1 March: b and c, 60 days old.
    assert rfi["ageing"]["pending"] == 2
    assert [o["age_days"] for o in rfi["ageing"]["oldest"]] == [60, 60]


def test_working_days_for_the_ageing(write_log: WriteLog, tmp_path: Path) -> None:
    holidays = tmp_path / "h.txt"
    holidays.write_text("2024-12-25\n", encoding="utf-8")
    log = write_log("a,OTP,RFI,,,2024-12-20,,")  # a Friday
    doc = json.loads(runner.invoke(app, ["times", str(log), *YEAR, "--days", "working",
                                         "--holidays", str(holidays), "-f", "json"]).stdout)
    # Working days after 20 December to 31 December: 23, 24, 26, 27, 30, 31 (25th off): 6.
    assert doc["groups"][1]["ageing"]["oldest"][0]["age_days"] == 6


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--percentiles", "0,101"], "each percentile is a number from 0 to 100"),
        (["--percentiles", "fifty"], "is not a number"),
        (["--percentiles", "50,"], "each percentile is a number from 0 to 100"),
        (["--bands", "90,30"], "in increasing order, e.g. --bands 30,90,180,365"),
        (["--bands", "30,30"], "do not increase"),
        (["--bands", "-5"], "not a whole number of days"),
        (["--within", "1.5"], "not a whole number of days"),
        (["--oldest", "-1"], "-1"),
    ],
)
def test_bad_measures_exit_2_with_what_is_allowed(
    write_log: WriteLog, args: list[str], words: str
) -> None:
    result = runner.invoke(app, ["times", str(write_log(*LOG)), *YEAR, *args])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_times_by_formats(write_log: WriteLog) -> None:
    header = "id,organ,kind,origin,categories,sent,executed,outcome,state"
    log = write_log("a,OTP,RFA,,,2024-01-01,2024-01-11,,France",
                    "b,OTP,RFA,,,2024-01-01,,, France ", "c,OTP,RFA,,,2024-01-01,,,",
                    header=header)  # fmt: skip
    doc = json.loads(runner.invoke(app, ["times", str(log), *YEAR, "--by", "state",
                                         "-f", "json"]).stdout)  # fmt: skip
    assert doc["by"] == "state"
    assert [b["value"] for b in doc["breakdown"]] == ["France", ""]  # 2 requests, then 1
    france = doc["breakdown"][0]["groups"][0]
    assert (france["sent"], france["executed"], france["median_days"]) == (2, 1, 10)
    rows = list(csv.DictReader(io.StringIO(runner.invoke(
        app, ["times", str(log), *YEAR, "--by", "state", "-f", "csv"]).stdout)))  # fmt: skip
    assert [(r["group"], r["id"]) for r in rows[:2]] == [("France", "otp.rfa"),
                                                        ("France", "otp.rfi")]  # fmt: skip
    assert len(rows) == 2 * len(TIMES_GROUP_IDS)
    for fmt in ("table", "markdown"):
        text = runner.invoke(app, ["times", str(log), *YEAR, "--by", "state", "-f", fmt]).stdout
        assert "(blank)" in text and "France" in text and "Clearance" in text
