"""Time `coopstats summarize` against DuckDB computing the same 25 figures on the same file.

    python benchmarks/run.py [--sizes 10k,100k,1M,5M] [--repeat 5] [--check] [--no-shapes]
    python benchmarks/run.py --databases    # also --database on DuckDB and PostgreSQL
    python benchmarks/run.py --breakdown [--sizes 1M]    # summarize --by state / summarize
    python benchmarks/run.py --baseline OLD/src [--sizes 1M]    # this coopstats / another

Each measurement is a whole child process, start-up and imports included, timed by wall clock
(the two tools take turns, so that both meet the same drift of a shared machine);
the median of `--repeat` runs is reported, with the child's peak resident memory (ru_maxrss from
os.wait4, so each child is measured alone). The DuckDB child reads the CSV with explicit column
types and runs `coopstats.sql.build_query`: the same file, the same figures, the same process
boundary. Logs come from generate.py (fixed seed) and are written to benchmarks/data/ if missing.

Then the shapes of real logs (skipped with --no-shapes): the 100k log as an .xlsx workbook
against the same rows as CSV (laid out as Excel saves a workbook; and as openpyxl writes one,
every text inline and every empty cell written), and the 1M log as a spreadsheet exports it
(another column order, `;`, BOM, CRLF, day-first dates, quoted free text with line breaks)
against the SPEC-order CSV and against DuckDB's read_csv with auto-detection computing the same
figures.

`--breakdown` times instead `summarize --by state` (and `--where state=France`) against plain
`summarize`, taking turns, on logs with a `state` and a `situation` column
(log-SIZE-states.csv). `--baseline SRC` times plain `summarize` of this tree against the package
in SRC (the `src/` folder of another checkout, e.g. `git archive OLD | tar -x -C /tmp/old`),
taking turns, on the 8-column logs: a change's cost, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

from children import DATA, ENV, HERE, PERIOD, SIZES, Run, coopstats_command, parse_sizes, run_child
from generate import write_excel_workbook, write_export, write_log, write_workbook

# SPEC section 2's own example of the prior period; as-of is the period's end, notifications on.
START, END = date(2023, 9, 16), date(2024, 9, 15)
PRIOR_START, PRIOR_END = date(2022, 9, 16), date(2023, 9, 15)
REL_TOL = 1e-9

# The DuckDB side, run as `python -c DUCKDB_CHILD FILE START END PRIOR_START PRIOR_END AS_OF`.
# It prints the figures in SPEC section 4's JSON shape so both sides are compared the same way.
DUCKDB_CHILD = """\
import json, sys
from datetime import date
import duckdb
from coopstats.sql import build_query
path, mode, *days = sys.argv[1:]
start, end, prior_start, prior_end, as_of = (date.fromisoformat(d) for d in days)
types = {"id": "VARCHAR", "organ": "VARCHAR", "kind": "VARCHAR", "origin": "VARCHAR",
         "categories": "VARCHAR", "sent": "DATE", "executed": "DATE", "outcome": "VARCHAR"}
# A query that runs over 2 s would otherwise draw a progress bar on stdout, into the JSON.
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
if mode == "auto":  # DuckDB finds the delimiter, header, quoting and date format itself
    con.execute("CREATE VIEW requests AS SELECT * FROM read_csv(" + repr(path) + ")")
else:
    con.execute("CREATE VIEW requests AS SELECT * FROM read_csv(" + repr(path) + ", "
                "header = true, columns = " + repr(types) + ")")
query = build_query(start=start, end=end, prior_start=prior_start, prior_end=prior_end,
                    as_of=as_of)
