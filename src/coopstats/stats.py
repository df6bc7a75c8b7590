"""Pure statistics over aggregated day histograms.

The engine never keeps one row per request: it folds each group of requests into a
histogram ``{days: count}`` (days to execute for executed requests, age on the as-of
date for pending ones).  Everything here therefore works on histograms directly,
walking sorted keys and cumulative counts instead of expanding them, so the cost is
proportional to the number of distinct day values, not the number of requests.

Only the standard library is imported, so ``import coopstats.stats`` stays cheap for
the CLI's start-up time.
"""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction

__all__ = [
    "BUCKETS",
    "BUCKET_LABELS",
    "DEFAULT_BANDS",
    "band_labels",
    "bands_of",
    "bar",
    "bucket_counts",
    "hist_count",
    "hist_max",
    "hist_mean",
    "hist_median",
    "hist_min",
    "hist_percentile",
    "hist_quantile",
    "hist_within",
    "km_median",
    "load_holidays",
    "sparkline",
    "wilson_interval",
    "working_days_between",
]

Histogram = Mapping[int, int]

# --------------------------------------------------------------------------- histograms


def _present(hist: Histogram) -> list[tuple[int, int]]:
    """Sorted (value, count) pairs with a positive count.

    A key whose count is 0 is not an observation (it can appear after a group is
    filtered), so it must not move the minimum, maximum or any percentile.
    """
    return sorted((k, c) for k, c in hist.items() if c > 0)


def hist_count(hist: Histogram) -> int:
    """Number of observations in the histogram (sum of its counts)."""
    return sum(c for c in hist.values() if c > 0)


def hist_mean(hist: Histogram) -> Fraction | None:
    """Exact mean of the histogram, ``None`` when empty.

    A ``Fraction`` keeps the value exact, so the report layer decides on rounding once,
    and two groups with the same data always print the same mean.
    """
    total = 0
    n = 0
    for k, c in hist.items():
        if c > 0:
            total += k * c
            n += c
    if n == 0:
        return None
    return Fraction(total, n)


def hist_min(hist: Histogram) -> int | None:
    """Smallest observed value, ``None`` when empty."""
    keys = [k for k, c in hist.items() if c > 0]
    return min(keys) if keys else None


def hist_max(hist: Histogram) -> int | None:
    """Largest observed value, ``None`` when empty."""
    keys = [k for k, c in hist.items() if c > 0]
    return max(keys) if keys else None


def hist_quantile(hist: Histogram, q: Fraction) -> Fraction | None:
    """The exact ``q``-quantile (0 <= q <= 1) by numpy's default ``'linear'`` method.

    The position is ``(n - 1) * q`` over the sorted values, interpolating linearly between
    the two closest ranks, in exact arithmetic: no float noise such as 103.60000000000005,
    and the value is rounded once, when it is printed.  The two ranks are found by walking
    cumulative counts, so a histogram of a million requests costs as much as its distinct
    keys.  Returns ``None`` for an empty histogram; raises ``ValueError`` for q outside
    [0, 1].
    """
    if not 0 <= q <= 1:
        raise ValueError(f"quantile must be between 0 and 1, got {q!r}")
    items = _present(hist)
    n = sum(c for _, c in items)
    if n == 0:
        return None
    pos = (n - 1) * Fraction(q)
    lo = math.floor(pos)
    gamma = pos - lo
    hi = min(lo + 1, n - 1)
    a: int | None = None
    b: int | None = None
    cum = 0
    for value, count in items:
        cum += count  # ranks 0 .. cum-1 hold values <= `value`
        if a is None and cum > lo:
            a = value
        if cum > hi:
            b = value
            break
    assert a is not None and b is not None  # lo <= hi <= n - 1 < cum at the end
    return a + (b - a) * gamma


def hist_percentile(hist: Histogram, q: float) -> float | None:
    """:func:`hist_quantile` as a float (the nearest to the exact value), for a float q."""
    if not 0.0 <= q <= 1.0:  # also rejects NaN
        raise ValueError(f"quantile must be between 0 and 1, got {q!r}")
    exact = hist_quantile(hist, Fraction(q))
    return None if exact is None else float(exact)


