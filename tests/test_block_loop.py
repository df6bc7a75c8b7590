"""The block loop of the engine (`_Pass.block`: a plain log in the SPEC's column order, counted a
block of lines at a time) gives exactly what the general per-record loop (`_Pass.records`)
gives, and the ids it leaves unhashed while they come in increasing order are still checked for
repeats.

Every expectation here is either the general loop's answer on the same log (forced by making
`_Pass._blocks_fit` say no) or a value worked out by hand in the test; none is copied from the
program's output. Tests that rely on the block loop check, with a spy, that it really ran.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import COLUMNS, valid_rows

from coopstats import engine, read
from coopstats.catalogue import GROUP, GROUPS
from coopstats.checks import Kind
from coopstats.engine import Counted, Window, count
from coopstats.errors import DataError, InvalidRows
from coopstats.model import Period, Problem
from coopstats.read import FileProblem, ReadOptions, Source, lines, open_table
from coopstats.read import csv as read_csv

COUNT = len(GROUPS)
RFA, MISSION, RFI = GROUP["rfa"].index, GROUP["mission"].index, GROUP["rfi"].index
RFC_HQ, RFC_CO, DECISION = GROUP["rfc_hq"].index, GROUP["rfc_co"].index, GROUP["decision"].index
HQ_DEFENCE, HQ_VICTIMS = GROUP["hq_defence"].index, GROUP["hq_victims"].index
HQ_JUDICIAL, ARREST = GROUP["hq_judicial"].index, GROUP["arrest"].index

PERIOD = Period(date(2023, 9, 16), date(2024, 9, 15))
PRIOR = Period(date(2022, 9, 16), date(2023, 9, 15))
EVERYTHING = Period(date(2021, 1, 1), date(2025, 12, 31))  # every date valid_rows draws
HEADER = "id,organ,kind,origin,categories,sent,executed,outcome"
SKIP = ReadOptions(skip_invalid=True)
LOOPS = ("block", "general")

BlockCall = tuple[int, int, str | None]  # (first line, number of lines, date order) of a call
Account = tuple[object, ...]


def windows() -> list[Window]:
    """The report's period and the prior one, the period as of an earlier date (so that some
    executions come after the as-of date), and a window holding every request drawn."""
    return [
        Window(PERIOD, PERIOD.end),
        Window(PRIOR, PRIOR.end),
        Window(PERIOD, date(2024, 3, 1)),
        Window(EVERYTHING, EVERYTHING.end),
    ]


def problem_tuples(problems: list[Problem]) -> list[tuple[object, ...]]:
    return [(p.line, p.column, p.value, p.code, p.message) for p in problems]


def account(counted: Counted) -> Account:
    """Everything a pass reports, as plain data to compare."""
    return (
        [w.state() for w in counted.windows], counted.records, counted.invalid_rows,
        counted.invalid_lines, problem_tuples(counted.problems), counted.problem_count,
        counted.first_sent, counted.last_sent,
    )  # fmt: skip


def outcome(path: Path, read: ReadOptions) -> Account:
    """What `count` makes of a log: its account, or the problems it stops with."""
    with Source(str(path)) as source:
        try:
            return ("ok", account(count(source, windows, read)))
        except InvalidRows as err:
            return ("invalid", problem_tuples(err.problems), err.total, err.rows)
        except FileProblem as err:  # a problem of the whole file (the date order, say)
            return ("file", problem_tuples([err.problem]))
        except DataError as err:
            return ("error", type(err).__name__, err.message)


def use_loop(mp: pytest.MonkeyPatch, loop: str) -> None:
    """`general` forces the per-record loop; `block` leaves the engine to choose (the block
    loop, for every log of this file that has no quote in its first block)."""
    if loop == "general":
        mp.setattr(engine._Pass, "_blocks_fit", lambda self: False)
    else:
        assert loop == "block"


@contextmanager
def block_calls() -> Iterator[list[BlockCall]]:
    """Record each call of the block loop (in this process) and let it run as usual."""
    calls: list[BlockCall] = []
    original = engine._Pass.block

    def spy(self: engine._Pass, first_line: int, block: list[str], *more: Any) -> None:
        calls.append((first_line, len(block), self.checker.order))
        original(self, first_line, block, *more)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine._Pass, "block", spy)
        yield calls


def write(path: Path, body: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


def run(path: Path, loop: str, read: ReadOptions = SKIP) -> tuple[Counted, list[BlockCall]]:
    with pytest.MonkeyPatch.context() as mp, block_calls() as calls:
        use_loop(mp, loop)
        with Source(str(path)) as source:
            counted = count(source, windows, read)
    if loop == "general":
        assert calls == []  # the switch works: what was compared against is the other loop
    else:
        assert calls, "the block loop did not run"
    return counted, calls


# --- the property: the block loop agrees with the general loop on messy logs ------------------

MUTATIONS = (
    "blank-line", "spaces-row", "empty-cells-row", "trailing-empty-cells", "too-few-cells",
    "too-many-cells", "spaced-id", "blank-id", "unknown-kind", "bad-sent", "bad-executed",
    "executed-before-sent", "outcome-on-pending", "duplicate-next", "duplicate-any", "quote",
    "multi-line-quote",
)  # fmt: skip
QUOTES = ("quote", "multi-line-quote")


# What str.strip() removes around an id: a space, a tab, a non-breaking space from a
# spreadsheet, and ASCII controls that count as spaces (a block of lines is stripped only when
# it holds one of them).
PADS = (" ", "\t", "\xa0", "\x0b", "\x1f", "\u3000")


def mutate(body: list[list[str]], name: str, copy: bool, i: int, j: int, pad: str) -> None:
    """Apply one mutation to the body's rows of cells (in place); `i`, `j` pick where, `pad`
    is the space around a spaced id or in a blank one.

    With `copy`, a row mutation changes a copy of the row (with an id of its own), inserted
    just after it: every cell of the copy has been seen before, so the block loop meets the
    mutation on its fast path (cached kind cells and dates) rather than in `_odd`."""
    if name == "blank-line":
        body.insert(i % (len(body) + 1), [""])
        return
    if name == "spaces-row":
        body.insert(i % (len(body) + 1), ["  ", "  "])
        return
    if name == "empty-cells-row":
        body.insert(i % (len(body) + 1), [""] * len(COLUMNS))
        return
    rows = [k for k, cells in enumerate(body) if len(cells) == len(COLUMNS)]
    if not rows:
        return
    k = rows[i % len(rows)]
    row = body[k]
    if copy:
        row = [row[0].strip() + "-c", *row[1:]]  # between the row's id and the next one's
        k += 1
        body.insert(k, row)
        rows = [r for r, cells in enumerate(body) if len(cells) == len(COLUMNS)]
    if name == "trailing-empty-cells":
        row += [""] * (1 + j % 2)
    elif name == "too-few-cells":
        del row[1 + j % (len(COLUMNS) - 1) :]
    elif name == "too-many-cells":
        row += ["", "x"] if j % 2 else ["x"]
    elif name == "spaced-id":
        row[0] = (pad if j % 3 else "") + row[0].strip() + (pad * 2 if j % 3 != 1 else "")
    elif name == "blank-id":
        row[0] = pad * (j % 2)
    elif name == "unknown-kind":
        row[2] = "RFQ"
    elif name == "bad-sent":
        row[5] = ("2024-02-30", "not a date", "45185", "")[j % 4]
    elif name == "bad-executed":
        row[6] = ("2023-13-01", "soon")[j % 2]
    elif name == "executed-before-sent":
        if row[6] and row[6] != row[5]:
            row[5], row[6] = row[6], row[5]  # both dates known to the caches
        else:
            row[6] = "2020-12-31"  # valid_rows sends nothing before 2021
    elif name == "outcome-on-pending":
        if row[7].strip():
            row[6] = ""  # an outcome the caches know
        else:
            row[6], row[7] = "", ("positive", "negative")[j % 2]
    elif name == "duplicate-next":
        after = [r for r in rows if r > k]
        if after:
            body[after[0]][0] = row[0]  # equal neighbours: the order breaks on the second
    elif name == "duplicate-any":
        body[rows[j % len(rows)]][0] = row[0]
    elif name == "quote":
        row[2] = '"' + row[2] + '"'
    elif name == "multi-line-quote":
        row[1] = '"' + row[1] + '\n"'  # 'OTP\n' is still the OTP: a valid two-line record
    else:
        raise AssertionError(name)


@st.composite
def messy_logs(draw: st.DrawFn) -> tuple[str, bool]:
    """(text of a log in the SPEC's column order, whether it holds a quote)."""
    delimiter = draw(st.sampled_from([",", "\t"]))
    pad = draw(st.sampled_from([p for p in PADS if p != delimiter]))
    rows = draw(valid_rows(min_size=1, max_size=30))
    order = draw(st.sampled_from(["as drawn", "increasing", "decreasing"]))
    if order != "as drawn":
        rows.sort(key=lambda row: row["id"], reverse=order == "decreasing")
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
    end = draw(st.sampled_from(["\n", "\r\n"]))
    # Blank lines or Excel's `sep=,` above the header move every line number down.
    preamble = draw(st.sampled_from(["", end, f"sep=,{end}" if delimiter == "," else end]))
    final = draw(st.sampled_from([end, ""]))  # a missing line end after the last line
    header = delimiter.join(COLUMNS)
    text = preamble + end.join([header] + [delimiter.join(cells) for cells in body]) + final
    return text, any(name in QUOTES for name, _, _, _ in changes)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=messy_logs(), block=st.sampled_from([64, 300, lines.BLOCK]))
