"""Time the database path: the counts query where the data lives, beside `summarize` on the CSV.

    python benchmarks/databases.py [--sizes 1M,5M] [--repeat 3] [--postgres URL]

For each size the generated log (generate.py, fixed seed) is loaded into a DuckDB file and into
PostgreSQL (a private server started as the tests start theirs, unless --postgres names one), as
a table with DATE columns and as a TEXT staging table. Reported, the median of --repeat runs:

- query: the counts query alone, as `--database` runs it (same connection settings), in-process;
- summarize --database: the whole command in a child process, start-up and rendering included;
- summarize CSV: `coopstats summarize` on the CSV, for comparison.

The figures of every `--database` run are checked against the CSV's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from children import DATA, PERIOD, SIZES, coopstats_command, parse_sizes, run_child
from generate import write_log

from coopstats.database import Database, plan_of
from coopstats.model import COLUMNS, Period
from coopstats.periods import prior_period
from coopstats.sql import Span, counts_query

HERE = Path(__file__).resolve().parent
CURRENT = Period(date(2023, 9, 16), date(2024, 9, 15))
TYPES = {"DATE": "date", "TEXT": "text"}


def query_seconds(url: str, table: str | None, repeat: int) -> float:
    """The median time of the counts query alone, run as --database runs it."""
    prior = prior_period(CURRENT)
    database = Database(url, table)
    try:
        plan = plan_of(database, (Span(*CURRENT, CURRENT.end), Span(*prior, prior.end)))
        query = counts_query(plan, database.dialect)
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            database.run(query)
            times.append(time.perf_counter() - began)
        return statistics.median(times)
    finally:
        database.close()


def duckdb_file(csv: Path, kind: str) -> Path:
    import duckdb

    path = csv.with_name(f"{csv.stem}-{kind.lower()}.duckdb")
    if not path.exists():
        dates = "DATE" if kind == "DATE" else "VARCHAR"
        types = {c: dates if c in ("sent", "executed") else "VARCHAR" for c in COLUMNS}
        con = duckdb.connect(str(path))
        con.execute(
            f"CREATE TABLE requests AS SELECT * FROM read_csv('{csv}', header = true, "
            f"columns = {types!r})"
        )
        con.close()
    return path


def postgres_table(url: str, csv: Path, label: str, kind: str) -> str:
    import psycopg

    table = f"log_{label.lower()}_{kind.lower()}"
    with psycopg.connect(url, autocommit=True) as con:
        exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
        if exists and exists[0]:
            return table
        dates = "date" if kind == "DATE" else "text"
        con.execute(
            f"CREATE TABLE {table} (id text, organ text, kind text, origin text, categories text, "
            f"sent {dates}, executed {dates}, outcome text)"
        )
        with con.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as cp:
            with csv.open("rb") as handle:
                while block := handle.read(1 << 20):
                    cp.write(block)
        con.execute(f"VACUUM ANALYZE {table}")
    return table


@contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    if url is not None:
        yield url
        return
    sys.path.insert(0, str(HERE.parent / "tests"))
    try:
        from pg import NoServer, private_server
    except ImportError:
        yield None
        return
    try:
        with private_server() as started:
            yield started
    except NoServer as reason:
        print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
        yield None


def figures(stdout: str) -> list[object]:
    return [m["value"] for m in json.loads(stdout)["metrics"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1M,5M", help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--postgres", help="a server to load the logs into (default: private)")
    args = parser.parse_args()
    measure(parse_sizes(args.sizes), args.repeat, args.postgres)


def measure(sizes: list[tuple[str, int]], repeat: int, url: str | None = None) -> None:
    coopstats = coopstats_command()
    if coopstats is None:
        raise SystemExit("coopstats is not installed")
    print("| rows | engine | table | query s | summarize --database s | summarize CSV s |")
    print("|---:|---|---|---:|---:|---:|")
    with postgres(url) as server:
        for label, n in sizes:
            csv = DATA / f"log-{label}.csv"
            if not csv.exists():
                print(f"writing {csv} ...", file=sys.stderr)
                write_log(n, csv)
            summarize = [*coopstats, "summarize", "--period", PERIOD, "--format", "json"]
            file_runs = [run_child([*summarize[:2], str(csv), *summarize[2:]])
                         for _ in range(repeat)]  # fmt: skip
            file_s = statistics.median(r.seconds for r in file_runs)
            want = figures(file_runs[-1].stdout)
            sources: list[tuple[str, str, str, str | None]] = [
                ("DuckDB", kind, f"duckdb:{duckdb_file(csv, kind)}", "requests") for kind in TYPES
            ]
            sources.append(("DuckDB", "CSV in place", f"duckdb:{csv}", None))
            if server is not None:
                sources += [
                    ("PostgreSQL", kind, server, postgres_table(server, csv, label, kind))
                    for kind in TYPES
                ]
            for engine, kind, target, table in sources:
                query_s = query_seconds(target, table, repeat)
                command = [*summarize[:2], "--database", target, *summarize[2:]]
                if table is not None:
                    command += ["--table", table]
                runs = [run_child(command) for _ in range(repeat)]
                if figures(runs[-1].stdout) != want:
                    raise SystemExit(f"{label} {engine} {kind}: the figures differ from the CSV's")
                whole = statistics.median(r.seconds for r in runs)
                print(
                    f"| {label} | {engine} | {kind} | {query_s:.3f} | {whole:.2f} | {file_s:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
