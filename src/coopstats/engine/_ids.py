"""Id hashing and duplicate detection: which records take an id, the runs of increasing ids the
loops leave unhashed, and the check for repeats at the end of a pass."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any, NamedTuple

from coopstats.model import Problem
from coopstats.read import Part, Table

# Id hashes are kept in a few arrays (by their low bits), each checked alone at the end: few
# enough that appending stays cache-friendly, many enough that one check's set stays small.
_BUCKETS = 64
_MASK = _BUCKETS - 1


class IdRun(NamedTuple):
    """The ids at the start of one part of a log (part None: the whole table) that came in
    strictly increasing order, up to line `until` (None: to the part's end). Such ids are all
    different, so the pass kept no hash of them. `last` is the greatest id of the run ('' when
    there is none); `first` the part's first id, when known."""

    part: Part | None
    until: int | None
    last: str
    first: str | None = None

    def first_id(self, table: Table) -> str:
        """The part's first id ('' when it has none), read if not known."""
        if self.first is None:
            return next((rid for _, rid in _ids(table, self.part)), "")
        return self.first


def wrong_width(row: list[str], width: int) -> bool:
    """Too few cells, or more with something in them: the record cannot be read by the header.
    Such a record is never an id's first use (its cells may be shifted)."""
    return len(row) < width or any(cell.strip() for cell in row[width:])


def _ids(table: Table, part: Part | None) -> Iterator[tuple[int, str]]:
    """(line, id) of each record of the table, or of one part of it, whose id a pass takes: a
    record of the header's width (or with empty cells beyond it) with an id that is not blank."""
    i_id, width = table.index["id"], table.width
    records = table.records() if part is None else table.records_in(*part)
    for line, row in records:
        rid = _id_of(row, i_id, width)
        if rid:
            yield line, rid


def _id_of(row: list[str], i_id: int, width: int) -> str:
    """A record's id as a pass takes it, or '' (none, or a record not of the header's width)."""
    if len(row) != width and wrong_width(row, width):
        return ""
    return row[i_id].strip() if i_id < len(row) else ""


# The records at the start of a part among which `_first_id` looks for its first id.
_FIRST_ID_AMONG = 16


def _first_id(table: Table, head: list[tuple[int, list[Any]]], whole: bool) -> str | None:
    """The first id that `_ids` gives of a part that starts with the records `head` (as
    Table.counted_records gives them), or None when none of them has one and the part goes on
    (`whole` False); '' when the part has none."""
    i_id, width = table.index["id"], table.width
    found = next(filter(None, (_id_of(table.as_text(row), i_id, width) for _, row in head)), "")
    return found if found or whole else None


def _all_increasing(table: Table, runs: list[IdRun]) -> bool:
    """Whether the ids of the whole log came in strictly increasing order, so none repeats."""
    if any(run.until is not None for run in runs):
        return False
    highest = ""
    for run in runs:
        if highest and run.last and run.first_id(table) <= highest:
            return False  # this part's first id does not follow the ids of the part before
        highest = run.last or highest
    return True


def _duplicates(table: Table, id_hashes: list[array[int]], runs: list[IdRun]) -> list[Problem]:
    """Every repeat of an id, named with the line of its first use.

    When the ids came in strictly increasing order there is none. Otherwise the ids of the
    increasing runs, which the pass did not hash, are hashed now; then equal hashes are
    candidates, and a second, cheap pass over the id column confirms them (two different ids
    may share a hash) and finds their lines.
    """
    if _all_increasing(table, runs):
        return []
    for run in runs:
        for line, rid in _ids(table, run.part):
            if run.until is not None and line >= run.until:
                break
            h = hash(rid)
            id_hashes[h & _MASK].append(h)
    suspects: set[int] = set()
    for k, bucket in enumerate(id_hashes):
        id_hashes[k] = array("q")  # let each bucket go once checked: memory falls as we go
        if len(set(bucket)) < len(bucket):  # one bucket at a time keeps the set small
            ordered = sorted(bucket)
            suspects.update(a for a, b in zip(ordered, ordered[1:], strict=False) if a == b)
        del bucket
    if not suspects:
        return []
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    label = table.column_label("id")
    for line, rid in _ids(table, None):
        if hash(rid) in suspects:
            if rid in first_line:
                problems.append(
                    Problem(
                        line, label, rid, f"duplicate id: already used on line {first_line[rid]}",
                        "duplicate-id", "every request needs its own id",
                    ).kept()
                )
            else:
                first_line[rid] = line
    return problems
