"""The second process: a plain log counted in two halves, the second by a forked child."""

from __future__ import annotations

import os
import signal
import sys
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from coopstats import preload
from coopstats.dates import DateOrder, NeedDateOrder
from coopstats.engine._ids import _BUCKETS
from coopstats.engine._loops import Seer, _Pass, _pass
from coopstats.engine.window import Counted, Window
from coopstats.errors import CoopstatsError, DataError
from coopstats.read import LEAVING, Part, ReadOptions, Table
from coopstats.read.lines import NotPlain


def _both_cores(
    table: Table,
    windows: Callable[[], Sequence[Window]],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
    seer: Callable[[], Seer | None] = lambda: None,
    span: tuple[int, int] = (0, -1),
) -> Counted:
    """`_pass` over the log, in two processes when the log is large and plain enough.

    A plain log (one record a line) splits at a line end into two halves; a forked child counts
    the second half while this process counts the first, then the child's counts, problems and
    id hashes are merged in. Line numbers stay exact: the child counts the lines before its
    half. A half that turns out to hold a quote (which may span lines, and the split with it)
    stops both, and the log is counted again in one process, by the csv module from that quote
    on. Small logs, workbooks and a visited pass (`seer()` a fresh visitor) take one process.
    """
    own = list(windows())
    visitor = seer()
    halves = table.halves() if _can_fork() and visitor is None else None
    if halves is not None:
        try:
            return _in_two(table, own, list(windows()), options, order, skip_lines, id_hashes,
                           halves)  # fmt: skip
        except NotPlain:
            own = list(windows())  # start again from nothing
            for bucket in id_hashes or ():
                del bucket[:]
    return _pass(table, own, options, order, skip_lines, id_hashes, visitor=visitor, span=span)


def _in_two(
    table: Table,
    own: list[Window],
    theirs: list[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
    halves: tuple[Part, Part],
) -> Counted:
    child = _Child(
        lambda send: _count_part(
            send, table, theirs, options, order, skip_lines, id_hashes is not None, halves[1]
        )
    )
    try:
        counted = _Pass(table, own, options, order, skip_lines, id_hashes).run(
            halves[0], between_blocks=child.check
        )
        status, part, states = child.receive()
        if status == "error":
            raise part
        for bucket in id_hashes or ():  # read before waiting: the child is still sending them
            bucket.frombytes(child.receive())
    except BaseException:
        child.kill()
        raise
    finally:
        child.close()
    counted.absorb(part)
    for window, state in zip(own, states, strict=True):
        window.merge(state)
    return counted


def _can_fork() -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


class ChildLost(CoopstatsError):
    """The forked process died before it answered: a fault of the machine, not of the log."""

    exit_code = 2


class _Child:
    """A forked process running `work(send)`, whose messages come back pickled through a pipe.

    os.fork and a pipe rather than multiprocessing, whose imports alone cost 30 ms: the whole
    of what this needs is a few messages from one child.
    """

    def __init__(self, work: Callable[[Callable[[object], None]], None]) -> None:
        import pickle
        import select

        preload.settled()  # no other thread is running when the process forks
        readable, writable = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, send, and leave without the parent's clean-up
            os.close(readable)
            # A signal that ends the run is the parent's to handle (it removes a temporary
            # copy of the log, say); the child just stops, and the parent hears it has.
            for number in LEAVING:
                signal.signal(number, signal.SIG_DFL)
            status = 0
            try:
                with open(writable, "wb") as out:
                    work(lambda message: pickle.dump(message, out, pickle.HIGHEST_PROTOCOL))
            except BaseException:  # noqa: BLE001 - the parent sees the pipe end early
                status = 1
            finally:
                os._exit(status)
        os.close(writable)
        self.pipe = open(readable, "rb")  # noqa: SIM115 - closed by close()
        self.load = pickle.load
        self.broken: tuple[type[Exception], ...] = (EOFError, pickle.UnpicklingError)
        self.select = select.select
        self.early: list[Any] = []
        self.done = False

    def check(self) -> None:
        """Between two blocks of this process's own half: if the child has already sent its
        answer and it is a failure that stops both (a lone carriage return in its half, a date
        that needs the day/month order), raise it now, not at the end. Other failures wait for
        the end of this half: only then is it known that the child's half began at a record's
        start (see CsvTable.halves), and so that the failure is the log's, not the split's."""
        if self.early or not self.select([self.pipe], [], [], 0)[0]:
            return
        message = self._next()
        self.early.append(message)
        if message[0] == "error" and isinstance(message[1], NotPlain | NeedDateOrder):
            raise message[1]

    def receive(self) -> Any:
        """The child's next message, waiting for it."""
        if self.early:
            return self.early.pop()
        return self._next()

    def _next(self) -> Any:
        """One message; the pipe ends early, or in the middle of one, when the child died."""
        try:
            return self.load(self.pipe)
        except self.broken:
            raise ChildLost(
                "the process counting the second half of the log stopped without an answer "
                "(killed, or out of memory?); run the command again"
            ) from None

    def kill(self) -> None:
        if not self.done:
            os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        if not self.done:
            self.done = True
            self.pipe.close()
            os.waitpid(self.pid, 0)


def _count_part(
    send: Callable[[object], None],
    table: Table,
    windows: list[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    want_hashes: bool,
    part: Part,
) -> None:
    """The child's half: count it and send back plain data (windows' counts, not the windows)."""
    try:
        hashes = [array("q") for _ in range(_BUCKETS)] if want_hashes else None
        part_count = _pass(table, windows, options, order, skip_lines, hashes, part)
        part_count.windows = []
        # The parent checks that this part's ids follow its own: the first is read here, in
        # parallel, rather than there after the wait.
        part_count.id_runs = [run._replace(first=run.first_id(table)) for run in part_count.id_runs]
        send(("ok", part_count, [w.state() for w in windows]))
        for bucket in hashes or ():  # one at a time: the parent never holds them all twice
            send(bucket.tobytes())
    except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
        try:
            send(("error", err, None))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            send(("error", DataError(f"{table.name}: {type(err).__name__}: {err}"), None))