def test_the_block_loop_agrees_with_the_general_loop(log: tuple[str, bool], block: int) -> None:
    """On logs with blank lines, whitespace-only rows, rows of empty cells, CRLF, trailing
    empty cells, rows of the wrong width, spaced or blank ids, invalid kinds and dates, outcomes
    on pending requests, duplicate ids (in increasing runs and out of order) and now and then a
    quote (handing over to the csv module, mid-file when blocks are small), the block loop —
    in one process and in two — finds the same counts, records, invalid rows, problems (line,
    column, value, code, message) and sent range as the general loop, with and without
    skip_invalid. On a log without quotes the block loop is checked to have run."""
    text, quoted = log
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "BLOCK", block)  # small blocks: several per log, hand-overs mid-file
        path = Path(folder) / "log.csv"
        path.write_bytes(text.encode("utf-8"))
        for read in (SKIP, ReadOptions()):
            with block_calls() as calls:
                fast = outcome(path, read)
            assert calls or quoted, "the block loop did not run"
            with pytest.MonkeyPatch.context() as two:
                two.setattr(read_csv, "HALVES_FROM", 1)  # two processes when the log allows
                halves = outcome(path, read)
            with pytest.MonkeyPatch.context() as general:
                use_loop(general, "general")
                slow = outcome(path, read)
            assert fast == slow
            assert halves == slow


