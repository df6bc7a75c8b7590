"""The fast loops on logs in any column layout: another order of the columns, extra columns
(free text, say), a missing optional column.

`_Pass.split_block` counts the lines of a plain log in any layout other than the SPEC's, and
`_Pass.tallied` the csv module's records (a log with quotes, a workbook, a log without an
optional column). Each is checked against the general per-record loop (`_Pass.records`, forced by
making `_Pass._blocks_fit` say no) on messy logs — same counts, records, problems on the same
lines — and against the tests' oracle on valid ones. Spies check that the loop under test ran.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics
from strategies import COLUMNS, column_orders, valid_rows
from test_block_loop import MUTATIONS, PADS, QUOTES, SKIP, mutate, outcome, use_loop

from coopstats import engine
from coopstats.catalogue import figure_ids
from coopstats.model import Period
from coopstats.read import ReadOptions, Source, lines
from coopstats.read import csv as read_csv
from coopstats.summary import summarize

PERIOD = Period(date(2023, 9, 16), date(2024, 9, 15))
EXTRA_TEXT = ("", "urgent", "see file 12", "reply partial", "follow-up sent")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def loop_calls(name: str) -> Iterator[list[int]]:
    """The first line of each call of one of `_Pass`'s loops (in this process)."""
    calls: list[int] = []
    original = getattr(engine._Pass, name)

    def spy(self: engine._Pass, first: Any, *more: Any) -> None:
        calls.append(first if isinstance(first, int) else 0)
        original(self, first, *more)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine._Pass, name, spy)
        yield calls


def laid_out(cells: list[str], order: list[str], extras: list[int], note: str) -> list[str]:
    """A row of the SPEC's 8 cells in `order`, with a free-text cell before each position of
    `extras` (positions in the reordered row); a row of any other width as it is."""
    if len(cells) != len(COLUMNS):
        return cells
    by_name = dict(zip(COLUMNS, cells, strict=True))
    row = [by_name[name] for name in order]
    for position in sorted(extras, reverse=True):
        row.insert(position, note)
    return row


@st.composite
def messy_layouts(draw: st.DrawFn) -> tuple[str, bool]:
    """(text of a log in another column layout, whether it holds a quote): the mutations of
    test_block_loop's messy logs, made in the SPEC's order, then each row of 8 cells reordered
    and given extra cells."""
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    pad = draw(st.sampled_from([p for p in PADS if p != delimiter]))
    rows = draw(valid_rows(min_size=1, max_size=30))
    if delimiter == ";":  # categories are ';'-joined: one category keeps the log plain
        for row in rows:
            row["categories"] = row["categories"].split(";")[0]
    order = draw(column_orders())
    extras = draw(st.lists(st.integers(0, len(COLUMNS)), max_size=2))
    if order == list(COLUMNS) and not extras:
        extras = [len(COLUMNS)]  # always another layout than the SPEC's
    ordering = draw(st.sampled_from(["as drawn", "increasing", "decreasing"]))
    if ordering != "as drawn":
        rows.sort(key=lambda row: row["id"], reverse=ordering == "decreasing")
    body = [[row[column] for column in COLUMNS] for row in rows]
    changes = draw(
        st.lists(
            st.tuples(
                st.sampled_from(MUTATIONS), st.booleans(), st.integers(0, 999),
                st.integers(0, 999),
            ),
            max_size=8,
        )
    )  # fmt: skip
    for name, copy, i, j in changes:
        mutate(body, name, copy, i, j, pad)
    notes = draw(st.lists(st.sampled_from(EXTRA_TEXT), min_size=len(body), max_size=len(body)))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.sampled_from([end, ""]))
    header = laid_out(list(COLUMNS), order, extras, "Notes")
    if len(extras) > 1:
        header = [title if title != "Notes" else f"Notes {k}" for k, title in enumerate(header)]
    lines_ = [delimiter.join(header)] + [
        delimiter.join(laid_out(cells, order, extras, note))
        for cells, note in zip(body, notes, strict=True)
    ]
    text = end.join(lines_) + final
    return text, any(name in QUOTES for name, _, _, _ in changes)


