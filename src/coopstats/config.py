"""`coopstats.toml`: a database's own column names, vocabulary and option defaults.

    [columns]                    # canonical name = the file's header
    sent = "Date sent"
    [values.kind]                # the file's word = the SPEC's word
    "Request for Assistance" = "RFA"
    [defaults]                   # any option, as on the command line
    dayfirst = true
    year-start = "09-16"

Options given on the command line win over the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopstats.errors import UsageError
from coopstats.model import COLUMNS

DEFAULT_NAME = "coopstats.toml"
VALUE_COLUMNS = ("organ", "kind", "origin", "categories", "outcome")


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)  # option names with '_' for '-'


def load_config(path: Path | None) -> Config:
    """The named file, else `coopstats.toml` in the current folder when there is one."""
    if path is None:
        local = Path(DEFAULT_NAME)
        if not local.is_file():
            return Config()
        path = local
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"--config: {path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"{path}: not a readable TOML file ({err})") from None
    unknown = sorted(set(data) - {"columns", "values", "defaults"})
    if unknown:
        raise UsageError(
            f"{path}: unknown table(s) {', '.join(unknown)}; expected [columns], [values.*], "
            "[defaults]"
        )
    columns = _strings(path, "columns", data.get("columns", {}))
    bad = sorted(set(columns) - set(COLUMNS))
    if bad:
        raise UsageError(
            f"{path}: [columns] names {', '.join(bad)}; the columns are {', '.join(COLUMNS)}"
        )
    values_table = data.get("values", {})
    if not isinstance(values_table, dict):
        raise UsageError(f"{path}: [values] must hold tables such as [values.kind]")
    values: dict[str, dict[str, str]] = {}
    for column, mapping in values_table.items():
        if column not in VALUE_COLUMNS:
            raise UsageError(
                f"{path}: [values.{column}]: values can be mapped for {', '.join(VALUE_COLUMNS)}"
            )
        values[column] = _strings(path, f"values.{column}", mapping)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: [defaults] must be a table")
    return Config(path, columns, values, {k.replace("-", "_"): v for k, v in defaults.items()})


def _strings(path: Path, name: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"{path}: [{name}] must map names to strings")
    return {str(k): v for k, v in table.items()}
