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

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from coopstats.errors import UsageError
from coopstats.model import CATEGORIES, COLUMNS, KINDS, ORGANS, ORIGINS, OUTCOMES

DEFAULT_NAME = "coopstats.toml"
# The SPEC's words each [values.COLUMN] table may map onto (SPEC §1), case-folded.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "organ": tuple(ORGANS),
    "kind": tuple(KINDS),
    "origin": tuple(ORIGINS),
    "categories": CATEGORIES,
    "outcome": tuple(OUTCOMES),
}
VALUE_COLUMNS = tuple(VOCABULARY)

# The TOML type of the shared options that are not strings, so that `dayfirst = "yes"` or
# `decimals = "two"` is refused here, with the file's name, instead of misread later.
_FLAGS = ("dayfirst", "monthfirst", "notifications", "skip_invalid", "debug")
_NUMBERS = {"decimals": (0, 12), "max_problems": (1, None)}
_FORMATS = ("table", "json", "csv", "markdown")
_STRINGS = (
    "period", "as_of", "against", "year_start", "encoding", "delimiter", "sheet", "fmt", "export",
)


class Config(NamedTuple):
    path: Path | None = None
    columns: Mapping[str, str] = MappingProxyType({})
    values: Mapping[str, Mapping[str, str]] = MappingProxyType({})
    defaults: Mapping[str, Any] = MappingProxyType({})  # option names with '_' for '-'


def load_config(path: Path | None) -> Config:
    """The named file, else `coopstats.toml` in the current folder when there is one."""
    if path is None:
        local = Path(DEFAULT_NAME)
        if not local.is_file():
            return Config()
        path = local
    try:
        import tomllib  # only when there is a file to read: start-up stays lean

        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"--config: {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:  # TOMLDecodeError is a ValueError
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
        values[column] = _strings(path, f"values.{column}", mapping)
        if column in VALUE_COLUMNS:  # any other column's words are its own (--by, SPEC §6)
            _check_words(path, column, values[column])
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: [defaults] must be a table")
    # `format` is the option's name on the command line; its parameter is `fmt`.
    options = {("fmt" if k == "format" else k.replace("-", "_")): v for k, v in defaults.items()}
    known = option_names()
    for name, value in options.items():
        if name not in known:
            raise UsageError(
                f"{path}: [defaults] {_option(name)} is not an option of any coopstats "
                "command" + _near(name, known)
            )
        _check_default(path, name, value)
    return Config(path, columns, values, options)


def option_names() -> set[str]:
    """The options of every coopstats command, as [defaults] names them (`year_start`).

    One config file serves every command, so a default need only be some command's option;
    each command takes the defaults it has (options.Settings.from_context).
    """
    import typer

    from coopstats.cli import app  # lazily: the app is built from the commands, not before

    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {}) or {}
    names: set[str] = set()
    for command in commands.values():
        names.update(param.name for param in command.params if param.name)
    return names


def _near(name: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {_option(close[0])}?" if close else ""


def _check_words(path: Path, column: str, mapping: dict[str, str]) -> None:
    """Every word a [values.COLUMN] table maps onto must be one of the SPEC's words."""
    words = VOCABULARY[column]
    for theirs, ours in mapping.items():
        if ours.strip().casefold() not in words:
            raise UsageError(
                f"{path}: [values.{column}] maps {theirs!r} onto {ours!r}, which is not a "
                f"{column} word; expected one of {', '.join(words)}"
            )


def _option(name: str) -> str:
    return "format" if name == "fmt" else name.replace("_", "-")


def _check_default(path: Path, name: str, value: object) -> None:
    option = f"[defaults] {_option(name)}"
    if name in _FLAGS and not isinstance(value, bool):
        raise UsageError(f"{path}: {option} must be true or false, not {value!r}")
    if name in _NUMBERS:
        low, high = _NUMBERS[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise UsageError(f"{path}: {option} must be a whole number {span}, not {value!r}")
    if name in _STRINGS and not isinstance(value, str):
        raise UsageError(f"{path}: {option} must be a string in quotes, not {value!r}")
    if name == "fmt" and value not in _FORMATS:
        raise UsageError(f"{path}: {option} must be one of {', '.join(_FORMATS)}, not {value!r}")
    if name == "column" and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        raise UsageError(f"{path}: {option} must be a list of \"CANONICAL=HEADER\" strings")


def _strings(path: Path, name: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"{path}: [{name}] must map names to strings")
    return {str(k): v for k, v in table.items()}
