"""`--database`: the same figures and outputs from a table as from the CSV, in real engines.

Random logs (tests/strategies.py) are made messy — vocabulary in any letter case, cells padded with
spaces, no-break spaces, tabs and ideographic spaces — and given rows that break SPEC §1. Each log
is written as a CSV and loaded into PostgreSQL (a private server, tests/pg.py) as DATE, TIMESTAMP,
TIMESTAMPTZ and TEXT tables, into DuckDB (a database file, Parquet, the CSV read in place) and into
SQLite. Every figure of `summarize --database` must equal `summarize --skip-invalid` on the CSV,
the rows left out must be counted, and the printed query (`coopstats sql`) must give the same
figures when the engine runs it. The oracle (tests/oracle.py) checks the figures independently.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics, oracle_prior_period
from strategies import COLUMNS, periods, valid_rows
from typer.testing import CliRunner

from coopstats.catalogue import figure_ids
from coopstats.cli import app
from coopstats.sql import Plan, Span, build_query

duckdb = pytest.importorskip("duckdb")

runner = CliRunner()
PADS = ["", "", "", " ", "\u00a0", "\t", " \u00a0", "\u3000", "\u2003"]
VOCABULARY = ("organ", "kind", "origin", "categories", "outcome")
Row = dict[str, str]

# Rows that break SPEC §1, each for one reason the query counts; none has a bad date, so that
# they load into tables with DATE columns too.
BROKEN: list[Row] = [
    {"id": "BAD-1", "organ": "OTP", "kind": "RFX", "sent": "2024-01-10"},  # unknown kind
    {"id": "BAD-2", "organ": "", "kind": "RFA", "sent": "2024-01-10"},  # blank organ
    {"id": "BAD-3", "organ": "OTP", "kind": "RFC", "origin": "HQ", "sent": "2024-01-10"},
    {"id": "BAD-4", "organ": "Registry", "kind": "RFC", "origin": "moon", "sent": "2024-01-10"},
    {"id": "BAD-5", "organ": "Registry", "kind": "RFC", "origin": "HQ", "categories": "defense",
     "sent": "2024-01-10"},  # fmt: skip
    {"id": "BAD-6", "organ": "OTP", "kind": "RFA", "sent": "2024-03-10", "executed": "2024-03-01"},
    {"id": "BAD-7", "organ": "OTP", "kind": "RFA", "sent": "2024-03-10", "executed": "2024-03-11",
     "outcome": "maybe"},  # fmt: skip
    {"id": "BAD-8", "organ": "OTP", "kind": "RFA", "sent": "2024-03-10", "outcome": "positive"},
    {"id": "", "organ": "OTP", "kind": "RFA", "sent": "2024-03-10"},  # blank id
    {"id": "BAD-9", "organ": "OTP", "kind": "RFA", "sent": ""},  # blank sent
]
# Dates only a text column can hold.
BAD_DATES: list[Row] = [
    {"id": "BAD-D1", "organ": "OTP", "kind": "RFA", "sent": "2024-02-30"},
    {"id": "BAD-D2", "organ": "OTP", "kind": "RFA", "sent": "2023-13-01"},  # no month 13
    {"id": "BAD-D3", "organ": "OTP", "kind": "RFA", "sent": "2024-01-05", "executed": "soon"},
    {"id": "BAD-D4", "organ": "OTP", "kind": "RFA", "sent": "2024-01-05 junk"},
]


def messy(rows: Sequence[Row], rng: random.Random) -> list[Row]:
    """The rows with random letter case and padding, as exports write them."""
    out = []
    for row in rows:
        new = {c: row.get(c, "") for c in COLUMNS}
        for column in (*VOCABULARY, "sent", "executed"):
            cell = new[column]
            if not cell:
                continue
            if column in VOCABULARY and rng.random() < 0.5:
                cell = "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in cell)
            new[column] = rng.choice(PADS) + cell + rng.choice(PADS)
        out.append(new)
    return out


def to_csv(rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([row.get(c, "") for c in COLUMNS] for row in rows)
    return out.getvalue()


def day(cell: str) -> date | None:
    text = cell.strip()
    return date.fromisoformat(text[:10]) if text else None


def metrics(output: str) -> list[tuple[str, Any]]:
    return [(m["id"], m["value"]) for m in json.loads(output)["metrics"]]


def run(args: list[str], stdin: str | None = None) -> Any:
    result = runner.invoke(app, args, input=stdin)
    return result


class Case:
    """One random log, its CSV and the figures `summarize --skip-invalid` gives for it."""

    def __init__(
        self, tmp: Path, rows: list[Row], span: tuple[date, date], as_of: date,
        notifications: bool, seed: int, bad_dates: bool,
    ) -> None:  # fmt: skip
        rng = random.Random(seed)
        self.valid = rows
        self.broken = BROKEN + (BAD_DATES if bad_dates else [])
        mixed = list(rows) + [dict(r) for r in self.broken]
        rng.shuffle(mixed)
        self.rows = messy(mixed, rng)
        self.path = tmp / f"log-{seed}.csv"
        self.path.write_text(to_csv(self.rows), encoding="utf-8")
        self.start, self.end = span
        self.as_of = as_of
        self.toggle = "--notifications" if notifications else "--no-notifications"
        self.notifications = notifications
        self.common = ["--period", f"{self.start}:{self.end}", "--as-of", str(as_of), self.toggle]
        result = run(["summarize", str(self.path), *self.common, "--skip-invalid", "-f", "json"])
        assert result.exit_code == 0, result.output
        self.expected = metrics(result.stdout)

    def check(self, url: str, table: str | None = None, strict: bool = False) -> None:
        """`summarize --database` gives the CSV's figures and counts the rows it left out."""
        extra = ["--table", table] if table else []
        result = run(["summarize", "--database", url, *extra, *self.common, "-f", "json"])
        assert result.exit_code == 0, result.output
        assert metrics(result.stdout) == self.expected
        warnings = json.loads(result.stdout)["warnings"]
        said = f"{len(self.broken):,} of {len(self.rows):,} row(s) left out"
        assert any(said in w for w in warnings), warnings
        if strict:
            stopped = run(["summarize", "--database", url, *extra, *self.common, "--strict"])
            assert stopped.exit_code == 1, stopped.output
            assert "cannot be counted" in stopped.output

    def check_oracle(self) -> None:
        prior = oracle_prior_period(self.start, self.end)
        want = oracle_metrics(
            self.valid, self.start, self.end, as_of=self.as_of,
            notifications=self.notifications, prior=prior,
        )  # fmt: skip
        for metric_id, value in self.expected:
            expected = want[metric_id]
            assert (value is None) == (expected is None), metric_id
            if expected is not None:
                assert value == pytest.approx(float(expected), rel=1e-12), metric_id

    def query(self, dialect: str, table: str) -> str:
        prior = oracle_prior_period(self.start, self.end)
        return build_query(
            start=self.start, end=self.end, prior_start=prior[0], prior_end=prior[1],
            as_of=self.as_of, notifications=self.notifications, dialect=dialect,
            plan=Plan(table=table, windows=(Span(self.start, self.end, self.end),)),
        )  # fmt: skip

    def check_query(self, rows: list[tuple[Any, ...]]) -> None:
        """The printed query's (id, value) rows against the CSV's figures."""
        assert [r[0] for r in rows] == list(figure_ids())
        for (metric_id, got), (_, want) in zip(rows, self.expected, strict=True):
            if want is None:
                assert got is None, metric_id
            else:
                assert float(got) == pytest.approx(want, rel=1e-9, abs=1e-9), metric_id