metrics = [{"id": i, "value": v} for i, v in con.execute(query).fetchall()]
json.dump({"metrics": metrics}, sys.stdout)
"""


@dataclass(frozen=True)
class Timing:
    median_s: float
    peak_mb: float  # the largest of the runs
    stdout: str  # of the last run, for --check
    median_cpu_s: float = 0.0


def time_children(
    commands: dict[str, Sequence[str]],
    repeat: int,
    envs: dict[str, dict[str, str]] | None = None,
) -> dict[str, Timing]:
    """Run every command `repeat` times, taking turns (a, b, a, b, ...): on a shared machine
    whose speed drifts over a minute, each tool then meets the same drift. A command that fails
    is dropped (with its message on stderr) and the others go on."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    failed: set[str] = set()
    for _ in range(repeat):
        for name, command in commands.items():
            if name in failed:
                continue
            try:
                runs[name].append(run_child(command, (envs or {}).get(name)))
            except RuntimeError as failure:
                print(failure, file=sys.stderr)
                failed.add(name)
    return {
        name: Timing(
            statistics.median(run.seconds for run in done),
            max(run.peak_mb for run in done),
            done[-1].stdout,
            statistics.median(run.cpu_seconds for run in done),
        )
        for name, done in runs.items()
        if name not in failed
    }


def compile_bytecode() -> None:
    """Write the package's bytecode once, as installing it does: with PYTHONDONTWRITEBYTECODE
    set (as on CI machines) an editable install would otherwise compile every module anew on
    every run, and start-up would be measured with a compiler in it."""
    import compileall

    compileall.compile_dir(HERE.parent / "src", quiet=1)


def duckdb_command(path: Path, auto: bool = False) -> list[str]:
    days = (START, END, PRIOR_START, PRIOR_END, END)
    mode = "auto" if auto else "typed"
    return [sys.executable, "-c", DUCKDB_CHILD, str(path), mode, *(d.isoformat() for d in days)]


def metrics_of(stdout: str) -> dict[str, float | None]:
    return {m["id"]: m["value"] for m in json.loads(stdout)["metrics"]}


def compare(coopstats_json: str, duckdb_json: str) -> list[str]:
    """Describe every difference between the two sides' figures and the settings they assume."""
    try:
        settings = json.loads(coopstats_json)
        ours, theirs = metrics_of(coopstats_json), metrics_of(duckdb_json)
    except (ValueError, KeyError) as error:
        return [f"unreadable output ({error}): {coopstats_json[:80]!r} / {duckdb_json[:80]!r}"]
    assumed = {
        "prior_period": {"start": PRIOR_START.isoformat(), "end": PRIOR_END.isoformat()},
        "as_of": END.isoformat(),
        "notifications": True,
    }
    # The DuckDB side is given these settings; coopstats derives them, so a difference here
    # would make every figure differ for a reason that is not a counting error.
    problems = [
        f"coopstats used {key} {settings.get(key)!r}, the DuckDB side {value!r}"
        for key, value in assumed.items()
        if settings.get(key) != value
    ]
    return problems + mismatches(ours, theirs)


def mismatches(ours: dict[str, float | None], theirs: dict[str, float | None]) -> list[str]:
    """Describe every metric whose values differ beyond REL_TOL (None only equals None)."""
    problems = []
    for metric_id in sorted(ours.keys() | theirs.keys()):
        a, b = ours.get(metric_id, "missing"), theirs.get(metric_id, "missing")
        same = (
            a == b
            if a is None or b is None or isinstance(a, str) or isinstance(b, str)
            else math.isclose(a, b, rel_tol=REL_TOL)
        )
        if not same:
            problems.append(f"{metric_id}: coopstats {a!r}, duckdb {b!r}")
    if list(ours) != list(theirs) and not problems:
        problems.append("the metrics come in a different order")
    return problems


