"""`--database` and `coopstats sql` from the command line: the same bytes as a file gives, the
config's mappings honoured, --by and --where, and every fault a one-line message."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from oracle import oracle_metrics, oracle_prior_period
from typer.testing import CliRunner

from coopstats import catalogue
from coopstats.catalogue import Figure, Shape, figure_ids
from coopstats.cli import app
from coopstats.model import COLUMNS
from coopstats.sql import DIALECTS, Plan, Span, build_query

duckdb = pytest.importorskip("duckdb")

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "fixtures" / "report-2024.csv"
FORMATS = ("table", "json", "csv", "markdown", "html")
START, END = date(2023, 9, 16), date(2024, 9, 15)
PRIOR = oracle_prior_period(START, END)


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def sqlite_copy(tmp: Path, csv_path: Path, table: str = "requests") -> Path:
    """The CSV as a SQLite table of text columns, headers as they are."""
    import csv

    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    path = tmp / "log.sqlite"
    con = sqlite3.connect(path)
    names = ", ".join('"' + h.replace('"', '""') + '"' for h in rows[0])
    con.execute(f"CREATE TABLE {table} ({names})")
    con.executemany(
        f"INSERT INTO {table} VALUES ({', '.join('?' for _ in rows[0])})", rows[1:]
    )
    con.commit()
    con.close()
    return path


@pytest.fixture(scope="module")
def report_in_postgres(postgres_url: str) -> str:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS court")
        con.execute("DROP TABLE IF EXISTS court.report")
        con.execute(
            "CREATE TABLE court.report (id text, organ text, kind text, origin text, "
            "categories text, sent date, executed date, outcome text)"
        )
        with con.cursor() as cur, cur.copy(
            "COPY court.report FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(REPORT.read_bytes())
    return postgres_url


@pytest.mark.parametrize("command", ["summarize", "compare", "trend"])
def test_every_output_is_the_files_byte_for_byte(
    command: str, tmp_path: Path, report_in_postgres: str
) -> None:
    sqlite = sqlite_copy(tmp_path, REPORT)
    sources = [
        ["--database", f"duckdb:{REPORT}"],
        ["--database", f"sqlite:{sqlite}", "--table", "requests"],
        ["--database", report_in_postgres, "--table", "court.report"],
    ]
    extra = ["-n", "3"] if command == "trend" else []
    for fmt in FORMATS:
        want = invoke(command, str(REPORT), "--period", "2024", "-f", fmt, *extra)
        assert want.exit_code == 0, want.output
        for source in sources:
            got = invoke(command, *source, "--period", "2024", "-f", fmt, *extra)
            assert got.exit_code == 0, got.output
            assert got.stdout == want.stdout, (fmt, source)


def test_the_report_figures_from_postgres(report_in_postgres: str) -> None:
    result = invoke(
        "summarize", "--database", report_in_postgres, "--table", "court.report",
        "--period", "2024", "-f", "json",
    )  # fmt: skip
    figures = {m["id"]: m["value"] for m in json.loads(result.stdout)["metrics"]}
    # SPEC §5: what the 2024 report printed.
    assert figures["otp.rfa.sent"] == 519
    assert figures["otp.rfa.mission_notifications"] == 190
    assert figures["registry.rfc.sent"] == 793
    assert figures["registry.rfc.hq"] == 412
    assert figures["registry.arrest.sent"] == 261
    assert round(figures["otp.rfa.avg_days_to_execute"], 2) == 53.95


CONFIG = """\
[columns]
id = "Request No."
kind = "Type of request"
sent = "Date sent"
[values.kind]
"Request for Assistance" = "RFA"
"Request for Cooperation" = "RFC"
[values.origin]
"Headquarters" = "HQ"
"""


def own_words_log(tmp: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """A log in a database's own words, its config, and the same rows in the SPEC's words."""
    spec_rows = [
        {"id": "A1", "organ": "OTP", "kind": "RFA", "origin": "", "categories": "",
         "sent": "2024-01-10", "executed": "2024-02-01", "outcome": ""},
        {"id": "A2", "organ": "OTP", "kind": "RFA", "origin": "", "categories": "",
         "sent": "2023-01-10", "executed": "", "outcome": ""},
        {"id": "A3", "organ": "Registry", "kind": "RFC", "origin": "HQ",
         "categories": "defence", "sent": "2024-03-01", "executed": "2024-03-11",
         "outcome": "negative"},
        {"id": "A4", "organ": "Registry", "kind": "RFC", "origin": "country-office",
         "categories": "", "sent": "2024-04-01", "executed": "", "outcome": ""},
    ]  # fmt: skip
    words = {"RFA": " Request for assistance ", "RFC": "REQUEST FOR COOPERATION"}
    lines = ["Request No.,organ,Type of request,origin,categories,Date sent,executed,outcome"]
    for r in spec_rows:
        origin = "headquarters\u00a0" if r["origin"] == "HQ" else r["origin"]
        lines.append(",".join([r["id"], r["organ"], words[r["kind"]], origin, r["categories"],
                               r["sent"], r["executed"], r["outcome"]]))  # fmt: skip
    log = tmp / "own.csv"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp / "coopstats.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return log, config, spec_rows


def test_sql_and_database_honour_the_config(tmp_path: Path) -> None:
    log, config, spec_rows = own_words_log(tmp_path)
    want = oracle_metrics(spec_rows, START, END, prior=PRIOR)
    file = invoke("summarize", str(log), "--period", "2024", "--config", str(config), "-f", "json")
    assert file.exit_code == 0, file.output
    got = invoke(
        "summarize", "--database", f"duckdb:{log}", "--period", "2024", "--config", str(config),
        "-f", "json",
    )  # fmt: skip
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["metrics"] == json.loads(file.stdout)["metrics"]
    assert json.loads(got.stdout)["metrics"][0]["value"] == want["otp.rfa.sent"] == 1

    query = invoke("sql", "--period", "2024", "--config", str(config), "--table",
                   f"read_csv('{log}', all_varchar = true)")  # fmt: skip
    assert query.exit_code == 0, query.output
    assert '"Type of request"' in query.stdout and '"Date sent"' in query.stdout
    rows = dict(duckdb.connect().execute(query.stdout).fetchall())
    for metric_id, value in want.items():
        assert (rows[metric_id] is None) == (value is None), metric_id
        if value is not None:
            assert rows[metric_id] == pytest.approx(float(value)), metric_id


def test_sql_takes_column_from_the_command_line(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(REPORT.read_text(encoding="utf-8").replace("sent,", "Date sent,", 1))
    table = f"read_csv('{log}', all_varchar = true)"
    query = invoke("sql", "--period", "2024", "--column", "sent=Date sent", "--table", table)
    rows = dict(duckdb.connect().execute(query.stdout).fetchall())
    assert rows["otp.rfa.sent"] == 519
    assert rows["registry.rfc.hq"] == 412


def by_rows(query: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for group, metric_id, value in duckdb.connect().execute(query).fetchall():
        found.setdefault(group, {})[metric_id] = value
    return found


def oracle_rows() -> list[dict[str, str]]:
    import csv

    with REPORT.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_figures(got: dict[str, Any], want: dict[str, Any]) -> None:
    for metric_id, value in want.items():
        assert (got[metric_id] is None) == (value is None), metric_id
        if value is not None:
            assert got[metric_id] == pytest.approx(float(value)), metric_id


def test_sql_by_groups_requests_by_a_column() -> None:
    table = f"read_csv('{REPORT}', all_varchar = true)"
    query = invoke("sql", "--period", "2024", "--table", table, "--by", "origin")
    assert query.exit_code == 0, query.output
    groups = by_rows(query.stdout)
    rows = oracle_rows()
    def origin(row: dict[str, str]) -> str:
        """The group of --by origin: the SPEC's word, on RFCs only (SPEC §1)."""
        if row["kind"].strip().casefold() != "rfc":
            return ""
        return {"hq": "HQ", "country-office": "country-office"}.get(
            row["origin"].strip().casefold(), ""
        )

    for value in ("HQ", "country-office", ""):
        mine = [r for r in rows if origin(r) == value]
        assert_figures(groups[value], oracle_metrics(mine, START, END, prior=PRIOR))
    # Groups come by the requests sent in the period, most first.
    order = [g for g, *_ in duckdb.connect().execute(query.stdout).fetchall()]
    firsts = list(dict.fromkeys(order))
    sent = [sum(1 for r in rows if origin(r) == g and START <= date.fromisoformat(
        r["sent"].strip()[:10]) <= END) for g in firsts]  # fmt: skip
    assert sent == sorted(sent, reverse=True)


