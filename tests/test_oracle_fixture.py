"""The oracle against the 2024 report (fixtures/report-2024.csv), and on tiny hand-made logs.

Every expected value here is stated by hand, from the report or worked out on paper; none is
copied from a program's output.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import random
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import METRIC_IDS, oracle_metrics, oracle_prior_period, prior_is_incomplete
from strategies import COLUMNS, column_orders, periods, to_csv, valid_rows

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPORT_CSV = FIXTURES / "report-2024.csv"
START, END = date(2023, 9, 16), date(2024, 9, 15)
PRIOR = (date(2022, 9, 16), date(2023, 9, 15))


def d(text: str) -> date:
    return date.fromisoformat(text)


def truncated(x: Fraction, places: int) -> Fraction:
    """Cut toward zero after `places` decimals."""
    q = 10**places
    return Fraction(math.trunc(x * q), q)


def rounded(x: Fraction, places: int) -> Fraction:
    """Round half away from zero to `places` decimals."""
    q = 10**places
    magnitude = Fraction(math.floor(abs(x) * q + Fraction(1, 2)), q)
    return magnitude if x >= 0 else -magnitude


def load(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report_rows() -> list[dict[str, str]]:
    return load(REPORT_CSV)


@pytest.fixture(scope="module")
def report(report_rows: list[dict[str, str]]) -> dict[str, int | Fraction | None]:
    return oracle_metrics(report_rows, START, END, as_of=END, notifications=True, prior=PRIOR)


# --- the fixture reproduces the 2024 report (SPEC §5) ------------------------------------


def test_the_fixture_is_what_its_script_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_report_fixture", FIXTURES / "make_report_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.render(module.build_rows()) == REPORT_CSV.read_text(encoding="utf-8")


def test_every_metric_is_given_once_in_the_spec_order(report: dict[str, object]) -> None:
    assert tuple(report) == METRIC_IDS
    assert len(METRIC_IDS) == 25


def test_the_default_prior_period_is_the_reports(report_rows: list[dict[str, str]]) -> None:
    assert oracle_prior_period(START, END) == PRIOR
    assert oracle_metrics(report_rows, START, END) == oracle_metrics(
        report_rows, START, END, as_of=END, notifications=True, prior=PRIOR
    )


def test_the_prior_figures_are_complete(report_rows: list[dict[str, str]]) -> None:
    # The log starts in 2021, before the prior period: no "incomplete prior" warning.
    assert not prior_is_incomplete(report_rows, PRIOR[0])


def test_the_counts_the_report_printed(report: dict[str, object]) -> None:
    # "519 RFAs (including 190 notifications of missions)"
    assert report["otp.rfa.sent"] == 519
    assert report["otp.rfa.mission_notifications"] == 190
    assert report["otp.rfa.sent_without_notifications"] == 519 - 190
    # "a total of 204 RFAs executed out of the 519"
    assert report["otp.rfa.executed"] == 204
    # "31 RFI"
    assert report["otp.rfi.sent"] == 31
    # "793 RFCs (including 412 RFCs sent by ... HQ and 381 operational requests ...)"
    assert report["registry.rfc.sent"] == 793
    assert report["registry.rfc.hq"] == 412
    assert report["registry.rfc.country_office"] == 381
    # "Number of notifications of decisions/orders sent during the reporting period: 26"
    assert report["registry.decision_notifications"] == 26
    # HQ breakdown 44 / 2 / 10 / 111
    assert report["registry.hq.defence"] == 44
    assert report["registry.hq.victims"] == 2
    assert report["registry.hq.witness_protection"] == 10
    assert report["registry.hq.judicial_support"] == 111
    # "Total number of RFCs sent ... for arrest and surrender: 261"
    assert report["registry.arrest.sent"] == 261
    # 167 + 261 > 412: some requests carry two categories.
    assert 44 + 2 + 10 + 111 + 261 > 412


def test_the_figures_the_report_printed(report: dict[str, object]) -> None:
    # "+ 8.6% (with notifications)": 100 * (519 - 478) / 478 = 8.5774..., ROUNDED to 1 place
    # (truncation would give 8.5).
    evolution = report["otp.rfa.evolution_pct"]
    assert evolution == Fraction(100 * (519 - 478), 478)
    assert isinstance(evolution, Fraction)
    assert rounded(evolution, 1) == Fraction("8.6")
    assert rounded(evolution, 2) == Fraction("8.58")  # how coopstats will print it

    # "– 4.63% (without notifications)": 100 * (329 - 345) / 345 = -4.6376..., TRUNCATED to
    # 2 places (rounding gives -4.64).
    without = report["otp.rfa.evolution_pct_without_notifications"]
    assert without == Fraction(100 * (329 - 345), 345)
    assert isinstance(without, Fraction)
    assert truncated(without, 2) == Fraction("-4.63")
    assert rounded(without, 2) == Fraction("-4.64")

    # "53.95 days": 11006 days / 204 executed = 53.9509..., ROUNDED (and truncated) to 2 places.
    average = report["otp.rfa.avg_days_to_execute"]
    assert average == Fraction(11006, 204)
    assert isinstance(average, Fraction)
    assert rounded(average, 2) == truncated(average, 2) == Fraction("53.95")

    # "39.31%": 100 * 204 / 519 = 39.3063..., ROUNDED to 2 places (truncation gives 39.30).
    replies = report["otp.rfa.executed_pct"]
    assert replies == Fraction(100 * 204, 519)
    assert isinstance(replies, Fraction)
    assert rounded(replies, 2) == Fraction("39.31")
    assert truncated(replies, 2) == Fraction("39.30")

    # "+ 72% for RFCs in total": 100 * (793 - 461) / 461 = 72.017..., ROUNDED to 0 places.
    total = report["registry.rfc.evolution_pct"]
    assert total == Fraction(100 * (793 - 461), 461)
    assert isinstance(total, Fraction)
    assert rounded(total, 0) == 72

    # "37% for RFCs sent by the HQ": 100 * (412 - 301) / 301 = 36.877..., ROUNDED to 0 places
    # (truncation gives 36).
    hq = report["registry.rfc.hq_evolution_pct"]
    assert hq == Fraction(100 * (412 - 301), 301)
    assert isinstance(hq, Fraction)
    assert rounded(hq, 0) == 37

    # "36 days": exactly 36 (2160 days over 60 HQ RFCs executed as of 15/09/2024).
    assert report["registry.rfc.hq_avg_days_to_reply"] == 36

    # "10.1 %": 100 * 42 / 412 = 10.1941..., TRUNCATED to 1 place (rounding gives 10.2, or
    # 10.19 at 2 places); no whole number of positive replies out of 412 rounds to 10.1.
    positive = report["registry.rfc.hq_positive_pct"]
    assert positive == Fraction(100 * 42, 412)
    assert isinstance(positive, Fraction)
    assert truncated(positive, 1) == Fraction("10.1")
    assert rounded(positive, 2) == Fraction("10.19")
    assert all(rounded(Fraction(100 * x, 412), 1) != Fraction("10.1") for x in range(413))

    # "Average time needed for reply to request from defence teams: 44 days": exactly 44.
    assert report["registry.hq.defence_avg_days_to_reply"] == 44

    # Arrest and surrender: "N/A" (none executed), "0%".
    assert report["registry.arrest.avg_days_to_reply"] is None
    assert report["registry.arrest.positive_pct"] == 0


def test_the_fixture_without_notifications(report_rows: list[dict[str, str]]) -> None:
    m = oracle_metrics(report_rows, START, END, notifications=False)
    assert m["otp.rfa.sent"] == 329
    assert m["otp.rfa.mission_notifications"] == 0
    assert m["otp.rfa.sent_without_notifications"] == 329
    assert m["otp.rfa.evolution_pct"] == m["otp.rfa.evolution_pct_without_notifications"]
    assert m["otp.rfa.evolution_pct_without_notifications"] == Fraction(100 * (329 - 345), 345)
    executed = m["otp.rfa.executed"]
    assert isinstance(executed, int) and 0 < executed < 204
    assert m["otp.rfa.executed_pct"] == Fraction(100 * executed, 329)
    # The Registry's figures do not depend on the toggle.
    with_notifications = oracle_metrics(report_rows, START, END)
    assert {k: v for k, v in m.items() if k.startswith("registry.")} == {
        k: v for k, v in with_notifications.items() if k.startswith("registry.")
    }


def test_the_fixture_holds_every_edge_of_the_rules(report_rows: list[dict[str, str]]) -> None:
    rows = report_rows
    assert len({r["id"] for r in rows}) == len(rows)
    assert [r["sent"] for r in rows] == sorted(r["sent"] for r in rows)
    sent = [d(r["sent"]) for r in rows]
    assert min(sent) < date(2022, 1, 1)  # rows from 2021, before both periods
    assert any(s > END for s in sent)  # rows sent after the period
    assert any(s == START for s in sent) and any(s == END for s in sent)
    executed = [(d(r["sent"]), d(r["executed"])) for r in rows if r["executed"]]
    assert any(s < START <= e <= END for s, e in executed)  # before the period, executed in it
    assert any(START <= s and e == END for s, e in executed)  # executed on the as-of date
    assert any(START <= s <= END and e == date(2024, 9, 16) for s, e in executed)  # day after
    assert any(START <= s <= END and e > END for s, e in executed)  # pending as of the end
    assert any(START <= s <= END and s == e for s, e in executed)  # executed the same day
    assert any(START <= d(r["sent"]) <= END and not r["executed"] for r in rows)  # pending
    assert all(s <= e for s, e in executed)
    assert all(r["outcome"] == "" for r in rows if not r["executed"])
    # A handful of cells typed in odd case or with spaces.
    odd = [r for r in rows if r["organ"] not in ("OTP", "Registry")]
    odd += [r for r in rows if r["origin"] not in ("", "HQ", "country-office")]
    assert len(odd) >= 4
    # Some HQ RFCs carry no category; categories on decision notifications are ignored.
    in_period = [r for r in rows if START <= d(r["sent"]) <= END]
    assert any(
        r["kind"] == "RFC" and r["origin"].strip() == "HQ" and not r["categories"]
        for r in in_period
    )
    assert any(r["kind"] == "decision-notification" and r["categories"] for r in in_period)


# --- the rules on tiny logs, worked out by hand ---------------------------------------------


def row(
    request_id: str,
    organ: str,
    kind: str,
    sent: str,
    executed: str = "",
    outcome: str = "",
    origin: str = "",
    categories: str = "",
) -> dict[str, str]:
    return {
        "id": request_id,
        "organ": organ,
        "kind": kind,
        "origin": origin,
        "categories": categories,
        "sent": sent,
        "executed": executed,
        "outcome": outcome,
    }


JANUARY = (d("2024-01-01"), d("2024-01-31"))
EDGE_LOG = [
    row("a", "OTP", "RFA", "2023-12-31", "2024-01-05"),  # sent the day before: never counts
    row("b", "OTP", "RFA", "2024-01-01", "2024-01-01"),  # first day, same-day execution: 0 days
    row("c", "OTP", "RFA", "2024-01-10", "2024-01-31"),  # executed on the as-of date: 21 days
    row("d", "OTP", "RFA", "2024-01-20", "2024-02-01"),  # executed the day after: pending
    row("e", "OTP", "RFA", "2024-01-31"),  # last day, pending
    row("f", "OTP", "RFA", "2024-02-01", "2024-02-01"),  # the day after the period: out
]


def test_sent_on_the_first_and_last_day_count_and_executed_on_as_of_counts() -> None:
    m = oracle_metrics(EDGE_LOG, *JANUARY)
    assert m["otp.rfa.sent"] == 4  # b, c, d, e
    assert m["otp.rfa.executed"] == 2  # b, c
    assert m["otp.rfa.executed_pct"] == 50
    assert m["otp.rfa.avg_days_to_execute"] == Fraction(0 + 21, 2)
    # The prior period of January is December (whole month), which holds "a" only.
    assert oracle_prior_period(*JANUARY) == (d("2023-12-01"), d("2023-12-31"))
    assert m["otp.rfa.evolution_pct"] == 300


def test_as_of_moves_what_counts_as_executed() -> None:
    later = oracle_metrics(EDGE_LOG, *JANUARY, as_of=d("2024-02-01"))
    assert later["otp.rfa.sent"] == 4  # f is sent after the period: still out
    assert later["otp.rfa.executed"] == 3  # b, c, d
    assert later["otp.rfa.avg_days_to_execute"] == Fraction(0 + 21 + 12, 3)
    earlier = oracle_metrics(EDGE_LOG, *JANUARY, as_of=d("2024-01-30"))
    assert earlier["otp.rfa.executed"] == 1  # b
    assert earlier["otp.rfa.executed_pct"] == 25
    assert earlier["otp.rfa.avg_days_to_execute"] == 0


def test_no_requests_gives_zero_counts_and_no_rates_averages_or_evolutions() -> None:
    for rows in ([], [row("x", "OTP", "RFA", "2020-05-05", "2020-05-06")]):
        m = oracle_metrics(rows, *JANUARY)
        for metric_id, value in m.items():
            if metric_id.endswith(("_pct", "avg_days_to_reply", "avg_days_to_execute")) or (
                "evolution" in metric_id
            ):
                assert value is None, metric_id
            else:
                assert value == 0, metric_id


def test_the_notifications_toggle() -> None:
    rows = [
        row("p1", "OTP", "RFA", "2023-05-05"),
        row("p2", "OTP", "RFA", "2023-06-06"),
        row("p3", "OTP", "mission-notification", "2023-07-07"),
        row("c1", "OTP", "RFA", "2024-02-01", "2024-02-11"),  # 10 days
        row("c2", "OTP", "mission-notification", "2024-03-01", "2024-03-31"),  # 30 days
        row("c3", "OTP", "mission-notification", "2024-04-01"),
        row("c4", "OTP", "RFI", "2024-04-02"),
    ]
    year = (d("2024-01-01"), d("2024-12-31"))
    with_n = oracle_metrics(rows, *year)
    assert with_n["otp.rfa.sent"] == 3
    assert with_n["otp.rfa.mission_notifications"] == 2
    assert with_n["otp.rfa.sent_without_notifications"] == 1
    assert with_n["otp.rfa.evolution_pct"] == 0  # 3 against 3
    assert with_n["otp.rfa.evolution_pct_without_notifications"] == -50  # 1 against 2
    assert with_n["otp.rfa.executed"] == 2
    assert with_n["otp.rfa.executed_pct"] == Fraction(200, 3)
    assert with_n["otp.rfa.avg_days_to_execute"] == 20
    assert with_n["otp.rfi.sent"] == 1

    without = oracle_metrics(rows, *year, notifications=False)
    assert without["otp.rfa.sent"] == 1
    assert without["otp.rfa.mission_notifications"] == 0
    assert without["otp.rfa.sent_without_notifications"] == 1
    assert without["otp.rfa.evolution_pct"] == -50  # 1 against 2
    assert without["otp.rfa.evolution_pct_without_notifications"] == -50
    assert without["otp.rfa.executed"] == 1
    assert without["otp.rfa.executed_pct"] == 100
    assert without["otp.rfa.avg_days_to_execute"] == 10
    assert without["otp.rfi.sent"] == 1


def test_categories_origins_and_outcomes() -> None:
    reg, rfc = "Registry", "RFC"
    rows = [
        # HQ, 10 days, a negative reply is a reply all the same.
        row("h1", reg, rfc, "2024-01-10", "2024-01-20", "negative", "HQ",
            "defence;arrest-surrender"),
        # HQ, 30 days, empty outcome = positive; odd case and spaces mean the same.
        row("h2", "registry", "rfc", "2024-02-01", "2024-03-02", "", " hq ", "Defence"),
        row("h3", reg, rfc, "2024-03-01", "", "", "HQ", "judicial-support; victims"),
        # HQ, positive, but after the as-of date: pending.
        row("h4", reg, rfc, "2024-12-01", "2025-01-02", "positive", "HQ", ""),
        # A country office's, 4 days: arrest counts any origin, the HQ breakdown does not.
        row("c1", reg, rfc, "2024-04-01", "2024-04-05", "POSITIVE", "country-office",
            "arrest-surrender;witness-protection"),
        # Not RFCs: their categories are ignored.
        row("n1", reg, "decision-notification", "2024-05-01", categories="arrest-surrender"),
        row("o1", "OTP", "RFA", "2024-05-02", origin="HQ", categories="defence"),
    ]  # fmt: skip
    m = oracle_metrics(rows, d("2024-01-01"), d("2024-12-31"))
    assert m["registry.rfc.sent"] == 5
    assert m["registry.rfc.hq"] == 4
    assert m["registry.rfc.country_office"] == 1
    assert m["registry.decision_notifications"] == 1
    assert m["registry.rfc.evolution_pct"] is None  # nothing in 2023
    assert m["registry.rfc.hq_avg_days_to_reply"] == 20  # (10 + 30) / 2
    assert m["registry.rfc.hq_positive_pct"] == 25  # h2 out of h1..h4
    assert m["registry.hq.defence"] == 2
    assert m["registry.hq.victims"] == 1
    assert m["registry.hq.witness_protection"] == 0  # c1 is a country office's
    assert m["registry.hq.judicial_support"] == 1
    assert m["registry.hq.defence_avg_days_to_reply"] == 20
    assert m["registry.arrest.sent"] == 2  # h1 (HQ) and c1 (country office)
    assert m["registry.arrest.avg_days_to_reply"] == 7  # (10 + 4) / 2
    assert m["registry.arrest.positive_pct"] == 50  # c1


def test_a_time_part_is_ignored() -> None:
    rows = [row("t", "OTP", "RFA", "2024-01-05T23:59:00", "2024-01-07 08:00")]
    m = oracle_metrics(rows, *JANUARY)
    assert m["otp.rfa.avg_days_to_execute"] == 2


def test_an_explicit_prior_period() -> None:
    rows = [row("p", "OTP", "RFA", "2020-01-01"), row("c", "OTP", "RFA", "2024-01-02")]
    assert oracle_metrics(rows, *JANUARY)["otp.rfa.evolution_pct"] is None
    against = (d("2020-01-01"), d("2020-01-01"))
    assert oracle_metrics(rows, *JANUARY, prior=against)["otp.rfa.evolution_pct"] == 0


@pytest.mark.parametrize(
    ("period", "prior"),
    [
        # A year of whole months: back 12 months, whatever the leap years.
        (("2023-09-16", "2024-09-15"), ("2022-09-16", "2023-09-15")),
        (("2024-01-01", "2024-12-31"), ("2023-01-01", "2023-12-31")),
        # 2023-03-31 + 1 month = 2023-04-30 = END + 1: from START - 1 month (clamped) to the
        # day before START (SPEC §2).
        (("2023-03-31", "2023-04-29"), ("2023-02-28", "2023-03-30")),
        (("2024-02-01", "2024-02-29"), ("2024-01-01", "2024-01-31")),
        (("2024-03-01", "2024-03-31"), ("2024-02-01", "2024-02-29")),
        # Not whole months: back by the length in days.
        (("2024-01-01", "2024-01-10"), ("2023-12-22", "2023-12-31")),
        (("2023-03-31", "2023-04-30"), ("2023-02-28", "2023-03-30")),  # 31 days
        (("2024-05-05", "2024-05-05"), ("2024-05-04", "2024-05-04")),
    ],
)
def test_the_prior_period(period: tuple[str, str], prior: tuple[str, str]) -> None:
    assert oracle_prior_period(d(period[0]), d(period[1])) == (d(prior[0]), d(prior[1]))


# --- the strategies themselves -------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(rows=valid_rows(), columns=column_orders())
def test_to_csv_round_trips_in_any_column_order(
    rows: list[dict[str, str]], columns: list[str]
) -> None:
    text = to_csv(rows, columns)
    assert text.splitlines()[0].split(",") == columns
    assert list(csv.DictReader(io.StringIO(text))) == rows
    assert to_csv(rows).splitlines()[0].split(",") == list(COLUMNS)


@settings(max_examples=50, deadline=None)
@given(rows=valid_rows(), period=periods(), seed=st.integers(0, 2**32 - 1))
def test_oracle_invariants(
    rows: list[dict[str, str]], period: tuple[date, date], seed: int
) -> None:
    m = oracle_metrics(rows, *period)
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    assert oracle_metrics(shuffled, *period) == m
    without = oracle_metrics(rows, *period, notifications=False)
    for metric_id in ("otp.rfa.sent", "otp.rfa.executed"):
        with_value, without_value = m[metric_id], without[metric_id]
        assert isinstance(with_value, int) and isinstance(without_value, int)
        assert with_value >= without_value
    hq, country_office = m["registry.rfc.hq"], m["registry.rfc.country_office"]
    assert isinstance(hq, int) and isinstance(country_office, int)
    assert m["registry.rfc.sent"] == hq + country_office
