"""A log on disk: its path (standard input and pipes copied to a temporary file), what its first
bytes say it is, and the problem of a file as a whole.

Standard input, and any other file that can be read only once (a pipe, a FIFO, `/dev/stdin`, a
shell's `<(...)`), is copied to a temporary file first, because a log sometimes has to be read
twice (to settle the day/month order of its dates, or to name both lines of a duplicate id). The
copy is removed on every way out, signals included (see Source).
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from coopstats.errors import DataError, UsageError
from coopstats.model import Problem
from coopstats.signals import dropped_here

SNIFF_BYTES = 64 * 1024
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.xls)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class FileProblem(DataError):
    """A problem of the file as a whole (encoding, format, header, date order): no record can be
    trusted. It carries one located Problem, so `validate` can list it like any other."""

    def __init__(self, source: str, problem: Problem) -> None:
        problem = problem.kept()
        super().__init__(problem.describe(source))
        self.source = source
        self.problem = problem

    def __reduce__(self) -> tuple[type[FileProblem], tuple[str, Problem]]:
        return FileProblem, (self.source, self.problem)  # it crosses from a counting child


def file_problem(
    source: str,
    message: str,
    code: str,
    *,
    line: int | None = None,
    column: str | None = None,
    value: str | None = None,
    hint: str | None = None,
) -> FileProblem:
    return FileProblem(source, Problem(line, column, value, message, code, hint))


class Source:
    """A log on disk. Standard input, and any file that can be read only once (a pipe, a FIFO,
    `/dev/stdin`, a shell's `<(...)`), is first copied to a temporary file that `close` removes.

    `name` is what messages call the log: the argument as given, `<stdin>`, and the sheet once a
    workbook's sheet is chosen (`requests.xlsx[Requests]`), so that problems name the sheet.

    The copy is removed on every way out: a normal end, an error, and SIGINT, SIGTERM or SIGHUP,
    which while a copy exists raise SystemExit(128 + the signal's number), so that the run
    unwinds through `close` (see `_Spool`).
    """

    def __init__(self, arg: str) -> None:
        self.temporary = False
        self.sheet: str | None = None
        self._closers: list[Callable[[], object]] = []
        self._spool: _Spool | None = None
        if arg == "-":
            self.given = "<stdin>"
            self.path = self._copy(_stdin(), "standard input")
            return
        self.given = arg
        self.path = Path(arg)
        try:
            mode = os.stat(arg).st_mode
        except FileNotFoundError:
            raise UsageError(f"{arg}: no such file") from None
        except OSError as err:
            raise UsageError(f"{arg}: cannot read it ({err.strerror})") from None
        if stat.S_ISDIR(mode):
            raise UsageError(f"{arg}: is a folder, not a file")
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):  # /dev/zero would fill the temp folder
            raise UsageError(f"{arg}: is a device, not a log; give a file, a pipe or -")
        if not stat.S_ISREG(mode):  # a pipe or a FIFO: it can be read only once
            try:
                stream = open(arg, "rb")  # noqa: SIM115 - closed just below
            except OSError as err:
                raise UsageError(f"{arg}: cannot read it ({err.strerror})") from None
            with stream:
                self.path = self._copy(stream, arg)

    def _copy(self, stream: IO[bytes], what: str) -> Path:
        """Copy a stream that can be read only once into a temporary file, removed by close."""
        self.temporary = True
        try:
            self._spool = spool = _Spool()  # kept first: close() removes what create() makes
            path = spool.create()
            with os.fdopen(spool.handle, "wb") as out:
                while piece := self._read(stream, what):
                    try:
                        out.write(piece)
                    except OSError as err:
                        raise UsageError(
                            f"{self.given}: cannot keep a copy of {what} in the temporary folder "
                            f"{path.parent} ({err.strerror}); free some space there, "
                            "set TMPDIR to another folder, or pass the log as a file"
                        ) from None
        except BaseException:
            self.close()
            raise
        return path

    def _read(self, stream: IO[bytes], what: str) -> bytes:
        try:
            return stream.read(1 << 20)
        except OSError as err:
            raise UsageError(
                f"{self.given}: cannot read {what} ({err.strerror}); pass the log as a file"
            ) from None

    @property
    def name(self) -> str:
        return self.given if self.sheet is None else f"{self.given}[{self.sheet}]"

    def on_close(self, closer: Callable[[], object]) -> None:
        """Run `closer` when the source is closed (a workbook keeps its zip file open)."""
        self._closers.append(closer)

    def close(self) -> None:
        try:
            while self._closers:
                self._closers.pop()()
        finally:
            if self._spool is not None:
                spool, self._spool = self._spool, None
                spool.remove()

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _stdin() -> IO[bytes]:
    """Standard input's bytes, or a usage error when there is none to read (`<&-`)."""
    stream = sys.stdin  # None when the process was started with it closed
    buffer = getattr(stream, "buffer", None)
    if stream is None or stream.closed or buffer is None:
        raise UsageError(
            "-: standard input is closed; pipe the log into coopstats (... - < log.csv) or "
            "give it as a file"
        )
    return buffer  # type: ignore[no-any-return]


# Signals on which a run ends; while a temporary copy exists they unwind the run (see _Spool).
LEAVING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _leave(signum: int, frame: FrameType | None) -> None:
    """SIGINT, SIGTERM or SIGHUP while a temporary copy exists: exit 128 + the signal's number,
    through the `finally` clauses and context managers that remove the copy. Further signals
    are ignored on the way out, so that they cannot cut the clean-up short."""
    if dropped_here(signum, frame):  # it would be lost, and the run go on
        return
    for number in LEAVING:
        signal.signal(number, signal.SIG_IGN)
    raise SystemExit(128 + signum)


class _Spool:
    """A temporary file in the temp folder (TMPDIR), with the signal handlers that make sure
    it is removed: installed before the file exists, restored after it is gone.

    The owner keeps the spool before `create` makes the file, and the file is made with the
    signals blocked and its name kept before they are let through: a signal that came in the
    meantime runs its handler only then, and the owner's clean-up finds the name to remove.
    Outside the main thread (a library use), no handler can be set: the file is then removed
    by `remove` alone.
    """

    def __init__(self) -> None:
        self.saved: dict[int, Any] = {}
        self.path: Path | None = None
        self.handle = -1
        if threading.current_thread() is threading.main_thread():
            for number in LEAVING:
                self.saved[number] = signal.signal(number, _leave)

    def create(self) -> Path:
        import tempfile

        block = hasattr(signal, "pthread_sigmask") and bool(self.saved)
        if block:
            signal.pthread_sigmask(signal.SIG_BLOCK, LEAVING)
        try:
            self.handle, name = tempfile.mkstemp(prefix="coopstats-", suffix=".csv")
            self.path = Path(name)
        except OSError as err:
            raise UsageError(
                f"cannot make a temporary file in {tempfile.gettempdir()} ({err.strerror}); "
                "set TMPDIR to a folder you can write in, or pass the log as a file"
            ) from None
        finally:
            if block:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, LEAVING)
        return self.path

    def remove(self) -> None:
        try:
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        finally:
            self._restore()

    def _restore(self) -> None:
        for number, handler in self.saved.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self.saved = {}



def sniff_format(head: bytes, name: str) -> str | None:
    """`zip` for a zip file (an .xlsx or .ods workbook), `xls` for the old binary Office format,
    None for anything that may be text."""
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE2):
        return "xls"
    return None


