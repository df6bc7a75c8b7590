"""How to read a log: everything the command line and a config file may say about it, as one
value the commands hand to the engine."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from coopstats.dates import DateOrder


class Breakdown(NamedTuple):
    """`--by` and `--where` as given: column names and values before any reading (what they
    mean is breakdown.py's)."""

    by: str | None = None
    where: tuple[tuple[str, str], ...] = ()  # (column, value), in the order given

    @property
    def active(self) -> bool:
        return self.by is not None or bool(self.where)


class ReadOptions(NamedTuple):
    """How to read a log: everything the command line and a config file may say about it."""

    encoding: str | None = None
    delimiter: str | None = None
    columns: Mapping[str, str] = MappingProxyType({})  # canonical name -> file's header
    date_order: DateOrder | None = None
    skip_invalid: bool = False
    # column -> {file's word, case-folded -> the SPEC's word}, for a database's own vocabulary
    values: Mapping[str, Mapping[str, str]] = MappingProxyType({})
    sheet: str | None = None
    config: str | None = None  # the config file in use, as messages and JSON name it
    # canonical name -> where its mapping in `columns` was given ("--column ...", "[columns]
    # in coopstats.toml"), for messages
    origins: Mapping[str, str] = MappingProxyType({})
    header_row: int | None = None  # the header's line (a sheet's row), when not found by itself
    # Read for a survey (`values`, `init`): no column is required, and the header is the row
    # whose titles look most like a log's (header.guess_header), the database's names included.
    survey: bool = False
    breakdown: Breakdown | None = None  # --by and --where: which requests count, in which groups


DEFAULT_READ = ReadOptions()
