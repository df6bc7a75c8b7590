"""Charts in text that do not mislead: bars and sparklines measured from zero.

A sparkline scaled from its row's lowest value makes 291, 282, 297 look like a collapse and a
recovery (▅▁█); measured from zero they are what they are, three nearly equal years (███). A
row with a negative value (an evolution) cannot stand on zero, so it is scaled from its lowest
to its highest value and says so beside the line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from coopstats.stats import BUCKETS, Bands, bar

BLOCKS = "▁▂▃▄▅▆▇█"  # 1/8 to 8/8 of the line's height
ZERO = "_"  # a value of zero: no block at all, but not a gap
GAP = " "  # N/A
CUT = "▸"  # a bar longer than the scale, cut at its edge

Number = int | Fraction


def _round(value: Fraction) -> int:
    return int(value + Fraction(1, 2))  # half up; value >= 0


def sparkline(values: Sequence[Number | None]) -> str:
    """One character per value, heights from zero to the largest value (8 levels).

    A zero is `_`, a missing value a blank; any value above zero gets at least the lowest
    block. Values must not be negative (see `signed_sparkline`).
    """
    present = [Fraction(v) for v in values if v is not None]
    if any(v < 0 for v in present):
        raise ValueError("sparkline: negative values need signed_sparkline")
    top = max(present, default=Fraction(0))
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif v == 0:
            out.append(ZERO)
        else:
            level = max(_round(Fraction(v) * len(BLOCKS) / top), 1)
            out.append(BLOCKS[level - 1])
    return "".join(out)


def signed_sparkline(values: Sequence[Number | None]) -> str:
    """One character per value, the lowest value at the bottom and the highest at the top
    (for rows with a negative value, whose scale is then stated beside the line)."""
    present = [Fraction(v) for v in values if v is not None]
    low, high = min(present, default=Fraction(0)), max(present, default=Fraction(0))
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif high == low:
            out.append(BLOCKS[0])
        else:
            out.append(BLOCKS[_round((Fraction(v) - low) * (len(BLOCKS) - 1) / (high - low))])
    return "".join(out)


def trend_line(values: Sequence[Number | None], text: Callable[[Number], str]) -> str:
    """A row's sparkline: from zero, or from its lowest value with the scale stated."""
    present = [v for v in values if v is not None]
    if any(v < 0 for v in present):
        return f"{signed_sparkline(values)} ({text(min(present))} to {text(max(present))})"
    return sparkline(values)


def band_widths(bands: Bands = BUCKETS) -> str:
    """The histogram's bands in words: `31, 60, 90 and 185 days, then 366 and more`."""
    sizes = [str(hi - lo + 1) for lo, hi in bands if hi is not None]
    last = bands[-1][0]
    if not sizes:
        return f"{last} days and more"
    head = sizes[0] if len(sizes) == 1 else f"{', '.join(sizes[:-1])} and {sizes[-1]}"
    return f"{head} days, then {last} and more"


def scaled_bars(counts: Sequence[int], scale: int, width: int) -> list[str]:
    """Bars of `counts` on one scale (`scale` fills `width` cells); a longer one is cut at the
    edge and marked `▸`, so that it cannot shrink the others."""
    out = []
    for n in counts:
        if scale <= 0:
            out.append("")
        elif n > scale:
            out.append(bar(scale, scale, width) + CUT)
        else:
            out.append(bar(n, scale, width))
    return out
