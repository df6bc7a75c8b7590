"""Numbers and dates written the way the report writes them, rounded half-up exactly."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coopstats.catalogue import Figure

NA = "N/A"


def round_half_up(value: Fraction | int, decimals: int) -> str:
    """`value` with `decimals` places, ties away from zero, computed exactly (no float error)."""
    scaled = Fraction(value) * 10**decimals
    magnitude = abs(scaled)
    units = int(magnitude + Fraction(1, 2))  # floor(|x| + 1/2): a tie goes up
    sign = "-" if scaled < 0 and units else ""
    digits = str(units).rjust(decimals + 1, "0")
    if decimals == 0:
        return sign + digits
    return f"{sign}{digits[:-decimals]}.{digits[-decimals:]}"


def number(value: Fraction | int | None, decimals: int) -> str:
    if value is None:
        return NA
    if isinstance(value, int):
        return str(value)
    return round_half_up(value, decimals)


def pct(value: Fraction | int | None, decimals: int) -> str:
    return NA if value is None else f"{round_half_up(value, decimals)}%"


def signed(value: Fraction | int, decimals: int) -> str:
    """`+41`, `-2.50`, `0`: the sign follows the exact value, so a change too small to show at
    `decimals` places still says which way it went (`+0.00`, `-0.00`); only zero has none."""
    text = number(value, decimals)
    if value > 0:
        return "+" + text
    if value < 0 and not text.startswith("-"):
        return "-" + text
    return text


def signed_pct(value: Fraction | int | None, decimals: int) -> str:
    """An evolution: `+8.58%`, `-4.64%`, `0.00%`."""
    return NA if value is None else signed(Fraction(value), decimals) + "%"


def days(value: Fraction | int | None, decimals: int) -> str:
    return NA if value is None else f"{round_half_up(value, decimals)} days"


def day(value: date) -> str:
    """16/09/2023, as the report writes its dates."""
    return value.strftime("%d/%m/%Y")


def figure_value(figure: Figure, value: Fraction | int | None, decimals: int) -> str:
    """A figure as the report writes it, by its shape: `519`, `39.31%`, `+8.58%` (an
    evolution), `53.95 days`."""
    if figure.shape == "evolution":
        return signed_pct(value, decimals)
    if figure.unit == "pct":
        return pct(value, decimals)
    if figure.unit == "days":
        return days(value, decimals)
    return number(value, decimals)
