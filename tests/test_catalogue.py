"""The catalogue is the one table of figures: everything else iterates it.

A figure added to it shows in summarize, explain and compare with no other change, and the
report's layout either prints each figure or says that it does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coopstats import catalogue
from coopstats.catalogue import GROUP, Figure, Shape
from coopstats.cli import app
from coopstats.model import Period
from coopstats.read import Source
from coopstats.render import layout
from coopstats.summary import summarize

runner = CliRunner()
WriteLog = Callable[..., Path]
PERIOD = "2023-09-16:2024-09-15"
# By hand: 3 RFIs sent in the period, 2 of them executed (after 4 and 10 days), 1 pending;
# 1 RFI sent in the prior period.
LOG = (
    "i1,OTP,RFI,,,2023-10-01,2023-10-05,",
    "i2,OTP,RFI,,,2024-01-10,2024-01-20,negative",
    "i3,OTP,RFI,,,2024-05-01,,",
    "i0,OTP,RFI,,,2023-01-01,2023-01-02,",
    "a1,OTP,RFA,,,2024-02-01,,",
)
EXTRA = Figure(
    "otp.rfi.avg_days_to_execute", catalogue.SECTION_2,
    "Average time needed to execute an RFI", Shape.DAYS, (GROUP["rfi"],),
)  # fmt: skip


@pytest.fixture
def extra_figure(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(catalogue, "FIGURES", (*catalogue.FIGURES, EXTRA))
    yield


class Recording(dict[str, Any]):
    """The values of a summary, noting which the layout reads."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_every_figure_is_in_the_layout_or_its_exceptions(write_log: WriteLog) -> None:
    read: set[str] = set()
    for notifications in (True, False):  # some rows read other figures without notifications
        with Source(str(write_log(*LOG))) as source:
            summary = summarize(
                source, Period(date(2023, 9, 16), date(2024, 9, 15)), notifications=notifications
            )
        values = Recording(summary.values)
        layout.sections(summary._replace(values=values))
        read |= values.read
    missing = set(catalogue.figure_ids()) - read - layout.NOT_IN_LAYOUT
    assert not missing, f"neither in the layout nor in layout.NOT_IN_LAYOUT: {sorted(missing)}"
    assert not read & layout.NOT_IN_LAYOUT, "an exception that the layout prints after all"


def test_one_row_adds_a_figure_to_summarize(write_log: WriteLog, extra_figure: None) -> None:
    result = runner.invoke(app, ["summarize", str(write_log(*LOG)), "-p", PERIOD, "-f", "json"])
    assert result.exit_code == 0, result.output
    metrics = {m["id"]: m for m in json.loads(result.stdout)["metrics"]}
    assert metrics["otp.rfi.avg_days_to_execute"]["value"] == 7.0  # (4 + 10) / 2
    assert metrics["otp.rfi.avg_days_to_execute"]["label"] == EXTRA.label
    assert list(metrics)[-1] == EXTRA.id
    csv_out = runner.invoke(app, ["summarize", str(write_log(*LOG)), "-p", PERIOD, "-f", "csv"])
    assert f"{EXTRA.id},2. Priority area 2,{EXTRA.label},7.0" in csv_out.stdout


