"""`coopstats sql` run in DuckDB agrees with `summarize` on random logs, metric by metric."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import periods, to_csv, valid_rows
from typer.testing import CliRunner

from coopstats.catalogue import figure_ids
from coopstats.cli import app

pytest.importorskip("duckdb")
from sqlhelp import run_duckdb  # noqa: E402 - needs duckdb

METRIC_IDS = figure_ids()

runner = CliRunner()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=valid_rows(),
    period=periods(),
    notifications=st.booleans(),
    as_of_shift=st.integers(min_value=0, max_value=90),
)
def test_sql_agrees_with_summarize(
    rows: list[dict[str, str]], period: tuple[date, date], notifications: bool, as_of_shift: int
) -> None:
    start, end = period
    span = f"{start.isoformat()}:{end.isoformat()}"
    as_of = (end + timedelta(days=as_of_shift)).isoformat()
    toggle = "--notifications" if notifications else "--no-notifications"
    common = ["--period", span, "--as-of", as_of, toggle]
    query = runner.invoke(app, ["sql", *common])
    assert query.exit_code == 0, query.output
    summary = runner.invoke(app, ["summarize", "-", *common, "-f", "json"], input=to_csv(rows))
    assert summary.exit_code == 0, summary.output
    expected = {m["id"]: m["value"] for m in json.loads(summary.stdout)["metrics"]}
    got = run_duckdb(query.stdout, rows)
    assert list(got) == list(figure_ids())
    for metric in figure_ids():
        if expected[metric] is None:
            assert got[metric] is None, metric
        else:
            assert got[metric] == pytest.approx(expected[metric], rel=1e-9, abs=1e-9), metric


def test_sql_usage_errors() -> None:
    assert runner.invoke(app, ["sql", "--period", "2024", "--table", "a;b"]).exit_code == 2
    assert runner.invoke(app, ["sql", "--period", "2024", "--dialect", "oracle"]).exit_code == 2
    result = runner.invoke(app, ["sql", "--period", "2024", "--dialect", "sqlserver"])
    assert result.exit_code == 0 and "DATEDIFF" not in result.stdout