KNOWN = "2024-01-01,2024-01-03"  # dates the first line of each log below makes known
TRICKY: dict[str, tuple[list[str], list[tuple[int, str]]]] = {
    "blank ids on a line otherwise known": (
        [f"a,OTP,RFA,,,{KNOWN},positive", f" ,OTP,RFA,,,{KNOWN},positive",
         f",OTP,RFA,,,{KNOWN},positive", f"\x1f,OTP,RFA,,,{KNOWN},positive"],
        [(3, "missing-value"), (4, "missing-value"), (5, "missing-value")],
    ),
    "executed before sent, both dates known": (
        [f"a,OTP,RFA,,,{KNOWN},", "b,OTP,RFA,,,2024-01-03,2024-01-01,"],
        [(3, "executed-before-sent")],
    ),
    "an outcome known, on a pending request": (
        [f"a,OTP,RFA,,,{KNOWN},negative", "b,OTP,RFA,,,2024-01-01,,negative"],
        [(3, "outcome-without-execution")],
    ),
    "cells past the header after a row with empty cells past it": (
        [f"c,OTP,RFA,,,{KNOWN},", "a,OTP,RFA,,,2024-01-01,,,,",
         "b,OTP,RFA,,,2024-01-01,,2024-01-01,2024-01-03,"],
        [(4, "extra-cell")],
    ),
    "a rejected row's id used again, ids otherwise increasing": (
        ["a,OTP,RFA,,,2024-01-01,,", "b,OTP,RFQ,,,2024-01-01,,", "b,OTP,RFA,,,2024-01-01,,",
         "c,OTP,RFA,,,2024-01-01,,"],
        [(3, "unknown-kind"), (4, "duplicate-id")],
    ),
    "a short row's id is no first use": (
        ["b,OTP,RFA,,,2024-01-01", "a,OTP,RFA,,,2024-01-01,,", "b,OTP,RFA,,,2024-01-01,,"],
        [(2, "missing-cell")],
    ),
    "rows of blanks are not records": (
        ["a,OTP,RFA,,,2024-01-01,,", "  ,  ,,,,,,", ",,,,,,,", "", "  ", "\t", ",,,,,,,,,,"],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_lines_the_fast_path_must_not_take(tmp_path: Path, case: str) -> None:
    """Lines whose kind cells and dates are all known to the caches, yet which are invalid (a
    blank id, executed before sent, an outcome on a pending request, cells past the header),
    lines that are no records, and ids taken by rejected rows: the block loop reports the
    problems worked out by hand, on the same lines as the general loop."""
    body, expected = TRICKY[case]
    path = write(tmp_path / "log.csv", body)
    fast, _ = run(path, "block")
    slow, _ = run(path, "general")
    assert account(fast) == account(slow)
    assert [(p.line, p.code) for p in fast.problems] == expected
    assert fast.records == sum(1 for line in body if line.strip(" ,\t"))


# --- counts worked out by hand ----------------------------------------------------------------


def test_add_counts_folds_a_histogram_into_every_group_of_the_kind() -> None:
    """`Window.add_counts` reads its keys as 2 × days + positive (-1: not executed by the
    as-of date) and adds each request to every group of its kind."""
    window = Window(PERIOD, PERIOD.end)
    kind = Kind("Registry", "RFC", "HQ", ("defence", "arrest-surrender"),
                (RFC_HQ, HQ_DEFENCE, ARREST))  # fmt: skip
    # 2 pending; 3 executed in 5 days, positive; 1 executed in 7 days, negative; 4 same day,
    # positive.
    window.add_counts(kind, {-1: 2, 2 * 5 + 1: 3, 2 * 7: 1, 1: 4})
    for g in range(COUNT):
        mine = g in (RFC_HQ, HQ_DEFENCE, ARREST)
        assert window.sent[g] == (10 if mine else 0)
        assert window.executed[g] == (8 if mine else 0)
        assert window.positive[g] == (7 if mine else 0)
        assert window.days[g] == ({5: 3, 7: 1, 0: 4} if mine else {})


HAND_LOG = [
    "a1,OTP,RFA,,,2023-10-01,2023-10-11,positive",  # RFA: 10 days, positive
    "a2,OTP,mission-notification,,,2024-01-01,,",  # pending
    "a3,Registry,RFC,HQ,defence;arrest-surrender,2024-02-20,2024-03-05,negative",  # 14 days
    "a4,OTP,RFA,,,2024-03-01,2024-03-01,",  # same day; no outcome: positive
    "a5,Registry,RFC,country-office,,2024-09-10,2024-09-20,",  # executed after the as-of date
    "a6,OTP,RFI,,,2023-09-15,2023-09-20,positive",  # sent the day before the period
    "a7,Registry,decision-notification,,,2024-09-15,2024-09-15,positive",  # the period's last day
    "a8,Registry,RFC,HQ,victims;judicial-support,2024-02-29,2024-03-02,positive",  # 2 days
]


def groups_list(values: dict[int, int]) -> list[int]:
    return [values.get(g, 0) for g in range(COUNT)]


@pytest.mark.parametrize("loop", LOOPS)
def test_a_small_log_counts_as_worked_out_by_hand(tmp_path: Path, loop: str) -> None:
    """S, E, positive replies and the days histograms per group, for a log of eight requests
    whose figures were worked out by hand (leap day included: 2024-02-20 to 2024-03-05 is 14
    days), in the period 2023-09-16:2024-09-15 as of its end, in the prior period, and in the
    period as of 2024-03-01."""
    counted, _ = run(write(tmp_path / "log.csv", HAND_LOG), loop)
    current, prior, early, _ = counted.windows
    # S: a1 a4 (RFA), a2 (mission), a3 a8 (HQ), a5 (country office), a7 (decision); a3 is
    # defence and arrest, a8 victims and judicial support. E: all of S but a2 and a5.
    # Positive: E but a3 (negative).
    sent = {RFA: 2, MISSION: 1, RFC_HQ: 2, RFC_CO: 1, HQ_DEFENCE: 1, HQ_VICTIMS: 1,
            HQ_JUDICIAL: 1, ARREST: 1, DECISION: 1}  # fmt: skip
    executed = {RFA: 2, RFC_HQ: 2, HQ_DEFENCE: 1, HQ_VICTIMS: 1, HQ_JUDICIAL: 1, ARREST: 1,
                DECISION: 1}  # fmt: skip
    positive = {RFA: 2, RFC_HQ: 1, HQ_VICTIMS: 1, HQ_JUDICIAL: 1, DECISION: 1}
    assert current.sent == groups_list(sent)
    assert current.executed == groups_list(executed)
    assert current.positive == groups_list(positive)
    expected_days: dict[int, dict[int, int]] = {
        RFA: {10: 1, 0: 1}, RFC_HQ: {14: 1, 2: 1}, HQ_DEFENCE: {14: 1}, HQ_VICTIMS: {2: 1},
        HQ_JUDICIAL: {2: 1}, ARREST: {14: 1}, DECISION: {0: 1},
    }  # fmt: skip
    assert current.days == [expected_days.get(g, {}) for g in range(COUNT)]
    # The prior period holds a6 alone, executed after its as-of date 2023-09-15.
    # (and no --by part: the last item of the state, SPEC §6)
    assert prior.state() == (groups_list({RFI: 1}), [0] * COUNT, [0] * COUNT,
                             [{} for _ in range(COUNT)], {})  # fmt: skip
    # As of 2024-03-01: a1 and a4 executed; a3 (2024-03-05) and a8 (2024-03-02) not yet.
    assert early.executed == groups_list({RFA: 2})
    assert early.days[RFA] == {10: 1, 0: 1}
    assert early.days[RFC_HQ] == {}
    assert (counted.records, counted.invalid_rows, counted.problems) == (8, 0, [])
    assert (counted.first_sent, counted.last_sent) == (date(2023, 9, 15), date(2024, 9, 15))


# --- ids that are hashed only once they stop increasing -----------------------------------------


def rid_rows(ids: list[str]) -> list[str]:
    return [f"{rid},OTP,RFA,,,2024-01-01,," for rid in ids]


def duplicates(counted: Counted) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.value, p.message) for p in counted.problems if p.code == "duplicate-id"]


