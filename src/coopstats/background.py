"""Work run in a thread of its own while the caller goes on: what a workbook's reading does
beside calamine's load, which holds no GIL (coopstats.xlsx_halves, read/workbook.py). The
standard library alone: coopstats.preload's thread imports it at start-up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`work(*args)` run in a daemon thread named `name` from now on (a run that stops first
    does not wait for it); `result()` waits for it, and raises what it raised."""

    def __init__(self, name: str, work: Callable[..., T], *args: Any) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._result = work(*args)
            except BaseException as err:  # noqa: BLE001 - handed to the thread that waits
                self._error = err

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when no error was raised