def test_sql_by_categories_counts_a_request_under_each() -> None:
    table = f"read_csv('{REPORT}', all_varchar = true)"
    query = invoke("sql", "--period", "2024", "--table", table, "--by", "categories")
    groups = by_rows(query.stdout)
    # The report's HQ breakdown: each category's group holds its requests.
    assert groups["defence"]["registry.hq.defence"] == 44
    assert groups["judicial-support"]["registry.hq.judicial_support"] == 111
    assert groups["arrest-surrender"]["registry.arrest.sent"] == 261
    assert groups["judicial-support"]["registry.arrest.sent"] == 30  # carried both
    assert groups[""]["registry.rfc.sent"] + sum(
        groups[c]["registry.rfc.sent"] for c in groups if c
    ) > 793  # requests with two categories count twice


def test_sql_where_widens_on_one_column_and_narrows_across() -> None:
    table = f"read_csv('{REPORT}', all_varchar = true)"
    rows = oracle_rows()
    query = invoke("sql", "--period", "2024", "--table", table,
                   "--where", "kind=RFC", "--where", "kind=RFA", "--where", "origin=HQ")
    got = dict(duckdb.connect().execute(query.stdout).fetchall())
    mine = [r for r in rows if r["kind"].strip() in ("RFC", "RFA") and r["origin"].strip() == "HQ"]
    assert_figures(got, oracle_metrics(mine, START, END, prior=PRIOR))
    assert got["registry.rfc.hq"] == 412 and got["registry.rfc.country_office"] == 0


