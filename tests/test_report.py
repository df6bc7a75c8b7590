"""The 2024 report's printed figures, out of the engine, from fixtures/report-2024.csv.

Every expected value is the report's own (SPEC §5). Where the report rounded differently from
coopstats' one rule (half-up, 2 decimals by default), the comment says how.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from coopstats.cli import app
from coopstats.model import Period
from coopstats.read import Source
from coopstats.render import numbers as fmt
from coopstats.summary import Summary, summarize

REPORT = FIXTURES / "report-2024.csv"
GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()


@pytest.fixture(scope="module")
def summary() -> Summary:
    with Source(str(REPORT)) as source:
        return summarize(source, Period(date(2023, 9, 16), date(2024, 9, 15)))


def test_counts_are_the_reports(summary: Summary) -> None:
    v = summary.values
    assert v["otp.rfa.sent"] == 519
    assert v["otp.rfa.mission_notifications"] == 190
    assert v["otp.rfa.sent_without_notifications"] == 519 - 190
    assert v["otp.rfa.executed"] == 204
    assert v["otp.rfi.sent"] == 31
    assert v["registry.rfc.sent"] == 793
    assert (v["registry.rfc.hq"], v["registry.rfc.country_office"]) == (412, 381)
    assert v["registry.decision_notifications"] == 26
    assert v["registry.hq.defence"] == 44
    assert v["registry.hq.victims"] == 2
    assert v["registry.hq.witness_protection"] == 10
    assert v["registry.hq.judicial_support"] == 111
    assert v["registry.arrest.sent"] == 261
    # 167 + 261 > 412: some HQ requests carry two categories, and count under each.
    hq_breakdown = sum(
        v[k] for k in ("registry.hq.defence", "registry.hq.victims",
                       "registry.hq.witness_protection", "registry.hq.judicial_support")
    )  # fmt: skip
    assert hq_breakdown + v["registry.arrest.sent"] > v["registry.rfc.hq"]


def test_figures_are_the_reports(summary: Summary) -> None:
    v = summary.values

    def at(metric: str, places: int) -> str:
        value = v[metric]
        assert isinstance(value, Fraction | int)
        return fmt.round_half_up(value, places)

    # "+ 8.6% (with notifications)": 100 * (519 - 478) / 478 = 8.577..., rounded to 1 place.
    assert at("otp.rfa.evolution_pct", 1) == "8.6"
    # "– 4.63% (without notifications)": -4.6377... The report truncated; half-up gives -4.64.
    assert at("otp.rfa.evolution_pct_without_notifications", 2) == "-4.64"
    assert v["otp.rfa.evolution_pct_without_notifications"] == Fraction(100 * (329 - 345), 345)
    # "53.95 days"
    assert at("otp.rfa.avg_days_to_execute", 2) == "53.95"
    # "39.31% (a total of 204 RFAs executed out of the 519 ...)"
    assert at("otp.rfa.executed_pct", 2) == "39.31"
    assert v["otp.rfa.executed_pct"] == Fraction(100 * 204, 519)
    # "+ 72% for RFCs in total and 37% for RFCs sent by the HQ"
    assert at("registry.rfc.evolution_pct", 0) == "72"
    assert at("registry.rfc.hq_evolution_pct", 0) == "37"
    # "36 days", "44 days"
    assert v["registry.rfc.hq_avg_days_to_reply"] == 36
    assert v["registry.hq.defence_avg_days_to_reply"] == 44
    # "10.1 %": no whole number of the 412 gives 10.1 rounded; 42/412 = 10.19%, which the report
    # truncated (half-up gives 10.2 at one place).
    assert v["registry.rfc.hq_positive_pct"] == Fraction(100 * 42, 412)
    assert at("registry.rfc.hq_positive_pct", 1) == "10.2"
    # Arrest and surrender: "N/A" and "0%".
    assert v["registry.arrest.avg_days_to_reply"] is None
    assert v["registry.arrest.positive_pct"] == 0


def test_table_writes_values_as_the_report_does(summary: Summary) -> None:
    # Wide enough that no cell wraps, so each value reads whole on its line.
    result = runner.invoke(
        app, ["summarize", str(REPORT), "--period", "2024"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    for expected in (
        "519 RFAs (including 190 notifications of missions)",
        "+8.58% (with notifications) and -4.64% (without notifications)",
        "53.95 days",
        "39.31% (a total of 204 RFAs executed out of the 519, between 16/09/2023 and 15/09/2024)",
        "793 RFCs (including 412 RFCs sent by the relevant sections in HQ and 381 operational "
        "requests sent by the Country Offices)",
        "+72.02% for RFCs in total and +36.88% for RFCs sent by the HQ",
        "36.00 days",
        "10.19%",
        "31 RFIs",
        "44.00 days",
        "N/A",
        "0.00%",
    ):
        assert expected in text, expected


def test_golden_table(update_golden: bool) -> None:
    """The whole table, byte for byte; `pytest --update-golden` rewrites it on purpose."""
    result = runner.invoke(
        app, ["summarize", str(REPORT), "--period", "2023-09-16:2024-09-15"], env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "summarize-report-2024.txt"
    if update_golden:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_golden_markdown(update_golden: bool) -> None:
    result = runner.invoke(app, ["summarize", str(REPORT), "--period", "2024", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "summarize-report-2024.md"
    if update_golden:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
