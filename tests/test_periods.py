"""Periods: parsing, reporting years and the prior period of SPEC §2, computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.periods import consecutive_periods, parse_period, prior_period, reporting_year


def p(text: str) -> Period:
    start, end = text.split(":")
    return Period(date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize(
    ("period", "prior"),
    [
        # END + 1 = 2024-09-16 = START + 12 months: both ends move back 12 months.
        ("2023-09-16:2024-09-15", "2022-09-16:2023-09-15"),
        # A leap day inside: still 12 months back, not 366 days.
        ("2023-03-01:2024-02-29", "2022-03-01:2023-02-28"),
        # A calendar month: END + 1 = 2024-03-01 = START + 1 month; SPEC §2: the prior ends
        # the day before START, so it is the whole of January.
        ("2024-02-01:2024-02-29", "2024-01-01:2024-01-31"),
        # 2023-03-31 + 1 month = 2023-04-30 (relativedelta clamps) = END + 1: one month back,
        # 2023-03-31 - 1 month = 2023-02-28, to START - 1 day = 2023-03-30 (SPEC §2).
        ("2023-03-31:2023-04-29", "2023-02-28:2023-03-30"),
        # Ten days is not a whole number of months: back 10 days.
        ("2024-01-01:2024-01-10", "2023-12-22:2023-12-31"),
        # One day.
        ("2024-02-29:2024-02-29", "2024-02-28:2024-02-28"),
        # A quarter: 2024-01-01 + 3 months = 2024-04-01 = END + 1.
        ("2024-01-01:2024-03-31", "2023-10-01:2023-12-31"),
        # The calendar's last year: END + 1 day does not exist, the rule still applies.
        ("9999-01-01:9999-12-31", "9998-01-01:9998-12-31"),
        # 2024-01-31 + 1 month = 2024-02-29 = END + 1: from 2023-12-31 to START - 1 day.
        ("2024-01-31:2024-02-28", "2023-12-31:2024-01-30"),
    ],
)
def test_prior_period(period: str, prior: str) -> None:
    assert prior_period(p(period)) == p(prior)


def test_parse_period_forms() -> None:
    assert parse_period("2023-09-16:2024-09-15") == p("2023-09-16:2024-09-15")
    assert parse_period(" 2023-09-16/2024-09-15 ") == p("2023-09-16:2024-09-15")
    assert parse_period("2024") == p("2023-09-16:2024-09-15")
    assert parse_period("2024", (1, 1)) == p("2024-01-01:2024-12-31")
    assert parse_period("2024", (10, 1)) == p("2023-10-01:2024-09-30")


@pytest.mark.parametrize(
    "text", ["2024-09-15:2023-09-16", "last year", "2023-02-30:2023-03-01", "2023-09-16", ""]
)
def test_bad_periods_are_usage_errors_with_an_example(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_period(text)
    assert caught.value.exit_code == 2
    assert "2023-09-16:2024-09-15" in caught.value.message


def test_reporting_year_and_consecutive_periods() -> None:
    assert reporting_year(2023) == p("2022-09-16:2023-09-15")
    assert consecutive_periods(p("2023-09-16:2024-09-15"), 3) == [
        p("2021-09-16:2022-09-15"),
        p("2022-09-16:2023-09-15"),
        p("2023-09-16:2024-09-15"),
    ]


# SPEC §2 (changed): the k-th period before a period of n whole months is START - k*n months to
# START - (k-1)*n months - 1 day, each counted from START, never chained; other periods are
# blocks of the same number of days. The lists below are written out by hand.
@pytest.mark.parametrize(
    ("last", "expected"),
    [
        # Quarters stay quarters (chained priors used to drift to 2022-04-09:2022-07-06).
        (
            "2024-01-01:2024-03-31",
            ["2023-04-01:2023-06-30", "2023-07-01:2023-09-30", "2023-10-01:2023-12-31",
             "2024-01-01:2024-03-31"],
        ),
        # Months stay whole months, February's length whatever it is.
        (
            "2024-03-01:2024-03-31",
            ["2023-12-01:2023-12-31", "2024-01-01:2024-01-31", "2024-02-01:2024-02-29",
             "2024-03-01:2024-03-31"],
        ),
        # Month ends counted from START: 31 May - k months, clamped, never chained.
        (
            "2024-05-31:2024-06-29",
            ["2024-02-29:2024-03-30", "2024-03-31:2024-04-29", "2024-04-30:2024-05-30",
             "2024-05-31:2024-06-29"],
        ),
        # Reporting years of the Court, leap years or not.
        (
            "2023-09-16:2024-09-15",
            ["2020-09-16:2021-09-15", "2021-09-16:2022-09-15", "2022-09-16:2023-09-15",
             "2023-09-16:2024-09-15"],
        ),
        # Calendar years.
        (
            "2024-01-01:2024-12-31",
            ["2021-01-01:2021-12-31", "2022-01-01:2022-12-31", "2023-01-01:2023-12-31",
             "2024-01-01:2024-12-31"],
        ),
        # Ten days: blocks of ten days.
        (
            "2024-03-01:2024-03-10",
            ["2024-02-10:2024-02-19", "2024-02-20:2024-02-29", "2024-03-01:2024-03-10"],
        ),
        # 45 days.
        (
            "2024-01-01:2024-02-14",
            ["2023-10-03:2023-11-16", "2023-11-17:2023-12-31", "2024-01-01:2024-02-14"],
        ),
    ],
)
def test_consecutive_periods(last: str, expected: list[str]) -> None:
    assert consecutive_periods(p(last), len(expected)) == [p(e) for e in expected]