def import_times(top: int = 10) -> list[tuple[int, int, str]]:
    """The `top` imports of `coopstats.cli` by cumulative microseconds: (self, cumulative, name)."""
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import coopstats.cli"],
        capture_output=True,
        text=True,
        env=ENV,
    )
    if probe.returncode != 0:
        return []
    entries = []
    for line in probe.stderr.splitlines():
        # "import time:      self [us] |    cumulative | imported package"
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            entries.append((int(fields[0]), int(fields[1]), fields[2].rstrip()))
    return sorted(entries, key=lambda entry: entry[1], reverse=True)[:top]


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_import_times() -> None:
    entries = import_times()
    if not entries:
        print("coopstats.cli cannot be imported: no import times", file=sys.stderr)
        return
    print()
    print("`python -X importtime -c 'import coopstats.cli'`, top 10 by cumulative time:")
    print()
    print("| cumulative µs | self µs | module |")
    print("|---:|---:|---|")
    for self_us, cumulative_us, name in entries:
        print(f"| {cumulative_us} | {self_us} | `{name.strip()}` |")


# (what, its target's name, the reference, the most the ratio may be: None, no target)
SHAPE_TARGETS: tuple[tuple[str, str, float | None], ...] = (
    ("workbook", "csv-100k", 3.0),
    ("workbook-openpyxl", "csv-100k", 3.0),
    ("export", "spec-1M", 1.5),
    ("export", "duckdb-export", 2.0),
    # The same export without --dayfirst: the order is settled from its dates first.
    ("export-settled", "export", None),
)


def shape_logs() -> dict[str, Path]:
    """The logs of the shapes benchmark, written if missing."""
    paths = {
        "csv-100k": DATA / "log-100k.csv",
        "workbook": DATA / "log-100k-excel.xlsx",
        "workbook-openpyxl": DATA / "log-100k.xlsx",
        "spec-1M": DATA / "log-1M.csv",
        "export": DATA / "export-1M.csv",
    }
    writers = {"csv-100k": (write_log, 100_000), "workbook": (write_excel_workbook, 100_000),
               "workbook-openpyxl": (write_workbook, 100_000),
               "spec-1M": (write_log, 1_000_000), "export": (write_export, 1_000_000)}
    for name, path in paths.items():
        if not path.exists():
            print(f"writing {path} ...", file=sys.stderr)
            writer, n = writers[name]
            writer(n, path)
    return paths


def time_shapes(coopstats: list[str], repeat: int, check: bool) -> list[str]:
    """Time the workbook and the export-shaped log against their references (SHAPE_TARGETS);
    the problems found (figures that differ, targets missed are only reported)."""
    paths = shape_logs()

    def summarize(path: Path, *more: str) -> list[str]:
        return [*coopstats, "summarize", str(path), "--period", PERIOD, "--format", "json",
                *more]  # fmt: skip

    commands = {
        "workbook": summarize(paths["workbook"]),
        "workbook-openpyxl": summarize(paths["workbook-openpyxl"]),
        "csv-100k": summarize(paths["csv-100k"]),
        # The order of the export's dates as `coopstats init` writes it into [defaults].
        "export": summarize(paths["export"], "--dayfirst"),
        "export-settled": summarize(paths["export"]),
        "spec-1M": summarize(paths["spec-1M"]),
        "duckdb-export": duckdb_command(paths["export"], auto=True),
    }
    timings = time_children(commands, repeat)
    print()
    print("| log | coopstats s | against | its s | ratio | target | peak MB |")
    print("|---|---:|---|---:|---:|---:|---:|")
    problems = []
    for name, reference, most in SHAPE_TARGETS:
        ours, theirs = timings.get(name), timings.get(reference)
        if ours is None or theirs is None:
            problems.append(f"{name} or {reference} failed")
            continue
        ratio = ours.median_s / theirs.median_s
        target = "—" if most is None else f"≤ {most:g} ({'met' if ratio <= most else 'MISSED'})"
        print(
            f"| {name} | {fmt(ours.median_s)} | {reference} | {fmt(theirs.median_s)} | "
            f"{fmt(ratio, 2)} | {target} | {fmt(ours.peak_mb, 0)} |",
            flush=True,
        )
        if check:
            same = (
                compare(ours.stdout, theirs.stdout)
                if reference.startswith("duckdb")
                else mismatches(metrics_of(ours.stdout), metrics_of(theirs.stdout))
            )
            problems += [f"{name} against {reference}: {p}" for p in same]
    return problems


