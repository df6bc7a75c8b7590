"""Breakdowns and filters (SPEC §6): `--by COLUMN` and `--where COLUMN=VALUE`.

A breakdown is a dimension of the same counts, not a second engine: the engine adds each request
it counts into a window to that window's part for each of the request's groups too
(`Window.part`), and every figure of a group comes from `catalogue.compute` over that part, as
the figures of all requests come from the window itself. `--where` leaves the requests that do
not match out of every window, parts included.

A request's group, stated once here (and held to by `sql --by`):

- For a column of the SPEC's vocabulary (organ, kind, origin, categories, outcome), the SPEC's
  word the request was read as (after `[values.COLUMN]`): `OTP`, `RFA`, `HQ`; with `categories`
  a request belongs to each of its categories. Origin and categories count on RFCs only (SPEC
  §1): on other kinds they are blank. A blank cell is the blank group.
- For any other column: the cell with surrounding spaces trimmed (`str.strip()`), otherwise as
  written (so `France` and `FRANCE` are two groups), then mapped by `[values.COLUMN]` of the
  config, whose words are matched trimmed and case-insensitively, as every `[values.*]` table's
  are (`"Fr." = "France"` also takes `FR.`). A word mapped onto "" joins the blank group.
- A `--where` value is read the same way, so `--where state=Fr.` is `--where state=France`; the
  same column again widens (either value), another column narrows (both).

Groups are listed by the number of requests sent in the period (most first), then by value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from coopstats.catalogue import GROUP, Counts
from coopstats.errors import UsageError
from coopstats.model import CATEGORIES, COLUMNS, KINDS, ORGANS, ORIGINS, OUTCOMES
from coopstats.read.options import Breakdown as Breakdown  # defined with ReadOptions

if TYPE_CHECKING:
    from coopstats.checks import Kind
    from coopstats.read.table import Table

BLANK = ""  # the blank group's value, as JSON and CSV write it
BLANK_SHOWN = "(blank)"  # ... and as tables write it
VOCABULARY_COLUMNS = ("organ", "kind", "origin", "categories", "outcome")
CACHE_LIMIT = 100_000  # distinct cells remembered per column: an id column would have one a row
SEEN_LIMIT = 10_000  # distinct values kept to suggest the closest to a --where that matched none
# The base groups that hold every request exactly once (the others are breakdowns of RFCs).
_ONCE = tuple(
    GROUP[name].index for name in ("rfa", "mission", "rfi", "rfc_hq", "rfc_co", "decision")
)

# What a request's groups are read from: the record's cells, its checked kind and its outcome.
Reader = Callable[[list[str], "Kind", "bool | None"], tuple[str, ...]]


def parse_where(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`COLUMN=VALUE` items (the value may be empty: the blank group)."""
    pairs = []
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(
                f"--where {item!r}: write it as COLUMN=VALUE, e.g. --where state=France "
                "(VALUE may be empty for the blank cells)"
            )
        pairs.append((column.strip(), value))
    return tuple(pairs)


def breakdown_of(by: str | None, where: Sequence[str] | None) -> Breakdown:
    """The Breakdown of the command line's --by and --where."""
    if by is not None and not by.strip():
        raise UsageError("--by: name a column of the log, e.g. --by state")
    return Breakdown(by.strip() if by is not None else None, parse_where(where or ()))


def shown(value: str) -> str:
    """A group's value for people: the blank group is `(blank)`."""
    return value if value != BLANK else BLANK_SHOWN


def requests_sent(counts: Counts) -> int:
    """The number of requests of S in a window: each is in exactly one base group of _ONCE."""
    return sum(counts.sent[g] for g in _ONCE)


class Column(NamedTuple):
    """A --by or --where column found in one log's header."""

    label: str  # as the log spells it (a canonical column: its canonical name)
    canonical: str | None  # a vocabulary column, read from the checked request
    position: int  # in a record (with the '' appended for an absent optional column)
    mapping: Mapping[str, str]  # [values.COLUMN]: trimmed, case-folded word -> group value


