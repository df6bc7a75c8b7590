"""Tests of coopstats.stats; every expected value is worked out by hand in a comment."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopstats.stats import (
    BUCKETS,
    bands_of,
    bar,
    bucket_counts,
    hist_count,
    hist_max,
    hist_mean,
    hist_median,
    hist_min,
    hist_percentile,
    km_median,
    load_holidays,
    sparkline,
    wilson_interval,
    working_days_between,
)

# ------------------------------------------------------------------ basic histogram stats


def test_count_mean_min_max() -> None:
    hist = {1: 2, 4: 3, 10: 1}  # expands to [1, 1, 4, 4, 4, 10]
    assert hist_count(hist) == 6
    # (1*2 + 4*3 + 10*1) / 6 = (2 + 12 + 10) / 6 = 24 / 6 = 4
    assert hist_mean(hist) == 4
    assert hist_min(hist) == 1
    assert hist_max(hist) == 10


def test_mean_is_exact() -> None:
    # [1, 2, 2]: (1 + 4) / 3 = 5/3, which no float holds exactly
    assert hist_mean({1: 1, 2: 2}) == Fraction(5, 3)


def test_empty_histogram() -> None:
    assert hist_count({}) == 0
    assert hist_mean({}) is None
    assert hist_min({}) is None
    assert hist_max({}) is None
    assert hist_percentile({}, 0.5) is None
    assert hist_median({}) is None


def test_zero_count_keys_are_not_observations() -> None:
    hist = {0: 0, 5: 2, 99: 0}  # really [5, 5]
    assert hist_count(hist) == 2
    assert hist_min(hist) == 5
    assert hist_max(hist) == 5
    assert hist_mean(hist) == 5
    assert hist_percentile(hist, 1.0) == 5.0
    assert hist_percentile({0: 0}, 0.5) is None


# ---------------------------------------------------------------------------- percentiles


def test_percentile_single_value() -> None:
    # n = 1: position (1 - 1) * q = 0 for every q
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert hist_percentile({7: 1}, q) == 7.0
    # n = 3 of one value: every rank holds 7
    assert hist_percentile({7: 3}, 0.9) == 7.0


def test_percentile_two_values() -> None:
    hist = {10: 1, 20: 1}
    assert hist_percentile(hist, 0.0) == 10.0
    assert hist_percentile(hist, 1.0) == 20.0
    assert hist_median(hist) == 15.0  # position 0.5: 10 + (20 - 10) * 0.5
    assert hist_percentile(hist, 0.9) == pytest.approx(19.0)  # 10 + 10 * 0.9
    assert hist_percentile(hist, 0.25) == 12.5  # 10 + 10 * 0.25


def test_percentile_repeated_values() -> None:
    hist = {1: 2, 4: 3, 10: 1}  # sorted ranks 0..5: [1, 1, 4, 4, 4, 10]
    assert hist_percentile(hist, 0.0) == 1.0
    assert hist_percentile(hist, 1.0) == 10.0
    # median: position 5 * 0.5 = 2.5, between rank 2 (4) and rank 3 (4) -> 4
    assert hist_median(hist) == 4.0
    # p90: position 5 * 0.9 = 4.5, between rank 4 (4) and rank 5 (10): 4 + 6 * 0.5 = 7
    assert hist_percentile(hist, 0.9) == pytest.approx(7.0)
    # p25: position 1.25, between rank 1 (1) and rank 2 (4): 1 + 3 * 0.25 = 1.75
    assert hist_percentile(hist, 0.25) == pytest.approx(1.75)
    # p20: position 1.0 exactly -> rank 1 = 1
    assert hist_percentile(hist, 0.2) == pytest.approx(1.0)


def test_percentile_odd_median_and_p90() -> None:
    # [0, 3, 3, 8, 30]: median position 2 -> 3; p90 position 3.6 -> 8 + 22 * 0.6 = 21.2
    hist = {30: 1, 0: 1, 3: 2, 8: 1}
    assert hist_median(hist) == 3.0
    assert hist_percentile(hist, 0.9) == pytest.approx(21.2)


@pytest.mark.parametrize("q", [-0.1, 1.1, math.nan])
def test_percentile_rejects_bad_q(q: float) -> None:
    with pytest.raises(ValueError):
        hist_percentile({1: 1}, q)


def _plain_linear(values: list[int], q: float) -> float:
    """Sorted-list linear interpolation between closest ranks (numpy's 'linear')."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@given(
    st.dictionaries(st.integers(0, 2000), st.integers(0, 6), max_size=40),
    st.floats(0.0, 1.0),
)
def test_percentile_matches_expanded_list(hist: dict[int, int], q: float) -> None:
    expanded = [k for k, c in hist.items() for _ in range(c)]
    got = hist_percentile(hist, q)
    if not expanded:
        assert got is None
    else:
        assert got == pytest.approx(_plain_linear(expanded, q), rel=1e-12, abs=1e-9)


