"""Problems shared by many rows, said once: an export in a database's words has the same
unknown word on thousands of rows, and one line per row buries the one fix it needs.

A group is every problem alike but for its line (same code, column, value, message and hint),
in the order of its first line. Unknown words point to the config's [values.*] table that maps
them, and to `coopstats init`, which writes one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from coopstats.model import Problem

LINES_SHOWN = 8  # lines of a group named before "…"
# The problem codes of a word outside the SPEC's vocabulary, and the [values.*] table for it.
WORD_CODES = {
    "unknown-organ": "organ",
    "unknown-kind": "kind",
    "unknown-origin": "origin",
    "unknown-category": "categories",
    "unknown-outcome": "outcome",
}
_NOUNS = {"organ": "organ", "kind": "kind", "origin": "origin", "categories": "category",
          "outcome": "outcome"}  # fmt: skip


class ProblemGroup(NamedTuple):
    problem: Problem  # the first of them
    size: int  # problems in the group
    lines: tuple[int, ...]  # the first LINES_SHOWN lines

    @property
    def where(self) -> str:
        """`on 2,412 rows (lines 4, 5, 9, …)`."""
        shown = ", ".join(str(n) for n in self.lines)
        more = ", …" if self.size > len(self.lines) else ""
        return f"on {self.size:,} rows (lines {shown}{more})"

    @property
    def fix(self) -> str | None:
        """What to do about every row of the group at once."""
        column = WORD_CODES.get(self.problem.code)
        if column is not None:
            return (
                f"map it in [values.{column}] of coopstats.toml, or run 'coopstats init'"
            )
        if self.problem.code == "invalid-date" and self.size > 1:
            return (
                "a word that means no date can be mapped onto \"\" in [values.sent] or "
                "[values.executed] of coopstats.toml, or run 'coopstats init'"
            )
        return None

    @property
    def hint(self) -> str | None:
        """The problem's own hint, then the group's fix."""
        parts = [p for p in (self.problem.hint, self.fix) if p]
        return "; ".join(parts) or None

    def describe(self, source: str) -> str:
        """One line for standard error, as Problem.describe writes one problem."""
        p = self.problem
        if self.size == 1:
            return p.describe(source)
        column = WORD_CODES.get(p.code)
        if column is not None and p.column is not None and p.value is not None:
            text = (
                f"{source}: column {p.column!r}: {p.value!r} is not {_article(_NOUNS[column])} "
                f"word, {self.where}"
            )
            return f"{text}; {self.hint}" if self.hint else text
        cell = []
        if p.column is not None:
            cell.append(f"column {p.column!r}")
        if p.value is not None:
            cell.append(f"value {p.value!r}")
        where = f"{', '.join(cell)}: " if cell else ""
        text = f"{source}: {where}{p.message}, {self.where}"
        return f"{text} ({self.hint})" if self.hint else text


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def group_problems(problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Problems alike but for their line, each group once, in the order of its first line."""
    found: dict[tuple[object, ...], list[Problem]] = {}
    for problem in problems:
        key = (problem.code, problem.column, problem.value, problem.message, problem.hint)
        found.setdefault(key, []).append(problem)
    groups = [
        ProblemGroup(
            alike[0], len(alike),
            tuple(p.line for p in alike[:LINES_SHOWN] if p.line is not None),
        )
        for alike in found.values()
    ]
    groups.sort(key=lambda g: (g.problem.line is not None, g.problem.line or 0))
    return groups


def shown_groups(
    problems: Sequence[Problem], total: int, most: int
) -> tuple[list[ProblemGroup], int]:
    """The first `most` groups, and how many problems are left unshown (of `total`: some may
    not have been kept)."""
    groups = group_problems(problems)[:most]
    return groups, total - sum(g.size for g in groups)