@SETTINGS
@given(log=messy_layouts(), block=st.sampled_from([64, 300, lines.BLOCK]))
def test_the_split_block_loop_agrees_with_the_general_loop(
    log: tuple[str, bool], block: int
) -> None:
    """On logs in another column order, with extra columns, and with the messy rows of
    test_block_loop (blank lines, rows of the wrong width, spaced or blank ids, invalid kinds
    and dates, duplicates, quotes handing over to the csv module mid-file), the block loop for
    any layout — in one process and in two — finds the same counts, records, problems (line,
    column, value, code, message) and sent range as the general loop, with and without
    skip_invalid. On a log without quotes it is checked to have run."""
    text, quoted = log
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "BLOCK", block)
        path = Path(folder) / "log.csv"
        path.write_bytes(text.encode("utf-8"))
        for read in (SKIP, ReadOptions()):
            with loop_calls("split_block") as calls, loop_calls("block") as spec_calls:
                fast = outcome(path, read)
            assert spec_calls == []
            assert calls or quoted, "the block loop for any layout did not run"
            with pytest.MonkeyPatch.context() as two:
                two.setattr(read_csv, "HALVES_FROM", 1)
                halves = outcome(path, read)
            with pytest.MonkeyPatch.context() as general:
                use_loop(general, "general")
                slow = outcome(path, read)
            assert fast == slow
            assert halves == slow


def export_text(
    rows: list[dict[str, str]], order: list[str], delimiter: str, notes: list[str],
    note_at: int, end: str,
) -> str:  # fmt: skip
    """The rows as an export writes them: a free-text column at `note_at`, the csv module's
    quoting (a note with the delimiter or a line break in it is quoted), a BOM, `end` lines."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=end)
    header = list(order)
    header.insert(note_at, "Notes")
    writer.writerow(header)
    for row, note in zip(rows, notes, strict=True):
        cells = [row[name] for name in order]
        cells.insert(note_at, note)
        writer.writerow(cells)
    return "\ufeff" + out.getvalue()


@SETTINGS
@given(
    rows=valid_rows(min_size=1),
    order=column_orders(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    note_at=st.integers(0, len(COLUMNS)),
    quoted=st.booleans(),
    end=st.sampled_from(["\n", "\r\n"]),
    seed=st.integers(0, 1000),
)
def test_exports_in_any_layout_give_the_oracles_figures(
    rows: list[dict[str, str]], order: list[str], delimiter: str, note_at: int, quoted: bool,
    end: str, seed: int,
) -> None:  # fmt: skip
    """An export in any column order with a free-text column, a BOM, LF or CRLF — plain (the
    block loop for any layout) or with quoted notes holding line breaks (the csv module's
    records, counted by `tallied`) — gives the oracle's figures."""
    choice = random.Random(seed).choice
    texts = ["", "urgent", "see file"] + (['Two parts:\n1) "records"; 2) more'] if quoted else [])
    notes = [choice(texts) for _ in rows]
    if delimiter == ";" and not quoted:  # one category each: no cell to quote
        rows = [{**row, "categories": row["categories"].split(";")[0]} for row in rows]
    text = export_text(rows, order, delimiter, notes, note_at, end)
    expected = oracle_metrics(rows, PERIOD.start, PERIOD.end)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(text.encode("utf-8"))
        with loop_calls("split_block") as split, loop_calls("tallied") as tallied:
            with Source(str(path)) as source:
                got = summarize(source, PERIOD).values
        assert split or tallied, "no fast loop ran"
        if '"' not in text:
            assert split, "a plain export was not read by the block loop for any layout"
    for metric in figure_ids():
        assert got[metric] == expected[metric], metric


@pytest.mark.parametrize("loop", ["fast", "general"])
def test_a_log_without_an_optional_column_counts_by_hand(tmp_path: Path, loop: str) -> None:
    """No outcome column (every executed request positive, SPEC §1) and an extra column, in
    another order: the fast loop for records (`tallied`, cells of the absent column read as '')
    and the general loop count what is worked out here by hand, and find the same problem."""
    path = tmp_path / "log.csv"
    path.write_text(
        "sent,Notes,executed,id,kind,organ,origin,categories\n"
        "2024-01-10,,2024-01-20,r1,RFC,Registry,HQ,defence\n"  # 10 days
        "2024-02-01,x,,r2,RFC,Registry,HQ,victims\n"  # pending
        "2024-03-01,,2024-03-05,r3,RFC,Registry,HQ,defence\n"  # 4 days
        "2024-03-01,,2024-02-05,r4,RFC,Registry,HQ,defence\n"  # executed before sent: line 5
        "2020-03-01,,2020-03-05,r5,RFC,Registry,HQ,defence\n",  # outside the period
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as mp, loop_calls("tallied") as calls:
        if loop == "general":
            use_loop(mp, "general")
        with Source(str(path)) as source:
            summary = summarize(source, PERIOD, options=SKIP)
    assert bool(calls) == (loop == "fast")
    values = summary.values
    assert values["registry.rfc.hq"] == 3
    assert values["registry.hq.defence"] == 2
    assert values["registry.hq.defence_avg_days_to_reply"] == 7  # (10 + 4) / 2
    assert values["registry.rfc.hq_positive_pct"] * 3 == 200  # 2 of 3, no outcome column
    assert summary.counted.invalid_lines == [5]
    assert [p.code for p in summary.counted.problems] == ["executed-before-sent"]