def test_a_figure_added_to_the_catalogue_is_in_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = Figure("registry.rfc.executed", catalogue.SECTION_1, "RFCs executed", Shape.EXECUTED,
                   (catalogue.GROUP["rfc_hq"], catalogue.GROUP["rfc_co"]))  # fmt: skip
    monkeypatch.setattr(catalogue, "FIGURES", (*catalogue.FIGURES, extra))
    query = build_query(start=START, end=END, prior_start=PRIOR[0], prior_end=PRIOR[1],
                        as_of=END, table=f"read_csv('{REPORT}', all_varchar = true)")  # fmt: skip
    rows = dict(duckdb.connect().execute(query).fetchall())
    hq = [r for r in oracle_rows() if r["kind"].strip().lower() == "rfc"]
    executed = sum(
        1 for r in hq if START <= date.fromisoformat(r["sent"].strip()[:10]) <= END
        and r["executed"].strip() and date.fromisoformat(r["executed"].strip()[:10]) <= END
    )
    assert rows["registry.rfc.executed"] == executed


@pytest.mark.parametrize("dialect", ["spark", "sqlserver"])
def test_queries_no_engine_here_runs_parse(dialect: str) -> None:
    sqlglot = pytest.importorskip("sqlglot")
    for by in (None, "categories", "origin"):
        plan = Plan(table="court.requests", windows=(Span(START, END, END),), by=by,
                    where=(("kind", ("RFC",)),), values={"kind": {"Request for X": "RFA"}})
        query = build_query(start=START, end=END, prior_start=PRIOR[0], prior_end=PRIOR[1],
                            as_of=END, dialect=dialect, plan=plan)  # fmt: skip
        read = {"spark": "spark", "sqlserver": "tsql"}[dialect]
        [statement] = sqlglot.parse(query, read=read, error_level=sqlglot.ErrorLevel.RAISE)
        assert statement is not None


