"""What the signal handlers share; importing it changes nothing (the handlers are installed by
coopstats.script, and by a temporary copy's owner in coopstats.read.source)."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing and types are not loaded at start-up; mypy reads it as True
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import CodeType, FrameType


def dropped_here(signum: int, frame: FrameType | None) -> bool:
    """True when the signal came in code whose exceptions Python drops, with an "Exception
    ignored in" on stderr, and goes on: a `__del__`, or the callback that importlib runs when a
    module's import lock goes (any import can run it). The signal is then sent again from the
    first call outside that code, where its handler's exception unwinds the run as it should.
    """
    if not any(_drops(code) for code in _codes(frame)):
        return False
    previous = sys.getprofile()

    def outside(frame: FrameType, event: str, arg: object) -> None:
        if event in ("call", "c_call") and not any(_drops(code) for code in _codes(frame)):
            sys.setprofile(previous)
            os.kill(os.getpid(), signum)  # handled here or in the next lines, not dropped

    sys.setprofile(outside)
    return True


def _codes(frame: FrameType | None) -> Iterator[CodeType]:
    while frame is not None:
        yield frame.f_code
        frame = frame.f_back


def _drops(code: CodeType) -> bool:
    return code.co_name == "__del__" or (
        code.co_name == "cb" and code.co_filename == "<frozen importlib._bootstrap>"
    )
