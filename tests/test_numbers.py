"""Formatting as the report writes numbers: exact half-up rounding, signs, N/A."""

from __future__ import annotations

from fractions import Fraction

from coopstats.render import numbers as fmt


def test_round_half_up_is_exact() -> None:
    # 2.675 is 2.67499999... as a float; as the exact fraction 107/40 it is a tie and goes up.
    assert fmt.round_half_up(Fraction(107, 40), 2) == "2.68"
    assert fmt.round_half_up(Fraction(1, 8), 2) == "0.13"  # 0.125 → 0.13
    assert fmt.round_half_up(Fraction(-1, 8), 2) == "-0.13"  # ties away from zero
    assert fmt.round_half_up(Fraction(-1, 1000), 2) == "0.00"  # no "-0.00"
    assert fmt.round_half_up(Fraction(5, 2), 0) == "3"
    assert fmt.round_half_up(36, 2) == "36.00"


def test_report_values() -> None:
    # 100 * (519 - 478) / 478 = 8.5774...; 100 * (329 - 345) / 345 = -4.6376...
    assert fmt.signed_pct(Fraction(4100, 478), 2) == "+8.58%"
    assert fmt.signed_pct(Fraction(-1600, 345), 2) == "-4.64%"
    assert fmt.signed_pct(Fraction(0), 2) == "0.00%"
    # Too small to show, but the sign still says which way: never "+0.00%" for a fall.
    assert fmt.signed_pct(Fraction(-1, 1000), 2) == "-0.00%"
    assert fmt.signed_pct(Fraction(1, 1000), 2) == "+0.00%"
    assert fmt.signed_pct(None, 2) == "N/A"
    assert fmt.days(Fraction(11006, 204), 2) == "53.95 days"  # 53.9509...
    assert fmt.pct(Fraction(20400, 519), 2) == "39.31%"  # 39.3063...
    assert fmt.pct(Fraction(4200, 412), 1) == "10.2%"  # 10.194...: the report truncated to 10.1
    assert fmt.number(None, 2) == "N/A"
