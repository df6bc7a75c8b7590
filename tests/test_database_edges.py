"""--database at the edges a new user met: a TIMESTAMPTZ read in the client's time zone, a
password the masking missed, the config left out of the JSON, and --strict's wording.

Every expected figure is counted by hand from the few rows each test writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coopstats.cli import app
from coopstats.database import mask

duckdb = pytest.importorskip("duckdb")
runner = CliRunner()

# Three OTP RFAs, by hand in the 2024 period (2023-09-16 to 2024-09-15), UTC:
# A sent on the period's last day at 23:59:59 UTC (in, and in Tokyo already the next day: out);
# B sent 2024-09-01, executed 2024-09-15 at 20:00 UTC (14 days; in Tokyo the 16th: 15 days);
# C sent 2023-09-15 at 16:00 UTC (before the period; in Tokyo already the 16th: in).
ROWS = [
    ("A", "2024-09-15 23:59:59+00", None),
    ("B", "2024-09-01 00:00:00+00", "2024-09-15 20:00:00+00"),
    ("C", "2023-09-15 16:00:00+00", None),
]


def figures(out: str) -> dict[str, Any]:
    return {m["id"]: m["value"] for m in json.loads(out)["metrics"]}


def duckdb_table(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE req (id TEXT, organ TEXT, kind TEXT, origin TEXT, categories TEXT, "
        "sent TIMESTAMPTZ, executed TIMESTAMPTZ, outcome TEXT)"
    )
    for rid, sent, executed in ROWS:
        con.execute(
            "INSERT INTO req VALUES (?, 'OTP', 'RFA', NULL, NULL, ?, ?, NULL)",
            [rid, sent, executed],
        )
    con.close()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_a_timestamptz_is_read_as_its_date_in_utc_whatever_the_clients_zone(
    tmp_path: Path, zone: str
) -> None:
    path = tmp_path / "log.duckdb"
    duckdb_table(path)
    env = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-m", "coopstats", "summarize", "--database", f"duckdb:{path}",
         "--table", "req", "--period", "2024", "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = figures(done.stdout)
    assert got["otp.rfa.sent"] == 2  # A and B
    assert got["otp.rfa.executed"] == 1  # B
    assert got["otp.rfa.avg_days_to_execute"] == 14


def test_a_timestamptz_in_postgresql_ignores_pgtz(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS tz_req")
        con.execute(
            "CREATE TABLE tz_req (id text, organ text, kind text, origin text, categories "
            "text, sent timestamptz, executed timestamptz, outcome text)"
        )
        for rid, sent, executed in ROWS:
            con.execute(
                "INSERT INTO tz_req VALUES (%s, 'OTP', 'RFA', NULL, NULL, %s, %s, NULL)",
                (rid, sent, executed),
            )
    monkeypatch.setenv("PGTZ", "Asia/Tokyo")
    result = runner.invoke(app, ["summarize", "--database", postgres_url, "--table", "tz_req",
                                 "--period", "2024", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    got = figures(result.stdout)
    assert (got["otp.rfa.sent"], got["otp.rfa.executed"]) == (2, 1)
    assert got["otp.rfa.avg_days_to_execute"] == 14


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("postgresql://coop:qx7/zv9@127.0.0.1:1/court", "qx7/zv9"),
        ("postgresql://coop:qx7/zv9@wk4@127.0.0.1:1/court", "qx7/zv9@wk4"),
        ("postgresql://coop:qx7:zv9@127.0.0.1:1/court", "qx7:zv9"),
        ("postgresql://coop:s3cret@127.0.0.1:1/court", "s3cret"),
    ],
)
def test_a_password_is_never_shown_however_it_is_written(url: str, secret: str) -> None:
    assert secret not in mask(url)
    assert "***" in mask(url)
    result = runner.invoke(app, ["summarize", "--database", url, "--table", "nope",
                                 "--period", "2024"])  # fmt: skip
    assert result.exit_code == 2
    assert secret not in result.output
    for piece in secret.replace("@", "/").replace(":", "/").split("/"):
        assert piece not in result.output


def sqlite_log(folder: Path) -> Path:
    path = folder / "log.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE req (id, organ, kind, origin, categories, sent, executed, outcome)")
    con.executemany(
        "INSERT INTO req VALUES (?, 'OTP', 'RFA', '', '', ?, '', '')",
        [("A", "2024-01-10"), ("B", "2024-02-10"), ("C", "2024-13-45")],  # C: no date
    )
    con.commit()
    con.close()
    return path


def test_the_json_names_the_config_found_on_the_database_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sqlite_log(tmp_path)
    (tmp_path / "coopstats.toml").write_text('[values.kind]\n"RFA" = "RFA"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["summarize", "--database", f"sqlite:{path.name}", "--table", "req", "--period", "2024"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["config"] == "./coopstats.toml"
    assert figures(result.stdout)["otp.rfa.sent"] == 2  # C's date cannot be read: left out


def test_strict_says_no_figures_were_printed(tmp_path: Path) -> None:
    path = sqlite_log(tmp_path)
    result = runner.invoke(app, ["summarize", "--database", f"sqlite:{path}", "--table", "req",
                                 "--period", "2024", "--strict"])  # fmt: skip
    assert result.exit_code == 1
    assert "1 of 3 row(s) cannot be counted" in result.output
    assert "no figures printed (--strict)" in result.output
    assert "the figures are those of the other rows" not in result.output
