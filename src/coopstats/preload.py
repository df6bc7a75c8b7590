"""A workbook named on the command line starts loading before the command line is read.

calamine parses a sheet in 0.7 s for 100,000 rows, on one core and without holding the GIL;
importing typer and rich and reading the command line take 0.15 s first, on the same core. So
`coopstats.script` calls `start` with the arguments before it imports anything else: the first
argument that names a workbook on disk (by its suffix) is opened in a thread and its sheet
loaded, the one `--sheet` names or else the first (a large .xlsx sheet in two halves, on both
cores: coopstats.xlsx_halves), while the command line is read on the other core. WorkbookTable
then `take`s what was loaded, when it is the same file (by its identity on disk) and the same
sheet; anything else is loaded as ever, and a guess that was not needed (the config picks
another sheet, the command reads no log) costs the other core's time alone.

Nothing is imported here at start-up but `os` and `stat`, already loaded: the thread and
calamine only when an argument names a workbook.
"""

from __future__ import annotations

import os
import stat

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

TYPE_CHECKING = False  # typing is not loaded at start-up; mypy reads it as True
if TYPE_CHECKING:
    from typing import Any

    from coopstats.xlsx_halves import Loaded

_started: _Load | None = None  # the load ahead, until taken
_loads: list[_Load] = []  # every load ahead, taken or not, until it ended (see `settled`)


class _Load:
    """One workbook opened and its sheet loaded in a thread: the sheets' names as soon as it is
    open, then the sheet. Anything that fails leaves None (the real load then says what)."""

    def __init__(self, path: str, sheet: str | None, identity: tuple[int, ...]) -> None:
        import threading

        self.path, self.sheet, self.identity = path, sheet, identity
        self.names: list[str] | None = None
        self.book: Any = None
        self.loaded: Loaded | None = None  # the sheet `self.sheet` names, once loaded
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coopstats-preload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            import python_calamine

            book = python_calamine.CalamineWorkbook.from_path(self.path)
            names = list(book.sheet_names)
            sheet = self.sheet if self.sheet is not None else names[0]
            self.book, self.names, self.sheet = book, names, sheet
        except BaseException:  # noqa: BLE001 - anything: the real load reports it
            return
        finally:
            self.opened.set()
        try:
            from coopstats.xlsx_halves import halves_planned, load_sheet

            planned = halves_planned(self.path, sheet)
            self.loaded = load_sheet(python_calamine, book, self.path, sheet, planned)
        except BaseException:  # noqa: BLE001 - as above
            self.loaded = None

    def wait(self) -> Loaded | None:
        self._thread.join()
        return self.loaded


def identity(path: str) -> tuple[int, ...] | None:
    """What tells a file on disk from any other and from its earlier contents, or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def start(args: list[str]) -> None:
    """Start loading the first workbook that `args` names, if any (see the module)."""
    global _started
    sheet = None
    path = None
    for position, arg in enumerate(args):
        if arg == "--":
            continue
        if arg == "--sheet" and position + 1 < len(args):
            sheet = args[position + 1]
        elif arg.startswith("--sheet="):
            sheet = arg[len("--sheet=") :]
        elif path is None and not arg.startswith("-") and arg.lower().endswith(SUFFIXES):
            if position and args[position - 1] == "--sheet":
                continue
            path = arg
    if path is None:
        return
    found = identity(path)
    if found is not None:
        _started = _Load(path, sheet, found)
        _loads.append(_started)


def settled() -> None:
    """Wait for every load ahead to end: a process forks only once no thread is in calamine
    (a guess not taken may still be loading)."""
    while _loads:
        _loads.pop().wait()


def names(path: os.PathLike[str] | str) -> list[str] | None:
    """The sheets' names of the workbook loading ahead, when it is this file, else None."""
    load = _started
    if load is None or identity(str(path)) != load.identity:
        return None
    load.opened.wait()
    return load.names


def take(path: os.PathLike[str] | str, sheet: str) -> tuple[Any, Loaded] | None:
    """(book, sheet) loaded ahead for this file and sheet (whole, or in halves: xlsx_halves),
    or None (then nothing waits for the other sheet's load); taken once."""
    global _started
    load, _started = _started, None
    if load is None or identity(str(path)) != load.identity:
        return None
    load.opened.wait()
    if load.names is None or load.sheet != sheet:
        return None
    loaded = load.wait()
    if loaded is None:
        return None
    # The sheet's XML is the caller's now: `_loads` holds the load until a fork.
    load.loaded = loaded._replace(xml=None)
    return load.book, loaded