def already(line: int) -> str:
    return f"duplicate id: already used on line {line}"


@pytest.mark.parametrize("loop", LOOPS)
def test_a_repeat_far_after_an_increasing_run_is_found(tmp_path: Path, loop: str) -> None:
    """20,000 increasing ids (several blocks, none hashed during the pass), then r00005 again:
    exactly one problem, on the repeat's line, naming line 7 (header + 5); the repeat is left
    out of the counts."""
    ids = [f"r{n:05d}" for n in range(20_000)] + ["r00005"]
    counted, calls = run(write(tmp_path / "log.csv", rid_rows(ids)), loop)
    assert duplicates(counted) == [(20_002, "r00005", already(7))]
    assert len(counted.problems) == 1
    assert counted.invalid_lines == [20_002]
    assert counted.windows[0].sent[RFA] == 20_000
    if loop == "block":
        assert len(calls) > 1  # the repeat was in a later block than its first use


@pytest.mark.parametrize("loop", LOOPS)
def test_unsorted_ids_without_repeats_are_no_problem(tmp_path: Path, loop: str) -> None:
    """Ids out of order but all different: nothing to report, every request counted, and the
    increasing run ends on the line where the order first breaks (line 4: 'b' after 'c')."""
    ids = ["a", "c", "b", "e", "d", "z", "y", "m"]
    counted, _ = run(write(tmp_path / "log.csv", rid_rows(ids)), loop)
    assert counted.problems == [] and counted.invalid_rows == 0
    assert counted.windows[0].sent[RFA] == 8
    assert [(r.part, r.until, r.last) for r in counted.id_runs] == [(None, 4, "c")]


