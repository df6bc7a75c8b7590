"""What a run says on standard error while it reads: notes, and a progress bar on long reads.

The readers call `note` (a fact the user did not ask for but should know: the header was found
on line 3) and `meter` (a read of a known size begins). Both are silent until the command line
calls `configure`, so the library never prints; the command line does so for every command that
reads a log (options.Settings).

The progress bar is for people: it is drawn only when standard error is a terminal, never under
`--quiet`, never in the process that counts the second half of a log, and only once a read has
lasted `DELAY` seconds, so a short run never even imports Rich's progress module. Readers report
progress per block (a read of ~1 MiB, or 16,384 rows), never per row: a report costs a clock
reading and an addition, and the bar itself is redrawn by Rich's own thread.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Literal

DELAY = 1.0  # seconds a read lasts before its bar is drawn
# For the tests, which cannot wait a second on each read: COOPSTATS_PROGRESS_DELAY=0.
_DELAY_VARIABLE = "COOPSTATS_PROGRESS_DELAY"
ROWS_PER_REPORT = 1 << 14  # rows of a workbook between two reports

Unit = Literal["bytes", "rows"]


class _State:
    """What `configure` said; the default is the library's: say nothing."""

    def __init__(self) -> None:
        self.speaking = False
        self.quiet = False
        self.pid = os.getpid()
        self.delay = DELAY
        self.notes_said: set[str] = set()
        self.live: Meter | None = None


_state = _State()


def configure(*, quiet: bool) -> None:
    """Speak on standard error from now on (notes; a bar on a terminal), unless `quiet`."""
    _state.speaking = True
    _state.quiet = quiet
    _state.pid = os.getpid()
    _state.notes_said = set()
    try:
        _state.delay = float(os.environ.get(_DELAY_VARIABLE, DELAY))
    except ValueError:
        _state.delay = DELAY


def silence() -> None:
    """Back to the library's default: nothing said (for tests that call the library)."""
    finish()
    _state.speaking = False


def note(text: str) -> None:
    """`note: ...` on standard error, once per run, unless quiet."""
    if not _state.speaking or _state.quiet or text in _state.notes_said:
        return
    if os.getpid() != _state.pid:
        return  # a counting child: the parent says it
    _state.notes_said.add(text)
    finish()
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"note: {text}", markup=False)


def meter(total: int | None, unit: Unit, label: str) -> Meter | None:
    """A meter for a read of `total` bytes or rows, or None when no bar may be drawn: the
    readers then report nothing at all."""
    if not _state.speaking or _state.quiet or os.getpid() != _state.pid:
        return None
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):  # replaced or closed standard error
        return None
    return Meter(total, unit, label, _state.delay)


def finish() -> None:
    """Take any bar off the screen (before a message, or at the end of a read)."""
    if _state.live is not None:
        _state.live.close()


class Meter:
    """The progress of one read; the bar appears once the read has lasted `delay` seconds."""

    def __init__(self, total: int | None, unit: Unit, label: str, delay: float) -> None:
        self.total = total
        self.unit = unit
        self.label = label
        self.done = 0
        self.due = time.monotonic() + delay
        self.bar: Any = None  # rich.progress.Progress, once drawn
        self.task: Any = None
        self.closed = False

    def at(self, position: int) -> None:
        """The read is at `position` (a byte offset, or a row): it starts there, or goes back
        over bytes already told (the csv module reading a block again)."""
        self.done = position
        self.advance(0)

    def advance(self, amount: int) -> None:
        self.done += amount
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
        elif not self.closed and time.monotonic() >= self.due:
            self._draw()

    def _draw(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        finish()  # one bar at a time
        counted: list[Any] = (
            [DownloadColumn(), TransferSpeedColumn()]
            if self.unit == "bytes"
            else [MofNCompleteColumn(), TextColumn("rows")]
        )
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            *counted,
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)
        self.bar.start()
        self.bar.refresh()
        _state.live = self

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        if _state.live is self:
            _state.live = None