def test_spark_runs_the_query_when_pyspark_and_java_are_here(tmp_path: Path) -> None:
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java: the Spark query is only parsed (see test_queries_..._parse)")
    pytest.importorskip("pyspark", reason="no pyspark: the Spark query is only parsed")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]").appName("coopstats")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )  # fmt: skip
    try:
        frame = spark.read.option("header", True).csv(str(REPORT))  # every column as a string
        frame.createOrReplaceTempView("requests")
        query = build_query(start=START, end=END, prior_start=PRIOR[0], prior_end=PRIOR[1],
                            as_of=END, dialect="spark")  # fmt: skip
        rows = {r[0]: r[1] for r in spark.sql(query.rstrip().rstrip(";")).collect()}
    finally:
        spark.stop()
    assert_figures(rows, oracle_metrics(oracle_rows(), START, END, prior=PRIOR))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_lists_the_catalogues_figures(dialect: str) -> None:
    query = build_query(start=START, end=END, prior_start=PRIOR[0], prior_end=PRIOR[1],
                        as_of=END, dialect=dialect)  # fmt: skip
    for figure_id in figure_ids():
        assert f"'{figure_id}'" in query


# -- faults ---------------------------------------------------------------------------------


def test_strict_makes_rows_left_out_an_error(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(REPORT.read_text(encoding="utf-8") + "X1,OTP,RFQ,,,2024-01-01,,\n")
    common = ["summarize", "--database", f"duckdb:{log}", "--period", "2024"]
    loose = invoke(*common, "-f", "json")
    assert loose.exit_code == 0
    assert "1 of 2,7" in loose.stderr or "1 of " in loose.stderr
    assert "a kind outside the vocabulary" in loose.stderr
    strict = invoke(*common, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.count("\n") == 1 and "cannot be counted" in strict.stderr


def test_a_missing_driver_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = invoke("summarize", "--database", "postgresql://me@localhost/court", "--table",
                    "requests", "--period", "2024")  # fmt: skip
    assert result.exit_code == 2
    assert "pip install 'coopstats[postgres]'" in result.stderr
    monkeypatch.setitem(sys.modules, "duckdb", None)
    result = invoke("summarize", "--database", f"duckdb:{REPORT}", "--period", "2024")
    assert result.exit_code == 2
    assert "pip install 'coopstats[duckdb]'" in result.stderr


def test_a_connection_error_is_one_line_without_the_password(postgres_url: str) -> None:
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    url = f"postgresql://coop:s3cret-pw@127.0.0.1:{port}/no_such_db"
    result = invoke("summarize", "--database", url, "--table", "t", "--period", "2024")
    assert result.exit_code == 2
    assert "s3cret-pw" not in result.output
    assert "***" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database", "oracle:x"], "unknown kind of database"),
        (["--database", "sqlite:/no/such.db", "--table", "t"], "no such file"),
        (["--database", "sqlite:{db}"], "name the table too"),
        (["--database", "sqlite:{db}", "--table", "nope"], "cannot read it"),
        (["--database", "sqlite:{db}", "--table", "t; DROP TABLE t"], "may not contain"),
        (["{log}", "--database", "sqlite:{db}", "--table", "requests"], "not both"),
        ([], "give the LOG"),
        (["--database", "sqlite:{db}", "--table", "requests", "--column", "kind=Type"],
         "no column 'Type'"),
        (["--database", "sqlite:{db}", "--table", "requests", "--days", "working"],
         "needs a LOG"),
    ],
)
def test_usage_faults_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    db = sqlite_copy(tmp_path, REPORT)
    filled = [a.format(db=db, log=REPORT) for a in args]
    result = invoke("summarize", *filled, "--period", "2024")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_a_table_missing_a_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id, organ, sent)")
    con.commit()
    con.close()
    result = invoke("summarize", "--database", f"sqlite:{path}", "--table", "t", "-p", "2024")
    assert result.exit_code == 2
    assert "no column 'kind'" in result.stderr and "id, organ, sent" in result.stderr