def test_one_row_adds_a_figure_to_explain(write_log: WriteLog, extra_figure: None) -> None:
    args = ["explain", str(write_log(*LOG)), "-p", PERIOD, "--metric", EXTRA.id, "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["value"] == 7.0
    listed = {r["id"]: r["counted"] for r in doc["requests"]}
    assert listed == {"i1": True, "i2": True, "i3": False}  # the pending RFI is listed, not counted


def test_one_row_adds_a_figure_to_compare(write_log: WriteLog, extra_figure: None) -> None:
    result = runner.invoke(app, ["compare", str(write_log(*LOG)), "-p", PERIOD, "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = {m["id"]: m for m in json.loads(result.stdout)["metrics"]}
    assert rows[EXTRA.id]["current"] == 7.0
    assert rows[EXTRA.id]["prior"] == 1.0  # i0: 1 day


def test_the_toggle_is_a_rule_over_groups() -> None:
    with_, without = (
        {f.id: catalogue.figure_groups(f, on) for f in catalogue.FIGURES} for on in (True, False)
    )
    assert without["otp.rfa.mission_notifications"] == ()
    assert [g.name for g in without["otp.rfa.sent"]] == ["rfa"]
    assert with_["otp.rfa.sent_without_notifications"] == without[
        "otp.rfa.sent_without_notifications"
    ]
    changed = {fid for fid in with_ if with_[fid] != without[fid]}
    assert all(fid.startswith("otp.rfa.") for fid in changed)


def test_groups_are_the_rules_of_spec_section_3() -> None:
    def names(kind: str, origin: str | None, *categories: str) -> list[str]:
        return [catalogue.GROUPS[i].name for i in catalogue.groups_of(kind, origin, categories)]

    assert names("RFA", None) == ["rfa"]
    assert names("mission-notification", None) == ["mission"]
    assert names("RFC", "HQ", "defence", "arrest-surrender") == ["rfc_hq", "hq_defence", "arrest"]
    assert names("RFC", "country-office", "defence", "arrest-surrender") == ["rfc_co", "arrest"]
    assert names("RFI", None, "defence") == ["rfi"]  # only RFCs are broken down by category
    assert names("decision-notification", None) == ["decision"]


def test_evaluate_by_hand() -> None:
    class Counts:
        sent = [4, 2, 0, 5, 0, 0, 0, 0, 0, 0, 0]
        executed = [2, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0]
        positive = [2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        days: list[dict[int, int]] = [{3: 2}, {9: 1}] + [{}] * 9

    now, before = Counts(), Counts()
    before.sent = [3, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]
    by_id = {f.id: f for f in catalogue.FIGURES}

    def value(fid: str, notifications: bool = True) -> object:
        return catalogue.evaluate(by_id[fid], now, before, notifications)

    assert value("otp.rfa.sent") == 6
    assert value("otp.rfa.executed_pct") == Fraction(100 * 3, 6)
    assert value("otp.rfa.avg_days_to_execute") == Fraction(3 + 3 + 9, 3)
    assert value("otp.rfa.avg_days_to_execute", False) == 3
    assert value("otp.rfa.evolution_pct") == 100  # 6 against 3
    assert value("registry.rfc.hq_positive_pct") == 20
    assert value("registry.rfc.hq_evolution_pct") == 0
    assert value("registry.arrest.avg_days_to_reply") is None


def _sqlite_log(path: Path) -> Path:
    """LOG as a SQLite table `requests` of text cells."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE requests (id, organ, kind, origin, categories, sent, executed, outcome)"
    )
    con.executemany(
        "INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [r.split(",") for r in LOG]
    )
    con.commit()
    con.close()
    return path


def test_one_row_adds_a_figure_to_the_sql_and_the_database(
    tmp_path: Path, extra_figure: None
) -> None:
    import sqlite3

    db = _sqlite_log(tmp_path / "log.sqlite")
    # The query `coopstats sql` prints carries the figure, computed where the data lives...
    sql = runner.invoke(app, ["sql", "-p", PERIOD, "--dialect", "sqlite", "--table", "requests"])
    assert sql.exit_code == 0, sql.output
    assert EXTRA.id in sql.stdout
    rows = dict(sqlite3.connect(db).execute(sql.stdout).fetchall())
    assert list(rows)[-1] == EXTRA.id
    assert rows[EXTRA.id] == 7.0  # (4 + 10) / 2
    # ... and so do the database path's outputs.
    url = f"sqlite:{db}"
    summary = runner.invoke(
        app, ["summarize", "--database", url, "--table", "requests", "-p", PERIOD, "-f", "json"]
    )
    assert summary.exit_code == 0, summary.output
    metrics = {m["id"]: m for m in json.loads(summary.stdout)["metrics"]}
    assert list(metrics)[-1] == EXTRA.id
    assert metrics[EXTRA.id]["value"] == 7.0
    assert metrics[EXTRA.id]["label"] == EXTRA.label
    compared = runner.invoke(
        app, ["compare", "--database", url, "--table", "requests", "-p", PERIOD, "-f", "json"]
    )
    assert compared.exit_code == 0, compared.output
    changes = {m["id"]: m for m in json.loads(compared.stdout)["metrics"]}
    assert (changes[EXTRA.id]["current"], changes[EXTRA.id]["prior"]) == (7.0, 1.0)  # i0: 1 day