def hist_within(hist: Histogram, days: int) -> int:
    """How many observations are at most ``days``."""
    return sum(c for k, c in hist.items() if c > 0 and k <= days)


def hist_median(hist: Histogram) -> float | None:
    """Median by the same linear method (the mean of the two middle values for even n)."""
    return hist_percentile(hist, 0.5)


# ------------------------------------------------------------------------- Kaplan–Meier


def km_median(events: Histogram, censored: Histogram) -> int | None:
    """Kaplan–Meier median time to execution, ``None`` when survival never reaches 1/2.

    Pending requests are right-censored at their age, so ignoring them (plain median of
    executed requests) would be biased towards fast executions.  At each event time
    t_i the survival is multiplied by ``1 - d_i / n_i`` where ``n_i`` counts every
    observation with time >= t_i; censorings at t_i are still at risk at t_i (the usual
    convention: a request pending for t days was not executed within t - 1 days).

    The median is the smallest event time with S(t) <= 1/2 (Klein & Moeschberger).
    ``Fraction`` arithmetic makes survival landing exactly on 1/2 (5/6 * 4/5 * 3/4)
    count as reaching it; floats could land a hair above and report the next time.
    """
    times = sorted(
        {t for t, c in events.items() if c > 0} | {t for t, c in censored.items() if c > 0}
    )
    at_risk = hist_count(events) + hist_count(censored)
    survival = Fraction(1)
    half = Fraction(1, 2)
    for t in times:
        d = max(events.get(t, 0), 0)
        c = max(censored.get(t, 0), 0)
        if d:
            survival *= Fraction(at_risk - d, at_risk)
            if survival <= half:
                return t
        at_risk -= d + c
    return None


# ----------------------------------------------------------------------------- Wilson


def wilson_interval(
    successes: int, n: int, z: float = 1.959963984540054
) -> tuple[float, float] | None:
    """Wilson score interval for ``successes / n``, in percent, ``None`` when n == 0.

    Wilson rather than the normal approximation because groups are often small and
    rates near 0 % or 100 %, where the Wald interval collapses to a point or leaves
    [0, 100].  The ends are clamped to [0, 100] and pinned exactly at 0 / 100 when
    successes is 0 / n, where the formula only gets there up to rounding.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} / {n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else min(max((centre - half) * 100.0, 0.0), 100.0)
    high = 100.0 if successes == n else min(max((centre + half) * 100.0, 0.0), 100.0)
    return (low, high)


# ----------------------------------------------------------------------- working days


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..``ordinal`` (shifted by whole weeks if < 1).

    Ordinal 1 (0001-01-01) is a Monday, so each block of 7 ordinals starting at 1 is
    Mon..Sun: 5 weekdays per full week plus up to 5 of the leftover days.  Only
    differences are used, and the formula is consistent for every integer because
    floor division keeps it periodic.
    """
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def working_days_between(sent: int, executed: int, holidays: Sequence[int]) -> int:
    """Working days d with ``sent < d <= executed`` (proleptic ordinals).

    The day after sending is day 1 and same-day execution is 0, as in the FOIA
    convention.  Weekdays are counted arithmetically; ``holidays`` (sorted ordinals) is
    bisected, and only holidays falling on a weekday are subtracted, each date once even
    if listed twice.  Raises ``ValueError`` when ``executed`` precedes ``sent``.
    """
    if executed < sent:
        raise ValueError(f"executed ({executed}) is before sent ({sent})")
    days = _weekdays_through(executed) - _weekdays_through(sent)
    lo = bisect_right(holidays, sent)
    hi = bisect_right(holidays, executed, lo)
    previous: int | None = None
    for i in range(lo, hi):
        h = holidays[i]
        if h != previous and (h - 1) % 7 < 5:  # (ordinal - 1) % 7 is date.weekday()
            days -= 1
        previous = h
    return days


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def load_holidays(path: str | os.PathLike[str]) -> list[int]:
    """Read a holiday file: one ISO date (YYYY-MM-DD) a line, ``#`` comments allowed.

    Returns sorted, unique ordinals, ready for :func:`working_days_between`'s bisect.
    Only the strict YYYY-MM-DD form is accepted (Python 3.11's ``fromisoformat`` would
    also take ``20240101`` or week dates) so a typo cannot silently become another day.
    Raises ``ValueError`` naming the file, the line number and the bad value.
    """
    found: set[int] = set()
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, start=1):
            value = line.split("#", 1)[0].strip()
            if not value:
                continue
            try:
                if not _ISO_DATE.fullmatch(value):
                    raise ValueError("not YYYY-MM-DD")
                day = date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(
                    f"{os.fspath(path)}:{lineno}: invalid holiday date {value!r} "
                    f"(expected YYYY-MM-DD): {exc}"
                ) from None
            found.add(day.toordinal())
    return sorted(found)