def test_missing_optional_columns_are_said(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id, organ, kind, sent)")
    con.execute("INSERT INTO t VALUES ('1', 'OTP', 'RFA', '2024-01-01')")
    con.commit()
    con.close()
    result = invoke("summarize", "--database", f"sqlite:{path}", "--table", "t", "-p", "2024",
                    "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metrics"][0]["value"] == 1
    assert "no 'executed' column: every request is pending" in result.stderr


def test_words_of_date_columns_and_words_onto_empty(tmp_path: Path, postgres_url: str) -> None:
    import psycopg

    config = tmp_path / "c.toml"
    config.write_text(
        '[values.executed]\n"not executed" = ""\n"same day" = "2024-01-10"\n'
        '[values.outcome]\n"Pending" = ""\n',
        encoding="utf-8",
    )
    log = tmp_path / "log.csv"
    log.write_text(
        "id,organ,kind,origin,categories,sent,executed,outcome\n"
        "1,OTP,RFA,,,2024-01-10,Not Executed ,pending\n"
        "2,OTP,RFA,,,2024-01-10,SAME DAY,\n"
        "3,OTP,RFA,,,2024-01-10,2024-01-20,\n",
        encoding="utf-8",
    )
    common = ["--period", "2024", "--config", str(config), "-f", "json"]
    file = invoke("summarize", str(log), *common)
    assert file.exit_code == 0, file.output
    sqlite = sqlite_copy(tmp_path, log)
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS worded")
        con.execute(f"CREATE TABLE worded ({', '.join(c + ' text' for c in COLUMNS)})")
        with con.cursor() as cur, cur.copy("COPY worded FROM STDIN WITH (FORMAT csv, HEADER)") as c:
            c.write(log.read_bytes())
    for source in (["--database", f"duckdb:{log}"],
                   ["--database", f"sqlite:{sqlite}", "--table", "requests"],
                   ["--database", postgres_url, "--table", "worded"]):  # fmt: skip
        got = invoke("summarize", *source, *common)
        assert got.exit_code == 0, got.output
        assert json.loads(got.stdout)["metrics"] == json.loads(file.stdout)["metrics"]
    figures = {m["id"]: m["value"] for m in json.loads(file.stdout)["metrics"]}
    assert figures["otp.rfa.executed"] == 2  # 2 on its sent day, 3 ten days later
    assert figures["otp.rfa.avg_days_to_execute"] == 5


@pytest.mark.parametrize("column", ["origin", "kind", "categories", "organ"])
def test_sql_by_gives_summarize_by_groups(column: str, tmp_path: Path) -> None:
    """The query's GROUP BY, run in DuckDB, against `summarize --by` on the same file: the same
    groups, each with the same figures (SPEC §6, §10). The log's cells are mangled in case and
    spaces so that both must trim and fold alike."""
    text = REPORT.read_text(encoding="utf-8").splitlines()
    mangled = [text[0]] + [
        line.replace(",HQ,", ", hq ,").replace(",OTP,", ",otp,") if n % 3 == 0 else line
        for n, line in enumerate(text[1:])
    ]
    log = tmp_path / "mangled.csv"
    log.write_text("\n".join(mangled) + "\n", encoding="utf-8")
    summary = invoke("summarize", str(log), "--period", "2024", "--by", column, "-f", "json")
    assert summary.exit_code == 0, summary.output
    by_file = {
        g["value"]: {m["id"]: m["value"] for m in g["metrics"]}
        for g in json.loads(summary.stdout)["groups"]
    }
    table = f"read_csv('{log}', all_varchar = true)"
    query = invoke("sql", "--period", "2024", "--table", table, "--by", column)
    assert query.exit_code == 0, query.output
    by_sql = by_rows(query.stdout)
    assert set(by_sql) == set(by_file)
    for group, figures in by_file.items():
        assert_figures(by_sql[group], figures)


