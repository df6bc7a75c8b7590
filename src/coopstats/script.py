"""The console script's first code: Ctrl-C is handled before anything else is imported.

Importing typer and rich takes tens of milliseconds; a Ctrl-C in that time would otherwise end in
a traceback of `KeyboardInterrupt`. Importing this module installs the handler, so the console
script and `python -m coopstats` import it first, and only then the command line.
"""

from __future__ import annotations

import os
import signal
import sys

from coopstats.signals import dropped_here

TYPE_CHECKING = False  # typing and types are not loaded at start-up; mypy reads it as True
if TYPE_CHECKING:
    from types import FrameType

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds the stack, so `finally` blocks and context managers still remove
    # temporary files; click and the commands' error handling let it through, and Python
    # leaves on it without a word.
    if not dropped_here(signum, frame):
        raise SystemExit(INTERRUPTED)


def _leave(signum: int, frame: FrameType | None) -> None:
    os._exit(INTERRUPTED)  # the work is done and flushed: nothing left to unwind


signal.signal(signal.SIGINT, _interrupted)


def main() -> None:
    """The `coopstats` command."""
    try:
        from coopstats import preload

        preload.start(sys.argv[1:])  # a workbook's sheet loads while the rest is imported
        from coopstats.cli import main as run

        run()
    finally:
        # A Ctrl-C after the command has returned would otherwise land in Python's shutdown.
        signal.signal(signal.SIGINT, _leave)
