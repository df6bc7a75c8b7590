"""Breakdowns and filters (SPEC §6): `--by COLUMN` and `--where COLUMN=VALUE`.

Every group's figures are held to the tests' oracle run over that group's rows alone, picked by
a plain filter written here from SPEC §6 (the cell trimmed, then mapped by [values.COLUMN] with
the words matched trimmed and case-insensitively); nothing is copied from the program's output.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics, oracle_period_before, oracle_prior_period, parse_row
from strategies import COLUMNS, periods, to_csv, valid_rows
from typer.testing import CliRunner

from coopstats.breakdown import Breakdown
from coopstats.catalogue import FIGURES, Shape
from coopstats.cli import app
from coopstats.comparison import compare, trend
from coopstats.model import Period
from coopstats.read import ReadOptions, Source
from coopstats.read import csv as read_csv
from coopstats.summary import summarize

Row = dict[str, str]
runner = CliRunner()
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Cells of an extra column, blank and space-padded ones included.
STATES = ["France", " France ", "FRANCE", "", "  ", "Fr.", "fr. ", "Kenya", "Côte d'Ivoire"]
SITUATIONS = ["Darfur", "Ukraine", " Darfur", ""]
MAPPING = {"fr.": "France"}  # [values.state] "Fr." = "France", matched case-insensitively


def group_of(cell: str, mapping: dict[str, str] | None = None) -> str:
    """SPEC §6, written out: trimmed, otherwise as written, then mapped."""
    trimmed = cell.strip()
    return (mapping or {}).get(trimmed.casefold(), trimmed)


@st.composite
def logs(draw: st.DrawFn) -> list[Row]:
    rows = draw(valid_rows(max_size=30))
    for row in rows:
        row["state"] = draw(st.sampled_from(STATES))
        row["situation"] = draw(st.sampled_from(SITUATIONS))
    return rows


def write(path: Path, rows: list[Row], header: list[str] | None = None) -> Path:
    path.write_text(to_csv(rows, header or [*COLUMNS, "state", "situation"]), encoding="utf-8")
    return path


def options(mapping: dict[str, str] | None = None, **more: Any) -> ReadOptions:
    values = {"state": {"Fr.": mapping["fr."]}} if mapping else {}
    return ReadOptions(values=values, **more)


def sent_count(rows: list[Row], period: Period) -> int:
    return sum(1 for r in rows if period.start <= parse_row(r).sent <= period.end)


def expected_order(groups: dict[str, list[Row]], period: Period) -> list[str]:
    """Most requests sent in the period first, then by value (SPEC §6)."""
    return sorted(groups, key=lambda v: (-sent_count(groups[v], period), v))


@contextmanager
def processes(two: bool) -> Iterator[None]:
    """Two processes even for a small log (the forked child counts the second half)."""
    with pytest.MonkeyPatch.context() as patch:
        if two:
            patch.setattr(read_csv, "HALVES_FROM", 1)
        yield


# --- summarize --by: every group against the oracle over its rows alone ------------------------


@SETTINGS
@given(rows=logs(), period=periods(), mapped=st.booleans(), two=st.booleans())
def test_every_group_is_the_oracle_over_its_rows(
    tmp_path: Path, rows: list[Row], period: tuple[date, date], mapped: bool, two: bool
) -> None:
    mapping = MAPPING if mapped else None
    path = write(tmp_path / "log.csv", rows)
    p = Period(*period)
    prior = Period(*oracle_prior_period(*period))
    with processes(two), Source(str(path)) as source:
        result = summarize(source, p, options=options(mapping), breakdown=Breakdown("state"))
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(group_of(r["state"], mapping), []).append(r)
    shown = {
        v: members for v, members in groups.items()
        if sent_count(members, p) or sent_count(members, prior)
    }  # fmt: skip
    assert result.by == "state"
    assert [g.value for g in result.groups] == expected_order(shown, p)
    for g in result.groups:
        assert g.values == oracle_metrics(shown[g.value], *period), g.value
    # `metrics` stays the figures over all requests counted.
    assert result.values == oracle_metrics(rows, *period)


@SETTINGS
@given(rows=logs(), period=periods(), notifications=st.booleans())
def test_by_categories_counts_a_request_under_each_category(
    tmp_path: Path, rows: list[Row], period: tuple[date, date], notifications: bool
) -> None:
    path = write(tmp_path / "log.csv", rows)
    p = Period(*period)
    with Source(str(path)) as source:
        result = summarize(
            source, p, notifications=notifications, breakdown=Breakdown("Categories ")
        )
    # Only RFCs are broken down by category (SPEC §1): any other request is blank there.
    def categories(r: Row) -> set[str]:
        req = parse_row(r)
        cats = set(req.categories) if req.kind == "rfc" else set()
        return cats or {""}

    groups: dict[str, list[Row]] = {}
    for r in rows:
        for c in categories(r):
            groups.setdefault(c, []).append(r)
    prior = Period(*oracle_prior_period(*period))
    shown = {v: m for v, m in groups.items() if sent_count(m, p) or sent_count(m, prior)}
    assert [g.value for g in result.groups] == expected_order(shown, p)
    for g in result.groups:
        assert g.values == oracle_metrics(shown[g.value], *period, notifications=notifications)


@SETTINGS
@given(rows=logs(), period=periods(), column=st.sampled_from(["organ", "KIND", " origin"]))
def test_by_a_vocabulary_column_groups_by_the_spec_word(
    tmp_path: Path, rows: list[Row], period: tuple[date, date], column: str
) -> None:
    path = write(tmp_path / "log.csv", rows)
    with Source(str(path)) as source:
        result = summarize(source, Period(*period), breakdown=Breakdown(column))
    spelled = {"otp": "OTP", "registry": "Registry", "rfa": "RFA", "rfi": "RFI", "rfc": "RFC",
               "hq": "HQ"}  # fmt: skip

    def word(r: Row) -> str:
        req = parse_row(r)
        name = column.strip().lower()
        value = getattr(req, name)
        if name == "origin" and req.kind != "rfc":
            value = ""  # ignored on other kinds (SPEC §1)
        return spelled.get(value, value)

    for g in result.groups:
        mine = [r for r in rows if word(r) == g.value]
        assert g.values == oracle_metrics(mine, *period), g.value


# --- --where: the same column widens, another narrows -------------------------------------------


@SETTINGS
@given(
    rows=logs(),
    period=periods(),
    states=st.lists(st.sampled_from(["France", "Kenya", "", "Fr.", "Nowhere"]), min_size=1,
                    max_size=2),
    situation=st.one_of(st.none(), st.sampled_from(["Darfur", "Ukraine", ""])),
    two=st.booleans(),
)  # fmt: skip
def test_where_counts_only_the_matching_requests(
    tmp_path: Path,
    rows: list[Row],
    period: tuple[date, date],
    states: list[str],
    situation: str | None,
    two: bool,
) -> None:
    path = write(tmp_path / "log.csv", rows)
    where = [("state", s) for s in states]
    if situation is not None:
        where.append(("Situation", f" {situation} "))
    with processes(two), Source(str(path)) as source:
        result = summarize(
            source, Period(*period), options=options(MAPPING),
            breakdown=Breakdown(None, tuple(where)),
        )  # fmt: skip
    wanted = {group_of(s, MAPPING) for s in states}
    mine = [
        r for r in rows
        if group_of(r["state"], MAPPING) in wanted
        and (situation is None or r["situation"].strip() == situation)
    ]  # fmt: skip
    assert result.values == oracle_metrics(mine, *period)
    assert result.by is None and result.groups == ()


@SETTINGS
@given(rows=logs(), period=periods())
def test_where_and_by_together(tmp_path: Path, rows: list[Row], period: tuple[date, date]) -> None:
    path = write(tmp_path / "log.csv", rows)
    with Source(str(path)) as source:
        result = summarize(
            source, Period(*period),
            breakdown=Breakdown("situation", (("state", "France"), ("state", ""))),
        )  # fmt: skip
    kept = [r for r in rows if r["state"].strip() in ("France", "")]
    for g in result.groups:
        mine = [r for r in kept if r["situation"].strip() == g.value]
        assert g.values == oracle_metrics(mine, *period), g.value
    assert result.values == oracle_metrics(kept, *period)


# --- compare --by and trend --by ------------------------------------------------------------------


@SETTINGS
@given(rows=logs(), period=periods())
def test_compare_by_group_is_the_oracle_in_both_periods(
    tmp_path: Path, rows: list[Row], period: tuple[date, date]
) -> None:
    path = write(tmp_path / "log.csv", rows)
    p = Period(*period)
    prior = oracle_prior_period(*period)
    with Source(str(path)) as source:
        result = compare(source, p, breakdown=Breakdown("state"))
    for g in result.groups:
        mine = [r for r in rows if r["state"].strip() == g.value]
        now, then = oracle_metrics(mine, *period), oracle_metrics(mine, *prior)
        assert [c.metric.id for c in g.changes] == [c.metric.id for c in result.changes]
        for c in g.changes:
            assert (c.current, c.prior) == (now[c.metric.id], then[c.metric.id]), g.value


@SETTINGS
@given(rows=logs(), last=periods(), n=st.integers(1, 3))
def test_trend_by_group_is_the_oracle_period_by_period(
    tmp_path: Path, rows: list[Row], last: tuple[date, date], n: int
) -> None:
    path = write(tmp_path / "log.csv", rows)
    with Source(str(path)) as source:
        result = trend(source, Period(*last), n, breakdown=Breakdown("state"))
    chain = [oracle_period_before(*last, k) for k in range(n, 0, -1)] + [last]
    shown_periods = [Period(*c) for c in chain[1:]]
    expected = {
        group_of(r["state"]) for r in rows
        if any(s.start <= parse_row(r).sent <= s.end for s in shown_periods)
    }  # fmt: skip
    assert {g.value for g in result.groups} == expected
    for g in result.groups:
        mine = [r for r in rows if r["state"].strip() == g.value]
        for i, f in enumerate(g.figures):
            # Each period's evolution is against the one before it in the sequence (SPEC §2).
            want = oracle_metrics(mine, *chain[i + 1], prior=chain[i])
            assert (f.period.start, f.period.end) == chain[i + 1]
            assert f.values == want, (g.value, i)


# --- by hand: a small log, every format ----------------------------------------------------------

HEADER = "id,organ,kind,origin,categories,sent,executed,outcome, Requested State ,situation"
LOG = (
    "1,OTP,RFA,,,2024-01-10,2024-02-01,,France,Darfur",  # 22 days
    "2,OTP,RFA,,,2024-01-11,,, France ,Ukraine",
    "3,Registry,RFC,HQ,defence;arrest-surrender,2024-02-01,2024-03-01,negative,Fr.,Darfur",
    "4,Registry,RFC,country-office,,2024-02-03,,,,Darfur",
    "5,OTP,RFA,,,2023-01-10,2023-02-01,,Germany,Darfur",  # in the prior period only
    "6,OTP,RFI,,,2022-01-10,,,Kenya,Darfur",  # in no period: no group
)
PERIOD_ARGS = ("--period", "2024")  # 2023-09-16:2024-09-15, prior 2022-09-16:2023-09-15


@pytest.fixture
def log(write_log: Callable[..., Path], tmp_path: Path) -> Path:
    return write_log(*LOG, header=HEADER)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "coopstats.toml"
    path.write_text('[values."requested state"]\n"fr." = "France"\n', encoding="utf-8")
    return path


def invoke(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def value(metrics: list[dict[str, Any]], metric_id: str) -> Any:
    return next(m["value"] for m in metrics if m["id"] == metric_id)


def test_json_adds_by_and_groups(log: Path, config: Path) -> None:
    result = invoke("summarize", log, *PERIOD_ARGS, "--by", "requested state", "--config",
                    config, "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    keys = list(doc)
    assert keys[keys.index("metrics") + 1 : keys.index("metrics") + 3] == ["by", "groups"]
    assert doc["by"] == "Requested State"  # as the log spells it
    # France: 1, 2 (padded) and 3 (Fr., mapped): 3 requests; blank: 4; Germany: prior only.
    assert [g["value"] for g in doc["groups"]] == ["France", "", "Germany"]
    france, blank, germany = (g["metrics"] for g in doc["groups"])
    assert [m["id"] for m in france] == [f.id for f in FIGURES]
    assert value(france, "otp.rfa.sent") == 2 and value(france, "registry.rfc.hq") == 1
    assert value(france, "otp.rfa.avg_days_to_execute") == 22.0
    assert value(france, "registry.arrest.positive_pct") == 0.0  # 3 was negative
    assert value(france, "otp.rfa.evolution_pct") is None  # no French RFA in the prior
    assert value(blank, "registry.rfc.country_office") == 1
    assert value(germany, "otp.rfa.sent") == 0
    assert value(germany, "otp.rfa.evolution_pct") == -100.0  # 0 against 1
    # `metrics` stays the figures over all requests: 2 RFAs (1, 2), 2 RFCs (3, 4).
    assert value(doc["metrics"], "otp.rfa.sent") == 2
    assert value(doc["metrics"], "registry.rfc.sent") == 2


def test_csv_is_the_groups_rows_in_group_order(log: Path, config: Path) -> None:
    result = invoke("summarize", log, *PERIOD_ARGS, "--by", "Requested State", "--config",
                    config, "-f", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["group", "id", "section", "label", "value"]
    assert len(rows) == 1 + 3 * len(FIGURES)
    assert [r[0] for r in rows[1 :: len(FIGURES)]] == ["France", "", "Germany"]
    sent = [r[4] for r in rows[1:] if r[1] == "otp.rfa.sent"]
    assert sent == ["2", "0", "0"]


def test_the_table_shows_every_group_and_the_blank_one(log: Path, config: Path) -> None:
    for fmt in ("table", "markdown"):
        result = invoke("summarize", log, *PERIOD_ARGS, "--by", "requested state", "--config",
                        config, "-f", fmt)  # fmt: skip
        assert result.exit_code == 0, result.output
        for word in ("France", "(blank)", "Germany", "-100.00%", "22.00 days"):
            assert word in result.stdout, (fmt, word)


def test_many_groups_never_drop_a_value(write_log: Callable[..., Path]) -> None:
    states = [f"State number {i:02d}" for i in range(30)]
    rows = [f"{i},OTP,RFA,,,2024-01-{1 + i % 28:02d},2024-02-01,,{s},X"
            for i, s in enumerate(states)]  # fmt: skip
    log = write_log(*rows, header=HEADER)
    result = invoke("summarize", log, *PERIOD_ARGS, "--by", "requested state")
    assert result.exit_code == 0, result.output
    for s in states:
        assert s.split()[-1] in result.stdout  # every group's heading is there
    # 31 columns (all requests, then 30 groups) cannot sit side by side in 120 columns: several
    # tables, each with the figures' words.
    tables = re.findall(r"By Requested State \((\d+) of (\d+)\)", result.stdout)
    assert len(tables) > 2 and all(total == str(len(tables)) for _, total in tables)
    assert result.stdout.count("Notifications of missions") == len(tables)
    markdown = invoke("summarize", log, *PERIOD_ARGS, "--by", "requested state", "-f",
                      "markdown").stdout  # fmt: skip
    assert all(f"| {s} " in markdown or f"| {s} |" in markdown for s in states)


def test_compare_and_trend_formats(log: Path, config: Path) -> None:
    base = (*PERIOD_ARGS, "--by", "requested state", "--config", config)
    doc = json.loads(invoke("compare", log, *base, "-f", "json").stdout)
    assert doc["by"] == "Requested State"
    france = doc["groups"][0]
    assert france["value"] == "France"
    rfa = next(m for m in france["metrics"] if m["id"] == "otp.rfa.sent")
    assert (rfa["current"], rfa["prior"], rfa["change"], rfa["change_pct"]) == (2, 0, 2, None)
    rows = list(csv.DictReader(io.StringIO(invoke("compare", log, *base, "-f", "csv").stdout)))
    assert list(rows[0])[:2] == ["group", "id"] and rows[0]["group"] == "France"
    trend_doc = json.loads(invoke("trend", log, *base, "-n", "2", "-f", "json").stdout)
    assert trend_doc["by"] == "Requested State"
    # Shown periods: 2022-09-16:2023-09-15 (Germany) and 2023-09-16:2024-09-15.
    assert [g["value"] for g in trend_doc["groups"]] == ["France", "", "Germany"]
    germany = trend_doc["groups"][2]["periods"]
    assert [value(p["metrics"], "otp.rfa.sent") for p in germany] == [1, 0]
    trend_csv = invoke("trend", log, *base, "-n", "2", "-f", "csv").stdout
    assert trend_csv.splitlines()[0] == "group,period_start,period_end,id,label,value"
    for command in ("compare", "trend"):
        table = invoke(command, log, *base).stdout
        assert "Requested State: (blank)" in table and "Requested State: Germany" in table


@pytest.mark.parametrize("two", [False, True])
def test_an_unknown_column_names_the_headers_and_the_closest(log: Path, two: bool) -> None:
    for option in ("--by", "--where"):
        arg = "stat" if option == "--by" else "situaton=Darfur"
        with processes(two):
            result = invoke("summarize", log, *PERIOD_ARGS, option, arg)
        assert result.exit_code == 2
        assert "'situation'" in result.stderr and "'Requested State'" in result.stderr
        assert "did you mean" in result.stderr
        assert "Traceback" not in result.output


def test_a_where_that_matches_nothing_is_warned_with_the_closest(log: Path) -> None:
    result = invoke("summarize", log, *PERIOD_ARGS, "--where", "requested state=Frnace",
                    "-f", "json")  # fmt: skip
    assert result.exit_code == 0
    assert "--where Requested State=Frnace matches no request" in result.stderr
    assert "'France'" in result.stderr
    doc = json.loads(result.stdout)
    assert value(doc["metrics"], "otp.rfa.sent") == 0
    assert any("Frnace" in w for w in doc["warnings"])
    bad = invoke("summarize", log, *PERIOD_ARGS, "--where", "situation")
    assert bad.exit_code == 2 and "COLUMN=VALUE" in bad.stderr


def test_where_a_vocabulary_word_and_the_blank_group(log: Path) -> None:
    doc = json.loads(invoke("summarize", log, *PERIOD_ARGS, "--where", "organ=registry",
                            "--where", "requested state=", "-f", "json").stdout)  # fmt: skip
    # Registry requests with a blank State: 4 alone.
    assert value(doc["metrics"], "registry.rfc.sent") == 1
    assert value(doc["metrics"], "otp.rfa.sent") == 0
    # Every caption says what was counted.
    for command in ("summarize", "compare", "trend", "times"):
        text = invoke(command, log, *PERIOD_ARGS, "--where", "organ=registry", "--where",
                      "requested state=", "-f", "markdown").stdout  # fmt: skip
        assert ("Counted: only the requests whose organ is 'registry' and whose Requested State "
                "is blank (--where).") in text, command  # fmt: skip


def test_explain_lists_the_requests_of_one_group(log: Path, config: Path) -> None:
    result = invoke("explain", log, *PERIOD_ARGS, "-m", "otp.rfa.executed_pct", "--where",
                    "Requested State=France", "--config", config, "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["id"] for r in doc["requests"]] == ["1", "2"]
    assert doc["value"] == 50.0  # 1 of the 2 executed
    table = invoke("explain", log, *PERIOD_ARGS, "-m", "otp.rfa.sent", "--where",
                   "Requested State=France").stdout  # fmt: skip
    assert "only the requests whose Requested State is 'France' (--where)" in " ".join(
        table.split()
    )
    no_metric = invoke("explain", log, *PERIOD_ARGS, "--where", "situation=Darfur")
    assert no_metric.exit_code == 2 and "--where needs --metric" in no_metric.stderr


def test_validate_takes_no_where(log: Path) -> None:
    result = invoke("validate", log, "--where", "situation=Darfur")
    assert result.exit_code == 2


def test_a_config_table_for_any_column_is_read(log: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[values.situation]\n" darfur " = "Sudan (Darfur)"\n', encoding="utf-8")
    doc = json.loads(invoke("summarize", log, *PERIOD_ARGS, "--by", "situation", "--config",
                            config, "-f", "json").stdout)  # fmt: skip
    assert [g["value"] for g in doc["groups"]] == ["Sudan (Darfur)", "Ukraine"]


def test_every_figure_shape_has_a_group_value(log: Path) -> None:
    """A group's metrics are the same objects as the top-level ones (one catalogue)."""
    doc = json.loads(invoke("summarize", log, *PERIOD_ARGS, "--by", "situation",
                            "--where", "situation=Ukraine", "-f", "json").stdout)  # fmt: skip
    (only,) = doc["groups"]
    assert only["metrics"] == doc["metrics"]  # one group holding every request counted
    assert {f.shape for f in FIGURES} == set(Shape)