def log_path(label: str, n: int, states: bool = False) -> Path:
    """The generated log of `n` rows (with a state and a situation column when `states`)."""
    path = DATA / f"log-{label}{'-states' if states else ''}.csv"
    if not path.exists():
        print(f"writing {path} ...", file=sys.stderr)
        write_log(n, path, states=states)
    return path


def print_breakdown(sizes: list[tuple[str, int]], repeat: int, coopstats: list[str]) -> None:
    """`summarize --by state` and `--where state=France` against `summarize`, same file."""
    print("Wall-clock seconds, then CPU seconds (user + system, both processes): on a busy "
          "machine the CPU time is the steadier measure of the work done.")  # fmt: skip
    print()
    print("| rows | summarize s | --by state s | ratio | --where state=France s | ratio "
          "| summarize CPU s | --by state CPU s | ratio | summarize MB | --by state MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n in sizes:
        path = log_path(label, n, states=True)
        plain = [*coopstats, "summarize", str(path), "--period", PERIOD, "--format", "json"]
        commands = {
            "plain": plain,
            "by": [*plain, "--by", "state"],
            "where": [*plain, "--where", "state=France"],
        }
        t = time_children(commands, repeat)
        if len(t) < len(commands):
            raise SystemExit(f"{label}: a run failed (see above)")
        if metrics_of(t["by"].stdout) != metrics_of(t["plain"].stdout):
            raise SystemExit(f"{label}: --by state changed the figures of all requests")
        base, by, where = t["plain"], t["by"], t["where"]
        print(
            f"| {label} | {fmt(base.median_s)} | {fmt(by.median_s)} | "
            f"{fmt(by.median_s / base.median_s, 2)} | {fmt(where.median_s)} | "
            f"{fmt(where.median_s / base.median_s, 2)} | {fmt(base.median_cpu_s)} | "
            f"{fmt(by.median_cpu_s)} | {fmt(by.median_cpu_s / base.median_cpu_s, 2)} | "
            f"{fmt(base.peak_mb, 0)} | {fmt(by.peak_mb, 0)} |",
            flush=True,
        )


def print_baseline(
    sizes: list[tuple[str, int]], repeat: int, coopstats: list[str], src: Path
) -> None:
    """Plain `summarize` of this tree against the package in `src`, taking turns."""
    if not (src / "coopstats" / "__init__.py").is_file():
        raise SystemExit(f"--baseline {src}: no coopstats package there (give a src/ folder)")
    import compileall

    compileall.compile_dir(src, quiet=1)  # as compile_bytecode does for this tree
    other = {**ENV, "PYTHONPATH": os.pathsep.join([str(src.resolve()), ENV["PYTHONPATH"]])}
    print("| rows | this s | baseline s | this / baseline | this CPU s | baseline CPU s | "
          "this / baseline | this MB | baseline MB |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n in sizes:
        path = log_path(label, n)
        command = [sys.executable, "-m", "coopstats", "summarize", str(path), "--period", PERIOD,
                   "--format", "json"]  # fmt: skip
        t = time_children({"this": command, "baseline": command}, repeat, {"baseline": other})
        if len(t) < 2:
            raise SystemExit(f"{label}: a run failed (see above)")
        mine, theirs = t["this"], t["baseline"]
        print(
            f"| {label} | {fmt(mine.median_s)} | {fmt(theirs.median_s)} | "
            f"{fmt(mine.median_s / theirs.median_s, 2)} | {fmt(mine.median_cpu_s)} | "
            f"{fmt(theirs.median_cpu_s)} | {fmt(mine.median_cpu_s / theirs.median_cpu_s, 2)} | "
            f"{fmt(mine.peak_mb, 0)} | {fmt(theirs.peak_mb, 0)} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help="comma-separated, of " + ", ".join(SIZES)
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--check", action="store_true", help="compare coopstats' and DuckDB's figures"
    )
    parser.add_argument(
        "--no-shapes", action="store_true",
        help="skip the workbook and the export-shaped log (see the module's help)",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="time summarize --by state and --where state=France against summarize on logs "
        "with a state and a situation column, instead of DuckDB",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="time plain summarize of this tree against the coopstats package in SRC (another "
        "checkout's src/ folder), taking turns, instead of DuckDB",
    )
    parser.add_argument(
        "--databases",
        action="store_true",
        help="also time --database on DuckDB and PostgreSQL (benchmarks/databases.py)",
    )
    args = parser.parse_args()
    sizes = parse_sizes(args.sizes)

    coopstats = coopstats_command()
    if args.breakdown or args.baseline:
        print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"{platform.platform()}; median of {args.repeat} runs")  # fmt: skip
        print()
        compile_bytecode()
        if coopstats is None:
            raise SystemExit("coopstats summarize is not available")
        if args.breakdown:
            print_breakdown(sizes, args.repeat, coopstats)
        if args.baseline:
            if args.breakdown:
                print()
            print_baseline(sizes, args.repeat, coopstats, args.baseline)
        return
    print(
        f"Python {platform.python_version()}, DuckDB {version('duckdb')}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}; median of {args.repeat} runs"
    )
    if coopstats is None:
        print("coopstats summarize is not available: timing DuckDB only", file=sys.stderr)
    print()
    print(
        "| rows | coopstats s | duckdb s | coopstats/duckdb | coopstats peak MB | duckdb peak MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")

    compile_bytecode()
    medians: dict[str, dict[str, float]] = {"coopstats": {}, "duckdb": {}}
    problems: list[str] = []
    for label, n in sizes:
        path = DATA / f"log-{label}.csv"
        if not path.exists():
            print(f"writing {path} ...", file=sys.stderr)
            write_log(n, path)
        commands = {"duckdb": duckdb_command(path)}
        if coopstats is not None:
            summarize = [*coopstats, "summarize", str(path), "--period", PERIOD, "--format", "json"]
            commands = {"coopstats": summarize, **commands}
        timings = time_children(commands, args.repeat)
        if "duckdb" not in timings:
            raise SystemExit(f"{label}: the DuckDB side failed (see above)")
        ours, theirs = timings.get("coopstats"), timings["duckdb"]
        if ours is not None:
            medians["coopstats"][label] = ours.median_s
        elif coopstats is not None:
            problems.append(f"{label}: coopstats failed")  # the other sizes still run
        medians["duckdb"][label] = theirs.median_s
        ratio = ours.median_s / theirs.median_s if ours else None
        print(
            f"| {label} | {fmt(ours.median_s if ours else None)} | {fmt(theirs.median_s)} | "
            f"{fmt(ratio, 2)} | {fmt(ours.peak_mb if ours else None, 0)} | "
            f"{fmt(theirs.peak_mb, 0)} |",
            flush=True,
        )
        if args.check and ours:
            problems += [f"{label}: {p}" for p in compare(ours.stdout, theirs.stdout)]

    if coopstats is not None and not args.no_shapes:
        problems += time_shapes(coopstats, args.repeat, args.check)

    print()
    for tool, times in medians.items():
        if "1M" in times and "5M" in times:
            print(f"{tool}: 5M / 1M time ratio {times['5M'] / times['1M']:.2f}")
    if args.check or problems:
        if coopstats is None:
            print("--check: coopstats summarize is not available, nothing compared")
        elif problems:
            print(f"{len(problems)} problem(s) (figures compared to a relative {REL_TOL}):")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"--check: all 25 metrics agree at every size (relative {REL_TOL})")
    print_import_times()
    if args.databases:
        from databases import measure

        print()
        measure([(label, n) for label, n in sizes if n >= 1_000_000], args.repeat)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
