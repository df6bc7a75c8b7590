"""What the benchmark scripts share: where the logs are, the sizes and period timed, and how a
child process is run and measured (run.py and databases.py both import it)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PERIOD = "2023-09-16:2024-09-15"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
# Children find the package in src/ even before it is installed (an editable install points there
# anyway, so the path changes nothing once it is).
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(
        filter(None, [str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")])
    ),
}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    stdout: str
    cpu_seconds: float = 0.0  # user + system, the forked half's included


def parse_sizes(text: str) -> list[tuple[str, int]]:
    sizes = []
    for label in (part.strip() for part in text.split(",") if part.strip()):
        if label not in SIZES:
            raise SystemExit(f"unknown size {label!r}: choose among {', '.join(SIZES)}")
        sizes.append((label, SIZES[label]))
    return sizes


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run `command` to completion; wall-clock seconds, peak RSS in MB and standard output."""
    # Output goes to files rather than pipes: waiting with wait4 while a pipe fills would block.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env or ENV)
        # wait4 on this one pid gives the rusage of this child alone (and what it waited for),
        # unlike RUSAGE_CHILDREN, which keeps the maximum over every child ever waited for.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen never waits again
        if child.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            shown = " ".join("<script>" if "\n" in arg else arg for arg in command)
            raise RuntimeError(f"{shown} exited {child.returncode}:\n{message}")
        out.seek(0)
        stdout = out.read().decode()
    # ru_maxrss is in KiB on Linux; the times include the children the child waited for.
    return Run(seconds, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime)


def coopstats_command() -> list[str] | None:
    """The console script next to this interpreter, else `python -m coopstats`; None if absent."""
    candidates = [[sys.executable, "-m", "coopstats"]]
    script = Path(sys.executable).with_name("coopstats")
    if script.exists():
        candidates.insert(0, [str(script)])
    for command in candidates:
        probe = subprocess.run([*command, "summarize", "--help"], capture_output=True, env=ENV)
        if probe.returncode == 0:
            return command
    return None
