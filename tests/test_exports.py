"""Reading an export as a case database writes it (SPEC §8): title rows, `values`, `init`,
problems grouped, and the progress bar of long reads.

The export is built here from requests in the SPEC's words (fixtures/make_export_fixtures.py),
so every count and figure is checked against those requests: the counts by counting them, the
figures by the tests' oracle (tests/oracle.py), never by the program's own output.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import os
import pty
import subprocess
import sys
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest
from oracle import oracle_metrics
from typer.testing import CliRunner

from coopstats.cli import app
from coopstats.exports import guess_word
from coopstats.grouping import group_problems
from coopstats.model import Problem
from coopstats.read.header import find_header, guess_column, guess_header

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
START, END = date(2023, 9, 16), date(2024, 9, 15)


def _fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_export_fixtures", ROOT / "fixtures" / "make_export_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fx = _fixtures()
ROWS: list[dict[str, str]] = fx.database_requests(600)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    text = folder / "export.csv"
    text.write_text(fx.database_csv(ROWS), encoding="utf-8", newline="")
    book = folder / "export.xlsx"
    fx.database_xlsx(ROWS, book)
    return {"csv": text, "xlsx": book}


def invoke(*args: object, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run the CLI (in `cwd`, where a coopstats.toml is found): status, stdout, stderr."""
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args])
    finally:
        os.chdir(before)
    return result.exit_code, result.stdout, result.stderr


# --- names -----------------------------------------------------------------------------------

HEADER_NAMES = {
    "sent": ("Date of transmission", "Date sent", "Transmitted on", "Sent on", "Date of request"),
    "executed": ("Date of execution", "Date of reply", "Executed on", "Closed", "Date closed",
                 "Reply date"),
    "outcome": ("Result", "Status", "Outcome", "Reply"),
    "id": ("Request No.", "Reference", "Ref", "Request ID", "No."),
    "kind": ("Type of request", "Request type", "Type"),
    "organ": ("Organ", "Requesting organ", "Office"),
    "origin": ("Origin", "Sent by", "Section"),
    "categories": ("Category", "Categories", "Purpose"),
}


@pytest.mark.parametrize(
    ("canonical", "title"),
    [(canonical, title) for canonical, titles in HEADER_NAMES.items() for title in titles],
)
def test_each_usual_header_names_its_column(canonical: str, title: str) -> None:
    for spelling in (title, title.upper(), f"  {title.lower()} ", title.replace(" ", "_")):
        guess = guess_column(spelling)
        assert guess is not None and guess.name == canonical, spelling


def test_headers_close_to_a_usual_name_are_guessed_and_others_are_not() -> None:
    assert guess_column("Date of transmision").name == "sent"  # type: ignore[union-attr]
    assert guess_column("Date of executon").name == "executed"  # type: ignore[union-attr]
    assert guess_column("Comments") is None
    assert guess_column("Country") is None


WORDS = {
    "kind": {
        "Request for Assistance": "RFA", "Request for assistance (RFA)": "RFA",
        "Notification of mission": "mission-notification", "Request for information": "RFI",
        "Request for cooperation": "RFC", "Notification of decision": "decision-notification",
        "Notification of order": "decision-notification",
    },
    "organ": {"Office of the Prosecutor": "OTP", "Registry": "Registry"},
    "origin": {"Headquarters": "HQ", "HQ": "HQ", "Country Office": "country-office",
               "Field office": "country-office"},
    "outcome": {
        "Executed – positive": "positive", "Positive": "positive", "Granted": "positive",
        "Complied": "positive", "Executed – negative": "negative", "Negative": "negative",
        "Refused": "negative", "Denied": "negative", "Pending": "", "Open": "",
        "Ongoing": "", "In progress": "",
    },
    "categories": {
        "Defence": "defence", "Defense": "defence", "Victims": "victims", "LRV": "victims",
        "Witness protection": "witness-protection", "Judicial support": "judicial-support",
        "Arrest and surrender": "arrest-surrender", "Arrest": "arrest-surrender",
    },
}


@pytest.mark.parametrize(
    ("column", "word", "spec"),
    [(column, word, spec) for column, words in WORDS.items() for word, spec in words.items()],
)
def test_each_usual_word_is_placed(column: str, word: str, spec: str) -> None:
    guess = guess_word(column, word)
    assert guess is not None and guess.name == spec


