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
        # A calendar month: END + 1 = 2024-03-01 = START + 1 month.
        ("2024-02-01:2024-02-29", "2024-01-01:2024-01-29"),
        # 2023-03-31 + 1 month = 2023-04-30 (relativedelta clamps) = END + 1: one month back,
        # and 2023-03-31 - 1 month = 2023-02-28, 2023-04-29 - 1 month = 2023-03-29.
        ("2023-03-31:2023-04-29", "2023-02-28:2023-03-29"),
        # Ten days is not a whole number of months: back 10 days.
        ("2024-01-01:2024-01-10", "2023-12-22:2023-12-31"),
        # One day.
        ("2024-02-29:2024-02-29", "2024-02-28:2024-02-28"),
        # A quarter: 2024-01-01 + 3 months = 2024-04-01 = END + 1.
        ("2024-01-01:2024-03-31", "2023-10-01:2023-12-31"),
        # The calendar's last year: END + 1 day does not exist, the rule still applies.
        ("9999-01-01:9999-12-31", "9998-01-01:9998-12-31"),
        # A month end that the shift keeps: 2024-01-31 + 1 month = 2024-02-29 = END + 1.
        ("2024-01-31:2024-02-28", "2023-12-31:2024-01-28"),
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