@pytest.mark.parametrize("loop", LOOPS)
def test_decreasing_ids_with_one_repeat(tmp_path: Path, loop: str) -> None:
    """Ids in decreasing order (the order breaks on the second record) with one repeat: 'f' on
    line 3 comes back on line 8."""
    ids = ["g", "f", "e", "d", "c", "b", "f", "a"]
    counted, _ = run(write(tmp_path / "log.csv", rid_rows(ids)), loop)
    assert duplicates(counted) == [(8, "f", already(3))]
    assert counted.invalid_lines == [8]
    assert counted.windows[0].sent[RFA] == 7


@pytest.mark.parametrize("loop", LOOPS)
def test_string_order_breaking_at_r10_still_finds_repeats(tmp_path: Path, loop: str) -> None:
    """R1..R12: 'R10' sorts before 'R9', so the order breaks on R10's line (11). A repeat of R9
    (first used before the break, so hashed only after the pass) and one of R11 (first used
    after it) are both found, each naming its first line."""
    ids = [f"R{n}" for n in range(1, 13)] + ["R9", "R11"]
    counted, _ = run(write(tmp_path / "log.csv", rid_rows(ids)), loop)
    assert duplicates(counted) == [(14, "R9", already(10)), (15, "R11", already(12))]
    assert counted.windows[0].sent[RFA] == 12


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["A1", " A1 "], [(3, "A1", already(2))]),
        ([" A1 ", "A1"], [(3, "A1", already(2))]),
        (["A0", " A1", "A1  ", "A2"], [(4, "A1", already(3))]),
        (["  A1", "A2", "A3", "A1"], [(5, "A1", already(2))]),
        (["A1", "A2", "\xa0A1\t"], [(4, "A1", already(2))]),  # a non-breaking space, a tab
        (["A1", "\x0bA1"], [(3, "A1", already(2))]),  # an ASCII control str.strip() removes
    ],
)
def test_ids_with_surrounding_spaces_are_the_same_id(
    tmp_path: Path, loop: str, ids: list[str], expected: list[tuple[int, str, str]]
) -> None:
    """'A1' and ' A1 ' name the same request (SPEC: surrounding spaces ignored), whichever
    comes first, whether or not the order has broken before the repeat, and whatever the
    space (a tab, a non-breaking space, an ASCII control that str.strip() removes)."""
    counted, _ = run(write(tmp_path / "log.csv", rid_rows(ids)), loop)
    assert duplicates(counted) == expected