def find_column(
    name: str, option: str, table: Table, values: Mapping[str, Mapping[str, str]]
) -> Column:
    """The column `name` names: a canonical column, else a header of the log, matched as
    headers are (case-insensitive, trimmed). Unknown: a usage error naming the headers found
    and the closest."""
    folded = name.strip().casefold()
    header = [h.strip() for h in table.header]
    canonical: str | None = None
    if folded in COLUMNS:
        canonical, position = folded, table.index[folded]
    else:
        positions = [i for i, h in enumerate(header) if h.casefold() == folded]
        if len(positions) > 1:
            raise UsageError(
                f"{option} {name}: the log's header names {name!r} {len(positions)} times "
                f"(positions {', '.join(str(p + 1) for p in positions)}); rename all but one"
            )
        if not positions:
            raise UsageError(_unknown(name, option, table, header))
        position = positions[0]
        # A header read as a canonical column (the SPEC's name, or mapped by --column).
        canonical = next((c for c in COLUMNS if table.index[c] == position), None)
    label = canonical if canonical is not None else header[position]
    vocabulary = canonical if canonical in VOCABULARY_COLUMNS else None
    names = {folded, label.casefold(), *(c for c in (canonical,) if c)}
    mapping: dict[str, str] = {}
    if vocabulary is None:  # a vocabulary column's words are mapped when it is checked
        for column, table_of in values.items():
            if column.strip().casefold() in names:
                mapping.update({k.strip().casefold(): v.strip() for k, v in table_of.items()})
    return Column(label, vocabulary, position, mapping)


def _unknown(name: str, option: str, table: Table, header: list[str]) -> str:
    import difflib  # only on an error: kept off start-up

    choices = [h for h in header if h] + [c for c in COLUMNS if c not in header]
    close = difflib.get_close_matches(name.strip(), choices, n=1, cutoff=0.5)
    if not close:
        folded = {c.casefold(): c for c in choices}
        near = difflib.get_close_matches(name.strip().casefold(), list(folded), n=1, cutoff=0.5)
        close = [folded[near[0]]] if near else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    found = ", ".join(repr(h) for h in header) or "nothing"
    absent = [c for c in COLUMNS if c not in {h.casefold() for h in header}]
    also = f" (and the canonical {', '.join(absent)}, blank here)" if absent else ""
    return f"{option} {name}: no such column in {table.name}; its header has: {found}{also}{hint}"


def _vocabulary_word(column: str, value: str, values: Mapping[str, Mapping[str, str]]) -> str:
    """A --where value on a vocabulary column, read as a cell of that column is."""
    folded = value.strip().casefold()
    mapped = {k.strip().casefold(): v.strip().casefold() for k, v in values.get(column, {}).items()}
    word = mapped.get(folded, folded)
    spelled: Mapping[str, str] = {
        "organ": ORGANS,
        "kind": KINDS,
        "origin": ORIGINS,
        "categories": {c: c for c in CATEGORIES},
        "outcome": {o: o for o in OUTCOMES},
    }[column]
    return spelled.get(word, value.strip())


def _reader(column: Column) -> Reader:
    """The groups of a request in one column (a tuple: with categories, one per category)."""
    if column.canonical == "organ":
        return lambda row, kind, outcome: (kind.organ,)
    if column.canonical == "kind":
        return lambda row, kind, outcome: (kind.kind,)
    if column.canonical == "origin":
        return lambda row, kind, outcome: (kind.origin or BLANK,)
    if column.canonical == "categories":
        return lambda row, kind, outcome: kind.categories or (BLANK,)
    if column.canonical == "outcome":
        words = {True: ("positive",), False: ("negative",), None: (BLANK,)}
        return lambda row, kind, outcome: words[outcome]
    position, mapping = column.position, column.mapping
    cache: dict[str, tuple[str, ...]] = {}

    def cell(row: list[str], kind: Kind, outcome: bool | None) -> tuple[str, ...]:
        text = row[position]
        try:
            return cache[text]
        except KeyError:
            trimmed = text.strip()
            value = (mapping.get(trimmed.casefold(), trimmed) if mapping else trimmed,)
            if len(cache) < CACHE_LIMIT:
                cache[text] = value
            return value

    return cell


class Asked(NamedTuple):
    """One --where item: the column as the log spells it, the value as given and as read."""

    column: str
    given: str
    value: str