def cases(bad_dates: bool) -> st.SearchStrategy[Callable[[Path], Case]]:
    @st.composite
    def build(draw: st.DrawFn) -> Callable[[Path], Case]:
        rows = draw(valid_rows(max_size=30))
        span = draw(periods())
        as_of = span[1] + timedelta(days=draw(st.integers(0, 60)))
        notifications = draw(st.booleans())
        seed = draw(st.integers(0, 10**9))
        return lambda tmp: Case(tmp, rows, span, as_of, notifications, seed, bad_dates)

    return build()


SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# -- PostgreSQL ------------------------------------------------------------------------------


def pg_tables(
    url: str, case: Case, tag: str, kinds: Sequence[str] = ("date", "timestamp", "timestamptz",
                                                             "text")
) -> Iterator[tuple[str, str]]:
    """The case loaded as a table per way of storing dates; yields (table, type)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        for kind in kinds:
            table = f"log_{tag}_{kind}"
            columns = ", ".join(
                f"{c} {kind}" if c in ("sent", "executed") else f"{c} text" for c in COLUMNS
            )
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(f"CREATE TABLE {table} ({columns})")
            with con.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in case.rows:
                    copy.write_row([stored(row, c, kind) for c in COLUMNS])
            yield table, kind


def stored(row: Row, column: str, kind: str) -> Any:
    cell = row[column]
    if column not in ("sent", "executed") or kind == "text":
        return cell if cell != "" or column in VOCABULARY else None
    found = day(cell)
    if found is None:
        return None
    if kind == "date":
        return found
    return datetime(found.year, found.month, found.day, 12, 30) if kind == "timestamp" else (
        f"{found.isoformat()} 12:30:00+00"
    )


@SETTINGS
@given(make=cases(bad_dates=False))
def test_postgres_tables_give_the_csv_figures(
    postgres_url: str, tmp_path: Path, make: Callable[[Path], Case]
) -> None:
    import psycopg

    case = make(tmp_path)
    case.check_oracle()
    for table, kind in pg_tables(postgres_url, case, "t"):
        case.check(postgres_url, table, strict=kind == "text")
        with psycopg.connect(postgres_url) as con:
            case.check_query(con.execute(case.query("postgres", table)).fetchall())


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(make=cases(bad_dates=True))
def test_postgres_text_table_counts_unreadable_dates(
    postgres_url: str, tmp_path: Path, make: Callable[[Path], Case]
) -> None:
    case = make(tmp_path)
    for table, _ in pg_tables(postgres_url, case, "d", kinds=("text",)):
        case.check(postgres_url, table)


# -- DuckDB and SQLite -------------------------------------------------------------------------


def duckdb_file(tmp: Path, case: Case, typed: bool) -> Path:
    path = tmp / f"log-{'typed' if typed else 'text'}.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    kind = "DATE" if typed else "VARCHAR"
    columns = ", ".join(
        f"{c} {kind}" if c in ("sent", "executed") else f"{c} VARCHAR" for c in COLUMNS
    )
    con.execute(f"CREATE TABLE requests ({columns})")
    con.executemany(
        f"INSERT INTO requests VALUES ({', '.join('?' for _ in COLUMNS)})",
        [[day(r[c]) if typed and c in ("sent", "executed") else r[c] for c in COLUMNS]
         for r in case.rows],
    )  # fmt: skip
    con.close()
    return path


@SETTINGS
@given(make=cases(bad_dates=False))
def test_duckdb_file_parquet_and_csv_give_the_csv_figures(
    tmp_path: Path, make: Callable[[Path], Case]
) -> None:
    case = make(tmp_path)
    typed = duckdb_file(tmp_path, case, typed=True)
    case.check(f"duckdb:{typed}", "requests", strict=True)
    text = duckdb_file(tmp_path, case, typed=False)
    case.check(f"duckdb:{text}", "requests")
    parquet = tmp_path / "log.parquet"
    con = duckdb.connect(str(typed), read_only=True)
    con.execute(f"COPY requests TO '{parquet}' (FORMAT parquet)")
    case.check_query(con.execute(case.query("duckdb", "requests")).fetchall())
    con.close()
    case.check(f"duckdb:{parquet}")
    case.check(f"duckdb:{case.path}")


@SETTINGS
@given(make=cases(bad_dates=True))
def test_sqlite_gives_the_csv_figures(tmp_path: Path, make: Callable[[Path], Case]) -> None:
    case = make(tmp_path)
    path = tmp_path / "log.sqlite"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE requests ({', '.join(COLUMNS)})")
    con.executemany(
        f"INSERT INTO requests VALUES ({', '.join('?' for _ in COLUMNS)})",
        [[r[c] for c in COLUMNS] for r in case.rows],
    )
    con.commit()
    case.check(f"sqlite:{path}", "requests", strict=True)
    # The printed query runs in a plain SQLite (no functions of coopstats registered): counts
    # stay integers there.
    rows = con.execute(case.query("sqlite", "requests")).fetchall()
    con.close()
    case.check_query(rows)