def test_words_no_table_knows_are_placed_by_initials_or_telling_words_or_not_at_all() -> None:
    assert guess_word("kind", "Req. for Information").name == "RFI"  # type: ignore[union-attr]
    assert guess_word("outcome", "Partially refused").name == "negative"  # type: ignore[union-attr]
    assert guess_word("kind", "Miscellaneous") is None
    assert guess_word("origin", "Other") is None


# --- the header below title rows ---------------------------------------------------------------

SPEC_HEADER = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"]


def test_find_header_takes_the_first_row_naming_every_required_column() -> None:
    titles = [["Requests"], ["exported 2024-10-01", ""]]
    assert find_header([SPEC_HEADER, ["1", "OTP"]], ("id", "sent"), {}) == 0
    assert find_header([*titles, SPEC_HEADER], ("id", "sent"), {}) == 2
    mapped = {"id": "Request No.", "sent": "Date sent"}
    assert find_header([*titles, ["Request No.", "DATE SENT "]], ("id", "sent"), mapped) == 2
    # The header is looked for in the first 21 rows only (SPEC §8: the next 20).
    assert find_header([*[["t"]] * 20, SPEC_HEADER], ("id",), {}) == 20
    assert find_header([*[["t"]] * 21, SPEC_HEADER], ("id",), {}) is None


def test_guess_header_finds_a_header_in_a_databases_words() -> None:
    rows = [["Court requests", "", ""], ["", "", ""], list(fx.DB_HEADER), ["ICC-1", "Registry"]]
    assert guess_header(rows, {}) == 2
    assert guess_header([["Title"], ["a", "b", "c"], ["d", "e", "f"]], {}) == 1


def test_title_rows_of_a_csv_are_passed_over_with_a_note(tmp_path: Path) -> None:
    # A title line without any delimiter, one with a comma, then the `;` header: line numbers
    # in messages stay the file's own.
    path = tmp_path / "log.csv"
    header = ";".join(SPEC_HEADER)
    path.write_text(
        f"Requests of the Court\nexported 2024-10-01, by the database\n{header}\n"
        "R-1;OTP;RFA;;;2023-10-02;;\nR-2;OTP;RFX;;;2023-10-03;;\n",
        encoding="utf-8",
    )
    status, out, err = invoke("validate", path, "--format", "json")
    assert status == 1
    assert "note: " in err and "the header is on line 3; lines 1-2 are left out" in err
    problems = json.loads(out)["problems"]
    assert [(p["line"], p["value"]) for p in problems] == [(5, "RFX")]
    quiet = invoke("validate", path, "--format", "json", "--quiet")
    assert quiet[0] == 1 and "note:" not in quiet[2]


