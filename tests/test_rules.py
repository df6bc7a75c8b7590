"""Each counting rule of SPEC §2 at its edges, on logs small enough to count by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from coopstats.catalogue import FIGURES as METRICS
from coopstats.catalogue import figure_ids
from coopstats.model import Period
from coopstats.read import ReadOptions, Source
from coopstats.summary import summarize

METRIC_IDS = figure_ids()

PERIOD = Period(date(2023, 9, 16), date(2024, 9, 15))
WriteLog = Callable[..., Path]


def figures(path: Path, period: Period = PERIOD, **options: Any) -> dict[str, Any]:
    with Source(str(path)) as source:
        return summarize(source, period, **options).values


def test_sent_on_first_and_last_day_counts_and_a_day_outside_does_not(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2023-09-15,,",  # the day before the start: prior period
        "b,OTP,RFA,,,2023-09-16,,",  # first day
        "c,OTP,RFA,,,2024-09-15,,",  # last day
        "d,OTP,RFA,,,2024-09-16,,",  # the day after the end
    )
    v = figures(log)
    assert v["otp.rfa.sent"] == 2
    # Prior period 2022-09-16:2023-09-15 holds a only: 100 * (2 - 1) / 1 = +100%.
    assert v["otp.rfa.evolution_pct"] == 100


def test_executed_on_the_as_of_date_counts_the_day_after_does_not(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2024-09-01,2024-09-15,",  # 14 days, executed on the as-of date (the end)
        "b,OTP,RFA,,,2024-09-01,2024-09-16,",  # executed the day after: pending as of the end
    )
    v = figures(log)
    assert v["otp.rfa.executed"] == 1
    assert v["otp.rfa.executed_pct"] == 50  # 100 * 1 / 2
    assert v["otp.rfa.avg_days_to_execute"] == 14  # pending b left out of the average
    # As of the 16th, b counts too: (14 + 15) / 2 = 14.5 days.
    later = figures(log, as_of=date(2024, 9, 16))
    assert later["otp.rfa.executed"] == 2
    assert later["otp.rfa.avg_days_to_execute"] == Fraction(29, 2)


def test_sent_before_the_period_never_counts_as_executed(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2023-09-01,2023-10-01,",  # sent before, executed inside: not in E
        "b,OTP,RFA,,,2023-10-01,2023-10-01,",  # same day: 0 days
    )
    v = figures(log)
    assert (v["otp.rfa.sent"], v["otp.rfa.executed"]) == (1, 1)
    assert v["otp.rfa.avg_days_to_execute"] == 0


def test_zero_requests_give_zeros_and_no_rates(write_log: WriteLog) -> None:
    v = figures(write_log())
    assert list(v) == list(METRIC_IDS)
    counts = [m.id for m in METRICS if m.unit == "count"]
    assert all(v[k] == 0 for k in counts)
    assert all(v[k] is None for k in METRIC_IDS if k not in counts)


def test_one_request(write_log: WriteLog) -> None:
    v = figures(write_log("x,Registry,RFC,HQ,defence,2024-01-01,2024-01-31,positive"))
    assert v["registry.rfc.sent"] == v["registry.rfc.hq"] == v["registry.hq.defence"] == 1
    assert v["registry.rfc.hq_avg_days_to_reply"] == 30  # January 1 → 31
    assert v["registry.hq.defence_avg_days_to_reply"] == 30
    assert v["registry.rfc.hq_positive_pct"] == 100
    assert v["registry.rfc.evolution_pct"] is None  # a prior of zero gives no evolution
    assert v["registry.arrest.sent"] == 0
    assert v["registry.arrest.positive_pct"] is None


def test_notifications_toggle(write_log: WriteLog) -> None:
    log = write_log(
        "p1,OTP,mission-notification,,,2023-01-01,,",  # prior period
        "p2,OTP,RFA,,,2023-02-01,,",
        "p3,OTP,RFA,,,2023-03-01,,",
        "a,OTP,RFA,,,2024-01-01,2024-01-11,",  # 10 days
        "b,OTP,mission-notification,,,2024-01-01,2024-01-03,",  # 2 days
        "c,OTP,mission-notification,,,2024-01-05,,",
    )
    on = figures(log)
    assert (on["otp.rfa.sent"], on["otp.rfa.mission_notifications"]) == (3, 2)
    assert on["otp.rfa.sent_without_notifications"] == 1
    assert on["otp.rfa.executed"] == 2
    assert on["otp.rfa.avg_days_to_execute"] == 6  # (10 + 2) / 2
    assert on["otp.rfa.executed_pct"] == Fraction(200, 3)  # 100 * 2 / 3
    assert on["otp.rfa.evolution_pct"] == 0  # 3 now, 3 before
    assert on["otp.rfa.evolution_pct_without_notifications"] == -50  # 1 now, 2 before
    off = figures(log, notifications=False)
    assert (off["otp.rfa.sent"], off["otp.rfa.mission_notifications"]) == (1, 0)
    assert off["otp.rfa.executed"] == 1
    assert off["otp.rfa.avg_days_to_execute"] == 10
    assert off["otp.rfa.executed_pct"] == 100
    assert off["otp.rfa.evolution_pct"] == -50  # the toggle applies to the prior too
    assert off["otp.rfa.sent_without_notifications"] == 1
    assert off["otp.rfa.evolution_pct_without_notifications"] == -50


def test_categories_count_under_each_and_only_on_rfcs(write_log: WriteLog) -> None:
    log = write_log(
        'a,Registry,RFC,HQ,"defence;arrest-surrender",2024-01-01,2024-01-21,negative',
        "b,Registry,RFC,HQ,judicial-support; victims ;witness-protection,2024-01-01,,",
        "c,Registry,RFC,country-office,arrest-surrender;defence,2024-02-01,,",
        "d,Registry,decision-notification,,arrest-surrender,2024-02-01,,",  # ignored there
        "e,OTP,RFA,HQ,defence,2024-02-01,,",  # origin and categories ignored on an RFA
    )
    v = figures(log)
    assert v["registry.rfc.sent"] == 3
    assert (v["registry.rfc.hq"], v["registry.rfc.country_office"]) == (2, 1)
    assert v["registry.hq.defence"] == 1  # c is a country office's request
    assert v["registry.hq.victims"] == v["registry.hq.witness_protection"] == 1
    assert v["registry.hq.judicial_support"] == 1
    assert v["registry.arrest.sent"] == 2  # a (HQ) and c (country office)
    assert v["registry.arrest.avg_days_to_reply"] == 20  # a only, 20 days
    assert v["registry.arrest.positive_pct"] == 0  # a negative reply is still a reply
    assert v["registry.hq.defence_avg_days_to_reply"] == 20
    assert v["registry.decision_notifications"] == 1
    assert v["otp.rfa.sent"] == 1


def test_outcome_rules(write_log: WriteLog) -> None:
    log = write_log(
        "a,Registry,RFC,HQ,,2024-01-01,2024-01-02,",  # empty outcome when executed: positive
        "b,Registry,RFC,HQ,,2024-01-01,2024-01-02,Positive",
        "c,Registry,RFC,HQ,,2024-01-01,2024-01-02, NEGATIVE ",
        "d,Registry,RFC,HQ,,2024-01-01,,",  # pending
    )
    v = figures(log)
    assert v["registry.rfc.hq_positive_pct"] == 50  # 100 * 2 / 4


def test_against_names_another_prior(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2021-01-01,,", "b,OTP,RFA,,,2024-01-01,,")
    other = Period(date(2020, 9, 16), date(2021, 9, 15))
    with Source(str(log)) as source:
        result = summarize(source, PERIOD, against=other)
    assert result.prior == other
    assert result.values["otp.rfa.evolution_pct"] == 0  # 1 now, 1 then


def test_incomplete_prior_is_said(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2023-01-01,,")
    with Source(str(log)) as source:
        result = summarize(source, PERIOD)
    assert any("incomplete" in w for w in result.warnings)
    complete = write_log("a,OTP,RFA,,,2022-09-16,,", "b,OTP,RFA,,,2024-01-01,,")
    with Source(str(complete)) as source:
        assert summarize(source, PERIOD).warnings == []


def test_as_of_before_the_start_is_refused(write_log: WriteLog) -> None:
    from coopstats.errors import UsageError

    with pytest.raises(UsageError):
        figures(write_log(), as_of=date(2023, 9, 15))


def test_skip_invalid_leaves_rows_out_and_says_which(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2024-01-01,,",
        "b,OTP,RFQ,,,2024-01-01,,",  # unknown kind: line 3
        "a,OTP,RFA,,,2024-01-02,,",  # duplicate id: line 4
        "c,OTP,RFA,,,2024-01-03,,",
    )
    with Source(str(log)) as source:
        result = summarize(source, PERIOD, options=ReadOptions(skip_invalid=True))
    assert result.values["otp.rfa.sent"] == 2  # a (first use) and c
    assert result.counted.invalid_lines == [3, 4]
    expected = "2 invalid row(s) left out of 4: line 3 (unknown-kind), 4 (duplicate-id)"
    assert expected in result.warnings[0]


def test_prior_period_of_a_short_period(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2023-12-21,,",  # before the prior 2023-12-22:2023-12-31
        "b,OTP,RFA,,,2023-12-22,,",
        "c,OTP,RFA,,,2023-12-31,,",
        "d,OTP,RFA,,,2024-01-05,,",
    )
    v = figures(log, Period(date(2024, 1, 1), date(2024, 1, 10)))
    assert v["otp.rfa.evolution_pct"] == -50  # 1 now, 2 in the prior ten days


def test_a_period_without_requests_is_said(write_log: WriteLog) -> None:
    log = write_log("a,OTP,RFA,,,2021-01-01,,", "b,OTP,RFA,,,2021-03-01,,")
    with Source(str(log)) as source:
        result = summarize(source, PERIOD)
    assert any("no request in the log was sent in the period" in w for w in result.warnings)
    assert any("from 2021-01-01 to 2021-03-01" in w for w in result.warnings)


def test_the_prior_of_a_month_is_the_whole_month_before(write_log: WriteLog) -> None:
    # SPEC §2: 2024-02-01:2024-02-29 is one whole month; its prior runs from START - 1 month to
    # START - 1 day, the whole of January, so no day falls between them and nothing is said.
    log = write_log(
        "a,OTP,RFA,,,2023-12-01,,", "c,OTP,RFA,,,2024-01-31,,", "b,OTP,RFA,,,2024-02-10,,"
    )
    with Source(str(log)) as source:
        result = summarize(source, Period(date(2024, 2, 1), date(2024, 2, 29)))
    assert result.prior == Period(date(2024, 1, 1), date(2024, 1, 31))
    assert result.values["otp.rfa.evolution_pct"] == 0  # 1 in February, 1 (31 Jan) before
    assert result.warnings == []