class SplitReport(NamedTuple):
    """What a pass learnt about the breakdown, to merge across the log's parts and to warn."""

    by: str | None  # the --by column as the log spells it
    asked: tuple[Asked, ...]
    matched: frozenset[tuple[str, str]]  # (column, value) of the --where values some request had
    seen: Mapping[str, frozenset[str]]  # per --where column, values found (up to SEEN_LIMIT)

    def absorb(self, other: SplitReport) -> SplitReport:
        seen = {
            column: self.seen.get(column, frozenset()) | other.seen.get(column, frozenset())
            for column in self.seen.keys() | other.seen.keys()
        }
        return self._replace(matched=self.matched | other.matched, seen=seen)

    def note(self) -> str | None:
        """What --where counts, for a caption: `only the requests whose State is France or
        Kenya and whose situation is Darfur (--where)`."""
        if not self.asked:
            return None
        values: dict[str, list[str]] = {}
        for asked in self.asked:
            values.setdefault(asked.column, []).append(
                repr(asked.given.strip()) if asked.given.strip() else "blank"
            )
        parts = [f"whose {column} is {' or '.join(words)}" for column, words in values.items()]
        return f"only the requests {' and '.join(parts)} (--where)"

    def warnings(self) -> list[str]:
        """SPEC §6: a --where value that matches no request, with the closest values found."""
        import difflib

        notes = []
        for asked in self.asked:
            if (asked.column, asked.value) in self.matched:
                continue
            found = sorted(self.seen.get(asked.column, frozenset()))
            close = difflib.get_close_matches(asked.value, found, n=3, cutoff=0.5)
            if not close:
                folded = {v.casefold(): v for v in found}
                near = difflib.get_close_matches(asked.value.casefold(), list(folded), n=3)
                close = [folded[v] for v in near]
            hint = (
                "; the closest values found: " + ", ".join(repr(shown(v)) for v in close)
                if close else "; no request counted has a value there" if not found else ""
            )
            notes.append(
                f"--where {asked.column}={asked.given} matches no request in the periods "
                f"counted{hint}"
            )
        return notes


class Split:
    """--by and --where bound to one log's header: `keys` gives a request's groups, or None
    when --where leaves it out. One per pass over the log (each process has its own)."""

    def __init__(
        self, breakdown: Breakdown, table: Table, values: Mapping[str, Mapping[str, str]]
    ) -> None:
        by = breakdown.by
        self.by = find_column(by, "--by", table, values) if by is not None else None
        wheres: dict[int, tuple[Column, set[str]]] = {}
        asked = []
        for name, given in breakdown.where:
            column = find_column(name, "--where", table, values)
            if column.canonical is not None:
                value = _vocabulary_word(column.canonical, given, values)
            else:
                trimmed = given.strip()
                value = column.mapping.get(trimmed.casefold(), trimmed)
            wheres.setdefault(column.position, (column, set()))[1].add(value)
            asked.append(Asked(column.label, given, value))
        self.asked = tuple(asked)
        self.matched: set[tuple[str, str]] = set()
        self.seen: dict[str, set[str]] = {column.label: set() for column, _ in wheres.values()}
        filters = [
            (_reader(column), frozenset(allowed), column.label, self.seen[column.label])
            for column, allowed in wheres.values()
        ]
        self.keys = self._keys(_reader(self.by) if self.by is not None else None, filters)

    def _keys(
        self,
        group_of: Reader | None,
        filters: list[tuple[Reader, frozenset[str], str, set[str]]],
    ) -> Callable[[list[str], Kind, bool | None], tuple[str, ...] | None]:
        matched = self.matched
        if not filters and group_of is not None:
            return group_of
        no_groups: tuple[str, ...] = ()

        def keys(row: list[str], kind: Kind, outcome: bool | None) -> tuple[str, ...] | None:
            for read, allowed, label, seen in filters:
                found = read(row, kind, outcome)
                hit = False
                for value in found:
                    if value in allowed:
                        hit = True
                        matched.add((label, value))
                if len(seen) < SEEN_LIMIT:
                    seen.update(found)
                if not hit:
                    return None
            return group_of(row, kind, outcome) if group_of is not None else no_groups

        return keys

    def report(self) -> SplitReport:
        return SplitReport(
            self.by.label if self.by is not None else None,
            self.asked,
            frozenset(self.matched),
            {label: frozenset(values) for label, values in self.seen.items()},
        )


def order_groups(keys: Iterable[str], sent: Callable[[str], int]) -> list[str]:
    """Most requests sent in the period first, then by value (SPEC §6)."""
    return sorted(set(keys), key=lambda key: (-sent(key), key))
