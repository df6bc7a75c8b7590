"""The engine's second door, `visit`: each valid request handed over as plain values (dates,
`executed` None when pending), within a span, with windows counted in the same pass. Every
expectation is worked out by hand from the small logs written here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import HEADER

from coopstats.catalogue import GROUP
from coopstats.engine import Visited, Window, count, visit
from coopstats.errors import InvalidRows
from coopstats.model import Period
from coopstats.read import ReadOptions, Source

ROWS = [
    "R-1,OTP,RFA,,,2024-01-10,2024-01-20,positive",
    "R-2,Registry,RFC,HQ,defence,2024-02-01,,",
    "R-3,OTP,RFQ,,,2024-02-02,,",  # unknown kind: line 4, invalid
    "R-4,Registry,RFC,country-office,,2023-06-30,2023-07-03,negative",
]
YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


class Keep:
    def __init__(self) -> None:
        self.seen: list[Visited] = []

    def __call__(self, request: Visited) -> None:
        self.seen.append(request)


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_each_valid_request_as_plain_values(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    with Source(str(path)) as source:
        counted, keep = visit(source, Keep, ReadOptions(skip_invalid=True))
    assert [(r.line, r.id) for r in keep.seen] == [(2, "R-1"), (3, "R-2"), (5, "R-4")]
    first, pending, office = keep.seen
    assert (first.sent, first.executed, first.positive) == (
        date(2024, 1, 10), date(2024, 1, 20), True,
    )  # fmt: skip
    assert (pending.executed, pending.positive) == (None, None)
    assert pending.categories == ("defence",) and pending.origin == "HQ"
    assert GROUP["rfc_hq"].index in pending.groups
    assert GROUP["rfc_co"].index in office.groups and office.positive is False
    assert pending.request().executed is None and pending.request().id == "R-2"
    assert counted.invalid_lines == [4] and counted.windows == []


def test_a_span_and_windows_in_the_same_pass(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    with Source(str(path)) as source:
        counted, keep = visit(
            source, Keep, ReadOptions(skip_invalid=True), span=YEAR,
            windows=lambda: [Window(YEAR, YEAR.end)],
        )  # fmt: skip
    assert [r.id for r in keep.seen] == ["R-1", "R-2"]  # R-4 was sent in 2023
    (window,) = counted.windows
    rfa, hq = GROUP["rfa"].index, GROUP["rfc_hq"].index
    assert (window.sent[rfa], window.executed[rfa], window.days[rfa]) == (1, 1, {10: 1})
    assert (window.sent[hq], window.executed[hq]) == (1, 0)
    with Source(str(path)) as source:
        alone = count(source, lambda: [Window(YEAR, YEAR.end)], ReadOptions(skip_invalid=True))
    assert alone.windows[0].state() == window.state()


def test_a_second_read_starts_a_fresh_visitor(tmp_path: Path) -> None:
    """Numeric dates make the engine read the log twice (to settle their order), and a
    repeated id under skip_invalid once more: the visitor returned saw only the last read."""
    path = write(
        tmp_path,
        ["R-1,OTP,RFA,,,05/10/2023,,", "R-2,OTP,RFA,,,16/09/2023,,", "R-1,OTP,RFA,,,01/10/2023,,"],
    )
    made: list[Keep] = []

    def fresh() -> Keep:
        made.append(Keep())
        return made[-1]

    with Source(str(path)) as source:
        counted, keep = visit(source, fresh, ReadOptions(skip_invalid=True))
    assert len(made) == 3 and keep is made[-1]
    assert [(r.id, r.sent) for r in keep.seen] == [
        ("R-1", date(2023, 10, 5)), ("R-2", date(2023, 9, 16)),
    ]  # fmt: skip
    assert counted.invalid_lines == [4]


def test_problems_stop_a_visit_as_they_stop_a_count(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    with Source(str(path)) as source, pytest.raises(InvalidRows) as caught:
        visit(source, Keep)
    assert [p.line for p in caught.value.problems] == [4]
