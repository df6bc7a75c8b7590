"""Every valid request of a log, whatever its dates, as model.Request values: for tests (what
the engine's `Listing` window was; now a visitor of engine.visit)."""

from __future__ import annotations

from coopstats.engine import Counted, Visited, visit
from coopstats.model import Request
from coopstats.read import DEFAULT_READ, ReadOptions, Source


class Listing:
    """A visitor that keeps every request it is handed."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def __call__(self, request: Visited) -> None:
        self.requests.append(request.request())


def listing(source: Source, options: ReadOptions = DEFAULT_READ) -> tuple[Counted, list[Request]]:
    """The pass's account and every valid request of the log, in the log's order."""
    counted, seen = visit(source, Listing, options)
    return counted, seen.requests
