"""Properties of the counting rules on random valid logs, and agreement with the oracle.

The oracle (tests/oracle.py) is a second, deliberately simple implementation of SPEC §2-3,
written apart from the engine; the engine must agree with it on every metric of every log.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics
from strategies import column_orders, periods, to_csv, valid_rows

from coopstats.catalogue import figure_ids
from coopstats.model import Period
from coopstats.read import Source
from coopstats.summary import summarize

METRIC_IDS = figure_ids()

Row = dict[str, str]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def log_file(rows: Sequence[Row], order: Sequence[str] | None = None) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(to_csv(rows, order))
    try:
        yield Path(name)
    finally:
        os.unlink(name)


def engine(rows: Sequence[Row], start: date, end: date, **options: Any) -> dict[str, Any]:
    with log_file(rows, options.pop("order", None)) as path, Source(str(path)) as source:
        return summarize(source, Period(start, end), **options).values


@SETTINGS
@given(
    rows=valid_rows(),
    period=periods(),
    notifications=st.booleans(),
    as_of_shift=st.integers(min_value=-30, max_value=60),
    order=column_orders(),
)

def test_engine_agrees_with_the_oracle(
    rows: list[Row],
    period: tuple[date, date],
    notifications: bool,
    as_of_shift: int,
    order: list[str],
) -> None:
    start, end = period
    as_of = max(start, end + timedelta(days=as_of_shift))
    expected = oracle_metrics(rows, start, end, as_of=as_of, notifications=notifications)
    got = engine(rows, start, end, as_of=as_of, notifications=notifications, order=order)
    assert list(got) == list(METRIC_IDS)
    for metric in METRIC_IDS:
        assert got[metric] == expected[metric], metric


@SETTINGS
@given(rows=valid_rows(min_size=1), period=periods(), seed=st.randoms())
def test_shuffling_rows_changes_no_figure(
    rows: list[Row], period: tuple[date, date], seed: Any
) -> None:
    shuffled = list(rows)
    seed.shuffle(shuffled)
    assert engine(rows, *period) == engine(shuffled, *period)


@SETTINGS
@given(rows=valid_rows(max_size=20), extra=valid_rows(max_size=10))
def test_rows_sent_outside_both_periods_change_no_figure(
    rows: list[Row], extra: list[Row]
) -> None:
    start, end = date(2023, 9, 16), date(2024, 9, 15)  # prior: 2022-09-16:2023-09-15
    outside = []
    for n, row in enumerate(extra):
        sent = date.fromisoformat(row["sent"])
        moved = sent.replace(year=2020) if sent.month != 2 or sent.day != 29 else date(2020, 2, 29)
        if row["executed"]:
            delay = date.fromisoformat(row["executed"]) - sent
            row = {**row, "executed": (moved + delay).isoformat()}
        outside.append({**row, "id": f"OUT-{n}", "sent": moved.isoformat()})
    # Rows sent in 2020 lie before both periods (the log then starts earlier: no warning either).
    assert engine(rows, start, end) == engine(rows + outside, start, end)


@SETTINGS
@given(rows=valid_rows(), period=periods())
def test_no_count_with_notifications_is_below_the_same_count_without(
    rows: list[Row], period: tuple[date, date]
) -> None:
    with_n = engine(rows, *period, notifications=True)
    without = engine(rows, *period, notifications=False)
    for metric in ("otp.rfa.sent", "otp.rfa.executed", "otp.rfa.mission_notifications"):
        assert with_n[metric] >= without[metric]
    # The figures that do not depend on the toggle do not move.
    for metric in METRIC_IDS:
        if not metric.startswith("otp.rfa") or metric.endswith("without_notifications"):
            assert with_n[metric] == without[metric], metric