# --------------------------------------------------------------------------- Kaplan–Meier


def test_km_no_censoring_is_lower_median() -> None:
    # n = 4; t=1: S = 3/4; t=2: S = 3/4 * 2/3 = 1/2 <= 1/2 -> 2
    # (the ordinary averaged median would be 2.5; K-M takes the smallest such time)
    assert km_median({1: 1, 2: 1, 3: 1, 4: 1}, {}) == 2
    # odd n = 5: t=1: 4/5, t=2: 3/5, t=3: 3/5 * 2/3 = 2/5 -> 3 (the middle value)
    assert km_median({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, {}) == 3


def test_km_all_censored_or_empty() -> None:
    assert km_median({}, {5: 3, 9: 1}) is None
    assert km_median({}, {}) is None


def test_km_censoring_at_event_time_is_at_risk() -> None:
    # event at 3, censored at 3, event at 7 (3 observations).
    # t=3: at risk = 3 (the censored one counts), S = 1 - 1/3 = 2/3 > 1/2
    # t=7: at risk = 1, S = 2/3 * 0 = 0 -> 7.
    # (Dropping the censoring first would give S(3) = 1 - 1/2 = 1/2 and wrongly say 3.)
    assert km_median({3: 1, 7: 1}, {3: 1}) == 7


def test_km_tied_events_and_censorings() -> None:
    # censored at 1 (x1); at 2: 2 events and 1 censored; event at 5 (x1). Total 5.
    # t=1: no event, at risk drops to 4; t=2: S = 1 - 2/4 = 1/2 -> 2
    assert km_median({2: 2, 5: 1}, {1: 1, 2: 1}) == 2


def test_km_early_censoring_shrinks_risk_set() -> None:
    # censored at 1 (x2), events at 2 and 4. t=2: at risk 2, S = 1/2 -> 2
    assert km_median({2: 1, 4: 1}, {1: 2}) == 2


def test_km_exact_half() -> None:
    # 6 observations: events at 1, 2, 3, three censored at 10.
    # S(1) = 5/6, S(2) = 5/6 * 4/5 = 2/3, S(3) = 2/3 * 3/4 = 1/2 exactly -> 3
    assert km_median({1: 1, 2: 1, 3: 1}, {10: 3}) == 3


def test_km_never_reaches_half() -> None:
    # 4 observations: S(1) = 3/4, then only censorings -> never <= 1/2
    assert km_median({1: 1}, {5: 3}) is None
    # S(1) = 1 - 1/5 = 4/5, S(2) = 4/5 * (1 - 1/4) = 3/5, rest censored at 9
    assert km_median({1: 1, 2: 1}, {9: 3}) is None


def test_km_ignores_zero_counts() -> None:
    # {1: 0} is no event; a single event at 2 gives S(2) = 0 -> 2
    assert km_median({1: 0, 2: 1}, {0: 0}) == 2


# ---------------------------------------------------------------------------------- Wilson


def test_wilson_half() -> None:
    # z^2 = 3.841459; p = 0.5, n = 10: denom = 1 + 0.3841459 = 1.3841459,
    # centre = (0.5 + 0.1920729) / 1.3841459 = 0.5,
    # half = 1.959964 * sqrt(0.025 + 3.841459 / 400) / 1.3841459
    #      = 1.959964 * sqrt(0.0346036) / 1.3841459 = 1.959964 * 0.186020 / 1.3841459 = 0.263413
    result = wilson_interval(5, 10)
    assert result is not None
    low, high = result
    assert low == pytest.approx(23.6587, abs=1e-3)
    assert high == pytest.approx(76.3413, abs=1e-3)


def test_wilson_extremes() -> None:
    # 0/10: centre = half = 0.1920729 / 1.3841459 = 0.138767 -> [0, 27.7535]
    assert wilson_interval(0, 10) == pytest.approx((0.0, 27.7535), abs=1e-3)
    # the pinned ends are exact, not merely close
    assert wilson_interval(0, 10)[0] == 0.0  # type: ignore[index]
    assert wilson_interval(10, 10)[1] == 100.0  # type: ignore[index]
    # 10/10 mirrors it: [100 - 27.7535, 100] = [72.2465, 100]
    assert wilson_interval(10, 10) == pytest.approx((72.2465, 100.0), abs=1e-3)
    # 1/1: p = 1 so half = z * sqrt(z^2 / 4) / (1 + z^2) = (z^2 / 2) / (1 + z^2), and
    # low = (1 + z^2 / 2 - z^2 / 2) / (1 + z^2) = 1 / 4.841459 = 0.206549 -> 20.6549 %
    assert wilson_interval(1, 1) == pytest.approx((20.6549, 100.0), abs=1e-3)


def test_wilson_none_and_errors() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


@given(st.integers(1, 10_000), st.data())
def test_wilson_bounds_and_symmetry(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    result = wilson_interval(k, n)
    mirror = wilson_interval(n - k, n)
    assert result is not None and mirror is not None
    low, high = result
    assert 0.0 <= low <= 100 * k / n <= high <= 100.0
    assert low == pytest.approx(100.0 - mirror[1], abs=1e-9)


# ---------------------------------------------------------------------------- working days


def _o(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


# 2024-01-01 is a Monday, so 2024-01-05 is a Friday, 06 Saturday, 07 Sunday, 08 Monday.


def test_working_days_weekend() -> None:
    assert working_days_between(_o("2024-01-05"), _o("2024-01-08"), []) == 1  # Fri -> Mon
    assert working_days_between(_o("2024-01-05"), _o("2024-01-06"), []) == 0  # Fri -> Sat
    assert working_days_between(_o("2024-01-05"), _o("2024-01-07"), []) == 0  # Fri -> Sun
    assert working_days_between(_o("2024-01-06"), _o("2024-01-08"), []) == 1  # Sat -> Mon
    assert working_days_between(_o("2024-01-01"), _o("2024-01-08"), []) == 5  # Mon -> Mon
    assert working_days_between(_o("2024-01-01"), _o("2024-01-02"), []) == 1  # next day


def test_working_days_same_day() -> None:
    assert working_days_between(_o("2024-01-03"), _o("2024-01-03"), []) == 0
    assert working_days_between(_o("2024-01-06"), _o("2024-01-06"), []) == 0


def test_working_days_whole_year() -> None:
    # 2024 has 366 days from Monday 01-01: 52 full weeks (260 weekdays) + Mon 12-30,
    # Tue 12-31 = 262 weekdays; sent on 01-01 does not count -> 261
    assert working_days_between(_o("2024-01-01"), _o("2024-12-31"), []) == 261


def test_working_days_weekday_holiday() -> None:
    holidays = [_o("2024-01-01")]  # Monday
    # Fri 2023-12-29 -> Tue 2024-01-02: Mon 01, Tue 02 = 2, minus the holiday = 1
    assert working_days_between(_o("2023-12-29"), _o("2024-01-02"), holidays) == 1
    # executed on the holiday: Mon 01 is the only weekday and it is a holiday -> 0
    assert working_days_between(_o("2023-12-29"), _o("2024-01-01"), holidays) == 0
    # sent on the holiday: the sending day never counts, so Tue 02 = 1
    assert working_days_between(_o("2024-01-01"), _o("2024-01-02"), holidays) == 1
    # listed twice: still subtracted once
    twice = [_o("2024-01-01"), _o("2024-01-01")]
    assert working_days_between(_o("2023-12-29"), _o("2024-01-02"), twice) == 1


def test_working_days_saturday_holiday_has_no_effect() -> None:
    holidays = [_o("2024-01-06")]  # Saturday
    assert working_days_between(_o("2024-01-05"), _o("2024-01-08"), holidays) == 1


def test_working_days_rejects_reversed_dates() -> None:
    with pytest.raises(ValueError):
        working_days_between(_o("2024-01-08"), _o("2024-01-05"), [])


@given(
    st.integers(_o("1990-01-01"), _o("2040-01-01")),
    st.integers(0, 60),
    st.lists(st.integers(-5, 65), max_size=15),
)
def test_working_days_matches_naive_loop(sent: int, span: int, offsets: list[int]) -> None:
    executed = sent + span
    holidays = sorted(sent + off for off in offsets)  # may hold duplicates and weekends
    naive = sum(
        1
        for d in range(sent + 1, executed + 1)
        if date.fromordinal(d).weekday() < 5 and d not in holidays
    )
    assert working_days_between(sent, executed, holidays) == naive


# --------------------------------------------------------------------------- load_holidays


def test_load_holidays(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text(
        "# Dutch public holidays\n"
        "\n"
        "2024-12-25  # Christmas\n"
        "2024-01-01\n"
        "   \n"
        "2024-12-25\n"  # duplicate
        "  2024-04-27 \t# King's Day\n",
        encoding="utf-8",
    )
    assert load_holidays(path) == [_o("2024-01-01"), _o("2024-04-27"), _o("2024-12-25")]
    assert load_holidays(str(path)) == [_o("2024-01-01"), _o("2024-04-27"), _o("2024-12-25")]


def test_load_holidays_empty(tmp_path: Path) -> None:
    path = tmp_path / "none.txt"
    path.write_text("# nothing yet\n\n", encoding="utf-8")
    assert load_holidays(path) == []


@pytest.mark.parametrize(
    "bad",
    [
        "2024-13-01",
        "2024-02-30",
        "2024/01/01",
        "20240101",
        "2024-W01-1",
        "1 Jan 2024",
        "2024-01-01 New Year",
    ],
)
def test_load_holidays_errors(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(f"# header\n2024-01-01\n{bad}  # comment\n", encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_holidays(path)
    message = str(info.value)
    assert str(path) in message
    assert ":3:" in message  # line 3
    assert bad in message


# ---------------------------------------------------------------------------------- buckets


def test_bucket_counts() -> None:
    # SPEC §7: the default bands are --bands 30,90,180,365.
    hist = {
        0: 1,
        30: 2,  # 0–30: 3
        31: 1,
        60: 1,
        61: 1,
        90: 1,  # 31–90: 4
        91: 1,
        180: 1,  # 91–180: 2
        181: 1,
        365: 1,  # 181–365: 2
        366: 1,
        1000: 2,  # 366+: 3
        45: 0,  # no observation
    }
    assert bucket_counts(hist) == [
        ("0–30", 3),
        ("31–90", 4),
        ("91–180", 2),
        ("181–365", 2),
        ("366+", 3),
    ]


def test_bucket_counts_empty_lists_every_bucket() -> None:
    assert bucket_counts({}) == [
        ("0–30", 0),
        ("31–90", 0),
        ("91–180", 0),
        ("181–365", 0),
        ("366+", 0),
    ]
    assert len(BUCKETS) == 5


def test_bands_of_other_ends() -> None:
    assert bands_of((0, 7)) == ((0, 0), (1, 7), (8, None))
    assert bucket_counts({0: 2, 1: 1, 7: 1, 8: 5}, bands_of((0, 7))) == [
        ("0–0", 2), ("1–7", 2), ("8+", 5)
    ]  # fmt: skip
    assert bucket_counts({40: 1}, bands_of(())) == [("0+", 1)]


def test_bucket_counts_rejects_negative_days() -> None:
    with pytest.raises(ValueError):
        bucket_counts({-1: 1})


# -------------------------------------------------------------------------------------- bar


def test_bar_edges() -> None:
    assert bar(0, 10) == ""
    assert bar(0, 0) == ""
    assert bar(10, 10) == "█" * 30  # full width
    assert bar(5, 10) == "█" * 15  # 5/10 * 30 = 15 cells
    assert bar(1, 3) == "█" * 10  # 30 / 3 = 10 cells
    # 1/1000 * 240 eighths = 0.24 -> rounds to 0, but a non-zero count shows one eighth
    assert bar(1, 1000) == "▏"
    # width 1: 1/3 * 8 = 2.67 eighths -> 3 -> ▍
    assert bar(1, 3, width=1) == "▍"
    # width 1: 1/16 * 8 = 0.5 eighth -> rounds half up to 1 -> ▏
    assert bar(1, 16, width=1) == "▏"
    # width 10: 2/7 * 80 = 22.86 eighths -> 23 = 2 full + 7 eighths
    assert bar(2, 7, width=10) == "██▉"
    # width 10: 1/2 * 80 = 40 eighths = 5 full cells
    assert bar(1, 2, width=10) == "█████"


def test_bar_errors() -> None:
    with pytest.raises(ValueError):
        bar(-1, 10)
    with pytest.raises(ValueError):
        bar(11, 10)
    with pytest.raises(ValueError):
        bar(1, 1, width=0)


@given(st.integers(1, 10**6), st.data(), st.integers(1, 80))
def test_bar_length_and_monotone(largest: int, data: st.DataObject, width: int) -> None:
    count = data.draw(st.integers(0, largest))
    drawn = bar(count, largest, width)
    assert len(drawn) <= width
    assert (drawn == "") == (count == 0)
    if count < largest:
        longer = bar(count + 1, largest, width)
        assert len(longer) >= len(drawn)


# -------------------------------------------------------------------------------- sparkline


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([3, 3, 3]) == "▄▄▄"  # constant -> middle
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"  # one level per step
    assert sparkline([1, None, 3]) == "▁ █"
    assert sparkline([None]) == " "
    assert sparkline([None, None]) == "  "
    assert sparkline([5.0, None]) == "▄ "  # one present value is a constant series
    # 5 between 0 and 10: 0.5 * 7 = 3.5 -> rounds half up to level 4 -> ▅
    assert sparkline([0, 10, 5]) == "▁█▅"
    # 2.5 between 0 and 10: 0.25 * 7 = 1.75 -> level 2 -> ▃
    assert sparkline([10.0, 2.5, 0.0]) == "█▃▁"
    assert sparkline([1.0, math.nan, 2.0]) == "▁ █"  # NaN is missing too