@pytest.mark.parametrize(
    "extra",
    [
        ["--against", "2024-01-01:2024-12-31", "--as-of", "2025-06-30"],  # overlaps, later
        ["--against", "2024-09-16:2025-09-15", "--as-of", "2025-12-31"],  # the next year
        ["--against", "2020-01-01:2020-01-31"],  # before the log
    ],
)
def test_against_any_period_and_a_later_as_of_give_the_files_figures(extra: list[str]) -> None:
    for command in ("summarize", "compare"):
        want = invoke(command, str(REPORT), "--period", "2024", *extra, "-f", "json")
        got = invoke(command, "--database", f"duckdb:{REPORT}", "--period", "2024", *extra,
                     "-f", "json")  # fmt: skip
        assert want.exit_code == 0 and got.exit_code == 0, got.output
        assert json.loads(got.stdout)["metrics"] == json.loads(want.stdout)["metrics"]


def test_the_database_file_is_never_an_output(tmp_path: Path) -> None:
    db = sqlite_copy(tmp_path, REPORT)
    before = db.read_bytes()
    result = invoke("summarize", "--database", f"sqlite:{db}", "--table", "requests",
                    "--period", "2024", "-o", str(db))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert db.read_bytes() == before


STATES = ("France", " france ", "FRANCE", "", "Kenya\u00a0", "\tKenya", "Mali", "Peru")


def with_states(tmp: Path) -> Path:
    """The report's log with a `Requested State` column of messy cells (spaces, case, blank),
    and its vocabulary cells mangled in case and spaces on every third row."""
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",Requested State"]
    for n, line in enumerate(lines[1:]):
        if n % 3 == 0:
            line = line.replace(",HQ,", ", hq ,").replace(",OTP,", ",otp,")
        out.append(f"{line},{STATES[n * 7 % len(STATES)]}")
    path = tmp / "states.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def postgres_copy(url: str, csv_path: Path, table: str, dates: str) -> str:
    import psycopg

    header = csv_path.read_text(encoding="utf-8").splitlines()[0].split(",")
    kinds = {"sent": dates, "executed": dates}
    columns = ", ".join('"' + h + '" ' + kinds.get(h, "text") for h in header)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({columns})")
        with con.cursor() as cur, cur.copy(
            f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(csv_path.read_bytes())
    return table


@pytest.mark.parametrize("command", ["summarize", "compare", "trend"])
def test_by_and_where_with_a_database_print_the_files_outputs(
    command: str, tmp_path: Path, postgres_url: str
) -> None:
    """--by and --where on PostgreSQL (DATE and TEXT tables), DuckDB and SQLite print what the
    file prints: the same groups in the same order (the blank one too), the same figures, the
    same --where caption and warning of a value that matches no request (SPEC §6)."""
    log = with_states(tmp_path)
    sources = [
        ["--database", f"duckdb:{log}"],
        ["--database", f"sqlite:{sqlite_copy(tmp_path, log)}", "--table", "requests"],
        *(["--database", postgres_url, "--table", postgres_copy(postgres_url, log, t, t)]
          for t in ("date", "text")),
    ]  # fmt: skip
    extra = ["-n", "2"] if command == "trend" else []
    runs = [
        ["--by", "Requested State"],
        ["--by", "categories"],
        # One column spelt two ways: either value (a value no request has is warned of).
        ["--by", "origin", "--where", "requested state=France",
         "--where", "Requested State=Atlantis"],  # fmt: skip
        ["--by", "Requested State", "--where", "kind=rfc", "--where", "categories=defence"],
    ]
    for args in runs:
        for fmt in ("table", "json", "csv"):
            want = invoke(command, str(log), "--period", "2024", "-f", fmt, *extra, *args)
            assert want.exit_code == 0, want.output
            if fmt == "json" and "--by" in args:
                groups = json.loads(want.stdout)["groups"]
                assert len(groups) > 2, args  # a breakdown, not one group
            warned = [line for line in want.stderr.splitlines() if "--where" in line]
            for source in sources:
                got = invoke(command, *source, "--period", "2024", "-f", fmt, *extra, *args)
                assert got.exit_code == 0, got.output
                assert got.stdout == want.stdout, (fmt, args, source)
                assert [line for line in got.stderr.splitlines() if "--where" in line] == warned
        assert "Atlantis" not in args or any("Atlantis" in line for line in warned)