def test_header_row_sets_the_header(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    header = ",".join(SPEC_HEADER)
    # The title row names every column too: only --header-row can pass it over.
    path.write_text(f"{header}\n\n{header}\nR-1,OTP,RFA,,,2023-10-02,,\n", encoding="utf-8")
    status, out, err = invoke("summarize", path, "--period", "2024", "--format", "json",
                              "--header-row", "3")  # fmt: skip
    assert status == 0, err
    assert {m["id"]: m["value"] for m in json.loads(out)["metrics"]}["otp.rfa.sent"] == 1
    assert "note:" not in err  # the user said where the header is
    status, _, err = invoke("summarize", path, "--period", "2024", "--header-row", "2")
    assert status == 1 and "--header-row 2" in err and "no row starts on line 2" in err


def test_title_rows_of_a_workbook_are_passed_over(exports: dict[str, Path]) -> None:
    status, out, err = invoke("values", exports["xlsx"], "--format", "json")
    assert status == 0, err
    assert json.loads(out)["header_line"] == 3
    assert "the header is on row 3; rows 1-2 are left out" in err


# --- values ------------------------------------------------------------------------------------


def expected_counts() -> dict[str, Counter[str]]:
    """The export's words per header, counted from the requests as the fixture writes them."""
    counts: dict[str, Counter[str]] = {title: Counter() for title in fx.DB_HEADER}
    for n, row in enumerate(ROWS):
        cells = fx.database_cells(row, n)
        for title, cell in zip(fx.DB_HEADER, cells, strict=True):
            if title == "Purpose":
                for piece in str(cell).split(";"):
                    if piece.strip():
                        counts[title][piece.strip()] += 1
            elif str(cell).strip():
                counts[title][str(cell).strip()] += 1
    return counts


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_values_counts_every_word_of_the_export(exports: dict[str, Path], kind: str) -> None:
    status, out, err = invoke("values", exports[kind], "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert doc["rows"] == len(ROWS) and doc["missing"] == []
    columns = {c["header"]: c for c in doc["columns"]}
    expected = expected_counts()
    placed = {c["header"]: c["canonical"] for c in doc["columns"]}
    assert placed == dict(zip(fx.DB_HEADER, [*SPEC_HEADER, None, None], strict=True))
    for title in ("Requesting organ", "Type of request", "Sent by", "Purpose", "Result",
                  "Country"):  # fmt: skip
        got = {v["value"]: v["count"] for v in columns[title]["values"]}
        assert got == dict(expected[title]), title
    kinds = {v["value"]: v for v in columns["Type of request"]["values"]}
    assert not kinds["Request for Assistance"]["understood"]
    assert kinds["Request for Assistance"]["closest"] == "RFA"
    organs = {v["value"]: v for v in columns["Requesting organ"]["values"]}
    assert organs["Registry"]["understood"] and organs["Registry"]["means"] == "Registry"
    outcomes = {v["value"]: v["closest"] for v in columns["Result"]["values"]}
    assert outcomes == {"Pending": "", "Executed – positive": "positive",
                        "Executed – negative": "negative"}
    # Dates: every sent cell reads; the executed column's "not executed" cells do not.
    sent, executed = columns["Date of transmission"]["dates"], columns["Date of execution"]["dates"]
    assert sent["parsed"] == len(ROWS) and sent["not_dates"] == 0 and sent["order"] == "day"
    done = sum(1 for r in ROWS if r["executed"])
    not_executed = expected["Date of execution"][fx.DB_NOT_EXECUTED]
    assert not_executed > 0
    assert executed["parsed"] == done and executed["not_dates"] == not_executed
    assert executed["examples"] == [{"value": fx.DB_NOT_EXECUTED, "count": not_executed}]
    assert columns["Notes"]["role"] == "extra"


def test_values_caps_the_values_of_extra_columns_and_has_table_and_csv(
    exports: dict[str, Path],
) -> None:
    status, out, _ = invoke("values", exports["csv"], "--format", "json", "--max-values", "5")
    assert status == 0
    country = next(c for c in json.loads(out)["columns"] if c["header"] == "Country")
    counts = expected_counts()["Country"]
    assert len(country["values"]) == 5 and country["more_values"] == len(counts) - 5
    shown = sum(v["count"] for v in country["values"])
    assert country["more_rows"] == len(ROWS) - shown
    status, out, _ = invoke("values", exports["csv"], "--max-values", "5")
    assert status == 0 and "and 7 more values" in out and "Request for Assistance" in out
    assert "RFA? (a usual name)" in out
    status, out, _ = invoke("values", exports["csv"], "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    rfa = next(r for r in rows if r["value"] == "Request for Assistance")
    assert rfa["column"] == "Type of request" and rfa["understood"] == "false"
    assert int(rfa["count"]) == expected_counts()["Type of request"]["Request for Assistance"]


def test_values_as_a_page(exports: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "values.html"
    status, out, _ = invoke("values", exports["xlsx"], "-o", page)
    assert status == 0 and out == ""
    html = page.read_text(encoding="utf-8")
    assert "<table" in html and "Request for Assistance" in html and "Type of request" in html


def test_values_says_what_the_config_maps(exports: dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('[values.kind]\n"Request for Assistance" = "RFA"\n', encoding="utf-8")
    _, out, _ = invoke("values", exports["csv"], "--format", "json", "--config", config)
    kind = next(c for c in json.loads(out)["columns"] if c["canonical"] == "kind")
    words = {v["value"]: v for v in kind["values"]}
    assert words["Request for Assistance"]["understood"]
    assert words["Request for Assistance"]["means"] == "RFA"
    assert not words["Request for cooperation"]["understood"]


# --- init --------------------------------------------------------------------------------------


def oracle(rows: list[dict[str, str]]) -> dict[str, int | Fraction | None]:
    return oracle_metrics(rows, START, END)


def same(got: float | None, want: int | Fraction | None) -> bool:
    if want is None or got is None:
        return got is want
    return math.isclose(got, float(want), rel_tol=1e-9)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_init_output_unedited_gives_the_oracles_figures(
    exports: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    status, text, err = invoke("init", exports[kind])
    assert status == 0, err
    assert "# review:" in text
    (tmp_path / "coopstats.toml").write_text(text, encoding="utf-8")
    status, out, err = invoke(
        "summarize", exports[kind], "--period", "2024", "--format", "json", cwd=tmp_path
    )
    assert status == 0, err
    got = {m["id"]: m["value"] for m in json.loads(out)["metrics"]}
    want = oracle(ROWS)
    assert want["otp.rfa.sent"] and want["registry.arrest.sent"]  # the export is not trivial
    assert [i for i in want if not same(got[i], want[i])] == []


def test_init_writes_a_file_only_when_asked_and_never_over_one(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "coopstats.toml"
    status, out, _ = invoke("init", exports["csv"], "-o", target)
    assert status == 0 and out == "" and "[columns]" in target.read_text(encoding="utf-8")
    target.write_text("# mine\n", encoding="utf-8")
    status, _, err = invoke("init", exports["csv"], "-o", target)
    assert status == 2 and "exists" in err and target.read_text(encoding="utf-8") == "# mine\n"
    status, _, _ = invoke("init", exports["csv"], "-o", target, "--force")
    assert status == 0 and "[values.kind]" in target.read_text(encoding="utf-8")


def test_init_lists_the_words_it_cannot_place(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "Ref,Organ,Type,Date sent\nA-1,OTP,Miscellaneous,2023-10-02\nA-2,OTP,RFA,2023-10-02\n",
        encoding="utf-8",
    )
    status, text, _ = invoke("init", path)
    assert status == 0
    assert 'id = "Ref"  # review:' in text and 'kind = "Type"  # review:' in text
    assert '# "Miscellaneous" (1 row): not placed' in text
    assert "# origin: no column found" in text


# --- problems grouped --------------------------------------------------------------------------


def test_problems_alike_are_grouped_with_their_count_and_first_lines() -> None:
    alike = [Problem(n, "Type", "Request for Assistance", "not a known kind", "unknown-kind")
             for n in (4, 5, 9, 11, 12, 13, 15, 16, 20)]
    other = Problem(6, "Organ", "X", "not a known organ", "unknown-organ")
    groups = group_problems([alike[0], other, *alike[1:]])
    assert [(g.problem.line, g.size) for g in groups] == [(4, 9), (6, 1)]
    text = groups[0].describe("log.csv")
    assert text == (
        "log.csv: column 'Type': 'Request for Assistance' is not a kind word, on 9 rows "
        "(lines 4, 5, 9, 11, 12, 13, 15, 16, …); map it in [values.kind] of coopstats.toml, or "
        "run 'coopstats init'"
    )
    assert groups[1].describe("log.csv") == other.describe("log.csv")


def test_an_unmapped_export_says_each_unknown_word_once(exports: dict[str, Path]) -> None:
    columns = [f"--column={c}={t}" for c, t in zip(SPEC_HEADER, fx.DB_HEADER, strict=False)]
    status, _, err = invoke("summarize", exports["csv"], "--period", "2024", *columns)
    assert status == 1
    rfa = sum(1 for r in ROWS if r["kind"] == "RFA")
    assert (f"column 'Type of request': 'Request for Assistance' is not a kind word, on "
            f"{rfa} rows (lines ") in err
    assert err.count("Request for Assistance") == 1
    assert "map it in [values.kind] of coopstats.toml, or run 'coopstats init'" in err
    limited = invoke("summarize", exports["csv"], "--period", "2024", *columns,
                     "--max-problems", "2")[2]  # fmt: skip
    assert len([line for line in limited.splitlines() if "is not a" in line]) == 2
    assert "more problem(s)" in limited


def test_validate_groups_problems_and_never_wraps_a_code(exports: dict[str, Path]) -> None:
    columns = [f"--column={c}={t}" for c, t in zip(SPEC_HEADER, fx.DB_HEADER, strict=False)]
    result = CliRunner().invoke(app, ["validate", str(exports["csv"]), *columns],
                                env={"COLUMNS": "70"})  # fmt: skip
    assert result.exit_code == 1
    assert "unknown-kind" in result.stdout and "unknown-outcome" in result.stdout
    wide = CliRunner().invoke(app, ["validate", str(exports["csv"]), *columns],
                              env={"COLUMNS": "250"})  # fmt: skip
    rfa = sum(1 for r in ROWS if r["kind"] == "RFA")
    lines = [line for line in wide.stdout.splitlines() if "Request for Assistance" in line]
    assert len(lines) == 1 and f"{rfa} rows (lines " in lines[0]


# --- progress ----------------------------------------------------------------------------------


def coopstats_command() -> list[str]:
    return [sys.executable, "-m", "coopstats"]


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run coopstats with standard error on a pseudo-terminal: its status and what it drew."""
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [*coopstats_command(), *args], stdout=subprocess.DEVNULL, stderr=slave,
        stdin=subprocess.DEVNULL, env=env,
    )
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return child.wait(), drawn


@pytest.fixture(scope="module")
def long_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import write_log
    finally:
        sys.path.pop(0)
    path = tmp_path_factory.mktemp("long") / "log.csv"
    write_log(40_000, path)  # 2 MB: a few blocks of reading
    return path


def _env(delay: str) -> dict[str, str]:
    src = str(ROOT / "src")
    return {**os.environ, "COOPSTATS_PROGRESS_DELAY": delay,
            "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def test_a_progress_bar_is_drawn_on_a_terminal(long_log: Path) -> None:
    args = ["summarize", str(long_log), "--period", "2024", "--format", "json"]
    status, drawn = run_on_terminal(args, _env("0"))
    assert status == 0
    assert b"reading" in drawn and "━".encode() in drawn and b"MB" in drawn
    # Not before the delay: a short read draws nothing.
    status, drawn = run_on_terminal(args, _env("60"))
    assert status == 0 and b"reading" not in drawn
    status, drawn = run_on_terminal([*args, "--quiet"], _env("0"))
    assert status == 0 and b"reading" not in drawn


def test_no_progress_bar_when_standard_error_is_piped(long_log: Path) -> None:
    child = subprocess.run(
        [*coopstats_command(), "summarize", str(long_log), "--period", "2024", "--format",
         "json"],
        capture_output=True, env=_env("0"), check=False,
    )  # fmt: skip
    assert child.returncode == 0 and child.stderr == b""


def test_a_workbooks_progress_is_drawn_in_rows(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import write_workbook
    finally:
        sys.path.pop(0)
    path = tmp_path / "log.xlsx"
    write_workbook(17_000, path)  # more rows than one report's worth (feedback.ROWS_PER_REPORT)
    args = ["summarize", str(path), "--period", "2024", "--format", "json"]
    status, drawn = run_on_terminal(args, _env("0"))
    assert status == 0
    assert b"reading log.xlsx[Requests]" in drawn and b"rows" in drawn
    assert b"16385/17001" in drawn  # the rows read at the first report, of the sheet's


def test_quiet_hides_the_note_of_the_config_in_use(tmp_path: Path) -> None:
    (tmp_path / "coopstats.toml").write_text("[defaults]\ndecimals = 1\n", encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(",".join(SPEC_HEADER) + "\nR-1,OTP,RFA,,,2023-10-02,,\n", encoding="utf-8")
    status, _, err = invoke("summarize", log, "--period", "2024", cwd=tmp_path)
    assert status == 0 and "note: using ./coopstats.toml" in err
    status, _, err = invoke("summarize", log, "--period", "2024", "--quiet", cwd=tmp_path)
    assert status == 0 and "note:" not in err


def test_values_finds_a_semicolon_header_below_a_title_with_a_comma(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "Export of requests, 2024\nRequest No.;Requesting organ;Type of request;Date sent\n"
        "A-1;Registry;Request for cooperation;2023-10-02\n",
        encoding="utf-8",
    )
    status, out, err = invoke("values", path, "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert doc["header_line"] == 2 and doc["rows"] == 1
    assert [c["canonical"] for c in doc["columns"]] == ["id", "organ", "kind", "sent"]
    assert err.count("the header is on line 2; line 1 is left out") == 1