# ----------------------------------------------------------------------- buckets, bars

Bands = tuple[tuple[int, int | None], ...]
"""Inclusive day ranges; ``None`` means no upper bound."""

DEFAULT_BANDS = (30, 90, 180, 365)
"""SPEC §7's ``--bands``: the upper ends of every band but the last."""


def bands_of(ends: Sequence[int]) -> Bands:
    """The bands of ``--bands`` upper ends (increasing): 30, 90 gives 0–30, 31–90, 91+."""
    lows = [0, *(end + 1 for end in ends)]
    return tuple(zip(lows, [*ends, None], strict=True))


def band_labels(bands: Bands) -> tuple[str, ...]:
    """Labels with an en dash: ``0–30`` … ``366+``."""
    return tuple(f"{lo}+" if hi is None else f"{lo}\u2013{hi}" for lo, hi in bands)


BUCKETS: Bands = bands_of(DEFAULT_BANDS)
"""The default bands of the histograms of ``times``: 0–30, 31–90, 91–180, 181–365, 366+."""

BUCKET_LABELS: tuple[str, ...] = band_labels(BUCKETS)
"""Labels of :data:`BUCKETS`."""


def bucket_counts(hist: Histogram, bands: Bands = BUCKETS) -> list[tuple[str, int]]:
    """Counts of the histogram per band, every band listed (zeros included).

    All bands are returned so tables for different groups line up row for row.
    Raises ``ValueError`` for a negative day, which no band can hold.
    """
    counts = [0] * len(bands)
    for days, count in hist.items():
        if count <= 0:
            continue
        if days < 0:
            raise ValueError(f"negative days in histogram: {days}")
        for i, (_, hi) in enumerate(bands):
            if hi is None or days <= hi:
                counts[i] += count
                break
    return list(zip(band_labels(bands), counts, strict=True))


_FULL_BLOCK = "\u2588"
_EIGHTHS = " ▏▎▍▌▋▊▉"  # index k = k eighths of a cell; index 0 is never emitted


def bar(count: int, largest: int, width: int = 30) -> str:
    """A horizontal bar of ``count / largest`` of ``width`` cells, at 1/8-cell precision.

    Rounded to the nearest eighth (halves up, integer arithmetic so no float drift), but
    never to nothing for a non-zero count: a group with one request must stay visible
    next to one with thousands.  ``''`` for a zero count.
    """
    if count < 0 or width < 1 or count > largest:
        raise ValueError(
            f"need 0 <= count <= largest and width >= 1, got {count}, {largest}, {width}"
        )
    if count == 0:
        return ""
    eighths = max((2 * count * width * 8 + largest) // (2 * largest), 1)
    full, rest = divmod(eighths, 8)
    return _FULL_BLOCK * full + (_EIGHTHS[rest] if rest else "")


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled between the present values' min and max.

    Missing values (``None`` or NaN) are a space so gaps in a time series stay visible
    at their position.  A constant series is drawn at mid height (``▄``) rather than at
    the bottom, since "flat" is not "zero".  Levels are rounded half up.
    """
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return " " * len(values)
    lo = min(present)
    hi = max(present)
    out: list[str] = []
    for v in values:
        if v is None or math.isnan(v):
            out.append(" ")
        elif hi == lo:
            out.append(_SPARKS[3])
        else:
            level = math.floor((v - lo) / (hi - lo) * (len(_SPARKS) - 1) + 0.5)
            out.append(_SPARKS[min(max(level, 0), len(_SPARKS) - 1)])
    return "".join(out)
