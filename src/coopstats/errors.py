"""The tool's exceptions. Library code raises them; only cli.py turns them into exit statuses."""

from __future__ import annotations

from collections.abc import Sequence

from coopstats.model import Problem


class CoopstatsError(Exception):
    """An error with a message for the user and the exit status it deserves."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CoopstatsError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = 2


class DataError(CoopstatsError):
    """The input cannot be read as a log (exit 1): not a CSV, not UTF-8, no header..."""

    exit_code = 1


class InvalidRows(DataError):
    """Rows break the SPEC's rules; every problem found is carried, in file order."""

    def __init__(self, source: str, problems: Sequence[Problem], total: int, rows: int) -> None:
        noun = "problem" if total == 1 else "problems"
        super().__init__(f"{source}: {total} {noun} in {rows} invalid row(s); no figures printed")
        self.source = source
        self.problems = list(problems)
        self.total = total
        self.rows = rows

    def __reduce__(self) -> tuple[type[InvalidRows], tuple[str, list[Problem], int, int]]:
        return InvalidRows, (self.source, self.problems, self.total, self.rows)
