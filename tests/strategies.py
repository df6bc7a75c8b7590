"""Hypothesis strategies: small request logs that are valid per SPEC §1, and their CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import strategies as st

COLUMNS: tuple[str, ...] = (
    "id",
    "organ",
    "kind",
    "origin",
    "categories",
    "sent",
    "executed",
    "outcome",
)
KINDS: dict[str, tuple[str, ...]] = {
    "OTP": ("RFA", "mission-notification", "RFI"),
    "Registry": ("RFC", "decision-notification"),
}
ORIGINS: tuple[str, ...] = ("HQ", "country-office")
CATEGORIES: tuple[str, ...] = (
    "defence",
    "victims",
    "witness-protection",
    "judicial-support",
    "arrest-surrender",
)
FIRST_SENT = date(2021, 1, 1)
LAST_SENT = date(2025, 12, 31)

Row = dict[str, str]


@st.composite
def vocabulary(draw: st.DrawFn, word: str) -> str:
    """`word` in a random letter case, now and then with surrounding spaces (same meaning)."""
    mask = draw(st.integers(min_value=0, max_value=2 ** len(word) - 1))
    cased = "".join(c.upper() if mask >> i & 1 else c.lower() for i, c in enumerate(word))
    pad = st.sampled_from(["", "", "", "", " ", "  "])
    return draw(pad) + cased + draw(pad)


@st.composite
def category_cell(draw: st.DrawFn) -> str:
    """A random subset of the categories, `;`-joined (empty subset: empty cell)."""
    chosen = draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=3))
    separator = draw(st.sampled_from([";", ";", "; "]))
    return separator.join([draw(vocabulary(c)) for c in chosen])


def iso(d: date) -> str:
    return d.isoformat()


@st.composite
def valid_row(draw: st.DrawFn, request_id: str) -> Row:
    organ = draw(st.sampled_from(sorted(KINDS)))
    kind = draw(st.sampled_from(KINDS[organ]))
    if kind == "RFC":
        origin = draw(vocabulary(draw(st.sampled_from(ORIGINS))))
    else:
        # Ignored on other kinds: empty, or a stray value that must change nothing.
        origin = draw(st.sampled_from(["", "", ""] + list(ORIGINS)))
    sent = draw(st.dates(min_value=FIRST_SENT, max_value=LAST_SENT))
    executed = ""
    outcome = ""
    if draw(st.booleans()):
        delay = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=400)))
        executed = iso(sent + timedelta(days=delay))
        word = draw(st.sampled_from(["", "positive", "negative"]))
        outcome = draw(vocabulary(word)) if word else ""
    return {
        "id": request_id,
        "organ": draw(vocabulary(organ)),
        "kind": draw(vocabulary(kind)),
        "origin": origin,
        "categories": draw(category_cell()),
        "sent": iso(sent),
        "executed": executed,
        "outcome": outcome,
    }


@st.composite
def valid_rows(draw: st.DrawFn, min_size: int = 0, max_size: int = 40) -> list[Row]:
    """A list of rows valid per SPEC §1, with unique ids, sent in 2021-2025."""
    numbers = draw(
        st.lists(
            st.integers(min_value=1, max_value=9999),
            unique=True,
            min_size=min_size,
            max_size=max_size,
        )
    )
    return [draw(valid_row(f"REQ-{n:04d}")) for n in numbers]


@st.composite
def periods(draw: st.DrawFn) -> tuple[date, date]:
    """A period START:END (START <= END) inside the years the rows are sent in."""
    start = draw(st.dates(min_value=FIRST_SENT, max_value=LAST_SENT))
    length = draw(st.integers(min_value=0, max_value=800))
    return start, min(start + timedelta(days=length), LAST_SENT)


def column_orders() -> st.SearchStrategy[list[str]]:
    """Any order of the canonical columns (SPEC §1: column order is free)."""
    return st.permutations(list(COLUMNS))


def to_csv(rows: Sequence[Row], columns_order: Sequence[str] | None = None) -> str:
    """The rows as CSV text with a header row; columns in `columns_order` (default: SPEC's)."""
    columns = list(columns_order) if columns_order is not None else list(COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()
