"""`compare`: a period against its prior, worked out by hand on small logs, and checked against
`summarize` and the oracle on random ones.

Every expected value is computed in a comment or by the oracle; none is copied from the output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics
from strategies import periods, to_csv, valid_rows
from typer.testing import CliRunner

from coopstats.catalogue import FIGURES as METRICS
from coopstats.catalogue import figure_ids
from coopstats.cli import app
from coopstats.comparison import Comparison, change_of, compare, compared
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.periods import prior_period
from coopstats.read import ReadOptions, Source
from coopstats.summary import summarize

WriteLog = Callable[..., Path]
runner = CliRunner()
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
YEAR_2023 = Period(date(2023, 1, 1), date(2023, 12, 31))

# A calendar year against the one before. Days to execute worked out by hand.
LOG = (
    # 2024, the current period
    "c1,OTP,RFA,,,2024-02-01,2024-02-11,",  # 10 days
    "c2,OTP,mission-notification,,,2024-03-01,2024-03-31,",  # 30 days
    "c3,OTP,RFA,,,2024-04-01,,",  # pending
    "c4,Registry,RFC,HQ,defence,2024-05-01,2024-05-21,positive",  # 20 days
    # executed after the end: pending as of 2024-12-31; 223 days as of 2025-01-10
    "c5,Registry,RFC,country-office,arrest-surrender,2024-06-01,2025-01-10,",
    "c6,Registry,decision-notification,,,2024-07-01,,",
    # 2023, the prior period
    "p1,OTP,RFA,,,2023-01-01,2023-01-06,",  # 5 days; the prior's first day: prior complete
    "p2,OTP,RFA,,,2023-02-01,2024-01-05,",  # executed after the prior's end: pending then
    "p3,OTP,RFA,,,2023-03-01,,",
    "p4,OTP,mission-notification,,,2023-04-01,2023-04-02,",  # 1 day
    "p5,Registry,RFC,HQ,defence;victims,2023-05-01,2023-05-11,negative",  # 10 days
    "p6,Registry,RFC,HQ,,2023-06-01,2023-06-05,",  # 4 days, empty outcome: positive
)

METRIC_IDS = figure_ids()
BY_ID = {m.id: m for m in METRICS}

# metric: (current, prior, change, change_pct), all from the log above by hand.
EXPECTED: dict[str, tuple[Any, Any, Any, Any]] = {
    "otp.rfa.sent": (3, 4, -1, -25),  # c1 c2 c3 / p1-p4; 100 * -1 / 4
    "otp.rfa.mission_notifications": (1, 1, 0, 0),
    "otp.rfa.sent_without_notifications": (2, 3, -1, Fraction(-100, 3)),
    "otp.rfa.executed": (2, 2, 0, 0),  # c1 c2 / p1 p4 (p2 came after the prior's end)
    # 100 * 2 / 3 against 100 * 2 / 4: 50/3 pp; 100 * (50/3) / 50 = 100/3 %
    "otp.rfa.executed_pct": (Fraction(200, 3), 50, Fraction(50, 3), Fraction(100, 3)),
    # (10 + 30) / 2 = 20 against (5 + 1) / 2 = 3: +17 days, 100 * 17 / 3 %
    "otp.rfa.avg_days_to_execute": (20, 3, 17, Fraction(1700, 3)),
    "otp.rfi.sent": (0, 0, 0, None),  # no base
    "registry.rfc.sent": (2, 2, 0, 0),
    "registry.rfc.hq": (1, 2, -1, -50),
    "registry.rfc.country_office": (1, 0, 1, None),  # a zero prior: no change in %
    # 20 against (10 + 4) / 2 = 7: +13 days, 100 * 13 / 7 %
    "registry.rfc.hq_avg_days_to_reply": (20, 7, 13, Fraction(1300, 7)),
    "registry.rfc.hq_positive_pct": (100, 50, 50, 100),  # c4 / p6 out of p5, p6
    "registry.decision_notifications": (1, 0, 1, None),
    "registry.hq.defence": (1, 1, 0, 0),
    "registry.hq.victims": (0, 1, -1, -100),
    "registry.hq.witness_protection": (0, 0, 0, None),
    "registry.hq.judicial_support": (0, 0, 0, None),
    "registry.hq.defence_avg_days_to_reply": (20, 10, 10, 100),
    "registry.arrest.sent": (1, 0, 1, None),
    "registry.arrest.avg_days_to_reply": (None, None, None, None),  # c5 pending as of the end
    "registry.arrest.positive_pct": (0, None, None, None),  # 0 of 1 against no arrest RFC
}


def run(path: Path, period: Period = YEAR_2024, **options: Any) -> Comparison:
    with Source(str(path)) as source:
        return compare(source, period, **options)


def by_id(result: Comparison) -> dict[str, tuple[Any, Any, Any, Any]]:
    return {c.metric.id: (c.current, c.prior, c.change, c.change_pct) for c in result.changes}


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["compare", *args])


def as_json(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def metric(document: dict[str, Any], metric_id: str) -> dict[str, Any]:
    (found,) = [m for m in document["metrics"] if m["id"] == metric_id]
    return found


# --- the library, by hand ----------------------------------------------------------------


def test_every_metric_but_the_evolutions_in_the_reports_order() -> None:
    assert [m.id for m in compared()] == [i for i in METRIC_IDS if "evolution" not in i]
    assert len(compared()) == 21
    assert set(EXPECTED) == {m.id for m in compared()}


def test_a_hand_computed_comparison(write_log: WriteLog) -> None:
    result = run(write_log(*LOG))
    assert result.prior == YEAR_2023
    assert result.as_of == date(2024, 12, 31)
    assert result.prior_as_of == date(2023, 12, 31)
    assert result.warnings == []  # p1 was sent on the prior's first day
    assert by_id(result) == EXPECTED
    assert [c.metric.id for c in result.changes] == [m.id for m in compared()]


def test_counts_change_as_integers_and_the_rest_exactly(write_log: WriteLog) -> None:
    changes = by_id(run(write_log(*LOG)))
    assert all(type(v) is int for v in changes["otp.rfa.sent"][:3])
    assert isinstance(changes["otp.rfa.executed_pct"][2], Fraction)


def test_as_of_moves_the_current_period_only(write_log: WriteLog) -> None:
    result = run(write_log(*LOG), as_of=date(2025, 1, 10))
    changes = by_id(result)
    assert result.as_of == date(2025, 1, 10) and result.prior_as_of == date(2023, 12, 31)
    # c5 is now executed: 2024-06-01 to 2025-01-10 = 214 days to 1 January (30 + 31 + 31 + 30
    # + 31 + 30 + 31) + 9 = 223 days; the prior period still has no arrest RFC.
    assert changes["registry.arrest.avg_days_to_reply"] == (223, None, None, None)
    assert changes["registry.arrest.positive_pct"] == (100, None, None, None)
    # p2, executed on 2024-01-05, stays pending in the prior period, counted as of its end.
    assert changes["otp.rfa.executed"] == (2, 2, 0, 0)


def test_as_of_before_the_start_is_refused(write_log: WriteLog) -> None:
    with pytest.raises(UsageError):
        run(write_log(*LOG), as_of=date(2023, 12, 31))


def test_against_names_the_period_to_compare_with(write_log: WriteLog) -> None:
    first_half = Period(date(2023, 1, 1), date(2023, 6, 30))
    result = run(write_log(*LOG), against=first_half)
    assert result.prior == first_half and result.prior_as_of == date(2023, 6, 30)
    # The same rows as 2023 in full, but p5 and p6 now count as executed as of 30 June.
    assert by_id(result)["otp.rfa.sent"] == (3, 4, -1, -25)


def test_change_of_never_divides_by_a_zero_or_missing_prior() -> None:
    m = BY_ID["otp.rfa.sent"]
    assert change_of(m, 5, 0).change == 5 and change_of(m, 5, 0).change_pct is None
    assert change_of(m, 0, 0).change == 0 and change_of(m, 0, 0).change_pct is None
    assert change_of(m, 0, 4).change_pct == -100  # a real fall to nothing: -100%
    rate = BY_ID["otp.rfa.executed_pct"]
    assert change_of(rate, None, 50).change is None
    assert change_of(rate, Fraction(25), None).change_pct is None


def test_the_incomplete_prior_and_skipped_rows_are_said(write_log: WriteLog) -> None:
    late = write_log("a,OTP,RFA,,,2023-03-01,,", "b,OTP,RFA,,,2024-03-01,,", "b,OTP,RFA,,,x,,")
    with Source(str(late)) as source:
        result = compare(source, YEAR_2024, options=ReadOptions(skip_invalid=True))
    assert len(result.warnings) == 2
    expected = "1 invalid row(s) left out of 3: line 4 (invalid-date, duplicate-id)"
    assert expected in result.warnings[0]
    assert "2023-03-01" in result.warnings[1] and "incomplete" in result.warnings[1]

    cli = invoke(str(late), "--period", "2024-01-01:2024-12-31", "--skip-invalid", "-f", "json")
    assert cli.exit_code == 0, cli.output
    assert cli.stderr.count("warning: ") == 2
    assert "prior figures" in cli.stderr and "invalid row" in cli.stderr
    assert json.loads(cli.stdout)["warnings"] == result.warnings


# --- the command line in every format --------------------------------------------------------


def test_json(write_log: WriteLog) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31")
    assert list(doc) == [
        "period", "prior_period", "as_of", "prior_as_of", "notifications", "metrics", "warnings"
    ]  # fmt: skip
    assert doc["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert doc["prior_period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert doc["as_of"] == "2024-12-31" and doc["prior_as_of"] == "2023-12-31"
    assert doc["notifications"] is True and doc["warnings"] == []
    assert [m["id"] for m in doc["metrics"]] == [m.id for m in compared()]
    for m in doc["metrics"]:
        assert list(m) == ["id", "section", "label", "current", "prior", "change", "change_pct"]
        assert (m["section"], m["label"]) == (BY_ID[m["id"]].section, BY_ID[m["id"]].label)
        expected = [None if v is None else float(v) for v in EXPECTED[m["id"]]]
        assert [m[k] for k in ("current", "prior", "change", "change_pct")] == expected
    rfa = metric(doc, "otp.rfa.sent")
    assert [type(rfa[k]) for k in ("current", "prior", "change")] == [int, int, int]
    assert metric(doc, "registry.rfc.country_office")["change_pct"] is None  # prior 0


def test_csv(write_log: WriteLog) -> None:
    result = invoke(str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "section", "label", "current", "prior", "change", "change_pct"]
    assert len(rows) == 1 + 21
    assert rows[1] == ["otp.rfa.sent", BY_ID["otp.rfa.sent"].section,
                       BY_ID["otp.rfa.sent"].label, "3", "4", "-1", "-25.0"]  # fmt: skip
    by_metric = {r[0]: r for r in rows[1:]}
    # 100 * 2 / 3 and 50 / 3 written unrounded; an undefined change is an empty cell.
    assert float(by_metric["otp.rfa.executed_pct"][3]) == 200 / 3
    assert float(by_metric["otp.rfa.executed_pct"][5]) == 50 / 3
    assert by_metric["otp.rfi.sent"][3:] == ["0", "0", "0", ""]


def test_markdown(write_log: WriteLog) -> None:
    result = invoke(str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31", "-f", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# Compared with 01/01/2023 to 31/12/2023"
    assert lines[2].startswith(
        "_Period 01/01/2024 to 31/12/2024, executions as of 31/12/2024; compared with "
        "01/01/2023 to 31/12/2023, executions as of 31/12/2023; mission notifications counted "
        "among RFAs."
    )
    assert lines[4] == "| § | Indicator | Current | Prior | Change | Change % |"
    assert lines[5] == "|---|---|---|---|---|---|"
    body = lines[6:]
    assert len(body) == 21
    assert body[0] == (
        "| 1 | Total number of RFAs sent during the reporting period | 3 | 4 | ▼ -1 | -25.00% |"
    )
    expected = {
        # 200/3 = 66.666... → 66.67; 50/3 pp → +16.67 pp; 100/3 % → +33.33%
        "% of replies for the RFAs during the reporting period":
            "| 66.67% | 50.00% | ▲ +16.67 pp | +33.33% |",
        "Average time needed to execute an RFA": "| 20.00 days | 3.00 days | ▲ +17.00 days "
            "| +566.67% |",  # 1700/3
        "Operational requests sent by the Country Offices": "| 1 | 0 | ▲ +1 | N/A |",
        "Witness protection requests": "| 0 | 0 | = 0 | N/A |",
        "Defence teams' requests transmitted by the Registry": "| 1 | 1 | = 0 | 0.00% |",
        "Average time needed for reply": "| N/A | N/A | N/A | N/A |",
        "% of positive replies to RFCs during the reporting period": "| 0.00% | N/A | N/A | N/A |",
    }  # fmt: skip
    for label, cells in expected.items():
        assert any(line.endswith(f" {label} {cells}") for line in body), label


def test_decimals_round_half_up(write_log: WriteLog) -> None:
    path = str(write_log(*LOG))
    result = invoke(path, "--period", "2024-01-01:2024-12-31", "-f", "markdown", "--decimals", "0")
    assert result.exit_code == 0, result.output
    # 66.67 → 67%, 16.67 pp → +17 pp, 33.33% → +33%, 1300/7 = 185.71...% → +186%
    assert "| 67% | 50% | ▲ +17 pp | +33% |" in result.stdout
    assert "| 20 days | 7 days | ▲ +13 days | +186% |" in result.stdout


def test_table(write_log: WriteLog) -> None:
    result = invoke(str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Compared with 01/01/2023 to 31/12/2023" in out
    for header in ("Indicator", "Current", "Prior", "Change", "Change %"):
        assert header in out
    lines = out.splitlines()

    def row(label: str) -> list[str]:
        (line,) = [x for x in lines if label in x]
        return line.split(label, 1)[1].split()

    assert row("Total number of RFAs sent during the reporting period") == [
        "3", "4", "▼", "-1", "-25.00%"
    ]  # fmt: skip
    assert row("% of replies for the RFAs during the reporting period") == [
        "66.67%", "50.00%", "▲", "+16.67", "pp", "+33.33%"
    ]  # fmt: skip
    assert row("Witness protection requests") == ["0", "0", "=", "0", "N/A"]
    assert row("Average time needed for reply  ") == ["N/A"] * 4
    caption = " ".join(out.split())
    assert "Period 01/01/2024 to 31/12/2024, executions as of 31/12/2024" in caption
    assert "compared with 01/01/2023 to 31/12/2023, executions as of 31/12/2023" in caption
    assert "inf" not in out


def test_no_notifications(write_log: WriteLog) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31", "--no-notifications")
    assert doc["notifications"] is False
    # c1 c3 against p1 p2 p3: 2 - 3 = -1, 100 * -1 / 3; c1 executed against p1.
    assert metric(doc, "otp.rfa.sent")["change_pct"] == -100 / 3
    assert metric(doc, "otp.rfa.mission_notifications")["current"] == 0
    assert metric(doc, "otp.rfa.executed")["prior"] == 1


def test_export_writes_the_table(write_log: WriteLog, tmp_path: Path) -> None:
    svg = tmp_path / "comparison.svg"
    result = invoke(
        str(write_log(*LOG)), "--period", "2024-01-01:2024-12-31", "-f", "json", "--export",
        str(svg),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert "<svg" in svg.read_text(encoding="utf-8")
    bad = invoke(str(write_log(*LOG)), "--period", "2024", "--export", str(tmp_path / "x.png"))
    assert bad.exit_code == 2


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["compare", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "coopstats compare requests.csv" in result.stdout
    for option in ("--against", "--as-of", "--year-start", "--skip-invalid", "--export"):
        assert option in result.stdout


# --- periods: leap years, month ends, ten days, reporting years --------------------------------


def test_a_leap_day_against_the_day_before(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2024-02-27,,",
        "b,OTP,RFA,,,2024-02-28,,",
        "c,OTP,RFA,,,2024-02-28,,",
        "d,OTP,RFA,,,2024-02-29,2024-02-29,",
        "e,OTP,RFA,,,2024-02-29,,",
        "f,OTP,RFA,,,2024-02-29,,",
        "g,OTP,RFA,,,2024-03-01,,",
    )
    doc = as_json(str(log), "--period", "2024-02-29:2024-02-29")
    # One day is not a whole month: back one day, to 28 February.
    assert doc["prior_period"] == {"start": "2024-02-28", "end": "2024-02-28"}
    rfa = metric(doc, "otp.rfa.sent")
    assert (rfa["current"], rfa["prior"], rfa["change"], rfa["change_pct"]) == (3, 2, 1, 50.0)
    # 100 * 1 / 3 against no execution in the prior: 100/3 pp, 100 * (100/3) / 0 → null.
    rate = metric(doc, "otp.rfa.executed_pct")
    assert (rate["current"], rate["prior"], rate["change"], rate["change_pct"]) == (
        100 / 3, 0.0, 100 / 3, None
    )  # fmt: skip


def test_a_month_whose_prior_ends_on_a_leap_day(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2024-01-31,,",  # before the prior
        "b,OTP,RFA,,,2024-02-01,,",
        "c,OTP,RFA,,,2024-02-29,,",
        "d,OTP,RFA,,,2024-03-31,,",
    )
    doc = as_json(str(log), "--period", "2024-03-01:2024-03-31")
    # END + 1 = 1 April = START + 1 month: back one month, to the whole of February.
    assert doc["prior_period"] == {"start": "2024-02-01", "end": "2024-02-29"}
    rfa = metric(doc, "otp.rfa.sent")
    assert (rfa["current"], rfa["prior"], rfa["change"], rfa["change_pct"]) == (1, 2, -1, -50.0)


def test_a_reporting_year_holding_a_leap_day(write_log: WriteLog) -> None:
    log = write_log(
        "a,OTP,RFA,,,2022-09-16,,",
        "b,OTP,RFA,,,2023-09-15,,",
        "c,OTP,RFA,,,2023-09-16,,",
        "d,OTP,RFA,,,2024-02-29,,",
        "e,OTP,RFA,,,2024-09-15,,",
    )
    doc = as_json(str(log), "--period", "2024")
    assert doc["period"] == {"start": "2023-09-16", "end": "2024-09-15"}  # 366 days
    assert doc["prior_period"] == {"start": "2022-09-16", "end": "2023-09-15"}  # 365 days
    rfa = metric(doc, "otp.rfa.sent")
    assert (rfa["current"], rfa["prior"], rfa["change"], rfa["change_pct"]) == (3, 2, 1, 50.0)


def test_a_clamped_month_end(write_log: WriteLog) -> None:
    log = write_log(
        "a,Registry,RFC,HQ,,2023-02-27,,",  # before the prior
        "b,Registry,RFC,HQ,,2023-02-28,,",  # the prior's first day
        "c,Registry,RFC,HQ,,2023-03-29,,",
        "d,Registry,RFC,HQ,,2023-03-30,,",  # the prior's last day: START - 1 day (SPEC §2)
        "e,Registry,RFC,HQ,,2023-03-31,,",
        "f,Registry,RFC,HQ,,2023-04-29,,",
        "g,Registry,RFC,HQ,,2023-04-30,,",  # after the period
        "h,Registry,RFC,HQ,,2023-04-01,,",
    )
    doc = as_json(str(log), "--period", "2023-03-31:2023-04-29")
    # 2023-03-31 + 1 month = 2023-04-30 = END + 1: from START - 1 month (clamped) to the day
    # before START (SPEC §2).
    assert doc["prior_period"] == {"start": "2023-02-28", "end": "2023-03-30"}
    hq = metric(doc, "registry.rfc.hq")
    assert (hq["current"], hq["prior"], hq["change"], hq["change_pct"]) == (3, 3, 0, 0.0)


def test_a_ten_day_period(write_log: WriteLog) -> None:
    log = write_log(
        "a,Registry,decision-notification,,,2023-12-21,,",
        "b,Registry,decision-notification,,,2023-12-22,,",
        "c,Registry,decision-notification,,,2023-12-31,,",
        "d,Registry,decision-notification,,,2024-01-01,,",
        "e,Registry,decision-notification,,,2024-01-10,,",
        "f,Registry,decision-notification,,,2024-01-10,,",
        "g,Registry,decision-notification,,,2024-01-11,,",
    )
    doc = as_json(str(log), "--period", "2024-01-01:2024-01-10")
    assert doc["prior_period"] == {"start": "2023-12-22", "end": "2023-12-31"}  # 10 days back
    notes = metric(doc, "registry.decision_notifications")
    assert (notes["current"], notes["prior"], notes["change"], notes["change_pct"]) == (
        3, 2, 1, 50.0
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "period", "prior"),
    [
        ([], ("2023-09-16", "2024-09-15"), ("2022-09-16", "2023-09-15")),
        (["--year-start", "01-01"], ("2024-01-01", "2024-12-31"), ("2023-01-01", "2023-12-31")),
        (["--year-start", "10-01"], ("2023-10-01", "2024-09-30"), ("2022-10-01", "2023-09-30")),
    ],
)
def test_a_bare_year_is_a_reporting_year(
    write_log: WriteLog, args: list[str], period: tuple[str, str], prior: tuple[str, str]
) -> None:
    doc = as_json(str(write_log(*LOG)), "--period", "2024", *args)
    assert doc["period"] == {"start": period[0], "end": period[1]}
    assert doc["prior_period"] == {"start": prior[0], "end": prior[1]}
    assert doc["as_of"] == period[1]


def test_the_year_start_from_a_config_file(write_log: WriteLog, tmp_path: Path) -> None:
    config = tmp_path / "coopstats.toml"
    config.write_text('[defaults]\nyear-start = "01-01"\n', encoding="utf-8")
    log = str(write_log(*LOG))
    doc = as_json(log, "--period", "2024", "--config", str(config))
    assert doc["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    # The command line wins over the file.
    doc = as_json(log, "--period", "2024", "--config", str(config), "--year-start", "09-16")
    assert doc["period"] == {"start": "2023-09-16", "end": "2024-09-15"}


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2024-09-15:2023-09-16"],  # ends before it starts
        ["--period", "last year"],  # unknown words
        ["--period", "2023-02-30:2023-03-31"],  # a day that does not exist
        ["--period", "2024-13-01:2024-12-31"],
        ["--period", "2024", "--against", "2022-02-29:2022-03-31"],
    ],
)
def test_invalid_periods_are_usage_errors_with_an_example(
    write_log: WriteLog, args: list[str]
) -> None:
    result = invoke(str(write_log(*LOG)), *args)
    assert result.exit_code == 2, result.output
    assert "2023-09-16:2024-09-15" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2024", "--year-start", "02-29"],
        ["--period", "2024", "--year-start", "13-01"],
        ["--period", "2024", "--as-of", "2023-09-15"],  # before the start
        ["--period", "2024", "--as-of", "yesterday"],
        ["--period", "0002"],  # its prior would start in year 0
        ["--period", "2024", "--decimals", "-1"],
    ],
)
def test_other_usage_errors(write_log: WriteLog, args: list[str]) -> None:
    result = invoke(str(write_log(*LOG)), *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_invalid_rows_exit_1_and_a_missing_log_2(write_log: WriteLog, tmp_path: Path) -> None:
    bad = write_log("a,OTP,RFA,,,2024-01-01,,", "b,OTP,RFQ,,,2024-01-01,,")
    result = invoke(str(bad), "--period", "2024")
    assert result.exit_code == 1
    assert ":3:" in result.stderr and result.stdout == ""
    assert invoke(str(tmp_path / "none.csv"), "--period", "2024").exit_code == 2


# --- the 2024 report ---------------------------------------------------------------------------


def test_the_2024_report_against_its_prior_year() -> None:
    doc = as_json(str(FIXTURES / "report-2024.csv"), "--period", "2024")
    assert doc["warnings"] == []
    # The report's counts now, and the priors its evolutions imply (SPEC §5): +8.58% = 519
    # against 478, -4.64% = 329 against 345, +72% = 793 against 461, +37% = 412 against 301.
    for metric_id, now, then in (
        ("otp.rfa.sent", 519, 478),
        ("otp.rfa.sent_without_notifications", 329, 345),
        ("registry.rfc.sent", 793, 461),
        ("registry.rfc.hq", 412, 301),
    ):
        m = metric(doc, metric_id)
        assert (m["current"], m["prior"], m["change"]) == (now, then, now - then)
        assert m["change_pct"] == float(Fraction(100 * (now - then), then))


# --- agreement with `summarize` and the oracle on random logs ---------------------------------


@st.composite
def as_of_dates(draw: st.DrawFn, period: tuple[date, date]) -> date | None:
    if draw(st.booleans()):
        return None
    return period[0] + timedelta(days=draw(st.integers(0, 900)))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=valid_rows(),
    span=periods(),
    notifications=st.booleans(),
    data=st.data(),
    use_against=st.booleans(),
)
def test_compare_agrees_with_summarize_and_the_oracle(
    tmp_path: Path,
    rows: list[dict[str, str]],
    span: tuple[date, date],
    notifications: bool,
    data: st.DataObject,
    use_against: bool,
) -> None:
    as_of = data.draw(as_of_dates(span))
    period = Period(*span)
    against = Period(*data.draw(periods())) if use_against else None
    prior = against or prior_period(period)
    path = tmp_path / "random.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    with Source(str(path)) as source:
        result = compare(source, period, as_of=as_of, against=against, notifications=notifications)
        now = summarize(source, period, as_of=as_of, against=against, notifications=notifications)
        then = summarize(source, prior, notifications=notifications)
    oracle_now = oracle_metrics(
        rows, *span, as_of=as_of, notifications=notifications, prior=(prior.start, prior.end)
    )
    oracle_then = oracle_metrics(rows, prior.start, prior.end, notifications=notifications)
    assert result.prior == prior
    for change in result.changes:
        i = change.metric.id
        assert change.current == now.values[i] == oracle_now[i], i
        assert change.prior == then.values[i] == oracle_then[i], i
        if change.current is not None and change.prior is not None:
            assert change.change == change.current - change.prior
            if change.prior:
                assert change.change_pct == Fraction(100) * change.change / change.prior
            else:
                assert change.change_pct is None
        else:
            assert change.change is None and change.change_pct is None
    # For the counts that have an evolution, the change in % is that evolution (SPEC §2).
    changes = by_id(result)
    for count_id, evolution_id in (
        ("otp.rfa.sent", "otp.rfa.evolution_pct"),
        ("otp.rfa.sent_without_notifications", "otp.rfa.evolution_pct_without_notifications"),
        ("registry.rfc.sent", "registry.rfc.evolution_pct"),
        ("registry.rfc.hq", "registry.rfc.hq_evolution_pct"),
    ):
        assert changes[count_id][3] == now.values[evolution_id] == oracle_now[evolution_id]
    assert result.warnings == now.warnings


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=valid_rows(max_size=25), span=periods())
def test_the_json_of_the_command_is_the_oracles(
    tmp_path: Path, rows: list[dict[str, str]], span: tuple[date, date]
) -> None:
    path = tmp_path / "random.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    result = invoke(str(path), "--period", f"{span[0]}:{span[1]}", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    prior = prior_period(Period(*span))
    now = oracle_metrics(rows, *span)
    then = oracle_metrics(rows, prior.start, prior.end)

    def plain(value: Any) -> Any:
        return value if value is None or isinstance(value, int) else float(value)

    for m in doc["metrics"]:
        assert m["current"] == plain(now[m["id"]]), m["id"]
        assert m["prior"] == plain(then[m["id"]]), m["id"]
