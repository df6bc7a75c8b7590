"""Checking one record against SPEC §1, with a message a person can act on for each problem.

The engine reads its caches directly on the fast path (a record whose cells it has seen before)
and calls `RowChecker.check` for anything new; that call fills the caches or says what is wrong.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from coopstats.dates import DateOrder, DateProblem, parse_date
from coopstats.groups import groups_of
from coopstats.model import CATEGORIES, KIND_ORGAN, KINDS, ORGANS, ORIGINS, OUTCOMES, Problem
from coopstats.reading import Table

PENDING = -1  # the day ordinal of an empty `executed` cell
DATE_CACHE_LIMIT = 100_000  # datetimes can make every cell distinct: keep the cache bounded

KIND_WORDS = "RFA, mission-notification, RFI (OTP) or RFC, decision-notification (Registry)"


@dataclass(frozen=True)
class Kind:
    """A valid (organ, kind, origin, categories) combination, classified once and cached."""

    organ: str
    kind: str
    origin: str | None
    categories: tuple[str, ...]
    groups: tuple[int, ...]


# A checked record: its kind, sent and executed day ordinals, and its outcome (None: none given).
Checked = tuple[Kind, int, int, bool | None]


def suggest(value: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value.strip().casefold(), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class RowChecker:
    """Validation of whole records, with the file's own column names in every message."""

    def __init__(
        self, table: Table, order: DateOrder | None, values: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.table = table
        self.order = order
        self.index = table.index
        self.width = table.width
        self.label = {name: table.column_label(name) for name in table.index}
        self.values = {
            column: {k.strip().casefold(): v.strip().casefold() for k, v in mapping.items()}
            for column, mapping in values.items()
        }
        # Caches keyed by the raw cell text, read directly by the engine's fast path.
        self.kinds: dict[tuple[str, str, str, str], Kind] = {}
        self.dates: dict[str, int] = {"": PENDING}
        self.outcomes: dict[str, bool | None] = {"": None}

    def problem(
        self, line: int, column: str, value: str, message: str, code: str, hint: str | None = None
    ) -> Problem:
        return Problem(line, self.label[column], value, message, code, hint)

    def check(self, line: int, row: list[str]) -> Checked | list[Problem]:
        """The record's values, or every problem it has. `row` has had '' appended."""
        i = self.index
        problems: list[Problem] = []
        if not row[i["id"]].strip():
            problems.append(
                self.problem(line, "id", row[i["id"]], "the id is blank", "missing-value")
            )
        key = (row[i["organ"]], row[i["kind"]], row[i["origin"]], row[i["categories"]])
        kind = self.kinds.get(key)
        if kind is None:
            classified = self.classify(line, *key)
            if isinstance(classified, Kind):
                kind = self.kinds[key] = classified
            else:
                problems += classified
        sent = self.date(line, "sent", row[i["sent"]], problems)
        if sent == PENDING:
            problems.append(
                self.problem(
                    line, "sent", row[i["sent"]], "the sent date is blank", "missing-value"
                )
            )
        executed = self.date(line, "executed", row[i["executed"]], problems)
        if sent is not None and executed is not None and PENDING < executed < sent:
            problems.append(
                self.problem(
                    line, "executed", row[i["executed"]],
                    f"executed before it was sent ({date.fromordinal(sent).isoformat()})",
                    "executed-before-sent",
                )
            )
        outcome = self.outcome(line, row[i["outcome"]], problems)
        if outcome is not None and executed == PENDING:
            problems.append(
                self.problem(
                    line, "outcome", row[i["outcome"]],
                    "an outcome on a pending request (the executed date is empty)",
                    "outcome-without-execution", "fill in the executed date or clear the outcome",
                )
            )
        if problems:
            return problems
        assert kind is not None and sent is not None and executed is not None
        return kind, sent, executed, outcome

    def width_problem(self, line: int, row: list[str]) -> Problem:
        many = len(row) > self.width
        return Problem(
            line, None, None, f"{len(row)} fields where the header has {self.width}",
            "extra-cell" if many else "missing-cell",
            "quote cells that contain the delimiter" if many else "every row needs every column",
        )

    def word(self, column: str, raw: str) -> str:
        """The cell's word, case-folded, after the user's own vocabulary mapping (config)."""
        folded = raw.strip().casefold()
        return self.values.get(column, {}).get(folded, folded)

    def date(self, line: int, column: str, text: str, problems: list[Problem]) -> int | None:
        """The day ordinal (PENDING when blank), cached; None and a problem when not a date."""
        if not text.strip():
            return PENDING
        try:
            value = parse_date(text, self.order)
        except DateProblem as err:
            problems.append(self.problem(line, column, text, err.message, "invalid-date", err.hint))
            return None
        if len(self.dates) > DATE_CACHE_LIMIT:
            self.dates.clear()
            self.dates[""] = PENDING
        self.dates[text] = value
        return value

    def outcome(self, line: int, raw: str, problems: list[Problem]) -> bool | None:
        word = self.word("outcome", raw)
        if not word:
            return None
        if word in OUTCOMES:
            self.outcomes[raw] = OUTCOMES[word]
            return OUTCOMES[word]
        problems.append(
            self.problem(
                line, "outcome", raw, "not an outcome: expected positive, negative or nothing",
                "unknown-outcome", suggest(raw, OUTCOMES),
            )
        )
        return None

    def classify(
        self, line: int, organ_raw: str, kind_raw: str, origin_raw: str, cats_raw: str
    ) -> Kind | list[Problem]:
        problems: list[Problem] = []
        organ = ORGANS.get(self.word("organ", organ_raw))
        if organ is None:
            problems.append(self._unknown(line, "organ", organ_raw, "OTP or Registry", ORGANS))
        kind = KINDS.get(self.word("kind", kind_raw))
        if kind is None:
            problems.append(self._unknown(line, "kind", kind_raw, KIND_WORDS, KINDS))
        elif organ is not None and KIND_ORGAN[kind] != organ:
            problems.append(
                self.problem(
                    line, "kind", kind_raw,
                    f"{kind} is a kind of the {KIND_ORGAN[kind]}, not of the {organ}",
                    "kind-organ-mismatch",
                )
            )
        origin: str | None = None
        categories: list[str] = []
        if kind == "RFC":  # origin and categories matter only on RFCs (SPEC §1)
            origin = ORIGINS.get(self.word("origin", origin_raw))
            if origin is None and not origin_raw.strip():
                problems.append(
                    self.problem(
                        line, "origin", origin_raw, "an RFC needs its origin: HQ or country-office",
                        "missing-origin",
                    )
                )
            elif origin is None:
                problems.append(
                    self._unknown(line, "origin", origin_raw, "HQ or country-office", ORIGINS)
                )
            for piece in cats_raw.split(";"):
                word = self.word("categories", piece)
                if word in CATEGORIES:
                    if word not in categories:
                        categories.append(word)
                elif word:
                    problems.append(
                        self._unknown(line, "categories", piece, ", ".join(CATEGORIES), CATEGORIES)
                    )
        if problems:
            return problems
        assert organ is not None and kind is not None
        found = tuple(categories)
        return Kind(organ, kind, origin, found, groups_of(kind, origin, found))

    def _unknown(
        self, line: int, column: str, raw: str, expected: str, choices: Iterable[str]
    ) -> Problem:
        if not raw.strip():
            return self.problem(line, column, raw, f"the {column} is blank: expected {expected}",
                                "missing-value")
        noun = "category" if column == "categories" else column
        return self.problem(
            line, column, raw.strip(), f"not a known {noun}: expected {expected}",
            f"unknown-{noun}", suggest(raw, choices),
        )