def second_half_line(path: Path) -> int:
    """The first line of the second of the two parts the log is counted in."""
    with Source(str(path)) as source:
        halves = open_table(source, SKIP).halves()
    assert halves is not None, "the log is not split in two"
    split = halves[1][0]  # the byte the second part starts at, just after a line end
    return path.read_bytes()[:split].count(b"\n") + 1


@pytest.fixture
def tiny_halves(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(read_csv, "HALVES_FROM", 1)  # split even a small log in two
    yield


def parts_in_parent(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record the part each pass of this process counts (a pass over half the log: a child
    process counts the other half)."""
    seen: list[object] = []
    original = engine._Pass.run

    def spy(self: engine._Pass, part: read.Part | None, *more: Any, **named: Any) -> Counted:
        seen.append(part)
        return original(self, part, *more, **named)

    monkeypatch.setattr(engine._Pass, "run", spy)
    return seen


def first_of_second_half(path: Path, rows: int) -> int:
    """Index (in the rows) of the first row of the second half, for a log of `rows` rows of
    one length: it depends on lengths alone, so ids of that length may then be chosen freely."""
    write(path, rid_rows([f"x{n:04d}" for n in range(rows)]))
    return second_half_line(path) - 2


def test_halves_each_increasing_with_a_lower_second_start_is_no_problem(
    tmp_path: Path, tiny_halves: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In two processes, each half's ids increase but the second half starts below the first
    half's greatest id (b-ids, then a-ids): the junction is not increasing, yet nothing
    repeats, so no problem."""
    path = tmp_path / "log.csv"
    k = first_of_second_half(path, 2000)
    ids = [f"b{n:04d}" for n in range(k)] + [f"a{n:04d}" for n in range(2000 - k)]
    write(path, rid_rows(ids))
    assert second_half_line(path) == k + 2
    parts = parts_in_parent(monkeypatch)
    with block_calls() as calls, Source(str(path)) as source:
        counted = count(source, windows, SKIP)
    assert calls and parts and parts[0] is not None  # the block loop, on half the log
    assert counted.problems == [] and counted.invalid_rows == 0
    assert counted.records == 2000
    assert counted.windows[0].sent[RFA] == 2000


@pytest.mark.parametrize("loop", LOOPS)
def test_a_repeat_across_increasing_halves_is_found(
    tmp_path: Path, tiny_halves: None, monkeypatch: pytest.MonkeyPatch, loop: str
) -> None:
    """First half: a0000, a0002, a0004, ... (even numbers); second half: a0001 (new), then a0500
    (a repeat of row 250, line 252), then b-ids, all increasing. Neither half's order breaks,
    so neither pass hashed an id: the repeat is found through the junction check."""
    path = tmp_path / "log.csv"
    k = first_of_second_half(path, 2000)
    ids = [f"a{2 * n:04d}" for n in range(k)] + [f"b{n:04d}" for n in range(2000 - k)]
    ids[k], ids[k + 1] = "a0001", "a0500"
    write(path, rid_rows(ids))
    assert second_half_line(path) == k + 2
    parts = parts_in_parent(monkeypatch)
    with pytest.MonkeyPatch.context() as mp:
        use_loop(mp, loop)
        with block_calls() as calls, Source(str(path)) as source:
            counted = count(source, windows, SKIP)
    assert bool(calls) == (loop == "block")
    assert parts and parts[0] is not None  # two processes
    assert duplicates(counted) == [(k + 3, "a0500", already(252))]
    assert counted.windows[0].sent[RFA] == 1999


def test_a_repeat_at_the_junction_without_skip_invalid_stops_the_run(
    tmp_path: Path, tiny_halves: None
) -> None:
    """Two increasing halves, the second starting with the first half's last id: an
    InvalidRows naming both lines."""
    path = tmp_path / "log.csv"
    k = first_of_second_half(path, 2000)
    ids = [f"a{n:04d}" for n in range(k)] + [f"b{n:04d}" for n in range(2000 - k)]
    ids[k] = ids[k - 1]  # line k + 2 repeats line k + 1
    write(path, rid_rows(ids))
    assert second_half_line(path) == k + 2
    with block_calls() as calls, Source(str(path)) as source, pytest.raises(InvalidRows) as err:
        count(source, windows)
    assert calls
    assert [(p.line, p.value, p.message) for p in err.value.problems] == [
        (k + 2, ids[k], already(k + 1))
    ]


# --- a quote late in a large log -----------------------------------------------------------------


def big_row(n: int) -> str:
    """Row n of a large log: dates and outcomes varying with n, some pending."""
    sent = date(2022, 6, 1) + timedelta(days=n % 900)
    if n % 4 == 0:
        return f"r{n:05d},OTP,RFA,,,{sent.isoformat()},,"
    executed = sent + timedelta(days=n % 37)
    outcome = ("positive", "negative", "")[n % 3]
    kind = ("OTP,RFA,,", "Registry,RFC,HQ,defence;arrest-surrender", "OTP,RFI,,")[n % 3]
    return f"r{n:05d},{kind},{sent.isoformat()},{executed.isoformat()},{outcome}"


def test_a_quote_late_in_a_large_log_is_read_in_its_block(tmp_path: Path) -> None:
    """A log of 20,000 rows (over two 256 KiB blocks) whose row 15,000 has a quoted id running
    over two lines: the block loop counts every block but the one holding it, which the loop
    over split lines counts with that record the csv module's, and nothing is handed over to
    the csv module for the rest of the file; the result is the general loop's (also when two
    processes are tried: the quote is in the second half). Line numbers after the two-line
    record are one more than
    the row index + 2: an unknown kind at row 15,100 is on line 15,103, and a repeat of r00005
    (line 7) at row 15,200 is on line 15,203."""
    rows = [big_row(n) for n in range(20_000)]
    rows[15_000] = '"r15000\nsecond line",OTP,RFA,,,2024-01-01,,'
    rows[15_100] = "r15100,OTP,RFQ,,,2024-01-01,,"
    rows[15_200] = "r00005,OTP,RFA,,,2024-01-01,,"
    path = write(tmp_path / "log.csv", rows)
    assert len(path.read_bytes()) > 2 * lines.BLOCK
    handed_over: list[object] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine._Pass, "tallied", lambda self, records: handed_over.append(records))
        fast, calls = run(path, "block")
    assert handed_over == []
    slow, _ = run(path, "general")
    assert account(fast) == account(slow)
    assert calls[0][0] == 2
    # The lines of the blocks it counted: all but those of one block, which holds line 15,002.
    counted_lines = sorted(line for first, n, _ in calls for line in range(first, first + n))
    missing = sorted(set(range(2, 20_003)) - set(counted_lines))
    assert missing and missing[0] <= 15_002 <= missing[-1]
    assert missing == list(range(missing[0], missing[-1] + 1))
    assert [(p.line, p.code) for p in fast.problems] == [
        (15_103, "unknown-kind"), (15_203, "duplicate-id"),
    ]  # fmt: skip
    assert fast.problems[1].message == already(7)
    assert fast.records == 20_000
    assert fast.invalid_lines == [15_103, 15_203]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(read_csv, "HALVES_FROM", 1)  # the quote falls in the second half
        in_two, _ = run(path, "block")
    assert account(in_two) == account(slow)


def test_a_quote_late_in_a_large_log_agrees_without_skip_invalid(tmp_path: Path) -> None:
    """The same hand-over, with a quoted multi-line id but no invalid row: without
    skip_invalid the two loops count the same figures, and a repeat of line 5 appended after
    the last row stops both with one problem on line 20,003 (header + 20,001 rows + the extra
    line of the two-line record)."""
    rows = [big_row(n) for n in range(20_000)]
    rows[12_000] = '"r12000\nsecond line",OTP,RFA,,,2024-01-01,,'
    path = write(tmp_path / "log.csv", rows)
    fast, _ = run(path, "block", ReadOptions())
    slow, _ = run(path, "general", ReadOptions())
    assert account(fast) == account(slow)
    rows.append("r00003,OTP,RFA,,,2024-01-01,,")  # a repeat of line 5, now on line 20,003
    write(path, rows)
    for loop in LOOPS:
        with pytest.raises(InvalidRows) as err:
            run(path, loop, ReadOptions())
        assert [(p.line, p.message) for p in err.value.problems] == [(20_003, already(5))]


# --- numeric dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spell", "order"),
    [
        (lambda d: d.strftime("%d/%m/%Y"), "day"),
        (lambda d: d.strftime("%m/%d/%Y"), "month"),
    ],
)
def test_numeric_dates_settle_their_order_and_count_again(
    tmp_path: Path, spell: Callable[[date], str], order: str
) -> None:
    """12,000 requests sent on 5 January 2024 and executed on 10 January (5 days), written
    05/01/2024 (or 01/05/2024), then one sent on 25 January (25/01/2024 or 01/25/2024, which
    proves the order) near the end, pending. The first pass stops at the first ambiguous date;
    the second runs the block loop with the proven order and counts 5 days, not 153."""
    first, done, proof = (spell(date(2024, 1, d)) for d in (5, 10, 25))
    rows = [f"r{n:05d},OTP,RFA,,,{first},{done},positive" for n in range(12_000)]
    rows.insert(11_000, f"r99999,OTP,RFA,,,{proof},,")
    path = write(tmp_path / "log.csv", rows)
    fast, calls = run(path, "block")
    assert calls[0][2] is None  # the first pass, stopped by 05/01/2024
    assert calls[-1][2] == order  # the second, which counted
    assert fast.date_order == order
    current = fast.windows[0]
    assert current.sent[RFA] == 12_001
    assert current.executed[RFA] == current.positive[RFA] == 12_000
    assert current.days[RFA] == {5: 12_000}
    assert (fast.first_sent, fast.last_sent) == (date(2024, 1, 5), date(2024, 1, 25))
    slow, _ = run(path, "general")
    assert account(fast) == account(slow)


def test_numeric_dates_that_prove_no_order_fail_alike(tmp_path: Path) -> None:
    """Only ambiguous numeric dates (05/01/2024, 06/02/2024): both loops stop with the same
    date-order problem of the file."""
    rows = ["a,OTP,RFA,,,05/01/2024,,", "b,OTP,RFA,,,06/02/2024,06/02/2024,"]
    path = write(tmp_path / "log.csv", rows)
    results = []
    for loop in LOOPS:
        with pytest.MonkeyPatch.context() as mp:
            use_loop(mp, loop)
            results.append(outcome(path, SKIP))
    assert results[0] == results[1]
    with Source(str(path)) as source, pytest.raises(FileProblem) as err:
        count(source, windows, SKIP)
    assert (err.value.problem.line, err.value.problem.code) == (2, "date-order")
