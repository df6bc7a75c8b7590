"""Run a query of `coopstats.sql` in DuckDB over rows written as a CSV log holds them.

Shared by test_sql.py and by property tests that compare the query with `summarize`: rows are
dicts of the SPEC's canonical column names to CSV strings (ISO dates, '' for pending or absent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

COLUMNS: tuple[str, ...] = (
    "id",
    "organ",
    "kind",
    "origin",
    "categories",
    "sent",
    "executed",
    "outcome",
)
_DATE_COLUMNS = frozenset({"sent", "executed"})


def _parse_date(text: str) -> date | None:
    # Only ISO dates: the tests write them; a time part is ignored as SPEC §1 says.
    text = text.strip()
    return date.fromisoformat(text[:10]) if text else None


def _record(row: Mapping[str, str]) -> tuple[str | date | None, ...]:
    # A missing optional column is the empty string a CSV cell would give.
    return tuple(
        _parse_date(row.get(name, "")) if name in _DATE_COLUMNS else row.get(name, "")
        for name in COLUMNS
    )


def load_requests(
    con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, str]], table: str = "requests"
) -> None:
    """Create `table` with the SPEC's columns (dates as DATE) and insert `rows`."""
    columns = ", ".join(
        f"{name} DATE" if name in _DATE_COLUMNS else f"{name} VARCHAR" for name in COLUMNS
    )
    con.execute(f"CREATE TABLE {table} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in COLUMNS)
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", [_record(row) for row in rows])


def run_duckdb_csv(query: str, path: Path) -> dict[str, float | None]:
    """Run `query` over a view `requests` of the CSV log at `path` (ISO dates, SPEC columns)."""
    types = ", ".join(
        f"'{name}': '{'DATE' if name in _DATE_COLUMNS else 'VARCHAR'}'" for name in COLUMNS
    )
    literal = str(path).replace("'", "''")
    con = duckdb.connect()
    try:
        con.execute(
            f"CREATE VIEW requests AS SELECT * FROM read_csv('{literal}', header = true, "
            f"columns = {{{types}}})"
        )
        return _figures(con.execute(query).fetchall())
    finally:
        con.close()


def _figures(result: list[Any]) -> dict[str, float | None]:
    return {str(metric_id): None if value is None else float(value) for metric_id, value in result}


def run_duckdb(query: str, rows: Sequence[Mapping[str, str]]) -> dict[str, float | None]:
    """Run `query` over a fresh in-memory table `requests` holding `rows`; return id -> value.

    The dict keeps the query's row order, so callers can check the order of the metrics too.
    """
    con = duckdb.connect()
    try:
        load_requests(con, rows)
        return _figures(con.execute(query).fetchall())
    finally:
        con.close()
